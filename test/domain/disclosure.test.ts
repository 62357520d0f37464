/**
 * Disclosure (SPEC DIS-1..DIS-8): the policy of chapters 8-12 of the Act,
 * one case per sentence of the law that can go wrong, plus a property over
 * random grants and persons.
 *
 * Persons are built the way the register builds a view (register.ts
 * `person`): registrations applied with `applyChanges`, then the versions
 * valid at V as known at R (`versionsAsOf`) folded by `stateOf`. So a
 * protection whose validity has ended is absent from the view at a later
 * date, exactly as in `Register.person`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  COMPANY_FIELDS,
  FIELD_NAMES,
  LEGAL_BASES,
  NEVER_FOR_PRIVATE,
  WITHHELD_REASONS,
  allowedFields,
  resolveGrant,
  type CustomerKind,
  type FieldName,
  type Grant,
} from '../../src/domain/disclosure/policy.ts';
import { disclose, effectiveProtections, type Disclosure } from '../../src/domain/disclosure/project.ts';
import { applyChanges, stateOf, versionsAsOf, type Version } from '../../src/register/bitemporal.ts';
import type { PersonHistory, PersonView } from '../../src/register/register.ts';
import { validateChanges, type NewRegistration } from '../../src/register/validate.ts';

// ─── Building persons ──────────────────────────────────────────────────────

type Change = NonNullable<NewRegistration['changes']>[number];

const PNR = '1407851234';
const MOTHER = '0101551236';
const FATHER = '0202531237';
const CHILD = '0303101238';
const SPOUSE = '0404831239';
const CUSTODY = '0505601230';
const GUARDIAN = '0606651231';
const OLD_PNR = '1407851111';
const ALL_PNRS = [PNR, MOTHER, FATHER, CHILD, SPOUSE, CUSTODY, GUARDIAN, OLD_PNR];

const HOME = {
  municipalityCode: '0461',
  roadCode: '1234',
  roadName: 'Vestergade',
  houseNumber: '12',
  floor: '2',
  door: 'tv',
  postalCode: '5000',
  postalDistrict: 'Odense C',
  addressId: '0a3f50a0-22ce-32b8-e044-0003ba298018',
  accessAddressId: '0a3f507b-c905-32b8-e044-0003ba298018',
};
const STOCKHOLM = { lines: ['Storgatan 1', '111 22 Stockholm'], countryCode: '5120' };
const CONTACT = { lines: ['c/o Hansen', 'Nørregade 3', '5000 Odense C'] };

/** An ordinary adult: everything of Bilag 1 a person usually has, and a marketing protection. */
function ordinary(): Change[] {
  return [
    { group: 'name', validFrom: '1985-07-20', value: { firstNames: ['Mette'], middleNames: ['Holm'], lastName: 'Jensen' } },
    { group: 'birth', validFrom: '1985-07-14', value: { birthDate: '1985-07-14', sex: 'K', place: 'Odense Sankt Knuds', authorityCode: '7101' } },
    { group: 'address', validFrom: '2015-03-01', value: HOME },
    { group: 'status', validFrom: '1985-07-14', value: { code: '01' } },
    { group: 'citizenship', validFrom: '1985-07-14', value: { countryCode: '5100' } },
    { group: 'church', validFrom: '1985-09-01', value: { member: 'F' } },
    { group: 'relation', validFrom: '1985-07-14', value: { role: 'mother', pnr: MOTHER } },
    { group: 'relation', validFrom: '1985-07-14', value: { role: 'father', pnr: FATHER } },
    { group: 'relation', validFrom: '2010-03-03', value: { role: 'child', pnr: CHILD } },
    { group: 'civilStatus', validFrom: '2009-06-12', value: { code: 'G', spousePnr: SPOUSE, spouseName: 'Peter Jensen' } },
    { group: 'occupation', validFrom: '2012-01-01', value: { title: 'Sygeplejerske' } },
    { group: 'protection', validFrom: '2018-05-01', value: { type: '0003' } },
    { group: 'election', validFrom: '2003-07-14', value: { excluded: false } },
    { group: 'note', key: 'n1', validFrom: '2016-01-01', value: { text: 'Kontaktet om adresse' } },
  ];
}

interface Reg {
  at: string;
  changes: Change[];
}

/** A view of the person valid at `validAt` as known at `knownAt`, and the history, as the register makes them. */
function person(regs: Reg[], validAt: string, knownAt = '2030-01-01T00:00:00.000Z'): { view: PersonView; history: PersonHistory } {
  let versions: Version[] = [];
  regs.forEach((r, i) => {
    versions = applyChanges(versions, validateChanges(r.changes), r.at, i + 1);
  });
  const state = stateOf(versionsAsOf(versions, validAt, knownAt));
  return {
    view: { pnr: PNR, birthDate: '1985-07-14', sex: 'K', validAt, knownAt, state },
    history: { pnr: PNR, versions, registrations: [] },
  };
}
const base = (extra: Change[] = [], at = '2020-01-01T00:00:00.000Z'): Reg[] => [
  { at: '2019-01-01T00:00:00.000Z', changes: ordinary() },
  ...(extra.length ? [{ at, changes: extra }] : []),
];

const NOW = '2024-06-01';
const ordinaryView = () => person(base(), NOW).view;

const grant = (customerKind: CustomerKind, legalBases: string[], more: Partial<Grant> = {}): Grant => ({ customerKind, legalBases, ...more });
const keys = (d: Disclosure) => Object.keys(d.data).sort();
const reasonOf = (d: Disclosure, field: string) => d.withheld.find((w) => w.field === field)?.reason;

/** Every string leaf of a value. */
function leaves(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => leaves(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => leaves(x, out));
  return out;
}
const numbersIn = (d: Disclosure) => leaves(d.data).filter((s) => /^\d{10}$/.test(s));

// ─── Protections ──────────────────────────────────────────────────────────

