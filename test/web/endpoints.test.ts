/**
 * No back door (API-2): the web client adds no data endpoint of its own. The
 * web module registers only its session endpoints, the password endpoint and
 * the built files; every /api/v1 path the client's code calls is a
 * documented endpoint of the public API. (browser.test.ts also checks every
 * request the pages make while in use.)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { registerWebSessions, sessionRoutes } from '../../src/api/web/session.ts';
import { ensureWebClient, WEB_DIST, WEB_ROOT, webClient } from '../../src/api/web/static.ts';
import type { Api } from '../../src/api/server.ts';
import { startApi } from '../support/api.ts';

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));

describe('the web client adds no UI-only data endpoints', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  before(async () => {
    await ensureWebClient();
    api = await startApi('sqlite');
  });
  after(async () => api.dispose());

  test('the web module registers only session endpoints, the password endpoint, and the built files', async () => {
    const app = Fastify({ logger: false }).withTypeProvider<ZodTypeProvider>();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    const routes: string[] = [];
    app.addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) if (m !== 'HEAD') routes.push(`${m} ${r.url}`);
    });
    await registerWebSessions(app as unknown as Api);
    sessionRoutes(app as unknown as Api, api.ctx);
    assert.equal(await webClient(app as unknown as Api), true);
    await app.ready();

    const builtFiles = files(WEB_DIST).map((f) => `GET /${relative(WEB_DIST, f).split('\\').join('/')}`);
    const expected = new Set([
      'GET /api/v1/session',
      'POST /api/v1/session',
      'DELETE /api/v1/session',
      'POST /api/v1/session/unlock',
      'POST /api/v1/session/activity',
      'PUT /api/v1/admin/principals/:id/password',
      'GET /',
      ...builtFiles,
    ]);
    assert.deepEqual([...new Set(routes)].sort(), [...expected].sort());
    // The built files are the page and its scripts and styles, nothing that answers with data.
    for (const f of builtFiles) assert.match(f, /^GET \/(index\.html|assets\/[\w.-]+\.(js|css))$/);
    await app.close();
  });

  test('the session endpoints answer only who is signed in, never register data', async () => {
    const spec = (await api.call('GET', '/docs/json')).json as { paths: Record<string, Record<string, { tags?: string[]; responses?: Record<string, { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> }> }>> };
    const sessionOps = Object.entries(spec.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.tags?.includes('web sessions'))
        .map(([m, op]) => ({ path, m, op })),
    );
    assert.equal(sessionOps.length, 5);
    for (const { path, op } of sessionOps) {
      assert.match(path, /^\/api\/v1\/session(\/(unlock|activity))?$/);
      const props = Object.keys(op.responses?.['200']?.content?.['application/json']?.schema?.properties ?? {}).sort();
      assert.deepEqual(props, ['csrfToken', 'customer', 'idleLockSeconds', 'locksAt', 'now', 'signedIn', 'state', 'user']);
    }
  });

  test('every /api/v1 path in the client\'s code is a documented public endpoint', async () => {
    const spec = (await api.call('GET', '/docs/json')).json as { paths: Record<string, unknown> };
    const documented = Object.keys(spec.paths).map((p) => new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`));
    const used = new Set<string>();
    for (const f of files(join(WEB_ROOT, 'src'))) {
      // Literal paths and template paths: `/api/v1/persons/${…}` becomes /api/v1/persons/x.
      for (const m of readFileSync(f, 'utf8').matchAll(/['`](\/api\/v1(?:\/(?:[\w.-]+|\$\{[^}]*\}))*)/g)) used.add(m[1]!.replace(/\$\{[^}]*\}/g, 'x'));
    }
    assert.ok(used.size >= 8, `found ${[...used].join(', ')}`);
    const undocumented = [...used].filter((p) => !documented.some((re) => re.test(p)));
    assert.deepEqual(undocumented, []);
  });
});
