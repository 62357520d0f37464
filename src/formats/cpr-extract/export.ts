/**
 * The register → a CPR extract (SPEC COD-5), so OpenCPR can feed systems that
 * read CPR extracts. The inverse of to-registrations.ts: for each person the
 * open-ended version of a group (its validity has no end) becomes the
 * current record (001-019), every version whose validity has ended becomes a
 * history record (022-030), and records that carry their own start and end
 * (004 protection, 006 contact address, 016 custody, 017 guardianship)
 * are written for every period. Importing an export gives a register that
 * answers the same for the exported persons at every date, as far as the
 * format holds what the register knows (docs/formats/cpr-extract.md lists
 * what it cannot hold).
 *
 * Records are written at their full width; the file is one record per line
 * (LF), 000 first and 999 last with the number of records, 000 and 999
 * included. `encodeExtract` makes the ISO-8859-1 bytes.
 */
import { dateOf, toInstant, type CivilDate, type Instant } from '../../domain/dates.ts';
import type { Group, GroupValue } from '../../domain/person/facts.ts';
import { checkPnr, normalisePnr } from '../../domain/pnr/pnr.ts';
import { versionsKnownAt, type Registration, type Version } from '../../register/bitemporal.ts';
import type { Register } from '../../register/register.ts';
import { formatRecord, layoutOf } from './layout.ts';
import { keptOf, type KeptRecord } from './kept.ts';
import { CprExtractError } from './parse.ts';

export interface ExportOptions {
  /** The register's knowledge as of this time; default now. */
  knownAt?: Instant;
  /** Record 000's production date; default today. */
  productionDate?: CivilDate;
  /** Record 000's task number (OPGAVENR), up to 6 digits; default 0. */
  taskNumber?: string;
  /** Told what of a person the format cannot hold. */
  onWarning?: (pnr: string, message: string) => void;
}

// ── Value formatting ─────────────────────────────────────────────────────────

/** `yyyyMMddHHmm` of a civil date (the register keeps no time of day). */
const dateTime = (d: CivilDate | null | undefined) => (d ? `${d.replaceAll('-', '')}0000` : undefined);
const cut = (s: string | undefined, n: number) => (s === undefined ? undefined : [...s].slice(0, n).join(''));

/** `16` → `016 `, `47C` → `047C` (CPR's form, see houseNumberFromCpr). */
export function houseNumberToCpr(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d{1,3})([A-Za-zÆØÅæøå]?)$/.exec(v);
  return m ? `${m[1]!.padStart(3, '0')}${m[2] || ' '}` : cut(v, 4);
}
/** `2` → `02`; `st`, `kl` unchanged. */
export function floorToCpr(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  return /^\d$/.test(v) ? v.padStart(2, '0') : cut(v, 2);
}
/** Right-aligned in 4: `mf` → `  mf`. */
export function doorToCpr(v: string | undefined): string | undefined {
  return v === undefined ? undefined : cut(v, 4)!.padStart(4, ' ');
}

/** The standard address line (STANDARDADR): `Road 2,2 mf`. */
function standardAddress(a: GroupValue<'address'>): string | undefined {
  if (!a.roadName) return undefined;
  const unit = [a.floor, a.door].filter(Boolean).join(' ');
  return cut(`${a.roadName}${a.houseNumber ? ` ${a.houseNumber}` : ''}${unit ? `,${unit}` : ''}`, 34);
}

function linesOf(lines: readonly string[], prefix: string, count = 5): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (let i = 0; i < count; i++) out[`${prefix}${i + 1}`] = cut(lines[i], 34);
  return out;
}

// ── One person ───────────────────────────────────────────────────────────────

const byStart = (a: Version, b: Version) => (a.vf < b.vf ? -1 : a.vf > b.vf ? 1 : 0);

class Facts {
  constructor(readonly versions: readonly Version[]) {}
  all(g: Group): Version[] {
    return this.versions.filter((v) => v.g === g).sort(byStart);
  }
  /** Versions with an open end, i.e. the current value (or a future one). */
  open(g: Group): Version[] {
    return this.all(g).filter((v) => v.vt === null);
  }
  closed(g: Group): Version[] {
    return this.all(g).filter((v) => v.vt !== null);
  }
  current<G extends Group>(g: G): { v: GroupValue<G>; from: CivilDate } | undefined {
    const x = this.open(g).at(-1);
    return x && { v: x.v as GroupValue<G>, from: x.vf };
  }
}

