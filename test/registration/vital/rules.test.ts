/**
 * The rules at the domain level, one case per sentence that can go wrong:
 * immigration (§16-§22), emigration (§24-§27), protections (§28-§30) and
 * vital events (VIT-1). Pure functions; `today` is passed in.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RegistrationError } from '../../../src/register/validate.ts';
import type { PersonView } from '../../../src/register/register.ts';
import type { Version } from '../../../src/register/bitemporal.ts';
import { assessImmigration, immigrationSchema, type ImmigrationReport } from '../../../src/domain/registration/immigration.ts';
import { assessEmigration, emigrationSchema, waitingDeadlines, type EmigrationContext } from '../../../src/domain/registration/emigration.ts';
import { dueLapses, extendProtection, grantProtection, revokeProtection } from '../../../src/domain/registration/protection.ts';
import { planBirth, planChurch, planDeath, planEnd, planGuardianship, planNameChange, planSeparation, planUnion } from '../../../src/domain/registration/vital.ts';
import { addMonths, addYears } from '../../../src/domain/dates.ts';

const TODAY = '2026-06-01';
const refused = (code: string, fn: () => unknown) =>
  assert.throws(fn, (e: unknown) => e instanceof RegistrationError && e.code === code, `expected ${code}`);

describe('calendar helpers', () => {
  test('months and years keep the day, or take the month\'s last day', () => {
    assert.equal(addMonths('2026-01-31', 1), '2026-02-28');
    assert.equal(addMonths('2026-08-31', 6), '2027-02-28');
    assert.equal(addMonths('2026-11-15', 3), '2027-02-15');
    assert.equal(addYears('2028-02-29', 1), '2029-02-28');
  });
});

describe('immigration (§16-§22)', () => {
  const report = (over: Partial<Record<keyof ImmigrationReport, unknown>> = {}): ImmigrationReport =>
    immigrationSchema.parse({
      name: { firstNames: ['Li'], lastName: 'Wang' },
      sex: 'M',
      birthDate: '1990-01-01',
      birthPlace: 'Beijing',
      previousAddress: { lines: ['1 Road', 'Beijing'], countryCode: '5314' },
      entryDate: '2026-05-20',
      addressId: '0a3f50b3-8a0f-32b8-e044-0003ba298018',
      civilStatus: { code: 'U' },
      citizenships: ['5314'],
      residencePermit: { kind: 'permit', issuedOn: '2026-04-01', reference: 'US-1' },
      ...over,
    });

  test('§16(1): a stay of 3 months or less is not registered; one day over 3 months is', () => {
    refused('stay_too_short', () => assessImmigration(report({ stayUntil: '2026-08-20' }), TODAY));
    assert.ok(assessImmigration(report({ stayUntil: '2026-08-21' }), TODAY).rules.includes('§16(1) stay over 3 months'));
    assert.equal(assessImmigration(report(), TODAY).moveInDate, '2026-05-20', 'no planned end: open-ended stay');
  });
  test('§16(4): a first entry on a permanent permit meets the time condition', () => {
    const a = assessImmigration(report({ stayUntil: '2026-06-10', permanentPermit: true }), TODAY);
    assert.ok(a.rules.some((r) => r.startsWith('§16(4)')));
  });
  test('§16(6): a Danish conscript is registered at entry whatever the stay', () => {
    const a = assessImmigration(report({ citizenships: ['5100'], residencePermit: undefined, conscript: true, stayUntil: '2026-06-30' }), TODAY);
    assert.ok(a.rules.some((r) => r.startsWith('§16(6)')));
  });
  test('§16(2): others must report over 3 months, within 5 days: late after that', () => {
    const a = assessImmigration(report({ entryDate: '2026-05-20', residencePermit: { kind: 'permit', issuedOn: '2026-05-01', reference: 'x' } }), '2026-05-25');
    assert.equal(a.late, false);
    assert.equal(a.sixMonthDuty, false);
    assert.equal(assessImmigration(report({ entryDate: '2026-05-20' }), '2026-05-26').late, true);
  });
  test('§16(2): EU/EEA/Swiss citizens and Nordic movers must report only over 6 months — registered on request, never late below', () => {
    const eu = report({ citizenships: ['5180'], previousAddress: { lines: ['Str. 1', 'Berlin'], countryCode: '5180' }, stayUntil: '2026-10-01', residencePermit: { kind: 'certificate', issuedOn: '2026-05-20', reference: 'EU' } });
    const a = assessImmigration(eu, '2026-07-01');
    assert.equal(a.sixMonthDuty, true);
    assert.equal(a.late, false);
    assert.ok(a.rules.some((r) => r.includes('not obliged')));
    assert.equal(assessImmigration({ ...eu, stayUntil: '2027-01-01' }, '2026-07-01').late, true, 'over 6 months: obliged, and late after 5 days');
    const swiss = assessImmigration({ ...eu, citizenships: ['5160'] }, '2026-07-01');
    assert.equal(swiss.sixMonthDuty, true);
    const family = assessImmigration({ ...eu, citizenships: ['5314'], euFamilyMember: true }, '2026-07-01');
    assert.equal(family.sixMonthDuty, true);
  });
  test('§17(1): a non-Nordic citizen needs a permit, a certificate or a confirmed exemption', () => {
    refused('residence_permit_required', () => assessImmigration(report({ residencePermit: undefined }), TODAY));
    assert.ok(assessImmigration(report({ residencePermit: { kind: 'exemption', issuedOn: '2026-05-01', reference: 'US' } }), TODAY).rules.includes('§17(1) exemption confirmed'));
  });
  test('§17(1): Nordic citizens need none', () => {
    const a = assessImmigration(report({ citizenships: ['5120'], residencePermit: undefined, previousAddress: { lines: ['x'], countryCode: '5180' } }), TODAY);
    assert.equal(a.moveInDate, '2026-05-20');
  });
  test('§17(3): a visa or an exit deadline is not a residence permit', () => {
    refused('residence_permit_required', () => assessImmigration(report({ residencePermit: { kind: 'visa', issuedOn: '2026-05-01', reference: 'V' } }), TODAY));
    refused('residence_permit_required', () => assessImmigration(report({ residencePermit: { kind: 'exit_deadline', issuedOn: '2026-05-01', reference: 'V' } }), TODAY));
  });
  test('§17(4): a person placed in prison on arrival needs no permit', () => {
    assert.ok(assessImmigration(report({ residencePermit: undefined, prisoner: true }), TODAY).rules.includes('§17(4) placed in prison on arrival'));
  });
  test('§18: diplomats, forces and their households are not registered', () => {
    refused('not_registrable_section_18', () => assessImmigration(report({ exempt: 'diplomat' }), TODAY));
    refused('not_registrable_section_18', () => assessImmigration(report({ exempt: 'forces' }), TODAY));
    refused('not_registrable_section_18', () => assessImmigration(report({ exempt: 'household' }), TODAY));
  });
  test('§20(2): a move from a Nordic country (or the Faroes, §23(2)) needs the number, address and municipality there', () => {
    const nordic = { previousAddress: { lines: ['Karl Johans gate 1', 'Oslo'], countryCode: '5110' }, citizenships: ['5110'], residencePermit: undefined };
    refused('nordic_fields_required', () => assessImmigration(report(nordic), TODAY));
    refused('nordic_fields_required', () => assessImmigration(report({ ...nordic, previousAddress: { lines: ['Tórshavn'], countryCode: '5902' }, citizenships: ['5100'] }), TODAY));
    const a = assessImmigration(report({ ...nordic, nordic: { foreignPnr: '01019012345', previousMunicipality: 'Oslo' } }), TODAY);
    assert.equal(a.fromNordic, true);
  });
  test('§22(1): the move-in date is the entry date; §22(3): the permit date when the permit came after entry', () => {
    assert.equal(assessImmigration(report({ residencePermit: { kind: 'permit', issuedOn: '2026-04-01', reference: 'x' } }), TODAY).moveInDate, '2026-05-20');
    const after = assessImmigration(report({ residencePermit: { kind: 'permit', issuedOn: '2026-05-28', reference: 'x' } }), TODAY);
    assert.equal(after.moveInDate, '2026-05-28');
    assert.ok(after.rules.some((r) => r.startsWith('§22(3)')));
    // An exemption is no permit: the entry date stays.
    assert.equal(assessImmigration(report({ residencePermit: { kind: 'exemption', issuedOn: '2026-05-28', reference: 'x' } }), TODAY).moveInDate, '2026-05-20');
  });
  test('dates: no entry or permit in the future, no entry before birth', () => {
    refused('date_in_future', () => assessImmigration(report({ entryDate: '2026-06-02' }), TODAY));
    refused('date_in_future', () => assessImmigration(report({ residencePermit: { kind: 'permit', issuedOn: '2026-07-01', reference: 'x' } }), TODAY));
    refused('invalid_date', () => assessImmigration(report({ entryDate: '1989-01-01' }), TODAY));
  });
});

describe('emigration (§24-§27)', () => {
  const ctx = (over: Partial<EmigrationContext> = {}): EmigrationContext => ({ today: TODAY, addressFrom: '2015-01-01', stayAbroadSince: null, foreignNational: false, ...over });
  const r = (over: Record<string, unknown> = {}) => emigrationSchema.parse({ pnr: '0204801234', countryCode: '5180', departureDate: '2026-06-10', ...over });

  test('§24(1): a stay abroad over 6 months (or without a planned return) is an emigration', () => {
    assert.equal(assessEmigration(r({ returnDate: '2026-12-11' }), ctx()).kind, 'emigrate');
    assert.equal(assessEmigration(r(), ctx()).kind, 'emigrate');
  });
  test('§24(1) 4. pkt., §24(3): 6 months or less with the home kept stays registered, with a supplementary address', () => {
    const o = assessEmigration(r({ returnDate: '2026-12-10', homeKept: true, foreignAddress: { lines: ['Str. 1', 'Berlin'] } }), ctx());
    assert.equal(o.kind, 'stay');
    assert.ok(o.kind === 'stay' && o.supplementary && o.until === '2026-12-10');
  });
  test('§24(1) 5. pkt.: without the home kept, the municipality assesses', () => {
    refused('assessment_required', () => assessEmigration(r({ returnDate: '2026-09-01' }), ctx()));
    assert.equal(assessEmigration(r({ returnDate: '2026-09-01', assessedAsEmigration: false }), ctx()).kind, 'stay');
    assert.equal(assessEmigration(r({ returnDate: '2026-09-01', assessedAsEmigration: true }), ctx()).kind, 'emigrate');
  });
  test('§24(1) 3. pkt., §26(2) 3. pkt.: a stay that turned out longer than 6 months is an emigration from the original departure', () => {
    const later = ctx({ today: '2026-12-20', stayAbroadSince: '2026-06-10' });
    const o = assessEmigration(r({ departureDate: undefined, returnDate: '2026-12-01', homeKept: true }), later);
    assert.equal(o.kind, 'emigrate');
    assert.equal(o.departureDate, '2026-06-10');
    // Before 6 months have passed the same report keeps the person registered.
    assert.equal(assessEmigration(r({ departureDate: undefined, returnDate: '2026-12-01', homeKept: true }), ctx({ today: '2026-12-09', stayAbroadSince: '2026-06-10' })).kind, 'stay');
  });
  test('§24(4): a foreign national leaving for military service is emigrated however short the stay', () => {
    assert.equal(assessEmigration(r({ returnDate: '2026-08-01', homeKept: true, foreignConscript: true }), ctx({ foreignNational: true })).kind, 'emigrate');
    assert.equal(assessEmigration(r({ returnDate: '2026-08-01', homeKept: true, foreignConscript: true }), ctx({ foreignNational: false })).kind, 'stay');
  });
  test('§24(5): a posted state employee is never emigrated, and may have a supplementary address', () => {
    const o = assessEmigration(r({ exception: 'state_employee', foreignAddress: { lines: ['Embassy', 'Berlin'] } }), ctx());
    assert.ok(o.kind === 'stay' && o.supplementary);
  });
  test('§24(6): the household follows only when the principal is posted, and children only under 18', () => {
    const hh = r({ exception: 'state_employee_household', householdOf: { pnr: '0101701234', as: 'child' } });
    refused('household_required', () => assessEmigration(r({ exception: 'state_employee_household' }), ctx()));
    refused('household_required', () => assessEmigration(hh, ctx({ household: { memberBirthDate: '2010-01-01', principalException: null } })));
    refused('household_child_over_18', () => assessEmigration(hh, ctx({ household: { memberBirthDate: '2008-06-10', principalException: 'state_employee' } })));
    assert.equal(assessEmigration(hh, ctx({ household: { memberBirthDate: '2008-06-11', principalException: 'state_employee' } })).kind, 'stay');
  });
  test('§24(7)-(9): commuters, seafarers and their households stay registered; no supplementary address (§24(3))', () => {
    assert.equal(assessEmigration(r({ exception: 'commuter' }), ctx()).kind, 'stay');
    assert.equal(assessEmigration(r({ exception: 'seafarer' }), ctx()).kind, 'stay');
    refused('supplementary_address_not_allowed', () => assessEmigration(r({ exception: 'commuter', foreignAddress: { lines: ['x'] } }), ctx()));
    refused('household_required', () => assessEmigration(r({ exception: 'commuter_household', householdOf: { pnr: '0101701234', as: 'spouse' } }), ctx({ household: { memberBirthDate: '1980-01-01', principalException: 'state_employee' } })));
    assert.equal(assessEmigration(r({ exception: 'commuter_household', householdOf: { pnr: '0101701234', as: 'spouse' } }), ctx({ household: { memberBirthDate: '1980-01-01', principalException: 'seafarer' } })).kind, 'stay');
  });
  test('§25(2), §27(2): a move to a Nordic country or the Faroes is only pending', () => {
    assert.equal(assessEmigration(r({ countryCode: '5110' }), ctx()).kind, 'nordic_pending');
    assert.equal(assessEmigration(r({ countryCode: '5902' }), ctx()).kind, 'nordic_pending');
    // A short stay kept at home is no move at all, Nordic or not.
    assert.equal(assessEmigration(r({ countryCode: '5120', returnDate: '2026-08-01', homeKept: true }), ctx()).kind, 'stay');
  });
  test('§26(5), §12(4): a departure more than 4 weeks ahead is refused; none before the current address; not to Denmark', () => {
    refused('date_too_far_ahead', () => assessEmigration(r({ departureDate: '2026-06-30' }), ctx()));
    assert.equal(assessEmigration(r({ departureDate: '2026-06-29' }), ctx()).kind, 'emigrate');
    refused('invalid_date', () => assessEmigration(r({ departureDate: '2014-12-31' }), ctx()));
    refused('invalid_value', () => assessEmigration(r({ countryCode: '5100' }), ctx()));
    refused('invalid_period', () => assessEmigration(r({ returnDate: '2026-06-10' }), ctx()));
  });
  test('NOR-2: incoming items are deleted 14 days after receipt, the notice 3 days before', () => {
    assert.deepEqual(waitingDeadlines('2026-06-01'), { deletesOn: '2026-06-15', noticeOn: '2026-06-12' });
  });
});

describe('protections (§28-§30)', () => {
  test('§28: name-and-address protection is granted for one year', () => {
    assert.deepEqual(grantProtection('0001', undefined, '2026-06-01'), { group: 'protection', key: '0001', validFrom: '2026-06-01', validTo: '2027-06-01', value: { type: '0001' } });
    assert.equal(grantProtection('0001', undefined, '2028-02-29').validTo, '2029-02-28');
  });
  test('§28: a protection in force is not granted twice; after it lapsed it can be granted again', () => {
    refused('protection_in_force', () => grantProtection('0001', { type: '0001', validFrom: '2026-01-01', validTo: '2027-01-01' }, TODAY));
    assert.equal(grantProtection('0001', { type: '0001', validFrom: '2025-01-01', validTo: '2026-01-01' }, TODAY).validTo, '2027-06-01');
  });
  test('§29, §30(2): the other types have no end', () => {
    for (const t of ['0002', '0003', '0004'] as const) assert.equal(grantProtection(t, undefined, TODAY).validTo, null);
    refused('protection_in_force', () => grantProtection('0003', { type: '0003', validFrom: '2020-01-01', validTo: null }, TODAY));
  });
  test('§28: extension beyond a year needs the special circumstances, while in force, at most a year at a time', () => {
    const p = { type: '0001' as const, validFrom: '2026-01-01', validTo: '2027-01-01' };
    refused('reason_required', () => extendProtection('0001', p, TODAY, undefined));
    assert.equal(extendProtection('0001', p, TODAY, 'Trusler fra tidligere partner').validTo, '2028-01-01');
    assert.equal(extendProtection('0001', p, TODAY, 'Trusler', '2027-06-01').validFrom, '2026-01-01');
    refused('date_too_far_ahead', () => extendProtection('0001', p, TODAY, 'Trusler', '2028-01-02'));
    refused('invalid_period', () => extendProtection('0001', p, TODAY, 'Trusler', '2026-12-31'));
    refused('protection_not_in_force', () => extendProtection('0001', { ...p, validTo: '2026-05-01' }, TODAY, 'Trusler'));
    refused('not_extendable', () => extendProtection('0002', { type: '0002', validFrom: '2020-01-01', validTo: null }, TODAY, 'x'));
  });
  test('§28 (earlier lapse on request), §30(2): revocation ends the protection from today or later', () => {
    const p = { type: '0002' as const, validFrom: '2020-01-01', validTo: null };
    assert.deepEqual(revokeProtection('0002', p, TODAY), { group: 'protection', key: '0002', validFrom: TODAY, validTo: null, value: null });
    assert.equal(revokeProtection('0002', p, TODAY, '2026-07-01').validFrom, '2026-07-01');
    const n = { type: '0001' as const, validFrom: '2026-01-01', validTo: '2027-01-01' };
    assert.deepEqual(revokeProtection('0001', n, TODAY), { group: 'protection', key: '0001', validFrom: TODAY, validTo: '2027-01-01', value: null });
    assert.equal(revokeProtection('0001', { ...n, validFrom: TODAY }, TODAY).validFrom, TODAY, 'granted today: removed altogether');
    refused('date_in_past', () => revokeProtection('0002', p, TODAY, '2026-05-31'));
    refused('protection_not_in_force', () => revokeProtection('0002', undefined, TODAY));
    refused('protection_not_in_force', () => revokeProtection('0001', { type: '0001', validFrom: '2025-01-01', validTo: '2026-01-01' }, TODAY));
  });

  const v = (vf: string, vt: string | null, extra: Partial<Version> = {}): Version => ({ g: 'protection', k: '0001', vf, vt, rt: null, v: { type: '0001' }, s: 1, ...extra, rf: extra.rf ?? '2020-01-01T00:00:00.000Z' });
  test('PRO-1: the lapse is due on the end date, not before, and only once', () => {
    assert.deepEqual(dueLapses([v('2026-01-01', '2027-01-01')], '2026-12-31', new Set()), []);
    const due = dueLapses([v('2026-01-01', '2027-01-01')], '2027-01-01', new Set());
    assert.equal(due.length, 1);
    assert.deepEqual(due[0]!.change, { group: 'protection', key: '0001', validFrom: '2027-01-01', validTo: null, value: null });
    assert.deepEqual(dueLapses([v('2026-01-01', '2027-01-01')], '2027-03-01', new Set(['2027-01-01'])), []);
  });
  test('PRO-1: catching up records every end with its own date; a period continued the same day did not lapse; closed versions do not count', () => {
    const due = dueLapses([v('2024-01-01', '2025-01-01'), v('2025-03-01', '2026-03-01'), v('2026-03-01', '2027-03-01'), v('2020-01-01', '2021-01-01', { rf: '2019-01-01T00:00:00.000Z', rt: '2020-06-01T00:00:00.000Z' })], '2027-06-01', new Set());
    assert.deepEqual(due.map((d) => d.lapsedOn), ['2025-01-01', '2027-03-01']);
    // The first end's change stops where the next grant begins, so the later grant is untouched.
    assert.equal(due[0]!.change.validTo, '2025-03-01');
    assert.deepEqual(dueLapses([v('2026-01-01', null, { k: '0002', v: { type: '0002' } })], '2030-01-01', new Set()), []);
    // A protection taken in (imported) after it had already ended is history, not a lapse to announce.
    assert.deepEqual(dueLapses([v('2025-01-01', '2026-01-01', { rf: '2026-06-01T10:00:00.000Z' })], '2027-01-01', new Set()), []);
  });
  test('PRO-1: "when the register learnt of it" is the Danish day (issue 15): registered at 00:30 on 1 January, an end on that day is history', () => {
    assert.deepEqual(dueLapses([v('2025-01-01', '2026-01-01', { rf: '2025-12-31T23:30:00.000Z' })], '2026-06-01', new Set()), []);
    assert.equal(dueLapses([v('2025-01-01', '2026-01-01', { rf: '2025-12-31T22:30:00.000Z' })], '2026-06-01', new Set()).length, 1, 'at 23:30 on 31 December it was still in force');
  });
});

describe('vital events (VIT-1)', () => {
  let n = 0;
  const person = (birthDate: string, sex: 'M' | 'K', facts: Record<string, unknown> = {}): PersonView => {
    const pnr = `${birthDate.slice(8, 10)}${birthDate.slice(5, 7)}${birthDate.slice(2, 4)}${String(1000 + n++).padStart(4, '0')}`;
    const state: Record<string, unknown> = {
      status: { value: { code: '01' }, validFrom: birthDate, validTo: null, registeredAt: '', seq: 1 },
      address: { value: { municipalityCode: '0461', roadCode: '0100', houseNumber: '1' }, validFrom: '2015-01-01', validTo: null, registeredAt: '', seq: 1 },
      civilStatus: { value: { code: 'U' }, validFrom: birthDate, validTo: null, registeredAt: '', seq: 1 },
      citizenship: [{ value: { countryCode: '5100' }, validFrom: birthDate, validTo: null, registeredAt: '', seq: 1 }],
    };
    for (const [g, val] of Object.entries(facts)) state[g] = val === undefined ? undefined : { value: val, validFrom: '2010-01-01', validTo: null, registeredAt: '', seq: 1 };
    return { pnr, birthDate, sex, validAt: TODAY, knownAt: '', state } as PersonView;
  };
  const married = (a: PersonView, b: PersonView, code = 'G') => {
    (a.state as Record<string, unknown>).civilStatus = { value: { code, spousePnr: b.pnr }, validFrom: '2010-01-01', validTo: null, registeredAt: '', seq: 1 };
    (b.state as Record<string, unknown>).civilStatus = { value: { code, spousePnr: a.pnr }, validFrom: '2010-01-01', validTo: null, registeredAt: '', seq: 1 };
  };
  const birth = (over: Record<string, unknown> = {}) => ({ birthDate: '2026-05-30', sex: 'K' as const, motherPnr: 'x', ...over });

  test('birth: the child lives with the mother from the birth, with mother, father and custody; Danish by descent', () => {
    const mother = person('1990-01-01', 'K');
    const father = person('1988-01-01', 'M');
    married(mother, father);
    const [child, m, f] = planBirth(birth(), mother, father, TODAY);
    const groups = child!.changes.map((c) => `${c.group}:${JSON.stringify(c.value)}`);
    assert.ok(groups.includes(`address:${JSON.stringify(mother.state.address && (mother.state.address as { value: unknown }).value)}`));
    assert.ok(groups.includes(`relation:{"role":"custody_holder","pnr":"${father.pnr}"}`), 'married parents: joint custody');
    assert.ok(groups.includes('citizenship:{"countryCode":"5100"}'));
    assert.equal(m!.pnr, mother.pnr);
    assert.equal(f!.changes.length, 2);
  });
  test('birth: unmarried parents — the mother has custody alone unless both is reported', () => {
    const mother = person('1990-01-01', 'K');
    const father = person('1988-01-01', 'M');
    const plan = planBirth(birth(), mother, father, TODAY);
    assert.ok(!plan[0]!.changes.some((c) => JSON.stringify(c.value) === `{"role":"custody_holder","pnr":"${father.pnr}"}`));
    assert.equal(plan[2]!.changes.length, 1);
    assert.ok(planBirth(birth({ custody: 'both' }), mother, father, TODAY)[0]!.changes.some((c) => JSON.stringify(c.value) === `{"role":"custody_holder","pnr":"${father.pnr}"}`));
    refused('invalid_custody', () => planBirth(birth({ custody: 'both' }), mother, null, TODAY));
  });
  test('birth: refused for a future date, a male or non-resident mother, a father born after the child', () => {
    refused('date_in_future', () => planBirth(birth({ birthDate: '2026-06-02' }), person('1990-01-01', 'K'), null, TODAY));
    refused('invalid_mother', () => planBirth(birth(), person('1990-01-01', 'M'), null, TODAY));
    refused('mother_not_resident', () => planBirth(birth(), person('1990-01-01', 'K', { status: { code: '80' }, address: undefined }), null, TODAY));
    refused('invalid_father', () => planBirth(birth(), person('1990-01-01', 'K'), person('2026-05-31', 'M'), TODAY));
  });
  test('death: status 90, no address, civil status D; the spouse widowed (E), a partner surviving (L)', () => {
    const a = person('1950-01-01', 'M');
    const b = person('1952-01-01', 'K');
    married(a, b);
    const plan = planDeath({ date: '2026-05-01' }, a, b, TODAY);
    assert.deepEqual(plan[0]!.changes.slice(0, 3).map((c) => c.value), [{ code: '90' }, null, { code: 'D' }]);
    assert.deepEqual(plan[1]!.changes[0]!.value, { code: 'E', spousePnr: a.pnr });
    married(a, b, 'P');
    assert.deepEqual(planDeath({ date: '2026-05-01' }, a, b, TODAY)[1]!.changes[0]!.value, { code: 'L', spousePnr: a.pnr });
    refused('invalid_date', () => planDeath({ date: '1949-01-01' }, a, null, TODAY));
    refused('date_in_future', () => planDeath({ date: '2026-06-02' }, a, null, TODAY));
  });
  test('marriage: both free and 18; not to oneself; partnerships only before 15 June 2012', () => {
    const a = person('1990-01-01', 'M');
    const b = person('2008-06-02', 'K');
    refused('under_age', () => planUnion({ pnr: a.pnr, otherPnr: b.pnr, date: '2026-06-01' }, a, b, TODAY, 'marriage'));
    assert.equal(planUnion({ pnr: a.pnr, otherPnr: b.pnr, date: '2026-06-01' }, a, person('2008-06-01', 'K'), TODAY, 'marriage').length, 2);
    refused('invalid_couple', () => planUnion({ pnr: a.pnr, otherPnr: a.pnr, date: '2026-05-01' }, a, a, TODAY, 'marriage'));
    const c = person('1980-01-01', 'K');
    const d = person('1981-01-01', 'M');
    married(c, d);
    refused('already_married', () => planUnion({ pnr: a.pnr, otherPnr: c.pnr, date: '2026-05-01' }, a, c, TODAY, 'marriage'));
    const e = person('1970-01-01', 'K');
    refused('partnership_abolished', () => planUnion({ pnr: a.pnr, otherPnr: e.pnr, date: '2012-06-15' }, a, e, TODAY, 'partnership'));
    assert.equal((planUnion({ pnr: d.pnr, otherPnr: e.pnr, date: '2012-06-14' }, person('1960-01-01', 'M'), e, TODAY, 'partnership')[1]!.changes[0]!.value as { code: string }).code, 'P');
  });
  test('divorce and dissolution: only of the two married to each other, after the marriage; a separation ends', () => {
    const a = person('1980-01-01', 'K');
    const b = person('1981-01-01', 'M');
    const c = person('1982-01-01', 'M');
    married(a, b);
    const plan = planEnd({ pnr: a.pnr, otherPnr: b.pnr, date: '2026-05-01' }, a, b, TODAY, 'divorce');
    assert.deepEqual(plan[0]!.changes.map((x) => x.value), [{ code: 'F', spousePnr: b.pnr }, null]);
    refused('not_married_to_each_other', () => planEnd({ pnr: a.pnr, otherPnr: c.pnr, date: '2026-05-01' }, a, c, TODAY, 'divorce'));
    refused('not_married_to_each_other', () => planEnd({ pnr: a.pnr, otherPnr: b.pnr, date: '2026-05-01' }, a, b, TODAY, 'dissolution'));
    refused('invalid_date', () => planEnd({ pnr: a.pnr, otherPnr: b.pnr, date: '2010-01-01' }, a, b, TODAY, 'divorce'));
  });
  test('separation: of spouses, once; its end only when separated', () => {
    const a = person('1980-01-01', 'K');
    const b = person('1981-01-01', 'M');
    married(a, b);
    assert.deepEqual(planSeparation({ pnr: a.pnr, otherPnr: b.pnr, date: '2026-05-01', ended: false }, a, b, TODAY)[1]!.changes[0]!.value, { separated: true });
    refused('not_separated', () => planSeparation({ pnr: a.pnr, otherPnr: b.pnr, date: '2026-05-01', ended: true }, a, b, TODAY));
    const s1 = person('1980-01-01', 'K', { separation: { separated: true } });
    const s2 = person('1981-01-01', 'M', { separation: { separated: true } });
    married(s1, s2);
    refused('already_separated', () => planSeparation({ pnr: s1.pnr, otherPnr: s2.pnr, date: '2026-05-01', ended: false }, s1, s2, TODAY));
    refused('not_married_to_each_other', () => planSeparation({ pnr: s1.pnr, otherPnr: a.pnr, date: '2026-05-01', ended: false }, s1, a, TODAY));
  });
  test('name change: the new addressing name is formed (§5(4)-(6)); a chosen one must obey §5(7)', () => {
    const p = person('1980-01-01', 'K');
    const [reg] = planNameChange({ date: '2026-05-01', name: { firstNames: ['Anne', 'Marie'], middleNames: [], lastName: 'Nielsen-Bjerregaard' } }, p, TODAY);
    assert.equal(reg!.eventCode, 'A13');
    assert.equal((reg!.changes[0]!.value as { addressingName: string }).addressingName, 'Nielsen-Bjerregaard,Anne Marie');
    refused('invalid_addressing_name', () => planNameChange({ date: '2026-05-01', name: { firstNames: ['Anne'], middleNames: [], lastName: 'Berg', addressingName: 'Hansen,Anne' } }, p, TODAY));
  });
  test('church membership changes only when it changes; guardianship names a guardian and ends only when in force', () => {
    const p = person('1980-01-01', 'K', { church: { member: 'F' } });
    refused('no_change', () => planChurch({ date: '2026-05-01', member: true }, p, TODAY));
    assert.deepEqual(planChurch({ date: '2026-05-01', member: false }, p, TODAY)[0]!.changes[0]!.value, { member: 'U' });
    refused('guardian_required', () => planGuardianship({ date: '2026-05-01', ended: false }, p, null, TODAY));
    refused('not_under_guardianship', () => planGuardianship({ date: '2026-05-01', ended: true }, p, null, TODAY));
    refused('invalid_guardian', () => planGuardianship({ date: '2026-05-01', ended: false, guardian: { guardianPnr: p.pnr } }, p, p, TODAY));
    assert.equal(planGuardianship({ date: '2026-05-01', ended: false, guardian: { guardianName: 'Advokat Lund' } }, p, null, TODAY)[0]!.eventCode, 'A73');
  });
  test('no event for the dead', () => {
    const dead = person('1940-01-01', 'M', { status: { code: '90' } });
    refused('person_dead', () => planChurch({ date: '2026-05-01', member: false }, dead, TODAY));
    refused('person_dead', () => planDeath({ date: '2026-05-01' }, dead, null, TODAY));
  });
});
