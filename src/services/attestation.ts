/**
 * Own data (SPEC DIS-6, §46): a citizen's attestation of the current and
 * former data CPR holds about them, including the person numbers of their
 * children, spouse and parents, and who (which customers) looked them up and
 * when. The citizen is the principal's own number (`Principal.pnr`); nothing
 * a caller sends names another person.
 *
 * §46 is every person's right, so the grant is always §46 with no scope
 * narrowing, whatever legal bases or scope the citizen customer is set up
 * with. The read is audited (type `own_data`) before the answer leaves; the
 * citizen's own reads are not listed back to them as lookups.
 */
import type { Caller } from '../access/customers.ts';
import { CHURCH_MEMBERSHIP, CIVIL_STATUS, PERSON_STATUS, PROTECTION_TYPES, country, municipality } from '../domain/codes/index.ts';
import { dateOf, timeOf, type CivilDate, type Instant } from '../domain/dates.ts';
import type { DisclosedData, HistoryEntry, ProtectionMark, Withheld } from '../domain/disclosure/project.ts';
import { formatPnr } from '../domain/pnr/pnr.ts';
import { DisclosureError, disclosePerson } from './disclosure.ts';
import type { PersonReads, Readers } from './reader.ts';
import { EXTRACT_ACTIONS, ExtractService } from './extracts.ts';

/** The audit transaction type of a citizen's read of their own data. */
export const OWN_DATA_ACTION = 'own_data';

export interface FamilyMember {
  role: 'mother' | 'father' | 'child';
  pnr?: string;
  /** For a relative without a Danish person number. */
  name?: string;
  birthDate?: CivilDate;
  /** The date the relation was registered from. */
  since: CivilDate;
}

export interface Spouse {
  pnr?: string;
  name?: string;
  /** Civil status code (G married, P registered partner, …) and its date. */
  civilStatus: string;
  from: CivilDate;
  /** Null for the current spouse. */
  to: CivilDate | null;
}

export interface LookupEntry {
  /** The day (UTC) and the time of the lookup. */
  date: CivilDate;
  at: Instant;
  /** The customer's name (never the individual user), or the register itself. */
  customer: string;
  /** The customer's kind; null for the register's own staff and tools. */
  customerKind: string | null;
  /** The transaction type, e.g. `person.lookup`, `extract.marketing_protection.download`. */
  type: string;
  legalBasis: string | null;
  /** For a delivered list that held the person: which list. */
  list?: { kind: string; period?: string; municipalityCode?: string; recipient?: string };
}

export interface Attestation {
  pnr: string;
  legalBasis: '§46';
  issuedAt: Instant;
  /** The data is as valid on `validAt`, as known to the register at `knownAt`. */
  validAt: CivilDate;
  knownAt: Instant;
  /** The current data (docs/disclosure.md field catalogue), without the history. */
  data: Omit<DisclosedData, 'history'>;
  /** Children, current and former spouses, parents, with their numbers (§46). */
  family: { parents: FamilyMember[]; spouse: Spouse | null; formerSpouses: Spouse[]; children: FamilyMember[] };
  /** Every version valid at any time, as known now (current and former data). */
  history: HistoryEntry[];
  protectionMark?: ProtectionMark;
  withheld: Withheld[];
  /** Who looked the person up, and lists with the person that were delivered, in time order. */
  lookups: LookupEntry[];
  /** §46, 2nd sentence. */
  note: string;
}

const NOTE_1971 =
  'Oplysning om adresser før den 1. januar 1971 fås hos den daværende bopælskommune (CPR-lovens § 46). ' +
  'Addresses before 1 January 1971 are given by the municipality of residence at the time.';

export class AttestationService {
  constructor(
    private readonly readers: Readers,
    private readonly extracts: ExtractService,
  ) {}

