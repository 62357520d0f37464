import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { sql } from 'kysely';
import { AuditError, AuditLog, canonicalForm, GENESIS_HASH, legacyHash, type AuditEntry } from '../../src/access/audit.ts';
import { AuditKeyring } from '../../src/access/audit-key.ts';
import { addAuditCommands } from '../../src/cli/commands/audit.ts';
import { CliError } from '../../src/cli/errors.ts';
import { FixedClock } from '../../src/domain/clock.ts';
import { openStore, type Store } from '../../src/storage/store.ts';
import { createTestStore, STORE_KINDS } from '../support/stores.ts';

type Kind = (typeof STORE_KINDS)[number];

interface Fresh {
  store: Store;
  clock: FixedClock;
  audit: AuditLog;
  location: string;
  dispose(): Promise<void>;
}

/** A fresh store and log; with `ownKey`, a key file and checkpoint file of its own (not PostgreSQL's shared .opencpr/audit.key), for tests that change them. */
async function fresh(kind: Kind, ownKey = false): Promise<Fresh> {
  const ts = await createTestStore(kind);
  const store = await openStore(ts.location);
  const clock = new FixedClock('2026-03-15T09:00:00Z');
  const dir = ownKey ? mkdtempSync(join(tmpdir(), 'opencpr-key-')) : undefined;
  const audit = new AuditLog(store, clock, dir ? { keyFile: join(dir, 'audit.key'), checkpointFile: join(dir, 'audit.checkpoints') } : {});
  return {
    store,
    clock,
    audit,
    location: ts.location,
    async dispose() {
      await audit.close();
      await store.close();
      await ts.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Raw SQL, as an intruder with database access would use it. */
const raw = (store: Store, text: string) => sql.raw(text).execute(store.db);

/** Lifts the append-only triggers (an intruder with DDL rights can). */
async function unprotect(store: Store): Promise<void> {
  if (store.dialect === 'sqlite') {
    for (const t of ['audit_no_update', 'audit_no_delete', 'audit_subject_no_update', 'audit_subject_no_delete']) {
      await raw(store, `DROP TRIGGER ${t}`);
    }
  } else {
    await raw(store, 'ALTER TABLE audit DISABLE TRIGGER USER');
    await raw(store, 'ALTER TABLE audit_subject DISABLE TRIGGER USER');
  }
}

const pnrs = Array.from({ length: 30 }, (_, i) => String(101901000 + i).padStart(10, '0'));

async function fill(f: Fresh, n: number): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      f.audit.record({ actor: `usr_${i % 3}`, customer: i % 2 ? 'cus_a' : 'cus_b', action: 'person.lookup', subjects: [pnrs[i % pnrs.length]!] }),
    ),
  );
}

