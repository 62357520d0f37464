/**
 * Small pure helpers shared by the immigration, emigration, vital-event and
 * protection rules: the person's current facts and the date sanity checks
 * every registration makes (calendar arithmetic is domain/dates.ts).
 */
import type { FactState, PersonState } from '../../register/bitemporal.ts';
import { RegistrationError } from '../../register/validate.ts';
import { addDays, parseCivilDate, type CivilDate } from '../dates.ts';
import type { GroupValue } from '../person/facts.ts';

/** A civil date from input, or a RegistrationError naming the field. */
export function civilDate(value: string, field: string): CivilDate {
  const d = parseCivilDate(value);
  if (!d) throw new RegistrationError('invalid_date', `${field} "${value}" is not a date YYYY-MM-DD.`);
  return d;
}

/**
 * Dates of events that have happened (birth, death, marriage, entry) cannot
 * lie after today; a date in the future is a typing error, refused before
 * anything is written.
 */
export function notInFuture(d: CivilDate, today: CivilDate, field: string): void {
  if (d > today) throw new RegistrationError('date_in_future', `${field} ${d} is after today (${today}); an event is registered once it has happened.`);
}

/** Planned dates (a departure) may lie ahead, but not further than `maxDays`. */
export function notFarFuture(d: CivilDate, today: CivilDate, maxDays: number, field: string): void {
  if (d > addDays(today, maxDays)) {
    throw new RegistrationError('date_too_far_ahead', `${field} ${d} is more than ${maxDays} days ahead of today (${today}).`);
  }
}

export function single<G extends keyof PersonState>(state: PersonState, g: G): FactState | undefined {
  const f = state[g];
  return Array.isArray(f) ? f[0] : f;
}
export function listOf<G extends keyof PersonState>(state: PersonState, g: G): FactState[] {
  const f = state[g];
  return f === undefined ? [] : Array.isArray(f) ? f : [f];
}

export const statusOf = (s: PersonState) => (single(s, 'status')?.value as GroupValue<'status'> | undefined)?.code;
export const addressOf = (s: PersonState) => single(s, 'address')?.value as GroupValue<'address'> | undefined;
export const nameOf = (s: PersonState) => single(s, 'name')?.value as GroupValue<'name'> | undefined;
export const civilStatusOf = (s: PersonState) => single(s, 'civilStatus')?.value as GroupValue<'civilStatus'> | undefined;

/** REG-4: persons with status 01/03 (05/07 Greenland) are resident and active. */
export const RESIDENT_STATUSES: ReadonlySet<string> = new Set(['01', '03', '05', '07']);
/** Statuses after which nothing but an annulment or a number change is registered. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['30', '50', '60', '90']);

/** Refuses events for a person whose number is no longer in use or who has died. */
export function assertLiving(state: PersonState, pnr: string): void {
  const st = statusOf(state);
  if (st === '90') throw new RegistrationError('person_dead', `${pnr.slice(0, 6)}-**** is registered as dead (status 90).`);
  if (st && FINAL_STATUSES.has(st)) {
    throw new RegistrationError('person_inactive', `${pnr.slice(0, 6)}-**** has status ${st}; the number is no longer in use.`);
  }
}
