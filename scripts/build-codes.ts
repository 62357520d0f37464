/**
 * Builds the CPR code tables in src/domain/codes/data/ from the shared
 * reference data (COD-3, COD-4). Run: `npx tsx scripts/build-codes.ts`
 * (optionally with the shared folder as argument; default /work/shared).
 *
 * The generated JSON files are committed: OpenCPR never reads the shared
 * folder at run time. Origins of the inputs: /work/shared/data/README.md.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const SHARED = process.argv[2] ?? process.env.OPENCPR_SHARED ?? '/work/shared';
const DATA = join(SHARED, 'data');
const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'domain', 'codes', 'data');

type Row = Record<string, string>;

/** Minimal RFC 4180 CSV parser (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): Row[] {
  const records: string[][] = [];
  let field = '';
  let rec: string[] = [];
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') rec.push(field), (field = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      rec.push(field), records.push(rec), (rec = []), (field = '');
    } else field += c;
  }
  if (field !== '' || rec.length > 0) rec.push(field), records.push(rec);
  const [header, ...body] = records.filter((r) => !(r.length === 1 && r[0] === ''));
  if (!header) throw new Error('empty CSV');
  return body.map((r) => {
    if (r.length !== header.length) throw new Error(`bad CSV row: ${r.join(',')}`);
    return Object.fromEntries(header.map((h, i) => [h, r[i]!]));
  });
}

const csv = (name: string): Row[] => parseCsv(readFileSync(join(DATA, name), 'utf8'));

/** Drops undefined/empty optional fields so the JSON stays compact. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as T;
}

/** A JSON array with one object per line. */
function writeJson(name: string, rows: readonly object[]): void {
  mkdirSync(OUT, { recursive: true });
  const body = rows.map((r) => JSON.stringify(r)).join(',\n');
  writeFileSync(join(OUT, name), `[\n${body}\n]\n`, 'utf8');
  console.log(`${name}: ${rows.length} rows`);
}

function check(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(`build-codes: ${msg}`);
}

// ---------------------------------------------------------------- regions
const REGION_EN: Record<string, string> = {
  '1081': 'North Denmark Region',
  '1082': 'Central Denmark Region',
  '1083': 'Region of Southern Denmark',
  '1084': 'Capital Region of Denmark',
  '1085': 'Region Zealand',
};
const regions = csv('regioner_dk.csv').map((r) => {
  const en = REGION_EN[r.regionskode!];
  check(en, `no English name for region ${r.regionskode}`);
  return { code: r.regionskode!, da: r.navn!, en, nuts2: r.nuts2! };
});
check(regions.length === 5, 'expected 5 regions');

// ---------------------------------------------------------- municipalities
const dk = csv('kommuner_dk.csv');
const gl = csv('kommuner_gl.csv');
const cprMunicipalities = csv('cpr_kommuner_myndighedstabel_2012.csv');
const authorities = csv('cpr_myndighedstabel_2012.csv');

interface MunicipalityRow {
  code: string;
  da: string;
  en: string;
  kind: 'danish' | 'greenlandic' | 'fictitious';
  region?: string;
  outsideDivision?: boolean;
  validFrom?: string;
  validTo?: string;
}
const municipalities = new Map<string, MunicipalityRow>();

// The 98 municipalities and 0411 Christiansø/Ertholmene (outside the division).
for (const r of dk) {
  const outside = r.udenfor_kommuneinddeling === '1';
  check(outside || regions.some((g) => g.code === r.regionskode), `region of ${r.kommunekode}`);
  municipalities.set(r.kommunekode!, compact({
    code: r.kommunekode!, da: r.navn!, en: r.navn!, kind: 'danish' as const,
    region: outside ? undefined : r.regionskode,
    outsideDivision: outside || undefined,
  }));
}

