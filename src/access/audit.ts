/**
 * The audit log (AUD-3, AUD-4, §46): who looked up which persons or
 * addresses, when, how and on which legal basis. A record is committed
 * before the answer leaves; if it cannot be written, the answer is not given
 * (fail closed).
 *
 * Group commit. `record` queues the entry and resolves only when the
 * transaction holding it has committed. The entries of one event-loop turn
 * (and everything that arrives while a commit is in flight) are written in one
 * transaction; all their promises resolve after the commit, or all reject if
 * it fails. One AuditLog has at most one transaction in flight.
 *
 * The hash chain. Each record has an id (the previous id + 1, given by the
 * writer, so ids have no gaps), and `hash` = SHA-256 over a canonical JSON
 * array of its content and `prev_hash`, the previous record's hash (64 zeros
 * for record 1). Ids and hashes are computed inside the writing transaction,
 * after taking the writer's lock and reading the last record:
 * - SQLite: `BEGIN IMMEDIATE` takes the database's write lock before the last
 *   record is read (several connections or processes queue on busy_timeout);
 * - PostgreSQL: `LOCK TABLE audit IN SHARE ROW EXCLUSIVE MODE` (conflicts with
 *   itself and with any INSERT, not with readers), then the last record is
 *   read in a fresh READ COMMITTED snapshot. Any number of processes and
 *   pools can write; the chain stays linear. The primary key on `id` would
 *   refuse a fork even without the lock.
 *
 * Do not await `record`/`audited` inside a store transaction on SQLite: the
 * store has one writer connection, and the audit write waits for it.
 */
import { hash as digest } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../domain/clock.ts';
import { addDays } from '../domain/dates.ts';
import type { AuditTable, DB } from '../storage/schema.ts';
import type { Store } from '../storage/store.ts';

export type ActorKind = 'user' | 'program';

export interface AuditEntry {
  /** The user or system program, e.g. `cli:alice`, a principal id. */
  actor: string;
  /** User (employee) or system program (AUD-1); default 'user'. */
  actorKind?: ActorKind;
  /** The customer the actor acts for; null for the register's own staff and tools. */
  customer?: string | null;
  /** Transaction type, e.g. `person.lookup`, `address.residents`. */
  action: string;
  /** Person numbers or address ids the lookup concerned. */
  subjects: string[];
  /** The legal basis the disclosure used, e.g. `§38(1)`. */
  legalBasis?: string | null;
  /** The fields (or field groups) disclosed. */
  fields?: string[] | null;
  /** The request's id, to tie the record to the API request and its logs. */
  requestId?: string | null;
  detail?: Record<string, unknown>;
}

