/**
 * The address register (LAN-6), in the model of DAR: house numbers
 * (DAR_Husnummer, DAWA "adgangsadresser": a house number on a road, with its
 * postal code) and unit addresses (DAR_Adresse: floor and door of a house
 * number), bitemporal (virkning in civil dates, registrering in instants).
 *
 * Reads are as of a validity date (`on`, default: today by the clock) and a
 * registration time (`knownAt`, default: what is registered now). Imports
 * read the DAWA CSV shape and are idempotent: a row as registered changes
 * nothing, a changed row becomes a new version, and a file is imported whole
 * or not at all.
 */
import { readFileSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../domain/clock.ts';
import { dateOf, type CivilDate, type Instant } from '../domain/dates.ts';
import { named, prepareNamed, type NamedRead } from '../storage/prepared.ts';
import type { Store } from '../storage/store.ts';
import type { DarHusnummerTable } from '../storage/tables/reference.ts';
import {
  ReferenceDataError,
  parseHouseNumbersCsv,
  parseUnitAddressesCsv,
  type HouseNumberFields,
  type HouseNumberRow,
  type UnitAddressRow,
} from './import.ts';
import { doorKey, floorKey, houseKey, roadKey, uuid } from './text.ts';
import { applyPlans, asOf, loadHeld, planFrom, recordImport, samePayload, writeTransaction, type Held, type KeyedPlan } from './versions.ts';

/** When a read is for: the validity date and the registration time (default: today, as registered now). */
export interface AsOf {
  on?: CivilDate;
  knownAt?: Instant;
}

export interface HouseNumber {
  /** DAR husnummer id. */
  id: string;
  municipalityCode: string;
  roadCode: string;
  roadName: string;
  houseNumber: string;
  postalCode: string;
  postalDistrict: string;
  supplementaryTownName: string | null;
  cadastre: { district: string | null; number: string | null } | null;
  etrs89: { east: number; north: number } | null;
  wgs84: { lat: number; lon: number } | null;
  validFrom: CivilDate;
  validTo: CivilDate | null;
  registeredAt: Instant;
  /** adgangsadressebetegnelse, e.g. "Brydevej 11, 2791 Dragør". */
  label: string;
}

export interface Unit {
  /** DAR adresse id. */
  id: string;
  houseNumberId: string;
  /** null when the address has no floor or door. */
  floor: string | null;
  door: string | null;
  validFrom: CivilDate;
  validTo: CivilDate | null;
  registeredAt: Instant;
  /** adressebetegnelse, e.g. "Brydevej 11, 2. tv, 2791 Dragør". */
  label: string;
}

export interface UnitAddress extends Unit {
  houseNumber: HouseNumber;
}

export interface HouseNumberWithUnits extends HouseNumber {
  /** In floor and door order (kl, st, 1, 2, …; tv, mf, th, 1, 2, …). */
  units: Unit[];
}

/** A unit address as the landlord search shows it. */
export interface UnitLabel {
  id: string;
  floor: string | null;
  door: string | null;
  label: string;
}

/** A house number as the landlord search shows it: id and text, with unit addresses (in HouseNumberWithUnits' order). */
export interface HouseNumberLabel {
  id: string;
  label: string;
  units: UnitLabel[];
}

export interface PostalAddressQuery {
  roadName: string;
  houseNumber: string;
  postalCode: string;
  /** undefined: any floor; a string (also '') must match (case, dots and spaces ignored: "St." = "st"). */
  floor?: string;
  door?: string;
}

export interface CodesQuery {
  municipalityCode: string;
  roadCode: string;
  houseNumber: string;
  floor?: string;
  door?: string;
}

export interface RoadSuggestion {
  municipalityCode: string;
  roadCode: string;
  roadName: string;
  postalCode: string;
  postalDistrict: string;
  /** House numbers on the road in that postal code. */
  houseNumbers: number;
}

export interface ImportCounts {
  rows: number;
  /** New objects. */
  inserted: number;
  /** Objects with a new version. */
  changed: number;
  unchanged: number;
}

export interface AddressImportSummary {
  importId: number;
  registeredAt: Instant;
  /**
   * The house-number file's rows; `fromUnitFile`: house numbers added or changed from the unit-address
   * file's own columns (not in a house-number file), not counted in the others.
   */
  houseNumbers: ImportCounts & { fromUnitFile: number };
  unitAddresses: ImportCounts;
}

export interface AddressImportInput {
  /** DAWA adgangsadresser CSV text and a name for messages. */
  houseNumbers?: { text: string; file: string };
  /** DAWA adresser CSV text and a name for messages. */
  unitAddresses?: { text: string; file: string };
  /** What is imported, for the import log (default: the file names). */
  source?: string;
}

/** The two DAWA sample files bundled with OpenCPR (src/reference/data, MIT © SDFE). */
export function sampleAddressFiles(): Required<Pick<AddressImportInput, 'houseNumbers' | 'unitAddresses'>> {
  const read = (name: string) => ({ text: readFileSync(new URL(`./data/${name}`, import.meta.url), 'utf8'), file: name });
  return { houseNumbers: read('dawa_adgangsadresser_sample_2015.csv'), unitAddresses: read('dawa_adresser_sample_2015.csv') };
}

type HousePayload = Omit<DarHusnummerTable, 'id' | 'version' | 'virkning_fra' | 'virkning_til' | 'registrering_fra' | 'registrering_til'>;
interface UnitPayload {
  husnummer_id: string;
  floor: string;
  door: string;
}

const HOUSE_PAYLOAD_COLUMNS = [
  'municipality_code',
  'road_code',
  'road_name',
  'road_key',
  'house_number',
  'house_key',
  'postal_code',
  'postal_district',
  'supplementary_town_name',
  'cadastral_district',
  'cadastral_number',
  'etrs89_east',
  'etrs89_north',
  'wgs84_lat',
  'wgs84_lon',
] as const;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function housePayloadOfRow(r: Record<string, unknown>): HousePayload {
  const p = Object.fromEntries(HOUSE_PAYLOAD_COLUMNS.map((c) => [c, r[c] ?? null])) as unknown as HousePayload;
  for (const c of ['etrs89_east', 'etrs89_north', 'wgs84_lat', 'wgs84_lon'] as const) p[c] = num(p[c]);
  return p;
}

function coreColumns(f: HouseNumberFields) {
  return {
    municipality_code: f.municipalityCode,
    road_code: f.roadCode,
    road_name: f.roadName,
    road_key: roadKey(f.roadName),
    house_number: f.houseNumber,
    house_key: houseKey(f.houseNumber),
    postal_code: f.postalCode,
    postal_district: f.postalDistrict,
    supplementary_town_name: f.supplementaryTownName,
  };
}

function housePayloadOfImport(r: HouseNumberRow): HousePayload {
  return {
    ...coreColumns(r),
    cadastral_district: r.cadastralDistrict,
    cadastral_number: r.cadastralNumber,
    etrs89_east: r.etrs89East,
    etrs89_north: r.etrs89North,
    wgs84_lat: r.wgs84Lat,
    wgs84_lon: r.wgs84Lon,
  };
}

const FLOOR_ORDER = (f: string) => (f === '' ? -3 : f === 'kl' ? -2 : f.startsWith('k') ? -2 - Number(f.slice(1)) : f === 'st' ? -1 : Number(f));
const DOOR_ORDER = (d: string): [number, string] => {
  const named = ['', 'tv', 'mf', 'th'].indexOf(d);
  if (named >= 0) return [named, ''];
  return [10, d.padStart(8, '0')];
};
function compareUnits(a: { floor: string; door: string }, b: { floor: string; door: string }): number {
  const f = FLOOR_ORDER(a.floor) - FLOOR_ORDER(b.floor);
  if (f !== 0) return f;
  const [an, as] = DOOR_ORDER(a.door);
  const [bn, bs] = DOOR_ORDER(b.door);
  return an - bn || (as < bs ? -1 : as > bs ? 1 : 0);
}

/** DAR's address text: "Vej 11, 2. tv, Supplerende bynavn, 2791 Dragør". */
export function addressLabel(h: Pick<HouseNumber, 'roadName' | 'houseNumber' | 'supplementaryTownName' | 'postalCode' | 'postalDistrict'>, floor?: string | null, door?: string | null): string {
  const unit = [floor ? (/^\d+$/.test(floor) || floor === 'st' || floor === 'kl' ? `${floor}.` : floor) : '', door ?? ''].filter(Boolean).join(' ');
  return [`${h.roadName} ${h.houseNumber}`, unit, h.supplementaryTownName ?? '', `${h.postalCode} ${h.postalDistrict}`].filter(Boolean).join(', ');
}

type HouseRow = Record<string, any>;

function toHouse(r: HouseRow, p = ''): HouseNumber {
  const g = (c: string) => r[p + c];
  const h: HouseNumber = {
    id: g('id'),
    municipalityCode: g('municipality_code'),
    roadCode: g('road_code'),
    roadName: g('road_name'),
    houseNumber: g('house_number'),
    postalCode: g('postal_code'),
    postalDistrict: g('postal_district'),
    supplementaryTownName: g('supplementary_town_name') ?? null,
    cadastre: g('cadastral_district') || g('cadastral_number') ? { district: g('cadastral_district') ?? null, number: g('cadastral_number') ?? null } : null,
    etrs89: g('etrs89_east') !== null && g('etrs89_north') !== null ? { east: Number(g('etrs89_east')), north: Number(g('etrs89_north')) } : null,
    wgs84: g('wgs84_lat') !== null && g('wgs84_lon') !== null ? { lat: Number(g('wgs84_lat')), lon: Number(g('wgs84_lon')) } : null,
    validFrom: g('virkning_fra'),
    validTo: g('virkning_til') ?? null,
    registeredAt: g('registrering_fra'),
    label: '',
  };
  h.label = addressLabel(h);
  return h;
}

function toUnit(r: HouseRow, h: HouseNumber, p = 'a_'): Unit {
  const floor: string = r[p + 'floor'];
  const door: string = r[p + 'door'];
  return {
    id: r[p + 'id'],
    houseNumberId: r[p + 'husnummer_id'],
    floor: floor === '' ? null : floor,
    door: door === '' ? null : door,
    validFrom: r[p + 'virkning_fra'],
    validTo: r[p + 'virkning_til'] ?? null,
    registeredAt: r[p + 'registrering_fra'],
    label: addressLabel(h, floor, door),
  };
}

const HOUSE_COLUMNS = ['id', ...HOUSE_PAYLOAD_COLUMNS, 'virkning_fra', 'virkning_til', 'registrering_fra'] as const;
const UNIT_COLUMNS = ['id', 'husnummer_id', 'floor', 'door', 'virkning_fra', 'virkning_til', 'registrering_fra'] as const;

/** The columns of the label reads (below), in select order. */
const LABEL_COLUMNS = ['h.id', 'h.road_name', 'h.house_number', 'h.supplementary_town_name', 'h.postal_code', 'h.postal_district', 'a.id', 'a.floor', 'a.door'] as const;
type LabelRow = [string, string, string, string | null, string, string, string | null, string | null, string | null];

/** The label reads' prepared statements (registered now, valid on `on`). */
interface LabelReads {
  unit: NamedRead<'id' | 'on'>;
  house: NamedRead<'id' | 'on'>;
  postal: NamedRead<'postal' | 'road' | 'house' | 'floor' | 'door' | 'on'>;
  codes: NamedRead<'municipality' | 'road' | 'house' | 'floor' | 'door' | 'on'>;
}

export class AddressRegister {
  #labelReads: LabelReads | undefined;

  constructor(
    readonly store: Store,
    readonly clock: Clock,
  ) {}

  #at(at: AsOf = {}): { on: CivilDate; knownAt: Instant | null } {
    return { on: at.on ?? dateOf(this.clock.now()), knownAt: at.knownAt ?? null };
  }

  /** A house number left-joined with its units (filtered by floor and door when given), as of a time. */
  #houses(at: AsOf, where: (q: any) => any, unitFilter: { floor?: string; door?: string } = {}) {
    const { on, knownAt } = this.#at(at);
    const db = this.store.db as unknown as Kysely<any>;
    let join = sql`a.husnummer_id = h.id and ${asOf('a', on, knownAt)}`;
    if (unitFilter.floor !== undefined) join = sql`${join} and a.floor = ${floorKey(unitFilter.floor)}`;
    if (unitFilter.door !== undefined) join = sql`${join} and a.door = ${doorKey(unitFilter.door)}`;
    return where(
      db
        .selectFrom('dar_husnummer as h')
        .leftJoin('dar_adresse as a', (j: any) => j.on(join))
        .select([...HOUSE_COLUMNS.map((c) => `h.${c}`), ...UNIT_COLUMNS.map((c) => `a.${c} as a_${c}`)])
        .where(asOf('h', on, knownAt)),
    )
      .orderBy('h.id')
      .execute() as Promise<HouseRow[]>;
  }

  #group(rows: HouseRow[]): HouseNumberWithUnits[] {
    const out = new Map<string, HouseNumberWithUnits>();
    for (const r of rows) {
      let h = out.get(r.id);
      if (!h) out.set(r.id, (h = { ...toHouse(r), units: [] }));
      if (r.a_id !== null && r.a_id !== undefined) h.units.push(toUnit(r, h));
    }
    for (const h of out.values()) h.units.sort((a, b) => compareUnits({ floor: a.floor ?? '', door: a.door ?? '' }, { floor: b.floor ?? '', door: b.door ?? '' }));
    return [...out.values()];
  }

  /** A unit address by its DAR adresse id, with its house number. One query. */
  async unit(id: string, at?: AsOf): Promise<UnitAddress | undefined> {
    const key = uuid(id);
    if (!key) return undefined;
    const { on, knownAt } = this.#at(at);
    const db = this.store.db as unknown as Kysely<any>;
    const r = (await db
      .selectFrom('dar_adresse as a')
      .innerJoin('dar_husnummer as h', (j: any) => j.on(sql`h.id = a.husnummer_id and ${asOf('h', on, knownAt)}`))
      .select([...HOUSE_COLUMNS.map((c) => `h.${c}`), ...UNIT_COLUMNS.map((c) => `a.${c} as a_${c}`)])
      .where('a.id', '=', key)
      .where(asOf('a', on, knownAt))
      .executeTakeFirst()) as HouseRow | undefined;
    if (!r) return undefined;
    const h = toHouse(r);
    return { ...toUnit(r, h), houseNumber: h };
  }

  /** A house number by its DAR husnummer id, with all its unit addresses (the stairwell). One query. */
  async houseNumber(id: string, at?: AsOf): Promise<HouseNumberWithUnits | undefined> {
    const key = uuid(id);
    if (!key) return undefined;
    return this.#group(await this.#houses(at ?? {}, (q) => q.where('h.id', '=', key)))[0];
  }

  /**
   * By postal address: road name + house number in a postal code (case,
   * spaces, dots and accents ignored), with the units on the floor and door
   * given (all units when neither is given). Usually one house number; more
   * when the same road name and number exist twice in a postal code. One query.
   */
  async findByPostalAddress(q: PostalAddressQuery, at?: AsOf): Promise<HouseNumberWithUnits[]> {
    return this.#group(
      await this.#houses(
        at ?? {},
        (b) => b.where('h.postal_code', '=', q.postalCode.trim()).where('h.road_key', '=', roadKey(q.roadName)).where('h.house_key', '=', houseKey(q.houseNumber)),
        q,
      ),
    );
  }

  /** By municipality code + road code + house number, with the units on the floor and door given. One query. */
  async findByCodes(q: CodesQuery, at?: AsOf): Promise<HouseNumberWithUnits | undefined> {
    const code = (v: string) => v.trim().padStart(4, '0');
    const found = this.#group(
      await this.#houses(
        at ?? {},
        (b) => b.where('h.municipality_code', '=', code(q.municipalityCode)).where('h.road_code', '=', code(q.roadCode)).where('h.house_key', '=', houseKey(q.houseNumber)),
        q,
      ),
    );
    return found[0];
  }

  // ── The landlord search's reads ──
  // The same answers as unit, houseNumber, findByPostalAddress and findByCodes
  // (as registered now), with only the fields the search shows, on prepared
  // statements: compiled once per register (on first use), no query built per search.

  #labels(): LabelReads {
    if (this.#labelReads) return this.#labelReads;
    const db = this.store.db;
    const on = named('on');
    // A unit filter given as null matches every unit (floor and door are never null).
    const house = (floor: boolean) =>
      db
        .selectFrom('dar_husnummer as h')
        .leftJoin('dar_adresse as a', (j) =>
          j.on(
            floor
              ? sql<boolean>`a.husnummer_id = h.id and ${asOf('a', on, null)} and a.floor = coalesce(${named('floor')}, a.floor) and a.door = coalesce(${named('door')}, a.door)`
              : sql<boolean>`a.husnummer_id = h.id and ${asOf('a', on, null)}`,
          ),
        )
        .select(LABEL_COLUMNS)
        .where(asOf('h', on, null));
    this.#labelReads = {
      unit: prepareNamed(
        this.store,
        db
          .selectFrom('dar_adresse as a')
          .innerJoin('dar_husnummer as h', (j) => j.on(sql<boolean>`h.id = a.husnummer_id and ${asOf('h', on, null)}`))
          .select(LABEL_COLUMNS)
          .where('a.id', '=', named('id'))
          .where(asOf('a', on, null))
          .limit(1)
          .compile(),
      ),
      house: prepareNamed(this.store, house(false).where('h.id', '=', named('id')).orderBy('h.id').compile()),
      postal: prepareNamed(
        this.store,
        house(true).where('h.postal_code', '=', named('postal')).where('h.road_key', '=', named('road')).where('h.house_key', '=', named('house')).orderBy('h.id').compile(),
      ),
      codes: prepareNamed(
        this.store,
        house(true).where('h.municipality_code', '=', named('municipality')).where('h.road_code', '=', named('road')).where('h.house_key', '=', named('house')).orderBy('h.id').compile(),
      ),
    };
    return this.#labelReads;
  }

  /** Rows of LABEL_COLUMNS (ordered by house number id) as house numbers with their units sorted. */
  #labelled(rows: unknown[][]): HouseNumberLabel[] {
    const out: HouseNumberLabel[] = [];
    let h: HouseNumberLabel | undefined;
    let fields: Parameters<typeof addressLabel>[0] | undefined;
    for (const r of rows as LabelRow[]) {
      const [id, roadName, houseNumber, supplementaryTownName, postalCode, postalDistrict, unitId, floor, door] = r;
      if (!h || h.id !== id) {
        fields = { roadName, houseNumber, supplementaryTownName: supplementaryTownName ?? null, postalCode, postalDistrict };
        out.push((h = { id, label: addressLabel(fields), units: [] }));
      }
      if (unitId !== null) h.units.push({ id: unitId, floor: floor || null, door: door || null, label: addressLabel(fields!, floor, door) });
    }
    for (const x of out) if (x.units.length > 1) x.units.sort((a, b) => compareUnits({ floor: a.floor ?? '', door: a.door ?? '' }, { floor: b.floor ?? '', door: b.door ?? '' }));
    return out;
  }

  /** As unit(id, { on }): the unit address's house number with that one unit. */
  async labelOfUnit(id: string, on: CivilDate): Promise<HouseNumberLabel | undefined> {
    const key = uuid(id);
    if (!key) return undefined;
    return this.#labelled(await this.#labels().unit({ id: key, on }))[0];
  }

  /** As houseNumber(id, { on }): the house number with all its unit addresses. */
  async labelOfHouseNumber(id: string, on: CivilDate): Promise<HouseNumberLabel | undefined> {
    const key = uuid(id);
    if (!key) return undefined;
    return this.#labelled(await this.#labels().house({ id: key, on }))[0];
  }

  /** As findByPostalAddress(q, { on }). */
  async labelsByPostalAddress(q: PostalAddressQuery, on: CivilDate): Promise<HouseNumberLabel[]> {
    const rows = await this.#labels().postal({ postal: q.postalCode.trim(), road: roadKey(q.roadName), house: houseKey(q.houseNumber), ...unitFilter(q), on });
    return this.#labelled(rows);
  }

  /** As findByCodes(q, { on }). */
  async labelByCodes(q: CodesQuery, on: CivilDate): Promise<HouseNumberLabel | undefined> {
    const code = (v: string) => v.trim().padStart(4, '0');
    const rows = await this.#labels().codes({ municipality: code(q.municipalityCode), road: code(q.roadCode), house: houseKey(q.houseNumber), ...unitFilter(q), on });
    return this.#labelled(rows)[0];
  }

  /**
   * Type-ahead: roads whose name starts with `prefix` (folded as for lookups)
   * in a postal code or a municipality, by name. For the landlord web client.
   */
  async searchRoads(q: { prefix: string; postalCode?: string; municipalityCode?: string; limit?: number }, at?: AsOf): Promise<RoadSuggestion[]> {
    if (q.postalCode === undefined && q.municipalityCode === undefined) {
      throw new ReferenceDataError('bad_line', 'a road search needs a postal code or a municipality code');
    }
    return this.roadsByPrefix(q, at);
  }

  /**
   * Roads by name prefix, in a postal code or municipality when given, else
   * anywhere (index dar_husnummer_road_key, migration 0015). The address
   * type-ahead of the API.
   */
  async roadsByPrefix(q: { prefix: string; postalCode?: string; municipalityCode?: string; limit?: number }, at?: AsOf): Promise<RoadSuggestion[]> {
    const { on, knownAt } = this.#at(at);
    const limit = Math.max(1, Math.min(q.limit ?? 20, 200));
    let b = this.store.db
      .selectFrom('dar_husnummer as h')
      .select(['h.municipality_code', 'h.road_code', 'h.road_name', 'h.postal_code', 'h.postal_district', (eb) => eb.fn.countAll<number>().as('n')])
      .where(asOf('h', on, knownAt));
    if (q.postalCode !== undefined) b = b.where('h.postal_code', '=', q.postalCode.trim());
    if (q.municipalityCode !== undefined) b = b.where('h.municipality_code', '=', q.municipalityCode.trim().padStart(4, '0'));
    const prefix = roadKey(q.prefix);
    if (prefix !== '') b = b.where('h.road_key', 'like', `${prefix}%`);
    const rows = await b
      .groupBy(['h.municipality_code', 'h.road_code', 'h.road_name', 'h.postal_code', 'h.postal_district'])
      .orderBy('h.road_name')
      .orderBy('h.postal_code')
      .orderBy('h.municipality_code')
      .orderBy('h.road_code')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      municipalityCode: r.municipality_code,
      roadCode: r.road_code,
      roadName: r.road_name,
      postalCode: r.postal_code,
      postalDistrict: r.postal_district,
      houseNumbers: Number(r.n),
    }));
  }

  /** Counts of house numbers and unit addresses valid today as registered now, and of all versions. */
  async stats(at?: AsOf): Promise<{ houseNumbers: number; unitAddresses: number; versions: number; lastImport: { id: number; registeredAt: Instant; source: string } | null }> {
    const { on, knownAt } = this.#at(at);
    const db = this.store.db;
    const count = async (t: 'dar_husnummer' | 'dar_adresse', current: boolean) => {
      let q = db.selectFrom(`${t} as x` as 'dar_husnummer as x').select((eb) => eb.fn.countAll<number>().as('n'));
      if (current) q = q.where(asOf('x', on, knownAt));
      return Number((await q.executeTakeFirstOrThrow()).n);
    };
    const last = await db
      .selectFrom('reference_import')
      .select(['id', 'registered_at', 'source'])
      .where('register', '=', 'addresses')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return {
      houseNumbers: await count('dar_husnummer', true),
      unitAddresses: await count('dar_adresse', true),
      versions: (await count('dar_husnummer', false)) + (await count('dar_adresse', false)),
      lastImport: last ? { id: Number(last.id), registeredAt: last.registered_at, source: last.source } : null,
    };
  }

  /**
   * Imports DAWA CSV files (house numbers, unit addresses, or both) as one
   * registration at the clock's time, in one transaction: a bad line refuses
   * the whole import (ReferenceDataError with file and line).
   *
   * Validity of a row: its `virkningFra`/`virkningTil` columns when present;
   * otherwise a new address is valid from its `oprettet` date (a unit without
   * one from its house number's start) and a changed one from today.
   * Addresses missing from a file are left as they are (files may be extracts).
   */
  async importAddresses(input: AddressImportInput): Promise<AddressImportSummary> {
    if (!input.houseNumbers && !input.unitAddresses) throw new ReferenceDataError('empty_file', 'nothing to import: give a house-number file, a unit-address file or both');
    const houseRows = input.houseNumbers ? parseHouseNumbersCsv(input.houseNumbers.text, input.houseNumbers.file) : [];
    const unitRows = input.unitAddresses ? parseUnitAddressesCsv(input.unitAddresses.text, input.unitAddresses.file) : [];
    const unitFile = input.unitAddresses?.file ?? 'unit addresses';
    const t = this.clock.now().toISOString();
    const today = dateOf(t);
    const source = input.source ?? [input.houseNumbers?.file, input.unitAddresses?.file].filter(Boolean).join(' + ');

    return writeTransaction(this.store, async (tx) => {
      const houseById = new Map(houseRows.map((r) => [r.id, r]));
      const heldHouseRows = await loadHeld<Record<string, any>>(tx, 'dar_husnummer', 'id', [...houseById.keys(), ...unitRows.map((u) => u.houseNumberId)]);
      const heldHouses = groupHeld(heldHouseRows, (r) => r.id, housePayloadOfRow);
      const houseCounts = { rows: houseRows.length, inserted: 0, changed: 0, unchanged: 0, fromUnitFile: 0 };
      const housePlans: KeyedPlan<HousePayload>[] = [];
      /** The validity start of each house number as it will be after the import (for new units without a date). */
      const houseStart = new Map<string, CivilDate>();
      for (const [id, held] of heldHouses) houseStart.set(id, held[0]!.from);

      const planHouse = (id: string, payload: HousePayload, row: { created: CivilDate | null; validFrom: CivilDate | null; validTo: CivilDate | null }, counts: { inserted: number; changed: number; unchanged: number }) => {
        const held = heldHouses.get(id) ?? [];
        const from = row.validFrom ?? (held.length > 0 ? today : (row.created ?? today));
        const plan = planFrom(held, payload, from, row.validTo, samePayload);
        if (!plan) {
          counts.unchanged++;
          return false;
        }
        if (held.length === 0) counts.inserted++;
        else counts.changed++;
        housePlans.push({ key: { id }, plan });
        if (!houseStart.has(id) || from < houseStart.get(id)!) houseStart.set(id, from);
        return true;
      };
      for (const r of houseRows) planHouse(r.id, housePayloadOfImport(r), r, houseCounts);

      // Units: their house number comes from the house file, the store, or (failing both) the unit file's own columns.
      const derived = new Set<string>();
      for (const u of unitRows) {
        const fromFile = houseById.get(u.houseNumberId);
        if (fromFile) {
          if (u.house && !sameCore(u.house, fromFile)) {
            throw new ReferenceDataError('bad_line', `the house number fields differ from those of house number ${u.houseNumberId} (${input.houseNumbers!.file} line ${fromFile.line})`, unitFile, u.line);
          }
          continue;
        }
        if (derived.has(u.houseNumberId)) continue;
        const held = heldHouses.get(u.houseNumberId);
        if (!u.house) {
          if (held) continue;
          throw new ReferenceDataError('unknown_address', `house number ${u.houseNumberId} is neither in the address register nor in a house-number file`, unitFile, u.line);
        }
        derived.add(u.houseNumberId);
        const last = held ? held[held.length - 1]!.payload : null;
        const payload: HousePayload = {
          ...(last ?? { cadastral_district: null, cadastral_number: null, etrs89_east: null, etrs89_north: null, wgs84_lat: null, wgs84_lon: null }),
          ...coreColumns(u.house),
        };
        if (planHouse(u.houseNumberId, payload, { created: u.created, validFrom: null, validTo: null }, { inserted: 0, changed: 0, unchanged: 0 })) houseCounts.fromUnitFile++;
      }

      const heldUnits = groupHeld(await loadHeld<Record<string, any>>(tx, 'dar_adresse', 'id', unitRows.map((u) => u.id)), (r) => r.id, (r): UnitPayload => ({
        husnummer_id: r.husnummer_id,
        floor: r.floor,
        door: r.door,
      }));
      const unitCounts = { rows: unitRows.length, inserted: 0, changed: 0, unchanged: 0 };
      const unitPlans: KeyedPlan<UnitPayload>[] = [];
      for (const u of unitRows) {
        const held = heldUnits.get(u.id) ?? [];
        const from = u.validFrom ?? (held.length > 0 ? today : (u.created ?? houseStart.get(u.houseNumberId) ?? today));
        const plan = planFrom(held, { husnummer_id: u.houseNumberId, floor: u.floor, door: u.door }, from, u.validTo, samePayload);
        if (!plan) unitCounts.unchanged++;
        else {
          if (held.length === 0) unitCounts.inserted++;
          else unitCounts.changed++;
          unitPlans.push({ key: { id: u.id }, plan });
        }
      }

      await applyPlans(tx, 'dar_husnummer', housePlans, (p) => p, t);
      await applyPlans(tx, 'dar_adresse', unitPlans, (p) => p, t);
      const summary = { houseNumbers: houseCounts, unitAddresses: unitCounts };
      const importId = await recordImport(tx, 'addresses', t, source, summary);
      return { importId, registeredAt: t, ...summary };
    });
  }

  /**
   * The house numbers valid today with their number of unit addresses, in id
   * order: the input of the synthetic ownership generator.
   */
  async houseNumbersWithUnitIds(at?: AsOf): Promise<{ id: string; municipalityCode: string; postalCode: string; roadName: string; validFrom: CivilDate; units: string[] }[]> {
    const { on, knownAt } = this.#at(at);
    const db = this.store.db as unknown as Kysely<any>;
    const rows = await db
      .selectFrom('dar_husnummer as h')
      .leftJoin('dar_adresse as a', (j: any) => j.on(sql`a.husnummer_id = h.id and ${asOf('a', on, knownAt)}`))
      .select(['h.id', 'h.municipality_code', 'h.postal_code', 'h.road_name', 'h.virkning_fra', 'a.id as unit', 'a.floor', 'a.door'])
      .where(asOf('h', on, knownAt))
      .orderBy('h.id')
      .execute();
    const out = new Map<string, { id: string; municipalityCode: string; postalCode: string; roadName: string; validFrom: CivilDate; units: { id: string; floor: string; door: string }[] }>();
    for (const r of rows) {
      let h = out.get(r.id);
      if (!h) out.set(r.id, (h = { id: r.id, municipalityCode: r.municipality_code, postalCode: r.postal_code, roadName: r.road_name, validFrom: r.virkning_fra, units: [] }));
      if (r.unit) h.units.push({ id: r.unit, floor: r.floor, door: r.door });
    }
    return [...out.values()].map((h) => ({ ...h, units: h.units.sort(compareUnits).map((u) => u.id) }));
  }
}

/** The floor and door a query names, as the label reads take them (null: any). */
function unitFilter(q: { floor?: string; door?: string }): { floor: string | null; door: string | null } {
  return { floor: q.floor === undefined ? null : floorKey(q.floor), door: q.door === undefined ? null : doorKey(q.door) };
}

function sameCore(a: HouseNumberFields, b: HouseNumberFields): boolean {
  return samePayload(coreColumns(a), coreColumns(b));
}

/** Still-registered rows grouped by object, in validity order, as Held versions. */
export function groupHeld<P>(rows: Record<string, any>[], key: (r: Record<string, any>) => string, payload: (r: Record<string, any>) => P): Map<string, Held<P>[]> {
  const out = new Map<string, Held<P>[]>();
  for (const r of rows) {
    const k = key(r);
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push({ version: Number(r.version), payload: payload(r), from: r.virkning_fra, to: r.virkning_til ?? null });
  }
  for (const list of out.values()) list.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  return out;
}

