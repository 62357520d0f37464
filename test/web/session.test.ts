/**
 * Web sessions (API-2, AUD-5) over real HTTP on SQLite and PostgreSQL: sign in
 * with a scrypt password, call the same /api/v1 endpoints with the cookie,
 * CSRF on unsafe methods, the idle lock after 10 minutes on the injected
 * clock, unlock with the password, sign out.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApi } from '../support/api.ts';
import { STORE_KINDS } from '../support/stores.ts';
import { hashPassword, verifyPassword } from '../../src/access/passwords.ts';

/** A tiny cookie jar over fetch, as a browser would keep one. */
function browser(base: string) {
  const jar = new Map<string, string>();
  let csrf = '';
  async function call(method: string, path: string, body?: unknown, opts: { csrf?: string | null } = {}) {
    const headers: Record<string, string> = { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const token = opts.csrf === undefined ? csrf : opts.csrf;
    if (token) headers['x-csrf-token'] = token;
    const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, v] = pair!.split('=') as [string, string];
      if (/expires=Thu, 01 Jan 1970/i.test(c) || v === '') jar.delete(k);
      else jar.set(k, v);
    }
    const text = await res.text();
    const json = text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined;
    if (json?.csrfToken) csrf = json.csrfToken;
    return { status: res.status, json, text, headers: res.headers };
  }
  return { call, jar };
}

test('scrypt hashes: salted, verifiable, wrong passwords fail', async () => {
  const a = await hashPassword('correct horse battery');
  const b = await hashPassword('correct horse battery');
  assert.notEqual(a, b, 'a fresh salt each time');
  assert.match(a, /^scrypt\$32768\$8\$3\$/);
  assert.equal(await verifyPassword('correct horse battery', a), true);
  assert.equal(await verifyPassword('correct horse batterY', a), false);
  assert.equal(await verifyPassword('x', 'garbage'), false);
});

