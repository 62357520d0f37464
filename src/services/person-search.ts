/**
 * Person search by name (and birth date) for clerks and public authorities
 * (issue 7): candidate persons with number, name, birth date and current
 * address, at most MAX_CANDIDATES. The candidates are disclosed through the
 * DisclosureService, so each is cut to the customer's scope (a protected
 * person's address reaches only a customer entitled to it, §28/§34) and the
 * search is one audit record naming every candidate (`person.search`),
 * written before the answer leaves.
 *
 * Candidates are found with a birth date by the range of person numbers
 * starting with its DDMMYY (the primary key of `person_current`), without one
 * through `person_name_word` (migrations 0015 and 0025: the words of every
 * current name, folded, kept by triggers) for the longest word typed; the
 * names are then matched exactly here on the current state.
 */
import type { Kysely } from 'kysely';
import type { Caller } from '../access/customers.ts';
import type { CivilDate } from '../domain/dates.ts';
import type { Address } from '../domain/disclosure/project.ts';
import { DisclosureService } from './disclosure.ts';
import type { PersonReads, Readers } from './reader.ts';
import { resolveGrant } from '../domain/disclosure/policy.ts';
import { nameWords, prefixesInAnyOrder, type Word } from '../domain/names/compare.ts';

const searchReferences = (q: { name: string; birthDate?: CivilDate }) => [q.name, ...(q.birthDate ? [q.birthDate] : [])];
const criteriaOf = (q: { name: string; birthDate?: CivilDate }, found: string[]) => ({
  name: q.name,
  ...(q.birthDate && { birthDate: q.birthDate }),
  found: Math.min(found.length, MAX_CANDIDATES),
  truncated: found.length > MAX_CANDIDATES,
});

/** At most this many candidates are answered; more means "narrow the search". */
export const MAX_CANDIDATES = 50;

export interface PersonCandidate {
  /** The person number, when the customer's scope holds it (DIS-1): a search must not give what a lookup withholds. */
  pnr: string | null;
  name: string | null;
  birthDate: CivilDate | null;
  status: string | null;
  /** The current address as one line, or null when none is disclosed. */
  address: string | null;
  municipalityCode: string | null;
  /** Why the address is not given, when the person has one. */
  addressWithheld?: string;
  /** Name-and-address protection (§28): the customer may not pass the name or address on. */
  protected: boolean;
}

export interface PersonSearchResult {
  candidates: PersonCandidate[];
  /** More persons matched than MAX_CANDIDATES: add a birth date or more of the name. */
  truncated: boolean;
}

/**
 * Every word of the query begins a different word of the name, in any order
 * ("Jens Hans" finds "Hans Jens Hansen"), words folded as
 * domain/names/compare.ts folds them ("soe" finds "Søren", "aar" "Århus").
 */
export function nameMatches(query: readonly Word[], name: { firstNames: string[]; middleNames: string[]; lastName: string }): boolean {
  return prefixesInAnyOrder(query, nameWords([...name.firstNames, ...name.middleNames, name.lastName].join(' ')));
}

/** DDMMYY of a birth date: the start of every person number of persons born that day. */
export function pnrPrefix(birthDate: CivilDate): string {
  return `${birthDate.slice(8, 10)}${birthDate.slice(5, 7)}${birthDate.slice(2, 4)}`;
}

function addressLine(a: Address): string {
  const unit = [a.floor ? `${a.floor}.` : '', a.door ?? ''].filter(Boolean).join(' ');
  const first = [`${a.roadName ?? ''} ${a.houseNumber ?? ''}`.trim(), unit].filter(Boolean).join(', ');
  return [first, a.postalCode ? `${a.postalCode} ${a.postalDistrict ?? ''}`.trim() : ''].filter(Boolean).join(', ');
}

type StoredName = { firstNames: string[]; middleNames: string[]; lastName: string };
type StoredState = { name?: { value: StoredName }; birth?: { value: { birthDate: CivilDate } } };

export class PersonSearch {
  readonly #disclosure: DisclosureService;
  constructor(private readonly readers: Readers) {
    this.#disclosure = new DisclosureService(readers);
  }

