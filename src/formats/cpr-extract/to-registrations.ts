/**
 * CPR extract → the register (SPEC COD-5): the records of each person become
 * facts of the Bilag 1 groups (REG-1) with validity periods from the
 * records' own start and end dates (REG-2); history records (022-030)
 * become earlier versions whose periods end. docs/formats/cpr-extract.md has
 * the full mapping and what is not mapped.
 *
 * The whole file is parsed, mapped and validated (every fact against the
 * group schemas and code tables, exactly as a registration would be) before
 * anything is written; a bad line rejects the file with its line number and
 * record type. The load is then one transaction (bulkLoad with one batch):
 * the file is imported entirely or not at all.
 *
 * Choices where the format and the register differ:
 * - Validity in the register is by civil date; the time of day of
 *   `yyyyMMddHHmm` is dropped. A period that starts and ends on the same day
 *   (CPR's demo persons move several times within one day) is empty and is
 *   left out, with a warning.
 * - A start date CPR does not know (zeros) is taken as the person's birth
 *   date (the fact holds now; when it began is unknown). The status, whose
 *   date CPR leaves at zero when it has not changed since the number was
 *   taken into use, and the occupation, which has no date at all, start at
 *   the person's start date (START_DT-PERSON), else the birth date; a
 *   resident status (01, 03, 05, 07) starts no later than the first Danish
 *   address in the extract.
 * - History records with a correction marker (ANNKOR `A` annulled, `K`
 *   corrected, `Æ` technically changed) were superseded in CPR and are left
 *   out; only unmarked ones describe the person's past.
 * - Each person becomes one registration (event A74, requisition of person
 *   records; authority "CPR") at the time of the import; its documentation
 *   names the extract and CPR's events (record 099).
 */
import { createHash } from 'node:crypto';
import type { CivilDate, Instant } from '../../domain/dates.ts';
import { toInstant } from '../../domain/dates.ts';
import { eventCode as knownEventCode } from '../../domain/codes/index.ts';
import { validateChosenAddressingName } from '../../domain/names/addressing-name.ts';
import type { GroupValue } from '../../domain/person/facts.ts';
import { checkPnr, NO_MOD11_DATES } from '../../domain/pnr/pnr.ts';
import { bulkLoad, type PersonLoad } from '../../register/load.ts';
import type { Register } from '../../register/register.ts';
import { validateChanges, type NewRegistration } from '../../register/validate.ts';
import { discardKept, saveKept, type KeptRecord } from './kept.ts';
import {
  CprExtractError,
  dateField,
  parseExtract,
  pnrField,
  text,
  type CprRecord,
  type ExtractEncoding,
  type ExtractIssue,
  type ParsedExtract,
} from './parse.ts';

type Change = NonNullable<NewRegistration['changes']>[number];

export interface MappingOptions {
  /** The registration time of the imported facts. */
  registeredAt: Instant;
  /** Default "CPR". */
  authority?: string;
  /** COD-4 event code of the registrations; default A74 (requisition of person records). */
  eventCode?: string;
  /** Dates on which numbers without the modulus-11 check are valid (the register's list). */
  noMod11Dates?: ReadonlySet<CivilDate>;
  /** Named in each registration's documentation, e.g. the file name. */
  sourceName?: string;
}

export interface MappedPerson {
  pnr: string;
  /** Line of the person's record 001. */
  line: number;
  load: PersonLoad;
  /** Every record of the person as read, kept verbatim with the person (kept.ts). */
  kept: KeptRecord[];
}

export interface MappingResult {
  persons: MappedPerson[];
  warnings: ExtractIssue[];
}

export const IMPORT_AUTHORITY = 'CPR';
export const IMPORT_EVENT_CODE = 'A74';

/** REG-4: the statuses of persons resident in a Danish or Greenlandic municipality. */
const RESIDENT_STATUS = new Set(['01', '03', '05', '07']);
/** Record types a person has at most once. */
const SINGLE = new Set(['001', '002', '003', '005', '007', '008', '009', '011', '012', '013', '015']);
/**
 * Record types read and kept verbatim with the person (kept.ts), but not
 * made facts: no home in Bilag 1's groups as OpenCPR holds them, or an
 * incomplete layout. Reported as warnings, never a reason to refuse the file.
 */
