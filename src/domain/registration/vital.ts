/**
 * Vital events reported by other authorities (VIT-1, §2(2)), pure: each event
 * is checked against the persons it concerns and turned into a plan — the
 * registrations to make, one per person, all written in one transaction.
 *
 * Event codes (COD-4, CprEvents.txt): A21 death, A24 civil status (marriage,
 * divorce, partnership, dissolution, separation), A13 name change, A34 church
 * membership, A73 guardianship, P03 change of number. The code list has no
 * birth event; a birth is registered as A14 "Navngivelse" (naming), the
 * event that gives the child its name and record.
 */
import { z } from 'zod';
import type { PersonView } from '../../register/register.ts';
import { RegistrationError } from '../../register/validate.ts';
import { addYears, type CivilDate } from '../dates.ts';
import { addressingName, validateChosenAddressingName } from '../names/addressing-name.ts';
import { guardianshipSchema, nameSchema, type GroupValue } from '../person/facts.ts';
import { addressOf, assertLiving, civilStatusOf, listOf, notInFuture, RESIDENT_STATUSES, single, statusOf } from './vital-common.ts';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const pnr = z.string();

export const birthSchema = z.strictObject({
  birthDate: date,
  sex: z.enum(['M', 'K']),
  motherPnr: pnr,
  /** The father (or co-mother) when known at birth (paternity, §2(2): reported by the family-law authority). */
  fatherPnr: pnr.optional(),
  /** The name if given at birth; otherwise given later by a name registration (A13). */
  name: nameSchema.optional(),
  place: z.string().trim().min(1).max(60).optional(),
  /** Authority code of the registration place (parish). */
  authorityCode: z.string().regex(/^\d{4}$/).optional(),
  /** Custody: default both parents when married to each other at the birth, else the mother. */
  custody: z.enum(['mother', 'both']).optional(),
});
export const deathSchema = z.strictObject({ pnr, date, place: z.string().trim().min(1).max(60).optional() });
export const coupleSchema = z.strictObject({ pnr, otherPnr: pnr, date });
export const separationEventSchema = coupleSchema.extend({ ended: z.boolean().default(false) });
export const nameChangeSchema = z.strictObject({ pnr, date, name: nameSchema });
export const churchEventSchema = z.strictObject({ pnr, date, member: z.boolean() });
export const guardianshipEventSchema = z.strictObject({ pnr, date, guardian: guardianshipSchema.optional(), ended: z.boolean().default(false) });
export const numberChangeEventSchema = z.strictObject({ pnr, birthDate: date, sex: z.enum(['M', 'K']), documentation: z.string().trim().min(1).max(200) });

export type BirthEvent = z.output<typeof birthSchema>;
export type CoupleEvent = z.output<typeof coupleSchema>;

export interface PlannedRegistration {
  /** A person number, or `'new'` for the child whose number is allocated in the same transaction. */
  pnr: string | 'new';
  eventCode: string;
  changes: Array<{ group: string; key?: string; validFrom: CivilDate; validTo?: CivilDate | null; value: unknown }>;
}

const masked = (p: string) => `${p.slice(0, 6)}-****`;

function assertDate(d: CivilDate, today: CivilDate, field: string, ...persons: PersonView[]): void {
  notInFuture(d, today, field);
  for (const p of persons) {
    if (d < p.birthDate) throw new RegistrationError('invalid_date', `${field} ${d} is before ${masked(p.pnr)} was born.`);
  }
}

/**
 * Birth (VIT-1): the child gets a number (§3(1) nr. 1), relations to mother
 * and father, custody holders, and the mother's address from the birth
 * ("address with the mother"). The parents get the child relation.
 */
