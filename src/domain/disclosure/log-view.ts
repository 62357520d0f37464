/**
 * What a customer's own log search and statistics may show (AUD-4), cut by
 * the same grant as every other answer. The log is itself a disclosure: a
 * record's subjects are the persons the register found, which may be persons
 * the customer identified by name and birth date or address, or the residents
 * of a stairwell. A private customer never gets a person number from a rule of
 * §38(2)/§42(2) or seed 000 (closed lists; PNR-5), so its log shows the
 * references it sent itself, a person number among them masked (§54); a
 * public authority sees the subjects only when its scope holds the number
 * (DIS-1), and otherwise the references it sent. Pure.
 */
import { maskPnr } from '../pnr/pnr.ts';
import { allowedFields, isPrivateKind, type Grant } from './policy.ts';

/** A person number anywhere in a text, in either written form. */
const PNR_IN_TEXT = /(?<!\d)(\d{6})-?(\d{4})(?!\d)/g;

/** Whether the grant's log search may show the subjects (person numbers) the register recorded. */
export function logShowsSubjects(grant: Grant): boolean {
  return allowedFields(grant).has('pnr');
}

/** A DAR id, or the register's own ids of subscriptions, deliveries and lists: their digit runs are not person numbers. */
const ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?:delivery:|extract:)?(?:sub|dlv|ext)_[0-9a-f]+)$/i;

/** A reference as shown to a customer that does not get numbers: every person number in it masked (§54). */
export function maskedReference(ref: string): string {
  return ID.test(ref) ? ref : ref.replace(PNR_IN_TEXT, (m) => maskPnr(m));
}

/**
 * The `subjects` a log record shows to `grant`: the recorded subjects, or, for
 * a grant without person numbers, the references the caller itself sent
 * (masked for a private customer, §54; an authority handles the numbers it
 * sent itself). Nothing recorded as sent means nothing shown.
 */
export function loggedSubjects(grant: Grant, record: { subjects: readonly string[]; references: readonly string[] }): string[] {
  if (logShowsSubjects(grant)) return [...record.subjects];
  return isPrivateKind(grant.customerKind) ? record.references.map(maskedReference) : [...record.references];
}
