/** Dates and values shown in the chosen language. */
import { CIVIL_TIME_ZONE, dateOf } from '../../src/domain/dates.ts';
import { serverNow } from './api.ts';
import { lang } from './i18n.ts';

const locale = () => (lang.get() === 'da' ? 'da-DK' : 'en-GB');

/** A civil date YYYY-MM-DD (never shifted by time zones); an instant shows its Danish date. */
export function fmtDate(d: string | null | undefined): string {
  if (!d) return '';
  // Only an instant with a zone (the server's are UTC, `…Z`) is turned into its Danish date; a time without
  // one is already wall-clock time, and the browser would read it in its own zone.
  const instant = d.length > 10 && /(Z|[+-]\d{2}:?\d{2})$/i.test(d) && !Number.isNaN(Date.parse(d));
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(instant ? dateOf(d) : d.slice(0, 10));
  if (!m) return d;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!)).toLocaleDateString(locale(), { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });
}

/** An instant, in Danish time (the register's civil time, whatever the browser's zone). */
export function fmtTime(t: string | null | undefined): string {
  if (!t) return '';
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? t : d.toLocaleString(locale(), { dateStyle: 'medium', timeStyle: 'short', timeZone: CIVIL_TIME_ZONE });
}

export function fmtNumber(n: number): string {
  return n.toLocaleString(locale());
}

/** DDMMYY-SSSS, the way person numbers are written. */
export const fmtPnr = (p: string | undefined | null) => (p && /^\d{10}$/.test(p) ? `${p.slice(0, 6)}-${p.slice(6)}` : (p ?? ''));

/** Today as YYYY-MM-DD by the server's clock in Danish time, as the server's rules count it (for defaults and display only). */
export function today(): string {
  return dateOf(serverNow());
}

export { addMonths } from '../../src/domain/dates.ts';
