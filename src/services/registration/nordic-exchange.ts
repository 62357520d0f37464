/**
 * The Nordic exchange (NOR-1, NOR-2, seed 004): the outbox and inbox of the
 * messages to and from the other Nordic countries' central registration
 * authorities, in the protocol of src/domain/nordic/exchange.ts.
 *
 * - Outgoing: a message is written to `nordic_outbox` in the same transaction
 *   as the registration that causes it (a Nordic move-in, a standard-
 *   information request, a refusal of entry); `deliverDue` sends what is due,
 *   and retries with growing delays on the injected clock until the peer
 *   acknowledges; the municipality's outgoing waiting-register item is then
 *   marked `sent`. The message id is the receiver's idempotency key, so a
 *   retry after a lost answer is harmless.
 * - Incoming: `receiveMessage` handles a message once per message id (a
 *   duplicate gets the first receipt back and changes nothing): a move-in
 *   notice or refusal from the country moved to goes to the municipality's
 *   waiting register (seed 004 III), a standard-information request about a
 *   person in CPR is answered by CPR itself ("besvares elektronisk af
 *   CPR-kontoret via CPR"), and the answer to Denmark's own request is put
 *   in the requesting municipality's waiting register (seed 004 II).
 */
import { effectiveProtections } from '../../domain/disclosure/project.ts';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Caller } from '../../access/customers.ts';
import type { Clock } from '../../domain/clock.ts';
import { NORDIC_COUNTRY_CODES } from '../../domain/codes/index.ts';
import { ageOn, dateOf, toInstant, type CivilDate } from '../../domain/dates.ts';
import { normalisePnr } from '../../domain/pnr/pnr.ts';
import type { PersonState } from '../../register/bitemporal.ts';
import {
  DENMARK,
  MESSAGES_PATH,
  PROTOCOL,
  receiptSchema,
  retryable,
  retryDelayMs,
  type MessageKind,
  type NordicMessage,
  type Receipt,
  type StandardInformation,
} from '../../domain/nordic/exchange.ts';
import type { GroupValue } from '../../domain/person/facts.ts';
import { addressLines, municipalityName } from '../../domain/registration/letters.ts';
import { addressOf, civilStatusOf, listOf, nameOf, single, statusOf } from '../../domain/registration/vital-common.ts';
import { isUniqueViolation, type Register } from '../../register/register.ts';
import { RegistrationError } from '../../register/validate.ts';
import type { DB } from '../../storage/schema.ts';
import { assertOwnMunicipality, clerkMunicipality } from './clerk.ts';
import { addWaitingItem, assertNordicChannel, assertOtherNordic, receiveNotification } from './nordic.ts';
import { atomically } from './vital-atomic.ts';

type Outgoing = { [K in MessageKind]: { kind: K; body: Extract<NordicMessage, { kind: K }>['body']; inReplyTo?: string } }[MessageKind];

export { assertOtherNordic };

/** Writes a message to the outbox, in the caller's transaction `db`; it is sent by `deliverDue`. */
export async function enqueueMessage(
  db: Kysely<DB>,
  clock: Clock,
  to: string,
  m: Outgoing,
  about: { pnr?: string | null; municipalityCode?: string | null; waitingItemId?: string | null } = {},
): Promise<string> {
  const now = toInstant(clock.now());
  const messageId = `dk-${randomUUID()}`;
  const message = { protocol: PROTOCOL, messageId, from: DENMARK, to, sentAt: now, ...(m.inReplyTo && { inReplyTo: m.inReplyTo }), kind: m.kind, body: m.body };
  await db
    .insertInto('nordic_outbox')
    .values({
      message_id: messageId,
      country_code: to,
      kind: m.kind,
      message: JSON.stringify(message),
      pnr: about.pnr ?? null,
      municipality_code: about.municipalityCode ?? null,
      waiting_item_id: about.waitingItemId ?? null,
      created_at: now,
      attempts: 0,
      next_attempt_at: now,
      last_error: null,
      delivered_at: null,
      failed_at: null,
    })
    .execute();
  return messageId;
}

