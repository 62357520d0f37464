/**
 * A person's versions as rows (person_version, see tables/versions.ts)
 * instead of one JSON text per person in person_history.versions: an as-of
 * lookup then reads and parses only the versions in force at the asked time.
 * Existing histories are converted, in batches, in the migration's
 * transaction; person_history keeps one row per person (last seq and time).
 */
import type { Kysely, Migration } from 'kysely';
import type { Version } from '../../register/bitemporal.ts';
import type { Dialect } from '../store.ts';
import { versionRows } from '../tables/versions.ts';

const BATCH = 2000;
/** Rows per INSERT: 9 columns, well under both stores' limits on bound parameters. */
const ROWS_PER_INSERT = 500;

export default (dialect: Dialect): Migration => ({
  // The schema builder is untyped in migrations: the DB type describes the latest schema, not this step's.
  async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any
    await db.schema
      .createTable('person_version')
      // SQLite: an INTEGER PRIMARY KEY is the rowid, so the rows are stored in key order.
      .addColumn('id', dialect === 'sqlite' ? 'integer' : 'bigint', (c) => c.primaryKey())
      .addColumn('g', 'text', (c) => c.notNull())
      .addColumn('k', 'text', (c) => c.notNull())
      .addColumn('vf', 'text', (c) => c.notNull())
      .addColumn('vt', 'text')
      .addColumn('rf', 'text', (c) => c.notNull())
      .addColumn('rt', 'text')
      .addColumn('s', dialect === 'sqlite' ? 'integer' : 'bigint', (c) => c.notNull())
      .addColumn('v', 'text', (c) => c.notNull())
      .execute();

    let after = '';
    for (;;) {
      const rows: Array<{ pnr: string; versions: string }> = await db
        .selectFrom('person_history')
        .select(['pnr', 'versions'])
        .where('pnr', '>', after)
        .orderBy('pnr')
        .limit(BATCH)
        .execute();
      if (rows.length === 0) break;
      const out = rows.flatMap((r) => versionRows(r.pnr, JSON.parse(r.versions) as Version[]));
      for (let i = 0; i < out.length; i += ROWS_PER_INSERT) {
        await db.insertInto('person_version').values(out.slice(i, i + ROWS_PER_INSERT)).execute();
      }
      after = rows[rows.length - 1]!.pnr;
    }
    await db.schema.alterTable('person_history').dropColumn('versions').execute();
  },
});