const NOT_MAPPED: Record<string, string> = {
  '020': 'election data (VALGKODE) has no agreed mapping to the election group',
  '021': 'relocation orders: the layout (Definitions.xml) lists no fields beyond the person number',
  '031': 'P12180 relative records are not part of a person extract',
  '032': 'P12180 relative records are not part of a person extract',
  '033': 'P12180 relative records are not part of a person extract',
};

// ── Value normalisation (CPR's padded forms ↔ the register's DAR-style values) ──

/** `016 ` → `16`, `047C` → `47C` (CPR pads house numbers with zeros). */
export function houseNumberFromCpr(raw: string): string | undefined {
  const v = raw.trim();
  if (v === '') return undefined;
  const m = /^0*(\d+)\s*([A-Za-zÆØÅæøå]?)$/.exec(v);
  return m ? `${m[1]}${m[2]}` : v;
}

/** `02` → `2`; `st`, `kl` unchanged. */
export function floorFromCpr(raw: string): string | undefined {
  const v = raw.trim();
  if (v === '') return undefined;
  return /^\d+$/.test(v) ? String(Number(v)) : v;
}

/** `  mf` → `mf`, `0012` → `12`. */
export function doorFromCpr(raw: string): string | undefined {
  const v = raw.trim();
  if (v === '') return undefined;
  return /^\d+$/.test(v) ? String(Number(v)) : v;
}

const words = (s: string) => s.split(/\s+/).filter((w) => w !== '');
const lines = (rec: CprRecord, fields: string[]) => fields.map((f) => text(rec, f)).filter((l) => l !== '');
const opt = <T>(v: T | '' | null | undefined): T | undefined => (v === '' || v === null || v === undefined ? undefined : v);

/**
 * Record 008's ADRNVN as the register holds it, `Lastname,Given names`. CPR
 * writes it so, and can also print it `Given names Lastname` (CPR's demo
 * files do); that form is turned round when it ends with the last name.
 * Returns null when the text cannot be read as the person's addressing name.
 */
export function addressingNameFromCpr(raw: string, name: { lastName: string }): string | null {
  const v = raw.trim().replace(/\s+/g, ' ');
  if (v.includes(',')) return v;
  const last = name.lastName.trim().replace(/\s+/g, ' ');
  if (v === last) return v;
  if (v.endsWith(` ${last}`)) return `${last},${v.slice(0, -(last.length + 1))}`;
  return null;
}

// ── Mapping one person ───────────────────────────────────────────────────────

interface Pending {
  change: Change;
  line: number;
  type: string;
}

class PersonMapper {
  readonly history: Pending[] = [];
  readonly current: Pending[] = [];
  /** Applied last: a disappearance (025) is status 70 for its period, whatever 001 says of the status around it. */
  readonly overlay: Pending[] = [];
  readonly issues: ExtractIssue[] = [];
  readonly warnings: ExtractIssue[] = [];
  readonly events: string[] = [];
  birthDate!: CivilDate;
  personStart!: CivilDate;

  constructor(readonly pnr: string) {}

  issue(rec: CprRecord, message: string, field?: string): void {
    this.issues.push({ line: rec.line, recordType: rec.type, ...(field && { field }), message });
  }
  warn(rec: CprRecord, message: string, field?: string): void {
    this.warnings.push({ line: rec.line, recordType: rec.type, ...(field && { field }), message });
  }

  date(rec: CprRecord, field: string): CivilDate | null {
    return dateField(rec, field);
  }

  /**
   * Adds a fact valid from `from` (null: unknown, use `fallback`) to `to`
   * (null: open). History facts go before current ones so the current value
   * wins where they overlap; overlay facts go last and win over both.
   */
  add(
    rec: CprRecord,
    group: string,
    value: unknown,
    period: { from: CivilDate | null; to?: CivilDate | null; fallback?: CivilDate },
    place: 'history' | 'current' | 'overlay' = 'current',
    key?: string,
  ): void {
    const from = period.from ?? period.fallback ?? this.birthDate;
    const to = period.to ?? null;
    if (to !== null && to <= from) {
      if (to === from) this.warn(rec, `left out: the period begins and ends on ${from} (validity is by date)`);
      else this.issue(rec, `the period ends (${to}) before it begins (${from})`);
      return;
    }
    const change: Change = { group, validFrom: from, ...(to !== null && { validTo: to }), value, ...(key !== undefined && { key }) };
    this[place].push({ change, line: rec.line, type: rec.type });
  }

