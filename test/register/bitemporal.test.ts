import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  applyAnnulment,
  applyChanges,
  nextBoundary,
  registrationsInForce,
  stateOf,
  versionsAsOf,
  type FactChange,
  type FactState,
  type Registration,
} from '../../src/register/bitemporal.ts';
import { validateChanges, RegistrationError } from '../../src/register/validate.ts';

const addr = (validFrom: string, id: string, validTo: string | null = null): FactChange => ({
  group: 'address',
  key: '',
  validFrom,
  validTo,
  value: { municipalityCode: '0101', roadCode: '0001', houseNumber: id },
});
const reg = (seq: number, registeredAt: string, changes: FactChange[], annuls: number | null = null): Registration => ({
  seq,
  pnr: '0101901234',
  registeredAt,
  authority: '0101',
  eventCode: 'A01',
  documentation: null,
  late: false,
  annuls,
  changes,
});
const houseAt = (vs: ReturnType<typeof applyChanges>, v: string, r: string) =>
  ((stateOf(versionsAsOf(vs, v, r)).address as FactState | undefined)?.value as { houseNumber: string } | undefined)?.houseNumber;

describe('bitemporal versions (REG-2)', () => {
  test('a new value for part of a period splits the old version and keeps the old one as superseded', () => {
    let vs = applyChanges([], [addr('2020-01-01', '1')], '2020-01-02T00:00:00Z', 1);
    vs = applyChanges(vs, [addr('2021-01-01', '2', '2021-06-01')], '2021-07-01T00:00:00Z', 2);
    assert.equal(houseAt(vs, '2020-12-31', '2021-08-01T00:00:00Z'), '1');
    assert.equal(houseAt(vs, '2021-03-01', '2021-08-01T00:00:00Z'), '2');
    assert.equal(houseAt(vs, '2021-06-01', '2021-08-01T00:00:00Z'), '1', 'the old value resumes after the period');
    assert.equal(houseAt(vs, '2021-03-01', '2021-06-30T00:00:00Z'), '1', 'as known before, the old value held');
    assert.equal(vs.filter((v) => v.rt !== null).length, 1);
  });
  test('a null value ends a fact for its period', () => {
    let vs = applyChanges([], [addr('2020-01-01', '1')], '2020-01-02T00:00:00Z', 1);
    vs = applyChanges(vs, [{ ...addr('2022-01-01', ''), value: null }], '2022-01-02T00:00:00Z', 2);
    assert.equal(houseAt(vs, '2022-06-01', '2023-01-01T00:00:00Z'), undefined);
    assert.equal(houseAt(vs, '2021-06-01', '2023-01-01T00:00:00Z'), '1');
  });
  test('annulment rebuilds the valid-time picture from the registrations in force', () => {
    const r1 = reg(1, '2020-01-02T00:00:00Z', [addr('2020-01-01', '1')]);
    const r2 = reg(2, '2021-01-02T00:00:00Z', [addr('2021-01-01', '2')]);
    const r3 = reg(3, '2021-02-01T00:00:00Z', [], 2);
    let vs = applyChanges(applyChanges([], r1.changes, r1.registeredAt, 1), r2.changes, r2.registeredAt, 2);
    vs = applyAnnulment(vs, registrationsInForce([r1, r2, r3]), r3.registeredAt);
    assert.equal(houseAt(vs, '2021-06-01', '2021-03-01T00:00:00Z'), '1');
    assert.equal(houseAt(vs, '2021-06-01', '2021-01-15T00:00:00Z'), '2', 'known before the annulment');
    assert.deepEqual(registrationsInForce([r1, r2, r3]).map((r) => r.seq), [1]);
  });
  test('nextBoundary finds the next date at which the current state changes by itself', () => {
    const vs = applyChanges([], [addr('2020-01-01', '1', '2027-03-01'), addr('2027-03-01', '2')], '2020-01-02T00:00:00Z', 1);
    assert.equal(nextBoundary(vs, '2026-01-01'), '2027-03-01');
    assert.equal(nextBoundary(vs, '2027-03-01'), null);
  });
  test('property: as-of the latest registration, the value at any date is that of the last change covering it', () => {
    const change = fc.record({
      from: fc.integer({ min: 0, max: 40 }),
      len: fc.option(fc.integer({ min: 1, max: 20 }), { nil: null }),
      house: fc.integer({ min: 1, max: 9 }).map(String),
    });
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 70 }), (cs, probe) => {
        const date = (n: number) => new Date(Date.UTC(2020, 0, 1 + n)).toISOString().slice(0, 10);
        let vs: ReturnType<typeof applyChanges> = [];
        cs.forEach((c, i) => {
          vs = applyChanges(vs, [addr(date(c.from), c.house, c.len === null ? null : date(c.from + c.len))], `2021-01-01T00:00:${String(i).padStart(2, '0')}Z`, i + 1);
        });
        let expected: string | undefined;
        for (const c of cs) if (probe >= c.from && (c.len === null || probe < c.from + c.len)) expected = c.house;
        const open = vs.filter((v) => v.rt === null);
        const overlapsFree = open.every((a, i) => open.every((b, j) => i === j || (a.vt !== null && a.vt <= b.vf) || (b.vt !== null && b.vt <= a.vf)));
        return houseAt(vs, date(probe), '2022-01-01T00:00:00Z') === expected && overlapsFree;
      }),
    );
  });
});