describe('protections in force (§28-§30, PRO-1)', () => {
  test('name-and-address protection brings local-directory and research protection along (§30(1)), not marketing', () => {
    const { view } = person(base([{ group: 'protection', validFrom: '2024-01-01', validTo: '2025-01-01', value: { type: '0001' } }]), NOW);
    const eff = effectiveProtections(view.state, NOW);
    assert.deepEqual(
      eff.map((p) => [p.type, p.impliedBy ?? null]),
      [
        ['0001', null],
        ['0002', '0001'],
        ['0003', null],
        ['0004', '0001'],
      ],
    );
    assert.equal(eff.find((p) => p.type === '0002')!.validTo, '2025-01-01', 'only while §28 protection is in force');
  });
  test('a separately registered §29 protection stays when §28 protection lapses (§30(2))', () => {
    const extra: Change[] = [
      { group: 'protection', validFrom: '2024-01-01', validTo: '2025-01-01', value: { type: '0001' } },
      { group: 'protection', validFrom: '2020-01-01', value: { type: '0002' } },
    ];
    const during = person(base(extra), NOW).view;
    assert.equal(effectiveProtections(during.state).find((p) => p.type === '0002')!.impliedBy, undefined);
    const after = person(base(extra), '2025-02-01').view;
    assert.deepEqual(effectiveProtections(after.state).map((p) => p.type), ['0002', '0003']);
  });
  test('the protection lapses after its year without a clerk: it is absent from the view at a later date (§28 2nd sentence)', () => {
    const regs = base([{ group: 'protection', validFrom: '2024-01-01', validTo: '2025-01-01', value: { type: '0001' } }]);
    assert.equal(effectiveProtections(person(regs, '2024-12-31').view.state)[0]!.type, '0001');
    assert.ok(!effectiveProtections(person(regs, '2025-01-01').view.state).some((p) => p.type === '0001'));
  });
  test('a stale fact in a hand-made view is not in force at validAt', () => {
    const { view } = person(base([{ group: 'protection', validFrom: '2024-01-01', validTo: '2025-01-01', value: { type: '0001' } }]), NOW);
    const stale: PersonView = { ...view, validAt: '2025-06-01' };
    assert.ok(!effectiveProtections(stale.state, stale.validAt).some((p) => p.type === '0001'));
    assert.ok(disclose(stale, grant('business', ['§38(2)'])).data.name, 'lapsed protection does not withhold');
  });
});

// ─── An ordinary person, per customer kind ────────────────────────────────

describe('an ordinary person', () => {
  test('business, §38(2)/§42(2): current name, address, move date, occupation, marketing mark — and nothing else', () => {
    for (const basis of ['§38(2)', '§39', '§42(2)']) {
      const d = disclose(ordinaryView(), grant('business', [basis]));
      assert.deepEqual(keys(d), ['address', 'addressingName', 'marketingProtection', 'moveDate', 'name', 'occupation'], basis);
      assert.equal(d.data.moveDate, '2015-03-01', 'the date of the move to the current address (nr. 2)');
      assert.equal(d.data.occupation, 'Sygeplejerske');
      assert.equal(d.data.addressingName, 'Jensen,Mette Holm');
      assert.equal(d.data.marketingProtection, true, 'nr. 4: a mark, not a reason to withhold');
      assert.deepEqual(d.basis, [basis]);
      assert.equal(d.protectionMark, undefined);
    }
  });
  test('business never gets a person number, birth data, relations, citizenship, church, civil status (§38(2), PNR-5)', () => {
    const d = disclose(ordinaryView(), grant('business', ['§38(2)']));
    assert.deepEqual(numbersIn(d), [], 'no person number anywhere');
    for (const f of ['pnr', 'birthDate', 'sex', 'birthPlace', 'relations', 'citizenship', 'church', 'spouse', 'status', 'protections', 'notes', 'election']) {
      assert.equal(reasonOf(d, f), undefined, `${f}: neither given nor named`);
      assert.equal(Object.hasOwn(d.data, f), false, f);
    }
    assert.equal(reasonOf(d, 'civilStatus'), 'not_in_basis', 'insurers could have it (§38(3)), a business not');
    assert.equal(reasonOf(d, 'civilStatusDate'), 'not_in_basis');
  });
  test('insurer, §38(3)/§42(3): also civil status and its date, not the spouse', () => {
    for (const [b2, b3] of [
      ['§38(2)', '§38(3)'],
      ['§42(2)', '§42(3)'],
    ] as const) {
      const d = disclose(ordinaryView(), grant('insurer', [b2, b3]));
      assert.deepEqual(keys(d), ['address', 'addressingName', 'civilStatus', 'civilStatusDate', 'marketingProtection', 'moveDate', 'name', 'occupation']);
      assert.equal(d.data.civilStatus, 'G');
      assert.equal(d.data.civilStatusDate, '2009-06-12');
      assert.equal(reasonOf(d, 'spouse'), undefined, 'not given, and not named in withheld');
      assert.deepEqual(d.basis, [b2, b3]);
    }
  });
  test('an insurer\'s electronic single enquiry (§39) covers only §42(1)-(2): no civil status', () => {
    const d = disclose(ordinaryView(), grant('insurer', ['§39']));
    assert.equal(d.data.civilStatus, undefined);
    assert.equal(reasonOf(d, 'civilStatus'), 'not_in_basis');
  });
  test('§38(3) is for insurers only; a business holding it has it rejected', () => {
    const d = disclose(ordinaryView(), grant('business', ['§38(2)', '§38(3)']));
    assert.deepEqual(d.rejectedBases, [{ basis: '§38(3)', reason: 'not_for_customer_kind' }]);
    assert.equal(d.data.civilStatus, undefined);
  });
  test('credit bureau, §38(4): the same as a business for an unprotected person', () => {
    const d = disclose(ordinaryView(), grant('credit_bureau', ['§38(2)', '§38(4)']));
    assert.deepEqual(keys(d), ['address', 'addressingName', 'marketingProtection', 'moveDate', 'name', 'occupation']);
    assert.equal(d.protectionMark, undefined);
  });
  test('landlord, §45: names only; the landlord service (seed 000): addressing name and move-in date', () => {
    assert.deepEqual(keys(disclose(ordinaryView(), grant('landlord', ['§45']))), ['addressingName', 'name']);
    assert.deepEqual(keys(disclose(ordinaryView(), grant('landlord', ['landlordService']))), ['addressingName', 'moveDate']);
  });
  test('public authority, §32: exactly its granted scope, other persons\' numbers included when granted', () => {
    const d = disclose(ordinaryView(), grant('public_authority', ['§32'], { fields: ['pnr', 'name', 'address', 'relations'] }));
    assert.deepEqual(keys(d), ['address', 'name', 'pnr', 'relations']);
    assert.deepEqual(
      d.data.relations!.map((r) => r.pnr),
      [CHILD, FATHER, MOTHER],
    );
    assert.equal(reasonOf(d, 'occupation'), 'not_in_scope');
    assert.equal(reasonOf(d, 'civilStatus'), 'not_in_scope');
  });
  test('public authority without a granted scope gets nothing (fail closed, DIS-1)', () => {
    const d = disclose(ordinaryView(), grant('public_authority', ['§32']));
    assert.deepEqual(keys(d), []);
    assert.ok(d.withheld.every((w) => w.reason === 'not_in_scope'));
  });
  test('CPR administration (§2): everything the person has', () => {
    const d = disclose(ordinaryView(), grant('cpr_admin', ['§2']));
    assert.deepEqual(d.withheld, []);
    assert.equal(d.data.pnr, PNR);
    assert.equal(d.data.spouse!.pnr, SPOUSE);
  });
  test('citizen, §46: own data, with own children\'s, spouse\'s and parents\' numbers', () => {
    const d = disclose(ordinaryView(), grant('citizen', ['§46'], { ownPnr: PNR }));
    assert.deepEqual(d.withheld, []);
    assert.equal(d.data.pnr, PNR);
    assert.deepEqual(numbersIn(d).sort(), [PNR, MOTHER, FATHER, CHILD, SPOUSE].sort());
  });
  test('citizen, §46, about someone else: nothing, the basis is rejected', () => {
    const d = disclose(ordinaryView(), grant('citizen', ['§46'], { ownPnr: '0101901234' }));
    assert.deepEqual(keys(d), []);
    assert.deepEqual(d.rejectedBases, [{ basis: '§46', reason: 'not_own_data' }]);
    assert.ok(d.withheld.every((w) => w.reason === 'no_basis'));
  });
  test('a citizen may ask like anyone under §42(2) ("enhver")', () => {
    const d = disclose(ordinaryView(), grant('citizen', ['§42(2)']));
    assert.deepEqual(keys(d), ['address', 'addressingName', 'marketingProtection', 'moveDate', 'name', 'occupation']);
  });
  test('legal interest (§43) and creditors (§42(5)) are cases for the municipality, never an instant answer', () => {
    const d = disclose(ordinaryView(), grant('business', ['§43(1)', '§43(2)', '§42(5)']));
    assert.deepEqual(keys(d), []);
    assert.deepEqual(
      d.rejectedBases.map((r) => r.reason),
      ['requires_case', 'requires_case', 'requires_case'],
    );
  });
  test('an unknown basis is rejected, not ignored silently', () => {
    assert.deepEqual(disclose(ordinaryView(), grant('business', ['§99'])).rejectedBases, [{ basis: '§99', reason: 'unknown_basis' }]);
  });
  test('a company\'s granted scope narrows its basis (DIS-1)', () => {
    const d = disclose(ordinaryView(), grant('business', ['§38(2)'], { fields: ['name', 'address', 'pnr'] }));
    assert.deepEqual(keys(d), ['address', 'name']);
    assert.equal(reasonOf(d, 'occupation'), 'not_in_scope');
    assert.equal(d.data.pnr, undefined, 'a scope cannot give what the law does not');
    assert.equal(reasonOf(d, 'pnr'), undefined);
  });
});

