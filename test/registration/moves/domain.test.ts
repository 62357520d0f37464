/**
 * The pure rules of src/domain/registration, one case per sentence that can
 * go wrong: §12(1), §12(4), §12(2), §13(2)-(3), §6(4)-(5), §10-11, §56, §54.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkMover,
  checkReportTiming,
  correctionChanges,
  hearingMunicipality,
  matchesReported,
  moveChanges,
  nameMatches,
  parentsToHear,
  sameAddress,
  type Address,
  type Mover,
} from '../../../src/domain/registration/move.ts';
import { disappearedChanges, foundChanges, noFixedAbodeAddress, noFixedAbodeChanges } from '../../../src/domain/registration/abode.ts';
import { assertMayDecide, assertMayInvestigate, replyDeadline } from '../../../src/domain/registration/investigation.ts';
import { admissibility, complaintDeadline } from '../../../src/domain/registration/complaint.ts';
import { ageOn, yearsBefore } from '../../../src/domain/dates.ts';
import { danishDate, decisionLetter, hearingLetter, letterHtml, letterText, receiptLetter, requestToReportLetter } from '../../../src/domain/registration/letters.ts';
import { requireStatus, transition, type Case } from '../../../src/domain/registration/case.ts';
import { RegistrationError } from '../../../src/register/validate.ts';

const A: Address = { municipalityCode: '0461', roadCode: '0225', roadName: 'Ambrosius Stubs Vej', houseNumber: '10', postalCode: '5000', postalDistrict: 'Odense C', addressId: 'aaaaaaaa-0000-0000-0000-000000000001' };
const B: Address = { municipalityCode: '0461', roadCode: '0370', roadName: 'B. Bangs Gade', houseNumber: '2', floor: '1', postalCode: '5000', postalDistrict: 'Odense C', addressId: 'bbbbbbbb-0000-0000-0000-000000000002' };
const refused = (code: string) => (e: unknown) => e instanceof RegistrationError && e.code === code;
const mover = (o: Partial<Mover> = {}): Mover => ({
  pnr: '0101801234',
  birthDate: '1980-01-01',
  status: '01',
  address: A,
  name: { firstNames: ['Karen'], middleNames: ['Marie'], lastName: 'Olsen', addressingName: 'Olsen,Karen Marie' },
  parents: [],
  ...o,
});

describe('§12(4) and §12(1): report timing', () => {
  const on = { refuseEarlyReports: true };
  test('exactly 4 weeks before the move date is received, a day earlier refused', () => {
    assert.deepEqual(checkReportTiming('2026-06-29', '2026-06-01', on), { late: false });
    assert.throws(() => checkReportTiming('2026-06-30', '2026-06-01', on), refused('report_too_early'));
  });
  test('the municipality may choose not to refuse (§12(4) "kan")', () => {
    assert.deepEqual(checkReportTiming('2027-06-30', '2026-06-01', { refuseEarlyReports: false }), { late: false });
  });
  test('5 days after the move is in time, 6 days late (§12(1), §57)', () => {
    assert.equal(checkReportTiming('2026-06-01', '2026-06-06', on).late, false);
    assert.equal(checkReportTiming('2026-06-01', '2026-06-07', on).late, true);
    assert.equal(checkReportTiming('2026-02-26', '2026-03-04', on).late, true, 'across a month end');
  });
});

describe('§12(2): the report against the register', () => {
  test('the old address matches by DAR id, or by road, number, floor and door (case and dots ignored)', () => {
    assert.equal(matchesReported(A, { municipalityCode: '0461', addressId: A.addressId }), true);
    assert.equal(matchesReported(A, { municipalityCode: '0461', addressId: B.addressId }), false);
    assert.equal(matchesReported(A, { municipalityCode: '0101', addressId: A.addressId }), false, 'the municipality must match too');
    assert.equal(matchesReported(B, { municipalityCode: '0461', roadName: 'b bangs gade', houseNumber: '2', floor: '1.' }), true);
    assert.equal(matchesReported(B, { municipalityCode: '0461', roadName: 'B. Bangs Gade', houseNumber: '2' }), false, 'the floor is part of the address');
    assert.equal(matchesReported(A, { municipalityCode: '0461' }), false);
    const nfa = { municipalityCode: '0461', roadCode: '9900', roadName: 'Uden fast bopæl' };
    assert.equal(matchesReported(nfa, { municipalityCode: '0461' }), true, '§6(4): without fixed abode only the municipality is reported');
    assert.equal(matchesReported(nfa, { municipalityCode: '0101' }), false);
    assert.equal(matchesReported(nfa, { municipalityCode: '0461', addressId: A.addressId }), false);
  });
  test('the name is the full name or the addressing name', () => {
    const n = mover().name;
    assert.equal(nameMatches(n, 'Karen Marie Olsen'), true);
    assert.equal(nameMatches(n, 'Olsen, Karen Marie'), true);
    assert.equal(nameMatches(n, 'Karen Olsen'), false);
  });
  test('only a resident at the old address is moved; not to where they already live', () => {
    assert.doesNotThrow(() => checkMover(mover(), { name: 'Karen Marie Olsen', from: { municipalityCode: '0461', addressId: A.addressId } }, B));
    assert.throws(() => checkMover(mover({ status: '80', address: null }), { from: { municipalityCode: '0461', addressId: A.addressId } }, B), refused('not_resident'));
    assert.throws(() => checkMover(mover({ status: '70' }), { from: { municipalityCode: '0461', addressId: A.addressId } }, B), refused('not_resident'));
    assert.throws(() => checkMover(mover(), { from: { municipalityCode: '0461', addressId: B.addressId } }, B), refused('not_at_old_address'));
    assert.throws(() => checkMover(mover(), { from: { municipalityCode: '0461', addressId: A.addressId } }, A), refused('already_at_address'));
    assert.throws(() => checkMover(mover(), { name: 'Someone Else', from: { municipalityCode: '0461', addressId: A.addressId } }, B), refused('name_mismatch'));
  });
  test('a move sets the new address from the move date, and status 01 for a person with a special road code', () => {
    assert.deepEqual(moveChanges({ status: '01' }, B, '2026-06-01'), [{ group: 'address', validFrom: '2026-06-01', value: B }]);
    assert.equal(moveChanges({ status: '03' }, B, '2026-06-01').length, 2);
  });
  test('sameAddress: by DAR id when both have one, else by codes', () => {
    assert.equal(sameAddress(A, { ...A }), true);
    assert.equal(sameAddress(A, B), false);
    const { addressId: _, ...noId } = A;
    assert.equal(sameAddress(noId, { ...noId, houseNumber: '10 ' }), true);
    assert.equal(sameAddress(null, A), false);
  });
});

describe('§13(2)-(3): hearing of the other parent', () => {
  const child = mover({ pnr: '0505161235', birthDate: '2016-05-05', parents: ['0303851234', '0404841233'] });
  const mum = { pnr: '0303851234', address: A };
  const dad = { pnr: '0404841233', address: A };
  test('lived with both parents, one moves with the child: the other is heard', () => {
    assert.deepEqual(parentsToHear(child, [mum, dad], new Set([child.pnr, mum.pnr]), new Set([mum.pnr]), '2026-06-01'), [dad.pnr]);
  });
  test('no hearing when the other parent co-signs (§13(2) "(med)underskriver")', () => {
    assert.deepEqual(parentsToHear(child, [mum, dad], new Set([child.pnr, mum.pnr]), new Set([mum.pnr, dad.pnr]), '2026-06-01'), []);
  });
  test('no hearing of a parent who moves along', () => {
    assert.deepEqual(parentsToHear(child, [mum, dad], new Set([child.pnr, mum.pnr, dad.pnr]), new Set([mum.pnr]), '2026-06-01'), []);
  });
  test('2nd sentence: lived with one parent who stays and did not sign (the child moved by the other): that parent is heard', () => {
    const away = { ...mum, address: B };
    assert.deepEqual(parentsToHear(child, [away, dad], new Set([child.pnr]), new Set([away.pnr]), '2026-06-01'), [dad.pnr]);
  });
  test('a parent who did not live with the child is not heard; nor for an adult', () => {
    assert.deepEqual(parentsToHear(child, [mum, { ...dad, address: B }], new Set([child.pnr, mum.pnr]), new Set([mum.pnr]), '2026-06-01'), []);
    const adult = { ...child, birthDate: '2008-05-05' };
    assert.deepEqual(parentsToHear(adult, [mum, dad], new Set([adult.pnr, mum.pnr]), new Set([mum.pnr]), '2026-06-01'), []);
    assert.equal(ageOn('2008-06-02', '2026-06-01'), 17, 'a day before the 18th birthday the child is still a child');
    assert.deepEqual(parentsToHear({ ...child, birthDate: '2008-06-02' }, [mum, dad], new Set([child.pnr, mum.pnr]), new Set([mum.pnr]), '2026-06-01'), [dad.pnr]);
  });
  test('§13(3): with protection requested the departure municipality hears', () => {
    assert.equal(hearingMunicipality('0461', '0155', true), '0461');
    assert.equal(hearingMunicipality('0461', '0155', false), '0155');
  });
});

describe('§12(6): correction of a registered move', () => {
  test('only with documentation; the old address is re-asserted up to the corrected date', () => {
    assert.throws(() => correctionChanges({ address: A, validFrom: '2020-01-01' }, B, '2026-06-03', undefined), refused('documentation_required'));
    assert.throws(() => correctionChanges({ address: A, validFrom: '2020-01-01' }, B, '2026-06-03', '  '), refused('documentation_required'));
    assert.throws(() => correctionChanges({ address: A, validFrom: '2020-01-01' }, B, '2019-12-31', 'Kontrakt'), refused('invalid_period'));
    assert.deepEqual(correctionChanges({ address: A, validFrom: '2020-01-01' }, B, '2026-06-03', 'Kontrakt'), [
      { group: 'address', validFrom: '2020-01-01', validTo: '2026-06-03', value: A },
      { group: 'address', validFrom: '2026-06-03', value: B },
    ]);
  });
});

describe('§6(4)-(5): no fixed abode, disappeared, found', () => {
  test('no fixed abode: a special road code in the same municipality, status 03', () => {
    const addr = noFixedAbodeAddress('0461');
    assert.equal(addr.roadCode, '9900');
    assert.throws(() => noFixedAbodeAddress('0461', '0225'), refused('invalid_road_code'));
    const ch = noFixedAbodeChanges({ status: '01', address: A }, '2026-06-01', addr);
    assert.deepEqual(ch.map((c) => c.group), ['address', 'status']);
    assert.throws(() => noFixedAbodeChanges({ status: '03', address: addr }, '2026-06-01', addr), refused('already_no_fixed_abode'));
    assert.throws(() => noFixedAbodeChanges({ status: '80', address: null }, '2026-06-01', addr), refused('not_resident'));
    assert.throws(() => noFixedAbodeChanges({ status: '01', address: A }, '2026-06-01', noFixedAbodeAddress('0155')), refused('other_municipality'));
  });
  test('disappeared: only a resident; status 70 and the address ends', () => {
    assert.deepEqual(disappearedChanges({ status: '03' }, '2026-06-01'), [
      { group: 'status', validFrom: '2026-06-01', value: { code: '70' } },
      { group: 'address', validFrom: '2026-06-01', value: null },
    ]);
    assert.throws(() => disappearedChanges({ status: '70' }, '2026-06-01'), refused('already_disappeared'));
    assert.throws(() => disappearedChanges({ status: '90' }, '2026-06-01'), refused('not_resident'));
  });
  test('found: only a disappeared person, not before the disappearance; 03 without fixed abode', () => {
    assert.equal((foundChanges({ status: '70', disappearedOn: '2026-03-01' }, '2026-06-01', B)[0]!.value as { code: string }).code, '01');
    assert.equal((foundChanges({ status: '70', disappearedOn: null }, '2026-06-01', noFixedAbodeAddress('0461'))[0]!.value as { code: string }).code, '03');
    assert.throws(() => foundChanges({ status: '01', disappearedOn: null }, '2026-06-01', B), refused('not_disappeared'));
    assert.throws(() => foundChanges({ status: '70', disappearedOn: '2026-03-01' }, '2026-02-01', B), refused('invalid_period'));
  });
});

describe('§10-11: investigation', () => {
  test('§10(1): the municipality of registration, or of a known address elsewhere', () => {
    assert.doesNotThrow(() => assertMayInvestigate('0461', '0461', null));
    assert.throws(() => assertMayInvestigate('0155', '0461', null), refused('other_municipality'));
    assert.doesNotThrow(() => assertMayInvestigate('0155', '0461', '0155'));
    assert.throws(() => assertMayInvestigate('0461', '0461', '0155'), refused('other_municipality'));
    assert.doesNotThrow(() => assertMayInvestigate(null, '0461', null), 'the CPR administration');
  });
  test('§11(2): 14 days from the assumed arrival; decided only after them, or when unreachable', () => {
    assert.equal(replyDeadline('2026-06-01'), '2026-06-15');
    const s = { status: 'awaiting_reply', deadline: '2026-06-15', unreachable: false };
    assert.throws(() => assertMayDecide(s, '2026-06-15'), refused('reply_period_running'));
    assert.doesNotThrow(() => assertMayDecide(s, '2026-06-16'));
    assert.doesNotThrow(() => assertMayDecide({ ...s, unreachable: true }, '2026-06-02'));
    assert.throws(() => assertMayDecide({ ...s, status: 'open' }, '2026-07-01'), refused('request_not_sent'));
    assert.throws(() => assertMayDecide({ ...s, status: 'closed' }, '2026-07-01'), refused('case_wrong_status'));
  });
});

describe('§56: complaints', () => {
  test('§56(1): 4 weeks from notification, inclusive', () => {
    assert.equal(complaintDeadline('2026-06-01'), '2026-06-29');
    assert.deepEqual(admissibility({ lodgedOn: '2026-06-29', notifiedOn: '2026-06-01' }), { admissible: true });
    const late = admissibility({ lodgedOn: '2026-06-30', notifiedOn: '2026-06-01' });
    assert.equal(late.admissible, false);
    assert.equal(!late.admissible && late.code, 'complaint_too_late');
  });
  test('§56(3): a residence registration more than 2 years before the complaint is refused', () => {
    assert.deepEqual(admissibility({ lodgedOn: '2026-06-01', residenceRegisteredOn: '2024-06-01' }), { admissible: true });
    const old = admissibility({ lodgedOn: '2026-06-02', residenceRegisteredOn: '2024-06-01' });
    assert.equal(!old.admissible && old.code, 'registration_too_old');
    assert.equal(yearsBefore('2028-02-29', 2), '2026-02-28', 'a leap day goes to 28 February');
  });
});

describe('cases', () => {
  const c: Case = { id: 1, kind: 'move', status: 'doubt', municipalityCode: '0461', sharedWith: null, pnr: '0101801234', deadline: null, payload: {}, history: [], createdAt: 't0', updatedAt: 't0', version: 1 };
  test('a transition appends to the history and keeps the rest', () => {
    const n = transition(c, { at: 't1', by: '0461/usr', action: 'withdrawn' }, { status: 'withdrawn' });
    assert.equal(n.status, 'withdrawn');
    assert.equal(n.history.length, 1);
    assert.equal(n.updatedAt, 't1');
    assert.equal(c.status, 'doubt', 'pure: the old case is unchanged');
    assert.throws(() => requireStatus(n, ['doubt'], 'register'), refused('case_wrong_status'));
  });
});

describe('§54: letters in Danish with masked person numbers', () => {
  const base = { caseId: 7, municipalityCode: '0461', date: '2026-06-01', recipient: { pnr: '0101801234', name: 'Karen Olsen', address: ['B. Bangs Gade 2, 1.', '5000 Odense C'] } };
  const letters = [
    receiptLetter({ ...base, receiptNumber: '0461-2026-000007', reportedOn: '2026-06-01', moveDate: '2026-06-01', movers: [{ pnr: '0101801234', name: 'Karen Olsen' }, { pnr: '0505161235', name: 'Tue Olsen' }], from: A, to: B, outcome: 'registered', late: true }),
    requestToReportLetter({ ...base, basis: 'Posten kommer retur.', deadline: '2026-06-15', registeredAddress: A }),
    decisionLetter({ ...base, subject: 'Afgørelse', decision: 'Du er flyttet.', grounds: 'Ingen svar.', rule: 'CPR-lovens § 11' }),
    hearingLetter({ ...base, child: { pnr: '0505161235', name: 'Tue Olsen' }, moveDate: '2026-06-01', to: null, protectionRequested: true, answerBy: '2026-06-15' }),
  ];
  test('no full person number in any letter, text or HTML; the masked form is there', () => {
    for (const l of letters) {
      for (const doc of [letterText(l), letterHtml(l)]) {
        assert.ok(!/\d{6}-?\d{4}(?!\d)/.test(doc.replace(/0461-2026-000007/g, '')), `${l.kind}: no full number`);
        assert.ok(!doc.includes('0101801234') && !doc.includes('010180-1234'));
      }
    }
    assert.match(letterText(letters[0]!), /010180-xxxx/);
    assert.match(letterText(letters[0]!), /050516-xxxx/);
  });
  test('Danish dates and the paragraphs the letters rest on', () => {
    assert.equal(danishDate('2026-06-01'), '1. juni 2026');
    assert.match(letterText(letters[0]!), /§ 12, stk. 5/);
    assert.match(letterText(letters[0]!), /§ 57/, 'the late mark is told');
    assert.match(letterText(letters[1]!), /15\. juni 2026/);
    assert.match(letterText(letters[2]!), /Klagevejledning/);
    assert.match(letterText(letters[3]!), /Oplyses ikke/, '§13(3): no new address');
  });
  test('HTML escapes what the clerk wrote', () => {
    const l = decisionLetter({ ...base, subject: 'A', decision: '<script>x</script>', grounds: 'a & b', rule: 'r' });
    const html = letterHtml(l);
    assert.ok(!html.includes('<script>'));
    assert.match(html, /&lt;script&gt;/);
    assert.match(html, /a &amp; b/);
  });
});
