/**
 * Citizen self-service (DIS-6, issue 6 §12, issue 7): a signed-in citizen
 * reports their own move (§12) and requests name-and-address protection
 * (§28). A citizen acts only on the person number their login is tied to;
 * nothing here takes a person number from the request.
 *
 * - The move report goes through the MoveService like a report received at
 *   the counter: §12(1) it is made to the municipality moved to, which
 *   receives and registers it (the registration's authority is that
 *   municipality), with the receipt (§12(5)).
 * - A protection request becomes a `protection_request` case of the
 *   municipality of residence (§28: "ved henvendelse til sin bopælskommune");
 *   a clerk there grants it through the ProtectionService or refuses it.
 */
import type { AuditLog } from '../access/audit.ts';
import type { Caller } from '../access/customers.ts';
import { dateOf, toInstant, type CivilDate } from '../domain/dates.ts';
import { effectiveProtections } from '../domain/disclosure/project.ts';
import { requireKind, requireStatus, transition, type Case } from '../domain/registration/case.ts';
import { addressOf, assertLiving, RESIDENT_STATUSES, statusOf } from '../domain/registration/vital-common.ts';
import type { Register } from '../register/register.ts';
import { RegistrationError } from '../register/validate.ts';
import { AddressRegister } from '../reference/address-register.ts';
import { registrationEntry, TX, type RegistrationTransaction } from './registration/audited.ts';
import { actorOf, CaseStore, type StoredLetter } from './registration/cases.ts';
import { assertOwnMunicipality } from './registration/clerk.ts';
import { MoveService, type MoveOutcome } from './registration/moves.ts';
import { dayBefore, personOn } from './registration/persons.ts';
import { ProtectionService } from './registration/protection.ts';

export const PROTECTION_REQUEST = 'protection_request';

export interface ProtectionRequestPayload {
  /** §28: name-and-address protection. */
  type: '0001';
  requestedOn: CivilDate;
  /** The citizen's own words, if any (the Act asks for no reason). */
  reason?: string;
  /** The municipality of residence when asked. */
  residence: string;
  decision?: { on: CivilDate; outcome: 'granted' | 'refused'; grounds?: string; seq?: number; validTo?: CivilDate | null };
}

export type ProtectionRequestCase = Case<ProtectionRequestPayload>;

/** The citizen's own person number; a login without one acts for nobody. */
export function ownPnr(caller: Caller): string {
  const pnr = caller.principal.pnr;
  if (caller.customer.kind !== 'citizen' || !pnr) {
    throw new RegistrationError('not_own_person', 'Self-service is for a citizen signed in with their own person number.');
  }
  return pnr;
}

/**
 * The municipality receiving a citizen's report (§12(1)), acting through the
 * citizen's own login: a caller that registers for that municipality only,
 * so the MoveService's own-municipality check (§2(1)) holds as at the counter.
 */
function receivedBy(caller: Caller, municipalityCode: string): Caller {
  return { customer: { ...caller.customer, kind: 'public_authority', number: municipalityCode }, principal: caller.principal };
}

export class CitizenRequests {
  readonly cases: CaseStore;
  readonly dar: AddressRegister;
  readonly moves: MoveService;
  readonly protection: ProtectionService;

  constructor(
    readonly register: Register,
    readonly audit: AuditLog,
  ) {
    this.cases = new CaseStore(register.store, register.clock);
    this.dar = new AddressRegister(register.store, register.clock);
    this.moves = new MoveService(register, this.dar, this.cases);
    this.protection = new ProtectionService(register);
  }

