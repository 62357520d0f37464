/**
 * Subscriptions to changes of persons (§38(2) nr. 10, §32, Bilag 1 nr. 14)
 * and the event feed over the registration log (REG-6).
 *
 * The feed reads the log in sequence order. A public authority sees every
 * registration that changes a field of its scope, with the person number if
 * its scope holds `pnr`. A private customer (company) sees only the
 * registrations of persons it had an active subscription to at the
 * registration's time, that change a field its legal bases allow, and the
 * person is named by the subscription (id and the customer's reference),
 * never by the number (PNR-5). An item lists the names of the changed fields,
 * not their values: the values come from a lookup, cut and audited as usual.
 *
 * Each page scans a bounded window of the log (at most WINDOW registrations
 * after the cursor), so a company with few subscriptions over a long log
 * costs a bounded amount per request; `next` is the end of what was scanned,
 * so a client always advances, also past items it may not see. A page reads
 * no further than the log cursor's horizon (register/log-cursor.ts), so it
 * never steps past a registration still in flight.
 *
 * Every page that shows an item is audited (`events.read`, naming the
 * persons) before it is returned (AUD-3).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { ProblemCode } from '../api/problems.ts';
import type { Caller } from '../access/customers.ts';
import { FIELD_NAMES, allowedFields, isPrivateKind, resolveGrant, type FieldName, type Grant } from '../domain/disclosure/policy.ts';
import { changedFieldsShown } from '../domain/disclosure/identification.ts';
import { changedFields, SUBSCRIPTION_BASES_PRIVATE } from '../domain/disclosure/services.ts';
import { effectiveProtections } from '../domain/disclosure/project.ts';
import { dateOf } from '../domain/dates.ts';
import type { FactChange } from '../register/bitemporal.ts';
import { LogCursor } from '../register/log-cursor.ts';
import { isUniqueViolation } from '../register/register.ts';
import type { SubscriptionTable } from '../storage/tables/feed.ts';
import { grantOf, type PersonReads, type Readers } from './reader.ts';

// ─── Errors ────────────────────────────────────────────────────────────────

export type FeedErrorCode = Extract<ProblemCode, 'no_legal_basis' | 'person_not_found' | 'not_found' | 'conflict' | 'bad_request'>;

export class FeedError extends Error {
  constructor(
    readonly code: FeedErrorCode,
    message: string,
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'FeedError';
  }
}

// ─── What a registration changes ──────────────────────────────────────────

// (Which fields a registration changes: domain/disclosure/services.ts.)

// ─── Who may subscribe and read the feed ──────────────────────────────────

interface FeedRight {
  private: boolean;
  /** The fields the caller may be told changed. */
  fields: Set<FieldName>;
  /** The bases used (for the audit record). */
  bases: string[];
  /** Whether the person number may be shown. */
  showPnr: boolean;
  grant: Grant;
}

/**
 * The caller's right to subscriptions and the feed: a private customer needs
 * a §38 basis (§38(2) nr. 10); a public authority any usable basis (§32, Bilag
 * 1 nr. 14) with a scope. Fields are `allowedFields(grantOf(caller))`.
 */
export function feedRightOf(caller: Caller): FeedRight {
  const grant = grantOf(caller);
  const priv = isPrivateKind(caller.customer.kind);
  const accepted = resolveGrant(grant, grant.ownPnr ?? '').accepted.map((b) => b.id);
  const bases = priv ? accepted.filter((b) => SUBSCRIPTION_BASES_PRIVATE.has(b)) : accepted;
  const fields = allowedFields(grant);
  if (bases.length === 0 || fields.size === 0) {
    throw new FeedError(
      'no_legal_basis',
      priv
        ? 'Changes of persons go to private customers under §38(2) nr. 10 (§38(1)-(4)); the customer holds no such basis.'
        : 'The customer has no legal basis with a data scope for changes of persons.',
    );
  }
  fields.delete('history');
  return { private: priv, fields, bases, showPnr: !priv && fields.has('pnr'), grant };
}

// ─── Subscriptions ────────────────────────────────────────────────────────

