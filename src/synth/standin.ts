/**
 * A stand-in synthetic population: deterministic for a seed, realistic enough
 * to demo and benchmark the register (weighted Danish names, real DAR unit
 * addresses, moves, late registrations, marriages, protections, deaths,
 * emigration). No real person's data: numbers are allocated, names drawn at
 * random. The full generator (households, decades of history, reference
 * registers) is the populations issue.
 */
import { formatDate, daysInMonth, type CivilDate } from '../domain/dates.ts';
import { candidatePnrs, type Sex } from '../domain/pnr/pnr.ts';
import type { PersonLoad } from '../register/load.ts';
import data from './data/standin.json' with { type: 'json' };
import { prng } from './random.ts';
import { dateOfDay, dayOf } from './days.ts';
import { weighted } from './pick.ts';

type Weighted = [string, number][];

const male = weighted(data.maleFirst as Weighted);
const female = weighted(data.femaleFirst as Weighted);
const last = weighted(data.last as Weighted);
const cols = data.addressColumns;
const ADDRESSES = (data.addresses as (string | null)[][]).map((row) => {
  const a: Record<string, string> = {};
  cols.forEach((c, i) => {
    const v = row[i];
    if (v) a[c] = v;
  });
  return a;
});

export interface StandinOptions {
  persons: number;
  seed: number;
  /** The generation date: nothing is registered after it. */
  today: CivilDate;
  /** The generation instant: nothing is registered after it (default: the start of `today`). */
  now?: string;
}

const DAY_MS = 86_400_000;

/** Same as dates.ts addDays, without a Date object. */
const addDays = (d: CivilDate, n: number): CivilDate => dateOfDay(dayOf(d) + n);

const at = (d: CivilDate, hour = 10) => `${d}T${String(hour).padStart(2, '0')}:00:00.000Z`;

