/**
 * Who may register for which municipality. §2(1): the municipality of
 * residence registers; a clerk acts for their own municipality only. The
 * municipality is the public-authority customer's number (its 4-digit
 * municipality code); the CPR administration may register anywhere.
 */
import type { Caller } from '../../access/customers.ts';
import { RegistrationError } from '../../register/validate.ts';

/** The caller's municipality code when the caller is a municipality (a public authority numbered by its 4-digit code), else null. */
export function municipalityOf(caller: Caller): string | null {
  const n = caller.customer.number;
  return caller.customer.kind === 'public_authority' && n && /^\d{4}$/.test(n) ? n : null;
}

/** The municipality code a caller registers for, or null for the CPR administration (any). */
export function clerkMunicipality(caller: Caller): string | null {
  if (caller.customer.kind === 'cpr_admin') return null;
  const n = municipalityOf(caller);
  if (n === null) throw new RegistrationError('not_a_municipality', 'Only a municipality (or the CPR administration) registers in the CPR.');
  return n;
}

/** §2(1): refuse a registration for another municipality than the clerk's own. */
export function assertOwnMunicipality(caller: Caller, municipalityCode: string): void {
  const own = clerkMunicipality(caller);
  if (own !== null && own !== municipalityCode) {
    throw new RegistrationError(
      'other_municipality',
      `Your customer registers for municipality ${own}, not ${municipalityCode}.`,
    );
  }
}