export function planBirth(b: BirthEvent, mother: PersonView, father: PersonView | null, today: CivilDate): PlannedRegistration[] {
  notInFuture(b.birthDate, today, 'The birth date');
  assertLiving(mother.state, mother.pnr);
  if (mother.sex !== 'K') throw new RegistrationError('invalid_mother', 'The mother registered at a birth is a woman (the one who gave birth).');
  if (addYears(mother.birthDate, 10) > b.birthDate) throw new RegistrationError('invalid_mother', 'The mother is too young by her registered birth date.');
  const addr = addressOf(mother.state);
  const st = statusOf(mother.state);
  if (!addr || !st || !RESIDENT_STATUSES.has(st)) {
    throw new RegistrationError('mother_not_resident', 'A birth is registered with the mother\'s address; the mother is not registered as resident in Denmark.');
  }
  if (father) {
    if (father.pnr === mother.pnr) throw new RegistrationError('invalid_father', 'Mother and father are the same person.');
    if (father.birthDate >= b.birthDate) throw new RegistrationError('invalid_father', 'The father is born after the child.');
  }
  const cs = civilStatusOf(mother.state);
  const married = !!father && (cs?.code === 'G' || cs?.code === 'P') && cs.spousePnr === father.pnr;
  const custody = b.custody ?? (married ? 'both' : 'mother');
  if (custody === 'both' && !father) throw new RegistrationError('invalid_custody', 'Joint custody needs the father.');
  const d = b.birthDate;
  const danish = [mother, ...(father ? [father] : [])].some((p) => listOf(p.state, 'citizenship').some((c) => (c.value as GroupValue<'citizenship'>).countryCode === '5100'));
  const child: PlannedRegistration = {
    pnr: 'new',
    eventCode: 'A14',
    changes: [
      { group: 'birth', validFrom: d, value: { birthDate: d, sex: b.sex, ...(b.place && { place: b.place }), ...(b.authorityCode && { authorityCode: b.authorityCode }) } },
      { group: 'status', validFrom: d, value: { code: st === '05' || st === '07' ? '05' : '01' } },
      { group: 'address', validFrom: d, value: addr },
      { group: 'civilStatus', validFrom: d, value: { code: 'U' } },
      ...(b.name ? [{ group: 'name', validFrom: d, value: b.name }] : []),
      // Citizenship by descent from a Danish parent (indfødsretsloven §1).
      ...(danish ? [{ group: 'citizenship', key: '5100', validFrom: d, value: { countryCode: '5100' } }] : []),
      { group: 'relation', validFrom: d, value: { role: 'mother', pnr: mother.pnr } },
      ...(father ? [{ group: 'relation', validFrom: d, value: { role: 'father', pnr: father.pnr } }] : []),
      { group: 'relation', validFrom: d, value: { role: 'custody_holder', pnr: mother.pnr } },
      ...(custody === 'both' ? [{ group: 'relation', validFrom: d, value: { role: 'custody_holder', pnr: father!.pnr } }] : []),
    ],
  };
  const parentChanges = (holder: boolean) => [
    { group: 'relation', key: 'child:new', validFrom: d, value: { role: 'child', pnr: 'new' } },
    ...(holder ? [{ group: 'relation', key: 'custody_child:new', validFrom: d, value: { role: 'custody_child', pnr: 'new' } }] : []),
  ];
  return [
    child,
    { pnr: mother.pnr, eventCode: 'A14', changes: parentChanges(true) },
    ...(father ? [{ pnr: father.pnr, eventCode: 'A14', changes: parentChanges(custody === 'both') }] : []),
  ];
}

/** Death (VIT-1): status 90 from the date; no address after it; the spouse or partner is widowed (E) or surviving partner (L). */
export function planDeath(e: { date: CivilDate; place?: string }, person: PersonView, spouse: PersonView | null, today: CivilDate): PlannedRegistration[] {
  assertDate(e.date, today, 'The date of death', person);
  assertLiving(person.state, person.pnr);
  const cs = civilStatusOf(person.state);
  const out: PlannedRegistration[] = [
    {
      pnr: person.pnr,
      eventCode: 'A21',
      changes: [
        { group: 'status', validFrom: e.date, value: { code: '90' } },
        { group: 'address', validFrom: e.date, value: null },
        { group: 'civilStatus', validFrom: e.date, value: { code: 'D' } },
        { group: 'separation', validFrom: e.date, value: null },
        ...(e.place ? [{ group: 'note', key: 'death-place', validFrom: e.date, value: { text: `Dødssted: ${e.place}` } }] : []),
      ],
    },
  ];
  if (spouse && cs?.spousePnr === spouse.pnr && (cs.code === 'G' || cs.code === 'P')) {
    out.push({
      pnr: spouse.pnr,
      eventCode: 'A21',
      changes: [
        { group: 'civilStatus', validFrom: e.date, value: { code: cs.code === 'G' ? 'E' : 'L', spousePnr: person.pnr } },
        { group: 'separation', validFrom: e.date, value: null },
      ],
    });
  }
  return out;
}

