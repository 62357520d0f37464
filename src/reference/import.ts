/**
 * Reading the reference registers' import { dateOf } from '../domain/dates.ts';
import files (pure): the DAWA CSV exports
 * of house numbers (adgangsadresser) and unit addresses (adresser), and the
 * ownership file (NDJSON, defined in docs/reference-registers.md). Every row
 * is checked; the first bad one stops the import with its file and line.
 */
import { municipality } from '../domain/codes/index.ts';
import { dateOf, parseCivilDate, type CivilDate } from '../domain/dates.ts';
import { checkPnr } from '../domain/pnr/pnr.ts';
import { isValidCvr } from './cvr.ts';
import { CsvSyntaxError, DOOR_RE, FLOOR_RE, HOUSE_NUMBER_RE, doorKey, floorKey, houseKey, parseCsv, uuid, type CsvRecord } from './text.ts';

export type ReferenceDataErrorCode =
  | 'bad_line'
  | 'bad_header'
  | 'empty_file'
  | 'unknown_address'
  | 'unknown_property'
  | 'generated_elsewhere'
  | 'no_addresses';

/** A refused import or query input; `file` and `line` say where (line 1 is a CSV file's header). */
export class ReferenceDataError extends Error {
  constructor(
    readonly code: ReferenceDataErrorCode,
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(file === undefined ? message : `${file}${line === undefined ? '' : ` line ${line}`}: ${message}`);
    this.name = 'ReferenceDataError';
  }
}

// ─── DAWA CSV: house numbers and unit addresses ────────────────────────────

/** The house-number fields of a row (both files carry them; the unit file denormalised). */
export interface HouseNumberFields {
  municipalityCode: string;
  roadCode: string;
  roadName: string;
  houseNumber: string;
  postalCode: string;
  postalDistrict: string;
  supplementaryTownName: string | null;
}

export interface HouseNumberRow extends HouseNumberFields {
  line: number;
  id: string;
  cadastralDistrict: string | null;
  cadastralNumber: string | null;
  etrs89East: number | null;
  etrs89North: number | null;
  wgs84Lat: number | null;
  wgs84Lon: number | null;
  /** DAWA `oprettet`: when the address was created (the first version's validity start). */
  created: CivilDate | null;
  /** An explicit validity period of the row's content (columns virkningFra/virkningTil). */
  validFrom: CivilDate | null;
  validTo: CivilDate | null;
}

export interface UnitAddressRow {
  line: number;
  id: string;
  houseNumberId: string;
  floor: string;
  door: string;
  created: CivilDate | null;
  validFrom: CivilDate | null;
  validTo: CivilDate | null;
  /** The house number as the unit file names it, when it has the columns (used when the house number is not otherwise known). */
  house: HouseNumberFields | null;
}

/** Accepted column names: the sample's first, then DAWA API and DAR names. */
const ALIASES: Record<string, string[]> = {
  house_id: ['adgangsadresse_id', 'adgangsadresseid', 'husnummer_id', 'husnummer'],
  unit_id: ['adresse_id', 'id', 'id_lokalid'],
  kommunekode: ['kommunekode'],
  vejkode: ['vejkode'],
  vejnavn: ['vejnavn'],
  husnr: ['husnr', 'husnummertekst'],
  etage: ['etage', 'etagebetegnelse'],
  doer: ['doer', 'dør', 'doerbetegnelse', 'dørbetegnelse'],
  supplerendebynavn: ['supplerendebynavn'],
  postnr: ['postnr'],
  postnrnavn: ['postnrnavn'],
  ejerlavkode: ['ejerlavkode'],
  matrikelnr: ['matrikelnr'],
  wgs84_lat: ['wgs84_lat', 'wgs84koordinat_bredde'],
  wgs84_lon: ['wgs84_lon', 'wgs84koordinat_længde', 'wgs84koordinat_laengde'],
  etrs89_oest: ['etrs89_oest', 'etrs89koordinat_øst', 'etrs89koordinat_oest'],
  etrs89_nord: ['etrs89_nord', 'etrs89koordinat_nord'],
  oprettet: ['oprettet'],
  virkning_fra: ['virkningfra', 'virkning_fra'],
  virkning_til: ['virkningtil', 'virkning_til'],
};

const HOUSE_COLUMNS = ['kommunekode', 'vejkode', 'vejnavn', 'husnr', 'postnr', 'postnrnavn'];

