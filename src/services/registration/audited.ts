/**
 * The audit record of a registration (AUD-3; terms §4: "every transaction of
 * each user", writes included). Every registration, case step, complaint and
 * read of the registration flows, over the API, the web client (the same
 * routes) and citizen self-service, is recorded here: its acting user and
 * customer, its transaction type (`TX` below), the legal basis it acts on,
 * the persons registered (`subjects`), the person numbers the caller sent
 * (`references`) and what was written (case id, registration seq numbers).
 * So the security officer's log search and statistics (AUD-4) show it.
 *
 * Order: write, then record, then answer. The write commits first (in its
 * own store transaction; the audit record is never awaited inside one, see
 * src/access/audit.ts), then the record; if the record cannot be written the
 * request fails (503 audit_unavailable) and no answer leaves (AUD-3: "No
 * answer is given without its log record (fail closed)"). A record written
 * first, as intent, would not know what the write did: the number a birth or
 * an immigration allocates (so §46 would not find that person), the seq
 * numbers, the case id; and it would count refused writes as transactions.
 * A write whose record failed is still in the registration log with its
 * authority, and a case with its actor in the case history.
 */
import { municipalityOf } from './clerk.ts';
import type { AuditEntry, AuditLog } from '../../access/audit.ts';
import { auditEntry } from '../../access/audit-entry.ts';
import type { Caller } from '../../access/customers.ts';
import type { Case } from '../../domain/registration/case.ts';
import { normalisePnr } from '../../domain/pnr/pnr.ts';

/** The transaction types of municipal and authority registration, one per flow. */
export const TX = {
  // Domestic moves (§6, §12-13) and their cases.
  move: 'registration.move',
  moveSettings: 'registration.move_settings',
  noFixedAbode: 'registration.no_fixed_abode',
  disappeared: 'registration.disappeared',
  found: 'registration.found',
  caseRegister: 'case.register',
  caseHearing: 'case.hearing',
  caseWithdraw: 'case.withdraw',
  caseReject: 'case.reject',
  caseCorrect: 'case.correct',
  // Investigations (§10-11).
  caseOpen: 'case.open',
  caseRequestReport: 'case.request_report',
  caseReply: 'case.reply',
  caseUnreachable: 'case.unreachable',
  caseDecide: 'case.decide',
  // Complaints (§56).
  complaintLodge: 'complaint.lodge',
  complaintReassess: 'complaint.reassess',
  // Reads of cases and letters.
  caseList: 'case.list',
  caseRead: 'case.read',
  caseLetters: 'case.letters',
  letterRead: 'letter.read',
  // Immigration, emigration, the Nordic waiting register (§16-27).
  immigration: 'registration.immigration',
  emigration: 'registration.emigration',
  nordicNotification: 'registration.nordic_notification',
  waitingRegister: 'registration.waiting_register',
  // The Nordic exchange (seed 004): a subsequent enquiry, a refusal of entry, a message from a Nordic authority, the outbox.
  nordicEnquiry: 'registration.nordic_enquiry',
  nordicEntryRefusal: 'registration.nordic_entry_refusal',
  nordicMessage: 'nordic.message_received',
  nordicOutbox: 'nordic.outbox',
  nordicDeliveryRun: 'nordic.delivery_run',
  // Vital events from other authorities (§2(2)).
  birth: 'registration.birth',
  death: 'registration.death',
  marriage: 'registration.marriage',
  divorce: 'registration.divorce',
  partnership: 'registration.partnership',
  dissolution: 'registration.dissolution',
  separation: 'registration.separation',
  name: 'registration.name',
  church: 'registration.church',
  guardianship: 'registration.guardianship',
  numberChange: 'registration.number_change',
  // Protections (§28-30).
  protectionGrant: 'registration.protection.grant',
  protectionExtend: 'registration.protection.extend',
  protectionRevoke: 'registration.protection.revoke',
  protectionLapseRun: 'registration.protection.lapse_run',
  // Citizen self-service (§12, §28) and the municipality's decision on a request.
  citizenMoveReport: 'citizen.move_report',
  citizenProtectionRequest: 'citizen.protection_request',
  citizenRequestsRead: 'citizen.requests_read',
  citizenLetterRead: 'citizen.letter_read',
  protectionRequestGranted: 'protection_request.granted',
  protectionRequestRefused: 'protection_request.refused',
} as const;
export type RegistrationTransaction = (typeof TX)[keyof typeof TX];

