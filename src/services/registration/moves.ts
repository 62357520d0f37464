/**
 * Domestic moves (MOV-1..MOV-3, §12-13, §6(3)): the report, its receipt,
 * registration, withdrawal, correction; a report held as a case for doubt or
 * for the other parent's hearing. The rules are in
 * src/domain/registration/move.ts; this service reads what they need, keeps
 * the case, and writes through the Register.
 *
 * Every report becomes a `move` case (its id gives the receipt number), so a
 * report is found the same way whether it was registered at once or held.
 * Each person's move is one registration naming the report in its
 * documentation; all of a report's registrations and the case's new status
 * are one unit of work (services/registration/vital-atomic.ts), so a
 * household moves together or not at all.
 */
import type { Caller } from '../../access/customers.ts';
import { addDays, dateOf, toInstant, type CivilDate } from '../../domain/dates.ts';
import { requireKind, requireStatus, transition, type Case } from '../../domain/registration/case.ts';
import { decisionLetter, hearingLetter, receiptLetter, addressLines, type Letter } from '../../domain/registration/letters.ts';
import {
  checkMover,
  checkReportTiming,
  correctionChanges,
  hearingMunicipality,
  moveChanges,
  parentsToHear,
  type Address,
  type ReportedAddress,
} from '../../domain/registration/move.ts';
import type { Register } from '../../register/register.ts';
import { RegistrationError } from '../../register/validate.ts';
import type { AddressRegister } from '../../reference/address-register.ts';
import { actorOf, CaseStore, type StoredLetter } from './cases.ts';
import { atomically } from './vital-atomic.ts';
import { assertOwnMunicipality, clerkMunicipality } from './clerk.ts';
import { addressOf, dayBefore, personOn, registrationWithDoc, resolveAddress, type AddressInput, type PersonOn } from './persons.ts';

/** §13(2): a parent is given this long to answer a hearing (municipal practice; the Act sets no period). */
export const HEARING_ANSWER_DAYS = 14;

export interface MoveReportInput {
  /** §12(2) nr. 1-2: the reporter's person number and full or addressing name. */
  pnr: string;
  name: string;
  /** §12(2) nr. 3: the old address and municipality. */
  from: ReportedAddress;
  /** §12(2) nr. 4: the new address and municipality. */
  to: AddressInput;
  /** §12(2) nr. 5. */
  moveDate: CivilDate;
  /** §12(1) 2nd sentence: household members moving along. */
  members?: Array<{ pnr: string; name: string }>;
  /** §13(2): who signed the report; default the reporter. */
  signedBy?: string[];
  /** §13(3): name-and-address protection is requested for the (child's) new address. */
  protectionRequested?: boolean;
  /** §6(3): the clerk doubts the report; it is held as a case, not registered. */
  doubt?: string;
}

export interface MoverRecord {
  pnr: string;
  name: string;
  /** The day the old address began: a correction re-asserts it up to the corrected date. */
  oldFrom: CivilDate;
  seq?: number;
}

export interface Hearing {
  parentPnr: string;
  childPnr: string;
  answerBy?: CivilDate;
  heardOn?: CivilDate;
  statement?: string;
}

export interface MovePayload {
  receiptNumber: string;
  reportedOn: CivilDate;
  moveDate: CivilDate;
  late: boolean;
  reporter: { pnr: string; name: string };
  movers: MoverRecord[];
  from: Address;
  to: Address;
  signedBy: string[];
  protectionRequested: boolean;
  /** §13(3): the municipality that hears the other parent. */
  hearingMunicipality: string;
  hearings: Hearing[];
  doubt?: string;
  decision?: { on: CivilDate; letterId: number; grounds: string };
  corrections: Array<{ on: CivilDate; documentation: string; moveDate?: CivilDate; annulled?: boolean }>;
}

export type MoveCase = Case<MovePayload>;

export interface MoveOutcome {
  case: MoveCase;
  letters: StoredLetter[];
  registrations: Array<{ pnr: string; seq: number }>;
}

/** §12(5): the receipt number of a report: municipality, year and case number. */
export function receiptNumber(municipalityCode: string, reportedOn: CivilDate, caseId: number): string {
  return `${municipalityCode}-${reportedOn.slice(0, 4)}-${String(caseId).padStart(6, '0')}`;
}

const marker = (p: MovePayload) => `Flytteanmeldelse ${p.receiptNumber}`;