export interface Subscription {
  id: string;
  customerId: string;
  pnr: string;
  reference: string;
  createdAt: string;
  endedAt: string | null;
}

export type SubscriptionState = 'active' | 'ended' | 'all';

export interface SubscriptionPage {
  items: Subscription[];
  /** Pass as `cursor` for the next page; null when this is the last. */
  next: string | null;
  hasMore: boolean;
}

/** A person number anywhere in a text (DDMMYYSSSS or DDMMYY-SSSS): never in a private customer's reference (PNR-5). */
const PNR_LIKE = /(?<!\d)\d{6}-?\d{4}(?!\d)/;

const newSubscriptionId = () => `sub_${randomBytes(8).toString('hex')}`;

function toSubscription(r: SubscriptionTable): Subscription {
  return { id: r.id, customerId: r.customer_id, pnr: r.pnr, reference: r.reference, createdAt: r.created_at, endedAt: r.ended_at };
}

export class SubscriptionService {
  constructor(private readonly readers: Readers) {}

  /** The subscriptions' own table; whether a number exists is read inside the caller's reader. */
  get #db() {
    return this.readers.store.db;
  }

  /**
   * Subscribes the caller's customer to the changes of one person. An active
   * subscription to the same person is returned as it is (`created: false`),
   * unless another reference is asked for (conflict). Audited
   * (`subscription.create`), also when the person is not in the register.
   */
  async create(caller: Caller, input: { pnr: string; reference?: string }, requestId?: string): Promise<{ subscription: Subscription; created: boolean }> {
    const right = feedRightOf(caller);
    const reference = input.reference?.trim();
    if (reference !== undefined && right.private && PNR_LIKE.test(reference)) {
      throw new FeedError('bad_request', 'A reference must not hold a person number: it identifies the person in answers to a private customer (PNR-5).');
    }
    const { known, result } = await this.readers.for(caller).answer(
      'subscription.create',
      async (reads) => {
        const known = (await reads.store.db.selectFrom('person_number').select('pnr').where('pnr', '=', input.pnr).executeTakeFirst()) !== undefined;
        // §28, PNR-5: a private customer is not told whether a number exists: an unknown one gets a dormant
        // subscription, answered exactly as any other (a right of numbers may be told).
        if (!known && !right.private) return { known, result: null };
        return { known, result: await this.#createOrGet(caller, input.pnr, reference, !known) };
      },
      ({ known, result }) => ({
        subjects: [input.pnr],
        references: [input.pnr, ...(result ? [result.subscription.id] : [])],
        legalBasis: right.bases.join(' '),
        fields: [],
        requestId,
        detail: { found: known, ...(result && { subscription: result.subscription.id }) },
      }),
    );
    if (!result) throw new FeedError('person_not_found', 'No person with that number is in the register.');
    return result;
  }

  async #createOrGet(caller: Caller, pnr: string, reference: string | undefined, dormant: boolean): Promise<{ subscription: Subscription; created: boolean }> {
    const customerId = caller.customer.id;
    for (let attempt = 0; ; attempt++) {
      const active = await this.#db
        .selectFrom('subscription')
        .selectAll()
        .where('customer_id', '=', customerId)
        .where('pnr', '=', pnr)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      if (active) {
        if (reference !== undefined && reference !== active.reference) {
          throw new FeedError('conflict', 'The customer already subscribes to this person under another reference; end that subscription first.', {
            subscription: active.id,
          });
        }
        return { subscription: toSubscription(active), created: false };
      }
      if (reference !== undefined) {
        const taken = await this.#db
          .selectFrom('subscription')
          .select('id')
          .where('customer_id', '=', customerId)
          .where('reference', '=', reference)
          .where('ended_at', 'is', null)
          .executeTakeFirst();
        if (taken) throw new FeedError('conflict', 'The reference already names another active subscription of the customer.', { subscription: taken.id });
      }
      const id = newSubscriptionId();
      const row: SubscriptionTable = {
        id,
        customer_id: customerId,
        pnr,
        reference: reference ?? id,
        created_at: this.readers.clock.now().toISOString(),
        created_by: caller.principal.id,
        ended_at: null,
        ended_by: null,
      };
      try {
        await this.#db.insertInto('subscription').values({ ...row, dormant: dormant ? 1 : 0 }).execute();
        return { subscription: toSubscription(row), created: true };
      } catch (e) {
        // A concurrent request created it (or took the reference): read again once.
        if (!isUniqueViolation(e) || attempt > 0) throw e;
      }
    }
  }

  /** The customer's subscriptions in creation order; active, ended or all. */
  async list(caller: Caller, opts: { state?: SubscriptionState; limit?: number; cursor?: string } = {}): Promise<SubscriptionPage> {
    const limit = opts.limit ?? 100;
    let q = this.#db.selectFrom('subscription').selectAll().where('customer_id', '=', caller.customer.id);
    if (opts.state === 'active') q = q.where('ended_at', 'is', null);
    if (opts.state === 'ended') q = q.where('ended_at', 'is not', null);
    if (opts.cursor !== undefined) {
      const c = decodeCursor(opts.cursor);
      q = q.where((eb) => eb.or([eb('created_at', '>', c.at), eb.and([eb('created_at', '=', c.at), eb('id', '>', c.id)])]));
    }
    const rows = await q.orderBy('created_at').orderBy('id').limit(limit + 1).execute();
    const items = rows.slice(0, limit).map(toSubscription);
    const last = items[items.length - 1];
    const hasMore = rows.length > limit;
    return { items, next: hasMore && last ? encodeCursor(last) : null, hasMore };
  }

  /** One of the customer's own subscriptions; another customer's is not found. */
  async get(caller: Caller, id: string): Promise<Subscription> {
    const row = await this.#db.selectFrom('subscription').selectAll().where('id', '=', id).where('customer_id', '=', caller.customer.id).executeTakeFirst();
    if (!row) throw new FeedError('not_found', `The customer has no subscription ${id}.`);
    return toSubscription(row);
  }

  /** Ends a subscription now (a soft end: it stays for the feed's history and for billing). Ending an ended one changes nothing. */
  async end(caller: Caller, id: string, requestId?: string): Promise<Subscription> {
    const s = await this.get(caller, id);
    if (s.endedAt !== null) return s;
    const endedAt = this.readers.clock.now().toISOString();
    const r = await this.#db
      .updateTable('subscription')
      .set({ ended_at: endedAt, ended_by: caller.principal.id })
      .where('id', '=', id)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    const ended = Number(r.numUpdatedRows) > 0 ? { ...s, endedAt } : await this.get(caller, id);
    await this.readers.record(caller, 'subscription.end', { subjects: [s.pnr], references: [id], fields: [], requestId, detail: { subscription: id } });
    return ended;
  }

  /** Audits a list that shows person numbers (a public authority's), before it is returned. */
  async recordList(caller: Caller, page: SubscriptionPage, requestId?: string): Promise<void> {
    if (page.items.length === 0) return;
    await this.readers.record(caller, 'subscriptions.list', {
      subjects: page.items.map((s) => s.pnr),
      references: page.items.map((s) => s.id),
      fields: ['pnr'],
      requestId,
    });
  }
}

