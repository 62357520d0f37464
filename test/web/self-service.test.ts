/**
 * The pages that waited for an API (issue 7), in headless chromium against
 * the real server on loopback: the address type-ahead (keyboard only, ARIA
 * combobox) in the citizen's and the clerk's move forms; a citizen reports
 * their own move and sees the printable receipt; a citizen asks for
 * name-and-address protection and the clerk grants it from the case list; the
 * clerk finds the person by name. Screenshots go to test-artifacts/web/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { AddressRegister, sampleAddressFiles } from '../../src/reference/address-register.ts';
import { effectiveProtections } from '../../src/domain/disclosure/project.ts';
import { addressOfUnit } from '../../src/services/registration/persons.ts';
import { accessibilityProblems, launchBrowser, openPage, shot, signIn, strayRequests, startWebApi } from './support.ts';

const fmt = (p: string) => `${p.slice(0, 6)}-${p.slice(6)}`;
/** Real DAR units of the bundled sample. */
const A = '0a3f50b3-8a0f-32b8-e044-0003ba298018'; // Ambrosius Stubs Vej 10, 5000 Odense C (0461)
const B1 = '0a3f50b3-8f8f-32b8-e044-0003ba298018'; // B. Bangs Gade 2, 1., 5000 Odense C (0461)
const D = '0a3f50a3-8216-32b8-e044-0003ba298018'; // Brydevej 11, 2791 Dragør (0155)

/** Waits until the combobox's active option (what Enter picks) matches `name`, checking the ARIA wiring on the way. */
async function offered(page: Page, box: ReturnType<Page['getByRole']>, name: RegExp) {
  const id = await box.getAttribute('id');
  await page.waitForFunction(
    ([boxId, source]) => {
      const input = document.getElementById(boxId!);
      const active = input?.getAttribute('aria-activedescendant');
      const option = active ? document.getElementById(active) : null;
      return !!option && new RegExp(source!).test(option.textContent ?? '');
    },
    [id, name.source] as const,
  );
  assert.equal(await box.getAttribute('aria-expanded'), 'true');
  const active = await box.getAttribute('aria-activedescendant');
  assert.equal(await page.locator(`#${active}`).getAttribute('role'), 'option');
  assert.equal(await page.locator(`#${active}`).getAttribute('aria-selected'), 'true');
  assert.equal(await page.locator(`#${await box.getAttribute('aria-controls')}`).getAttribute('role'), 'listbox');
}

