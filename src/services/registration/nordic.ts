/**
 * Inter-Nordic moves and the waiting register (NOR-1, NOR-2, seed 004, §20(2)-(3),
 * §25, §26(2), §23(2), §27(2): the Faroes count as a Nordic country).
 *
 * - A reported move to a Nordic country is a `pending_departure` item: the
 *   person stays registered (§25(2)).
 * - That country's notification (`receiveNotification`, an API call from the
 *   CPR office, which receives it from the country's central authority) lands
 *   in the municipality's waiting register as a `nordic_emigration` item.
 * - The municipality's approval registers the person as emigrated with the
 *   other country's registered move-in date as departure date (§26(2), seed
 *   004 III: "Kommunen skal med sin godkendelse i venteregistret registrere
 *   den pågældende som udrejst").
 * - A refusal from the other country is a `nordic_refusal` item to read.
 * - Incoming items are deleted automatically 14 days after receipt, with a
 *   notice 3 days before (NOR-2) — `sweepWaitingRegister`, run by the job.
 * - A move-in from a Nordic country leaves an outgoing `move_in_notice`
 *   (§20(3); written by the immigration in the same transaction).
 */
import { DENMARK } from '../../domain/nordic/exchange.ts';
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Caller } from '../../access/customers.ts';
import type { Clock } from '../../domain/clock.ts';
import { NORDIC_COUNTRY_CODES } from '../../domain/codes/index.ts';
import { addDays, dateOf, toInstant, type CivilDate } from '../../domain/dates.ts';
import { postalLinesSchema } from '../../domain/person/facts.ts';
import { emigrationChanges, waitingDeadlines } from '../../domain/registration/emigration.ts';
import { addressOf, notInFuture, single, statusOf } from '../../domain/registration/vital-common.ts';
import { normalisePnr } from '../../domain/pnr/pnr.ts';
import type { Register } from '../../register/register.ts';
import { RegistrationError } from '../../register/validate.ts';
import type { DB } from '../../storage/schema.ts';
import type { WaitingItemTable } from '../../storage/tables/waiting.ts';
import { assertOwnMunicipality, clerkMunicipality } from './clerk.ts';
import { atomically } from './vital-atomic.ts';
import { authorityOf } from './vital-authority.ts';

export interface WaitingItem {
  id: string;
  kind: string;
  direction: 'pending' | 'incoming' | 'outgoing';
  municipalityCode: string;
  pnr: string | null;
  countryCode: string;
  payload: Record<string, unknown>;
  receivedAt: string;
  deletesOn: CivilDate | null;
  /** NOR-2: the item will be deleted within 3 days. */
  deletionNotice: boolean;
  resolution: string | null;
  resolvedAt: string | null;
  registrationSeq: number | null;
}

export async function addWaitingItem(
  db: Kysely<DB>,
  clock: Clock,
  item: { kind: string; direction: WaitingItemTable['direction']; municipalityCode: string; pnr: string | null; countryCode: string; payload: Record<string, unknown>; registrationSeq?: number | null },
): Promise<string> {
  const id = `wait_${randomBytes(8).toString('hex')}`;
  const now = clock.now();
  await db
    .insertInto('waiting_item')
    .values({
      id,
      kind: item.kind,
      direction: item.direction,
      municipality_code: item.municipalityCode,
      pnr: item.pnr,
      country_code: item.countryCode,
      payload: JSON.stringify(item.payload),
      received_at: toInstant(now),
      deletes_on: item.direction === 'incoming' ? waitingDeadlines(dateOf(now)).deletesOn : null,
      notice_at: null,
      resolution: null,
      resolved_at: null,
      resolved_by: null,
      registration_seq: item.registrationSeq ?? null,
    })
    .execute();
  return id;
}

function toItem(r: WaitingItemTable): WaitingItem {
  return {
    id: r.id,
    kind: r.kind,
    direction: r.direction,
    municipalityCode: r.municipality_code,
    pnr: r.pnr,
    countryCode: r.country_code,
    payload: JSON.parse(r.payload),
    receivedAt: r.received_at,
    deletesOn: r.deletes_on,
    deletionNotice: r.notice_at !== null,
    resolution: r.resolution,
    resolvedAt: r.resolved_at,
    registrationSeq: r.registration_seq === null ? null : Number(r.registration_seq),
  };
}

