/**
 * Danish civil time and the one calendar arithmetic (issue 15, findings 6-7).
 * "Today" is the date in Copenhagen: at 23:30 UTC and at 00:30 Danish time the
 * date is already the next day's, in winter (CET, +1) and summer (CEST, +2)
 * time, on both sides of the changes (last Sunday of March and October; in
 * 2026 the 29th of March and the 25th of October, at 01:00 UTC).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  addMonths,
  addYears,
  ageOn,
  dateOf,
  endOfDay,
  parseInstant,
  startOfDay,
  timeOf,
  yearsBefore,
} from '../../src/domain/dates.ts';

describe('Danish civil time (Europe/Copenhagen)', () => {
  // [instant, Danish date, Danish wall clock]
  const cases: Array<[string, string, string, string]> = [
    ['winter, 23:30 UTC the day before the March change', '2026-03-27T23:30:00Z', '2026-03-28', '00:30'],
    ['00:30 Danish on the Sunday of the March change (still winter)', '2026-03-28T23:30:00Z', '2026-03-29', '00:30'],
    ['summer, 23:30 UTC on the day of the March change', '2026-03-29T23:30:00Z', '2026-03-30', '01:30'],
    ['00:30 Danish the day after the March change (summer)', '2026-03-29T22:30:00Z', '2026-03-30', '00:30'],
    ['summer, 23:30 UTC the day before the October change', '2026-10-24T23:30:00Z', '2026-10-25', '01:30'],
    ['00:30 Danish on the Sunday of the October change (still summer)', '2026-10-24T22:30:00Z', '2026-10-25', '00:30'],
    ['winter, 23:30 UTC on the day of the October change', '2026-10-25T23:30:00Z', '2026-10-26', '00:30'],
    ['winter, 23:30 UTC two days after the October change', '2026-10-26T23:30:00Z', '2026-10-27', '00:30'],
    ['23:59 Danish in summer is still the same day', '2026-06-01T21:59:59.999Z', '2026-06-01', '23:59'],
    ['23:59 Danish in winter is still the same day', '2026-01-15T22:59:59.999Z', '2026-01-15', '23:59'],
  ];
  for (const [what, t, date, clock] of cases) {
    test(`${what}: ${t} is ${date} ${clock}`, () => {
      assert.equal(dateOf(t), date);
      assert.equal(dateOf(new Date(t)), date, 'a Date and its ISO text give the same date');
      assert.equal(timeOf(t), clock);
    });
  }

  test('a Danish day begins at Danish midnight and ends 1 ms before the next; the change days last 23 and 25 hours', () => {
    assert.equal(startOfDay('2026-01-15'), '2026-01-14T23:00:00.000Z');
    assert.equal(endOfDay('2026-01-15'), '2026-01-15T22:59:59.999Z');
    assert.equal(startOfDay('2026-06-01'), '2026-05-31T22:00:00.000Z');
    assert.equal(endOfDay('2026-06-01'), '2026-06-01T21:59:59.999Z');
    const hours = (d: string) => (Date.parse(endOfDay(d)) + 1 - Date.parse(startOfDay(d))) / 3_600_000;
    assert.equal(hours('2026-03-29'), 23);
    assert.equal(hours('2026-10-25'), 25);
    assert.equal(hours('2026-03-28'), 24);
    assert.equal(hours('2026-10-26'), 24);
    for (const d of ['2026-03-28', '2026-03-29', '2026-03-30', '2026-10-24', '2026-10-25', '2026-10-26', '1900-01-01', '0099-12-31']) {
      assert.equal(dateOf(startOfDay(d)), d, `${d} starts on itself`);
      assert.equal(dateOf(endOfDay(d)), d, `${d} ends on itself`);
      assert.notEqual(dateOf(new Date(Date.parse(endOfDay(d)) + 1)), d, `${d} ends at its end`);
    }
  });

  test('"known at <date>" is the end of that Danish day, not of the UTC day', () => {
    assert.equal(parseInstant('2024-05-01'), '2024-05-01T21:59:59.999Z', 'summer time');
    assert.equal(parseInstant('2024-01-15'), '2024-01-15T22:59:59.999Z', 'winter time');
    assert.equal(parseInstant('2024-10-27'), '2024-10-27T22:59:59.999Z', 'the October change day ends in winter time');
    assert.equal(parseInstant('2024-05-01T12:00:00+02:00'), '2024-05-01T10:00:00.000Z', 'a full time is taken as given');
    assert.equal(parseInstant('2024-02-30'), null);
  });
});

describe('one calendar arithmetic; 29 February by forældelsesloven § 27', () => {
  test('months and years keep the day of the month, or take the month\'s last day', () => {
    assert.equal(addMonths('2026-01-31', 1), '2026-02-28');
    assert.equal(addMonths('2028-01-31', 1), '2028-02-29');
    assert.equal(addMonths('2026-03-31', -1), '2026-02-28');
    assert.equal(addMonths('2026-01-15', -13), '2024-12-15');
    assert.equal(addYears('2028-02-29', 1), '2029-02-28');
    assert.equal(addYears('2028-02-29', 4), '2032-02-29');
  });

  test('years before a leap day: 28 February in a common year, 29 February in a leap year (the two yearsBefore agreed only on the first)', () => {
    assert.equal(yearsBefore('2028-02-29', 2), '2026-02-28');
    assert.equal(yearsBefore('2028-02-29', 4), '2024-02-29');
    assert.equal(yearsBefore('2026-06-01', 3), '2023-06-01');
  });

  test('age agrees with addYears: one born on 29 February is 18 on 28 February of a common year, as the vital rules count it', () => {
    assert.equal(ageOn('2008-02-29', '2026-02-28'), 18);
    assert.equal(ageOn('2008-02-29', '2026-02-27'), 17);
    assert.equal(ageOn('2008-06-02', '2026-06-01'), 17);
    assert.equal(ageOn('2008-06-01', '2026-06-01'), 18);
    for (const birth of ['2008-02-29', '2007-03-01', '2008-12-31', '2008-01-01']) {
      for (let n = 0; n <= 20; n++) {
        const day = addYears(birth, n);
        assert.equal(ageOn(birth, day), n, `${birth} is ${n} on ${day}`);
      }
    }
  });
});

test('dateOf (with its per-hour offset cache) agrees with Intl for any instant, 1850-2100', () => {
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen', year: 'numeric', month: '2-digit', day: '2-digit' });
  const lo = Date.UTC(1850, 0, 1);
  const hi = Date.UTC(2100, 0, 1);
  fc.assert(
    fc.property(fc.integer({ min: lo, max: hi }), (ms) => {
      const expected = fmt.format(new Date(ms));
      assert.equal(dateOf(new Date(ms)), expected);
      assert.equal(dateOf(new Date(ms).toISOString()), expected);
    }),
    { numRuns: 5000 },
  );
});
