/**
 * Who registers what, and how a registration is tied to its actor.
 *
 * Municipal registrations (immigration, emigration, protections) are made by a
 * clerk of the municipality concerned (§2(1); see clerk.ts). Vital events come
 * from other authorities (§2(2): "Andre myndigheder deltager i
 * vedligeholdelsen af CPR"): such an authority is a `public_authority`
 * customer whose legal bases name what it maintains — `§2(2)` for every vital
 * event, or `§2(2):<event>` for one kind (e.g. `§2(2):birth` for a parish,
 * `§2(2):guardianship` for the family-law agency). The CPR administration may
 * register anything. A principal also needs the role `register`. The audit
 * record of a registration is built in audited.ts.
 */
import type { Caller } from '../../access/customers.ts';
import { RegistrationError } from '../../register/validate.ts';

export const VITAL_EVENTS = [
  'birth', 'death', 'marriage', 'divorce', 'partnership', 'dissolution', 'separation', 'name', 'church', 'guardianship', 'number',
] as const;
export type VitalEvent = (typeof VITAL_EVENTS)[number];

/** §2(2): the caller is an authority that maintains this kind of vital event. */
export function assertVitalAuthority(caller: Caller, event: VitalEvent): void {
  if (caller.customer.kind === 'cpr_admin') return;
  const bases = caller.customer.legalBases;
  if (caller.customer.kind === 'public_authority' && (bases.includes('§2(2)') || bases.includes(`§2(2):${event}`))) return;
  throw new RegistrationError(
    'not_a_registering_authority',
    `§2(2): ${caller.customer.name} has no legal basis to register ${event} events (needs "§2(2)" or "§2(2):${event}").`,
  );
}

/** The acting authority written on the registration: the municipality or authority number, else its name. */
export function authorityOf(caller: Caller): string {
  if (caller.customer.kind === 'cpr_admin') return 'CPR';
  return caller.customer.number ?? caller.customer.name.replace(/[^\p{L}\p{N} .,()/&§-]/gu, ' ').slice(0, 60).trim();
}