// ─── Name-and-address protection ──────────────────────────────────────────

describe('a person with name-and-address protection (§28)', () => {
  const regs = base([{ group: 'protection', validFrom: '2024-01-01', validTo: '2025-01-01', value: { type: '0001' } }]);
  const protectedView = () => person(regs, NOW).view;

  test('business: name, address and move date withheld; occupation and the marketing mark still given', () => {
    const d = disclose(protectedView(), grant('business', ['§38(2)']));
    assert.deepEqual(keys(d), ['marketingProtection', 'occupation']);
    for (const f of ['name', 'addressingName', 'address', 'moveDate']) assert.equal(reasonOf(d, f), 'protected_§28', f);
    assert.equal(d.withheld.find((w) => w.field === 'name')!.rule, '§28');
    assert.equal(d.protectionMark, undefined, 'nothing protected was disclosed');
  });
  test('insurer: civil status yes, protected name/address no (§38(3) is no exception of §28)', () => {
    const d = disclose(protectedView(), grant('insurer', ['§38(2)', '§38(3)']));
    assert.deepEqual(keys(d), ['civilStatus', 'civilStatusDate', 'marketingProtection', 'occupation']);
  });
  test('credit bureau, §38(4): name and address even when protected, with the mark; not to be passed on (§40(3))', () => {
    const d = disclose(protectedView(), grant('credit_bureau', ['§38(2)', '§38(4)']));
    assert.deepEqual(keys(d), ['address', 'addressingName', 'marketingProtection', 'moveDate', 'name', 'occupation']);
    assert.deepEqual(d.protectionMark, { type: '0001', validFrom: '2024-01-01', validTo: '2025-01-01', rules: ['§40(2)-(3)'], doNotPassOn: true });
    const single = disclose(protectedView(), grant('credit_bureau', ['§42(2)', '§42(4)']));
    assert.deepEqual(single.protectionMark!.rules, ['§44(1), §44(3)']);
  });
  test('credit bureau without §38(4)/§42(4) is an ordinary business', () => {
    const d = disclose(protectedView(), grant('credit_bureau', ['§38(2)']));
    assert.equal(reasonOf(d, 'name'), 'protected_§28');
  });
  test('public authority: protected name and address given, always with the mark (§34(2))', () => {
    const d = disclose(protectedView(), grant('public_authority', ['§32'], { fields: ['name', 'address', 'pnr'] }));
    assert.deepEqual(keys(d), ['address', 'name', 'pnr']);
    assert.deepEqual(d.protectionMark!.rules, ['§34(2)']);
    assert.equal(d.protectionMark!.doNotPassOn, true);
  });
  test('public authority whose scope holds no name or address: no mark needed', () => {
    const d = disclose(protectedView(), grant('public_authority', ['§32'], { fields: ['pnr', 'occupation'] }));
    assert.equal(d.protectionMark, undefined);
  });
  test('landlord, §45: names of the residents even when protected, with the mark; no address', () => {
    const d = disclose(protectedView(), grant('landlord', ['§45']));
    assert.deepEqual(keys(d), ['addressingName', 'name']);
    assert.ok(d.protectionMark);
    const svc = disclose(protectedView(), grant('landlord', ['landlordService']));
    assert.deepEqual(keys(svc), ['addressingName', 'moveDate']);
    assert.ok(svc.protectionMark);
  });
  test('§45 does not open the address of §38(2) to a landlord holding both', () => {
    const d = disclose(protectedView(), grant('landlord', ['§38(2)', '§45']));
    assert.deepEqual(keys(d), ['addressingName', 'marketingProtection', 'name', 'occupation']);
    assert.equal(reasonOf(d, 'address'), 'protected_§28');
  });
  test('the citizen sees own protected data, and may pass it on', () => {
    const d = disclose(protectedView(), grant('citizen', ['§46'], { ownPnr: PNR }));
    assert.ok(d.data.name && d.data.address);
    assert.equal(d.protectionMark!.doNotPassOn, false);
    assert.deepEqual(
      d.data.protections!.map((p) => p.type),
      ['0001', '0002', '0003', '0004'],
    );
  });
  test('local directory (§47): a protected person is left out entirely; so is one with §29(1) protection', () => {
    const plain = disclose(ordinaryView(), grant('business', ['§47']));
    assert.deepEqual(keys(plain), ['address', 'addressingName', 'name', 'occupation']);
    const prot = disclose(protectedView(), grant('business', ['§47']));
    assert.deepEqual(keys(prot), []);
    assert.equal(reasonOf(prot, 'occupation'), 'protected_§28');
    const local = person(base([{ group: 'protection', validFrom: '2020-01-01', value: { type: '0002' } }]), NOW).view;
    const d = disclose(local, grant('business', ['§47']));
    assert.deepEqual(keys(d), []);
    assert.equal(reasonOf(d, 'occupation'), 'protected_§29(1)');
    assert.equal(reasonOf(d, 'name'), 'protected_§29(1)');
  });

  test('lapsed: after the year the view has no protection and a business gets name and address again', () => {
    const later = person(regs, '2025-02-01').view;
    assert.equal(later.state.protection && (later.state.protection as unknown[]).some((f) => (f as { value: { type: string } }).value.type === '0001'), false);
    const d = disclose(later, grant('business', ['§38(2)']));
    assert.deepEqual(keys(d), ['address', 'addressingName', 'marketingProtection', 'moveDate', 'name', 'occupation']);
    assert.equal(d.protectionMark, undefined);
  });
  test('ended early on request: from the end date on, nothing is withheld', () => {
    const ended = [...regs, { at: '2024-03-01T00:00:00.000Z', changes: [{ group: 'protection', key: '0001', validFrom: '2024-03-01', value: null }] as Change[] }];
    const d = disclose(person(ended, NOW).view, grant('business', ['§38(2)']));
    assert.ok(d.data.name);
    const before = disclose(person(ended, '2024-02-15').view, grant('business', ['§38(2)']));
    assert.equal(before.data.name, undefined);
  });
});