describe('self-service, type-ahead and person search pages in chromium', () => {
  let api: Awaited<ReturnType<typeof startWebApi>>;
  let browser: Browser;
  let dar: AddressRegister;
  let clerk: { password: string };
  let mover: string;
  let asker: string;

  before(async () => {
    api = await startWebApi();
    dar = new AddressRegister(api.register.store, api.clock);
    await dar.importAddresses({ ...sampleAddressFiles(), source: 'sample' });
    const unit = await dar.unit(A, { on: '2020-01-01' });
    const address = addressOfUnit(unit!.houseNumber, unit!);
    const person = async (first: string, last: string, birth: string) => {
      const pnr = await api.register.allocatePnr(birth, 'K');
      await api.register.register({
        pnr,
        authority: '0461',
        eventCode: 'A01',
        changes: [
          { group: 'birth', validFrom: birth, value: { birthDate: birth, sex: 'K' } },
          { group: 'name', validFrom: birth, value: { firstNames: [first], middleNames: [], lastName: last } },
          { group: 'status', validFrom: birth, value: { code: '01' } },
          { group: 'address', validFrom: '2020-01-01', value: address },
        ],
      });
      return pnr;
    };
    mover = await person('Karen', 'Selvflytter', '1985-02-03');
    asker = await person('Pia', 'Beskyttesen', '1979-11-12');
    clerk = await api.user(
      { id: 'kommune-0461', name: 'Odense Kommune', kind: 'public_authority', number: '0461', legalBases: ['§32'], scope: ['all'] },
      { name: 'Mette Folkeregister', roles: ['lookup', 'register'] },
      'mette',
    );
    const citizens = { id: 'borger', name: 'Borger.dk', kind: 'citizen' as const };
    await api.user(citizens, { name: 'Karen Selvflytter', roles: ['own_data'], pnr: mover }, 'karen');
    await api.user(citizens, { name: 'Pia Beskyttesen', roles: ['own_data'], pnr: asker }, 'pia');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await api?.dispose();
  });

  test('a citizen reports their own move with the keyboard-only type-ahead and gets the receipt to print', async () => {
    const { page, errors, context, requests } = await openPage(browser, api.base);
    await signIn(page, 'karen', 'correct horse battery');
    await page.getByRole('navigation', { name: 'Hovedmenu' }).getByRole('link', { name: 'Anmeld flytning' }).click();
    const box = page.getByRole('combobox', { name: 'Tilflytningsadresse' });
    await box.focus();
    // Road name and postal code, then the house number; arrows and Enter only.
    await page.keyboard.type('bryde 2791');
    await offered(page, box, /^Brydevej, 2791 Dragør/);
    await page.keyboard.press('Enter');
    assert.equal(await box.inputValue(), 'Brydevej ');
    await page.keyboard.type('11');
    await offered(page, box, /^Brydevej 11, 2791 Dragør$/);
    await shot(page, '20-citizen-typeahead');
    await page.keyboard.press('Enter');
    // Brydevej 11 has one unit address without floor or door: that is the address.
    await page.getByTestId('cm-chosen').waitFor();
    assert.match((await page.getByTestId('cm-chosen').textContent())!, /Brydevej 11, 2791 Dragør.*Dragør/);
    assert.equal(await box.getAttribute('aria-expanded'), 'false');
    await page.getByLabel('Flyttedato').fill('2026-06-01');
    await page.getByRole('button', { name: 'Meld flytning' }).click();
    const ok = page.locator('.notice.success');
    await ok.waitFor();
    assert.match((await ok.textContent())!, /Din flytning er registreret\..*Sag nr\. \d+/);
    const receipt = page.getByTestId('receipt');
    assert.match((await receipt.textContent())!, /KVITTERING FOR FLYTTEANMELDELSE/);
    assert.ok(await page.getByRole('button', { name: 'Udskriv kvitteringen' }).isVisible());
    const mine = page.getByRole('table', { name: 'Dine anmeldelser og anmodninger' });
    await mine.locator('tbody tr').filter({ hasText: 'registered' }).waitFor();
    assert.match((await mine.textContent())!, /Flytteanmeldelse.*registered.*Dragør/);
    await shot(page, '21-citizen-move-receipt');
    // The register has the move, by the municipality moved to (§12(1)), on the DAR unit chosen.
    const now = await api.register.person(mover);
    assert.equal((now!.state.address as { value: { addressId: string } }).value.addressId, D);
    assert.deepEqual(await accessibilityProblems(page), []);
    assert.deepEqual(errors, []);
    assert.deepEqual(await strayRequests(api.base, requests), [], 'only built files and documented /api/v1 endpoints');
    await context.close();
  });

  test('a citizen asks for protection; the clerk grants it from the case list and then finds the person by name', async () => {
    {
      const { page, errors, context } = await openPage(browser, api.base);
      await signIn(page, 'pia', 'correct horse battery');
      await page.getByRole('navigation', { name: 'Hovedmenu' }).getByRole('link', { name: 'Navne- og adressebeskyttelse' }).click();
      await page.getByLabel('Begrundelse (frivillig)').fill('Chikane');
      await page.getByRole('button', { name: 'Anmod om beskyttelse' }).click();
      const ok = page.locator('.notice.success');
      await ok.waitFor();
      assert.match((await ok.textContent())!, /sendt til kommune Odense.*sag \d+/);
      await page.getByRole('table', { name: 'Dine anmeldelser og anmodninger' }).locator('tbody tr').filter({ hasText: 'received' }).waitFor();
      // Asking twice while one waits is refused as a sentence.
      await page.getByRole('button', { name: 'Anmod om beskyttelse' }).click();
      await page.getByRole('alert').filter({ hasText: /allerede en anmodning/ }).waitFor();
      await shot(page, '22-citizen-protection-request');
      assert.deepEqual(await accessibilityProblems(page), []);
      assert.deepEqual(errors, []);
      await context.close();
    }
    const { page, errors, context, requests } = await openPage(browser, api.base);
    await signIn(page, 'mette', clerk.password);
    await page.getByRole('navigation', { name: 'Hovedmenu' }).getByRole('link', { name: 'Sager' }).click();
    await page.getByLabel('Slags').selectOption('protection_request');
    const cases = page.getByRole('table', { name: 'Sager' });
    const row = cases.locator('tbody tr').filter({ hasText: fmt(asker) });
    await row.waitFor();
    assert.match((await row.textContent())!, /Anmodning om beskyttelse.*received/);
    await row.getByRole('button').first().click();
    await page.getByText('“Chikane”').waitFor();
    await page.getByRole('button', { name: 'Bevilg beskyttelse (et år)' }).click();
    await page.getByRole('table', { name: 'Sagens forløb' }).locator('tbody tr').filter({ hasText: 'granted' }).waitFor();
    await shot(page, '23-clerk-protection-granted');
    const view = await api.register.person(asker);
    const p = effectiveProtections(view!.state).find((x) => x.type === '0001');
    assert.equal(p?.validTo, '2027-06-01', '§28: one year');

    // Person search by name: the candidate with the protection marked, then the person page.
    await page.getByRole('navigation', { name: 'Hovedmenu' }).getByRole('link', { name: 'Personopslag' }).click();
    await page.getByLabel('Navn', { exact: true }).fill('pia beskyt');
    await page.getByRole('button', { name: 'Søg', exact: true }).click();
    const found = page.getByRole('table', { name: 'Personer der passer' });
    await found.waitFor();
    assert.equal(await found.locator('tbody tr').count(), 1);
    assert.match((await found.textContent())!, new RegExp(`Pia Beskyttesen.*${fmt(asker)}.*Ambrosius Stubs Vej 10.*Navne- og adressebeskyttet`));
    await shot(page, '24-person-search');
    assert.deepEqual(await accessibilityProblems(page), []);
    await page.getByRole('button', { name: 'Vis Pia Beskyttesen' }).click();
    await page.getByRole('heading', { name: /Pia Beskyttesen/ }).waitFor();
    // The search is in the log, naming the candidate.
    const e = (await api.ctx.audit.entries(10)).find((x) => x.action === 'person.search');
    assert.deepEqual(e?.subjects, [asker]);
    // A search too vague is refused with the server's sentence.
    await page.getByLabel('Navn', { exact: true }).fill('Pi');
    await page.getByRole('button', { name: 'Søg', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: /mindst 4 bogstaver/ }).waitFor();
    assert.deepEqual(errors, []);
    assert.deepEqual(await strayRequests(api.base, requests), [], 'only built files and documented /api/v1 endpoints');
    await context.close();
  });

  test("the clerk's move form fills the new address from the type-ahead (house number, then floor)", async () => {
    const { page, errors, context, requests } = await openPage(browser, api.base);
    await signIn(page, 'mette', clerk.password);
    await page.getByRole('navigation', { name: 'Hovedmenu' }).getByRole('link', { name: 'Registrering' }).click();
    const to = page.getByRole('group', { name: 'Tilflytningsadresse' });
    const box = to.getByRole('combobox', { name: 'Find adressen' });
    await box.focus();
    await page.keyboard.type('b. bangs');
    await offered(page, box, /^B\. Bangs Gade, 5000 Odense C/);
    await page.keyboard.press('Enter');
    await page.keyboard.type('2');
    await offered(page, box, /^B\. Bangs Gade 2, 5000 Odense C$/);
    await page.keyboard.press('Enter');
    // Three unit addresses: none, st. and 1.; typing the floor narrows to one.
    await offered(page, box, /^B\. Bangs Gade 2, 5000 Odense C$/);
    const list = page.locator(`#${await box.getAttribute('aria-controls')}`);
    assert.deepEqual(await list.getByRole('option').allTextContents(), ['B. Bangs Gade 2, 5000 Odense C', 'B. Bangs Gade 2, st., 5000 Odense C', 'B. Bangs Gade 2, 1., 5000 Odense C']);
    await page.keyboard.type('1');
    await offered(page, box, /^B\. Bangs Gade 2, 1\., 5000 Odense C$/);
    await page.keyboard.press('Enter');
    assert.equal(await to.getByLabel('DAR-adresse-id').inputValue(), B1);
    assert.equal(await to.getByLabel('Kommunekode').inputValue(), '0461');
    assert.equal(await to.getByLabel('Etage').inputValue(), '1');
    assert.equal(await to.getByLabel('Husnummer').inputValue(), '2');
    // Escape closes the list; a too-short road name asks nothing of the server.
    await box.fill('');
    await box.focus();
    await page.keyboard.type('zz');
    await page.getByText('Ingen adresser passer.').first().waitFor({ state: 'attached' });
    await shot(page, '25-clerk-typeahead');
    assert.deepEqual(await accessibilityProblems(page), []);
    assert.deepEqual(errors, []);
    assert.deepEqual(await strayRequests(api.base, requests), [], 'only built files and documented /api/v1 endpoints');
    await context.close();
  });
});
