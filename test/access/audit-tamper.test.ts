/**
 * Issue 14, finding 10: the audit chain cannot be rewritten unnoticed, with no
 * anchor kept by the operator. Each way of rewriting it, done as an intruder
 * with database (and DDL) rights but without the audit key would, is found by
 * `verify` and named by its kind.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { AuditLog, canonicalForm, GENESIS_HASH, legacyHash, type TamperKind, type VerifyResult } from '../../src/access/audit.ts';
import { AuditKeyring, defaultAuditFiles, rotateAuditKey } from '../../src/access/audit-key.ts';
import { FixedClock } from '../../src/domain/clock.ts';
import type { AuditTable } from '../../src/storage/schema.ts';
import { auditFileOf, openStore, type Store } from '../../src/storage/store.ts';
import { createTestStore, STORE_KINDS, type TestStore } from '../support/stores.ts';

type Kind = (typeof STORE_KINDS)[number];

interface Fresh {
  ts: TestStore;
  store: Store;
  clock: FixedClock;
  audit: AuditLog;
  dispose(): Promise<void>;
}

async function fresh(kind: Kind): Promise<Fresh> {
  const ts = await createTestStore(kind);
  const f: Fresh = {
    ts,
    store: await openStore(ts.location),
    clock: new FixedClock('2026-03-15T09:00:00Z'),
    audit: undefined as unknown as AuditLog, // set below
    async dispose() {
      await f.audit.close();
      await f.store.close();
      await ts.drop();
    },
  };
  f.audit = new AuditLog(f.store, f.clock);
  return f;
}

const raw = (store: Store, text: string) => sql.raw(text).execute(store.db);

async function unprotect(store: Store): Promise<void> {
  if (store.dialect === 'sqlite') {
    for (const t of ['audit_no_update', 'audit_no_delete', 'audit_subject_no_update', 'audit_subject_no_delete']) await raw(store, `DROP TRIGGER ${t}`);
  } else {
    await raw(store, 'ALTER TABLE audit DISABLE TRIGGER USER');
    await raw(store, 'ALTER TABLE audit_subject DISABLE TRIGGER USER');
  }
}

const pnr = (i: number) => String(101901000 + (i % 30)).padStart(10, '0');

/** `n` records in one batch: its commit is checkpointed before the records resolve. */
async function fill(f: Fresh, n: number): Promise<void> {
  await Promise.all(Array.from({ length: n }, (_, i) => f.audit.record({ actor: `usr_${i % 3}`, customer: 'cus_a', action: 'person.lookup', subjects: [pnr(i)] })));
}

async function rows(store: Store, fromId = 1): Promise<AuditTable[]> {
  return (await store.db.selectFrom('audit').selectAll().where('id', '>=', fromId).orderBy('id').execute()).map((r) => ({ ...r, id: Number(r.id) }));
}

/** Rewrites records (by id) with new hashes, as an intruder re-chaining after an edit would. */
async function rewrite(store: Store, changed: AuditTable[]): Promise<void> {
  for (const r of changed) {
    const q = (v: string | null) => (v === null ? 'NULL' : `'${v.replaceAll("'", "''")}'`);
    await raw(store, `UPDATE audit SET actor = ${q(r.actor)}, prev_hash = ${q(r.prev_hash)}, hash = ${q(r.hash)}, key_id = ${q(r.key_id)} WHERE id = ${r.id}`);
  }
}

/** Edits record `from` and recomputes the chain from there on with `hashOf` (the intruder's best try). */
async function rechain(store: Store, from: number, hashOf: (r: AuditTable) => Pick<AuditTable, 'hash' | 'key_id'>): Promise<void> {
  const all = await rows(store);
  let prev = from === 1 ? GENESIS_HASH : all[from - 2]!.hash;
  const out: AuditTable[] = [];
  for (const r of all.slice(from - 1)) {
    const edited = { ...r, actor: r.id === from ? 'usr_innocent' : r.actor, prev_hash: prev };
    const h = hashOf(edited);
    out.push({ ...edited, ...h });
    prev = h.hash;
  }
  await rewrite(store, out);
}