// ─── Death, disappearance, emigration ─────────────────────────────────────

describe('a dead person (§38(2) nr. 5)', () => {
  const death: Change[] = [
    { group: 'status', validFrom: '2023-03-05', value: { code: '90' } },
    { group: 'address', validFrom: '2023-03-05', value: null },
  ];
  test('business: death with its date and the address at death (from the history)', () => {
    const { view, history } = person(base(death), NOW);
    const d = disclose(view, grant('business', ['§38(2)']), { history });
    assert.deepEqual(d.data.death, { date: '2023-03-05', lastAddress: HOME });
    assert.equal(d.data.address, undefined, 'no current address');
    assert.deepEqual(keys(d), ['addressingName', 'death', 'marketingProtection', 'name', 'occupation']);
    assert.equal(reasonOf(d, 'status'), undefined, 'not for companies, and not named');
  });
  test('without the history the date is given and the address at death is not known to the projection', () => {
    const d = disclose(person(base(death), NOW).view, grant('business', ['§38(2)']));
    assert.deepEqual(d.data.death, { date: '2023-03-05' });
  });
  test('an address protected at death is withheld ("medmindre denne er beskyttet"), even after the protection ran out', () => {
    const regs = base([{ group: 'protection', validFrom: '2022-06-01', validTo: '2023-06-01', value: { type: '0001' } }, ...death]);
    const { view, history } = person(regs, NOW);
    const d = disclose(view, grant('business', ['§38(2)']), { history });
    assert.deepEqual(d.data.death, { date: '2023-03-05' });
    assert.equal(reasonOf(d, 'death.lastAddress'), 'protected_§28');
    assert.ok(d.fields.includes('death'));
    const authority = disclose(view, grant('public_authority', ['§32'], { fields: ['death'] }), { history });
    assert.deepEqual(authority.data.death!.lastAddress, HOME);
  });
});

describe('a disappeared person (§38(2) nr. 6)', () => {
  test('disappearance and its date', () => {
    const { view } = person(base([{ group: 'status', validFrom: '2021-05-01', value: { code: '70' } }]), NOW);
    const d = disclose(view, grant('business', ['§38(2)']));
    assert.deepEqual(d.data.disappearance, { date: '2021-05-01' });
    assert.equal(d.data.death, undefined);
  });
});

