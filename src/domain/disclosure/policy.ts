/**
 * The disclosure policy as data (SPEC DIS-1..DIS-8, the Act chapters 8-12,
 * the standard terms for public authorities). Pure: no I/O, no clock.
 *
 * Three tables:
 * - `FIELDS`: the catalogue of disclosure fields (what a response can hold),
 *   named after what they are, with the person groups (Bilag 1) they come from.
 * - `LEGAL_BASES`: each legal basis of the Act (ids as the Act numbers them,
 *   `§38(2)` = § 38, stk. 2), the customer kinds that may hold it, and the
 *   fields it allows; public authorities get a customer-specific scope instead.
 * - `WITHHELD_REASONS`: the stable machine codes a response uses to say why a
 *   field was not given.
 *
 * `resolveGrant` checks a customer's grant against these tables;
 * `project.ts` cuts a person to it.
 */
import type { Group } from '../person/facts.ts';

// ─── Customers ────────────────────────────────────────────────────────────

export type CustomerKind =
  /** Offentlig myndighed: §31-§34, the standard terms (seeds 001/003). */
  | 'public_authority'
  /** Erhvervsdrivende, juridiske personer: §38(1)-(2), §39, §42(1)-(2). */
  | 'business'
  /** Forsikringsselskab, pensionskasse, pengeinstitut for pensionsopsparing: §38(3), §42(3). */
  | 'insurer'
  /** Kreditoplysningsbureau with Datatilsynet's permit: §38(4), §42(4). */
  | 'credit_bureau'
  /** Ejer/udlejer of a dwelling: §45, CPR's landlord service (seed 000). */
  | 'landlord'
  /** The CPR administration itself (§2). */
  | 'cpr_admin'
  /** A private person: own data (§46), or as "enhver" under §42 and §45. */
  | 'citizen';

export const CUSTOMER_KINDS: readonly CustomerKind[] = [
  'public_authority',
  'business',
  'insurer',
  'credit_bureau',
  'landlord',
  'cpr_admin',
  'citizen',
];

/** Private parties ("private", §28): everyone but public authorities and the CPR administration. */
export const PRIVATE_KINDS: ReadonlySet<CustomerKind> = new Set(['business', 'insurer', 'credit_bureau', 'landlord', 'citizen']);

export function isPrivateKind(kind: CustomerKind): boolean {
  return PRIVATE_KINDS.has(kind);
}

// ─── Field catalogue ──────────────────────────────────────────────────────

/**
 * The fields a disclosure can hold. The `data` object of a response uses
 * exactly these names; docs/disclosure.md documents each value's shape.
 */
export type FieldName =
  | 'pnr'
  | 'birthDate'
  | 'sex'
  | 'name'
  | 'addressingName'
  | 'address'
  | 'moveDate'
  | 'supplementaryAddress'
  | 'contactAddress'
  | 'occupation'
  | 'marketingProtection'
  | 'protections'
  | 'status'
  | 'death'
  | 'disappearance'
  | 'emigration'
  | 'guardianship'
  | 'civilStatus'
  | 'civilStatusDate'
  | 'spouse'
  | 'separation'
  | 'birthPlace'
  | 'relations'
  | 'citizenship'
  | 'church'
  | 'municipalConditions'
  | 'notes'
  | 'election'
  | 'numberChanges'
  | 'history';

export interface FieldDef {
  /** The person groups (Bilag 1) the field is read from; empty for the view's own pnr/birth date/sex. */
  readonly groups: readonly Group[];
  /** Bilag 1 item (or the Act) the data comes from. */
  readonly source: string;
  readonly description: string;
}

