/**
 * Cuts a person to what a customer may see (SPEC DIS-1..DIS-8): one pure
 * projection, `disclose`, driven by the policy tables of `policy.ts`. No I/O
 * and no clock: the valid time is the person view's `validAt`.
 *
 * A `PersonView` holds only the facts valid at its `validAt` as known at its
 * `knownAt` (`Register.person` builds it with `versionsAsOf`, and its cached
 * current state is recomputed when a fact's validity ends), so a
 * name-and-address protection that has lapsed is simply absent from the view.
 * The protections are nevertheless checked against `validAt` here too, so a
 * hand-built view with a stale fact cannot leak.
 */
import { addDays, type CivilDate, type Instant } from '../dates.ts';
import { addressingName as formAddressingName } from '../names/addressing-name.ts';
import type { Group, GroupValue } from '../person/facts.ts';
import { versionsAsOf, versionsKnownAt, type FactState, type PersonState, type Version } from '../../register/bitemporal.ts';
import type { PersonHistory, PersonView } from '../../register/register.ts';
import {
  FIELD_NAMES,
  FIELDS,
  NEVER_FOR_PRIVATE,
  PROTECTED_PARTS,
  WITHHELD_REASONS,
  basisFields,
  isPrivateKind,
  resolveGrant,
  type FieldName,
  type Grant,
  type LegalBasis,
  type OtherNumbers,
  type ProtectedPart,
  type RejectedBasisReason,
  type WithheldReason,
} from './policy.ts';

// ─── Protections ──────────────────────────────────────────────────────────

export type ProtectionType = '0001' | '0002' | '0003' | '0004';

export interface EffectiveProtection {
  type: ProtectionType;
  validFrom: CivilDate;
  validTo: CivilDate | null;
  /** Set when the protection is not registered itself but follows from name-and-address protection (§30(1)). */
  impliedBy?: '0001';
}

const inForce = (f: FactState, at: CivilDate | undefined) =>
  at === undefined || (f.validFrom <= at && (f.validTo === null || at < f.validTo));

/**
 * The protections in force (PRO-1): those registered, plus local-directory
 * (0002, §29(1)) and research (0004, §29(2)) protection for as long as
 * name-and-address protection (0001, §28) is in force (§30(1)). A separately
 * registered §29 protection is listed as registered (it lasts until revoked,
 * §30(2)). With `at`, facts not valid on that date are ignored. One entry
 * per type, ordered by type.
 */
export function effectiveProtections(state: PersonState, at?: CivilDate): EffectiveProtection[] {
  const byType = new Map<ProtectionType, EffectiveProtection>();
  for (const f of listOf(state.protection)) {
    if (!inForce(f, at)) continue;
    const type = (f.value as GroupValue<'protection'>).type;
    const prev = byType.get(type);
    // Two registered facts of one type cannot overlap in a view; keep the later-ending one to be safe.
    if (!prev || (prev.validTo !== null && (f.validTo === null || f.validTo > prev.validTo))) {
      byType.set(type, { type, validFrom: f.validFrom, validTo: f.validTo });
    }
  }
  const nameAddress = byType.get('0001');
  if (nameAddress) {
    for (const implied of ['0002', '0004'] as const) {
      if (!byType.has(implied)) {
        byType.set(implied, { type: implied, validFrom: nameAddress.validFrom, validTo: nameAddress.validTo, impliedBy: '0001' });
      }
    }
  }
  return [...byType.values()].sort((a, b) => (a.type < b.type ? -1 : 1));
}

export function hasProtection(state: PersonState, type: ProtectionType, at?: CivilDate): boolean {
  return effectiveProtections(state, at).some((p) => p.type === type);
}

// ─── The disclosure ───────────────────────────────────────────────────────

