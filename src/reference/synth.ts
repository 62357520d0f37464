/**
 * A synthetic ownership register (LAN-6), made from the address register's
 * house numbers; deterministic for (seed, today, the house numbers given).
 *
 * - A house number with 3 or more units is one property owned by a social
 *   housing organisation (45 %) or a private landlord company (35 %), or it is
 *   divided into condominiums (20 %): each unit its own property (ejerlejlighed),
 *   mostly owned by persons, some by landlord companies.
 * - A house with 1 unit is mostly owned by persons (85 %), else by landlord
 *   companies or (rarely) a social housing organisation; with 2 units by
 *   persons (65 %) or landlords.
 * - The current owner acquired the property on a date between 1960/1975 and
 *   a year ago, or (8 % of persons', 12 % of companies' properties) within
 *   the last year. Every recent acquisition and a third of the others have an
 *   earlier owner, whose ownership ends on the current owner's acquisition
 *   date (so LAN-4's "moved out before the current owner acquired it" occurs).
 *
 * Companies are a fixed list with obviously synthetic names and synthetic CVR
 * numbers (modulus 11, starting with 9). Person owners come from the caller
 * (`personOwners`): the population generator passes residents; without it,
 * person-owned properties are made without an owner and listed in
 * `awaitingPersonOwner`, so a later run with the same seed can add them.
 */
import { addDays, daysBetween, type CivilDate } from '../domain/dates.ts';
import { syntheticCvr } from './cvr.ts';
import type { OwnershipFileRecord, PropertyKind } from './import.ts';
import { stableId } from './text.ts';
import { prng } from '../synth/random.ts';

export interface SynthHouse {
  /** DAR husnummer id. */
  id: string;
  municipalityCode: string;
  /** The unit addresses (DAR adresse ids) of the house number. */
  units: readonly string[];
}

export interface PersonOwnerRequest {
  bfe: number;
  kind: PropertyKind;
  /** `current`: the owner today; `previous`: the owner before, until `validTo`. */
  role: 'current' | 'previous';
  houseNumberId: string;
  /** The dwellings of the property: every unit of the house number, or the one condominium unit. */
  unitAddressIds: readonly string[];
  /** The acquisition date the owner must have. */
  acquired: CivilDate;
  validTo: CivilDate | null;
}

/**
 * Chooses the person(s) owning a property: a person number (10 digits, with
 * or without hyphen), several (co-owners with equal shares), or undefined
 * (leave it without a person owner).
 */
export type PersonOwners = (req: PersonOwnerRequest) => string | readonly string[] | undefined;

export type SynthCompanyKind = 'social_housing' | 'private_landlord' | 'small_landlord';

export interface SynthCompany {
  cvr: string;
  name: string;
  kind: SynthCompanyKind;
  /** ejerforholdskode: 20 social housing, 30 companies. */
  ownerCode: string;
}

const NAMES: [string, SynthCompanyKind][] = [
  ['Boligselskabet Syntetisk Nord', 'social_housing'],
  ['Boligselskabet Syntetisk Syd', 'social_housing'],
  ['Syntetisk Almen Boligforening Øst', 'social_housing'],
  ['Syntetisk Almen Boligforening Vest', 'social_housing'],
  ['Boligforeningen Syntetisk Fremtid', 'social_housing'],
  ['Syntetisk Arbejderbolig af 1912', 'social_housing'],
  ['Syntetisk Ejendomme A/S', 'private_landlord'],
  ['Syntetisk Udlejning ApS', 'private_landlord'],
  ['Syntetisk Boliginvest K/S', 'private_landlord'],
  ['Syntetisk Lejebolig ApS', 'private_landlord'],
  ['Syntetisk Ejendomsselskab af 1987 A/S', 'private_landlord'],
  ['Syntetisk Bolig Holding ApS', 'private_landlord'],
  ['Syntetisk Småudlejer ApS', 'small_landlord'],
  ['Syntetisk Mini Udlejning ApS', 'small_landlord'],
];

