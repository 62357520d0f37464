/**
 * Civil dates are `YYYY-MM-DD` strings and compare as strings; instants are
 * UTC ISO strings (`YYYY-MM-DDTHH:mm:ss.sssZ`), which also compare as strings.
 * Keeping dates out of `Date` avoids time-zone shifts of birth and move dates.
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

/** The civil date (in UTC) of an instant. */
export function dateOf(t: Date | Instant): CivilDate {
  return (typeof t === 'string' ? t : t.toISOString()).slice(0, 10);
}

export function toInstant(t: Date): Instant {
  return t.toISOString();
}

/**
 * Parses a user-given instant: a full ISO timestamp, or a civil date meaning
 * the end of that day (so "known at 2024-05-01" includes that day's work).
 */
export function parseInstant(s: string): Instant | null {
  if (parseCivilDate(s)) return `${s}T23:59:59.999Z`;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(s)) return null;
  const t = new Date(s);
  return Number.isNaN(t.getTime()) ? null : t.toISOString();
}

export function addDays(d: CivilDate, n: number): CivilDate {
  const t = new Date(`${d}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
}