function records(text: string, file: string): { header: Map<string, number>; rows: CsvRecord[] } {
  let all: CsvRecord[];
  try {
    all = parseCsv(text);
  } catch (e) {
    if (e instanceof CsvSyntaxError) throw new ReferenceDataError('bad_line', e.message, file, e.line);
    throw e;
  }
  const [head, ...rows] = all;
  if (!head) throw new ReferenceDataError('empty_file', 'the file is empty (a header line is expected)', file);
  const header = new Map<string, number>();
  head.values.forEach((name, i) => header.set(name.trim().toLowerCase(), i));
  return { header, rows };
}

/** The column index of a field under any of its names; for the house file `id` means the house number id. */
function column(header: Map<string, number>, field: string, extra: string[] = []): number | undefined {
  for (const name of [...(ALIASES[field] ?? [field]), ...extra]) {
    const i = header.get(name);
    if (i !== undefined) return i;
  }
  return undefined;
}

class Row {
  constructor(
    readonly file: string,
    readonly rec: CsvRecord,
    readonly cols: Record<string, number | undefined>,
  ) {}
  fail(message: string): never {
    throw new ReferenceDataError('bad_line', message, this.file, this.rec.line);
  }
  raw(field: string): string {
    const i = this.cols[field];
    return i === undefined ? '' : (this.rec.values[i] ?? '').trim();
  }
  required(field: string, what: string): string {
    const v = this.raw(field);
    if (v === '') this.fail(`${what} (${field}) is missing`);
    return v;
  }
  id(field: string, what: string): string {
    const v = this.required(field, what);
    return uuid(v) ?? this.fail(`${what} "${v}" is not a UUID`);
  }
  code(field: string, what: string, digits: number): string {
    const v = this.required(field, what);
    if (!/^\d+$/.test(v) || v.length > digits) this.fail(`${what} "${v}" is not a ${digits}-digit code`);
    return v.padStart(digits, '0');
  }
  optional(field: string): string | null {
    const v = this.raw(field);
    return v === '' ? null : v;
  }
  number(field: string, what: string): number | null {
    const v = this.raw(field);
    if (v === '') return null;
    const n = Number(v);
    if (!Number.isFinite(n)) this.fail(`${what} "${v}" is not a number`);
    return n;
  }
  date(field: string, what: string): CivilDate | null {
    const v = this.raw(field);
    if (v === '') return null;
    return civilDateOf(v) ?? this.fail(`${what} "${v}" is not a date (YYYY-MM-DD or an ISO time)`);
  }
}

/**
 * A date, or the Danish date of an ISO date-time: without a zone it is read
 * as Danish wall-clock time (`2000-02-05T12:00:00` → `2000-02-05`); with one
 * (`Z`, `+01:00`) it is the date in Copenhagen (`2000-02-04T23:30:00Z` →
 * `2000-02-05`).
 */
export function civilDateOf(v: string): CivilDate | null {
  const d = parseCivilDate(v.slice(0, 10));
  if (!d) return null;
  if (v.length === 10) return d;
  if (!/^T\d{2}:\d{2}/.test(v.slice(10))) return null;
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(v)) return d;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : dateOf(new Date(ms));
}

function houseFields(r: Row): HouseNumberFields {
  const municipalityCode = r.code('kommunekode', 'the municipality code', 4);
  const m = municipality(municipalityCode);
  if (!m || m.kind !== 'danish') r.fail(`the municipality code ${municipalityCode} is not a Danish municipality`);
  const roadCode = r.code('vejkode', 'the road code', 4);
  const roadName = r.required('vejnavn', 'the road name');
  if (roadName.length > 40) r.fail(`the road name "${roadName}" is longer than 40 characters`);
  const given = r.required('husnr', 'the house number');
  const houseNumber = houseKey(given);
  if (!HOUSE_NUMBER_RE.test(houseNumber)) r.fail(`the house number "${given}" is not 1-999 with an optional letter`);
  const postalCode = r.code('postnr', 'the postal code', 4);
  const postalDistrict = r.required('postnrnavn', 'the postal district');
  return { municipalityCode, roadCode, roadName, houseNumber, postalCode, postalDistrict, supplementaryTownName: r.optional('supplerendebynavn') };
}

function period(r: Row): { validFrom: CivilDate | null; validTo: CivilDate | null } {
  const validFrom = r.date('virkning_fra', 'virkningFra');
  const validTo = r.date('virkning_til', 'virkningTil');
  if (validTo !== null && validFrom !== null && validTo <= validFrom) r.fail(`virkningTil ${validTo} is not after virkningFra ${validFrom}`);
  return { validFrom, validTo };
}

function cols(header: Map<string, number>, fields: string[]): Record<string, number | undefined> {
  return Object.fromEntries(fields.map((f) => [f, column(header, f)]));
}