function encodeCursor(s: Subscription): string {
  return Buffer.from(JSON.stringify([s.createdAt, s.id])).toString('base64url');
}

function decodeCursor(c: string): { at: string; id: string } {
  try {
    const v: unknown = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string') return { at: v[0], id: v[1] };
  } catch {
    // fall through
  }
  throw new FeedError('bad_request', 'The cursor is not one this list gave.');
}

// ─── The feed ─────────────────────────────────────────────────────────────

/** At most this many registrations of the log are scanned per page. */
export const WINDOW = 10_000;
export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 100;
/** Below this many subscriptions (ended ones included) a company's page reads the log per subscribed person. */
const FEW_SUBSCRIPTIONS = 1000;
/** How long a page waits for registrations in flight before it stops short of a gap (PostgreSQL). */
const GAP_WAIT_MS = 250;

export interface FeedItem {
  seq: number;
  eventCode: string;
  registeredAt: string;
  /** The person's number: public authorities whose scope holds `pnr`. */
  pnr?: string;
  /** The subscription that names the person: private customers. */
  subscription?: { id: string; reference: string };
  /** The catalogue fields the registration changed (or, for an annulment, the annulled one had changed), cut to the caller's bases and scope. */
  fields: FieldName[];
  /** An annulment (REG-3): the seq of the registration it annuls. */
  annuls?: number;
}

