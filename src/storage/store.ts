/**
 * Opening a store: an SQLite file (the embedded default) or PostgreSQL
 * (selected by a postgres:// URL). Both are driven through one Kysely query
 * code base; the hot point reads also get a prepared-statement path.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import pg from 'pg';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { DB } from './schema.ts';
import { restoreDeferredIndexes } from './deferred-indexes.ts';
import { migrate } from './migrations/index.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  readonly dialect: Dialect;
  readonly location: string;
  readonly db: Kysely<DB>;
  /**
   * A query compiled once and run on a cached prepared statement with new
   * positional parameters. For hot point reads only: the query's parameters
   * must be exactly the ones passed, in order. SQLite answers synchronously
   * (an in-process read: a promise per read would cost more than some reads).
   */
  prepare<R>(query: CompiledQuery<R>): (params: readonly unknown[]) => R[] | Promise<R[]>;
  /** As prepare, with each row as an array of its columns in select order (no keyed object per row). */
  prepareRaw(query: CompiledQuery): (params: readonly unknown[]) => unknown[][] | Promise<unknown[][]>;
  /**
   * SQLite only: a write transaction of the audit file (auditFileOf) on a
   * connection and thread of its own, so that waiting for the commit to reach
   * the disk (synchronous = FULL) does not stop this thread. Its statements
   * see the audit tables only. Resolves once the transaction is durable.
   */
  writeOffThread?: (write: OffThreadWrite) => Promise<OffThreadResult>;
  /** SQLite: moves tables the migrations made into the files they belong in (the audit file). */
  afterMigrations?: () => void;
  /**
   * PostgreSQL: a transaction on a pooled connection of its own, for what
   * Kysely cannot send (COPY FROM STDIN in the bulk loader, storage/copy.ts).
   * Committed when `work` resolves, rolled back when it throws.
   */
  rawTransaction?: <T>(work: (client: pg.ClientBase) => Promise<T>) => Promise<T>;
  close(): Promise<void>;
}

/**
 * One transaction: after the write lock is taken, `check` is read (its
 * first row as an array, or null); only if it equals `expect` are the
 * statements run and committed. Otherwise nothing is written and the answer
 * says what was read, so the caller can build its rows anew (an optimistic
 * check, e.g. of the head of a hash chain another writer may have moved).
 */
export interface OffThreadWrite {
  check: { sql: string; params: readonly unknown[]; expect: readonly unknown[] | null };
  statements: ReadonlyArray<{ sql: string; params: readonly unknown[] }>;
}

export type OffThreadResult = { written: true } | { written: false; actual: unknown[] | null };

export class StoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//.test(location);
}

/** Opens (and migrates) the store at `location`: a file path, `sqlite:path`, or a postgres:// URL. */
export async function openStore(location: string): Promise<Store> {
  const store = isPostgresUrl(location) ? await openPostgres(location) : openSqlite(location.replace(/^sqlite:/, ''));
  try {
    await migrate(store.db, store.dialect);
    store.afterMigrations?.();
    // A bulk load that was killed left its indexes to be built (storage/deferred-indexes.ts).
    await restoreDeferredIndexes(store.db);
  } catch (e) {
    await store.close();
    throw e;
  }
  return store;
}

/**
 * A read-only connection as the store's point reads use it. Its page cache is
 * READER_CACHE_MB unless OPENCPR_SQLITE_READER_CACHE_MB sets another size (0:
 * SQLite's default, 16 MiB in this build): pages kept in the process stay
 * there, where a host may drop file cache that was not touched for a while,
 * and the hot pages of a large store (a landlord's stairwells) are not read
 * from the operating system on every request (docs/operations.md). SQLite
 * takes the memory as pages are read, up to the size. Exported so that
 * benchmarks open their baseline's connection the same way.
 */
export function openReader(file: string): Database.Database {
  const reader = new Database(file, { readonly: true, fileMustExist: true });
  const mb = Number(process.env.OPENCPR_SQLITE_READER_CACHE_MB ?? READER_CACHE_MB);
  if (Number.isFinite(mb) && mb > 0) reader.pragma(`cache_size = -${Math.round(mb * 1024)}`);
  if (existsSync(auditFileOf(file))) reader.prepare(`ATTACH DATABASE ? AS ${AUDIT_SCHEMA}`).run(auditFileOf(file));
  return reader;
}

