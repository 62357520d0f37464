/** The store's key-value table `meta`: jobs' progress, cursors, settings. */
import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.ts';

export async function readMeta(db: Kysely<DB>, key: string): Promise<string | undefined> {
  return (await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst())?.value;
}

/** Sets `key` to `value`, whether it was there or not (in `db`'s transaction, if it is one). */
export async function writeMeta(db: Kysely<DB>, key: string, value: string): Promise<void> {
  await db
    .insertInto('meta')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

/**
 * Adds one to the counter `key` (1 when new) in one statement, in `db`'s
 * transaction if it is one: two writers at once never write the same value,
 * so a reader that saw one value always sees the next change.
 */
export async function incrementMeta(db: Kysely<DB>, key: string): Promise<void> {
  await db
    .insertInto('meta')
    .values({ key, value: '1' })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: sql<string>`cast(cast(meta.value as bigint) + 1 as text)` }))
    .execute();
}