function requireColumns(header: Map<string, number>, c: Record<string, number | undefined>, fields: string[], file: string): void {
  const missing = fields.filter((f) => c[f] === undefined);
  if (missing.length > 0) {
    throw new ReferenceDataError('bad_header', `the header lacks the column(s) ${missing.map((f) => ALIASES[f]?.[0] ?? f).join(', ')}`, file, 1);
  }
  if (header.size === 0) throw new ReferenceDataError('bad_header', 'no header', file, 1);
}

/** Reads a DAWA house-number (adgangsadresse) CSV. The id column is `adgangsadresse_id` (or `id`). */
export function parseHouseNumbersCsv(text: string, file = 'house numbers'): HouseNumberRow[] {
  const { header, rows } = records(text, file);
  const c = cols(header, [...HOUSE_COLUMNS, 'supplerendebynavn', 'ejerlavkode', 'matrikelnr', 'wgs84_lat', 'wgs84_lon', 'etrs89_oest', 'etrs89_nord', 'oprettet', 'virkning_fra', 'virkning_til']);
  c.house_id = column(header, 'house_id', ['id', 'id_lokalid']);
  requireColumns(header, c, ['house_id', ...HOUSE_COLUMNS], file);
  const seen = new Map<string, number>();
  return rows.map((rec) => {
    const r = new Row(file, rec, c);
    if (rec.values.length !== header.size) r.fail(`${rec.values.length} fields, the header has ${header.size}`);
    const id = r.id('house_id', 'the house number id');
    const before = seen.get(id);
    if (before !== undefined) r.fail(`the house number id ${id} is also on line ${before}`);
    seen.set(id, rec.line);
    return {
      line: rec.line,
      id,
      ...houseFields(r),
      cadastralDistrict: r.optional('ejerlavkode'),
      cadastralNumber: r.optional('matrikelnr'),
      etrs89East: r.number('etrs89_oest', 'etrs89_oest'),
      etrs89North: r.number('etrs89_nord', 'etrs89_nord'),
      wgs84Lat: r.number('wgs84_lat', 'wgs84_lat'),
      wgs84Lon: r.number('wgs84_lon', 'wgs84_lon'),
      created: r.date('oprettet', 'oprettet'),
      ...period(r),
    };
  });
}

/** Reads a DAWA unit-address (adresse) CSV. Columns `adresse_id`, `adgangsadresse_id`, `etage`, `doer`, and optionally the house-number columns. */
export function parseUnitAddressesCsv(text: string, file = 'unit addresses'): UnitAddressRow[] {
  const { header, rows } = records(text, file);
  const c = cols(header, ['unit_id', 'house_id', 'etage', 'doer', ...HOUSE_COLUMNS, 'supplerendebynavn', 'oprettet', 'virkning_fra', 'virkning_til']);
  requireColumns(header, c, ['unit_id', 'house_id'], file);
  const hasHouse = HOUSE_COLUMNS.every((f) => c[f] !== undefined);
  const seen = new Map<string, number>();
  const seenPlace = new Map<string, number>();
  return rows.map((rec) => {
    const r = new Row(file, rec, c);
    if (rec.values.length !== header.size) r.fail(`${rec.values.length} fields, the header has ${header.size}`);
    const id = r.id('unit_id', 'the unit address id');
    const before = seen.get(id);
    if (before !== undefined) r.fail(`the unit address id ${id} is also on line ${before}`);
    seen.set(id, rec.line);
    const houseNumberId = r.id('house_id', 'the house number id');
    const floor = floorKey(r.raw('etage'));
    if (floor !== '' && !FLOOR_RE.test(floor)) r.fail(`the floor "${r.raw('etage')}" is not st, kl, k1-k9 or 1-99`);
    const door = doorKey(r.raw('doer'));
    if (door !== '' && !DOOR_RE.test(door)) r.fail(`the door "${r.raw('doer')}" is not th, tv, mf or 1-4 letters and digits`);
    const place = `${houseNumberId}|${floor}|${door}`;
    const same = seenPlace.get(place);
    if (same !== undefined) r.fail(`floor "${floor}" door "${door}" of house number ${houseNumberId} is also on line ${same}`);
    seenPlace.set(place, rec.line);
    return {
      line: rec.line,
      id,
      houseNumberId,
      floor,
      door,
      created: r.date('oprettet', 'oprettet'),
      ...period(r),
      house: hasHouse ? houseFields(r) : null,
    };
  });
}

// ─── Ownership NDJSON ─────────────────────────────────────────────────────

