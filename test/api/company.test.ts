/**
 * Companies' access (DIS-3) over real HTTP: single enquiries (§39, §42,
 * identification §42(6)) and bulk deliveries (§38(1), §38(5)), on both stores.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import pg from 'pg';
import { buildApp } from '../../src/api/app.ts';
import { AddressDirectory } from '../../src/services/enquiry.ts';
import { startApi } from '../support/api.ts';
import { STORE_KINDS } from '../support/stores.ts';

const ODENSE = { municipalityCode: '0461', postalCode: '5000', postalDistrict: 'Odense C' };
const AARHUS = { municipalityCode: '0751', postalCode: '8000', postalDistrict: 'Aarhus C' };
const uuid = (n: number) => `0a3f50a0-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** Fields no rule for §38/§39/§42 gives a company; their names must not appear in a company's answer at all. */
const NEVER = ['birthPlace', 'relations', 'citizenship', 'church', 'separation', 'spouse', 'birthDate', 'numberChanges'];

for (const kind of STORE_KINDS) {
  describe(`companies' enquiries and deliveries on ${kind}`, () => {
    let api: Awaited<ReturnType<typeof startApi>>;
    let business: Awaited<ReturnType<typeof api.customerWithKey>>;
    let insurer: Awaited<ReturnType<typeof api.customerWithKey>>;
    let bureau: Awaited<ReturnType<typeof api.customerWithKey>>;
    let otherBusiness: Awaited<ReturnType<typeof api.customerWithKey>>;
    let authority: Awaited<ReturnType<typeof api.customerWithKey>>;
    const p: Record<string, string> = {};

    async function person(key: string, birthDate: string, sex: 'M' | 'K', ...registrations: Array<{ eventCode: string; changes: unknown[] }>) {
      const pnr = await api.register.allocatePnr(birthDate, sex);
      for (const r of registrations) {
        await api.register.register({ pnr, authority: '0461', eventCode: r.eventCode, changes: r.changes as never });
      }
      p[key] = pnr;
    }
    const enquire = (c: { key: string }, body: unknown, headers?: Record<string, string>) =>
      api.call('POST', '/api/v1/enquiries', { key: c.key, body, ...(headers && { headers }) });

    before(async () => {
      api = await startApi(kind);
      const company = { roles: ['lookup' as const, 'bulk' as const] };
      business = await api.customerWithKey({ id: 'shop', name: 'Webshop ApS', kind: 'business', legalBases: ['§39', '§38(2)'] }, company);
      insurer = await api.customerWithKey(
        { id: 'insure', name: 'Forsikring A/S', kind: 'insurer', legalBases: ['§39', '§42(3)', '§38(2)', '§38(3)'] },
        company,
      );
      bureau = await api.customerWithKey(
        { id: 'credit', name: 'Kreditoplysning A/S', kind: 'credit_bureau', legalBases: ['§39', '§42(4)', '§38(2)', '§38(4)'] },
        company,
      );
      otherBusiness = await api.customerWithKey({ id: 'other', name: 'Anden ApS', kind: 'business', legalBases: ['§39', '§38(2)'] }, company);
      authority = await api.customerWithKey({ id: 'kommune', name: 'Odense Kommune', kind: 'public_authority', legalBases: ['§32'], scope: ['all'] }, company);

      const spouse = await api.register.allocatePnr('1979-01-01', 'M');
      const child = await api.register.allocatePnr('2010-02-02', 'M');
      // An ordinary person with everything a company must not see.
      await person('ordinary', '1980-05-17', 'K', {
        eventCode: 'A01',
        changes: [
          { group: 'name', validFrom: '1980-05-20', value: { firstNames: ['Anna', 'Marie'], middleNames: ['Due'], lastName: 'Hansen' } },
          {
            group: 'address',
            validFrom: '2015-04-01',
            value: { ...ODENSE, roadCode: '1234', roadName: 'Vestergade', houseNumber: '12', floor: '2', door: 'th', addressId: uuid(1), accessAddressId: uuid(101) },
          },
          { group: 'birth', validFrom: '1980-05-17', value: { birthDate: '1980-05-17', sex: 'K', place: 'Sankt Knuds Sogn', authorityCode: '7001' } },
          { group: 'status', validFrom: '1980-05-17', value: { code: '01' } },
          { group: 'civilStatus', validFrom: '2008-08-08', value: { code: 'G', spousePnr: spouse } },
          { group: 'relation', validFrom: '2010-02-02', value: { role: 'child', pnr: child } },
          { group: 'citizenship', validFrom: '1980-05-17', value: { countryCode: '5100' } },
          { group: 'church', validFrom: '1980-06-01', value: { member: 'F' } },
          { group: 'occupation', validFrom: '2005-01-01', value: { title: 'Sygeplejerske' } },
        ],
      });
      // Name-and-address protection in force (§28).
      await person('protected', '1975-03-02', 'M', {
        eventCode: 'A33',
        changes: [
          { group: 'name', validFrom: '1975-03-10', value: { firstNames: ['Jens'], middleNames: ['Ørsted'], lastName: 'Nielsen' } },
          { group: 'address', validFrom: '2019-01-01', value: { ...ODENSE, roadCode: '2222', roadName: 'Kongensgade', houseNumber: '7', addressId: uuid(2) } },
          { group: 'status', validFrom: '1975-03-02', value: { code: '01' } },
          { group: 'protection', validFrom: '2026-01-01', validTo: '2027-01-01', value: { type: '0001' } },
        ],
      });
      // Married and separated: an insurer gets civil status and its date, never the separation (§42(3)).
      await person('separated', '1970-11-11', 'K', {
        eventCode: 'A24',
        changes: [
          { group: 'name', validFrom: '1970-11-20', value: { firstNames: ['Birgitte'], lastName: 'Kjær' } },
          { group: 'address', validFrom: '2012-01-01', value: { ...ODENSE, roadCode: '3333', roadName: 'Nørregade', houseNumber: '3', addressId: uuid(3) } },
          { group: 'civilStatus', validFrom: '2001-06-16', value: { code: 'G', spouseName: 'Ole Kjær' } },
          { group: 'separation', validFrom: '2025-02-01', value: { separated: true } },
        ],
      });
      // Moved from Aarhus, Åboulevarden 10 to Nørre Allé 5, 1. tv in 2023.
      await person(
        'mover',
        '1988-12-24',
        'M',
        {
          eventCode: 'A01',
          changes: [
            { group: 'name', validFrom: '1989-01-05', value: { firstNames: ['Peter'], lastName: 'Mortensen' } },
            { group: 'address', validFrom: '2010-09-01', value: { ...AARHUS, roadCode: '1000', roadName: 'Åboulevarden', houseNumber: '10', addressId: uuid(4) } },
          ],
        },
        {
          eventCode: 'A01',
          changes: [
            {
              group: 'address',
              validFrom: '2023-08-01',
              value: { ...AARHUS, roadCode: '2000', roadName: 'Nørre Allé', houseNumber: '5', floor: '1', door: 'tv', addressId: uuid(5) },
            },
          ],
        },
      );
      // A name change: Camilla Jensen became Camilla Holm in 2022.
      await person(
        'renamed',
        '1992-04-04',
        'K',
        { eventCode: 'A14', changes: [{ group: 'name', validFrom: '1992-04-10', value: { firstNames: ['Camilla'], lastName: 'Jensen' } }] },
        { eventCode: 'A13', changes: [{ group: 'name', validFrom: '2022-06-01', value: { firstNames: ['Camilla'], lastName: 'Holm' } }] },
      );
      // Two persons with the same name and birth date.
      for (const twin of ['twin1', 'twin2']) {
        await person(twin, '1990-09-09', 'M', {
          eventCode: 'A14',
          changes: [{ group: 'name', validFrom: '1990-09-15', value: { firstNames: ['Mads'], lastName: 'Andersen' } }],
        });
      }
    });
    after(async () => api.dispose());

    const ANNA = { firstNames: 'Anna Marie', middleNames: 'Due', lastName: 'Hansen' };

    test('an ordinary person: the closed list of §42(2), never the number, birth place, relations, citizenship or church', async () => {
      const r = await enquire(business, { name: ANNA, birthDate: '1980-05-17' });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.data.name, { firstNames: ['Anna', 'Marie'], middleNames: ['Due'], lastName: 'Hansen' });
      assert.equal(r.json.data.address.roadName, 'Vestergade');
      assert.equal(r.json.data.moveDate, '2015-04-01');
      assert.equal(r.json.data.occupation, 'Sygeplejerske');
      assert.equal(r.json.data.marketingProtection, false);
      assert.equal(r.json.data.civilStatus, undefined, 'a business gets no civil status');
      assert.deepEqual(r.json.basis, ['§39']);
      assert.equal(r.json.pnr, undefined);
      for (const number of Object.values(p)) assert.ok(!r.text.includes(number), 'no person number anywhere in the answer');
      for (const f of NEVER) assert.ok(!r.text.includes(`"${f}"`), `${f} is not in the answer`);
      assert.ok(!r.text.includes('Sankt Knuds'), 'no birth place');
      assert.equal(r.json.protectionMark, undefined);

      const ins = await enquire(insurer, { name: ANNA, birthDate: '1980-05-17' });
      assert.equal(ins.json.data.civilStatus, 'G', '§42(3)');
      assert.equal(ins.json.data.civilStatusDate, '2008-08-08');
      for (const f of NEVER) assert.ok(!ins.text.includes(`"${f}"`), `${f} is not in the insurer's answer`);
      for (const number of Object.values(p)) assert.ok(!ins.text.includes(number));

      const cb = await enquire(bureau, { name: ANNA, birthDate: '1980-05-17' });
      assert.equal(cb.json.data.name.lastName, 'Hansen');
      assert.equal(cb.json.data.civilStatus, undefined, 'a credit bureau gets no civil status');
      assert.equal(cb.json.protectionMark, undefined);
      for (const f of NEVER) assert.ok(!cb.text.includes(`"${f}"`));
    });

    test('names are compared whole, ignoring case and accents; middle names may be left out, first names may not', async () => {
      const ok = async (name: unknown) => (await enquire(business, { name, birthDate: '1980-05-17' })).status;
      assert.equal(await ok({ firstNames: 'anna marie', lastName: 'HANSEN' }), 200, 'without the middle name, any case');
      assert.equal(await ok({ firstNames: ['Anna', 'Marie'], lastName: 'Due Hansen' }), 200, 'middle name written with the last name');
      assert.equal(await ok({ firstNames: 'Ánna Marié', lastName: 'Hansen' }), 200, 'accents ignored');
      assert.equal(await ok({ firstNames: 'Anna', lastName: 'Hansen' }), 404, 'a first name left out');
      assert.equal(await ok({ firstNames: 'Ann Marie', lastName: 'Hansen' }), 404, 'whole names, not prefixes');
      assert.equal(await ok({ firstNames: 'Anna Marie', lastName: 'Hanse' }), 404);
      assert.equal(await ok({ firstNames: 'Anna Marie', middleNames: 'Dues', lastName: 'Hansen' }), 404, 'a wrong middle name');
      // ø written out or reduced.
      const jens = await enquire(business, { name: { firstNames: 'Jens', middleNames: 'Oersted', lastName: 'Nielsen' }, birthDate: '1975-03-02' });
      assert.equal(jens.status, 200);
      const jens2 = await enquire(business, { name: { firstNames: 'Jens', middleNames: 'Orsted', lastName: 'Nielsen' }, birthDate: '1975-03-02' });
      assert.equal(jens2.status, 200);
    });

    test('identification by name and person number; a wrong name with a right number matches nobody', async () => {
      const r = await enquire(business, { name: ANNA, pnr: p.ordinary });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.data.name.lastName, 'Hansen');
      assert.ok(!r.text.includes(p.ordinary!), 'the number given is not given back');
      const wrong = await enquire(business, { name: { firstNames: 'Peter', lastName: 'Mortensen' }, pnr: p.ordinary });
      assert.equal(wrong.status, 404);
      assert.equal(wrong.json.code, 'no_unique_match');
    });

    test('name-and-address protection: business and insurer get no name or address; a credit bureau gets them with the mark', async () => {
      const id = { name: { firstNames: 'Jens', lastName: 'Nielsen' }, birthDate: '1975-03-02' };
      for (const c of [business, insurer]) {
        const r = await enquire(c, id);
        assert.equal(r.status, 200, r.text);
        for (const f of ['name', 'addressingName', 'address', 'moveDate']) assert.equal(r.json.data[f], undefined, `${f} withheld`);
        assert.ok(!r.text.includes('Kongensgade') && !r.text.includes('Nielsen') && !r.text.includes(uuid(2)));
        assert.deepEqual(
          r.json.withheld.filter((w: { reason: string }) => w.reason === 'protected_§28').map((w: { field: string }) => w.field).sort(),
          ['address', 'addressingName', 'moveDate', 'name'],
        );
        assert.equal(r.json.protectionMark, undefined);
      }
      const cb = await enquire(bureau, id);
      assert.equal(cb.status, 200);
      assert.equal(cb.json.data.name.lastName, 'Nielsen');
      assert.equal(cb.json.data.address.roadName, 'Kongensgade');
      assert.equal(cb.json.protectionMark.type, '0001');
      assert.equal(cb.json.protectionMark.doNotPassOn, true);
      assert.ok(cb.json.protectionMark.rules.some((r: string) => r.includes('§44(3)')), 'not to be passed on (§44(3))');
      assert.ok(cb.json.basis.includes('§42(4)'));
    });

    test('a separated married person: the insurer gets civil status and its date, nothing about the separation', async () => {
      const id = { name: { firstNames: 'Birgitte', lastName: 'Kjaer' }, birthDate: '1970-11-11' };
      const r = await enquire(insurer, id);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.data.civilStatus, 'G');
      assert.equal(r.json.data.civilStatusDate, '2001-06-16');
      assert.ok(!/separat/i.test(r.text), 'no separation, not even as withheld');
      assert.ok(!r.text.includes('2025-02-01'), 'nor its date');
      assert.ok(!r.text.includes('Ole'), 'nor the spouse');
      assert.ok(r.json.basis.includes('§42(3)'));
      const b = await enquire(business, id);
      assert.equal(b.json.data.civilStatus, undefined);
      assert.ok(!/separat/i.test(b.text));
    });

    test('a person who moved is found by the former and by the current address, in each form', async () => {
      const name = { firstNames: 'Peter', lastName: 'Mortensen' };
      const forms = [
        { roadName: 'Aaboulevarden', houseNumber: '10', postalCode: '8000' }, // former, Å written out
        { roadName: 'åboulevarden', houseNumber: '010', postalCode: '8000' }, // former
        { municipalityCode: '0751', roadCode: '1000', houseNumber: '10' }, // former
        { addressId: uuid(4) }, // former
        { municipalityCode: '0751', roadCode: '2000', houseNumber: '5', floor: '1', door: 'tv' }, // current
        { roadName: 'Norre Alle', houseNumber: '5', floor: '1.', door: 'TV', postalCode: '8000' }, // current
        { addressId: uuid(5).toUpperCase() }, // current
      ];
      for (const address of forms) {
        const r = await enquire(business, { name, address });
        assert.equal(r.status, 200, `${JSON.stringify(address)}: ${r.text}`);
        assert.equal(r.json.data.address.roadName, 'Nørre Allé', 'the current address is disclosed');
        assert.equal(r.json.data.moveDate, '2023-08-01');
      }
      const wrong = [
        { municipalityCode: '0751', roadCode: '2000', houseNumber: '5', floor: '2' },
        { municipalityCode: '0751', roadCode: '1000', houseNumber: '11' },
        { roadName: 'Åboulevarden', houseNumber: '10', postalCode: '8200' },
        { addressId: uuid(1) },
      ];
      for (const address of wrong) assert.equal((await enquire(business, { name, address })).status, 404, JSON.stringify(address));
    });

    test('a person is found by a former last name (name change), and answered with the current one', async () => {
      const r = await enquire(business, { name: { firstNames: 'Camilla', lastName: 'Jensen' }, birthDate: '1992-04-04' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.data.name.lastName, 'Holm');
      assert.ok(!r.text.includes('Jensen'), 'former names only identify (§42(2): current name)');
      assert.equal((await enquire(business, { name: { firstNames: 'Camilla', lastName: 'Holm' }, birthDate: '1992-04-04' })).status, 200);
    });

    test('two persons with the same name and birth date: no_unique_match, the same body as no match at all', async () => {
      const headers = { 'x-request-id': 'same-request' };
      const several = await enquire(business, { name: { firstNames: 'Mads', lastName: 'Andersen' }, birthDate: '1990-09-09' }, headers);
      const none = await enquire(business, { name: { firstNames: 'Mads', lastName: 'Andersson' }, birthDate: '1990-09-09' }, headers);
      assert.equal(several.status, 404);
      assert.equal(several.json.code, 'no_unique_match');
      assert.equal(several.text, none.text, 'byte for byte the same');
      assert.equal(none.status, 404);
      assert.match(several.headers.get('content-type') ?? '', /problem\+json/);
    });

    test('a public authority gets 403 here; it looks persons up by number', async () => {
      const r = await enquire(authority, { name: ANNA, birthDate: '1980-05-17' });
      assert.equal(r.status, 403);
      assert.equal(r.json.code, 'no_legal_basis');
      assert.match(r.json.detail, /\/api\/v1\/persons/);
      const d = await api.call('POST', '/api/v1/deliveries', { key: authority.key, body: { items: [{ ref: 'x', pnr: p.ordinary }] } });
      assert.equal(d.status, 403);
    });

    test('validation: a missing name, or a name without a second identifier, is a 400 with a clear sentence', async () => {
      const noName = await enquire(business, { birthDate: '1980-05-17' });
      assert.equal(noName.status, 400);
      assert.match(noName.headers.get('content-type') ?? '', /problem\+json/);
      assert.equal(noName.json.code, 'bad_request');
      assert.match(noName.json.detail, /name is required: first name\(s\) and last name, plus a birth date, an address or a person number \(§42\(6\)\)/);
      const nameOnly = await enquire(business, { name: ANNA });
      assert.equal(nameOnly.status, 400);
      assert.match(nameOnly.json.detail, /A name alone does not identify a person: add a birth date, an address or a person number \(§42\(6\)\)\./);
      const two = await enquire(business, { name: ANNA, birthDate: '1980-05-17', pnr: p.ordinary });
      assert.equal(two.status, 400);
      assert.match(two.json.detail, /only one of birthDate, address and pnr/);
      const badAddress = await enquire(business, { name: ANNA, address: { roadName: 'Vestergade', houseNumber: '12' } });
      assert.equal(badAddress.status, 400);
      assert.match(badAddress.json.detail, /roadName \+ houseNumber \+ postalCode/);
      const badDate = await enquire(business, { name: ANNA, birthDate: '1980-02-30' });
      assert.equal(badDate.status, 400);
      assert.match(badDate.json.detail, /birthDate is a date YYYY-MM-DD/);
      const typo = await enquire(business, { name: ANNA, birthdate: '1980-05-17' });
      assert.equal(typo.status, 400);
      assert.match(typo.json.detail, /birthdate/);
      const noLast = await enquire(business, { name: { firstNames: 'Anna' }, birthDate: '1980-05-17' });
      assert.equal(noLast.status, 400);
      assert.match(noLast.json.detail, /body\/name\/lastName: lastName is required\./);
    });

    test('every enquiry leaves one audit record: the person if one matched, the basis and the fields; none and several look alike', async () => {
      await api.ctx.audit.drain();
      const before = (await api.ctx.audit.search('insure', { type: 'company.enquiry', limit: 1000 })).records.length;
      const hit = await enquire(insurer, { name: ANNA, birthDate: '1980-05-17' }, { 'x-request-id': 'audit-hit' });
      assert.equal(hit.status, 200);
      const miss = await enquire(insurer, { name: { firstNames: 'Mads', lastName: 'Andersen' }, birthDate: '1990-09-09' }, { 'x-request-id': 'audit-miss' });
      assert.equal(miss.status, 404);
      const records = (await api.ctx.audit.search('insure', { type: 'company.enquiry', limit: 1000 })).records;
      assert.equal(records.length, before + 2, 'one record per enquiry, written before the answer');
      const h = records.find((r) => r.requestId === 'audit-hit')!;
      assert.deepEqual(h.subjects, [p.ordinary]);
      assert.equal(h.customer, 'insure');
      assert.equal(h.actor, insurer.principal.id);
      assert.equal(h.legalBasis, '§39 §42(3)');
      assert.deepEqual(h.fields, hit.json.fields);
      assert.ok(h.fields!.includes('civilStatus') && h.fields!.includes('name'));
      assert.deepEqual(h.detail, { identifiedBy: 'birthDate', matched: true, references: ['Anna Marie Due Hansen', '1980-05-17'] }, 'what the insurer sent, for its own log');
      const m = records.find((r) => r.requestId === 'audit-miss')!;
      assert.deepEqual(m.subjects, []);
      assert.deepEqual(m.fields, []);
      assert.deepEqual(m.detail, { identifiedBy: 'birthDate', matched: false, references: ['Mads Andersen', '1990-09-09'] }, 'no count: "several" is not told apart from "none"');
      // The person can be told who looked them up (§46).
      assert.ok((await api.ctx.audit.lookupsOf(p.ordinary!)).some((l) => l.customer === 'insure' && l.action === 'company.enquiry'));
    });

    test('a bulk delivery of three items runs in the background; the NDJSON result is right; only its customer sees it', async () => {
      const created = await api.call('POST', '/api/v1/deliveries', {
        key: business.key,
        body: {
          items: [
            { ref: 'kunde-1', pnr: p.ordinary },
            { ref: 'kunde-2', name: { firstNames: 'Camilla', lastName: 'Jensen' }, birthDate: '1992-04-04' },
            { ref: 'kunde-3', name: { firstNames: 'Mads', lastName: 'Andersen' }, birthDate: '1990-09-09' },
          ],
        },
        headers: { 'x-request-id': 'bulk-1' },
      });
      assert.equal(created.status, 202, created.text);
      const id = created.json.id as string;
      assert.equal(created.headers.get('location'), `/api/v1/deliveries/${id}`);
      assert.equal(created.json.itemsTotal, 3);
      let job = created.json;
      for (let i = 0; i < 2400 && job.status !== 'completed' && job.status !== 'failed'; i++) {
        await new Promise((r) => setTimeout(r, 25));
        job = (await api.call('GET', `/api/v1/deliveries/${id}`, { key: business.key })).json;
      }
      assert.equal(job.status, 'completed', JSON.stringify(job));
      assert.equal(job.itemsDone, 3);
      assert.equal(job.matched, 2);
      assert.equal(job.result, `/api/v1/deliveries/${id}/result`);

      const res = await api.call('GET', job.result, { key: business.key });
      assert.equal(res.status, 200, res.text);
      assert.match(res.headers.get('content-type') ?? '', /application\/x-ndjson/);
      const lines = res.text.trimEnd().split('\n').map((l) => JSON.parse(l));
      assert.equal(lines.length, 3);
      assert.deepEqual(lines.map((l) => [l.ref, l.matched]), [['kunde-1', true], ['kunde-2', true], ['kunde-3', false]]);
      assert.equal(lines[0].data.name.lastName, 'Hansen');
      assert.equal(lines[0].data.occupation, 'Sygeplejerske');
      assert.deepEqual(lines[0].basis, ['§38(2)'], 'a delivery is made under §38');
      assert.equal(lines[1].data.name.lastName, 'Holm');
      assert.deepEqual(lines[2], { ref: 'kunde-3', matched: false });
      for (const number of Object.values(p)) assert.ok(!res.text.includes(number), 'never a person number');
      for (const f of NEVER) assert.ok(!res.text.includes(`"${f}"`), `${f} not in the result`);

      // Another customer: the job does not exist for it.
      assert.equal((await api.call('GET', `/api/v1/deliveries/${id}`, { key: otherBusiness.key })).status, 404);
      assert.equal((await api.call('GET', `/api/v1/deliveries/${id}/result`, { key: otherBusiness.key })).status, 404);
      assert.ok(!(await api.call('GET', '/api/v1/deliveries', { key: otherBusiness.key })).json.deliveries.some((d: { id: string }) => d.id === id));
      assert.ok((await api.call('GET', '/api/v1/deliveries', { key: business.key })).json.deliveries.some((d: { id: string }) => d.id === id));

      // Audited per chunk, naming every person disclosed.
      await api.ctx.audit.drain();
      const recs = (await api.ctx.audit.search('shop', { type: 'company.delivery', limit: 1000 })).records.filter((r) => r.detail?.delivery === id);
      assert.equal(recs.length, 1);
      assert.deepEqual([...recs[0]!.subjects].sort(), [p.ordinary, p.renamed].sort());
      assert.equal(recs[0]!.legalBasis, '§38(2)');
      assert.equal(recs[0]!.requestId, 'bulk-1');
      assert.deepEqual(recs[0]!.detail, { delivery: id, chunk: 0, items: 3, matched: 2, references: [`delivery:${id}`] });
      // The identifications are not kept once the job is done.
      const left = await api.register.store.db.selectFrom('delivery_input').select('chunk').where('job_id', '=', id).execute();
      assert.equal(left.length, 0);
    });

    test('bulk delivery validation: §38(5) identifications, per item', async () => {
      const post = (items: unknown) => api.call('POST', '/api/v1/deliveries', { key: business.key, body: { items } });
      const noName = await post([{ ref: 'a', pnr: p.ordinary }, { ref: 'b', birthDate: '1980-05-17' }]);
      assert.equal(noName.status, 400);
      assert.match(noName.json.detail, /Item 2 \(ref "b"\): A birth date identifies a person only together with a name \(§38\(5\)\)\./);
      const noRef = await post([{ pnr: p.ordinary }]);
      assert.equal(noRef.status, 400);
      assert.match(noRef.json.detail, /items\/0\/ref: ref is required/);
      assert.equal((await post([])).status, 400);
      const lookupOnly = await api.customerWithKey({ name: 'Kun opslag', kind: 'business', legalBases: ['§39', '§38(2)'] });
      assert.equal((await api.call('POST', '/api/v1/deliveries', { key: lookupOnly.key, body: { items: [{ ref: 'a', pnr: p.ordinary }] } })).status, 403, 'needs the bulk role');
      const noBasis = await api.customerWithKey({ name: 'Kun §39', kind: 'business', legalBases: ['§39'] }, { roles: ['bulk'] });
      const nb = await api.call('POST', '/api/v1/deliveries', { key: noBasis.key, body: { items: [{ ref: 'a', pnr: p.ordinary }] } });
      assert.equal(nb.status, 403);
      assert.equal(nb.json.code, 'no_legal_basis');
    });

    test('candidates come from indexes, not scans', { skip: kind !== 'sqlite' }, async () => {
      const plan = async (q: string) =>
        (await sql.raw<{ detail: string }>(`EXPLAIN QUERY PLAN ${q}`).execute(api.register.store.db)).rows.map((r) => r.detail).join(' | ');
      assert.match(await plan(`select pnr from person_number where birth_date in ('1980-05-17')`), /USING (COVERING )?INDEX person_number_birth/);
      assert.match(
        await plan(`select pnr, road_code from residence where municipality_code = '0751' and road_code in ('1000') and valid_from <= '2026-06-01' and (reg_to is null or reg_to > 'x')`),
        /USING INDEX residence_road/,
      );
      assert.match(await plan(`select pnr from residence where address_id in ('${uuid(4)}') and valid_from <= '2026-06-01'`), /USING (COVERING )?INDEX residence_address/);
      assert.match(await plan(`select pnr from residence where access_address_id in ('${uuid(101)}') and valid_from <= '2026-06-01'`), /USING INDEX residence_access_address/);
      assert.match(await plan(`select municipality_code, road_code from company_road where postal_code = '8000' and road_key in ('x')`), /USING PRIMARY KEY/);
      assert.match(await plan(`select access_address_id from company_house where municipality_code = '0751' and road_code = '1000' and house_key = '10'`), /USING PRIMARY KEY/);
    });

    test('the address directory never moves its cursor past a registration in flight, and passes a number lost to a rollback', async () => {
      const db = api.register.store.db;
      const dir = new AddressDirectory(api.register);
      await dir.refresh();
      const reg = (roadCode: string, houseNumber: string) => ({
        pnr: '0101010101',
        registered_at: '2026-06-01T10:00:00.000Z',
        authority: '0461',
        event_code: 'A01',
        documentation: null,
        late: 0,
        annuls: null,
        changes: JSON.stringify([
          { group: 'address', key: '', validFrom: '2026-01-01', validTo: null, value: { ...ODENSE, roadCode, roadName: `Vej ${roadCode}`, houseNumber, accessAddressId: uuid(900 + Number(houseNumber)) } },
        ]),
      });
      const append = async (roadCode: string, houseNumber: string) =>
        Number((await db.insertInto('registration').values(reg(roadCode, houseNumber)).returning('seq').executeTakeFirstOrThrow()).seq);
      const cursor = async () => Number((await db.selectFrom('meta').select('value').where('key', '=', 'company.address_directory.seq').executeTakeFirst())?.value);
      if (kind === 'postgres') {
        // A writer draws seq `held` and has not committed; a later registration commits first.
        const client = new pg.Client({ connectionString: api.location });
        await client.connect();
        try {
          await client.query('begin');
          await client.query('select pg_current_xact_id()');
          const r = reg('7001', '1');
          const held = Number(
            (
              await client.query(
                'insert into registration (pnr, registered_at, authority, event_code, late, changes) values ($1, $2, $3, $4, 0, $5) returning seq',
                [r.pnr, r.registered_at, r.authority, r.event_code, r.changes],
              )
            ).rows[0].seq,
          );
          const later = await append('7002', '2');
          assert.equal(later, held + 1);
          await dir.refresh();
          assert.deepEqual((await dir.houses('0461', '7002', '2')).accessAddressIds, [uuid(902)], 'what was read is indexed at once');
          assert.equal(await cursor(), held - 1, 'the cursor waits at the gap');
          await client.query('commit');
          await dir.refresh();
          assert.deepEqual((await dir.houses('0461', '7001', '1')).accessAddressIds, [uuid(901)], 'the late one is not lost');
          assert.equal(await cursor(), later, 'and the cursor moves past both');
          assert.deepEqual(await dir.roads('5000', 'vej 7001'), [{ municipalityCode: '0461', roadCode: '7001' }]);
        } finally {
          await client.end();
        }
      }
      // A number lost to a rollback never comes: the cursor passes it (on PostgreSQL once no transaction that may hold it is in progress).
      await assert.rejects(
        db.transaction().execute(async (tx) => {
          await tx.insertInto('registration').values(reg('7003', '3')).execute();
          throw new Error('rolled back');
        }),
        /rolled back/,
      );
      const last = await append('7004', '4');
      for (let i = 0; i < 100 && (await cursor()) !== last; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        await dir.refresh();
      }
      assert.equal(await cursor(), last);
      assert.deepEqual((await dir.houses('0461', '7003', '3')).accessAddressIds, [], 'the rolled-back one is not there');
    });

    // Last: closes the first server, as a restart would.
    test('a job interrupted by a restart is resumed on the next start from its first chunk without a result', async () => {
      await api.app.close();
      const db = api.register.store.db;
      const id = 'dlv_interrupted';
      const past = new Date(Date.now() - 120_000).toISOString();
      await db
        .insertInto('delivery_job')
        .values({
          id,
          customer_id: 'shop',
          principal_id: business.principal.id,
          status: 'running',
          items_total: 3,
          items_done: 2,
          matched: 1,
          chunk_size: 2,
          chunks_total: 2,
          attempts: 0,
          created_at: '2026-06-01T10:00:00.000Z',
          started_at: '2026-06-01T10:00:00.000Z',
          finished_at: null,
          error: null,
          request_id: null,
          lease_owner: 'a-process-that-died',
          lease_until: past,
        })
        .execute();
      await db
        .insertInto('delivery_input')
        .values([
          { job_id: id, chunk: 0, items: JSON.stringify([{ ref: 'a' }, { ref: 'b' }]) },
          { job_id: id, chunk: 1, items: JSON.stringify([{ ref: 'c', name: { firstNames: 'Peter', lastName: 'Mortensen' }, address: { addressId: uuid(4) } }]) },
        ])
        .execute();
      // Chunk 0 was done before the crash.
      await db
        .insertInto('delivery_result')
        .values({ job_id: id, chunk: 0, items: 2, matched: 1, lines: '{"ref":"a","matched":true,"data":{}}\n{"ref":"b","matched":false}\n' })
        .execute();

      const { app } = await buildApp(api.register, api.clock, { logger: false });
      try {
        let job;
        for (let i = 0; i < 2400; i++) {
          job = (await app.inject({ method: 'GET', url: `/api/v1/deliveries/${id}`, headers: { authorization: `Bearer ${business.key}` } })).json();
          if (job.status === 'completed' || job.status === 'failed') break;
          await new Promise((r) => setTimeout(r, 25));
        }
        assert.equal(job.status, 'completed', JSON.stringify(job));
        assert.equal(job.itemsDone, 3);
        assert.equal(job.matched, 2);
        const res = await app.inject({ method: 'GET', url: `/api/v1/deliveries/${id}/result`, headers: { authorization: `Bearer ${business.key}` } });
        const lines = res.body.trimEnd().split('\n').map((l) => JSON.parse(l));
        assert.deepEqual(lines.map((l) => l.ref), ['a', 'b', 'c'], 'chunk 0 was not done again');
        assert.equal(lines[2].matched, true);
        assert.equal(lines[2].data.address.roadName, 'Nørre Allé');
      } finally {
        await app.close();
      }
    });
  });
}