export interface AuditRecord {
  id: number;
  at: string;
  customer: string | null;
  actor: string;
  actorKind: ActorKind;
  /** Transaction type. */
  action: string;
  subjects: string[];
  legalBasis: string | null;
  fields: string[] | null;
  requestId: string | null;
  detail?: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AuditSearch {
  actor?: string;
  /** Only records concerning this person number (or address id). */
  pnr?: string;
  /** Only records whose caller sent this reference (`detail.references`, see access/audit-entry.ts). */
  reference?: string;
  /** Transaction type. */
  type?: string;
  /** From (inclusive): `YYYY-MM`, `YYYY-MM-DD` or an ISO instant. */
  from?: string;
  /** To (inclusive): `YYYY-MM` (the whole month), `YYYY-MM-DD` (the whole day) or an ISO instant. */
  to?: string;
  /** At most this many (default 100, at most 1000). */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface AuditPage {
  /** In time order (then id). */
  records: AuditRecord[];
  /** Present when there are more records: pass it as `cursor`. */
  nextCursor?: string;
}

export interface AuditStatistic {
  /** `YYYY-MM` (UTC). */
  month: string;
  actor: string;
  /** Transaction type. */
  type: string;
  count: number;
  /** Persons disclosed with name-and-address protection (§28) in these records: the quarterly control's "unusual activity" (AUD-1). */
  protectedPersons: number;
}

export interface SubjectLookup {
  id: number;
  at: string;
  /** Null: the register's own staff or tools. */
  customer: string | null;
  /** Transaction type. */
  action: string;
  legalBasis: string | null;
}

export interface VerifyResult {
  ok: boolean;
  /** Records found intact (before the first bad one). */
  checked: number;
  firstBad?: { id: number; reason: string };
}

export interface AuditLogOptions {
  /** Wait this long for more entries before writing (default 0: the end of the event-loop turn). */
  maxDelayMs?: number;
  /** At most this many records per transaction (default 1000). */
  maxBatch?: number;
}

export class AuditError extends Error {
  constructor(
    readonly code: 'bad_entry' | 'bad_filter' | 'write_failed',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AuditError';
  }
}

/** `prev_hash` of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

type Row = AuditTable;
type NewRow = Omit<Row, 'id' | 'prev_hash' | 'hash'>;
interface Pending {
  row: NewRow;
  /** The distinct subjects, for the index. */
  subjects: string[];
  resolve(): void;
  reject(e: unknown): void;
}

const PAGE = 1000;
const IN_CHUNK = 500;
const ACTOR_KINDS: readonly string[] = ['user', 'program'];

/** The canonical serialisation a record's hash is computed over (version 1). */
export function canonicalForm(r: Omit<Row, 'hash'>): string {
  return JSON.stringify([
    'opencpr.audit.v1',
    Number(r.id),
    r.at,
    r.customer,
    r.actor,
    r.actor_kind,
    r.action,
    r.subjects,
    r.legal_basis,
    r.fields,
    r.request_id,
    r.detail,
    r.prev_hash,
  ]);
}

export function recordHash(r: Omit<Row, 'hash'>): string {
  return digest('sha256', canonicalForm(r), 'hex');
}

export class AuditLog {
  readonly #queue: Pending[] = [];
  #scheduled = false;
  #flushing: Promise<void> | undefined;
  readonly #maxDelayMs: number;
  readonly #maxBatch: number;
  readonly #stats = { transactions: 0, records: 0, failedTransactions: 0 };
  /** SQLite: the chain's head as this log last wrote or saw it (undefined: not known yet). */
  #head: { id: number; hash: string } | null | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    options: AuditLogOptions = {},
  ) {
    this.#maxDelayMs = Math.max(0, options.maxDelayMs ?? 0);
    this.#maxBatch = Math.max(1, options.maxBatch ?? 1000);
  }

  /** Write statistics of this AuditLog: committed transactions and records, failed transactions. */
  get writeStats(): Readonly<{ transactions: number; records: number; failedTransactions: number }> {
    return { ...this.#stats };
  }

  /** Resolves when the record is committed (durable); rejects with AuditError if it is not. */
  record(e: AuditEntry): Promise<void> {
    let row: NewRow;
    try {
      row = this.#toRow(e);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ row, subjects: [...new Set(e.subjects)], resolve, reject });
      this.#schedule();
    });
  }

  /**
   * Computes the answer, records the lookup, then gives the answer; if the
   * record cannot be written the caller gets the error, never the answer.
   * `entry` may be computed from the answer (e.g. the persons and fields it
   * disclosed). If `answer` throws, nothing is disclosed and nothing recorded.
   */
  async audited<T>(entry: AuditEntry | ((answer: T) => AuditEntry), answer: () => Promise<T>): Promise<T> {
    const result = await answer();
    await this.record(typeof entry === 'function' ? entry(result) : entry);
    return result;
  }