  changes(): Pending[] {
    const byStart = (a: Pending, b: Pending) => (a.change.validFrom < b.change.validFrom ? -1 : a.change.validFrom > b.change.validFrom ? 1 : 0);
    return [...this.history.sort(byStart), ...this.current, ...this.overlay.sort(byStart)];
  }
}

/** Only unmarked history records describe the person's past (see the module comment). */
function superseded(rec: CprRecord): boolean {
  const f = rec.layout.field.get('CorrectionMarker');
  return f !== undefined && rec.fields.CorrectionMarker !== ' ';
}

function mapPerson(records: CprRecord[], noMod11: ReadonlySet<CivilDate>): PersonMapper {
  const first = records[0]!;
  const m = new PersonMapper(first.fields.PNR!);
  const seen = new Map<string, CprRecord>();
  for (const r of records) {
    if (SINGLE.has(r.type)) {
      const prior = seen.get(r.type);
      if (prior) m.issue(r, `a person has one record ${r.type}; the first is on line ${prior.line}`);
      else seen.set(r.type, r);
    }
  }
  const p001 = seen.get('001');
  if (!p001) {
    m.issue(first, `person ${m.pnr} has no record 001`);
    return m;
  }

  // Person number (PNR-1, PNR-2): the register takes in only valid numbers.
  const check = checkPnr(m.pnr, noMod11);
  if (check.kind !== 'valid') {
    m.issue(p001, check.message, 'PNR');
    if (check.kind === 'malformed' || check.kind === 'no_such_date') return m;
  }
  const pnrBirth = check;

  // 001: birth (with 009), status, occupation, number change.
  m.birthDate = m.date(p001, 'Birthdate') ?? pnrBirth.birthDate;
  m.personStart = m.date(p001, 'PersonStartDate') ?? m.birthDate;
  const sex = text(p001, 'Gender') || pnrBirth.sex;
  if (sex !== 'M' && sex !== 'K') m.issue(p001, `sex "${sex}" is not M or K`, 'KOEN');
  const p009 = seen.get('009');
  const authorityCode = p009 ? text(p009, 'BirthRegistrationAuthorityCode') : '';
  const place = p009 ? text(p009, 'AdditionalBirthRegistrationText') : '';
  m.add(p001, 'birth', {
    birthDate: m.birthDate,
    sex,
    ...(authorityCode !== '' && !/^0+$/.test(authorityCode) && { authorityCode }),
    ...(place !== '' && { place }),
  }, { from: m.birthDate });

  const status = text(p001, 'Status');
  if (status === '' || status === '00') {
    m.warn(p001, 'no status', 'STATUS');
  } else {
    let from = m.date(p001, 'StatusStartDate');
    const p007 = seen.get('007');
    if (status === '70' && from === null && p007) from = m.date(p007, 'DisappearanceDate');
    let fallback = m.personStart;
    if (from === null && RESIDENT_STATUS.has(status)) {
      // A resident status holds no later than the first Danish address the extract knows.
      for (const r of records) {
        if ((r.type === '002' || (r.type === '023' && !superseded(r))) && pnrField(r, 'MunicipalityCode') !== null) {
          const d = m.date(r, 'RelocationDate') ?? (r.type === '002' ? m.date(r, 'MunicipalityArrivalDate') : null);
          if (d !== null && d < fallback) fallback = d;
        }
      }
    }
    m.add(p001, 'status', { code: status }, { from, fallback });
  }
  const job = text(p001, 'Job');
  if (job !== '') m.add(p001, 'occupation', { title: job }, { from: m.personStart });
  const currentPnr = pnrField(p001, 'CurrentCprNumber');
  if (currentPnr !== null && currentPnr !== m.pnr) {
    m.add(p001, 'numberChange', { direction: 'replaced_by', pnr: currentPnr }, {
      from: m.date(p001, 'PersonEndDate') ?? m.date(p001, 'StatusStartDate'),
    });
  }
  if (seen.has('007') && status !== '70') m.warn(seen.get('007')!, 'a disappearance record for a person whose status is not 70; not mapped');

  // 008: the current name.
  const p008 = seen.get('008');
  if (p008) mapName(m, p008);

  // 002 + 003: the current address; 002 also the supplementary address.
  const p002 = seen.get('002');
  const p003 = seen.get('003');
  if (p002) mapAddress(m, p002, p003);
  else if (p003) m.warn(p003, 'record 003 without record 002; not mapped');

  for (const r of records) {
    switch (r.type) {
      case '004': {
        const type = text(r, 'ProtectionType_');
        m.add(r, 'protection', { type }, { from: m.date(r, 'StartDate'), to: m.date(r, 'EndDate') });
        break;
      }
      case '005': {
        const l = lines(r, ['ForeignAddress1', 'ForeignAddress2', 'ForeignAddress3', 'ForeignAddress4', 'ForeignAddress5']);
        const country = opt(pnrField(r, 'ExitCountryCode'));
        if (l.length === 0) m.warn(r, 'a departure without a foreign address; the exit date and country have no home without one');
        else m.add(r, 'foreignAddress', { lines: l, ...(country && { countryCode: country }) }, { from: m.date(r, 'ExitDate') });
        break;
      }
      case '006': {
        const l = lines(r, ['Line1', 'Line2', 'Line3', 'Line4', 'Line5']);
        if (l.length) m.add(r, 'contactAddress', { lines: l }, { from: m.date(r, 'StartDate'), to: m.date(r, 'EndDate') });
        break;
      }
      case '010': {
        const country = pnrField(r, 'CountryCode');
        if (country) m.add(r, 'citizenship', { countryCode: country }, { from: m.date(r, 'CitizenshipStartDate') });
        break;
      }
      case '011': {
        const member = churchFromCpr(m, r);
        if (member) m.add(r, 'church', { member }, { from: m.date(r, 'StartDate') });
        break;
      }
      case '012': {
        const code = text(r, 'CivilStatusCode');
        if (code !== '') m.add(r, 'civilStatus', civilStatus(r, code), { from: m.date(r, 'CivilStatusStartDate') });
        break;
      }
      case '013':
        m.add(r, 'separation', { separated: true }, { from: m.date(r, 'SeparationStartDate') });
        break;
      case '014': {
        const child = pnrField(r, 'ChildPNR');
        if (child === null) break;
        const c = checkPnr(child);
        if (c.kind === 'malformed' || c.kind === 'no_such_date') m.issue(r, c.message, 'PNR (child)');
        // A child is one's child from birth.
        else m.add(r, 'relation', { role: 'child', pnr: child }, { from: c.birthDate });
        break;
      }
      case '015':
        mapParents(m, r);
        break;
      case '016':
        mapCustody(m, r, seen.get('015'));
        break;
      case '017': {
        const pnr = pnrField(r, 'RelationPNR');
        const name = text(r, 'GuardianName');
        const address = lines(r, ['RelationText1', 'RelationText2', 'RelationText3', 'RelationText4', 'RelationText5']);
        m.add(
          r,
          'guardianship',
          { ...(pnr && { guardianPnr: pnr }), ...(name && { guardianName: name }), ...(address.length && { guardianAddress: address }) },
          { from: m.date(r, 'DisempowermentStartDate'), to: m.date(r, 'DisempowermentEndDate') },
        );
        break;
      }
      case '018': {
        const type = text(r, 'MunicipalConditionType');
        const code = text(r, 'MunicipalConditionCode');
        const comment = text(r, 'MunicipalConditionComment');
        if (code === '') break;
        m.add(r, 'municipalCondition', { type, value: comment ? `${code} ${comment}` : code }, { from: m.date(r, 'MunicipalConditionStartDate') }, 'current', `${type}:${code}`);
        break;
      }
      case '019': {
        const note = text(r, 'NoteText');
        if (note === '') break;
        m.add(r, 'note', { text: note }, { from: m.date(r, 'StartDate'), to: m.date(r, 'EndDate') }, 'current', text(r, 'NoteNumber').padStart(2, '0'));
        break;
      }
      case '022': {
        const old = pnrField(r, 'OldPNR');
        if (old) m.add(r, 'numberChange', { direction: 'replaces', pnr: old }, { from: m.date(r, 'OldPNREndDate') ?? m.personStart });
        break;
      }
      case '023':
        if (superseded(r)) break;
        if (m.date(r, 'LeavingDate') === null) {
          m.warn(r, 'a historical address without a leaving date; left out');
          break;
        }
        m.add(r, 'address', addressOf(r), { from: m.date(r, 'RelocationDate'), to: m.date(r, 'LeavingDate') }, 'history');
        break;
      case '024': {
        if (superseded(r)) break;
        const l = lines(r, ['ForeignAddress1', 'ForeignAddress2', 'ForeignAddress3', 'ForeignAddress4', 'ForeignAddress5']);
        const country = pnrField(r, 'ExitCountryCode') ?? pnrField(r, 'EntryCountryCode');
        const to = m.date(r, 'EntryDate');
        if (l.length === 0) m.warn(r, 'a stay abroad without a foreign address; the exit and entry have no home without one');
        else if (to === null) m.warn(r, 'a stay abroad without an entry date; left out');
        else m.add(r, 'foreignAddress', { lines: l, ...(country && { countryCode: country }) }, { from: m.date(r, 'ExitDate'), to }, 'history');
        break;
      }
      case '025': {
        if (superseded(r)) break;
        const from = m.date(r, 'DisappearanceDate');
        const to = m.date(r, 'RetrievalDate');
        if (from === null || to === null) m.warn(r, 'a disappearance without both dates; left out');
        // Issue 15, finding 2: status 70 for the period even where 001's status (often with date
        // zero, so taken from the person's start) would otherwise cover it as the current value.
        else m.add(r, 'status', { code: '70' }, { from, to }, 'overlay');
        break;
      }
      case '026': {
        if (superseded(r)) break;
        const name = nameOf(r);
        if (!name) break;
        m.add(r, 'name', name, { from: m.date(r, 'NameStartDate'), to: historyEnd(m, r, 'NameEndDate') }, 'history');
        break;
      }
      case '027': {
        if (superseded(r)) break;
        const country = pnrField(r, 'CountryCode');
        if (country) m.add(r, 'citizenship', { countryCode: country }, { from: m.date(r, 'CitizenshipStartDate'), to: historyEnd(m, r, 'CitizenshipEndDate') }, 'history');
        break;
      }
      case '028': {
        if (superseded(r)) break;
        const member = churchFromCpr(m, r);
        if (member) m.add(r, 'church', { member }, { from: m.date(r, 'StartDate'), to: historyEnd(m, r, 'EndDate') }, 'history');
        break;
      }
      case '029': {
        if (superseded(r)) break;
        const code = text(r, 'CivilStatusCode');
        if (code !== '') m.add(r, 'civilStatus', civilStatus(r, code), { from: m.date(r, 'CivilStatusStartDate'), to: historyEnd(m, r, 'CivilStatusEndDate') }, 'history');
        break;
      }
      case '030':
        if (superseded(r)) break;
        m.add(r, 'separation', { separated: true }, { from: m.date(r, 'SeparationStartDate'), to: historyEnd(m, r, 'SeparationEndDate') }, 'history');
        break;
      case '099':
        m.events.push(`${text(r, 'Event_')} ${(text(r, 'CprUpdateDate') || '').replace(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/, '$1-$2-$3 $4:$5')}`);
        break;
      default:
        if (NOT_MAPPED[r.type]) m.warn(r, `kept verbatim with the person, not imported as facts: ${NOT_MAPPED[r.type]}`);
    }
  }
  return m;
}