function nameFields(n: GroupValue<'name'>): Record<string, string | undefined> {
  const first = n.firstNames.join(' ');
  const middle = (n.middleNames ?? []).join(' ');
  const mark = (s: string, width: number) => ([...s].length > width ? '+' : undefined);
  return {
    FirstName_s: cut(first, 50),
    // The register's one mark (characters not registrable) goes on the first-name marker.
    FirstNameMarker: n.notRegistrableMark ? '*' : mark(first, 50),
    MiddleName: cut(middle, 40),
    MiddleNameMarker: mark(middle, 40),
    LastName: cut(n.lastName, 40),
    LastNameMarker: mark(n.lastName, 40),
  };
}

function addressFields(a: GroupValue<'address'>): Record<string, string | undefined> {
  return {
    MunicipalityCode: a.municipalityCode,
    StreetCode: a.roadCode,
    HouseNumber: houseNumberToCpr(a.houseNumber),
    Floor: floorToCpr(a.floor),
    Door: doorToCpr(a.door),
    BuildingNumber: cut(a.buildingNumber, 4),
  };
}

/**
 * The records of one person (without 000/999), from the person's versions
 * as known at a time. Pure.
 */
export function personRecords(pnr: string, versions: readonly Version[], warn: (message: string) => void = () => {}): string[] {
  const f = new Facts(versions);
  const out: string[] = [];
  const rec = (code: string, values: Record<string, string | undefined>) => out.push(formatRecord(code, { PNR: pnr, ...values }));
  const check = checkPnr(pnr);
  const pnrBirth = check.kind === 'valid' || check.kind === 'suspicious' ? check : undefined;

  const birth = f.current('birth');
  const status = f.current('status');
  const occupation = f.current('occupation');
  const replacedBy = f.open('numberChange').find((v) => (v.v as GroupValue<'numberChange'>).direction === 'replaced_by');
  const name = f.current('name');
  const mothers = f.open('relation').filter((v) => (v.v as GroupValue<'relation'>).role === 'mother');
  const fathers = f.open('relation').filter((v) => (v.v as GroupValue<'relation'>).role === 'father');

  // 001
  const firstStatus = f.all('status')[0];
  rec('001', {
    CurrentCprNumber: replacedBy ? (replacedBy.v as GroupValue<'numberChange'>).pnr : undefined,
    Status: status?.v.code,
    StatusStartDate: dateTime(status?.from),
    Gender: birth?.v.sex ?? pnrBirth?.sex,
    Birthdate: birth?.v.birthDate ?? pnrBirth?.birthDate,
    // Read back as the start of the occupation (and of a status without a date).
    PersonStartDate: occupation?.from ?? firstStatus?.vf,
    PersonEndDate: replacedBy?.vf,
    Job: cut(occupation?.v.title, 34),
  });
  for (const v of f.closed('status')) if ((v.v as GroupValue<'status'>).code !== '70') warn(`status ${(v.v as GroupValue<'status'>).code} ${v.vf}–${v.vt}: CPR extracts hold no status history (only disappearances, 025)`);
  for (const v of f.closed('occupation')) warn(`occupation "${(v.v as GroupValue<'occupation'>).title}" ${v.vf}–${v.vt}: no occupation history in the format`);

  // 002 / 003: the current address (the open one, even if it begins later) and the supplementary address.
  const addresses = f.all('address');
  const address = f.current('address');
  const supplementary = f.all('supplementaryAddress').at(-1);
  if (f.all('supplementaryAddress').length > 1) warn('earlier supplementary addresses: record 002 holds only the latest');
  if (address || supplementary) {
    const a = address?.v;
    let arrival = address?.from;
    let leaving: Version | undefined;
    if (address) {
      // TILFLYKOMDTO: the start of the run of addresses in the same municipality that ends with the current one.
      let i = addresses.findIndex((v) => v.vt === null);
      const sameMunicipality = (v: Version) => (v.v as GroupValue<'address'>).municipalityCode === a!.municipalityCode;
      while (i > 0 && addresses[i - 1]!.vt === addresses[i]!.vf && sameMunicipality(addresses[i - 1]!)) {
        arrival = addresses[i - 1]!.vf;
        i--;
      }
      // FRAFLYKOMKOD/-DTO: the address the person held last before arriving, when it was in another
      // municipality, also when time abroad or without an address lies between (issue 15, finding 3).
      const before = addresses.filter((v) => v.vt !== null && v.vt <= arrival!).sort((x, y) => (x.vt! < y.vt! ? -1 : x.vt! > y.vt! ? 1 : 0)).at(-1);
      if (before && !sameMunicipality(before)) leaving = before;
    }
    const s = supplementary?.v as GroupValue<'supplementaryAddress'> | undefined;
    rec('002', {
      ...(a && addressFields(a)),
      CareOfName: cut(a?.coName, 34),
      RelocationDate: dateTime(address?.from),
      MunicipalityArrivalDate: dateTime(arrival),
      LeavingMunicipalityCode: leaving && (leaving.v as GroupValue<'address'>).municipalityCode,
      LeavingMunicipalityDepartureDate: dateTime(leaving?.vt),
      ...(s && linesOf(s.lines, 'SupplementaryAddress')),
      StartDate: supplementary?.vf,
      EndDate: supplementary?.vt ?? undefined,
    });
    if (a) {
      rec('003', {
        AddressingName: cut(name?.v.addressingName, 34),
        CareOfName: cut(a.coName, 34),
        Location: cut(a.locality, 34),
        LabelledAddress: standardAddress(a),
        CityName: cut(a.city, 34),
        PostCode: a.postalCode,
        PostDistrictText: cut(a.postalDistrict, 20),
        ...addressFields(a),
        StreetAddressingName: cut(a.roadName, 20),
      });
      if (a.roadName && [...a.roadName].length > 20) warn(`road name "${a.roadName}" is cut to the 20 characters of VEJADRNVN`);
      if (a.addressId || a.accessAddressId) warn('the address register ids (DAR) have no field in the format');
    }
  }

  // 004: every protection period.
  for (const v of f.all('protection').sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : byStart(x, y)))) {
    rec('004', { ProtectionType_: (v.v as GroupValue<'protection'>).type, StartDate: v.vf, EndDate: v.vt ?? undefined });
  }

  // 005: the current stay abroad.
  const foreign = f.current('foreignAddress');
  if (foreign) {
    rec('005', { ExitCountryCode: foreign.v.countryCode, ExitDate: dateTime(foreign.from), ...linesOf(foreign.v.lines, 'ForeignAddress') });
  }

  // 006: every contact-address period.
  for (const v of f.all('contactAddress')) {
    rec('006', { ...linesOf((v.v as GroupValue<'contactAddress'>).lines, 'Line'), StartDate: v.vf, EndDate: v.vt ?? undefined });
  }

  // 007: a current disappearance.
  if (status?.v.code === '70') rec('007', { DisappearanceDate: dateTime(status.from) });

  // 008: the current name (blank when none, as CPR writes it).
  rec('008', {
    ...(name && nameFields(name.v)),
    NameStartDate: dateTime(name?.from),
    AddressingName: cut(name?.v.addressingName, 34),
  });

  // 009: the birth registration.
  rec('009', {
    BirthRegistrationAuthorityCode: birth?.v.authorityCode ?? '0000',
    AdditionalBirthRegistrationText: cut(birth?.v.place, 20),
  });
  if (birth?.v.place && [...birth.v.place].length > 20) warn(`birth place "${birth.v.place}" is cut to 20 characters`);

  // 010-013: citizenship, church, civil status, separation.
  for (const v of f.open('citizenship')) {
    rec('010', { CountryCode: (v.v as GroupValue<'citizenship'>).countryCode, CitizenshipStartDate: dateTime(v.vf) });
  }
  const church = f.current('church');
  if (church) rec('011', { ChurchRelationship: church.v.member, StartDate: church.from });
  const civil = f.current('civilStatus');
  if (civil) {
    rec('012', {
      CivilStatusCode: civil.v.code,
      SpousePNR: civil.v.spousePnr,
      SpouseName: cut(civil.v.spouseName, 34),
      CivilStatusStartDate: dateTime(civil.from),
    });
  }
  const separation = f.current('separation');
  if (separation) rec('013', { SeparationStartDate: separation.from });

  // 014-016: children, parents, custody.
  for (const v of f.open('relation')) {
    const r = v.v as GroupValue<'relation'>;
    if (r.role === 'child' && r.pnr) rec('014', { ChildPNR: r.pnr });
    else if (r.role === 'child') warn(`a child without a person number (${r.name ?? 'no name'}) has no record`);
  }
  const mother = mothers.at(-1);
  const father = fathers.at(-1);
  if (mothers.length > 1 || fathers.length > 1) warn('record 015 holds one mother and one father; the others are not written');
  const parent = (v: Version | undefined, pre: 'Mother' | 'Father') => {
    const r = v?.v as GroupValue<'relation'> | undefined;
    return {
      [`${pre}Date`]: v?.vf,
      // CPR writes zeros for an unknown parent.
      [`${pre}PNR`]: r?.pnr ?? '0000000000',
      [`${pre}BirthDate`]: r?.birthDate,
      [`${pre}Name`]: cut(r?.name, 34),
    };
  };
  rec('015', { ...parent(mother, 'Mother'), ...parent(father, 'Father') });
  for (const v of f.closed('relation')) {
    const r = v.v as GroupValue<'relation'>;
    if (r.role !== 'custody_holder') warn(`${r.role} relation ${r.pnr ?? r.name ?? ''} ${v.vf}–${v.vt}: ended relations of this kind have no record`);
  }
  const others: string[] = [];
  for (const v of f.all('relation')) {
    const r = v.v as GroupValue<'relation'>;
    if (r.role === 'custody_child') {
      warn('custody of a child is recorded on the child (record 016), not on the holder');
      continue;
    }
    if (r.role !== 'custody_holder') continue;
    const same = (p: Version | undefined) => {
      const x = p?.v as GroupValue<'relation'> | undefined;
      return !!x && ((r.pnr !== undefined && x.pnr === r.pnr) || (r.pnr === undefined && r.name !== undefined && x.name === r.name));
    };
    let type: string;
    let relPnr: string | undefined;
    if (same(mother)) type = '0003';
    else if (same(father)) type = '0004';
    else if (r.pnr) {
      if (!others.includes(r.pnr)) others.push(r.pnr);
      type = others.indexOf(r.pnr) === 0 ? '0005' : '0006';
      relPnr = r.pnr;
    } else {
      warn(`custody holder "${r.name ?? ''}" has neither a person number nor is a parent; no record`);
      continue;
    }
    rec('016', {
      RelationshipType: type,
      CustodyStartDate: v.vf,
      CustodyEndDate: v.vt ?? undefined,
      RelationPNR: relPnr,
      RelationPNRStartDate: relPnr ? v.vf : undefined,
    });
  }

  // 017: guardianship periods.
  for (const v of f.all('guardianship')) {
    const g = v.v as GroupValue<'guardianship'>;
    rec('017', {
      DisempowermentStartDate: v.vf,
      DisempowermentEndDate: v.vt ?? undefined,
      GuardianRelationType: g.guardianPnr ? '0001' : '0002',
      RelationPNR: g.guardianPnr,
      RelationPNRStartDate: g.guardianPnr ? v.vf : undefined,
      GuardianName: cut(g.guardianName, 34),
      GuardianAddressStartDate: g.guardianName || g.guardianAddress?.length ? v.vf : undefined,
      ...linesOf(g.guardianAddress ?? [], 'RelationText'),
    });
  }

  // 018-019: municipal conditions and notes.
  for (const v of f.all('municipalCondition')) {
    const c = v.v as GroupValue<'municipalCondition'>;
    if (v.vt !== null) {
      warn(`municipal condition ${c.type} ${c.value} ${v.vf}–${v.vt}: record 018 has no end date; not written`);
      continue;
    }
    const [code = '', ...rest] = c.value.split(' ');
    if (!/^\d$/.test(c.type) || [...code].length > 5) {
      warn(`municipal condition ${c.type} "${c.value}" does not fit record 018 (a 1-digit type and a 5-character code)`);
      continue;
    }
    rec('018', {
      MunicipalConditionType: c.type,
      MunicipalConditionCode: code,
      MunicipalConditionStartDate: v.vf,
      MunicipalConditionComment: cut(rest.join(' ') || undefined, 30),
    });
  }
  let noteNo = 0;
  for (const v of f.all('note')) {
    const n = v.v as GroupValue<'note'>;
    noteNo = /^\d{1,2}$/.test(v.k) ? Number(v.k) : noteNo + 1;
    if ([...n.text].length > 40) warn(`note "${n.text}" is cut to the 40 characters of NOTATLINIE`);
    rec('019', { NoteNumber: String(noteNo).padStart(2, '0'), NoteText: cut(n.text, 40), StartDate: v.vf, EndDate: v.vt ?? undefined });
  }
  if (f.all('election').length) warn('election data is not written (no mapping to record 020)');

  // 022: numbers this person had before.
  for (const v of f.open('numberChange')) {
    const c = v.v as GroupValue<'numberChange'>;
    if (c.direction === 'replaces') rec('022', { PNR: pnr, OldPNR: c.pnr, OldPNREndDate: v.vf });
  }

  // 023-030: history.
  for (const v of f.closed('address')) {
    const a = v.v as GroupValue<'address'>;
    rec('023', { ...addressFields(a), CareOfName: cut(a.coName, 34), RelocationDate: dateTime(v.vf), LeavingDate: dateTime(v.vt) });
  }
  for (const v of f.closed('foreignAddress')) {
    const a = v.v as GroupValue<'foreignAddress'>;
    rec('024', {
      ExitCountryCode: a.countryCode,
      ExitDate: dateTime(v.vf),
      EntryCountryCode: a.countryCode,
      EntryDate: dateTime(v.vt),
      ...linesOf(a.lines, 'ForeignAddress'),
    });
  }
  for (const v of f.closed('status')) {
    if ((v.v as GroupValue<'status'>).code === '70') rec('025', { DisappearanceDate: dateTime(v.vf), RetrievalDate: dateTime(v.vt) });
  }
  for (const v of f.closed('name')) {
    rec('026', { ...nameFields(v.v as GroupValue<'name'>), NameStartDate: dateTime(v.vf), NameEndDate: dateTime(v.vt) });
  }
  for (const v of f.closed('citizenship')) {
    rec('027', { CountryCode: (v.v as GroupValue<'citizenship'>).countryCode, CitizenshipStartDate: dateTime(v.vf), CitizenshipEndDate: dateTime(v.vt) });
  }
  for (const v of f.closed('church')) {
    rec('028', { ChurchRelationship: (v.v as GroupValue<'church'>).member, StartDate: v.vf, EndDate: v.vt ?? undefined });
  }
  for (const v of f.closed('civilStatus')) {
    const c = v.v as GroupValue<'civilStatus'>;
    rec('029', {
      CivilStatusCode: c.code,
      SpousePNR: c.spousePnr,
      SpouseName: cut(c.spouseName, 34),
      CivilStatusStartDate: dateTime(v.vf),
      CivilStatusEndDate: dateTime(v.vt),
    });
  }
  for (const v of f.closed('separation')) rec('030', { SeparationStartDate: v.vf, SeparationEndDate: v.vt ?? undefined });
  return out;
}

