/**
 * Civil dates are `YYYY-MM-DD` strings and compare as strings; instants are
 * UTC ISO strings (`YYYY-MM-DDTHH:mm:ss.sssZ`), which also compare as strings.
 * Keeping dates out of `Date` avoids time-zone shifts of birth and move dates.
 *
 * A civil date is a day in Denmark: the date of an instant, "today" and the
 * bounds of a day are taken in Europe/Copenhagen (CET/CEST) through the
 * platform's Intl time-zone data, never in UTC. This module is the project's
 * one calendar arithmetic (days, months, years, ages); the web client uses it
 * too.
 */
export type CivilDate = string;
export type Instant = string;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(y: number, m: number): number {
  return m === 2 && isLeapYear(y) ? 29 : (MONTH_DAYS[m - 1] ?? 0);
}

export function isValidDate(y: number, m: number, d: number): boolean {
  return Number.isInteger(y) && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

export function formatDate(y: number, m: number, d: number): CivilDate {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Parses `YYYY-MM-DD`; returns null when it is not a real calendar date. */
export function parseCivilDate(s: string): CivilDate | null {
  const m = DATE_RE.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return isValidDate(y, mo, d) ? s : null;
}

/** The register's civil time: Danish dates and days are those of Copenhagen. */
export const CIVIL_TIME_ZONE = 'Europe/Copenhagen';

const WALL_CLOCK = new Intl.DateTimeFormat('en-US', {
  timeZone: CIVIL_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

const HOUR_MS = 3_600_000;
/** Copenhagen's offset from UTC per UTC hour, for hours with one offset throughout (a cache: Intl costs ~10 µs a call). */
const offsetOfHour = new Map<number, number>();

/**
 * The wall-clock reading in Copenhagen at `ms`, as milliseconds of the same
 * reading in UTC (years 1-9999). Clocks change on the hour (01:00 UTC since
 * 1980), so the offset is looked up once per UTC hour; an hour whose start and
 * end differ (a change inside it, as in 1894) is computed each time.
 */
function wallClockMs(ms: number): number {
  const hour = Math.floor(ms / HOUR_MS);
  let offset = offsetOfHour.get(hour);
  if (offset === undefined) {
    const start = hour * HOUR_MS;
    const a = exactWallClockMs(start) - start;
    const b = exactWallClockMs(start + HOUR_MS - 1) - (start + HOUR_MS - 1);
    if (a !== b) return exactWallClockMs(ms);
    if (offsetOfHour.size > 100_000) offsetOfHour.clear();
    offsetOfHour.set(hour, (offset = a));
  }
  return ms + offset;
}

function exactWallClockMs(ms: number): number {
  const p: Record<string, number> = {};
  for (const x of WALL_CLOCK.formatToParts(new Date(ms))) if (x.type !== 'literal') p[x.type] = Number(x.value);
  const t = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  t.setUTCFullYear(p.year!, p.month! - 1, p.day!);
  t.setUTCHours(p.hour!, p.minute!, p.second!, ms - Math.floor(ms / 1000) * 1000);
  return t.getTime();
}

const msOf = (t: Date | Instant): number => (typeof t === 'string' ? Date.parse(t) : t.getTime());

/**
 * The Danish civil date of an instant: 2024-05-01T22:30Z is 00:30 on
 * 2 May in Copenhagen (summer time), so its date is 2024-05-02. Every
 * "today" (deadlines, "valid now", defaults) is `dateOf(clock.now())`.
 */
export function dateOf(t: Date | Instant): CivilDate {
  const ms = msOf(t);
  // Since Denmark's offsets are whole hours (1894), the date changes only at a whole UTC minute: the last minute's
  // answer is reused (this runs several times a request). Before that, local mean time was +00:50:20.
  if (ms < WHOLE_HOUR_OFFSETS) return new Date(wallClockMs(ms)).toISOString().slice(0, 10);
  const minute = Math.floor(ms / 60_000);
  if (minute === lastMinute) return lastDate;
  lastDate = new Date(wallClockMs(ms)).toISOString().slice(0, 10);
  lastMinute = minute;
  return lastDate;
}
const WHOLE_HOUR_OFFSETS = Date.UTC(1894, 0, 1);
let lastMinute = Number.NaN;
let lastDate: CivilDate = '';

/** The Danish wall-clock time `HH:mm` of an instant (for documents that print a time). */
export function timeOf(t: Date | Instant): string {
  return new Date(wallClockMs(msOf(t))).toISOString().slice(11, 16);
}

/**
 * The instant a Danish civil day begins (00:00 in Copenhagen). Denmark
 * changes clocks at 01:00 UTC, never at midnight, so midnight exists once;
 * two passes settle the offset on either side of a change.
 */
export function startOfDay(d: CivilDate): Instant {
  const local = Date.parse(`${d}T00:00:00.000Z`);
  let t = local - (wallClockMs(local) - local);
  t = local - (wallClockMs(t) - t);
  return new Date(t).toISOString();
}

/** The last millisecond of a Danish civil day: "known at 2024-05-01" includes all of that day in Denmark. */
export function endOfDay(d: CivilDate): Instant {
  return new Date(Date.parse(startOfDay(addDays(d, 1))) - 1).toISOString();
}

export function toInstant(t: Date): Instant {
  return t.toISOString();
}

/**
 * Parses a user-given instant: a full ISO timestamp, or a civil date meaning
 * the end of that Danish day (so "known at 2024-05-01" includes that day's
 * work in Denmark, up to 23:59:59.999 Copenhagen time).
 */
export function parseInstant(s: string): Instant | null {
  if (parseCivilDate(s)) return endOfDay(s);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(s)) return null;
  const t = new Date(s);
  return Number.isNaN(t.getTime()) ? null : t.toISOString();
}

export function addDays(d: CivilDate, n: number): CivilDate {
  const t = new Date(`${d}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
}

/**
 * The same day `n` months later (or earlier, n < 0); the month's last day
 * when it has no such day: 31 January + 1 month = 28/29 February, and
 * 29 February ± 1 year = 28 February. This is the Danish rule for periods
 * counted in months or years, forældelsesloven § 27, stk. 1: the period ends
 * on the day of the month that corresponds to the starting day, "i mangel af
 * tilsvarende dag ... på den sidste dag i måneden". CPR's own documents (the
 * Act, seeds 000-004) state no rule of their own for 29 February.
 */
export function addMonths(d: CivilDate, n: number): CivilDate {
  const [y, m, day] = d.split('-').map(Number) as [number, number, number];
  const idx = y * 12 + (m - 1) + n;
  const ny = Math.floor(idx / 12);
  const nm = idx - ny * 12 + 1;
  return formatDate(ny, nm, Math.min(day, daysInMonth(ny, nm)));
}

/** The same calendar day `n` years later (29 February → 28 February in a common year; see `addMonths`). */
export const addYears = (d: CivilDate, n: number): CivilDate => addMonths(d, 12 * n);

/** The same calendar day `n` years earlier (29 February → 28 February in a common year, 29 in a leap year). */
export const yearsBefore = (d: CivilDate, n: number): CivilDate => addMonths(d, -12 * n);

/**
 * Age in whole years on a date: `n` years are complete on `addYears(birth, n)`,
 * so one born on 29 February turns a year older on 28 February in a common
 * year, by the same rule as every other period of years (`addMonths`).
 */
export function ageOn(birthDate: CivilDate, on: CivilDate): number {
  let years = Number(on.slice(0, 4)) - Number(birthDate.slice(0, 4));
  if (addYears(birthDate, years) > on) years -= 1;
  return years;
}

/** Whole days from `a` to `b` (negative when `b` is earlier). */
export function daysBetween(a: CivilDate, b: CivilDate): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}