export type PropertyKind = 'samlet_fast_ejendom' | 'ejerlejlighed' | 'bygning_paa_fremmed_grund';
export const PROPERTY_KINDS: readonly PropertyKind[] = ['samlet_fast_ejendom', 'ejerlejlighed', 'bygning_paa_fremmed_grund'];

/** A property (BFE) and its validity. */
export interface PropertyRecord {
  type: 'property';
  bfe: number;
  kind: PropertyKind;
  municipalityCode?: string | null;
  validFrom: CivilDate;
  validTo?: CivilDate | null;
}

/** Where a property lies: a whole house number, or one unit address (a condominium). */
export type LocationRecord = {
  type: 'location';
  bfe: number;
  validFrom: CivilDate;
  validTo?: CivilDate | null;
} & ({ houseNumberId: string; unitAddressId?: undefined } | { unitAddressId: string; houseNumberId?: undefined });

/** An owner's share of a property. Exactly one of `cvr` and `cpr`. */
export interface OwnershipRecord {
  type: 'ownership';
  /** Stable id of the ownership (EJF id_lokalId); derived from bfe, owner and acquisition date when absent. */
  id?: string;
  bfe: number;
  cvr?: string;
  cpr?: string;
  /** The company's name (not for persons). */
  name?: string | null;
  /** "numerator/denominator", default "1/1". */
  share?: string;
  /** overtagelsesdato. */
  acquired: CivilDate;
  /** Default: the acquisition date. */
  validFrom?: CivilDate;
  validTo?: CivilDate | null;
  /** ejerforholdskode, 2 digits. */
  ownerCode?: string | null;
}

export type OwnershipFileRecord = PropertyRecord | LocationRecord | OwnershipRecord;

/** A record of the ownership file with its line number, checked and normalised. */
export type CheckedRecord =
  | (PropertyRecord & { line: number; municipalityCode: string | null; validTo: CivilDate | null })
  | { type: 'location'; line: number; bfe: number; houseNumberId: string | null; unitAddressId: string | null; validFrom: CivilDate; validTo: CivilDate | null }
  | {
      type: 'ownership';
      line: number;
      id: string;
      bfe: number;
      ownerKind: 'cvr' | 'cpr';
      ownerNumber: string;
      name: string | null;
      shareNumerator: number;
      shareDenominator: number;
      acquired: CivilDate;
      validFrom: CivilDate;
      validTo: CivilDate | null;
      ownerCode: string | null;
    };

const MAX_BFE = 9_999_999_999;

/** Reads the ownership file: one JSON object per line (NDJSON); blank lines and lines starting with `#` are skipped. */
export function parseOwnershipNdjson(text: string, file = 'ownership'): CheckedRecord[] {
  const out: CheckedRecord[] = [];
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r?\n/);
  lines.forEach((l, i) => {
    if (l.trim() === '' || l.trimStart().startsWith('#')) return;
    let value: unknown;
    try {
      value = JSON.parse(l);
    } catch (e) {
      throw new ReferenceDataError('bad_line', `not JSON: ${(e as Error).message}`, file, i + 1);
    }
    out.push(checkRecord(value, file, i + 1));
  });
  if (out.length === 0) throw new ReferenceDataError('empty_file', 'the file has no records', file);
  const seen = new Map<string, number>();
  for (const r of out) {
    const key =
      r.type === 'property' ? `p:${r.bfe}` : r.type === 'ownership' ? `o:${r.id}` : `l:${r.bfe}:${r.houseNumberId ?? ''}:${r.unitAddressId ?? ''}`;
    const before = seen.get(key);
    if (before !== undefined) throw new ReferenceDataError('bad_line', `the same ${r.type} as on line ${before}`, file, r.line);
    seen.set(key, r.line);
  }
  return out;
}

