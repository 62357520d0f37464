/**
 * Opening a store: an SQLite file (the embedded default) or PostgreSQL
 * (selected by a postgres:// URL). Both are driven through one Kysely query
 * code base; the hot point reads also get a prepared-statement path.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { DB } from './schema.ts';
import { migrate } from './migrations/index.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  readonly dialect: Dialect;
  readonly location: string;
  readonly db: Kysely<DB>;
  /**
   * A query compiled once and run on a cached prepared statement with new
   * positional parameters. For hot point reads only: the query's parameters
   * must be exactly the ones passed, in order.
   */
  prepare<R>(query: CompiledQuery<R>): (params: readonly unknown[]) => Promise<R[]>;
  close(): Promise<void>;
}

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
  } catch (e) {
    await store.close();
    throw e;
  }
  return store;
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
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: writer }) });
  // Point reads use their own connection, which sees only committed data even
  // while a write transaction on the writer is between awaits.
  let reader: Database.Database | undefined;
  const statements = new Map<string, Database.Statement>();
  return {
    dialect: 'sqlite',
    location: file,
    db,
    prepare<R>(query: CompiledQuery<R>) {
      return async (params: readonly unknown[]) => {
        reader ??= new Database(file, { readonly: true, fileMustExist: true });
        let stmt = statements.get(query.sql);
        if (!stmt) {
          stmt = reader.prepare(query.sql);
          statements.set(query.sql, stmt);
        }
        return stmt.all(...params) as R[];
      };
    },
    async close() {
      reader?.close();
      await db.destroy();
    },
  };
}

async function openPostgres(url: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
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
  return {
    dialect: 'postgres',
    location: redact(url),
    db,
    prepare<R>(query: CompiledQuery<R>) {
      let name = names.get(query.sql);
      if (!name) {
        name = `q${names.size + 1}`;
        names.set(query.sql, name);
      }
      const text = query.sql;
      const stmtName = name;
      return async (params: readonly unknown[]) =>
        (await pool.query({ name: stmtName, text, values: params as unknown[] })).rows as R[];
    },
    async close() {
      await db.destroy();
    },
  };
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
