import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
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
    assert.deepEqual(addressingName(over), { text: 'Bjerregaard-Ry,Karen Margrethe H.', abbreviated: true });
  });

  test('only the middle name nearest the last name is abbreviated when that suffices', () => {
    // Full: "Møller,Karen Margrethe Holm Bjerregaard" = 39.
    const r = explainAddressingName({ firstNames: ['Karen', 'Margrethe'], middleNames: ['Holm', 'Bjerregaard'], lastName: 'Møller' });
    assert.equal(r.text, 'Møller,Karen Margrethe Holm B.');
    assert.equal(r.abbreviated, true);
    assert.equal(r.step, 'abbreviated');
  });

  test('all middle names abbreviated, backwards from the last name, first name kept whole', () => {
    // "Christensen-Hald,Karen M. Bjerregaard H." = 40 is still too long.
    const r = addressingName({ firstNames: ['Karen'], middleNames: ['Margrethe', 'Bjerregaard', 'Holm'], lastName: 'Christensen-Hald' });
    assert.deepEqual(r, { text: 'Christensen-Hald,Karen M. B. H.', abbreviated: true });
  });

  test('a second first name is abbreviated before a middle name nearer the first name is not', () => {
    // Given names in order: Anna Sofie (first) Louise Vibeke (middle): Vibeke, Louise, Sofie go first.
    const r = addressingName({ firstNames: ['Anna', 'Sofie'], middleNames: ['Louise', 'Vibeke'], lastName: 'Frederiksen-Rask' });
    // Full = 16+1+25 = 42; -Vibeke 38; -Louise 33.
    assert.equal(r.text, 'Frederiksen-Rask,Anna Sofie L. V.');
  });

  test('the first name is abbreviated too when no first name fits whole', () => {
    // "Rosenkrantz-Gyldenstjerne,Christoffer" = 37 > 34 even with the others left out.
    const r = explainAddressingName({ firstNames: ['Christoffer'], middleNames: ['Emil', 'Ulrik'], lastName: 'Rosenkrantz-Gyldenstjerne' });
    assert.equal(r.text, 'Rosenkrantz-Gyldenstjerne,C. E. U.');
    assert.equal(r.step, 'initials-only');
    assert.equal(len(r.text), 34);
  });

  test('the last name is shortened only when first initial + last name is too long', () => {
    const name = { firstNames: ['Frederik'], middleNames: ['Carl'], lastName: 'Ahlefeldt-Laurvig-Bille-Brockenhuus-Schack' };
    const r = explainAddressingName(name);
    assert.equal(r.text, 'Ahlefeldt-Laurvig-Bille-Brocken,F.');
    assert.equal(r.step, 'last-name-shortened');
    assert.equal(r.lastName.shortened, true);
    // 31 + ",F." = 34: a last name of 31 characters is kept whole.
    const thirtyOne = { firstNames: ['Frederik'], middleNames: ['Carl'], lastName: 'Ahlefeldt-Laurvig-Bille-Brocken' };
    assert.deepEqual(addressingName(thirtyOne), { text: 'Ahlefeldt-Laurvig-Bille-Brocken,F.', abbreviated: true });
    assert.equal(explainAddressingName(thirtyOne).lastName.shortened, false);
  });

  test('a dangling hyphen or space at the cut is dropped', () => {
    // 31 characters of room: "Abcdefghijklmnopqrstuvwxyzabcd-" -> "...abcd".
    const r = addressingName({ firstNames: ['Ib'], lastName: 'Abcdefghijklmnopqrstuvwxyzabcd-Efghijkl' }, 34);
    assert.equal(r.text, 'Abcdefghijklmnopqrstuvwxyzabcd,Ib');
  });

  test('§5(4): a later first name is kept whole when the first one cannot be', () => {
    // "…,Maximiliane J." = 38 does not fit, "…,M. Jo" does.
    const r = explainAddressingName({ firstNames: ['Maximiliane', 'Jo'], lastName: 'Abcdefghijklmnopqrstuvw' });
    assert.equal(r.text, 'Abcdefghijklmnopqrstuvw,M. Jo');
    assert.equal(r.step, 'other-first-name-kept');
  });

  test('when initials alone are too long, names nearest the last name are left out, keeping a whole first name', () => {
    // "Vestergaard-Christensen,Karen M. B. H." = 38; "…,Karen M." = 32.
    const r = explainAddressingName({ firstNames: ['Karen'], middleNames: ['Margrethe', 'Bjerregaard', 'Holm'], lastName: 'Vestergaard-Christensen' });
    assert.equal(r.text, 'Vestergaard-Christensen,Karen M.');
    assert.equal(r.step, 'names-left-out');
    assert.deepEqual(r.givenNames.map((g) => g.form), ['whole', 'initial', 'omitted', 'omitted']);
  });
});

