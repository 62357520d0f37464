import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApi } from '../support/api.ts';

describe('API: authentication, authorisation, errors', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let admin: string;
  before(async () => {
    api = await startApi();
    admin = (await api.customerWithKey({ id: 'cpr', name: 'CPR', kind: 'cpr_admin' }, { roles: ['admin', 'security_officer'] })).key;
  });
  after(async () => api.dispose());

  test('health needs no credentials; the OpenAPI document and reference page are served', async () => {
    assert.equal((await api.call('GET', '/api/v1/health')).json.status, 'ok');
    const doc = await api.call('GET', '/docs/json');
    assert.equal(doc.status, 200);
    assert.equal(doc.json.openapi, '3.1.0');
    assert.ok(doc.json.paths['/api/v1/admin/customers']);
    assert.equal((await api.call('GET', '/docs/')).status, 200);
  });

  test('errors are problem+json with a code, both languages and the request id', async () => {
    const r = await api.call('GET', '/api/v1/admin/customers', { headers: { 'x-request-id': 'req-123', 'accept-language': 'da' } });
    assert.equal(r.status, 401);
    assert.match(r.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.equal(r.json.code, 'unauthenticated');
    assert.equal(r.json.instance, 'req-123');
    assert.equal(r.headers.get('x-request-id'), 'req-123');
    assert.match(r.json.title, /legitimationsoplysninger/);
    assert.ok(r.json.messages.da && r.json.messages.en);
    assert.doesNotMatch(r.text, /at .*\.ts:\d+/, 'no stack trace');
    const nf = await api.call('GET', '/api/v1/nothing');
    assert.equal(nf.status, 404);
    assert.equal(nf.json.code, 'not_found');
  });

  test('bad credentials, a wrong role and bad input are distinct errors', async () => {
    assert.equal((await api.call('GET', '/api/v1/admin/customers', { key: 'ocpr_0000000000000000_' + 'x'.repeat(43) })).json.code, 'invalid_credentials');
    const clerk = await api.customerWithKey({ name: 'Kommune', kind: 'public_authority', scope: ['all'] });
    const r = await api.call('GET', '/api/v1/admin/customers', { key: clerk.key });
    assert.equal(r.status, 403);
    assert.equal(r.json.code, 'forbidden');
    const bad = await api.call('POST', '/api/v1/admin/customers', { key: admin, body: { name: '', kind: 'pirate' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.code, 'bad_request');
    const badJson = await fetch(api.base + '/api/v1/admin/customers', { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: '{nope' });
    assert.equal(badJson.status, 400);
  });

  test('the CPR administration creates a customer, a program and a client secret; the program gets a token', async () => {
    const c = await api.call('POST', '/api/v1/admin/customers', {
      key: admin,
      body: { id: 'skat', name: 'Skattestyrelsen', kind: 'public_authority', legalBases: ['§32'], scope: ['name', 'address'], allowList: ['127.0.0.0/8'] },
    });
    assert.equal(c.status, 201, c.text);
    const p = await api.call('POST', '/api/v1/admin/customers/skat/principals', { key: admin, body: { kind: 'program', name: 'Skattesystem', roles: ['lookup', 'security_officer'] } });
    assert.equal(p.status, 201, p.text);
    const cred = await api.call('POST', `/api/v1/admin/principals/${p.json.id}/credentials`, { key: admin, body: { kind: 'client_secret' } });
    assert.equal(cred.status, 201);
    const tok = await api.call('POST', '/api/v1/oauth/token', { body: { grant_type: 'client_credentials', client_id: cred.json.id, client_secret: cred.json.secret } });
    assert.equal(tok.status, 200, tok.text);
    assert.equal(tok.json.token_type, 'Bearer');
    assert.ok(tok.json.expires_in <= 300);
    const list = await api.call('GET', '/api/v1/security/authorisations', { key: tok.json.access_token });
    assert.equal(list.status, 200, list.text);
    assert.equal(list.json.customer.id, 'skat');
    assert.equal(list.json.authorisations[0].name, 'Skattesystem');
    assert.equal(list.json.authorisations[0].credentials.length, 1);
    assert.ok(!JSON.stringify(list.json).includes(cred.json.secret), 'the secret is never shown again');
    const wrong = await api.call('POST', '/api/v1/oauth/token', { body: { grant_type: 'client_credentials', client_id: cred.json.id, client_secret: 'guess' } });
    assert.equal(wrong.status, 401);
    // The token expires: move the clock past its lifetime.
    api.clock.advance(301_000);
    const late = await api.call('GET', '/api/v1/security/authorisations', { key: tok.json.access_token });
    assert.equal(late.json.code, 'invalid_token');
  });

  test('secrets are stored only as hashes', async () => {
    const { key } = await api.customerWithKey({ name: 'Hash check', kind: 'business' });
    // The secret is everything after the key id; base64url may itself contain '_'.
    const secret = key.split('_').slice(2).join('_');
    assert.ok(secret.length >= 40);
    const rows = await api.register.store.db.selectFrom('credential').select('secret_hash').execute();
    assert.ok(rows.every((r) => r.secret_hash !== secret && !r.secret_hash.includes(secret)));
  });

  test('authorisation periods: a user whose authorisation ended is refused; a security officer sees only their own customer', async () => {
    const c = await api.customerWithKey({ name: 'Udløbet', kind: 'public_authority' }, { roles: ['security_officer'], validTo: '2026-07-01' });
    const ok = await api.call('GET', '/api/v1/security/authorisations', { key: c.key });
    assert.equal(ok.status, 200);
    assert.equal((await api.call('GET', '/api/v1/security/authorisations?customer=cpr', { key: c.key })).json.code, 'forbidden');
    api.clock.set('2026-07-02T10:00:00Z');
    await new Promise((r) => setTimeout(r, 0));
    const refused = await api.call('GET', '/api/v1/security/authorisations', { key: c.key });
    assert.equal(refused.status, 403);
    assert.equal(refused.json.code, 'authorisation_inactive');
  });

  test('network allow-list (AUD-6): a caller outside it is refused', async () => {
    const c = await api.customerWithKey({ name: 'Kun intern', kind: 'public_authority', allowList: ['10.0.0.0/8'] }, { roles: ['security_officer'] });
    const r = await api.call('GET', '/api/v1/security/authorisations', { key: c.key });
    assert.equal(r.status, 403);
    assert.equal(r.json.code, 'network_not_allowed');
  });

  test('per-customer rate limit: 429 with Retry-After', async () => {
    const c = await api.customerWithKey({ name: 'Lille kunde', kind: 'public_authority', ratePerMinute: 3 }, { roles: ['security_officer'] });
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await api.call('GET', '/api/v1/security/authorisations', { key: c.key })).status);
    assert.deepEqual(codes, [200, 200, 200, 429, 429]);
    const r = await api.call('GET', '/api/v1/security/authorisations', { key: c.key });
    assert.equal(r.json.code, 'rate_limited');
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    // Another customer is not affected.
    assert.equal((await api.call('GET', '/api/v1/security/authorisations', { key: admin })).status, 200);
  });
});