/** The open items of the caller's municipality (all municipalities for the CPR administration). */
export async function listWaitingItems(register: Register, caller: Caller, filter: { direction?: WaitingItem['direction'] } = {}): Promise<WaitingItem[]> {
  const own = clerkMunicipality(caller);
  let q = register.store.db.selectFrom('waiting_item').selectAll().where('resolution', 'is', null);
  if (own !== null) q = q.where('municipality_code', '=', own);
  if (filter.direction) q = q.where('direction', '=', filter.direction);
  return (await q.orderBy('received_at').orderBy('id').execute()).map(toItem);
}

export async function waitingItem(register: Register, caller: Caller, id: string): Promise<WaitingItem> {
  const row = await register.store.db.selectFrom('waiting_item').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new RegistrationError('unknown_waiting_item', `No waiting-register item ${id}.`);
  assertOwnMunicipality(caller, row.municipality_code);
  return toItem(row);
}

/** A Nordic country's notification about a person registered in CPR (seed 004 III). */
export const nordicNotificationSchema = z.strictObject({
  kind: z.enum(['emigration', 'refusal']),
  /** The Danish person number. */
  pnr: z.string(),
  /** The notifying country (a Nordic country or the Faroes). */
  countryCode: z.string().regex(/^\d{4}$/),
  /** emigration: the move-in date the country registered (§26(2)). */
  moveInDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  /** The person number there. */
  foreignPnr: z.string().trim().min(4).max(20).optional(),
  /** The address there (becomes the foreign address). */
  address: postalLinesSchema.optional(),
  /** refusal: the reason given. */
  reason: z.string().trim().min(1).max(200).optional(),
});
export type NordicNotification = z.output<typeof nordicNotificationSchema>;

/**
 * Who delivers a Nordic notification: the CPR office (the CPR administration),
 * which receives them from the other countries' central authorities, or a
 * program of a customer with the legal basis `§25` acting for it.
 */
export function assertNordicChannel(caller: Caller): void {
  if (caller.customer.kind === 'cpr_admin' || caller.customer.legalBases.includes('§25')) return;
  throw new RegistrationError('not_nordic_channel', 'Nordic notifications come through the CPR office (customer kind cpr_admin or legal basis "§25").');
}

/** §23(2), §27(2): another Nordic country or the Faroes (not Denmark itself). */
export function assertOtherNordic(countryCode: string): void {
  if (!NORDIC_COUNTRY_CODES.has(countryCode) || countryCode === DENMARK) {
    throw new RegistrationError('not_nordic_country', `${countryCode} is not another Nordic country or the Faroes (§23(2), §27(2)).`);
  }
}

