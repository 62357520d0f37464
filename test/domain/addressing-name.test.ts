import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ADDRESSING_NAME_LIMIT,
  addressingName,
  charLength,
  explainAddressingName,
  fullAddressingName,
  initialOf,
  normalizePersonName,
  validateChosenAddressingName,
  type PersonName,
} from '../../src/domain/names/addressing-name.ts';
import { recordLayout, sliceFields } from '../../src/formats/cpr-extract/layout.ts';
import { addressingNameFromCpr } from '../../src/formats/cpr-extract/to-registrations.ts';

const len = (s: string) => [...s].length;

describe('addressingName: examples (§5(4)-(5))', () => {
  test('the limit is CPR’s 34 characters', () => {
    assert.equal(ADDRESSING_NAME_LIMIT, 34);
  });

  test('a short name is returned whole, Lastname,Given names, no space after the comma', () => {
    assert.deepEqual(addressingName({ firstNames: ['Peter'], middleNames: ['Due'], lastName: 'Hansen' }), {
      text: 'Hansen,Peter Due',
      abbreviated: false,
    });
    // As CPR writes it (GCTP NVNSOG2 / ADRSOG1 samples).
    assert.equal(addressingName({ firstNames: ['Morten', 'Christian'], lastName: 'Hansen' }).text, 'Hansen,Morten Christian');
    assert.equal(addressingName({ firstNames: ['Uffe', 'Konrad'], lastName: 'Dahl-Eriksen' }).text, 'Dahl-Eriksen,Uffe Konrad');
  });

  test('a name of exactly 34 characters is not abbreviated; 35 is', () => {
    const base = { firstNames: ['Karen', 'Margrethe'], middleNames: ['Holm'] };
    const fits = { ...base, lastName: 'Bjerregaard-R' }; // 13 + 1 + 20 = 34
    assert.equal(len(fullAddressingName(fits)), 34);
    assert.deepEqual(addressingName(fits), { text: 'Bjerregaard-R,Karen Margrethe Holm', abbreviated: false });
    const over = { ...base, lastName: 'Bjerregaard-Ry' }; // 14 + 1 + 20 = 35
    assert.equal(len(fullAddressingName(over)), 35);
    assert.deepEqual(addressingName(over), { text: 'Bjerregaard-Ry,Karen Margrethe H', abbreviated: true });
  });

  test('only the middle name nearest the last name is abbreviated when that suffices', () => {
    // Full: "Møller,Karen Margrethe Holm Bjerregaard" = 39.
    const r = explainAddressingName({ firstNames: ['Karen', 'Margrethe'], middleNames: ['Holm', 'Bjerregaard'], lastName: 'Møller' });
    assert.equal(r.text, 'Møller,Karen Margrethe Holm B');
    assert.equal(r.abbreviated, true);
    assert.equal(r.step, 'abbreviated');
  });

  test('all middle names abbreviated, backwards from the last name, first name kept whole', () => {
    // "Christensen-Hald,Karen Margrethe B H" = 36 is still too long.
    const r = addressingName({ firstNames: ['Karen'], middleNames: ['Margrethe', 'Bjerregaard', 'Holm'], lastName: 'Christensen-Hald' });
    assert.deepEqual(r, { text: 'Christensen-Hald,Karen M B H', abbreviated: true });
  });

  test('a second first name is abbreviated before a middle name nearer the first name is not', () => {
    // Given names in order: Anna Sofie (first) Louise Vibeke (middle): Vibeke, Louise, Sofie go first.
    const r = addressingName({ firstNames: ['Anna', 'Sofie'], middleNames: ['Louise', 'Vibeke'], lastName: 'Frederiksen-Rask' });
    // Full = 16+1+25 = 42; -Vibeke 36; -Louise 31.
    assert.equal(r.text, 'Frederiksen-Rask,Anna Sofie L V');
  });

  test('the first name is abbreviated too when no first name fits whole', () => {
    // "Rosenkrantz-Gyldenstjerne,Christoffer" = 37 > 34 even with the others left out.
    const r = explainAddressingName({ firstNames: ['Christoffer'], middleNames: ['Emil', 'Ulrik'], lastName: 'Rosenkrantz-Gyldenstjerne' });
    assert.equal(r.text, 'Rosenkrantz-Gyldenstjerne,C E U');
    assert.equal(r.step, 'initials-only');
  });

  test('the last name is shortened only when first initial + last name is too long', () => {
    const name = { firstNames: ['Frederik'], middleNames: ['Carl'], lastName: 'Ahlefeldt-Laurvig-Bille-Brockenhuus-Schack' };
    const r = explainAddressingName(name);
    assert.equal(r.text, 'Ahlefeldt-Laurvig-Bille-Brockenh,F');
    assert.equal(r.step, 'last-name-shortened');
    assert.equal(r.lastName.shortened, true);
    // 32 + ",F" = 34: a last name of 32 characters is kept whole (the initial has no full stop).
    const thirtyTwo = { firstNames: ['Frederik'], middleNames: ['Carl'], lastName: 'Ahlefeldt-Laurvig-Bille-Brockenh' };
    assert.deepEqual(addressingName(thirtyTwo), { text: 'Ahlefeldt-Laurvig-Bille-Brockenh,F', abbreviated: true });
    assert.equal(explainAddressingName(thirtyTwo).lastName.shortened, false);
  });

  test('a dangling hyphen or space at the cut is dropped', () => {
    // 32 characters of room beside ",I": "Abcdefghijklmnopqrstuvwxyzabcde-" -> "...abcde".
    const r = addressingName({ firstNames: ['Ib'], lastName: 'Abcdefghijklmnopqrstuvwxyzabcde-Fghijkl' }, 34);
    assert.equal(r.text, 'Abcdefghijklmnopqrstuvwxyzabcde,I');
  });

  test('§5(4): a later first name is kept whole when the first one cannot be', () => {
    // "…,Maximiliane J" = 37 does not fit, "…,M Jo" does.
    const r = explainAddressingName({ firstNames: ['Maximiliane', 'Jo'], lastName: 'Abcdefghijklmnopqrstuvw' });
    assert.equal(r.text, 'Abcdefghijklmnopqrstuvw,M Jo');
    assert.equal(r.step, 'other-first-name-kept');
  });

  test('finding 5: §5(5) abbreviates every given name before leaving any out', () => {
    // Five given names. Before: "Bjerregaard-Lauritzen,Karen M. B." (two
    // initials with full stops, Holm and Louise left out). "…,Karen M B H L"
    // is 35, so §5(5)'s order reaches Karen too; all five stay.
    const r = explainAddressingName({ firstNames: ['Karen', 'Margrethe'], middleNames: ['Bjerregaard', 'Holm', 'Louise'], lastName: 'Bjerregaard-Lauritzen' });
    assert.equal(r.text, 'Bjerregaard-Lauritzen,K M B H L');
    assert.equal(r.step, 'initials-only');
    assert.deepEqual(r.givenNames.map((g) => g.form), ['initial', 'initial', 'initial', 'initial', 'initial']);
    // "Vestergaard-Christensen,Karen M B H" = 35: all initials, none left out (was "…,Karen M.").
    assert.equal(addressingName({ firstNames: ['Karen'], middleNames: ['Margrethe', 'Bjerregaard', 'Holm'], lastName: 'Vestergaard-Christensen' }).text, 'Vestergaard-Christensen,K M B H');
  });

  test('§5(5) "1. bogstav": an initial is the letter, no full stop', () => {
    // With a full stop the name would be 36 and need another abbreviation.
    const r = addressingName({ firstNames: ['Anna', 'Sofie'], middleNames: ['Louise', 'Vibeke'], lastName: 'Frederiksen-Rask' });
    assert.equal(r.text.includes('.'), false);
    assert.equal(initialOf('Peter'), 'P');
  });

  test('when even all initials are too long, names nearest the last name are left out, keeping a whole first name (§5(6))', () => {
    // "Vestergaard-Christensen-Holm,K M B H I" = 38; "…,Karen" = 34.
    const r = explainAddressingName({ firstNames: ['Karen'], middleNames: ['Margrethe', 'Bjerregaard', 'Holm', 'Ib'], lastName: 'Vestergaard-Christensen-Holm' });
    assert.equal(r.text, 'Vestergaard-Christensen-Holm,Karen');
    assert.equal(r.step, 'names-left-out');
    assert.deepEqual(r.givenNames.map((g) => g.form), ['whole', 'omitted', 'omitted', 'omitted', 'omitted']);
    // No first name fits whole: initials are left out down to the first one (§5(5) third sentence's minimal form).
    const s = explainAddressingName({ firstNames: ['Frederik'], middleNames: ['Carl'], lastName: 'Ahlefeldt-Laurvig-Bille-Brockenh' });
    assert.equal(s.text, 'Ahlefeldt-Laurvig-Bille-Brockenh,F');
    assert.equal(s.step, 'names-left-out');
  });
});