/** What a transaction did, as its record names it. */
export interface Described {
  /** The persons registered or shown. */
  subjects: readonly string[];
  detail?: Record<string, unknown>;
}

/** The request as the caller sent it: its id, and the body whose person numbers are the references. */
export interface Sent {
  id?: string;
  body?: unknown;
}

/**
 * The legal basis a registering caller acts on: §2(1) a municipality (the
 * municipality of residence registers), §2(2) another authority; none for
 * the CPR administration itself.
 */
export function registeringBasis(caller: Caller): string | null {
  if (caller.customer.kind === 'cpr_admin') return null;
  return municipalityOf(caller) !== null ? '§2(1)' : '§2(2)';
}

/** The person numbers in what the caller sent (AuditParts.references), normalised as the log search's filter is. */
export function sentPnrs(body: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth > 6) return;
    if (typeof v === 'string') {
      const pnr = normalisePnr(v);
      if (pnr) out.push(pnr);
    } else if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
    } else if (v && typeof v === 'object') {
      for (const x of Object.values(v)) walk(x, depth + 1);
    }
  };
  walk(body, 0);
  return out;
}

/** The record of `caller`'s registration transaction `type`. */
export function registrationEntry(caller: Caller, type: RegistrationTransaction, sent: Sent, what: Described, legalBasis = registeringBasis(caller)): AuditEntry {
  const references = sentPnrs(sent.body);
  return auditEntry(caller, type, {
    subjects: what.subjects,
    ...(references.length > 0 && { references }),
    legalBasis,
    requestId: sent.id ?? null,
    ...(what.detail && { detail: what.detail }),
  });
}

/**
 * Runs the write (or read), records it, then returns its answer; the record
 * is described from the answer. If `run` throws nothing was done and nothing
 * is recorded; if the record fails the caller gets that error (AUD-3).
 */
export function audited<T>(
  log: AuditLog,
  caller: Caller,
  type: RegistrationTransaction,
  sent: Sent,
  run: () => Promise<T>,
  describe: (answer: T) => Described,
  legalBasis?: string | null,
): Promise<T> {
  return log.audited((a: T) => registrationEntry(caller, type, sent, describe(a), legalBasis), run);
}

// ── Describing answers ────────────────────────────────────────────────────

/** The persons a case concerns: its person and, for a move, everyone moving along. */
export function caseSubjects(c: Case<unknown>): string[] {
  const movers = (c.payload as { movers?: Array<{ pnr?: unknown }> } | null)?.movers;
  return [c.pnr, ...(Array.isArray(movers) ? movers.flatMap((m) => (typeof m?.pnr === 'string' ? [m.pnr] : [])) : [])];
}

type Reg = { pnr: string | null; seq?: number | null };
const seqsOf = (rs: readonly Reg[]) => rs.flatMap((r) => (typeof r.seq === 'number' ? [r.seq] : []));

/** Registrations made: their persons, and their seq numbers in the registration log. */
export function ofRegistrations(rs: readonly Reg[], detail?: Record<string, unknown>): Described {
  return { subjects: rs.flatMap((r) => (r.pnr ? [r.pnr] : [])), detail: { ...detail, seqs: seqsOf(rs) } };
}

/** A case step: the case's persons, the letters' recipients, the registrations it made. */
export function ofCase(o: { case: Case<unknown>; letters?: ReadonlyArray<{ id: number; pnr: string }>; registrations?: readonly Reg[]; registration?: Reg }): Described {
  const regs = [...(o.registrations ?? []), ...(o.registration ? [o.registration] : [])];
  const letters = o.letters ?? [];
  return {
    subjects: [...caseSubjects(o.case), ...letters.map((l) => l.pnr), ...regs.flatMap((r) => (r.pnr ? [r.pnr] : []))],
    detail: { caseId: o.case.id, kind: o.case.kind, status: o.case.status, seqs: seqsOf(regs), ...(letters.length > 0 && { letters: letters.map((l) => l.id) }) },
  };
}