// Greenland (0955-0961). Dates come from kommuner_gl.csv (reform dates, unverified).
const GL_EN: Record<string, string> = { '0961': 'Outside the municipal division in Greenland' };
for (const r of gl) {
  municipalities.set(r.kommunekode!, compact({
    code: r.kommunekode!, da: r.navn!, en: GL_EN[r.kommunekode!] ?? r.navn!, kind: 'greenlandic' as const,
    outsideDivision: r.kommunekode === '0961' || undefined,
    validFrom: r.gyldig_fra, validTo: r.gyldig_til,
  }));
}

// Historical municipalities (ceased before 2012-07-02) from CPR's authority table.
// Their slutdato is CPR's close date of the code (mostly 2006-12-22 for the 2007
// reform). CPR's startdato is the date of the table row, not of the municipality,
// so it is not used.
for (const r of cprMunicipalities) {
  if (municipalities.has(r.kommunekode!)) continue;
  check(r.slutdato, `${r.kommunekode} is neither current nor ceased`);
  municipalities.set(r.kommunekode!, {
    code: r.kommunekode!, da: r.fuldt_navn!, en: r.fuldt_navn!.replace('(Gammel)', '(old)'),
    kind: Number(r.kommunekode) >= 900 ? 'greenlandic' : 'danish',
    validTo: r.slutdato!,
  });
}

// COD-3: fictitious municipality codes for numbers given for tax or ATP reasons
// (§3(1) nr. 2-3, person status 20). Names as in CPR's authority table (type 07).
const FICTITIOUS_EN: Record<string, string> = {
  '0010': "Seamen's tax office",
  '0011': 'Danish Tax Agency (SKAT)',
  '0012': 'ATP (Labour Market Supplementary Pension)',
  '0019': 'Administrative person number',
};
for (const [code, en] of Object.entries(FICTITIOUS_EN)) {
  const a = authorities.find((r) => r.myndighedskode === code);
  check(a, `authority ${code} missing`);
  municipalities.set(code, { code, da: a.fuldt_navn!, en, kind: 'fictitious' });
}

const municipalityRows = [...municipalities.values()].sort((a, b) => a.code.localeCompare(b.code));
check(
  municipalityRows.filter((m) => m.kind === 'danish' && !m.outsideDivision && !m.validTo).length === 98,
  'expected 98 current Danish municipalities',
);

// ---------------------------------------------------------------- countries
// English names: ICU's English region name for the ISO alpha-2 code, except where
// the CPR row has no usable ISO code, a historical one that ICU maps to its
// successor (CS, YU, SU), or a wrong one (5276 has KY, the Cayman Islands).
const COUNTRY_EN: Record<string, string> = {
  '5001': 'CPR Office (5001)',
  '5102': 'Abroad',
  '5103': 'Stateless',
  '5105': 'Iceland (equal rights with Danes)',
  '5129': 'Czechoslovakia',
  '5151': 'Serbia and Montenegro',
  '5152': 'Yugoslavia',
  '5162': 'Soviet Union',
  '5199': 'Europe',
  '5276': 'Central African Republic',
  '5278': 'Democratic Republic of the Congo',
  '5279': 'Republic of the Congo',
  '5299': 'Africa',
  '5395': 'West Indies',
  '5397': 'North America',
  '5398': 'South and Central America',
  '5487': 'Middle East',
  '5499': 'Asia',
  '5599': 'Pacific islands',
  '5758': 'Federal Republic of Yugoslavia',
  '5761': 'Kosovo',
  '5800': 'Danish Immigration Service',
  '5999': 'Unknown country',
};
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
const isoOrUndef = (v: string | undefined): string | undefined =>
  v === undefined || v === '' || /^x+$/i.test(v) ? undefined : v;