  /** The caller's own attestation. Refused unless the caller is a citizen acting for a person number. */
  async ownData(caller: Caller, opts: { requestId?: string } = {}): Promise<Attestation> {
    const pnr = caller.principal.pnr;
    if (caller.customer.kind !== 'citizen' || !pnr) {
      throw new DisclosureError('no_legal_basis', 'Own data (§46) is for a citizen acting for their own person number.');
    }
    // §46 whatever the customer's set-up: all fields, with history, own children's, spouse's and parents' numbers.
    const own: Caller = { principal: caller.principal, customer: { ...caller.customer, legalBases: ['§46'], scope: [] } };
    const reader = this.readers.for(own);
    const answer = await reader.answer<Attestation & { fields: string[] }>(
      OWN_DATA_ACTION,
      async (reads) => {
        const view = await reads.person(pnr);
        if (!view) throw new DisclosureError('person_not_found', 'No person with that number is in the register.');
        const d = await disclosePerson(reads, reader, view, { history: true });
        const { history = [], ...data } = d.data;
        return {
          pnr,
          legalBasis: '§46',
          issuedAt: d.knownAt,
          validAt: d.validAt,
          knownAt: d.knownAt,
          data,
          family: familyOf(data, history),
          history,
          ...(d.protectionMark && { protectionMark: d.protectionMark }),
          withheld: d.withheld,
          lookups: await this.#lookups(reads, pnr),
          note: NOTE_1971,
          fields: d.fields as string[],
        };
      },
      (a) => ({
        subjects: [pnr],
        references: [pnr],
        legalBasis: a.legalBasis,
        fields: a.fields,
        requestId: opts.requestId ?? null,
        detail: { history: true, found: 1, ...(a.protectionMark && { protected: 1 }) },
      }),
    );
    const { fields: _fields, ...attestation } = answer;
    return attestation;
  }

  async #lookups(reads: PersonReads, pnr: string): Promise<LookupEntry[]> {
    const direct = (await reads.lookupsOf(pnr)).filter((l) => l.action !== OWN_DATA_ACTION);
    const lists = await this.extracts.deliveriesOf(pnr);
    const ids = [...new Set([...direct, ...lists].map((l) => l.customer).filter((c): c is string => c !== null))];
    const customers = new Map<string, { name: string; kind: string }>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.readers.store.db.selectFrom('customer').select(['id', 'name', 'kind']).where('id', 'in', ids.slice(i, i + 500)).execute();
      for (const r of rows) customers.set(r.id, { name: r.name, kind: r.kind });
    }
    const who = (id: string | null) =>
      id === null
        ? { customer: 'CPR (registrets egen administration)', customerKind: null }
        : { customer: customers.get(id)?.name ?? id, customerKind: customers.get(id)?.kind ?? null };
    const out: LookupEntry[] = [
      ...direct.map((l) => ({ date: dateOf(l.at), at: l.at, ...who(l.customer), type: l.action, legalBasis: l.legalBasis })),
      ...lists.map((l) => ({
        date: dateOf(l.at),
        at: l.at,
        ...who(l.customer),
        ...(l.customer === null && l.recipient ? { customer: l.recipient, customerKind: null } : {}),
        type: l.action,
        legalBasis: l.legalBasis,
        list: {
          kind: l.kind,
          ...(l.period !== null && { period: l.period }),
          ...(l.municipalityCode !== null && { municipalityCode: l.municipalityCode }),
          ...(l.recipient !== null && { recipient: l.recipient }),
        },
      })),
    ];
    return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }
}

function familyOf(data: Omit<DisclosedData, 'history'>, history: HistoryEntry[]): Attestation['family'] {
  const relatives = (data.relations ?? []).filter((r) => r.role === 'mother' || r.role === 'father' || r.role === 'child');
  const member = (r: NonNullable<DisclosedData['relations']>[number]): FamilyMember => ({
    role: r.role as FamilyMember['role'],
    ...(r.pnr !== undefined && { pnr: r.pnr }),
    ...(r.name !== undefined && { name: r.name }),
    ...(r.birthDate !== undefined && { birthDate: r.birthDate }),
    since: r.date,
  });
  const spouse: Spouse | null =
    data.spouse && data.civilStatus && data.civilStatusDate
      ? { ...data.spouse, civilStatus: data.civilStatus, from: data.civilStatusDate, to: null }
      : null;
  const formerSpouses: Spouse[] = [];
  for (const h of history) {
    if (h.group !== 'civilStatus' || h.validTo === null) continue;
    const v = h.value as { code: string; spousePnr?: string; spouseName?: string };
    if (v.spousePnr === undefined && v.spouseName === undefined) continue;
    if (spouse && v.spousePnr !== undefined && v.spousePnr === spouse.pnr && h.validTo > spouse.from) continue;
    formerSpouses.push({
      ...(v.spousePnr !== undefined && { pnr: v.spousePnr }),
      ...(v.spouseName !== undefined && { name: v.spouseName }),
      civilStatus: v.code,
      from: h.validFrom,
      to: h.validTo,
    });
  }
  return {
    parents: relatives.filter((r) => r.role !== 'child').map(member),
    spouse,
    formerSpouses,
    children: relatives.filter((r) => r.role === 'child').map(member),
  };
}

// ─── The printable attestation (Danish, §46 "en attestation på dansk") ─────