  /** Resolves when everything queued so far has been written (or has failed). */
  async drain(): Promise<void> {
    while (this.#flushing || this.#queue.length) {
      if (!this.#flushing) this.#startFlush();
      await this.#flushing;
    }
  }

  /**
   * AUD-4 log search: the records of one customer's users and programs only.
   * In time order; page with `limit` and `cursor`.
   */
  async search(customerId: string, filter: AuditSearch = {}): Promise<AuditPage> {
    if (typeof customerId !== 'string' || customerId === '') {
      throw new AuditError('bad_filter', 'A log search is for one customer: give its id.');
    }
    const limit = filter.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new AuditError('bad_filter', 'The limit must be a whole number from 1 to 1000.');
    }
    let q = this.store.db.selectFrom('audit').selectAll().where('customer', '=', customerId);
    if (filter.actor !== undefined) q = q.where('actor', '=', filter.actor);
    if (filter.type !== undefined) q = q.where('action', '=', filter.type);
    if (filter.from !== undefined) q = q.where('at', '>=', lowerBound(filter.from, 'from'));
    if (filter.to !== undefined) {
      const b = upperBound(filter.to, 'to');
      q = q.where('at', b.op, b.value);
    }
    if (filter.pnr !== undefined) {
      const pnr = filter.pnr;
      q = q.where('id', 'in', (eb) => eb.selectFrom('audit_subject').select('audit_id').where('subject', '=', pnr));
    }
    if (filter.reference !== undefined) {
      const ref = filter.reference;
      q = q.where(
        this.store.dialect === 'postgres'
          ? sql<boolean>`(detail::jsonb -> 'references') @> jsonb_build_array(${ref}::text)`
          : sql<boolean>`exists (select 1 from json_each(detail, '$.references') where value = ${ref})`,
      );
    }
    if (filter.cursor !== undefined) {
      const c = decodeCursor(filter.cursor);
      q = q.where((eb) => eb.or([eb('at', '>', c.at), eb.and([eb('at', '=', c.at), eb('id', '>', c.id)])]));
    }
    const rows = await q.orderBy('at').orderBy('id').limit(limit + 1).execute();
    const records = rows.slice(0, limit).map(toRecord);
    const last = records[records.length - 1];
    return rows.length > limit && last ? { records, nextCursor: encodeCursor(last) } : { records };
  }

  /** AUD-4 transaction statistics: counts per month, per actor, per transaction type, for one customer. */
  async statistics(customerId: string, range: { from?: string; to?: string } = {}): Promise<AuditStatistic[]> {
    if (typeof customerId !== 'string' || customerId === '') {
      throw new AuditError('bad_filter', 'Transaction statistics are for one customer: give its id.');
    }
    const month = sql<string>`substr(at, 1, 7)`;
    // `detail.protected`: how many of the persons a record disclosed carried a §28 protection mark.
    const prot =
      this.store.dialect === 'postgres'
        ? sql<number>`coalesce(sum((detail::jsonb ->> 'protected')::int), 0)`
        : sql<number>`coalesce(sum(json_extract(detail, '$.protected')), 0)`;
    let q = this.store.db
      .selectFrom('audit')
      .select((eb) => [month.as('month'), 'actor', 'action', eb.fn.countAll().as('n'), prot.as('p')])
      .where('customer', '=', customerId);
    if (range.from !== undefined) q = q.where('at', '>=', lowerBound(range.from, 'from'));
    if (range.to !== undefined) {
      const b = upperBound(range.to, 'to');
      q = q.where('at', b.op, b.value);
    }
    const rows = await q.groupBy([month, 'actor', 'action']).orderBy('month').orderBy('actor').orderBy('action').execute();
    return rows.map((r) => ({ month: r.month, actor: r.actor, type: r.action, count: Number(r.n), protectedPersons: Number(r.p) }));
  }

  /** §46: who (which customers) looked this person (or address) up, and when; in time order. */
  async lookupsOf(pnr: string, range: { from?: string; to?: string; limit?: number } = {}): Promise<SubjectLookup[]> {
    let q = this.store.db
      .selectFrom('audit_subject')
      .innerJoin('audit', 'audit.id', 'audit_subject.audit_id')
      .select(['audit.id', 'audit.at', 'audit.customer', 'audit.action', 'audit.legal_basis'])
      .where('audit_subject.subject', '=', pnr);
    if (range.from !== undefined) q = q.where('audit.at', '>=', lowerBound(range.from, 'from'));
    if (range.to !== undefined) {
      const b = upperBound(range.to, 'to');
      q = q.where('audit.at', b.op, b.value);
    }
    const rows = await q.orderBy('audit_subject.audit_id').limit(range.limit ?? 10_000).execute();
    return rows.map((r) => ({ id: Number(r.id), at: r.at, customer: r.customer, action: r.action, legalBasis: r.legal_basis }));
  }

