/**
 * The landlord service's rules (SPEC LAN-1..LAN-5, seed 000 "Adgang til
 * oplysninger fra CPR om flytninger til og fra en bolig", CPR May 2023).
 * Pure: no I/O, no clock (today is given).
 *
 * Since 1 January 2021 the owners of rental dwellings may learn who is
 * registered in a dwelling now and who moved out within the last year
 * (L 14, 2020-21). Seed 000's sentences, quoted where they are applied.
 */
import { addMonths, type CivilDate } from '../dates.ts';

// ─── LAN-1: who may use the service ─────────────────────────────────────

/** Seed 000: "almene boligorganisationer samt private udlejningsvirksomheder, som ejer og udlejer mere end 10 boliger". */
export const LANDLORD_KINDS = ['social_housing', 'private_landlord'] as const;
export type LandlordKind = (typeof LANDLORD_KINDS)[number];

/** A private landlord must own and let MORE than this many dwellings (seed 000). */
export const PRIVATE_LANDLORD_MIN_EXCLUSIVE = 10;

export interface LandlordProfile {
  kind: LandlordKind;
  /** The recorded documentation (reference), if any. */
  documentation: string | null;
  documentedDwellings: number | null;
}

/**
 * Whether the customer may use the service (LAN-1). A social housing
 * organisation may on request; a private landlord only with recorded
 * documentation that it owns and lets more than 10 dwellings (seed 000:
 * "En privat udlejer skal dokumentere, at denne ejer og udlejer mere end 10
 * boliger").
 */
export function enablement(p: LandlordProfile | null): { enabled: true } | { enabled: false; reason: 'not_registered' | 'documentation_missing' } {
  if (!p) return { enabled: false, reason: 'not_registered' };
  if (p.kind === 'social_housing') return { enabled: true };
  if (p.documentation === null || p.documentedDwellings === null || p.documentedDwellings <= PRIVATE_LANDLORD_MIN_EXCLUSIVE) {
    return { enabled: false, reason: 'documentation_missing' };
  }
  return { enabled: true };
}

/** An owner number: a CVR number (8 digits) or a person number (10 digits, hyphen optional). Null when neither. */
export function parseOwnerNumber(input: string): { kind: 'cvr' | 'cpr'; number: string } | null {
  const v = input.trim();
  if (/^\d{8}$/.test(v)) return { kind: 'cvr', number: v };
  const m = /^(\d{6})-?(\d{4})$/.exec(v);
  return m ? { kind: 'cpr', number: m[1]! + m[2]! } : null;
}

// ─── LAN-2: the from-date ───────────────────────────────────────────────

/** Seed 000: "maksimalt 12 måneder tilbage i tid". */
export const FROM_DATE_MONTHS = 12;

/** The earliest from-date allowed today (LAN-2): 12 months back, by the one month rule of domain/dates.ts (29 Feb → 28 Feb). */
export function earliestFromDate(today: CivilDate): CivilDate {
  return addMonths(today, -FROM_DATE_MONTHS);
}

export type FromDateCheck =
  | { ok: true; fromDate: CivilDate; defaulted: boolean }
  | { ok: false; code: 'landlord_from_date_too_early'; earliest: CivilDate }
  | { ok: false; code: 'landlord_from_date_in_future'; today: CivilDate };

/**
 * LAN-2: the from-date is optional (default: 12 months back) and at most 12
 * months back; an earlier one is refused, naming the earliest allowed date.
 * A from-date after today asks about moves that have not happened: refused.
 */
export function checkFromDate(fromDate: CivilDate | undefined, today: CivilDate): FromDateCheck {
  const earliest = earliestFromDate(today);
  if (fromDate === undefined) return { ok: true, fromDate: earliest, defaulted: true };
  if (fromDate < earliest) return { ok: false, code: 'landlord_from_date_too_early', earliest };
  if (fromDate > today) return { ok: false, code: 'landlord_from_date_in_future', today };
  return { ok: true, fromDate, defaulted: false };
}

// ─── LAN-4: who is shown ────────────────────────────────────────────────

/**
 * A residence period of a person at a unit address, in its VALIDITY period
 * (virkning): [validFrom, validTo), validTo exclusive, i.e. the move-out
 * date; null while the person lives there. Only periods the register holds
 * now (not superseded, not annulled) are given.
 */
export interface ResidencePeriod {
  pnr: string;
  unitAddressId: string;
  validFrom: CivilDate;
  validTo: CivilDate | null;
}

export interface ResidentRow {
  pnr: string;
  unitAddressId: string;
  /** The move-in date shown: the real one, or the current owner's acquisition date when it is later. */
  moveIn: CivilDate;
  /** True when the move-in date shown is the acquisition date (the person moved in before the owner acquired the property). */
  moveInIsAcquisition: boolean;
  /** The move-out date; null: lives there now. */
  moveOut: CivilDate | null;
}

