import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FixedClock } from '../../src/domain/clock.ts';
import { AddressRegister, sampleAddressFiles } from '../../src/reference/address-register.ts';
import { ReferenceDataError } from '../../src/reference/import.ts';
import { openStore, type Store } from '../../src/storage/store.ts';
import { createTestStore, STORE_KINDS, type TestStore } from '../support/stores.ts';

const sample = sampleAddressFiles();
const csvRows = (text: string) => text.trim().split(/\r?\n/).length - 1;

// Real DAR ids from the DAWA sample.
const BRYDEVEJ_11 = '0a3f507b-b8e7-32b8-e044-0003ba298018';
const BRYDEVEJ_11_UNIT = '0a3f50a3-8216-32b8-e044-0003ba298018';
const FYRREPARKEN_100 = '0a3f5089-2f1a-32b8-e044-0003ba298018';
const FYRREPARKEN_100_2_TV = '0a3f50b3-e201-32b8-e044-0003ba298018';
const MOELLEVEJEN_3_UNIT = '0a3f50ab-b8cc-32b8-e044-0003ba298018';

for (const kind of STORE_KINDS) {
  describe(`address register (${kind})`, () => {
    let ts: TestStore;
    let store: Store;
    const clock = new FixedClock('2026-06-01T10:00:00Z');
    let dar: AddressRegister;

    before(async () => {
      ts = await createTestStore(kind);
      store = await openStore(ts.location);
      dar = new AddressRegister(store, clock);
    });
    after(async () => {
      await store.close();
      await ts.drop();
    });

    test('imports the DAWA samples: every row, real ids with their fields', async () => {
      const s = await dar.importAddresses({ ...sample, source: 'sample' });
      assert.equal(s.houseNumbers.rows, csvRows(sample.houseNumbers.text));
      assert.equal(s.houseNumbers.inserted, 1320);
      assert.equal(s.unitAddresses.inserted, csvRows(sample.unitAddresses.text));
      assert.equal(s.unitAddresses.inserted, 2802);
      assert.equal(s.registeredAt, '2026-06-01T10:00:00.000Z');
      const stats = await dar.stats();
      assert.equal(stats.houseNumbers, 1320);
      assert.equal(stats.unitAddresses, 2802);

      const u = await dar.unit(BRYDEVEJ_11_UNIT);
      assert.ok(u);
      assert.equal(u.houseNumberId, BRYDEVEJ_11);
      assert.equal(u.floor, null);
      assert.equal(u.door, null);
      assert.equal(u.label, 'Brydevej 11, 2791 Dragør');
      const h = u.houseNumber;
      assert.deepEqual(
        [h.municipalityCode, h.roadCode, h.roadName, h.houseNumber, h.postalCode, h.postalDistrict, h.supplementaryTownName],
        ['0155', '0966', 'Brydevej', '11', '2791', 'Dragør', null],
      );
      assert.deepEqual(h.cadastre, { district: '10851', number: '99v' });
      assert.deepEqual(h.etrs89, { east: 728539.51, north: 6166990.96 });
      assert.deepEqual(h.wgs84, { lat: 55.5951174546889, lon: 12.6274358482054 });
      assert.equal(h.validFrom, '2000-02-05'); // DAWA "oprettet"
      assert.equal(u.validFrom, '2000-02-05'); // a unit without a date starts with its house number

      const m = await dar.unit(MOELLEVEJEN_3_UNIT);
      assert.equal(m?.label, 'Møllevejen 3, Hastrup, 4621 Gadstrup');
      const f = await dar.unit(FYRREPARKEN_100_2_TV.toUpperCase());
      assert.equal(f?.label, 'Fyrreparken 100, 2. tv, 5240 Odense NØ');
      assert.equal(await dar.unit('0a3f50a3-0000-32b8-e044-0003ba298018'), undefined);
      assert.equal(await dar.unit('not an id'), undefined);
      assert.equal(await dar.unit(BRYDEVEJ_11_UNIT, { on: '1999-12-31' }), undefined);
    });

    test('re-importing the same files changes nothing', async () => {
      const s = await dar.importAddresses(sample);
      assert.deepEqual([s.houseNumbers.inserted, s.houseNumbers.changed, s.houseNumbers.unchanged], [0, 0, 1320]);
      assert.deepEqual([s.unitAddresses.inserted, s.unitAddresses.changed, s.unitAddresses.unchanged], [0, 0, 2802]);
      assert.equal((await dar.stats()).versions, 1320 + 2802);
    });

    test('a house number with all its units, in floor and door order', async () => {
      const h = await dar.houseNumber(FYRREPARKEN_100);
      assert.ok(h);
      assert.equal(h.label, 'Fyrreparken 100, 5240 Odense NØ');
      assert.deepEqual(
        h.units.map((u) => `${u.floor} ${u.door}`),
        ['st tv', 'st th', '1 tv', '1 th', '2 tv', '2 th', '3 tv', '3 th'],
      );
      assert.ok(h.units.every((u) => u.houseNumberId === FYRREPARKEN_100));
    });

    test('lookup by postal address: case, spaces and dots do not matter', async () => {
      const all = await dar.findByPostalAddress({ roadName: '  FYRREPARKEN ', houseNumber: ' 100', postalCode: '5240' });
      assert.equal(all.length, 1);
      assert.equal(all[0]!.id, FYRREPARKEN_100);
      assert.equal(all[0]!.units.length, 8);
      const one = await dar.findByPostalAddress({ roadName: 'fyrreparken', houseNumber: '100', postalCode: '5240', floor: '2.', door: 'TV' });
      assert.deepEqual(one[0]!.units.map((u) => u.id), [FYRREPARKEN_100_2_TV]);
      const floor = await dar.findByPostalAddress({ roadName: 'Fyrreparken', houseNumber: '100', postalCode: '5240', floor: 'St.' });
      assert.equal(floor[0]!.units.length, 2);
      assert.deepEqual(await dar.findByPostalAddress({ roadName: 'Fyrreparken', houseNumber: '100', postalCode: '5000' }), []);
      const none = await dar.findByPostalAddress({ roadName: 'Fyrreparken', houseNumber: '100', postalCode: '5240', floor: '9', door: 'th' });
      assert.deepEqual(none[0]!.units, []);
    });

    test('lookup by municipality, road code and house number', async () => {
      const h = await dar.findByCodes({ municipalityCode: '155', roadCode: '966', houseNumber: '11' });
      assert.equal(h?.id, BRYDEVEJ_11);
      assert.deepEqual(h?.units.map((u) => u.id), [BRYDEVEJ_11_UNIT]);
      const u = await dar.findByCodes({ municipalityCode: '0461', roadCode: '2452', houseNumber: '100', floor: '3', door: 'th' });
      assert.equal(u?.units.length, 1);
      assert.equal(await dar.findByCodes({ municipalityCode: '0155', roadCode: '0966', houseNumber: '999' }), undefined);
    });

    test('type-ahead: roads by name prefix in a postal code or a municipality', async () => {
      const roads = await dar.searchRoads({ prefix: 'fyr', postalCode: '5240' });
      assert.deepEqual(roads.map((r) => r.roadName), ['Fyrreparken']);
      assert.ok(roads[0]!.houseNumbers >= 1);
      const dragoer = await dar.searchRoads({ prefix: 'B', municipalityCode: '0155', limit: 100 });
      assert.ok(dragoer.length > 0 && dragoer.every((r) => r.roadName.startsWith('B') && r.municipalityCode === '0155'));
      assert.deepEqual(await dar.searchRoads({ prefix: 'zzz', postalCode: '5240' }), []);
      await assert.rejects(dar.searchRoads({ prefix: 'a' }), ReferenceDataError);
    });

    test('a changed row becomes a new version; the old one stays for earlier dates and earlier knowledge', async () => {
      const before = clock.now().toISOString();
      clock.set('2026-07-01T08:00:00Z');
      const houses = sample.houseNumbers.text.replace(`${BRYDEVEJ_11},0155,0966,Brydevej,11,`, `${BRYDEVEJ_11},0155,0966,Brydevejen,11,`);
      const units = sample.unitAddresses.text.replace(
        `${FYRREPARKEN_100_2_TV},${FYRREPARKEN_100},0461,2452,Fyrreparken,Fyrreparken,100,2,tv`,
        `${FYRREPARKEN_100_2_TV},${FYRREPARKEN_100},0461,2452,Fyrreparken,Fyrreparken,100,2,mf`,
      ).replaceAll(',Brydevej,Brydevej,11,', ',Brydevejen,Brydevejen,11,');
      assert.notEqual(houses, sample.houseNumbers.text);
      assert.notEqual(units, sample.unitAddresses.text);
      const s = await dar.importAddresses({ houseNumbers: { text: houses, file: 'h.csv' }, unitAddresses: { text: units, file: 'u.csv' } });
      assert.deepEqual([s.houseNumbers.changed, s.houseNumbers.unchanged], [1, 1319]);
      assert.deepEqual([s.unitAddresses.changed, s.unitAddresses.unchanged], [1, 2801]);

      assert.equal((await dar.houseNumber(BRYDEVEJ_11))?.roadName, 'Brydevejen');
      assert.equal((await dar.houseNumber(BRYDEVEJ_11))?.validFrom, '2026-07-01');
      assert.equal((await dar.houseNumber(BRYDEVEJ_11, { on: '2026-06-30' }))?.roadName, 'Brydevej');
      assert.equal((await dar.houseNumber(BRYDEVEJ_11, { knownAt: before }))?.roadName, 'Brydevej');
      assert.equal((await dar.findByPostalAddress({ roadName: 'Brydevejen', houseNumber: '11', postalCode: '2791' })).length, 1);
      assert.equal((await dar.findByPostalAddress({ roadName: 'Brydevej', houseNumber: '11', postalCode: '2791' })).length, 0);
      assert.equal((await dar.findByPostalAddress({ roadName: 'Brydevej', houseNumber: '11', postalCode: '2791' }, { on: '2026-01-01' })).length, 1);
      assert.equal((await dar.unit(FYRREPARKEN_100_2_TV))?.door, 'mf');
      assert.equal((await dar.unit(FYRREPARKEN_100_2_TV, { on: '2026-06-30' }))?.door, 'tv');

      // Versions: the old one closed, its part before the change carried over, the new one added; the same file again adds none.
      const versions = await store.db.selectFrom('dar_husnummer').selectAll().where('id', '=', BRYDEVEJ_11).orderBy('version').execute();
      assert.deepEqual(
        versions.map((v) => [v.version, v.road_name, v.virkning_fra, v.virkning_til, v.registrering_til]),
        [
          [1, 'Brydevej', '2000-02-05', null, '2026-07-01T08:00:00.000Z'],
          [2, 'Brydevej', '2000-02-05', '2026-07-01', null],
          [3, 'Brydevejen', '2026-07-01', null, null],
        ],
      );
      const again = await dar.importAddresses({ houseNumbers: { text: houses, file: 'h.csv' }, unitAddresses: { text: units, file: 'u.csv' } });
      assert.equal(again.houseNumbers.unchanged + again.unitAddresses.unchanged, 1320 + 2802);
    });

    test('a bad line refuses the whole file with its line number; nothing is imported', async () => {
      const stats = await dar.stats();
      const head = sample.houseNumbers.text.split('\n')[0];
      const lines = [
        head,
        // a new house number and a changed one, both fine…
        '11111111-2222-4333-8444-555555555555,0155,0966,Nyvej,1,,2791,Dragør,,,,,,,2020-01-01',
        `${FYRREPARKEN_100},0461,2452,Fyrreparken,102,,5240,Odense NØ,,,,,,,`,
        // …and a bad one.
        '11111111-2222-4333-8444-555555555556,0155,0966,Nyvej,3 B,,2791,Dragør,,,,,,,',
        '11111111-2222-4333-8444-555555555557,0155,0966,Nyvej,abc,,2791,Dragør,,,,,,,',
      ];
      await assert.rejects(
        dar.importAddresses({ houseNumbers: { text: lines.join('\n'), file: 'bad.csv' } }),
        (e: unknown) => e instanceof ReferenceDataError && e.code === 'bad_line' && e.line === 5 && /^bad\.csv line 5: the house number "abc"/.test(e.message),
      );
      // A unit whose house number is nowhere: refused at its line, with the rows before it.
      const units = ['adresse_id,adgangsadresse_id,etage,doer', `11111111-2222-4333-8444-000000000001,${FYRREPARKEN_100},4,th`, '11111111-2222-4333-8444-000000000002,11111111-2222-4333-8444-999999999999,,'];
      await assert.rejects(
        dar.importAddresses({ unitAddresses: { text: units.join('\n'), file: 'u.csv' } }),
        (e: unknown) => e instanceof ReferenceDataError && e.code === 'unknown_address' && e.line === 3,
      );
      assert.deepEqual(await dar.stats(), stats);
      assert.equal(await dar.houseNumber('11111111-2222-4333-8444-555555555555'), undefined);
      assert.equal((await dar.houseNumber(FYRREPARKEN_100))?.houseNumber, '100');
      assert.equal(await dar.unit('11111111-2222-4333-8444-000000000001'), undefined);
    });

    test('a unit file alone adds units to known house numbers, and house numbers from its own columns', async () => {
      const head = sample.unitAddresses.text.split('\n')[0];
      const text = [
        head,
        `11111111-2222-4333-8444-000000000011,${FYRREPARKEN_100},0461,2452,Fyrreparken,Fyrreparken,100,4,th,,5240,Odense NØ`,
        '11111111-2222-4333-8444-000000000012,11111111-2222-4333-8444-aaaaaaaaaaaa,0155,0966,Brydevejen,Brydevejen,13,,,,2791,Dragør',
      ].join('\n');
      const s = await dar.importAddresses({ unitAddresses: { text, file: 'u.csv' } });
      assert.equal(s.unitAddresses.inserted, 2);
      assert.equal(s.houseNumbers.fromUnitFile, 1);
      assert.equal((await dar.houseNumber(FYRREPARKEN_100))?.units.length, 9);
      const h = await dar.houseNumber('11111111-2222-4333-8444-aaaaaaaaaaaa');
      assert.equal(h?.label, 'Brydevejen 13, 2791 Dragør');
      assert.equal(h?.validFrom, '2026-07-01');
      // Read from disk as the CLI would: the bundled files are the shared ones, unchanged.
      assert.equal(readFileSync(new URL('../../src/reference/data/dawa_adresser_sample_2015.csv', import.meta.url), 'utf8'), sample.unitAddresses.text);
    });
  });
}