const FIELD_LABELS: Record<string, string> = {
  pnr: 'Personnummer',
  birthDate: 'Fødselsdato',
  sex: 'Køn',
  name: 'Navn',
  addressingName: 'Adresseringsnavn',
  address: 'Adresse',
  moveDate: 'Tilflytningsdato',
  supplementaryAddress: 'Supplerende adresse',
  contactAddress: 'Kontaktadresse',
  occupation: 'Stilling',
  marketingProtection: 'Reklamebeskyttelse',
  protections: 'Beskyttelser',
  status: 'Status',
  death: 'Død',
  disappearance: 'Forsvundet',
  emigration: 'Udrejse',
  guardianship: 'Værgemål',
  civilStatus: 'Civilstand',
  civilStatusDate: 'Civilstandsdato',
  spouse: 'Ægtefælle/partner',
  separation: 'Separation',
  birthPlace: 'Fødested',
  relations: 'Slægtskab',
  citizenship: 'Statsborgerskab',
  church: 'Folkekirken',
  municipalConditions: 'Kommunale forhold',
  notes: 'Notater',
  election: 'Valgret',
  numberChanges: 'Personnummerændringer',
};

const GROUP_LABELS: Record<string, string> = {
  name: 'Navn',
  address: 'Adresse',
  foreignAddress: 'Udenlandsk adresse',
  supplementaryAddress: 'Supplerende adresse',
  contactAddress: 'Kontaktadresse',
  birth: 'Fødsel',
  citizenship: 'Statsborgerskab',
  church: 'Folkekirken',
  relation: 'Slægtskab',
  civilStatus: 'Civilstand',
  separation: 'Separation',
  status: 'Status',
  protection: 'Beskyttelse',
  occupation: 'Stilling',
  guardianship: 'Værgemål',
  municipalCondition: 'Kommunale forhold',
  note: 'Notat',
  election: 'Valgret',
  numberChange: 'Personnummerændring',
};

const ROLE_LABELS: Record<string, string> = {
  mother: 'Mor',
  father: 'Far',
  child: 'Barn',
  custody_holder: 'Forældremyndighedsindehaver',
  custody_child: 'Barn under forældremyndighed',
};

const CUSTOMER_KIND_LABELS: Record<string, string> = {
  public_authority: 'offentlig myndighed',
  business: 'virksomhed',
  insurer: 'forsikringsselskab/pensionskasse',
  credit_bureau: 'kreditoplysningsbureau',
  landlord: 'udlejer',
  cpr_admin: 'CPR-administrationen',
  citizen: 'borger',
};

const ACTION_LABELS: Record<string, string> = {
  'person.lookup': 'opslag',
  'person.bulk': 'masseopslag',
  'person.history': 'opslag med historik',
  'address.residents': 'opslag af beboere på adressen',
  [EXTRACT_ACTIONS.marketingDownload]: 'udlevering af fortegnelsen over reklamebeskyttede personer (§ 40, stk. 5)',
  [EXTRACT_ACTIONS.localDirectory]: 'udlevering til lokalvejviser (§ 47)',
};

type Obj = Record<string, unknown>;
const str = (x: unknown) => (x === undefined || x === null ? '' : String(x));
const pnrText = (p: unknown) => (typeof p === 'string' && /^\d{10}$/.test(p) ? formatPnr(p) : str(p));
const lines = (x: unknown) => ((x as Obj | undefined)?.lines as string[] | undefined)?.join(', ') ?? '';