describe('addressingName: Danish letters, hyphens, whitespace', () => {
  test('initials keep Danish letters and accents, one initial per hyphenated name', () => {
    assert.equal(initialOf('Øjvind'), 'Ø.');
    assert.equal(initialOf('Ærø'), 'Æ.');
    assert.equal(initialOf('Émile'), 'É.');
    assert.equal(initialOf('Anne-Marie'), 'A.');
    assert.equal(initialOf("'Abdul"), 'A.');
    const r = addressingName({
      firstNames: ['  Øjvind\t', 'Hans-Jørgen  Ærø '],
      middleNames: ['Ågård', 'Müller '],
      lastName: '  Due   Hansen - Ebbesøe ',
    });
    // First names Øjvind Hans-Jørgen Ærø, middle names Ågård Müller. Normalised
    // full "Due Hansen-Ebbesøe,Øjvind Hans-Jørgen Ærø Ågård Müller" (54):
    // -Müller 50, -Ågård 47, -Ærø 46, -Hans-Jørgen 37: Øjvind cannot stay whole.
    // Hans-Jørgen whole with the others as initials is 42; Ærø whole is 34 (§5(4)).
    assert.equal(r.text, 'Due Hansen-Ebbesøe,Ø. H. Ærø Å. M.');
    assert.equal(len(r.text), 34);
    // The same names with only Øjvind a first name: "…,Øjvind H. Æ. Å. M." is 37,
    // so the initial nearest the last name is left out to keep Øjvind whole.
    const m = explainAddressingName({ firstNames: ['Øjvind'], middleNames: ['Hans-Jørgen', 'Ærø', 'Ågård', 'Müller'], lastName: 'Due Hansen-Ebbesøe' });
    assert.equal(m.text, 'Due Hansen-Ebbesøe,Øjvind H. Æ. Å.');
    assert.equal(m.step, 'names-left-out');
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
    assert.throws(() => addressingName({ firstNames: ['Peter'], lastName: 'Hansen' }, 3), RangeError);
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
const shortest = (g: string) => (len(g) > 2 ? initialOf(g) : g);
/** 0 whole, 1 initial, 2 omitted. */
const level = (g: { form: string }) => (g.form === 'omitted' ? 2 : g.form === 'initial' ? 1 : 0);
/** A name of one or two characters is never abbreviated (its initial is no shorter). */
const neutral = (g: { name: string; form: string }) => g.form === 'whole' && len(g.name) <= 2;

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
        // §5(4) as the Act words it: any one first name, whenever one fits beside the last name.
        if (n.givenNames.some((g) => g.kind === 'first' && len(`${n.lastName},${g.name}`) <= lim)) {
          assert.ok(r.givenNames.some((g) => g.kind === 'first' && g.form === 'whole'), r.text);
        }
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
      fc.property(personName, fc.array(fc.constantFrom('whole', 'initial', 'omitted'), { minLength: 12, maxLength: 12 }), (name, forms) => {
        const n = normalizePersonName(name);
        const chosenForms = n.givenNames.map((_, i) => forms[i]!);
        chosenForms[0] = 'whole'; // the first first name
        const tokens = n.givenNames.flatMap((g, i) => (chosenForms[i] === 'whole' ? [g.name] : chosenForms[i] === 'initial' ? [initialOf(g.name)] : []));
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
