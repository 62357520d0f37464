/**
 * CPR extract records kept verbatim with their person (COD-5, issue 15,
 * finding 1): the lines of an imported extract, so that an export
 * reproduces what the register has no group for (relocation orders 021,
 * election data 020, CPR's events 099, …) and, for groups no registration
 * has touched since, CPR's own details (uncertainty markers, times of day).
 * See src/formats/cpr-extract/kept.ts.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../store.ts';

export default (_dialect: Dialect): Migration => ({
  // Migrations see the schema as it was then, not today's DB type, hence `any`.
  async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any
    await db.schema
      .createTable('cpr_extract_kept')
      .addColumn('pnr', 'text', (c) => c.notNull())
      // The registration time of the import, i.e. the person's registration the lines were
      // taken in with; rows of an import that failed match no registration and are never read.
      .addColumn('imported_at', 'text', (c) => c.notNull())
      // The record's place among the person's records in the file (0-based).
      .addColumn('ordinal', 'integer', (c) => c.notNull())
      .addColumn('record_type', 'text', (c) => c.notNull())
      .addColumn('line', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('cpr_extract_kept_pk', ['pnr', 'imported_at', 'ordinal'])
      .execute();
  },
});
