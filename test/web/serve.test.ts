/**
 * The README's main-job path: `opencpr serve` (as `npm start` runs it) serves
 * the web client and the API at one address, building the client first when
 * it is missing or stale.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

async function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

test('opencpr serve: the site and the API at one address', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'opencpr-web-'));
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), '-s', join(dir, 'serve.db'), 'serve', '--port', String(port)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const deadline = Date.now() + 120_000;
  while (!out.includes('Web client:')) {
    if (child.exitCode !== null || Date.now() > deadline) assert.fail(`serve did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const base = `http://127.0.0.1:${port}`;
  assert.match(out, new RegExp(`Web client: ${base}/`));
  const page = await fetch(`${base}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type')!, /text\/html/);
  assert.match(page.headers.get('content-security-policy')!, /default-src 'self'/);
  const html = await page.text();
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  assert.ok(script, 'the page loads its built script');
  assert.equal((await fetch(base + script)).status, 200);
  assert.equal((await (await fetch(`${base}/api/v1/health`)).json()).status, 'ok');
  const session = await (await fetch(`${base}/api/v1/session`)).json();
  assert.equal(session.signedIn, false);
  // Unknown paths still get the API's problem+json, not the page.
  const missing = await fetch(`${base}/no/such/page`);
  assert.equal(missing.status, 404);
  assert.match(missing.headers.get('content-type')!, /problem\+json/);
});
