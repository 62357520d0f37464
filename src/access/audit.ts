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
 * writer, so ids have no gaps), and `hash` = HMAC-SHA-256, with the audit
 * keyring's current key (access/audit-key.ts, a file outside the store; the
 * record names the key in `key_id`), over a canonical JSON array of its
 * content and `prev_hash`, the previous record's hash (64 zeros for record
 * 1). Without the key nobody can recompute the chain after an edit. Records
 * made before the log was keyed (`key_id` null) are legacy records hashed
 * with plain SHA-256; they verify as such, but only before the first keyed
 * one. The newest records, which a chain alone cannot show were cut off, are
 * vouched for by signed checkpoints in a file outside the audit file
 * (access/audit-checkpoint.ts): written after this log's first commit
 * (before its answers leave), then at most every `checkpointEveryMs` while
 * records are written, and on `close`.
 *
 * Ids and hashes are computed inside the writing transaction,
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
import { addDays, dateOf, startOfDay } from '../domain/dates.ts';
import type { AuditTable, DB } from '../storage/schema.ts';
import type { Store } from '../storage/store.ts';
import { appendCheckpoint, readCheckpoints, type Checkpoint } from './audit-checkpoint.ts';
import { AuditKeyring, auditFilesOf } from './audit-key.ts';

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
  /** `YYYY-MM`, the Danish month (Europe/Copenhagen). */
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

/**
 * What `verify` found wrong, machine-readable:
 * - `deleted`: a record is missing inside the log (a gap in the ids);
 * - `inserted`: a record with an id out of sequence;
 * - `edited`: a record's content does not match its hash (or its
 *   predecessor was replaced);
 * - `rechained`: from this record on the chain was recomputed without the
 *   key (hashes that are no HMAC of it, or unkeyed records after keyed ones);
 * - `reordered`: a record links to one that comes after it;
 * - `unknown_key`: a record names a key the keyring does not hold;
 * - `index_mismatch`: the audit_subject index does not match the records;
 * - `deleted_newest`: a checkpoint (or the anchor) vouches for a record
 *   beyond the end of the log: the newest records were deleted;
 * - `truncated`: the record at a checkpoint's (or the anchor's) id is
 *   another one: the log was cut back and written on;
 * - `emptied`: the log is empty though checkpoints vouch for records, or the
 *   register holds registrations;
 * - `bad_checkpoint_signature`: a line of the checkpoint file is not signed
 *   by the keyring;
 * - `checkpoints_missing`: keyed records but no checkpoint at all (the
 *   checkpoint file deleted, or another file than the writers').
 */
export type TamperKind =
  | 'deleted'
  | 'inserted'
  | 'edited'
  | 'rechained'
  | 'reordered'
  | 'unknown_key'
  | 'index_mismatch'
  | 'deleted_newest'
  | 'truncated'
  | 'emptied'
  | 'bad_checkpoint_signature'
  | 'checkpoints_missing';

export interface VerifyResult {
  ok: boolean;
  /** Records found intact (before the first bad one). */
  checked: number;
  /** Of those, legacy records (made before the log was keyed: plain SHA-256). */
  legacy: number;
  /** The newest checkpoint, when the log matched every checkpoint. */
  checkpoint?: { id: number; at: string };
  firstBad?: { id: number; kind: TamperKind; reason: string };
}

