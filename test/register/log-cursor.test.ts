/**
 * The log cursor (register/log-cursor.ts): followed while writers append,
 * a reader sees every committed registration exactly once, in seq order,
 * none skipped and none twice. On PostgreSQL the writers run concurrently,
 * some holding their transaction open after drawing their seq, some rolling
 * back, and a bulk load draws numbers for whole batches; SQLite has one
 * writer at a time, through the same cursor code.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { candidatePnrs } from '../../src/domain/pnr/pnr.ts';
import { bulkLoad, type PersonLoad } from '../../src/register/load.ts';
import { LogCursor } from '../../src/register/log-cursor.ts';
import { runProtectionLapses } from '../../src/services/registration/protection.ts';
import { atomically } from '../../src/services/registration/vital-atomic.ts';
import { freshRegister, STORE_KINDS } from '../support/stores.ts';

const grantProtectionChange = (pnr: string) => ({
  pnr,
  authority: '0101',
  eventCode: 'A33',
  changes: [{ group: 'protection' as const, key: '0001', validFrom: '2026-06-01', validTo: '2027-06-01', value: { type: '0001' } }],
});
type Ctx = Awaited<ReturnType<typeof freshRegister>>;
const name = (lastName: string) => ({ firstNames: ['Anna'], middleNames: [], lastName });

for (const kind of STORE_KINDS) {
  describe(`the log cursor on ${kind}`, () => {
    let ctx: Ctx;
    before(async () => (ctx = await freshRegister(kind)));
    after(() => ctx.dispose());

    test('a reader following the log while writers append sees every committed seq exactly once', async () => {
      const r = ctx.register;
      const db = r.store.db;
      const pnrs = [...candidatePnrs('1970-03-03', 'K')].slice(0, 8);
      for (const p of pnrs) await r.takeInPnr(p);
      const rename = (pnr: string, i: number) => ({ pnr, authority: '0101', eventCode: 'A13', changes: [{ group: 'name' as const, validFrom: '2026-01-01', value: name(`Navn${i}`) }] });

      // Writers, each on its own person (the register serialises writers of one person).
      let loading = true;
      const quick = async (pnr: string) => {
        // Yield to the event loop between registrations, so the loader (a thread on SQLite) gets its turns.
        for (let i = 0; i < 10 || loading; i++) {
          await r.register(rename(pnr, i));
          await sleep(1);
        }
      };
      // A transaction that draws its seq, then is held open a while before it commits (or, every third time, rolls back).
      const slow = async (pnr: string) => {
        for (let i = 0; i < 6; i++) {
          await atomically(r, async (inner) => {
            await inner.register(rename(pnr, i));
            await sleep(30 + ((i * 37) % 90));
            if (i % 3 === 2) throw new Error('rolled back');
          }).catch((e: Error) => assert.equal(e.message, 'rolled back'));
        }
      };
      // PostgreSQL: a bulk load in small batches, each drawing its numbers, then waiting for the previous batch to
      // commit. (On SQLite the loader's thread is the one writer while it runs: not a concurrent writer.)
      const loaded: PersonLoad[] = [...candidatePnrs('1960-04-04', 'M')].slice(0, 60).map((pnr) => ({
        pnr,
        source: 'allocated',
        registrations: [
          { registeredAt: '1990-01-01T09:00:00.000Z', authority: '0101', eventCode: 'A14', changes: [{ group: 'name', validFrom: '1960-04-04', value: name('Holm') }] },
          { registeredAt: '2000-01-01T09:00:00.000Z', authority: '0101', eventCode: 'A13', changes: [{ group: 'name', validFrom: '2000-01-01', value: name('Hansen') }] },
        ],
      }));
      const load = async () => {
        if (kind === 'postgres') await bulkLoad(r, loaded, { jobId: 'cursor-test', batchSize: 4 });
        loading = false;
      };

      let writing = true;
      const writers = Promise.all([quick(pnrs[0]!), quick(pnrs[1]!), quick(pnrs[2]!), slow(pnrs[3]!), slow(pnrs[4]!), slow(pnrs[5]!), load()]).finally(
        () => (writing = false),
      );

      const cursor = new LogCursor(r.store);
      const seen: number[] = [];
      let pos = 0;
      let stoppedShort = 0;
      const top = async () => Number((await db.selectFrom('registration').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst())?.m ?? 0);
      for (;;) {
        const h = await cursor.horizon(pos, 25);
        if (h.last > h.end) stoppedShort++;
        const rows = await db.selectFrom('registration').select('seq').where('seq', '>', pos).where('seq', '<=', h.end).orderBy('seq').execute();
        seen.push(...rows.map((x) => Number(x.seq)));
        pos = h.end;
        if (!writing && pos === (await top())) break;
        await sleep(1);
      }
      await writers;

      const committed = (await db.selectFrom('registration').select('seq').orderBy('seq').execute()).map((x) => Number(x.seq));
      assert.ok(committed.length >= 3 * 10 + 3 * 4 + (kind === 'postgres' ? 60 * 2 : 0), 'what the writers committed');
      assert.deepEqual(seen, committed, 'every committed seq, once each, in order');
      if (kind === 'postgres') assert.ok(stoppedShort > 0, 'the reader met registrations still in flight');
    });

    test('the protection watch does not step past a registration in flight (§28)', { skip: kind !== 'postgres' }, async () => {
      const r = ctx.register;
      const [held, other] = [...candidatePnrs('1975-06-06', 'K')].slice(0, 2) as [string, string];
      await r.takeInPnr(held);
      await r.takeInPnr(other);
      await runProtectionLapses(r);
      // A name-and-address protection's registration draws its seq and is held open; a later registration commits.
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let drawn!: () => void;
      const hasSeq = new Promise<void>((resolve) => (drawn = resolve));
      const writing = atomically(r, async (inner) => {
        await inner.register(grantProtectionChange(held));
        drawn();
        await gate;
      });
      await hasSeq;
      await r.register({ pnr: other, authority: '0101', eventCode: 'A13', changes: [{ group: 'name', validFrom: '2026-01-01', value: name('Lund') }] });
      await runProtectionLapses(r);
      release();
      await writing;
      await runProtectionLapses(r);
      const watched = await sql<{ pnr: string }>`select pnr from protection_watch where pnr = ${held}`.execute(r.store.db);
      assert.equal(watched.rows.length, 1, 'the late registration is read, not stepped over');
    });
  });
}
