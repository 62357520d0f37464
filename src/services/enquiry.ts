/**
 * Companies' access to CPR (SPEC DIS-3).
 *
 * - Identification (§42(6), §38(5)): a person is found from what the company
 *   already knows — a name (current or former) plus a birth date, an address
 *   (current or former) or a person number; in a bulk delivery also a person
 *   number alone. Candidates come from indexes only (person_number by birth
 *   date, the number itself, the residence table by address), then their
 *   names and addresses are compared against their validity history as known
 *   now. Exactly one person must match; otherwise nothing is said, and "none"
 *   and "several" look the same.
 * - Single enquiries (§39, §42(1)-(4)): `EnquiryService`, one audit record per
 *   enquiry (AUD-3), written before the answer leaves.
 * - Bulk deliveries (§38(1)-(5)): `DeliveryService`, a job run in the
 *   background in chunks; one audit record per chunk naming every person it
 *   disclosed; results stored as NDJSON per chunk. A job interrupted by a
 *   restart is resumed from its first chunk without a result.
 *
 * What is disclosed is decided by the one projection, `disclose`
 * (domain/disclosure/project.ts), under the customer's grant cut to the legal
 * bases of the service used: §39/§42(2)-(4) for enquiries, §38(2)-(4) for
 * deliveries.
 */
import { randomBytes } from 'node:crypto';
import type { ProblemCode } from '../api/problems.ts';
import { activeOn, type AccessControl, type Caller, toPrincipal } from '../access/customers.ts';
import type { Clock } from '../domain/clock.ts';
import { dateOf, toInstant, type CivilDate, type Instant } from '../domain/dates.ts';
import { resolveGrant, type Grant } from '../domain/disclosure/policy.ts';
import { identificationConfirms, type IdentifiedBy } from '../domain/disclosure/identification.ts';
import type { Disclosure } from '../domain/disclosure/project.ts';
import type { GroupValue } from '../domain/person/facts.ts';
import type { Registration, Version } from '../register/bitemporal.ts';
import { LogCursor } from '../register/log-cursor.ts';
import type { Register } from '../register/register.ts';
import { readMeta, writeMeta } from '../storage/meta.ts';
import type { DB } from '../storage/schema.ts';
import type { Kysely } from 'kysely';
import { discloseView, grantOf } from './disclosure.ts';
import type { PersonReads, Readers } from './reader.ts';
import { COMPANY_KINDS, DELIVERY_BASES, ENQUIRY_BASES } from '../domain/disclosure/services.ts';
import { givenNameMatches, nameWords, sameWords, type RegisteredNameWords, type Word } from '../domain/names/compare.ts';

// ─── Errors ───────────────────────────────────────────────────────────────

export type EnquiryErrorCode = Extract<ProblemCode, 'bad_request' | 'no_legal_basis' | 'no_unique_match' | 'not_found' | 'conflict'>;

/** An error the API turns into a problem response with the same code. */
export class EnquiryError extends Error {
  constructor(
    readonly code: EnquiryErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EnquiryError';
  }
}

/** §42(6): the one sentence for "no person" and "more than one person" alike. */
export const NO_UNIQUE_MATCH =
  'No single person in the register matches the name together with the birth date, address or person number given (§42(6)).';

// ─── Identification input ─────────────────────────────────────────────────

export interface NameQuery {
  /** All first names: a text ("Anna Marie") or a list. */
  firstNames: string | string[];
  /** Middle names; may be left out, wholly or in part. */
  middleNames?: string | string[];
  lastName: string;
}

/** An address, current or former (§42(6) nr. 2, §38(5) nr. 3), in one of three forms. */
export interface AddressQuery {
  /** DAR unit address id (adresse-id). */
  addressId?: string;
  municipalityCode?: string;
  roadCode?: string;
  roadName?: string;
  postalCode?: string;
  houseNumber?: string;
  floor?: string;
  door?: string;
}

export interface Identification {
  name?: NameQuery;
  birthDate?: CivilDate;
  pnr?: string;
  address?: AddressQuery;
}

export type { IdentifiedBy };

/**
 * Checks an identification against the Act; returns the sentence saying what
 * is wrong, or null. `enquiry`: §42(6), a name always plus one of birth date,
 * address, person number. `delivery`: §38(5), a person number alone, or a
 * name with a birth date or an address.
 */
export function identificationProblem(id: Identification, mode: 'enquiry' | 'delivery'): string | null {
  const given = (['pnr', 'birthDate', 'address'] as const).filter((k) => id[k] !== undefined);
  if (mode === 'enquiry' && !id.name) {
    return "The person's name is required: first name(s) and last name, plus a birth date, an address or a person number (§42(6)).";
  }
  if (given.length === 0) {
    return mode === 'enquiry'
      ? 'A name alone does not identify a person: add a birth date, an address or a person number (§42(6)).'
      : 'Identify the person by a person number, or by a name with a birth date or an address (§38(5)).';
  }
  if (given.length > 1) {
    return `Give only one of birthDate, address and pnr with the name (got ${given.join(', ')}).`;
  }
  if (mode === 'delivery' && given[0] !== 'pnr' && !id.name) {
    return `${given[0] === 'birthDate' ? 'A birth date' : 'An address'} identifies a person only together with a name (§38(5)).`;
  }
  if (id.name) {
    if (nameWords(namesText(id.name.firstNames)).length === 0) return 'The first name(s) are missing or hold no letters.';
    if (nameWords(id.name.lastName).length === 0) return 'The last name is missing or holds no letters.';
  }
  if (id.address) return addressProblem(id.address);
  return null;
}

