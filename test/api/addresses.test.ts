/**
 * Address type-ahead over HTTP (issue 7): roads by prefix (with and without
 * postal code), house numbers of a road, unit addresses with DAR ids; the
 * answers agree with the bundled DAWA sample read independently here; roles;
 * clear errors for bad queries; no person in any answer. SQLite and PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { STORE_KINDS } from '../support/stores.ts';
import { setup } from '../registration/moves/support.ts';

/** The sample's house numbers, read straight from the CSV (no quoted commas in these columns). */
function sampleHouses(): Array<{ id: string; municipalityCode: string; roadCode: string; roadName: string; houseNumber: string; postalCode: string }> {
  const text = readFileSync(new URL('../../src/reference/data/dawa_adgangsadresser_sample_2015.csv', import.meta.url), 'utf8');
  const [head, ...lines] = text.trim().split(/\r?\n/);
  const cols = head!.split(',');
  const at = (name: string) => cols.indexOf(name);
  return lines.map((l) => {
    const f = l.split(',');
    return { id: f[at('adgangsadresse_id')]!, municipalityCode: f[at('kommunekode')]!, roadCode: f[at('vejkode')]!, roadName: f[at('vejnavn')]!, houseNumber: f[at('husnr')]!, postalCode: f[at('postnr')]! };
  });
}