/**
 * The audit log's own file beside an SQLite store (AUD-3). Every audited
 * read commits an audit record; were the records in the register's file,
 * each commit would make every other connection drop its whole page cache
 * (SQLite resets a connection's cache when its database changed), so the
 * next reads of the register went back to the operating system for every
 * page. In a file of its own, a commit resets only the audit file's cache.
 * Attached to the store's connections as `audit_log`, so the audit tables are
 * named as before (docs/architecture.md, docs/operations.md).
 */
export function auditFileOf(file: string): string {
  return `${file}-audit`;
}

const AUDIT_SCHEMA = 'audit_log';
const AUDIT_TABLES = ['audit', 'audit_subject'];

function attachAuditFile(conn: Database.Database, file: string): void {
  conn.prepare(`ATTACH DATABASE ? AS ${AUDIT_SCHEMA}`).run(auditFileOf(file));
  conn.pragma(`${AUDIT_SCHEMA}.journal_mode = WAL`);
  // A record is committed durably before the answer it audits leaves (AUD-3: fail closed).
  conn.pragma(`${AUDIT_SCHEMA}.synchronous = FULL`);
}

/**
 * Moves the audit tables (as the migrations made them in the store's file)
 * into the audit file, with their indexes, triggers and rows: first copied in
 * one transaction of the audit file, then dropped from the store's file in
 * another. Interrupted between the two, the store's copy is still the whole
 * log (and is the one unqualified names see), and the next open copies again.
 */
function moveAuditTables(conn: Database.Database): void {
  const objects = conn
    .prepare(`select type, name, sql from main.sqlite_master where tbl_name in (${AUDIT_TABLES.map(() => '?').join(', ')}) and sql is not null`)
    .all(...AUDIT_TABLES) as Array<{ type: string; name: string; sql: string }>;
  if (!objects.some((o) => o.type === 'table')) {
    // Already moved; then the audit file must hold them. A lost audit file is not silently begun anew.
    const held = conn.prepare(`select count(*) from ${AUDIT_SCHEMA}.sqlite_master where type = 'table' and name = 'audit'`).pluck().get();
    if (!held) {
      throw new StoreError('audit_file_missing', `The store's audit log ${auditFileOf(conn.name)} is missing or empty; restore it together with the store (docs/operations.md).`);
    }
    return;
  }
  const order = ['table', 'index', 'trigger'];
  objects.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
  conn.transaction(() => {
    for (const t of AUDIT_TABLES) conn.exec(`DROP TABLE IF EXISTS ${AUDIT_SCHEMA}.${t}`);
    for (const o of objects) conn.exec(o.sql.replace(/^CREATE (UNIQUE )?(TABLE|INDEX|TRIGGER) /i, `CREATE $1$2 ${AUDIT_SCHEMA}.`));
    for (const t of objects.filter((o) => o.type === 'table')) conn.exec(`INSERT INTO ${AUDIT_SCHEMA}.${t.name} SELECT * FROM main.${t.name}`);
  })();
  conn.transaction(() => {
    for (const t of objects.filter((o) => o.type === 'table')) conn.exec(`DROP TABLE main.${t.name}`);
  })();
}

/**
 * The point-read connection's page cache (MiB). At 1M persons the landlord
 * search read 73 pages a search from the operating system with SQLite's
 * 16 MiB, none with this (docs/benchmarks.md).
 */
const READER_CACHE_MB = 256;

/** Prepared statements kept per SQL text (most recently used; Kysely's driver prepares every query anew). */
const STATEMENT_CACHE = 500;

/**
 * The connection as Kysely's SQLite dialect sees it, with prepared statements
 * reused: preparing costs more than running many of the register's small
 * queries (measured in docs/benchmarks.md). Safe because the driver runs one
 * statement to completion before the next (no streaming queries here), and
 * SQLite re-prepares a statement by itself when the schema changes.
 */
function cachingStatements(conn: Database.Database): { prepare(sql: string): Database.Statement; close(): void } {
  const cache = new Map<string, Database.Statement>();
  return {
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (stmt) cache.delete(sql); // re-inserted below: the map's order is the use order
      else {
        stmt = conn.prepare(sql);
        if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, stmt);
      return stmt;
    },
    close: () => conn.close(),
  };
}