function addressProblem(a: AddressQuery): string | null {
  const has = (k: keyof AddressQuery) => a[k] !== undefined && a[k] !== '';
  const forms =
    'An address is a DAR address id, or municipalityCode + roadCode + houseNumber, or roadName + houseNumber + postalCode (floor and door optional).';
  if (has('addressId')) {
    const others = (['municipalityCode', 'roadCode', 'roadName', 'postalCode', 'houseNumber', 'floor', 'door'] as const).filter(has);
    return others.length ? `Give the address either as a DAR address id or by its parts, not both (got addressId and ${others.join(', ')}).` : null;
  }
  if (has('municipalityCode') || has('roadCode')) {
    if (!has('municipalityCode') || !has('roadCode') || !has('houseNumber')) return forms;
    if (has('roadName') || has('postalCode')) return `${forms} Give one form only.`;
    return null;
  }
  if (has('roadName') || has('postalCode')) {
    return has('roadName') && has('postalCode') && has('houseNumber') ? null : forms;
  }
  return forms;
}

function identifiedBy(id: Identification): IdentifiedBy {
  return id.pnr !== undefined ? 'pnr' : id.birthDate !== undefined ? 'birthDate' : 'address';
}

// ─── Comparing names and addresses ────────────────────────────────────────

// Names are compared as words folded by domain/names/compare.ts (case, accents, ø/oe/o, å/aa/a, æ/ae).

function namesText(n: string | string[] | undefined): string {
  return n === undefined ? '' : Array.isArray(n) ? n.join(' ') : n;
}

type PersonName = GroupValue<'name'>;

const nameWordsCache = new WeakMap<object, RegisteredNameWords>();
function registeredWords(n: PersonName): RegisteredNameWords {
  let w = nameWordsCache.get(n);
  if (!w) {
    w = {
      first: nameWords(n.firstNames.join(' ')),
      middle: nameWords((n.middleNames ?? []).join(' ')),
      lasts: [n.lastName, n.ownLastName].flatMap((l) => (l ? [nameWords(l)] : [])),
    };
    nameWordsCache.set(n, w);
  }
  return w;
}

/** The words of a name as given in an enquiry, in order: first, middle, last. */
export function queryWords(q: NameQuery): Word[] {
  return nameWords(`${namesText(q.firstNames)} ${namesText(q.middleNames)} ${q.lastName}`);
}

/**
 * §42(6): the name given matches a registered name when, word by word
 * (whole words), it is all the first names, then any of the middle names in
 * their order (middle names may be left out), then the last name (or the
 * person's own last name where that is registered).
 */
export function nameMatches(q: NameQuery | Word[], n: PersonName): boolean {
  return givenNameMatches(Array.isArray(q) ? q : queryWords(q), registeredWords(n));
}

const houseKey = (s: string | undefined) => (s ?? '').replace(/\s+/g, '').toUpperCase().replace(/^0+(?=\d)/, '');
const unitKey = (s: string | undefined) => (s ?? '').replace(/[\s.]+/g, '').toLowerCase().replace(/^0+(?=\d)/, '');
const roadKeys = (name: string): string[] => {
  const w = nameWords(name);
  return [...new Set([w.map((x) => x.full).join(' '), w.map((x) => x.bare).join(' ')])];
};
const sameRoad = (a: string, b: string): boolean => sameWords(nameWords(a), nameWords(b));

type Address = GroupValue<'address'>;

/** Whether a registered address is the one asked about; floor and door count only when given. */
export function addressMatches(q: AddressQuery, a: Address): boolean {
  if (q.addressId) return a.addressId?.toLowerCase() === q.addressId.toLowerCase();
  if (q.municipalityCode) {
    if (a.municipalityCode !== q.municipalityCode || a.roadCode !== q.roadCode) return false;
  } else {
    if (a.postalCode !== q.postalCode || !a.roadName || !sameRoad(a.roadName, q.roadName ?? '')) return false;
  }
  if (houseKey(a.houseNumber) !== houseKey(q.houseNumber)) return false;
  if (q.floor && unitKey(a.floor) !== unitKey(q.floor)) return false;
  if (q.door && unitKey(a.door) !== unitKey(q.door)) return false;
  return true;
}

// ─── The address directory ────────────────────────────────────────────────

const DIRECTORY_CURSOR = 'company.address_directory.seq';
/** Log pages between two saves of the cursor during a catch-up. */
const SAVE_EVERY_PAGES = 50;
const LOG_PAGE = 5000;

type RoadRow = DB['company_road'];
type HouseRow = DB['company_house'];

/**
 * What the residence index cannot answer by itself, for addresses given by
 * their parts (§42(6) nr. 2, §38(5) nr. 3): which (municipality code, road
 * code) a road name has in a postal code (`company_road`), and which DAR
 * access addresses (husnummer ids) a house number on a road has
 * (`company_house`; '' when some address there has none). `residence` holds
 * the codes and DAR ids but neither road names nor house numbers, and the
 * store has no road register (DAR), so the directory is built from the
 * addresses in the registration log (REG-6) and caught up before each use.
 * It only nominates: the candidates themselves come from `residence`, and
 * their addresses are compared against their history.
 */
export class AddressDirectory {
  #inflight: Promise<void> | undefined;
  #queued: Promise<void> | undefined;
  /** The durable cursor: every registration up to it is in the directory. */
  #cursor: number | undefined;
  readonly #log: LogCursor;

  constructor(private readonly register: Register) {
    this.#log = new LogCursor(register.store);
  }