describe('addressingName: Danish letters, hyphens, whitespace', () => {
  test('initials keep Danish letters and accents, one initial per hyphenated name', () => {
    assert.equal(initialOf('Øjvind'), 'Ø');
    assert.equal(initialOf('Ærø'), 'Æ');
    assert.equal(initialOf('Émile'), 'É');
    assert.equal(initialOf('Anne-Marie'), 'A');
    assert.equal(initialOf("'Abdul"), 'A');
    const r = addressingName({
      firstNames: ['  Øjvind\t', 'Hans-Jørgen  Ærø '],
      middleNames: ['Ågård', 'Müller '],
      lastName: '  Due   Hansen - Ebbesøe ',
    });
    // First names Øjvind Hans-Jørgen Ærø, middle names Ågård Müller. Normalised
    // full "Due Hansen-Ebbesøe,Øjvind Hans-Jørgen Ærø Ågård Müller" (54):
    // -Müller 49, -Ågård 45, -Ærø 43, -Hans-Jørgen 33.
    assert.equal(r.text, 'Due Hansen-Ebbesøe,Øjvind H Æ Å M');
    assert.equal(len(r.text), 33);
  });

  test('whitespace is normalised, a given-name entry with spaces is several names', () => {
    assert.deepEqual(normalizePersonName({ firstNames: [' Anne  Marie ', ''], middleNames: ['\u00a0Due'], lastName: ' Dahl -  Eriksen ' }), {
      lastName: 'Dahl-Eriksen',
      givenNames: [
        { name: 'Anne', kind: 'first' },
        { name: 'Marie', kind: 'first' },
        { name: 'Due', kind: 'middle' },
      ],
    });
    assert.equal(addressingName({ firstNames: [' Anne  Marie '], lastName: 'Due   Hansen' }).text, 'Due Hansen,Anne Marie');
  });

  test('NFD input is counted as NFC characters', () => {
    const nfd = 'Sœren Ågård'.normalize('NFD');
    assert.equal(addressingName({ firstNames: [nfd], lastName: 'Ø' }).text, 'Ø,Sœren Ågård'.normalize('NFC'));
  });

  test('invalid input is refused', () => {
    assert.throws(() => addressingName({ firstNames: ['Peter'], lastName: '  ' }), RangeError);
    assert.throws(() => addressingName({ firstNames: ['Pe,ter'], lastName: 'Hansen' }), RangeError);
    assert.throws(() => addressingName({ firstNames: ['Peter'], lastName: 'Hansen' }, 2), RangeError);
    assert.equal(addressingName({ firstNames: ['Peter'], lastName: 'Hansen' }, 3).text, 'H,P');
    assert.throws(() => addressingName({ firstNames: ['Peter'], lastName: 'Hansen' }, 10.5), RangeError);
  });

  test('a person with only a last name', () => {
    assert.deepEqual(addressingName({ firstNames: [], lastName: 'Hansen' }), { text: 'Hansen', abbreviated: false });
    assert.deepEqual(addressingName({ firstNames: [], lastName: 'Hansen-Ebbesøe' }, 8), { text: 'Hansen-E', abbreviated: true });
  });
});