export interface OutboxMessage {
  messageId: string;
  countryCode: string;
  kind: string;
  pnr: string | null;
  createdAt: string;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  deliveredAt: string | null;
  failedAt: string | null;
}

/** The outbox, newest first (the CPR office's view of what went out and what waits). */
export async function listOutbox(register: Register, filter: { pending?: boolean } = {}): Promise<OutboxMessage[]> {
  let q = register.store.db.selectFrom('nordic_outbox').selectAll();
  if (filter.pending) q = q.where('delivered_at', 'is', null).where('failed_at', 'is', null);
  const rows = await q.orderBy('created_at', 'desc').orderBy('message_id').limit(500).execute();
  return rows.map((r) => ({
    messageId: r.message_id, countryCode: r.country_code, kind: r.kind, pnr: r.pnr, createdAt: r.created_at, attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at, lastError: r.last_error, deliveredAt: r.delivered_at, failedAt: r.failed_at,
  }));
}

export interface DeliveryRun {
  delivered: string[];
  retrying: string[];
  failed: string[];
}

export interface DeliveryOptions {
  /** The peer URL per country code (OPENCPR_NORDIC_PEERS, domain/nordic/exchange.ts parsePeers). */
  peers: ReadonlyMap<string, string>;
  timeoutMs?: number;
  limit?: number;
}

/**
 * Sends every outbox message that is due. A message the peer acknowledges
 * (accepted or duplicate) is delivered; a network error, timeout or 5xx
 * schedules the next attempt (retryDelayMs, on the register's clock); a
 * permanent refusal (4xx) is kept as failed. Idempotent: a run finds only
 * what is still due.
 */
export async function deliverDue(register: Register, opts: DeliveryOptions): Promise<DeliveryRun> {
  const db = register.store.db;
  const now = toInstant(register.clock.now());
  const due = await db
    .selectFrom('nordic_outbox')
    .selectAll()
    .where('delivered_at', 'is', null)
    .where('failed_at', 'is', null)
    .where('next_attempt_at', '<=', now)
    .orderBy('created_at')
    .orderBy('message_id')
    .limit(opts.limit ?? 200)
    .execute();
  const run: DeliveryRun = { delivered: [], retrying: [], failed: [] };
  for (const row of due) {
    const outcome = await send(opts.peers.get(row.country_code), row.message, opts.timeoutMs ?? 10_000);
    const at = toInstant(register.clock.now());
    if (outcome.ok) {
      await db.transaction().execute(async (tx) => {
        await tx.updateTable('nordic_outbox').set({ delivered_at: at, attempts: Number(row.attempts) + 1, last_error: null }).where('message_id', '=', row.message_id).execute();
        if (row.waiting_item_id) {
          await tx
            .updateTable('waiting_item')
            .set({ resolution: 'sent', resolved_at: at, resolved_by: 'system:nordic-exchange' })
            .where('id', '=', row.waiting_item_id)
            .where('resolution', 'is', null)
            .execute();
        }
      });
      run.delivered.push(row.message_id);
    } else if (retryable(outcome.status)) {
      const attempts = Number(row.attempts) + 1;
      const next = toInstant(new Date(register.clock.now().getTime() + retryDelayMs(attempts)));
      await db.updateTable('nordic_outbox').set({ attempts, next_attempt_at: next, last_error: outcome.error }).where('message_id', '=', row.message_id).execute();
      run.retrying.push(row.message_id);
    } else {
      await db.updateTable('nordic_outbox').set({ attempts: Number(row.attempts) + 1, failed_at: at, last_error: outcome.error }).where('message_id', '=', row.message_id).execute();
      run.failed.push(row.message_id);
    }
  }
  return run;
}

