/**
 * The landlord service end to end over HTTP (issue 5, SPEC LAN-1..LAN-5,
 * seed 000), on a real SQLite file and a real PostgreSQL database, with the
 * hand-written fixtures of test/landlord/fixtures (see world.ts). Each
 * business-logic test names the seed sentence it checks.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { addressingName } from '../../src/domain/names/addressing-name.ts';
import { NON_DISCLOSURE_NOTICE } from '../../src/domain/landlord/rules.ts';
import { COLUMNS, HEADER_ROW, SHEET_NAME } from '../../src/services/landlord/excel.ts';
import { UsageService } from '../../src/services/usage.ts';
import { PRICE_LIST } from '../../src/domain/fees.ts';
import { resultSchema } from '../../src/api/routes/landlord.ts';
import { STORE_KINDS } from '../support/stores.ts';
import { HOUSE, landlordWorld, OWNER_PERSON, PERSON, UNIT, X, Y, Z } from './world.ts';

type World = Awaited<ReturnType<typeof landlordWorld>>;
interface Row {
  addressingName: string;
  moveInDate: string;
  moveInIsAcquisitionDate: boolean;
  moveOutDate: string | null;
  status: string;
  protection: null | { type: string; validFrom: string; validTo: string | null; doNotPassOn: boolean; notice: { da: string; en: string } };
  unit: { addressId: string; label: string; floor: string | null; door: string | null };
}

const NAME = (first: string, last: string) => addressingName({ firstNames: [first], lastName: last }).text;
const N = {
  anders: NAME('Anders', 'Tidlig'),
  birthe: NAME('Birthe', 'Ny'),
  carl: NAME('Carl', 'Førsalg'),
  dorte: NAME('Dorte', 'Fraflyttet'),
  erik: NAME('Erik', 'Annulleret'),
  frida: NAME('Frida', 'Forsinket'),
  gustav: NAME('Gustav', 'Sentmeldt'),
  hanne: NAME('Hanne', 'Rettet'),
  ivan: NAME('Ivan', 'Flytter'),
  jytte: NAME('Jytte', 'Beskyttet'),
  kim: NAME('Kim', 'Fremtid'),
  lone: NAME('Lone', 'Overtagelse'),
  mads: NAME('Mads', 'Stuen'),
  nina: NAME('Nina', 'Ejerlejlighed'),
  mette: NAME('Mette', 'Splittet'),
};

for (const kind of STORE_KINDS) {
  describe(`landlord service over HTTP (${kind})`, () => {
    let w: World;
    /** Searches that reached the service (audited and metered), per customer. */
    const searches = { bolig: 0, privat: 0, firma: 0 };
    before(async () => {
      w = await landlordWorld(kind);
    });
    after(async () => w.api.dispose());

    const search = async (who: keyof World['keys'], body: Record<string, unknown>, headers: Record<string, string> = {}) => {
      const r = await w.api.call('POST', '/api/v1/landlord/search', { key: w.keys[who], body, headers });
      if (r.json?.code !== 'bad_request') {
        const c = who.startsWith('bolig') ? 'bolig' : (who as 'privat' | 'firma');
        if (c in searches) searches[c as keyof typeof searches]++;
      }
      return r;
    };
    const stairwell = (extra: Record<string, unknown> = {}) => search('bolig', { ownerNumber: X, houseNumberId: HOUSE.A, ...extra });
    const table = (rows: Row[]) => rows.map((r) => [r.addressingName, r.unit.addressId, r.moveInDate, r.moveOutDate, r.moveInIsAcquisitionDate]);
    const byName = (rows: Row[], name: string) => rows.filter((r) => r.addressingName === name);
    const admin = (method: string, path: string, body?: unknown) => w.api.call(method, `/api/v1/admin/landlords${path}`, { key: w.keys.admin, body });

    // ── LAN-1: customers ──────────────────────────────────────────────

    test('LAN-1: a social housing organisation is registered, gets its owner numbers, and the admin sees the dwellings the ownership register shows', async () => {
      const r = await admin('PUT', '/bolig', { kind: 'social_housing' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.enabled, true);
      await admin('POST', '/bolig/owner-numbers', { ownerNumber: X });
      const v = await admin('POST', '/bolig/owner-numbers', { ownerNumber: Y });
      assert.equal(v.status, 200, v.text);
      const nums = Object.fromEntries(v.json.ownerNumbers.map((n: { number: string; dwellingsInRegister: number }) => [n.number, n.dwellingsInRegister]));
      // X: Testvej 1's four units + Testvej 3 except its condominium 1st floor; Y sold Testvej 1 on 2026-01-01.
      assert.deepEqual(nums, { [X]: 5, [Y]: 0 });
      assert.equal(v.json.dwellingsInRegister, 5);
      assert.equal(v.json.ownerNumbers[0].kind, 'cvr');
    });

    test('LAN-1: a private landlord is not enabled without documentation of more than 10 dwellings; the search says so and is audited', async () => {
      const r = await admin('PUT', '/privat', { kind: 'private_landlord' });
      assert.equal(r.json.enabled, false);
      assert.equal(r.json.reason, 'documentation_missing');
      const o = await admin('POST', '/privat/owner-numbers', { ownerNumber: '020260-0069' });
      assert.equal(o.json.ownerNumbers[0].number, OWNER_PERSON, 'stored without the hyphen');
      assert.equal(o.json.ownerNumbers[0].kind, 'cpr');
      assert.equal(o.json.dwellingsInRegister, 1);
      const s = await search('privat', { ownerNumber: OWNER_PERSON, addressId: UNIT.B_1 });
      assert.equal(s.status, 403);
      assert.equal(s.json.code, 'landlord_not_enabled');
      assert.equal(s.json.control, 1);
      const few = await admin('PUT', '/privat', { kind: 'private_landlord', documentation: { reference: 'Sag 2026-117', dwellings: 10 } });
      assert.equal(few.status, 422);
      assert.equal(few.json.code, 'landlord_too_few_dwellings');
      const ok = await admin('PUT', '/privat', { kind: 'private_landlord', documentation: { reference: 'Sag 2026-117: skøder og lejekontrakter', dwellings: 12 } });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.json.enabled, true);
      // The administrator sees the documented number beside the register's.
      assert.equal(ok.json.documentation.dwellings, 12);
      assert.equal(ok.json.dwellingsInRegister, 1);
      const list = await admin('GET', '');
      assert.deepEqual(list.json.map((l: { customer: { id: string } }) => l.customer.id), ['bolig', 'privat']);
      // The owner's person number is personal data: showing it is audited.
      await w.api.ctx.audit.drain();
      const seen = await w.api.ctx.audit.lookupsOf(OWNER_PERSON);
      assert.ok(seen.some((s) => s.action === 'landlord.customers.read' && s.customer === 'cpr'));
    });

    test('LAN-1: only landlord customers can be registered, only by the administration; owner numbers are CVR or CPR numbers', async () => {
      const biz = await admin('PUT', '/firma', { kind: 'private_landlord' });
      assert.equal(biz.status, 409);
      assert.equal(biz.json.code, 'landlord_not_a_landlord_customer');
      const notAdmin = await w.api.call('GET', '/api/v1/admin/landlords', { key: w.keys.bolig });
      assert.equal(notAdmin.status, 403);
      const bad = await admin('POST', '/bolig/owner-numbers', { ownerNumber: '12345' });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.code, 'landlord_invalid_owner_number');
      const me = await w.api.call('GET', '/api/v1/landlord/me', { key: w.keys.bolig });
      assert.deepEqual(me.json.ownerNumbers.map((n: { number: string }) => n.number), [X, Y]);
    });

    // ── LAN-3: the controls, in order ─────────────────────────────────

    test('control 1: a user not granted the service individually is refused, though a colleague has it', async () => {
      const r = await search('boligOther', { ownerNumber: X, houseNumberId: HOUSE.A });
      assert.equal(r.status, 403);
      assert.equal(r.json.code, 'landlord_no_access');
      assert.equal(r.json.control, 1);
      assert.match(r.json.messages.da, /ikke tildelt adgang til udlejertjenesten/);
      assert.match(r.json.messages.en, /not been granted access/);
    });

    test('control 1: a customer that is no enabled landlord customer is refused even with the landlord role', async () => {
      const r = await search('firma', { ownerNumber: X, houseNumberId: HOUSE.A });
      assert.equal(r.json.code, 'landlord_not_enabled');
    });

    test('control 2: an owner number not tied to the customer is refused (before the address is looked at)', async () => {
      const r = await search('bolig', { ownerNumber: Z, houseNumberId: HOUSE.D });
      assert.equal(r.status, 403);
      assert.equal(r.json.code, 'landlord_owner_number_not_tied');
      assert.equal(r.json.control, 2);
      const noAddress = await search('bolig', { ownerNumber: Z, addressId: '1a000000-0000-4000-8000-00000000dead' });
      assert.equal(noAddress.json.code, 'landlord_owner_number_not_tied', 'control 2 comes before the address');
      const da = await search('bolig', { ownerNumber: Z, houseNumberId: HOUSE.D }, { 'accept-language': 'da' });
      assert.match(da.json.detail, /ikke knyttet til organisationens brugere/);
    });

    test('control 3: the owner number must be the CURRENT owner of the property the address belongs to', async () => {
      const former = await search('bolig', { ownerNumber: Y, houseNumberId: HOUSE.A });
      assert.equal(former.status, 403);
      assert.equal(former.json.code, 'landlord_not_current_owner');
      assert.equal(former.json.control, 3);
      assert.match(former.json.detail, /1001/);
      const other = await search('bolig', { ownerNumber: X, addressId: UNIT.D });
      assert.equal(other.json.code, 'landlord_not_current_owner');
      // The condominium in X's own house belongs to a person.
      const condo = await search('bolig', { ownerNumber: X, addressId: UNIT.B_1 });
      assert.equal(condo.json.code, 'landlord_not_current_owner');
    });

    test('an address that does not exist, is ambiguous, or belongs to no property: each its own error', async () => {
      const none = await search('bolig', { ownerNumber: X, addressId: '1a000000-0000-4000-8000-00000000dead' });
      assert.equal(none.status, 404);
      assert.equal(none.json.code, 'landlord_address_not_found');
      const noFloor = await search('bolig', { ownerNumber: X, roadName: 'Testvej', houseNumber: '1', floor: '4', door: 'tv', postalCode: '5000' });
      assert.equal(noFloor.json.code, 'landlord_address_not_found');
      const twice = await search('bolig', { ownerNumber: X, roadName: 'Dobbeltvej', houseNumber: '2', postalCode: '5000' });
      assert.equal(twice.status, 409);
      assert.equal(twice.json.code, 'landlord_address_ambiguous');
      const noProperty = await search('bolig', { ownerNumber: X, houseNumberId: HOUSE.C });
      assert.equal(noProperty.status, 404);
      assert.equal(noProperty.json.code, 'landlord_address_without_property');
      assert.notEqual(noProperty.json.messages.da, noProperty.json.messages.en);
    });

    test('LAN-2: the owner number is always required, and exactly one address form', async () => {
      const noOwner = await search('bolig', { houseNumberId: HOUSE.A });
      assert.equal(noOwner.status, 400);
      assert.equal(noOwner.json.code, 'bad_request');
      const two = await search('bolig', { ownerNumber: X, houseNumberId: HOUSE.A, addressId: UNIT.A_1_th });
      assert.equal(two.status, 400);
      const half = await search('bolig', { ownerNumber: X, roadName: 'Testvej', houseNumber: '1' });
      assert.equal(half.status, 400);
      const badOwner = await search('bolig', { ownerNumber: 'X-1', houseNumberId: HOUSE.A });
      assert.equal(badOwner.json.code, 'landlord_invalid_owner_number');
    });

    test('LAN-2: the from-date is at most 12 months back by the clock; an earlier one names the earliest allowed date', async () => {
      const early = await stairwell({ fromDate: '2025-05-31' });
      assert.equal(early.status, 400);
      assert.equal(early.json.code, 'landlord_from_date_too_early');
      assert.equal(early.json.earliestFromDate, '2025-06-01');
      assert.match(early.json.messages.en, /2025-06-01/);
      assert.match(early.json.messages.da, /2025-06-01/);
      const edge = await stairwell({ fromDate: '2025-06-01' });
      assert.equal(edge.status, 200, edge.text);
      const dflt = await stairwell();
      assert.equal(dflt.json.query.fromDate, '2025-06-01');
      assert.equal(dflt.json.query.fromDateDefaulted, true);
      const future = await stairwell({ fromDate: '2026-06-02' });
      assert.equal(future.json.code, 'landlord_from_date_in_future');
      // The limit moves with the clock.
      w.api.clock.set('2026-07-15T10:00:00Z');
      try {
        const later = await stairwell({ fromDate: '2025-07-01' });
        assert.equal(later.json.code, 'landlord_from_date_too_early');
        assert.equal(later.json.earliestFromDate, '2025-07-15');
        searches.bolig--; // metered in July, not in the June usage checked below
      } finally {
        w.api.clock.set('2026-06-01T10:00:00Z');
      }
    });

    // ── LAN-4: the business logic, sentence by sentence ───────────────

    test('the whole stairwell (house number only): every unit behind it, in unit order, current residents first', async () => {
      const r = await stairwell();
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.address.scope, 'stairwell');
      assert.equal(r.json.address.label, 'Testvej 1, 5000 Odense C');
      assert.deepEqual(r.json.units.map((u: { addressId: string }) => u.addressId), [UNIT.A_st_tv, UNIT.A_st_th, UNIT.A_1_tv, UNIT.A_1_th]);
      assert.ok(r.json.units.every((u: { bfe: number; acquired: string }) => u.bfe === 1001 && u.acquired === '2026-01-01'));
      assert.deepEqual(table(r.json.residents), [
        [N.anders, UNIT.A_st_tv, '2026-01-01', null, true],
        [N.ivan, UNIT.A_st_tv, '2026-01-01', '2026-03-01', true],
        [N.birthe, UNIT.A_st_th, '2026-02-01', null, false],
        [N.gustav, UNIT.A_st_th, '2026-01-01', '2026-02-01', true],
        [N.frida, UNIT.A_1_tv, '2026-04-01', null, false],
        [N.hanne, UNIT.A_1_tv, '2026-01-01', '2026-02-15', true],
        [N.lone, UNIT.A_1_tv, '2026-01-01', '2026-01-01', true],
        [N.jytte, UNIT.A_1_th, '2026-01-01', null, true],
        [N.ivan, UNIT.A_1_th, '2026-03-01', null, false],
        [N.dorte, UNIT.A_1_th, '2026-01-01', '2026-03-01', true],
      ]);
      // The person number is never part of the answer (LAN-5).
      for (const pnr of Object.values(PERSON)) assert.ok(!r.text.includes(pnr), `${pnr} in the answer`);
      // The route serialises the result as built: it holds exactly what its schema names (nothing is stripped).
      assert.deepEqual(r.json, JSON.parse(JSON.stringify(resultSchema.parse(r.json))));
    });

    test('"Personer med aktuel bopæl i boligen hentes": current residents, with no move-out date', async () => {
      const r = await search('bolig', { ownerNumber: X, addressId: UNIT.A_st_tv });
      const anders = byName(r.json.residents, N.anders);
      assert.equal(anders.length, 1);
      assert.equal(anders[0]!.status, 'current');
      assert.equal(anders[0]!.moveOutDate, null);
    });

    test('"Personer fraflyttet siden den anførte fra dato … hentes": moved out on or after the from-date, not before', async () => {
      const on = await stairwell({ fromDate: '2026-03-01' });
      assert.deepEqual(on.json.residents.filter((r: Row) => r.moveOutDate).map((r: Row) => [r.addressingName, r.moveOutDate]), [
        [N.ivan, '2026-03-01'],
        [N.dorte, '2026-03-01'],
      ]);
      const after = await stairwell({ fromDate: '2026-03-02' });
      assert.deepEqual(after.json.residents.filter((r: Row) => r.moveOutDate), []);
      assert.equal(after.json.residents.length, 5, 'current residents do not depend on the from-date');
    });

    test('"Personer fraflyttet før den nuværende ejers erhvervelse af boligen" are left out; moving out on the acquisition day is not before it', async () => {
      const r = await stairwell();
      // Carl moved out 2025-09-01: after the from-date, before X acquired the property on 2026-01-01.
      assert.deepEqual(byName(r.json.residents, N.carl), []);
      assert.equal(byName(r.json.residents, N.lone)[0]!.moveOutDate, '2026-01-01');
      // The former owner's view would have shown Carl: the exclusion is the current owner's acquisition.
      const res = await w.api.register.residents({ addressId: UNIT.A_1_tv }, { validAt: '2025-08-31' });
      assert.ok(res.some((x) => x.pnr === PERSON.carl));
    });

    test('"Personer … hvor tilflytningen sidenhen er blevet annulleret" are left out', async () => {
      const r = await search('bolig', { ownerNumber: X, addressId: UNIT.A_st_tv });
      assert.deepEqual(byName(r.json.residents, N.erik), []);
      // The register did hold the move until it was annulled.
      const before = await w.api.register.residents({ addressId: UNIT.A_st_tv }, { validAt: '2026-03-05', knownAt: '2026-03-05T12:00:00.000Z' });
      assert.ok(before.some((x) => x.pnr === PERSON.erik));
    });

    test('"En tilflytningsdato, som ligger forud for nuværende ejers erhvervelse … sættes lig med … erhvervelse"', async () => {
      const r = await stairwell();
      const anders = byName(r.json.residents, N.anders)[0]!;
      assert.equal(anders.moveInDate, '2026-01-01', 'moved in 2019-05-01, shown as the acquisition date');
      assert.equal(anders.moveInIsAcquisitionDate, true);
      const birthe = byName(r.json.residents, N.birthe)[0]!;
      assert.equal(birthe.moveInDate, '2026-02-01', 'moved in after the acquisition: her own date');
      assert.equal(birthe.moveInIsAcquisitionDate, false);
      // Where the owner has owned it long, the real move-in date shows.
      const b = await search('bolig', { ownerNumber: X, houseNumberId: HOUSE.B });
      assert.deepEqual(table(b.json.residents), [
        [N.mette, UNIT.B_st, '2010-05-01', null, false],
        [N.mads, UNIT.B_st, '2011-01-01', null, false],
      ]);
    });

    test('"der altid anvendes virkningsperiode … og ikke registreringsperiode": late registrations count from their validity dates', async () => {
      const r = await stairwell();
      // Frida moved in 2026-04-01, registered 2026-05-20; Gustav moved out 2026-02-01, registered 2026-05-25.
      assert.equal(byName(r.json.residents, N.frida)[0]!.moveInDate, '2026-04-01');
      assert.equal(byName(r.json.residents, N.gustav)[0]!.moveOutDate, '2026-02-01');
      const h = await w.api.register.history(PERSON.frida);
      assert.equal(h!.registrations.at(-1)!.late, true);
    });

    test('a corrected move-out date is the one shown; the correction can take a person out of the window', async () => {
      const r = await stairwell();
      assert.deepEqual(byName(r.json.residents, N.hanne).map((x: Row) => x.moveOutDate), ['2026-02-15']);
      const win = await stairwell({ fromDate: '2026-03-01' });
      assert.deepEqual(byName(win.json.residents, N.hanne), [], 'as first registered (2026-03-15) she would be in it');
    });

    test('a person who moved between two units of the same stairwell: moved out of one, current in the other', async () => {
      const r = await stairwell();
      assert.deepEqual(byName(r.json.residents, N.ivan).map((x: Row) => [x.unit.addressId, x.status, x.moveInDate, x.moveOutDate]), [
        [UNIT.A_st_tv, 'moved_out', '2026-01-01', '2026-03-01'],
        [UNIT.A_1_th, 'current', '2026-03-01', null],
      ]);
      const one = await search('bolig', { ownerNumber: X, addressId: UNIT.A_1_th });
      assert.deepEqual(byName(one.json.residents, N.ivan).map((x: Row) => x.status), ['current']);
    });

    test('one stay split into two versions of the address (a c/o name added) is one row with the first move-in date', async () => {
      const r = await search('bolig', { ownerNumber: X, addressId: UNIT.B_st });
      assert.deepEqual(byName(r.json.residents, N.mette).map((x: Row) => [x.moveInDate, x.moveOutDate]), [['2010-05-01', null]]);
      const res = await w.api.ctx.register.store.db.selectFrom('residence').select('valid_from').where('pnr', '=', PERSON.mette).where('reg_to', 'is', null).execute();
      assert.equal(res.length, 2, 'two versions in the residence projection');
    });

    test('a move-in after today is not a current residence', async () => {
      const r = await stairwell();
      assert.deepEqual(byName(r.json.residents, N.kim), []);
    });

    test('§28: a protected person is shown by name with the mark and the notice (§45 entitles the owner); others carry no mark', async () => {
      const r = await stairwell();
      const jytte = byName(r.json.residents, N.jytte)[0]!;
      assert.ok(jytte.protection);
      assert.equal(jytte.protection.type, '0001');
      assert.equal(jytte.protection.validTo, '2027-01-01');
      assert.equal(jytte.protection.doNotPassOn, true);
      assert.equal(jytte.protection.notice.da, NON_DISCLOSURE_NOTICE.da);
      assert.equal(r.json.residents.filter((x: Row) => x.protection).length, 1);
      assert.equal(r.json.notice.en, NON_DISCLOSURE_NOTICE.en);
    });

    test('§28 protection that has lapsed (one year, unless extended) carries no mark', async () => {
      w.api.clock.set('2027-01-02T10:00:00Z');
      try {
        const r = await stairwell();
        searches.bolig--; // metered in January 2027, not in the June usage checked below
        assert.equal(r.status, 200, r.text);
        const jytte = byName(r.json.residents, N.jytte)[0]!;
        assert.equal(jytte.status, 'current');
        assert.equal(jytte.protection, null);
        assert.equal(r.json.query.fromDate, '2026-01-02', 'the default from-date moves with the clock');
        assert.deepEqual(byName(r.json.residents, N.lone), [], 'moved out 2026-01-01: now before the from-date');
      } finally {
        w.api.clock.set('2026-06-01T10:00:00Z');
      }
    });

    // ── LAN-2: the other address forms ────────────────────────────────

    test('LAN-2: postal address without floor is the stairwell; with floor and door one dwelling; by codes; by DAR address id', async () => {
      const all = await search('bolig', { ownerNumber: X, roadName: 'testvej', houseNumber: '1', postalCode: '5000' });
      const byId = await stairwell();
      assert.deepEqual(table(all.json.residents), table(byId.json.residents));
      const unit = await search('bolig', { ownerNumber: X, roadName: 'Testvej', houseNumber: '1', floor: '1.', door: 'th', postalCode: '5000' });
      assert.equal(unit.json.address.scope, 'unit');
      assert.equal(unit.json.address.unitAddressId, UNIT.A_1_th);
      assert.equal(unit.json.address.label, 'Testvej 1, 1. th, 5000 Odense C');
      assert.deepEqual(unit.json.residents.map((x: Row) => x.addressingName), [N.jytte, N.ivan, N.dorte]);
      const codes = await search('bolig', { ownerNumber: X, municipalityCode: '461', roadCode: '9901', houseNumber: '1', floor: 'st', door: 'tv' });
      assert.equal(codes.json.address.unitAddressId, UNIT.A_st_tv);
      const floor = await search('bolig', { ownerNumber: X, roadName: 'Testvej', houseNumber: '1', floor: '1', postalCode: '5000' });
      assert.equal(floor.json.address.scope, 'units');
      assert.deepEqual(floor.json.units.map((u: { addressId: string }) => u.addressId), [UNIT.A_1_tv, UNIT.A_1_th]);
    });

    test('a stairwell with a condominium of another owner: only the owner\'s units are searched; the owner of the condominium sees its tenant', async () => {
      const r = await search('bolig', { ownerNumber: X, houseNumberId: HOUSE.B });
      assert.deepEqual(r.json.units.map((u: { addressId: string }) => u.addressId), [UNIT.B_st]);
      assert.deepEqual(r.json.unitsOfOtherOwners.map((u: { addressId: string }) => u.addressId), [UNIT.B_1]);
      assert.deepEqual(byName(r.json.residents, N.nina), []);
      const p = await search('privat', { ownerNumber: '020260-0069', addressId: UNIT.B_1 });
      assert.equal(p.status, 200, p.text);
      assert.deepEqual(table(p.json.residents), [[N.nina, UNIT.B_1, '2024-02-01', null, false]]);
      assert.equal(p.json.units[0].bfe, 1003);
    });

    // ── LAN-5: the Excel download ─────────────────────────────────────

    test('LAN-5: the Excel download holds the same persons with more detail; checked cell by cell', async () => {
      const json = await stairwell();
      const before = searches.bolig;
      const res = await fetch(`${w.api.base}/api/v1/landlord/search/xlsx`, {
        method: 'POST',
        headers: { authorization: `Bearer ${w.keys.bolig}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ownerNumber: X, houseNumberId: HOUSE.A }),
      });
      searches.bolig = before + 1;
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="beboere-20260601-100000\.xlsx"$/);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
      assert.equal(wb.worksheets.length, 1);
      const ws = wb.getWorksheet(SHEET_NAME)!;
      const v = (row: number, col: number) => ws.getRow(row).getCell(col).value;
      const day = (d: string) => new Date(`${d}T00:00:00Z`);

      assert.equal(v(2, 1), 'Adresse');
      assert.equal(v(2, 2), 'Testvej 1, 5000 Odense C');
      assert.equal(v(3, 2), X);
      assert.deepEqual(v(4, 2), day('2025-06-01'));
      assert.equal(ws.getRow(4).getCell(2).numFmt, 'yyyy-mm-dd');
      assert.equal(v(5, 2), `houseNumberId=${HOUSE.A}; ownerNumber=${X}; fromDate=2025-06-01 (default)`);
      assert.deepEqual(v(6, 2), new Date('2026-06-01T10:00:00Z'));
      assert.equal(v(7, 1), 'Bemærk');
      assert.equal(v(7, 2), NON_DISCLOSURE_NOTICE.da);
      const cells = (row: number) => COLUMNS.map((_, i) => v(row, i + 1));
      assert.deepEqual(cells(HEADER_ROW), [...COLUMNS]);

      const rows: Row[] = json.json.residents;
      assert.equal(ws.actualRowCount, 7 + 1 + rows.length, 'meta rows, header, one row per person');
      rows.forEach((p, i) => {
        const r = HEADER_ROW + 1 + i;
        assert.equal(v(r, 1), p.addressingName);
        assert.equal(v(r, 2), p.unit.label);
        assert.equal(v(r, 3), p.unit.floor ?? '');
        assert.equal(v(r, 4), p.unit.door ?? '');
        assert.equal(v(r, 5), p.unit.addressId);
        assert.equal(v(r, 6), 1001);
        assert.deepEqual(v(r, 7), day('2026-01-01'));
        assert.deepEqual(v(r, 8), day(p.moveInDate));
        assert.ok(v(r, 8) instanceof Date, 'a typed date cell');
        assert.equal(v(r, 9), p.moveInIsAcquisitionDate ? 'Ja' : 'Nej');
        assert.deepEqual(v(r, 10), p.moveOutDate ? day(p.moveOutDate) : null);
        assert.equal(v(r, 11), p.status === 'current' ? 'Tilmeldt' : 'Fraflyttet');
        assert.equal(v(r, 12), p.protection ? 'Ja' : 'Nej');
        assert.deepEqual(v(r, 13), p.protection?.validTo ? day(p.protection.validTo) : null);
        assert.equal(v(r, 14), p.protection ? NON_DISCLOSURE_NOTICE.da : '');
      });
      // Jytte's row, spelled out.
      const j = HEADER_ROW + 1 + rows.findIndex((p) => p.addressingName === N.jytte);
      assert.deepEqual(cells(j), [
        N.jytte, 'Testvej 1, 1. th, 5000 Odense C', '1', 'th', UNIT.A_1_th, 1001, day('2026-01-01'), day('2026-01-01'), 'Ja', null, 'Tilmeldt', 'Ja', day('2027-01-01'), NON_DISCLOSURE_NOTICE.da,
      ]);
    });

    test('a refused Excel download is problem+json, not a file', async () => {
      const r = await w.api.call('POST', '/api/v1/landlord/search/xlsx', { key: w.keys.bolig, body: { ownerNumber: Y, houseNumberId: HOUSE.A } });
      searches.bolig++;
      assert.equal(r.status, 403);
      assert.equal(r.json.code, 'landlord_not_current_owner');
    });

    // ── Audit and metering ────────────────────────────────────────────

    test('every search is audited before the answer leaves: customer, user, owner number, address, from-date, persons disclosed; refusals too', async () => {
      await w.api.ctx.audit.drain();
      const page = await w.api.ctx.audit.search('bolig', { type: 'landlord.search', limit: 1000 });
      const stair = page.records.find((r) => r.detail?.fromDate === '2025-06-01' && (r.detail?.address as { houseNumberId?: string })?.houseNumberId === HOUSE.A)!;
      assert.ok(stair);
      assert.equal(stair.customer, 'bolig');
      assert.equal(stair.actor, w.principals.bolig);
      assert.equal(stair.detail!.ownerNumber, X);
      assert.equal(stair.detail!.addressLabel, 'Testvej 1, 5000 Odense C');
      const shown = [PERSON.anders, PERSON.ivan, PERSON.birthe, PERSON.gustav, PERSON.frida, PERSON.hanne, PERSON.lone, PERSON.jytte, PERSON.dorte];
      assert.deepEqual([...stair.subjects].sort(), [HOUSE.A, ...shown].sort());
      assert.equal(stair.detail!.personsDisclosed, shown.length);
      assert.equal(stair.detail!.protected, 1);
      const refused = await w.api.ctx.audit.search('bolig', { type: 'landlord.search.refused', limit: 1000 });
      const codes = refused.records.map((r) => r.detail!.code);
      for (const c of ['landlord_no_access', 'landlord_owner_number_not_tied', 'landlord_not_current_owner', 'landlord_address_not_found', 'landlord_address_ambiguous', 'landlord_address_without_property', 'landlord_from_date_too_early']) {
        assert.ok(codes.includes(c), `${c} audited`);
      }
      const noAccess = refused.records.find((r) => r.detail!.code === 'landlord_no_access')!;
      assert.notEqual(noAccess.actor, w.principals.bolig, 'the refused colleague is the actor');
      assert.equal(noAccess.detail!.personsDisclosed, 0);
      // §46: the protected person can learn that the landlord looked her up.
      const seen = await w.api.ctx.audit.lookupsOf(PERSON.jytte);
      assert.ok(seen.some((s) => s.customer === 'bolig' && s.action === 'landlord.search'));
      // Carl was not disclosed, so no record names him.
      assert.deepEqual((await w.api.ctx.audit.lookupsOf(PERSON.carl)).filter((s) => s.action.startsWith('landlord')), []);
    });

    test('every search is metered: 7 øre a lookup, and the monthly fee of each channel used (CPRWeb for users, CPR Services for programs)', async () => {
      const prg = await search('boligProgram', { ownerNumber: X, addressId: UNIT.A_1_th });
      assert.equal(prg.status, 200);
      await w.api.ctx.audit.drain();
      const usage = await new UsageService(w.api.register.store, w.api.ctx.audit, w.api.ctx.access).usage('bolig', '2026-06');
      assert.equal(usage.totals.lookups, searches.bolig);
      assert.ok(usage.transactions.some((t) => t.type === 'landlord.search.refused' && t.lookup));
      assert.deepEqual(usage.services, ['cprServices', 'cprWeb']);
      assert.equal(usage.invoice.total.ore, PRICE_LIST.services.cprWeb.monthlyOre + PRICE_LIST.services.cprServices.monthlyOre + searches.bolig * 7);
      const priv = await new UsageService(w.api.register.store, w.api.ctx.audit, w.api.ctx.access).usage('privat', '2026-06');
      assert.equal(priv.totals.lookups, searches.privat);
    });

    test('fail closed: when the audit record cannot be written, no person leaves (JSON or Excel)', async () => {
      await sql`ALTER TABLE audit RENAME TO audit_away`.execute(w.api.register.store.db);
      try {
        const r = await stairwell();
        assert.equal(r.status, 503);
        assert.equal(r.json.code, 'audit_unavailable');
        assert.doesNotMatch(r.text, new RegExp(N.jytte));
        const x = await w.api.call('POST', '/api/v1/landlord/search/xlsx', { key: w.keys.bolig, body: { ownerNumber: X, houseNumberId: HOUSE.A } });
        assert.equal(x.status, 503);
      } finally {
        await sql`ALTER TABLE audit_away RENAME TO audit`.execute(w.api.register.store.db);
      }
      assert.equal((await stairwell()).status, 200, 'works again once the log is back');
    });
  });
}