describe('validateChosenAddressingName: examples (§5(7))', () => {
  const person: PersonName = { firstNames: ['Anna', 'Sofie'], middleNames: ['Louise'], lastName: 'Due Hansen' };
  const reason = (chosen: string, limit?: number) => {
    const r = validateChosenAddressingName(person, chosen, limit);
    return r.ok ? 'OK' : r.reason;
  };

  test('accepts the full name, abbreviations in any position and left-out names', () => {
    assert.equal(reason('Due Hansen,Anna Sofie Louise'), 'OK');
    assert.equal(reason('Due Hansen,A. Sofie L.'), 'OK'); // the call name kept whole
    assert.equal(reason('Due Hansen,Sofie'), 'OK');
    assert.equal(reason('Due Hansen,Anna L.'), 'OK');
  });

  test('finding 4: an initial without a full stop, as CPR writes it, is accepted (§5(5), §5(7))', () => {
    assert.equal(reason('Due Hansen,Anna S L'), 'OK');
    assert.equal(reason('Due Hansen,A Sofie L'), 'OK');
    assert.equal(reason('Due Hansen,Anna S. L'), 'OK'); // mixed, still the full name's letters
    assert.equal(reason('Due Hansen,A S Louise'), 'NO_WHOLE_FIRST_NAME');
    assert.equal(reason('Due Hansen,Anna So'), 'GIVEN_NAME_MISMATCH');
    assert.equal(reason('Due Hansen,Anna L S'), 'GIVEN_NAME_MISMATCH'); // out of order
    // The import's path (record 008, CPR Direct's print form `Given names Lastname`).
    const held = addressingNameFromCpr('Anna S L Due Hansen', person);
    assert.equal(held, 'Due Hansen,Anna S L');
    assert.equal(validateChosenAddressingName(person, held!).ok, true);
  });

  test('the name §5(5) forms mechanically is accepted though it has no whole first name', () => {
    // CPR's own: "…,Karen M B H" is 35, so every name is an initial, none left out.
    const p: PersonName = { firstNames: ['Karen'], middleNames: ['Margrethe', 'Bjerregaard', 'Holm'], lastName: 'Vestergaard-Christensen' };
    assert.equal(validateChosenAddressingName(p, 'Vestergaard-Christensen,K M B H').ok, true);
    // Chosen, §5(7) "altid": a whole first name, left-out names allowed.
    assert.equal(validateChosenAddressingName(p, 'Vestergaard-Christensen,Karen M').ok, true);
    const r = validateChosenAddressingName(p, 'Vestergaard-Christensen,K M B');
    assert.equal(r.ok ? 'OK' : r.reason, 'NO_WHOLE_FIRST_NAME');
  });

  test('refuses with a reason code and a sentence', () => {
    const r = validateChosenAddressingName(person, 'Hansen,Anna');
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.reason, 'LAST_NAME_NOT_WHOLE');
      assert.match(r.message, /Due Hansen/);
    }
    assert.equal(reason(''), 'EMPTY');
    assert.equal(reason('Due Hansen,Anna Sofie Louise', 20), 'TOO_LONG');
    assert.equal(reason('Due Hansen, Anna'), 'FORMAT');
    assert.equal(reason('Due  Hansen,Anna'), 'FORMAT');
    assert.equal(reason('Due Hansen,Anna,Sofie'), 'FORMAT');
    assert.equal(reason('Anna Due Hansen'), 'FORMAT');
    assert.equal(reason('Due Jensen,Anna'), 'LAST_NAME_MISMATCH');
    assert.equal(reason('Due Hansen,'), 'MISSING_GIVEN_NAME');
    assert.equal(reason('Due Hansen,Sofie Anna'), 'GIVEN_NAME_MISMATCH'); // out of order
    assert.equal(reason('Due Hansen,Anna Marie'), 'GIVEN_NAME_MISMATCH'); // not her name
    assert.equal(reason('Due Hansen,Anna So.'), 'GIVEN_NAME_MISMATCH'); // an initial is one letter
    assert.equal(reason('Due Hansen,A. S. Louise'), 'NO_WHOLE_FIRST_NAME'); // a middle name is not a first name
    assert.equal(reason('Due Hansen,A. S. L.'), 'NO_WHOLE_FIRST_NAME');
  });

  test('initials only, or a cut last name, only where the Act allows them', () => {
    const long: PersonName = { firstNames: ['Christoffer'], middleNames: ['Emil'], lastName: 'Rosenkrantz-Gyldenstjerne' };
    assert.equal(validateChosenAddressingName(long, 'Rosenkrantz-Gyldenstjerne,C. E.').ok, true);
    assert.equal(validateChosenAddressingName(long, 'Rosenkrantz-Gyldenstjerne,C. E.', 40).ok, false); // "…,Christoffer" fits in 40
    const veryLong: PersonName = { firstNames: ['Frederik'], lastName: 'Ahlefeldt-Laurvig-Bille-Brockenhuus-Schack' };
    assert.equal(validateChosenAddressingName(veryLong, 'Ahlefeldt-Laurvig-Bille,F.').ok, true);
    assert.equal(validateChosenAddressingName(veryLong, 'Ahlefeldt-Laurvig-Bille,F.', 50).ok, false);
    const r = validateChosenAddressingName(veryLong, 'Ahlefeldt-Laurvig-Bille,F.', 50);
    assert.equal(r.ok ? 'OK' : r.reason, 'LAST_NAME_NOT_WHOLE');
  });

  test('a person with no given names chooses the last name alone', () => {
    const p: PersonName = { firstNames: [], lastName: 'Hansen' };
    assert.equal(validateChosenAddressingName(p, 'Hansen').ok, true);
    const r = validateChosenAddressingName(p, 'Hansen,Peter');
    assert.equal(r.ok ? 'OK' : r.reason, 'GIVEN_NAME_MISMATCH');
  });
});

