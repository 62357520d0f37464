/** The store's key-value table `meta`: jobs' progress, cursors, settings. */
import type { Kysely } from 'kysely';
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