/** The synthetic companies, the same for every seed (index i has CVR syntheticCvr(i)). */
export const SYNTHETIC_COMPANIES: readonly SynthCompany[] = NAMES.map(([name, kind], i) => ({
  cvr: syntheticCvr(i),
  name,
  kind,
  ownerCode: kind === 'social_housing' ? '20' : '30',
}));

/** The last small landlord owns at most this many properties: one landlord at or under LAN-1's "more than 10 dwellings". */
const MINI_LANDLORD_CAP = 4;

/** The first synthetic BFE number. */
export const SYNTHETIC_BFE_BASE = 900_000_001;

export interface OwnershipSynthOptions {
  seed: number;
  /** The generation date: acquisitions are before it, "recent" is the year before it. */
  today: CivilDate;
  /** The house numbers with their units, in any order (they are taken in id order). */
  houses: readonly SynthHouse[];
  personOwners?: PersonOwners;
  bfeBase?: number;
}

export interface OwnershipSynthResult {
  /** Property, location and ownership records in the import format (docs/reference-registers.md). */
  records: OwnershipFileRecord[];
  /** Person-owned properties without an owner (no person number given for them). */
  awaitingPersonOwner: number[];
  counts: { properties: number; condominiums: number; ownerships: number; previousOwners: number; recentAcquisitions: number };
}

