/**
 * The landlord page in headless chromium against the real server on loopback
 * (issue 7 acceptance, LAN-2..LAN-5): a landlord searches a stairwell with a
 * protected resident, downloads the Excel file, meets a control failure as a
 * sentence, and (as its security officer) finds the search in the log.
 * Screenshots go to test-artifacts/web/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import type { Browser } from 'playwright-core';
import { ensureWebClient } from '../../src/api/web/static.ts';
import { passwordsOf } from '../../src/api/web/session.ts';
import { landlordWorld, X, Y } from '../landlord/world.ts';
import { accessibilityProblems, launchBrowser, openPage, shot, signIn, strayRequests } from './support.ts';

describe('landlord pages in chromium', () => {
  let w: Awaited<ReturnType<typeof landlordWorld>>;
  let browser: Browser;
  const password = 'correct horse battery';
  before(async () => {
    await ensureWebClient();
    w = await landlordWorld('sqlite');
    const admin = (method: string, path: string, body?: unknown) => w.api.call(method, `/api/v1/admin/landlords${path}`, { key: w.keys.admin, body });
    assert.equal((await admin('PUT', '/bolig', { kind: 'social_housing' })).status, 200);
    await admin('POST', '/bolig/owner-numbers', { ownerNumber: X });
    await admin('POST', '/bolig/owner-numbers', { ownerNumber: Y });
    const user = await w.api.ctx.access.addPrincipal('bolig', { kind: 'user', name: 'Lise Udlejer', roles: ['landlord', 'security_officer'] });
    await passwordsOf(w.api.ctx).set(user.id, 'lise', password);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await w?.api.dispose();
  });

  test('a stairwell search shows the protected resident with the notice; the Excel file holds the same; the security officer finds the search', async () => {
    const { page, errors, context, requests } = await openPage(browser, w.api.base);
    await signIn(page, 'lise', password);
    await page.getByRole('navigation', { name: 'Hovedmenu' }).getByRole('link', { name: 'Beboeropslag' }).click();
    await page.getByLabel('Husnummer (hele opgangen)').check();
    await page.getByLabel('Vejnavn').fill('Testvej');
    await page.getByLabel('Husnummer', { exact: true }).fill('1');
    await page.getByLabel('Postnummer').fill('5000');
    await page.getByLabel('Ejerens CVR-/CPR-nummer').selectOption(X);
    // The from-date picker goes back at most 12 months (LAN-4).
    assert.equal(await page.getByLabel('Fraflyttet siden').getAttribute('min'), '2025-06-01');
    await page.getByRole('button', { name: 'Søg', exact: true }).click();
    const table = page.getByRole('table', { name: /Tilmeldte og fraflyttede på Testvej 1/ });
    await table.waitFor();
    const jytte = table.locator('tbody tr').filter({ hasText: 'Beskyttet,Jytte' });
    assert.equal(await jytte.count(), 1);
    assert.match((await jytte.textContent())!, /Navne- og adressebeskyttet/);
    assert.match((await page.locator('.notice.warning').textContent())!, /navne- og adressebeskyttelse/i);
    // Moved in before the owner's acquisition: shown as the acquisition date (LAN-4).
    assert.match((await table.locator('tbody tr').filter({ hasText: 'Tidlig,Anders' }).textContent())!, /1\. jan\. 2026.*overtagelsesdato/);
    await shot(page, '11-landlord-search');
    assert.deepEqual(await accessibilityProblems(page), []);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Hent som Excel' }).click()]);
    assert.match(download.suggestedFilename(), /^beboere-.*\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile((await download.path())!);
    const cells = wb.worksheets[0]!.getSheetValues().flat().map(String);
    assert.ok(cells.some((c) => c.includes('Beskyttet,Jytte')), 'the protected resident is in the workbook');

    // Control 3: the former owner's number is refused with the control's sentence.
    await page.getByLabel('Ejerens CVR-/CPR-nummer').selectOption(Y);
    await page.getByRole('button', { name: 'Søg', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match((await alert.textContent())!, /Kontrol 3 er ikke opfyldt:.*ikke registreret som aktuel ejer/);
    await shot(page, '12-landlord-control-failure');
    assert.deepEqual(await accessibilityProblems(page), []);

    // The customer's security officer finds the search in the log.
    await page.getByRole('navigation', { name: 'Hovedmenu' }).getByRole('link', { name: 'Logsøgning' }).click();
    await page.getByLabel('Transaktionstype').fill('landlord.search');
    await page.getByRole('button', { name: 'Søg', exact: true }).click();
    const log = page.getByRole('table', { name: 'Logposter' });
    await log.waitFor();
    await log.locator('tbody tr').filter({ hasText: /Lise Udlejer.*landlord\.search/ }).first().waitFor();
    assert.deepEqual(errors, []);
    assert.deepEqual(await strayRequests(w.api.base, requests), [], 'only built files and documented /api/v1 endpoints');
    await context.close();
  });
});
