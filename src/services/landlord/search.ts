/**
 * The landlord search (LAN-2..LAN-5, seed 000): who is registered in a
 * rental dwelling (or a whole stairwell) now, and who moved out since the
 * from-date. The controls run in seed 000's order before any person is
 * searched; every search, answered or refused, is audited (and so metered
 * for billing, src/services/usage.ts) before the answer leaves.
 */
import { sql } from 'kysely';
import type { Caller } from '../../access/customers.ts';
import type { Clock } from '../../domain/clock.ts';
import { dateOf, type CivilDate, type Instant } from '../../domain/dates.ts';
import { effectiveProtections } from '../../domain/disclosure/project.ts';
import { LandlordError } from '../../domain/landlord/errors.ts';
import { checkFromDate, enablement, NON_DISCLOSURE_NOTICE, parseOwnerNumber, selectResidents, type ResidencePeriod } from '../../domain/landlord/rules.ts';
import { addressingName as formAddressingName } from '../../domain/names/addressing-name.ts';
import type { GroupValue } from '../../domain/person/facts.ts';
import type { PersonState } from '../../register/bitemporal.ts';
import type { PersonReads, Readers } from '../reader.ts';
import { AddressRegister, type HouseNumberLabel, type UnitLabel } from '../../reference/address-register.ts';
import { OwnershipRegister } from '../../reference/ownership-register.ts';
import { inList, listValue, named, prepareNamed, type NamedRead } from '../../storage/prepared.ts';
import type { LandlordAccess, LandlordCustomers } from './customers.ts';

/** LAN-2's four ways to name the dwelling(s). */
export type AddressQuery =
  | { addressId: string }
  | { houseNumberId: string }
  | { roadName: string; houseNumber: string; postalCode: string; floor?: string; door?: string }
  | { municipalityCode: string; roadCode: string; houseNumber: string; floor?: string; door?: string };

export interface LandlordSearch {
  /** The owner's CVR or CPR number: always required (seed 000). */
  ownerNumber: string;
  address: AddressQuery;
  /** Default: 12 months back; at most 12 months back. */
  fromDate?: CivilDate;
}

export interface SearchOptions {
  requestId?: string;
  /** How the answer leaves (for the audit record): the JSON table or the Excel download. */
  format?: 'json' | 'xlsx';
}

/** The searched unit addresses the owner owns, with the property and its acquisition date. */
export interface SearchedUnit {
  addressId: string;
  label: string;
  floor: string | null;
  door: string | null;
  bfe: number;
  /** The current owner's acquisition date (overtagelsesdato). */
  acquired: CivilDate;
}

export interface ProtectionNotice {
  type: '0001';
  validFrom: CivilDate;
  validTo: CivilDate | null;
  /** Seed 000: not to be passed on to other private parties. */
  doNotPassOn: true;
  notice: { da: string; en: string };
}

export interface LandlordResident {
  /** Addressing name (adresseringsnavn). Shown also for protected persons: the owner is entitled (§45). */
  addressingName: string;
  moveInDate: CivilDate;
  /** True when the person moved in before the current owner acquired the property: the date shown is the acquisition date (seed 000). */
  moveInIsAcquisitionDate: boolean;
  /** Null: registered there now. */
  moveOutDate: CivilDate | null;
  status: 'current' | 'moved_out';
  /** Name-and-address protection (§28) in force today: the mark, with the notice. */
  protection: ProtectionNotice | null;
  unit: { addressId: string; label: string; floor: string | null; door: string | null };
}

export interface LandlordResult {
  queriedAt: Instant;
  query: { ownerNumber: string; address: AddressQuery; fromDate: CivilDate; fromDateDefaulted: boolean };
  address: { scope: 'unit' | 'units' | 'stairwell'; label: string; houseNumberId: string; unitAddressId: string | null };
  units: SearchedUnit[];
  /** Units of the stairwell that belong to a property the owner does not own: not searched. */
  unitsOfOtherOwners: Array<{ addressId: string; label: string }>;
  residents: LandlordResident[];
  notice: { da: string; en: string };
}