interface CountryRow {
  code: string;
  da: string;
  en: string;
  short: string;
  iso2?: string;
  iso3?: string;
  isoNumeric?: string;
  validFrom?: string;
  validTo?: string;
}
const countries = csv('cpr_landekoder_2012.csv').map((r): CountryRow => {
  const iso2 = isoOrUndef(r.iso_alpha2);
  const en = COUNTRY_EN[r.landekode!] ?? (iso2 ? regionNames.of(iso2)?.replace(/ & /g, ' and ') : undefined);
  check(en, `no English name for country ${r.landekode} ${r.navn}`);
  return compact({
    code: r.landekode!, da: r.fuldt_navn!, en, short: r.navn!,
    iso2, iso3: isoOrUndef(r.iso_alpha3),
    isoNumeric: r.iso_num3 === '999' || r.iso_num3 === '000' ? undefined : r.iso_num3,
    validFrom: r.startdato, validTo: r.slutdato,
  });
});
// COD-3 names 5999 (unknown) as a special code; the 2012 table has it, but keep
// the table usable if a future extract lacks it.
if (!countries.some((c) => c.code === '5999')) {
  countries.push({ code: '5999', da: 'Land ukendt', en: 'Unknown country', short: 'Land Ukendt' });
}
for (const c of ['5100', '5102', '5103', '5902', '5999']) check(countries.some((x) => x.code === c), `country ${c}`);

// ------------------------------------------------------------- postal codes
const postalCodes = csv('postnumre_dk.csv').map((r) => {
  check(/^\d{4}$/.test(r.postnr!), `postal code ${r.postnr}`);
  return { code: r.postnr!, da: r.navn!, en: r.navn!, largeRecipient: r.stormodtager === '1' };
});

// ------------------------------------------------------------- event codes
// CprEvents.txt: UTF-8 with BOM, one "CODE Danish description" per line.
const EVENT_EN: Record<string, string> = {
  A01: 'Move',
  A02: 'Disappearance',
  A03: 'Found again after disappearance',
  A04: 'Re-entry',
  A06: 'Departure (emigration)',
  A07: 'Change of supplementary address',
  A08: 'Update of foreign-address/voting-right fields',
  A09: 'Correction of current address',
  A10: 'Annulment of current address - departure or disappearance',
  A13: 'Change of name (addressing name/first name/middle name/last name)',
  A14: 'Naming',
  A15: 'Update of name fields (addressing name/first name/middle name/last name)',
  A16: 'Correction of current names (first name/middle name/last name)',
  A17: 'Annulment of current names (first name/middle name/last name)',
  A21: 'Death',
  A24: 'Change of civil status data',
  A25: 'Annulment of current civil status (annulment of death)',
  A33: 'Protection',
  A34: 'Church membership and occupation',
  A40: 'Annulment of person number',
  A42: 'Technical change of addresses - batch',
  A45: 'Person number subscription',
  A47: 'Update of contact address',
  A73: 'Under guardianship (deprivation of legal capacity)',
  A74: 'Requisition of person records',
  K74: 'Requisition of person records (machine-generated, periodic)',
  P02: 'Deletion of person number',
  P03: 'Change of person number',
  P10: 'Change of postal code/town name/locality/road name',
  P11: 'Automatic removal of name-and-address protection/note/contact address/custody',
  P31: 'Entry (immigration) with person number - report',
  P42: 'Change of person number - undo',
  P43: 'Deletion of person number - undo (a person gets their previous person number back)',
  P48: 'Correction of current separation',
  P49: 'Annulment of current separation',
  P56: 'Annulment of current church membership',
};
const eventText = readFileSync(join(SHARED, 'formats', 'serviceplatform', 'CprEvents.txt'), 'utf8');
const events = eventText
  .replace(/^\uFEFF/, '')
  .split(/\r?\n/)
  .filter((l) => l.trim() !== '')
  .map((line) => {
    const m = /^([A-Z]\d{2})\s+(.+?)\s*$/.exec(line);
    check(m, `bad event line: ${line}`);
    const en = EVENT_EN[m[1]!];
    check(en, `no English text for event ${m[1]}`);
    return { code: m[1]!, da: m[2]!, en };
  });
check(new Set(events.map((e) => e.code)).size === events.length, 'duplicate event codes');

// ------------------------------------------------------------------ write
writeJson('regions.json', regions);
writeJson('municipalities.json', municipalityRows);
writeJson('countries.json', countries);
writeJson('postal-codes.json', postalCodes);
writeJson('events.json', events);
