/**
 * Domestic moves (MOV-1..MOV-3, §12-13, §6(3)), pure rules. The service
 * reads the register and the address register and hands the facts to these
 * functions; they decide, citing the paragraph, and never do I/O.
 */
import { addDays, ageOn, type CivilDate } from '../dates.ts';
import { isSpecialRoadCode } from '../codes/index.ts';
import type { GroupValue } from '../person/facts.ts';
import { nameWords, sameWords } from '../names/compare.ts';
import { RegistrationError } from '../../register/validate.ts';

export type Address = GroupValue<'address'>;

/** §12(4): the municipality may refuse reports more than 4 weeks before the move date. */
export const EARLY_REPORT_DAYS = 28;
/** §12(1): a move must be reported at the latest 5 days after it. */
export const REPORT_DEADLINE_DAYS = 5;
/** A child under this age at the move date is moved under §13(2). */
export const MAJORITY_AGE = 18;

/** Municipality settings for moves. */
export interface MoveSettings {
  /** §12(4) "kan nægte": on by default. */
  refuseEarlyReports: boolean;
}
export const DEFAULT_MOVE_SETTINGS: MoveSettings = { refuseEarlyReports: true };

/** The old address as reported (§12(2) nr. 3): a DAR unit id, or the postal fields. */
export interface ReportedAddress {
  municipalityCode: string;
  addressId?: string;
  roadName?: string;
  houseNumber?: string;
  floor?: string;
  door?: string;
  postalCode?: string;
}

/**
 * §12(4) and §12(1): refuses a report more than 4 weeks before the move date
 * (when the municipality uses the right to refuse); marks one made more than
 * 5 days after the move date as late (§57 makes late reporting punishable).
 */
export function checkReportTiming(moveDate: CivilDate, reportedOn: CivilDate, settings: MoveSettings): { late: boolean } {
  // §12(4): "tidligere end 4 uger før den angivne flyttedato"
  if (settings.refuseEarlyReports && reportedOn < addDays(moveDate, -EARLY_REPORT_DAYS)) {
    throw new RegistrationError(
      'report_too_early',
      `§12(4): the municipality does not receive move reports more than 4 weeks before the move date (${moveDate}); report from ${addDays(moveDate, -EARLY_REPORT_DAYS)}.`,
    );
  }
  // §12(1): "senest 5 dage efter flytningen"
  return { late: reportedOn > addDays(moveDate, REPORT_DEADLINE_DAYS) };
}

const fold = (s: string | undefined | null) =>
  (s ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[.\s]+/g, ' ')
    .trim()
    .toLowerCase();

/** Two registered addresses are the same dwelling: the same DAR unit, or the same road, number, floor and door. */
export function sameAddress(a: Address | undefined | null, b: Address | undefined | null): boolean {
  if (!a || !b) return false;
  if (a.addressId && b.addressId) return a.addressId === b.addressId;
  return (
    a.municipalityCode === b.municipalityCode &&
    a.roadCode === b.roadCode &&
    fold(a.houseNumber) === fold(b.houseNumber) &&
    fold(a.floor) === fold(b.floor) &&
    fold(a.door) === fold(b.door)
  );
}

/** §12(2) nr. 3: the reported old address is the registered one. */
export function matchesReported(registered: Address, reported: ReportedAddress): boolean {
  if (registered.municipalityCode !== reported.municipalityCode) return false;
  // §6(4): a person without fixed abode (special road code) has only the municipality to report.
  if (isSpecialRoadCode(registered.roadCode)) return !reported.addressId && !reported.houseNumber;
  if (reported.addressId) return registered.addressId === reported.addressId.toLowerCase();
  if (!reported.roadName || !reported.houseNumber) return false;
  return (
    fold(registered.roadName) === fold(reported.roadName) &&
    fold(registered.houseNumber) === fold(reported.houseNumber) &&
    fold(registered.floor) === fold(reported.floor) &&
    fold(registered.door) === fold(reported.door) &&
    (reported.postalCode === undefined || registered.postalCode === reported.postalCode)
  );
}

/** What the rules need to know about a person moving, as registered the day before the move. */
export interface Mover {
  pnr: string;
  birthDate: CivilDate;
  status: string | null;
  address: Address | null;
  name: GroupValue<'name'> | null;
  /** Parents with a person number (Bilag 1 nr. 8). */
  parents: string[];
}

/**
 * §12(2) nr. 2: the full name or the addressing name, as registered, word
 * for word in order (words compared as domain/names/compare.ts folds them:
 * "Soeren Aaberg" is "Søren Åberg"; commas, full stops and hyphens separate
 * words, so "Olsen, Karen M." is the addressing name "Olsen,Karen M.").
 */
