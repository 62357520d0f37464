/**
 * Issue 15, finding 7 over HTTP on both stores: a name written with or
 * without the Danish letters (ø/oe, æ/ae, å/aa, é/e) is the same name for the
 * company enquiry (§42(6)), the move report (§12(2) nr. 2) and the person
 * search — also through the name-word index the search uses without a birth
 * date, whose database folding must be the comparison's.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { LETTER_FOLDS, nameWords } from '../../src/domain/names/compare.ts';
import { foldSql } from '../../src/storage/migrations/0025_name_word_fold.ts';
import { STORE_KINDS } from '../support/stores.ts';
import { ADDR, moveBody, setup } from '../registration/moves/support.ts';

const PAIRS: ReadonlyArray<readonly [registered: string, written: string]> = [
  ['Søren', 'Soeren'],
  ['Æbelø', 'Aebeloe'],
  ['Århus', 'Aarhus'],
  ['René', 'Rene'],
  // And the other way round: registered written out, asked with the letter.
  ['Soeren', 'Søren'],
  ['Aebeloe', 'Æbelø'],
  ['Aarhus', 'Århus'],
  ['Rene', 'René'],
];
const LAST = ['Holm', 'Lund', 'Berg', 'Dahl', 'Krog', 'Vang', 'Skov', 'Bech'];

for (const kind of STORE_KINDS) {
  describe(`Danish letters alike in enquiries, move reports and the person search (${kind})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    let shop: string;
    const pnrs: string[] = [];
    const birth = (i: number) => `1981-02-${String(i + 1).padStart(2, '0')}`;
    before(async () => {
      t = await setup(kind);
      shop = (await t.customerWithKey({ id: 'shop', name: 'Webshop ApS', kind: 'business', legalBases: ['§39'] }, { roles: ['lookup'] })).key;
      for (const [i, [registered]] of PAIRS.entries()) pnrs.push(await t.person(registered, LAST[i]!, 'A', { birth: birth(i) }));
    });
    after(async () => t.dispose());

    const found = async (q: string) =>
      ((await t.call('GET', `/api/v1/persons?${q}`, { key: t.odense })).json.candidates as Array<{ name: string }>).map((c) => c.name);

    for (const [i, [registered, written]] of PAIRS.entries()) {
      test(`"${written} ${LAST[i]}" is the registered "${registered} ${LAST[i]}"`, async () => {
        const full = `${registered} ${LAST[i]}`;
        // The search: through the name-word index (no birth date), and by the number range with a prefix.
        assert.ok((await found(`name=${encodeURIComponent(written)}`)).includes(full), 'found through the index');
        assert.deepEqual(await found(`name=${encodeURIComponent(written.slice(0, 3))}&birthDate=${birth(i)}`), [full], 'a prefix');
        // §42(6): the company's enquiry identifies the person.
        const e = await t.call('POST', '/api/v1/enquiries', { key: shop, body: { name: { firstNames: written, lastName: LAST[i] }, birthDate: birth(i) } });
        assert.equal(e.status, 200, e.text);
        // §12(2) nr. 2: the move report under the other spelling is the person's.
        const m = await t.call('POST', '/api/v1/registration/moves', { key: t.odense, body: moveBody(pnrs[i]!, `${written} ${LAST[i]}`, '2026-06-01', { to: ADDR.B }) });
        assert.ok(m.status < 300, m.text);
      });
    }

    test("the database folds every listed letter as the comparison does (the index's triggers)", async () => {
      const all = LETTER_FOLDS.map(([c]) => c).join('') + "O'Brien`s";
      const [w] = nameWords(all);
      assert.equal(nameWords(all).length, 1);
      for (const form of ['full', 'bare'] as const) {
        const lit = `'${all.replace(/'/g, "''")}'`;
        const r = await sql.raw<{ f: string }>(`select ${foldSql(lit, kind, form)} as f`).execute(t.register.store.db);
        assert.equal(r.rows[0]!.f, w![form], form);
      }
      // The stored words of a person, both foldings.
      const rows = await t.register.store.db.selectFrom('person_name_word' as never).selectAll().where('pnr' as never, '=', pnrs[0]! as never).execute();
      assert.deepEqual(rows.map((r) => (r as { word: string }).word).sort(), ['holm', 'soeren', 'soren']);
    });
  });
}
