/**
 * The versions stored as rows (migration 0013): the store's filtering of an
 * as-of lookup answers exactly what the pure definition (versionsAsOf) does,
 * at every boundary; batch reads give the same versions; and a store with
 * the earlier one-JSON-per-person format is converted by the migration.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration } from 'kysely';
import Database from 'better-sqlite3';
import pg from 'pg';
import { FixedClock } from '../../src/domain/clock.ts';
import { addDays } from '../../src/domain/dates.ts';
import { candidatePnrs } from '../../src/domain/pnr/pnr.ts';
import { applyChanges, stateOf, versionsAsOf, type FactChange, type Version } from '../../src/register/bitemporal.ts';
import { Register } from '../../src/register/register.ts';
import m0001 from '../../src/storage/migrations/0001_register.ts';
import { openStore } from '../../src/storage/store.ts';
import { versionRange } from '../../src/storage/tables/versions.ts';
import { createTestStore, freshRegister, STORE_KINDS } from '../support/stores.ts';

const address = (id: string, road: string) => ({
  municipalityCode: '0461',
  roadCode: '1234',
  roadName: road,
  houseNumber: '1',
  postalCode: '5000',
  postalDistrict: 'Odense C',
  addressId: `0a3f50a0-22ce-32b8-e044-0003ba2980${id}`,
  accessAddressId: `0a3f507b-c905-32b8-e044-0003ba2980${id}`,
});

/** Every date and instant at which something changes, and a step either side of it. */
function boundaries(versions: Version[]): { dates: string[]; instants: string[] } {
  const dates = new Set<string>(['1900-01-01', '2100-01-01']);
  const instants = new Set<string>(['1900-01-01T00:00:00.000Z', '2100-01-01T00:00:00.000Z']);
  for (const v of versions) {
    for (const d of [v.vf, v.vt]) if (d) for (const x of [addDays(d, -1), d, addDays(d, 1)]) dates.add(x);
    for (const t of [v.rf, v.rt]) {
      if (!t) continue;
      const ms = Date.parse(t);
      for (const x of [ms - 1, ms, ms + 1]) instants.add(new Date(x).toISOString());
    }
  }
  return { dates: [...dates].sort(), instants: [...instants].sort() };
}

