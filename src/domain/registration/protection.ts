/**
 * Protections (PRO-1, §28-§30), pure. Four types (record 004 BESKYTTYPE):
 * 0001 name-and-address (§28), 0002 local directory (§29(1)), 0003
 * marketing (§29(3)), 0004 research (§29(2)).
 *
 * Model: a protection is a `protection` fact keyed by its type whose validity
 * period is the protection's period. A name-and-address protection is granted
 * for one year, so its fact carries the lapse date as `validTo` (§28); the
 * register's current state honours that end on read (person_current.stale_at),
 * so the protection is gone on the day it lapses even if no job ran. The
 * lapse job (see `dueLapses`) only records the lapse in the log as an event
 * P11 "automatic removal of name-and-address protection", so subscribers and
 * the history show it; it never decides whether the person is protected.
 * §29 protections are open-ended (validTo null) and last until revoked
 * (§30(2)). The §29(1)-(2) protections implied by 0001 (§30(1)) are not
 * registered: they are derived on read (effectiveProtections), so they end
 * exactly when 0001 ends.
 */
import type { Version } from '../../register/bitemporal.ts';
import { RegistrationError } from '../../register/validate.ts';
import { addYears, dateOf, type CivilDate } from '../dates.ts';
import type { GroupValue } from '../person/facts.ts';
import { notFarFuture } from './vital-common.ts';

export type ProtectionType = GroupValue<'protection'>['type'];
export const NAME_AND_ADDRESS: ProtectionType = '0001';
export const SECTION: Record<ProtectionType, string> = { '0001': '§28', '0002': '§29(1)', '0003': '§29(3)', '0004': '§29(2)' };

/** A registered (not implied) protection fact in the person's current validity picture. */
export interface RegisteredProtection {
  type: ProtectionType;
  validFrom: CivilDate;
  validTo: CivilDate | null;
}

export type ProtectionChange = { group: 'protection'; key: ProtectionType; validFrom: CivilDate; validTo: CivilDate | null; value: { type: ProtectionType } | null };

const inForceOn = (p: RegisteredProtection, d: CivilDate) => p.validFrom <= d && (p.validTo === null || d < p.validTo);

/**
 * §28, §29: a grant from `today`. Name-and-address protection lapses one year
 * after it was granted (§28: "bortfalder efter et år"); §29 protections have
 * no end (§30(2)). A protection already in force is extended or left alone,
 * not granted twice.
 */
export function grantProtection(type: ProtectionType, existing: RegisteredProtection | undefined, today: CivilDate): ProtectionChange {
  if (existing && (inForceOn(existing, today) || existing.validFrom > today)) {
    throw new RegistrationError(
      'protection_in_force',
      type === NAME_AND_ADDRESS
        ? `§28: name-and-address protection is already in force until ${existing.validTo}; extend it instead.`
        : `${SECTION[type]}: protection ${type} is already registered (it lasts until revoked, §30(2)).`,
    );
  }
  const validTo = type === NAME_AND_ADDRESS ? addYears(today, 1) : null;
  return { group: 'protection', key: type, validFrom: today, validTo, value: { type } };
}

/**
 * §28: the municipality may extend a name-and-address protection beyond one
 * year when quite special circumstances justify it; the reason is required.
 * The extension is a new decision for at most one more year from the current
 * end (default: exactly one year), made while the protection is in force.
 * §29 protections have no end to extend (§30(2)).
 */
