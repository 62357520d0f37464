/** Dates and values shown in the chosen language. */
import { serverNow } from './api.ts';
import { lang } from './i18n.ts';

const locale = () => (lang.get() === 'da' ? 'da-DK' : 'en-GB');

/** A civil date YYYY-MM-DD (never shifted by time zones). */
export function fmtDate(d: string | null | undefined): string {
  if (!d) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d.slice(0, 10));
  if (!m) return d;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!)).toLocaleDateString(locale(), { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });
}

/** An instant, in the browser's time zone. */
export function fmtTime(t: string | null | undefined): string {
  if (!t) return '';
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? t : d.toLocaleString(locale(), { dateStyle: 'medium', timeStyle: 'short' });
}

export function fmtNumber(n: number): string {
  return n.toLocaleString(locale());
}

/** DDMMYY-SSSS, the way person numbers are written. */
export const fmtPnr = (p: string | undefined | null) => (p && /^\d{10}$/.test(p) ? `${p.slice(0, 6)}-${p.slice(6)}` : (p ?? ''));

/** Today as YYYY-MM-DD by the server's clock, in the browser's time zone (for defaults and display only). */
export function today(): string {
  const d = serverNow();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 0)).getUTCDate();
  t.setUTCDate(Math.min(d, last));
  return t.toISOString().slice(0, 10);
}