export const FIELDS: Readonly<Record<FieldName, FieldDef>> = {
  pnr: { groups: [], source: 'Bilag 1 nr. 1, §3', description: "The person's own person number." },
  birthDate: { groups: ['birth'], source: 'Bilag 1 nr. 4', description: 'Birth date.' },
  sex: { groups: ['birth'], source: 'Bilag 1 nr. 4', description: 'Sex, M or K.' },
  name: { groups: ['name'], source: 'Bilag 1 nr. 2, §5', description: 'Current name: first, middle, last, own last name, mark of a name not registrable.' },
  addressingName: { groups: ['name'], source: 'Bilag 1 nr. 2, §5(4)-(7)', description: 'Current addressing name (`Lastname,Given names`, at most 34 characters).' },
  address: { groups: ['address'], source: 'Bilag 1 nr. 3 a', description: 'Current Danish address with the address register ids.' },
  moveDate: { groups: ['address'], source: '§38(2) nr. 2, §42(2) nr. 2', description: 'Date of the move to the current address.' },
  supplementaryAddress: { groups: ['supplementaryAddress'], source: 'Bilag 1 nr. 3 d', description: 'Supplementary (foreign or barracks) address, with its date.' },
  contactAddress: { groups: ['contactAddress'], source: 'Bilag 1 nr. 3 e, §26(3)-(4)', description: 'Contact address during a stay abroad, with its date.' },
  occupation: { groups: ['occupation'], source: 'Bilag 1 nr. 11', description: 'Occupation (stilling) as the person asked to have it registered.' },
  marketingProtection: { groups: ['protection'], source: '§29(3)', description: 'true when the person has asked not to be contacted for marketing, else false.' },
  protections: { groups: ['protection'], source: 'Bilag 1 nr. 10, §28-§30', description: 'Protections in force, including those implied by name-and-address protection (§30(1)).' },
  status: { groups: ['status'], source: 'Bilag 1 nr. 9', description: 'Status code (REG-4) and its date.' },
  death: { groups: ['status'], source: '§38(2) nr. 5', description: 'Death: date, and the address at death.' },
  disappearance: { groups: ['status'], source: '§38(2) nr. 6', description: 'Disappearance and its date.' },
  emigration: { groups: ['status', 'foreignAddress'], source: '§38(2) nr. 7, Bilag 1 nr. 3 b', description: 'Emigration: date, and the foreign address with its date.' },
  guardianship: { groups: ['guardianship'], source: 'Bilag 1 nr. 16, §38(2) nr. 9', description: "Guardianship (værgemålslovens §6): date, the guardian's name and address (and number)." },
  civilStatus: { groups: ['civilStatus'], source: 'Bilag 1 nr. 8', description: 'Civil status code (U G F E P O L D).' },
  civilStatusDate: { groups: ['civilStatus'], source: 'Bilag 1 nr. 8, §38(3)', description: 'Date of the civil status.' },
  spouse: { groups: ['civilStatus'], source: 'Bilag 1 nr. 8', description: 'Spouse or registered partner: number and/or name.' },
  separation: { groups: ['separation'], source: 'Bilag 1 nr. 8', description: 'Separation and its date.' },
  birthPlace: { groups: ['birth'], source: 'Bilag 1 nr. 4', description: 'Birth registration place (parish or country) and authority code.' },
  relations: { groups: ['relation'], source: 'Bilag 1 nr. 7', description: 'Mother, father, children, custody holders.' },
  citizenship: { groups: ['citizenship'], source: 'Bilag 1 nr. 5', description: 'Citizenships with their dates.' },
  church: { groups: ['church'], source: 'Bilag 1 nr. 6', description: 'Membership of the national church, with its date.' },
  municipalConditions: { groups: ['municipalCondition'], source: 'Bilag 1 nr. 12', description: 'Municipal conditions.' },
  notes: { groups: ['note'], source: 'Bilag 1 nr. 13', description: 'Municipal notes.' },
  election: { groups: ['election'], source: 'Bilag 1 nr. 15', description: 'Election data.' },
  numberChanges: { groups: ['numberChange'], source: 'Bilag 1 nr. 1, §3(5)', description: 'Former or new person number after a change of number.' },
  history: { groups: [], source: 'Bilag 1 nr. 17, §46', description: 'Former data: every version of the disclosed groups with validity and registration periods.' },
};

export const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];

export function isFieldName(f: string): f is FieldName {
  return Object.hasOwn(FIELDS, f);
}

/**
 * The person's names and addresses that name-and-address protection covers
 * (§28: "navn og adresse ... ikke må videregives til private"). A path names a
 * field or a part of one. §28 lists its exceptions exhaustively (§34, §38(4),
 * §42(3)-(5), §43(1), §45), so every name and address of a protected person is
 * withheld from a private party unless one of those gives it, also where the
 * lists of §38(2)/§42(2) do not repeat the proviso (contact address, nr. 8).
 * The move date goes with the address ("datoen for flytningen hertil", nr. 2).
 */
export type ProtectedPart =
  | 'name'
  | 'addressingName'
  | 'address'
  | 'moveDate'
  | 'supplementaryAddress'
  | 'contactAddress'
  | 'death.lastAddress'
  | 'emigration.foreignAddress';

