/**
 * Bulk load of persons with their registration history (imports and
 * synthetic populations). Each batch is one transaction that also records how
 * far the job got, so an interrupted load leaves a consistent store and
 * resumes where it stopped.
 *
 * The rows are the ones a registration at a time would store: every number
 * is checked, every registration validated, the projections come from
 * projectionRows. Only the way they reach the store is made for volume:
 * - the next batch's rows are built (validation, versions, projections)
 *   while the previous batch is being written, so the two cores work at once;
 * - SQLite: the loader's own connection to the store file runs prepared
 *   statements in one BEGIN IMMEDIATE transaction per batch (the store's own
 *   writer goes through Kysely, which prepares every statement anew); from
 *   the second batch on it does so on a thread of its own, since
 *   better-sqlite3 blocks the thread it runs on;
 * - PostgreSQL: COPY FROM STDIN, table by table, in one transaction per batch.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type pg from 'pg';
import { checkPnr, NO_MOD11_DATES } from '../domain/pnr/pnr.ts';
import type { CivilDate, Instant } from '../domain/dates.ts';
import { dateOf } from '../domain/dates.ts';
import { copyRows, type Cell } from '../storage/copy.ts';
import { deferIndexes, restoreDeferredIndexes } from '../storage/deferred-indexes.ts';
import type { Store } from '../storage/store.ts';
import { applyAnnulment, applyChanges, registrationsInForce, type FactChange, type Registration, type Version } from './bitemporal.ts';
import { projectionRows, type Register } from './register.ts';
import { RegistrationError, validateChanges, type NewRegistration } from './validate.ts';

export interface PersonLoad {
  pnr: string;
  /**
   * 'allocated' when the number was made for this register (synthetic), else 'imported'. An
   * allocated number without the modulus-11 check puts its date on the register's list of
   * no-mod-11 dates, as allocatePnr does when a date's mod-11 serials run out (COD-2).
   */
  source: 'allocated' | 'imported';
  /** In registration order; `annulsIndex` (0-based, an earlier registration of the person) makes one an annulment (REG-3). */
  registrations: Array<Omit<NewRegistration, 'pnr' | 'annuls'> & { registeredAt: Instant; annulsIndex?: number }>;
}

export interface LoadOptions {
  /** Names the job; a job that was interrupted resumes after its last committed batch. */
  jobId: string;
  /** Persons per transaction (default 5000). */
  batchSize?: number;
  onProgress?: (done: number) => void;
  /** Checked between batches: when it says stop, the load ends after the batch in hand. */
  shouldStop?: () => boolean;
  /**
   * For large loads: drop the secondary indexes first and build them once at
   * the end, also when the load stops or fails (storage/deferred-indexes.ts).
   * The store answers queries meanwhile, but slowly.
   */
  deferIndexes?: boolean;
  /** Called as each deferred index is built again. */
  onIndex?: (name: string) => void;
}

export interface LoadResult {
  done: number;
  skipped: number;
  stopped: boolean;
}

/** Column order of each table as the writers insert it. */
const COLUMNS = {
  person_number: ['pnr', 'birth_date', 'sex', 'rule', 'source', 'created_at'],
  registration: ['seq', 'pnr', 'registered_at', 'authority', 'event_code', 'documentation', 'late', 'annuls', 'changes'],
  person_history: ['pnr', 'last_seq', 'last_registered_at'],
  person_version: ['id', 'g', 'k', 'vf', 'vt', 'rf', 'rt', 's', 'v'],
  person_current: ['pnr', 'status', 'state', 'computed_for', 'stale_at'],
  no_mod11_date: ['birth_date', 'since'],
  residence: [
    'pnr',
    'address_id',
    'access_address_id',
    'municipality_code',
    'road_code',
    'valid_from',
    'valid_to',
    'reg_from',
    'reg_to',
    'seq',
  ],
} as const;
type Table = keyof typeof COLUMNS;
/** A date may be listed by an earlier batch or load already. */
const ON_CONFLICT: Partial<Record<Table, string>> = { no_mod11_date: ' on conflict (birth_date) do nothing' };
const TABLES = Object.keys(COLUMNS) as Table[];

/** The rows of a batch, per table, flattened in COLUMNS order (cheap to hand to a thread or a driver). */
type BatchRows = Record<Table, Cell[]>;

interface Prepared {
  persons: PersonLoad[];
  rows: BatchRows;
  /** SQLite: the first sequence number the rows were built with. */
  first: number;
  /** PostgreSQL: the transaction that drew the rows' sequence numbers, and commits them. */
  tx?: HeldTransaction;
}

