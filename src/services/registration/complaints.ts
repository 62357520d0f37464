/**
 * Complaints (CMP-1, §56): lodged in writing with the municipality that made
 * the decision, within 4 weeks of being told of it; a residence registration
 * more than 2 years old (unchanged since) cannot be complained about. The
 * municipality re-assesses; if it cannot uphold the complaint, it forwards
 * it with its reasons to the ministry, with a copy to the complainant.
 */
import type { Caller } from '../../access/customers.ts';
import { dateOf, toInstant, type CivilDate } from '../../domain/dates.ts';
import { requireKind, requireStatus, transition, type Case } from '../../domain/registration/case.ts';
import { admissibility, MINISTRY } from '../../domain/registration/complaint.ts';
import { addressLines, complaintForwardedLetter, complaintRefusedLetter, complaintUpheldLetter } from '../../domain/registration/letters.ts';
import type { Register } from '../../register/register.ts';
import { RegistrationError } from '../../register/validate.ts';
import { actorOf, type CaseStore, type StoredLetter } from './cases.ts';
import { assertOwnMunicipality, clerkMunicipality } from './clerk.ts';
import { addressOf, personOn } from './persons.ts';

export interface ComplaintPayload {
  about: 'decision' | 'residence_registration';
  text: string;
  lodgedOn: CivilDate;
  /** The case whose decision is complained of. */
  decisionCaseId?: number;
  notifiedOn?: CivilDate;
  /** §56(3): when the residence complained of was last registered. */
  residenceRegisteredOn?: CivilDate;
  refusal?: { code: string; reason: string };
  reassessment?: { on: CivilDate; upheld: boolean; reasons: string };
  forwarded?: { on: CivilDate; to: string };
}

export type ComplaintCase = Case<ComplaintPayload>;

export interface ComplaintInput {
  pnr: string;
  about: 'decision' | 'residence_registration';
  text: string;
  /** For a decision: the case it was made in. */
  decisionCaseId?: number;
  /** When the complainant was told of the decision; default the decision letter's date. */
  notifiedOn?: CivilDate;
}

export class ComplaintService {
  constructor(
    readonly register: Register,
    readonly cases: CaseStore,
  ) {}

  #today(): CivilDate {
    return dateOf(this.register.clock.now());
  }

  /**
   * §56(1): receives a complaint (lodged today). One that is too late (§56(1))
   * or about a residence registration older than 2 years (§56(3)) is
   * recorded as refused, with a letter telling why.
   */
  async lodge(caller: Caller, input: ComplaintInput): Promise<{ case: ComplaintCase; letters: StoredLetter[] }> {
    const today = this.#today();
    const person = await personOn(this.register, input.pnr, today);
    let municipalityCode: string;
    let notifiedOn: CivilDate | undefined;
    let residenceRegisteredOn: CivilDate | undefined;
    if (input.about === 'decision') {
      if (input.decisionCaseId === undefined) throw new RegistrationError('invalid_complaint', 'A complaint about a decision names the case of the decision.');
      const decided = await this.cases.get<{ decision?: { on: CivilDate } }>(input.decisionCaseId);
      if (!decided.payload.decision) throw new RegistrationError('no_decision', `Case ${decided.id} has no decision to complain about.`);
      if (decided.pnr !== person.pnr) throw new RegistrationError('invalid_complaint', `The decision in case ${decided.id} is not about this person.`);
      municipalityCode = decided.municipalityCode;
      notifiedOn = input.notifiedOn ?? decided.payload.decision.on;
      if (notifiedOn < decided.payload.decision.on) throw new RegistrationError('invalid_date', 'The complainant cannot have been told of the decision before it was made.');
    } else {
      // §56(3): the registration complained of is the person's current residence, as last registered.
      const addr = addressOf(person.state);
      if (!addr) throw new RegistrationError('not_resident', 'The person has no residence registration to complain about.');
      municipalityCode = addr.value.municipalityCode;
      residenceRegisteredOn = dateOf(addr.registeredAt);
    }
    // §56(1): the complaint is handed in to the municipality that decided.
    assertOwnMunicipality(caller, municipalityCode);
    if (notifiedOn && notifiedOn > today) throw new RegistrationError('invalid_date', 'The notification date is in the future.');
    const a = admissibility({ lodgedOn: today, notifiedOn, residenceRegisteredOn });
    const payload: ComplaintPayload = {
      about: input.about,
      text: input.text,
      lodgedOn: today,
      ...(input.decisionCaseId !== undefined ? { decisionCaseId: input.decisionCaseId } : {}),
      ...(notifiedOn ? { notifiedOn } : {}),
      ...(residenceRegisteredOn ? { residenceRegisteredOn } : {}),
      ...(!a.admissible ? { refusal: { code: a.code, reason: a.reason } } : {}),
    };
    return this.cases.create<ComplaintPayload>(
      {
        kind: 'complaint',
        status: a.admissible ? 'lodged' : 'refused',
        municipalityCode,
        sharedWith: null,
        pnr: person.pnr,
        deadline: null,
        payload,
        history: [{ at: toInstant(this.register.clock.now()), by: actorOf(caller), action: a.admissible ? 'lodged' : 'refused', ...(!a.admissible ? { note: a.reason } : {}) }],
      },
      {
        letters: (c) =>
          a.admissible
            ? []
            : [
                complaintRefusedLetter({
                  caseId: c.id,
                  municipalityCode,
                  date: today,
                  recipient: { pnr: person.pnr, name: person.displayName, address: addressLines(person.address) },
                  lodgedOn: today,
                  reasonDa: a.reasonDa,
                }),
              ],
      },
    );
  }

  async get(caller: Caller, id: number): Promise<ComplaintCase> {
    const c = await this.cases.get<ComplaintPayload>(id);
    requireKind(c, 'complaint');
    const own = clerkMunicipality(caller);
    if (own !== null && own !== c.municipalityCode) {
      throw new RegistrationError('other_municipality', `Complaint ${id} is handled by municipality ${c.municipalityCode}, not ${own}.`);
    }
    return c;
  }

  /**
   * §56(2): the municipality re-assesses. Upheld: the complainant is told
   * (the municipality then changes its decision in the case). Not upheld: the
   * complaint goes to the ministry with the reasons for the decision and the
   * re-assessment, and a copy to the complainant with the 4-week comment period.
   */
  async reassess(caller: Caller, id: number, input: { upheld: boolean; reasons: string }): Promise<{ case: ComplaintCase; letters: StoredLetter[] }> {
    const c = await this.get(caller, id);
    requireStatus(c, ['lodged'], 're-assess');
    const today = this.#today();
    const person = await personOn(this.register, c.pnr, today);
    const base = {
      caseId: c.id,
      municipalityCode: c.municipalityCode,
      date: today,
      recipient: { pnr: person.pnr, name: person.displayName, address: addressLines(person.address) },
      lodgedOn: c.payload.lodgedOn,
      reasons: input.reasons,
    };
    const payload: ComplaintPayload = {
      ...c.payload,
      reassessment: { on: today, upheld: input.upheld, reasons: input.reasons },
      ...(input.upheld ? {} : { forwarded: { on: today, to: MINISTRY } }),
    };
    const next = transition(
      c,
      { at: toInstant(this.register.clock.now()), by: actorOf(caller), action: input.upheld ? 'upheld' : 'forwarded', note: input.reasons },
      { status: input.upheld ? 'upheld' : 'forwarded', payload },
    );
    return this.cases.update(next, [input.upheld ? complaintUpheldLetter(base) : complaintForwardedLetter(base)]);
  }
}
