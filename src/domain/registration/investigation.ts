/**
 * Investigation of a wrong residence registration (MOV-2, §10-11), pure.
 */
import { addDays, type CivilDate } from '../dates.ts';
import { RegistrationError } from '../../register/validate.ts';

/** §11(1)-(2): the person has 14 days from when the letter can be assumed to have arrived. */
export const REPLY_DAYS = 14;

/**
 * §10(1): the municipality where the person is registered investigates,
 * unless a specific address in another municipality where the person is
 * believed to stay is known; then that municipality does.
 */
export function investigatingMunicipality(registeredIn: string | null, believedAddressIn: string | null): string[] {
  const allowed = new Set<string>();
  if (believedAddressIn) allowed.add(believedAddressIn);
  else if (registeredIn) allowed.add(registeredIn);
  return [...allowed];
}

export function assertMayInvestigate(caller: string | null, registeredIn: string | null, believedAddressIn: string | null): void {
  if (caller === null) return; // the CPR administration
  const allowed = investigatingMunicipality(registeredIn, believedAddressIn);
  if (!allowed.includes(caller)) {
    throw new RegistrationError(
      'other_municipality',
      `§10(1): the investigation is made by municipality ${allowed.join(' or ') || '(none: the person is not registered in a municipality)'}, not ${caller}.`,
    );
  }
}

/** §11(2): the last day for a reply: 14 days after the assumed arrival of the letter. */
export function replyDeadline(assumedArrival: CivilDate): CivilDate {
  return addDays(assumedArrival, REPLY_DAYS);
}

export interface InvestigationState {
  status: string;
  deadline: CivilDate | null;
  /** The letter could not be delivered or the person could not be contacted (§11(2)). */
  unreachable: boolean;
}

/**
 * §11(2): the municipality registers the correct address only when no
 * reaction changing its view came within 14 days of the letter's assumed
 * arrival, or the person could not be contacted.
 */
export function assertMayDecide(s: InvestigationState, today: CivilDate): void {
  if (s.status !== 'awaiting_reply') {
    throw new RegistrationError(
      s.status === 'open' ? 'request_not_sent' : 'case_wrong_status',
      s.status === 'open'
        ? '§11(1): the person must first be asked in writing to report the move within 14 days.'
        : `The investigation is ${s.status}; no decision can be made.`,
    );
  }
  if (!s.unreachable && s.deadline !== null && today <= s.deadline) {
    throw new RegistrationError(
      'reply_period_running',
      `§11(2): the person has until ${s.deadline} to react; the address can be registered from ${addDays(s.deadline, 1)}.`,
    );
  }
}
