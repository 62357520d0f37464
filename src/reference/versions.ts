/**
 * Versions of reference objects (DAR, EJF), bitemporal as in
 * Grunddatamodellen: a validity period [from, to) in civil dates and a
 * registration period in instants. An import is a registration at the import
 * time: it closes (registrering_til = t) the versions it supersedes and adds
 * new ones (registrering_fra = t). Nothing is deleted.
 *
 * The planning is pure; `applyPlans` writes a plan in the caller's transaction.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { CivilDate, Instant } from '../domain/dates.ts';
import type { DB } from '../storage/schema.ts';
import type { Store } from '../storage/store.ts';

/** A version still registered (registrering_til is null). */
export interface Held<P> {
  version: number;
  payload: P;
  from: CivilDate;
  to: CivilDate | null;
}

export interface Plan<P> {
  /** Versions whose registration ends now. */
  close: number[];
  /** New versions, registered from now. */
  insert: { payload: P; from: CivilDate; to: CivilDate | null }[];
}

const overlapsFrom = (h: { to: CivilDate | null }, from: CivilDate) => h.to === null || h.to > from;

/**
 * A snapshot says "from `from` on, the object is `payload` (until `to`, and
 * not after it)": what is held from `from` on is replaced; the part of a
 * version before `from` is carried over. Null when nothing changes.
 */
export function planFrom<P>(
  held: readonly Held<P>[],
  payload: P,
  from: CivilDate,
  to: CivilDate | null,
  equal: (a: P, b: P) => boolean,
): Plan<P> | null {
  const hit = held.filter((h) => overlapsFrom(h, from));
  if (hit.length === 1 && equal(hit[0]!.payload, payload) && hit[0]!.from <= from && hit[0]!.to === to) return null;
  const plan: Plan<P> = { close: [], insert: [] };
  for (const h of hit) {
    plan.close.push(h.version);
    if (h.from < from) plan.insert.push({ payload: h.payload, from: h.from, to: from });
  }
  plan.insert.push({ payload, from, to });
  return plan;
}

/**
 * A record says "the object is exactly `payload` over [from, to)": every held
 * version is replaced unless the one held is already that. Null when nothing changes.
 */
export function planRecord<P>(
  held: readonly Held<P>[],
  payload: P,
  from: CivilDate,
  to: CivilDate | null,
  equal: (a: P, b: P) => boolean,
): Plan<P> | null {
  if (held.length === 1 && equal(held[0]!.payload, payload) && held[0]!.from === from && held[0]!.to === to) return null;
  return { close: held.map((h) => h.version), insert: [{ payload, from, to }] };
}

/** Payloads compared by their JSON with keys in a fixed order. */
export function samePayload<P extends object>(a: P, b: P): boolean {
  return canonical(a) === canonical(b);
}

function canonical(o: object): string {
  return JSON.stringify(Object.keys(o).sort().map((k) => [k, (o as Record<string, unknown>)[k] ?? null]));
}

/**
 * The registration and validity conditions of a versioned table's rows:
 * valid on `on` and registered at `knownAt` (null: still registered).
 */
export function asOf(alias: string, on: CivilDate, knownAt: Instant | null) {
  const col = (c: string) => sql.ref(`${alias}.${c}`);
  const registered =
    knownAt === null
      ? sql`${col('registrering_til')} is null`
      : sql`${col('registrering_fra')} <= ${knownAt} and (${col('registrering_til')} is null or ${col('registrering_til')} > ${knownAt})`;
  return sql<boolean>`(${registered} and ${col('virkning_fra')} <= ${on} and (${col('virkning_til')} is null or ${col('virkning_til')} > ${on}))`;
}

export type RefTable = 'dar_husnummer' | 'dar_adresse' | 'ejf_ejendom' | 'ejf_beliggenhed' | 'ejf_ejerskab';

/** One object's plan with the key columns that name it. */
export interface KeyedPlan<P> {
  key: Record<string, string | number>;
  plan: Plan<P>;
}

/**
 * Writes plans: closes the superseded versions and inserts the new ones with
 * the next version numbers of each object. `columns` maps a payload to the
 * table's payload columns.
 */
