/**
 * What the bulk loader gained for synthetic populations: annulments in a
 * person's history (REG-3) and allocated numbers past a date's modulus-11
 * serials (COD-2), on both stores.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { candidatePnrs, mod11Sum } from '../../src/domain/pnr/pnr.ts';
import { bulkLoad, type PersonLoad } from '../../src/register/load.ts';
import { RegistrationError } from '../../src/register/validate.ts';
import { freshRegister, STORE_KINDS } from '../support/stores.ts';
import { sql } from 'kysely';
import { deferIndexes, DEFERRABLE_INDEXES } from '../../src/storage/deferred-indexes.ts';
import { openStore } from '../../src/storage/store.ts';

type Ctx = Awaited<ReturnType<typeof freshRegister>>;
const name = (lastName: string) => ({ firstNames: ['Anna'], middleNames: [], lastName });

for (const kind of STORE_KINDS) {
  describe(`bulk loader on ${kind}: annulments and listed no-mod-11 dates`, () => {
    let ctx: Ctx;
    before(async () => (ctx = await freshRegister(kind)));
    after(() => ctx.dispose());

    test('an annulment in a loaded history gives the same person as one registered a registration at a time', async () => {
      const [loaded, single] = [...candidatePnrs('1980-05-05', 'K')].slice(0, 2) as [string, string];
      const regs: PersonLoad['registrations'] = [
        { registeredAt: '1980-05-07T09:00:00.000Z', authority: '0101', eventCode: 'A14', changes: [{ group: 'name', validFrom: '1980-05-05', value: name('Holm') }, { group: 'status', validFrom: '1980-05-05', value: { code: '01' } }] },
        { registeredAt: '2001-03-01T09:00:00.000Z', authority: '0101', eventCode: 'A13', changes: [{ group: 'name', validFrom: '2001-03-01', value: name('Hansen') }] },
        { registeredAt: '2001-03-09T09:00:00.000Z', authority: '0101', eventCode: 'A17', annulsIndex: 1 },
      ];
      await bulkLoad(ctx.register, [{ pnr: loaded, source: 'allocated', registrations: regs }], { jobId: 'annul' });
      // The same through Register.register, with the clock at each registration time.
      await ctx.register.takeInPnr(single);
      const seqs: number[] = [];
      for (const r of regs) {
        ctx.clock.set(r.registeredAt);
        const done = await ctx.register.register({ pnr: single, authority: r.authority, eventCode: r.eventCode, ...(r.annulsIndex === undefined ? { changes: r.changes } : { annuls: seqs[r.annulsIndex]! }) });
        seqs.push(done.seq);
      }
      ctx.clock.set('2026-06-01T10:00:00Z');
      const a = await ctx.register.history(loaded);
      const b = await ctx.register.history(single);
      const strip = (h: typeof a) => h!.versions.map(({ s: _s, ...v }) => v).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
      assert.deepEqual(strip(a), strip(b));
      assert.equal(a!.registrations[2]!.annuls, a!.registrations[1]!.seq);
      const now = await ctx.register.person(loaded);
      assert.equal((now!.state.name as { value: { lastName: string } }).value.lastName, 'Holm', 'the annulled name change is gone');
      const then = await ctx.register.person(loaded, { validAt: '2002-01-01', knownAt: '2001-03-05T00:00:00.000Z' });
      assert.equal((then!.state.name as { value: { lastName: string } }).value.lastName, 'Hansen', 'as known before the annulment');
    });

    test('an annulment must name an earlier registration that is not itself an annulment', async () => {
      const [p] = [...candidatePnrs('1981-05-05', 'K')] as [string];
      const base = { registeredAt: '1990-01-01T09:00:00.000Z', authority: '0101', eventCode: 'A14', changes: [{ group: 'name', validFrom: '1981-05-05', value: name('Holm') }] };
      for (const [annulsIndex, code] of [[1, 'unknown_registration'], [5, 'unknown_registration']] as const) {
        await assert.rejects(
          bulkLoad(ctx.register, [{ pnr: p, source: 'allocated', registrations: [base, { registeredAt: '1990-02-01T09:00:00.000Z', authority: '0101', eventCode: 'A17', annulsIndex }] }], { jobId: `bad-${annulsIndex}` }),
          (e: unknown) => e instanceof RegistrationError && e.code === code,
        );
      }
      await assert.rejects(
        bulkLoad(ctx.register, [{ pnr: p, source: 'allocated', registrations: [base, { registeredAt: '1990-02-01T09:00:00.000Z', authority: '0101', eventCode: 'A17', annulsIndex: 0 }, { registeredAt: '1990-03-01T09:00:00.000Z', authority: '0101', eventCode: 'A17', annulsIndex: 1 }] }], { jobId: 'bad-chain' }),
        (e: unknown) => e instanceof RegistrationError && e.code === 'cannot_annul_annulment',
      );
      const n = await ctx.register.store.db.selectFrom('person_number').select('pnr').where('pnr', '=', p).executeTakeFirst();
      assert.equal(n, undefined, 'nothing of a refused batch is stored');
    });

    test('text with backslashes, tabs, line breaks and quotes is stored as given (COPY text format on PostgreSQL)', async () => {
      const [p] = [...candidatePnrs('1982-02-02', 'M')] as [string];
      const documentation = 'line 1\nline 2\r\n\tC:\\sager\\42 "citat" \\N æøå';
      const last = 'O\'Brien-Ærø';
      await bulkLoad(ctx.register, [{ pnr: p, source: 'allocated', registrations: [{ registeredAt: '1982-02-04T09:00:00.000Z', authority: '0101', eventCode: 'A14', documentation, changes: [{ group: 'name', validFrom: '1982-02-02', value: name(last) }] }] }], { jobId: 'text' });
      const h = await ctx.register.history(p);
      assert.equal(h!.registrations[0]!.documentation, documentation);
      assert.equal((h!.versions[0]!.v as { lastName: string }).lastName, last);
    });

    test('a batch that fails while being written leaves nothing of itself', async () => {
      const [a, b] = [...candidatePnrs('1983-03-03', 'K')].slice(0, 2) as [string, string];
      const person = (pnr: string): PersonLoad => ({ pnr, source: 'allocated', registrations: [{ registeredAt: '1983-03-05T09:00:00.000Z', authority: '0101', eventCode: 'A14', changes: [{ group: 'status', validFrom: '1983-03-03', value: { code: '01' } }] }] });
      await bulkLoad(ctx.register, [person(a)], { jobId: 'first' });
      const count = async () => Number((await ctx.register.store.db.selectFrom('registration').select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const before = await count();
      // b is new, a is there already: the number's primary key refuses the batch in the store, after b's rows were sent.
      await assert.rejects(bulkLoad(ctx.register, [person(b), person(a)], { jobId: 'second' }));
      assert.equal(await count(), before, 'no registration of the failed batch');
      assert.equal(await ctx.register.store.db.selectFrom('person_number').select('pnr').where('pnr', '=', b).executeTakeFirst(), undefined);
      const progress = await ctx.register.store.db.selectFrom('meta').select('value').where('key', '=', 'load:second').executeTakeFirst();
      assert.equal(progress, undefined, 'the job did not record progress');
    });

    test('deferred indexes: dropped during the load, built at its end, after a failure, and on opening a store a killed load left', async () => {
      const db = ctx.register.store.db;
      const indexes = async () =>
        (kind === 'sqlite'
          ? (await sql<{ name: string }>`select name from sqlite_master where type = 'index'`.execute(db)).rows
          : (await sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = current_schema()`.execute(db)).rows
        ).map((r) => r.name);
      const deferrable = (names: string[]) => DEFERRABLE_INDEXES.filter((x) => names.includes(x));
      assert.deepEqual(deferrable(await indexes()), [...DEFERRABLE_INDEXES]);
      const pnrs = [...candidatePnrs('1984-04-04', 'M')];
      const person = (pnr: string): PersonLoad => ({ pnr, source: 'allocated', registrations: [{ registeredAt: '1984-04-06T09:00:00.000Z', authority: '0101', eventCode: 'A14', changes: [{ group: 'status', validFrom: '1984-04-04', value: { code: '01' } }] }] });
      const built: string[] = [];
      await bulkLoad(ctx.register, [person(pnrs[0]!), person(pnrs[1]!)], { jobId: 'deferred', batchSize: 1, deferIndexes: true, onIndex: (name) => built.push(name) });
      assert.deepEqual([...built].sort(), [...DEFERRABLE_INDEXES].sort(), 'each dropped and built again');
      assert.deepEqual(deferrable(await indexes()), [...DEFERRABLE_INDEXES]);
      assert.equal((await ctx.register.person(pnrs[1]!))?.state.status !== undefined, true, 'the persons are there');
      // A failed load builds them too (a number loaded already).
      await assert.rejects(bulkLoad(ctx.register, [person(pnrs[0]!)], { jobId: 'deferred-3', deferIndexes: true }));
      assert.deepEqual(deferrable(await indexes()), [...DEFERRABLE_INDEXES]);
      // A load killed after dropping them: the next opening of the store builds them.
      await deferIndexes(db, kind);
      assert.deepEqual(deferrable(await indexes()), []);
      const again = await openStore(ctx.location);
      await again.close();
      assert.deepEqual(deferrable(await indexes()), [...DEFERRABLE_INDEXES]);
      assert.equal(await db.selectFrom('meta').select('value').where('key', '=', 'bulk-load.deferred-indexes').executeTakeFirst(), undefined);
    });

    test('an allocated number without the mod-11 check lists its date; an imported one is refused', async () => {
      const date = '1975-07-07';
      const noCheck = [...candidatePnrs(date, 'M')].find((x) => mod11Sum(x) !== 0)!;
      const person = (pnr: string, source: PersonLoad['source']): PersonLoad => ({
        pnr,
        source,
        registrations: [{ registeredAt: '1975-07-09T09:00:00.000Z', authority: '0101', eventCode: 'A14', changes: [{ group: 'status', validFrom: date, value: { code: '01' } }] }],
      });
      await assert.rejects(bulkLoad(ctx.register, [person(noCheck, 'imported')], { jobId: 'imported' }), (e: unknown) => e instanceof RegistrationError && e.code === 'pnr_suspicious');
      await bulkLoad(ctx.register, [person(noCheck, 'allocated')], { jobId: 'allocated' });
      const listed = await ctx.register.store.db.selectFrom('no_mod11_date').select('birth_date').where('birth_date', '=', date).execute();
      assert.equal(listed.length, 1);
      const row = await ctx.register.store.db.selectFrom('person_number').select('rule').where('pnr', '=', noCheck).executeTakeFirstOrThrow();
      assert.equal(row.rule, 'no_mod11_date');
      // Listed once even when later loads allocate more such numbers of the date.
      const another = [...candidatePnrs(date, 'M')].filter((x) => mod11Sum(x) !== 0)[1]!;
      await bulkLoad(ctx.register, [person(another, 'allocated')], { jobId: 'allocated-2' });
      const again = await ctx.register.store.db.selectFrom('no_mod11_date').select('birth_date').where('birth_date', '=', date).execute();
      assert.equal(again.length, 1);
    });
  });
}