// ── Records kept from an import ──────────────────────────────────────────────

/**
 * The groups each record type is made from (and imported into). A record
 * type not listed has no group: its lines are kept from the import and
 * written as read (020, 021, 099, 031-033).
 */
const RECORD_GROUPS: Readonly<Record<string, readonly Group[]>> = {
  '001': ['status', 'birth', 'occupation', 'numberChange'],
  '002': ['address', 'supplementaryAddress'],
  '003': ['address', 'name'],
  '004': ['protection'],
  '005': ['foreignAddress'],
  '006': ['contactAddress'],
  '007': ['status'],
  '008': ['name'],
  '009': ['birth'],
  '010': ['citizenship'],
  '011': ['church'],
  '012': ['civilStatus'],
  '013': ['separation'],
  '014': ['relation'],
  '015': ['relation'],
  '016': ['relation'],
  '017': ['guardianship'],
  '018': ['municipalCondition'],
  '019': ['note'],
  '022': ['numberChange'],
  '023': ['address'],
  '024': ['foreignAddress'],
  '025': ['status'],
  '026': ['name'],
  '027': ['citizenship'],
  '028': ['church'],
  '029': ['civilStatus'],
  '030': ['separation'],
};

export interface KeptSince {
  records: readonly KeptRecord[];
  /** Groups registered since the import (as known at the export's time); 'all' after an annulment. */
  touched: ReadonlySet<Group> | 'all';
}