export interface AuditLogOptions {
  /** Wait this long for more entries before writing (default 0: the end of the event-loop turn). */
  maxDelayMs?: number;
  /** At most this many records per transaction (default 1000). */
  maxBatch?: number;
  /** The audit keyring (default: OPENCPR_AUDIT_KEY_FILE, else beside the store; access/audit-key.ts). */
  keyFile?: string;
  /** The checkpoint file (default: OPENCPR_AUDIT_CHECKPOINT_FILE, else beside the store). */
  checkpointFile?: string;
  /** At most one checkpoint per this many ms while records are written (default: OPENCPR_AUDIT_CHECKPOINT_SECONDS, else 10 s). */
  checkpointEveryMs?: number;
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
type NewRow = Omit<Row, 'id' | 'prev_hash' | 'hash' | 'key_id'>;
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

/**
 * The canonical serialisation a record's hash is computed over: version 2
 * (keyed: the key's id second) or, for a legacy record (`key_id` null),
 * version 1.
 */
export function canonicalForm(r: Omit<Row, 'hash'>): string {
  const head = r.key_id == null ? ['opencpr.audit.v1'] : ['opencpr.audit.v2', r.key_id];
  return JSON.stringify([
    ...head,
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

/** A legacy (unkeyed, v1) record's hash: SHA-256 of its canonical form. */
export function legacyHash(r: Omit<Row, 'hash' | 'key_id'>): string {
  return digest('sha256', canonicalForm({ ...r, key_id: null }), 'hex');
}

/** Whether the record's hash is the one its content gives: an HMAC with its key, or for a legacy record SHA-256. */
function hashHolds(ring: AuditKeyring, r: Row): boolean {
  return r.key_id === null ? legacyHash(r) === r.hash : ring.mac(r.key_id, canonicalForm(r)) === r.hash;
}

const DEFAULT_CHECKPOINT_MS = 10_000;

export class AuditLog {
  readonly #queue: Pending[] = [];
  #scheduled = false;
  #flushing: Promise<void> | undefined;
  readonly #maxDelayMs: number;
  readonly #maxBatch: number;
  readonly #stats = { transactions: 0, records: 0, failedTransactions: 0, checkpoints: 0, failedCheckpoints: 0 };
  /** SQLite: the chain's head as this log last wrote or saw it (undefined: not known yet). */
  #head: { id: number; hash: string } | null | undefined;
  /** The key file and checkpoint file (docs/operations.md). */
  readonly keyFile: string;
  readonly checkpointFile: string;
  readonly #checkpointEveryMs: number;
  /** The keyring records are made with; opened (and created if missing) at the first write. */
  #ring: AuditKeyring | undefined;
  /** The newest record this log itself wrote: the only head it signs (a head it read might already be cut back). */
  #written: { id: number; hash: string } | undefined;
  /** The id of the last checkpoint this log wrote (undefined: none tried yet). */
  #checkpointed: number | undefined;
  #checkpointTimer: NodeJS.Timeout | undefined;
  #checkpointing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    options: AuditLogOptions = {},
  ) {
    this.#maxDelayMs = Math.max(0, options.maxDelayMs ?? 0);
    this.#maxBatch = Math.max(1, options.maxBatch ?? 1000);
    const files = auditFilesOf(store.location);
    this.keyFile = options.keyFile ?? files.keyFile;
    this.checkpointFile = options.checkpointFile ?? files.checkpointFile;
    const seconds = Number(process.env.OPENCPR_AUDIT_CHECKPOINT_SECONDS);
    this.#checkpointEveryMs = Math.max(0, options.checkpointEveryMs ?? (seconds > 0 ? seconds * 1000 : DEFAULT_CHECKPOINT_MS));
  }

  /** Write statistics of this AuditLog: committed transactions and records, failed transactions, checkpoints written and failed. */
  get writeStats(): Readonly<{ transactions: number; records: number; failedTransactions: number; checkpoints: number; failedCheckpoints: number }> {
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

  /** Writes what is queued and a checkpoint of the newest record this log wrote. Call before closing the store. */
  async close(): Promise<void> {
    await this.drain();
    clearTimeout(this.#checkpointTimer);
    this.#checkpointTimer = undefined;
    await this.#checkpoint();
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
    // Grouped by UTC day, and the day's last two UTC hours apart, then folded into Danish months: Denmark is
    // 1 or 2 whole hours ahead, so 00:00-21:59 UTC is the same Danish day and only 22:00-23:59 may be the next.
    const month = sql<string>`substr(at, 1, 10) || case when substr(at, 12, 2) >= '22' then substr(at, 11, 3) else '' end`;
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
    const out = new Map<string, AuditStatistic>();
    for (const r of rows) {
      const m = r.month.length === 10 ? r.month.slice(0, 7) : dateOf(`${r.month}:00:00.000Z`).slice(0, 7);
      const key = `${m}\u0000${r.actor}\u0000${r.action}`;
      const have = out.get(key);
      if (have) {
        have.count += Number(r.n);
        have.protectedPersons += Number(r.p);
      } else out.set(key, { month: m, actor: r.actor, type: r.action, count: Number(r.n), protectedPersons: Number(r.p) });
    }
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return [...out.values()].sort((a, b) => cmp(a.month, b.month) || cmp(a.actor, b.actor) || cmp(a.type, b.type));
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
   * Recomputes the chain from record 1 with the keyring (read afresh; never
   * created here): finds a missing record (a gap in the ids), an edited one
   * (its hash), a re-chained stretch (hashes that are no HMAC of their
   * content, or unkeyed records after keyed ones), a reordered one (linked to
   * a record after it), and subject-index rows that are missing or do not
   * match a record. Then holds the log against every checkpoint (the newest
   * records deleted, the log cut back and written on, or emptied) and, with
   * `anchor` (an earlier `head()`), against that. Reports the first problem
   * with its kind (TamperKind).
   */
  async verify(options: { anchor?: { id: number; hash: string } } = {}): Promise<VerifyResult> {
    const db = this.store.db;
    const ring = AuditKeyring.open(this.keyFile, { create: false, clock: this.clock });
    let prevId = 0;
    let prevHash = GENESIS_HASH;
    let checked = 0;
    let legacy = 0;
    let pairs = 0;
    const bad = (id: number, kind: TamperKind, reason: string): VerifyResult => ({ ok: false, checked, legacy, firstBad: { id, kind, reason } });
    for (let first = true; ; first = false) {
      // The first page is not bounded below, so a record slipped in with an id below 1 is seen.
      const page = db.selectFrom('audit').selectAll().orderBy('id').limit(PAGE);
      const raw = await (first ? page : page.where('id', '>', prevId)).execute();
      if (raw.length === 0) break;
      const rows = raw.map((r) => ({ ...r, id: Number(r.id) }));
      const indexed = await this.#indexedPairs(rows);
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        const expected = prevId + 1;
        if (r.id < expected) return bad(r.id, 'inserted', `a record with id ${r.id} is out of sequence (inserted)`);
        if (r.id > expected) {
          return bad(expected, 'deleted', `record ${expected} is missing (deleted): the record after ${prevId} is ${r.id}`);
        }
        if (r.key_id === null && checked > legacy) {
          return bad(r.id, 'rechained', `record ${r.id} is unkeyed though keyed records come before it: the chain was recomputed from here without the key`);
        }
        if (r.key_id !== null && !ring.has(r.key_id)) {
          return bad(r.id, 'unknown_key', `record ${r.id} was made with audit key "${r.key_id}", which the keyring ${ring.file} does not hold (is OPENCPR_AUDIT_KEY_FILE the writers' key file?)`);
        }
        if (!hashHolds(ring, r)) {
          if (await this.#linksForward(r)) return bad(r.id, 'reordered', `record ${r.id} links to a record after it (records were reordered)`);
          // Re-chained: the next record links to this one's (wrong) hash and is no better.
          const next = rows[i + 1] ?? (await this.#recordAt(r.id + 1));
          if (next && next.prev_hash === r.hash && next.key_id !== null && ring.has(next.key_id) && !hashHolds(ring, next)) {
            return bad(r.id, 'rechained', `from record ${r.id} on the hashes are not the audit key's: the chain was recomputed without the key (after an edit)`);
          }
          return bad(r.id, 'edited', 'the content does not match its hash (the record was edited)');
        }
        if (r.prev_hash !== prevHash) {
          if (prevId === 0) return bad(r.id, 'edited', 'the first record does not start the chain');
          if (await this.#linksForward(r)) return bad(r.id, 'reordered', `record ${r.id} links to a record after it (records were reordered)`);
          return bad(r.id, 'edited', `the link to record ${prevId} is broken (record ${prevId} was replaced or re-hashed)`);
        }
        for (const s of uniqueSubjects(r.subjects)) {
          if (!indexed.has(pairKey(r.id, s))) return bad(r.id, 'index_mismatch', 'a subject of the record is missing from the audit_subject index');
          pairs += 1;
        }
        checked += 1;
        if (r.key_id === null) legacy += 1;
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
      return bad(id ?? 0, 'index_mismatch', 'the audit_subject index has a row the record does not name');
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
    if (orphan) return bad(Number(orphan.audit_id), 'index_mismatch', 'the audit_subject index has a row for a record that does not exist');

    if (options.anchor) {
      const a = options.anchor;
      const r = await this.#recordAt(a.id);
      if (!r) return bad(a.id, 'deleted_newest', 'the anchored record is missing (the log was cut short)');
      if (r.hash !== a.hash) return bad(a.id, 'truncated', 'the anchored record has another hash (the log was rewritten)');
    }
    const cp = await this.#holdToCheckpoints(ring, checked > legacy, bad);
    if (cp && 'ok' in cp) return cp;
    if (!cp && prevId === 0 && (await db.selectFrom('registration').select('seq').limit(1).executeTakeFirst())) {
      return bad(1, 'emptied', 'the log is empty, but the register holds registrations: the log was emptied or replaced (or the store was loaded by a version that did not yet record its loads, and never read since)');
    }
    return { ok: true, checked, legacy, ...(cp ? { checkpoint: { id: cp.id, at: cp.at } } : {}) };
  }

  /**
   * Every checkpoint against the log: the record at its id must exist and
   * have its hash. Returns the problem, or the newest checkpoint (undefined:
   * there is none). Records found missing are looked up after the file is
   * read, so records written while verify ran are not taken for deleted ones.
   */
  async #holdToCheckpoints(
    ring: AuditKeyring,
    keyed: boolean,
    bad: (id: number, kind: TamperKind, reason: string) => VerifyResult,
  ): Promise<VerifyResult | Checkpoint | undefined> {
    const file = this.checkpointFile;
    const of = (c: Checkpoint, line: number) => `the checkpoint of ${c.at} (line ${line} of ${file})`;
    let newest: Checkpoint | undefined;
    let beyond: { c: Checkpoint; line: number } | undefined;
    let batch: Array<{ c: Checkpoint; line: number }> = [];
    const compare = async (): Promise<VerifyResult | undefined> => {
      const ids = [...new Set(batch.map((b) => b.c.id))];
      const rows = await this.store.db.selectFrom('audit').select(['id', 'hash', 'key_id']).where('id', 'in', ids).execute();
      const found = new Map(rows.map((r) => [Number(r.id), r]));
      for (const { c, line } of batch) {
        const r = found.get(c.id);
        if (!r) {
          if (!beyond || c.id > beyond.c.id) beyond = { c, line };
        } else if (r.hash !== c.hash) {
          return r.key_id === null
            ? bad(c.id, 'rechained', `record ${c.id} is not the one ${of(c, line)} vouches for, and is unkeyed: the log was recomputed without the key`)
            : bad(c.id, 'truncated', `record ${c.id} is not the one ${of(c, line)} vouches for: the log was cut back to before it and written on`);
        }
      }
      batch = [];
      return undefined;
    };
    for await (const l of readCheckpoints(file, ring)) {
      if ('bad' in l) return bad(l.id ?? 0, 'bad_checkpoint_signature', `line ${l.line} of the checkpoint file ${file} ${l.bad}`);
      const c = l.checkpoint;
      if (!newest || c.id >= newest.id) newest = c;
      batch.push({ c, line: l.line });
      if (batch.length >= IN_CHUNK) {
        const b = await compare();
        if (b) return b;
      }
    }
    if (batch.length) {
      const b = await compare();
      if (b) return b;
    }
    if (beyond) {
      const { c, line } = beyond;
      const head = await this.head();
      if (!head) return bad(1, 'emptied', `the log is empty, but ${of(c, line)} vouches for ${c.id} records: it was emptied or replaced`);
      if (head.id < c.id) {
        return bad(head.id + 1, 'deleted_newest', `the log ends at record ${head.id}, but ${of(c, line)} vouches for record ${c.id}: records ${head.id + 1} to ${c.id}, the newest, were deleted`);
      }
    }
    if (!newest && keyed) {
      return bad(0, 'checkpoints_missing', `the log has keyed records, but the checkpoint file ${file} holds no checkpoint: it was deleted, or is not the writers' (OPENCPR_AUDIT_CHECKPOINT_FILE), and the newest records cannot be vouched for`);
    }
    return newest;
  }

  /** Whether the record links to one that comes after it (a reordering), judged by its prev_hash. Only run on a bad record: a scan. */
  async #linksForward(r: Row): Promise<boolean> {
    const later = await this.store.db.selectFrom('audit').select('id').where('hash', '=', r.prev_hash).where('id', '>', r.id).limit(1).executeTakeFirst();
    return later !== undefined;
  }

  async #recordAt(id: number): Promise<Row | undefined> {
    const r = await this.store.db.selectFrom('audit').selectAll().where('id', '=', id).executeTakeFirst();
    return r && { ...r, id: Number(r.id) };
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
            // The first commit is checkpointed before its answers leave: a log with keyed records
            // and no checkpoint at all was then tampered with (or its checkpoint file lost).
            if (this.#checkpointed === undefined) await this.#checkpoint();
            else this.#scheduleCheckpoint();
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

  /**
   * A checkpoint of the newest record this log wrote, unless it has one
   * already; one at a time (each waits for the one before). Never rejects: a
   * failure is counted and warned of.
   */
  #checkpoint(): Promise<void> {
    this.#checkpointing = this.#checkpointing.then(async () => {
      const w = this.#written;
      if (!w || w.id === this.#checkpointed) return;
      this.#checkpointed = w.id;
      try {
        await appendCheckpoint(this.checkpointFile, this.#keyring(), { id: w.id, hash: w.hash, at: this.clock.now().toISOString() });
        this.#stats.checkpoints += 1;
      } catch (e) {
        // The records are written and durable; without checkpoints `verify` cannot vouch for the newest of them.
        this.#stats.failedCheckpoints += 1;
        process.emitWarning(`The audit checkpoint could not be written to ${this.checkpointFile}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
    return this.#checkpointing;
  }

  /** At most one checkpoint per checkpointEveryMs; the timer does not keep the process alive (close writes the last one). */
  #scheduleCheckpoint(): void {
    if (this.#checkpointTimer) return;
    this.#checkpointTimer = setTimeout(() => {
      this.#checkpointTimer = undefined;
      void this.#checkpoint();
    }, this.#checkpointEveryMs);
    this.#checkpointTimer.unref();
  }

  #keyring(): AuditKeyring {
    return (this.#ring ??= AuditKeyring.open(this.keyFile, { create: true, clock: this.clock }));
  }

  /** One transaction: lock, read the chain's head, append the batch in order, commit. */
  async #write(batch: Pending[]): Promise<void> {
    const ring = this.#keyring(); // a key file that cannot be read or made fails the write (fail closed)
    let last: Row | undefined;
    const append = async (db: Kysely<DB>) => {
      const head = await db.selectFrom('audit').select(['id', 'hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
      const { rows, index } = chained(batch, head ? { id: Number(head.id), hash: head.hash } : null, ring);
      await insertRows(db, this.store.dialect, rows, index);
      last = rows[rows.length - 1];
    };
    const offThread = this.store.writeOffThread;
    if (offThread) {
      // SQLite: the transaction runs on the store's writer thread, so this thread serves
      // requests while the commit waits for the disk. The rows are chained to the head this
      // log knows; the writer checks that head under the write lock and, if another writer
      // moved it, writes nothing and says where it is, and the rows are chained anew.
      for (let attempt = 0; ; attempt++) {
        const head = this.#head;
        const { rows, index } = chained(batch, head ?? null, ring);
        const r = await offThread({
          check: { sql: 'select id, hash from audit order by id desc limit 1', params: [], expect: head === undefined ? ['unknown'] : head && [head.id, head.hash] },
          statements: sqliteInserts(rows, index),
        });
        if (r.written) {
          const newest = rows[rows.length - 1]!;
          this.#head = this.#written = { id: newest.id, hash: newest.hash };
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
    if (last) this.#written = { id: last.id, hash: last.hash }; // committed
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
  'legal_basis', 'fields', 'request_id', 'detail', 'prev_hash', 'hash', 'key_id',
] as const satisfies ReadonlyArray<keyof Row>;

/** The batch's records with ids and keyed hashes (the keyring's current key), chained to `head` (null: the log is empty). */
function chained(
  batch: readonly Pending[],
  head: { id: number; hash: string } | null,
  ring: AuditKeyring,
): { rows: Row[]; index: Array<{ subject: string; audit_id: number }> } {
  const key = ring.currentId!; // a keyring opened for writing has one
  let id = head?.id ?? 0;
  let prev = head?.hash ?? GENESIS_HASH;
  const rows: Row[] = [];
  const index: Array<{ subject: string; audit_id: number }> = [];
  for (const b of batch) {
    id += 1;
    const r = { ...b.row, id, prev_hash: prev, key_id: key };
    const hash = ring.mac(key, canonicalForm(r))!;
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
/** The month after `YYYY-MM`. */
function nextMonth(s: string): string {
  const [y, m] = s.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** The lower bound: a month or a day begins at Danish midnight (Europe/Copenhagen), not UTC's. */
function lowerBound(s: string, name: string): string {
  if (MONTH_RE.test(s)) return startOfDay(`${s}-01`);
  if (DAY_RE.test(s)) return startOfDay(validDay(s, name));
  return instantOf(s, name);
}

/** The upper bound: a month or a day includes all of it, as a Danish month or day. */
function upperBound(s: string, name: string): { op: '<' | '<='; value: string } {
  if (MONTH_RE.test(s)) return { op: '<', value: startOfDay(`${nextMonth(s)}-01`) };
  if (DAY_RE.test(s)) return { op: '<', value: startOfDay(addDays(validDay(s, name), 1)) };
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
