import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  birthAndSex,
  candidatePnrs,
  centuryYear,
  checkPnr,
  formatPnr,
  maskPnr,
  mod11Sum,
  NO_MOD11_DATES,
  seventhDigitsFor,
} from '../../src/domain/pnr/pnr.ts';
import { formatDate, daysInMonth } from '../../src/domain/dates.ts';

/** The first number with this date part and 7th digit whose checksum passes (or, with pass=false, fails). */
function numberWith(head7: string, pass = true): string {
  for (let i = 0; i < 1000; i++) {
    const n = head7 + String(i).padStart(3, '0');
    if ((mod11Sum(n) === 0) === pass) return n;
  }
  throw new Error('none');
}
const withChecksum = (head: string) => numberWith(head.slice(0, 7));

describe('person numbers: century (COD-1)', () => {
  test('the 7th digit and the year give the century', () => {
    assert.equal(centuryYear(85, 0), 1985);
    assert.equal(centuryYear(85, 3), 1985);
    assert.equal(centuryYear(36, 4), 2036);
    assert.equal(centuryYear(37, 4), 1937);
    assert.equal(centuryYear(10, 9), 2010);
    assert.equal(centuryYear(57, 5), 2057);
    assert.equal(centuryYear(58, 5), 1858);
    assert.equal(centuryYear(99, 8), 1899);
  });
  test('seventhDigitsFor is the inverse', () => {
    assert.deepEqual(seventhDigitsFor(1920), [0, 1, 2, 3]);
    assert.deepEqual(seventhDigitsFor(1990), [0, 1, 2, 3, 4, 9]);
    assert.deepEqual(seventhDigitsFor(2020), [4, 5, 6, 7, 8, 9]);
    assert.deepEqual(seventhDigitsFor(1870), [5, 6, 7, 8]);
    assert.deepEqual(seventhDigitsFor(2050), [5, 6, 7, 8]);
    assert.deepEqual(seventhDigitsFor(1857), []);
  });
});

describe('person numbers: validation says why (PNR-1, PNR-2, COD-2)', () => {
  test('malformed input', () => {
    for (const s of ['', '12345', '010190-12345', 'abcdefghij', '0101901234x', '010190 1234']) {
      assert.equal(checkPnr(s).kind, 'malformed', s);
    }
  });
  test('29 February 1900 does not exist, 29 February 2000 does', () => {
    // 290200 with 7th digit 0-3 is 1900 (not a leap year); with 4 it is 2000.
    const y1900 = withChecksum('290200' + '012')!;
    assert.equal(checkPnr(y1900).kind, 'no_such_date');
    const y2000 = withChecksum('290200' + '412')!;
    const c = checkPnr(y2000);
    assert.equal(c.kind, 'valid');
    assert.equal(c.kind === 'valid' && c.birthDate, '2000-02-29');
    // 1896 was a leap year (7th digit 5-8 with YY 96 → 1896); 1800 was not reachable, 2100 neither.
    assert.equal(checkPnr(withChecksum('290296' + '512')!).kind, 'valid');
    assert.equal(checkPnr(withChecksum('290297' + '512')!).kind, 'no_such_date');
    assert.equal(checkPnr('3104901234').kind, 'no_such_date');
  });
  test('a passing checksum is valid by the mod-11 rule, with birth date and sex', () => {
    const n = withChecksum('070761' + '400')!; // 7th digit 4, YY 61 → 1961
    const c = checkPnr(n);
    assert.equal(c.kind, 'valid');
    assert.equal(c.kind === 'valid' && c.rule, 'mod11');
    assert.equal(c.kind === 'valid' && c.birthDate, '1961-07-07');
    assert.equal(c.kind === 'valid' && c.sex, Number(n[9]) % 2 ? 'M' : 'K');
  });
  test('a listed no-mod-11 date is valid without the checksum', () => {
    const n = numberWith('0101903', false); // 1 January 1990 is on CPR's list
    assert.notEqual(mod11Sum(n), 0);
    const c = checkPnr(n);
    assert.equal(c.kind, 'valid');
    assert.equal(c.kind === 'valid' && c.rule, 'no_mod11_date');
    assert.equal(c.kind === 'valid' && c.sex, Number(n[9]) % 2 ? 'M' : 'K');
    assert.equal(checkPnr(formatPnr(n)).kind, 'valid', 'the dash form is the same number');
  });
  test('a failing checksum on another date is suspicious, not valid, not a crash', () => {
    const n = numberWith('0202903', false);
    assert.notEqual(mod11Sum(n), 0);
    const c = checkPnr(n);
    assert.equal(c.kind, 'suspicious');
    assert.equal(c.kind === 'suspicious' && c.birthDate, '1990-02-02');
    assert.match(c.message, /Suspicious/);
  });
  test('the list holds 1 January of 1960 and 1995 but not of 1961 or 1993', () => {
    assert.ok(NO_MOD11_DATES.has('1960-01-01'));
    assert.ok(NO_MOD11_DATES.has('1995-01-01'));
    assert.ok(!NO_MOD11_DATES.has('1961-01-01'));
    assert.ok(!NO_MOD11_DATES.has('1993-01-01'));
  });
  test('property: validation never throws, whatever the input', () => {
    fc.assert(fc.property(fc.string(), (s) => ['malformed', 'no_such_date', 'valid', 'suspicious'].includes(checkPnr(s).kind)));
    fc.assert(
      fc.property(fc.stringMatching(/^\d{10}$/), (s) => ['no_such_date', 'valid', 'suspicious'].includes(checkPnr(s).kind)),
    );
  });
});

