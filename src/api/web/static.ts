/**
 * The web client's static files (API-2): the built single-page app in
 * web/dist, served beside the API at one address. The app reaches data only
 * through /api/v1 (test/web/endpoints.test.ts checks it); this adds files, no
 * data routes. Pages use hash routes (#/landlord), so the server needs no
 * catch-all.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { Api } from '../server.ts';

export const WEB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../web');
export const WEB_DIST = join(WEB_ROOT, 'dist');

// The SPA loads only its own files; no inline scripts, no framing (clickjacking).
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export async function webClient(app: Api, dist = WEB_DIST): Promise<boolean> {
  if (!existsSync(join(dist, 'index.html'))) {
    app.log.warn(`The web client is not built (${dist}); run "npm start" or "opencpr serve", which build it.`);
    return false;
  }
  await app.register(fastifyStatic, {
    root: dist,
    prefix: '/',
    // One route per built file, not a catch-all: unknown paths still get the API's problem+json 404.
    wildcard: false,
    index: 'index.html',
    setHeaders: (res, path) => {
      res.header('content-security-policy', CSP);
      res.header('x-content-type-options', 'nosniff');
      res.header('referrer-policy', 'no-referrer');
      // Hashed assets never change; index.html must be revalidated to pick up a new build.
      res.header('cache-control', /[/\\]assets[/\\]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return true;
}

/** Newest modification time under the client's sources. */
function newestSource(): number {
  let newest = 0;
  const walk = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) for (const f of readdirSync(p)) walk(join(p, f));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ['src', 'index.html', 'vite.config.ts', 'public']) if (existsSync(join(WEB_ROOT, p))) walk(join(WEB_ROOT, p));
  return newest;
}

export function webClientStale(): boolean {
  const index = join(WEB_DIST, 'index.html');
  return !existsSync(index) || statSync(index).mtimeMs < newestSource();
}

/**
 * Builds the client with Vite when web/dist is missing or older than its
 * sources, so `npm start`, `opencpr serve` and the tests need no extra step.
 * A lock directory keeps parallel test processes from building at once; the
 * build goes to a temporary folder and replaces web/dist in one rename.
 */
export async function ensureWebClient(log: (s: string) => void = () => {}): Promise<void> {
  if (!webClientStale()) return;
  const lock = join(WEB_ROOT, '.build-lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      // Someone else builds. A lock whose process is gone (or older than 5 minutes) is left over from a crash.
      if (lockAbandoned(lock)) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${lock}`);
      await new Promise((r) => setTimeout(r, 250));
      if (!webClientStale()) return;
    }
  }
  try {
    if (!webClientStale()) return;
    let vite: typeof import('vite');
    try {
      vite = await import('vite');
    } catch {
      log('The web client is not built and Vite is not installed (npm install without --omit=dev builds it).\n');
      return;
    }
    log('Building the web client (web/) …\n');
    const tmp = join(WEB_ROOT, `dist-${process.pid}`);
    await vite.build({ root: WEB_ROOT, configFile: join(WEB_ROOT, 'vite.config.ts'), logLevel: 'warn', build: { outDir: tmp, emptyOutDir: true } });
    const old = join(WEB_ROOT, `dist-old-${process.pid}`);
    if (existsSync(WEB_DIST)) renameSync(WEB_DIST, old);
    renameSync(tmp, WEB_DIST);
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function lockAbandoned(lock: string): boolean {
  try {
    if (Date.now() - statSync(lock).mtimeMs > 300_000) return true;
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    if (!pid) return false; // being written
    process.kill(pid, 0); // throws when no such process
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
