/**
 * Vital events from other authorities (VIT-1, §2(2)): births, deaths,
 * marriages, divorces, partnerships and their dissolution, separations, name
 * changes, church membership, guardianship, and change of person number
 * (§3(5), Register.changeNumber). The caller is an authority with the legal
 * basis for the event (vital-authority.ts). Each event's registrations — one
 * per person concerned — are written in one transaction.
 */
import type { Caller } from '../../access/customers.ts';
import { dateOf } from '../../domain/dates.ts';
import { normalisePnr } from '../../domain/pnr/pnr.ts';
import {
  planBirth,
  planChurch,
  planDeath,
  planEnd,
  planGuardianship,
  planNameChange,
  planSeparation,
  planUnion,
  type BirthEvent,
  type CoupleEvent,
  type PlannedRegistration,
} from '../../domain/registration/vital.ts';
import { civilStatusOf } from '../../domain/registration/vital-common.ts';
import type { GroupValue, } from '../../domain/person/facts.ts';
import type { PersonView, Register } from '../../register/register.ts';
import { RegistrationError } from '../../register/validate.ts';
import { atomically } from './vital-atomic.ts';
import { assertVitalAuthority, authorityOf, type VitalEvent } from './vital-authority.ts';

export interface VitalResult {
  event: VitalEvent;
  /** The persons registered, in order (a birth: the child first). */
  registrations: Array<{ pnr: string; seq: number; eventCode: string }>;
}

export class VitalEventService {
  constructor(readonly register: Register) {}

  #today(): string {
    return dateOf(this.register.clock.now());
  }

  async #person(input: string, role = 'person'): Promise<PersonView> {
    const pnr = normalisePnr(input);
    if (!pnr) throw new RegistrationError('pnr_malformed', `The ${role}'s person number is not ten digits.`);
    const view = await this.register.person(pnr);
    if (!view) throw new RegistrationError('person_not_found', `No ${role} with number ${pnr.slice(0, 6)}-**** in the register.`);
    return view;
  }

  async #write(caller: Caller, event: VitalEvent, plan: PlannedRegistration[], documentation: string | null, child?: { birthDate: string; sex: 'M' | 'K' }): Promise<VitalResult> {
    return atomically(this.register, async (r) => {
      const newPnr = child ? await r.allocatePnr(child.birthDate, child.sex) : null;
      const out: VitalResult['registrations'] = [];
      for (const p of plan) {
        const pnr = p.pnr === 'new' ? newPnr! : p.pnr;
        // The child's number is known only now: fill it into the parents' relations.
        const changes = newPnr ? (JSON.parse(JSON.stringify(p.changes).replaceAll('"new"', `"${newPnr}"`).replaceAll(':new"', `:${newPnr}"`)) as typeof p.changes) : p.changes;
        const reg = await r.register({ pnr, authority: authorityOf(caller), eventCode: p.eventCode, documentation, changes });
        out.push({ pnr, seq: reg.seq, eventCode: p.eventCode });
      }
      return { event, registrations: out };
    });
  }

  async birth(caller: Caller, b: BirthEvent): Promise<VitalResult> {
    assertVitalAuthority(caller, 'birth');
    const mother = await this.#person(b.motherPnr, 'mother');
    const father = b.fatherPnr ? await this.#person(b.fatherPnr, 'father') : null;
    const plan = planBirth(b, mother, father, this.#today());
    return this.#write(caller, 'birth', plan, 'birth', { birthDate: b.birthDate, sex: b.sex });
  }

  async death(caller: Caller, e: { pnr: string; date: string; place?: string }): Promise<VitalResult> {
    assertVitalAuthority(caller, 'death');
    const p = await this.#person(e.pnr);
    const spousePnr = civilStatusOf(p.state)?.spousePnr;
    const spouse = spousePnr ? await this.register.person(spousePnr) : null;
    return this.#write(caller, 'death', planDeath(e, p, spouse, this.#today()), 'death');
  }

  async couple(caller: Caller, event: 'marriage' | 'partnership' | 'divorce' | 'dissolution', e: CoupleEvent): Promise<VitalResult> {
    assertVitalAuthority(caller, event);
    const a = await this.#person(e.pnr);
    const b = await this.#person(e.otherPnr, 'other person');
    const today = this.#today();
    const plan = event === 'marriage' || event === 'partnership' ? planUnion(e, a, b, today, event) : planEnd(e, a, b, today, event);
    return this.#write(caller, event, plan, event);
  }

  async separation(caller: Caller, e: CoupleEvent & { ended: boolean }): Promise<VitalResult> {
    assertVitalAuthority(caller, 'separation');
    const a = await this.#person(e.pnr);
    const b = await this.#person(e.otherPnr, 'other person');
    return this.#write(caller, 'separation', planSeparation(e, a, b, this.#today()), e.ended ? 'separation ended' : 'separation');
  }

  async nameChange(caller: Caller, e: { pnr: string; date: string; name: GroupValue<'name'> }): Promise<VitalResult> {
    assertVitalAuthority(caller, 'name');
    const p = await this.#person(e.pnr);
    return this.#write(caller, 'name', planNameChange(e, p, this.#today()), 'name change');
  }

  async church(caller: Caller, e: { pnr: string; date: string; member: boolean }): Promise<VitalResult> {
    assertVitalAuthority(caller, 'church');
    const p = await this.#person(e.pnr);
    return this.#write(caller, 'church', planChurch(e, p, this.#today()), e.member ? 'joined the national church' : 'left the national church');
  }

  async guardianship(caller: Caller, e: { pnr: string; date: string; guardian?: GroupValue<'guardianship'>; ended: boolean }): Promise<VitalResult> {
    assertVitalAuthority(caller, 'guardianship');
    const p = await this.#person(e.pnr);
    const g = e.guardian?.guardianPnr ? await this.register.person(e.guardian.guardianPnr) : null;
    return this.#write(caller, 'guardianship', planGuardianship(e, p, g, this.#today()), e.ended ? 'guardianship ended' : 'guardianship');
  }

  /** §3(5), PNR-4: a new number when the birth date or sex was wrong; both registrations in one transaction. */
  async numberChange(caller: Caller, e: { pnr: string; birthDate: string; sex: 'M' | 'K'; documentation: string }): Promise<VitalResult & { oldPnr: string; newPnr: string }> {
    assertVitalAuthority(caller, 'number');
    const p = await this.#person(e.pnr);
    if (e.birthDate > this.#today()) throw new RegistrationError('date_in_future', 'The corrected birth date is after today.');
    const { oldPnr, newPnr } = await atomically(this.register, (r) => r.changeNumber(p.pnr, { birthDate: e.birthDate, sex: e.sex }, authorityOf(caller), e.documentation));
    const seqs = await this.register.store.db.selectFrom('registration').select(['pnr', 'seq']).where('pnr', 'in', [oldPnr, newPnr]).where('event_code', '=', 'P03').orderBy('seq', 'desc').execute();
    const seqOf = (x: string) => Number(seqs.find((s) => s.pnr === x)?.seq ?? 0);
    return {
      event: 'number',
      oldPnr,
      newPnr,
      registrations: [
        { pnr: newPnr, seq: seqOf(newPnr), eventCode: 'P03' },
        { pnr: oldPnr, seq: seqOf(oldPnr), eventCode: 'P03' },
      ],
    };
  }
}
