/**
 * No fixed abode, disappeared and found again (MOV-4, §6(4)-(5)). Each is one
 * registration through the Register and a case the municipality reviews
 * "med mellemrum" (a review date as the case's deadline).
 */
import type { Caller } from '../../access/customers.ts';
import { dateOf, toInstant, type CivilDate } from '../../domain/dates.ts';
import { transition, type Case } from '../../domain/registration/case.ts';
import {
  disappearedChanges,
  foundChanges,
  noFixedAbodeAddress,
  noFixedAbodeChanges,
  reviewDate,
} from '../../domain/registration/abode.ts';
import type { Address } from '../../domain/registration/move.ts';
import type { Register } from '../../register/register.ts';
import { RegistrationError, type NewRegistration } from '../../register/validate.ts';
import type { AddressRegister } from '../../reference/address-register.ts';
import { actorOf, type CaseStore } from './cases.ts';
import { assertOwnMunicipality } from './clerk.ts';
import { dayBefore, personOn, resolveAddress, type AddressInput, type PersonOn } from './persons.ts';

export interface AbodePayload {
  date: CivilDate;
  previousAddress: Address | null;
  seq: number;
  note?: string;
  found?: { date: CivilDate; address: Address; seq: number };
}

export interface AbodeOutcome {
  case: Case<AbodePayload>;
  registration: { pnr: string; seq: number };
}

export class AbodeService {
  constructor(
    readonly register: Register,
    readonly dar: AddressRegister,
    readonly cases: CaseStore,
  ) {}

  #today(): CivilDate {
    return dateOf(this.register.clock.now());
  }

  /** §6(4): moved out of the old address, still registered in the municipality (status 03, special road code). */
  noFixedAbode(caller: Caller, input: { pnr: string; date: CivilDate; roadCode?: string; note?: string }): Promise<AbodeOutcome> {
    return this.#registerAndOpen(caller, input, {
      kind: 'no_fixed_abode',
      section: '§6(4)',
      eventCode: 'A01',
      note: '§6(4): uden fast bopæl',
      changes: (p, m) => noFixedAbodeChanges(p, input.date, noFixedAbodeAddress(m, input.roadCode)),
    });
  }

  /** §6(5): searched for without result: disappeared (status 70), by the municipality of residence. */
  disappeared(caller: Caller, input: { pnr: string; date: CivilDate; note?: string }): Promise<AbodeOutcome> {
    return this.#registerAndOpen(caller, input, {
      kind: 'disappeared',
      section: '§6(5)',
      eventCode: 'A02',
      note: '§6(5): forsvundet',
      changes: (p) => disappearedChanges(p, input.date),
    });
  }

  /**
   * One registration by the municipality of residence ("den hidtidige
   * bopælskommune", §6(4)-(5)) and the case it reviews with intervals.
   */
  async #registerAndOpen(
    caller: Caller,
    input: { pnr: string; date: CivilDate; note?: string },
    how: { kind: 'no_fixed_abode' | 'disappeared'; section: string; eventCode: string; note: string; changes: (p: PersonOn, municipality: string) => NewRegistration['changes'] },
  ): Promise<AbodeOutcome> {
    const p = await personOn(this.register, input.pnr, dayBefore(input.date));
    const m = p.address?.municipalityCode;
    if (!m) throw new RegistrationError('not_resident', `${how.section}: the person has no address in a municipality.`);
    assertOwnMunicipality(caller, m);
    const reg = await this.register.register({ pnr: p.pnr, authority: m, eventCode: how.eventCode, changes: how.changes(p, m), documentation: input.note ?? null });
    const { case: c } = await this.cases.create<AbodePayload>({
      kind: how.kind,
      status: 'open',
      municipalityCode: m,
      sharedWith: null,
      pnr: p.pnr,
      deadline: reviewDate(this.#today()),
      payload: { date: input.date, previousAddress: p.address, seq: reg.seq, ...(input.note ? { note: input.note } : {}) },
      history: [{ at: toInstant(this.register.clock.now()), by: actorOf(caller), action: 'registered', note: how.note }],
    });
    return { case: c, registration: { pnr: p.pnr, seq: reg.seq } };
  }

  /**
   * §6(5) "indtil vedkommende er fundet": registered where the person now
   * lives (by that municipality), or without fixed abode; the disappeared case closes.
   */
  async found(caller: Caller, input: { pnr: string; date: CivilDate; to: AddressInput | { noFixedAbode: true; municipalityCode: string } }): Promise<AbodeOutcome> {
    const p = await personOn(this.register, input.pnr, input.date);
    const address = 'noFixedAbode' in input.to ? noFixedAbodeAddress(input.to.municipalityCode) : await resolveAddress(this.dar, input.to, input.date);
    assertOwnMunicipality(caller, address.municipalityCode);
    const open = (await this.cases.list({ municipalityCode: null, kind: 'disappeared', status: 'open', pnr: p.pnr }))[0] as Case<AbodePayload> | undefined;
    const changes = foundChanges({ status: p.status, disappearedOn: open?.payload.date ?? null }, input.date, address);
    const reg = await this.register.register({ pnr: p.pnr, authority: address.municipalityCode, eventCode: 'A03', changes });
    const at = toInstant(this.register.clock.now());
    if (open) {
      const saved = await this.cases.update(
        transition(open, { at, by: actorOf(caller), action: 'found', note: `fundet ${input.date}` }, {
          status: 'closed',
          deadline: null,
          payload: { ...open.payload, found: { date: input.date, address, seq: reg.seq } },
        }),
      );
      return { case: saved.case, registration: { pnr: p.pnr, seq: reg.seq } };
    }
    // Disappeared before OpenCPR kept cases: record the finding as a closed case.
    const { case: c } = await this.cases.create<AbodePayload>({
      kind: 'disappeared',
      status: 'closed',
      municipalityCode: address.municipalityCode,
      sharedWith: null,
      pnr: p.pnr,
      deadline: null,
      payload: { date: input.date, previousAddress: null, seq: reg.seq, found: { date: input.date, address, seq: reg.seq } },
      history: [{ at, by: actorOf(caller), action: 'found' }],
    });
    return { case: c, registration: { pnr: p.pnr, seq: reg.seq } };
  }
}