export const PROTECTED_PARTS: readonly ProtectedPart[] = [
  'name',
  'addressingName',
  'address',
  'moveDate',
  'supplementaryAddress',
  'contactAddress',
  'death.lastAddress',
  'emigration.foreignAddress',
];

/** The field a part belongs to (`death.lastAddress` → `death`). */
export function fieldOfPart(part: string): FieldName {
  return part.split('.')[0] as FieldName;
}

// ─── Legal bases ──────────────────────────────────────────────────────────

/** Whose person numbers other than the person's own a basis may show (relations, spouse, guardian). */
export type OtherNumbers =
  /** Any the fields hold (public authorities within scope, the CPR administration). */
  | 'all'
  /** §46: own children's, spouse's and parents' numbers (and the person's own former/new number). */
  | 'family'
  /**
   * Private parties otherwise: none. SPEC PNR-5 cites §43(2) and §50(3); those forbid numbers under their own
   * rules only — for §38/§39/§42 a number is simply not on the closed list, and §46 is the only rule giving one.
   */
  | 'none';

export interface LegalBasis {
  /** As the Act numbers it: `§38(2)` is § 38, stk. 2. */
  readonly id: string;
  readonly title: string;
  readonly customerKinds: readonly CustomerKind[];
  /**
   * The fields the basis allows: a list, `granted_scope` (the customer's own
   * granted scope, public authorities), or `all`.
   */
  readonly fields: readonly FieldName[] | 'granted_scope' | 'all';
  /**
   * Names and addresses the basis gives even under name-and-address
   * protection (§28's exceptions): `all`, a list, or none.
   */
  readonly protectedParts: readonly ProtectedPart[] | 'all';
  /** The rule that makes the protection mark travel with a protected name/address given under this basis. */
  readonly markRule?: string;
  readonly otherNumbers: OtherNumbers;
  /** Former data (history) may be given. */
  readonly history: boolean;
  /** §46: only about the customer themself. */
  readonly ownDataOnly?: true;
  /** The person is left out entirely when one of these protections is in force (§47). */
  readonly excludedBy?: readonly ('0001' | '0002')[];
  /** A decision by the municipality after a hearing, not an instant answer (§42(3) 2nd part, §42(5), §43). */
  readonly requiresCase?: true;
}

/** §38(2) nr. 1-9 = §42(2) nr. 1-9: what any business may get (closed list). */
export const COMPANY_FIELDS: readonly FieldName[] = [
  'name', // nr. 1 nuværende navn, medmindre beskyttet (§28)
  'addressingName', // nr. 1 (the current name as CPR writes it for addressing, §5(4))
  'address', // nr. 2 nuværende adresse, medmindre beskyttet
  'moveDate', // nr. 2 og datoen for flytningen hertil
  'occupation', // nr. 3 eventuel stilling
  'marketingProtection', // nr. 4 markering efter §29(3) — a mark, never a reason to withhold
  'death', // nr. 5 død, datoen og afdødes daværende adresse, medmindre beskyttet (SPEC DIS-3 omits the proviso; the Act's followed)
  'disappearance', // nr. 6 forsvinden og datoen
  'emigration', // nr. 7 udrejse og datoen, ny adresse i udlandet, medmindre beskyttet, og datoen (as nr. 5: SPEC omits the proviso)
  'contactAddress', // nr. 8 kontaktadresse og datoen — withheld under §28 all the same (see PROTECTED_PARTS)
  'guardianship', // nr. 9 værgemål efter værgemålslovens §6, datoen, værgens navn og adresse
];

const PRIVATE_BUSINESS: readonly CustomerKind[] = ['business', 'insurer', 'credit_bureau', 'landlord'];
const ENHVER: readonly CustomerKind[] = ['business', 'insurer', 'credit_bureau', 'landlord', 'citizen'];
const NAME_ADDRESS: readonly ProtectedPart[] = ['name', 'addressingName', 'address', 'moveDate'];