export interface FeedPage {
  items: FeedItem[];
  /** Pass as `after` for the next page: the last registration this page scanned (not only the last shown). */
  next: number;
  /** Whether the log holds registrations after `next` (now). */
  hasMore: boolean;
}

interface LogRow {
  seq: number | string;
  pnr: string;
  registered_at: string;
  event_code: string;
  annuls: number | string | null;
  changes: string;
  sub_id?: string;
  reference?: string;
}

export class FeedService {
  readonly #log: LogCursor;

  constructor(private readonly readers: Readers) {
    this.#log = new LogCursor(readers.store, { waitMs: GAP_WAIT_MS });
  }

  /** One page of the feed after `after`, cut to the caller, audited when it shows anyone. */
  async page(caller: Caller, opts: { after: number; limit?: number; requestId?: string }): Promise<FeedPage> {
    const right = feedRightOf(caller);
    const limit = Math.min(Math.max(opts.limit ?? DEFAULT_LIMIT, 1), MAX_LIMIT);
    const after = opts.after;
    // The log's registrations are read inside the caller's reader, and a page that shows anyone is recorded first.
    const { page } = await this.readers.for(caller).answer(
      'events.read',
      async (reads) => {
        const { items, next, pnrs } = await this.#scan(reads, caller, right, after, limit);
        return { page: { items, next, hasMore: await this.#existsAfter(reads, next) } as FeedPage, pnrs };
      },
      ({ page: { items, next }, pnrs }) =>
        items.length === 0
          ? null
          : {
              subjects: pnrs,
              // A private customer's log names the subscriptions the page showed, not the persons (PNR-5).
              references: items.flatMap((i) => (i.subscription ? [i.subscription.id] : [])),
              legalBasis: right.bases.join(' '),
              fields: FIELD_NAMES.filter((f) => items.some((i) => i.fields.includes(f) || (f === 'pnr' && i.pnr !== undefined))),
              requestId: opts.requestId,
              detail: { after, next, items: items.length, first: items[0]!.seq, last: items[items.length - 1]!.seq },
            },
    );
    return page;
  }

  async #scan(reads: PersonReads, caller: Caller, right: FeedRight, after: number, limit: number): Promise<{ items: FeedItem[]; next: number; pnrs: string[] }> {
    // Never past a registration still in flight (register/log-cursor.ts).
    const { end } = await this.#log.horizon(after, WINDOW);
    if (end <= after) return { items: [], next: after, pnrs: [] };

    const viaSubscriptions = right.private;
    const perPerson = viaSubscriptions && (await this.#subscriptionCount(reads, caller.customer.id)) < FEW_SUBSCRIPTIONS;
    const chunk = Math.min(MAX_LIMIT, limit * 2 + 50);
    const items: FeedItem[] = [];
    const pnrs: string[] = [];
    // §28: whether the person was protected when the registration applied, or is now (private readers only).
    const protectedAround = async (r: LogRow): Promise<boolean> => {
      const at = [reads.person(r.pnr), reads.person(r.pnr, { validAt: dateOf(r.registered_at), knownAt: r.registered_at })];
      const views = await Promise.all(at);
      return views.some((v) => v !== null && effectiveProtections(v.state, v.validAt).some((p) => p.type === '0001'));
    };
    let cursor = after;
    for (;;) {
      const rows = viaSubscriptions
        ? await this.#subscribedRows(reads, caller.customer.id, cursor, end, chunk, perPerson)
        : await this.#logRows(reads, cursor, end, chunk);
      const annulled = await this.#annulledChanges(reads, rows);
      let lastSeq = cursor;
      for (const r of rows) {
        const seq = Number(r.seq);
        if (seq <= lastSeq) continue; // one item per registration, even if subscriptions overlapped
        lastSeq = seq;
        const annuls = r.annuls === null ? null : Number(r.annuls);
        const changes = annuls === null ? (JSON.parse(r.changes) as FactChange[]) : (annulled.get(annuls) ?? []);
        const allowed = changedFields(changes).filter((f) => right.fields.has(f));
        const fields = right.private ? changedFieldsShown(allowed, right.grant, await protectedAround(r)) : allowed;
        if (fields.length === 0) continue;
        items.push({
          seq,
          eventCode: r.event_code,
          registeredAt: r.registered_at,
          ...(right.showPnr && { pnr: r.pnr }),
          ...(viaSubscriptions && { subscription: { id: r.sub_id!, reference: r.reference! } }),
          fields,
          ...(annuls !== null && { annuls }),
        });
        pnrs.push(r.pnr);
        if (items.length === limit) return { items, next: seq, pnrs };
      }
      if (rows.length < chunk) return { items, next: end, pnrs };
      cursor = lastSeq;
    }
  }

  async #existsAfter(reads: PersonReads, seq: number): Promise<boolean> {
    const r = await reads.store.db.selectFrom('registration').select('seq').where('seq', '>', seq).orderBy('seq').limit(1).executeTakeFirst();
    return r !== undefined;
  }

  async #subscriptionCount(reads: PersonReads, customerId: string): Promise<number> {
    const r = await sql<{ n: number | string }>`
      select count(*) as n from (select 1 from subscription where customer_id = ${customerId} limit ${FEW_SUBSCRIPTIONS}) s`.execute(reads.store.db);
    return Number(r.rows[0]?.n ?? 0);
  }

