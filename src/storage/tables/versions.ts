/**
 * The person's versions (REG-2) as rows, one per version (migration 0013).
 *
 * The key `id` is the person number read as an integer times 65,536 plus the
 * version's position in the person's list, so that one person's versions are
 * one contiguous key range and come back in their order. On SQLite `id` is
 * the rowid: the table b-tree's interior pages hold only integer keys (a wide
 * fan-out, few levels), and an as-of lookup is one descent and a short scan
 * of neighbouring rows in which SQLite itself drops the versions not in force
 * at the asked time, so only those are turned into JavaScript objects.
 * (Before, the whole history was one JSON text per person, parsed whole on
 * every as-of lookup; docs/benchmarks.md.)
 */
import type { Group } from '../../domain/person/facts.ts';
import type { Version } from '../../register/bitemporal.ts';

export interface PersonVersionTable {
  /** pnr × 65,536 + position. */
  id: number;
  g: string;
  /** The key of a keyed group ('' for single-valued groups). */
  k: string;
  vf: string;
  vt: string | null;
  rf: string;
  rt: string | null;
  /** The registration that asserted the value. */
  s: number;
  /** The value as JSON. */
  v: string;
}

export interface VersionTables {
  person_version: PersonVersionTable;
}

/** Versions a person may have (the positions of one person's key range). */
export const VERSIONS_PER_PERSON = 65_536;

/** The key range [lo, hi) of a person's versions. A ten-digit number times 2^16 stays below 2^53. */
export function versionRange(pnr: string): [number, number] {
  const lo = Number(pnr) * VERSIONS_PER_PERSON;
  return [lo, lo + VERSIONS_PER_PERSON];
}

/** The person number a version row belongs to. */
export function pnrOfVersionId(id: number | string): string {
  return String(Math.floor(Number(id) / VERSIONS_PER_PERSON)).padStart(10, '0');
}

/** A person's versions as rows, in order. */
export function versionRows(pnr: string, versions: readonly Version[]): PersonVersionTable[] {
  if (versions.length > VERSIONS_PER_PERSON) {
    // Unreachable for real persons; a clear error rather than rows under another person's key.
    throw new RangeError(`${pnr} would have ${versions.length} versions; a person can have at most ${VERSIONS_PER_PERSON}.`);
  }
  const [lo] = versionRange(pnr);
  return versions.map((v, i) => ({
    id: lo + i,
    g: v.g,
    k: v.k,
    vf: v.vf,
    vt: v.vt,
    rf: v.rf,
    rt: v.rt,
    s: v.s,
    v: JSON.stringify(v.v),
  }));
}

/** A stored row as a Version (PostgreSQL hands bigint columns over as text). */
export function versionOfRow(r: Omit<PersonVersionTable, 'id'>): Version {
  return { g: r.g as Group, k: r.k, vf: r.vf, vt: r.vt, rf: r.rf, rt: r.rt, v: JSON.parse(r.v), s: Number(r.s) };
}