export interface SelectOptions {
  today: CivilDate;
  fromDate: CivilDate;
  /** The current owner's acquisition date (overtagelsesdato) of the property of each unit address searched. */
  acquiredByUnit: ReadonlyMap<string, CivilDate>;
}

/**
 * Joins periods of one person at one unit that follow each other without a
 * gap (a change of the address's other fields, e.g. a road renamed, splits a
 * residence into versions; it is still one stay).
 */
export function mergeStays(periods: readonly ResidencePeriod[]): ResidencePeriod[] {
  const sorted = [...periods].sort((a, b) =>
    a.pnr !== b.pnr ? (a.pnr < b.pnr ? -1 : 1) : a.unitAddressId !== b.unitAddressId ? (a.unitAddressId < b.unitAddressId ? -1 : 1) : a.validFrom < b.validFrom ? -1 : a.validFrom > b.validFrom ? 1 : 0,
  );
  const out: ResidencePeriod[] = [];
  for (const p of sorted) {
    const last = out[out.length - 1];
    if (last && last.pnr === p.pnr && last.unitAddressId === p.unitAddressId && last.validTo !== null && last.validTo >= p.validFrom) {
      last.validTo = p.validTo === null || last.validTo === null ? null : p.validTo > last.validTo ? p.validTo : last.validTo;
    } else {
      out.push({ ...p });
    }
  }
  return out;
}

/**
 * LAN-4, seed 000 "Forretningslogik – opslag". Always on the validity period,
 * never the registration period ("Bemærk at der altid anvendes
 * virkningsperiode (gyldighedsperiode) og ikke registreringsperiode"): a late
 * registration counts from the date it is valid from, and a corrected date
 * counts as corrected.
 *
 * Periods of annulled registrations must not be given (the caller reads only
 * what the register holds now): "Personer, som har været registreret på
 * adressen, men tilflytningen sidenhen er blevet annulleret" are not shown.
 *
 * Ordered by unit (as given in `acquiredByUnit`), then current residents
 * before those who moved out, then move-in date.
 */
export function selectResidents(periods: readonly ResidencePeriod[], opts: SelectOptions): ResidentRow[] {
  const { today, fromDate, acquiredByUnit } = opts;
  const rows: ResidentRow[] = [];
  for (const p of mergeStays(periods)) {
    const acquired = acquiredByUnit.get(p.unitAddressId);
    if (acquired === undefined) continue; // not a unit searched (or not the owner's)
    // A move-in after today is no residence yet ("aktuel bopæl": current residence).
    if (p.validFrom > today) continue;
    const current = p.validTo === null || p.validTo > today;
    // "1. Personer med aktuel bopæl i boligen hentes."
    // "2. Personer fraflyttet siden den anførte fra dato (maksimalt 12 måneder tilbage i tid) hentes."
    if (!current && p.validTo! < fromDate) continue;
    // "Følgende personer indgår dog ikke: 1. Personer fraflyttet før den nuværende ejers erhvervelse af boligen."
    if (!current && p.validTo! < acquired) continue;
    // "En tilflytningsdato, som ligger forud for nuværende ejers erhvervelse af boligen, sættes lig med datoen for nuværende ejers erhvervelse af boligen."
    const before = p.validFrom < acquired;
    rows.push({ pnr: p.pnr, unitAddressId: p.unitAddressId, moveIn: before ? acquired : p.validFrom, moveInIsAcquisition: before, moveOut: current ? null : p.validTo });
  }
  const unitOrder = new Map([...acquiredByUnit.keys()].map((id, i) => [id, i]));
  return rows.sort(
    (a, b) =>
      unitOrder.get(a.unitAddressId)! - unitOrder.get(b.unitAddressId)! ||
      (a.moveOut === null ? 0 : 1) - (b.moveOut === null ? 0 : 1) ||
      (a.moveIn < b.moveIn ? -1 : a.moveIn > b.moveIn ? 1 : 0) ||
      (a.pnr < b.pnr ? -1 : a.pnr > b.pnr ? 1 : 0),
  );
}

// ─── LAN-5: the notice ──────────────────────────────────────────────────

/**
 * Seed 000: "Navne- og adresseoplysninger for en person med navne- og
 * adressebeskyttelse må ikke videregives til andre private." The owner is
 * entitled to the names (§45); the mark travels with them (§28).
 */
export const NON_DISCLOSURE_NOTICE = {
  da: 'Navne- og adresseoplysninger for en person med navne- og adressebeskyttelse må ikke videregives til andre private.',
  en: 'The name and address of a person with name and address protection must not be passed on to other private parties.',
} as const;