const bases: LegalBasis[] = [
  // §2: the ministry administers CPR; the CPR administration sees everything.
  {
    id: '§2',
    title: 'CPR administration (the register keeper)',
    customerKinds: ['cpr_admin'],
    fields: 'all',
    protectedParts: 'all',
    markRule: '§34(2)',
    otherNumbers: 'all',
    history: true,
  },
  // §31: disclosure to another public authority under the data protection rules.
  {
    id: '§31',
    title: 'Public authority, disclosure under the data protection rules',
    customerKinds: ['public_authority'],
    fields: 'granted_scope',
    protectedParts: 'all', // §28 protects against private parties only; §34(2) mark
    markRule: '§34(2)',
    otherNumbers: 'all',
    history: true,
  },
  // §32(1): a public authority retrieves what it needs; the scope is set per customer (§32(2), terms 2-3: need to know).
  {
    id: '§32',
    title: 'Public authority, retrieval from CPR within its granted scope',
    customerKinds: ['public_authority'],
    fields: 'granted_scope',
    protectedParts: 'all', // §34(2): protected names and addresses are given, with the mark
    markRule: '§34(2)',
    otherNumbers: 'all',
    history: true,
  },
  // §33(1): a public authority's single enquiry to a municipality.
  {
    id: '§33',
    title: "Public authority, single enquiry to a municipality",
    customerKinds: ['public_authority'],
    fields: 'granted_scope',
    protectedParts: 'all',
    markRule: '§34(2)',
    otherNumbers: 'all',
    history: true,
  },
  // §38(1)-(2): bulk delivery to businesses, fields nr. 1-9 (nr. 10: their later changes).
  {
    id: '§38(2)',
    title: 'Business, bulk delivery for pre-identified persons',
    customerKinds: PRIVATE_BUSINESS,
    fields: COMPANY_FIELDS,
    protectedParts: [],
    otherNumbers: 'none',
    history: false,
  },
  // §38(3): insurers, pension funds, banks administering pension savings: also civil status and its date, never separation.
  // (SPEC DIS-3 names insurers and pension funds; the Act also the banks, which are this kind too.)
  {
    id: '§38(3)',
    title: 'Insurer or pension fund: civil status and its date, not separation',
    customerKinds: ['insurer'],
    fields: ['civilStatus', 'civilStatusDate'],
    protectedParts: [],
    otherNumbers: 'none',
    history: false,
  },
  // §38(4): credit bureaus get name and address even when protected; §40(2)-(3): the mark goes with them and they must not pass them on.
  {
    id: '§38(4)',
    title: 'Credit bureau: name and address even when protected',
    customerKinds: ['credit_bureau'],
    fields: ['name', 'addressingName', 'address'],
    protectedParts: NAME_ADDRESS,
    markRule: '§40(2)-(3)',
    otherNumbers: 'none',
    history: false,
  },
  // §39: electronic single enquiries by businesses, covering §42(1)-(2) only (not §42(3)-(4)).
  // SPEC DIS-3 groups §38/§39/§42; by the Act an insurer's §39 enquiry gets no civil status.
  {
    id: '§39',
    title: 'Business, electronic single enquiry (the fields of §42(2))',
    customerKinds: PRIVATE_BUSINESS,
    fields: COMPANY_FIELDS,
    protectedParts: [],
    otherNumbers: 'none',
    history: false,
  },
  // §42(1)-(2): anyone ("enhver") may ask a municipality about a pre-identified person; same list as §38(2).
  {
    id: '§42(2)',
    title: 'Anyone, single enquiry to a municipality',
    customerKinds: ENHVER,
    fields: COMPANY_FIELDS,
    protectedParts: [],
    otherNumbers: 'none',
    history: false,
  },
  // §42(3) 1st part: insurers also civil status and its date, not separation.
  {
    id: '§42(3)',
    title: 'Insurer or pension fund, single enquiry: civil status and its date, not separation',
    customerKinds: ['insurer'],
    fields: ['civilStatus', 'civilStatusDate'],
    protectedParts: [],
    otherNumbers: 'none',
    history: false,
  },
  // §42(4): credit bureaus, name and address even when protected; §44(1), §44(3): mark, not to be passed on.
  {
    id: '§42(4)',
    title: 'Credit bureau, single enquiry: name and address even when protected',
    customerKinds: ['credit_bureau'],
    fields: ['name', 'addressingName', 'address'],
    protectedParts: NAME_ADDRESS,
    markRule: '§44(1), §44(3)',
    otherNumbers: 'none',
    history: false,
  },
  // §45: an owner or tenant gets the names of the persons registered in the dwelling, even protected ones.
  {
    id: '§45',
    title: 'Owner or tenant: names of the persons registered in the dwelling',
    customerKinds: ['landlord', 'business', 'citizen'],
    fields: ['name', 'addressingName'],
    protectedParts: ['name', 'addressingName'],
    markRule: '§28, §45 (seed 000: the mark is shown; not to be passed on)',
    otherNumbers: 'none',
    history: false,
  },
  // Seed 000 (CPR's landlord service, from 2021, after the 2006 text of the Act, whose §45 gives names only):
  // addressing name, move-in date and the protection mark of residents.
  // The move-out date belongs to the residents query (LAN-4), not to one person's view.
  {
    id: 'landlordService',
    title: "CPR's service for landlords (seed 000): addressing name, move-in date, protection mark",
    customerKinds: ['landlord'],
    fields: ['addressingName', 'moveDate'],
    protectedParts: ['addressingName', 'moveDate'],
    markRule: 'seed 000 (not to be passed on to other private parties)',
    otherNumbers: 'none',
    history: false,
  },
  // §46: own data, current and former, including own children's, spouse's and parents' numbers.
  {
    id: '§46',
    title: 'Own data (attestation), current and former',
    customerKinds: ['citizen'],
    fields: 'all',
    protectedParts: 'all',
    markRule: '§28',
    otherNumbers: 'family',
    history: true,
    ownDataOnly: true,
  },
  // §47: local directories: names, occupations and addresses, not of persons with §28 or §29(1) protection.
  {
    id: '§47',
    title: 'Local directory: name, occupation, address of residents',
    customerKinds: ['business'],
    fields: ['name', 'addressingName', 'occupation', 'address'],
    protectedParts: [],
    otherNumbers: 'none',
    history: false,
    excludedBy: ['0001', '0002'],
  },
  // §42(3) 2nd part: relatives' names and addresses, even protected, as needed to pay out an insurance sum — a judgement of
  // necessity, so a case. SPEC DIS-3 leaves this part of §42(3) out.
  {
    id: '§42(3)-relatives',
    title: "Insurer: relatives' names and addresses needed to pay out to the beneficiary (a case)",
    customerKinds: ['insurer'],
    fields: [],
    protectedParts: [],
    otherNumbers: 'none',
    history: false,
    requiresCase: true,
  },
  // §42(5): protection cannot normally be upheld against a creditor collecting a due claim — a case, debtor heard on doubt.
  // Not in SPEC; treated like §43 (DIS-4).
  {
    id: '§42(5)',
    title: 'Creditor collecting a due claim: protected name and address (a case)',
    customerKinds: ENHVER,
    fields: [],
    protectedParts: [],
    otherNumbers: 'none',
    history: false,
    requiresCase: true,
  },
  // §43(1): protected name and address to a private party with a legal interest, after hearing the person (DIS-4).
  {
    id: '§43(1)',
    title: 'Legal interest: protected name and address (a case)',
    customerKinds: ENHVER,
    fields: [],
    protectedParts: [],
    otherNumbers: 'none',
    history: false,
    requiresCase: true,
  },
  // §43(2): other data on a legal interest; never a person number.
  {
    id: '§43(2)',
    title: 'Legal interest: other data, never a person number (a case)',
    customerKinds: ENHVER,
    fields: [],
    protectedParts: [],
    otherNumbers: 'none',
    history: false,
    requiresCase: true,
  },
];

