/**
 * Audited disclosure of persons to a caller (DIS-1, DIS-2, AUD-3), on the
 * disclosing path (services/reader.ts): read the person as of the asked time
 * inside the caller's reader, cut it to the caller's legal bases and scope,
 * write the audit record, and only then give the answer. The customer's own
 * log search and statistics go the same way (AUD-4).
 */
import type { ProblemCode } from '../api/problems.ts';
import type { AuditPage, AuditSearch, AuditStatistic } from '../access/audit.ts';
import { referencesOf } from '../access/audit-entry.ts';
import type { Caller } from '../access/customers.ts';
import type { CivilDate, Instant } from '../domain/dates.ts';
import { loggedSubjects, logShowsSubjects } from '../domain/disclosure/log-view.ts';
import { resolveGrant } from '../domain/disclosure/policy.ts';
import type { Disclosure } from '../domain/disclosure/project.ts';
import { normalisePnr } from '../domain/pnr/pnr.ts';
import type { PersonView } from '../register/register.ts';
import { discloseView, grantOf, type CallerReader, type PersonReads, type Readers } from './reader.ts';

export { discloseView, grantOf };

export class DisclosureError extends Error {
  constructor(
    readonly code: Extract<ProblemCode, 'no_legal_basis' | 'person_not_found'>,
    message: string,
  ) {
    super(message);
    this.name = 'DisclosureError';
  }
}

export interface LookupOptions {
  validAt?: CivilDate;
  knownAt?: Instant;
  history?: boolean;
  requestId?: string;
  /** What the caller sent to find the persons, for its own log; default the numbers it asked for. */
  references?: readonly string[];
}

export type PersonDisclosure = Disclosure & { pnr: string; validAt: CivilDate; knownAt: Instant };

export class DisclosureService {
  constructor(private readonly readers: Readers) {}

  /** One person, audited. `type` names the transaction in the log (e.g. person.lookup). */
  async lookup(caller: Caller, pnr: string, opts: LookupOptions, type = 'person.lookup'): Promise<PersonDisclosure> {
    const [one] = await this.lookupMany(caller, [pnr], opts, type);
    if (!one || 'notFound' in one) throw new DisclosureError('person_not_found', 'No person with that number is in the register.');
    return one;
  }

  /**
   * Several persons in one transaction of the log: one audit record naming
   * every person asked for (found or not), with the fields disclosed.
   */
  async lookupMany(caller: Caller, pnrs: string[], opts: LookupOptions, type: string): Promise<Array<PersonDisclosure | { pnr: string; notFound: true }>> {
    const reader = this.readers.for(caller);
    // Refuse before reading anything when no basis could ever give a field.
    const usable = pnrs.some((p) => resolveGrant(reader.grant, p).accepted.length > 0);
    if (!usable) throw new DisclosureError('no_legal_basis', 'None of the customer\'s legal bases allows this lookup.');
    return reader.answer(
      type,
      async (reads) => {
        const out: Array<PersonDisclosure | { pnr: string; notFound: true }> = [];
        // One read of the current states for a bulk lookup (as-of lookups still go one by one).
        const views = pnrs.length > 1 ? await reads.persons(pnrs, { validAt: opts.validAt, knownAt: opts.knownAt }) : undefined;
        for (const [i, pnr] of pnrs.entries()) {
          const view = views ? views[i] : await reads.person(pnr, { validAt: opts.validAt, knownAt: opts.knownAt });
          if (!view) {
            out.push({ pnr, notFound: true });
            continue;
          }
          out.push(await disclosePerson(reads, reader, view, opts));
        }
        return out;
      },
      (results) => ({
        subjects: pnrs,
        references: opts.references ?? pnrs,
        legalBasis: [...new Set(results.flatMap((r) => ('basis' in r ? r.basis : [])))].join(' ') || null,
        fields: [...new Set(results.flatMap((r) => ('fields' in r ? r.fields : [])))],
        requestId: opts.requestId,
        detail: { validAt: opts.validAt, knownAt: opts.knownAt, history: opts.history || undefined, found: results.filter((r) => !('notFound' in r)).length,
          // For the security officer's quarterly control: lookups of protected persons (§28, AUD-1).
          protected: results.filter((r) => 'protectionMark' in r && r.protectionMark).length || undefined,
        },
      }),
    );
  }

  /**
   * AUD-4: the caller's customer's own log, cut to its grant like any other
   * answer (domain/disclosure/log-view.ts): a customer without person numbers
   * sees the references it sent, and its `pnr` filter matches only what it
   * sent. The search is itself a transaction of the log.
   */
  logSearch(caller: Caller, query: AuditSearch, requestId?: string): Promise<AuditPage> {
    const reader = this.readers.for(caller);
    const numbers = logShowsSubjects(reader.grant);
    const { pnr, ...rest } = query;
    const filter: AuditSearch = numbers || pnr === undefined ? query : { ...rest, reference: normalisePnr(pnr) ?? pnr };
    return reader.answer(
      'audit.search',
      async (reads) => {
        const page = await reads.logSearch(caller.customer.id, filter);
        const records = page.records.map((r) => ({ ...r, subjects: loggedSubjects(reader.grant, { subjects: r.subjects, references: referencesOf(r.detail) }) }));
        return { ...page, records };
      },
      (p) => ({ subjects: numbers ? p.records.flatMap((r) => r.subjects) : [], references: pnr !== undefined ? [pnr] : [], requestId, detail: { ...query } }),
    );
  }

  /** AUD-4 transaction statistics of the caller's customer: counts only, no person appears. */
  logStatistics(caller: Caller, range: { from?: string; to?: string }): Promise<AuditStatistic[]> {
    // Counts of the customer's own transactions disclose no person: no record of its own (null).
    return this.readers.for(caller).answer('audit.statistics', (reads) => reads.logStatistics(caller.customer.id, range), () => null);
  }
}

/** A read person disclosed to the reader's grant, with history when asked for. */
export async function disclosePerson(reads: PersonReads, reader: CallerReader, view: PersonView, opts: LookupOptions): Promise<PersonDisclosure> {
  const history = opts.history ? ((await reads.history(view.pnr)) ?? undefined) : undefined;
  const d = await discloseView(reads, view, reader.grant, history);
  return { pnr: view.pnr, validAt: view.validAt, knownAt: view.knownAt, ...d };
}