// ---------------------------------------------------------------- properties

const UPPER = [...'ABCDEFGHIJKLMNOPRSTUVWYÆØÅÉÜ'];
const LOWER = [...'abcdefghijklmnoprstuvwyæøåéü'];
const word = fc
  .tuple(fc.constantFrom(...UPPER), fc.array(fc.constantFrom(...LOWER), { maxLength: 12 }))
  .map(([h, t]) => h + t.join(''));
/** A single name, possibly hyphenated (`Anne-Marie`). */
const givenName = fc.oneof({ weight: 4, arbitrary: word }, { weight: 1, arbitrary: fc.tuple(word, word).map(([a, b]) => `${a}-${b}`) });
/** A last name of one to three parts joined by spaces or hyphens. */
const lastName = fc
  .tuple(word, fc.array(fc.tuple(fc.constantFrom(' ', '-'), word), { maxLength: 3 }))
  .map(([h, rest]) => h + rest.map(([sep, w]) => sep + w).join(''));
const pad = fc.constantFrom('', '', ' ', '  ', '\t', '\u00a0');
const messy = (a: fc.Arbitrary<string>) => fc.tuple(pad, a, pad).map(([x, s, y]) => x + s + y);

const personName: fc.Arbitrary<PersonName> = fc.record({
  firstNames: fc.array(messy(givenName), { minLength: 1, maxLength: 4 }),
  middleNames: fc.array(messy(givenName), { maxLength: 4 }),
  lastName: messy(lastName),
});
const anyName: fc.Arbitrary<PersonName> = fc.oneof(
  { weight: 5, arbitrary: personName },
  { weight: 1, arbitrary: fc.record({ firstNames: fc.array(givenName, { maxLength: 2 }), middleNames: fc.array(givenName, { maxLength: 3 }), lastName }) },
);
const limit = fc.oneof({ weight: 2, arbitrary: fc.constant(34) }, { weight: 3, arbitrary: fc.integer({ min: 4, max: 60 }) });
const RUNS = { numRuns: 3000 };