describe('validation of registrations', () => {
  test('a long name gets its addressing name (REG-5, §5(4)-(5))', () => {
    const [c] = validateChanges([
      {
        group: 'name',
        validFrom: '2020-01-01',
        value: { firstNames: ['Christian', 'Frederik'], middleNames: ['Wilhelm', 'Skovgaard'], lastName: 'Bjerregaard-Christensen' },
      },
    ]);
    const name = c!.value as { addressingName: string };
    assert.ok(name.addressingName.length <= 34);
    // §5(5): "…,Christian F W S" is 39, so the first first name is abbreviated
    // too; no given name is left out (issue 15, finding 5).
    assert.equal(name.addressingName, 'Bjerregaard-Christensen,C F W S', 'whole last name, every given name');
  });
  test('a chosen addressing name must keep the whole last name and a whole first name (§5(7))', () => {
    assert.throws(
      () =>
        validateChanges([
          { group: 'name', validFrom: '2020-01-01', value: { firstNames: ['Anna'], lastName: 'Holm', addressingName: 'H.,A.' } },
        ]),
      (e: RegistrationError) => e.code === 'invalid_addressing_name',
    );
    const [ok] = validateChanges([
      { group: 'name', validFrom: '2020-01-01', value: { firstNames: ['Anna', 'Sofie'], lastName: 'Holm', addressingName: 'Holm,Anna S.' } },
    ]);
    assert.equal((ok!.value as { addressingName: string }).addressingName, 'Holm,Anna S.');
  });
  test('keyed groups get their key; single groups refuse one', () => {
    const [p] = validateChanges([{ group: 'protection', validFrom: '2020-01-01', value: { type: '0001' } }]);
    assert.equal(p!.key, '0001');
    assert.throws(
      () => validateChanges([{ group: 'status', key: 'x', validFrom: '2020-01-01', value: { code: '01' } }]),
      (e: RegistrationError) => e.code === 'unexpected_key',
    );
  });
  test('codes must be known: a municipality that did not exist on the date, an unknown country', () => {
    assert.throws(
      () => validateChanges([{ group: 'address', validFrom: '2020-01-01', value: { municipalityCode: '0999', roadCode: '0001' } }]),
      (e: RegistrationError) => e.code === 'unknown_code',
    );
    assert.throws(
      () => validateChanges([{ group: 'citizenship', validFrom: '2020-01-01', value: { countryCode: '1234' } }]),
      (e: RegistrationError) => e.code === 'unknown_code',
    );
  });
});
