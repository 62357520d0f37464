/**
 * The addressing name (adresseringsnavn), REG-5, CPR Act §5(4)-(7).
 *
 * Pure functions, no I/O. CPR writes the addressing name `Lastname,Given names`
 * with no space after the comma (ADRNVN, 34 characters; e.g. GCTP NVNSOG2 and
 * ADRSOG1 answer `Hansen,Morten Christian`, `Dahl-Eriksen,Uffe Konrad`). CPR
 * can also print it as `Given names Lastname` (record 008 of the CPR Direct
 * demo files holds `Ude Ulrike Udtzen`); that is a print option of the same
 * name and is not produced here.
 *
 * The Act (§5(4)-(5)), quoted so the rules can be checked against the code:
 *   (4) "Dette navn skal, hvis det er teknisk muligt, indeholde hele
 *       efternavnet og mindst ét helt fornavn".
 *   (5) "fornavn eller mellemnavn [forkortes] i nødvendigt omfang til
 *       1. bogstav. Eventuelle forkortelser foretages i sidste fornavn eller
 *       mellemnavn før efternavnet, dernæst i næstsidste og så fremdeles. Hvis
 *       første bogstav i første fornavn sammen med efternavnet overstiger det
 *       teknisk mulige for adressering, foretages forkortelserne tillige i
 *       efternavnet."
 *   (6) an unsatisfactory machine abbreviation is replaced by "det bedst
 *       mulige adresseringsnavn", as far as possible with the last name and at
 *       least one first name written in full.
 *   (7) anyone may register a chosen addressing name "på grundlag af det fulde
 *       navn"; it "skal altid indeholde vedkommendes efternavn og mindst ét af
 *       vedkommendes fornavne skrevet fuldt ud".
 *
 * Where SPEC REG-5 and the Act differ, the Act (seed 002) is followed:
 * REG-5 asks for "at least one whole first name" unconditionally, §5(4) only
 * "hvis det er teknisk muligt", and §5(5) reaches it by abbreviation alone.
 *
 * Choices where the sources are silent (each is marked "Choice" below):
 * - §5(5) "forkortes til 1. bogstav": an initial is the first letter and
 *   nothing else, no full stop (`Peter` -> `P`, `Anne-Marie` -> `A`,
 *   `Øjvind` -> `Ø`), as CPR writes it: a full stop would cost a character
 *   the Act does not spend. A hyphenated name is one name and gets one
 *   initial. A chosen addressing name (§5(7)) may write an initial with a
 *   full stop (`Anna S.`); nothing in §5(7) forbids it.
 * - Given names are never left out while abbreviating them all suffices
 *   (§5(5) knows only abbreviation). Only when even all initials are too long
 *   are names left out (§5(6), the best possible name, see `candidates`).
 * - Lengths are counted in Unicode code points after NFC normalisation (one
 *   code point = one character of CPR's ISO-8859-1 field).
 * - Whitespace is normalised: runs of whitespace become one space, spaces
 *   around a hyphen are removed, ends are trimmed. A given-name entry that
 *   contains spaces is several names (`"Anne Marie"` = `Anne`, `Marie`); the
 *   last name is always one whole name, spaces and hyphens included.
 * - A name of one letter (`Å`) is its own initial.
 */

/** A person's name as registered under §5(1) (Bilag 1 nr. 2). */
export interface PersonName {
  /** Fornavne, in order. An entry containing spaces counts as several names. */
  readonly firstNames: readonly string[];
  /** Mellemnavne, in order (they stand between the first names and the last name). */
  readonly middleNames?: readonly string[];
  /** Efternavn: one whole name, may contain spaces or hyphens (`Due Hansen`). */
  readonly lastName: string;
}

/** The width of CPR's ADRNVN field. */
export const ADDRESSING_NAME_LIMIT = 34;

export interface AddressingName {
  /** `Lastname,Given names`, at most `limit` characters. */
  readonly text: string;
  /** True when the text is not the person's full name (some name abbreviated, left out or cut). */
  readonly abbreviated: boolean;
}

export type GivenNameKind = 'first' | 'middle';
/** How a given name appears in an addressing name. */
export type GivenNameForm = 'whole' | 'initial' | 'omitted';