/**
 * The person's kept lines, if the person came in by an import the export
 * sees (its registration known at `knownAt`), with the groups registered
 * since.
 */
export function keptSince(registrations: readonly Registration[], kept: ReadonlyMap<Instant, readonly KeptRecord[]>, knownAt: Instant): KeptSince | null {
  const seen = registrations.filter((r) => r.registeredAt <= knownAt).sort((a, b) => a.seq - b.seq);
  const imported = seen.find((r) => kept.has(r.registeredAt));
  if (!imported) return null;
  const touched = new Set<Group>();
  for (const r of seen) {
    if (r.seq <= imported.seq) continue;
    if (r.annuls !== null) return { records: kept.get(imported.registeredAt)!, touched: 'all' };
    for (const c of r.changes) touched.add(c.group);
  }
  return { records: kept.get(imported.registeredAt)!, touched };
}

/**
 * A person's records for the export: per record type, CPR's own lines as
 * imported where the register holds nothing newer for that type (no
 * registration since the import touched its groups, so they say what the
 * register holds, with the details it has no field for: uncertainty
 * markers, times of day, corrected history), and always for the record
 * types without a group; else the records made from the register. Ordered
 * by record type, in file order within a type.
 */
export function withKept(generated: readonly string[], kept: KeptSince | null): string[] {
  if (!kept) return [...generated];
  const asRead = (t: string) => {
    const groups = RECORD_GROUPS[t];
    return groups === undefined || (kept.touched !== 'all' && groups.every((g) => !(kept.touched as ReadonlySet<Group>).has(g)));
  };
  const types = [...new Set([...generated.map((l) => l.slice(0, 3)), ...kept.records.map((r) => r.type)])].sort();
  const out: string[] = [];
  for (const t of types) {
    if (asRead(t)) {
      // Written at the record's full width (CPR's own files may leave trailing spaces out).
      const width = layoutOf(t).length;
      for (const r of kept.records) if (r.type === t) out.push(r.line.slice(0, width).padEnd(width, ' '));
    } else {
      for (const l of generated) if (l.startsWith(t)) out.push(l);
    }
  }
  return out;
}

