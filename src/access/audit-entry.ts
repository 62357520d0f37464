/**
 * The one builder of audit entries (AUD-1, AUD-3, terms §4: every transaction
 * of each user). Every service and route that records a transaction builds
 * its entry here, so that each record names its acting user or program, its
 * customer, its transaction type and, for the customer's own log search, the
 * references the caller itself sent (§38(2)/§42(2), PNR-5: a private
 * customer's log never shows a number it did not send).
 */
import type { AuditEntry } from './audit.ts';
import type { Caller } from './customers.ts';

export interface AuditParts {
  /** Person numbers or address ids the transaction concerned (for §46 and the register's own control). */
  subjects: readonly string[];
  /**
   * What the caller itself sent to identify the subjects: the numbers, names,
   * addresses, subscription ids or file names of its request. A private
   * customer's log search shows these instead of `subjects`.
   */
  references?: readonly string[];
  legalBasis?: string | null;
  fields?: readonly string[] | null;
  requestId?: string | null;
  detail?: Record<string, unknown>;
}

/** Who acts (AUD-1): the user or program and its customer. */
export function actorOf(caller: Caller): { actor: string; actorKind: Caller['principal']['kind']; customer: string } {
  return { actor: caller.principal.id, actorKind: caller.principal.kind, customer: caller.customer.id };
}

/** Without repeats, keeping the order; the common one-element list as it is (this runs on every audited request). */
const distinct = (xs: readonly string[]): string[] => (xs.length < 2 ? [...xs] : [...new Set(xs)]);

/** The audit entry of `caller`'s transaction `action`. */
export function auditEntry(caller: Caller, action: string, parts: AuditParts): AuditEntry {
  const entry: AuditEntry = {
    actor: caller.principal.id,
    actorKind: caller.principal.kind,
    customer: caller.customer.id,
    action,
    subjects: distinct(parts.subjects),
  };
  if (parts.legalBasis !== undefined) entry.legalBasis = parts.legalBasis;
  if (parts.fields !== undefined) entry.fields = parts.fields ? [...parts.fields] : null;
  if (parts.requestId !== undefined) entry.requestId = parts.requestId;
  if (parts.references) entry.detail = { ...parts.detail, references: distinct(parts.references) };
  else if (parts.detail) entry.detail = parts.detail;
  return entry;
}

/** The references a record's caller sent (see `AuditParts.references`); none recorded means none shown. */
export function referencesOf(detail: Record<string, unknown> | undefined): string[] {
  const r = detail?.['references'];
  return Array.isArray(r) ? r.filter((x): x is string => typeof x === 'string') : [];
}