/**
 * Which step of the rule produced the name:
 * - `full`: the full name fits (§5(4) first sentence: no addressing name needed).
 * - `abbreviated`: §5(5) mechanical abbreviation, first first name kept whole.
 * - `other-first-name-kept`: §5(4) "mindst ét helt fornavn" kept by keeping a
 *   later first name whole instead of the first one, all others initials.
 * - `initials-only`: no first name can stay whole, so §5(5)'s order reaches
 *   the first first name too: every given name is an initial, none left out.
 * - `names-left-out`: even all initials are too long: given names are left
 *   out (§5(6), the best possible name, keeping a whole first name if one fits).
 * - `last-name-shortened`: §5(5) third sentence.
 */
export type AddressingNameStep =
  | 'full'
  | 'abbreviated'
  | 'other-first-name-kept'
  | 'initials-only'
  | 'names-left-out'
  | 'last-name-shortened';

export interface AddressingNameExplained extends AddressingName {
  readonly step: AddressingNameStep;
  readonly lastName: { readonly whole: string; readonly written: string; readonly shortened: boolean };
  readonly givenNames: ReadonlyArray<{
    readonly name: string;
    readonly kind: GivenNameKind;
    readonly form: GivenNameForm;
  }>;
}

/** A name after whitespace/Unicode normalisation (see the module comment). */
export interface NormalizedName {
  readonly lastName: string;
  readonly givenNames: ReadonlyArray<{ readonly name: string; readonly kind: GivenNameKind }>;
}

/** Characters as CPR counts them: code points (text is NFC-normalised first). */
export function charLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function cleanPart(s: string, what: string): string {
  const t = s.normalize('NFC').replace(/\s+/gu, ' ').trim().replace(/ ?- ?/g, '-');
  if (t.includes(',')) {
    throw new RangeError(`${what} must not contain a comma (the comma separates last name and given names): ${JSON.stringify(s)}`);
  }
  return t;
}

/**
 * §5(1): the registered name, normalised for §5(4)-(7): NFC, single spaces,
 * no spaces around hyphens, given-name entries split into single names.
 * Throws RangeError when the last name is empty or a part contains a comma.
 */
export function normalizePersonName(name: PersonName): NormalizedName {
  const lastName = cleanPart(name.lastName, 'the last name');
  if (lastName === '') throw new RangeError('the last name (efternavn) is empty');
  const split = (parts: readonly string[] | undefined, kind: GivenNameKind) =>
    (parts ?? []).flatMap((p) => cleanPart(p, `a ${kind} name`).split(' ').filter((w) => w !== '').map((w) => ({ name: w, kind })));
  return { lastName, givenNames: [...split(name.firstNames, 'first'), ...split(name.middleNames, 'middle')] };
}

/**
 * §5(5) "forkortes til 1. bogstav": the first letter, without a full stop, as
 * CPR writes it (Choice, see the module comment: the Act names the letter only).
 */
export function initialOf(name: string): string {
  const chars = [...name.normalize('NFC')];
  return chars.find((c) => /\p{L}/u.test(c)) ?? chars[0] ?? '';
}

/** Whether abbreviating the name to its initial makes it shorter (§5(5) "i nødvendigt omfang"). */
function shrinkable(name: string): boolean {
  return charLength(name) > charLength(initialOf(name));
}

/** The shortest way of writing a given name: its initial, or itself if that is no longer. */
function shortestForm(name: string): string {
  return shrinkable(name) ? initialOf(name) : name;
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 3) {
    throw new RangeError(`the addressing-name limit must be an integer of at least 3 (room for "L,F"), got ${limit}`);
  }
}

const WHOLE = 0;
const INITIAL = 1;
const OMITTED = 2;
type Form = typeof WHOLE | typeof INITIAL | typeof OMITTED;

function render(n: NormalizedName, forms: readonly Form[], lastName = n.lastName): string {
  const tokens: string[] = [];
  n.givenNames.forEach((g, i) => {
    const f = forms[i] ?? WHOLE;
    if (f === WHOLE) tokens.push(g.name);
    else if (f === INITIAL) tokens.push(shortestForm(g.name));
  });
  return tokens.length === 0 ? lastName : `${lastName},${tokens.join(' ')}`;
}