export function nameMatches(registered: GroupValue<'name'> | null, reported: string): boolean {
  if (!registered) return false;
  const r = nameWords(reported);
  const full = nameWords([...registered.firstNames, ...registered.middleNames, registered.lastName].join(' '));
  return sameWords(r, full) || (!!registered.addressingName && sameWords(r, nameWords(registered.addressingName)));
}

/**
 * MOV-1, §6(1), §12(2): a person may be moved within Denmark only when
 * resident (status 01, or 03 with a special road code) at the reported old
 * address, under the reported name, and not already at the new address.
 */
export function checkMover(m: Mover, reported: { name?: string; from: ReportedAddress }, to: Address): void {
  const who = `${m.pnr.slice(0, 6)}-xxxx`;
  if (m.status !== '01' && m.status !== '03') {
    throw new RegistrationError(
      'not_resident',
      `§6(1), chapter 4: ${who} is not resident in a Danish municipality (status ${m.status ?? 'none'}); a domestic move cannot be registered.`,
    );
  }
  if (reported.name !== undefined && !nameMatches(m.name, reported.name)) {
    throw new RegistrationError('name_mismatch', `§12(2) nr. 2: the name reported for ${who} is neither the registered full name nor the addressing name.`);
  }
  if (!m.address || !matchesReported(m.address, reported.from)) {
    throw new RegistrationError(
      'not_at_old_address',
      `§12(2) nr. 3: ${who} is not registered at the reported old address in municipality ${reported.from.municipalityCode} the day before the move.`,
    );
  }
  if (sameAddress(m.address, to)) {
    throw new RegistrationError('already_at_address', `${who} is already registered at the new address.`);
  }
}

/**
 * §13(2): before a child's move is registered, a parent who lived with the
 * child and neither moves along nor signed the report must be heard. The
 * first sentence (the child lived with both parents) and the second (with
 * one parent, who stays) come to the same test per parent: lived at the
 * child's address, does not move, did not sign.
 */
export function parentsToHear(
  child: Mover,
  parents: Array<{ pnr: string; address: Address | null }>,
  moving: ReadonlySet<string>,
  signedBy: ReadonlySet<string>,
  moveDate: CivilDate,
): string[] {
  if (ageOn(child.birthDate, moveDate) >= MAJORITY_AGE) return [];
  return parents
    .filter((p) => child.parents.includes(p.pnr))
    .filter((p) => sameAddress(p.address, child.address) && !moving.has(p.pnr) && !signedBy.has(p.pnr))
    .map((p) => p.pnr);
}

/**
 * §13(3): when name-and-address protection is requested for the child's new
 * address, the hearing is done by the departure municipality, which must not
 * learn or tell the new address. Otherwise the receiving municipality hears.
 */
export function hearingMunicipality(fromMunicipality: string, toMunicipality: string, protectionRequested: boolean): string {
  return protectionRequested ? fromMunicipality : toMunicipality;
}

/**
 * The facts of a move registration (event A01): the new address from the
 * move date, and status 01 for a person who had a special road code (03).
 */
export function moveChanges(m: Pick<Mover, 'status'>, to: Address, moveDate: CivilDate) {
  const changes: Array<{ group: string; validFrom: CivilDate; value: unknown }> = [{ group: 'address', validFrom: moveDate, value: to }];
  if (m.status !== '01') changes.push({ group: 'status', validFrom: moveDate, value: { code: '01' } });
  return changes;
}

/**
 * §12(6) 2nd sentence: a registered move (its date included) is changed only
 * on documentation that the registration is wrong. The correction re-asserts
 * the old address up to the corrected date and the new one from it, in one
 * registration (event A09), so the earlier registration stays in the log.
 */
export function correctionChanges(old: { address: Address; validFrom: CivilDate }, to: Address, correctedDate: CivilDate, documentation: string | undefined) {
  if (!documentation || documentation.trim().length < 3) {
    throw new RegistrationError(
      'documentation_required',
      '§12(6): a registered move can only be changed when it is documented that the registration is wrong; give the documentation.',
    );
  }
  if (correctedDate <= old.validFrom) {
    throw new RegistrationError('invalid_period', `The corrected move date must be after the previous address began (${old.validFrom}).`);
  }
  return [
    { group: 'address', validFrom: old.validFrom, validTo: correctedDate, value: old.address },
    { group: 'address', validFrom: correctedDate, value: to },
  ];
}