/** Where batches go: rows are prepared (CPU) while the previous batch commits (I/O, or the writer thread). */
interface Sink {
  prepare(persons: PersonLoad[]): Promise<Prepared>;
  /** Writes the batch and the job's progress in one transaction. */
  commit(batch: Prepared, key: string, done: number): Promise<void>;
  /** Lets go of a prepared batch that will not be committed. */
  abandon(batch: Prepared): Promise<void>;
  close(): Promise<void>;
}

type BuildRows = (persons: readonly PersonLoad[], seqs: (i: number) => number) => BatchRows;

export async function bulkLoad(register: Register, persons: Iterable<PersonLoad>, opts: LoadOptions): Promise<LoadResult> {
  if (!opts.deferIndexes) return loadBatches(register, persons, opts);
  const { db, dialect } = register.store;
  await deferIndexes(db, dialect);
  let failed = true;
  try {
    const result = await loadBatches(register, persons, opts);
    failed = false;
    return result;
  } finally {
    const restore = restoreDeferredIndexes(db, opts.onIndex);
    // After a failure its own error is the one to report; the indexes are built when the store is next opened.
    await (failed ? restore.catch(() => undefined) : restore);
  }
}

async function loadBatches(register: Register, persons: Iterable<PersonLoad>, opts: LoadOptions): Promise<LoadResult> {
  const { db, dialect } = register.store;
  const batchSize = opts.batchSize ?? 5000;
  const key = `load:${opts.jobId}`;
  const prior = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
  const skipped = prior ? Number(prior.value) : 0;
  const today = dateOf(register.clock.now());
  // The loader's own copy: allocated numbers may add dates to it (the register re-reads the table when reopened).
  const noMod11 = new Set(await register.noMod11Dates());
  const build: BuildRows = (persons, seqs) => batchRows(persons, seqs, noMod11, today);
  const sink = dialect === 'sqlite' ? await sqliteSink(register.store.location, build) : postgresSink(register.store, build);
  let done = skipped;
  let index = 0;
  let batch: PersonLoad[] = [];
  // The batch being written while the next one is prepared.
  let inFlight: Promise<void> | undefined;

  const flush = async () => {
    const prepared = await sink.prepare(batch);
    batch = [];
    if (inFlight) {
      try {
        await inFlight;
      } catch (e) {
        await sink.abandon(prepared);
        throw e;
      }
    }
    const target = done + prepared.persons.length;
    inFlight = sink.commit(prepared, key, target).then(() => {
      done = target;
      opts.onProgress?.(done);
    });
    // Awaited before the next commit or at the end; this only keeps a failure from counting as unhandled meanwhile.
    inFlight.catch(() => undefined);
  };

  try {
    for (const p of persons) {
      if (index++ < skipped) continue;
      batch.push(p);
      if (batch.length >= batchSize) {
        await flush();
        if (opts.shouldStop?.()) {
          await inFlight;
          return { done, skipped, stopped: true };
        }
      }
    }
    if (batch.length) await flush();
    await inFlight;
    return { done, skipped, stopped: false };
  } finally {
    // A failure while preparing: let the batch already handed over finish (it is valid), then stop.
    await inFlight?.catch(() => undefined);
    await sink.close();
  }
}

/**
 * The rows of one batch; `seqs(i)` is the sequence number of the batch's
 * i-th registration. Every number is checked and every registration
 * validated exactly as a single registration would be.
 */
