/**
 * The landlord search form's address type-ahead in headless chromium (issue
 * 7): the landlord finds the dwelling by road, house number and floor/door
 * with the keyboard, the form is filled from the DAR answer, and the search
 * runs on it. On the landlord service's test world (test/landlord/world.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { ensureWebClient } from '../../src/api/web/static.ts';
import { passwordsOf } from '../../src/api/web/session.ts';
import { landlordWorld, X } from '../landlord/world.ts';
import { accessibilityProblems, launchBrowser, openPage, shot, signIn, strayRequests } from './support.ts';

describe('landlord address type-ahead in chromium', () => {
  let w: Awaited<ReturnType<typeof landlordWorld>>;
  let browser: Browser;
  const password = 'correct horse battery';
  before(async () => {
    await ensureWebClient();
    w = await landlordWorld('sqlite');
    const admin = (method: string, path: string, body?: unknown) => w.api.call(method, `/api/v1/admin/landlords${path}`, { key: w.keys.admin, body });
    assert.equal((await admin('PUT', '/bolig', { kind: 'social_housing' })).status, 200);
    await admin('POST', '/bolig/owner-numbers', { ownerNumber: X });
    const user = await w.api.ctx.access.addPrincipal('bolig', { kind: 'user', name: 'Lise Udlejer', roles: ['landlord'] });
    await passwordsOf(w.api.ctx).set(user.id, 'lise', password);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await w?.api.dispose();
  });

  test('road, house number, then floor and door from DAR fill the form, and the search runs on them', async () => {
    const { page, errors, context, requests } = await openPage(browser, w.api.base);
    await signIn(page, 'lise', password);
    await page.getByRole('navigation', { name: 'Hovedmenu' }).getByRole('link', { name: 'Beboeropslag' }).click();
    const box = page.getByRole('combobox', { name: 'Find adressen' });
    await box.focus();
    await page.keyboard.type('testv 5000');
    const list = page.locator(`#${await box.getAttribute('aria-controls')}`);
    const activeText = async () => page.locator(`#${await box.getAttribute('aria-activedescendant')}`).textContent();
    await page.waitForFunction(() => /^Testvej, 5000/.test(document.getElementById(document.getElementById('ll-find')?.getAttribute('aria-activedescendant') ?? '')?.textContent ?? ''));
    assert.match((await activeText())!, /^Testvej, 5000 Odense C/);
    await page.keyboard.press('Enter');
    await page.keyboard.type('1');
    await page.waitForFunction(() => /^Testvej 1, 5000/.test(document.getElementById(document.getElementById('ll-find')?.getAttribute('aria-activedescendant') ?? '')?.textContent ?? ''));
    await page.keyboard.press('Enter');
    // Testvej 1's unit addresses; "st" narrows to the ground floor; the first of them is picked.
    await page.waitForFunction(() => (document.getElementById('ll-find')?.getAttribute('aria-activedescendant') ?? '') !== '' && /, st\./.test(document.getElementById(document.getElementById('ll-find')!.getAttribute('aria-activedescendant')!)?.textContent ?? ''));
    await page.keyboard.type('st');
    await page.waitForFunction(() => {
      const box = document.getElementById('ll-find');
      const opts = Array.from(document.querySelectorAll('#ll-find-list [role=option]'));
      return opts.length > 0 && opts.every((o) => /, st\./.test(o.textContent ?? '')) && !!box?.getAttribute('aria-activedescendant');
    });
    const picked = (await activeText())!;
    await page.keyboard.press('Enter');
    assert.equal(await box.inputValue(), picked);
    assert.equal(await list.isHidden(), true);
    assert.equal(await page.getByLabel('Vejnavn').inputValue(), 'Testvej');
    assert.equal(await page.getByLabel('Husnummer', { exact: true }).inputValue(), '1');
    assert.equal(await page.getByLabel('Etage').inputValue(), 'st');
    assert.equal(await page.getByLabel('Postnummer').inputValue(), '5000');
    await page.getByRole('button', { name: 'Søg', exact: true }).click();
    await page.getByRole('table', { name: /Testvej 1/ }).waitFor();
    await shot(page, '26-landlord-typeahead');
    assert.deepEqual(await accessibilityProblems(page), []);
    assert.deepEqual(errors, []);
    assert.deepEqual(await strayRequests(w.api.base, requests), [], 'only built files and documented /api/v1 endpoints');
    await context.close();
  });
});