/** A history record's end; a missing one is an error (history periods end). */
function historyEnd(m: PersonMapper, r: CprRecord, field: string): CivilDate | null {
  const d = m.date(r, field);
  if (d === null) m.issue(r, 'a history record without an end date', field);
  return d;
}

function nameOf(r: CprRecord): GroupValue<'name'> | null {
  const firstNames = words(text(r, 'FirstName_s'));
  const middleNames = words(text(r, 'MiddleName'));
  const lastName = text(r, 'LastName');
  if (firstNames.length === 0 && middleNames.length === 0 && lastName === '') return null;
  const marks = ['FirstNameMarker', 'MiddleNameMarker', 'LastNameMarker'].map((f) => text(r, f));
  return {
    firstNames,
    middleNames,
    lastName,
    // Record 008 `*`: characters that could not be registered (REG-1's mark).
    ...(marks.includes('*') && { notRegistrableMark: true }),
  };
}

function mapName(m: PersonMapper, r: CprRecord): void {
  const name = nameOf(r);
  if (!name) return;
  const marks = ['FirstNameMarker', 'MiddleNameMarker', 'LastNameMarker'].map((f) => text(r, f)).filter((x) => x === '+' || x === '=');
  if (marks.length) m.warn(r, `name markers ${marks.join(' ')} (+ abbreviated, = insufficiently documented) have no home and are not kept`);
  const raw = text(r, 'AddressingName');
  let addressingName: string | undefined;
  if (raw !== '' && name.lastName !== '' && name.firstNames.length) {
    const candidate = addressingNameFromCpr(raw, name);
    const check = candidate === null ? null : validateChosenAddressingName(name, candidate);
    if (check?.ok) addressingName = check.text;
    else m.warn(r, `the addressing name "${raw}" does not fit the name (§5); the register forms one`, 'ADRNVN');
  }
  m.add(r, 'name', { ...name, ...(addressingName && { addressingName }) }, { from: m.date(r, 'NameStartDate') });
}