export const LEGAL_BASES: ReadonlyMap<string, LegalBasis> = new Map(bases.map((b) => [b.id, Object.freeze(b)]));

export function legalBasis(id: string): LegalBasis | undefined {
  return LEGAL_BASES.get(id);
}

/** The fields a basis allows, with a customer's scope where the basis defers to it. */
export function basisFields(b: LegalBasis, scope?: readonly string[]): FieldName[] {
  if (b.fields === 'all') return FIELD_NAMES.slice();
  if (b.fields === 'granted_scope') return (scope ?? []).filter(isFieldName);
  return b.fields.slice();
}

/**
 * Fields that no basis for a private party gives (other than §46, own data):
 * for these a private customer's answer says `not_for_companies`.
 */
export const NEVER_FOR_PRIVATE: ReadonlySet<FieldName> = (() => {
  const given = new Set<FieldName>();
  for (const b of bases) {
    if (b.ownDataOnly || b.requiresCase || !b.customerKinds.some(isPrivateKind)) continue;
    for (const f of basisFields(b)) given.add(f);
  }
  return new Set(FIELD_NAMES.filter((f) => !given.has(f)));
})();

// ─── Grants ───────────────────────────────────────────────────────────────

export interface Grant {
  customerKind: CustomerKind;
  /** Legal basis ids as in `LEGAL_BASES`. */
  legalBases: readonly string[];
  /**
   * The customer's granted data scope (DIS-1): field names. Required for a
   * public authority (no scope, no fields: fail closed); for other customers
   * it narrows what their bases allow.
   */
  fields?: readonly string[];
  /** A citizen's own person number (for §46). */
  ownPnr?: string;
}

