/**
 * Credentials (issue 14, findings 7-9) over real HTTP on loopback: failed
 * authentication is counted per address before authenticating; revocation,
 * ends of authorisation and expiry take effect on the next request here and
 * within 1 s in another process on the same store (SQLite and PostgreSQL);
 * unknown legal bases and scope fields are refused with the valid ones.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AccessControl } from '../../src/access/customers.ts';
import { openStore, type Store } from '../../src/storage/store.ts';
import { startApi } from '../support/api.ts';
import { STORE_KINDS } from '../support/stores.ts';

type TestApi = Awaited<ReturnType<typeof startApi>>;
const WRONG_KEY = 'ocpr_0000000000000000_' + 'x'.repeat(43);
const credentialIdOf = (key: string) => key.split('_')[1]!;

describe('failed authentication is counted per address before authenticating (finding 7)', () => {
  let api: TestApi;
  let good: Awaited<ReturnType<TestApi['customerWithKey']>>;
  before(async () => {
    api = await startApi('sqlite');
    good = await api.customerWithKey({ name: 'Kommune', kind: 'public_authority', legalBases: ['§32'], scope: ['all'] }, { roles: ['security_officer'] });
  });
  after(async () => api.dispose());

  test('150 wrong keys: 20 answered 401, then 429 with Retry-After, even for the right key, until the window ends', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 150; i++) codes.push((await api.call('GET', '/api/v1/security/authorisations', { key: WRONG_KEY })).status);
    assert.equal(codes.filter((c) => c === 401).length, 20);
    assert.equal(codes.filter((c) => c === 429).length, 130);
    assert.deepEqual(codes.slice(0, 21), [...Array(20).fill(401), 429], 'the 21st attempt is refused before authenticating');
    const refused = await api.call('GET', '/api/v1/security/authorisations', { key: good.key, headers: { 'accept-language': 'da' } });
    assert.equal(refused.status, 429, 'a guess that happens to be right is refused as well');
    assert.equal(refused.json.code, 'rate_limited');
    assert.ok(refused.json.messages.da && refused.json.messages.en);
    const retry = Number(refused.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
    api.clock.advance(retry * 1000);
    assert.equal((await api.call('GET', '/api/v1/security/authorisations', { key: good.key })).status, 200);
  });

  test('failed sign-ins, token requests and keys share the count', async () => {
    api.clock.advance(61_000);
    const admin = await api.customerWithKey({ name: 'CPR', kind: 'cpr_admin' }, { roles: ['admin'] });
    const set = await api.call('PUT', `/api/v1/admin/principals/${good.principal.id}/password`, { key: admin.key, body: { username: 'sikker', password: 'a long enough secret' } });
    assert.equal(set.status, 204, set.text);
    const program = await api.ctx.access.addPrincipal(good.customer.id, { kind: 'program', name: 'System', roles: ['lookup'] });
    const client = await api.ctx.access.issueCredential(program.id, 'client_secret');

    // The browser's CSRF cookie and token for the sign-in.
    const first = await fetch(api.base + '/api/v1/session');
    const cookie = first.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const csrf = ((await first.json()) as { csrfToken: string }).csrfToken;
    const signIn = (password: string) =>
      api.call('POST', '/api/v1/session', { body: { username: 'sikker', password }, headers: { cookie, 'x-csrf-token': csrf } });

    for (let i = 0; i < 8; i++) assert.equal((await signIn('wrong password ' + i)).status, 401);
    for (let i = 0; i < 6; i++) {
      const r = await api.call('POST', '/api/v1/oauth/token', { body: { grant_type: 'client_credentials', client_id: client.id, client_secret: 'guess' } });
      assert.equal(r.status, 401);
    }
    for (let i = 0; i < 6; i++) assert.equal((await api.call('GET', '/api/v1/security/authorisations', { key: WRONG_KEY })).status, 401);
    const right = await signIn('a long enough secret');
    assert.equal(right.status, 429, right.text);
    assert.equal(right.json.code, 'rate_limited');
    assert.ok(Number(right.headers.get('retry-after')) > 0);
    const token = await api.call('POST', '/api/v1/oauth/token', { body: { grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret } });
    assert.equal(token.status, 429);
  });
});

for (const kind of STORE_KINDS) {
  describe(`revocation, ends and expiry take effect at once (finding 8, ${kind})`, () => {
    let api: TestApi;
    /** Another process on the same store: its own connections and its own AccessControl. */
    let elsewhere: { store: Store; access: AccessControl };
    before(async () => {
      api = await startApi(kind);
      const store = await openStore(api.location);
      elsewhere = { store, access: new AccessControl(store, api.clock) };
    });
    after(async () => {
      await elsewhere.store.close();
      await api.dispose();
    });

    const officer = (name: string) => api.customerWithKey({ name, kind: 'public_authority', legalBases: ['§32'], scope: ['all'] }, { roles: ['security_officer'] });
    const ask = (key: string) => api.call('GET', '/api/v1/security/authorisations', { key });

    /** Asks until the answer is refused; returns it and how long after `since` it came. */
    async function refusedWithin(key: string, since: number, ms: number) {
      for (;;) {
        const r = await ask(key);
        const after = performance.now() - since;
        if (r.status !== 200 || after > ms) return { r, after };
        await new Promise((res) => setTimeout(res, 20));
      }
    }

    test('a key that expires is refused on the next request after its expiry, though it is cached', async () => {
      const c = await officer('Udløber');
      await api.ctx.access.revokeCredential(credentialIdOf(c.key)); // the key made by customerWithKey never expires
      const { apiKey } = await api.ctx.access.issueCredential(c.principal.id, 'api_key', new Date(api.clock.now().getTime() + 60_000).toISOString());
      assert.equal((await ask(apiKey!)).status, 200);
      api.clock.advance(60_000);
      const r = await ask(apiKey!);
      assert.equal(r.status, 401);
      assert.equal(r.json.code, 'credentials_expired');
    });

    test('a revocation in this process: the next request is refused', async () => {
      const c = await officer('Her');
      assert.equal((await ask(c.key)).status, 200);
      await api.ctx.access.revokeCredential(credentialIdOf(c.key));
      assert.equal((await ask(c.key)).json.code, 'credentials_expired');
    });

    test('a revocation in another process: refused within 1 s', async () => {
      const c = await officer('Der');
      assert.equal((await ask(c.key)).status, 200);
      const t0 = performance.now();
      await elsewhere.access.revokeCredential(credentialIdOf(c.key));
      const { r, after } = await refusedWithin(c.key, t0, 1000);
      assert.equal(r.json?.code, 'credentials_expired', `still ${r.status} ${Math.round(after)} ms after the revocation`);
    });

    test('an authorisation ended, or a customer\'s allow-list narrowed, in another process: refused within 1 s', async () => {
      const ended = await officer('Fratrådt');
      const moved = await officer('Flyttet net');
      assert.equal((await ask(ended.key)).status, 200);
      assert.equal((await ask(moved.key)).status, 200);
      const t0 = performance.now();
      await elsewhere.access.endPrincipal(ended.principal.id, api.clock.now().toISOString().slice(0, 10));
      await elsewhere.access.updateCustomer(moved.customer.id, { allowList: ['10.0.0.0/8'] });
      const a = await refusedWithin(ended.key, t0, 1000);
      assert.equal(a.r.json?.code, 'authorisation_inactive', `still ${a.r.status} ${Math.round(a.after)} ms after`);
      const b = await refusedWithin(moved.key, t0, 1000);
      assert.equal(b.r.json?.code, 'network_not_allowed', `still ${b.r.status} ${Math.round(b.after)} ms after`);
    });

    test('an expiry time that is no time is refused when the key is issued', async () => {
      const c = await officer('Dato');
      await assert.rejects(api.ctx.access.issueCredential(c.principal.id, 'api_key', 'tomorrow'), { code: 'bad_request' });
    });
  });
}