function addressOf(r: CprRecord): GroupValue<'address'> {
  return {
    municipalityCode: text(r, 'MunicipalityCode'),
    roadCode: text(r, 'StreetCode'),
    ...clean({
      houseNumber: houseNumberFromCpr(r.fields.HouseNumber!),
      floor: floorFromCpr(r.fields.Floor!),
      door: doorFromCpr(r.fields.Door!),
      buildingNumber: opt(text(r, 'BuildingNumber')),
      coName: opt(text(r, 'CareOfName')),
    }),
  };
}

function clean<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function mapAddress(m: PersonMapper, p002: CprRecord, p003: CprRecord | undefined): void {
  const municipality = pnrField(p002, 'MunicipalityCode');
  if (municipality !== null) {
    const address: GroupValue<'address'> = addressOf(p002);
    if (p003) {
      const same =
        text(p003, 'MunicipalityCode') === address.municipalityCode &&
        text(p003, 'StreetCode') === address.roadCode &&
        houseNumberFromCpr(p003.fields.HouseNumber!) === address.houseNumber;
      if (!same) m.issue(p003, 'the address differs from record 002');
      Object.assign(
        address,
        clean({
          coName: address.coName ?? opt(text(p003, 'CareOfName')),
          roadName: opt(text(p003, 'StreetAddressingName')),
          locality: opt(text(p003, 'Location')),
          city: opt(text(p003, 'CityName')),
          postalCode: opt(pnrField(p003, 'PostCode')),
          postalDistrict: opt(text(p003, 'PostDistrictText')),
        }),
      );
    }
    m.add(p002, 'address', address, { from: m.date(p002, 'RelocationDate') ?? m.date(p002, 'MunicipalityArrivalDate') });
  }
  const supplementary = lines(p002, ['SupplementaryAddress1', 'SupplementaryAddress2', 'SupplementaryAddress3', 'SupplementaryAddress4', 'SupplementaryAddress5']);
  if (supplementary.length) {
    m.add(p002, 'supplementaryAddress', { lines: supplementary }, { from: m.date(p002, 'StartDate'), to: m.date(p002, 'EndDate') });
  }
}