/** The unabbreviated form `Lastname,Given names` (§5(1) name written as §5(4) addresses it). */
export function fullAddressingName(name: PersonName): string {
  const n = normalizePersonName(name);
  return render(n, n.givenNames.map(() => WHOLE));
}

/**
 * The candidates of §5(4)-(6), best first. Each is a form per given name; the
 * first candidate that fits is the addressing name.
 */
function* candidates(n: NormalizedName): Generator<[AddressingNameStep, Form[]]> {
  const count = n.givenNames.length;
  const firstIdx = n.givenNames.flatMap((g, i) => (g.kind === 'first' ? [i] : []));
  const canShrink = n.givenNames.map((g) => shrinkable(g.name));
  /** Every given name an initial except the one at `keep` (-1: none kept whole). */
  const initialsBut = (keep: number): Form[] => n.givenNames.map((_, i) => (i === keep || !canShrink[i] ? WHOLE : INITIAL));

  // §5(4) first sentence: the full name, when it fits, is not abbreviated.
  yield ['full', n.givenNames.map(() => WHOLE)];

  // §5(5): initials from the given name nearest the last name backwards, one
  // at a time and only as far as needed; no name is left out. The first given
  // name is abbreviated last, so §5(4)'s whole first name is kept.
  {
    const f: Form[] = n.givenNames.map(() => WHOLE);
    for (let k = count - 1; k >= 1; k--) {
      if (!canShrink[k]) continue;
      f[k] = INITIAL;
      yield ['abbreviated', [...f]];
    }
  }

  // §5(4) "mindst ét helt fornavn", if technically possible: when the first
  // first name cannot stay whole even with all the others as initials, keep a
  // later first name whole instead (the earliest that fits). (SPEC REG-5 only
  // names "the first name"; the Act asks for any one whole first name.)
  for (const j of firstIdx.slice(1)) yield ['other-first-name-kept', initialsBut(j)];

  // §5(5) "dernæst i næstsidste og så fremdeles" down to the first first name:
  // every given name an initial, none left out.
  if (count > 0) yield ['initials-only', initialsBut(-1)];

  // Gap in the Act: abbreviation alone cannot reach the limit. §5(5) third
  // sentence names the minimal form "første bogstav i første fornavn sammen
  // med efternavnet" (the others left out) before the last name is touched,
  // and §5(6) asks for "det bedst mulige adresseringsnavn", "så vidt muligt"
  // with a whole first name. So leave out given names, nearest the last name
  // first (§5(5)'s order), keeping one first name whole (the first first name,
  // else the earliest one that fits); failing that, leave out initials down
  // to the first one.
  for (const p of [...firstIdx, -1]) {
    const f = initialsBut(p);
    for (let k = count - 1; k >= (p === -1 ? 1 : 0); k--) {
      if (k === p) continue;
      f[k] = OMITTED;
      yield ['names-left-out', [...f]];
    }
  }
}

/**
 * §5(5) third sentence: shorten the last name. Choice: cut characters from
 * the end (no marker) and drop a space or hyphen left dangling at the cut.
 */
function shortenLastName(lastName: string, room: number): string {
  const cut = [...lastName].slice(0, Math.max(room, 1)).join('');
  const trimmed = cut.replace(/[ -]+$/u, '');
  return trimmed === '' ? cut : trimmed;
}

/**
 * §5(4)-(6): form the addressing name within `limit` characters, with the
 * step of the rule that produced it and the form of every name.
 */