/** A value of a group (or a current field) in words, in Danish. */
export function describe(group: string, value: unknown): string {
  const o = (value ?? {}) as Obj;
  switch (group) {
    case 'name':
      return [...((o.firstNames as string[]) ?? []), ...((o.middleNames as string[]) ?? []), str(o.lastName)].filter(Boolean).join(' ');
    case 'address': {
      const unit = [o.floor !== undefined && `${str(o.floor)}.`, o.door].filter(Boolean).join(' ');
      const street = `${str(o.roadName) || `vejkode ${str(o.roadCode)}`} ${str(o.houseNumber)}`.trim();
      const muni = municipality(str(o.municipalityCode))?.da ?? `kommune ${str(o.municipalityCode)}`;
      return [o.coName && `c/o ${str(o.coName)}`, unit ? `${street}, ${unit}` : street, o.locality, `${str(o.postalCode)} ${str(o.postalDistrict)}`.trim(), `(${muni})`]
        .filter(Boolean)
        .join(', ')
        .replace(', (', ' (');
    }
    case 'foreignAddress':
    case 'supplementaryAddress':
    case 'contactAddress':
      return [lines(o), o.countryCode && (country(str(o.countryCode))?.da ?? str(o.countryCode))].filter(Boolean).join(', ');
    case 'birth':
      return [`født ${str(o.birthDate)}`, o.sex === 'K' ? 'kvinde' : o.sex === 'M' ? 'mand' : '', o.place && `i ${str(o.place)}`].filter(Boolean).join(', ');
    case 'citizenship':
      return country(str(o.countryCode))?.da ?? str(o.countryCode);
    case 'church':
      return CHURCH_MEMBERSHIP[o.member as keyof typeof CHURCH_MEMBERSHIP]?.da ?? str(o.member);
    case 'relation':
      return [ROLE_LABELS[str(o.role)] ?? str(o.role), o.pnr && pnrText(o.pnr), o.name, o.birthDate && `født ${str(o.birthDate)}`].filter(Boolean).join(' ');
    case 'civilStatus':
      return [
        CIVIL_STATUS[o.code as keyof typeof CIVIL_STATUS]?.da ?? str(o.code),
        (o.spousePnr || o.spouseName) && `med ${[o.spousePnr && pnrText(o.spousePnr), o.spouseName].filter(Boolean).join(' ')}`,
      ]
        .filter(Boolean)
        .join(' ');
    case 'separation':
      return 'separeret';
    case 'status':
      return `${str(o.code)} ${PERSON_STATUS[o.code as keyof typeof PERSON_STATUS]?.da ?? ''}`.trim();
    case 'protection':
      return PROTECTION_TYPES[o.type as keyof typeof PROTECTION_TYPES]?.da ?? str(o.type);
    case 'occupation':
      return str(o.title);
    case 'guardianship':
      return ['værge', o.guardianPnr && pnrText(o.guardianPnr), o.guardianName, Array.isArray(o.guardianAddress) && (o.guardianAddress as string[]).join(', ')]
        .filter(Boolean)
        .join(' ');
    case 'municipalCondition':
      return `${str(o.type)}: ${str(o.value)}`;
    case 'note':
      return str(o.text);
    case 'election':
      return o.excluded ? `udelukket fra valgret${o.reason ? ` (${str(o.reason)})` : ''}` : 'valgret';
    case 'numberChange':
      return `${o.direction === 'replaced_by' ? 'erstattet af' : 'erstatter'} ${pnrText(o.pnr)}`;
    default:
      return JSON.stringify(value);
  }
}