  /**
   * Brings the directory up to the log. A call made while a catch-up is
   * running waits for the next one, so it sees every registration committed
   * before it was made.
   */
  refresh(): Promise<void> {
    if (!this.#inflight) {
      this.#inflight = this.#catchUp().finally(() => (this.#inflight = undefined));
      return this.#inflight;
    }
    this.#queued ??= this.#inflight.then(
      () => {
        this.#queued = undefined;
        return this.refresh();
      },
      () => {
        this.#queued = undefined;
        return this.refresh();
      },
    );
    return this.#queued;
  }

  async #catchUp(): Promise<void> {
    const db = this.register.store.db;
    this.#cursor ??= Number((await readMeta(db, DIRECTORY_CURSOR)) ?? 0);
    let saved = this.#cursor;
    let after = this.#cursor;
    let pages = 0;
    for (;;) {
      // The cursor moves only as far as the log cursor allows (register/log-cursor.ts); what lies beyond an
      // open gap is indexed too (indexing is idempotent), so a refresh sees every registration committed before it.
      const { end } = await this.#log.horizon(after, LOG_PAGE);
      const regs = await this.register.log(after, LOG_PAGE);
      if (regs.length === 0) break;
      await this.#index(regs);
      if (after === this.#cursor) this.#cursor = Math.max(this.#cursor, end);
      after = regs.at(-1)!.seq;
      if (regs.length < LOG_PAGE) break;
      // A long catch-up (a freshly loaded store) keeps its place now and then, so a restart resumes it.
      if (++pages % SAVE_EVERY_PAGES === 0) saved = await this.#save(saved);
      // Let requests through between pages (better-sqlite3 blocks the thread while it reads).
      await new Promise((resolve) => setImmediate(resolve));
    }
    await this.#save(saved);
  }

  /** Stores the cursor if it moved since `saved`; returns what is stored. */
  async #save(saved: number): Promise<number> {
    if (this.#cursor === undefined || this.#cursor === saved) return saved;
    await writeMeta(this.register.store.db, DIRECTORY_CURSOR, String(this.#cursor));
    return this.#cursor;
  }

  async #index(regs: Registration[]): Promise<void> {
    const roads = new Map<string, RoadRow>();
    const houses = new Map<string, HouseRow>();
    for (const r of regs) {
      for (const c of r.changes) {
        if (c.group !== 'address' || c.value === null) continue;
        const a = c.value as Address;
        const house: HouseRow = {
          municipality_code: a.municipalityCode,
          road_code: a.roadCode,
          house_key: houseKey(a.houseNumber),
          access_address_id: a.accessAddressId ?? '',
        };
        houses.set(Object.values(house).join('|'), house);
        if (!a.roadName || !a.postalCode) continue;
        for (const key of roadKeys(a.roadName)) {
          const road: RoadRow = { postal_code: a.postalCode, road_key: key, municipality_code: a.municipalityCode, road_code: a.roadCode, road_name: a.roadName };
          roads.set(`${road.postal_code}|${key}|${road.municipality_code}|${road.road_code}`, road);
        }
      }
    }
    if (roads.size === 0 && houses.size === 0) return;
    await this.register.store.db.transaction().execute(async (tx) => {
      const rs = [...roads.values()];
      for (let i = 0; i < rs.length; i += 500) {
        await tx
          .insertInto('company_road')
          .values(rs.slice(i, i + 500))
          .onConflict((oc) => oc.columns(['postal_code', 'road_key', 'municipality_code', 'road_code']).doNothing())
          .execute();
      }
      const hs = [...houses.values()];
      for (let i = 0; i < hs.length; i += 500) {
        await tx
          .insertInto('company_house')
          .values(hs.slice(i, i + 500))
          .onConflict((oc) => oc.columns(['municipality_code', 'road_code', 'house_key', 'access_address_id']).doNothing())
          .execute();
      }
    });
  }

  /** The roads a road name can mean in a postal code (as of the last `refresh`). */
  async roads(postalCode: string, roadName: string): Promise<Array<{ municipalityCode: string; roadCode: string }>> {
    const rows = await this.register.store.db
      .selectFrom('company_road')
      .select(['municipality_code', 'road_code'])
      .distinct()
      .where('postal_code', '=', postalCode)
      .where('road_key', 'in', roadKeys(roadName))
      .execute();
    return rows.map((r) => ({ municipalityCode: r.municipality_code, roadCode: r.road_code }));
  }

  /**
   * The DAR access addresses a house number on a road has had; `complete`
   * false when some address registered there had none (then the whole road
   * is searched). As of the last `refresh`.
   */
  async houses(municipalityCode: string, roadCode: string, houseNumber: string): Promise<{ accessAddressIds: string[]; complete: boolean }> {
    const rows = await this.register.store.db
      .selectFrom('company_house')
      .select('access_address_id')
      .where('municipality_code', '=', municipalityCode)
      .where('road_code', '=', roadCode)
      .where('house_key', '=', houseKey(houseNumber))
      .execute();
    const ids = rows.map((r) => r.access_address_id);
    return { accessAddressIds: ids.filter((x) => x !== ''), complete: !ids.includes('') };
  }
}

// ─── Finding the person ───────────────────────────────────────────────────

/** Values per IN list; histories are read in batches of HISTORY_BATCH, yielding in between so a running delivery does not hold up requests. */
const IN_CHUNK = 500;
const HISTORY_BATCH = 200;

/** A candidate: all versions, and the names and addresses of its validity history as known now (not those valid only in the future). */
interface Known {
  versions: Version[];
  names: PersonName[];
  addresses: Address[];
  /** §3(5): the new number, when this one was replaced. */
  replacedBy?: string;
}