/** Checks one ownership-file record (also used for generated records). */
export function checkRecord(value: unknown, file: string, line: number): CheckedRecord {
  const fail = (message: string): never => {
    throw new ReferenceDataError('bad_line', message, file, line);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('a record is a JSON object');
  const o = value as Record<string, unknown>;
  const str = (k: string, required = false): string | null => {
    const v = o[k];
    if (v === undefined || v === null) return required ? fail(`"${k}" is missing`) : null;
    if (typeof v !== 'string') return fail(`"${k}" must be a string`);
    return v.trim();
  };
  const date = (k: string, required = false): CivilDate | null => {
    const v = str(k, required);
    if (v === null) return null;
    return civilDateOf(v) ?? fail(`"${k}" is not a date: "${v}"`);
  };
  const bfe = (): number => {
    const v = o.bfe;
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_BFE) return fail(`"bfe" must be a BFE number (a positive whole number), not ${JSON.stringify(v)}`);
    return n;
  };
  const to = (from: CivilDate): CivilDate | null => {
    const t = date('validTo');
    if (t !== null && t <= from) fail(`validTo ${t} is not after validFrom ${from}`);
    return t;
  };
  switch (o.type) {
    case 'property': {
      const kind = (str('kind') ?? 'samlet_fast_ejendom') as PropertyKind;
      if (!PROPERTY_KINDS.includes(kind)) fail(`"kind" is one of ${PROPERTY_KINDS.join(', ')}, not "${kind}"`);
      const m = str('municipalityCode');
      if (m !== null && !municipality(m.padStart(4, '0'))) fail(`"municipalityCode" ${m} is not a municipality`);
      const validFrom = date('validFrom', true)!;
      return { type: 'property', line, bfe: bfe(), kind, municipalityCode: m === null ? null : m.padStart(4, '0'), validFrom, validTo: to(validFrom) };
    }
    case 'location': {
      const h = str('houseNumberId');
      const u = str('unitAddressId');
      if ((h === null) === (u === null)) fail('a location has exactly one of "houseNumberId" and "unitAddressId"');
      const houseNumberId = h === null ? null : (uuid(h) ?? fail(`"houseNumberId" "${h}" is not a UUID`));
      const unitAddressId = u === null ? null : (uuid(u) ?? fail(`"unitAddressId" "${u}" is not a UUID`));
      const validFrom = date('validFrom', true)!;
      return { type: 'location', line, bfe: bfe(), houseNumberId, unitAddressId, validFrom, validTo: to(validFrom) };
    }
    case 'ownership': {
      const cvr = str('cvr');
      const cpr = str('cpr');
      if ((cvr === null) === (cpr === null)) fail('an ownership has exactly one of "cvr" and "cpr"');
      let ownerKind: 'cvr' | 'cpr';
      let ownerNumber: string;
      if (cvr !== null) {
        if (!isValidCvr(cvr)) fail(`"cvr" ${cvr} is not a CVR number (8 digits, modulus 11)`);
        ownerKind = 'cvr';
        ownerNumber = cvr;
      } else {
        // Well-formed with a real birth date; the modulus-11 check is not required (numbers without it are issued since 2007).
        const c = checkPnr(cpr!);
        if (c.kind === 'malformed' || c.kind === 'no_such_date') fail(`"cpr" is not a valid person number: ${c.message}`);
        ownerKind = 'cpr';
        ownerNumber = (c as { pnr: string }).pnr;
      }
      const name = str('name');
      if (name !== null && ownerKind === 'cpr') fail('"name" is for companies; a person\'s name is in CPR');
      const share = str('share') ?? '1/1';
      const sm = /^(\d{1,9})\/(\d{1,9})$/.exec(share);
      const num = sm ? Number(sm[1]) : 0;
      const den = sm ? Number(sm[2]) : 0;
      if (!sm || num < 1 || den < 1 || num > den) fail(`"share" must be "n/d" with 0 < n ≤ d, not "${share}"`);
      const acquired = date('acquired', true)!;
      const validFrom = date('validFrom') ?? acquired;
      const ownerCode = str('ownerCode');
      if (ownerCode !== null && !/^\d{2}$/.test(ownerCode)) fail(`"ownerCode" (ejerforholdskode) is 2 digits, not "${ownerCode}"`);
      const n = bfe();
      const id = str('id') ?? `${n}-${ownerNumber}-${acquired}`;
      if (id === '' || id.length > 100) fail('"id" must be 1-100 characters');
      return {
        type: 'ownership',
        line,
        id,
        bfe: n,
        ownerKind,
        ownerNumber,
        name,
        shareNumerator: num,
        shareDenominator: den,
        acquired,
        validFrom,
        validTo: to(validFrom),
        ownerCode,
      };
    }
    default:
      return fail(`"type" is property, location or ownership, not ${JSON.stringify(o.type)}`);
  }
}

/** The house-number fields of a row compared ignoring nothing: used to tell a changed row. */
export function sameHouseFields(a: HouseNumberFields, b: HouseNumberFields): boolean {
  return (
    a.municipalityCode === b.municipalityCode &&
    a.roadCode === b.roadCode &&
    a.roadName === b.roadName &&
    a.houseNumber === b.houseNumber &&
    a.postalCode === b.postalCode &&
    a.postalDistrict === b.postalDistrict &&
    a.supplementaryTownName === b.supplementaryTownName
  );
}
