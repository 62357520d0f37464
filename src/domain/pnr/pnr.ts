/**
 * Person numbers (personnummer, CPR-nummer): DDMMYY-SSSS.
 * PNR-1..PNR-5, COD-1, COD-2; the Act's §3 and Bilag 1 nr. 1.
 * Pure: no I/O, no clock.
 */
import { formatDate, isValidDate, type CivilDate } from '../dates.ts';

export type Sex = 'M' | 'K';

/** Weights of the modulus-11 check (PNR-2). */
const WEIGHTS = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1] as const;

/**
 * COD-2: birth dates on which CPR has issued numbers without the modulus-11
 * check since 2007 (CPR's published list; not necessarily exhaustive).
 */
export const NO_MOD11_DATES: ReadonlySet<CivilDate> = new Set(
  [1960, 1962, 1964, 1965, 1966, 1967, 1969, 1970, 1974, 1975, 1978, 1980, 1981, 1982, 1983, 1984,
    1985, 1986, 1987, 1988, 1989, 1990, 1991, 1992, 1994, 1995].map((y) => `${y}-01-01`),
);

export type ValidationRule = 'mod11' | 'no_mod11_date';

export type PnrCheck =
  | { kind: 'malformed'; input: string; message: string }
  | { kind: 'no_such_date'; input: string; pnr: string; message: string }
  | {
      kind: 'valid';
      pnr: string;
      birthDate: CivilDate;
      sex: Sex;
      /** Which rule accepted it: the checksum, or a listed no-mod-11 date (PNR-2). */
      rule: ValidationRule;
      message: string;
    }
  | {
      /** A real date and well-formed, but the checksum fails on a date not on CPR's list (COD-2). */
      kind: 'suspicious';
      pnr: string;
      birthDate: CivilDate;
      sex: Sex;
      message: string;
    };

const PNR_RE = /^(\d{6})-?(\d{4})$/;

/** COD-1: the full birth year from the two-digit year and the 7th digit. */
export function centuryYear(yy: number, d7: number): number {
  if (d7 <= 3) return 1900 + yy;
  if (d7 === 4 || d7 === 9) return yy <= 36 ? 2000 + yy : 1900 + yy;
  return yy <= 57 ? 2000 + yy : 1800 + yy; // d7 5-8
}