  async #logRows(reads: PersonReads, after: number, end: number, limit: number): Promise<LogRow[]> {
    const r = await sql<LogRow>`
      select seq, pnr, registered_at, event_code, annuls, changes from registration
      where seq > ${after} and seq <= ${end} order by seq limit ${limit}`.execute(reads.store.db);
    return r.rows;
  }

  /**
   * The registrations in (after, end] of persons the customer subscribed to
   * at the registration's time. With few subscriptions the log is read per
   * subscribed person (index on pnr, seq); with many, the window is read once
   * and each registration looks up its subscription (index on customer, pnr).
   * On SQLite a CROSS JOIN fixes that order; PostgreSQL plans it itself.
   */
  async #subscribedRows(reads: PersonReads, customerId: string, after: number, end: number, limit: number, perPerson: boolean): Promise<LogRow[]> {
    const from = perPerson ? sql`subscription s cross join registration r` : sql`registration r cross join subscription s`;
    const r = await sql<LogRow>`
      select r.seq, r.pnr, r.registered_at, r.event_code, r.annuls, r.changes, s.id as sub_id, s.reference
      from ${from}
      where s.customer_id = ${customerId} and r.pnr = s.pnr and s.dormant = 0
        and r.seq > ${after} and r.seq <= ${end}
        and s.created_at <= r.registered_at and (s.ended_at is null or s.ended_at > r.registered_at)
      order by r.seq limit ${limit}`.execute(reads.store.db);
    return r.rows;
  }

  /** The changes of the registrations the annulments among `rows` annul. */
  async #annulledChanges(reads: PersonReads, rows: LogRow[]): Promise<Map<number, FactChange[]>> {
    const seqs = [...new Set(rows.filter((r) => r.annuls !== null).map((r) => Number(r.annuls)))];
    const out = new Map<number, FactChange[]>();
    if (seqs.length === 0) return out;
    const found = await reads.store.db.selectFrom('registration').select(['seq', 'changes']).where('seq', 'in', seqs).execute();
    for (const f of found) out.set(Number(f.seq), JSON.parse(f.changes) as FactChange[]);
    return out;
  }
}

export { changedFields, SUBSCRIPTION_BASES_PRIVATE };
