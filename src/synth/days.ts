/**
 * Civil dates as day numbers (days since 1970-01-01, proleptic Gregorian;
 * H. Hinnant's algorithms). The generator does date arithmetic millions of
 * times, so it works in plain numbers and makes date strings only for output.
 */
import { formatDate, type CivilDate } from '../domain/dates.ts';

export type Day = number;

export function dayOf(d: CivilDate): Day {
  let y = Number(d.slice(0, 4));
  const m = Number(d.slice(5, 7));
  const day = Number(d.slice(8, 10));
  if (m <= 2) y -= 1;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function dateOfDay(n: Day): CivilDate {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return formatDate(yoe + era * 400 + (m <= 2 ? 1 : 0), m, d);
}

export const yearOfDay = (n: Day): number => Number(dateOfDay(n).slice(0, 4));

/** The day a person born on `birth` turns `years` (29 February birthdays turn on 1 March). */
export function birthday(birth: Day, years: number): Day {
  const d = dateOfDay(birth);
  const y = Number(d.slice(0, 4)) + years;
  const md = d.slice(5);
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return dayOf(md === '02-29' && !leap ? `${y}-03-01` : `${y}-${md}`);
}

export const YEAR = 365.25;