  /** The newest records, newest first. */
  async entries(limit = 100): Promise<AuditRecord[]> {
    const rows = await this.store.db.selectFrom('audit').selectAll().orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toRecord);
  }

  /** The last record's id and hash: publish or store it elsewhere as an anchor for `verify`. */
  async head(): Promise<{ id: number; hash: string } | null> {
    const r = await this.store.db.selectFrom('audit').select(['id', 'hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
    return r ? { id: Number(r.id), hash: r.hash } : null;
  }

  /**
   * Recomputes the chain from record 1: finds a missing record (a gap in the
   * ids), an edited one (its hash), a replaced or reordered one (the link to
   * its predecessor), and subject-index rows that are missing or do not match
   * a record. With `anchor` (an earlier `head()`), also finds the log cut
   * short or rewritten back to the anchor.
   */
  async verify(options: { anchor?: { id: number; hash: string } } = {}): Promise<VerifyResult> {
    const db = this.store.db;
    let prevId = 0;
    let prevHash = GENESIS_HASH;
    let checked = 0;
    let pairs = 0;
    const bad = (id: number, reason: string): VerifyResult => ({ ok: false, checked, firstBad: { id, reason } });
    for (let first = true; ; first = false) {
      // The first page is not bounded below, so a record slipped in with an id below 1 is seen.
      const page = db.selectFrom('audit').selectAll().orderBy('id').limit(PAGE);
      const raw = await (first ? page : page.where('id', '>', prevId)).execute();
      if (raw.length === 0) break;
      const rows = raw.map((r) => ({ ...r, id: Number(r.id) }));
      const indexed = await this.#indexedPairs(rows);
      for (const r of rows) {
        const expected = prevId + 1;
        if (r.id < expected) return bad(r.id, `a record with id ${r.id} is out of sequence (inserted)`);
        if (r.id > expected) {
          return bad(expected, `record ${expected} is missing (deleted): the record after ${prevId} is ${r.id}`);
        }
        if (recordHash(r) !== r.hash) return bad(r.id, 'the content does not match its hash (the record was edited)');
        if (r.prev_hash !== prevHash) {
          return bad(
            r.id,
            prevId === 0
              ? 'the first record does not start the chain'
              : `the link to record ${prevId} is broken (a record was replaced, reordered or re-hashed)`,
          );
        }
        for (const s of uniqueSubjects(r.subjects)) {
          if (!indexed.has(pairKey(r.id, s))) return bad(r.id, 'a subject of the record is missing from the audit_subject index');
          pairs += 1;
        }
        checked += 1;
        prevId = r.id;
        prevHash = r.hash;
      }
    }

    // Index rows that match no record or name a subject the record does not.
    const count = await db
      .selectFrom('audit_subject')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('audit_id', '<=', prevId)
      .executeTakeFirstOrThrow();
    if (Number(count.n) !== pairs) {
      const id = await this.#firstForeignIndexRow(prevId);
      return bad(id ?? 0, 'the audit_subject index has a row the record does not name');
    }
    const orphan = await db
      .selectFrom('audit_subject')
      .select('audit_id')
      .where('audit_id', '>', prevId)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('audit').select('audit.id').whereRef('audit.id', '=', 'audit_subject.audit_id'))),
      )
      .orderBy('audit_id')
      .limit(1)
      .executeTakeFirst();
    if (orphan) return bad(Number(orphan.audit_id), 'the audit_subject index has a row for a record that does not exist');

    if (options.anchor) {
      const a = options.anchor;
      const r = await db.selectFrom('audit').select('hash').where('id', '=', a.id).executeTakeFirst();
      if (!r) return bad(a.id, 'the anchored record is missing (the log was cut short)');
      if (r.hash !== a.hash) return bad(a.id, 'the anchored record has another hash (the log was rewritten)');
    }
    return { ok: true, checked };
  }

  // --- writing ---

  #toRow(e: AuditEntry): NewRow {
    const fail = (m: string): never => {
      throw new AuditError('bad_entry', `Bad audit entry: ${m}.`);
    };
    if (typeof e.actor !== 'string' || e.actor === '') fail('actor is required');
    if (typeof e.action !== 'string' || e.action === '') fail('action (the transaction type) is required');
    if (!Array.isArray(e.subjects) || !e.subjects.every((s) => typeof s === 'string' && s !== '')) {
      fail('subjects must be a list of person numbers or address ids');
    }
    const actorKind = e.actorKind ?? 'user';
    if (!ACTOR_KINDS.includes(actorKind)) fail(`actorKind is user or program, not "${String(actorKind)}"`);
    if (e.fields != null && !(Array.isArray(e.fields) && e.fields.every((f) => typeof f === 'string'))) {
      fail('fields must be a list of field names');
    }
    return {
      at: this.clock.now().toISOString(),
      customer: e.customer ?? null,
      actor: e.actor,
      actor_kind: actorKind,
      action: e.action,
      subjects: JSON.stringify(e.subjects),
      legal_basis: e.legalBasis ?? null,
      fields: e.fields != null ? JSON.stringify(e.fields) : null,
      request_id: e.requestId ?? null,
      detail: e.detail ? JSON.stringify(e.detail) : null,
    };
  }

  #schedule(): void {
    if (this.#scheduled || this.#flushing) return; // a running flush picks the entry up
    this.#scheduled = true;
    const go = () => {
      this.#scheduled = false;
      this.#startFlush();
    };
    if (this.#maxDelayMs > 0) setTimeout(go, this.#maxDelayMs);
    else setImmediate(go);
  }

  #startFlush(): void {
    if (this.#flushing) return;
    this.#flushing = (async () => {
      try {
        while (this.#queue.length) {
          const batch = this.#queue.splice(0, this.#maxBatch);
          try {
            await this.#write(batch);
            this.#stats.transactions += 1;
            this.#stats.records += batch.length;
            for (const p of batch) p.resolve();
          } catch (e) {
            this.#stats.failedTransactions += 1;
            const reason = e instanceof Error ? e.message : String(e);
            const err = new AuditError('write_failed', `The audit record could not be written, so no answer is given: ${reason}`, {
              cause: e,
            });
            for (const p of batch) p.reject(err);
          }
        }
      } finally {
        this.#flushing = undefined;
      }
    })();
  }

  /** One transaction: lock, read the chain's head, append the batch in order, commit. */
  async #write(batch: Pending[]): Promise<void> {
    const append = async (db: Kysely<DB>) => {
      const last = await db.selectFrom('audit').select(['id', 'hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
      const { rows, index } = chained(batch, last ? { id: Number(last.id), hash: last.hash } : null);
      await insertRows(db, this.store.dialect, rows, index);
    };
    const offThread = this.store.writeOffThread;
    if (offThread) {
      // SQLite: the transaction runs on the store's writer thread, so this thread serves
      // requests while the commit waits for the disk. The rows are chained to the head this
      // log knows; the writer checks that head under the write lock and, if another writer
      // moved it, writes nothing and says where it is, and the rows are chained anew.
      for (let attempt = 0; ; attempt++) {
        const head = this.#head;
        const { rows, index } = chained(batch, head ?? null);
        const r = await offThread({
          check: { sql: 'select id, hash from audit order by id desc limit 1', params: [], expect: head === undefined ? ['unknown'] : head && [head.id, head.hash] },
          statements: sqliteInserts(rows, index),
        });
        if (r.written) {
          const last = rows[rows.length - 1]!;
          this.#head = { id: last.id, hash: last.hash };
          return;
        }
        this.#head = r.actual ? { id: Number(r.actual[0]), hash: String(r.actual[1]) } : null;
        if (attempt >= 10) throw new AuditError('write_failed', 'The audit chain kept moving under this writer.');
      }
    }
    if (this.store.dialect === 'sqlite') {
      // One connection for the whole transaction; IMMEDIATE takes the write
      // lock before the head is read, so another connection cannot interleave.
      await this.store.db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          await append(conn);
          await sql`commit`.execute(conn);
        } catch (e) {
          await sql`rollback`.execute(conn).catch(() => undefined);
          throw e;
        }
      });
    } else {
      await this.store.db.transaction().execute(async (tx) => {
        await sql`lock table audit in share row exclusive mode`.execute(tx);
        await append(tx);
      });
    }
  }

  // --- verifying ---

  /** The (record, subject) pairs of the index for these records. */
  async #indexedPairs(rows: Array<{ id: number; subjects: string }>): Promise<Set<string>> {
    const found = new Set<string>();
    const subjects = [...new Set(rows.flatMap((r) => uniqueSubjects(r.subjects)))];
    const lo = rows[0]!.id;
    const hi = rows[rows.length - 1]!.id;
    for (let i = 0; i < subjects.length; i += IN_CHUNK) {
      const part = await this.store.db
        .selectFrom('audit_subject')
        .select(['subject', 'audit_id'])
        .where('subject', 'in', subjects.slice(i, i + IN_CHUNK))
        .where('audit_id', '>=', lo)
        .where('audit_id', '<=', hi)
        .execute();
      for (const p of part) found.add(pairKey(Number(p.audit_id), p.subject));
    }
    return found;
  }

  /** The lowest record id with an index row its record does not name (up to `maxId`). */
  async #firstForeignIndexRow(maxId: number): Promise<number | undefined> {
    const db = this.store.db;
    let first: number | undefined;
    let after: { subject: string; audit_id: number } | undefined;
    for (;;) {
      let q = db.selectFrom('audit_subject').select(['subject', 'audit_id']).where('audit_id', '<=', maxId);
      if (after) {
        const a = after;
        q = q.where((eb) => eb.or([eb('subject', '>', a.subject), eb.and([eb('subject', '=', a.subject), eb('audit_id', '>', a.audit_id)])]));
      }
      const page = (await q.orderBy('subject').orderBy('audit_id').limit(PAGE).execute()).map((p) => ({ ...p, audit_id: Number(p.audit_id) }));
      if (page.length === 0) return first;
      const ids = [...new Set(page.map((p) => p.audit_id))];
      const records = await db.selectFrom('audit').select(['id', 'subjects']).where('id', 'in', ids).execute();
      const named = new Map(records.map((r) => [Number(r.id), new Set(uniqueSubjects(r.subjects))]));
      for (const p of page) {
        if (!named.get(p.audit_id)?.has(p.subject) && (first === undefined || p.audit_id < first)) first = p.audit_id;
      }
      after = page[page.length - 1];
    }
  }
}

