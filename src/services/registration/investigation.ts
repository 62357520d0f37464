/**
 * Investigation of a wrong residence registration (MOV-2, §10-11): the case,
 * the written request to report within 14 days (§11(1)), the person's
 * reactions, and after the period the registration of the correct address
 * (or departure) with a written decision (§11(2)-(3)).
 */
import type { Caller } from '../../access/customers.ts';
import { dateOf, toInstant, type CivilDate } from '../../domain/dates.ts';
import { requireKind, requireStatus, transition, type Case } from '../../domain/registration/case.ts';
import { assertMayDecide, assertMayInvestigate, replyDeadline } from '../../domain/registration/investigation.ts';
import { addressLines, addressText, decisionLetter, requestToReportLetter } from '../../domain/registration/letters.ts';
import { moveChanges, sameAddress, type Address } from '../../domain/registration/move.ts';
import { country } from '../../domain/codes/index.ts';
import type { Register } from '../../register/register.ts';
import { RegistrationError } from '../../register/validate.ts';
import type { AddressRegister } from '../../reference/address-register.ts';
import { actorOf, type CaseStore, type StoredLetter } from './cases.ts';
import { clerkMunicipality } from './clerk.ts';
import { personOn, registrationWithDoc, resolveAddress, type AddressInput } from './persons.ts';

export interface InvestigationPayload {
  /** §11(1): the grounds for the municipality's view, told to the person. */
  basis: string;
  registeredAddress: Address | null;
  /** Where the municipality believes the person lives (§10(1)), if known. */
  believedAddress: Address | null;
  request?: { letterId: number; sentOn: CivilDate; assumedArrival: CivilDate };
  replies: Array<{ on: CivilDate; text: string; changesView: boolean }>;
  unreachable: boolean;
  decision?: { on: CivilDate; letterId: number; grounds: string; effectiveDate: CivilDate; seq: number; outcome: 'address' | 'departure' };
}

export type InvestigationCase = Case<InvestigationPayload>;
export type DecisionTarget = { address: AddressInput } | { departure: { countryCode?: string } };

export class InvestigationService {
  constructor(
    readonly register: Register,
    readonly dar: AddressRegister,
    readonly cases: CaseStore,
  ) {}

