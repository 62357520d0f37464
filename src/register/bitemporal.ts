/**
 * The bitemporal model of a person (REG-2, Bilag 1 nr. 17), pure.
 *
 * The log of registrations is the truth; a person's versions are derived from
 * it. Each version holds one value of one fact (group, key) with a validity
 * period [vf, vt) (virkning: when it is true in the world, civil dates) and a
 * registration period [rf, rt) (registrering: when the register held it,
 * instants). Open ends are null. A version is never changed except to close
 * its registration period when a later registration supersedes it.
 */
import type { CivilDate, Instant } from '../domain/dates.ts';
import { GROUPS, type Group } from '../domain/person/facts.ts';

export interface FactChange {
  group: Group;
  /** Empty for single-valued groups. */
  key: string;
  validFrom: CivilDate;
  validTo: CivilDate | null;
  /** null ends the fact for the period (e.g. no Danish address after emigration). */
  value: unknown;
}

export interface Registration {
  seq: number;
  pnr: string;
  registeredAt: Instant;
  /** The acting authority: a municipality code or another authority (§2(2)). */
  authority: string;
  /** COD-4: the CPR event code (A01 move, A21 death, ...). */
  eventCode: string;
  documentation: string | null;
  /** §12(1), §57: reported after the deadline. */
  late: boolean;
  /** REG-3: the seq of the registration this one annuls. */
  annuls: number | null;
  changes: FactChange[];
}

export interface Version {
  g: Group;
  k: string;
  vf: CivilDate;
  vt: CivilDate | null;
  rf: Instant;
  rt: Instant | null;
  v: unknown;
  /** The registration that asserted the value. */
  s: number;
}

const overlaps = (v: Version, from: CivilDate, to: CivilDate | null) =>
  (to === null || v.vf < to) && (v.vt === null || from < v.vt);

/**
 * Applies the changes of one registration made at time t. Every open version
 * that overlaps a changed period is closed (rt = t) and its parts outside the
 * period are carried over as new versions; the new value gets its own version.
 * Nothing is deleted, except a version opened and superseded at the same
 * instant, which never was visible to anyone.
 */
export function applyChanges(versions: Version[], changes: readonly FactChange[], t: Instant, seq: number): Version[] {
  let out = versions.slice();
  for (const c of changes) {
    const next: Version[] = [];
    for (const v of out) {
      if (v.rt !== null || v.g !== c.group || v.k !== c.key || !overlaps(v, c.validFrom, c.validTo)) {
        next.push(v);
        continue;
      }
      if (v.rf < t) next.push({ ...v, rt: t });
      if (v.vf < c.validFrom) next.push({ ...v, vt: c.validFrom, rf: t, rt: null });
      if (c.validTo !== null && (v.vt === null || c.validTo < v.vt)) next.push({ ...v, vf: c.validTo, rf: t, rt: null });
    }
    if (c.value !== null) {
      next.push({ g: c.group, k: c.key, vf: c.validFrom, vt: c.validTo, rf: t, rt: null, v: c.value, s: seq });
    }
    out = next;
  }
  return out;
}

const identity = (v: Version) => `${v.g}\u0000${v.k}\u0000${v.vf}\u0000${v.vt}\u0000${v.s}\u0000${JSON.stringify(v.v)}`;

/**
 * REG-3: annulment at time t. The valid-time picture is rebuilt from every
 * registration that is still in force; versions that are no longer part of it
 * are closed, new ones opened. The annulled registration stays in the log and
 * in the registration history ("as known at" before t still shows it).
 */
export function applyAnnulment(versions: Version[], inForce: readonly Registration[], t: Instant): Version[] {
  let rebuilt: Version[] = [];
  for (const r of inForce) rebuilt = applyChanges(rebuilt, r.changes, r.registeredAt, r.seq);
  const wanted = new Map(rebuilt.filter((v) => v.rt === null).map((v) => [identity(v), v]));
  const out: Version[] = [];
  for (const v of versions) {
    if (v.rt !== null) out.push(v);
    else if (wanted.delete(identity(v))) out.push(v);
    else if (v.rf < t) out.push({ ...v, rt: t });
  }
  for (const v of wanted.values()) out.push({ ...v, rf: t, rt: null });
  return out;
}

/** The registrations of one person still in force: not annulled, not annulments. */
export function registrationsInForce(all: readonly Registration[]): Registration[] {
  const annulled = new Set(all.filter((r) => r.annuls !== null).map((r) => r.annuls));
  return all.filter((r) => r.annuls === null && !annulled.has(r.seq));
}

/** Versions valid at V as known at R (REG-2). */
export function versionsAsOf(versions: readonly Version[], validAt: CivilDate, knownAt: Instant): Version[] {
  return versions.filter(
    (v) => v.rf <= knownAt && (v.rt === null || knownAt < v.rt) && v.vf <= validAt && (v.vt === null || validAt < v.vt),
  );
}

/** The validity history as known at R: every version that was in force at R. */
export function versionsKnownAt(versions: readonly Version[], knownAt: Instant): Version[] {
  return versions
    .filter((v) => v.rf <= knownAt && (v.rt === null || knownAt < v.rt))
    .sort((a, b) => (a.g === b.g ? (a.k === b.k ? cmp(a.vf, b.vf) : cmp(a.k, b.k)) : cmp(a.g, b.g)));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export interface FactState {
  value: unknown;
  validFrom: CivilDate;
  validTo: CivilDate | null;
  registeredAt: Instant;
  seq: number;
}

/** A person as valid at V and known at R: single groups as one fact, keyed groups as a list. */
export type PersonState = Partial<Record<Group, FactState | FactState[]>>;

export function stateOf(versions: readonly Version[]): PersonState {
  const state: PersonState = {};
  for (const v of versions) putFact(state, v.g, { value: v.v, validFrom: v.vf, validTo: v.vt, registeredAt: v.rf, seq: v.s });
  return state;
}

/** Adds one fact of group g to a state, as stateOf does (for readers that build facts without versions). */
export function putFact(state: PersonState, g: Group, f: FactState): void {
  if (GROUPS[g].keyed) {
    const list = (state[g] as FactState[] | undefined) ?? [];
    list.push(f);
    state[g] = list;
  } else {
    state[g] = f;
  }
}

/**
 * The first validity date after `today` at which the current state changes by
 * itself (a future move, a protection running out); null if none. The
 * current-state projection is recomputed when a read passes this date.
 */
export function nextBoundary(versions: readonly Version[], today: CivilDate): CivilDate | null {
  let next: CivilDate | null = null;
  for (const v of versions) {
    if (v.rt !== null) continue;
    for (const d of [v.vf, v.vt]) if (d !== null && d > today && (next === null || d < next)) next = d;
  }
  return next;
}