const COLUMNS = [
  'id', 'at', 'customer', 'actor', 'actor_kind', 'action', 'subjects',
  'legal_basis', 'fields', 'request_id', 'detail', 'prev_hash', 'hash',
] as const satisfies ReadonlyArray<keyof Row>;

/** The batch's records with ids and hashes, chained to `head` (null: the log is empty). */
function chained(batch: readonly Pending[], head: { id: number; hash: string } | null): { rows: Row[]; index: Array<{ subject: string; audit_id: number }> } {
  let id = head?.id ?? 0;
  let prev = head?.hash ?? GENESIS_HASH;
  const rows: Row[] = [];
  const index: Array<{ subject: string; audit_id: number }> = [];
  for (const b of batch) {
    id += 1;
    const r = { ...b.row, id, prev_hash: prev };
    const hash = recordHash(r);
    rows.push({ ...r, hash });
    for (const subject of b.subjects) index.push({ subject, audit_id: id });
    prev = hash;
  }
  return { rows, index };
}

const SQLITE_AUDIT_INSERT = `insert into audit (${COLUMNS.join(', ')}) select ${COLUMNS.map((_, i) => `value ->> ${i}`).join(', ')} from json_each(?)`;
const SQLITE_SUBJECT_INSERT = 'insert into audit_subject (subject, audit_id) select value ->> 0, value ->> 1 from json_each(?)';

