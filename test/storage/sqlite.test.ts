/**
 * The SQLite store's connections: statements Kysely runs are prepared once
 * per SQL text and reused, and the audit writer thread's commits leave the
 * checkpoint (copying the write-ahead log into the database) to a thread of
 * its own; the audit log lives in a file of its own, and a store whose
 * audit tables are in the register's file (made before that) has them moved.
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
import { auditFileOf, openStore, type Store } from '../../src/storage/store.ts';
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
    // The audit file alone (without its -wal file) shows what has been checkpointed.
    const dir = mkdtempSync(join(tmpdir(), 'opencpr-ckpt-'));
    try {
      let seen = 0;
      for (let attempt = 0; attempt < 30 && seen < 3; attempt++) {
        await new Promise((r) => setTimeout(r, 200));
        copyFileSync(auditFileOf(ts.location), join(dir, 'copy.db'));
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

  test('the audit tables are in the audit file, and a commit there leaves the register file as it was', async () => {
    const audit = new AuditLog(store, new FixedClock('2026-06-01T10:00:00Z'));
    await audit.record({ actor: 'file-test', action: 'person.lookup', subjects: ['0101010001'] });
    const main = new Database(ts.location, { readonly: true });
    const own = new Database(auditFileOf(ts.location), { readonly: true });
    try {
      const tables = (c: Database.Database) => (c.prepare("select name from sqlite_master where type = 'table'").pluck().all() as string[]).filter((n) => n.startsWith('audit'));
      assert.deepEqual(tables(main), []);
      assert.deepEqual(tables(own).sort(), ['audit', 'audit_subject']);
      assert.equal(own.prepare("select count(*) from audit where actor = 'file-test'").pluck().get(), 1);
      // The register's file did not change (data_version: what makes a connection drop its page cache),
      // while the audit file's did.
      const version = (c: Database.Database) => c.pragma('data_version', { simple: true });
      const [mainBefore, ownBefore] = [version(main), version(own)];
      await audit.record({ actor: 'file-test', action: 'person.lookup', subjects: ['0101010002'] });
      assert.equal(version(main), mainBefore);
      assert.notEqual(version(own), ownBefore);
    } finally {
      main.close();
      own.close();
    }
  });
});

/** A closed store at `location` whose audit log holds one record by `actor`. */
async function storeWithOneRecord(location: string, actor: string): Promise<void> {
  const store = await openStore(location);
  await new AuditLog(store, new FixedClock('2026-06-01T10:00:00Z')).record({ actor, action: 'person.lookup', subjects: ['0101010001'] });
  await store.close();
}

describe('SQLite store made before the audit file', () => {
  test('its audit tables move into the audit file with their rows, indexes and append-only triggers', async () => {
    const ts = await createTestStore('sqlite');
    try {
      // A store as the earlier code left it: the audit tables (and a record) in the register's file.
      await storeWithOneRecord(ts.location, 'old');
      const old = new Database(ts.location);
      old.exec(`ATTACH DATABASE '${auditFileOf(ts.location)}' AS a`);
      for (const o of old.prepare("select type, name, sql from a.sqlite_master where sql is not null order by type = 'table' desc").all() as Array<{ type: string; name: string; sql: string }>) {
        old.exec(o.sql);
      }
      for (const t of ['audit', 'audit_subject']) old.exec(`insert into main.${t} select * from a.${t}; drop table a.${t}`);
      old.close();

      const store = await openStore(ts.location);
      try {
        const main = new Database(ts.location, { readonly: true });
        const inMain = main.prepare("select count(*) from sqlite_master where tbl_name like 'audit%'").pluck().get();
        main.close();
        assert.equal(inMain, 0);
        const audit = new AuditLog(store, new FixedClock('2026-06-01T11:00:00Z'));
        await audit.record({ actor: 'new', action: 'person.lookup', subjects: ['0101010002'] });
        const rows = await store.db.selectFrom('audit').select(['id', 'actor']).orderBy('id').execute();
        assert.deepEqual(rows.map((r) => [Number(r.id), r.actor]), [[1, 'old'], [2, 'new']]);
        assert.equal((await audit.verify()).ok, true);
        await assert.rejects(sql`delete from audit`.execute(store.db), /append-only/);
        const own = new Database(auditFileOf(ts.location), { readonly: true });
        const indexes = own.prepare("select name from sqlite_master where type in ('index', 'trigger') and sql is not null order by name").pluck().all();
        own.close();
        assert.deepEqual(indexes, ['audit_customer_at', 'audit_no_delete', 'audit_no_update', 'audit_subject_no_delete', 'audit_subject_no_update']);
      } finally {
        await store.close();
      }
    } finally {
      await ts.drop();
    }
  });
});

describe('SQLite store without its audit file', () => {
  test('is not opened: a lost audit log is not begun anew', async () => {
    const ts = await createTestStore('sqlite');
    try {
      await storeWithOneRecord(ts.location, 'x');
      for (const x of ['', '-wal', '-shm']) rmSync(auditFileOf(ts.location) + x, { force: true });
      await assert.rejects(openStore(ts.location), (e: Error & { code?: string }) => e.code === 'audit_file_missing' && /restore it/.test(e.message));
    } finally {
      await ts.drop();
    }
  });
});