export type RejectedBasisReason =
  /** Not a legal basis in `LEGAL_BASES`. */
  | 'unknown_basis'
  /** The basis is not for this kind of customer. */
  | 'not_for_customer_kind'
  /** The basis needs a municipality's decision (§42(3) 2nd part, §42(5), §43): not an instant answer. */
  | 'requires_case'
  /** §46 gives a citizen their own data only. */
  | 'not_own_data';

export interface ResolvedGrant {
  accepted: LegalBasis[];
  rejected: Array<{ basis: string; reason: RejectedBasisReason }>;
}

/** Which of a grant's bases apply to a lookup of `subjectPnr`. */
export function resolveGrant(grant: Grant, subjectPnr: string): ResolvedGrant {
  const accepted: LegalBasis[] = [];
  const rejected: ResolvedGrant['rejected'] = [];
  for (const id of new Set(grant.legalBases)) {
    const b = LEGAL_BASES.get(id);
    if (!b) rejected.push({ basis: id, reason: 'unknown_basis' });
    else if (!b.customerKinds.includes(grant.customerKind)) rejected.push({ basis: id, reason: 'not_for_customer_kind' });
    else if (b.requiresCase) rejected.push({ basis: id, reason: 'requires_case' });
    else if (b.ownDataOnly && (grant.ownPnr === undefined || grant.ownPnr !== subjectPnr)) rejected.push({ basis: id, reason: 'not_own_data' });
    else accepted.push(b);
  }
  return { accepted, rejected };
}

/**
 * The fields a grant can ever disclose (before looking at a person): the
 * union of its usable bases' fields, narrowed to the granted scope.
 * `subjectPnr` matters only for §46.
 */
export function allowedFields(grant: Grant, subjectPnr = grant.ownPnr ?? ''): Set<FieldName> {
  const { accepted } = resolveGrant(grant, subjectPnr);
  const out = new Set<FieldName>();
  for (const b of accepted) for (const f of basisFields(b, grant.fields)) out.add(f);
  if (grant.fields !== undefined) {
    const scope = new Set(grant.fields);
    for (const f of out) if (!scope.has(f)) out.delete(f);
  }
  return out;
}

// ─── Reasons ──────────────────────────────────────────────────────────────

/** Why a field (or part of one) was not disclosed. Stable machine codes. */
export type WithheldReason =
  /** None of the grant's legal bases applies to this customer and person. */
  | 'no_basis'
  /** The basis would allow it, but it is outside the customer's granted data scope (DIS-1; terms 2-3, need to know). */
  | 'not_in_scope'
  /** A private party's bases here do not give it, though another private basis could (e.g. civil status without §38(3)). */
  | 'not_in_basis'
  /** No rule for private parties gives it: §38(2)-(4), §42(2)-(4), §45, §47 are closed lists (separation: §38(3), §42(3)). */
  | 'not_for_companies'
  /** Another person's number, which the basis does not allow (PNR-5; §43(2), §50(3); §46 only children, spouse, parents). */
  | 'pnr_not_allowed'
  /** A name or address under name-and-address protection (§28), and no exception of §28 in the grant. */
  | 'protected_§28'
  /** The guardian's protection is not known to the projection; withheld to fail closed (§28). */
  | 'protection_unknown'
  /** §47: the person has local-directory protection (§29(1)) and is left out of local directories. */
  | 'protected_§29(1)';

export const WITHHELD_REASONS: Readonly<Record<WithheldReason, { rule: string; description: string }>> = {
  no_basis: { rule: '§31-§47', description: 'No legal basis of the grant applies to this customer and person.' },
  not_in_scope: { rule: '§32(2); standard terms 2-3', description: "Outside the customer's granted data scope." },
  not_in_basis: { rule: '§38(2)-(4), §42(2)-(4)', description: "Not among the fields of the customer's legal bases." },
  not_for_companies: { rule: '§38(2)-(4), §42(2)-(4), §45, §47', description: 'No rule gives this to a private party.' },
  pnr_not_allowed: { rule: 'PNR-5; §43(2), §46, §50(3)', description: "Another person's number is not given under this basis." },
  'protected_§28': { rule: '§28', description: 'Name-and-address protection; the grant holds no exception of §28.' },
  protection_unknown: { rule: '§28', description: "The other person's protection was not supplied; withheld to fail closed." },
  'protected_§29(1)': { rule: '§29(1), §47', description: 'Local-directory protection: left out of local directories.' },
};