/** The SQLite statements of insertRows, as text and parameters for the writer thread. */
function sqliteInserts(rows: Row[], index: Array<{ subject: string; audit_id: number }>): Array<{ sql: string; params: unknown[] }> {
  const out = [{ sql: SQLITE_AUDIT_INSERT, params: [JSON.stringify(rows.map((r) => COLUMNS.map((c) => r[c])))] }];
  // In key order: a bulk lookup's thousand subjects then go into the index b-tree front to back.
  const pairs = index.map((x) => [x.subject, x.audit_id] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  if (pairs.length) out.push({ sql: SQLITE_SUBJECT_INSERT, params: [JSON.stringify(pairs)] });
  return out;
}

/**
 * The batch as one statement per table with one JSON parameter: the SQL text
 * is fixed (cheap to compile and prepare) whatever the batch size.
 */
async function insertRows(db: Kysely<DB>, dialect: Store['dialect'], rows: Row[], index: Array<{ subject: string; audit_id: number }>): Promise<void> {
  const list = sql.raw(COLUMNS.join(', '));
  if (dialect === 'sqlite') {
    const picks = sql.raw(COLUMNS.map((_, i) => `value ->> ${i}`).join(', '));
    const json = JSON.stringify(rows.map((r) => COLUMNS.map((c) => r[c])));
    await sql`insert into audit (${list}) select ${picks} from json_each(${json})`.execute(db);
    if (index.length) {
      const pairs = JSON.stringify(index.map((x) => [x.subject, x.audit_id]));
      await sql`insert into audit_subject (subject, audit_id) select value ->> 0, value ->> 1 from json_each(${pairs})`.execute(db);
    }
  } else {
    await sql`insert into audit (${list}) select ${list} from json_populate_recordset(null::audit, ${JSON.stringify(rows)}::json)`.execute(db);
    if (index.length) {
      await sql`insert into audit_subject (subject, audit_id)
        select subject, audit_id from json_populate_recordset(null::audit_subject, ${JSON.stringify(index)}::json)`.execute(db);
    }
  }
}

function toRecord(r: Row): AuditRecord {
  return {
    id: Number(r.id),
    at: r.at,
    customer: r.customer,
    actor: r.actor,
    actorKind: r.actor_kind as ActorKind,
    action: r.action,
    subjects: JSON.parse(r.subjects) as string[],
    legalBasis: r.legal_basis,
    fields: r.fields === null ? null : (JSON.parse(r.fields) as string[]),
    requestId: r.request_id,
    ...(r.detail ? { detail: JSON.parse(r.detail) as Record<string, unknown> } : {}),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

function uniqueSubjects(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? [...new Set(v.filter((s): s is string => typeof s === 'string'))] : [];
  } catch {
    return [];
  }
}

const pairKey = (id: number, subject: string) => `${id}\u0000${subject}`;

const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

function instantOf(s: string, name: string): string {
  const t = /^\d{4}-\d{2}-\d{2}T/.test(s) ? new Date(s) : new Date(NaN);
  if (Number.isNaN(t.getTime())) {
    throw new AuditError('bad_filter', `${name} must be YYYY-MM, YYYY-MM-DD or an ISO time, not "${s}".`);
  }
  return t.toISOString();
}

function validDay(s: string, name: string): string {
  if (new Date(`${s}T00:00:00.000Z`).toISOString().slice(0, 10) !== s) {
    throw new AuditError('bad_filter', `${name} is not a calendar date: "${s}".`);
  }
  return s;
}

/** The inclusive lower bound an ISO `at` is compared with. */
function lowerBound(s: string, name: string): string {
  if (MONTH_RE.test(s)) return `${s}-01T00:00:00.000Z`;
  if (DAY_RE.test(s)) return `${validDay(s, name)}T00:00:00.000Z`;
  return instantOf(s, name);
}

/** The upper bound: a month or a day includes all of it. */
function upperBound(s: string, name: string): { op: '<' | '<='; value: string } {
  if (MONTH_RE.test(s)) {
    const [y, m] = s.split('-').map(Number) as [number, number];
    const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
    return { op: '<', value: `${next}-01T00:00:00.000Z` };
  }
  if (DAY_RE.test(s)) return { op: '<', value: `${addDays(validDay(s, name), 1)}T00:00:00.000Z` };
  return { op: '<=', value: instantOf(s, name) };
}

function encodeCursor(r: AuditRecord): string {
  return Buffer.from(JSON.stringify([r.at, r.id])).toString('base64url');
}

function decodeCursor(c: string): { at: string; id: number } {
  try {
    const v: unknown = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
    if (Array.isArray(v) && typeof v[0] === 'string' && Number.isInteger(v[1])) return { at: v[0], id: v[1] as number };
  } catch {
    // fall through
  }
  throw new AuditError('bad_filter', 'The cursor is not one this log search gave.');
}