export interface DisclosureOptions {
  /** The person's history, for `history` and for the address at death when the view has none. */
  history?: PersonHistory;
  /**
   * Person numbers of other persons named in the record (the guardian) who
   * have name-and-address protection in force at the view's `validAt`. A
   * private customer gets a guardian's name and address only when this is
   * given and does not hold the guardian's number (§28; fail closed).
   */
  protectedPersons?: ReadonlySet<string>;
}

export interface Withheld {
  /** A field name, or a part of one (`death.lastAddress`, `guardianship.guardianPnr`, `history.address`). */
  field: string;
  reason: WithheldReason;
  /** The rule (§) behind the reason. */
  rule: string;
}

/** The name-and-address protection mark that travels with a protected name or address (§34(2), §40(2), §44(1)). */
export interface ProtectionMark {
  type: '0001';
  validFrom: CivilDate;
  /** The day the protection lapses unless extended (§28: one year); null when open. */
  validTo: CivilDate | null;
  /** The rules that require the mark for this customer. */
  rules: string[];
  /** The names and addresses must not be passed on to private parties (§34(1)-(2), §40(2)-(3), §44(3)). False only for own data. */
  doNotPassOn: boolean;
}

export interface DatedLines {
  lines: string[];
  countryCode?: string;
  date: CivilDate;
}

export type Address = GroupValue<'address'>;

/** The disclosed data; each key is a field of the catalogue (docs/disclosure.md). */
export interface DisclosedData {
  pnr?: string;
  birthDate?: CivilDate;
  sex?: 'M' | 'K';
  name?: { firstNames: string[]; middleNames: string[]; lastName: string; ownLastName?: string; notRegistrableMark?: boolean };
  addressingName?: string;
  address?: Address;
  moveDate?: CivilDate;
  supplementaryAddress?: DatedLines;
  contactAddress?: DatedLines;
  occupation?: string;
  marketingProtection?: boolean;
  protections?: EffectiveProtection[];
  status?: { code: string; date: CivilDate };
  death?: { date: CivilDate; lastAddress?: Address };
  disappearance?: { date: CivilDate };
  emigration?: { date?: CivilDate; foreignAddress?: DatedLines };
  guardianship?: { date: CivilDate; guardianPnr?: string; guardianName?: string; guardianAddress?: string[] };
  civilStatus?: string;
  civilStatusDate?: CivilDate;
  spouse?: { pnr?: string; name?: string };
  separation?: { date: CivilDate };
  birthPlace?: { place?: string; authorityCode?: string };
  relations?: Array<{ role: string; pnr?: string; name?: string; birthDate?: CivilDate; date: CivilDate }>;
  citizenship?: Array<{ countryCode: string; date: CivilDate }>;
  church?: { member: 'F' | 'U'; date: CivilDate };
  municipalConditions?: Array<{ type: string; value: string; date: CivilDate }>;
  notes?: Array<{ text: string; date: CivilDate }>;
  election?: { excluded: boolean; reason?: string; date: CivilDate };
  numberChanges?: Array<{ direction: 'replaced_by' | 'replaces'; pnr: string; date: CivilDate }>;
  history?: HistoryEntry[];
}

export interface HistoryEntry {
  group: Group;
  value: unknown;
  validFrom: CivilDate;
  validTo: CivilDate | null;
  registeredFrom: Instant;
  registeredTo: Instant | null;
}

export interface Disclosure {
  data: DisclosedData;
  /** Present when a name or address under name-and-address protection is disclosed. */
  protectionMark?: ProtectionMark;
  /** Every field (or part) the person has that is not in `data`, with the reason. */
  withheld: Withheld[];
  /** The legal bases that gave at least one disclosed field, in the grant's order. */
  basis: string[];
  /** The bases of the grant that could not be used for this lookup, and why. */
  rejectedBases: Array<{ basis: string; reason: RejectedBasisReason }>;
  /** The fields disclosed, in catalogue order (for the audit log). */
  fields: FieldName[];
}