/**
 * §42(6) / §38(5): finds the one person an identification points at, or
 * null when none or several do. Every candidate comes from an index:
 * `person_number` by birth date, the number itself, `residence` by DAR unit
 * address id, or by the DAR access addresses the address directory gives
 * for a house number (by road code, or by road name and postal code).
 */
export class Identifier {
  constructor(
    private readonly directory: AddressDirectory,
    private readonly clock: Clock,
  ) {}

  /** Inside a caller's reader (services/reader.ts): the reads are the caller's, audited with its answer. */
  async identifyMany(reads: PersonReads, items: readonly Identification[]): Promise<Array<{ pnr: string; versions: Version[] } | null>> {
    const db = reads.store.db;
    const now = this.clock.now();
    const today = dateOf(now);
    const knownAt = toInstant(now);
    const candidates = items.map(() => new Set<string>());

    // By person number (§42(6) nr. 3, §38(5) nr. 1).
    items.forEach((it, i) => it.pnr && candidates[i]!.add(it.pnr));

    // By birth date (§42(6) nr. 1, §38(5) nr. 2): the person_number index on birth_date.
    const dates = [...new Set(items.flatMap((it) => (it.birthDate ? [it.birthDate] : [])))];
    const byDate = new Map<string, string[]>();
    for (let i = 0; i < dates.length; i += IN_CHUNK) {
      const rows = await db.selectFrom('person_number').select(['pnr', 'birth_date']).where('birth_date', 'in', dates.slice(i, i + IN_CHUNK)).execute();
      for (const r of rows) {
        const list = byDate.get(r.birth_date);
        if (list) list.push(r.pnr);
        else byDate.set(r.birth_date, [r.pnr]);
      }
    }
    items.forEach((it, i) => it.birthDate && byDate.get(it.birthDate)?.forEach((p) => candidates[i]!.add(p)));

    // By address (§42(6) nr. 2, §38(5) nr. 3): the residence index, every address version known now.
    const unitIds = [...new Set(items.flatMap((it) => (it.address?.addressId ? [it.address.addressId, it.address.addressId.toLowerCase()] : [])))];
    const byUnit = new Map<string, string[]>();
    for (let i = 0; i < unitIds.length; i += IN_CHUNK) {
      const rows = await db
        .selectFrom('residence')
        .select(['pnr', 'address_id'])
        .where('address_id', 'in', unitIds.slice(i, i + IN_CHUNK))
        .where('valid_from', '<=', today)
        .where((eb) => eb.or([eb('reg_to', 'is', null), eb('reg_to', '>', knownAt)]))
        .execute();
      for (const r of rows) {
        const list = byUnit.get(r.address_id!.toLowerCase());
        if (list) list.push(r.pnr);
        else byUnit.set(r.address_id!.toLowerCase(), [r.pnr]);
      }
    }
    // A house number on a road: the residents of its DAR access addresses; the whole road only where an address had no DAR id.
    const residents = async (column: 'access_address_id' | 'road', municipality: string, values: string[]) => {
      const out: Array<{ pnr: string; key: string }> = [];
      for (let i = 0; i < values.length; i += IN_CHUNK) {
        let q = db
          .selectFrom('residence')
          .select(['pnr', 'access_address_id', 'road_code'])
          .where('valid_from', '<=', today)
          .where((eb) => eb.or([eb('reg_to', 'is', null), eb('reg_to', '>', knownAt)]));
        q = column === 'road' ? q.where('municipality_code', '=', municipality).where('road_code', 'in', values.slice(i, i + IN_CHUNK)) : q.where('access_address_id', 'in', values.slice(i, i + IN_CHUNK));
        for (const r of await q.execute()) out.push({ pnr: r.pnr, key: column === 'road' ? `${municipality}:${r.road_code}` : r.access_address_id! });
      }
      return out;
    };
    const wanted = new Map<number, { access: string[]; roads: string[] }>();
    const accessIds = new Set<string>();
    if (items.some((it) => it.address && !it.address.addressId)) await this.directory.refresh();
    const wholeRoads = new Map<string, Set<string>>();
    for (const [i, it] of items.entries()) {
      const a = it.address;
      if (!a || a.addressId || !a.houseNumber) continue;
      const roads =
        a.municipalityCode && a.roadCode
          ? [{ municipalityCode: a.municipalityCode, roadCode: a.roadCode }]
          : a.roadName && a.postalCode
            ? await this.directory.roads(a.postalCode, a.roadName)
            : [];
      const w = { access: [] as string[], roads: [] as string[] };
      for (const road of roads) {
        const h = await this.directory.houses(road.municipalityCode, road.roadCode, a.houseNumber);
        for (const id of h.accessAddressIds) accessIds.add(id);
        w.access.push(...h.accessAddressIds);
        if (!h.complete) {
          wholeRoads.set(road.municipalityCode, (wholeRoads.get(road.municipalityCode) ?? new Set()).add(road.roadCode));
          w.roads.push(`${road.municipalityCode}:${road.roadCode}`);
        }
      }
      wanted.set(i, w);
    }
    const byKey = new Map<string, Set<string>>();
    const add = (rows: Array<{ pnr: string; key: string }>) => rows.forEach((r) => byKey.set(r.key, (byKey.get(r.key) ?? new Set()).add(r.pnr)));
    add(await residents('access_address_id', '', [...accessIds]));
    for (const [municipality, roadCodes] of wholeRoads) add(await residents('road', municipality, [...roadCodes]));
    items.forEach((it, i) => {
      if (it.address?.addressId) byUnit.get(it.address.addressId.toLowerCase())?.forEach((p) => candidates[i]!.add(p));
      const w = wanted.get(i);
      for (const k of [...(w?.access ?? []), ...(w?.roads ?? [])]) byKey.get(k)?.forEach((p) => candidates[i]!.add(p));
    });

    // Compare names and addresses against each candidate's history as known now.
    const known = await this.#known(reads, [...new Set(candidates.flatMap((c) => [...c]))], today, knownAt);
    const replacements = [...known.values()].flatMap((k) => (k.replacedBy && !known.has(k.replacedBy) ? [k.replacedBy] : []));
    for (const [p, k] of await this.#known(reads, [...new Set(replacements)], today, knownAt)) known.set(p, k);

    return items.map((it, i) => {
      const matched = new Set<string>();
      const words = it.name ? queryWords(it.name) : undefined;
      for (const p of candidates[i]!) {
        const k = known.get(p);
        if (!k) continue;
        if (words && !k.names.some((n) => nameMatches(words, n))) continue;
        if (it.address && !k.addresses.some((a) => addressMatches(it.address!, a))) continue;
        // §3(5): a number that was replaced leads to the person's new number.
        matched.add(k.replacedBy && known.has(k.replacedBy) ? k.replacedBy : p);
      }
      if (matched.size !== 1) return null;
      const pnr = [...matched][0]!;
      return { pnr, versions: known.get(pnr)!.versions };
    });
  }

  async #known(reads: PersonReads, pnrs: string[], today: CivilDate, knownAt: Instant): Promise<Map<string, Known>> {
    const out = new Map<string, Known>();
    for (let i = 0; i < pnrs.length; i += HISTORY_BATCH) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve)); // let requests through (better-sqlite3 blocks)
      for (const [pnr, versions] of await reads.versionsOf(pnrs.slice(i, i + HISTORY_BATCH))) {
        // The validity history as known now (versionsKnownAt, without its sort), not what is valid only in the future.
        const past = versions.filter((v) => v.rf <= knownAt && (v.rt === null || knownAt < v.rt) && v.vf <= today);
        const current = past.filter((v) => v.vt === null || today < v.vt);
        const replaced = current.find((v) => v.g === 'numberChange' && (v.v as GroupValue<'numberChange'>).direction === 'replaced_by');
        out.set(pnr, {
          versions,
          names: past.filter((v) => v.g === 'name').map((v) => v.v as PersonName),
          addresses: past.filter((v) => v.g === 'address').map((v) => v.v as Address),
          ...(replaced && { replacedBy: (replaced.v as GroupValue<'numberChange'>).pnr }),
        });
      }
    }
    return out;
  }
}