/** COD-1 the other way: the 7th digits that give this birth year. */
export function seventhDigitsFor(year: number): number[] {
  const yy = year % 100;
  return [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((d7) => centuryYear(yy, d7) === year);
}

export function mod11Sum(digits: string): number {
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += Number(digits[i]) * WEIGHTS[i]!;
  return sum % 11;
}

/** Normalises `DDMMYY-SSSS` or `DDMMYYSSSS` to ten digits, or null if malformed. */
export function normalisePnr(input: string): string | null {
  const m = PNR_RE.exec(input.trim());
  return m ? m[1]! + m[2]! : null;
}

/**
 * The birth date and sex a normalised number encodes (PNR-1, COD-1), or null
 * when its date does not exist; no check digit is looked at. For the hot
 * lookup path, which needs only these two (checkPnr also builds its reasons).
 */
export function birthAndSex(pnr: string): { birthDate: CivilDate; sex: Sex } | null {
  const c = (i: number) => pnr.charCodeAt(i) - 48;
  // The first seven digits decide the date: at most 372,000 of them, each worked out once.
  const key = ((((c(0) * 10 + c(1)) * 10 + c(2)) * 10 + c(3)) * 100 + c(4) * 10 + c(5)) * 10 + c(6);
  let birthDate = BIRTH_DATES.get(key);
  if (birthDate === undefined) {
    const dd = c(0) * 10 + c(1);
    const mm = c(2) * 10 + c(3);
    const year = centuryYear(c(4) * 10 + c(5), c(6));
    birthDate = isValidDate(year, mm, dd) ? formatDate(year, mm, dd) : null;
    BIRTH_DATES.set(key, birthDate);
  }
  return birthDate === null ? null : { birthDate, sex: c(9) % 2 === 1 ? 'M' : 'K' };
}
const BIRTH_DATES = new Map<number, CivilDate | null>();

/**
 * PNR-1, PNR-2, COD-1, COD-2: parse and validate, saying why. Never throws.
 * `noMod11Dates` is CPR's published list plus any date on which this register
 * itself has run out of modulus-11 serials (see candidatePnrs).
 */
export function checkPnr(input: string, noMod11Dates: ReadonlySet<CivilDate> = NO_MOD11_DATES): PnrCheck {
  const pnr = normalisePnr(input);
  if (!pnr) {
    return { kind: 'malformed', input, message: 'A person number has ten digits: DDMMYY-SSSS or DDMMYYSSSS.' };
  }
  const dd = Number(pnr.slice(0, 2));
  const mm = Number(pnr.slice(2, 4));
  const yy = Number(pnr.slice(4, 6));
  const year = centuryYear(yy, Number(pnr[6]));
  if (!isValidDate(year, mm, dd)) {
    return {
      kind: 'no_such_date',
      input,
      pnr,
      message: `No such birth date: ${pnr.slice(0, 6)} with 7th digit ${pnr[6]} would be ${year}-${pnr.slice(2, 4)}-${pnr.slice(0, 2)}.`,
    };
  }
  const birthDate = formatDate(year, mm, dd);
  // PNR-1: odd last digit male, even female.
  const sex: Sex = Number(pnr[9]) % 2 === 1 ? 'M' : 'K';
  if (mod11Sum(pnr) === 0) {
    return { kind: 'valid', pnr, birthDate, sex, rule: 'mod11', message: 'Valid: modulus-11 check passed.' };
  }
  if (noMod11Dates.has(birthDate)) {
    return {
      kind: 'valid',
      pnr,
      birthDate,
      sex,
      rule: 'no_mod11_date',
      message: `Valid: ${birthDate} is a date on which CPR issues numbers without the modulus-11 check.`,
    };
  }
  return {
    kind: 'suspicious',
    pnr,
    birthDate,
    sex,
    message: `Suspicious: the modulus-11 check fails and ${birthDate} is not a date CPR issues such numbers on.`,
  };
}

/** True for a number the register may hold (valid by either rule of PNR-2). */
export function isValidPnr(input: string, noMod11Dates?: ReadonlySet<CivilDate>): boolean {
  return checkPnr(input, noMod11Dates).kind === 'valid';
}

/** `DDMMYY-SSSS` for display. */
export function formatPnr(pnr: string): string {
  return `${pnr.slice(0, 6)}-${pnr.slice(6)}`;
}

/**
 * PNR-5, §54: blur a number for letters and screens, keeping only the birth
 * date part (`010190-xxxx`). Accepts either written form; malformed input is
 * masked entirely rather than echoed.
 */
export function maskPnr(input: string): string {
  const pnr = normalisePnr(input);
  return pnr ? `${pnr.slice(0, 6)}-xxxx` : 'xxxxxx-xxxx';
}

/**
 * PNR-3, §3(1)-(2): the serials (last four digits) that may be allocated for a
 * birth date and sex, in order of preference: every modulus-11-valid serial
 * first, then, only after those, the serials without a valid checksum (used by
 * CPR since 2007 when a date's mod-11 numbers are exhausted). The 7th digit
 * always gives the right century (COD-1); the last digit the right sex.
 */
export function* candidatePnrs(birthDate: CivilDate, sex: Sex): Generator<string> {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  if (!isValidDate(y, m, d)) throw new RangeError(`Not a calendar date: ${birthDate}`);
  const d7s = seventhDigitsFor(y);
  if (d7s.length === 0) throw new RangeError(`Person numbers cannot express birth year ${y} (1858-2057).`);
  const prefix = birthDate.slice(8, 10) + birthDate.slice(5, 7) + birthDate.slice(2, 4);
  const parity = sex === 'M' ? 1 : 0;
  const withoutCheck: string[] = [];
  for (const d7 of d7s) {
    for (let mid = 0; mid < 100; mid++) {
      const head = prefix + d7 + String(mid).padStart(2, '0');
      for (let last = parity; last < 10; last += 2) {
        const pnr = head + last;
        if (mod11Sum(pnr) === 0) yield pnr;
        else withoutCheck.push(pnr);
      }
    }
  }
  yield* withoutCheck;
}
