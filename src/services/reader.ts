/**
 * The disclosing path (issue 14): the one way a service reads personal data.
 *
 * A read-side service is given `Readers`, not the register. For a request it
 * takes the reader bound to its caller (`readers.for(caller)`), and reads
 * persons only inside `answer`: the reads happen, the service cuts what it
 * read with the caller's grant (`reader.grant`, `reader.disclose`, the policy
 * of domain/disclosure/), the audit record is built from the answer by the one
 * builder (access/audit-entry.ts) and committed, and only then does `answer`
 * return (AUD-3). There is no other handle on the person readers: a service
 * cannot read a person without the record (test/architecture/ checks that
 * the read-side services hold no Register).
 */
import type { AuditLog, AuditPage, AuditSearch, AuditStatistic } from '../access/audit.ts';
import { auditEntry, type AuditParts } from '../access/audit-entry.ts';
import type { Caller } from '../access/customers.ts';
import type { Clock } from '../domain/clock.ts';
import { FIELD_NAMES, type Grant } from '../domain/disclosure/policy.ts';
import { disclose, effectiveProtections, type Disclosure } from '../domain/disclosure/project.ts';
import type { GroupValue } from '../domain/person/facts.ts';
import type { FactState } from '../register/bitemporal.ts';
import type { PersonHistory, PersonView, Register } from '../register/register.ts';
import type { Store } from '../storage/store.ts';

/** The register's person readers, and the log of lookups; handed out only inside `CallerReader.answer`. */
export interface PersonReads {
  person: Register['person'];
  persons: Register['persons'];
  history: Register['history'];
  versionsOf: Register['versionsOf'];
  /** The person tables for searches and identification (the name-word index, current states, residences). */
  readonly store: Store;
  /** §46: who looked a person (or a list, `extract:<id>`) up. */
  lookupsOf: AuditLog['lookupsOf'];
  /** The customer's own log (AUD-4). */
  logSearch(customerId: string, filter: AuditSearch): Promise<AuditPage>;
  logStatistics(customerId: string, range: { from?: string; to?: string }): Promise<AuditStatistic[]>;
}

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

/**
 * The one projection of a read person for a grant: `disclose` with what it
 * cannot look up itself, the guardian's protection (§28: a guardian's name and
 * address go to private parties only if the guardian is not protected).
 */
export async function discloseView(reads: Pick<PersonReads, 'person'>, view: PersonView, grant: Grant, history?: PersonHistory): Promise<Disclosure> {
  const guardian = (view.state.guardianship as FactState | undefined)?.value as GroupValue<'guardianship'> | undefined;
  const protectedPersons = new Set<string>();
  if (guardian?.guardianPnr) {
    const g = await reads.person(guardian.guardianPnr, { validAt: view.validAt, knownAt: view.knownAt });
    if (g && effectiveProtections(g.state, view.validAt).some((p) => p.type === '0001')) protectedPersons.add(guardian.guardianPnr);
  }
  return disclose(view, grant, { ...(history && { history }), protectedPersons });
}

/** The reader of one caller. */
export class CallerReader {
  readonly grant: Grant;

  constructor(
    readonly caller: Caller,
    private readonly reads: PersonReads,
    private readonly audit: AuditLog,
  ) {
    this.grant = grantOf(caller);
  }

  /**
   * Reads with `read`, then records the transaction `type` with the parts
   * `entry` gives for the answer, and only then returns the answer (AUD-3:
   * if the record cannot be written, the caller gets an AuditError, never the
   * data). `entry` may return null only for an answer that disclosed nothing
   * (a feed page without items).
   */
  async answer<T>(type: string, read: (reads: PersonReads) => Promise<T>, entry: (answer: T) => AuditParts | null): Promise<T> {
    const result = await read(this.reads);
    const parts = entry(result);
    if (parts) await this.audit.record(auditEntry(this.caller, type, parts));
    return result;
  }
}

/** What the read-side services receive: a reader per caller, and the store and clock for their own (non-person) tables. */
export class Readers {
  readonly #reads: PersonReads;

  constructor(
    register: Register,
    private readonly audit: AuditLog,
  ) {
    this.store = register.store;
    this.clock = register.clock;
    this.#reads = {
      person: (input, asOf) => register.person(input, asOf),
      persons: (inputs, asOf) => register.persons(inputs, asOf),
      history: (input) => register.history(input),
      versionsOf: (pnrs) => register.versionsOf(pnrs),
      store: register.store,
      lookupsOf: (subject, range) => audit.lookupsOf(subject, range),
      logSearch: (customerId, filter) => audit.search(customerId, filter),
      logStatistics: (customerId, range) => audit.statistics(customerId, range),
    };
  }

  /** The store, for a service's own tables (subscriptions, deliveries, lists), never for persons. */
  readonly store: Store;
  readonly clock: Clock;

  for(caller: Caller): CallerReader {
    return new CallerReader(caller, this.#reads, this.audit);
  }

  /** Records a transaction of `caller` that read no person (a refusal, a list of the customer's own ids). */
  record(caller: Caller, type: string, parts: AuditParts): Promise<void> {
    return this.audit.record(auditEntry(caller, type, parts));
  }
}