/** Yields persons in a fixed order for a seed, so a load can resume by skipping. */
export function* standinPopulation(opts: StandinOptions): Generator<PersonLoad> {
  const rnd = prng(opts.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const thisYear = Number(opts.today.slice(0, 4));
  const now = opts.now ?? `${opts.today}T00:00:00.000Z`;
  // A registration is never later than the moment the population is made.
  const reg = (d: CivilDate, hour?: number) => {
    const t = at(d, hour);
    return t > now ? now : t;
  };
  const serials = new Map<string, Generator<string>>();
  const randomDate = (from: CivilDate, to: CivilDate): CivilDate => {
    // Milliseconds as before (Date.parse of a date is its midnight UTC), so the draw is the same.
    const a = dayOf(from) * DAY_MS;
    const b = dayOf(to) * DAY_MS;
    return dateOfDay(Math.floor((a + Math.floor(rnd() * Math.max(0, b - a))) / DAY_MS));
  };
  const address = () => ADDRESSES[int(0, ADDRESSES.length - 1)]!;

  for (let i = 0; i < opts.persons; i++) {
    const sex: Sex = rnd() < 0.5 ? 'M' : 'K';
    // Ages 0-99, fewer of the old.
    const age = Math.floor(100 * (1 - Math.sqrt(1 - rnd() * 0.96)));
    const y = thisYear - age;
    const m = int(1, 12);
    let birthDate = formatDate(y, m, int(1, daysInMonth(y, m)));
    if (birthDate > opts.today) birthDate = addDays(opts.today, -int(1, 300));
    const key = birthDate + sex;
    let it = serials.get(key);
    if (!it) serials.set(key, (it = candidatePnrs(birthDate, sex)));
    const pnr = it.next().value as string;

    const first = sex === 'M' ? male(rnd()) : female(rnd());
    const lastName = last(rnd());
    const name = {
      firstNames: rnd() < 0.25 ? [first, sex === 'M' ? male(rnd()) : female(rnd())] : [first],
      middleNames: rnd() < 0.3 ? [last(rnd())] : [],
      lastName,
    };
    const home = address();
    const regs: PersonLoad['registrations'] = [];
    const registeredBirth = addDays(birthDate, 2) < opts.today ? addDays(birthDate, 2) : opts.today;
    regs.push({
      registeredAt: reg(registeredBirth),
      authority: home.municipalityCode!,
      eventCode: 'A14',
      changes: [
        { group: 'birth', validFrom: birthDate, value: { birthDate, sex } },
        { group: 'name', validFrom: birthDate, value: name },
        { group: 'status', validFrom: birthDate, value: { code: '01' } },
        { group: 'civilStatus', validFrom: birthDate, value: { code: 'U' } },
        { group: 'citizenship', validFrom: birthDate, value: { countryCode: '5100' } },
        { group: 'church', validFrom: birthDate, value: { member: rnd() < 0.73 ? 'F' : 'U' } },
        { group: 'address', validFrom: birthDate, value: toAddress(home) },
      ],
    });
    let since = birthDate;
    let lastReported = registeredBirth;
    const adult = addDays(birthDate, 18 * 365);
    const moves = adult < opts.today ? int(0, 3) : 0;
    for (let k = 0; k < moves; k++) {
      const moveDate = randomDate(since > adult ? since : adult, opts.today);
      if (moveDate <= since) break;
      const late = rnd() < 0.05;
      let reported = addDays(moveDate, late ? int(6, 40) : int(0, 4));
      if (reported > opts.today) reported = opts.today;
      const to = address();
      regs.push({
        registeredAt: reg(reported, 11),
        authority: to.municipalityCode!,
        eventCode: 'A01',
        late: late && reported > addDays(moveDate, 5),
        changes: [{ group: 'address', validFrom: moveDate, value: toAddress(to) }],
      });
      since = moveDate;
      lastReported = reported;
    }
    if (adult < opts.today && rnd() < 0.45) {
      const married = randomDate(adult, opts.today);
      regs.push({
        registeredAt: reg(married, 12),
        authority: 'Vielsesmyndighed',
        eventCode: 'A24',
        changes: [{ group: 'civilStatus', validFrom: married, value: { code: 'G' } }],
      });
    }
    if (rnd() < 0.01) {
      // §28: name-and-address protection for one year.
      let from = addDays(opts.today, -int(1, 500));
      if (from < lastReported) from = lastReported;
      regs.push({
        registeredAt: reg(from, 13),
        authority: home.municipalityCode!,
        eventCode: 'A33',
        changes: [{ group: 'protection', validFrom: from, validTo: addDays(from, 365), value: { type: '0001' } }],
      });
    }
    const fate = rnd();
    // A death or departure comes after everything else that was registered.
    const end = randomDate(lastReported > since ? lastReported : since, opts.today);
    if (end > since && fate < 0.01) {
      regs.push({
        registeredAt: reg(addDays(end, 1) > opts.today ? opts.today : addDays(end, 1), 14),
        authority: 'Dødsregistrering',
        eventCode: 'A21',
        changes: [
          { group: 'status', validFrom: end, value: { code: '90' } },
          { group: 'address', validFrom: end, value: null },
        ],
      });
    } else if (end > since && fate < 0.02) {
      regs.push({
        registeredAt: reg(end, 14),
        authority: home.municipalityCode!,
        eventCode: 'A06',
        changes: [
          { group: 'status', validFrom: end, value: { code: '80' } },
          { group: 'address', validFrom: end, value: null },
          { group: 'foreignAddress', validFrom: end, value: { lines: ['Storgatan 1', '111 22 Stockholm'], countryCode: '5120' } },
        ],
      });
    }
    yield { pnr, source: 'allocated', registrations: regs.sort((a, b) => (a.registeredAt < b.registeredAt ? -1 : a.registeredAt > b.registeredAt ? 1 : 0)) };
  }
}

function toAddress(a: Record<string, string>) {
  return {
    municipalityCode: a.municipalityCode!,
    roadCode: a.roadCode!,
    roadName: a.roadName,
    houseNumber: a.houseNumber,
    floor: a.floor,
    door: a.door,
    postalCode: a.postalCode,
    postalDistrict: a.postalDistrict,
    addressId: a.addressId,
    accessAddressId: a.accessAddressId,
  };
}