describe('person numbers: birth date and sex for lookups', () => {
  test('29 February 1900 has no such date; 2000 has (the century rule)', () => {
    assert.equal(birthAndSex('2902001234'), null); // 7th digit 1: 1900, not a leap year
    assert.deepEqual(birthAndSex('2902004001'), { birthDate: '2000-02-29', sex: 'M' }); // 7th digit 4, 00: 2000
  });
  test('property: the same birth date and sex as checkPnr, and null exactly where it finds no such date', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{10}$/), (s) => {
        const c = checkPnr(s);
        const b = birthAndSex(s);
        if (c.kind === 'no_such_date') return b === null;
        return c.kind !== 'malformed' && b !== null && b.birthDate === c.birthDate && b.sex === c.sex;
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('person numbers: masking (PNR-5, §54)', () => {
  test('keeps the date part only', () => {
    assert.equal(maskPnr('0101901234'), '010190-xxxx');
    assert.equal(maskPnr('010190-1234'), '010190-xxxx');
    assert.equal(maskPnr('nonsense'), 'xxxxxx-xxxx');
    assert.equal(formatPnr('0101901234'), '010190-1234');
  });
});

const birthDates = fc
  .record({ y: fc.integer({ min: 1858, max: 2057 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 31 }) })
  .filter(({ y, m, d }) => d <= daysInMonth(y, m))
  .map(({ y, m, d }) => formatDate(y, m, d));
const sexes = fc.constantFrom('M' as const, 'K' as const);

describe('person numbers: allocation candidates (PNR-3)', () => {
  test('property: every candidate decodes to the birth date and sex asked for', () => {
    fc.assert(
      fc.property(birthDates, sexes, fc.integer({ min: 0, max: 2000 }), (date, sex, skip) => {
        let i = 0;
        for (const pnr of candidatePnrs(date, sex)) {
          if (i++ < skip) continue;
          const c = checkPnr(pnr, new Set([date]));
          return c.kind === 'valid' && c.birthDate === date && c.sex === sex;
        }
        return true;
      }),
    );
  });
  test('property: mod-11 serials come first, then the rest, with no number twice', () => {
    fc.assert(
      fc.property(birthDates, sexes, (date, sex) => {
        const all = [...candidatePnrs(date, sex)];
        const firstFailing = all.findIndex((p) => mod11Sum(p) !== 0);
        const tail = all.slice(firstFailing);
        return new Set(all).size === all.length && tail.every((p) => mod11Sum(p) !== 0) && firstFailing > 0;
      }),
      { numRuns: 30 },
    );
  });
  test('a date outside 1858-2057 cannot get a number', () => {
    assert.throws(() => candidatePnrs('1857-12-31', 'M').next(), RangeError);
    assert.throws(() => candidatePnrs('2001-02-29', 'M').next(), RangeError);
  });
});