async function send(peer: string | undefined, message: string, timeoutMs: number): Promise<{ ok: true } | { ok: false; status: number | null; error: string }> {
  if (!peer) return { ok: false, status: null, error: 'no peer configured for the country' };
  try {
    const res = await fetch(peer + MESSAGES_PATH, { method: 'POST', headers: { 'content-type': 'application/json' }, body: message, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    if (res.ok) {
      // An acknowledgement must name the message; anything else is not one.
      const receipt = receiptSchema.safeParse(safeJson(text));
      const id = (JSON.parse(message) as { messageId: string }).messageId;
      if (receipt.success && receipt.data.messageId === id) return { ok: true };
      return { ok: false, status: null, error: `not an acknowledgement of ${id}: ${text.slice(0, 200)}` };
    }
    return { ok: false, status: res.status, error: `HTTP ${res.status}: ${text.slice(0, 200)}` };
  } catch (e) {
    return { ok: false, status: null, error: e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 200) : 'delivery failed' };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// ── Incoming ──────────────────────────────────────────────────────────────

export interface Received {
  receipt: Receipt;
  /** The Danish person the message is about, if known. */
  pnr: string | null;
  /** What receiving it did (the first time). */
  outcome: { waitingItem?: string; answer?: string; found?: boolean };
}

/**
 * Receives one message from a Nordic country's central authority, once per
 * message id. The caller is the CPR office's channel (assertNordicChannel);
 * a caller that is not the CPR office itself speaks for one country, its
 * customer number, and may not send in another's name.
 */
export async function receiveMessage(register: Register, caller: Caller, m: NordicMessage): Promise<Received> {
  assertNordicChannel(caller);
  if (m.to !== DENMARK) throw new RegistrationError('not_nordic_country', `The message is addressed to ${m.to}, not to Denmark (${DENMARK}).`);
  assertOtherNordic(m.from);
  if (caller.customer.kind !== 'cpr_admin' && caller.customer.number !== m.from) {
    throw new RegistrationError('nordic_sender_mismatch', `This customer speaks for ${caller.customer.number ?? 'no country'}, not for ${m.from}.`);
  }
  const first = await previously(register, m);
  if (first) return first;
  try {
    return await atomically(register, async (r, tx) => {
      const { pnr, outcome } = await handle(r, caller, tx, m);
      await tx
        .insertInto('nordic_inbox')
        .values({ country_code: m.from, message_id: m.messageId, kind: m.kind, pnr, received_at: toInstant(r.clock.now()), outcome: JSON.stringify(outcome) })
        .execute();
      return { receipt: { messageId: m.messageId, status: 'accepted' as const }, pnr, outcome };
    });
  } catch (e) {
    // The same message delivered twice at once: the other delivery committed first.
    if (isUniqueViolation(e)) {
      const again = await previously(register, m);
      if (again) return again;
    }
    throw e;
  }
}

async function previously(register: Register, m: NordicMessage): Promise<Received | null> {
  const row = await register.store.db
    .selectFrom('nordic_inbox')
    .selectAll()
    .where('country_code', '=', m.from)
    .where('message_id', '=', m.messageId)
    .executeTakeFirst();
  if (!row) return null;
  return { receipt: { messageId: m.messageId, status: 'duplicate' }, pnr: row.pnr, outcome: JSON.parse(row.outcome) };
}

async function handle(r: Register, caller: Caller, tx: Kysely<DB>, m: NordicMessage): Promise<{ pnr: string | null; outcome: Received['outcome'] }> {
  switch (m.kind) {
    case 'move_in_notice': {
      // §25(1), §26(2), seed 004 III: the person is registered in the country moved to; it waits for the municipality's approval.
      const b = m.body;
      const item = await receiveNotification(r, caller, {
        kind: 'emigration', pnr: b.recipientPnr, countryCode: m.from, moveInDate: b.moveInDate, foreignPnr: b.senderPnr,
        address: { lines: b.address.lines },
      });
      return { pnr: item.pnr, outcome: { waitingItem: item.id } };
    }
    case 'refusal_notice': {
      // Seed 004 III: the country moved to refused the registration; the municipality reads and deletes it.
      const b = m.body;
      const item = await receiveNotification(r, caller, { kind: 'refusal', pnr: b.recipientPnr, countryCode: m.from, ...(b.reason && { reason: b.reason }) });
      return { pnr: item.pnr, outcome: { waitingItem: item.id } };
    }
    case 'standard_information_request': {
      // Seed 004 III: requests about a person in CPR are answered by CPR itself; the municipality is not involved.
      const pnr = normalisePnr(m.body.recipientPnr);
      const view = pnr ? await r.person(pnr) : null;
      const info = view ? standardInformationOf(pnr!, view.state, dateOf(r.clock.now()), await relativesOf(r, view.state)) : null;
      const answer = await enqueueMessage(tx, r.clock, m.from, {
        kind: 'standard_information', inReplyTo: m.messageId, body: info ? { found: true, information: info } : { found: false },
      }, { pnr: view ? pnr : null });
      // `protected` for the quarterly control of lookups of protected persons (AUD-1), as a lookup records it.
      return { pnr: view ? pnr : null, outcome: { answer, found: info !== null, ...(info?.protected && { protected: 1 }) } };
    }
    case 'standard_information': {
      // Seed 004 II: the answer to Denmark's request goes to the requesting municipality's waiting register.
      const request = await tx
        .selectFrom('nordic_outbox')
        .selectAll()
        .where('message_id', '=', m.inReplyTo)
        .where('kind', '=', 'standard_information_request')
        .where('country_code', '=', m.from)
        .executeTakeFirst();
      if (!request || !request.municipality_code) {
        throw new RegistrationError('unknown_nordic_request', `No standard-information request ${m.inReplyTo} was sent to ${m.from}.`);
      }
      const waitingItem = await addWaitingItem(tx, r.clock, {
        kind: 'nordic_standard_information',
        direction: 'incoming',
        municipalityCode: request.municipality_code,
        pnr: request.pnr,
        countryCode: m.from,
        payload: { request: m.inReplyTo, ...m.body },
      });
      return { pnr: request.pnr, outcome: { waitingItem } };
    }
  }
}

/** Art. 4: the standard information about a person in CPR, from the register's current state. */
export function standardInformationOf(
  pnr: string,
  state: PersonState,
  today: CivilDate,
  /** Relatives registered by number (spouse, parents, children): their names and birth dates, read by the caller. */
  relatives: ReadonlyMap<string, Relative> = new Map(),
): StandardInformation | null {
  const name = nameOf(state);
  const birth = single(state, 'birth')?.value as GroupValue<'birth'> | undefined;
  if (!name || !birth) return null;
  const address = addressOf(state);
  const civil = single(state, 'civilStatus');
  const cs = civilStatusOf(state);
  const full = (n: typeof name) => [...n.firstNames, ...n.middleNames, n.lastName].join(' ');
  const relations = listOf(state, 'relation').map((f) => f.value as GroupValue<'relation'>);
  // A relative is registered by number (then named by the register) or, without one, by name and birth date.
  const relative = (x: { pnr?: string; name?: string; birthDate?: string }): Relative | undefined =>
    (x.pnr !== undefined ? relatives.get(x.pnr) : undefined) ?? (x.name ? { name: x.name, ...(x.birthDate && { birthDate: x.birthDate }) } : undefined);
  const named = (x: GroupValue<'relation'>) => {
    const r = relative(x);
    return r ? [r] : [];
  };
  // Art. 4: parents for a child under 18, children under 18.
  const minor = (birthDate: string | undefined) => birthDate !== undefined && ageOn(birthDate, today) < 18;
  const spouse = cs ? relative({ ...(cs.spousePnr && { pnr: cs.spousePnr }), ...(cs.spouseName && { name: cs.spouseName }) }) : undefined;
  const lines = addressLines(address).slice(0, 5).map((l) => l.slice(0, 34));
  return {
    pnr,
    name: full(name).slice(0, 120),
    birthDate: birth.birthDate,
    sex: birth.sex,
    ...(birth.place && { birthPlace: birth.place }),
    ...(lines.length > 0 && { address: { lines } }),
    ...(address && { localAuthority: municipalityName(address.municipalityCode) }),
    citizenships: listOf(state, 'citizenship').map((f) => (f.value as GroupValue<'citizenship'>).countryCode).slice(0, 5),
    ...(cs && civil && { civilStatus: { code: cs.code, date: civil.validFrom } }),
    ...(spouse && { spouse: { name: spouse.name } }),
    parents: minor(birth.birthDate) ? relations.filter((x) => x.role === 'mother' || x.role === 'father').flatMap(named).slice(0, 4) : [],
    children: relations.filter((x) => x.role === 'child' && minor(relative(x)?.birthDate)).flatMap(named).slice(0, 20),
    // §34(2): an authority gets protected names and addresses with the mark.
    ...(effectiveProtections(state, today).some((p) => p.type === '0001') && { protected: true as const }),
  };
}

export interface Relative {
  name: string;
  birthDate?: CivilDate;
}

/** The names and birth dates of the relatives a person's state names by number (spouse, parents, children). */
export async function relativesOf(r: Pick<Register, 'person'>, state: PersonState): Promise<Map<string, Relative>> {
  const cs = civilStatusOf(state);
  const pnrs = [...new Set([...listOf(state, 'relation').map((f) => (f.value as GroupValue<'relation'>).pnr), cs?.spousePnr].filter((p): p is string => !!p))];
  const out = new Map<string, Relative>();
  for (const p of pnrs) {
    const v = await r.person(p);
    const n = v && nameOf(v.state);
    if (!v || !n) continue;
    const birth = single(v.state, 'birth')?.value as GroupValue<'birth'> | undefined;
    out.set(p, { name: [...n.firstNames, ...n.middleNames, n.lastName].join(' ').slice(0, 120), ...(birth && { birthDate: birth.birthDate }) });
  }
  return out;
}

/** The body of a subsequent enquiry (seed 004 II "Efterfølgende forespørgsel"). */
export const subsequentEnquirySchema = z.strictObject({
  /** The Danish person number. */
  pnr: z.string(),
  /** The country of departure. */
  countryCode: z.string().regex(/^\d{4}$/),
  /** The number in the country of departure. */
  foreignPnr: z.string().trim().min(4).max(20),
});
export type SubsequentEnquiry = z.output<typeof subsequentEnquirySchema>;

/**
 * Seed 004 II: the municipality requests the standard information from the
 * country of departure, at the move-in (immigration's `nordic.
 * requestStandardInformation`) or later ("Efterfølgende forespørgsel", with
 * the Danish number, the country and the number there). The answer comes
 * into the municipality's waiting register. Here the later one.
 */
export async function requestStandardInformation(register: Register, caller: Caller, e: SubsequentEnquiry): Promise<{ pnr: string; waitingItem: string; messageId: string }> {
  assertOtherNordic(e.countryCode);
  const pnr = normalisePnr(e.pnr);
  const view = pnr ? await register.person(pnr) : null;
  if (!pnr || !view) throw new RegistrationError('person_not_found', 'The enquiry names a person number that is not in the register.');
  const addr = addressOf(view.state);
  const st = statusOf(view.state);
  if (!addr || (st !== '01' && st !== '03')) throw new RegistrationError('not_resident', 'The person is not registered as resident in a Danish municipality.');
  assertOwnMunicipality(caller, addr.municipalityCode);
  return atomically(register, (r, tx) => enquire(tx, r.clock, { pnr, municipalityCode: addr.municipalityCode, countryCode: e.countryCode, foreignPnr: e.foreignPnr }));
}

/** The request and its outgoing waiting-register item, in the caller's transaction. */
export async function enquire(tx: Kysely<DB>, clock: Clock, e: { pnr: string; municipalityCode: string; countryCode: string; foreignPnr: string }): Promise<{ pnr: string; waitingItem: string; messageId: string }> {
  const waitingItem = await addWaitingItem(tx, clock, {
    kind: 'standard_information_request', direction: 'outgoing', municipalityCode: e.municipalityCode, pnr: e.pnr, countryCode: e.countryCode,
    payload: { foreignPnr: e.foreignPnr },
  });
  const messageId = await enqueueMessage(tx, clock, e.countryCode, { kind: 'standard_information_request', body: { recipientPnr: e.foreignPnr, senderPnr: e.pnr } }, { pnr: e.pnr, municipalityCode: e.municipalityCode, waitingItemId: waitingItem });
  return { pnr: e.pnr, waitingItem, messageId };
}

/** The report of a refusal of entry (seed 004 II "Afslag på indrejse", bekendtgørelsen §11(2)). */
export const entryRefusalSchema = z.strictObject({
  /** The country of departure. */
  countryCode: z.string().regex(/^\d{4}$/),
  /** The number in the country of departure. */
  foreignPnr: z.string().trim().min(4).max(20),
  name: z.string().trim().min(1).max(120),
  birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD'),
  sex: z.enum(['M', 'K']),
  reason: z.string().trim().min(1).max(200).optional(),
});
export type EntryRefusal = z.output<typeof entryRefusalSchema>;

/**
 * Seed 004 II: the municipality refused to register a person moving in from
 * a Nordic country. Its own event: nobody is registered (the person may have
 * no Danish number), an outgoing waiting-register item records it, and CPR
 * tells the country of departure electronically, so the municipality need not.
 */
export async function registerEntryRefusal(register: Register, caller: Caller, e: EntryRefusal): Promise<{ waitingItem: string; messageId: string }> {
  assertOtherNordic(e.countryCode);
  const municipalityCode = clerkMunicipality(caller);
  if (municipalityCode === null) throw new RegistrationError('not_a_municipality', 'A refusal of entry is reported by the municipality that refused it.');
  if (e.birthDate > dateOf(register.clock.now())) throw new RegistrationError('date_in_future', `The birth date ${e.birthDate} is in the future.`);
  return atomically(register, async (r, tx) => {
    const waitingItem = await addWaitingItem(tx, r.clock, {
      kind: 'entry_refusal', direction: 'outgoing', municipalityCode, pnr: null, countryCode: e.countryCode,
      payload: { foreignPnr: e.foreignPnr, name: e.name, birthDate: e.birthDate, sex: e.sex, ...(e.reason && { reason: e.reason }) },
    });
    const messageId = await enqueueMessage(tx, r.clock, e.countryCode, {
      kind: 'refusal_notice', body: { recipientPnr: e.foreignPnr, name: e.name, birthDate: e.birthDate, sex: e.sex, ...(e.reason && { reason: e.reason }) },
    }, { municipalityCode, waitingItemId: waitingItem });
    return { waitingItem, messageId };
  });
}

/**
 * The delivery worker in a server: a run at start (catching up after
 * downtime), then every `everyMs`; what is due is decided by the register's
 * clock (retryDelayMs), so a test drives it by moving the clock.
 */
export class NordicDeliveryJob {
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<DeliveryRun> | undefined;

  constructor(
    readonly register: Register,
    readonly options: DeliveryOptions,
    readonly onError: (e: unknown) => void = () => undefined,
  ) {}

  start(everyMs = 30_000): void {
    if (this.#timer) return;
    void this.runOnce();
    this.#timer = setInterval(() => void this.runOnce(), everyMs);
    this.#timer.unref();
  }

  /** One run; overlapping calls (the timer's, the CPR office's manual run) share the run in progress, so a message is never sent twice at once. */
  run(): Promise<DeliveryRun> {
    this.#running ??= deliverDue(this.register, this.options).finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** The timer's run: a failure is reported, not thrown. */
  runOnce(): Promise<DeliveryRun | undefined> {
    return this.run().catch((e) => {
      this.onError(e);
      return undefined;
    });
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