  #today(): CivilDate {
    return dateOf(this.register.clock.now());
  }
  #now() {
    return toInstant(this.register.clock.now());
  }

  /** §10(1): opens an investigation, by the municipality of registration or of the address the person is believed at. */
  async open(caller: Caller, input: { pnr: string; basis: string; believedAddress?: AddressInput }): Promise<{ case: InvestigationCase; letters: StoredLetter[] }> {
    const today = this.#today();
    const p = await personOn(this.register, input.pnr, today);
    const believed = input.believedAddress ? await resolveAddress(this.dar, input.believedAddress, today) : null;
    const own = clerkMunicipality(caller);
    assertMayInvestigate(own, p.address?.municipalityCode ?? null, believed?.municipalityCode ?? null);
    const municipalityCode = own ?? believed?.municipalityCode ?? p.address?.municipalityCode;
    if (!municipalityCode) throw new RegistrationError('not_resident', 'The person is not registered in a municipality.');
    return this.cases.create<InvestigationPayload>({
      kind: 'investigation',
      status: 'open',
      municipalityCode,
      sharedWith: null,
      pnr: p.pnr,
      deadline: null,
      payload: { basis: input.basis, registeredAddress: p.address, believedAddress: believed, replies: [], unreachable: false },
      history: [{ at: this.#now(), by: actorOf(caller), action: 'opened', note: '§10(1)' }],
    });
  }

  async #case(caller: Caller, id: number): Promise<InvestigationCase> {
    const c = await this.cases.get<InvestigationPayload>(id);
    requireKind(c, 'investigation');
    const own = clerkMunicipality(caller);
    if (own !== null && own !== c.municipalityCode) {
      throw new RegistrationError('other_municipality', `Case ${id} is handled by municipality ${c.municipalityCode}, not ${own}.`);
    }
    return c;
  }

  /**
   * §11(1): the written request to report within 14 days, with the grounds.
   * The period runs from when the letter can be assumed to have arrived
   * (default: the day it is sent, as with Digital Post).
   */
  async requestReport(caller: Caller, id: number, input: { assumedArrival?: CivilDate } = {}): Promise<{ case: InvestigationCase; letters: StoredLetter[] }> {
    const c = await this.#case(caller, id);
    requireStatus(c, ['open'], 'send the request to report');
    const today = this.#today();
    const arrival = input.assumedArrival ?? today;
    if (arrival < today) throw new RegistrationError('invalid_date', 'The letter cannot arrive before it is sent.');
    const deadline = replyDeadline(arrival);
    const p = await personOn(this.register, c.pnr, today);
    const letter = requestToReportLetter({
      caseId: c.id,
      municipalityCode: c.municipalityCode,
      date: today,
      recipient: { pnr: p.pnr, name: p.displayName, address: addressLines(p.address) },
      basis: c.payload.basis,
      deadline,
      registeredAddress: p.address,
    });
    const next = transition(c, { at: this.#now(), by: actorOf(caller), action: 'request_sent', note: `§11(1): frist ${deadline}` }, { status: 'awaiting_reply', deadline });
    const saved = await this.cases.update(next, [letter]);
    const withLetter = await this.cases.update({
      ...saved.case,
      payload: { ...saved.case.payload, request: { letterId: saved.letters[0]!.id, sentOn: today, assumedArrival: arrival } },
    });
    return { case: withLetter.case, letters: saved.letters };
  }

  /**
   * §11(2): a reaction from the person. One that changes the municipality's
   * view closes the case without a registration (the person reports the move
   * themself, or the registration was right).
   */
  async reply(caller: Caller, id: number, input: { text: string; changesView: boolean }): Promise<{ case: InvestigationCase }> {
    const c = await this.#case(caller, id);
    requireStatus(c, ['awaiting_reply'], 'record a reply');
    const replies = [...c.payload.replies, { on: this.#today(), text: input.text, changesView: input.changesView }];
    const next = transition(
      c,
      { at: this.#now(), by: actorOf(caller), action: input.changesView ? 'reply_accepted' : 'reply_recorded' },
      { status: input.changesView ? 'closed' : c.status, deadline: input.changesView ? null : c.deadline, payload: { ...c.payload, replies } },
    );
    return { case: (await this.cases.update(next)).case };
  }

  /** §11(2) "ikke har været muligt at kontakte vedkommende": the letter came back or the person cannot be reached. */
  async unreachable(caller: Caller, id: number, note: string): Promise<{ case: InvestigationCase }> {
    const c = await this.#case(caller, id);
    requireStatus(c, ['awaiting_reply'], 'record that the person cannot be contacted');
    const next = transition(c, { at: this.#now(), by: actorOf(caller), action: 'unreachable', note }, { payload: { ...c.payload, unreachable: true } });
    return { case: (await this.cases.update(next)).case };
  }

  /**
   * §11(2)-(3): after the period without a reaction that changes its view,
   * the municipality registers the correct address (A01) or the departure
   * (A06, status 80) and tells the person the decision and its grounds.
   */
  async decide(
    caller: Caller,
    id: number,
    input: { target: DecisionTarget; effectiveDate: CivilDate; grounds: string },
  ): Promise<{ case: InvestigationCase; letters: StoredLetter[]; registration: { pnr: string; seq: number } }> {
    const c = await this.#case(caller, id);
    const today = this.#today();
    assertMayDecide({ status: c.status, deadline: c.deadline, unreachable: c.payload.unreachable }, today);
    // §11(2) registers where the person lives (or lived from): never a future date.
    if (input.effectiveDate > today) throw new RegistrationError('invalid_date', `The decision registers what is the case; ${input.effectiveDate} is in the future.`);
    const p = await personOn(this.register, c.pnr, input.effectiveDate);
    if (p.status !== '01' && p.status !== '03' && (await registrationWithDoc(this.register, c.pnr, `Afgørelse i sag ${c.id} (CPR-lovens § 11, stk. 2)`)) === null) {
      throw new RegistrationError('not_resident', `The person is not resident (status ${p.status ?? 'none'}) on ${input.effectiveDate}.`);
    }
    let reg: { seq: number };
    let outcome: 'address' | 'departure';
    let what: string;
    const doc = `Afgørelse i sag ${c.id} (CPR-lovens § 11, stk. 2)`;
    // A decision interrupted after its registration is completed without registering twice.
    const earlier = await registrationWithDoc(this.register, c.pnr, doc);
    if (earlier !== null) {
      reg = { seq: earlier };
      outcome = 'address' in input.target ? 'address' : 'departure';
      what = 'address' in input.target ? `Du er registreret på en ny adresse fra ${input.effectiveDate}.` : `Du er registreret som udrejst fra ${input.effectiveDate}.`;
    } else if ('address' in input.target) {
      const to = await resolveAddress(this.dar, input.target.address, input.effectiveDate);
      if (sameAddress(p.address, to)) throw new RegistrationError('already_at_address', 'The person is already registered at that address.');
      reg = await this.register.register({
        pnr: p.pnr,
        authority: c.municipalityCode,
        eventCode: 'A01',
        documentation: doc,
        changes: moveChanges(p, to, input.effectiveDate),
      });
      outcome = 'address';
      what = `Du er registreret på adressen ${addressText(to)} fra ${input.effectiveDate}.`;
    } else {
      const cc = input.target.departure.countryCode;
      if (cc !== undefined && !country(cc)) throw new RegistrationError('unknown_code', `${cc} is not a CPR country code.`);
      reg = await this.register.register({
        pnr: p.pnr,
        authority: c.municipalityCode,
        eventCode: 'A06',
        documentation: doc,
        changes: [
          { group: 'status', validFrom: input.effectiveDate, value: { code: '80' } },
          { group: 'address', validFrom: input.effectiveDate, value: null },
          ...(cc ? [{ group: 'foreignAddress', validFrom: input.effectiveDate, value: { lines: [country(cc)!.da.slice(0, 34)], countryCode: cc } }] : []),
        ],
      });
      outcome = 'departure';
      what = `Du er registreret som udrejst fra ${input.effectiveDate}.`;
    }
    const letter = decisionLetter({
      caseId: c.id,
      municipalityCode: c.municipalityCode,
      date: today,
      recipient: { pnr: p.pnr, name: p.displayName, address: addressLines(p.address) },
      subject: 'Afgørelse om ændring af din adresse i CPR',
      decision: `Kommunen har ændret din registrering i CPR. ${what}`,
      grounds: `${c.payload.basis} ${input.grounds}`.trim(),
      rule: 'CPR-lovens § 10 og § 11, stk. 2 og 3',
    });
    const next = transition(c, { at: this.#now(), by: actorOf(caller), action: 'decided', note: input.grounds }, { status: 'decided', deadline: null });
    const saved = await this.cases.update(next, [letter]);
    const decided = await this.cases.update({
      ...saved.case,
      payload: {
        ...saved.case.payload,
        decision: { on: today, letterId: saved.letters[0]!.id, grounds: input.grounds, effectiveDate: input.effectiveDate, seq: reg.seq, outcome },
      },
    });
    return { case: decided.case, letters: saved.letters, registration: { pnr: p.pnr, seq: reg.seq } };
  }
}