export const LANDLORD_FIELDS = ['addressingName', 'moveInDate', 'moveOutDate', 'protectionMark', 'unitAddress'];

/** The landlord basis of the disclosure policy (src/domain/disclosure/policy.ts). */
export const LANDLORD_BASIS = 'landlordService';

interface Place {
  scope: LandlordResult['address']['scope'];
  house: HouseNumberLabel;
  units: UnitLabel[];
  label: string;
  /** The id the search names: the unit's or the house number's. */
  id: string;
}

/** A caller of another customer kind: no profile, no owner numbers. */
const NO_ACCESS: LandlordAccess = { profile: null, ownerNumbers: new Set() };

export class LandlordService {
  readonly addresses: AddressRegister;
  readonly ownership: OwnershipRegister;
  // The search's own reads, compiled once (one SQL text whatever the number of units or persons).
  readonly #readPeriods: NamedRead<'units' | 'today' | 'endedBefore'>;
  readonly #readPersons: NamedRead<'pnrs'>;

  constructor(
    private readonly readers: Readers,
    private readonly customers: LandlordCustomers,
    private readonly clock: Clock,
  ) {
    // The search's prepared reads are compiled here and run only inside the caller's reader (#search).
    const store = readers.store;
    this.addresses = new AddressRegister(store, clock);
    this.ownership = new OwnershipRegister(store, clock);
    this.#readPeriods = prepareNamed(
      store,
      store.db
        .selectFrom('residence')
        .select(['pnr', 'address_id', 'valid_from', 'valid_to'])
        .where(inList(store, 'address_id', 'units'))
        .where('reg_to', 'is', null)
        .where('valid_from', '<=', named('today'))
        .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', named('endedBefore'))]))
        .compile(),
    );
    // Of the state only the name and the protections (nameAndMark): less to send and to parse than the whole record.
    const part = (key: 'name' | 'protection') =>
      store.dialect === 'sqlite' ? sql<string | null>`json_extract(state, ${sql.lit(`$.${key}`)})` : sql<string | null>`(state::json) ->> ${sql.lit(key)}`;
    this.#readPersons = prepareNamed(
      store,
      store.db
        .selectFrom('person_current')
        .select(['pnr', part('name').as('name'), part('protection').as('protection'), 'computed_for', 'stale_at'])
        .where(inList(store, 'pnr', 'pnrs'))
        .compile(),
    );
  }

  async search(caller: Caller, input: LandlordSearch, opts: SearchOptions = {}): Promise<LandlordResult> {
    const now = this.clock.now();
    const today = dateOf(now);
    // The customer's own log shows what it sent (the address and its owner number), never the residents' numbers (seed 000).
    const sent = [Object.values(input.address as Record<string, unknown>).filter((v) => v !== undefined && v !== '').join(' '), `owner:${input.ownerNumber}`];
    const detail = { ownerNumber: input.ownerNumber, address: input.address as Record<string, unknown>, fromDate: input.fromDate ?? null, format: opts.format ?? 'json' };
    let placeId: string | null = null;
    try {
      // Read, cut to seed 000's output, record, and only then answer (services/reader.ts).
      const { result } = await this.readers.for(caller).answer(
        'landlord.search',
        (reads) => this.#search(reads, caller, input, now.toISOString(), today, (id) => (placeId = id)),
        ({ result, pnrs }) => {
          const place = result.address.unitAddressId ?? result.address.houseNumberId;
          return {
            subjects: [place, ...pnrs],
            references: [place, ...sent],
            legalBasis: LANDLORD_BASIS,
            fields: LANDLORD_FIELDS,
            requestId: opts.requestId ?? null,
            detail: {
              ...detail,
              fromDate: result.query.fromDate,
              outcome: 'disclosed',
              addressLabel: result.address.label,
              properties: [...new Set(result.units.map((u) => u.bfe))],
              personsDisclosed: pnrs.length,
              protected: result.residents.filter((r) => r.protection).length,
            },
          };
        },
      );
      return result;
    } catch (e) {
      if (e instanceof LandlordError) {
        // Refused searches are audited too (and so counted): who tried which owner number on which address.
        await this.readers.record(caller, 'landlord.search.refused', {
          subjects: placeId ? [placeId] : [],
          references: sent,
          legalBasis: LANDLORD_BASIS,
          fields: [],
          requestId: opts.requestId ?? null,
          detail: { ...detail, outcome: 'refused', code: e.code, control: e.control, personsDisclosed: 0 },
        });
      }
      throw e;
    }
  }

  async #search(reads: PersonReads, caller: Caller, input: LandlordSearch, queriedAt: Instant, today: CivilDate, placed: (id: string) => void): Promise<{ result: LandlordResult; pnrs: string[] }> {
    // Control 1: "OK – Hvis bruger (personkode) er tildelt adgang til tjenesten" — the user's own grant, and a customer enabled for the service (LAN-1).
    if (!caller.principal.roles.includes('landlord')) {
      throw new LandlordError('landlord_no_access', `${caller.principal.name} (${caller.principal.id}) lacks the landlord role.`, `${caller.principal.name} (${caller.principal.id}) har ikke rollen landlord.`);
    }
    const { profile, ownerNumbers } = caller.customer.kind === 'landlord' ? await this.customers.accessOf(caller.customer.id) : NO_ACCESS;
    const enabled = enablement(profile);
    if (!enabled.enabled) {
      const why = enabled.reason === 'documentation_missing' ? ['No documentation of more than 10 dwellings is recorded.', 'Der er ikke registreret dokumentation for mere end 10 boliger.'] : ['The customer is not registered for the service.', 'Kunden er ikke tilmeldt tjenesten.'];
      throw new LandlordError('landlord_not_enabled', why[0], why[1]);
    }
    const owner = parseOwnerNumber(input.ownerNumber);
    if (!owner) throw new LandlordError('landlord_invalid_owner_number', `Not "${input.ownerNumber}".`, `Ikke "${input.ownerNumber}".`);
    // Control 2: "OK - Hvis det i søgningen anvendte CVR-nr/CPR-nr er knyttet sammen med organisationens brugere."
    if (!ownerNumbers.has(owner.number)) throw new LandlordError('landlord_owner_number_not_tied');
    // LAN-2: at most 12 months back, by the injected clock.
    const fd = checkFromDate(input.fromDate, today);
    if (!fd.ok) {
      if (fd.code === 'landlord_from_date_too_early') {
        throw new LandlordError(fd.code, `The earliest allowed from-date today is ${fd.earliest}.`, `Den tidligste tilladte fra-dato i dag er ${fd.earliest}.`, { earliestFromDate: fd.earliest });
      }
      throw new LandlordError(fd.code, `Today is ${fd.today}.`, `I dag er ${fd.today}.`, { today: fd.today });
    }
    const place = await this.#resolve(input.address, today);
    placed(place.id);
    // Control 3: "Adressens, dvs. boligens/ejendommens, BFE-nr identificeres via opslag i Ejerfortegnelsen.
    // OK - Hvis CVR-nr/CPR-nr er registreret som aktuel ejer af ejendommen i Ejerfortegnelsen."
    const { owned, others } = await this.#ownedUnits(place, owner.number, today);

    // Only now are persons searched.
    const acquiredByUnit = new Map<string, CivilDate>();
    const unitById = new Map<string, SearchedUnit>();
    // Stays that ended before both the from-date and every acquisition date can neither be shown nor move a shown move-in date (it is clamped to the acquisition).
    let threshold = fd.fromDate;
    for (const u of owned) {
      acquiredByUnit.set(u.addressId, u.acquired);
      unitById.set(u.addressId, u);
      if (u.acquired < threshold) threshold = u.acquired;
    }
    const periods = await this.#periods(reads, [...acquiredByUnit.keys()], today, threshold);
    const rows = selectResidents(periods, { today, fromDate: fd.fromDate, acquiredByUnit });
    // The persons in the order they first appear (a person may be shown at two units, or twice at one).
    const names = await this.#persons(reads, [...new Set(rows.map((r) => r.pnr))], today);
    const residents = rows.map((r): LandlordResident => {
      const n = names.get(r.pnr)!;
      const u = unitById.get(r.unitAddressId)!;
      return {
        addressingName: n.name,
        moveInDate: r.moveIn,
        moveInIsAcquisitionDate: r.moveInIsAcquisition,
        moveOutDate: r.moveOut,
        status: r.moveOut === null ? 'current' : 'moved_out',
        protection: n.protection,
        unit: { addressId: u.addressId, label: u.label, floor: u.floor, door: u.door },
      };
    });
    // The person numbers go only into the audit record, never into the answer (LAN-5).
    const pnrs = [...names.keys()];
    const result: LandlordResult = {
      queriedAt,
      query: { ownerNumber: owner.number, address: input.address, fromDate: fd.fromDate, fromDateDefaulted: fd.defaulted },
      address: { scope: place.scope, label: place.label, houseNumberId: place.house.id, unitAddressId: place.scope === 'unit' ? place.units[0]!.id : null },
      units: owned,
      unitsOfOtherOwners: others,
      residents,
      notice: NON_DISCLOSURE_NOTICE,
    };
    return { result, pnrs };
  }

  /** LAN-2: the unit address(es) a search names, valid today (as registered now). */
  async #resolve(q: AddressQuery, today: CivilDate): Promise<Place> {
    const notFound = (what: string) => new LandlordError('landlord_address_not_found', what, what);
    if ('addressId' in q) {
      const h = await this.addresses.labelOfUnit(q.addressId, today);
      const u = h?.units[0];
      if (!h || !u) throw notFound(`DAR adresse id ${q.addressId}.`);
      return { scope: 'unit', house: h, units: h.units, label: u.label, id: u.id };
    }
    if ('houseNumberId' in q) {
      const h = await this.addresses.labelOfHouseNumber(q.houseNumberId, today);
      if (!h || h.units.length === 0) throw notFound(`DAR husnummer id ${q.houseNumberId}.`);
      return this.#placeOf(h, true);
    }
    let found: HouseNumberLabel[];
    let text: string;
    if ('roadName' in q) {
      found = await this.addresses.labelsByPostalAddress(q, today);
      text = `${q.roadName} ${q.houseNumber}${q.floor !== undefined ? `, ${q.floor}.` : ''}${q.door !== undefined ? ` ${q.door}` : ''}, ${q.postalCode}`;
    } else {
      const h = await this.addresses.labelByCodes(q, today);
      found = h ? [h] : [];
      text = `municipality ${q.municipalityCode}, road ${q.roadCode}, no. ${q.houseNumber}${q.floor !== undefined ? `, floor ${q.floor}` : ''}${q.door !== undefined ? `, door ${q.door}` : ''}`;
    }
    if (found.length > 1) throw new LandlordError('landlord_address_ambiguous', `${found.length} house numbers match ${text}.`, `${found.length} husnumre passer på ${text}.`);
    const h = found[0];
    if (!h || h.units.length === 0) throw notFound(text + '.');
    const whole = q.floor === undefined && q.door === undefined;
    return this.#placeOf(h, whole);
  }

  #placeOf(h: HouseNumberLabel, whole: boolean): Place {
    if (!whole && h.units.length === 1) return { scope: 'unit', house: h, units: h.units, label: h.units[0]!.label, id: h.units[0]!.id };
    return { scope: whole ? 'stairwell' : 'units', house: h, units: h.units, label: h.label, id: h.id };
  }

  /**
   * Control 3 per unit: a unit's property is its own (a condominium) or the
   * one holding its house number; the owner number must be among that
   * property's current owners (any share). A stairwell search covers the
   * units the owner owns; units of other owners are not searched.
   */
  async #ownedUnits(place: Place, ownerNumber: string, today: CivilDate): Promise<{ owned: SearchedUnit[]; others: Array<{ addressId: string; label: string }> }> {
    const props = await this.ownership.ownersInHouseNumber(place.house.id, today);
    // The whole house number's property (the first by BFE number), the condominium units' own, and per
    // property the owner's earliest acquisition date among its current shares (null: not an owner).
    let whole: number | undefined;
    const condo = new Map<string, number>();
    const acquiredOf = new Map<number, CivilDate | null>();
    for (const p of props) {
      if (p.unitAddressId === null) whole ??= p.bfe;
      else condo.set(p.unitAddressId, p.bfe);
      let acquired: CivilDate | null = null;
      for (const o of p.owners) if (o.number === ownerNumber && (acquired === null || o.acquired < acquired)) acquired = o.acquired;
      acquiredOf.set(p.bfe, acquired);
    }
    const owned: SearchedUnit[] = [];
    const others: Array<{ addressId: string; label: string }> = [];
    const bfes = new Set<number>();
    for (const u of place.units) {
      const bfe = condo.get(u.id) ?? whole;
      const acquired = bfe === undefined ? null : acquiredOf.get(bfe)!;
      if (bfe !== undefined) bfes.add(bfe);
      if (bfe !== undefined && acquired) owned.push({ addressId: u.id, label: u.label, floor: u.floor, door: u.door, bfe, acquired });
      else others.push({ addressId: u.id, label: u.label });
    }
    if (bfes.size === 0) throw new LandlordError('landlord_address_without_property', `${place.label}.`, `${place.label}.`);
    if (owned.length === 0) {
      const list = [...bfes].join(', ');
      throw new LandlordError('landlord_not_current_owner', `Property (BFE) ${list}, ${place.label}.`, `Ejendom (BFE) ${list}, ${place.label}.`);
    }
    return { owned, others };
  }

  /**
   * The residence periods at the units as the register holds them now
   * (superseded and annulled versions left out) that began by today and had
   * not ended before `endedBefore`.
   */
  async #periods(reads: PersonReads, unitIds: string[], today: CivilDate, endedBefore: CivilDate): Promise<ResidencePeriod[]> {
    const rows = await this.#readPeriods({ units: listValue(reads.store, unitIds), today, endedBefore });
    return (rows as Array<[string, string, CivilDate, CivilDate | null]>).map(([pnr, unitAddressId, validFrom, validTo]) => ({ pnr, unitAddressId, validFrom, validTo }));
  }

  /**
   * The addressing name and the §28 protection in force today of each person:
   * the current-state projection in one read, falling back to the register's
   * own read for a row that time has made stale.
   */
  async #persons(reads: PersonReads, pnrs: string[], today: CivilDate): Promise<Map<string, { name: string; protection: ProtectionNotice | null }>> {
    const out = new Map<string, { name: string; protection: ProtectionNotice | null }>();
    if (pnrs.length === 0) return out;
    const fresh = new Map<string, { name: string; protection: ProtectionNotice | null }>();
    for (const [pnr, name, protection, computedFor, staleAt] of (await this.#readPersons({ pnrs: listValue(reads.store, pnrs) })) as Array<
      [string, string | null, string | null, CivilDate, CivilDate | null]
    >) {
      // The same freshness rule as Register.person.
      if (computedFor <= today && (staleAt === null || today < staleAt)) {
        const state: PersonState = {};
        if (name !== null) state.name = JSON.parse(name) as PersonState['name'];
        if (protection !== null) state.protection = JSON.parse(protection) as PersonState['protection'];
        fresh.set(pnr, nameAndMark(state, today));
      }
    }
    // In the order asked (the audit record's subjects).
    for (const pnr of pnrs) out.set(pnr, fresh.get(pnr) ?? nameAndMark((await reads.person(pnr))?.state ?? {}, today));
    return out;
  }
}

function nameAndMark(state: PersonState, today: CivilDate): { name: string; protection: ProtectionNotice | null } {
  const n = (state.name as { value: GroupValue<'name'> } | undefined)?.value;
  // The register stores the addressing name with every name (§5(4)); form it if a record lacks it.
  const name = n ? (n.addressingName ?? formAddressingName(n).text) : '';
  // §28: name-and-address protection in force today; the owner gets the name with the mark (§45, seed 000).
  const prot = effectiveProtections(state, today).find((x) => x.type === '0001' && !x.impliedBy);
  return { name, protection: prot ? { type: '0001', validFrom: prot.validFrom, validTo: prot.validTo, doNotPassOn: true, notice: NON_DISCLOSURE_NOTICE } : null };
}
