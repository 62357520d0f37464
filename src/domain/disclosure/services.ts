/**
 * Which legal bases each service of the register uses, and which fields a
 * registration changes: the policy of the services, beside the policy of the
 * fields (policy.ts), so that no service decides it itself (issue 14). Pure.
 */
import type { FactChange } from '../../register/bitemporal.ts';
import type { Group } from '../person/facts.ts';
import { FIELDS, FIELD_NAMES, type FieldName } from './policy.ts';

// ─── Companies' enquiries and deliveries (§38, §39, §42) ──────────────────

/** §39 covers §42(1)-(2); §42(3) insurers, §42(4) credit bureaus (single enquiries). */
export const ENQUIRY_BASES: readonly string[] = ['§39', '§42(2)', '§42(3)', '§42(4)'];
/** §38(2) businesses, §38(3) insurers, §38(4) credit bureaus (bulk deliveries). */
export const DELIVERY_BASES: readonly string[] = ['§38(2)', '§38(3)', '§38(4)'];
/** The customer kinds of §38/§39/§42(2)-(4); a public authority looks persons up by number (§32). */
export const COMPANY_KINDS: ReadonlySet<string> = new Set(['business', 'insurer', 'credit_bureau']);

// ─── Subscriptions and the feed (§38(2) nr. 10) ───────────────────────────

/** §38(2) nr. 10 (with §38(3)-(4) for insurers and credit bureaus): the bases under which a private party gets changes. */
export const SUBSCRIPTION_BASES_PRIVATE: ReadonlySet<string> = new Set(['§38(2)', '§38(3)', '§38(4)']);

// ─── The marketing-protection list (§40(5)) ───────────────────────────────

/** §40(5) "erhvervsdrivende" (and their trade organisations): private business customers. */
export const MARKETING_LIST_KINDS: readonly string[] = ['business', 'insurer', 'credit_bureau', 'landlord'];
/** A business basis: §40(5) itself, or a basis businesses hold for CPR data (§38(2), §39, §42(2)). */
export const MARKETING_LIST_BASES: readonly string[] = ['§40(5)', '§38(2)', '§39', '§42(2)'];

// ─── Which fields a registration changes (the feed, REG-6) ────────────────

/** The catalogue fields read from each person group (FIELDS[*].groups). */
const FIELDS_OF_GROUP: ReadonlyMap<Group, readonly FieldName[]> = (() => {
  const m = new Map<Group, FieldName[]>();
  for (const f of FIELD_NAMES) for (const g of FIELDS[f].groups) m.set(g, [...(m.get(g) ?? []), f]);
  return m;
})();

/**
 * The catalogue fields a registration's changes touch: the fields whose
 * source groups it asserts or ends, in catalogue order. Two groups feed
 * fields that do not all change together, and the change itself says which:
 * - protection (keyed by type): the marketing mark (§29(3)) only for type
 *   0003; the list of protections for any type;
 * - status: death for 90, disappearance for 70, emigration for 80; another
 *   code touches only the status itself (a return from abroad or a
 *   rediscovery comes with a new address, and the end of a foreign address
 *   touches emigration); a status ended without a new one may end any of them.
 */
export function changedFields(changes: readonly FactChange[]): FieldName[] {
  const out = new Set<FieldName>();
  for (const c of changes) {
    for (const f of FIELDS_OF_GROUP.get(c.group) ?? []) {
      if (f === 'marketingProtection' && c.key !== '0003') continue;
      if (c.group === 'status' && (f === 'death' || f === 'disappearance' || f === 'emigration')) {
        const code = (c.value as { code?: string } | null)?.code;
        const hit =
          code === undefined ||
          (code === '90' && f === 'death') ||
          (code === '70' && f === 'disappearance') ||
          (code === '80' && f === 'emigration');
        if (!hit) continue;
      }
      out.add(f);
    }
  }
  return FIELD_NAMES.filter((f) => out.has(f));
}