export async function receiveNotification(register: Register, caller: Caller, n: NordicNotification): Promise<WaitingItem> {
  assertNordicChannel(caller);
  assertOtherNordic(n.countryCode);
  const pnr = normalisePnr(n.pnr);
  const view = pnr ? await register.person(pnr) : null;
  if (!pnr || !view) throw new RegistrationError('person_not_found', 'The notification names a person number that is not in the register.');
  const addr = addressOf(view.state);
  const st = statusOf(view.state);
  if (!addr || (st !== '01' && st !== '03')) throw new RegistrationError('not_resident', 'The person is not registered as resident in a Danish municipality.');
  if (n.kind === 'emigration') {
    if (!n.moveInDate) throw new RegistrationError('invalid_date', '§26(2): an emigration notification carries the move-in date registered in the other country.');
    notInFuture(n.moveInDate, dateOf(register.clock.now()), 'The move-in date');
  }
  const id = await addWaitingItem(register.store.db, register.clock, {
    kind: n.kind === 'emigration' ? 'nordic_emigration' : 'nordic_refusal',
    direction: 'incoming',
    municipalityCode: addr.municipalityCode,
    pnr,
    countryCode: n.countryCode,
    payload: { moveInDate: n.moveInDate, foreignPnr: n.foreignPnr, address: n.address, reason: n.reason },
  });
  // The CPR office delivers for every municipality: read the new item without the municipality check.
  return toItem(await register.store.db.selectFrom('waiting_item').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
}

/**
 * §25(1)-(2), §26(2): the municipality approves the other country's
 * notification; the person is registered as emigrated (A06) from the date the
 * other country registered as move-in date. Pending departure reports of the
 * person are closed in the same transaction.
 */
export async function approveNordicEmigration(register: Register, caller: Caller, id: string): Promise<{ item: WaitingItem; seq: number; pnr: string; departureDate: CivilDate }> {
  const item = await waitingItem(register, caller, id);
  if (item.kind !== 'nordic_emigration') throw new RegistrationError('not_approvable', `A ${item.kind} item is read and deleted, not approved.`);
  if (item.resolution !== null) throw new RegistrationError('already_resolved', `The item was ${item.resolution} on ${item.resolvedAt}.`);
  const pnr = item.pnr!;
  const view = await register.person(pnr);
  if (!view) throw new RegistrationError('person_not_found', 'The person is no longer in the register.');
  const addr = addressOf(view.state);
  const st = statusOf(view.state);
  if (!addr || (st !== '01' && st !== '03')) throw new RegistrationError('not_resident', 'The person is no longer registered as resident in Denmark.');
  assertOwnMunicipality(caller, addr.municipalityCode);
  const departureDate = item.payload.moveInDate as CivilDate;
  const from = single(view.state, 'address')!.validFrom;
  if (departureDate < from) {
    throw new RegistrationError('invalid_date', `The other country's move-in date ${departureDate} is before the person moved to the current address (${from}); correct the Danish address history first.`);
  }
  const address = item.payload.address as { lines: string[] } | undefined;
  const now = toInstant(register.clock.now());
  return atomically(register, async (r, tx) => {
    const reg = await r.register({
      pnr,
      authority: authorityOf(caller),
      eventCode: 'A06',
      documentation: `§25(2), §26(2): registered in ${item.countryCode}${item.payload.foreignPnr ? ` as ${String(item.payload.foreignPnr)}` : ''} from ${departureDate}`,
      changes: emigrationChanges(departureDate, item.countryCode, address),
    });
    const done = await tx
      .updateTable('waiting_item')
      .set({ resolution: 'approved', resolved_at: now, resolved_by: caller.principal.id, registration_seq: reg.seq })
      .where('id', '=', id)
      .where('resolution', 'is', null)
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) throw new RegistrationError('already_resolved', 'The item was resolved meanwhile.');
    await tx
      .updateTable('waiting_item')
      .set({ resolution: 'superseded', resolved_at: now, resolved_by: caller.principal.id, registration_seq: reg.seq })
      .where('pnr', '=', pnr)
      .where('kind', '=', 'pending_departure')
      .where('resolution', 'is', null)
      .execute();
    return { item: { ...item, resolution: 'approved', resolvedAt: now, registrationSeq: reg.seq }, seq: reg.seq, pnr, departureDate };
  });
}

/** The municipality is done with an item (a refusal read, a pending report withdrawn, §12(6) via §26(5)). */
export async function closeWaitingItem(register: Register, caller: Caller, id: string): Promise<WaitingItem> {
  const item = await waitingItem(register, caller, id);
  if (item.resolution !== null) throw new RegistrationError('already_resolved', `The item was ${item.resolution} on ${item.resolvedAt}.`);
  if (item.direction === 'outgoing') throw new RegistrationError('not_closable', 'Outgoing notices are sent by the CPR office.');
  const resolution = item.kind === 'pending_departure' ? 'withdrawn' : 'deleted';
  const now = toInstant(register.clock.now());
  await register.store.db
    .updateTable('waiting_item')
    .set({ resolution, resolved_at: now, resolved_by: caller.principal.id })
    .where('id', '=', id)
    .where('resolution', 'is', null)
    .execute();
  return { ...item, resolution, resolvedAt: now };
}

/**
 * NOR-2: incoming items are deleted 14 days after receipt; 3 days before, the
 * municipality gets a notice (the item is flagged). Idempotent; a run after
 * downtime does everything that came due meanwhile.
 */
export async function sweepWaitingRegister(register: Register): Promise<{ noticed: number; deleted: number }> {
  const today = dateOf(register.clock.now());
  const now = toInstant(register.clock.now());
  const db = register.store.db;
  const deleted = await db
    .updateTable('waiting_item')
    .set({ resolution: 'deleted', resolved_at: now, resolved_by: 'system:waiting-register' })
    .where('direction', '=', 'incoming')
    .where('resolution', 'is', null)
    .where('deletes_on', '<=', today)
    .executeTakeFirst();
  // The notice is due 3 days before deletion: deletes_on - 3 <= today, i.e. deletes_on <= today + 3.
  const noticed = await db
    .updateTable('waiting_item')
    .set({ notice_at: now })
    .where('direction', '=', 'incoming')
    .where('resolution', 'is', null)
    .where('notice_at', 'is', null)
    .where('deletes_on', '<=', addDays(today, 3))
    .executeTakeFirst();
  return { noticed: Number(noticed.numUpdatedRows), deleted: Number(deleted.numUpdatedRows) };
}