const NUMBER_RANK: Record<OtherNumbers, number> = { none: 0, family: 1, all: 2 };
const FAMILY_ROLES: ReadonlySet<string> = new Set(['mother', 'father', 'child']);
const PROTECTED: ReadonlySet<string> = new Set(PROTECTED_PARTS);

/**
 * The part of `person` that `grant` may see (DIS-1): only allowed fields in
 * `data`, every other field of the person in `withheld` with a reason.
 */
export function disclose(person: PersonView, grant: Grant, opts: DisclosureOptions = {}): Disclosure {
  const { accepted, rejected } = resolveGrant(grant, person.pnr);
  const at = person.validAt;
  const protections = effectiveProtections(person.state, at);
  const nameAddress = protections.find((p) => p.type === '0001' && p.impliedBy === undefined);
  const localDirectory = protections.some((p) => p.type === '0002');
  const privateParty = isPrivateKind(grant.customerKind);
  const scope = grant.fields === undefined ? undefined : new Set(grant.fields);

  // §47: a basis that leaves out persons with §28 or §29(1) protection gives nothing for them.
  const active: LegalBasis[] = [];
  const excludedFields = new Map<FieldName, WithheldReason>();
  for (const b of accepted) {
    const exclusion: WithheldReason | null = !b.excludedBy
      ? null
      : b.excludedBy.includes('0001') && nameAddress
        ? 'protected_§28'
        : b.excludedBy.includes('0002') && localDirectory
          ? 'protected_§29(1)'
          : null;
    if (exclusion) for (const f of basisFields(b, grant.fields)) excludedFields.set(f, exclusion);
    else active.push(b);
  }
  const givenBy = new Map<FieldName, LegalBasis[]>();
  for (const b of active) for (const f of basisFields(b, grant.fields)) givenBy.set(f, [...(givenBy.get(f) ?? []), b]);

  const overrides = (part: ProtectedPart) =>
    active.some((b) => b.protectedParts === 'all' || b.protectedParts.includes(part));
  const protectedHere = (part: ProtectedPart) => nameAddress !== undefined && !overrides(part);

  /** Why a field may not be given at all (independent of the person's data), or null. */
  const fieldBlock = (f: FieldName): WithheldReason | null => {
    if (accepted.length === 0) return 'no_basis';
    if (!givenBy.has(f)) {
      const excl = excludedFields.get(f);
      if (excl) return excl;
      if (grant.customerKind === 'public_authority') return 'not_in_scope';
      if (privateParty) return NEVER_FOR_PRIVATE.has(f) ? 'not_for_companies' : 'not_in_basis';
      return 'not_in_basis';
    }
    if (scope && !scope.has(f)) return 'not_in_scope';
    if (PROTECTED.has(f) && protectedHere(f as ProtectedPart)) return 'protected_§28';
    return null;
  };
  /** How far other persons' numbers may be shown in field f: the widest of the bases giving it. */
  const numbersFor = (f: FieldName): OtherNumbers => {
    let best: OtherNumbers = 'none';
    for (const b of givenBy.get(f) ?? []) if (NUMBER_RANK[b.otherNumbers] > NUMBER_RANK[best]) best = b.otherNumbers;
    return best;
  };

  /** §28 protects the guardian too, and none of §28's exceptions covers a guardian's name and address. */
  const guardianCut = (guardianPnr: string): WithheldReason | null =>
    !privateParty ? null : opts.protectedPersons === undefined ? 'protection_unknown' : opts.protectedPersons.has(guardianPnr) ? 'protected_§28' : null;

  const withheld: Withheld[] = [];
  const withhold = (field: string, reason: WithheldReason) => {
    // A private party is not told about fields no rule gives it: naming them would tell it that
    // the person has them (a separation, §38(3)/§42(3); relations, a number change, a guardian's number).
    if (privateParty && reason === 'not_for_companies') return;
    withheld.push({ field, reason, rule: WITHHELD_REASONS[reason].rule });
  };

  const present = collect(person, opts, nameAddress !== undefined);
  const data: Record<string, unknown> = {};
  const disclosedParts = new Set<string>();

  for (const f of FIELD_NAMES) {
    if (!present.has(f)) continue;
    const block = fieldBlock(f);
    if (block) {
      withhold(f, block);
      continue;
    }
    let value = present.get(f);
    const numbers = numbersFor(f);
    switch (f) {
      case 'death': {
        const d = { ...(value as NonNullable<DisclosedData['death']>) };
        // §38(2) nr. 5: "afdødes daværende adresse, medmindre denne er beskyttet".
        const wasProtected = present.lastAddressWasProtected === true && !overrides('death.lastAddress');
        if (d.lastAddress && (protectedHere('death.lastAddress') || wasProtected)) {
          delete d.lastAddress;
          withhold('death.lastAddress', 'protected_§28');
        } else if (d.lastAddress) disclosedParts.add('death.lastAddress');
        value = d;
        break;
      }
      case 'emigration': {
        const e = { ...(value as NonNullable<DisclosedData['emigration']>) };
        // §38(2) nr. 7: "eventuel ny adresse i udlandet, medmindre denne er beskyttet".
        if (e.foreignAddress && protectedHere('emigration.foreignAddress')) {
          if (e.date === undefined) {
            withhold(f, 'protected_§28');
            continue;
          }
          delete e.foreignAddress;
          withhold('emigration.foreignAddress', 'protected_§28');
        } else if (e.foreignAddress) disclosedParts.add('emigration.foreignAddress');
        value = e;
        break;
      }
      case 'guardianship': {
        const g = { ...(value as NonNullable<DisclosedData['guardianship']>) };
        const guardianPnr = g.guardianPnr;
        if (guardianPnr !== undefined && NUMBER_RANK[numbers] < NUMBER_RANK.all) {
          // §38(2) nr. 9 gives the guardian's name and address, not number; §46 covers children, spouse, parents only.
          delete g.guardianPnr;
          withhold('guardianship.guardianPnr', privateParty && numbers === 'none' ? 'not_for_companies' : 'pnr_not_allowed');
        }
        if (guardianPnr !== undefined && (g.guardianName !== undefined || g.guardianAddress !== undefined)) {
          const reason = guardianCut(guardianPnr);
          if (reason) {
            if (g.guardianName !== undefined) withhold('guardianship.guardianName', reason);
            if (g.guardianAddress !== undefined) withhold('guardianship.guardianAddress', reason);
            delete g.guardianName;
            delete g.guardianAddress;
          }
        }
        value = g;
        break;
      }
      case 'spouse': {
        const s = { ...(value as NonNullable<DisclosedData['spouse']>) };
        if (s.pnr !== undefined && numbers === 'none') {
          if (s.name === undefined) {
            withhold(f, 'pnr_not_allowed');
            continue;
          }
          delete s.pnr;
          withhold('spouse.pnr', 'pnr_not_allowed');
        }
        value = s;
        break;
      }
      case 'relations': {
        const list = (value as NonNullable<DisclosedData['relations']>).map((r) => ({ ...r }));
        let stripped = false;
        for (const r of list) {
          if (r.pnr !== undefined && !mayShowRelationPnr(r.role, numbers)) {
            delete r.pnr;
            stripped = true;
          }
        }
        if (stripped) withhold('relations.pnr', 'pnr_not_allowed');
        value = list;
        break;
      }
      case 'numberChanges': {
        if (numbers === 'none') {
          withhold(f, 'pnr_not_allowed');
          continue;
        }
        break;
      }
      case 'history': {
        const h = historyFor(opts.history!, person.knownAt, fieldBlock, numbers, guardianCut, withhold);
        value = h.entries;
        for (const g of h.groups) if (g === 'name' || g === 'address') disclosedParts.add(g);
        break;
      }
      default:
        if (PROTECTED.has(f)) disclosedParts.add(f);
    }
    data[f] = value;
  }

  const fields = FIELD_NAMES.filter((f) => Object.hasOwn(data, f));
  const basis = active
    .filter((b) => basisFields(b, grant.fields).some((f) => Object.hasOwn(data, f)))
    .map((b) => b.id);

  const out: Disclosure = { data: data as DisclosedData, withheld, basis, rejectedBases: rejected, fields };
  if (nameAddress && disclosedParts.size > 0) {
    const rules = [
      ...new Set(
        active
          .filter((b) => b.markRule && (b.protectedParts === 'all' || b.protectedParts.some((p) => disclosedParts.has(p))))
          .map((b) => b.markRule!),
      ),
    ];
    out.protectionMark = {
      type: '0001',
      validFrom: nameAddress.validFrom,
      validTo: nameAddress.validTo,
      rules,
      // Own data (§46) is the person's own to pass on.
      doNotPassOn: !(grant.customerKind === 'citizen' && active.some((b) => b.ownDataOnly)),
    };
  }
  return out;
}

