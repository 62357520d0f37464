/**
 * The synthetic address universe a population lives in (LAN-6): the real DAR
 * house numbers and unit addresses of the bundled DAWA sample (their real
 * ids), and where those run out, synthetic house numbers and units on real
 * roads of the municipality (where the samples have them) or on roads named
 * from Danish street-name stems, in the municipality's postal codes, with
 * DAR-style UUIDs. Deterministic for (seed, size, municipalities).
 */
import { readFileSync } from 'node:fs';
import type { CivilDate } from '../domain/dates.ts';
import { parseHouseNumbersCsv, parseUnitAddressesCsv } from '../reference/import.ts';
import { stableId } from '../reference/text.ts';
import data from './data/population.json' with { type: 'json' };
import { dayOf, type Day } from './days.ts';
import { prng } from './random.ts';
import { hash32, weighted } from './pick.ts';

export interface HouseNumber {
  id: string;
  municipalityCode: string;
  roadCode: string;
  roadName: string;
  houseNumber: string;
  postalCode: string;
  postalDistrict: string;
  created: CivilDate;
  /** Unit indexes. */
  units: number[];
  real: boolean;
}

export interface Unit {
  id: string;
  house: number;
  floor: string;
  door: string;
  /** The unit exists in DAR from this day (no one lives there before). */
  created: Day;
}

export interface Municipality {
  code: string;
  name: string;
  region: string;
  /** Share of the population. */
  weight: number;
}

export interface AddressUniverse {
  houses: HouseNumber[];
  units: Unit[];
  municipalities: Municipality[];
  /** Unit indexes per municipality code. */
  unitsOf: Map<string, number[]>;
}

/** Dwellings per person generated: enough free units for every household over the decades. */
export const UNITS_PER_PERSON = 0.8;

/** The big cities hold several times an average municipality's population (approximate, see docs/population.md). */
const CITY_FACTOR: Record<string, number> = { '0101': 10, '0751': 5.5, '0461': 3.2, '0851': 3.4, '0147': 1.6 };
/** Share of house numbers that are blocks of flats; the inner cities are mostly flats. */
const BLOCK_SHARE: Record<string, number> = { '0101': 0.6, '0147': 0.6, '0751': 0.25, '0461': 0.2, '0851': 0.2 };

export const ALL_MUNICIPALITIES: readonly string[] = data.municipalities.map((m) => m.code);

export function municipalityWeights(codes?: readonly string[]): Municipality[] {
  const chosen = data.municipalities.filter((m) => !codes || codes.includes(m.code));
  const perRegion = new Map<string, number>();
  for (const m of data.municipalities) perRegion.set(m.region, (perRegion.get(m.region) ?? 0) + (CITY_FACTOR[m.code] ?? 1));
  const shares = data.regionShare as Record<string, number>;
  const raw = chosen.map((m) => ({ code: m.code, name: m.name, region: m.region, weight: ((shares[m.region] ?? 0.2) * (CITY_FACTOR[m.code] ?? 1)) / perRegion.get(m.region)! }));
  const total = raw.reduce((s, m) => s + m.weight, 0);
  return raw.map((m) => ({ ...m, weight: m.weight / total }));
}

function sample() {
  const read = (name: string) => readFileSync(new URL(`../reference/data/${name}`, import.meta.url), 'utf8');
  return { houses: parseHouseNumbersCsv(read('dawa_adgangsadresser_sample_2015.csv')), units: parseUnitAddressesCsv(read('dawa_adresser_sample_2015.csv')) };
}

