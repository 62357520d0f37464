/**
 * The synthetic population (issue 3, item 2): families simulated over the
 * decades, deterministic for a seed, yielded person by person as the
 * registrations the register would have received, with their validity dates
 * and registration times.
 *
 * A family starts with one adult (born 1895-2006, in Denmark or immigrated)
 * and follows everyone in it to the generation date: leaving home, single
 * moves, partners (married, registered partners, cohabiting), children with
 * mother/father and custody relations, separation and divorce (children stay
 * registered with one parent, §8), re-partnering, widowhood, emigration
 * (often to the Nordic countries) and return, disappearance, death. Each
 * household lives at one DAR unit address at a time (Dwellings). Person
 * numbers are allocated as the register core allocates them (the mod-11
 * serials of the date first, then the date's no-mod-11 ones). Facts from
 * before CPR began (1968-04-02) are registered then, in one registration.
 *
 * Shares and rates are in docs/population.md.
 */
import { candidatePnrs, type Sex } from '../domain/pnr/pnr.ts';
import type { CivilDate } from '../domain/dates.ts';
import type { PersonLoad } from '../register/load.ts';
import { birthday, dateOfDay, dayOf, YEAR, type Day } from './days.ts';
import { Dwellings, OPEN, type Stay } from './dwellings.ts';
import { municipalityPicker, type AddressUniverse } from './geography.ts';
import { adultName, childName, drawLastName, marriedName, type Name } from './names.ts';
import { hash32, weighted } from './pick.ts';
import { prng } from './random.ts';

/** CPR began on 2 April 1968: earlier facts were registered that day. */
export const CPR_START: Day = dayOf('1968-04-02');
const DAY_MS = 86_400_000;
const CPR_START_MS = CPR_START * DAY_MS + 8 * 3_600_000;

/** Families of one elderly person (dead or old; their relatives are outside the population): they bring the dead's share towards CPR's. */
const ELDER_SHARE = 0.55;
/** Families of one immigrant staying a few years (the emigrated in CPR are mostly such). */
const TRANSIENT_SHARE = 0.1;

/** Registered partnership existed from 1 October 1989 until same-sex marriage on 15 June 2012. */
const PARTNERSHIP_FROM = dayOf('1989-10-01');
const PARTNERSHIP_TO = dayOf('2012-06-15');

export interface PopulationOptions {
  seed: number;
  persons: number;
  universe: AddressUniverse;
  dwellings: Dwellings;
  /** The generation date: nothing happens after it. */
  today: CivilDate;
  /** The generation instant: nothing is registered after it. */
  now: string;
}

/** A generated person: what the register loads, plus the family it belongs to (for checks and the summary). */
export interface SynthPerson extends PersonLoad {
  family: number;
  /** The unit the person lives at on the generation date (index into the universe), or -1. */
  unit: number;
  /** Status code on the generation date. */
  status: string;
}

type Change = { group: string; key?: string; validFrom: CivilDate; validTo?: CivilDate | null; value: unknown };

interface Draft {
  at: number;
  order: number;
  authority: string;
  eventCode: string;
  late: boolean;
  changes: Change[];
  annuls?: Draft;
  documentation?: string;
}

interface Person {
  pnr: string | null;
  sex: Sex;
  birth: Day;
  /** The day of death (may be after today: then alive). */
  death: Day;
  name: Name;
  drafts: Draft[];
  household: Household | null;
  mother?: Person;
  father?: Person;
  children: Person[];
  spouse?: Person;
  civil: string;
  /** Abroad (emigrated, not returned) or disappeared. */
  away: boolean;
  dead: boolean;
  born: boolean;
  immigrated: Day | null;
  church: boolean;
  status: string;
  family: number;
  /** Registration time of the person's latest registration: a person's reports are registered in the order things happened. */
  lastAt: number;
}

interface Household {
  members: Set<Person>;
  stay: Stay | null;
  municipality: string;
}

const NORDIC = ['5120', '5110', '5104', '5106', '5902'];
const ABROAD = ['5180', '5170', '5390', '5164', '5140', '5130', '5154', '5150'];
const ORIGIN = weighted<string>([
  ['5154', 10], ['5172', 8], ['5486', 8], ['5704', 6], ['5180', 8], ['5120', 6], ['5110', 5], ['5158', 6], ['5611', 3],
  ['5432', 3], ['5474', 3], ['5438', 3], ['5289', 3], ['5170', 4], ['5390', 3], ['5448', 3], ['5164', 3], ['5140', 3],
]);
const FOREIGN_LINES: Record<string, [string, string]> = {
  '5120': ['Storgatan 12', '111 22 Stockholm'],
  '5110': ['Storgata 5', '0155 Oslo'],
  '5104': ['Mannerheimintie 10', '00100 Helsinki'],
  '5106': ['Laugavegur 20', '101 Reykjavík'],
  '5902': ['Tinganesvegur 3', '100 Tórshavn'],
  '5180': ['Hauptstraße 8', '10115 Berlin'],
  '5170': ['12 High Street', 'London SW1A 1AA'],
  '5390': ['100 Main Street', 'Boston, MA 02108'],
  '5164': ['Calle Mayor 4', '28013 Madrid'],
  '5140': ['Kerkstraat 2', '1017 GC Amsterdam'],
  '5130': ['12 rue de la Paix', '75002 Paris'],
  '5154': ['ul. Długa 3', '00-238 Warszawa'],
  '5150': ['Via Roma 1', '00184 Roma'],
};

