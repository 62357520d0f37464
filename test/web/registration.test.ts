/**
 * The clerk's registration pages in headless chromium against the real server
 * on loopback (issue 7 acceptance): a clerk registers a move with a household
 * member and sees it in the person's history and the case list with the
 * printable receipt, and grants a protection with its expiry shown.
 * Screenshots go to test-artifacts/web/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { AddressRegister, sampleAddressFiles } from '../../src/reference/address-register.ts';
import { addressOfUnit } from '../../src/services/registration/persons.ts';
import { accessibilityProblems, launchBrowser, openPage, shot, signIn, strayRequests, startWebApi } from './support.ts';

const fmt = (p: string) => `${p.slice(0, 6)}-${p.slice(6)}`;

describe('registration pages in chromium', () => {
  let api: Awaited<ReturnType<typeof startWebApi>>;
  let browser: Browser;
  let clerk: Awaited<ReturnType<Awaited<ReturnType<typeof startWebApi>>['user']>>;
  /** Real DAR units of the bundled sample in Odense (0461). */
  const A = '0a3f50b3-8a0f-32b8-e044-0003ba298018'; // Ambrosius Stubs Vej 10
  const B = '0a3f50b3-8f8f-32b8-e044-0003ba298018'; // B. Bangs Gade 2, 1.
  let mover: string;
  let member: string;

  before(async () => {
    api = await startWebApi();
    const dar = new AddressRegister(api.register.store, api.clock);
    await dar.importAddresses({ ...sampleAddressFiles(), source: 'sample' });
    const unit = await dar.unit(A, { on: '2020-01-01' });
    const address = addressOfUnit(unit!.houseNumber, unit!);
    const person = async (first: string, last: string, sex: 'M' | 'K') => {
      const pnr = await api.register.allocatePnr('1980-01-01', sex);
      await api.register.register({
        pnr,
        authority: '0461',
        eventCode: 'A01',
        changes: [
          { group: 'birth', validFrom: '1980-01-01', value: { birthDate: '1980-01-01', sex } },
          { group: 'name', validFrom: '1980-01-01', value: { firstNames: [first], middleNames: [], lastName: last } },
          { group: 'status', validFrom: '1980-01-01', value: { code: '01' } },
          { group: 'address', validFrom: '2020-01-01', value: address },
        ],
      });
      return pnr;
    };
    mover = await person('Karen', 'Flytter', 'K');
    member = await person('Bo', 'Flytter', 'M');
    clerk = await api.user(
      { id: 'kommune-0461', name: 'Odense Kommune', kind: 'public_authority', number: '0461', legalBases: ['§32'], scope: ['all'] },
      { name: 'Mette Folkeregister', roles: ['lookup', 'register', 'security_officer'] },
      'mette',
    );
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await api?.dispose();
  });

  test('a clerk registers a move with a household member, sees it in the history, the case list and the printable receipt', async () => {
    const { page, errors, context, requests } = await openPage(browser, api.base);
    await signIn(page, 'mette', clerk.password);
    await page.getByRole('navigation', { name: 'Hovedmenu' }).getByRole('link', { name: 'Registrering' }).click();
    await page.getByLabel('Personnummer', { exact: true }).fill(fmt(mover));
    await page.getByRole('button', { name: 'Hent nuværende adresse' }).click();
    await page.getByText(/Nuværende adresse: Ambrosius Stubs Vej 10/).waitFor();
    assert.equal(await page.getByLabel('Navn', { exact: true }).inputValue(), 'Flytter,Karen');
    const to = page.getByRole('group', { name: 'Tilflytningsadresse' });
    assert.equal(await to.getByLabel('Kommunekode').inputValue(), '0461', 'the clerk\'s own municipality');
    await to.getByLabel('DAR-adresse-id').fill(B);
    await page.getByLabel('Flyttedato').fill('2026-06-01');
    await page.getByRole('button', { name: 'Tilføj husstandsmedlem' }).click();
    await page.getByLabel('Personnummer, medlem 1').fill(fmt(member));
    await page.getByLabel('Navn, medlem 1').fill('Bo Flytter');
    await page.getByRole('button', { name: 'Registrér flytning' }).click();
    const ok = page.locator('.notice.success');
    await ok.waitFor();
    assert.match((await ok.textContent())!, /Flytningen er registreret\..*Sag nr\. \d+/);
    assert.equal(await ok.getByRole('link', { name: /Se historik for/ }).count(), 2, 'both movers');
    await shot(page, '13-clerk-move');
    assert.deepEqual(await accessibilityProblems(page), []);

    await ok.getByRole('link', { name: `Se historik for ${fmt(mover)}` }).click();
    const history = page.getByRole('table', { name: 'Historik' });
    await history.waitFor();
    const addressRows = history.locator('tbody tr').filter({ hasText: 'Adresse' });
    assert.match((await addressRows.filter({ hasText: 'B. Bangs Gade 2' }).textContent())!, /1\. jun\. 2026.*gældende/);
    assert.match((await addressRows.filter({ hasText: 'Ambrosius Stubs Vej 10' }).first().textContent())!, /1\. jan\. 2020/);
    await shot(page, '14-person-history-after-move');

    await page.getByRole('navigation', { name: 'Hovedmenu' }).getByRole('link', { name: 'Sager' }).click();
    const cases = page.getByRole('table', { name: 'Sager' });
    await cases.waitFor();
    const row = cases.locator('tbody tr').filter({ hasText: fmt(mover) });
    assert.match((await row.textContent())!, /Flytteanmeldelse.*registered/);
    await row.getByRole('button').first().click();
    await page.getByRole('button', { name: 'Vis brev' }).first().click();
    assert.match((await page.locator('.letter').textContent())!, /KVITTERING FOR FLYTTEANMELDELSE/);
    assert.equal(await page.getByRole('link', { name: 'Åbn til udskrift' }).first().getAttribute('target'), '_blank');
    await shot(page, '15-cases-letter');
    assert.deepEqual(await accessibilityProblems(page), []);
    assert.deepEqual(errors, []);
    assert.deepEqual(await strayRequests(api.base, requests), [], 'only built files and documented /api/v1 endpoints');
    await context.close();
  });

  test('a clerk grants name-and-address protection and sees when it expires', async () => {
    const { page, errors, context, requests } = await openPage(browser, api.base);
    await signIn(page, 'mette', clerk.password);
    // From the person page, the clerk goes on to the protection form with the number filled in.
    await page.goto(`/#/person?pnr=${member}`);
    await page.getByRole('heading', { name: /Bo Flytter/ }).waitFor();
    await page.getByRole('link', { name: 'Beskyttelse', exact: true }).click();
    assert.equal(await page.getByLabel('Personnummer').inputValue(), member);
    await page.getByRole('button', { name: 'Registrér' }).click();
    const ok = page.locator('.notice.success');
    await ok.waitFor();
    // §28: one year from the grant.
    assert.match((await ok.textContent())!, /Navne- og adressebeskyttelse \(§28\): 1\. jun\. 2026 – udløber 1\. jun\. 2027/);
    await shot(page, '16-protection');
    assert.deepEqual(await accessibilityProblems(page), []);
    assert.deepEqual(errors, []);
    assert.deepEqual(await strayRequests(api.base, requests), [], 'only built files and documented /api/v1 endpoints');
    await context.close();
  });
});