// ─── Disclosing to a company ──────────────────────────────────────────────

export { COMPANY_KINDS, DELIVERY_BASES, ENQUIRY_BASES };

export type CompanyDisclosure = Disclosure & { validAt: CivilDate; knownAt: Instant };

/**
 * The wire form for a company: never the number (PNR-5; §38(2)/§42(2) are
 * closed lists), and `withheld` without the fields no rule gives a private
 * party (`not_for_companies`): listing them would tell the company that the
 * person has them — a separation (§38(3), §42(3): "bortset fra oplysning om
 * separation"), relations, a number change.
 */
export function companyWire(d: CompanyDisclosure) {
  if (d.data.pnr !== undefined || d.data.birthDate !== undefined) throw new Error('a person number or birth date in a company answer');
  return {
    validAt: d.validAt,
    knownAt: d.knownAt,
    data: d.data as Record<string, unknown>,
    ...(d.protectionMark && { protectionMark: d.protectionMark }),
    withheld: d.withheld.filter((w) => w.reason !== 'not_for_companies'),
    basis: d.basis,
    fields: d.fields as string[],
  };
}

function companyGrant(caller: Caller, bases: readonly string[], service: string): Grant {
  if (!COMPANY_KINDS.has(caller.customer.kind)) {
    throw new EnquiryError(
      'no_legal_basis',
      caller.customer.kind === 'public_authority'
        ? 'Public authorities look persons up by person number at /api/v1/persons/{pnr} (§32), not here.'
        : `${service} are for businesses, insurers and credit bureaus (§38, §39, §42).`,
    );
  }
  const full = grantOf(caller);
  const grant: Grant = { ...full, legalBases: full.legalBases.filter((b) => bases.includes(b)) };
  if (resolveGrant(grant, '').accepted.length === 0) {
    throw new EnquiryError('no_legal_basis', `${service} need one of the legal bases ${bases.join(', ')}; the customer holds none of them.`);
  }
  return grant;
}

async function discloseTo(reads: PersonReads, pnr: string, versions: Version[], grant: Grant): Promise<CompanyDisclosure | null> {
  const view = await reads.person(pnr);
  if (!view) return null;
  // The history serves only the address at death (§38(2) nr. 5); companies get no history field.
  const d = await discloseView(reads, view, grant, { pnr, versions, registrations: [] });
  return { ...d, validAt: view.validAt, knownAt: view.knownAt };
}

/**
 * The match an identification may answer with: none when answering would
 * locate a protected person by the address the customer gave (§28, §42(6):
 * the no-match answer, so match and no-match look alike).
 */
async function confirmedMatch(
  reads: PersonReads,
  id: Identification,
  hit: { pnr: string; versions: Version[] } | null,
  grant: Grant,
): Promise<{ pnr: string; d: CompanyDisclosure } | null> {
  if (!hit) return null;
  const d = await discloseTo(reads, hit.pnr, hit.versions, grant);
  return d && identificationConfirms(identifiedBy(id), d) ? { pnr: hit.pnr, d } : null;
}