describe('an emigrated person (§38(2) nr. 7-8)', () => {
  const emigration: Change[] = [
    { group: 'status', validFrom: '2022-08-01', value: { code: '80' } },
    { group: 'address', validFrom: '2022-08-01', value: null },
    { group: 'foreignAddress', validFrom: '2022-08-01', value: STOCKHOLM },
    { group: 'contactAddress', validFrom: '2022-08-15', value: CONTACT },
  ];
  test('business: emigration date, the new foreign address with its date, the contact address with its date', () => {
    const d = disclose(person(base(emigration), NOW).view, grant('business', ['§38(2)']));
    assert.deepEqual(d.data.emigration, { date: '2022-08-01', foreignAddress: { ...STOCKHOLM, date: '2022-08-01' } });
    assert.deepEqual(d.data.contactAddress, { ...CONTACT, date: '2022-08-15' });
    assert.equal(d.data.address, undefined);
    assert.equal(d.data.moveDate, undefined);
  });
  test('protected: the foreign address is withheld ("medmindre denne er beskyttet"), and the contact address too (§28)', () => {
    const regs = base([...emigration, { group: 'protection', validFrom: '2024-01-01', validTo: '2025-01-01', value: { type: '0001' } }]);
    const d = disclose(person(regs, NOW).view, grant('business', ['§38(2)']));
    assert.deepEqual(d.data.emigration, { date: '2022-08-01' });
    assert.equal(reasonOf(d, 'emigration.foreignAddress'), 'protected_§28');
    assert.equal(reasonOf(d, 'contactAddress'), 'protected_§28');
    assert.equal(d.protectionMark, undefined);
  });
});

// ─── Guardianship ─────────────────────────────────────────────────────────

describe('a person under guardianship (§38(2) nr. 9, Bilag 1 nr. 16)', () => {
  const g: Change[] = [
    { group: 'guardianship', validFrom: '2019-04-01', value: { guardianPnr: GUARDIAN, guardianName: 'Lars Nielsen', guardianAddress: ['Kongensgade 5', '5000 Odense C'] } },
  ];
  const view = () => person(base(g), NOW).view;
  test("business: the date and the guardian's name and address, never the guardian's number", () => {
    const d = disclose(view(), grant('business', ['§38(2)']), { protectedPersons: new Set() });
    assert.deepEqual(d.data.guardianship, { date: '2019-04-01', guardianName: 'Lars Nielsen', guardianAddress: ['Kongensgade 5', '5000 Odense C'] });
    assert.equal(reasonOf(d, 'guardianship.guardianPnr'), undefined, 'the guardian\'s number is not for companies, and not named');
    assert.deepEqual(numbersIn(d), []);
  });
  test("a protected guardian's name and address are withheld (§28 protects the guardian too)", () => {
    const d = disclose(view(), grant('business', ['§38(2)']), { protectedPersons: new Set([GUARDIAN]) });
    assert.deepEqual(d.data.guardianship, { date: '2019-04-01' });
    assert.equal(reasonOf(d, 'guardianship.guardianName'), 'protected_§28');
    assert.equal(reasonOf(d, 'guardianship.guardianAddress'), 'protected_§28');
  });
  test("when the guardian's protection is not supplied, a private party gets neither (fail closed)", () => {
    const d = disclose(view(), grant('business', ['§38(2)']));
    assert.deepEqual(d.data.guardianship, { date: '2019-04-01' });
    assert.equal(reasonOf(d, 'guardianship.guardianName'), 'protection_unknown');
  });
  test("a public authority gets the guardian's number when guardianship is in its scope", () => {
    const d = disclose(view(), grant('public_authority', ['§32'], { fields: ['guardianship'] }));
    assert.equal(d.data.guardianship!.guardianPnr, GUARDIAN);
    assert.equal(d.data.guardianship!.guardianName, 'Lars Nielsen');
  });
  test("own data (§46) with history: a protected guardian's name and address are cut from the former data too", () => {
    const { view: v, history } = person(base(g), NOW);
    const d = disclose(v, grant('citizen', ['§46'], { ownPnr: PNR }), { history, protectedPersons: new Set([GUARDIAN]) });
    assert.ok(!leaves(d.data).includes('Lars Nielsen'));
    assert.equal(reasonOf(d, 'history.guardianship.guardian'), 'protected_§28');
  });
  test("own data (§46): the guardian's number is no child's, spouse's or parent's", () => {
    const d = disclose(view(), grant('citizen', ['§46'], { ownPnr: PNR }), { protectedPersons: new Set() });
    assert.equal(d.data.guardianship!.guardianPnr, undefined);
    assert.equal(reasonOf(d, 'guardianship.guardianPnr'), 'pnr_not_allowed');
  });
});

// ─── Separation ───────────────────────────────────────────────────────────

describe('a separated person (§38(3), §42(3): "bortset fra oplysning om separation")', () => {
  const view = () => person(base([{ group: 'separation', validFrom: '2023-01-10', value: { separated: true } }]), NOW).view;
  test('insurer gets civil status and its date, never separation', () => {
    for (const bases of [['§38(2)', '§38(3)'], ['§42(2)', '§42(3)']]) {
      const d = disclose(view(), grant('insurer', bases));
      assert.equal(d.data.civilStatus, 'G');
      assert.equal(d.data.civilStatusDate, '2009-06-12');
      assert.equal(d.data.separation, undefined);
      assert.equal(reasonOf(d, 'separation'), undefined, 'not named either: that would tell the insurer of the separation');
    }
  });
  test('a private party cannot tell from withheld whether the person is separated, or has relations or a number change', () => {
    const separated = view();
    const plain = ordinaryView();
    for (const [kind, bases] of [
      ['insurer', ['§38(2)', '§38(3)']],
      ['insurer', ['§42(2)', '§42(3)']],
      ['business', ['§38(2)']],
      ['credit_bureau', ['§38(4)']],
      ['landlord', ['§38(2)']],
    ] as const) {
      const a = disclose(separated, grant(kind, [...bases]));
      const b = disclose(plain, grant(kind, [...bases]));
      assert.deepEqual(a.withheld, b.withheld, `${kind} ${bases.join(' ')}: the same withheld list with or without a separation`);
      assert.deepEqual(a.data, b.data, `${kind}: the same data`);
      for (const w of a.withheld) assert.notEqual(w.reason, 'not_for_companies', `${kind}: ${w.field}`);
    }
    // A public authority is told why (its scope could be widened).
    assert.equal(reasonOf(disclose(separated, grant('public_authority', ['§32'], { fields: ['name'] })), 'separation'), 'not_in_scope');
  });
  test('even a granted scope cannot give an insurer the separation', () => {
    const d = disclose(view(), grant('insurer', ['§38(3)'], { fields: ['civilStatus', 'separation'] }));
    assert.deepEqual(keys(d), ['civilStatus']);
  });
  test('a public authority with separation in scope gets it', () => {
    const d = disclose(view(), grant('public_authority', ['§32'], { fields: ['civilStatus', 'separation'] }));
    assert.deepEqual(d.data.separation, { date: '2023-01-10' });
  });
});