/** Marriage law §2 (age 18) and §9 (no bigamy): who may marry. */
const FREE: ReadonlySet<string> = new Set(['U', 'F', 'E', 'O', 'L']);
/** The date the Registered Partnership Act was repealed (lov nr. 532 af 12/06/2012): no new partnerships from 15 June 2012. */
export const PARTNERSHIPS_END: CivilDate = '2012-06-15';

function checkCouple(e: CoupleEvent, a: PersonView, b: PersonView, today: CivilDate, what: string): void {
  if (a.pnr === b.pnr) throw new RegistrationError('invalid_couple', `A ${what} needs two different persons.`);
  assertDate(e.date, today, `The date of the ${what}`, a, b);
  assertLiving(a.state, a.pnr);
  assertLiving(b.state, b.pnr);
}

/** Marriage (A24): both free to marry and 18 or older; civil status G with the spouse. Partnership likewise, before 15 June 2012. */
export function planUnion(e: CoupleEvent, a: PersonView, b: PersonView, today: CivilDate, kind: 'marriage' | 'partnership'): PlannedRegistration[] {
  checkCouple(e, a, b, today, kind);
  if (kind === 'partnership' && e.date >= PARTNERSHIPS_END) {
    throw new RegistrationError('partnership_abolished', `No registered partnership can be entered from ${PARTNERSHIPS_END} (the act was repealed); register a marriage.`);
  }
  for (const p of [a, b]) {
    const cs = civilStatusOf(p.state)?.code ?? 'U';
    if (!FREE.has(cs)) throw new RegistrationError('already_married', `${masked(p.pnr)} is registered with civil status ${cs} and cannot enter a ${kind}.`);
    if (addYears(p.birthDate, 18) > e.date) throw new RegistrationError('under_age', `${masked(p.pnr)} is under 18 on ${e.date}.`);
    const since = single(p.state, 'civilStatus')?.validFrom;
    if (since && e.date < since) throw new RegistrationError('invalid_date', `The ${kind} date ${e.date} is before ${masked(p.pnr)}'s current civil status (${since}).`);
  }
  const code = kind === 'marriage' ? 'G' : 'P';
  return [a, b].map((p, i) => ({
    pnr: p.pnr,
    eventCode: 'A24',
    changes: [{ group: 'civilStatus', validFrom: e.date, value: { code, spousePnr: (i === 0 ? b : a).pnr } }],
  }));
}

/** Divorce (G → F) or dissolution of a partnership (P → O), A24; a separation ends with it. */
export function planEnd(e: CoupleEvent, a: PersonView, b: PersonView, today: CivilDate, kind: 'divorce' | 'dissolution'): PlannedRegistration[] {
  checkCouple(e, a, b, today, kind);
  const from = kind === 'divorce' ? 'G' : 'P';
  for (const [p, other] of [[a, b], [b, a]] as const) {
    const cs = civilStatusOf(p.state);
    if (cs?.code !== from || cs.spousePnr !== other.pnr) {
      throw new RegistrationError('not_married_to_each_other', `${masked(p.pnr)} is not registered as ${kind === 'divorce' ? 'married' : 'registered partner'} to ${masked(other.pnr)}.`);
    }
    const since = single(p.state, 'civilStatus')!.validFrom;
    if (e.date <= since) throw new RegistrationError('invalid_date', `The ${kind} date must be after the ${kind === 'divorce' ? 'marriage' : 'partnership'} (${since}).`);
  }
  const code = kind === 'divorce' ? 'F' : 'O';
  return [a, b].map((p, i) => ({
    pnr: p.pnr,
    eventCode: 'A24',
    changes: [
      { group: 'civilStatus', validFrom: e.date, value: { code, spousePnr: (i === 0 ? b : a).pnr } },
      { group: 'separation', validFrom: e.date, value: null },
    ],
  }));
}