export async function applyPlans<P>(
  tx: Transaction<DB> | Kysely<DB>,
  table: RefTable,
  plans: readonly KeyedPlan<P>[],
  columns: (p: P) => object,
  t: Instant,
): Promise<void> {
  if (plans.length === 0) return;
  const db = tx as unknown as Kysely<any>;
  const keyCols = Object.keys(plans[0]!.key);
  const where = (q: any, key: Record<string, unknown>) => keyCols.reduce((acc, c) => acc.where(c, '=', key[c]), q);
  const keyOf = (k: Record<string, unknown>) => JSON.stringify(keyCols.map((c) => String(k[c])));
  // The highest version of each object, closed ones included: one grouped read per 500 objects.
  const maxVersion = new Map<string, number>();
  const first = keyCols[0]!;
  const firstValues = [...new Set(plans.map((p) => p.key[first]!))];
  for (let i = 0; i < firstValues.length; i += 500) {
    const got = await db
      .selectFrom(table)
      .select([...keyCols, (eb: any) => eb.fn.max('version').as('v')])
      .where(first, 'in', firstValues.slice(i, i + 500))
      .groupBy(keyCols)
      .execute();
    for (const r of got) maxVersion.set(keyOf(r), Number(r.v));
  }
  const rows: Record<string, unknown>[] = [];
  for (const { key, plan } of plans) {
    let next = (maxVersion.get(keyOf(key)) ?? 0) + 1;
    if (plan.close.length > 0) {
      await where(db.updateTable(table).set({ registrering_til: t }), key).where('version', 'in', plan.close).execute();
    }
    for (const ins of plan.insert) {
      rows.push({
        ...key,
        version: next++,
        ...columns(ins.payload),
        virkning_fra: ins.from,
        virkning_til: ins.to,
        registrering_fra: t,
        registrering_til: null,
      });
    }
  }
  const perRow = Object.keys(rows[0] ?? { a: 1 }).length;
  const chunk = Math.max(1, Math.floor(30000 / perRow));
  for (let i = 0; i < rows.length; i += chunk) {
    await db.insertInto(table).values(rows.slice(i, i + chunk)).execute();
  }
}

/** Reads the still-registered versions of the objects whose `column` is one of `values`, in chunks. */
export async function loadHeld<R>(
  tx: Transaction<DB> | Kysely<DB>,
  table: RefTable,
  column: string,
  values: readonly (string | number)[],
): Promise<R[]> {
  const db = tx as unknown as Kysely<any>;
  const out: R[] = [];
  const unique = [...new Set(values)];
  for (let i = 0; i < unique.length; i += 500) {
    const part = unique.slice(i, i + 500);
    out.push(
      ...((await db
        .selectFrom(table)
        .selectAll()
        .where(column, 'in', part)
        .where('registrering_til', 'is', null)
        .orderBy('virkning_fra')
        .execute()) as R[]),
    );
  }
  return out;
}

/**
 * Runs `fn` in one write transaction that holds the reference registers'
 * writer lock: SQLite `BEGIN IMMEDIATE` (the database write lock, taken before
 * anything is read); PostgreSQL `LOCK TABLE reference_import` (imports queue,
 * readers are not blocked). Either everything `fn` wrote commits, or nothing.
 */
export async function writeTransaction<T>(store: Store, fn: (tx: Kysely<DB>) => Promise<T>): Promise<T> {
  if (store.dialect === 'sqlite') {
    return store.db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const out = await fn(conn);
        await sql`commit`.execute(conn);
        return out;
      } catch (e) {
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw e;
      }
    });
  }
  return store.db.transaction().execute(async (tx) => {
    await sql`lock table reference_import in share row exclusive mode`.execute(tx);
    return fn(tx);
  });
}

/** Records an import run (the registration) and returns its id. */
export async function recordImport(
  tx: Kysely<DB>,
  register: 'addresses' | 'ownership',
  t: Instant,
  source: string,
  counts: unknown,
): Promise<number> {
  const last = await tx.selectFrom('reference_import').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
  const id = Number(last?.id ?? 0) + 1;
  await tx.insertInto('reference_import').values({ id, register, registered_at: t, source, counts: JSON.stringify(counts) }).execute();
  return id;
}
