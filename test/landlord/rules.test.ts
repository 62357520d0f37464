/** The landlord service's pure rules (src/domain/landlord/rules.ts): boundaries the HTTP tests do not reach. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkFromDate,
  earliestFromDate,
  enablement,
  mergeStays,
  parseOwnerNumber,
  selectResidents,
  type ResidencePeriod,
} from '../../src/domain/landlord/rules.ts';
import { LANDLORD_PROBLEMS } from '../../src/domain/landlord/errors.ts';
import { PROBLEMS } from '../../src/api/problems.ts';
import { addMonths } from '../../src/domain/dates.ts';

describe('landlord rules', () => {
  test('12 months back: the same day a year earlier; a day the month lacks becomes its last day', () => {
    assert.equal(earliestFromDate('2026-06-01'), '2025-06-01');
    assert.equal(earliestFromDate('2028-02-29'), '2027-02-28');
    assert.equal(addMonths('2026-03-31', -1), '2026-02-28');
    assert.equal(addMonths('2026-01-15', -1), '2025-12-15');
  });

  test('the from-date: default 12 months back, the earliest allowed itself accepted, a day earlier refused naming it, no future', () => {
    assert.deepEqual(checkFromDate(undefined, '2026-06-01'), { ok: true, fromDate: '2025-06-01', defaulted: true });
    assert.deepEqual(checkFromDate('2025-06-01', '2026-06-01'), { ok: true, fromDate: '2025-06-01', defaulted: false });
    assert.deepEqual(checkFromDate('2025-05-31', '2026-06-01'), { ok: false, code: 'landlord_from_date_too_early', earliest: '2025-06-01' });
    assert.deepEqual(checkFromDate('2026-06-01', '2026-06-01'), { ok: true, fromDate: '2026-06-01', defaulted: false });
    assert.equal(checkFromDate('2026-06-02', '2026-06-01').ok, false);
  });

  test('LAN-1: social housing is enabled; a private landlord only with documentation of MORE than 10 dwellings', () => {
    assert.deepEqual(enablement(null), { enabled: false, reason: 'not_registered' });
    assert.equal(enablement({ kind: 'social_housing', documentation: null, documentedDwellings: null }).enabled, true);
    assert.equal(enablement({ kind: 'private_landlord', documentation: null, documentedDwellings: null }).enabled, false);
    assert.equal(enablement({ kind: 'private_landlord', documentation: 'doc', documentedDwellings: 10 }).enabled, false);
    assert.equal(enablement({ kind: 'private_landlord', documentation: 'doc', documentedDwellings: 11 }).enabled, true);
  });

  test('owner numbers: 8-digit CVR or 10-digit CPR (hyphen optional)', () => {
    assert.deepEqual(parseOwnerNumber(' 90002201 '), { kind: 'cvr', number: '90002201' });
    assert.deepEqual(parseOwnerNumber('020260-0069'), { kind: 'cpr', number: '0202600069' });
    assert.equal(parseOwnerNumber('9000220'), null);
    assert.equal(parseOwnerNumber('0202600069x'), null);
  });

  test('stays split into versions without a gap are one stay; a stay after a gap is another', () => {
    const p = (validFrom: string, validTo: string | null): ResidencePeriod => ({ pnr: '1', unitAddressId: 'u', validFrom, validTo });
    assert.deepEqual(mergeStays([p('2020-01-01', '2022-01-01'), p('2022-01-01', null)]), [p('2020-01-01', null)]);
    assert.deepEqual(mergeStays([p('2022-06-01', null), p('2020-01-01', '2022-01-01')]), [p('2020-01-01', '2022-01-01'), p('2022-06-01', null)]);
  });

  test('a stay split into versions keeps its first move-in date (clamped to the acquisition), not the split', () => {
    const periods: ResidencePeriod[] = [
      { pnr: '1', unitAddressId: 'u', validFrom: '2010-01-01', validTo: '2025-12-01' },
      { pnr: '1', unitAddressId: 'u', validFrom: '2025-12-01', validTo: null },
    ];
    const rows = selectResidents(periods, { today: '2026-06-01', fromDate: '2025-06-01', acquiredByUnit: new Map([['u', '2020-05-05']]) });
    assert.deepEqual(rows, [{ pnr: '1', unitAddressId: 'u', moveIn: '2020-05-05', moveInIsAcquisition: true, moveOut: null }]);
  });

  test('moving out today is moving out (the move-out date is the first day elsewhere); units not searched are ignored', () => {
    const periods: ResidencePeriod[] = [
      { pnr: '1', unitAddressId: 'u', validFrom: '2024-01-01', validTo: '2026-06-01' },
      { pnr: '2', unitAddressId: 'other', validFrom: '2024-01-01', validTo: null },
    ];
    const rows = selectResidents(periods, { today: '2026-06-01', fromDate: '2025-06-01', acquiredByUnit: new Map([['u', '2000-01-01']]) });
    assert.deepEqual(rows, [{ pnr: '1', unitAddressId: 'u', moveIn: '2024-01-01', moveInIsAcquisition: false, moveOut: '2026-06-01' }]);
  });

  test('every landlord refusal is a distinct code in the problem catalogue with Danish and English sentences', () => {
    const codes = Object.keys(LANDLORD_PROBLEMS);
    for (const c of codes) {
      const p = (PROBLEMS as Record<string, { status: number; da: string; en: string }>)[c];
      assert.ok(p, c);
      assert.ok(p.da.length > 10 && p.en.length > 10 && p.da !== p.en, c);
    }
    assert.equal(new Set(codes.map((c) => LANDLORD_PROBLEMS[c as keyof typeof LANDLORD_PROBLEMS].en)).size, codes.length, 'distinct sentences');
  });
});