for (const kind of STORE_KINDS) {
  describe(`web sessions (${kind})`, () => {
    let api: Awaited<ReturnType<typeof startApi>>;
    let officer: Awaited<ReturnType<Awaited<ReturnType<typeof startApi>>['customerWithKey']>>;
    let adminKey: string;
    before(async () => {
      api = await startApi(kind, '2026-06-01T10:00:00Z');
      adminKey = (await api.customerWithKey({ id: 'cpr', name: 'CPR', kind: 'cpr_admin', legalBases: [] }, { roles: ['admin'] })).key;
      officer = await api.customerWithKey(
        { id: 'kommune-0461', name: 'Odense Kommune', kind: 'public_authority', number: '0461', legalBases: ['§32'], scope: ['all'] },
        { name: 'Sikker Hedsen', roles: ['lookup', 'security_officer'] },
      );
      const set = await api.call('PUT', `/api/v1/admin/principals/${officer.principal.id}/password`, { key: adminKey, body: { username: 'Sikker', password: 'a long enough secret' } });
      assert.equal(set.status, 204, set.text);
    });
    after(async () => api.dispose());

    test('password rules: too short, programs, another customer\'s officer', async () => {
      const short = await api.call('PUT', `/api/v1/admin/principals/${officer.principal.id}/password`, { key: adminKey, body: { username: 'sikker', password: 'short' } });
      assert.equal(short.status, 400);
      const other = await api.customerWithKey({ id: 'andet', name: 'Anden Kommune', kind: 'public_authority', number: '0101', legalBases: ['§32'], scope: ['all'] }, { roles: ['security_officer'] });
      const foreign = await api.call('PUT', `/api/v1/admin/principals/${officer.principal.id}/password`, { key: other.key, body: { username: 'hijack', password: 'a long enough secret' } });
      assert.equal(foreign.status, 403);
      assert.equal(foreign.json.code, 'forbidden');
    });

    test('sign in, call the same API with the cookie, CSRF on unsafe methods, sign out', async () => {
      const b = browser(api.base);
      const anon = await b.call('GET', '/api/v1/session');
      assert.equal(anon.json.signedIn, false);
      assert.ok(anon.json.csrfToken);
      // Without a CSRF token even the sign-in is refused (login CSRF).
      const noCsrf = await b.call('POST', '/api/v1/session', { username: 'sikker', password: 'a long enough secret' }, { csrf: null });
      assert.equal(noCsrf.status, 403);
      assert.equal(noCsrf.json.code, 'csrf_invalid');
      const wrong = await b.call('POST', '/api/v1/session', { username: 'sikker', password: 'not the secret at all' });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.json.code, 'invalid_credentials');
      const unknown = await b.call('POST', '/api/v1/session', { username: 'nobody', password: 'a long enough secret' });
      assert.equal(unknown.status, 401);

      const ok = await b.call('POST', '/api/v1/session', { username: 'SIKKER', password: 'a long enough secret' });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.json.user.name, 'Sikker Hedsen');
      assert.equal(ok.json.customer.name, 'Odense Kommune');
      const setCookie = ok.headers.getSetCookie().find((c) => c.startsWith('opencpr_session='))!;
      assert.match(setCookie, /HttpOnly/i);
      assert.match(setCookie, /SameSite=Strict/i);
      assert.doesNotMatch(setCookie, /Secure/i, 'plain http on loopback: no Secure flag');

      // The same endpoint an API-key client uses, with the cookie instead.
      const list = await b.call('GET', '/api/v1/security/authorisations');
      assert.equal(list.status, 200, list.text);
      assert.equal(list.json.customer.id, 'kommune-0461');
      // Role checks still apply: no admin role, no admin endpoint.
      assert.equal((await b.call('GET', '/api/v1/admin/customers')).status, 403);

      // An unsafe method without the token is refused; with it, it passes the CSRF check.
      const sub = await b.call('POST', '/api/v1/subscriptions', { pnrs: [] }, { csrf: null });
      assert.equal(sub.status, 403);
      assert.equal(sub.json.code, 'csrf_invalid');
      const forged = await b.call('POST', '/api/v1/subscriptions', { pnrs: [] }, { csrf: 'forged-token' });
      assert.equal(forged.json.code, 'csrf_invalid');

      // The sign-in is in the audit log for the security officer.
      const log = await b.call('GET', '/api/v1/security/audit?type=session.sign_in');
      assert.equal(log.json.records.length, 1);
      assert.equal(log.json.records[0].actor, officer.principal.id);

      const out = await b.call('DELETE', '/api/v1/session');
      assert.equal(out.status, 200);
      assert.equal(out.json.signedIn, false);
      assert.equal((await b.call('GET', '/api/v1/security/authorisations')).status, 401);
    });

    test('a stolen cookie is useless after sign-out', async () => {
      const b = browser(api.base);
      await b.call('GET', '/api/v1/session');
      await b.call('POST', '/api/v1/session', { username: 'sikker', password: 'a long enough secret' });
      const cookie = b.jar.get('opencpr_session')!;
      await b.call('DELETE', '/api/v1/session');
      const res = await fetch(`${api.base}/api/v1/security/authorisations`, { headers: { cookie: `opencpr_session=${cookie}` } });
      assert.equal(res.status, 401);
    });

    test('AUD-5: idle for 10 minutes on the server clock locks the session; the password unlocks it', async () => {
      const b = browser(api.base);
      await b.call('GET', '/api/v1/session');
      await b.call('POST', '/api/v1/session', { username: 'sikker', password: 'a long enough secret' });
      api.clock.advance(9 * 60_000 + 59_000);
      assert.equal((await b.call('GET', '/api/v1/security/authorisations')).status, 200, 'activity at 9:59 keeps it open');
      api.clock.advance(9 * 60_000);
      // Reading the status is not activity.
      assert.equal((await b.call('GET', '/api/v1/session')).json.state, 'active');
      api.clock.advance(60_000);
      const st = await b.call('GET', '/api/v1/session');
      assert.equal(st.json.state, 'locked');
      const locked = await b.call('GET', '/api/v1/security/authorisations');
      assert.equal(locked.status, 401);
      assert.equal(locked.json.code, 'session_locked');
      // Activity reports do not unlock either.
      assert.equal((await b.call('POST', '/api/v1/session/activity')).json.code, 'session_locked');
      const bad = await b.call('POST', '/api/v1/session/unlock', { password: 'wrong password here' });
      assert.equal(bad.status, 401);
      const ok = await b.call('POST', '/api/v1/session/unlock', { password: 'a long enough secret' });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.json.state, 'active');
      assert.equal((await b.call('GET', '/api/v1/security/authorisations')).status, 200);
    });

    test('a new password ends the open sessions', async () => {
      const b = browser(api.base);
      await b.call('GET', '/api/v1/session');
      await b.call('POST', '/api/v1/session', { username: 'sikker', password: 'a long enough secret' });
      const reset = await api.call('PUT', `/api/v1/admin/principals/${officer.principal.id}/password`, { key: officer.key, body: { username: 'sikker', password: 'another long secret' } });
      assert.equal(reset.status, 204, reset.text);
      assert.equal((await b.call('GET', '/api/v1/security/authorisations')).status, 401);
      await api.call('PUT', `/api/v1/admin/principals/${officer.principal.id}/password`, { key: adminKey, body: { username: 'sikker', password: 'a long enough secret' } });
    });

    test('an ended authorisation cannot sign in or go on (AUD-1)', async () => {
      const p = await api.ctx.access.addPrincipal('kommune-0461', { kind: 'user', name: 'Tidligere Ansat', roles: ['lookup'] });
      await api.call('PUT', `/api/v1/admin/principals/${p.id}/password`, { key: adminKey, body: { username: 'tidligere', password: 'a long enough secret' } });
      const b = browser(api.base);
      await b.call('GET', '/api/v1/session');
      assert.equal((await b.call('POST', '/api/v1/session', { username: 'tidligere', password: 'a long enough secret' })).status, 200);
      await api.ctx.access.endPrincipal(p.id, '2026-06-01');
      const r = await b.call('GET', '/api/v1/persons/0101901234');
      assert.equal(r.status, 403);
      assert.equal(r.json.code, 'authorisation_inactive');
    });
  });
}