/** FKIRK: F and M are members of the national church; U, A and S are not (the register keeps F/U). */
function churchFromCpr(m: PersonMapper, r: CprRecord): 'F' | 'U' | null {
  const v = text(r, 'ChurchRelationship');
  if (v === '') return null;
  if (v === 'F' || v === 'M') return 'F';
  if (v === 'U' || v === 'A' || v === 'S') return 'U';
  m.issue(r, `church relationship "${v}" is not F, M, U, A or S`, 'FKIRK');
  return null;
}

function civilStatus(r: CprRecord, code: string): Record<string, unknown> {
  const spousePnr = pnrField(r, 'SpousePNR');
  const spouseName = text(r, 'SpouseName');
  return { code, ...(spousePnr && { spousePnr }), ...(spouseName && { spouseName }) };
}

function mapParents(m: PersonMapper, r: CprRecord): void {
  for (const [role, pre] of [
    ['mother', 'Mother'],
    ['father', 'Father'],
  ] as const) {
    const pnr = pnrField(r, `${pre}PNR`);
    const name = text(r, `${pre}Name`);
    const birthDate = m.date(r, `${pre}BirthDate`);
    if (!pnr && !name) continue;
    m.add(r, 'relation', { role, ...(pnr && { pnr }), ...(name && { name }), ...(birthDate && { birthDate }) }, { from: m.date(r, `${pre}Date`) });
  }
}