/** What the caller sent to identify a person, for its own log (access/audit-entry.ts). */
export function identificationReferences(id: Identification): string[] {
  const name = id.name ? [namesText(id.name.firstNames), namesText(id.name.middleNames), id.name.lastName].filter(Boolean).join(' ') : undefined;
  const a = id.address;
  const address = a
    ? (a.addressId ?? [a.roadName ?? `${a.municipalityCode ?? ''}/${a.roadCode ?? ''}`, a.houseNumber, a.floor, a.door, a.postalCode].filter(Boolean).join(' '))
    : undefined;
  return [name, id.birthDate, id.pnr, address].filter((x): x is string => x !== undefined && x !== '');
}

// ─── Single enquiries (§39, §42) ──────────────────────────────────────────

export class EnquiryService {
  readonly #identifier: Identifier;

  constructor(
    private readonly readers: Readers,
    directory: AddressDirectory,
  ) {
    this.#identifier = new Identifier(directory, readers.clock);
  }

  /**
   * One enquiry: the one person the identification points at, cut to the
   * customer's enquiry bases; audited (one record, with or without a person)
   * before the answer or the no-match leaves.
   */
  async enquire(caller: Caller, id: Identification, requestId?: string): Promise<CompanyDisclosure> {
    const grant = companyGrant(caller, ENQUIRY_BASES, 'Single enquiries');
    const problem = identificationProblem(id, 'enquiry');
    if (problem) throw new EnquiryError('bad_request', problem);
    let found: string | null = null;
    const answer = await this.readers.for(caller).answer(
      'company.enquiry',
      async (reads) => {
        const [hit] = await this.#identifier.identifyMany(reads, [id]);
        found = hit?.pnr ?? null;
        return confirmedMatch(reads, id, hit ?? null, grant);
      },
      (a) => ({
        // The person the register found is recorded (§46) also when the answer is the no-match (§28).
        subjects: found ? [found] : [],
        references: identificationReferences(id),
        legalBasis: (a ? a.d.basis : grant.legalBases).join(' ') || null,
        fields: a ? a.d.fields : [],
        requestId: requestId ?? null,
        // Not how many matched: the customer's security officer reads these records (AUD-4), and "none" and
        // "several" must stay alike (§42(6)).
        detail: { identifiedBy: identifiedBy(id), matched: a !== null },
      }),
    );
    if (!answer) throw new EnquiryError('no_unique_match', NO_UNIQUE_MATCH);
    return answer.d;
  }
}

// ─── Bulk deliveries (§38(1), §38(5)) ─────────────────────────────────────

export const MAX_DELIVERY_ITEMS = 100_000;

export type DeliveryItem = Identification & { ref: string };

export type DeliveryStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface DeliveryJob {
  id: string;
  status: DeliveryStatus;
  itemsTotal: number;
  itemsDone: number;
  matched: number;
  createdAt: Instant;
  startedAt: Instant | null;
  finishedAt: Instant | null;
  error: string | null;
}

export interface DeliveryOptions {
  /** Items per chunk: one transaction, one audit record (default 500). */
  chunkSize?: number;
  /** How long a process holds a job between chunks before another may take it over (default 60 s). */
  leaseMs?: number;
  /** How often to look for jobs to run or resume (default 5 s). */
  pollMs?: number;
  /** Failed attempts at a chunk before the job fails (default 3). */
  maxAttempts?: number;
  onError?: (err: unknown, jobId: string) => void;
}

type JobRow = DB['delivery_job'];

function toJob(r: Pick<JobRow, 'id' | 'status' | 'items_total' | 'items_done' | 'matched' | 'created_at' | 'started_at' | 'finished_at' | 'error'>): DeliveryJob {
  return {
    id: r.id,
    status: r.status as DeliveryStatus,
    itemsTotal: Number(r.items_total),
    itemsDone: Number(r.items_done),
    matched: Number(r.matched),
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: r.error,
  };
}

/**
 * Bulk deliveries: jobs stored in `delivery_job`, their items in chunks in
 * `delivery_input`, results as NDJSON per chunk in `delivery_result`. A
 * runner in this process takes jobs one at a time under a lease, processes
 * chunk after chunk (identify, disclose, audit, store), and on start or on
 * its poll resumes any job whose lease ran out: a job interrupted by a
 * restart continues from its first chunk without a result. A graceful stop
 * releases the lease at once.
 */
export class DeliveryService {
  readonly #identifier: Identifier;
  readonly #owner = randomBytes(8).toString('hex');
  readonly #chunkSize: number;
  readonly #leaseMs: number;
  readonly #pollMs: number;
  readonly #maxAttempts: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopping = false;

  constructor(
    private readonly readers: Readers,
    private readonly access: AccessControl,
    private readonly clock: Clock,
    directory: AddressDirectory,
    private readonly opts: DeliveryOptions = {},
  ) {
    this.#identifier = new Identifier(directory, clock);
    this.#chunkSize = Math.max(1, opts.chunkSize ?? 500);
    this.#leaseMs = opts.leaseMs ?? 60_000;
    this.#pollMs = opts.pollMs ?? 5_000;
    this.#maxAttempts = opts.maxAttempts ?? 3;
  }

