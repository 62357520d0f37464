/**
 * Names drawn from the Danish name frequency lists (KU "Danskernes Navne",
 * 2005, weighted by how many bear them): one to three first names, now and
 * then a middle name, a last name passed on from a parent, and the name
 * changes at marriage (§5: a spouse may take the other's last name; the old
 * one may be kept as a middle name, or joined with a hyphen).
 */
import type { Sex } from '../domain/pnr/pnr.ts';
import data from './data/population.json' with { type: 'json' };
import { weighted } from './pick.ts';

export interface Name {
  firstNames: string[];
  middleNames: string[];
  lastName: string;
}

type Weighted = [string, number][];
const male = weighted(data.maleFirst as Weighted);
const female = weighted(data.femaleFirst as Weighted);
const middle = weighted(data.middle as Weighted);
const last = weighted(data.last as Weighted);

export const drawLastName = (rnd: () => number): string => last(rnd());

export function drawFirstNames(sex: Sex, rnd: () => number): string[] {
  const draw = sex === 'M' ? male : female;
  const r = rnd();
  const n = r < 0.5 ? 1 : r < 0.88 ? 2 : 3;
  const out: string[] = [];
  for (let tries = 0; out.length < n && tries < 10; tries++) {
    const x = draw(rnd());
    if (!out.includes(x)) out.push(x);
  }
  return out;
}

/** A newborn's name: the last name of the father or the mother (or both, hyphenated), a middle name now and then. */
export function childName(sex: Sex, fatherLast: string | undefined, motherLast: string, rnd: () => number): Name {
  const r = rnd();
  const lastName = fatherLast === undefined || r < 0.25 ? motherLast : r < 0.93 || fatherLast === motherLast ? fatherLast : `${motherLast}-${fatherLast}`;
  const m = rnd();
  const middleNames = m < 0.12 ? [middle(rnd())] : m < 0.2 && fatherLast !== undefined && motherLast !== lastName ? [motherLast] : [];
  return { firstNames: drawFirstNames(sex, rnd), middleNames: middleNames.filter((x) => x !== lastName && !x.includes(' ')), lastName };
}

export function adultName(sex: Sex, rnd: () => number): Name {
  const m = rnd();
  return { firstNames: drawFirstNames(sex, rnd), middleNames: m < 0.15 ? [middle(rnd())] : [], lastName: last(rnd()) };
}

/** The name after marriage, or undefined when it stays (most keep their name; taking the spouse's is the common change). */
export function marriedName(own: Name, spouseLast: string, rnd: () => number): Name | undefined {
  if (own.lastName === spouseLast) return undefined;
  const r = rnd();
  if (r < 0.3) return { ...own, lastName: spouseLast };
  if (r < 0.42) return { ...own, middleNames: [...own.middleNames.filter((x) => x !== own.lastName), own.lastName], lastName: spouseLast };
  if (r < 0.47 && !own.lastName.includes('-') && !spouseLast.includes('-')) return { ...own, lastName: `${own.lastName}-${spouseLast}` };
  return undefined;
}