export function explainAddressingName(name: PersonName, limit: number = ADDRESSING_NAME_LIMIT): AddressingNameExplained {
  checkLimit(limit);
  const n = normalizePersonName(name);
  const full = render(n, n.givenNames.map(() => WHOLE));
  const explained = (step: AddressingNameStep, forms: readonly Form[], text: string, writtenLast: string): AddressingNameExplained => ({
    text,
    abbreviated: text !== full,
    step,
    lastName: { whole: n.lastName, written: writtenLast, shortened: writtenLast !== n.lastName },
    givenNames: n.givenNames.map((g, i) => ({
      name: g.name,
      kind: g.kind,
      form: (['whole', 'initial', 'omitted'] as const)[forms[i] ?? WHOLE],
    })),
  });

  for (const [step, forms] of candidates(n)) {
    const text = render(n, forms);
    if (charLength(text) <= limit) return explained(step, forms, text, n.lastName);
  }

  // §5(5) third sentence: even the first letter of the first first name with
  // the whole last name is too long; shorten the last name to make room.
  const forms: Form[] = n.givenNames.map((_, i) => (i === 0 ? (shrinkable(n.givenNames[0]!.name) ? INITIAL : WHOLE) : OMITTED));
  const tail = n.givenNames.length === 0 ? '' : `,${shortestForm(n.givenNames[0]!.name)}`;
  const written = shortenLastName(n.lastName, limit - charLength(tail));
  return explained('last-name-shortened', forms, `${written}${tail}`, written);
}

/** §5(4)-(6): the addressing name, `Lastname,Given names`, at most `limit` characters. */
export function addressingName(name: PersonName, limit: number = ADDRESSING_NAME_LIMIT): AddressingName {
  const { text, abbreviated } = explainAddressingName(name, limit);
  return { text, abbreviated };
}

/** Machine-readable reasons a chosen addressing name is refused (§5(7)). */
export type ChosenAddressingNameRefusal =
  | 'EMPTY'
  | 'TOO_LONG'
  | 'FORMAT'
  | 'LAST_NAME_NOT_WHOLE'
  | 'LAST_NAME_MISMATCH'
  | 'MISSING_GIVEN_NAME'
  | 'GIVEN_NAME_MISMATCH'
  | 'NO_WHOLE_FIRST_NAME';

export type ChosenAddressingNameCheck =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: ChosenAddressingNameRefusal; readonly message: string };

/** §5(5) third sentence: the last name may be shortened only when the first initial with it is too long. */
function lastNameMayBeShortened(n: NormalizedName, limit: number): boolean {
  const g0 = n.givenNames[0];
  const minimal = g0 === undefined ? n.lastName : `${n.lastName},${shortestForm(g0.name)}`;
  return charLength(minimal) > limit;
}

/** §5(4)/(7): some first name can be written whole beside the whole last name within the limit. */
function wholeFirstNamePossible(n: NormalizedName, limit: number): boolean {
  return n.givenNames.some((g) => g.kind === 'first' && charLength(`${n.lastName},${g.name}`) <= limit);
}

/**
 * §5(7): a token of a chosen name written as the initial of `name`: the letter
 * as CPR writes it (§5(5)), or the letter with a full stop, which a chosen
 * name may use.
 */
function isInitialOf(token: string, name: string): boolean {
  const i = initialOf(name);
  return token === i || token === `${i}.`;
}

/**
 * Matches tokens to the given names in order, each token a whole name or its
 * initial, names may be left out. 0: no match; 1: a match; 2: a match in
 * which a first name is written whole.
 */
function matchGiven(tokens: readonly string[], n: NormalizedName): 0 | 1 | 2 {
  const g = n.givenNames;
  const memo = new Map<number, 0 | 1 | 2>();
  const go = (t: number, from: number): 0 | 1 | 2 => {
    if (t === tokens.length) return 1;
    const key = t * (g.length + 1) + from;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let best: 0 | 1 | 2 = 0;
    for (let i = from; i < g.length && best < 2; i++) {
      const gi = g[i]!;
      if (tokens[t] === gi.name) {
        const rest = go(t + 1, i + 1);
        if (rest > 0) best = gi.kind === 'first' ? 2 : (Math.max(best, rest) as 0 | 1 | 2);
      }
      if (best < 2 && isInitialOf(tokens[t]!, gi.name)) {
        best = Math.max(best, go(t + 1, i + 1)) as 0 | 1 | 2;
      }
    }
    memo.set(key, best);
    return best;
  };
  return go(0, 0);
}

/** The first token that cannot be matched in order (greedy earliest match), for the message. */
function firstUnmatched(tokens: readonly string[], n: NormalizedName): string | undefined {
  let i = 0;
  for (const t of tokens) {
    while (i < n.givenNames.length && t !== n.givenNames[i]!.name && !isInitialOf(t, n.givenNames[i]!.name)) i++;
    if (i === n.givenNames.length) return t;
    i++;
  }
  return undefined;
}