// ─── History, own data ────────────────────────────────────────────────────

describe('former data', () => {
  const moved: Change[] = [{ group: 'address', validFrom: '2022-01-01', value: { ...HOME, houseNumber: '14', addressId: undefined, accessAddressId: undefined } }];
  test('public authority: history only of the groups wholly in scope', () => {
    const { view, history } = person(base(moved), NOW);
    const d = disclose(view, grant('public_authority', ['§32'], { fields: ['history', 'address', 'moveDate', 'name', 'addressingName'] }), { history });
    const groups = new Set(d.data.history!.map((h) => h.group));
    assert.deepEqual([...groups].sort(), ['address', 'name']);
    assert.equal(d.data.history!.filter((h) => h.group === 'address' && h.registeredTo === null).length, 2, 'former and current address');
    assert.equal(reasonOf(d, 'history.relation'), 'not_in_scope');
  });
  test('companies get no former data (§38(2), §42(2) name current data only)', () => {
    const { view, history } = person(base(moved), NOW);
    const d = disclose(view, grant('business', ['§38(2)']), { history });
    assert.equal(d.data.history, undefined);
    assert.equal(reasonOf(d, 'history'), undefined, 'not for companies, and not named');
  });
  test('§46: current and former own data; a custody holder\'s number is stripped from both', () => {
    const extra: Change[] = [{ group: 'relation', validFrom: '1990-01-01', value: { role: 'custody_holder', pnr: CUSTODY } }];
    const { view, history } = person(base([...moved, ...extra]), NOW);
    const d = disclose(view, grant('citizen', ['§46'], { ownPnr: PNR }), { history });
    assert.ok(d.data.history!.length > 0);
    assert.ok(!leaves(d.data).includes(CUSTODY));
    assert.ok(leaves(d.data).includes(MOTHER));
    assert.equal(reasonOf(d, 'relations.pnr'), 'pnr_not_allowed');
    assert.equal(reasonOf(d, 'history.relation.pnr'), 'pnr_not_allowed');
  });
  test('history never shows what was registered after the view\'s knownAt', () => {
    const regs = base(moved, '2023-01-01T00:00:00.000Z');
    const { view, history } = person(regs, NOW, '2022-06-01T00:00:00.000Z');
    const d = disclose(view, grant('cpr_admin', ['§2']), { history });
    assert.ok(!d.data.history!.some((h) => h.group === 'address' && h.validFrom === '2022-01-01'));
  });
});

// ─── The policy table ─────────────────────────────────────────────────────

describe('the policy table', () => {
  test('§38(2) and §42(2) list the same nine items', () => {
    assert.deepEqual(LEGAL_BASES.get('§38(2)')!.fields, LEGAL_BASES.get('§42(2)')!.fields);
    assert.deepEqual(LEGAL_BASES.get('§39')!.fields, LEGAL_BASES.get('§42(2)')!.fields);
  });
  test('no basis for private parties gives a person number, except own data (§46)', () => {
    for (const b of LEGAL_BASES.values()) {
      if (b.ownDataOnly || !b.customerKinds.some((k) => k !== 'public_authority' && k !== 'cpr_admin')) continue;
      const fields = b.fields === 'all' || b.fields === 'granted_scope' ? FIELD_NAMES : b.fields;
      for (const f of ['pnr', 'relations', 'spouse', 'numberChanges', 'separation', 'birthPlace', 'citizenship', 'church'] as FieldName[]) {
        assert.ok(!fields.includes(f), `${b.id} ${f}`);
      }
      assert.equal(b.otherNumbers, 'none', b.id);
    }
  });
  test('every withheld reason has a rule and a description', () => {
    for (const [code, r] of Object.entries(WITHHELD_REASONS)) assert.ok(r.rule && r.description, code);
  });
});

// ─── Property ─────────────────────────────────────────────────────────────

/** The law's own lists for private parties (§38(2)-(4), §42(2)-(4), §45, §47 and the landlord service), written out here. */
const LAW_PRIVATE: ReadonlySet<string> = new Set([...COMPANY_FIELDS, 'civilStatus', 'civilStatusDate']);
const PRIVATE: ReadonlySet<CustomerKind> = new Set(['business', 'insurer', 'credit_bureau', 'landlord', 'citizen']);

/** The fields a person has, worked out from the state independently of the projection. */
function presentFields(view: PersonView, withHistory: boolean): Set<string> {
  const s = view.state as Record<string, { value: Record<string, unknown> } | Array<{ value: Record<string, unknown> }> | undefined>;
  const one = (g: string) => {
    const f = s[g];
    return f === undefined ? undefined : Array.isArray(f) ? f[0] : f;
  };
  const out = new Set<string>(['pnr', 'birthDate', 'sex', 'marketingProtection']);
  const map: Record<string, string[]> = {
    name: ['name', 'addressingName'],
    address: ['address', 'moveDate'],
    supplementaryAddress: ['supplementaryAddress'],
    contactAddress: ['contactAddress'],
    occupation: ['occupation'],
    protection: ['protections'],
    status: ['status'],
    guardianship: ['guardianship'],
    civilStatus: ['civilStatus', 'civilStatusDate'],
    separation: ['separation'],
    relation: ['relations'],
    citizenship: ['citizenship'],
    church: ['church'],
    municipalCondition: ['municipalConditions'],
    note: ['notes'],
    election: ['election'],
    numberChange: ['numberChanges'],
    foreignAddress: ['emigration'],
  };
  for (const [g, fs] of Object.entries(map)) if (one(g)) fs.forEach((f) => out.add(f));
  const status = one('status')?.value.code;
  if (status === '90') out.add('death');
  if (status === '70') out.add('disappearance');
  if (status === '80') out.add('emigration');
  const civil = one('civilStatus')?.value;
  if (civil && (civil.spousePnr || civil.spouseName)) out.add('spouse');
  const birth = one('birth')?.value;
  if (birth && (birth.place || birth.authorityCode)) out.add('birthPlace');
  if (withHistory) out.add('history');
  return out;
}

