import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPnr } from '../../src/domain/pnr/pnr.ts';
import { EXTRACT_ACTIONS, MARKETING_COLUMNS, parseCsv } from '../../src/services/extracts.ts';
import { startApi } from '../support/api.ts';

const odense = (road: string, no: string, addressId: string) => ({
  municipalityCode: '0461',
  roadCode: '1234',
  roadName: road,
  houseNumber: no,
  postalCode: '5000',
  postalDistrict: 'Odense C',
  addressId,
});
const OLD_ADDRESS = '0a3f50a0-22ce-32b8-e044-0003ba298018';
const NEW_ADDRESS = '0a3f50a1-0000-32b8-e044-0003ba298018';

describe('API: own data (§46) and the marketing-protection list (§40(4)-(5))', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let me: string;
  let mother: string;
  let father: string;
  let spouse: string;
  let children: string[];
  let citizen: { key: string; customer: { id: string }; principal: { id: string } };

  before(async () => {
    api = await startApi('sqlite', '2026-06-01T10:00:00Z');
    const r = api.register;
    mother = await r.allocatePnr('1955-02-03', 'K');
    father = await r.allocatePnr('1954-04-05', 'M');
    me = await r.allocatePnr('1985-07-14', 'K');
    spouse = await r.allocatePnr('1984-01-09', 'M');
    children = [await r.allocatePnr('2015-03-01', 'M'), await r.allocatePnr('2018-09-30', 'K')];
    for (const other of [mother, father, spouse, ...children]) {
      await r.register({
        pnr: other,
        authority: '0461',
        eventCode: 'A01',
        changes: [{ group: 'name', validFrom: '1950-01-01', value: { firstNames: ['Anden'], lastName: 'Person' } }],
      });
    }
    await r.register({
      pnr: me,
      authority: '0461',
      eventCode: 'A01',
      changes: [
        { group: 'name', validFrom: '1985-07-14', validTo: '2012-06-01', value: { firstNames: ['Mette'], lastName: 'Holm' } },
        { group: 'name', validFrom: '2012-06-01', value: { firstNames: ['Mette'], middleNames: ['Holm'], lastName: 'Jensen' } },
        { group: 'address', validFrom: '2010-01-01', validTo: '2020-01-01', value: odense('Vestergade', '12', OLD_ADDRESS) },
        { group: 'address', validFrom: '2020-01-01', value: odense('Overgade', '3', NEW_ADDRESS) },
        { group: 'status', validFrom: '1985-07-14', value: { code: '01' } },
        { group: 'civilStatus', validFrom: '1985-07-14', validTo: '2012-06-01', value: { code: 'U' } },
        { group: 'civilStatus', validFrom: '2012-06-01', value: { code: 'G', spousePnr: spouse } },
        { group: 'relation', validFrom: '1985-07-14', value: { role: 'mother', pnr: mother } },
        { group: 'relation', validFrom: '1985-07-14', value: { role: 'father', pnr: father } },
        { group: 'relation', validFrom: '2015-03-01', value: { role: 'child', pnr: children[0] } },
        { group: 'relation', validFrom: '2018-09-30', value: { role: 'child', pnr: children[1] } },
        { group: 'occupation', validFrom: '2010-01-01', value: { title: 'Sygeplejerske' } },
        { group: 'protection', validFrom: '2021-01-01', value: { type: '0003' } },
      ],
    });
    citizen = await api.customerWithKey({ id: 'borger', name: 'Borger.dk', kind: 'citizen' }, { roles: ['own_data'], pnr: me, name: 'Mette selv' });
  });
  after(async () => api.dispose());

  test('own data: current data, the history, and the numbers of children, spouse and parents', async () => {
    const res = await api.call('GET', '/api/v1/me', { key: citizen.key });
    assert.equal(res.status, 200, res.text);
    const a = res.json;
    assert.equal(a.pnr, me);
    assert.equal(a.legalBasis, '§46');
    assert.equal(a.data.name.lastName, 'Jensen');
    assert.equal(a.data.address.addressId, NEW_ADDRESS);
    assert.equal(a.data.occupation, 'Sygeplejerske');
    assert.equal(a.data.marketingProtection, true);
    assert.deepEqual(a.family.parents.map((x: { role: string; pnr: string }) => [x.role, x.pnr]).sort(), [['father', father], ['mother', mother]].sort());
    assert.equal(a.family.spouse.pnr, spouse);
    assert.equal(a.family.spouse.civilStatus, 'G');
    assert.deepEqual(a.family.children.map((x: { pnr: string }) => x.pnr).sort(), [...children].sort());
    // The relations in the current data carry the numbers too (§46 "egne børns, ægtefælles samt forældres personnumre").
    assert.ok(a.data.relations.every((x: { pnr?: string }) => typeof x.pnr === 'string'));
    assert.equal(a.data.spouse.pnr, spouse);

    // Current and former data: both addresses and both names with their validity.
    const addresses = a.history.filter((h: { group: string }) => h.group === 'address');
    assert.deepEqual(
      addresses.map((h: { value: { addressId: string }; validFrom: string; validTo: string | null }) => [h.value.addressId, h.validFrom, h.validTo]),
      [
        [OLD_ADDRESS, '2010-01-01', '2020-01-01'],
        [NEW_ADDRESS, '2020-01-01', null],
      ],
    );
    const names = a.history.filter((h: { group: string }) => h.group === 'name').map((h: { value: { lastName: string } }) => h.value.lastName);
    assert.deepEqual(names, ['Holm', 'Jensen']);
    assert.ok(a.history.some((h: { group: string; value: { code: string } }) => h.group === 'civilStatus' && h.value.code === 'U'));
    assert.match(a.note, /1\. januar 1971/);
  });

  test('who looked me up: the customer (not the user) and the date of an authority lookup; own reads are audited but not listed', async () => {
    const skat = await api.customerWithKey({ id: 'skat', name: 'Skattestyrelsen', kind: 'public_authority', legalBases: ['§32'], scope: ['all'] }, { name: 'Sagsbehandler Søren' });
    const look = await api.call('GET', `/api/v1/persons/${me}`, { key: skat.key });
    assert.equal(look.status, 200, look.text);

    const res = await api.call('GET', '/api/v1/me', { key: citizen.key });
    assert.equal(res.status, 200, res.text);
    const lookups = res.json.lookups as Array<{ customer: string; customerKind: string; date: string; type: string; legalBasis: string }>;
    const bySkat = lookups.filter((l) => l.customer === 'Skattestyrelsen');
    assert.equal(bySkat.length, 1);
    assert.equal(bySkat[0]!.date, '2026-06-01');
    assert.equal(bySkat[0]!.customerKind, 'public_authority');
    assert.equal(bySkat[0]!.type, 'person.lookup');
    assert.equal(bySkat[0]!.legalBasis, '§32');
    assert.ok(!lookups.some((l) => l.type === 'own_data'), 'the citizen\'s own reads are not listed as lookups');
    assert.ok(!res.text.includes('Sagsbehandler Søren') && !res.text.includes(skat.principal.id), 'no individual users');

    // Both own reads are in the audit log, as own_data by the citizen's principal.
    const own = (await api.ctx.audit.search('borger', { type: 'own_data' })).records;
    assert.ok(own.length >= 2);
    assert.ok(own.every((x) => x.subjects.length === 1 && x.subjects[0] === me && x.actor === citizen.principal.id && x.legalBasis === '§46'));
  });

  test('the printable attestation is Danish plain text with the family numbers and the lookups', async () => {
    const before = (await api.ctx.audit.search('borger', { type: 'own_data' })).records.length;
    const res = await api.call('GET', '/api/v1/me/attestation.txt', { key: citizen.key });
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; charset=utf-8/);
    assert.match(res.text, /^ATTESTATION AF OPLYSNINGER I CPR/);
    assert.ok(res.text.includes(formatPnr(me)));
    for (const n of [mother, father, spouse, ...children]) assert.ok(res.text.includes(formatPnr(n)), `${n} in the attestation`);
    assert.match(res.text, /Vestergade 12/);
    assert.match(res.text, /2010-01-01 – 2020-01-01/);
    assert.match(res.text, /Skattestyrelsen \(offentlig myndighed\): opslag, hjemmel § 32/);
    assert.equal((await api.ctx.audit.search('borger', { type: 'own_data' })).records.length, before + 1, 'audited');
  });

  test('a citizen can never read anyone else: no parameter takes another number', async () => {
    const res = await api.call('GET', `/api/v1/me?pnr=${mother}`, { key: citizen.key });
    assert.equal(res.status, 200);
    assert.equal(res.json.pnr, me);
    assert.equal((await api.call('GET', `/api/v1/me/${mother}`, { key: citizen.key })).status, 404);
    assert.equal((await api.call('GET', `/api/v1/persons/${mother}`, { key: citizen.key })).status, 403);
  });

  test('403 for a citizen principal without a number, a non-citizen, and a caller without the own_data role', async () => {
    const anonymous = await api.customerWithKey({ name: 'Borger uden nummer', kind: 'citizen' }, { roles: ['own_data'] });
    const r1 = await api.call('GET', '/api/v1/me', { key: anonymous.key });
    assert.equal(r1.status, 403);
    assert.equal(r1.json.code, 'forbidden');
    assert.match(r1.json.detail, /not tied to a person number/);
    assert.equal((await api.call('GET', '/api/v1/me/attestation.txt', { key: anonymous.key })).status, 403);

    const company = await api.customerWithKey({ name: 'Firma A/S', kind: 'business', legalBases: ['§38(2)'] }, { roles: ['own_data'], pnr: me });
    const r2 = await api.call('GET', '/api/v1/me', { key: company.key });
    assert.equal(r2.status, 403);
    assert.match(r2.json.detail, /for citizens/);

    const authority = await api.customerWithKey({ name: 'Kommune', kind: 'public_authority', legalBases: ['§32'], scope: ['all'] }, { pnr: me });
    assert.equal((await api.call('GET', '/api/v1/me', { key: authority.key })).status, 403);
    assert.equal((await api.call('GET', '/api/v1/me')).status, 401);
  });

  test('marketing-protection list: CSV for a business, one audit record per download, told to the persons on it', async () => {
    const shop = await api.customerWithKey({ id: 'shop', name: 'Webshop ApS', kind: 'business', legalBases: ['§38(2)'] });
    const res = await api.call('GET', '/api/v1/extracts/marketing-protection', { key: shop.key });
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv; charset=utf-8/);
    assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="reklamebeskyttede-2026Q2-2026-06-01\.csv"/);
    assert.equal(res.headers.get('x-opencpr-as-of'), '2026-06-01');
    assert.equal(res.headers.get('x-opencpr-period'), '2026Q2');
    const [header, ...rows] = parseCsv(res.text);
    assert.deepEqual(header, MARKETING_COLUMNS);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]![MARKETING_COLUMNS.indexOf('last_name')], 'Jensen');
    assert.equal(rows[0]![MARKETING_COLUMNS.indexOf('previous_road_name')], '', 'moved more than 3 years ago');
    assert.ok(!res.text.includes(me));

    const again = await api.call('GET', '/api/v1/extracts/marketing-protection', { key: shop.key });
    assert.equal(again.text, res.text, 'the quarter\'s list, not a new one per download');
    assert.equal(again.headers.get('etag'), res.headers.get('etag'));
    const downloads = (await api.ctx.audit.search('shop', { type: EXTRACT_ACTIONS.marketingDownload })).records;
    assert.equal(downloads.length, 2);
    assert.deepEqual(downloads[0]!.subjects, [`extract:${res.headers.get('x-opencpr-extract')}`]);
    assert.equal(downloads[0]!.legalBasis, '§40(5)');

    const mine = await api.call('GET', '/api/v1/me', { key: citizen.key });
    const told = (mine.json.lookups as Array<{ customer: string; type: string; list?: { kind: string; period: string } }>).filter((l) => l.list);
    assert.equal(told.length, 2);
    assert.equal(told[0]!.customer, 'Webshop ApS');
    assert.deepEqual(told[0]!.list, { kind: 'marketing_protection', period: '2026Q2' });
  });

  test('marketing-protection list: refused to public authorities, citizens and businesses without a business basis', async () => {
    const authority = await api.customerWithKey({ name: 'Styrelse', kind: 'public_authority', legalBases: ['§32'], scope: ['all'] });
    const r1 = await api.call('GET', '/api/v1/extracts/marketing-protection', { key: authority.key });
    assert.equal(r1.status, 403);
    assert.equal(r1.json.code, 'no_legal_basis');
    const noBasis = await api.customerWithKey({ name: 'Uden hjemmel', kind: 'business' });
    assert.equal((await api.call('GET', '/api/v1/extracts/marketing-protection', { key: noBasis.key })).status, 403);
    const asCitizen = await api.customerWithKey({ name: 'Borger', kind: 'citizen', legalBases: ['§42(2)'] }, { roles: ['lookup'] });
    assert.equal((await api.call('GET', '/api/v1/extracts/marketing-protection', { key: asCitizen.key })).status, 403);
  });
});