/** The shortest writing of a given name: its initial, or the name itself if that is no longer. */
const shortest = (g: string) => (len(g) > 1 ? initialOf(g) : g);
/** 0 whole, 1 initial, 2 omitted. */
const level = (g: { form: string }) => (g.form === 'omitted' ? 2 : g.form === 'initial' ? 1 : 0);
/** A name of one letter is never abbreviated (it is its own initial). */
const neutral = (g: { name: string; form: string }) => g.form === 'whole' && len(g.name) <= 1;

describe('addressingName: properties', () => {
  test('the result never exceeds the limit', () => {
    fc.assert(
      fc.property(anyName, limit, (name, lim) => {
        assert.ok(charLength(addressingName(name, lim).text) <= lim);
      }),
      RUNS,
    );
  });

  test('a name that fits is returned unabbreviated; abbreviated exactly when it differs from the full name', () => {
    fc.assert(
      fc.property(anyName, limit, (name, lim) => {
        const full = fullAddressingName(name);
        const r = addressingName(name, lim);
        if (len(full) <= lim) assert.deepEqual(r, { text: full, abbreviated: false });
        assert.equal(r.abbreviated, r.text !== full);
      }),
      RUNS,
    );
  });

  test('the whole last name is kept whenever the first initial + last name fits', () => {
    fc.assert(
      fc.property(anyName, limit, (name, lim) => {
        const n = normalizePersonName(name);
        const g0 = n.givenNames[0];
        const minimal = g0 === undefined ? n.lastName : `${n.lastName},${shortest(g0.name)}`;
        const r = explainAddressingName(name, lim);
        if (len(minimal) <= lim) {
          assert.equal(r.lastName.shortened, false);
          assert.ok(r.text === n.lastName || r.text.startsWith(`${n.lastName},`), r.text);
        }
        if (r.lastName.shortened) {
          // Only then (§5(5) third sentence), and only by cutting it.
          assert.ok(len(minimal) > lim);
          assert.ok(r.lastName.written !== '' && n.lastName.startsWith(r.lastName.written));
        }
      }),
      RUNS,
    );
  });

  test('a whole first name is kept whenever last name + first name (others as initials) fits', () => {
    fc.assert(
      fc.property(anyName, limit, (name, lim) => {
        const n = normalizePersonName(name);
        if (n.givenNames[0]?.kind !== 'first') return;
        const tokens = n.givenNames.map((g, i) => (i === 0 ? g.name : shortest(g.name)));
        const r = explainAddressingName(name, lim);
        if (len(`${n.lastName},${tokens.join(' ')}`) <= lim) {
          assert.equal(r.givenNames[0]!.form, 'whole', r.text); // §5(5): the first first name is the one kept
        }
        // §5(4) as the Act words it: any one first name, whenever one fits
        // beside the last name with the other names abbreviated (§5(5)).
        const oneWhole = n.givenNames.some(
          (g, j) => g.kind === 'first' && len(`${n.lastName},${n.givenNames.map((x, i) => (i === j ? x.name : shortest(x.name))).join(' ')}`) <= lim,
        );
        if (oneWhole) assert.ok(r.givenNames.some((g) => g.kind === 'first' && g.form === 'whole'), r.text);
        // §5(6): when names must be left out, a whole first name if one fits beside the last name.
        const leftOut = r.givenNames.some((g) => g.form === 'omitted');
        if (leftOut && n.givenNames.some((g) => g.kind === 'first' && len(`${n.lastName},${g.name}`) <= lim)) {
          assert.ok(r.givenNames.some((g) => g.kind === 'first' && g.form === 'whole'), r.text);
        }
      }),
      RUNS,
    );
  });

  test('finding 5: no given name is left out while all of them as initials fit (§5(5))', () => {
    fc.assert(
      fc.property(anyName, limit, (name, lim) => {
        const n = normalizePersonName(name);
        const r = explainAddressingName(name, lim);
        const initials = n.givenNames.map((g) => shortest(g.name));
        if (initials.length > 0 && len(`${n.lastName},${initials.join(' ')}`) <= lim) {
          assert.ok(r.givenNames.every((g) => g.form !== 'omitted'), r.text);
        }
        // §5(5) "1. bogstav": the generated names hold no full stop, so neither may the result.
        assert.equal(r.text.includes('.'), false, r.text);
      }),
      RUNS,
    );
  });

  test('initials are taken from the name nearest the last name first', () => {
    fc.assert(
      fc.property(anyName, limit, (name, lim) => {
        const r = explainAddressingName(name, lim);
        const g = r.givenNames;
        // The first name kept whole under §5(4) when the first first name is not whole.
        const keptIdx = g[0] !== undefined && level(g[0]) !== 0 ? g.findIndex((x) => x.kind === 'first' && level(x) === 0) : -1;
        const levels = g.flatMap((x, i) => (i === keptIdx || neutral(x) ? [] : [level(x)]));
        for (let i = 1; i < levels.length; i++) {
          assert.ok(levels[i - 1]! <= levels[i]!, `${r.text}: ${JSON.stringify(g)}`);
        }
      }),
      RUNS,
    );
  });

  test('abbreviation goes only as far as needed (§5(5) "i nødvendigt omfang")', () => {
    fc.assert(
      fc.property(anyName, limit, (name, lim) => {
        const r = explainAddressingName(name, lim);
        if (r.step !== 'abbreviated') return;
        // Restoring the abbreviated name farthest from the last name would not fit.
        const first = r.givenNames.findIndex((x) => x.form === 'initial');
        assert.ok(first > 0);
        const tokens = r.givenNames.map((x, i) => (i === first || x.form === 'whole' ? x.name : initialOf(x.name)));
        assert.ok(len(`${r.lastName.written},${tokens.join(' ')}`) > lim, r.text);
      }),
      RUNS,
    );
  });

  test('the explained parts render to the text', () => {
    fc.assert(
      fc.property(anyName, limit, (name, lim) => {
        const r = explainAddressingName(name, lim);
        const tokens = r.givenNames.flatMap((x) => (x.form === 'whole' ? [x.name] : x.form === 'initial' ? [shortest(x.name)] : []));
        assert.equal(r.text, tokens.length === 0 ? r.lastName.written : `${r.lastName.written},${tokens.join(' ')}`);
      }),
      RUNS,
    );
  });

  test('excess whitespace does not change the result', () => {
    fc.assert(
      fc.property(personName, limit, (name, lim) => {
        const clean: PersonName = {
          firstNames: name.firstNames.map((s) => s.replace(/\s+/gu, ' ').trim()),
          middleNames: (name.middleNames ?? []).map((s) => s.replace(/\s+/gu, ' ').trim()),
          lastName: name.lastName.replace(/\s+/gu, ' ').trim(),
        };
        assert.deepEqual(addressingName(name, lim), addressingName(clean, lim));
      }),
      RUNS,
    );
  });

  test('the output of addressingName always passes validateChosenAddressingName', () => {
    fc.assert(
      fc.property(anyName, limit, (name, lim) => {
        const r = addressingName(name, lim);
        const v = validateChosenAddressingName(name, r.text, lim);
        assert.ok(v.ok, `${r.text}: ${v.ok ? '' : `${v.reason} ${v.message}`}`);
      }),
      RUNS,
    );
  });
});

