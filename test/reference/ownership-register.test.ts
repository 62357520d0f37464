import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FixedClock } from '../../src/domain/clock.ts';
import { addDays } from '../../src/domain/dates.ts';
import { candidatePnrs } from '../../src/domain/pnr/pnr.ts';
import { AddressRegister, sampleAddressFiles } from '../../src/reference/address-register.ts';
import { syntheticCvr } from '../../src/reference/cvr.ts';
import { ReferenceDataError } from '../../src/reference/import.ts';
import { OwnershipRegister, toNdjson } from '../../src/reference/ownership-register.ts';
import { SYNTHETIC_COMPANIES } from '../../src/reference/synth.ts';
import { openStore, type Store } from '../../src/storage/store.ts';
import { createTestStore, STORE_KINDS, type TestStore } from '../support/stores.ts';

const BRYDEVEJ_11 = '0a3f507b-b8e7-32b8-e044-0003ba298018';
const BRYDEVEJ_11_UNIT = '0a3f50a3-8216-32b8-e044-0003ba298018';
const FYRREPARKEN_100 = '0a3f5089-2f1a-32b8-e044-0003ba298018';
const FYRREPARKEN_100_ST_TH = '0a3f50b3-e1fc-32b8-e044-0003ba298018';
const FYRREPARKEN_100_2_TV = '0a3f50b3-e201-32b8-e044-0003ba298018';

const X = syntheticCvr(100);
const Y = syntheticCvr(101);
const people = candidatePnrs('1975-04-12', 'K');
const P = people.next().value!;
const Q = people.next().value!;
const hyphen = (pnr: string) => `${pnr.slice(0, 6)}-${pnr.slice(6)}`;

const FILE1 = toNdjson([
  { type: 'property', bfe: 1001, kind: 'samlet_fast_ejendom', municipalityCode: '0461', validFrom: '2000-02-05' },
  { type: 'location', bfe: 1001, houseNumberId: FYRREPARKEN_100, validFrom: '2000-02-05' },
  { type: 'property', bfe: 1002, kind: 'ejerlejlighed', municipalityCode: '0461', validFrom: '2015-01-01' },
  { type: 'location', bfe: 1002, unitAddressId: FYRREPARKEN_100_2_TV, validFrom: '2015-01-01' },
  { type: 'property', bfe: 1003, kind: 'samlet_fast_ejendom', municipalityCode: '0155', validFrom: '1990-01-01' },
  { type: 'location', bfe: 1003, houseNumberId: BRYDEVEJ_11, validFrom: '1990-01-01' },
  { type: 'ownership', id: 'o1', bfe: 1001, cvr: X, name: 'Boligselskabet Syntetisk Test', acquired: '2010-05-01', ownerCode: '20' },
  { type: 'ownership', id: 'o2', bfe: 1002, cpr: hyphen(P), acquired: '2015-01-01' },
  { type: 'ownership', id: 'o3', bfe: 1003, cpr: P, share: '1/2', acquired: '2018-03-01' },
  { type: 'ownership', id: 'o4', bfe: 1003, cpr: Q, share: '1/2', acquired: '2018-03-01' },
]);

// The owner changes: X sells to Y on 2026-03-01 (registered on 2026-07-01).
const FILE2 = toNdjson([
  { type: 'ownership', id: 'o1', bfe: 1001, cvr: X, name: 'Boligselskabet Syntetisk Test', acquired: '2010-05-01', validTo: '2026-03-01', ownerCode: '20' },
  { type: 'ownership', id: 'o5', bfe: 1001, cvr: Y, name: 'Syntetisk Udlejning Test ApS', acquired: '2026-03-01', ownerCode: '30' },
]);