function mayShowRelationPnr(role: string, numbers: OtherNumbers): boolean {
  if (numbers === 'all') return true;
  // §46: "egne børns, ægtefælles samt forældres personnumre".
  if (numbers === 'family') return FAMILY_ROLES.has(role);
  return false;
}

// ─── Reading the person ───────────────────────────────────────────────────

type Present = Map<FieldName, unknown> & { lastAddressWasProtected?: boolean };

function listOf(f: FactState | FactState[] | undefined): FactState[] {
  return f === undefined ? [] : Array.isArray(f) ? f : [f];
}
function single<G extends Group>(state: PersonState, g: G): { value: GroupValue<G>; validFrom: CivilDate } | undefined {
  const one: FactState | undefined = listOf(state[g])[0];
  return one ? { value: one.value as GroupValue<G>, validFrom: one.validFrom } : undefined;
}
function many<G extends Group>(state: PersonState, g: G): Array<{ value: GroupValue<G>; validFrom: CivilDate }> {
  return listOf(state[g]).map((f) => ({ value: f.value as GroupValue<G>, validFrom: f.validFrom }));
}
const dated = (v: GroupValue<'contactAddress'>, date: CivilDate): DatedLines => ({
  lines: [...v.lines],
  ...(v.countryCode !== undefined ? { countryCode: v.countryCode } : {}),
  date,
});
const compact = <T extends Record<string, unknown>>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
const byKey = <T>(key: (t: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/** Every field the person has, with its full value (before any cut). */
function collect(person: PersonView, opts: DisclosureOptions, protectedNow: boolean): Present {
  const s = person.state;
  const out: Present = new Map();
  out.set('pnr', person.pnr);
  const birth = single(s, 'birth');
  out.set('birthDate', birth?.value.birthDate ?? person.birthDate);
  out.set('sex', birth?.value.sex ?? person.sex);

  const name = single(s, 'name');
  if (name) {
    const n = name.value;
    out.set(
      'name',
      compact({
        firstNames: [...n.firstNames],
        middleNames: [...(n.middleNames ?? [])],
        lastName: n.lastName,
        ownLastName: n.ownLastName,
        notRegistrableMark: n.notRegistrableMark,
      }),
    );
    // The register stores the addressing name with every name (§5(4)); form it if a record lacks it.
    out.set('addressingName', n.addressingName ?? formAddressingName(n).text);
  }
  const address = single(s, 'address');
  if (address) {
    out.set('address', { ...address.value });
    out.set('moveDate', address.validFrom);
  }
  const supp = single(s, 'supplementaryAddress');
  if (supp) out.set('supplementaryAddress', dated(supp.value, supp.validFrom));
  const contact = single(s, 'contactAddress');
  if (contact) out.set('contactAddress', dated(contact.value, contact.validFrom));
  const occupation = single(s, 'occupation');
  if (occupation) out.set('occupation', occupation.value.title);

  const protections = effectiveProtections(s, person.validAt);
  // §29(3): a mark; "eventuel markering" is answered true or false.
  out.set('marketingProtection', protections.some((p) => p.type === '0003'));
  if (protections.length > 0) out.set('protections', protections);

  const status = single(s, 'status');
  const foreign = single(s, 'foreignAddress');
  if (status) {
    out.set('status', { code: status.value.code, date: status.validFrom });
    if (status.value.code === '90') {
      const death: NonNullable<DisclosedData['death']> = { date: status.validFrom };
      let last: Address | undefined = address?.value;
      if (!last && opts.history) {
        // The address is ended at death; "afdødes daværende adresse" is the one valid the day before.
        const before = versionsAsOf(opts.history.versions, addDays(status.validFrom, -1), person.knownAt);
        last = before.find((v) => v.g === 'address')?.v as Address | undefined;
        // A protection in force at death still covers the address of that time (§28).
        if (!protectedNow && before.some((v) => v.g === 'protection' && (v.v as GroupValue<'protection'>).type === '0001')) {
          out.lastAddressWasProtected = true;
        }
      }
      if (last) death.lastAddress = { ...last };
      out.set('death', death);
    }
    if (status.value.code === '70') out.set('disappearance', { date: status.validFrom });
  }
  if (status?.value.code === '80' || foreign) {
    out.set(
      'emigration',
      compact({
        date: status?.value.code === '80' ? status.validFrom : undefined,
        foreignAddress: foreign ? dated(foreign.value, foreign.validFrom) : undefined,
      }),
    );
  }
  const guardianship = single(s, 'guardianship');
  if (guardianship) {
    const g = guardianship.value;
    out.set(
      'guardianship',
      compact({
        date: guardianship.validFrom,
        guardianPnr: g.guardianPnr,
        guardianName: g.guardianName,
        guardianAddress: g.guardianAddress ? [...g.guardianAddress] : undefined,
      }),
    );
  }
  const civil = single(s, 'civilStatus');
  if (civil) {
    out.set('civilStatus', civil.value.code);
    out.set('civilStatusDate', civil.validFrom);
    if (civil.value.spousePnr !== undefined || civil.value.spouseName !== undefined) {
      out.set('spouse', compact({ pnr: civil.value.spousePnr, name: civil.value.spouseName }));
    }
  }
  const separation = single(s, 'separation');
  if (separation) out.set('separation', { date: separation.validFrom });
  if (birth && (birth.value.place !== undefined || birth.value.authorityCode !== undefined)) {
    out.set('birthPlace', compact({ place: birth.value.place, authorityCode: birth.value.authorityCode }));
  }
  const relations = many(s, 'relation');
  if (relations.length) {
    out.set(
      'relations',
      relations
        .map((r) => compact({ role: r.value.role, pnr: r.value.pnr, name: r.value.name, birthDate: r.value.birthDate, date: r.validFrom }))
        .sort(byKey((r) => `${r.role}\u0000${r.pnr ?? ''}\u0000${r.name ?? ''}`)),
    );
  }
  const citizenship = many(s, 'citizenship');
  if (citizenship.length) {
    out.set('citizenship', citizenship.map((c) => ({ countryCode: c.value.countryCode, date: c.validFrom })).sort(byKey((c) => c.countryCode)));
  }
  const church = single(s, 'church');
  if (church) out.set('church', { member: church.value.member, date: church.validFrom });
  const conditions = many(s, 'municipalCondition');
  if (conditions.length) {
    out.set('municipalConditions', conditions.map((c) => ({ type: c.value.type, value: c.value.value, date: c.validFrom })).sort(byKey((c) => `${c.type}\u0000${c.date}`)));
  }
  const notes = many(s, 'note');
  if (notes.length) out.set('notes', notes.map((n) => ({ text: n.value.text, date: n.validFrom })).sort(byKey((n) => `${n.date}\u0000${n.text}`)));
  const election = single(s, 'election');
  if (election) out.set('election', compact({ excluded: election.value.excluded, reason: election.value.reason, date: election.validFrom }));
  const changes = many(s, 'numberChange');
  if (changes.length) {
    out.set('numberChanges', changes.map((c) => ({ direction: c.value.direction, pnr: c.value.pnr, date: c.validFrom })).sort(byKey((c) => c.pnr)));
  }
  if (opts.history) out.set('history', null);
  return out;
}

// ─── History ──────────────────────────────────────────────────────────────

/** The fields each group backs: a group's history is given only when all of them may be. */
const GROUP_FIELDS: ReadonlyMap<Group, FieldName[]> = (() => {
  const m = new Map<Group, FieldName[]>();
  for (const f of FIELD_NAMES) for (const g of FIELDS[f].groups) m.set(g, [...(m.get(g) ?? []), f]);
  return m;
})();

function historyFor(
  history: PersonHistory,
  knownAt: Instant,
  fieldBlock: (f: FieldName) => WithheldReason | null,
  numbers: OtherNumbers,
  guardianCut: (guardianPnr: string) => WithheldReason | null,
  withhold: (field: string, reason: WithheldReason) => void,
): { entries: HistoryEntry[]; groups: Set<Group> } {
  const entries: HistoryEntry[] = [];
  const groups = new Set<Group>();
  const blocked = new Map<Group, WithheldReason | null>();
  const stripped = new Set<string>();
  for (const v of versionsKnownAt(history.versions, knownAt)) {
    if (!blocked.has(v.g)) {
      const fields = GROUP_FIELDS.get(v.g) ?? [];
      let reason: WithheldReason | null = fields.length === 0 ? 'not_in_scope' : null;
      for (const f of fields) reason ??= fieldBlock(f);
      blocked.set(v.g, reason);
      if (reason) withhold(`history.${v.g}`, reason);
    }
    if (blocked.get(v.g)) continue;
    groups.add(v.g);
    entries.push({
      group: v.g,
      value: historyValue(v, numbers, guardianCut, (part, reason) => {
        if (!stripped.has(part)) withhold(`history.${part}`, reason);
        stripped.add(part);
      }),
      validFrom: v.vf,
      validTo: v.vt,
      registeredFrom: v.rf,
      registeredTo: v.rt,
    });
  }
  return { entries, groups };
}

/** A version's value with other persons' numbers removed where the basis does not allow them. */
function historyValue(
  v: Version,
  numbers: OtherNumbers,
  guardianCut: (guardianPnr: string) => WithheldReason | null,
  strip: (part: string, reason: WithheldReason) => void,
): unknown {
  const value = structuredClone(v.v) as Record<string, unknown>;
  if (value === null || typeof value !== 'object') return value;
  if (v.g === 'guardianship' && typeof value.guardianPnr === 'string') {
    const cut = guardianCut(value.guardianPnr);
    if (cut && (value.guardianName !== undefined || value.guardianAddress !== undefined)) {
      delete value.guardianName;
      delete value.guardianAddress;
      strip('guardianship.guardian', cut);
    }
  }
  if (numbers === 'all') return value;
  if (v.g === 'relation' && value.pnr !== undefined && !mayShowRelationPnr(String(value.role), numbers)) {
    delete value.pnr;
    strip('relation.pnr', 'pnr_not_allowed');
  }
  if (v.g === 'guardianship' && value.guardianPnr !== undefined) {
    delete value.guardianPnr;
    strip('guardianship.guardianPnr', 'pnr_not_allowed');
  }
  if (numbers === 'none') {
    if (v.g === 'civilStatus' && value.spousePnr !== undefined) {
      delete value.spousePnr;
      strip('civilStatus.spousePnr', 'pnr_not_allowed');
    }
    if (v.g === 'numberChange' && value.pnr !== undefined) {
      delete value.pnr;
      strip('numberChange.pnr', 'pnr_not_allowed');
    }
  }
  return value;
}