/** FNV-1a, 32 bits. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}


type Owner = { company: SynthCompany } | { person: true };

export function generateOwnership(opts: OwnershipSynthOptions): OwnershipSynthResult {
  const { seed, today } = opts;
  const houses = [...opts.houses].filter((h) => h.units.length > 0).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const social = SYNTHETIC_COMPANIES.filter((c) => c.kind === 'social_housing');
  const landlords = SYNTHETIC_COMPANIES.filter((c) => c.kind === 'private_landlord');
  const small = SYNTHETIC_COMPANIES.filter((c) => c.kind === 'small_landlord');
  const records: OwnershipFileRecord[] = [];
  const awaiting: number[] = [];
  const counts = { properties: 0, condominiums: 0, ownerships: 0, previousOwners: 0, recentAcquisitions: 0 };
  let nextBfe = opts.bfeBase ?? SYNTHETIC_BFE_BASE;
  let miniUsed = 0;
  const yearAgo = addDays(today, -365);

  for (const house of houses) {
    // One stream per house number: adding or removing another house does not change this one's draws.
    const rnd = prng(hash32(`${seed}:${house.id}`));
    const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
    const between = (from: CivilDate, to: CivilDate) => addDays(from, Math.floor(rnd() * Math.max(1, daysBetween(from, to))));
    const local = (pool: readonly SynthCompany[], bias: number) => {
      const r = rnd();
      return r < bias ? pool[hash32(house.municipalityCode) % pool.length]! : pool[Math.floor(rnd() * pool.length)]!;
    };
    const smallLandlord = () => {
      const r = rnd();
      if (r < 0.15 && miniUsed < MINI_LANDLORD_CAP) {
        miniUsed++;
        return small[1]!;
      }
      return small[0]!;
    };
    const n = house.units.length;

    /** Property, location and owners (current and perhaps previous) of one property. */
    const property = (kind: PropertyKind, units: readonly string[], owner: Owner) => {
      const bfe = nextBfe++;
      const isCompany = 'company' in owner;
      const recent = rnd() < (isCompany ? 0.12 : 0.08);
      const earliest = isCompany && owner.company.kind === 'social_housing' ? '1960-01-01' : '1975-01-01';
      const acquired = recent ? addDays(today, -int(1, 364)) : between(earliest, yearAgo);
      // Draws for the earlier owner are made whether or not it is used, so the stream stays the same.
      const prevRoll = rnd();
      const prevYears = int(2, 25);
      const prevKindRoll = rnd();
      const prevPick = rnd();
      const hasPrev = recent || prevRoll < 0.35;
      const prevAcquiredRaw = addDays(acquired, -prevYears * 365 - int(0, 364));
      const prevAcquired = prevAcquiredRaw < '1950-01-01' ? '1950-01-01' : prevAcquiredRaw;
      let prev: Owner | null = null;
      if (hasPrev && prevAcquired < acquired) {
        if (isCompany) {
          const pool = owner.company.kind === 'social_housing' ? social : owner.company.kind === 'private_landlord' ? landlords : landlords;
          if (prevKindRoll < 0.3 && n <= 2) prev = { person: true };
          else {
            const others = pool.filter((c) => c.cvr !== owner.company.cvr);
            prev = { company: others[Math.floor(prevPick * others.length)]! };
          }
        } else {
          prev = prevKindRoll < 0.85 ? { person: true } : { company: small[0]! };
        }
      }
      const validFrom = prev ? prevAcquired : acquired;
      records.push({ type: 'property', bfe, kind, municipalityCode: house.municipalityCode, validFrom });
      records.push(
        kind === 'ejerlejlighed'
          ? { type: 'location', bfe, unitAddressId: units[0]!, validFrom }
          : { type: 'location', bfe, houseNumberId: house.id, validFrom },
      );
      counts.properties++;
      if (kind === 'ejerlejlighed') counts.condominiums++;
      if (recent) counts.recentAcquisitions++;

      const own = (o: Owner, role: 'current' | 'previous', from: CivilDate, to: CivilDate | null): boolean => {
        let numbers: readonly string[];
        let name: string | null = null;
        let ownerCode: string;
        if ('company' in o) {
          numbers = [o.company.cvr];
          name = o.company.name;
          ownerCode = o.company.ownerCode;
        } else {
          const got = opts.personOwners?.({ bfe, kind, role, houseNumberId: house.id, unitAddressIds: units, acquired: from, validTo: to });
          numbers = got === undefined ? [] : typeof got === 'string' ? [got] : got;
          ownerCode = '10';
        }
        numbers.forEach((num, i) => {
          records.push({
            type: 'ownership',
            id: stableId(`opencpr-synth:${seed}:${bfe}:${role}:${i}`),
            bfe,
            ...('company' in o ? { cvr: num, name } : { cpr: num }),
            share: `1/${numbers.length}`,
            acquired: from,
            validFrom: from,
            validTo: to,
            ownerCode,
          });
          counts.ownerships++;
        });
        return numbers.length > 0;
      };
      if (!own(owner, 'current', acquired, null)) awaiting.push(bfe);
      if (prev && own(prev, 'previous', prevAcquired, acquired)) counts.previousOwners++;
    };

    const r = rnd();
    if (n >= 3) {
      if (r < 0.45) property('samlet_fast_ejendom', house.units, { company: local(social, 0.8) });
      else if (r < 0.8) property('samlet_fast_ejendom', house.units, { company: local(landlords, 0.6) });
      else {
        // Condominiums: each unit its own property; a landlord company holds some units of the house.
        const unitLandlord = local(landlords, 0.5);
        for (const unit of house.units) {
          const u = rnd();
          property('ejerlejlighed', [unit], u < 0.65 ? { person: true } : u < 0.9 ? { company: unitLandlord } : { company: smallLandlord() });
        }
      }
    } else if (n === 2) {
      if (r < 0.65) property('samlet_fast_ejendom', house.units, { person: true });
      else if (r < 0.9) property('samlet_fast_ejendom', house.units, { company: local(landlords, 0.6) });
      else property('samlet_fast_ejendom', house.units, { company: smallLandlord() });
    } else {
      if (r < 0.85) property('samlet_fast_ejendom', house.units, { person: true });
      else if (r < 0.93) property('samlet_fast_ejendom', house.units, { company: local(landlords, 0.6) });
      else if (r < 0.97) property('samlet_fast_ejendom', house.units, { company: smallLandlord() });
      else property('samlet_fast_ejendom', house.units, { company: local(social, 0.8) });
    }
  }
  return { records, awaitingPersonOwner: awaiting, counts };
}
