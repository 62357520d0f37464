/**
 * The one name comparison (issue 15, finding 7): the Danish letters are the
 * same written out, reduced or as themselves, for every caller alike — the
 * §42(6) identification, the §12(2) nr. 2 name on a move report, the
 * authorities' search by name — while each keeps its own rule (whole words
 * with optional middle names; the same words in order; prefixes in any order).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { beginsWord, LETTER_FOLDS, nameWords, prefixesInAnyOrder, sameWord, sameWords } from '../../src/domain/names/compare.ts';
import { nameMatches as identifies } from '../../src/services/enquiry.ts';
import { nameMatches as reportedNameMatches } from '../../src/domain/registration/move.ts';
import { nameMatches as searchFinds } from '../../src/services/person-search.ts';

/** Registered spelling, written spelling: the same name. */
export const DANISH_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['Søren', 'Soeren'],
  ['Søren', 'Soren'],
  ['Æbelø', 'Aebeloe'],
  ['Århus', 'Aarhus'],
  ['Åse', 'Ase'],
  ['René', 'Rene'],
  ['Müller', 'Muller'],
  ["O'Brien", 'OBrien'],
  ['ØLUND', 'oelund'],
];

const name = (first: string, last = 'Holm') => ({ firstNames: [first], middleNames: [] as string[], lastName: last });

describe('names: Danish letters alike for every matcher', () => {
  for (const [registered, written] of DANISH_PAIRS) {
    for (const [a, b] of [[registered, written], [written, registered]] as const) {
      test(`"${b}" is the registered "${a}"`, () => {
        const [wa] = nameWords(a);
        const [wb] = nameWords(b);
        assert.ok(sameWord(wa!, wb!));
        assert.equal(identifies({ firstNames: b, lastName: 'Holm' }, name(a)), true, '§42(6) enquiry');
        assert.equal(reportedNameMatches(name(a), `${b} Holm`), true, '§12(2) move report');
        assert.equal(searchFinds(nameWords(`${b} Holm`), name(a)), true, 'person search, whole word');
        assert.equal(searchFinds(nameWords(b.slice(0, 3)), name(a)), true, 'person search, prefix');
      });
    }
  }

  test('different names stay different', () => {
    assert.equal(identifies({ firstNames: 'Sara', lastName: 'Holm' }, name('Søren')), false);
    assert.equal(reportedNameMatches(name('Åse'), 'Asa Holm'), false);
    assert.equal(searchFinds(nameWords('Mueller'), name('Müller')), false, 'German ue is not folded (documented)');
    assert.equal(sameWord(nameWords('Aa')[0]!, nameWords('Æ')[0]!), false);
  });

  test('each caller keeps its rule', () => {
    const n = { firstNames: ['Anne'], middleNames: ['Sofie'], lastName: 'Ølund-Åberg' };
    // §42(6): whole words, the middle name may be left out, the first may not.
    assert.equal(identifies({ firstNames: 'Anne', lastName: 'Oelund-Aaberg' }, n), true);
    assert.equal(identifies({ firstNames: 'Ann', lastName: 'Oelund-Aaberg' }, n), false);
    assert.equal(identifies({ firstNames: 'Sofie', lastName: 'Oelund-Aaberg' }, n), false);
    // §12(2) nr. 2: the full name, in order, or the addressing name.
    assert.equal(reportedNameMatches(n, 'Anne Sofie Oelund Aaberg'), true);
    assert.equal(reportedNameMatches(n, 'Anne Oelund-Aaberg'), false);
    assert.equal(reportedNameMatches({ ...n, addressingName: 'Ølund-Åberg,Anne S' }, 'Oelund-Aaberg, Anne S.'), true);
    // The search: prefixes, any order, each word of the name used once.
    assert.equal(searchFinds(nameWords('aab sof'), n), true);
    assert.equal(searchFinds(nameWords('anne anne'), n), false);
    assert.ok(prefixesInAnyOrder(nameWords('ol an'), nameWords('Anne Ølund')), 'ø reduced to o');
  });

  test('words: case, apostrophes, separators, decomposed letters', () => {
    assert.deepEqual(nameWords("  Jean-Luc  D'Ærø, Jr. "), [
      { full: 'jean', bare: 'jean' },
      { full: 'luc', bare: 'luc' },
      { full: 'daeroe', bare: 'daero' },
      { full: 'jr', bare: 'jr' },
    ]);
    assert.ok(sameWords(nameWords('Rene\u0301 Holm'), nameWords('René Holm')), 'a combining mark belongs to its letter');
    assert.ok(beginsWord(nameWords('sø')[0]!, nameWords('Soren')[0]!));
  });

  test('the letter table is the folding, and its replacements commute', () => {
    const letters = new Set(LETTER_FOLDS.map(([c]) => c));
    for (const [c, full, bare] of LETTER_FOLDS) {
      if (/\p{L}/u.test(c)) assert.deepEqual(nameWords(`x${c}`)[0], { full: `x${full}`, bare: `x${bare}` }, c);
      for (const out of full + bare) assert.ok(!letters.has(out), `${c} → ${full}/${bare} holds a listed letter`);
    }
    for (const c of 'ØÆÅøæåÉéÜü') assert.ok(letters.has(c));
  });
});
