import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { disclosureSchema } from '../../src/api/routes/persons.ts';
import { startApi } from '../support/api.ts';
import { createCast, type Cast } from '../support/persons.ts';

describe('API: public authorities\' lookups (DIS-2)', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let cast: Cast;
  let full: string;
  let narrow: string;
  let business: string;
  before(async () => {
    api = await startApi('sqlite', '2026-06-01T10:00:00Z');
    cast = await createCast(api.register);
    full = (await api.customerWithKey({ id: 'kommune', name: 'Odense Kommune', kind: 'public_authority', legalBases: ['§32'], scope: ['all'] }, { roles: ['lookup', 'bulk'] })).key;
    narrow = (await api.customerWithKey({ id: 'skat', name: 'Skat', kind: 'public_authority', legalBases: ['§32'], scope: ['pnr', 'name', 'address'] })).key;
    business = (await api.customerWithKey({ id: 'firma', name: 'Firma', kind: 'business', legalBases: ['§38(2)', '§42(2)'] })).key;
  });
  after(async () => api.dispose());

  const get = (key: string, pnr: string, q = '') => api.call('GET', `/api/v1/persons/${pnr}${q}`, { key });

  test('an ordinary person: a full-scope authority gets every field it was granted', async () => {
    const r = await get(full, cast.ordinary);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.pnr, cast.ordinary);
    assert.equal(r.json.data.name.lastName, 'Olsen');
    assert.equal(r.json.data.address.houseNumber, '1');
    assert.equal(r.json.data.church.member, 'F');
    assert.equal(r.json.data.birthPlace.place, 'Odense');
    assert.equal(r.json.protectionMark, undefined);
    // The route serialises the disclosure as built: it holds exactly what its schema names (nothing is stripped).
    assert.deepEqual(r.json, JSON.parse(JSON.stringify(disclosureSchema.parse(r.json))));
  });

  test('a narrow scope gets only its fields; the rest is listed as withheld not_in_scope', async () => {
    const r = await get(narrow, cast.ordinary);
    assert.deepEqual(Object.keys(r.json.data).sort(), ['address', 'name', 'pnr']);
    const reasons = new Map(r.json.withheld.map((w: { field: string; reason: string }) => [w.field, w.reason]));
    assert.equal(reasons.get('church'), 'not_in_scope');
    assert.equal(reasons.get('occupation'), 'not_in_scope');
  });

  test('active name-and-address protection: delivered to an authority with the mark (§34(2))', async () => {
    const r = await get(full, cast.protectedNow);
    assert.equal(r.json.data.name.lastName, 'Skjult');
    assert.ok(r.json.data.address);
    assert.equal(r.json.protectionMark.type, '0001');
    assert.equal(r.json.protectionMark.validTo, '2027-01-01');
    assert.equal(r.json.protectionMark.doNotPassOn, true);
    assert.deepEqual(r.json, JSON.parse(JSON.stringify(disclosureSchema.parse(r.json))));
  });

  test('a lapsed protection carries no mark now, but did at a date inside it', async () => {
    assert.equal((await get(full, cast.protectionLapsed)).json.protectionMark, undefined);
    const then = await get(full, cast.protectionLapsed, '?validAt=2025-06-01');
    assert.equal(then.json.protectionMark.type, '0001');
    assert.equal(then.json.validAt, '2025-06-01');
  });

  test('dead, emigrated, disappeared: status with date; no current Danish address', async () => {
    const dead = (await get(full, cast.dead)).json;
    assert.equal(dead.data.status.code, '90');
    assert.equal(dead.data.death.date, '2026-02-01');
    assert.equal(dead.data.address, undefined);
    const emi = (await get(full, cast.emigrated)).json;
    assert.equal(emi.data.status.code, '80');
    assert.equal(emi.data.emigration.date, '2025-08-01');
    assert.deepEqual(emi.data.emigration.foreignAddress.lines, ['Storgatan 1', 'Stockholm']);
    const gone = (await get(full, cast.disappeared)).json;
    assert.equal(gone.data.status.code, '70');
    assert.equal(gone.data.disappearance.date, '2026-03-01');
  });

  test('guardianship and separation are given to a full-scope authority', async () => {
    assert.equal((await get(full, cast.underGuardianship)).json.data.guardianship.guardianName, 'Advokat Hansen');
    const sep = (await get(full, cast.separated)).json;
    assert.equal(sep.data.civilStatus, 'G');
    assert.equal(sep.data.separation.date, '2025-10-01');
  });

  test('as known at a time before a registration, the register did not know it', async () => {
    const r = await get(full, cast.ordinary, '?knownAt=2026-05-01');
    assert.equal(r.status, 200);
    assert.equal(r.json.data.name, undefined, 'nothing was registered before 2026-06-01');
    assert.equal(r.json.data.address, undefined);
    assert.equal(r.json.data.birthDate, '1980-04-02', 'what the number itself says');
  });

  test('history when in scope', async () => {
    const r = await get(full, cast.dead, '?history=true');
    assert.ok(Array.isArray(r.json.data.history));
    assert.ok(r.json.data.history.some((h: { group: string }) => h.group === 'address'));
    const n = await get(narrow, cast.dead, '?history=true');
    assert.equal(n.json.data.history, undefined);
  });

  test('a company may not look up by person number here (§42(6))', async () => {
    const r = await get(business, cast.ordinary);
    assert.equal(r.status, 403);
    assert.equal(r.json.code, 'no_legal_basis');
  });

  test('errors: malformed number 400, unknown number 404, bad date 400', async () => {
    assert.equal((await get(full, '12345')).status, 400);
    const nf = await get(full, '0101011234');
    assert.equal(nf.status, 404);
    assert.equal(nf.json.code, 'person_not_found');
    assert.equal((await get(full, cast.ordinary, '?validAt=2026-02-30')).status, 400);
  });

  test('every lookup has its audit record with customer, user, type, person, basis and fields', async () => {
    await get(narrow, cast.separated);
    const { records } = await api.ctx.audit.search('skat', { pnr: cast.separated });
    const rec = records.at(-1)!;
    assert.equal(rec.action, 'person.lookup');
    assert.equal(rec.customer, 'skat');
    assert.ok(rec.actor.startsWith('usr_'));
    assert.deepEqual(rec.subjects, [cast.separated]);
    assert.equal(rec.legalBasis, '§32');
    assert.deepEqual([...(rec.fields ?? [])].sort(), ['address', 'name', 'pnr']);
    assert.ok(rec.requestId);
  });

  test('bulk: up to 1,000 numbers in one call, unknown ones marked, one audit record', async () => {
    const pnrs = [cast.ordinary, cast.dead, '0101011234'];
    const r = await api.call('POST', '/api/v1/persons/bulk', { key: full, body: { pnrs } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.results.length, 3);
    assert.equal(r.json.results[0].data.name.lastName, 'Olsen');
    assert.deepEqual(r.json.results[2], { pnr: '0101011234', notFound: true });
    const { records } = await api.ctx.audit.search('kommune', { type: 'person.bulk' });
    assert.equal(records.length, 1);
    assert.deepEqual(records[0]!.subjects, pnrs);
    const tooMany = await api.call('POST', '/api/v1/persons/bulk', { key: full, body: { pnrs: Array(1001).fill(cast.ordinary) } });
    assert.equal(tooMany.status, 400);
    assert.equal((await api.call('POST', '/api/v1/persons/bulk', { key: narrow, body: { pnrs } })).json.code, 'forbidden', 'bulk needs its own role');
  });

  test('fail closed: when the audit record cannot be written, no data leaves', async () => {
    await sql`ALTER TABLE audit RENAME TO audit_away`.execute(api.register.store.db);
    try {
      const r = await get(full, cast.ordinary);
      assert.equal(r.status, 503);
      assert.equal(r.json.code, 'audit_unavailable');
      assert.doesNotMatch(r.text, /Olsen/);
    } finally {
      await sql`ALTER TABLE audit_away RENAME TO audit`.execute(api.register.store.db);
    }
    assert.equal((await get(full, cast.ordinary)).status, 200, 'works again once the log is back');
  });

  test('"today" and "known at <date>" are Danish days: at 00:30 Danish time (22:30 UTC the day before) (issue 15, finding 6)', async () => {
    api.clock.set('2026-06-10T22:30:00Z'); // 00:30 on 11 June in Copenhagen (summer time)
    await api.register.register({
      pnr: cast.ordinary,
      authority: '0461',
      eventCode: 'A01',
      changes: [{ group: 'occupation', validFrom: '2026-06-11', value: { title: 'Jordemoder' } }],
    });
    const now = await get(full, cast.ordinary);
    assert.equal(now.json.validAt, '2026-06-11', 'valid now: the Danish date');
    assert.equal(now.json.data.occupation, 'Jordemoder');
    const dayBefore = await get(full, cast.ordinary, '?knownAt=2026-06-10');
    assert.equal(dayBefore.status, 200, dayBefore.text);
    assert.equal(dayBefore.json.knownAt, '2026-06-10T21:59:59.999Z', 'the end of 10 June in Denmark');
    assert.equal(dayBefore.json.data.occupation, 'Sygeplejerske', 'registered on 11 June Danish time: not known at 10 June');
    assert.equal((await get(full, cast.ordinary, '?knownAt=2026-06-11')).json.data.occupation, 'Jordemoder');
  });
});