const D = (n: number) => new Date(Date.UTC(2015, 0, 1 + n)).toISOString().slice(0, 10);

const arbChange: fc.Arbitrary<Change> = fc.oneof(
  fc.constant<Change>({ group: 'name', validFrom: '1985-07-20', value: { firstNames: ['Mette'], middleNames: ['Holm'], lastName: 'Jensen' } }),
  fc.constantFrom('1', '12', '14').map<Change>((h) => ({ group: 'address', validFrom: '2015-03-01', value: { ...HOME, houseNumber: h } })),
  fc.constant<Change>({ group: 'address', validFrom: '2020-01-01', value: null }),
  fc.constant<Change>({ group: 'foreignAddress', validFrom: '2019-05-01', value: STOCKHOLM }),
  fc.constant<Change>({ group: 'supplementaryAddress', validFrom: '2019-05-01', value: { lines: ['Hotel Nord', 'Oslo'] } }),
  fc.constant<Change>({ group: 'contactAddress', validFrom: '2019-05-02', value: CONTACT }),
  fc.constantFrom(undefined, 'Odense').map<Change>((place) => ({ group: 'birth', validFrom: '1985-07-14', value: { birthDate: '1985-07-14', sex: 'K', ...(place ? { place } : {}) } })),
  fc.constantFrom('5100', '5120').map<Change>((c) => ({ group: 'citizenship', validFrom: '1985-07-14', value: { countryCode: c } })),
  fc.constantFrom('F', 'U').map<Change>((m) => ({ group: 'church', validFrom: '1990-01-01', value: { member: m } })),
  fc
    .constantFrom(['mother', MOTHER], ['father', FATHER], ['child', CHILD], ['custody_holder', CUSTODY], ['child', undefined])
    .map<Change>(([role, pnr]) => ({ group: 'relation', validFrom: '1990-01-01', value: { role, ...(pnr ? { pnr } : { name: 'Ali Hassan' }) } })),
  fc.constantFrom('U', 'G', 'F').map<Change>((code) => ({
    group: 'civilStatus',
    validFrom: '2009-06-12',
    value: code === 'G' ? { code, spousePnr: SPOUSE, spouseName: 'Peter Jensen' } : { code },
  })),
  fc.constant<Change>({ group: 'separation', validFrom: '2021-01-10', value: { separated: true } }),
  fc.constantFrom('01', '03', '20', '70', '80', '90').map<Change>((code) => ({ group: 'status', validFrom: '2018-02-02', value: { code } })),
  fc
    .record({ type: fc.constantFrom('0001', '0002', '0003', '0004'), from: fc.integer({ min: 0, max: 4000 }), len: fc.option(fc.integer({ min: 1, max: 800 }), { nil: null }) })
    .map<Change>(({ type, from, len }) => ({ group: 'protection', validFrom: D(from), validTo: len === null ? null : D(from + len), value: { type } })),
  fc.constant<Change>({ group: 'occupation', validFrom: '2012-01-01', value: { title: 'Tømrer' } }),
  fc.constantFrom(true, false).map<Change>((withPnr) => ({
    group: 'guardianship',
    validFrom: '2019-04-01',
    value: withPnr ? { guardianPnr: GUARDIAN, guardianName: 'Lars Nielsen', guardianAddress: ['Kongensgade 5'] } : { guardianName: 'Advokat Berg' },
  })),
  fc.constant<Change>({ group: 'municipalCondition', key: 'm1', validFrom: '2016-01-01', value: { type: 'plejebarn', value: 'ja' } }),
  fc.constant<Change>({ group: 'note', key: 'n1', validFrom: '2016-01-01', value: { text: 'Opholdssted ukendt' } }),
  fc.constant<Change>({ group: 'election', validFrom: '2003-07-14', value: { excluded: true, reason: 'udrejst' } }),
  fc.constant<Change>({ group: 'numberChange', validFrom: '2017-01-01', value: { direction: 'replaces', pnr: OLD_PNR } }),
);

/** §28 protection for a year (or extended, open) from a random day: in force at the view's date about a third of the time. */
const arbNameAddressProtection: fc.Arbitrary<Change> = fc
  .record({ from: fc.integer({ min: 0, max: 4500 }), open: fc.boolean() })
  .map(({ from, open }) => ({ group: 'protection', validFrom: D(from), validTo: open ? null : D(from + 365), value: { type: '0001' } }));

const ALL_BASES = [...LEGAL_BASES.keys(), '§99'];
const KINDS: CustomerKind[] = ['public_authority', 'business', 'insurer', 'credit_bureau', 'landlord', 'cpr_admin', 'citizen'];
/** Mostly bases the kind may hold (so most grants disclose something), sometimes any. */
const arbGrant: fc.Arbitrary<Grant> = fc.constantFrom(...KINDS).chain((customerKind) =>
  fc.record(
    {
      customerKind: fc.constant(customerKind),
      legalBases: fc.oneof(
        fc.subarray(ALL_BASES, { minLength: 0, maxLength: 4 }),
        fc.subarray([...LEGAL_BASES.values()].filter((b) => b.customerKinds.includes(customerKind)).map((b) => b.id), { minLength: 1 }),
      ),
      fields: fc.oneof(fc.subarray([...FIELD_NAMES, 'bogus'], { minLength: 0 }), fc.constant([...FIELD_NAMES])),
      ownPnr: fc.constantFrom(PNR, MOTHER),
    },
    { requiredKeys: ['customerKind', 'legalBases'] },
  ),
);