for (const kind of STORE_KINDS) {
  describe(`ownership register (${kind})`, () => {
    let ts: TestStore;
    let store: Store;
    const clock = new FixedClock('2026-06-01T10:00:00Z');
    let ejf: OwnershipRegister;

    before(async () => {
      ts = await createTestStore(kind);
      store = await openStore(ts.location);
      await new AddressRegister(store, clock).importAddresses(sampleAddressFiles());
      ejf = new OwnershipRegister(store, clock);
    });
    after(async () => {
      await store.close();
      await ts.drop();
    });

    test('imports properties, locations and ownerships; the same file again changes nothing', async () => {
      const s = await ejf.importOwnership({ text: FILE1, file: 'own.ndjson' });
      assert.deepEqual([s.properties.inserted, s.locations.inserted, s.ownerships.inserted], [3, 3, 4]);
      const again = await ejf.importOwnership({ text: FILE1, file: 'own.ndjson' });
      assert.deepEqual([again.properties.unchanged, again.locations.unchanged, again.ownerships.unchanged], [3, 3, 4]);
      assert.deepEqual([again.properties.inserted + again.properties.changed, again.ownerships.inserted + again.ownerships.changed], [0, 0]);
      const stats = await ejf.stats();
      assert.deepEqual([stats.properties, stats.locations, stats.ownerships, stats.owners], [3, 3, 4, 3]);
    });

    test('who owns BFE x on a date, and since when', async () => {
      const owners = await ejf.ownersOn(1001);
      assert.equal(owners.length, 1);
      assert.deepEqual(
        { kind: owners[0]!.kind, number: owners[0]!.number, name: owners[0]!.name, acquired: owners[0]!.acquired, share: owners[0]!.share, ownerCode: owners[0]!.ownerCode },
        { kind: 'cvr', number: X, name: 'Boligselskabet Syntetisk Test', acquired: '2010-05-01', share: { numerator: 1, denominator: 1 }, ownerCode: '20' },
      );
      assert.deepEqual(await ejf.ownersOn(1001, { on: '2010-04-30' }), []);
      const two = await ejf.ownersOn(1003);
      assert.deepEqual(two.map((o) => [o.number, o.share.numerator, o.share.denominator, o.acquired]).sort(), [[P, 1, 2, '2018-03-01'], [Q, 1, 2, '2018-03-01']].sort());
      assert.equal((await ejf.ownersOn(1002))[0]!.number, P); // stored without the hyphen
    });

    test('which property an address belongs to: a condominium unit its own, others their house number\'s', async () => {
      assert.deepEqual(await ejf.propertyOfAddress(FYRREPARKEN_100_2_TV), {
        bfe: 1002,
        kind: 'ejerlejlighed',
        municipalityCode: '0461',
        via: 'unit',
        houseNumberId: FYRREPARKEN_100,
        unitAddressId: FYRREPARKEN_100_2_TV,
      });
      const stTh = await ejf.propertyOfAddress(FYRREPARKEN_100_ST_TH);
      assert.deepEqual([stTh?.bfe, stTh?.via, stTh?.unitAddressId], [1001, 'house_number', null]);
      assert.equal((await ejf.propertyOfAddress(FYRREPARKEN_100))?.bfe, 1001);
      assert.equal((await ejf.propertyOfAddress(BRYDEVEJ_11_UNIT))?.bfe, 1003);
      // Before the condominium was made, the unit belonged to the house's property.
      assert.equal((await ejf.propertyOfAddress(FYRREPARKEN_100_2_TV, { on: '2014-12-31' }))?.bfe, 1001);
      assert.equal(await ejf.propertyOfAddress('0a3f50b3-0000-32b8-e044-0003ba298018'), undefined);
      assert.deepEqual((await ejf.propertiesOfHouseNumber(FYRREPARKEN_100)).map((p) => [p.bfe, p.via]), [[1001, 'house_number'], [1002, 'unit']]);

      const own = await ejf.ownershipOfAddress(FYRREPARKEN_100_2_TV);
      assert.deepEqual([own?.bfe, own?.owners.map((o) => o.number)], [1002, [P]]);
      const ownSt = await ejf.ownershipOfAddress(FYRREPARKEN_100_ST_TH);
      assert.deepEqual([ownSt?.bfe, ownSt?.owners.map((o) => [o.number, o.acquired])], [1001, [[X, '2010-05-01']]]);
    });

    test('how many dwellings an owner number owns on a date', async () => {
      assert.equal(await ejf.dwellingCount(X), 7); // Fyrreparken 100's 8 units less the condominium
      assert.equal(await ejf.dwellingCount(X, { on: '2014-12-31' }), 8);
      assert.equal(await ejf.dwellingCount(X, { on: '2010-04-30' }), 0);
      assert.equal(await ejf.dwellingCount(P), 2); // the condominium and (half of) Brydevej 11
      assert.equal(await ejf.dwellingCount(hyphen(P)), 2);
      assert.equal(await ejf.dwellingCount(Q), 1);
      assert.equal(await ejf.dwellingCount('12345674'), 0);
      assert.deepEqual((await ejf.propertiesOwned(P)).map((p) => [p.bfe, p.kind, `${p.share.numerator}/${p.share.denominator}`, p.acquired]), [
        [1002, 'ejerlejlighed', '1/1', '2015-01-01'],
        [1003, 'samlet_fast_ejendom', '1/2', '2018-03-01'],
      ]);
    });

    test('a change of owner: the earlier ownership ends, the new one starts; history and earlier knowledge kept', async () => {
      const before = clock.now().toISOString();
      clock.set('2026-07-01T09:00:00Z');
      const s = await ejf.importOwnership({ text: FILE2, file: 'change.ndjson' });
      assert.deepEqual([s.ownerships.changed, s.ownerships.inserted, s.ownerships.unchanged], [1, 1, 0]);
      const now = await ejf.ownersOn(1001);
      assert.deepEqual(now.map((o) => [o.number, o.acquired]), [[Y, '2026-03-01']]);
      assert.deepEqual((await ejf.ownersOn(1001, { on: '2026-02-28' })).map((o) => [o.number, o.validTo]), [[X, '2026-03-01']]);
      assert.deepEqual((await ejf.ownersOn(1001, { knownAt: before })).map((o) => o.number), [X]);
      assert.equal(await ejf.dwellingCount(X), 0);
      assert.equal(await ejf.dwellingCount(Y), 7);
      assert.equal(await ejf.dwellingCount(X, { on: '2026-02-28' }), 7);
      const own = await ejf.ownershipOfAddress(FYRREPARKEN_100_ST_TH);
      assert.deepEqual(own?.owners.map((o) => [o.number, o.acquired]), [[Y, '2026-03-01']]);
      const again = await ejf.importOwnership({ text: FILE2, file: 'change.ndjson' });
      assert.equal(again.ownerships.unchanged, 2);
    });

    test('a bad line refuses the whole file with its line number; nothing is imported', async () => {
      const stats = await ejf.stats();
      const good = [
        { type: 'property', bfe: 2001, validFrom: '2001-01-01' },
        { type: 'location', bfe: 2001, houseNumberId: BRYDEVEJ_11, validFrom: '2001-01-01' },
      ];
      const cases: [object, string, number, RegExp][] = [
        [{ type: 'ownership', bfe: 2001, cvr: '12345678', acquired: '2020-01-01' }, 'bad_line', 3, /not a CVR number/],
        [{ type: 'location', bfe: 2001, unitAddressId: '0a3f50b3-0000-32b8-e044-0003ba298018', validFrom: '2001-01-01' }, 'unknown_address', 3, /not in the address register/],
        [{ type: 'ownership', bfe: 2999, cvr: X, acquired: '2020-01-01' }, 'unknown_property', 3, /2999/],
      ];
      for (const [rec, code, line, why] of cases) {
        await assert.rejects(
          ejf.importOwnership({ text: toNdjson([...good, rec] as never), file: 'bad.ndjson' }),
          (e: unknown) => e instanceof ReferenceDataError && e.code === code && e.line === line && why.test(e.message) && e.message.startsWith(`bad.ndjson line ${line}: `),
        );
      }
      assert.deepEqual(await ejf.stats(), stats);
      assert.deepEqual(await ejf.ownersOn(2001), []);
      assert.equal((await ejf.propertyOfAddress(BRYDEVEJ_11_UNIT))?.bfe, 1003);
    });

    test('generating into a store with imported ownership data is refused', async () => {
      await assert.rejects(ejf.generate({ seed: 1 }), (e: unknown) => e instanceof ReferenceDataError && e.code === 'generated_elsewhere');
    });
  });

  describe(`synthetic ownership register (${kind})`, () => {
    let ts: TestStore;
    let store: Store;
    const clock = new FixedClock('2026-06-01T10:00:00Z');
    let ejf: OwnershipRegister;
    const pnrs = candidatePnrs('1968-09-30', 'M');
    const chosen = new Map<string, string>();
    const personOwners = (r: { bfe: number; role: string }) => {
      const k = `${r.bfe}:${r.role}`;
      if (!chosen.has(k)) chosen.set(k, pnrs.next().value!);
      return chosen.get(k);
    };

    before(async () => {
      ts = await createTestStore(kind);
      store = await openStore(ts.location);
      ejf = new OwnershipRegister(store, clock);
    });
    after(async () => {
      await store.close();
      await ts.drop();
    });

    test('needs the address register', async () => {
      await assert.rejects(ejf.generate({ seed: 5 }), (e: unknown) => e instanceof ReferenceDataError && e.code === 'no_addresses');
      await new AddressRegister(store, clock).importAddresses(sampleAddressFiles());
    });

    test('every house number gets a property; landlords own more than 10 dwellings, one small one does not', async () => {
      const g = await ejf.generate({ seed: 5, personOwners });
      assert.deepEqual(g.awaitingPersonOwner, []);
      assert.equal(g.today, '2026-06-01');
      const stats = await ejf.stats();
      assert.equal(stats.properties, g.summary!.properties.inserted);
      // Every unit address belongs to a property.
      const dar = new AddressRegister(store, clock);
      for (const id of [BRYDEVEJ_11_UNIT, FYRREPARKEN_100_2_TV, FYRREPARKEN_100_ST_TH]) {
        const o = await ejf.ownershipOfAddress(id);
        assert.ok(o, id);
        assert.ok(o.owners.length >= 1, `${id} has an owner`);
        assert.ok((await dar.unit(id))?.houseNumberId === o.houseNumberId);
      }
      let total = 0;
      for (const c of SYNTHETIC_COMPANIES) {
        const n = await ejf.dwellingCount(c.cvr);
        total += n;
        if (c.name === 'Syntetisk Mini Udlejning ApS') assert.ok(n >= 1 && n <= 10, `${c.name}: ${n}`);
        else if (c.kind !== 'small_landlord') assert.ok(n > 10, `${c.name}: ${n}`);
      }
      assert.ok(total > 1000 && total < 2802, `companies own ${total} of 2802 dwellings`);
    });

    test('recent acquisitions, with the earlier owner ending on the acquisition date', async () => {
      const recent = await store.db
        .selectFrom('ejf_ejerskab')
        .select(['bfe_number', 'owner_number', 'acquisition_date'])
        .where('registrering_til', 'is', null)
        .where('virkning_til', 'is', null)
        .where('acquisition_date', '>', addDays('2026-06-01', -365))
        .orderBy('bfe_number')
        .execute();
      assert.ok(recent.length >= 10, `${recent.length} recent acquisitions`);
      for (const r of recent.slice(0, 5)) {
        const bfe = Number(r.bfe_number);
        const now = await ejf.ownersOn(bfe);
        assert.ok(now.some((o) => o.number === r.owner_number && o.acquired === r.acquisition_date));
        const before = await ejf.ownersOn(bfe, { on: addDays(r.acquisition_date, -1) });
        assert.ok(before.length >= 1, `BFE ${bfe} had an owner before ${r.acquisition_date}`);
        assert.ok(before.every((o) => o.validTo === r.acquisition_date && o.number !== r.owner_number));
      }
    });

    test('the same seed again changes nothing, even on a later day; another seed is refused; a dry run writes nothing', async () => {
      clock.set('2026-09-15T10:00:00Z');
      const again = await ejf.generate({ seed: 5, personOwners });
      const s = again.summary!;
      assert.equal(again.today, '2026-06-01');
      assert.deepEqual([s.properties.inserted + s.properties.changed, s.locations.inserted + s.locations.changed, s.ownerships.inserted + s.ownerships.changed], [0, 0, 0]);
      await assert.rejects(ejf.generate({ seed: 6 }), (e: unknown) => e instanceof ReferenceDataError && e.code === 'generated_elsewhere');
      const before = await ejf.stats();
      const dry = await ejf.generate({ seed: 6, dryRun: true });
      assert.equal(dry.summary, null);
      assert.ok(dry.records.length > 0);
      assert.deepEqual((await ejf.stats()).ownerships, before.ownerships);
    });
  });
}