function found(v: VerifyResult, kind: TamperKind, id?: number): void {
  assert.equal(v.ok, false, 'verify must find the tampering');
  assert.equal(v.firstBad?.kind, kind, JSON.stringify(v.firstBad));
  if (id !== undefined) assert.equal(v.firstBad?.id, id, JSON.stringify(v.firstBad));
}

for (const kind of STORE_KINDS) {
  describe(`audit chain without an anchor (${kind})`, () => {
    let f: Fresh;
    before(async () => {
      f = await fresh(kind);
      await fill(f, 20);
      await unprotect(f.store);
    });
    after(async () => {
      await f.dispose();
    });

    test('intact: every record keyed, checkpointed at the first commit', async () => {
      const v = await f.audit.verify();
      assert.deepEqual(v, { ok: true, checked: 20, legacy: 0, checkpoint: { id: 20, at: '2026-03-15T09:00:00.000Z' } });
      const lines = readFileSync(f.audit.checkpointFile, 'utf8').trim().split('\n');
      assert.equal(lines.length, 1);
      assert.equal(JSON.parse(lines[0]!).id, 20);
    });

    test('edit: one record changed', async () => {
      const [r] = await rows(f.store, 7);
      await raw(f.store, "UPDATE audit SET actor = 'usr_innocent' WHERE id = 7");
      found(await f.audit.verify(), 'edited', 7);
      await raw(f.store, `UPDATE audit SET actor = '${r!.actor}' WHERE id = 7`);
      assert.equal((await f.audit.verify()).ok, true);
    });

    test('re-chain after an edit, without the key: as legacy SHA-256 records, or with a guessed key', async () => {
      const before = await rows(f.store);
      await rechain(f.store, 7, (r) => ({ key_id: null, hash: legacyHash(r) }));
      found(await f.audit.verify(), 'rechained', 7);
      await rewrite(f.store, before);

      const guess = randomBytes(32);
      await rechain(f.store, 7, (r) => ({ key_id: r.key_id, hash: createHmac('sha256', guess).update(canonicalForm(r)).digest('hex') }));
      found(await f.audit.verify(), 'rechained', 7);
      await rewrite(f.store, before);

      // The whole log recomputed as legacy records: the chain holds, the checkpoint does not.
      await rechain(f.store, 1, (r) => ({ key_id: null, hash: legacyHash(r) }));
      found(await f.audit.verify(), 'rechained', 20);
      await rewrite(f.store, before);
      assert.equal((await f.audit.verify()).ok, true);
    });

    test('reorder: two records swapped, hashes and all', async () => {
      await raw(f.store, 'UPDATE audit SET id = -5 WHERE id = 5');
      await raw(f.store, 'UPDATE audit SET id = 5 WHERE id = 6');
      await raw(f.store, 'UPDATE audit SET id = 6 WHERE id = -5');
      found(await f.audit.verify(), 'reordered', 5);
      await raw(f.store, 'UPDATE audit SET id = -5 WHERE id = 5');
      await raw(f.store, 'UPDATE audit SET id = 5 WHERE id = 6');
      await raw(f.store, 'UPDATE audit SET id = 6 WHERE id = -5');
      assert.equal((await f.audit.verify()).ok, true);
    });

    test('a record of another keyring (or a key file that is not the writers\') is an unknown key', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'opencpr-key-'));
      try {
        const other = new AuditLog(f.store, f.clock, { keyFile: join(dir, 'k'), checkpointFile: f.audit.checkpointFile });
        found(await other.verify(), 'unknown_key', 1);
        assert.match((await other.verify()).firstBad!.reason, /not hold/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe(`audit chain: the newest records and the whole log (${kind})`, () => {
    test('delete newest: records after the last checkpointed one gone', async () => {
      const f = await fresh(kind);
      try {
        await fill(f, 20);
        await unprotect(f.store);
        await raw(f.store, 'DELETE FROM audit_subject WHERE audit_id >= 18');
        await raw(f.store, 'DELETE FROM audit WHERE id >= 18');
        const v = await f.audit.verify();
        found(v, 'deleted_newest', 18);
        assert.match(v.firstBad!.reason, /ends at record 17.*vouches for record 20/);
      } finally {
        await f.dispose();
      }
    });

    test('truncate: the log cut back, and the service writes on over the cut', async () => {
      const f = await fresh(kind);
      try {
        await fill(f, 20);
        await unprotect(f.store);
        await raw(f.store, 'DELETE FROM audit_subject WHERE audit_id >= 15');
        await raw(f.store, 'DELETE FROM audit WHERE id >= 15');
        await fill(f, 10); // 15..24, keyed and well chained to record 14
        assert.equal((await f.audit.head())?.id, 24);
        const v = await f.audit.verify();
        found(v, 'truncated', 20);
        assert.match(v.firstBad!.reason, /cut back/);
      } finally {
        await f.dispose();
      }
    });

    test('empty: every record deleted', async () => {
      const f = await fresh(kind);
      try {
        await fill(f, 20);
        await unprotect(f.store);
        if (kind === 'postgres') await raw(f.store, 'TRUNCATE audit, audit_subject');
        else {
          await raw(f.store, 'DELETE FROM audit_subject');
          await raw(f.store, 'DELETE FROM audit');
        }
        found(await f.audit.verify(), 'emptied');
      } finally {
        await f.dispose();
      }
    });

    test('empty: no checkpoints, but the register holds registrations', async () => {
      const f = await fresh(kind);
      try {
        assert.equal((await f.audit.verify()).ok, true, 'a new store: nothing to vouch for');
        await raw(
          f.store,
          `INSERT INTO registration (pnr, registered_at, authority, event_code, documentation, late, changes)
           VALUES ('0101901234', '2026-03-01T10:00:00.000Z', 'test', 'T1', NULL, 0, '[]')`,
        );
        const v = await f.audit.verify();
        found(v, 'emptied');
        assert.match(v.firstBad!.reason, /registrations/);
      } finally {
        await f.dispose();
      }
    });

    test('the checkpoint file deleted, or a checkpoint edited', async () => {
      const f = await fresh(kind);
      try {
        await fill(f, 5);
        const file = f.audit.checkpointFile;
        const line = readFileSync(file, 'utf8');
        const cp = JSON.parse(line) as { id: number };
        writeFileSync(file, JSON.stringify({ ...cp, id: 3 }) + '\n');
        found(await f.audit.verify(), 'bad_checkpoint_signature', 3);
        rmSync(file);
        found(await f.audit.verify(), 'checkpoints_missing');
        writeFileSync(file, line + '{"torn":'); // a line being written is not read
        assert.equal((await f.audit.verify()).ok, true);
      } finally {
        await f.dispose();
      }
    });

    test('checkpoints on a schedule while records are written, and on close', async () => {
      const f = await fresh(kind);
      try {
        const audit = new AuditLog(f.store, f.clock, { checkpointEveryMs: 500 });
        await audit.record({ actor: 'u', action: 'person.lookup', subjects: [] }); // 1: the first commit, checkpointed at once
        await audit.record({ actor: 'u', action: 'person.lookup', subjects: [] });
        await audit.record({ actor: 'u', action: 'person.lookup', subjects: [] });
        const ids = () => readFileSync(f.audit.checkpointFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l).id as number);
        assert.deepEqual(ids(), [1]);
        await new Promise((r) => setTimeout(r, 700));
        assert.deepEqual(ids(), [1, 3], 'one checkpoint per interval, of the newest record');
        await audit.record({ actor: 'u', action: 'person.lookup', subjects: [] });
        await audit.close();
        assert.deepEqual(ids(), [1, 3, 4]);
        await audit.close();
        assert.deepEqual(ids(), [1, 3, 4], 'nothing new: no second checkpoint');
        assert.equal(audit.writeStats.checkpoints, 3);
      } finally {
        await f.dispose();
      }
    });

    test('legacy (v1, unkeyed) records keep verifying, reported as such; keyed records chain on to them', async () => {
      const f = await fresh(kind);
      try {
        let prev = GENESIS_HASH;
        for (let id = 1; id <= 3; id++) {
          const r = { id, at: '2025-01-01T00:00:00.000Z', customer: null, actor: 'old', actor_kind: 'user', action: 'person.lookup', subjects: '[]', legal_basis: null, fields: null, request_id: null, detail: null, prev_hash: prev };
          const hash = legacyHash(r);
          await f.store.db.insertInto('audit').values({ ...r, hash, key_id: null }).execute();
          prev = hash;
        }
        let v = await f.audit.verify();
        assert.deepEqual(v, { ok: true, checked: 3, legacy: 3 }, 'an old store, not written since: no checkpoint needed');
        await fill(f, 4);
        v = await f.audit.verify();
        assert.deepEqual(v, { ok: true, checked: 7, legacy: 3, checkpoint: { id: 7, at: '2026-03-15T09:00:00.000Z' } });
        // A legacy record after keyed ones is a re-chain without the key.
        await unprotect(f.store);
        const [r7] = await rows(f.store, 7);
        await rewrite(f.store, [{ ...r7!, key_id: null, hash: legacyHash(r7!) }]);
        found(await f.audit.verify(), 'rechained', 7);
      } finally {
        await f.dispose();
      }
    });

    test('key rotation: new records with the new key, the old ones still verify', async () => {
      const f = await fresh(kind);
      const dir = mkdtempSync(join(tmpdir(), 'opencpr-key-'));
      try {
        const keyFile = join(dir, 'audit.key');
        const checkpointFile = join(dir, 'audit.checkpoints');
        const a1 = new AuditLog(f.store, f.clock, { keyFile, checkpointFile });
        await a1.record({ actor: 'u', action: 'person.lookup', subjects: [] });
        await a1.close();
        if (process.platform !== 'win32') assert.equal(statSync(keyFile).mode & 0o777, 0o600, 'the key file is made private');
        const first = AuditKeyring.open(keyFile, { create: false, clock: f.clock }).currentId;
        const second = rotateAuditKey(keyFile, f.clock);
        assert.notEqual(second, first);
        const a2 = new AuditLog(f.store, f.clock, { keyFile, checkpointFile });
        await a2.record({ actor: 'u', action: 'person.lookup', subjects: [] });
        await a2.close();
        assert.deepEqual((await rows(f.store)).map((r) => r.key_id), [first, second]);
        assert.deepEqual(await a2.verify(), { ok: true, checked: 2, legacy: 0, checkpoint: { id: 2, at: '2026-03-15T09:00:00.000Z' } });
      } finally {
        rmSync(dir, { recursive: true, force: true });
        await f.dispose();
      }
    });
  });
}

describe('audit chain: an empty audit file swapped in (sqlite)', () => {
  test('the store opens, and verify says the log was emptied', async () => {
    const a = await createTestStore('sqlite');
    const b = await createTestStore('sqlite');
    try {
      let store = await openStore(a.location);
      let audit = new AuditLog(store, new FixedClock('2026-03-15T09:00:00Z'));
      await Promise.all(Array.from({ length: 10 }, () => audit.record({ actor: 'u', action: 'person.lookup', subjects: ['0101901234'] })));
      await audit.close();
      await store.close();
      await (await openStore(b.location)).close(); // a new store's audit file: the tables, no records
      for (const ext of ['-wal', '-shm']) rmSync(auditFileOf(a.location) + ext, { force: true });
      copyFileSync(auditFileOf(b.location), auditFileOf(a.location));

      store = await openStore(a.location);
      audit = new AuditLog(store, new FixedClock('2026-03-15T09:00:00Z'));
      try {
        assert.equal(existsSync(defaultAuditFiles(a.location).checkpointFile), true);
        found(await audit.verify(), 'emptied');
      } finally {
        await store.close();
      }
    } finally {
      await a.drop();
      await b.drop();
    }
  });
});
