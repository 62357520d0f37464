/**
 * Runs a suite against each store: a real SQLite file and a real PostgreSQL
 * database (a fresh database per suite on the local server). PostgreSQL being
 * unreachable is a failure, not a skip.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { defaultAuditFiles } from '../../src/access/audit-key.ts';
import { FixedClock } from '../../src/domain/clock.ts';
import { Register } from '../../src/register/register.ts';
import { openStore } from '../../src/storage/store.ts';

export const PG_ADMIN_URL = process.env.OPENCPR_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestStore {
  kind: 'sqlite' | 'postgres';
  location: string;
  drop(): Promise<void>;
}

let counter = 0;

export async function createTestStore(kind: 'sqlite' | 'postgres'): Promise<TestStore> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'opencpr-test-'));
    return { kind, location: join(dir, 'register.db'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `opencpr_test_${process.pid}_${Date.now()}_${counter++}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  try {
    await admin.connect();
  } catch (e) {
    throw new Error(`PostgreSQL is not reachable at ${PG_ADMIN_URL} (start it: .ci/run does): ${(e as Error).message}`);
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    kind,
    location: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      // The database's audit checkpoints live outside it (in .opencpr/; the key there is shared and kept).
      rmSync(defaultAuditFiles(url.toString()).checkpointFile, { force: true });
    },
  };
}

export const STORE_KINDS = ['sqlite', 'postgres'] as const;

/** A register on a fresh store of the given kind with a clock the test moves. */
export async function freshRegister(kind: 'sqlite' | 'postgres', start = '2026-06-01T10:00:00Z') {
  const ts = await createTestStore(kind);
  const clock = new FixedClock(start);
  const register = new Register(await openStore(ts.location), clock);
  return {
    register,
    clock,
    location: ts.location,
    async dispose() {
      await register.close();
      await ts.drop();
    },
  };
}
