/**
 * What an answer's *shape* may reveal about a protected person (§28), for the
 * answers that are not a projection of one person: an identification's
 * match/no-match and the feed's list of changed fields. Pure.
 */
import type { Disclosure } from './project.ts';
import { PROTECTED_PARTS, resolveGrant, type FieldName, type Grant, type ProtectedPart } from './policy.ts';

export type IdentifiedBy = 'pnr' | 'birthDate' | 'address';

/**
 * §28, §42(6): an identification by address confirms the address it names.
 * For a person whose address the customer may not get, a match would locate
 * the person (a sweep over house numbers finds the one that answers), so the
 * answer must be the no-match answer: same status, body and size.
 */
export function identificationConfirms(by: IdentifiedBy, d: Pick<Disclosure, 'withheld'>): boolean {
  return by !== 'address' || !d.withheld.some((w) => w.field === 'address' && w.reason === 'protected_§28');
}

/** The names and addresses the grant gives even under name-and-address protection (§28's exceptions). */
export function protectedPartsGiven(grant: Grant): Set<ProtectedPart> {
  const out = new Set<ProtectedPart>();
  for (const b of resolveGrant(grant, grant.ownPnr ?? '').accepted) for (const p of b.protectedParts === 'all' ? PROTECTED_PARTS : b.protectedParts) out.add(p);
  return out;
}

/**
 * §28: the changed fields a feed item may name for a person under
 * name-and-address protection. "The address changed" tells a private party
 * when the person moves, so a name or address the grant does not get under
 * the protection is not named as changed either.
 */
export function changedFieldsShown(fields: readonly FieldName[], grant: Grant, personProtected: boolean): FieldName[] {
  if (!personProtected) return [...fields];
  const given = protectedPartsGiven(grant);
  const covered = new Set<string>(PROTECTED_PARTS.filter((p) => !p.includes('.') && !given.has(p)));
  return fields.filter((f) => !covered.has(f));
}
