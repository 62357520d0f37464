/**
 * The web client in a real browser (API-2): headless Debian chromium against
 * the real server on loopback. Sign-in, a clerk's person page with history,
 * the security officer finding that lookup in the log search and exporting
 * it, statistics, the quarterly control, the citizen's own data, the idle
 * lock after 10 minutes on the server's (moved) clock, and the language
 * switch. Every request the pages make is to a built file or a documented
 * /api/v1 endpoint. Screenshots go to test-artifacts/web/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { createCast, type Cast } from '../support/persons.ts';
import { accessibilityProblems, launchBrowser, openPage, shot, signIn, startWebApi, strayRequests } from './support.ts';

const fmt = (p: string) => `${p.slice(0, 6)}-${p.slice(6)}`;

describe('web client in chromium', () => {
  let api: Awaited<ReturnType<typeof startWebApi>>;
  let browser: Browser;
  let cast: Cast;
  let clerk: Awaited<ReturnType<Awaited<ReturnType<typeof startWebApi>>['user']>>;
  let citizen: Awaited<ReturnType<Awaited<ReturnType<typeof startWebApi>>['user']>>;
  const allRequests: string[] = [];

  before(async () => {
    api = await startWebApi();
    cast = await createCast(api.register);
    clerk = await api.user(
      { id: 'kommune-0461', name: 'Odense Kommune', kind: 'public_authority', number: '0461', legalBases: ['§32'], scope: ['all'] },
      { name: 'Karen Sagsbehandler', roles: ['lookup', 'security_officer', 'register'] },
      'karen',
    );
    citizen = await api.user({ id: 'borger', name: 'Borger.dk', kind: 'citizen' }, { name: 'Jens Skjult', roles: ['own_data'], pnr: cast.protectedNow }, 'jens');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await api?.dispose();
  });

  test('sign-in: a wrong password is refused in Danish; the right one shows who is signed in for which customer', async () => {
    const { page, requests, errors, context } = await openPage(browser, api.base);
    assert.equal(await page.getAttribute('html', 'lang'), 'da');
    await shot(page, '01-sign-in');
    assert.deepEqual(await accessibilityProblems(page), []);
    await page.getByLabel('Brugernavn').fill('karen');
    await page.getByLabel('Adgangskode').fill('wrong password!!');
    await page.getByRole('button', { name: 'Log ind' }).click();
    await page.getByRole('alert').filter({ hasText: 'Brugernavnet eller adgangskoden er forkert.' }).waitFor();
    await signIn(page, 'karen', clerk.password);
    const who = await page.getByTestId('who').textContent();
    assert.match(who!, /Logget ind som Karen Sagsbehandler \(karen\) for Odense Kommune/);
    // The session cookie is HTTP-only: the page's scripts cannot read it.
    assert.equal(await page.evaluate(() => document.cookie.includes('opencpr_session')), false);
    const cookies = await context.cookies();
    const sessionCookie = cookies.find((c) => c.name === 'opencpr_session')!;
    assert.equal(sessionCookie.httpOnly, true);
    assert.equal(sessionCookie.sameSite, 'Strict');
    await shot(page, '02-home');
    assert.deepEqual(errors, []);
    allRequests.push(...requests);
    await context.close();
  });

  test('a clerk looks up a protected person: the protection notice and the bitemporal history; the security officer finds the lookup in the log and exports it', async () => {
    const { page, requests, errors, context } = await openPage(browser, api.base);
    await signIn(page, 'karen', clerk.password);
    await page.getByRole('link', { name: 'Personopslag' }).first().click();
    await page.getByLabel('Personnummer').fill(fmt(cast.protectedNow));
    await page.getByRole('button', { name: 'Slå op' }).click();
    await page.getByRole('heading', { name: /Jens Skjult/ }).waitFor();
    const notice = await page.locator('.notice.warning').textContent();
    assert.match(notice!, /Navne- og adressebeskyttelse/);
    assert.match(notice!, /må ikke videregives/);
    const history = page.getByRole('table', { name: 'Historik' });
    assert.ok((await history.locator('tbody tr').count()) >= 5, 'every group has at least one version');
    assert.match((await history.textContent())!, /Vestergade 2/);
    await shot(page, '03-person');
    assert.deepEqual(await accessibilityProblems(page), []);

    // The security officer (same user here) finds that lookup in the log search.
    await page.getByRole('link', { name: 'Logsøgning' }).click();
    await page.getByLabel('Personnummer').fill(fmt(cast.protectedNow));
    await page.getByRole('button', { name: 'Søg' }).click();
    const log = page.getByRole('table', { name: 'Logposter' });
    await log.waitFor();
    const row = log.locator('tbody tr').filter({ hasText: 'person.lookup' });
    assert.equal(await row.count(), 1);
    // The user's name comes from the authorisations list, loaded beside the log: wait for it.
    await row.filter({ hasText: 'Karen Sagsbehandler' }).waitFor();
    assert.match((await row.textContent())!, new RegExp(`Karen Sagsbehandler.*person\\.lookup.*${fmt(cast.protectedNow)}`));
    await shot(page, '04-log-search');
    assert.deepEqual(await accessibilityProblems(page), []);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Eksportér (CSV)' }).click()]);
    assert.match(download.suggestedFilename(), /^log-kommune-0461-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile((await download.path())!, 'utf8');
    assert.match(csv, new RegExp(`person\\.lookup;${cast.protectedNow};§32`));
    assert.match(csv.split('\r\n')[0]!, /Tidspunkt;Bruger;Bruger-id;Type/);

    // Statistics per user, type and month as table and chart.
    await page.getByRole('link', { name: 'Transaktionsstatistik' }).click();
    const stats = page.getByRole('table', { name: 'Transaktioner pr. bruger, type og måned' });
    await stats.waitFor();
    const lookupRow = stats.locator('tbody tr').filter({ hasText: 'person.lookup' });
    await lookupRow.filter({ hasText: 'Karen Sagsbehandler' }).waitFor();
    assert.match((await lookupRow.textContent())!, /2026-06.*Karen Sagsbehandler.*person\.lookup\s*1$/);
    assert.ok((await page.locator('figure.chart svg rect').count()) >= 1, 'the chart draws bars');
    await shot(page, '05-statistics');
    assert.deepEqual(await accessibilityProblems(page), []);

    await page.getByRole('link', { name: 'Autoriserede brugere' }).click();
    await page.getByRole('table', { name: /Autoriserede brugere og systemer/ }).waitFor();
    await shot(page, '06-authorisations');
    await page.getByRole('link', { name: 'Kvartalskontrol' }).click();
    await page.getByRole('heading', { name: /Autorisationer uden slutdato/ }).waitFor();
    // "This quarter" is the server's (the injected clock stands in June 2026), not the browser's.
    assert.match((await page.locator('section[aria-labelledby="page-title"] > p').first().textContent())!, /Kontrol for 2026 K2/);
    // Karen saw one protected person (§28) this quarter: counted from the statistics, below the "many" mark.
    const prot = page.getByTestId('control-protected');
    assert.match((await prot.locator('h2').textContent())!, /Opslag på beskyttede personer\s*i orden/);
    await shot(page, '07-quarterly-control');
    assert.deepEqual(await accessibilityProblems(page), []);
    assert.deepEqual(errors, []);
    allRequests.push(...requests);
    await context.close();
  });

  test('a citizen sees their own data and who looked them up, printable', async () => {
    const { page, requests, errors, context } = await openPage(browser, api.base);
    await signIn(page, 'jens', citizen.password);
    assert.match((await page.getByTestId('who').textContent())!, /Jens Skjult \(jens\) for Borger\.dk/);
    await page.getByRole('link', { name: 'Mine oplysninger' }).first().click();
    const lookups = page.getByRole('table', { name: 'Hvem har slået dig op' });
    await lookups.waitFor();
    assert.match((await lookups.textContent())!, /Odense Kommune/, 'the municipality\'s lookup is listed (§46)');
    await page.getByRole('button', { name: 'Udskriv' }).waitFor();
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('nav').isVisible(), false, 'the print version has no menu');
    await page.emulateMedia({ media: 'screen' });
    await shot(page, '08-citizen-own-data');
    assert.deepEqual(await accessibilityProblems(page), []);
    // A citizen has no person lookup: the page is not offered, and the API refuses it too.
    assert.equal(await page.getByRole('link', { name: 'Personopslag' }).count(), 0);
    const direct = await page.evaluate(async (p) => (await fetch(`/api/v1/persons/${p}`)).status, cast.ordinary);
    assert.equal(direct, 403);
    assert.deepEqual(errors, []);
    allRequests.push(...requests);
    await context.close();
  });

  test('AUD-5: after 10 minutes without activity (moved server clock) the page locks and asks for the password', async () => {
    const { page, requests, errors, context } = await openPage(browser, api.base);
    await signIn(page, 'karen', clerk.password);
    await page.getByRole('link', { name: 'Personopslag' }).first().click();
    await page.getByLabel('Personnummer').fill(fmt(cast.ordinary));
    await page.getByRole('button', { name: 'Slå op' }).click();
    await page.getByRole('heading', { name: /Olsen/ }).waitFor();
    api.clock.advance(10 * 60_000 + 1000);
    // The next call (here: opening another page) meets the lock.
    await page.getByRole('link', { name: 'Autoriserede brugere' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sessionen er låst' });
    await dialog.waitFor();
    assert.equal(await page.getByRole('heading', { name: /Olsen/ }).count(), 0, 'the person shown before is hidden while locked');
    assert.match((await page.getByTestId('who').textContent())!, /låst/);
    await shot(page, '09-idle-lock');
    assert.deepEqual(await accessibilityProblems(page), []);
    await dialog.getByLabel('Adgangskode').fill('not the password');
    await dialog.getByRole('button', { name: 'Lås op' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Adgangskoden er forkert.' }).waitFor();
    await dialog.getByLabel('Adgangskode').fill(clerk.password);
    await dialog.getByRole('button', { name: 'Lås op' }).click();
    await page.getByRole('table', { name: /Autoriserede brugere og systemer/ }).waitFor();
    assert.equal(await dialog.count(), 0);
    assert.deepEqual(errors, []);
    allRequests.push(...requests);
    await context.close();
  });

  test('language switch: English everywhere, including the server\'s error sentences; the choice is kept', async () => {
    const { page, requests, errors, context } = await openPage(browser, api.base);
    await page.getByRole('button', { name: 'English' }).click();
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signIn(page, 'karen', clerk.password);
    assert.match((await page.getByTestId('who').textContent())!, /Signed in as Karen Sagsbehandler \(karen\) for Odense Kommune/);
    await page.getByRole('link', { name: 'Person lookup' }).first().click();
    await page.getByLabel('Person number').fill('010190-1235');
    await page.getByRole('button', { name: 'Look up' }).click();
    // The problem sentence from the server, in English (Accept-Language follows the choice).
    const alert = await page.getByRole('alert').textContent();
    assert.doesNotMatch(alert!, /Personen|ugyldig/);
    assert.match(alert!, /person|not valid/i);
    await shot(page, '10-english');
    await page.reload();
    await page.getByTestId('who').waitFor();
    assert.match((await page.getByTestId('who').textContent())!, /Signed in as/);
    await page.getByRole('button', { name: 'Dansk' }).click();
    assert.match((await page.getByTestId('who').textContent())!, /Logget ind som/);
    assert.equal(await page.getAttribute('html', 'lang'), 'da');
    assert.deepEqual(errors, []);
    allRequests.push(...requests);
    await context.close();
  });

  test('keyboard only: the sign-in form and the menu work without a mouse', async () => {
    const { page, errors, context } = await openPage(browser, api.base);
    await page.keyboard.press('Tab'); // skip link
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab'); // language buttons
    await page.getByLabel('Brugernavn').focus();
    await page.keyboard.type('karen');
    await page.keyboard.press('Tab');
    await page.keyboard.type(clerk.password);
    await page.keyboard.press('Enter');
    await page.getByTestId('who').waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Logsøgning' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Logsøgning', level: 1 }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'page-title', 'focus moves to the new page\'s heading');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the pages reach data only through documented /api/v1 endpoints and the built files', async () => {
    assert.ok(allRequests.length > 20);
    assert.deepEqual(await strayRequests(api.base, allRequests), []);
  });
});