test('property: a disclosure holds only what the policy allows, never a number a company may not have, and accounts for every field', () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(arbChange, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }),
      fc.option(arbNameAddressProtection, { nil: undefined, freq: 2 }),
      fc.integer({ min: 0, max: 4500 }),
      arbGrant,
      fc.boolean(),
      fc.option(fc.subarray([GUARDIAN, SPOUSE]), { nil: undefined }),
      (batches, protection, day, g, withHistory, prot) => {
        // Most persons have a name and an address; about half have had name-and-address protection at some time.
        const first: Change[] = [ordinary()[0]!, { group: 'address', validFrom: '2015-03-01', value: HOME }, ...(protection ? [protection] : [])];
        const regs = [first, ...batches].map((changes, i) => ({ at: `2019-0${1 + i}-01T00:00:00.000Z`, changes }));
        const { view, history } = person(regs, D(day));
        const opts = { ...(withHistory ? { history } : {}), ...(prot ? { protectedPersons: new Set(prot) } : {}) };
        const d = disclose(view, g, opts);
        const dataKeys = Object.keys(d.data);

        // 1. Only fields the policy allows for this grant (the union of its usable bases, within scope).
        const allowed = allowedFields(g, view.pnr);
        for (const k of dataKeys) assert.ok(allowed.has(k as FieldName), `${k} outside the policy for ${JSON.stringify(g)}`);

        // 2. Private parties, other than about themselves (§46): only the law's lists, and no person number at all.
        const own = resolveGrant(g, view.pnr).accepted.some((b) => b.ownDataOnly);
        if (PRIVATE.has(g.customerKind) && !own) {
          for (const k of dataKeys) assert.ok(LAW_PRIVATE.has(k), `${k} is in no list of the Act for private parties`);
          assert.deepEqual(numbersIn(d), [], 'no person number to a private party');
          assert.ok(!('separation' in d.data));
        }
        // §46: own number and own children's, spouse's, parents' (and own former number), nobody else's.
        if (own) {
          const ok = new Set([PNR, MOTHER, FATHER, CHILD, SPOUSE, OLD_PNR]);
          for (const n of numbersIn(d)) assert.ok(ok.has(n), `${n} is not a number §46 gives`);
        }
        for (const n of numbersIn(d)) assert.ok(ALL_PNRS.includes(n));

        // 3. §28: a protected person's name and address reach a private party only under an exception of §28.
        const protectedNow = effectiveProtections(view.state, view.validAt).some((p) => p.type === '0001');
        if (protectedNow && PRIVATE.has(g.customerKind)) {
          const exceptions = resolveGrant(g, view.pnr).accepted.filter((b) => b.protectedParts === 'all' || b.protectedParts.length > 0);
          if (exceptions.length === 0) {
            for (const k of ['name', 'addressingName', 'address', 'moveDate', 'contactAddress', 'supplementaryAddress']) assert.ok(!(k in d.data), k);
            assert.equal(d.data.emigration?.foreignAddress, undefined);
            assert.equal(d.data.death?.lastAddress, undefined);
          }
          if (['name', 'addressingName', 'address'].some((k) => k in d.data)) assert.ok(d.protectionMark, 'the mark goes with a protected name or address');
        }

        // 4. Every field of the person is either disclosed or withheld with a known reason, never both;
        // except that a private party is not told of fields no rule gives it (that would tell it the person has them).
        const withheldTop = new Set(d.withheld.filter((w) => !w.field.includes('.')).map((w) => w.field));
        for (const f of presentFields(view, withHistory)) {
          if (!dataKeys.includes(f) && !withheldTop.has(f)) {
            assert.ok(PRIVATE.has(g.customerKind) && NEVER_FOR_PRIVATE.has(f as FieldName), `${f}: neither disclosed nor withheld`);
          } else assert.ok(dataKeys.includes(f) !== withheldTop.has(f), `${f}: disclosed=${dataKeys.includes(f)} withheld=${withheldTop.has(f)}`);
        }
        if (PRIVATE.has(g.customerKind)) for (const w of d.withheld) assert.notEqual(w.reason, 'not_for_companies', w.field);
        for (const w of d.withheld) assert.ok(Object.hasOwn(WITHHELD_REASONS, w.reason), w.reason);
        for (const k of dataKeys) assert.ok(presentFields(view, withHistory).has(k), `${k} disclosed but the person has none`);

        // 5. The audit list is the data's keys in catalogue order; the bases used are usable ones.
        assert.deepEqual(d.fields, FIELD_NAMES.filter((f) => dataKeys.includes(f)));
        const usable = new Set(resolveGrant(g, view.pnr).accepted.map((b) => b.id));
        for (const b of d.basis) assert.ok(usable.has(b));
        if (dataKeys.length > 0) assert.ok(d.basis.length > 0);
      },
    ),
    { numRuns: 500 },
  );
});

describe('the log view (issue 14: what a customer\'s own log shows)', () => {
  test('person numbers in references are masked for a private customer (§54), ids are left as they are', async () => {
    const { loggedSubjects, maskedReference } = await import('../../src/domain/disclosure/log-view.ts');
    assert.equal(maskedReference('0101901234'), '010190-xxxx');
    assert.equal(maskedReference('kunde 010190-1234'), 'kunde 010190-xxxx');
    assert.equal(maskedReference('sub_7287950653abcdef'), 'sub_7287950653abcdef');
    assert.equal(maskedReference('delivery:dlv_1234567890ab'), 'delivery:dlv_1234567890ab');
    assert.equal(maskedReference('1a000000-0000-4000-8000-00000000000a'), '1a000000-0000-4000-8000-00000000000a');
    const record = { subjects: ['0101901234'], references: ['Anna Hansen', '0101901234'] };
    assert.deepEqual(loggedSubjects({ customerKind: 'business', legalBases: ['§38(2)'] }, record), ['Anna Hansen', '010190-xxxx']);
    assert.deepEqual(loggedSubjects({ customerKind: 'cpr_admin', legalBases: ['§2'] }, record), ['0101901234']);
    assert.deepEqual(loggedSubjects({ customerKind: 'public_authority', legalBases: ['§32'], fields: ['name'] }, record), ['Anna Hansen', '0101901234']);
  });
});
