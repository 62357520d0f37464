/**
 * Who lives where, when: each unit address holds one household at a time.
 * A household claims a unit from the day it moves in until the day it
 * plans to move on (possibly after today); the claim is shortened if the
 * household leaves earlier. A unit is free for [from, to) when no claim
 * overlaps it and the unit exists in DAR by `from`.
 */
import type { AddressUniverse } from './geography.ts';
import type { Day } from './days.ts';

/** Open end of a claim that lasts beyond the generation date. */
export const OPEN: Day = 1e9;

export interface Stay {
  unit: number;
  from: Day;
  to: Day;
  /** Adults (person numbers) who moved in, for person ownership of the property. */
  adults: string[];
}

export class Dwellings {
  /** Per unit: flattened [from, to) pairs. */
  readonly #claims: (number[] | undefined)[];
  /** Stays at units that belong to person-owned properties (the owner is chosen among their adults). */
  readonly stays = new Map<number, Stay[]>();
  /** Claims that had to share a unit because no free one was found (reported in the summary). */
  shared = 0;
  /** All stays given a unit (claimed or shared). */
  given = 0;

  constructor(
    readonly universe: AddressUniverse,
    /** Units whose stays are kept (person-owned properties). */
    readonly tracked: ReadonlySet<number> = new Set(),
  ) {
    this.#claims = new Array(universe.units.length);
  }

  #free(unit: number, from: Day, to: Day): boolean {
    if (this.universe.units[unit]!.created > from) return false;
    const c = this.#claims[unit];
    if (!c) return true;
    for (let i = 0; i < c.length; i += 2) if (c[i]! < to && from < c[i + 1]!) return false;
    return true;
  }

  /**
   * A unit for a childhood with parents who are not part of the synthetic register: a free one if
   * one is found quickly, else any unit of the municipality, unclaimed (the child counts as a
   * member of whoever lives there; such stays are all in the past).
   */
  childhood(municipality: string, from: Day, to: Day, rnd: () => number): Stay {
    const pool = this.universe.unitsOf.get(municipality)!;
    for (let i = 0; i < 8; i++) {
      const u = pool[Math.floor(rnd() * pool.length)]!;
      if (this.#free(u, from, to)) return this.#claim(u, from, to, () => []);
    }
    this.unclaimedChildhoods++;
    let u = pool[Math.floor(rnd() * pool.length)]!;
    for (let i = 0; i < 8 && this.universe.units[u]!.created > from; i++) u = pool[Math.floor(rnd() * pool.length)]!;
    return { unit: u, from, to, adults: [] };
  }
  unclaimedChildhoods = 0;

  /** A free unit in the municipality for [from, to), or in a neighbouring list when it is full. */
  take(municipality: string, from: Day, to: Day, rnd: () => number, adults: () => string[]): Stay {
    this.given++;
    const pool = this.universe.unitsOf.get(municipality)!;
    let unit = -1;
    for (let i = 0; i < 64 && unit < 0; i++) {
      const u = pool[Math.floor(rnd() * pool.length)]!;
      if (this.#free(u, from, to)) unit = u;
    }
    if (unit < 0) {
      // Any municipality before sharing (a full municipality in a small universe).
      const all = this.universe.units.length;
      for (let i = 0; i < 128 && unit < 0; i++) {
        const u = Math.floor(rnd() * all);
        if (this.#free(u, from, to)) unit = u;
      }
    }
    if (unit < 0) {
      this.shared++;
      unit = pool[Math.floor(rnd() * pool.length)]!;
    }
    return this.#claim(unit, from, to, adults);
  }

  #claim(unit: number, from: Day, to: Day, adults: () => string[]): Stay {
    let c = this.#claims[unit];
    if (!c) this.#claims[unit] = c = [];
    c.push(from, to);
    const stay: Stay = { unit, from, to, adults: this.tracked.has(unit) ? adults() : [] };
    if (this.tracked.has(unit)) {
      let s = this.stays.get(unit);
      if (!s) this.stays.set(unit, (s = []));
      s.push(stay);
    }
    return stay;
  }

  /** The household left on `day` (before or after the planned end). */
  end(stay: Stay, day: Day): void {
    const c = this.#claims[stay.unit];
    if (!c) return;
    for (let i = c.length - 2; i >= 0; i -= 2) {
      if (c[i] === stay.from && c[i + 1] === stay.to) {
        c[i + 1] = day;
        break;
      }
    }
    stay.to = day;
  }
}