for (const kind of STORE_KINDS) {
  describe(`address type-ahead (${kind})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    let landlord: string;
    let citizen: string;
    const houses = sampleHouses();
    before(async () => {
      t = await setup(kind);
      landlord = (await t.customerWithKey({ id: 'udlejer', name: 'Udlejer A/S', kind: 'landlord', number: '12345678' }, { roles: ['landlord'] })).key;
      citizen = (await t.customerWithKey({ id: 'borger', name: 'Borger.dk', kind: 'citizen' }, { roles: ['own_data'], pnr: '0101801234' })).key;
    });
    after(async () => t.dispose());

    test('roads by name prefix across postal codes, then in one postal code', async () => {
      const r = await t.call('GET', '/api/v1/addresses?road=br', { key: landlord });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.kind, 'roads');
      const expected = new Set(houses.filter((h) => h.roadName.toLowerCase().startsWith('br')).map((h) => `${h.roadName}|${h.postalCode}`));
      assert.ok(expected.size > 1);
      assert.deepEqual(new Set(r.json.roads.map((x: { roadName: string; postalCode: string }) => `${x.roadName}|${x.postalCode}`)), expected);
      const brydevej = r.json.roads.find((x: { roadName: string }) => x.roadName === 'Brydevej');
      assert.equal(brydevej.houseNumbers, houses.filter((h) => h.roadName === 'Brydevej').length);
      const names = r.json.roads.map((x: { roadName: string }) => x.roadName);
      assert.deepEqual(names, [...names].sort((a: string, b: string) => a.localeCompare(b, 'da')), 'by name, æ after z as in Danish');

      const inPostal = await t.call('GET', '/api/v1/addresses?road=B&postalCode=2791', { key: t.odense });
      assert.equal(inPostal.status, 200, inPostal.text);
      assert.ok(inPostal.json.roads.length > 0);
      assert.ok(inPostal.json.roads.every((x: { postalCode: string; roadName: string }) => x.postalCode === '2791' && x.roadName.startsWith('B')));
      // Case, dots and accents are ignored as in every DAR lookup.
      const folded = await t.call('GET', '/api/v1/addresses?road=BRYDE', { key: landlord });
      assert.deepEqual(folded.json.roads.map((x: { roadName: string }) => x.roadName), ['Brydevej']);
      const limited = await t.call('GET', '/api/v1/addresses?road=br&limit=1', { key: landlord });
      assert.equal(limited.json.roads.length, 1);
    });

    test('house numbers of a road (prefix), in number order, then the units with floor, door and DAR ids', async () => {
      const road = houses.find((h) => h.roadName === 'Brydevej')!;
      const r = await t.call('GET', `/api/v1/addresses?municipalityCode=${road.municipalityCode}&roadCode=${road.roadCode}`, { key: t.dragoer });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.kind, 'houseNumbers');
      const expected = houses.filter((h) => h.roadName === 'Brydevej').map((h) => h.houseNumber).sort((a, b) => Number.parseInt(a) - Number.parseInt(b));
      assert.deepEqual(r.json.houseNumbers.map((h: { houseNumber: string }) => h.houseNumber), expected);
      assert.ok(r.json.houseNumbers.every((h: { label: string; postalCode: string }) => h.label.includes('2791 Dragør')));

      const one = await t.call('GET', `/api/v1/addresses?municipalityCode=${road.municipalityCode}&roadCode=${road.roadCode}&houseNumber=1`, { key: t.dragoer });
      assert.deepEqual(one.json.houseNumbers.map((h: { houseNumber: string }) => h.houseNumber), expected.filter((n) => n.startsWith('1')));

      const house = r.json.houseNumbers.find((h: { houseNumber: string }) => h.houseNumber === '11');
      const units = await t.call('GET', `/api/v1/addresses?houseNumberId=${house.id}`, { key: landlord });
      assert.equal(units.status, 200, units.text);
      assert.equal(units.json.kind, 'units');
      assert.equal(units.json.houseNumber.id, house.id);
      const dar = await t.dar.houseNumber(house.id);
      assert.deepEqual(units.json.units.map((u: { id: string }) => u.id), dar!.units.map((u) => u.id));
      for (const u of units.json.units) {
        assert.equal(u.houseNumberId, house.id);
        assert.match(u.label, /^Brydevej 11/);
        assert.ok('floor' in u && 'door' in u);
      }
      // No person is read or named: the answer is public address data only, and nothing is audited as a lookup.
      const text = JSON.stringify([r.json, units.json]);
      assert.ok(!/\b\d{10}\b/.test(text), 'no person numbers');
      assert.ok(!/pnr|resident|name"/.test(text.replace(/roadName|postalDistrict/g, '')), 'no person fields');
    });

    test('bad queries get a clear 400 in Danish and English; unknown ids a 404', async () => {
      const bad: Array<[string, string]> = [
        ['/api/v1/addresses', 'invalid_address_query'],
        ['/api/v1/addresses?road=b', 'invalid_address_query'],
        ['/api/v1/addresses?houseNumber=11', 'invalid_address_query'],
        ['/api/v1/addresses?municipalityCode=0155', 'invalid_address_query'],
        ['/api/v1/addresses?road=br&postalCode=27', 'bad_request'],
        ['/api/v1/addresses?houseNumberId=nope', 'bad_request'],
        ['/api/v1/addresses?road=br&limit=0', 'bad_request'],
        ['/api/v1/addresses?road=br&pnr=0101801234', 'bad_request'],
      ];
      for (const [path, code] of bad) {
        const r = await t.call('GET', path, { key: landlord, headers: { 'accept-language': 'da' } });
        assert.equal(r.status, 400, `${path}: ${r.text}`);
        assert.equal(r.json.code, code, path);
        assert.ok(r.json.messages.da && r.json.messages.en, path);
      }
      const r = await t.call('GET', '/api/v1/addresses?road=b', { key: landlord, headers: { 'accept-language': 'da' } });
      assert.match(r.json.detail, /mindst 2 bogstaver/);
      const missing = await t.call('GET', '/api/v1/addresses?houseNumberId=0a3f507b-0000-0000-0000-000000000000', { key: landlord });
      assert.equal(missing.status, 404);
    });

    test('roles: landlord, register, admin and a citizen (own move report); not a lookup-only user; not anonymous', async () => {
      assert.equal((await t.call('GET', '/api/v1/addresses?road=br', { key: citizen })).status, 200);
      assert.equal((await t.call('GET', '/api/v1/addresses?road=br', { key: t.lookupOnly })).status, 403);
      assert.equal((await t.call('GET', '/api/v1/addresses?road=br')).status, 401);
      const admin = (await t.customerWithKey({ id: 'cpr', name: 'CPR-administrationen', kind: 'cpr_admin' }, { roles: ['admin'] })).key;
      assert.equal((await t.call('GET', '/api/v1/addresses?road=br', { key: admin })).status, 200);
    });
  });
}