function openSqlite(file: string): Store {
  if (file === '' || file === ':memory:') {
    throw new StoreError('bad_location', 'The SQLite store needs a file path (readers use their own connection).');
  }
  const writer = new Database(file);
  // WAL: readers never block the writer; FULL: a commit is durable when it returns.
  writer.pragma('journal_mode = WAL');
  writer.pragma('synchronous = FULL');
  writer.pragma('busy_timeout = 5000');
  attachAuditFile(writer, file);
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: cachingStatements(writer) }) });
  // Point reads use their own connection, which sees only committed data even
  // while a write transaction on the writer is between awaits.
  let reader: Database.Database | undefined;
  const statements = new Map<string, Database.Statement>();
  let offThread: OffThreadWriter | undefined;
  const readerStatement = (text: string, raw: boolean) => {
    reader ??= openReader(file);
    const key = raw ? `raw:${text}` : text;
    let stmt = statements.get(key);
    if (!stmt) {
      stmt = reader.prepare(text);
      if (raw) stmt.raw(true);
      statements.set(key, stmt);
    }
    return stmt;
  };
  return {
    dialect: 'sqlite',
    location: file,
    db,
    prepare<R>(query: CompiledQuery<R>) {
      let stmt: Database.Statement | undefined; // prepared on first use (the reader opens lazily)
      // The array as one argument (better-sqlite3 binds it as the anonymous parameters): a spread call costs more than a point read's bind.
      return (params: readonly unknown[]) => (stmt ??= readerStatement(query.sql, false)).all(params) as R[];
    },
    prepareRaw(query: CompiledQuery) {
      let stmt: Database.Statement | undefined;
      return (params: readonly unknown[]) => (stmt ??= readerStatement(query.sql, true)).all(params) as unknown[][];
    },
    writeOffThread(write) {
      // A thread that died (its pending writes failed, fail closed) is replaced by the next write.
      if (!offThread || offThread.dead) {
        void offThread?.close(); // a dead writer's checkpoint thread
        offThread = new OffThreadWriter(auditFileOf(file));
      }
      return offThread.write(write);
    },
    afterMigrations: () => moveAuditTables(writer),
    async close() {
      reader?.close();
      await offThread?.close();
      await db.destroy();
    },
  };
}

/**
 * The thread of writeOffThread, as plain JavaScript so that it runs under
 * any loader (free variables: require, workerData, parentPort).
 */
const OFF_THREAD_WRITER = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const conn = new Database(workerData.file, { fileMustExist: true });
conn.pragma('busy_timeout = 5000');
conn.pragma('synchronous = FULL');
// A commit here never copies the log into the database (checkpoint): the checkpoint thread does.
conn.pragma('wal_autocheckpoint = 0');
const cache = new Map();
const stmt = (sql) => {
  let s = cache.get(sql);
  if (!s) cache.set(sql, (s = conn.prepare(sql)));
  return s;
};
const same = (a, b) => a === b || (a !== null && b !== null && a.length === b.length && a.every((x, i) => x === b[i]));
parentPort.on('message', (m) => {
  if (m === 'close') {
    conn.close();
    parentPort.close();
    return;
  }
  let open = false;
  try {
    conn.exec('BEGIN IMMEDIATE');
    open = true;
    const actual = stmt(m.check.sql).raw().get(...m.check.params) ?? null;
    if (!same(actual, m.check.expect)) {
      conn.exec('ROLLBACK');
      parentPort.postMessage({ written: false, actual });
      return;
    }
    for (const s of m.statements) stmt(s.sql).run(...s.params);
    conn.exec('COMMIT');
    open = false;
    parentPort.postMessage({ written: true });
  } catch (e) {
    if (open) try { conn.exec('ROLLBACK'); } catch {}
    parentPort.postMessage({ error: { message: String(e && e.message), code: e && e.code } });
  }
});
`;

/**
 * The checkpoint thread of an off-thread writer: copies the write-ahead log
 * into the database now and then (PASSIVE: never blocks a writer or a
 * reader), so that the writer's commits do not (SQLite would otherwise run a
 * checkpoint inside every commit that finds the log over 1,000 pages: a
 * disk-bound pause for the requests whose audit records are in it).
 */
const CHECKPOINTER = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const conn = new Database(workerData.file, { fileMustExist: true });
conn.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try { conn.pragma('wal_checkpoint(PASSIVE)'); } catch {}
}, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m !== 'close') return;
  clearInterval(timer);
  try { conn.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  conn.close();
  parentPort.close();
});
`;

/** How often the checkpoint thread copies the write-ahead log into the database. */
const CHECKPOINT_EVERY_MS = 1000;

