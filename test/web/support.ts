/**
 * Browser tests' set-up: the built client served by the real server on
 * loopback (startApi is buildApp + listen, as `opencpr serve`), a headless
 * Debian chromium driven by playwright-core, and screenshots saved under
 * test-artifacts/ (git-ignored) for a reviewer.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ensureWebClient } from '../../src/api/web/static.ts';
import { passwordsOf } from '../../src/api/web/session.ts';
import { startApi } from '../support/api.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts/web');

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-default-apps'],
  });
}

export async function startWebApi(start = '2026-06-01T10:00:00Z') {
  await ensureWebClient();
  const api = await startApi('sqlite', start);
  const passwords = passwordsOf(api.ctx);
  /** A user with a web sign-in. */
  async function user(customer: Parameters<typeof api.customerWithKey>[0], principal: Parameters<typeof api.customerWithKey>[1], username: string, password = 'correct horse battery') {
    const existing = await api.ctx.access.customers();
    const c = existing.find((x) => x.id === customer.id) ?? (await api.ctx.access.createCustomer(customer));
    const p = await api.ctx.access.addPrincipal(c.id, { kind: 'user', name: 'Test user', roles: ['lookup'], ...principal });
    await passwords.set(p.id, username, password);
    return { customer: c, principal: p, username, password };
  }
  return { ...api, user };
}

/** A fresh browser context (own cookies), with every request the page makes recorded. */
export async function openPage(browser: Browser, base: string, lang?: 'da' | 'en'): Promise<{ context: BrowserContext; page: Page; requests: string[]; errors: string[] }> {
  const context = await browser.newContext({ baseURL: base, acceptDownloads: true, viewport: { width: 1280, height: 900 }, locale: 'da-DK' });
  // A busy shared machine (parallel test files, two browsers) can be slow; fail on a real hang only.
  context.setDefaultTimeout(60_000);
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(`${r.method()} ${r.url()}`));
  // Script errors in the page and refused Content-Security-Policy loads fail the test at its end.
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 40[0-9]/.test(m.text())) errors.push(m.text());
  });
  await page.goto('/');
  if (lang === 'en') await page.getByRole('button', { name: 'English' }).click();
  return { context, page, requests, errors };
}

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel(/Brugernavn|User name/).fill(username);
  await page.getByLabel(/^(Adgangskode|Password)$/).fill(password);
  await page.getByRole('button', { name: /^(Log ind|Sign in)$/ }).click();
  await page.getByTestId('who').waitFor();
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The OpenAPI paths of the running server as matchers: `GET /api/v1/persons/{pnr}` → a RegExp per method. */
export async function documentedEndpoints(base: string): Promise<Array<{ method: string; re: RegExp }>> {
  const spec = (await (await fetch(`${base}/docs/json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(spec.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => ({ method: m.toUpperCase(), re: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`) })),
  );
}

/** Requests that were neither to a built file nor to a documented /api/v1 endpoint of the own origin (should be none). */
export async function strayRequests(base: string, requests: string[]): Promise<string[]> {
  const documented = await documentedEndpoints(base);
  const index = await (await fetch(`${base}/`)).text();
  const built = new Set(['/', '/index.html', ...[...index.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!)]);
  return requests.filter((r) => {
    const [method, url] = r.split(' ') as [string, string];
    const u = new URL(url);
    if (u.protocol === 'blob:' || u.protocol === 'data:') return false;
    if (u.origin !== base) return true;
    if (built.has(u.pathname)) return false;
    return !documented.some((d) => d.method === method && d.re.test(u.pathname));
  });
}

/**
 * WCAG 2.1 AA checks on the page as shown: text contrast at least 4.5:1 (3:1
 * for large text, 1.4.3) against the nearest opaque background, and a label
 * for every form control (1.3.1, 4.1.2). Returns the failures.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  // Plain JavaScript in a string: tsx's compiled functions carry helpers the page does not have.
  return page.evaluate(A11Y_SCRIPT) as Promise<string[]>;
}

const A11Y_SCRIPT = `(() => {
  const problems = [];
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = (c) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length >= 3 && (c[3] === undefined || c[3] > 0.5)) return c;
    }
    return [255, 255, 255];
  };
  for (const el of document.querySelectorAll('body *')) {
    const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    const style = getComputedStyle(el);
    if (!own || style.visibility === 'hidden' || style.display === 'none' || el.getClientRects().length === 0) continue;
    if (el.disabled || el.closest('button:disabled')) continue; // WCAG 1.4.3 exempts inactive controls
    if (el.closest('svg')) continue; // chart labels are checked by their own colours
    const fg = lum(rgb(style.color));
    const bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) problems.push('contrast ' + ratio.toFixed(2) + ' for "' + el.textContent.trim().slice(0, 40) + '"');
  }
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden') continue;
    if (!((el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby'))) problems.push('no label for ' + el.outerHTML.slice(0, 60));
  }
  return problems;
})()`;
