/**
 * Secondary indexes a large bulk load drops before it starts and builds again
 * when it ends (issue 3 item 5). Inserting a population batch by batch puts
 * each batch's rows at random places of these indexes (keyed by DAR ids,
 * person numbers, road codes), so every batch rewrites pages all over them;
 * built once at the end, each is one sort.
 *
 * Their definitions are kept in `meta` in the transaction that drops them, so
 * a load that is killed leaves a store that knows what it lacks: opening the
 * store builds them again (openStore), and so does the load when it resumes
 * and ends. Only indexes nothing reads during a load are deferred; the
 * primary keys, and the name-word index the name-word triggers search, stay.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.ts';
import { readMeta, writeMeta } from './meta.ts';
import type { Dialect } from './store.ts';

/** Not under `load:`, where the loader keeps each job's progress. */
const META_KEY = 'bulk-load.deferred-indexes';

export const DEFERRABLE_INDEXES = [
  'residence_pnr',
  'residence_address',
  'residence_access_address',
  'residence_road',
  'registration_pnr',
  'person_number_birth',
] as const;

interface Deferred {
  name: string;
  definition: string;
}

async function recorded(db: Kysely<DB>): Promise<Deferred[]> {
  const value = await readMeta(db, META_KEY);
  return value ? (JSON.parse(value) as Deferred[]) : [];
}

async function record(db: Kysely<DB>, list: readonly Deferred[]): Promise<void> {
  if (list.length) await writeMeta(db, META_KEY, JSON.stringify(list));
  else await db.deleteFrom('meta').where('key', '=', META_KEY).execute();
}

/** Drops the deferrable indexes that exist, recording their definitions in the same transaction. */
export async function deferIndexes(db: Kysely<DB>, dialect: Dialect): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const names: readonly string[] = DEFERRABLE_INDEXES;
    const rows =
      dialect === 'sqlite'
        ? (await sql<Deferred>`select name, sql as definition from sqlite_master where type = 'index' and name in (${sql.join(names)})`.execute(tx)).rows
        : (await sql<Deferred>`select indexname as name, indexdef as definition from pg_indexes where schemaname = current_schema() and indexname in (${sql.join(names)})`.execute(tx)).rows;
    if (rows.length === 0) return;
    const list = [...(await recorded(tx)), ...rows];
    for (const r of rows) await sql`drop index ${sql.id(r.name)}`.execute(tx);
    await record(tx, list);
  });
}

/** Builds the indexes a bulk load deferred, each in a transaction of its own that also updates the record. Returns how many. */
export async function restoreDeferredIndexes(db: Kysely<DB>, onIndex?: (name: string) => void): Promise<number> {
  const list = await recorded(db);
  for (let i = 0; i < list.length; i++) {
    onIndex?.(list[i]!.name);
    await db.transaction().execute(async (tx) => {
      await sql.raw(list[i]!.definition).execute(tx);
      await record(tx, list.slice(i + 1));
    });
  }
  return list.length;
}