/**
 * §5(7): may `chosen` be registered as the person's addressing name? It must be
 * written `Lastname,Given names` within `limit` characters and be made from the
 * full name: the whole last name, then given names in their order, each written
 * whole or as its initial (`S`, as CPR writes it, or `S.`; names may be left
 * out), with at least one first name written whole.
 *
 * §5(7) says "altid" (always) for the whole last name and whole first name;
 * where that cannot fit, this check falls back to what §5(4)-(5) allow ("hvis
 * det er teknisk muligt"): initials only when no first name fits whole beside
 * the last name or when the text is the name §5(5) forms mechanically (CPR's
 * own addressing names, imported, are such names), and a shortened (cut) last
 * name only when the first initial with the whole last name is too long. So
 * everything `addressingName` forms is accepted.
 */
export function validateChosenAddressingName(
  name: PersonName,
  chosen: string,
  limit: number = ADDRESSING_NAME_LIMIT,
): ChosenAddressingNameCheck {
  checkLimit(limit);
  const n = normalizePersonName(name);
  const text = chosen.normalize('NFC');
  const refuse = (reason: ChosenAddressingNameRefusal, message: string): ChosenAddressingNameCheck => ({ ok: false, reason, message });
  const example = addressingName(name, limit).text;

  if (text.trim() === '') return refuse('EMPTY', 'The addressing name is empty.');
  if (charLength(text) > limit) {
    return refuse('TOO_LONG', `The addressing name has ${charLength(text)} characters; at most ${limit} are allowed (§5(4)).`);
  }
  if (/^\s|\s$|\s\s|[^\S ]|\s,|,\s/u.test(text)) {
    return refuse('FORMAT', `Write the addressing name without extra spaces and with no space around the comma, e.g. "${example}".`);
  }
  const commas = text.split(',').length - 1;
  const hasGiven = n.givenNames.length > 0;
  if (commas > 1 || (hasGiven && commas === 0)) {
    return refuse('FORMAT', `Write the addressing name as Lastname,Given names with one comma, e.g. "${example}".`);
  }
  const [lastPart = '', givenPart] = commas === 1 ? text.split(',') : [text, undefined];

  if (lastPart !== n.lastName) {
    const isPrefix = lastPart !== '' && n.lastName.startsWith(lastPart);
    if (isPrefix && lastNameMayBeShortened(n, limit)) {
      // §5(5) third sentence: the last name is cut; accepted.
    } else if (lastPart !== '' && n.lastName.includes(lastPart)) {
      return refuse('LAST_NAME_NOT_WHOLE', `The whole last name "${n.lastName}" must be written (§5(7)); "${lastPart}" is only part of it.`);
    } else {
      return refuse('LAST_NAME_MISMATCH', `The addressing name must begin with the last name "${n.lastName}" (§5(7)), not "${lastPart}".`);
    }
  }

  if (!hasGiven) {
    if (givenPart === undefined) return { ok: true, text };
    if (givenPart === '') return refuse('FORMAT', `The person has no given names; write only the last name, e.g. "${example}".`);
    return refuse('GIVEN_NAME_MISMATCH', `The person has no given names, so "${givenPart}" cannot be part of the addressing name.`);
  }
  if (givenPart === undefined || givenPart === '') {
    return refuse('MISSING_GIVEN_NAME', 'The addressing name must contain at least one given name after the comma (§5(7)).');
  }

  const tokens = givenPart.split(' ');
  const match = matchGiven(tokens, n);
  if (match === 0) {
    const bad = firstUnmatched(tokens, n) ?? givenPart;
    return refuse(
      'GIVEN_NAME_MISMATCH',
      `"${bad}" is not one of the person's given names or its initial in their order; use the names of the full name, whole or as initials (§5(7)).`,
    );
  }
  if (match < 2 && wholeFirstNamePossible(n, limit) && text !== example) {
    return refuse('NO_WHOLE_FIRST_NAME', 'At least one of the first names must be written in full (§5(7)).');
  }
  return { ok: true, text };
}