/**
 * 016 (custody, forældremyndighed): type 0003/0004 is the mother/father of
 * record 015 (the holder's number is not repeated), 0005/0006 another holder
 * named by RELPNR.
 */
function mapCustody(m: PersonMapper, r: CprRecord, p015: CprRecord | undefined): void {
  const type = text(r, 'RelationshipType');
  let holder: { pnr?: string; name?: string } = {};
  if (type === '0003' || type === '0004') {
    const pre = type === '0003' ? 'Mother' : 'Father';
    const pnr = pnrField(r, 'RelationPNR') ?? (p015 ? pnrField(p015, `${pre}PNR`) : null);
    const name = p015 ? text(p015, `${pre}Name`) : '';
    holder = pnr ? { pnr } : name ? { name } : {};
  } else if (type === '0005' || type === '0006') {
    const pnr = pnrField(r, 'RelationPNR');
    if (pnr) holder = { pnr };
  } else {
    m.issue(r, `custody relation type "${type}" is not 0003, 0004, 0005 or 0006`, 'RELTYP-FORÆLDREMYN');
    return;
  }
  if (!holder.pnr && !holder.name) {
    m.warn(r, 'a custody holder without a person number or name; left out');
    return;
  }
  m.add(r, 'relation', { role: 'custody_holder', ...holder }, { from: m.date(r, 'CustodyStartDate'), to: m.date(r, 'CustodyEndDate') });
}

// ── The file ─────────────────────────────────────────────────────────────────

/**
 * Maps a parsed extract to person loads and validates every fact as a
 * registration would be validated. Throws CprExtractError with every bad
 * line; nothing is written.
 */