  /** The person numbers whose current name (and birth date) match, in number order; one more than the limit tells "truncated". */
  async #match(reads: PersonReads, name: string, birthDate: CivilDate | undefined): Promise<string[]> {
    const tokens = nameWords(name);
    const out: string[] = [];
    const take = (rows: Array<{ pnr: string; state: string }>): boolean => {
      for (const r of rows) {
        const s = JSON.parse(r.state) as StoredState;
        const n = s.name?.value;
        if (!n || !nameMatches(tokens, n)) continue;
        if (birthDate && s.birth?.value.birthDate !== birthDate) continue;
        out.push(r.pnr);
        if (out.length > MAX_CANDIDATES) return false;
      }
      return true;
    };
    const db = reads.store.db;
    if (birthDate) {
      // The primary key as a range: every number of persons born that day ('9' < ':').
      const p = pnrPrefix(birthDate);
      take(await db.selectFrom('person_current').select(['pnr', 'state']).where('pnr', '>=', p).where('pnr', '<', `${p}:`).orderBy('pnr').execute());
      return out;
    }
    // The longest word through the name-word index (migration 0015), then the exact match on the current state.
    const word = [...tokens].sort((a, b) => b.full.length - a.full.length)[0]!;
    // The index holds every word in both foldings (migration 0025, the table of domain/names/compare.ts), so a prefix in either form finds it.
    const forms = [...new Set([word.full, word.bare])];
    // person_name_word is kept by triggers and is not in the DB type (no code writes it).
    const words = db as unknown as Kysely<{ person_name_word: { word: string; pnr: string } }>;
    const pnrs = (
      await words
        .selectFrom('person_name_word')
        .select('pnr')
        .distinct()
        .where((eb) => eb.or(forms.map((f) => eb.and([eb('word', '>=', f), eb('word', '<', `${f}\uffff`)]))))
        .orderBy('pnr')
        .execute()
    ).map((r) => r.pnr);
    for (let i = 0; i < pnrs.length; i += 500) {
      const rows = await db.selectFrom('person_current').select(['pnr', 'state']).where('pnr', 'in', pnrs.slice(i, i + 500)).orderBy('pnr').execute();
      if (!take(rows)) break;
    }
    return out;
  }

  async search(caller: Caller, q: { name: string; birthDate?: CivilDate }, requestId?: string): Promise<PersonSearchResult> {
    const reader = this.readers.for(caller);
    const refs = searchReferences(q);
    // The match is a read of persons: a search that found nobody (or nobody the customer may see) is still a search in the log.
    const seen = (f: string[]) => f.slice(0, MAX_CANDIDATES).some((p) => resolveGrant(reader.grant, p).accepted.length > 0);
    const found = await reader.answer(
      'person.search',
      (reads) => this.#match(reads, q.name, q.birthDate),
      // Candidates the customer may see are recorded by their disclosure below, with the fields given.
      (f) => (seen(f) ? null : { subjects: f.slice(0, MAX_CANDIDATES), references: refs, legalBasis: null, requestId, detail: criteriaOf(q, f) }),
    );
    const truncated = found.length > MAX_CANDIDATES;
    const pnrs = found.slice(0, MAX_CANDIDATES);
    if (!seen(found)) return { candidates: [], truncated };
    // Those the customer may see: one audit record naming every candidate, with the fields disclosed (AUD-3).
    const results = await this.#disclosure.lookupMany(caller, pnrs, { requestId, references: refs }, 'person.search');
    const candidates: PersonCandidate[] = [];
    for (const r of results) {
      if ('notFound' in r) continue;
      const d = r.data;
      const addrWithheld = r.withheld.find((w) => w.field === 'address');
      const n = d.name;
      candidates.push({
        pnr: d.pnr ?? null,
        name: n ? [...n.firstNames, ...n.middleNames, n.lastName].join(' ') : null,
        birthDate: d.birthDate ?? null,
        status: d.status?.code ?? null,
        address: d.address ? addressLine(d.address) : null,
        municipalityCode: d.address?.municipalityCode ?? null,
        ...(addrWithheld && { addressWithheld: addrWithheld.reason }),
        protected: r.protectionMark !== undefined || (d.protections ?? []).some((p) => p.type === '0001'),
      });
    }
    return { candidates, truncated };
  }
}