for (const kind of STORE_KINDS) {
  describe(`versions as rows on ${kind}`, () => {
    let ctx: Awaited<ReturnType<typeof freshRegister>>;
    let pnr: string;
    let neighbour: string;
    before(async () => {
      ctx = await freshRegister(kind, '2020-01-10T09:00:00Z');
      const r = ctx.register;
      pnr = await r.allocatePnr('1985-07-14', 'K');
      // A person whose number is next to pnr's, so their key ranges are adjacent.
      neighbour = await r.allocatePnr('1985-07-14', 'K');
      for (const p of [pnr, neighbour]) {
        await r.register({
          pnr: p,
          authority: '0461',
          eventCode: 'A01',
          changes: [
            { group: 'name', validFrom: '1985-07-20', value: { firstNames: ['Mette'], middleNames: [], lastName: p === pnr ? 'Jensen' : 'Nabo' } },
            { group: 'address', validFrom: '2010-01-01', value: address('01', 'Vestergade') },
            { group: 'status', validFrom: '1985-07-14', value: { code: '01' } },
            { group: 'protection', validFrom: '2020-01-01', validTo: '2021-01-01', value: { type: '0001' } },
          ],
        });
      }
      ctx.clock.set('2020-06-01T12:00:00Z');
      const move = await r.register({ pnr, authority: '0461', eventCode: 'A01', changes: [{ group: 'address', validFrom: '2020-05-01', value: address('02', 'Nørregade') }] });
      ctx.clock.set('2020-07-01T12:00:00Z');
      // A late-registered earlier move, a correction of the name, and an annulment of the first move.
      await r.register({ pnr, authority: '0461', eventCode: 'A01', late: true, changes: [{ group: 'address', validFrom: '2015-03-01', value: address('03', 'Algade') }] });
      await r.register({ pnr, authority: '0461', eventCode: 'A09', changes: [{ group: 'name', validFrom: '1985-07-20', value: { firstNames: ['Mette'], middleNames: ['Holm'], lastName: 'Jensen' } }] });
      ctx.clock.set('2020-08-01T12:00:00Z');
      await r.register({ pnr, authority: '0461', eventCode: 'A10', annuls: move.seq });
    });
    after(async () => ctx.dispose());

    test('an as-of lookup gives exactly versionsAsOf of the history, at every boundary of V and R', async () => {
      const h = await ctx.register.history(pnr);
      assert.ok(h && h.versions.some((v) => v.rt !== null), 'the history has superseded versions');
      const { dates, instants } = boundaries(h.versions);
      let nonEmpty = 0;
      for (const validAt of dates) {
        for (const knownAt of instants) {
          const view = await ctx.register.person(pnr, { validAt, knownAt });
          const expected = stateOf(versionsAsOf(h.versions, validAt, knownAt));
          assert.deepEqual(view?.state, expected, `valid at ${validAt}, known at ${knownAt}`);
          if (Object.keys(expected).length) nonEmpty++;
        }
      }
      assert.ok(nonEmpty > 100, 'most of the grid sees facts');
      // Known before the person was registered: a person without facts, not "no person".
      assert.deepEqual((await ctx.register.person(pnr, { knownAt: '2019-01-01T00:00:00.000Z' }))?.state, {});
    });

    test('the neighbouring number\'s versions stay apart', async () => {
      const a = await ctx.register.history(pnr);
      const b = await ctx.register.history(neighbour);
      assert.equal(versionRange(neighbour)[0] - versionRange(pnr)[0], Math.abs(Number(neighbour) - Number(pnr)) * 65536);
      assert.ok(b!.versions.every((v) => v.s !== a!.registrations.at(-1)!.seq));
      const view = await ctx.register.person(neighbour, { validAt: '2020-06-01' });
      assert.equal((view!.state.name as { value: { lastName: string } }).value.lastName, 'Nabo');
    });

    test('persons() answers a batch as person() answers each, current (also past a stale state) and as-of', async () => {
      const unknown = candidatePnrs('1970-01-01', 'M').next().value as string;
      const asked = [neighbour, 'not a number', pnr, unknown, pnr];
      const each = async (asOf = {}) => Promise.all(asked.map((p) => ctx.register.person(p, asOf)));
      assert.deepEqual(await ctx.register.persons(asked), await each());
      const asOf = { validAt: '2016-01-01', knownAt: '2020-06-15T00:00:00.000Z' };
      assert.deepEqual(await ctx.register.persons(asked, asOf), await each(asOf));
      // The protection ended 2021-01-01: the stored current state of 2020 is stale a year on.
      ctx.clock.set('2021-06-01T12:00:00Z');
      const batch = await ctx.register.persons(asked);
      assert.deepEqual(batch, await each());
      assert.equal(batch[2]!.state.protection, undefined, 'the lapsed protection is not current');
      assert.equal(batch[1], null);
      assert.equal(batch[3], null);
    });

    test('versionsOf reads many persons at once, the same versions as history', async () => {
      const unknown = candidatePnrs('1970-01-01', 'M').next().value as string;
      const m = await ctx.register.versionsOf([pnr, unknown, neighbour]);
      assert.deepEqual([...m.keys()].sort(), [pnr, neighbour].sort());
      assert.deepEqual(m.get(pnr), (await ctx.register.history(pnr))!.versions);
      assert.deepEqual(m.get(neighbour), (await ctx.register.history(neighbour))!.versions);
    });
  });

  test(`migration 0013 converts one-JSON-per-person histories (${kind})`, async () => {
    const ts = await createTestStore(kind);
    try {
      // A store as it was before 0013: only the register's own migration, and a history in the old format.
      const db =
        kind === 'sqlite'
          ? new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(ts.location) }) }) // eslint-disable-line @typescript-eslint/no-explicit-any -- the old schema has no type
          : new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: ts.location, max: 1 }) }) }); // eslint-disable-line @typescript-eslint/no-explicit-any
      const old: Record<string, Migration> = { '0001_register': m0001(kind) };
      const { error } = await new Migrator({ db, provider: { getMigrations: async () => old } }).migrateToLatest();
      assert.equal(error, undefined);
      const pnrs = [...candidatePnrs('1990-02-03', 'M')].slice(0, 3);
      const expected = new Map<string, Version[]>();
      let seq = 0;
      for (const [i, pnr] of pnrs.entries()) {
        const changes: FactChange[] = [
          { group: 'name', key: '', validFrom: '1990-02-03', validTo: null, value: { firstNames: ['Å'], middleNames: [], lastName: `Ø${i}` } },
          { group: 'status', key: '', validFrom: '1990-02-03', validTo: null, value: { code: '01' } },
        ];
        let versions = applyChanges([], changes, '2000-01-01T00:00:00.000Z', ++seq);
        const later: FactChange[] = [{ group: 'name', key: '', validFrom: '2001-01-01', validTo: null, value: { firstNames: ['Å'], middleNames: [], lastName: `Nyt${i}` } }];
        versions = applyChanges(versions, later, '2001-02-01T00:00:00.000Z', ++seq);
        expected.set(pnr, versions);
        await db.insertInto('person_number').values({ pnr, birth_date: '1990-02-03', sex: 'M', rule: 'mod11', source: 'imported', created_at: '2000-01-01T00:00:00.000Z' }).execute();
        for (const [registered_at, c] of [['2000-01-01T00:00:00.000Z', changes], ['2001-02-01T00:00:00.000Z', later]] as const) {
          await db.insertInto('registration').values({ pnr, registered_at, authority: '0461', event_code: 'A01', late: 0, annuls: null, changes: JSON.stringify(c) }).execute();
        }
        await db
          .insertInto('person_history')
          .values({ pnr, versions: JSON.stringify(versions), last_seq: seq, last_registered_at: '2001-02-01T00:00:00.000Z' })
          .execute();
      }
      await db.destroy();

      const register = new Register(await openStore(ts.location), new FixedClock('2026-01-01T00:00:00Z'));
      try {
        for (const pnr of pnrs) {
          assert.deepEqual((await register.history(pnr))?.versions, expected.get(pnr), pnr);
          const before = await register.person(pnr, { validAt: '2005-01-01', knownAt: '2000-06-01T00:00:00.000Z' });
          assert.match((before!.state.name as { value: { lastName: string } }).value.lastName, /^Ø\d$/);
        }
        const cols = await register.store.db.introspection.getTables();
        const history = cols.find((t) => t.name === 'person_history');
        assert.deepEqual(history?.columns.map((c) => c.name).sort(), ['last_registered_at', 'last_seq', 'pnr'], 'the JSON column is gone');
        // The converted store takes new registrations on top of the converted history.
        await register.register({ pnr: pnrs[0]!, authority: '0461', eventCode: 'A21', changes: [{ group: 'status', validFrom: '2025-01-01', value: { code: '90' } }] });
        const now = await register.person(pnrs[0]!);
        assert.equal((now!.state.status as { value: { code: string } }).value.code, '90');
        assert.equal((await register.history(pnrs[0]!))!.versions.length, expected.get(pnrs[0]!)!.length + 2);
      } finally {
        await register.close();
      }
    } finally {
      await ts.drop();
    }
  });
}