function batchRows(
  persons: readonly PersonLoad[],
  seqs: (i: number) => number,
  noMod11: Set<CivilDate>,
  today: CivilDate,
): BatchRows {
  const out: BatchRows = { person_number: [], registration: [], person_history: [], person_version: [], person_current: [], residence: [], no_mod11_date: [] };
  const { person_number: numbers, registration: regs, person_history: histories, person_version: versionCells, person_current: currents, residence } = out;
  let next = 0;
  for (const p of persons) {
    let check = checkPnr(p.pnr, noMod11);
    const listed = check.kind === 'valid' && check.rule === 'no_mod11_date' && !NO_MOD11_DATES.has(check.birthDate);
    if ((check.kind === 'suspicious' || listed) && p.source === 'allocated' && 'birthDate' in check) {
      // COD-2: the date's mod-11 serials ran out; from now on it is on the register's list.
      noMod11.add(check.birthDate);
      out.no_mod11_date.push(check.birthDate, p.registrations[0]?.registeredAt ?? new Date(0).toISOString());
      check = checkPnr(p.pnr, noMod11);
    }
    if (check.kind !== 'valid') throw new RegistrationError(`pnr_${check.kind}`, `${p.pnr}: ${check.message}`);
    const pnr = check.pnr;
    numbers.push(
      pnr,
      check.birthDate,
      check.sex,
      check.rule,
      p.source,
      p.registrations[0]?.registeredAt ?? new Date(0).toISOString(),
    );
    let versions: Version[] = [];
    let last: { seq: number; registeredAt: Instant } | undefined;
    const done: Registration[] = [];
    for (const [i, r] of p.registrations.entries()) {
      const seq = seqs(next++);
      let annuls: number | null = null;
      let changes: FactChange[] = [];
      if (r.annulsIndex === undefined) {
        changes = validateChanges(r.changes);
        if (changes.length === 0) throw new RegistrationError('no_changes', `${pnr}: registration ${i + 1} asserts or ends no fact.`);
        versions = applyChanges(versions, changes, r.registeredAt, seq);
      } else {
        // REG-3: the same checks as a single annulment, against the person's earlier registrations.
        const target = done[r.annulsIndex];
        if (!Number.isInteger(r.annulsIndex) || !target || r.annulsIndex >= i) {
          throw new RegistrationError('unknown_registration', `${pnr}: registration ${i + 1} annuls ${r.annulsIndex + 1}, which is not an earlier registration of the person.`);
        }
        if (target.annuls !== null) throw new RegistrationError('cannot_annul_annulment', `${pnr}: an annulment cannot itself be annulled.`);
        if (done.some((x) => x.annuls === target.seq)) throw new RegistrationError('already_annulled', `${pnr}: registration ${r.annulsIndex + 1} is annulled twice.`);
        if (r.changes?.length) throw new RegistrationError('annulment_with_changes', 'An annulment only annuls; register new facts separately.');
        annuls = target.seq;
      }
      const reg: Registration = { seq, pnr, registeredAt: r.registeredAt, authority: r.authority, eventCode: r.eventCode, documentation: r.documentation ?? null, late: !!r.late, annuls, changes };
      done.push(reg);
      if (annuls !== null) versions = applyAnnulment(versions, registrationsInForce(done), r.registeredAt);
      regs.push(seq, pnr, r.registeredAt, r.authority, r.eventCode, r.documentation ?? null, r.late ? 1 : 0, annuls, JSON.stringify(changes));
      last = { seq, registeredAt: r.registeredAt };
    }
    if (!last) continue;
    const { history: h, current: c, residence: x, versions: vs } = projectionRows(pnr, versions, today, last);
    histories.push(h.pnr, h.last_seq, h.last_registered_at);
    for (const v of vs) versionCells.push(v.id, v.g, v.k, v.vf, v.vt, v.rf, v.rt, v.s, v.v);
    currents.push(c.pnr, c.status, c.state, c.computed_for, c.stale_at);
    for (const a of x) {
      residence.push(a.pnr, a.address_id, a.access_address_id, a.municipality_code, a.road_code, a.valid_from, a.valid_to, a.reg_from, a.reg_to, a.seq);
    }
  }
  return out;
}

const registrationCount = (persons: readonly PersonLoad[]) => persons.reduce((n, p) => n + p.registrations.length, 0);

// ── SQLite ──────────────────────────────────────────────────────────────────

/** Page cache of the SQLite loader connection, in KiB: the b-trees are written in random key order. */
const SQLITE_WRITER_CACHE_KIB = 512 * 1024;

/**
 * The SQLite writer, as plain JavaScript so that it also runs on a thread
 * under any loader. Free variables: require, workerData, parentPort. It holds
 * its own connection to the store file; SQLite's write lock serialises it
 * with the store's writer. A batch carries the sequence number it was built
 * from: the log is append-only with one writer at a time, so if max(seq)
 * moved meanwhile (a registration by someone else) the transaction writes
 * nothing and answers the actual next number, and the batch is rebuilt.
 */
