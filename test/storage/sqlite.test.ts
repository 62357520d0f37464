/**
 * The SQLite store's connections: statements Kysely runs are prepared once
 * per SQL text and reused, and the audit writer thread's commits leave the
 * checkpoint (copying the write-ahead log into the database) to a thread of
 * its own.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { AuditLog } from '../../src/access/audit.ts';
import { FixedClock } from '../../src/domain/clock.ts';
import { openStore, type Store } from '../../src/storage/store.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';

describe('SQLite store', () => {
  let ts: TestStore;
  let store: Store;
  before(async () => {
    ts = await createTestStore('sqlite');
    store = await openStore(ts.location);
  });
  after(async () => {
    await store.close();
    await ts.drop();
  });

  test('a reused statement sees a schema change, and more distinct statements than the cache holds all answer right', async () => {
    await sql`create table probe (a integer)`.execute(store.db);
    await store.db.insertInto('meta').values({ key: 'probe', value: '1' }).execute();
    const select = () => sql<Record<string, unknown>>`select * from probe`.execute(store.db);
    await sql`insert into probe (a) values (1)`.execute(store.db);
    assert.deepEqual((await select()).rows, [{ a: 1 }]);
    await sql`alter table probe add column b text default 'x'`.execute(store.db);
    assert.deepEqual((await select()).rows, [{ a: 1, b: 'x' }]);
    // 600 different texts (the cache keeps 500), each answering its own number, twice over.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 600; i++) {
        const r = await sql<{ n: number }>`select ${sql.raw(String(i))} as n, value from meta where key = 'probe'`.execute(store.db);
        assert.equal(r.rows[0]?.n, i);
      }
    }
  });

  test('audit records written by the writer thread reach the database file through the checkpoint thread', async () => {
    const audit = new AuditLog(store, new FixedClock('2026-06-01T10:00:00Z'));
    for (let i = 0; i < 3; i++) await audit.record({ actor: 'test', action: 'person.lookup', subjects: [`010101000${i}`] });
    // The database file alone (without its -wal file) shows what has been checkpointed.
    const dir = mkdtempSync(join(tmpdir(), 'opencpr-ckpt-'));
    try {
      let seen = 0;
      for (let attempt = 0; attempt < 30 && seen < 3; attempt++) {
        await new Promise((r) => setTimeout(r, 200));
        copyFileSync(ts.location, join(dir, 'copy.db'));
        const copy = new Database(join(dir, 'copy.db'), { readonly: true });
        try {
          seen = (copy.prepare("select count(*) as n from audit where actor = 'test'").get() as { n: number }).n;
        } catch {
          seen = 0; // not even the schema has been checkpointed yet
        } finally {
          copy.close();
        }
      }
      assert.equal(seen, 3, 'the three records are in the database file, not only in the write-ahead log');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
