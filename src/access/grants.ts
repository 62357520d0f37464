/**
 * What a customer can be granted: the legal bases the register acts on and
 * the fields a scope can name (DIS-1). A basis or field outside these lists
 * is worth nothing at lookup time (resolveGrant rejects it as unknown_basis,
 * a scope field that is no field selects nothing), so AccessControl refuses
 * it when a customer is created or changed instead of storing it (issue 14,
 * finding 9: misconfiguration was silent).
 */
import { FIELD_NAMES, LEGAL_BASES } from '../domain/disclosure/policy.ts';
import { VITAL_EVENTS } from '../services/registration/vital-authority.ts';

/**
 * Every legal basis a customer may hold: the disclosure bases of the Act
 * (policy.ts) and the bases other parts of the register check by name.
 */
export const CUSTOMER_LEGAL_BASES: readonly string[] = [
  ...LEGAL_BASES.keys(),
  // §2(2): an authority maintaining vital events, all of them or one kind (services/registration/vital-authority.ts).
  '§2(2)',
  ...VITAL_EVENTS.map((e) => `§2(2):${e}`),
  // §25: delivers Nordic notifications for the CPR office (services/registration/nordic.ts).
  '§25',
  // §40(5): receives the marketing-protection list (api/routes/citizen.ts).
  '§40(5)',
];

/** A scope names fields of the catalogue, or `all`. */
export const SCOPE_VALUES: readonly string[] = ['all', ...FIELD_NAMES];

const bases = new Set(CUSTOMER_LEGAL_BASES);
const scopes = new Set(SCOPE_VALUES);

export const unknownLegalBases = (ids: readonly string[]): string[] => ids.filter((b) => !bases.has(b));
export const unknownScopeFields = (fields: readonly string[]): string[] => fields.filter((f) => !scopes.has(f));