/** Separation (A24): of spouses or partners to each other; `ended` ends it (resumed cohabitation). */
export function planSeparation(e: CoupleEvent & { ended: boolean }, a: PersonView, b: PersonView, today: CivilDate): PlannedRegistration[] {
  checkCouple(e, a, b, today, 'separation');
  for (const [p, other] of [[a, b], [b, a]] as const) {
    const cs = civilStatusOf(p.state);
    if ((cs?.code !== 'G' && cs?.code !== 'P') || cs.spousePnr !== other.pnr) {
      throw new RegistrationError('not_married_to_each_other', `${masked(p.pnr)} is not married to ${masked(other.pnr)}.`);
    }
    const sep = single(p.state, 'separation');
    if (!e.ended && sep) throw new RegistrationError('already_separated', `${masked(p.pnr)} is already registered as separated.`);
    if (e.ended && !sep) throw new RegistrationError('not_separated', `${masked(p.pnr)} is not registered as separated.`);
  }
  return [a, b].map((p) => ({ pnr: p.pnr, eventCode: 'A24', changes: [{ group: 'separation', validFrom: e.date, value: e.ended ? null : { separated: true } }] }));
}

/** Name change (A13): the new name with its addressing name (§5(4)-(7), REG-5). */
export function planNameChange(e: { date: CivilDate; name: z.output<typeof nameSchema> }, p: PersonView, today: CivilDate): PlannedRegistration[] {
  assertDate(e.date, today, 'The date of the name change', p);
  assertLiving(p.state, p.pnr);
  let chosen = e.name.addressingName;
  if (chosen !== undefined) {
    const check = validateChosenAddressingName(e.name, chosen);
    if (!check.ok) throw new RegistrationError('invalid_addressing_name', check.message);
    chosen = check.text;
  }
  const value = { ...e.name, addressingName: chosen ?? addressingName(e.name).text };
  return [{ pnr: p.pnr, eventCode: 'A13', changes: [{ group: 'name', validFrom: e.date, value }] }];
}

/** Church membership (A34): joining or leaving the national church. */
export function planChurch(e: { date: CivilDate; member: boolean }, p: PersonView, today: CivilDate): PlannedRegistration[] {
  assertDate(e.date, today, 'The date of the church event', p);
  assertLiving(p.state, p.pnr);
  const now = (single(p.state, 'church')?.value as GroupValue<'church'> | undefined)?.member;
  if ((now === 'F') === e.member) throw new RegistrationError('no_change', `The person is already registered as ${e.member ? '' : 'not '}a member.`);
  return [{ pnr: p.pnr, eventCode: 'A34', changes: [{ group: 'church', validFrom: e.date, value: { member: e.member ? 'F' : 'U' } }] }];
}

/** Guardianship (A73): placed under guardianship with the guardian's details, or released (`ended`). */
export function planGuardianship(e: { date: CivilDate; guardian?: GroupValue<'guardianship'>; ended: boolean }, p: PersonView, guardian: PersonView | null, today: CivilDate): PlannedRegistration[] {
  assertDate(e.date, today, 'The date of the guardianship decision', p);
  assertLiving(p.state, p.pnr);
  const current = single(p.state, 'guardianship');
  if (e.ended) {
    if (!current) throw new RegistrationError('not_under_guardianship', 'The person is not registered as under guardianship.');
    return [{ pnr: p.pnr, eventCode: 'A73', changes: [{ group: 'guardianship', validFrom: e.date, value: null }] }];
  }
  const g = e.guardian;
  if (!g || (!g.guardianPnr && !g.guardianName)) throw new RegistrationError('guardian_required', 'A guardianship names the guardian (person number or name).');
  if (g.guardianPnr && guardian === null) throw new RegistrationError('person_not_found', 'The guardian\'s person number is not in the register.');
  if (g.guardianPnr === p.pnr) throw new RegistrationError('invalid_guardian', 'A person cannot be their own guardian.');
  return [{ pnr: p.pnr, eventCode: 'A73', changes: [{ group: 'guardianship', validFrom: e.date, value: g }] }];
}