const requireHere = createRequire(import.meta.url);

/** One transaction at a time, in order; the thread keeps the process alive only while one is pending. */
class OffThreadWriter {
  readonly #worker: Worker;
  readonly #waiting: Array<{ resolve: (r: OffThreadResult) => void; reject: (e: unknown) => void }> = [];
  #dead: unknown;

  get dead(): boolean {
    return this.#dead !== undefined;
  }

  readonly #checkpointer: Worker;
  readonly #checkpointerDone: Promise<unknown>;

  constructor(file: string) {
    const driver = requireHere.resolve('better-sqlite3');
    this.#worker = new Worker(OFF_THREAD_WRITER, { eval: true, workerData: { file, driver } });
    this.#worker.unref();
    this.#checkpointer = new Worker(CHECKPOINTER, { eval: true, workerData: { file, driver, everyMs: CHECKPOINT_EVERY_MS } });
    this.#checkpointer.unref();
    // Best effort: a failed checkpoint thread leaves the log to grow until the next writer checkpoints it.
    this.#checkpointer.on('error', () => undefined);
    this.#checkpointerDone = new Promise((resolve) => this.#checkpointer.once('exit', resolve));
    this.#worker.on('message', (r: OffThreadResult | { error: { message: string; code?: string } }) => {
      const w = this.#waiting.shift();
      if (this.#waiting.length === 0) this.#worker.unref();
      if (!w) return;
      if ('error' in r) w.reject(Object.assign(new StoreError(r.error.code ?? 'write_failed', r.error.message), { code: r.error.code }));
      else w.resolve(r);
    });
    const fail = (e: unknown) => {
      this.#dead ??= e;
      for (const w of this.#waiting.splice(0)) w.reject(e);
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new StoreError('writer_stopped', `The store's writer thread stopped (exit code ${code}).`)));
  }

  write(write: OffThreadWrite): Promise<OffThreadResult> {
    return new Promise((resolve, reject) => {
      if (this.#dead) return reject(this.#dead);
      this.#waiting.push({ resolve, reject });
      this.#worker.ref();
      this.#worker.postMessage(write);
    });
  }

  async close(): Promise<void> {
    this.#checkpointer.ref(); // until it has exited
    this.#checkpointer.postMessage('close');
    await this.#checkpointerDone;
    if (this.#dead) return;
    const exited = new Promise((resolve) => this.#worker.once('exit', resolve));
    this.#worker.ref(); // until it has exited
    this.#worker.postMessage('close');
    await exited;
  }
}

async function openPostgres(url: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle connection the server ends (a restart, an administrator, a dropped
  // database) is an 'error' event on the pool; unheard, it would crash the
  // process. The pool replaces the connection; queries in flight fail on their own.
  pool.on('error', (e: Error & { code?: string }) => {
    if (e.code !== '57P01') process.emitWarning(`PostgreSQL connection lost: ${e.message}`);
  });
  try {
    const c = await pool.connect();
    c.release();
  } catch (e) {
    await pool.end().catch(() => undefined);
    const reason = e instanceof Error ? e.message : String(e);
    throw new StoreError('store_unreachable', `Cannot connect to PostgreSQL at ${redact(url)}: ${reason}`);
  }
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (!name) {
      name = `q${names.size + 1}`;
      names.set(text, name);
    }
    return name;
  };
  return {
    dialect: 'postgres',
    location: redact(url),
    db,
    prepare<R>(query: CompiledQuery<R>) {
      const text = query.sql;
      const stmtName = nameOf(text);
      return async (params: readonly unknown[]) =>
        (await pool.query({ name: stmtName, text, values: params as unknown[] })).rows as R[];
    },
    prepareRaw(query: CompiledQuery) {
      const stmtName = nameOf(query.sql);
      const text = query.sql;
      return async (params: readonly unknown[]) =>
        (await pool.query({ name: stmtName, text, values: params as unknown[], rowMode: 'array' })).rows as unknown[][];
    },
    async rawTransaction(work) {
      const client = await pool.connect();
      // A connection whose rollback failed is in an unknown state: it leaves the pool.
      let broken = false;
      try {
        await client.query('begin');
        const result = await work(client);
        await client.query('commit');
        return result;
      } catch (e) {
        await client.query('rollback').catch(() => (broken = true));
        throw e;
      } finally {
        client.release(broken);
      }
    },
    async close() {
      await db.destroy();
    },
  };
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
