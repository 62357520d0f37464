/**
 * Audited disclosure of persons to a caller (DIS-1, DIS-2, AUD-3): read the
 * person as of the asked time, cut it to the caller's legal bases and scope,
 * write the audit record, and only then give the answer.
 */
import type { ProblemCode } from '../api/problems.ts';
import type { AuditLog, AuditPage, AuditSearch, AuditStatistic } from '../access/audit.ts';
import { auditEntry, referencesOf } from '../access/audit-entry.ts';
import { normalisePnr } from '../domain/pnr/pnr.ts';
import { loggedSubjects, logShowsSubjects } from '../domain/disclosure/log-view.ts';
import type { Caller } from '../access/customers.ts';
import type { CivilDate, Instant } from '../domain/dates.ts';
import { FIELD_NAMES, resolveGrant, type Grant } from '../domain/disclosure/policy.ts';
import { disclose, effectiveProtections, type Disclosure } from '../domain/disclosure/project.ts';
import type { GroupValue } from '../domain/person/facts.ts';
import type { FactState } from '../register/bitemporal.ts';
import type { PersonHistory, PersonView, Register } from '../register/register.ts';

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

/** A customer's grant: its kind, legal bases and granted scope ("all" grants every field). */
export function grantOf(caller: Caller): Grant {
  const { customer, principal } = caller;
  const fields = customer.scope.includes('all') ? FIELD_NAMES : customer.scope;
  return {
    customerKind: customer.kind,
    legalBases: customer.legalBases,
    ...(customer.kind === 'public_authority' || fields.length ? { fields } : {}),
    ...(principal.pnr ? { ownPnr: principal.pnr } : {}),
  };
}

export class DisclosureService {
  constructor(
    private readonly register: Register,
    private readonly audit: AuditLog,
  ) {}

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
    const grant = grantOf(caller);
    // Refuse before reading anything when no basis could ever give a field.
    const usable = pnrs.some((p) => resolveGrant(grant, p).accepted.length > 0);
    if (!usable) throw new DisclosureError('no_legal_basis', 'None of the customer\'s legal bases allows this lookup.');
    return this.audit.audited(
      (results) =>
        auditEntry(caller, type, {
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
      async () => {
        const out: Array<PersonDisclosure | { pnr: string; notFound: true }> = [];
        // One read of the current states for a bulk lookup (as-of lookups still go one by one).
        const views = pnrs.length > 1 ? await this.register.persons(pnrs, { validAt: opts.validAt, knownAt: opts.knownAt }) : undefined;
        for (const [i, pnr] of pnrs.entries()) {
          const view = views ? views[i] : await this.register.person(pnr, { validAt: opts.validAt, knownAt: opts.knownAt });
          if (!view) {
            out.push({ pnr, notFound: true });
            continue;
          }
          out.push(await this.#disclose(view, grant, opts));
        }
        return out;
      },
    );
  }

  /**
   * AUD-4: the caller's customer's own log, cut to its grant like any other
   * answer (domain/disclosure/log-view.ts): a customer without person numbers
   * sees the references it sent, and its `pnr` filter matches only what it
   * sent. The search is itself a transaction of the log.
   */
  async logSearch(caller: Caller, query: AuditSearch, requestId?: string): Promise<AuditPage> {
    const grant = grantOf(caller);
    const numbers = logShowsSubjects(grant);
    const { pnr, ...rest } = query;
    const filter: AuditSearch = numbers || pnr === undefined ? query : { ...rest, reference: normalisePnr(pnr) ?? pnr };
    return this.audit.audited(
      (p) =>
        auditEntry(caller, 'audit.search', {
          subjects: numbers ? p.records.flatMap((r) => r.subjects) : [],
          references: pnr !== undefined ? [pnr] : [],
          requestId,
          detail: { ...query },
        }),
      async () => {
        const page = await this.audit.search(caller.customer.id, filter);
        const records = page.records.map((r) => ({ ...r, subjects: loggedSubjects(grant, { subjects: r.subjects, references: referencesOf(r.detail) }) }));
        return { ...page, records };
      },
    );
  }

  /** AUD-4 transaction statistics of the caller's customer: counts only, no person appears. */
  logStatistics(caller: Caller, range: { from?: string; to?: string }): Promise<AuditStatistic[]> {
    return this.audit.statistics(caller.customer.id, range);
  }

  async #disclose(view: PersonView, grant: Grant, opts: LookupOptions): Promise<PersonDisclosure> {
    const history = opts.history ? ((await this.register.history(view.pnr)) ?? undefined) : undefined;
    const d = await discloseView(this.register, view, grant, history);
    return { pnr: view.pnr, validAt: view.validAt, knownAt: view.knownAt, ...d };
  }
}

/**
 * The one projection of a read person for a grant: `disclose` with what it
 * cannot look up itself, the guardian's protection (§28: a guardian's name and
 * address go to private parties only if the guardian is not protected).
 */
export async function discloseView(register: Register, view: PersonView, grant: Grant, history?: PersonHistory): Promise<Disclosure> {
  const guardian = (view.state.guardianship as FactState | undefined)?.value as GroupValue<'guardianship'> | undefined;
  const protectedPersons = new Set<string>();
  if (guardian?.guardianPnr) {
    const g = await register.person(guardian.guardianPnr, { validAt: view.validAt, knownAt: view.knownAt });
    if (g && effectiveProtections(g.state, view.validAt).some((p) => p.type === '0001')) protectedPersons.add(guardian.guardianPnr);
  }
  return disclose(view, grant, { ...(history && { history }), protectedPersons });
}