export function buildAddresses(opts: { seed: number; persons: number; municipalities?: readonly string[] }): AddressUniverse {
  const municipalities = municipalityWeights(opts.municipalities);
  const target = Math.max(200, Math.ceil(opts.persons * UNITS_PER_PERSON));
  const houses: HouseNumber[] = [];
  const units: Unit[] = [];
  const unitsOf = new Map<string, number[]>(municipalities.map((m) => [m.code, []]));
  const chosen = new Set(municipalities.map((m) => m.code));

  // Real sample addresses first, with their real ids.
  const real = sample();
  const houseIndex = new Map<string, number>();
  const taken = new Map<string, Set<string>>(); // municipality:road -> house numbers in use
  const roadsUsed = new Map<string, Set<string>>(); // municipality -> road codes in use
  for (const h of real.houses) {
    if (!chosen.has(h.municipalityCode)) continue;
    houseIndex.set(h.id, houses.length);
    houses.push({
      id: h.id,
      municipalityCode: h.municipalityCode,
      roadCode: h.roadCode,
      roadName: h.roadName,
      houseNumber: h.houseNumber,
      postalCode: h.postalCode,
      postalDistrict: h.postalDistrict,
      created: h.created ?? '2000-01-01',
      units: [],
      real: true,
    });
    const k = `${h.municipalityCode}:${h.roadCode}`;
    if (!taken.has(k)) taken.set(k, new Set());
    taken.get(k)!.add(h.houseNumber);
    if (!roadsUsed.has(h.municipalityCode)) roadsUsed.set(h.municipalityCode, new Set());
    roadsUsed.get(h.municipalityCode)!.add(h.roadCode);
  }
  for (const u of real.units) {
    const hi = houseIndex.get(u.houseNumberId);
    if (hi === undefined) continue;
    const h = houses[hi]!;
    h.units.push(units.length);
    unitsOf.get(h.municipalityCode)!.push(units.length);
    units.push({ id: u.id, house: hi, floor: u.floor, door: u.door, created: dayOf(u.created ?? h.created) });
  }

  // Synthetic house numbers: each municipality up to its share of the target.
  for (const m of municipalities) {
    const rnd = prng(hash32(`${opts.seed}:dar:${m.code}`));
    const want = Math.max(4, Math.round(target * m.weight));
    const src = data.municipalities.find((x) => x.code === m.code)!;
    const postal = src.postalCodes as [string, string][];
    const usedCodes = roadsUsed.get(m.code) ?? new Set<string>();
    const usedNames = new Set<string>();
    // Real roads of the municipality first (more house numbers on them), then synthetic ones.
    const roads: { code: string; name: string; next: number; postal: [string, string] }[] = (src.roads as [string, string][]).map(([code, name]) => {
      usedNames.add(name);
      const nums = taken.get(`${m.code}:${code}`);
      const max = nums ? Math.max(...[...nums].map((n) => parseInt(n, 10))) : 0;
      return { code, name, next: max + 1, postal: postal[Math.floor(rnd() * postal.length)]! };
    });
    let roadCode = 100;
    const newRoad = () => {
      while (usedCodes.has(String(roadCode).padStart(4, '0'))) roadCode += 2;
      const code = String(roadCode).padStart(4, '0');
      usedCodes.add(code);
      roadCode += 2;
      let name = '';
      for (let tries = 0; tries < 50; tries++) {
        const stem = data.streetStems[Math.floor(rnd() * data.streetStems.length)]!;
        const suffix = data.streetSuffixes[Math.floor(rnd() * data.streetSuffixes.length)]!;
        name = suffix.startsWith(' ') ? stem + suffix : stem + suffix;
        if (!usedNames.has(name) && name.length <= 40) break;
        name = `${name} ${tries + 2}`.slice(0, 40);
      }
      usedNames.add(name);
      const road = { code, name, next: 1, postal: postal[Math.floor(rnd() * postal.length)]! };
      roads.push(road);
      return road;
    };
    let have = unitsOf.get(m.code)!.length;
    let road = roads.length ? roads[Math.floor(rnd() * roads.length)]! : newRoad();
    const blockShare = BLOCK_SHARE[m.code] ?? 0.07;
    while (have < want) {
      if (road.next > 150 || rnd() < 0.02) road = rnd() < 0.3 && roads.length ? roads[Math.floor(rnd() * roads.length)]! : newRoad();
      if (road.next > 150) road = newRoad();
      const houseNumber = String(road.next) + (rnd() < 0.03 ? 'A' : '');
      road.next += rnd() < 0.8 ? 2 : 1;
      const id = stableId(`opencpr-synth-dar:${opts.seed}:h:${m.code}:${road.code}:${houseNumber}`);
      const year = 1880 + Math.floor(Math.pow(rnd(), 0.8) * 140);
      const created = `${Math.min(year, 2020)}-0${1 + Math.floor(rnd() * 9)}-1${Math.floor(rnd() * 10)}`;
      const hi = houses.length;
      const h: HouseNumber = {
        id,
        municipalityCode: m.code,
        roadCode: road.code,
        roadName: road.name,
        houseNumber,
        postalCode: road.postal[0],
        postalDistrict: road.postal[1],
        created,
        units: [],
        real: false,
      };
      houses.push(h);
      const kind = rnd();
      const layout: [string, string][] = [];
      if (kind < blockShare) {
        const floors = 2 + Math.floor(rnd() * 4);
        const doors = rnd() < 0.7 ? ['tv', 'th'] : ['tv', 'mf', 'th'];
        for (let f = 0; f <= floors; f++) for (const d of doors) layout.push([f === 0 ? 'st' : String(f), d]);
      } else if (kind < blockShare + 0.08) {
        layout.push(['st', ''], ['1', '']);
      } else {
        layout.push(['', '']);
      }
      for (const [floor, door] of layout) {
        const ui = units.length;
        h.units.push(ui);
        unitsOf.get(m.code)!.push(ui);
        units.push({ id: stableId(`opencpr-synth-dar:${opts.seed}:u:${id}:${floor}:${door}`), house: hi, floor, door, created: dayOf(created) });
      }
      have += layout.length;
    }
  }
  return { houses, units, municipalities, unitsOf };
}

const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** The universe as DAWA CSV files (the address register's import format). */
export function addressCsv(u: AddressUniverse, houses: readonly HouseNumber[] = u.houses): { houseNumbers: string; unitAddresses: string } {
  const h = ['adgangsadresse_id,kommunekode,vejkode,vejnavn,husnr,supplerendebynavn,postnr,postnrnavn,oprettet'];
  const a = ['adresse_id,adgangsadresse_id,etage,doer,oprettet'];
  for (const x of houses) {
    h.push([x.id, x.municipalityCode, x.roadCode, q(x.roadName), x.houseNumber, '', x.postalCode, q(x.postalDistrict), x.created].join(','));
    for (const ui of x.units) {
      const unit = u.units[ui]!;
      a.push([unit.id, x.id, unit.floor, unit.door, x.created].join(','));
    }
  }
  return { houseNumbers: h.join('\n') + '\n', unitAddresses: a.join('\n') + '\n' };
}

/** The municipality picker, weighted by population share. */
export function municipalityPicker(u: AddressUniverse): (r: number) => string {
  return weighted(u.municipalities.map((m) => [m.code, m.weight]));
}