/** The generator: families until `persons` persons are made; yields them in a fixed order for the seed. */
export function* generatePopulation(opts: PopulationOptions): Generator<SynthPerson> {
  const today = dayOf(opts.today);
  const nowMs = Date.parse(opts.now);
  const { universe, dwellings } = opts;
  const pickMunicipality = municipalityPicker(universe);
  const serials = new Map<string, Generator<string>>();
  let orderSeq = 0;
  let made = 0;

  const allocate = (birth: Day, sex: Sex): string => {
    const d = dateOfDay(birth);
    const k = d + sex;
    let it = serials.get(k);
    if (!it) serials.set(k, (it = candidatePnrs(d, sex)));
    const next = it.next();
    if (next.done) throw new Error(`person numbers for ${d} (${sex}) are exhausted`);
    return next.value;
  };

  for (let family = 0; made < opts.persons; family++) {
    const rnd = prng(hash32(`${opts.seed}:family:${family}`));
    const people: Person[] = [];
    const remaining = opts.persons - made;
    // The last family must fit: a lone immigrant or a single person fills the rest.
    const small = remaining < 40;
    simulateFamily(family, small);
    // Persons not in CPR (dead before it began) are not yielded; a family never exceeds what is left.
    for (const p of people) {
      if (p.pnr === null) continue;
      if (made >= opts.persons) break;
      made++;
      yield toLoad(p);
    }

    function simulateFamily(familyNo: number, lone: boolean): void {
      const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
      const exp = (mean: number) => -Math.log(1 - rnd()) * mean;
      const events: { day: Day; order: number; fn: () => void }[] = [];
      let evOrder = 0;
      const at = (day: Day, fn: () => void) => {
        if (day > today) return;
        const e = { day: Math.floor(day), order: evOrder++, fn };
        let i = events.length;
        while (i > 0 && (events[i - 1]!.day > e.day || (events[i - 1]!.day === e.day && events[i - 1]!.order > e.order))) i--;
        events.splice(i, 0, e);
      };
      const reportMs = (day: Day, delay: number, hour: number) => {
        let ms = (day + delay) * DAY_MS + hour * 3_600_000 + int(0, 59) * 60_000;
        if (ms < CPR_START_MS) ms = CPR_START_MS;
        if (ms > nowMs) ms = nowMs;
        return ms;
      };
      const date = dateOfDay;
      const reg = (p: Person, day: Day, delay: number, eventCode: string, authority: string, changes: Change[], late = false, inOrder = true): Draft | undefined => {
        if (p.pnr === null) return undefined;
        let at = reportMs(day, delay, 9 + (eventCode === 'A01' ? 2 : 0));
        // A later fact is never registered before an earlier one of the same person (it would be overwritten by it).
        if (inOrder) {
          if (at < p.lastAt) at = p.lastAt;
          p.lastAt = at;
        }
        const d: Draft = { at, order: orderSeq++, authority, eventCode, late: late && at > CPR_START_MS, changes };
        p.drafts.push(d);
        return d;
      };
      const authorityOf = (p: Person) => p.household?.municipality ?? '0101';
      const rel = (p: Person) => (p.pnr ? { pnr: p.pnr } : { name: `${p.name.firstNames[0]} ${p.name.lastName}`.slice(0, 80), birthDate: date(p.birth) });
      const addressValue = (unit: number) => {
        const u = universe.units[unit]!;
        const h = universe.houses[u.house]!;
        return {
          municipalityCode: h.municipalityCode,
          roadCode: h.roadCode,
          roadName: h.roadName,
          houseNumber: h.houseNumber,
          ...(u.floor && { floor: u.floor }),
          ...(u.door && { door: u.door }),
          postalCode: h.postalCode,
          postalDistrict: h.postalDistrict,
          addressId: u.id,
          accessAddressId: h.id,
        };
      };
      /** The age at death: a few die young, most between 60 and 100. */
      const deathDay = (birth: Day, sex: Sex): Day => {
        const r = rnd();
        const age = r < 0.015 ? rnd() * 60 : Math.min(106, Math.max(35, (sex === 'M' ? 78 : 82) + 10 * gauss()));
        return birth + Math.floor(age * YEAR);
      };
      const gauss = () => {
        let s = 0;
        for (let i = 0; i < 6; i++) s += rnd();
        return (s - 3) / Math.sqrt(0.5);
      };
      const churchAtBirth = (birth: Day) => rnd() < (birth < dayOf('1960-01-01') ? 0.95 : birth < dayOf('1990-01-01') ? 0.86 : 0.68);

      const newPerson = (sex: Sex, birth: Day, name: Name, born: boolean): Person => {
        const death = deathDay(birth, sex);
        const p: Person = {
          pnr: null,
          sex,
          birth,
          death,
          name,
          drafts: [],
          household: null,
          children: [],
          civil: 'U',
          away: false,
          dead: false,
          born,
          immigrated: null,
          church: born ? churchAtBirth(birth) : rnd() < 0.1,
          status: '01',
          family: familyNo,
          lastAt: Number.NEGATIVE_INFINITY,
        };
        people.push(p);
        return p;
      };
      const inCpr = (p: Person, from: Day) => {
        // Only persons alive in Denmark on or after CPR's start have a number; everyone dies in the simulation.
        if (p.death <= today) at(p.death, () => die(p));
        if (p.death < CPR_START || p.death <= from) return;
        p.pnr = allocate(p.birth, p.sex);
      };

      // ── Households and moves ───────────────────────────────────────────
      const stayLength = (h: Household): number => {
        const adults = [...h.members].filter((m) => m.birth + 18 * YEAR <= (h.stay?.from ?? today));
        const young = adults.length > 0 && adults.every((m) => h.stay && h.stay.from - m.birth < 30 * YEAR);
        return exp(young ? 3.2 * YEAR : h.members.size === 1 ? 7 * YEAR : 9 * YEAR) + 60;
      };
      /** The household moves into a new unit on `day` (the members' address registrations are made by the caller or here). */
      const settle = (h: Household, day: Day, municipality: string, register: boolean, eventCode = 'A01') => {
        if (h.stay) dwellings.end(h.stay, day);
        h.municipality = municipality;
        let planned = day + stayLength(h);
        // One who lives alone leaves the dwelling at death at the latest.
        if (h.members.size === 1) planned = Math.min(planned, Math.max(day + 1, [...h.members][0]!.death));
        const stay = dwellings.take(municipality, day, planned > today ? OPEN : Math.floor(planned), rnd, () =>
          [...h.members].filter((m) => m.pnr && m.birth + 18 * YEAR <= day).map((m) => m.pnr!),
        );
        h.stay = stay;
        h.municipality = universe.houses[universe.units[stay.unit]!.house]!.municipalityCode;
        if (register) {
          const r = rnd();
          // §12(1): a move is reported within 5 days; later reports are registered and marked late (§57).
          const delay = r < 0.88 ? int(-14, 5) : r < 0.98 ? int(6, 40) : int(41, 400);
          // Now and then the move date is registered wrong (a week late) and corrected 3-20 days later (A09, documented).
          const wrong = rnd() < 0.005 && day + 7 < today ? 7 : 0;
          const fixDelay = Math.max(delay, 0) + int(3, 20);
          for (const m of h.members) {
            const value = addressValue(stay.unit);
            reg(m, day, delay, eventCode, h.municipality, [{ group: 'address', validFrom: date(day + wrong), value }], delay > 5);
            const fix = wrong ? reg(m, day, fixDelay, 'A09', h.municipality, [{ group: 'address', validFrom: date(day), validTo: date(day + wrong), value }]) : undefined;
            // MOV-1: after registration a move date is corrected only with documentation.
            if (fix) fix.documentation = 'Lejekontrakt med overtagelsesdato';
          }
        }
        if (planned <= today) {
          const s = stay;
          at(planned, () => {
            if (h.stay !== s || h.members.size === 0) return;
            const muni = rnd() < 0.62 ? h.municipality : pickMunicipality(rnd());
            settle(h, Math.floor(planned), muni, true);
          });
        }
      };
      const leave = (p: Person, day: Day) => {
        const h = p.household;
        if (!h) return;
        h.members.delete(p);
        p.household = null;
        if (h.members.size === 0 && h.stay) {
          dwellings.end(h.stay, day);
          h.stay = null;
        } else if (h.members.size > 0 && [...h.members].every((m) => m.birth + 18 * YEAR > day)) {
          // Only minors left: they go to a living parent who is in Denmark.
          for (const c of [...h.members]) {
            const other = [c.mother, c.father].find((x) => x && !x.dead && !x.away && x.household && x.household !== h);
            if (other) moveInto(c, other.household!, day);
          }
        }
      };
      const moveInto = (p: Person, h: Household, day: Day) => {
        leave(p, day);
        h.members.add(p);
        p.household = h;
        if (h.stay) reg(p, day, int(0, 5), 'A01', h.municipality, [{ group: 'address', validFrom: date(day), value: addressValue(h.stay.unit) }]);
      };
      const ownHome = (p: Person, day: Day, municipality: string) => {
        leave(p, day);
        const h: Household = { members: new Set([p]), stay: null, municipality };
        p.household = h;
        settle(h, day, municipality, true);
        return h;
      };

      // ── Persons entering the register ──────────────────────────────────
      const birthFacts = (p: Person, unit: number | null): Change[] => {
        const d = date(p.birth);
        return [
          { group: 'birth', validFrom: d, value: { birthDate: d, sex: p.sex } },
          { group: 'name', validFrom: d, value: p.name },
          { group: 'status', validFrom: d, value: { code: '01' } },
          { group: 'civilStatus', validFrom: d, value: { code: 'U' } },
          { group: 'citizenship', validFrom: d, value: { countryCode: '5100' } },
          { group: 'church', validFrom: d, value: { member: p.church ? 'F' : 'U' } },
          ...(unit === null ? [] : [{ group: 'address', validFrom: d, value: addressValue(unit) }]),
        ];
      };
      const custodyHolders = (c: Person, married: boolean): Person[] => (married || rnd() < 0.6 ? [c.mother, c.father] : [c.mother]).filter((x): x is Person => !!x);
      const bear = (mother: Person, father: Person | undefined, day: Day) => {
        const sex: Sex = rnd() < 0.513 ? 'M' : 'K';
        const c = newPerson(sex, day, childName(sex, father?.name.lastName, mother.name.lastName, rnd), true);
        c.mother = mother;
        c.father = father;
        mother.children.push(c);
        father?.children.push(c);
        inCpr(c, day);
        const h = mother.household!;
        h.members.add(c);
        c.household = h;
        const d = date(day);
        const until = date(birthday(day, 18));
        const holders = custodyHolders(c, mother.spouse === father && mother.civil === 'G');
        const delay = int(1, 3);
        const misspelt = rnd() < 0.004;
        const regName = misspelt ? { ...c.name, firstNames: [c.name.firstNames[0] + c.name.firstNames[0]!.slice(-1), ...c.name.firstNames.slice(1)] } : c.name;
        reg(c, day, delay, 'A14', h.municipality, [
          ...birthFacts({ ...c, name: regName }, h.stay?.unit ?? null),
          ...[mother, father].filter((x): x is Person => !!x).map((x) => ({ group: 'relation', validFrom: d, value: { role: x === mother ? 'mother' : 'father', ...rel(x) } })),
          ...holders.map((x) => ({ group: 'relation', validFrom: d, validTo: until, value: { role: 'custody_holder', ...rel(x) } })),
        ]);
        // A misspelt first name is corrected a few days later, with the same validity (A16).
        if (misspelt) reg(c, day, delay + int(2, 20), 'A16', h.municipality, [{ group: 'name', validFrom: d, value: c.name }]);
        for (const x of [mother, father]) {
          if (!x || x.dead) continue;
          reg(x, day, delay, 'A14', authorityOf(x), [
            { group: 'relation', validFrom: d, value: { role: 'child', ...rel(c) } },
            ...(holders.includes(x) ? [{ group: 'relation', validFrom: d, validTo: until, value: { role: 'custody_child', ...rel(c) } }] : []),
          ]);
        }
        // Leaving home at 18-27, if still living with the family.
        const leaveDay = birthday(day, 18) + Math.floor(rnd() * 9 * YEAR);
        at(leaveDay, () => {
          if (c.dead || c.away || c.household !== h) return;
          adulthood(c, leaveDay, rnd() < 0.7 ? h.municipality : pickMunicipality(rnd()));
        });
      };
      /** A stay already over (or lasting until `to`): the past of a person who joins the family later. */
      const pastHome = (p: Person, from: Day, to: Day, municipality: string, childhood = false): Household => {
        const h: Household = { members: new Set([p]), stay: null, municipality };
        p.household = h;
        h.stay = childhood
          ? dwellings.childhood(municipality, from, to, rnd)
          : dwellings.take(municipality, from, to, rnd, () => (p.pnr && p.birth + 18 * YEAR <= from ? [p.pnr] : []));
        h.municipality = universe.houses[universe.units[h.stay.unit]!.house]!.municipalityCode;
        return h;
      };
      /**
       * A person from outside the family's tree who joins it on `until`: born here (the parents are
       * not part of the synthetic register) or immigrated as an adult. Their past is made at once.
       */
      const outsider = (sex: Sex, birth: Day, until: Day): Person => {
        const immigrant = rnd() < 0.17 && Math.max(birth + 18 * YEAR, CPR_START) < until - 30;
        const p = newPerson(sex, birth, adultName(sex, rnd), !immigrant);
        if (immigrant) {
          const earliest = Math.max(birth + 18 * YEAR, CPR_START);
          const arrival = Math.floor(Math.max(earliest, until - 30 - rnd() * 6 * YEAR));
          immigrate(p, arrival, pickMunicipality(rnd()), ORIGIN(rnd()), until);
          return p;
        }
        inCpr(p, birth);
        // The stays end at death when that comes first (the claim on the dwelling is known at once).
        const end = Math.max(birth + 1, Math.min(until, p.death));
        const leaveDay = Math.floor(birthday(birth, 18) + rnd() * 6 * YEAR);
        const childhood = pastHome(p, birth, Math.min(leaveDay, end), pickMunicipality(rnd()), leaveDay < end);
        reg(p, birth, int(1, 3), 'A14', childhood.municipality, birthFacts(p, childhood.stay!.unit));
        if (leaveDay < end) {
          const own = pastHome(p, leaveDay, end, rnd() < 0.6 ? childhood.municipality : pickMunicipality(rnd()));
          reg(p, leaveDay, int(0, 5), 'A01', own.municipality, [{ group: 'address', validFrom: date(leaveDay), value: addressValue(own.stay!.unit) }]);
        }
        return p;
      };
      /** Entry from abroad (§16-§20); with `until`, the first home is a past one that ends then. */
      const immigrate = (p: Person, day: Day, municipality: string, country: string, until?: Day) => {
        p.immigrated = day;
        p.status = '01';
        inCpr(p, day);
        if (p.pnr === null) return;
        let h: Household;
        if (until === undefined) {
          h = { members: new Set([p]), stay: null, municipality };
          p.household = h;
          settle(h, day, municipality, false);
        } else {
          h = pastHome(p, day, Math.max(day + 1, Math.min(until, p.death)), municipality);
        }
        const d = date(day);
        const b = date(p.birth);
        // §16-§20: an immigrant is registered from the day of entry (P31, entry with a person number);
        // the facts from before come from the documents.
        reg(p, day, int(3, 20), 'P31', h.municipality, [
          { group: 'birth', validFrom: b, value: { birthDate: b, sex: p.sex, place: 'Udlandet' } },
          { group: 'name', validFrom: d, value: p.name },
          { group: 'status', validFrom: d, value: { code: '01' } },
          { group: 'civilStatus', validFrom: d, value: { code: 'U' } },
          { group: 'citizenship', validFrom: d, value: { countryCode: country } },
          { group: 'church', validFrom: d, value: { member: p.church ? 'F' : 'U' } },
          { group: 'address', validFrom: d, value: addressValue(h.stay!.unit) },
        ]);
        // Many leave again within a few years.
        if (rnd() < 0.35) {
          const out = day + Math.floor((0.5 + rnd() * 7) * YEAR);
          at(out, () => !p.dead && !p.away && p.household?.members.size === 1 && emigrate([p], out, country));
        }
        // Naturalisation for some after 9-14 years (dual citizenship allowed from 1 September 2015).
        const nat = day + Math.floor((9 + rnd() * 5) * YEAR);
        if (rnd() < 0.3) at(nat, () => {
          if (p.dead || p.away) return;
          const nd = date(nat);
          reg(p, nat, int(1, 10), 'A08', authorityOf(p), [
            { group: 'citizenship', validFrom: nd, value: { countryCode: '5100' } },
            ...(nat < dayOf('2015-09-01') ? [{ group: 'citizenship', key: country, validFrom: nd, value: null }] : []),
          ]);
        });
      };

      // ── Life events ────────────────────────────────────────────────────
      const die = (p: Person) => {
        if (p.dead) return;
        if (p.away) {
          // Deaths abroad or of the disappeared are not known to CPR; the person is out of the story.
          p.dead = true;
          return;
        }
        const day = p.death;
        p.dead = true;
        p.status = '90';
        const d = date(day);
        const municipality = authorityOf(p);
        leave(p, day);
        reg(p, day, int(1, 4), 'A21', municipality, [
          { group: 'status', validFrom: d, value: { code: '90' } },
          { group: 'address', validFrom: d, value: null },
          { group: 'civilStatus', validFrom: d, value: { code: 'D' } },
        ]);
        const s = p.spouse;
        if (s && !s.dead && (p.civil === 'G' || p.civil === 'P') && s.spouse === p) {
          // The surviving spouse is a widow(er); a registered partner the longest-living partner.
          const code = p.civil === 'P' ? 'L' : 'E';
          s.civil = code;
          reg(s, day, int(1, 6), 'A24', authorityOf(s), [
            { group: 'civilStatus', validFrom: d, value: { code, spouseName: `${p.name.firstNames[0]} ${p.name.lastName}`.slice(0, 80) } },
            { group: 'separation', validFrom: d, value: null },
          ]);
        }
      };
      const emigrate = (members: Person[], day: Day, to?: string) => {
        const country = to ?? (rnd() < 0.45 ? NORDIC[int(0, NORDIC.length - 1)]! : ABROAD[int(0, ABROAD.length - 1)]!);
        const lines = FOREIGN_LINES[country] ?? ['Udlandet'];
        const d = date(day);
        const delay = int(-20, 3);
        for (const p of members) {
          if (p.dead || p.away || p.pnr === null) continue;
          const municipality = authorityOf(p);
          leave(p, day);
          p.away = true;
          p.status = '80';
          reg(p, day, delay, 'A06', municipality, [
            { group: 'status', validFrom: d, value: { code: '80' } },
            { group: 'address', validFrom: d, value: null },
            { group: 'foreignAddress', validFrom: d, value: { lines, countryCode: country } },
          ]);
        }
        // About half come back after 1-10 years (re-entry, A04).
        if (!to && rnd() < 0.5) {
          const back = day + Math.floor((1 + rnd() * 9) * YEAR);
          at(back, () => {
            const home = members.filter((p) => !p.dead && p.away && p.status === '80');
            if (!home.length) return;
            const h: Household = { members: new Set(home), stay: null, municipality: pickMunicipality(rnd()) };
            for (const p of home) {
              p.away = false;
              p.status = '01';
              p.household = h;
            }
            settle(h, back, h.municipality, false);
            const bd = date(back);
            for (const p of home) {
              reg(p, back, int(1, 10), 'A04', h.municipality, [
                { group: 'status', validFrom: bd, value: { code: '01' } },
                { group: 'foreignAddress', validFrom: bd, value: null },
                { group: 'address', validFrom: bd, value: addressValue(h.stay!.unit) },
              ]);
            }
          });
        }
      };
      const disappear = (p: Person, day: Day) => {
        if (p.dead || p.away || !p.household) return;
        const municipality = authorityOf(p);
        leave(p, day);
        p.away = true;
        p.status = '70';
        const d = date(day);
        // §6(5): disappeared persons have status 70 until found.
        reg(p, day, int(20, 120), 'A02', municipality, [
          { group: 'status', validFrom: d, value: { code: '70' } },
          { group: 'address', validFrom: d, value: null },
        ]);
        if (rnd() < 0.5) {
          const found = day + Math.floor((0.5 + rnd() * 3) * YEAR);
          at(found, () => {
            if (p.dead || p.status !== '70') return;
            p.away = false;
            p.status = '01';
            const h: Household = { members: new Set([p]), stay: null, municipality: municipality };
            p.household = h;
            settle(h, found, municipality, false);
            const fd = date(found);
            reg(p, found, int(0, 10), 'A03', h.municipality, [
              { group: 'status', validFrom: fd, value: { code: '01' } },
              { group: 'address', validFrom: fd, value: addressValue(h.stay!.unit) },
            ]);
          });
        }
      };
      const setCivil = (p: Person, day: Day, code: string, spouse: Person | undefined, eventCode = 'A24', extra: Change[] = []) => {
        p.civil = code;
        const value: Record<string, unknown> = { code };
        if (spouse) {
          if (spouse.pnr) value.spousePnr = spouse.pnr;
          else value.spouseName = `${spouse.name.firstNames[0]} ${spouse.name.lastName}`.slice(0, 80);
        }
        reg(p, day, int(0, 6), eventCode, authorityOf(p), [{ group: 'civilStatus', validFrom: date(day), value }, ...extra]);
      };

      /** An adult's own life from `day`: single, perhaps a partner and children. */
      const adulthood = (p: Person, day: Day, municipality: string, partnerChance = 0.92) => {
        ownHome(p, day, municipality);
        const r = rnd();
        if (p.birth + 20 * YEAR < today && r < 0.07) {
          const d = Math.max(day + 30, p.birth + Math.floor((20 + rnd() * 20) * YEAR));
          at(d, () => !p.dead && !p.away && (p.household?.members.size ?? 0) === 1 && emigrate([p], d));
        } else if (r < 0.072) {
          const d = day + Math.floor(rnd() * 20 * YEAR);
          // Those who disappear live alone.
          at(d, () => p.household?.members.size === 1 && !p.spouse && disappear(p, d));
        }
        if (rnd() >= partnerChance) return;
        const age = 20 + exp(5);
        const pd = Math.max(day + 60, p.birth + Math.floor(age * YEAR));
        at(pd, () => {
          if (p.dead || p.away || !p.household || p.household.members.size !== 1 || p.spouse) return;
          couple(p, pd);
        });
      };

      const couple = (a: Person, day: Day) => {
        const sameSex = rnd() < 0.02;
        const sex: Sex = sameSex ? a.sex : a.sex === 'M' ? 'K' : 'M';
        const bBirth = a.birth + Math.floor((rnd() * 8 - (a.sex === 'M' ? 5 : 2)) * YEAR);
        if (bBirth + 18 * YEAR > day) return;
        const b = outsider(sex, bBirth, day);
        if (b.pnr === null || b.death <= day || b.away) return;
        // Both move to a new home together.
        leave(a, day);
        leave(b, day);
        const h: Household = { members: new Set([a, b]), stay: null, municipality: a.household?.municipality ?? pickMunicipality(rnd()) };
        a.household = h;
        b.household = h;
        settle(h, day, rnd() < 0.6 ? h.municipality : pickMunicipality(rnd()), true);
        a.spouse = b;
        b.spouse = a;
        const mother = sameSex ? undefined : a.sex === 'K' ? a : b;
        const father = sameSex ? undefined : a.sex === 'M' ? a : b;
        let married = false;
        const wed = day + Math.floor(exp(2.5 * YEAR));
        if (rnd() < 0.75) {
          at(wed, () => {
            if (a.dead || b.dead || a.household !== h || b.household !== h) return;
            married = true;
            const code = sameSex && wed >= PARTNERSHIP_FROM && wed < PARTNERSHIP_TO ? 'P' : 'G';
            if (sameSex && wed < PARTNERSHIP_FROM) return;
            for (const [x, y] of [[a, b], [b, a]] as const) {
              // §5: name change at marriage (mostly the wife taking the husband's last name).
              const nn = x === mother || (sameSex && x === b) ? marriedName(x.name, y.name.lastName, rnd) : undefined;
              if (nn) x.name = nn;
              setCivil(x, wed, code, y, 'A24', nn ? [{ group: 'name', validFrom: date(wed), value: nn }] : []);
            }
          });
        }
        // Children.
        if (mother && father) {
          const kr = rnd();
          const k = kr < 0.16 ? 0 : kr < 0.34 ? 1 : kr < 0.76 ? 2 : kr < 0.95 ? 3 : 4;
          let next = day + Math.floor((0.5 + exp(2)) * YEAR);
          for (let i = 0; i < k; i++) {
            const bd = next;
            if (bd - mother.birth > 44 * YEAR || bd - mother.birth < 18 * YEAR) break;
            at(bd, () => {
              if (mother.dead || mother.away || mother.household !== h) return;
              bear(mother, father, bd);
            });
            next = bd + Math.floor((1.2 + exp(2)) * YEAR);
          }
        }
        // Separation: the couple parts; children stay registered with the mother (§8), the other moves out.
        if (rnd() < 0.3) {
          const sd = day + Math.floor((1 + rnd() * 24) * YEAR);
          at(sd, () => {
            if (a.dead || b.dead || a.away || b.away || a.household !== h || b.household !== h) return;
            const leaver = mother ? (rnd() < 0.85 ? father! : mother) : b;
            // The children go with the mother when she is the one who leaves.
            const kids = leaver === mother ? [...h.members].filter((m) => m !== a && m !== b && m.birth + 18 * YEAR > sd) : [];
            if (married) {
              // Separation first, divorce 6-18 months later.
              for (const x of [a, b]) reg(x, sd, int(5, 40), 'A24', authorityOf(x), [{ group: 'separation', validFrom: date(sd), value: { separated: true } }]);
            }
            const nh = ownHome(leaver, sd, rnd() < 0.7 ? h.municipality : pickMunicipality(rnd()));
            for (const c of kids) moveInto(c, nh, sd);
            if (married) {
              const dd = sd + Math.floor((0.5 + rnd()) * YEAR);
              at(dd, () => {
                for (const x of [a, b]) {
                  if (x.dead || x.civil !== 'G' && x.civil !== 'P') continue;
                  const code = x.civil === 'P' ? 'O' : 'F';
                  setCivil(x, dd, code, x === a ? b : a, 'A24', [{ group: 'separation', validFrom: date(dd), value: null }]);
                }
                a.spouse = undefined;
                b.spouse = undefined;
              });
            } else {
              a.spouse = undefined;
              b.spouse = undefined;
            }
            // The one who left may find a new partner.
            if (rnd() < 0.6) {
              const nd = sd + Math.floor((1 + exp(3)) * YEAR);
              at(nd, () => {
                if (leaver.dead || leaver.away || !leaver.household || leaver.household.members.size !== 1 || leaver.spouse) return;
                if (leaver.civil === 'G' || leaver.civil === 'P') return;
                couple(leaver, nd);
              });
            }
          });
        }
      };

      // ── The family's first person ──────────────────────────────────────
      const sex: Sex = rnd() < 0.5 ? 'M' : 'K';
      // The first family is always born here in the second half of the century: a demo starts with a whole life.
      const kind = familyNo === 0 ? 1 : rnd();
      if (lone) {
        // The last persons of a population: single adults, so no family is cut short.
        const birth = today - Math.floor((18 + rnd() * 60) * YEAR);
        outsider(sex, birth, today + 1);
      } else if (kind < ELDER_SHARE) {
        // Someone of the old generations whose relatives are not part of the population: lives on their own until death.
        const birth = dayOf('1885-01-01') + Math.floor(rnd() * (dayOf('1940-01-01') - dayOf('1885-01-01')));
        outsider(sex, birth, today + 1);
      } else if (kind < ELDER_SHARE + TRANSIENT_SHARE) {
        // A stay of a few years from abroad (work, study), mostly ending in departure.
        const birth = today - Math.floor((20 + rnd() * 25) * YEAR) - Math.floor(rnd() * 40 * YEAR);
        const arrival = Math.max(CPR_START, birth + Math.floor((20 + rnd() * 15) * YEAR));
        const p = newPerson(sex, birth, adultName(sex, rnd), false);
        const country = ORIGIN(rnd());
        at(arrival, () => {
          immigrate(p, arrival, pickMunicipality(rnd()), country);
          const out = arrival + Math.floor((0.5 + rnd() * 4.5) * YEAR);
          if (rnd() < 0.8) at(out, () => !p.dead && !p.away && p.household?.members.size === 1 && emigrate([p], out, country));
        });
      } else if (kind < ELDER_SHARE + TRANSIENT_SHARE + 0.1) {
        const birth = dayOf('1940-01-01') + Math.floor(rnd() * (today - 20 * YEAR - dayOf('1940-01-01')));
        const arrival = Math.max(CPR_START, birth + Math.floor((18 + rnd() * 20) * YEAR));
        const p = newPerson(sex, birth, adultName(sex, rnd), false);
        at(arrival, () => {
          immigrate(p, arrival, pickMunicipality(rnd()), ORIGIN(rnd()));
          if (p.pnr && rnd() < 0.7) {
            const pd = arrival + Math.floor(exp(3) * YEAR);
            at(pd, () => !p.dead && !p.away && p.household?.members.size === 1 && !p.spouse && couple(p, pd));
          }
        });
      } else {
        // Founders are born 1895-2006, most in the first half of the century (their descendants fill the rest).
        const birth =
          familyNo === 0
            ? dayOf('1945-01-01') + Math.floor(rnd() * 40 * YEAR)
            : dayOf('1895-01-01') + Math.floor(Math.pow(rnd(), 1.8) * (today - 18 * YEAR - dayOf('1895-01-01')));
        const p = newPerson(sex, birth, childName(sex, undefined, drawLastName(rnd), rnd), true);
        inCpr(p, birth);
        at(birth, () => {
          const h: Household = { members: new Set([p]), stay: null, municipality: pickMunicipality(rnd()) };
          p.household = h;
          settle(h, birth, h.municipality, false);
          reg(p, birth, int(1, 3), 'A14', h.municipality, birthFacts(p, h.stay!.unit));
          const leaveDay = birthday(birth, 18) + Math.floor(rnd() * 7 * YEAR);
          at(leaveDay, () => !p.dead && !p.away && p.household === h && adulthood(p, leaveDay, rnd() < 0.7 ? h.municipality : pickMunicipality(rnd())));
        });
      }

      for (let guard = 0; events.length && guard < 100_000; guard++) {
        const e = events.shift()!;
        e.fn();
        if (people.length > 400) break;
      }
      for (const p of people) if (p.pnr) attributes(p);

      /** Protections, church changes, guardianship, corrections and annulments over an adult life. */
      function attributes(p: Person): void {
        const start = Math.max(birthday(p.birth, 18), p.immigrated ?? 0, CPR_START);
        const end = Math.min(p.death, today);
        if (end - start < 400) return;
        const within = () => start + Math.floor(rnd() * (end - start - 10));
        const muni = (p.household?.municipality ?? p.drafts.find((d) => /^\d{4}$/.test(d.authority))?.authority) || '0101';
        // §28: name-and-address protection for one year; some are extended a year.
        if (rnd() < 0.012) {
          const from = within();
          const extended = rnd() < 0.4;
          const first = reg(p, from, 0, 'A33', muni, [{ group: 'protection', validFrom: date(from), validTo: date(from + 365), value: { type: '0001' } }]);
          if (first && extended && from + 330 < today) reg(p, from + 330, 0, 'A33', muni, [{ group: 'protection', validFrom: date(from), validTo: date(from + 730), value: { type: '0001' } }]);
        }
        // §29: local directory and research protection; §36 marketing protection: until revoked.
        for (const [type, share] of [['0002', 0.03], ['0003', 0.16], ['0004', 0.02]] as const) {
          if (rnd() < share) {
            const from = within();
            const revoked = rnd() < 0.1 ? from + 100 + Math.floor(rnd() * (end - from)) : null;
            reg(p, from, 0, 'A33', muni, [{ group: 'protection', validFrom: date(from), validTo: revoked !== null && revoked < end ? date(revoked) : null, value: { type } }]);
          }
        }
        // Leaving (or joining) the Folkekirke.
        if (rnd() < 0.1) {
          const d = within();
          p.church = !p.church;
          reg(p, d, int(0, 20), 'A34', muni, [{ group: 'church', validFrom: date(d), value: { member: p.church ? 'F' : 'U' } }]);
        }
        // §2(2): guardianship (værgemål), the guardian a grown child when there is one.
        if (rnd() < 0.002) {
          const d = within();
          const child = p.children.find((c) => c.pnr && c.birth + 18 * YEAR < d && !c.dead);
          reg(p, d, int(5, 30), 'A73', muni, [
            { group: 'guardianship', validFrom: date(d), value: child ? { guardianPnr: child.pnr! } : { guardianName: 'Værge fra Familieretshuset' } },
          ]);
        }
        // A name change registered by mistake and annulled days later (REG-3, A17).
        if (rnd() < 0.002) {
          const d = within();
          const wrong = { ...p.name, lastName: p.name.lastName === 'Hansen' ? 'Jensen' : 'Hansen' };
          const mistake = reg(p, d, 0, 'A13', muni, [{ group: 'name', validFrom: date(d), value: wrong }]);
          if (mistake) {
            const fix: Draft = { at: Math.min(mistake.at + int(1, 20) * DAY_MS, nowMs), order: orderSeq++, authority: muni, eventCode: 'A17', late: false, changes: [], annuls: mistake };
            if (fix.at > mistake.at) p.drafts.push(fix);
            else p.drafts.pop();
          }
        }
      }
    }

    function toLoad(p: Person): SynthPerson {
      const drafts = p.drafts.sort((a, b) => a.at - b.at || a.order - b.order);
      const registrations: SynthPerson['registrations'] = [];
      const index = new Map<Draft, number>();
      const targets = new Set(drafts.flatMap((d) => (d.annuls ? [d.annuls] : [])));
      for (const d of drafts) {
        const registeredAt = new Date(d.at).toISOString();
        const prev = registrations[registrations.length - 1];
        // Everything known when CPR began is one registration.
        if (d.at === CPR_START_MS && prev && prev.registeredAt === registeredAt && !d.annuls && !targets.has(d) && prev.annulsIndex === undefined) {
          prev.changes = [...(prev.changes ?? []), ...d.changes];
          index.set(d, registrations.length - 1);
          continue;
        }
        index.set(d, registrations.length);
        registrations.push({
          registeredAt,
          authority: d.authority,
          eventCode: d.eventCode,
          ...(d.late && { late: true }),
          ...(d.documentation && { documentation: d.documentation }),
          changes: d.changes as PersonLoad['registrations'][number]['changes'],
          ...(d.annuls && { annulsIndex: index.get(d.annuls)! }),
        });
      }
      const unit = !p.dead && !p.away && p.household?.stay ? p.household.stay.unit : -1;
      return { pnr: p.pnr!, source: 'allocated', registrations, family: p.family, unit, status: p.status };
    }
  }
}