// ── The file ─────────────────────────────────────────────────────────────────

/**
 * The extract's lines (without line ends), 000 first and 999 last, one
 * person at a time: for streaming large exports.
 */
export async function* exportRecords(register: Register, pnrs: Iterable<string>, opts: ExportOptions = {}): AsyncGenerator<string> {
  const now = register.clock.now();
  const knownAt = opts.knownAt ?? toInstant(now);
  const production = (opts.productionDate ?? dateOf(now)).replaceAll('-', '');
  const task = opts.taskNumber ?? '0';
  if (!/^\d{1,6}$/.test(task)) throw new RangeError('the task number has at most 6 digits');
  yield formatRecord('000', { BlackBox10: '0000000000', TaskNumber: task, ProductionDate: production });
  let count = 1;
  for (const input of pnrs) {
    const pnr = normalisePnr(input);
    const h = pnr ? await register.history(pnr) : null;
    if (!h || !pnr) {
      throw new CprExtractError('unknown_person', [{ line: 0, recordType: null, message: `no person with number ${input} in the register` }]);
    }
    const generated = personRecords(pnr, versionsKnownAt(h.versions, knownAt), (m) => opts.onWarning?.(pnr, m));
    const lines = withKept(generated, keptSince(h.registrations, await keptOf(register.store.db, pnr), knownAt));
    count += lines.length;
    yield* lines;
  }
  count += 1;
  yield formatRecord('999', { BlackBox10: '9999999999', Counter: String(count).padStart(layoutOf('999').field.get('Counter')!.length, '0') });
}

/** The extract as text (records separated by LF, a final LF). */
export async function exportCprExtract(register: Register, pnrs: Iterable<string>, opts: ExportOptions = {}): Promise<string> {
  const lines: string[] = [];
  for await (const line of exportRecords(register, pnrs, opts)) lines.push(line);
  return lines.join('\n') + '\n';
}

/**
 * ISO-8859-1 bytes of the extract. A character outside ISO-8859-1 is written
 * as its base letter where it has one (`ő` → `o`), else as `?`; `replaced`
 * counts them.
 */
export function encodeExtract(text: string): { bytes: Buffer; replaced: number } {
  let replaced = 0;
  let out = '';
  for (const ch of text.normalize('NFC')) {
    if (ch.codePointAt(0)! <= 0xff) {
      out += ch;
      continue;
    }
    replaced++;
    const base = ch.normalize('NFD').replace(/\p{M}+/gu, '');
    out += [...base].length === 1 && base.codePointAt(0)! <= 0xff ? base : '?';
  }
  return { bytes: Buffer.from(out, 'latin1'), replaced };
}