for (const kind of STORE_KINDS) {
  describe(`audit log (${kind})`, () => {
    let f: Fresh;
    before(async () => {
      f = await fresh(kind);
    });
    after(async () => {
      await f.dispose();
    });

    test('a lookup leaves a record with every field, indexed by subject', async () => {
      const entry: AuditEntry = {
        actor: 'prg_payroll',
        actorKind: 'program',
        customer: 'cus_kommune',
        action: 'person.lookup',
        subjects: ['0101901234', '0202902345'],
        legalBasis: '§38(1)',
        fields: ['name', 'address'],
        requestId: 'req-1',
        detail: { validAt: '2026-03-15' },
      };
      const answer = await f.audit.audited(entry, async () => ({ name: 'Jens' }));
      assert.deepEqual(answer, { name: 'Jens' });

      const [r] = (await f.audit.search('cus_kommune')).records;
      assert.ok(r);
      assert.equal(r.id, 1);
      assert.equal(r.at, '2026-03-15T09:00:00.000Z');
      assert.equal(r.customer, 'cus_kommune');
      assert.equal(r.actor, 'prg_payroll');
      assert.equal(r.actorKind, 'program');
      assert.equal(r.action, 'person.lookup');
      assert.deepEqual(r.subjects, ['0101901234', '0202902345']);
      assert.equal(r.legalBasis, '§38(1)');
      assert.deepEqual(r.fields, ['name', 'address']);
      assert.equal(r.requestId, 'req-1');
      assert.deepEqual(r.detail, { validAt: '2026-03-15' });
      assert.equal(r.prevHash, GENESIS_HASH);
      assert.match(r.hash, /^[0-9a-f]{64}$/);

      // Keyed: an HMAC with the keyring's current key, which the record names.
      const row = await f.store.db.selectFrom('audit').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
      const ring = AuditKeyring.open(f.audit.keyFile, { create: false, clock: f.clock });
      assert.equal(row.key_id, ring.currentId);
      assert.equal(ring.mac(row.key_id!, canonicalForm({ ...row, id: Number(row.id) })), row.hash);
      assert.notEqual(legacyHash({ ...row, id: Number(row.id) }), row.hash);
      const index = await f.store.db.selectFrom('audit_subject').selectAll().orderBy('subject').execute();
      assert.deepEqual(
        index.map((x) => [x.subject, Number(x.audit_id)]),
        [['0101901234', 1], ['0202902345', 1]],
      );

      // The entry may be computed from the answer; the CLI's old shape still works.
      const n = await f.audit.audited((xs: string[]) => ({ actor: 'usr_x', customer: 'cus_kommune', action: 'address.residents', subjects: xs }), async () => ['0303903456']);
      assert.deepEqual(n, ['0303903456']);
      await f.audit.record({ actor: 'cli:alice', action: 'log.read', subjects: [] });
      const [newest] = await f.audit.entries(1);
      assert.equal(newest?.actor, 'cli:alice');
      assert.equal(newest?.customer, null);
      assert.equal(newest?.actorKind, 'user');
    });

    test('bad entries are refused before anything is queued', async () => {
      await assert.rejects(f.audit.record({ actor: '', action: 'x', subjects: [] }), (e) => e instanceof AuditError && e.code === 'bad_entry');
      await assert.rejects(
        f.audit.record({ actor: 'a', action: 'x', subjects: ['p'], actorKind: 'robot' as never }),
        (e) => e instanceof AuditError && e.code === 'bad_entry',
      );
    });

    test('the log is append-only in the database', async () => {
      await assert.rejects(raw(f.store, "UPDATE audit SET actor = 'x' WHERE id = 1"), /append-only/);
      await assert.rejects(raw(f.store, 'DELETE FROM audit WHERE id = 1'), /append-only/);
      await assert.rejects(raw(f.store, 'DELETE FROM audit_subject'), /append-only/);
    });

    test('500 concurrent records land in a few transactions, resolve after commit, and chain', async () => {
      const before = f.audit.writeStats;
      const head = await f.audit.head();
      const done: number[] = [];
      await Promise.all(
        Array.from({ length: 500 }, (_, i) =>
          f.audit.record({ actor: `usr_${i % 7}`, customer: 'cus_burst', action: 'person.lookup', subjects: [pnrs[i % 30]!] }).then(() => done.push(i)),
        ),
      );
      const stats = f.audit.writeStats;
      assert.equal(done.length, 500);
      assert.equal(stats.records - before.records, 500);
      assert.ok(stats.transactions - before.transactions <= 3, `${stats.transactions - before.transactions} transactions`);
      const ids = (await f.store.db.selectFrom('audit').select('id').where('customer', '=', 'cus_burst').orderBy('id').execute()).map((x) => Number(x.id));
      assert.equal(ids.length, 500);
      assert.equal(ids[0], (head?.id ?? 0) + 1);
      assert.equal(ids[499], ids[0]! + 499);
      const v = await f.audit.verify();
      assert.equal(v.ok, true, JSON.stringify(v.firstBad));
      assert.equal(v.checked, (head?.id ?? 0) + 500);
      assert.equal(v.legacy, 0);
    });

    test('several writers (connections) on one store keep one linear chain', async () => {
      const other = await openStore(f.location);
      try {
        const a2 = new AuditLog(other, f.clock);
        const a3 = new AuditLog(f.store, f.clock, { maxDelayMs: 2 });
        const burst = (log: AuditLog, who: string) =>
          Array.from({ length: 150 }, (_, i) => log.record({ actor: who, customer: 'cus_multi', action: 'person.lookup', subjects: [pnrs[i % 30]!] }));
        await Promise.all([...burst(f.audit, 'w1'), ...burst(a2, 'w2'), ...burst(a3, 'w3'), ...burst(a2, 'w2b')]);
        const v = await f.audit.verify();
        assert.equal(v.ok, true, JSON.stringify(v.firstBad));
        const n = await f.store.db.selectFrom('audit').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
        assert.equal(v.checked, Number(n.n));
      } finally {
        await other.close();
      }
    });

    test('search: a customer sees only its own records; filters and paging', async () => {
      f.clock.set('2026-04-01T08:00:00Z');
      await f.audit.record({ actor: 'usr_a1', customer: 'cus_A', action: 'person.lookup', subjects: ['1111111111'] });
      await f.audit.record({ actor: 'usr_b1', customer: 'cus_B', action: 'person.lookup', subjects: ['2222222222'] });
      f.clock.set('2026-04-02T08:00:00Z');
      await Promise.all([
        f.audit.record({ actor: 'usr_a2', customer: 'cus_A', action: 'address.residents', subjects: ['addr-1'] }),
        f.audit.record({ actor: 'usr_a1', customer: 'cus_A', action: 'person.lookup', subjects: ['2222222222'] }),
        f.audit.record({ actor: 'usr_b1', customer: 'cus_B', action: 'person.lookup', subjects: ['1111111111'] }),
      ]);

      const all = (await f.audit.search('cus_A')).records;
      assert.equal(all.length, 3);
      assert.ok(all.every((r) => r.customer === 'cus_A'));
      assert.deepEqual((await f.audit.search('cus_A', { pnr: '2222222222' })).records.map((r) => r.actor), ['usr_a1']);
      assert.deepEqual((await f.audit.search('cus_B', { pnr: '2222222222' })).records.map((r) => r.actor), ['usr_b1']);
      assert.equal((await f.audit.search('cus_A', { actor: 'usr_b1' })).records.length, 0);
      assert.deepEqual((await f.audit.search('cus_A', { type: 'address.residents' })).records.map((r) => r.actor), ['usr_a2']);
      assert.equal((await f.audit.search('cus_A', { from: '2026-04-02' })).records.length, 2);
      assert.equal((await f.audit.search('cus_A', { to: '2026-04-01' })).records.length, 1);
      assert.equal((await f.audit.search('cus_A', { from: '2026-04-01T08:00:00.001Z', to: '2026-04-02T08:00:00Z' })).records.length, 2);
      assert.equal((await f.audit.search('cus_A', { from: '2026-05' })).records.length, 0);
      assert.equal((await f.audit.search('cus_nobody')).records.length, 0);
      await assert.rejects(f.audit.search(''), (e) => e instanceof AuditError && e.code === 'bad_filter');
      await assert.rejects(f.audit.search('cus_A', { from: 'yesterday' }), /from must be/);
      await assert.rejects(f.audit.search('cus_A', { cursor: 'nonsense' }), /cursor/);

      // Paging through the burst customer returns each record once, in order.
      const seen: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await f.audit.search('cus_burst', { limit: 64, ...(cursor ? { cursor } : {}) });
        seen.push(...page.records.map((r) => r.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.equal(seen.length, 500);
      assert.equal(new Set(seen).size, 500);
    });

    test('statistics: counts per month, actor and transaction type', async () => {
      const c = 'cus_stats';
      const at = async (t: string, actor: string, action: string, n: number) => {
        f.clock.set(t);
        await Promise.all(Array.from({ length: n }, () => f.audit.record({ actor, customer: c, action, subjects: ['0101900000'] })));
      };
      // The last and the first millisecond of the Danish months (CET, +1): months are Denmark's (issue 15).
      await at('2026-01-31T22:59:59.999Z', 'usr_1', 'person.lookup', 3);
      await at('2026-01-31T23:00:00.000Z', 'usr_1', 'person.lookup', 2);
      await at('2026-02-10T12:00:00Z', 'usr_1', 'address.residents', 1);
      await at('2026-02-11T12:00:00Z', 'usr_2', 'person.lookup', 4);
      await f.audit.record({ actor: 'usr_1', customer: 'cus_other', action: 'person.lookup', subjects: [] });

      // Two records that disclosed protected persons (§28): summed per month, user and type.
      f.clock.set('2026-02-12T12:00:00Z');
      await f.audit.record({ actor: 'usr_2', customer: c, action: 'person.lookup', subjects: ['0101900000', '0101900001'], detail: { protected: 2 } });
      await f.audit.record({ actor: 'usr_2', customer: c, action: 'person.lookup', subjects: ['0101900002'], detail: { protected: 1 } });

      assert.deepEqual(await f.audit.statistics(c), [
        { month: '2026-01', actor: 'usr_1', type: 'person.lookup', count: 3, protectedPersons: 0 },
        { month: '2026-02', actor: 'usr_1', type: 'address.residents', count: 1, protectedPersons: 0 },
        { month: '2026-02', actor: 'usr_1', type: 'person.lookup', count: 2, protectedPersons: 0 },
        { month: '2026-02', actor: 'usr_2', type: 'person.lookup', count: 6, protectedPersons: 3 },
      ]);
      assert.deepEqual(await f.audit.statistics(c, { from: '2026-02', to: '2026-02' }), [
        { month: '2026-02', actor: 'usr_1', type: 'address.residents', count: 1, protectedPersons: 0 },
        { month: '2026-02', actor: 'usr_1', type: 'person.lookup', count: 2, protectedPersons: 0 },
        { month: '2026-02', actor: 'usr_2', type: 'person.lookup', count: 6, protectedPersons: 3 },
      ]);
      assert.deepEqual(await f.audit.statistics(c, { to: '2026-01-31' }), [{ month: '2026-01', actor: 'usr_1', type: 'person.lookup', count: 3, protectedPersons: 0 }]);
    });

    test('lookupsOf: which customers looked a person up, and when', async () => {
      const p = '1212121212';
      f.clock.set('2026-06-01T10:00:00Z');
      await f.audit.record({ actor: 'usr_a1', customer: 'cus_A', action: 'person.lookup', subjects: [p, '1313131313'], legalBasis: '§38(1)' });
      f.clock.set('2026-06-02T10:00:00Z');
      await f.audit.record({ actor: 'usr_b1', customer: 'cus_B', action: 'person.lookup', subjects: [p] });
      f.clock.set('2026-06-03T10:00:00Z');
      await f.audit.record({ actor: 'cli:alice', action: 'person.history', subjects: [p, p] });
      await f.audit.record({ actor: 'usr_b1', customer: 'cus_B', action: 'person.lookup', subjects: ['1313131313'] });

      const l = await f.audit.lookupsOf(p);
      assert.deepEqual(
        l.map((x) => [x.customer, x.at, x.action, x.legalBasis]),
        [
          ['cus_A', '2026-06-01T10:00:00.000Z', 'person.lookup', '§38(1)'],
          ['cus_B', '2026-06-02T10:00:00.000Z', 'person.lookup', null],
          [null, '2026-06-03T10:00:00.000Z', 'person.history', null],
        ],
      );
      assert.deepEqual((await f.audit.lookupsOf(p, { from: '2026-06-02', to: '2026-06-02' })).map((x) => x.customer), ['cus_B']);
      assert.deepEqual(await f.audit.lookupsOf('9999999999'), []);
      assert.equal((await f.audit.verify()).ok, true);
    });
  });

  describe(`audit log tampering and failure (${kind})`, () => {
    test('an edited record is found by verify, with its id', async () => {
      const f = await fresh(kind);
      try {
        await fill(f, 20);
        assert.deepEqual(await f.audit.verify(), { ok: true, checked: 20, legacy: 0, checkpoint: { id: 20, at: '2026-03-15T09:00:00.000Z' } });
        await unprotect(f.store);
        await raw(f.store, "UPDATE audit SET actor = 'usr_innocent' WHERE id = 7");
        const v = await f.audit.verify();
        assert.equal(v.ok, false);
        assert.equal(v.firstBad?.id, 7);
        assert.equal(v.firstBad?.kind, 'edited');
        assert.match(v.firstBad!.reason, /edited/);
        assert.equal(v.checked, 6);
      } finally {
        await f.dispose();
      }
    });

    test('an edited record whose hash was recomputed without the key is found at that record', async () => {
      const f = await fresh(kind);
      try {
        await fill(f, 10);
        await unprotect(f.store);
        const row = await f.store.db.selectFrom('audit').selectAll().where('id', '=', 4).executeTakeFirstOrThrow();
        const forged = { ...row, id: Number(row.id), customer: 'cus_x' };
        await raw(f.store, `UPDATE audit SET customer = 'cus_x', hash = '${legacyHash(forged)}' WHERE id = 4`);
        const v = await f.audit.verify();
        assert.equal(v.firstBad?.id, 4);
        assert.equal(v.firstBad?.kind, 'edited');
      } finally {
        await f.dispose();
      }
    });

    test('a deleted record is found by verify, with its id; so are a reordered one and a dropped index row', async () => {
      const f = await fresh(kind);
      try {
        await fill(f, 20);
        await unprotect(f.store);
        await raw(f.store, 'DELETE FROM audit WHERE id = 12');
        let v = await f.audit.verify();
        assert.equal(v.ok, false);
        assert.equal(v.firstBad?.id, 12);
        assert.equal(v.firstBad?.kind, 'deleted');
        assert.match(v.firstBad!.reason, /missing/);
        assert.equal(v.checked, 11);

        // The first record deleted.
        await raw(f.store, 'DELETE FROM audit WHERE id = 1');
        assert.equal((await f.audit.verify()).firstBad?.id, 1);
      } finally {
        await f.dispose();
      }

      const g = await fresh(kind);
      try {
        await fill(g, 10);
        await unprotect(g.store);
        // Swap records 5 and 6 (content, hashes and all).
        await raw(g.store, 'UPDATE audit SET id = -5 WHERE id = 5');
        await raw(g.store, 'UPDATE audit SET id = 5 WHERE id = 6');
        await raw(g.store, 'UPDATE audit SET id = 6 WHERE id = -5');
        const v = await g.audit.verify();
        assert.equal(v.firstBad?.id, 5);
        assert.equal(v.firstBad?.kind, 'reordered');
        // Mid-swap, record 5 sits at id -5: seen, not skipped.
        await raw(g.store, 'UPDATE audit SET id = -5 WHERE id = 5');
        assert.deepEqual((await g.audit.verify()).firstBad && { id: -5, kind: 'inserted' }, { id: -5, kind: 'inserted' });
        await raw(g.store, 'UPDATE audit SET id = 5 WHERE id = -5');

        await raw(g.store, 'UPDATE audit SET id = -5 WHERE id = 5');
        await raw(g.store, 'UPDATE audit SET id = 5 WHERE id = 6');
        await raw(g.store, 'UPDATE audit SET id = 6 WHERE id = -5');
        assert.equal((await g.audit.verify()).ok, true);

        // Hiding a lookup from the person's own-data view (§46).
        await raw(g.store, 'DELETE FROM audit_subject WHERE audit_id = 8');
        let w = await g.audit.verify();
        assert.equal(w.firstBad?.id, 8);
        assert.equal(w.firstBad?.kind, 'index_mismatch');
        assert.match(w.firstBad!.reason, /audit_subject/);
        await raw(g.store, `INSERT INTO audit_subject (subject, audit_id) VALUES ('${pnrs[7]}', 8)`);
        assert.equal((await g.audit.verify()).ok, true);
        // Or adding one that never happened.
        await raw(g.store, `INSERT INTO audit_subject (subject, audit_id) VALUES ('0000000000', 9)`);
        w = await g.audit.verify();
        assert.equal(w.firstBad?.id, 9);
        await raw(g.store, `DELETE FROM audit_subject WHERE subject = '0000000000'`);
        await raw(g.store, `INSERT INTO audit_subject (subject, audit_id) VALUES ('0000000000', 99)`);
        w = await g.audit.verify();
        assert.equal(w.firstBad?.id, 99);
        assert.match(w.firstBad!.reason, /does not exist/);
      } finally {
        await g.dispose();
      }
    });

    test('a log cut short is found against an anchor too', async () => {
      const f = await fresh(kind);
      try {
        await fill(f, 10);
        const anchor = (await f.audit.head())!;
        assert.deepEqual(anchor.id, 10);
        assert.equal((await f.audit.verify({ anchor })).ok, true);
        await unprotect(f.store);
        await raw(f.store, 'DELETE FROM audit_subject WHERE audit_id >= 9');
        await raw(f.store, 'DELETE FROM audit WHERE id >= 9');
        const v = await f.audit.verify({ anchor });
        assert.equal(v.firstBad?.id, 10);
        assert.equal(v.firstBad?.kind, 'deleted_newest');
        assert.match(v.firstBad!.reason, /cut short/);
      } finally {
        await f.dispose();
      }
    });

    test('fail closed: when the record cannot be written, the caller gets an error, not the data', async () => {
      const f = await fresh(kind);
      try {
        await fill(f, 3);
        await raw(f.store, 'ALTER TABLE audit RENAME TO audit_away');
        let computed = false;
        const results = await Promise.allSettled([
          f.audit.audited({ actor: 'usr_1', customer: 'cus_A', action: 'person.lookup', subjects: ['0101901234'] }, async () => {
            computed = true;
            return { secret: 'the answer' };
          }),
          f.audit.record({ actor: 'usr_2', customer: 'cus_A', action: 'person.lookup', subjects: ['0101901235'] }),
        ]);
        assert.equal(computed, true);
        for (const r of results) {
          assert.equal(r.status, 'rejected');
          const e = (r as PromiseRejectedResult).reason;
          assert.ok(e instanceof AuditError && e.code === 'write_failed', String(e));
          assert.doesNotMatch(String(e.message), /the answer/);
        }
        assert.equal(f.audit.writeStats.failedTransactions, 1);
        await raw(f.store, 'ALTER TABLE audit_away RENAME TO audit');

        // Nothing of the failed batch was written; the log goes on intact.
        await f.audit.record({ actor: 'usr_3', customer: 'cus_A', action: 'person.lookup', subjects: [] });
        const v = await f.audit.verify();
        assert.equal(v.ok, true, JSON.stringify(v.firstBad));
        assert.equal(v.checked, 4);
        assert.equal((await f.audit.entries(1))[0]?.actor, 'usr_3');
        assert.equal((await f.audit.lookupsOf('0101901234')).length, 0);
      } finally {
        await f.dispose();
      }
    });

    test('CLI: audit verify, rotate-key, search and statistics', async () => {
      const f = await fresh(kind, true);
      try {
        await fill(f, 12);
        const run = async (...args: string[]) => {
          let out = '';
          let err = '';
          const io = { out: (s: string) => (out += s), err: (s: string) => (err += s) };
          const program = new Command('opencpr').exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
          let closed = 0;
          addAuditCommands(program, async () => ({ audit: f.audit, close: async () => void closed++ }), io);
          let error: unknown;
          try {
            await program.parseAsync(args, { from: 'user' });
          } catch (e) {
            error = e;
          }
          return { out, err, error, closed };
        };

        let r = await run('audit', 'verify');
        assert.equal(r.error, undefined);
        assert.match(r.out, /intact: 12 records, keyed hash chain verified; checkpoints agree, the newest vouching for record 12/);
        assert.equal(r.closed, 1);

        r = await run('audit', 'search', '--customer', 'cus_a', '--json');
        const page = JSON.parse(r.out);
        assert.equal(page.records.length, 6);
        assert.ok(page.records.every((x: { customer: string }) => x.customer === 'cus_a'));

        r = await run('audit', 'search', '--customer', 'cus_a', '--pnr', pnrs[1]!);
        assert.equal(r.out.trim().split('\n').length, 1);
        assert.match(r.out, /usr_1 \(user\)\s+person\.lookup/);

        r = await run('audit', 'search', '--customer', 'cus_a', '--limit', '4');
        assert.match(r.out, /More: add --cursor \S+/);

        r = await run('audit', 'statistics', '--customer', 'cus_b', '--json');
        assert.equal(JSON.parse(r.out).reduce((s: number, x: { count: number }) => s + x.count, 0), 6);

        r = await run('audit', 'search');
        assert.ok(r.error, 'missing --customer is an error');
        assert.match(r.err, /--customer/);

        // Rotation: a new current key; the records made with the old one still verify.
        r = await run('audit', 'rotate-key');
        assert.equal(r.error, undefined);
        assert.match(r.out, /New audit key k\d{8}-[0-9a-f]{6} is current in .*restart/);
        r = await run('audit', 'verify');
        assert.equal(r.error, undefined);
        const keyFile = f.audit.keyFile;
        const keys = readFileSync(keyFile, 'utf8');
        writeFileSync(keyFile, 'not a keyring');
        r = await run('audit', 'verify');
        assert.ok(r.error instanceof CliError, String(r.error));
        assert.match(r.error.message, /is not an OpenCPR audit keyring|cannot be read/);
        writeFileSync(keyFile, keys);

        await unprotect(f.store);
        await raw(f.store, 'DELETE FROM audit WHERE id = 5');
        r = await run('audit', 'verify');
        assert.ok(r.error instanceof CliError);
        assert.equal(r.error.exitCode, 1);
        assert.match(r.error.message, /tampered with \(deleted\) at record 5: record 5 is missing/);
        assert.equal(r.closed, 1);
        r = await run('audit', 'verify', '--json');
        assert.equal(JSON.parse(r.out).firstBad.kind, 'deleted');
        assert.equal((r.error as CliError).exitCode, 1);
      } finally {
        await f.dispose();
      }
    });
  });
}