const SQLITE_WRITER = String.raw`
const Database = require(workerData.driver);
const conn = new Database(workerData.file, { fileMustExist: true });
conn.pragma('busy_timeout = 5000');
conn.pragma('synchronous = FULL');
conn.pragma('cache_size = -' + workerData.cacheKib);
const maxSeq = conn.prepare('select max(seq) from registration').pluck();
const insert = {};
for (const [table, cols] of Object.entries(workerData.columns)) {
  insert[table] = { width: cols.length, stmt: conn.prepare('insert into ' + table + ' (' + cols.join(', ') + ') values (' + cols.map(() => '?').join(', ') + ')' + (workerData.onConflict[table] || '')) };
}
const setMeta = conn.prepare('insert into meta (key, value) values (?, ?) on conflict (key) do update set value = excluded.value');
// Rows keyed by person number go in key order: neighbours share b-tree pages.
const keyOrdered = new Set(['person_number', 'person_history', 'person_version', 'person_current']);
const write = conn.transaction((m) => {
  const first = Number(maxSeq.get() ?? 0) + 1;
  if (first !== m.first) return first;
  for (const table of Object.keys(insert)) {
    const { width, stmt } = insert[table];
    const cells = m.rows[table];
    const order = [];
    for (let i = 0; i < cells.length; i += width) order.push(i);
    if (keyOrdered.has(table)) order.sort((a, b) => (cells[a] < cells[b] ? -1 : cells[a] > cells[b] ? 1 : 0));
    // One array for every row: run() binds its cells at once, so it can be refilled (no garbage per row).
    const row = new Array(width);
    for (const i of order) {
      for (let c = 0; c < width; c++) row[c] = cells[i + c];
      stmt.run(row);
    }
  }
  setMeta.run(m.key, String(m.done));
  return 0;
});
parentPort.on('message', (m) => {
  if (m === 'close') {
    conn.close();
    parentPort.close();
    return;
  }
  try {
    parentPort.postMessage({ moved: write.immediate(m) });
  } catch (e) {
    parentPort.postMessage({ error: { message: String(e && e.message), code: e && e.code } });
  }
});
parentPort.postMessage({ next: Number(maxSeq.get() ?? 0) + 1 });
`;

interface WriterReply {
  next?: number;
  moved?: number;
  error?: { message: string; code?: string };
}

interface Writer {
  /** The next sequence number when the writer started. */
  next: number;
  send(message: unknown): Promise<WriterReply>;
  close(): Promise<void>;
}

const requireHere = createRequire(import.meta.url);
const writerData = (file: string) => ({
  file,
  driver: requireHere.resolve('better-sqlite3'),
  cacheKib: SQLITE_WRITER_CACHE_KIB,
  columns: COLUMNS,
  onConflict: ON_CONFLICT,
});

/** The writer on this thread: synchronous, no start-up cost (a load of one batch gains nothing from a thread). */
function sqliteWriterHere(file: string): Writer {
  let onMessage: ((m: unknown) => void) | undefined;
  let reply: WriterReply | undefined;
  const port = {
    on: (_: 'message', f: (m: unknown) => void) => void (onMessage = f),
    postMessage: (r: WriterReply) => void (reply = r),
    close: () => undefined,
  };
  new Function('require', 'workerData', 'parentPort', SQLITE_WRITER)(requireHere, writerData(file), port);
  const take = () => {
    const r = reply!;
    reply = undefined;
    return r;
  };
  return {
    next: take().next!,
    send: async (message) => (onMessage!(message), take()),
    close: async () => onMessage!('close'),
  };
}

/** The writer on a thread of its own, so that the next batch is built while this one is written. */
async function sqliteWriterThread(file: string): Promise<Writer> {
  const worker = new Worker(`const { parentPort, workerData } = require('node:worker_threads');\n${SQLITE_WRITER}`, {
    eval: true,
    workerData: writerData(file),
  });
  let waiting: { resolve: (r: WriterReply) => void; reject: (e: unknown) => void } | undefined;
  let dead: unknown;
  const send = (message: unknown) =>
    new Promise<WriterReply>((resolve, reject) => {
      if (dead) return reject(dead);
      waiting = { resolve, reject };
      if (message !== undefined) worker.postMessage(message);
    });
  worker.on('message', (r: WriterReply) => {
    const w = waiting;
    waiting = undefined;
    w?.resolve(r);
  });
  const fail = (e: unknown) => {
    dead ??= e;
    const w = waiting;
    waiting = undefined;
    w?.reject(e);
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`The SQLite loader thread stopped (exit code ${code}).`)));
  // The thread says the next sequence number once it is ready.
  const next = (await send(undefined)).next!;
  return {
    next,
    send,
    async close() {
      if (dead) return;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage('close');
      await exited;
    },
  };
}

/**
 * SQLite: the first batch is written on this thread; from the second on, the
 * writer moves to a thread of its own (starting one costs about as much as
 * writing a few hundred persons, so single-batch loads never pay it).
 */