describe('unknown legal bases and scope fields are refused with the valid ones (finding 9)', () => {
  let api: TestApi;
  let admin: string;
  before(async () => {
    api = await startApi('sqlite');
    admin = (await api.customerWithKey({ id: 'cpr', name: 'CPR', kind: 'cpr_admin' }, { roles: ['admin'] })).key;
  });
  after(async () => api.dispose());

  test('create: §38 and §99 are no legal bases; nothing is stored', async () => {
    const r = await api.call('POST', '/api/v1/admin/customers', { key: admin, body: { id: 'handel', name: 'Handel ApS', kind: 'business', legalBases: ['§38', '§99', '§39'] } });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.code, 'unknown_legal_basis');
    assert.match(r.json.detail, /§38, §99;/);
    assert.match(r.json.detail, /§38\(2\)/, 'the valid ones are listed');
    const all = await api.call('GET', '/api/v1/admin/customers', { key: admin });
    assert.ok(!all.json.some((c: { id: string }) => c.id === 'handel'));
  });

  test('create: a scope field not in the catalogue is refused; "all" and catalogue fields are accepted', async () => {
    const r = await api.call('POST', '/api/v1/admin/customers', { key: admin, body: { name: 'Kommune', kind: 'public_authority', legalBases: ['§32'], scope: ['name', 'adress'] } });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.code, 'unknown_scope_field');
    assert.match(r.json.detail, /adress;/);
    assert.match(r.json.detail, /\baddress\b/);
    const ok = await api.call('POST', '/api/v1/admin/customers', { key: admin, body: { name: 'Kommune', kind: 'public_authority', legalBases: ['§32', '§2(2):birth'], scope: ['name', 'address'] } });
    assert.equal(ok.status, 201, ok.text);
  });

  test('change: an unknown basis or field is refused and the customer stays as it was', async () => {
    const c = await api.ctx.access.createCustomer({ id: 'kunde', name: 'Kunde', kind: 'public_authority', legalBases: ['§32'], scope: ['all'] });
    const bases = await api.call('PATCH', `/api/v1/admin/customers/${c.id}`, { key: admin, body: { legalBases: ['§32(1)'] } });
    assert.equal(bases.status, 400);
    assert.equal(bases.json.code, 'unknown_legal_basis');
    const scope = await api.call('PATCH', `/api/v1/admin/customers/${c.id}`, { key: admin, body: { scope: ['everything'] } });
    assert.equal(scope.json.code, 'unknown_scope_field');
    const now = await api.ctx.access.customer(c.id);
    assert.deepEqual([now.legalBases, now.scope], [['§32'], ['all']]);
  });
});

describe('an expired or revoked key tells only its holder so', () => {
  let api: TestApi;
  before(async () => {
    api = await startApi('sqlite');
  });
  after(async () => api.dispose());

  test('a wrong secret for an expired key id is invalid_credentials, as for an unknown id; the right one is credentials_expired', async () => {
    const c = await api.customerWithKey({ name: 'Udløbet', kind: 'public_authority', legalBases: ['§32'], scope: ['all'] });
    const { apiKey } = await api.ctx.access.issueCredential(c.principal.id, 'api_key', '2026-05-01T00:00:00Z');
    const wrong = apiKey!.replace(/_[^_]+$/, '_' + 'x'.repeat(43));
    const w = await api.call('GET', '/api/v1/persons/0101900000', { key: wrong });
    assert.equal(w.status, 401);
    assert.equal(w.json.code, 'invalid_credentials', 'the id alone does not tell that it exists');
    const r = await api.call('GET', '/api/v1/persons/0101900000', { key: apiKey! });
    assert.equal(r.status, 401);
    assert.equal(r.json.code, 'credentials_expired');
  });
});