test('behind an HTTPS proxy (trustProxy) the cookies are Secure', async () => {
  const { freshRegister } = await import('../support/stores.ts');
  const { buildApp } = await import('../../src/api/app.ts');
  const { passwordsOf } = await import('../../src/api/web/session.ts');
  const reg = await freshRegister('sqlite');
  const { app, ctx } = await buildApp(reg.register, reg.clock, { logger: false, trustProxy: true });
  try {
    const c = await ctx.access.createCustomer({ id: 'kommune', name: 'Kommune', kind: 'public_authority', number: '0461', legalBases: ['§32'], scope: ['all'] });
    const p = await ctx.access.addPrincipal(c.id, { kind: 'user', name: 'Bruger', roles: ['lookup'] });
    await passwordsOf(ctx).set(p.id, 'bruger', 'a long enough secret');
    const https = { 'x-forwarded-proto': 'https' };
    const first = await app.inject({ method: 'GET', url: '/api/v1/session', headers: https });
    const csrfCookie = first.headers['set-cookie'] as string;
    assert.match(csrfCookie, /opencpr_csrf=.*Secure/);
    const cookie = csrfCookie.split(';')[0]!;
    const signIn = await app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { ...https, cookie, 'x-csrf-token': first.json().csrfToken, 'content-type': 'application/json' },
      payload: { username: 'bruger', password: 'a long enough secret' },
    });
    assert.equal(signIn.statusCode, 200, signIn.body);
    const set = [signIn.headers['set-cookie']].flat().find((x) => x?.startsWith('opencpr_session='))!;
    assert.match(set, /; Secure/);
    assert.match(set, /HttpOnly/);
  } finally {
    await app.close();
    await reg.dispose();
  }
});