export function extendProtection(
  type: ProtectionType,
  existing: RegisteredProtection | undefined,
  today: CivilDate,
  reason: string | undefined,
  until?: CivilDate,
): ProtectionChange {
  if (type !== NAME_AND_ADDRESS) {
    throw new RegistrationError('not_extendable', `${SECTION[type]}: protection ${type} lasts until revoked (§30(2)); there is nothing to extend.`);
  }
  if (!existing || !inForceOn(existing, today) || existing.validTo === null) {
    throw new RegistrationError('protection_not_in_force', '§28: there is no name-and-address protection in force to extend; grant a new one.');
  }
  if (!reason || reason.trim().length < 3) {
    throw new RegistrationError('reason_required', '§28: an extension beyond one year needs the quite special circumstances stated as the reason.');
  }
  const limit = addYears(existing.validTo, 1);
  const end = until ?? limit;
  if (end <= existing.validTo) throw new RegistrationError('invalid_period', `The new end ${end} must be after the current end ${existing.validTo}.`);
  if (end > limit) throw new RegistrationError('date_too_far_ahead', `§28: an extension runs at most one year from the current end (${limit}).`);
  return { group: 'protection', key: type, validFrom: existing.validFrom, validTo: end, value: { type } };
}

/**
 * §28 (earlier lapse on request) and §30(2) (a §29 protection lasts until the
 * person revokes it): ends the protection from `from` (today or a date ahead,
 * never back in time — the protection was in force until now).
 */
export function revokeProtection(type: ProtectionType, existing: RegisteredProtection | undefined, today: CivilDate, from: CivilDate = today): ProtectionChange {
  if (!existing || (existing.validTo !== null && existing.validTo <= today)) {
    throw new RegistrationError('protection_not_in_force', `${SECTION[type]}: no protection ${type} is registered to revoke.`);
  }
  if (from < today) throw new RegistrationError('date_in_past', `A protection is revoked from today or later, not from ${from}.`);
  notFarFuture(from, today, 366, 'The revocation date');
  if (existing.validTo !== null && from >= existing.validTo) {
    throw new RegistrationError('invalid_period', `The protection already ends on ${existing.validTo}.`);
  }
  // The fact is removed from `from` to its end (a protection not yet begun is removed altogether);
  // the part before `from` stays registered, ending on `from`.
  const start = from > existing.validFrom ? from : existing.validFrom;
  return { group: 'protection', key: type, validFrom: start, validTo: existing.validTo, value: null };
}

/** The registered protection of a type as currently known (open registration, latest validity). */
export function registeredProtection(versions: readonly Version[], type: ProtectionType): RegisteredProtection | undefined {
  let best: RegisteredProtection | undefined;
  for (const v of versions) {
    if (v.rt !== null || v.g !== 'protection' || v.k !== type) continue;
    if (!best || v.vf > best.validFrom) best = { type, validFrom: v.vf, validTo: v.vt };
  }
  return best;
}

export interface DueLapse {
  type: ProtectionType;
  lapsedOn: CivilDate;
  /** The change the P11 registration records: the end of the fact from the lapse date (until a later grant, if any). */
  change: ProtectionChange;
}

/**
 * §28, PRO-1: name-and-address protections whose period ended on or before
 * `today` and whose end is not yet recorded (`recorded` holds `lapsedOn`
 * dates). A period followed directly by another one (a new grant from the
 * same day) did not lapse. Catching up after downtime is the same call: every
 * end up to today is due, each with its own date.
 */
export function dueLapses(versions: readonly Version[], today: CivilDate, recorded: ReadonlySet<CivilDate>): DueLapse[] {
  const open = versions.filter((v) => v.rt === null && v.g === 'protection' && v.k === NAME_AND_ADDRESS);
  const out: DueLapse[] = [];
  for (const v of open) {
    if (v.vt === null || v.vt > today || recorded.has(v.vt)) continue;
    // An end already past when the register learnt of the protection (history taken in) is no lapse to announce.
    if (v.vt <= dateOf(v.rf)) continue;
    const next = open.filter((w) => w.vf >= v.vt!).sort((a, b) => (a.vf < b.vf ? -1 : 1))[0];
    if (next && next.vf === v.vt) continue;
    out.push({
      type: NAME_AND_ADDRESS,
      lapsedOn: v.vt,
      change: { group: 'protection', key: NAME_AND_ADDRESS, validFrom: v.vt, validTo: next ? next.vf : null, value: null },
    });
  }
  return out.sort((a, b) => (a.lapsedOn < b.lapsedOn ? -1 : 1));
}