export class MoveService {
  constructor(
    readonly register: Register,
    readonly dar: AddressRegister,
    readonly cases: CaseStore,
  ) {}

  #today(): CivilDate {
    return dateOf(this.register.clock.now());
  }

  /**
   * MOV-1: receives a move report. Everything is checked before anything is
   * written: a refused report changes nothing.
   */
  async report(caller: Caller, input: MoveReportInput): Promise<MoveOutcome> {
    const today = this.#today();
    // §12(1): the report goes to the municipality moved to; the clerk acts for it (§2(1)).
    assertOwnMunicipality(caller, input.to.municipalityCode);
    const settings = await this.cases.moveSettings(input.to.municipalityCode);
    const { late } = checkReportTiming(input.moveDate, today, settings);
    const to = await resolveAddress(this.dar, input.to, input.moveDate);

    const before = dayBefore(input.moveDate);
    const members = input.members ?? [];
    const all = [{ pnr: input.pnr, name: input.name }, ...members];
    if (new Set(all.map((m) => m.pnr)).size !== all.length) {
      throw new RegistrationError('duplicate_mover', 'A person is named twice in the report.');
    }
    const movers: PersonOn[] = [];
    for (const m of all) {
      const p = await personOn(this.register, m.pnr, before);
      checkMover(p, { name: m.name, from: input.from }, to);
      movers.push(p);
    }
    const from = movers[0]!.address!;

    // §13(2): the parents to hear before a child's move.
    const moving = new Set(movers.map((m) => m.pnr));
    const signedBy = new Set(input.signedBy ?? [input.pnr]);
    const hearings: Hearing[] = [];
    for (const child of movers) {
      const parents = [];
      for (const pp of child.parents) {
        const parent = await this.register.person(pp, { validAt: before });
        if (parent) parents.push({ pnr: pp, address: addressOf(parent.state)?.value ?? null });
      }
      for (const parentPnr of parentsToHear(child, parents, moving, signedBy, input.moveDate)) hearings.push({ parentPnr, childPnr: child.pnr });
    }

    const payload: MovePayload = {
      receiptNumber: '',
      reportedOn: today,
      moveDate: input.moveDate,
      late,
      reporter: { pnr: movers[0]!.pnr, name: movers[0]!.displayName },
      movers: movers.map((m) => ({ pnr: m.pnr, name: m.displayName, oldFrom: m.addressFrom! })),
      from,
      to,
      signedBy: [...signedBy],
      protectionRequested: input.protectionRequested ?? false,
      hearingMunicipality: hearingMunicipality(from.municipalityCode, to.municipalityCode, input.protectionRequested ?? false),
      hearings,
      corrections: [],
      ...(input.doubt ? { doubt: input.doubt } : {}),
    };
    const by = actorOf(caller);
    const now = toInstant(this.register.clock.now());
    // The receipt number is the case's number (§12(5)); a doubtful report gets its receipt at once.
    const created = await this.cases.create<MovePayload>(
      {
        kind: 'move',
        status: input.doubt ? 'doubt' : 'received',
        municipalityCode: to.municipalityCode,
        // §13(3): the departure municipality hears the other parent, so it shares the case.
        sharedWith: hearings.length && payload.hearingMunicipality !== to.municipalityCode ? payload.hearingMunicipality : null,
        pnr: movers[0]!.pnr,
        deadline: null,
        payload,
        history: [{ at: now, by, action: 'reported', ...(input.doubt ? { note: `§6(3) tvivl: ${input.doubt}` } : {}) }],
      },
      {
        complete: (c) => ({ ...payload, receiptNumber: receiptNumber(to.municipalityCode, today, c.id) }),
        letters: (c) => (input.doubt ? [this.#receipt(c, 'held')] : []),
      },
    );
    if (created.case.status === 'doubt') return { case: created.case, letters: created.letters, registrations: [] };
    return this.#proceed(created.case, caller, true);
  }

  /**
   * Moves a received report on: to the hearing (§13(2)) when a parent must be
   * heard first, otherwise to registration. With `sendReceipt` the receipt
   * (§12(5)) goes out with the outcome.
   */
  async #proceed(c: MoveCase, caller: Caller, sendReceipt: boolean): Promise<MoveOutcome> {
    const by = actorOf(caller);
    const now = toInstant(this.register.clock.now());
    const today = this.#today();
    const p = c.payload;
    const pending = p.hearings.filter((h) => !h.heardOn && !(h.answerBy && today > h.answerBy));
    if (pending.length && c.status !== 'awaiting_hearing') {
      // §13(2)-(3): send the hearing letters (from the departure municipality when protection is requested).
      const answerBy = addDays(today, HEARING_ANSWER_DAYS);
      const letters: Letter[] = [];
      for (const h of p.hearings) {
        const parent = await personOn(this.register, h.parentPnr, today);
        const child = p.movers.find((m) => m.pnr === h.childPnr)!;
        letters.push(
          hearingLetter({
            caseId: c.id,
            municipalityCode: p.hearingMunicipality,
            date: today,
            recipient: { pnr: parent.pnr, name: parent.displayName, address: addressLines(parent.address) },
            child: { pnr: child.pnr, name: child.name },
            moveDate: p.moveDate,
            to: p.protectionRequested ? null : p.to,
            protectionRequested: p.protectionRequested,
            answerBy,
          }),
        );
      }
      if (sendReceipt) letters.unshift(this.#receipt(c, 'held_hearing'));
      const next = transition(
        c,
        { at: now, by, action: 'hearing_sent', note: `§13(2): ${p.hearings.length} forælder/forældre høres af kommune ${p.hearingMunicipality}` },
        { status: 'awaiting_hearing', deadline: answerBy, payload: { ...p, hearings: p.hearings.map((h) => ({ ...h, answerBy })) } },
      );
      const saved = await this.cases.update(next, letters);
      return { case: saved.case, letters: saved.letters, registrations: [] };
    }
    if (pending.length) {
      throw new RegistrationError('hearing_pending', `§13(2): the parent must be given the opportunity to be heard first (answer by ${pending[0]!.answerBy}).`);
    }
    return this.#registerMove(c, caller, sendReceipt);
  }

  /**
   * Writes one A01 registration per mover and the case's new status as one
   * unit of work: every mover moves, or nobody does (a household moves
   * together). A case left `registering` by an earlier version, which wrote
   * person by person, is completed without registering anyone twice.
   */
  async #registerMove(c: MoveCase, caller: Caller, sendReceipt: boolean): Promise<MoveOutcome> {
    const by = actorOf(caller);
    const p = c.payload;
    // Re-check at registration time: a held report is registered only if the persons still live at the old address.
    const reported: ReportedAddress = { ...p.from, municipalityCode: p.from.municipalityCode };
    const done = new Map<string, number>();
    const persons = new Map<string, PersonOn>();
    for (const m of p.movers) {
      const seq = await this.#registrationOf(m.pnr, marker(p));
      if (seq !== null) done.set(m.pnr, seq);
      else {
        // Read before the unit of work: its reads see committed data only.
        const person = await personOn(this.register, m.pnr, dayBefore(p.moveDate));
        checkMover(person, { from: reported }, p.to);
        persons.set(m.pnr, person);
      }
    }
    return atomically(this.register, async (r) => {
      const registrations: Array<{ pnr: string; seq: number }> = [];
      for (const m of p.movers) {
        let seq = done.get(m.pnr);
        if (seq === undefined) {
          const reg = await r.register({
            pnr: m.pnr,
            authority: c.municipalityCode,
            eventCode: 'A01',
            documentation: marker(p),
            late: p.late,
            changes: moveChanges(persons.get(m.pnr)!, p.to, p.moveDate),
          });
          seq = reg.seq;
        }
        registrations.push({ pnr: m.pnr, seq });
      }
      const payload = { ...c.payload, movers: c.payload.movers.map((m) => ({ ...m, seq: registrations.find((x) => x.pnr === m.pnr)!.seq })) };
      const next = transition(
        c,
        { at: toInstant(this.register.clock.now()), by, action: 'registered', note: p.late ? '§12(1), §57: anmeldt for sent' : undefined },
        { status: 'registered', deadline: null, payload },
      );
      const saved = await new CaseStore(r.store, this.register.clock).update(next, sendReceipt ? [this.#receipt(next, 'registered')] : []);
      return { case: saved.case, letters: saved.letters, registrations };
    });
  }

  #registrationOf(pnr: string, doc: string): Promise<number | null> {
    return registrationWithDoc(this.register, pnr, doc);
  }

  #receipt(c: MoveCase, outcome: 'registered' | 'held' | 'held_hearing'): Letter {
    const p = c.payload;
    return receiptLetter({
      caseId: c.id,
      municipalityCode: c.municipalityCode,
      date: this.#today(),
      recipient: { pnr: p.reporter.pnr, name: p.reporter.name, address: addressLines(outcome === 'registered' ? p.to : p.from) },
      receiptNumber: p.receiptNumber,
      reportedOn: p.reportedOn,
      moveDate: p.moveDate,
      movers: p.movers,
      from: p.from,
      to: p.to,
      outcome,
      late: p.late,
    });
  }

  async #moveCase(caller: Caller, id: number, opts: { asHearingMunicipality?: boolean } = {}): Promise<MoveCase> {
    const c = await this.cases.get<MovePayload>(id);
    requireKind(c, 'move');
    const own = clerkMunicipality(caller);
    // §13(3): the departure municipality hears the other parent; for that it may act on the case.
    const allowed = opts.asHearingMunicipality ? c.payload.hearingMunicipality : c.municipalityCode;
    if (own !== null && own !== allowed) {
      throw new RegistrationError('other_municipality', `Case ${id} is handled by municipality ${allowed}, not ${own}.`);
    }
    return c;
  }

  /** MOV-2, §6(3): after looking into a doubtful report (or after the hearing), register it. */
  async registerCase(caller: Caller, id: number): Promise<MoveOutcome> {
    const c = await this.#moveCase(caller, id);
    requireStatus(c, ['doubt', 'awaiting_hearing', 'heard', 'registering', 'received'], 'register');
    // Interrupted before the receipt went out: continue as the report would have.
    if (c.status === 'registering' || c.status === 'received') return c.status === 'registering' ? this.#registerMove(c, caller, true) : this.#proceed(c, caller, true);
    return this.#proceed(c.status === 'doubt' ? { ...c, status: 'received' } : c, caller, false);
  }

  /**
   * §13(2): records a parent's statement. With protection requested (§13(3))
   * only the departure municipality hears.
   */
  async recordHearing(caller: Caller, id: number, h: { parentPnr: string; statement: string }): Promise<MoveOutcome> {
    const c = await this.#moveCase(caller, id, { asHearingMunicipality: true });
    requireStatus(c, ['awaiting_hearing'], 'record a hearing');
    const targets = c.payload.hearings.filter((x) => x.parentPnr === h.parentPnr);
    if (!targets.length) throw new RegistrationError('not_a_hearing_party', 'That person is not a parent to be heard in this case.');
    if (targets.every((x) => x.heardOn)) throw new RegistrationError('already_heard', 'The parent has already been heard.');
    const today = this.#today();
    // One statement answers for every child of the report the parent is heard about.
    const hearings = c.payload.hearings.map((x) => (x.parentPnr === h.parentPnr && !x.heardOn ? { ...x, heardOn: today, statement: h.statement } : x));
    const allHeard = hearings.every((x) => x.heardOn);
    const next = transition(
      c,
      { at: toInstant(this.register.clock.now()), by: actorOf(caller), action: 'heard', note: `§13(2): forælder ${h.parentPnr.slice(0, 6)}-xxxx hørt` },
      { status: allHeard ? 'heard' : c.status, deadline: allHeard ? null : c.deadline, payload: { ...c.payload, hearings } },
    );
    const saved = await this.cases.update(next);
    return { case: saved.case, letters: [], registrations: [] };
  }

  /** §12(6) 1st sentence: a report given up before it is registered is withdrawn. */
  async withdraw(caller: Caller, id: number, note?: string): Promise<MoveOutcome> {
    const c = await this.#moveCase(caller, id);
    if (c.status === 'registered') {
      throw new RegistrationError(
        'already_registered',
        '§12(6): the move is registered; it can only be changed when it is documented that the registration is wrong (a correction).',
      );
    }
    requireStatus(c, ['doubt', 'awaiting_hearing', 'heard'], 'withdraw');
    const saved = await this.cases.update(
      transition(c, { at: toInstant(this.register.clock.now()), by: actorOf(caller), action: 'withdrawn', ...(note ? { note } : {}) }, { status: 'withdrawn', deadline: null }),
    );
    return { case: saved.case, letters: [], registrations: [] };
  }

  /** §6(3), §13: the municipality refuses to register the reported move, with a written decision. */
  async reject(caller: Caller, id: number, grounds: string): Promise<MoveOutcome> {
    const c = await this.#moveCase(caller, id);
    requireStatus(c, ['doubt', 'awaiting_hearing', 'heard'], 'reject');
    const today = this.#today();
    const p = c.payload;
    const letter = decisionLetter({
      caseId: c.id,
      municipalityCode: c.municipalityCode,
      date: today,
      recipient: { pnr: p.reporter.pnr, name: p.reporter.name, address: addressLines(p.from) },
      subject: 'Afgørelse: flytningen registreres ikke',
      decision: `Kommunen registrerer ikke den anmeldte flytning (kvitteringsnummer ${p.receiptNumber}, flyttedato ${p.moveDate}).`,
      grounds,
      rule: 'CPR-lovens § 6, stk. 3, og § 12',
    });
    const next = transition(c, { at: toInstant(this.register.clock.now()), by: actorOf(caller), action: 'rejected', note: grounds }, { status: 'rejected', deadline: null });
    const saved = await this.cases.update(next, [letter]);
    const decided = await this.cases.update({ ...saved.case, payload: { ...saved.case.payload, decision: { on: today, letterId: saved.letters[0]!.id, grounds } } });
    return { case: decided.case, letters: saved.letters, registrations: [] };
  }

  /**
   * §12(6) 2nd sentence: a registered move is changed only on documentation,
   * as a new registration (A09) per person: a corrected move date, or the
   * annulment of a move that did not happen (REG-3).
   */
  async correct(caller: Caller, id: number, input: { documentation: string; moveDate?: CivilDate; annul?: boolean }): Promise<MoveOutcome> {
    const c = await this.#moveCase(caller, id);
    requireStatus(c, ['registered'], 'correct');
    if (!input.documentation || input.documentation.trim().length < 3) {
      throw new RegistrationError('documentation_required', '§12(6): a registered move can only be changed when it is documented that the registration is wrong.');
    }
    if (!!input.annul === (input.moveDate !== undefined)) {
      throw new RegistrationError('invalid_correction', 'A correction gives either a corrected move date or annul: true.');
    }
    const p = c.payload;
    if (input.annul && p.corrections.length) {
      throw new RegistrationError('invalid_correction', 'The move date was corrected; annul the corrected registration by a new correction with documentation instead.');
    }
    if (input.moveDate === p.moveDate) throw new RegistrationError('invalid_correction', 'The corrected move date is the registered one.');
    const n = p.corrections.length + 1;
    const doc = `Rettelse ${n} af ${marker(p)}: ${input.documentation.trim()}`;
    const today = this.#today();
    // Validate every person first, so a refused correction changes nothing.
    const plans: Array<{ pnr: string; changes?: ReturnType<typeof correctionChanges>; annuls?: number }> = [];
    for (const m of p.movers) {
      if ((await this.#registrationOf(m.pnr, doc)) !== null) continue; // done before an interruption
      const latest = await personOn(this.register, m.pnr, today > p.moveDate ? today : p.moveDate);
      if (!latest.address || latest.address.addressId !== p.to.addressId || latest.addressFrom !== p.moveDate) {
        throw new RegistrationError('moved_since', `${m.pnr.slice(0, 6)}-xxxx has a later address registration; correct that one first.`);
      }
      if (input.annul) plans.push({ pnr: m.pnr, annuls: m.seq! });
      else plans.push({ pnr: m.pnr, changes: correctionChanges({ address: p.from, validFrom: m.oldFrom }, p.to, input.moveDate!, input.documentation) });
    }
    for (const plan of plans) {
      await this.register.register({
        pnr: plan.pnr,
        authority: c.municipalityCode,
        eventCode: 'A09',
        documentation: doc,
        ...(plan.annuls !== undefined ? { annuls: plan.annuls } : { changes: plan.changes }),
      });
    }
    const correction = { on: today, documentation: input.documentation.trim(), ...(input.annul ? { annulled: true } : { moveDate: input.moveDate }) };
    const next = transition(
      c,
      { at: toInstant(this.register.clock.now()), by: actorOf(caller), action: input.annul ? 'annulled' : 'corrected', note: input.documentation.trim() },
      { status: input.annul ? 'annulled' : 'registered', payload: { ...p, moveDate: input.moveDate ?? p.moveDate, corrections: [...p.corrections, correction] } },
    );
    const saved = await this.cases.update(next);
    return { case: saved.case, letters: [], registrations: [] };
  }
}