describe('validateChosenAddressingName: properties', () => {
  test('accepts any name made by §5(7) that fits: whole last name, names whole/initial/left out in order, one first name whole', () => {
    fc.assert(
      fc.property(personName, fc.array(fc.constantFrom('whole', 'initial', 'initial.', 'omitted'), { minLength: 12, maxLength: 12 }), (name, forms) => {
        const n = normalizePersonName(name);
        const chosenForms = n.givenNames.map((_, i) => forms[i]!);
        chosenForms[0] = 'whole'; // the first first name
        const tokens = n.givenNames.flatMap((g, i) => {
          const f = chosenForms[i];
          // An initial as CPR writes it (no full stop) or with one (§5(7) allows both).
          return f === 'whole' ? [g.name] : f === 'initial' ? [initialOf(g.name)] : f === 'initial.' ? [`${initialOf(g.name)}.`] : [];
        });
        const text = `${n.lastName},${tokens.join(' ')}`;
        const v = validateChosenAddressingName(name, text, 100);
        if (len(text) <= 100) assert.ok(v.ok, `${text}: ${v.ok ? '' : v.message}`);
        if (len(text) > 34) assert.equal(validateChosenAddressingName(name, text).ok, false);
      }),
      RUNS,
    );
  });

  test('refuses a changed last name and text beyond the limit', () => {
    fc.assert(
      fc.property(personName, word, limit, (name, extra, lim) => {
        const r = addressingName(name, lim);
        const n = normalizePersonName(name);
        const changed = r.text.replace(/^[^,]*/, (last) => `${last}${extra.toLowerCase()}`);
        const v = validateChosenAddressingName(name, changed, lim);
        if (!r.text.startsWith(`${n.lastName},`)) return; // the last name was cut
        assert.equal(v.ok, false);
        const tooLong = `${n.lastName},${n.givenNames.map((g) => g.name).join(' ')}`;
        if (len(tooLong) > lim) {
          const w = validateChosenAddressingName(name, tooLong, lim);
          assert.equal(w.ok ? 'OK' : w.reason, 'TOO_LONG');
        }
      }),
      RUNS,
    );
  });
});