export function toPersonLoads(parsed: ParsedExtract, opts: MappingOptions): MappingResult {
  const authority = opts.authority ?? IMPORT_AUTHORITY;
  const eventCode = opts.eventCode ?? IMPORT_EVENT_CODE;
  if (!knownEventCode(eventCode)) throw new RangeError(`"${eventCode}" is not a CPR event code`);
  const noMod11 = opts.noMod11Dates ?? NO_MOD11_DATES;
  const issues: ExtractIssue[] = [];
  const warnings: ExtractIssue[] = [...parsed.warnings];
  for (const r of parsed.other) warnings.push({ line: r.line, recordType: r.type, message: `not imported: record ${r.type} (${r.layout.name}) is not person data (not kept)` });

  const s = parsed.start;
  const production = dateField(s, 'ProductionDate');
  const source = [
    'CPR extract',
    opts.sourceName,
    text(s, 'TaskNumber') && !/^0+$/.test(text(s, 'TaskNumber')) ? `task ${text(s, 'TaskNumber')}` : undefined,
    production ? `produced ${production}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');

  const persons: MappedPerson[] = [];
  for (const p of parsed.persons) {
    const m = mapPerson(p.records, noMod11);
    warnings.push(...m.warnings);
    issues.push(...m.issues);
    if (m.issues.length) continue;
    const changes: Change[] = [];
    for (const pending of m.changes()) {
      try {
        validateChanges([pending.change]);
        changes.push(pending.change);
      } catch (e) {
        issues.push({ line: pending.line, recordType: pending.type, message: `${pending.change.group}: ${(e as Error).message}` });
      }
    }
    const documentation = m.events.length ? `${source}; CPR events: ${m.events.join(', ')}` : source;
    persons.push({
      pnr: p.pnr,
      line: p.records.find((r) => r.type === '001')!.line,
      kept: p.records.map((r) => ({ type: r.type, line: r.raw })),
      load: {
        pnr: p.pnr,
        source: 'imported',
        registrations: changes.length ? [{ registeredAt: opts.registeredAt, authority, eventCode, documentation, changes }] : [],
      },
    });
  }
  if (issues.length) throw new CprExtractError('invalid_file', issues.sort((a, b) => a.line - b.line));
  return { persons, warnings: warnings.sort((a, b) => a.line - b.line) };
}

export interface ImportOptions {
  /** Default: the register clock's now. */
  registeredAt?: Instant;
  authority?: string;
  eventCode?: string;
  /** For bytes: default Windows-1252 (which reads ISO-8859-1 text unchanged). */
  encoding?: ExtractEncoding;
  /** Named in the registrations' documentation (e.g. the file name). */
  sourceName?: string;
}

export interface ImportResult {
  /** The imported person numbers, in file order. */
  persons: string[];
  /** Records in the file (000 and 999 included). */
  records: number;
  /** Facts registered. */
  facts: number;
  /** What was read but not imported, and other remarks; none rejects the file. */
  warnings: ExtractIssue[];
}

/**
 * Imports a CPR extract into the register: parse, map and validate the whole
 * file, check that none of its persons is in the register yet, then load
 * everything in one transaction. Throws CprExtractError (bad lines, persons
 * already registered) before anything is written.
 */
export async function importCprExtract(register: Register, input: string | Uint8Array, opts: ImportOptions = {}): Promise<ImportResult> {
  const parsed = parseExtract(input, opts.encoding ? { encoding: opts.encoding } : {});
  const registeredAt = opts.registeredAt ?? toInstant(register.clock.now());
  const { persons, warnings } = toPersonLoads(parsed, {
    registeredAt,
    noMod11Dates: await register.noMod11Dates(),
    ...(opts.authority && { authority: opts.authority }),
    ...(opts.eventCode && { eventCode: opts.eventCode }),
    ...(opts.sourceName && { sourceName: opts.sourceName }),
  });
  const result = { persons: persons.map((p) => p.pnr), records: parsed.recordCount, facts: 0, warnings };
  if (persons.length === 0) return result;

  // Persons already in the register: refuse the file (an extract is taken in once).
  const taken = new Set<string>();
  const pnrs = persons.map((p) => p.pnr);
  for (let i = 0; i < pnrs.length; i += 500) {
    const rows = await register.store.db.selectFrom('person_number').select('pnr').where('pnr', 'in', pnrs.slice(i, i + 500)).execute();
    for (const r of rows) taken.add(r.pnr);
  }
  if (taken.size) {
    throw new CprExtractError(
      'already_registered',
      persons
        .filter((p) => taken.has(p.pnr))
        .map((p) => ({ line: p.line, recordType: '001', field: 'PNR', message: `${p.pnr} is already in the register` })),
    );
  }

  const hash = createHash('sha256').update(typeof input === 'string' ? input : Buffer.from(input)).digest('hex').slice(0, 16);
  // The verbatim lines first (bulkLoad commits on its own connection): should the load fail, they
  // match no registration and are removed; a person's lines are read only with its import registration.
  const db = register.store.db;
  await saveKept(db, persons.map((p) => ({ pnr: p.pnr, importedAt: registeredAt, records: p.kept })));
  try {
    // One batch: the whole file in one transaction (the primary key on person_number guards a concurrent import).
    await bulkLoad(
      register,
      persons.map((p) => p.load),
      { jobId: `cpr-extract:${hash}:${registeredAt}`, batchSize: persons.length },
    );
  } catch (e) {
    await discardKept(db, pnrs, registeredAt).catch(() => undefined);
    throw e;
  }
  result.facts = persons.reduce((n, p) => n + p.load.registrations.reduce((k, r) => k + (r.changes?.length ?? 0), 0), 0);
  return result;
}