async function sqliteSink(file: string, build: BuildRows): Promise<Sink> {
  let writer = sqliteWriterHere(file);
  let commits = 0;
  let next = writer.next;
  const prepare = async (persons: PersonLoad[]): Promise<Prepared> => {
    const first = next;
    next += registrationCount(persons);
    return { persons, first, rows: build(persons, (i) => first + i) };
  };
  return {
    prepare,
    async commit(batch, key, done) {
      // Commits run one after another, so the hand-over cannot overlap a write.
      if (++commits === 2) {
        await writer.close();
        writer = await sqliteWriterThread(file);
      }
      for (;;) {
        const reply = await writer.send({ first: batch.first, rows: batch.rows, key, done });
        if (reply.error) {
          throw Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code } : {});
        }
        if (!reply.moved) return;
        // Someone else registered meanwhile: rebuild with the actual numbers (and so will the next batch).
        next = reply.moved;
        batch = await prepare(batch.persons);
      }
    },
    abandon: async () => undefined,
    close: () => writer.close(),
  };
}

// ── PostgreSQL ──────────────────────────────────────────────────────────────

/**
 * PostgreSQL: each batch is one transaction on a connection of the store's
 * pool, the rows sent with COPY FROM STDIN (storage/copy.ts), table by table.
 * The no-mod-11 dates (a handful, and possibly listed already) and the job's
 * progress are ordinary statements in the same transaction. The transaction
 * opens when the batch is prepared: it takes its id, then draws the batch's
 * sequence numbers, so that followers of the log wait for it instead of
 * stepping past its numbers (register/log-cursor.ts).
 */
function postgresSink(store: Store, build: BuildRows): Sink {
  const rawTransaction = store.rawTransaction;
  if (!rawTransaction) throw new Error('This PostgreSQL store cannot run its own transactions.');
  return {
    async prepare(persons) {
      const tx = await holdTransaction(rawTransaction);
      try {
        await tx.client.query('select pg_current_xact_id()');
        // Concurrent registrations may interleave, so the numbers need not be contiguous.
        const seqs = await reservePostgresSeqs(tx.client, registrationCount(persons));
        return { persons, first: 0, rows: build(persons, (i) => seqs[i]!), tx };
      } catch (e) {
        await tx.rollback(e);
        throw e;
      }
    },
    async commit({ rows, tx }, key, done) {
      const client = tx!.client;
      try {
        for (const table of TABLES) {
          if (table === 'no_mod11_date') continue;
          await copyRows(client, table, COLUMNS[table], rows[table]);
        }
        const dates = rows.no_mod11_date;
        for (let i = 0; i < dates.length; i += 2) {
          await client.query(`insert into no_mod11_date (birth_date, since) values ($1, $2)${ON_CONFLICT.no_mod11_date}`, [dates[i], dates[i + 1]]);
        }
        await client.query('insert into meta (key, value) values ($1, $2) on conflict (key) do update set value = excluded.value', [key, String(done)]);
      } catch (e) {
        await tx!.rollback(e);
        throw e;
      }
      await tx!.commit();
    },
    async abandon({ tx }) {
      await tx?.rollback(new Error('The load stopped before this batch.'));
    },
    async close() {},
  };
}

/** A transaction of `Store.rawTransaction` held open across calls: committed by `commit`, rolled back by `rollback`. */
interface HeldTransaction {
  client: pg.ClientBase;
  commit(): Promise<void>;
  rollback(cause: unknown): Promise<void>;
}

async function holdTransaction(rawTransaction: NonNullable<Store['rawTransaction']>): Promise<HeldTransaction> {
  let end!: (cause?: { error: unknown }) => void;
  const ended = new Promise<{ error: unknown } | undefined>((resolve) => (end = resolve));
  let opened!: (client: pg.ClientBase) => void;
  const ready = new Promise<pg.ClientBase>((resolve) => (opened = resolve));
  const done = rawTransaction(async (client) => {
    opened(client);
    const cause = await ended;
    if (cause) throw cause.error;
  });
  // The transaction may fail to begin: then `done` rejects before `ready` resolves.
  const client = await Promise.race([ready, done.then(() => ready)]);
  return {
    client,
    async commit() {
      end();
      await done;
    },
    async rollback(error) {
      end({ error });
      await done.catch(() => undefined);
    },
  };
}

/** `n` sequence numbers of the log, in increasing order. */
async function reservePostgresSeqs(client: pg.ClientBase, n: number): Promise<number[]> {
  if (n === 0) return [];
  const r = await client.query<{ seq: string }>(
    `select nextval(pg_get_serial_sequence('registration', 'seq')) as seq from generate_series(1, $1::int)`,
    [n],
  );
  return r.rows.map((x) => Number(x.seq)).sort((a, b) => a - b);
}