// ------------------------------------------------- CPR's own addressing names

describe("CPR's demo files: every addressing name is accepted and produced", () => {
  // test/fixtures/cpr-direct holds byte copies of shared/formats/cpr-direct.
  // ADRNVN stands in record 003 (clear written address) and 008 (current
  // name), in CPR Direct's print form `Given names Lastname`; record 008
  // gives the name it is formed from. Fields are cut by Definitions.xml's
  // layout (layouts.json).
  const dir = join(import.meta.dirname, '..', 'fixtures', 'cpr-direct');
  const files = readdirSync(dir).filter((f) => f.startsWith('PNR_'));
  const fields = (line: string) => sliceFields(recordLayout(line.slice(0, 3))!, line);
  const words = (s: string) => s.split(/\s+/).filter((w) => w !== '');

  test('the demo files are there', () => assert.ok(files.length >= 6));
  for (const file of files) {
    test(file, () => {
      const lines = readFileSync(join(dir, file), 'latin1').split(/\r?\n/);
      const r008 = lines.find((l) => l.startsWith('008'));
      assert.ok(r008);
      const f = fields(r008);
      const name: PersonName = { firstNames: words(f.FirstName_s!), middleNames: words(f.MiddleName!), lastName: f.LastName!.trim() };
      if (name.lastName === '') return; // 0101005038: CPR's demo person without a name
      const raw = [r008, ...lines.filter((l) => l.startsWith('003'))].map((l) => fields(l).AddressingName!.trim()).filter((s) => s !== '');
      assert.ok(raw.length > 0);
      for (const printed of raw) {
        const held = addressingNameFromCpr(printed, name);
        assert.ok(held, printed);
        const v = validateChosenAddressingName(name, held);
        assert.ok(v.ok, `${printed}: ${v.ok ? '' : v.message}`);
        assert.equal(addressingName(name).text, held);
      }
    });
  }
});