  /** The delivery's own tables (jobs, inputs, results); persons are read only through the caller's reader. */
  get #db(): Kysely<DB> {
    return this.readers.store.db;
  }

  /** Starts the runner: resumes interrupted jobs now, and looks for work every `pollMs`. */
  start(): void {
    this.#stopping = false;
    this.#timer = setInterval(() => this.kick(), this.#pollMs);
    this.#timer.unref();
    this.kick();
  }

  /** Stops after the chunk in hand and releases the job, so the next start (or another process) resumes it at once. */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** Looks for jobs to run (a no-op while the runner is busy, except that it looks again afterwards). */
  kick(): void {
    if (this.#stopping) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#runAll()
      .catch((e) => this.opts.onError?.(e, ''))
      .finally(() => {
        this.#running = undefined;
        if (this.#again && !this.#stopping) {
          this.#again = false;
          this.kick();
        }
      });
  }

  /** Creates a job for the caller's customer (§38(1)): the items are checked and stored; the work starts in the background. */
  async create(caller: Caller, items: DeliveryItem[], requestId?: string): Promise<DeliveryJob> {
    companyGrant(caller, DELIVERY_BASES, 'Bulk deliveries');
    if (items.length === 0) throw new EnquiryError('bad_request', 'A delivery needs at least one item.');
    if (items.length > MAX_DELIVERY_ITEMS) throw new EnquiryError('bad_request', `A delivery holds at most ${MAX_DELIVERY_ITEMS} items; split it.`);
    for (const [i, it] of items.entries()) {
      const problem = identificationProblem(it, 'delivery');
      if (problem) throw new EnquiryError('bad_request', `Item ${i + 1} (ref "${it.ref}"): ${problem}`);
    }
    const id = `dlv_${randomBytes(12).toString('hex')}`;
    const now = toInstant(this.clock.now());
    const chunks = Math.ceil(items.length / this.#chunkSize);
    await this.#db.transaction().execute(async (tx) => {
      await tx
        .insertInto('delivery_job')
        .values({
          id,
          customer_id: caller.customer.id,
          principal_id: caller.principal.id,
          status: 'queued',
          items_total: items.length,
          items_done: 0,
          matched: 0,
          chunk_size: this.#chunkSize,
          chunks_total: chunks,
          attempts: 0,
          created_at: now,
          started_at: null,
          finished_at: null,
          error: null,
          request_id: requestId ?? null,
          lease_owner: null,
          lease_until: null,
        })
        .execute();
      const rows = [];
      for (let c = 0; c < chunks; c++) rows.push({ job_id: id, chunk: c, items: JSON.stringify(items.slice(c * this.#chunkSize, (c + 1) * this.#chunkSize)) });
      for (let i = 0; i < rows.length; i += 50) await tx.insertInto('delivery_input').values(rows.slice(i, i + 50)).execute();
    });
    this.kick();
    return this.status(caller, id);
  }

  /** A job of the caller's customer; another customer's job does not exist for it. */
  async status(caller: Caller, id: string): Promise<DeliveryJob> {
    const r = await this.#db.selectFrom('delivery_job').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r || r.customer_id !== caller.customer.id) throw new EnquiryError('not_found', `No delivery ${id} for this customer.`);
    return toJob(r);
  }

  /** The customer's jobs, newest first. */
  async list(caller: Caller, limit = 100): Promise<DeliveryJob[]> {
    const rows = await this.#db
      .selectFrom('delivery_job')
      .selectAll()
      .where('customer_id', '=', caller.customer.id)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toJob);
  }

  /**
   * The result lines of a completed job, chunk by chunk (NDJSON: one line per
   * item, in the order of the items). The download is recorded in the audit
   * log; the disclosures in it were recorded when they were made.
   */
  async result(caller: Caller, id: string, requestId?: string): Promise<AsyncIterable<string>> {
    const job = await this.status(caller, id);
    if (job.status !== 'completed') {
      throw new EnquiryError(
        'conflict',
        job.status === 'failed' ? `Delivery ${id} failed: ${job.error ?? 'unknown error'}` : `Delivery ${id} is ${job.status}: ${job.itemsDone} of ${job.itemsTotal} items done.`,
      );
    }
    await this.readers.record(caller, 'company.delivery.result', { subjects: [], references: [`delivery:${id}`], requestId: requestId ?? null, detail: { delivery: id, items: job.itemsTotal } });
    const db = this.#db;
    return (async function* () {
      for (let c = 0; ; c++) {
        const row = await db.selectFrom('delivery_result').select('lines').where('job_id', '=', id).where('chunk', '=', c).executeTakeFirst();
        if (!row) return;
        yield row.lines;
      }
    })();
  }

  // ── The runner ──

  async #runAll(): Promise<void> {
    while (!this.#stopping) {
      const realNow = new Date().toISOString();
      const next = await this.#db
        .selectFrom('delivery_job')
        .select('id')
        .where('status', 'in', ['queued', 'running'])
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', realNow)]))
        .orderBy('created_at')
        .limit(1)
        .executeTakeFirst();
      if (!next) return;
      if (!(await this.#claim(next.id))) continue;
      await this.#runJob(next.id);
    }
  }

  /** Takes (or renews) the lease; false when another process holds it. */
  async #claim(id: string): Promise<boolean> {
    const realNow = new Date();
    const r = await this.#db
      .updateTable('delivery_job')
      .set({ lease_owner: this.#owner, lease_until: new Date(realNow.getTime() + this.#leaseMs).toISOString() })
      .where('id', '=', id)
      .where('status', 'in', ['queued', 'running'])
      .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '=', this.#owner), eb('lease_until', '<', realNow.toISOString())]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async #release(id: string): Promise<void> {
    await this.#db.updateTable('delivery_job').set({ lease_owner: null, lease_until: null }).where('id', '=', id).where('lease_owner', '=', this.#owner).execute();
  }

  async #fail(id: string, error: string): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      await tx
        .updateTable('delivery_job')
        .set({ status: 'failed', error, finished_at: toInstant(this.clock.now()), lease_owner: null, lease_until: null })
        .where('id', '=', id)
        .execute();
      await tx.deleteFrom('delivery_input').where('job_id', '=', id).execute();
    });
  }

  async #runJob(id: string): Promise<void> {
    const job = await this.#db.selectFrom('delivery_job').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    // The customer and the user or program act now, not only when the job was created (AUD-1, AUD-2).
    const caller = await this.#callerOf(job);
    if (typeof caller === 'string') return this.#fail(id, caller);
    let grant: Grant;
    try {
      grant = companyGrant(caller, DELIVERY_BASES, 'Bulk deliveries');
    } catch (e) {
      return this.#fail(id, (e as Error).message);
    }
    await this.#db
      .updateTable('delivery_job')
      .set({ status: 'running', started_at: job.started_at ?? toInstant(this.clock.now()) })
      .where('id', '=', id)
      .execute();
    const done = new Set(
      (await this.#db.selectFrom('delivery_result').select('chunk').where('job_id', '=', id).execute()).map((r) => Number(r.chunk)),
    );
    for (let c = 0; c < Number(job.chunks_total); c++) {
      if (done.has(c)) continue;
      if (this.#stopping || !(await this.#claim(id))) return this.#release(id);
      try {
        await this.#runChunk(job, c, caller, grant);
      } catch (e) {
        this.opts.onError?.(e, id);
        const r = await this.#db
          .updateTable('delivery_job')
          // Tried again at a later poll, by this or another process.
          .set((eb) => ({ attempts: eb('attempts', '+', 1), lease_owner: null, lease_until: new Date(Date.now() + 1000).toISOString() }))
          .where('id', '=', id)
          .returning('attempts')
          .executeTakeFirst();
        if (Number(r?.attempts ?? 0) >= this.#maxAttempts) await this.#fail(id, 'The delivery could not be processed; ask for it again.');
        return;
      }
    }
    await this.#db.transaction().execute(async (tx) => {
      const sums = await tx
        .selectFrom('delivery_result')
        .select((eb) => [eb.fn.sum<number>('items').as('items'), eb.fn.sum<number>('matched').as('matched')])
        .where('job_id', '=', id)
        .executeTakeFirstOrThrow();
      await tx
        .updateTable('delivery_job')
        .set({
          status: 'completed',
          items_done: Number(sums.items ?? 0),
          matched: Number(sums.matched ?? 0),
          finished_at: toInstant(this.clock.now()),
          lease_owner: null,
          lease_until: null,
        })
        .where('id', '=', id)
        .execute();
      // The identifications are not kept once the result is there.
      await tx.deleteFrom('delivery_input').where('job_id', '=', id).execute();
    });
  }

  async #callerOf(job: JobRow): Promise<Caller | string> {
    const today = dateOf(this.clock.now());
    let customer;
    try {
      customer = await this.access.customer(job.customer_id);
    } catch {
      return 'The customer no longer exists.';
    }
    const p = await this.#db.selectFrom('principal').selectAll().where('id', '=', job.principal_id).executeTakeFirst();
    if (!p) return 'The user or program that asked for the delivery no longer exists.';
    const principal = toPrincipal(p);
    if (!activeOn(customer, today)) return 'The customer agreement is no longer in force.';
    if (!activeOn(principal, today) || !principal.roles.includes('bulk')) return 'The user or program that asked for the delivery is no longer authorised for bulk deliveries.';
    return { customer, principal };
  }

  async #runChunk(job: JobRow, chunk: number, caller: Caller, grant: Grant): Promise<void> {
    const input = await this.#db.selectFrom('delivery_input').select('items').where('job_id', '=', job.id).where('chunk', '=', chunk).executeTakeFirst();
    if (!input) throw new Error(`delivery ${job.id}: chunk ${chunk} has no input`);
    const items = JSON.parse(input.items) as DeliveryItem[];
    const results = await this.readers.for(caller).answer(
      'company.delivery',
      async (reads) => {
        const hits = await this.#identifier.identifyMany(reads, items);
        const out: Array<{ pnr: string; d: CompanyDisclosure } | null> = [];
        for (const [i, hit] of hits.entries()) out.push(await confirmedMatch(reads, items[i]!, hit, grant));
        return out;
      },
      (rs) => {
        const found = rs.filter((r): r is { pnr: string; d: CompanyDisclosure } => r !== null);
        return {
          subjects: found.map((r) => r.pnr),
          references: [`delivery:${job.id}`],
          legalBasis: [...new Set(found.flatMap((r) => r.d.basis))].join(' ') || grant.legalBases.join(' ') || null,
          fields: [...new Set(found.flatMap((r) => r.d.fields))],
          requestId: job.request_id,
          detail: { delivery: job.id, chunk, items: items.length, matched: found.length },
        };
      },
    );
    const lines = items
      .map((it, i) => {
        const r = results[i];
        return JSON.stringify(r ? { ref: it.ref, matched: true, ...companyWire(r.d) } : { ref: it.ref, matched: false }) + '\n';
      })
      .join('');
    const matched = results.filter((r) => r !== null).length;
    await this.#db.transaction().execute(async (tx) => {
      const ins = await tx
        .insertInto('delivery_result')
        .values({ job_id: job.id, chunk, items: items.length, matched, lines })
        .onConflict((oc) => oc.columns(['job_id', 'chunk']).doNothing())
        .executeTakeFirst();
      if (Number(ins.numInsertedOrUpdatedRows ?? 0) === 0) return; // another process stored this chunk first
      await tx
        .updateTable('delivery_job')
        .set((eb) => ({ items_done: eb('items_done', '+', items.length), matched: eb('matched', '+', matched), attempts: 0 }))
        .where('id', '=', job.id)
        .execute();
    });
  }
}
