import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApi } from '../support/api.ts';
import { createCast, type Cast } from '../support/persons.ts';

describe('API: log search and transaction statistics (AUD-4)', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let cast: Cast;
  let aClerk: string;
  let aOfficer: string;
  let bClerk: string;
  before(async () => {
    api = await startApi('sqlite', '2026-06-01T10:00:00Z');
    cast = await createCast(api.register);
    const a = await api.customerWithKey({ id: 'kom-a', name: 'A Kommune', kind: 'public_authority', legalBases: ['§32'], scope: ['all'] });
    aClerk = a.key;
    const officer = await api.ctx.access.addPrincipal('kom-a', { kind: 'user', name: 'Sikkerhedsansvarlig', roles: ['security_officer'] });
    aOfficer = (await api.ctx.access.issueCredential(officer.id, 'api_key')).apiKey!;
    bClerk = (await api.customerWithKey({ id: 'kom-b', name: 'B Kommune', kind: 'public_authority', legalBases: ['§32'], scope: ['all'] })).key;
    await api.call('GET', `/api/v1/persons/${cast.ordinary}`, { key: aClerk });
    await api.call('GET', `/api/v1/persons/${cast.dead}`, { key: aClerk });
    await api.call('GET', `/api/v1/persons/${cast.protectedNow}`, { key: aClerk });
    await api.call('GET', `/api/v1/persons/${cast.ordinary}`, { key: bClerk });
  });
  after(async () => api.dispose());

  test('the security officer sees the own customer\'s lookups only', async () => {
    const r = await api.call('GET', '/api/v1/security/audit', { key: aOfficer });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.records.length, 3);
    assert.ok(r.json.records.every((x: { customer: string }) => x.customer === 'kom-a'));
    const byPerson = await api.call('GET', `/api/v1/security/audit?type=person.lookup&pnr=${cast.dead}`, { key: aOfficer });
    assert.deepEqual(byPerson.json.records.map((x: { subjects: string[] }) => x.subjects), [[cast.dead]]);
  });

  test('the log search is itself logged', async () => {
    await api.call('GET', '/api/v1/security/audit?type=person.lookup', { key: aOfficer });
    const { records } = await api.ctx.audit.search('kom-a', { type: 'audit.search' });
    assert.ok(records.length >= 1);
  });

  test('statistics: per user, type and month', async () => {
    const r = await api.call('GET', '/api/v1/security/statistics?from=2026-06&to=2026-06', { key: aOfficer });
    assert.equal(r.status, 200, r.text);
    const lookups = r.json.rows.filter((x: { type: string }) => x.type === 'person.lookup');
    assert.equal(lookups.length, 1);
    assert.equal(lookups[0].count, 3);
    assert.equal(lookups[0].month, '2026-06');
    // One of the three persons has name-and-address protection (§28): the quarterly control counts it.
    assert.equal(lookups[0].protectedPersons, 1);
  });

  test('a clerk without the role is refused; a bad period is 400', async () => {
    assert.equal((await api.call('GET', '/api/v1/security/audit', { key: aClerk })).status, 403);
    assert.equal((await api.call('GET', '/api/v1/security/statistics?from=June', { key: aOfficer })).status, 400);
  });
});