function currentLine(field: string, value: unknown): string {
  switch (field) {
    case 'pnr':
      return pnrText(value);
    case 'sex':
      return value === 'K' ? 'kvinde' : 'mand';
    case 'name':
    case 'address':
      return describe(field, value);
    case 'supplementaryAddress':
    case 'contactAddress': {
      const v = value as { date: string };
      return `${describe(field, value)} (fra ${v.date})`;
    }
    case 'marketingProtection':
      return value ? 'ja' : 'nej';
    case 'protections':
      return (value as Array<{ type: string; validFrom: string; validTo: string | null; impliedBy?: string }>)
        .map((p) => `${describe('protection', p)} fra ${p.validFrom}${p.validTo ? ` til ${p.validTo}` : ''}${p.impliedBy ? ' (følger af navne- og adressebeskyttelsen)' : ''}`)
        .join('; ');
    case 'status': {
      const v = value as { code: string; date: string };
      return `${describe('status', v)} (fra ${v.date})`;
    }
    case 'death': {
      const v = value as { date: string; lastAddress?: unknown };
      return `${v.date}${v.lastAddress ? `, sidste adresse ${describe('address', v.lastAddress)}` : ''}`;
    }
    case 'disappearance':
      return str((value as Obj).date);
    case 'emigration': {
      const v = value as { date?: string; foreignAddress?: unknown };
      return [v.date, v.foreignAddress && describe('foreignAddress', v.foreignAddress)].filter(Boolean).join(', ');
    }
    case 'guardianship': {
      const v = value as Obj;
      return `${describe('guardianship', v)} (fra ${str(v.date)})`;
    }
    case 'civilStatus':
      return CIVIL_STATUS[value as keyof typeof CIVIL_STATUS]?.da ?? str(value);
    case 'spouse': {
      const v = value as Obj;
      return [v.pnr && pnrText(v.pnr), v.name].filter(Boolean).join(' ');
    }
    case 'separation':
      return `fra ${str((value as Obj).date)}`;
    case 'birthPlace': {
      const v = value as Obj;
      return [v.place, v.authorityCode && `myndighedskode ${str(v.authorityCode)}`].filter(Boolean).join(', ');
    }
    case 'relations':
      return (value as Obj[]).map((r) => `${describe('relation', r)} (fra ${str(r.date)})`).join('; ');
    case 'citizenship':
      return (value as Obj[]).map((c) => `${describe('citizenship', c)} (fra ${str(c.date)})`).join('; ');
    case 'church': {
      const v = value as Obj;
      return `${describe('church', v)} (fra ${str(v.date)})`;
    }
    case 'municipalConditions':
      return (value as Obj[]).map((c) => `${describe('municipalCondition', c)} (fra ${str(c.date)})`).join('; ');
    case 'notes':
      return (value as Obj[]).map((c) => `${describe('note', c)} (${str(c.date)})`).join('; ');
    case 'election': {
      const v = value as Obj;
      return `${describe('election', v)} (fra ${str(v.date)})`;
    }
    case 'numberChanges':
      return (value as Obj[]).map((c) => `${describe('numberChange', c)} (${str(c.date)})`).join('; ');
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/** The attestation as plain text to print (Danish, UTF-8, LF line ends). */
export function renderAttestation(a: Attestation): string {
  const out: string[] = [];
  const row = (label: string, value: string) => out.push(`  ${(label + ':').padEnd(26)} ${value}`);
  out.push('ATTESTATION AF OPLYSNINGER I CPR');
  out.push('Aktuelle og tidligere oplysninger om dig selv (CPR-lovens § 46)');
  out.push('');
  row('Personnummer', pnrText(a.pnr));
  row('Udstedt', `${dateOf(a.issuedAt)} kl. ${timeOf(a.issuedAt)} (dansk tid)`);
  row('Oplysningerne gælder pr.', `${a.validAt}, som registreret på udstedelsestidspunktet`);
  if (a.protectionMark) {
    row('Navne- og adressebeskyttelse', `fra ${a.protectionMark.validFrom}${a.protectionMark.validTo ? ` til ${a.protectionMark.validTo}` : ''}`);
  }

  out.push('', 'AKTUELLE OPLYSNINGER');
  for (const [field, value] of Object.entries(a.data)) {
    if (field === 'pnr' || value === undefined) continue;
    row(FIELD_LABELS[field] ?? field, currentLine(field, value));
  }

  out.push('', 'FAMILIE (personnumre efter § 46)');
  const fam = a.family;
  const person = (m: { pnr?: string; name?: string; birthDate?: string }) =>
    [m.pnr && pnrText(m.pnr), m.name, !m.pnr && m.birthDate && `født ${m.birthDate}`].filter(Boolean).join(' ') || '(ukendt)';
  if (!fam.parents.length && !fam.spouse && !fam.children.length && !fam.formerSpouses.length) out.push('  Ingen registreret.');
  for (const p of fam.parents) row(ROLE_LABELS[p.role]!, person(p));
  if (fam.spouse) row(`Ægtefælle/partner`, `${person(fam.spouse)} (${CIVIL_STATUS[fam.spouse.civilStatus as keyof typeof CIVIL_STATUS]?.da ?? fam.spouse.civilStatus} fra ${fam.spouse.from})`);
  for (const s of fam.formerSpouses) row('Tidligere ægtefælle/partner', `${person(s)} (${s.from} – ${s.to})`);
  for (const c of fam.children) row('Barn', person(c));

  out.push('', 'HISTORIK (alle oplysninger med gyldighedsperiode, som registret kender dem i dag)');
  let group = '';
  // In the register's order: by group, then key, then validity.
  for (const h of a.history) {
    if (h.group !== group) {
      group = h.group;
      out.push(`  ${GROUP_LABELS[group] ?? group}`);
    }
    out.push(`    ${h.validFrom} – ${(h.validTo ?? '').padEnd(10)}  ${describe(h.group, h.value)}`);
  }
  if (a.history.length === 0) out.push('  Ingen.');

  out.push('', 'HVEM HAR SLÅET DIG OP (myndigheder og virksomheder, ikke de enkelte medarbejdere)');
  if (a.lookups.length === 0) out.push('  Ingen opslag registreret.');
  for (const l of a.lookups) {
    const kind = l.customerKind ? ` (${CUSTOMER_KIND_LABELS[l.customerKind] ?? l.customerKind})` : '';
    const what = ACTION_LABELS[l.type] ?? l.type;
    out.push(`  ${l.date}  ${l.customer}${kind}: ${what}${l.legalBasis ? `, hjemmel ${l.legalBasis.replace(/§(\d)/g, '§ $1')}` : ''}`);
  }

  if (a.withheld.length) {
    out.push('', 'IKKE MEDTAGET');
    for (const w of a.withheld) out.push(`  ${w.field}: ${w.reason} (${w.rule})`);
  }
  out.push('', a.note, '');
  return out.join('\n');
}
