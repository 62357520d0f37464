/**
 * The one comparison of person names (issue 15, finding 7): how a name is cut
 * into words, how a word is folded, and the predicates the callers need —
 * the §42(6) identification (enquiry.ts), the §12(2) nr. 2 name on a move
 * report (registration/move.ts) and the authorities' search by name
 * (person-search.ts, whose database index folds with the same table, see
 * `LETTER_FOLDS`). Pure.
 *
 * Folding, decided once:
 * - case is ignored; apostrophes are dropped ("O'Brien" = "OBrien"); any
 *   other non-letter, non-digit (space, hyphen, comma, full stop) separates
 *   words;
 * - the Danish letters may be written out or reduced: ø = oe = o,
 *   å = aa = a, æ = ae ("Søren" = "Soeren" = "Soren", "Århus" = "Aarhus",
 *   "Æbelø" = "Aebeloe"). A word has two foldings, `full` (ø → oe, å → aa)
 *   and `bare` (ø → o, å → a); two words are the same when either agrees;
 * - every other mark is dropped (é = e, ü = u, ö = o, ñ = n; decomposed
 *   letters likewise), and ß = ss. German "ue"/"oe" spellings are not folded
 *   (Müller ≠ Mueller): they are not Danish usage, and the enquiries' road
 *   keys stored by this folding stay what they were.
 */

/** A word of a name in its two foldings (see above). */
export interface Word {
  full: string;
  bare: string;
}

/** The Danish letters with a written-out (`full`) and a reduced (`bare`) form; ß has one. */
const SPELLED: Readonly<Record<string, readonly [full: string, bare: string]>> = {
  ø: ['oe', 'o'],
  å: ['aa', 'a'],
  æ: ['ae', 'ae'],
  ß: ['ss', 'ss'],
};

const APOSTROPHES = /['’`´]/g;

function foldChar(c: string, form: 0 | 1): string {
  const s = SPELLED[c];
  return s ? s[form] : c.normalize('NFKD').replace(/\p{M}+/gu, '');
}

function foldText(lower: string, form: 0 | 1): string {
  let out = '';
  for (const c of lower) out += foldChar(c, form);
  return out;
}

/** The words of a name (or of several names joined by spaces), folded. */
export function nameWords(text: string): Word[] {
  return text
    .toLowerCase()
    .replace(APOSTROPHES, '')
    .split(/[^\p{L}\p{M}\p{N}]+/u) // a combining mark belongs to its letter (and is dropped by the folding)
    .filter(Boolean)
    .map((w) => ({ full: foldText(w, 0), bare: foldText(w, 1) }));
}

/** One word is the other under either folding. */
export function sameWord(a: Word, b: Word): boolean {
  return a.full === b.full || a.bare === b.bare;
}

/** `prefix` begins `word` under either folding ("sø" begins "Soren", "aar" begins "Århus"). */
export function beginsWord(prefix: Word, word: Word): boolean {
  return word.full.startsWith(prefix.full) || word.bare.startsWith(prefix.bare);
}

/** The same words in the same order (a name written out as registered). */
export function sameWords(a: readonly Word[], b: readonly Word[]): boolean {
  return a.length === b.length && a.every((w, i) => sameWord(w, b[i]!));
}

/** Every word of the query begins a different word of the name, in any order ("Jens Hans" finds "Hans Jens Hansen"). */
export function prefixesInAnyOrder(query: readonly Word[], name: readonly Word[]): boolean {
  const used = new Set<number>();
  return query.every((q) => {
    const i = name.findIndex((w, k) => !used.has(k) && beginsWord(q, w));
    if (i < 0) return false;
    used.add(i);
    return true;
  });
}

/** A registered name as words: first names, middle names, and the last names it may end with. */
export interface RegisteredNameWords {
  first: readonly Word[];
  middle: readonly Word[];
  lasts: ReadonlyArray<readonly Word[]>;
}

/**
 * Whole words: the given words are all the first names, then any of the
 * middle names in their order (middle names may be left out), then one of
 * the last names (§42(6) identification).
 */
export function givenNameMatches(given: readonly Word[], n: RegisteredNameWords): boolean {
  const { first, middle, lasts } = n;
  for (const l of lasts) {
    if (given.length < first.length + l.length) continue;
    if (!first.every((w, i) => sameWord(w, given[i]!))) continue;
    if (!l.every((w, i) => sameWord(w, given[given.length - l.length + i]!))) continue;
    const mid = given.slice(first.length, given.length - l.length);
    let j = 0;
    for (const w of middle) if (j < mid.length && sameWord(mid[j]!, w)) j++;
    if (j === mid.length) return true;
  }
  return false;
}

/**
 * The folding above as a table of single letters, for a database that folds
 * stored names the same way (the person search's `person_name_word` index):
 * for every letter of Latin-1 and Latin Extended-A, both cases, and every
 * combining mark (U+0300-U+036F), what it becomes after lower-casing in the
 * `full` and `bare` forms, when that differs from the letter. ASCII letters
 * need only lower-casing and are not listed; the apostrophes map to ''. No
 * result contains a listed letter, so the replacements may run in any order.
 * Letters outside these blocks are left to the database's lower(): CPR names
 * are written in Latin letters.
 */
export const LETTER_FOLDS: ReadonlyArray<readonly [letter: string, full: string, bare: string]> = (() => {
  const out: Array<readonly [string, string, string]> = [];
  for (let cp = 0xc0; cp <= 0x17f; cp++) {
    const c = String.fromCodePoint(cp);
    if (!/\p{L}/u.test(c)) continue;
    const lower = c.toLowerCase();
    const full = foldText(lower, 0);
    const bare = foldText(lower, 1);
    if (full !== c || bare !== c) out.push([c, full, bare]);
  }
  for (let cp = 0x300; cp <= 0x36f; cp++) out.push([String.fromCodePoint(cp), '', '']);
  for (const a of ['’', '´']) out.push([a, '', '']);
  return out;
})();

/** The ASCII apostrophes dropped before folding (`LETTER_FOLDS` lists the others). */
export const ASCII_APOSTROPHES: readonly string[] = ["'", '`'];
