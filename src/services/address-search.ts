/**
 * Address type-ahead over the DAR address register (issue 7): roads by name
 * prefix (optionally in a postal code), then the house numbers of one road,
 * then the unit addresses (floor, door) of one house number, each with its
 * DAR id. DAR addresses are public data: no person is read or named here.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../domain/clock.ts';
import { dateOf } from '../domain/dates.ts';
import { AddressRegister, addressLabel, type RoadSuggestion } from '../reference/address-register.ts';
import { houseKey } from '../reference/text.ts';
import { asOf } from '../reference/versions.ts';
import type { Store } from '../storage/store.ts';

export interface HouseNumberSuggestion {
  /** DAR husnummer id. */
  id: string;
  municipalityCode: string;
  roadCode: string;
  roadName: string;
  houseNumber: string;
  postalCode: string;
  postalDistrict: string;
  label: string;
}

export interface UnitSuggestion {
  /** DAR adresse id. */
  id: string;
  houseNumberId: string;
  floor: string | null;
  door: string | null;
  label: string;
}

/** "2B" sorts after "2" and before "10": by number, then letter. */
function compareHouse(a: string, b: string): number {
  const n = (s: string) => Number.parseInt(s, 10) || 0;
  return n(a) - n(b) || a.localeCompare(b);
}

export class AddressSearch {
  readonly dar: AddressRegister;
  constructor(
    readonly store: Store,
    readonly clock: Clock,
  ) {
    this.dar = new AddressRegister(store, clock);
  }

  #db(): Kysely<any> {
    // The DAR tables are queried with aliases Kysely's types do not follow (as in AddressRegister).
    return this.store.db as unknown as Kysely<any>;
  }

  /** Roads whose name starts with the prefix (folded as for lookups), in a postal code when given; by name. */
  roads(q: { prefix: string; postalCode?: string; limit: number }): Promise<RoadSuggestion[]> {
    return this.dar.roadsByPrefix(q);
  }

  /** The house numbers of one road (municipality + road code) starting with `prefix`, in a postal code when given. */
  async houseNumbers(q: { municipalityCode: string; roadCode: string; prefix?: string; postalCode?: string; limit: number }): Promise<HouseNumberSuggestion[]> {
    const on = dateOf(this.clock.now());
    let b = this.#db()
      .selectFrom('dar_husnummer as h')
      .select(['h.id', 'h.municipality_code', 'h.road_code', 'h.road_name', 'h.house_number', 'h.postal_code', 'h.postal_district', 'h.supplementary_town_name'])
      .where(asOf('h', on, null))
      .where('h.municipality_code', '=', q.municipalityCode)
      .where('h.road_code', '=', q.roadCode);
    const prefix = houseKey(q.prefix ?? '');
    if (prefix) b = b.where('h.house_key', 'like', `${prefix}%`);
    if (q.postalCode !== undefined) b = b.where('h.postal_code', '=', q.postalCode);
    const rows = await b.execute();
    return rows
      .map((r) => {
        const h = {
          id: r.id as string,
          municipalityCode: r.municipality_code as string,
          roadCode: r.road_code as string,
          roadName: r.road_name as string,
          houseNumber: r.house_number as string,
          postalCode: r.postal_code as string,
          postalDistrict: r.postal_district as string,
        };
        return { ...h, label: addressLabel({ ...h, supplementaryTownName: (r.supplementary_town_name as string | null) ?? null }) };
      })
      .sort((a, b) => compareHouse(a.houseNumber, b.houseNumber) || a.postalCode.localeCompare(b.postalCode))
      .slice(0, q.limit);
  }

  /** The unit addresses (floor, door) of one house number, in floor and door order; undefined for an unknown id. */
  async units(houseNumberId: string): Promise<{ houseNumber: HouseNumberSuggestion; units: UnitSuggestion[] } | undefined> {
    const h = await this.dar.houseNumber(houseNumberId);
    if (!h) return undefined;
    return {
      houseNumber: {
        id: h.id,
        municipalityCode: h.municipalityCode,
        roadCode: h.roadCode,
        roadName: h.roadName,
        houseNumber: h.houseNumber,
        postalCode: h.postalCode,
        postalDistrict: h.postalDistrict,
        label: h.label,
      },
      units: h.units.map((u) => ({ id: u.id, houseNumberId: h.id, floor: u.floor, door: u.door, label: u.label })),
    };
  }
}