  #today(): CivilDate {
    return dateOf(this.register.clock.now());
  }

  /** AUD-3: the citizen's (or the clerk's) transaction, recorded after its write (see registration/audited.ts). */
  #record(caller: Caller, type: RegistrationTransaction, subjects: string[], legalBasis: string, requestId: string | undefined, detail: Record<string, unknown>): Promise<void> {
    return this.audit.record(registrationEntry(caller, type, { ...(requestId !== undefined && { id: requestId }) }, { subjects, detail }, legalBasis));
  }

  /** §12: the citizen reports their own move to a DAR unit address; registered at once unless a rule holds it. */
  async reportMove(caller: Caller, input: { addressId: string; moveDate: CivilDate }, requestId?: string): Promise<MoveOutcome> {
    const pnr = ownPnr(caller);
    // §12(2) nr. 4: the new address is a unit address in DAR on the move date; it names the municipality (§12(1)).
    const unit = await this.dar.unit(input.addressId, { on: input.moveDate });
    if (!unit) throw new RegistrationError('address_not_found', `§12(2) nr. 4: the new address is not in the address register (DAR) on ${input.moveDate}.`);
    // §12(2) nr. 1-3: the reporter's number, name and old address are the register's own (the citizen cannot misstate them).
    const me = await personOn(this.register, pnr, dayBefore(input.moveDate));
    if (!me.address) throw new RegistrationError('not_resident', '§12: a move within Denmark is reported from a Danish address; report an immigration to the municipality instead.');
    const municipality = unit.houseNumber.municipalityCode;
    const outcome = await this.moves.report(receivedBy(caller, municipality), {
      pnr,
      name: me.displayName,
      from: { municipalityCode: me.address.municipalityCode, ...(me.address.addressId ? { addressId: me.address.addressId } : {}) },
      to: { municipalityCode: municipality, addressId: input.addressId },
      moveDate: input.moveDate,
      signedBy: [pnr],
    });
    await this.#record(caller, TX.citizenMoveReport, [pnr], '§12', requestId, { caseId: outcome.case.id, municipalityCode: municipality, moveDate: input.moveDate, status: outcome.case.status, seqs: outcome.registrations.map((r) => r.seq) });
    return outcome;
  }

  /** §28: asks the municipality of residence for name-and-address protection; one open request at a time. */
  async requestProtection(caller: Caller, input: { reason?: string }, requestId?: string): Promise<ProtectionRequestCase> {
    const pnr = ownPnr(caller);
    const view = await this.register.person(pnr);
    if (!view) throw new RegistrationError('person_not_found', 'Your person number is not in the register.');
    assertLiving(view.state, pnr);
    const addr = addressOf(view.state);
    const st = statusOf(view.state);
    // §28: "ved henvendelse til sin bopælskommune": only a resident has one.
    if (!addr || !st || !RESIDENT_STATUSES.has(st)) {
      throw new RegistrationError('not_resident', '§28: protection is asked of the municipality of residence; you have no residence in Denmark.');
    }
    const open = await this.cases.list({ municipalityCode: null, kind: PROTECTION_REQUEST, status: 'received', pnr });
    if (open.length) throw new RegistrationError('protection_request_pending', `You already have a request for protection waiting (case ${open[0]!.id}).`);
    const now = toInstant(this.register.clock.now());
    const payload: ProtectionRequestPayload = {
      type: '0001',
      requestedOn: this.#today(),
      residence: addr.municipalityCode,
      ...(input.reason ? { reason: input.reason } : {}),
    };
    const created = await this.cases.create<ProtectionRequestPayload>({
      kind: PROTECTION_REQUEST,
      status: 'received',
      municipalityCode: addr.municipalityCode,
      sharedWith: null,
      pnr,
      deadline: null,
      payload,
      history: [{ at: now, by: `borger/${caller.principal.id}`, action: 'requested', ...(input.reason ? { note: input.reason } : {}) }],
    });
    await this.#record(caller, TX.citizenProtectionRequest, [pnr], '§28', requestId, { caseId: created.case.id, municipalityCode: created.case.municipalityCode });
    return created.case;
  }

  /** The citizen's own cases (move reports and protection requests), newest first. */
  async ownCases(caller: Caller, requestId?: string): Promise<Case[]> {
    const pnr = ownPnr(caller);
    const all = await this.cases.list({ municipalityCode: null, pnr, limit: 200 });
    const own = all.filter((c) => c.kind === 'move' || c.kind === PROTECTION_REQUEST).reverse();
    // Own data is personal data too: the read is logged like the attestation's (§46).
    await this.#record(caller, TX.citizenRequestsRead, [pnr], '§46', requestId, { cases: own.map((c) => c.id) });
    return own;
  }

  /** A letter to the citizen (e.g. the receipt, §12(5)); another person's letter is refused like a missing one. */
  async ownLetter(caller: Caller, id: number, requestId?: string): Promise<StoredLetter> {
    const pnr = ownPnr(caller);
    let l: StoredLetter;
    try {
      l = await this.cases.letter(id);
    } catch {
      throw new RegistrationError('letter_not_found', `No letter ${id} to you.`);
    }
    if (l.pnr !== pnr) throw new RegistrationError('letter_not_found', `No letter ${id} to you.`);
    await this.#record(caller, TX.citizenLetterRead, [pnr], '§46', requestId, { letterId: l.id, caseId: l.caseId });
    return l;
  }

  /**
   * §28: the municipality of residence decides a citizen's request: granted
   * through the ProtectionService (A33, one year), or refused with grounds.
   */
  async decide(caller: Caller, id: number, d: { outcome: 'grant' | 'refuse'; grounds?: string }, requestId?: string): Promise<{ case: ProtectionRequestCase; validTo?: CivilDate | null }> {
    const c = await this.cases.get<ProtectionRequestPayload>(id);
    requireKind(c, PROTECTION_REQUEST);
    assertOwnMunicipality(caller, c.municipalityCode);
    requireStatus(c, ['received'], d.outcome);
    const now = toInstant(this.register.clock.now());
    const today = this.#today();
    const by = actorOf(caller);
    if (d.outcome === 'refuse') {
      if (!d.grounds) throw new RegistrationError('grounds_required', 'A refusal gives its grounds.');
      const next = transition(c, { at: now, by, action: 'refused', note: d.grounds }, { status: 'refused', payload: { ...c.payload, decision: { on: today, outcome: 'refused', grounds: d.grounds } } });
      const saved = await this.cases.update(next);
      await this.#record(caller, TX.protectionRequestRefused, [c.pnr], '§28', requestId, { caseId: id });
      return { case: saved.case };
    }
    // A protection granted since the request (by this decision interrupted before the case was
    // updated, or by a clerk's own registration) is the grant: it is not registered twice.
    const view = await this.register.person(c.pnr);
    const already = view ? effectiveProtections(view.state, today).find((x) => x.type === '0001' && x.impliedBy === undefined && x.validFrom >= c.payload.requestedOn) : undefined;
    // §28: granted for one year by the ProtectionService (which checks residence and the municipality again).
    const p = already ? undefined : await this.protection.apply(caller, { pnr: c.pnr, type: '0001', action: 'grant' });
    const validTo = (p ? p.inForce.find((x) => x.type === '0001')?.validTo : already?.validTo) ?? null;
    const next = transition(
      c,
      { at: now, by, action: 'granted', note: p ? `A33 nr. ${p.seq}` : `registreret ${already!.validFrom}` },
      { status: 'granted', payload: { ...c.payload, decision: { on: today, outcome: 'granted', ...(p && { seq: p.seq }), validTo, ...(d.grounds ? { grounds: d.grounds } : {}) } } },
    );
    const saved = await this.cases.update(next);
    await this.#record(caller, TX.protectionRequestGranted, [c.pnr], '§28', requestId, { caseId: id, ...(p && { seq: p.seq }) });
    return { case: saved.case, validTo };
  }
}
