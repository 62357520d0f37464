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
