/**
 * Person search by name over HTTP (issue 7): words of the name in any order
 * as prefixes, optional birth date, at most 50 candidates, one audit record
 * per search naming the candidates, the customer's scope applied (no address
 * outside it), protection marked; public authorities only; clear errors.
 * SQLite and PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_KINDS } from '../support/stores.ts';
import { setup } from '../registration/moves/support.ts';

for (const kind of STORE_KINDS) {
  describe(`person search by name (${kind})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    let karen: string;
    let karenTwin: string;
    let kareem: string;
    let oleSoeren: string;
    before(async () => {
      t = await setup(kind);
      karen = await t.person('Karen', 'Olsen', 'A', { birth: '1980-03-04', middle: ['Marie'] });
      karenTwin = await t.person('Karen', 'Olsen', 'B', { birth: '1990-07-08' });
      kareem = await t.person('Kareem', 'Olesen', 'C', { birth: '1980-03-04', sex: 'M' });
      oleSoeren = await t.person('Søren', 'Ølund-Åberg', 'D', { birth: '1975-12-31', sex: 'M' });
    });
    after(async () => t.dispose());

    const names = (r: { json: { candidates: Array<{ name: string }> } }) => r.json.candidates.map((c) => c.name).sort();

    test('every word begins a name, in any order; birth date narrows by the number range', async () => {
      const r = await t.call('GET', '/api/v1/persons?name=karen%20ols', { key: t.odense });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.candidates.map((c: { pnr: string }) => c.pnr).sort(), [karen, karenTwin].sort());
      assert.equal(r.json.truncated, false);
      assert.equal(r.json.limit, 50);
      const c = r.json.candidates.find((x: { pnr: string }) => x.pnr === karen);
      assert.equal(c.name, 'Karen Marie Olsen');
      assert.equal(c.birthDate, '1980-03-04');
      assert.equal(c.status, '01');
      assert.match(c.address, /^Ambrosius Stubs Vej 10, 5000 Odense C$/);
      assert.equal(c.municipalityCode, '0461');
      assert.equal(c.protected, false);

      assert.deepEqual(names(await t.call('GET', '/api/v1/persons?name=Olsen%20Marie', { key: t.odense })), ['Karen Marie Olsen']);
      assert.deepEqual(names(await t.call('GET', '/api/v1/persons?name=Kar&birthDate=1980-03-04', { key: t.odense })), ['Kareem Olesen', 'Karen Marie Olsen']);
      assert.deepEqual(names(await t.call('GET', '/api/v1/persons?name=Ole&birthDate=1980-03-04', { key: t.odense })), ['Kareem Olesen']);
      assert.deepEqual((await t.call('GET', '/api/v1/persons?name=Karen&birthDate=1980-03-05', { key: t.odense })).json.candidates, []);
      // Danish letters, capitals and hyphenated names.
      assert.deepEqual(names(await t.call('GET', `/api/v1/persons?name=${encodeURIComponent('søren åberg')}`, { key: t.lookupOnly })), ['Søren Ølund-Åberg']);
      assert.deepEqual(names(await t.call('GET', `/api/v1/persons?name=${encodeURIComponent('ØLUND')}`, { key: t.lookupOnly })), ['Søren Ølund-Åberg']);
    });

    test('a search is one audit record naming the candidates, also when it finds nobody', async () => {
      await t.call('GET', '/api/v1/persons?name=Karen%20Olsen', { key: t.lookupOnly });
      let e = (await t.ctx.audit.entries(1))[0]!;
      assert.equal(e.action, 'person.search');
      assert.deepEqual([...e.subjects].sort(), [karen, karenTwin].sort());
      assert.ok(e.fields?.includes('name'));
      await t.call('GET', '/api/v1/persons?name=Zacharias%20Nobody', { key: t.lookupOnly });
      e = (await t.ctx.audit.entries(1))[0]!;
      assert.equal(e.action, 'person.search');
      assert.deepEqual(e.subjects, []);
      assert.equal((e.detail as { name: string }).name, 'Zacharias Nobody');
    });

    test('protection is marked; a customer without the address in its scope gets no address', async () => {
      const p = await t.call('POST', '/api/v1/registration/protections', { key: t.odense, body: { pnr: karenTwin, type: '0001', action: 'grant' } });
      assert.equal(p.status, 201, p.text);
      const r = await t.call('GET', '/api/v1/persons?name=Karen%20Olsen&birthDate=1990-07-08', { key: t.odense });
      const c = r.json.candidates[0];
      assert.equal(c.pnr, karenTwin);
      assert.equal(c.protected, true);
      // A public authority is entitled to a protected person's address (§28 binds private parties, §34(2) its passing on).
      assert.ok(c.address);

      const narrow = (await t.customerWithKey({ id: 'k0751', name: 'Aarhus Kommune', kind: 'public_authority', number: '0751', legalBases: ['§32'], scope: ['name', 'birthDate'] }, { roles: ['lookup'] })).key;
      const n = await t.call('GET', '/api/v1/persons?name=Karen%20Olsen', { key: narrow });
      assert.equal(n.status, 200, n.text);
      assert.equal(n.json.candidates.length, 2);
      for (const x of n.json.candidates) {
        assert.equal(x.address, null);
        assert.ok(x.addressWithheld, 'the reason the address is not given');
        assert.ok(x.name);
      }
      assert.ok(!n.text.includes('Ambrosius'), 'no address in the answer');
    });

    test('a name change is found under the new name at once, and no longer under the old (the name-word index follows the register)', async () => {
      const p = await t.person('Vera', 'Gammelnavn', 'B', { birth: '1970-05-06' });
      assert.deepEqual(names(await t.call('GET', '/api/v1/persons?name=vera%20gammel', { key: t.odense })), ['Vera Gammelnavn']);
      await t.register.register({ pnr: p, authority: '0461', eventCode: 'A13', changes: [{ group: 'name', validFrom: '2026-05-01', value: { firstNames: ['Vera'], middleNames: [], lastName: 'Nyborg-Strand' } }] });
      assert.deepEqual((await t.call('GET', '/api/v1/persons?name=vera%20gammel', { key: t.odense })).json.candidates, []);
      assert.deepEqual(names(await t.call('GET', '/api/v1/persons?name=strand%20vera', { key: t.odense })), ['Vera Nyborg-Strand']);
      const rows = await t.register.store.db.selectFrom('person_name_word' as never).selectAll().where('pnr' as never, '=', p as never).execute();
      assert.deepEqual(rows.map((r) => (r as { word: string }).word).sort(), ['nyborg-strand', 'strand', 'vera']);
    });

    test('at most 50 candidates; more says "truncated"', async () => {
      for (let i = 0; i < 51; i++) await t.person('Mads', 'Mangeby', 'C', { birth: '2000-01-01', sex: 'M' });
      const r = await t.call('GET', '/api/v1/persons?name=Mads%20Mangeby', { key: t.odense });
      assert.equal(r.status, 200);
      assert.equal(r.json.candidates.length, 50);
      assert.equal(r.json.truncated, true);
      const e = (await t.ctx.audit.entries(1))[0]!;
      assert.equal(e.subjects.length, 50, 'only the candidates answered are named');
    });

    test('public authorities only; bad searches get clear errors in both languages', async () => {
      const business = (await t.customerWithKey({ id: 'firma', name: 'Firma A/S', kind: 'business', number: '87654321', legalBases: ['§42(2)'] }, { roles: ['lookup'] })).key;
      const b = await t.call('GET', '/api/v1/persons?name=Karen%20Olsen', { key: business });
      assert.equal(b.status, 403);
      assert.equal(b.json.code, 'no_legal_basis');
      const citizen = (await t.customerWithKey({ id: 'borger', name: 'Borger.dk', kind: 'citizen' }, { roles: ['own_data'], pnr: karen })).key;
      assert.equal((await t.call('GET', '/api/v1/persons?name=Karen%20Olsen', { key: citizen })).status, 403);
      assert.equal((await t.call('GET', '/api/v1/persons?name=Karen%20Olsen')).status, 401);
      const bad: Array<[string, string]> = [
        ['/api/v1/persons', 'bad_request'],
        ['/api/v1/persons?name=Kar', 'invalid_person_search'],
        ['/api/v1/persons?name=K&birthDate=1980-03-04', 'invalid_person_search'],
        ['/api/v1/persons?name=Karen%20Olsen&birthDate=1980-02-30', 'invalid_person_search'],
        ['/api/v1/persons?name=Karen%20Olsen&pnr=0101801234', 'bad_request'],
      ];
      for (const [path, code] of bad) {
        const r = await t.call('GET', path, { key: t.odense });
        assert.equal(r.status, 400, `${path}: ${r.text}`);
        assert.equal(r.json.code, code, path);
        assert.ok(r.json.messages.da && r.json.messages.en);
      }
    });
  });
}
