/**
 * Generated extracts: the marketing-protection list (DIS-7, §40(4)-(5)) and
 * local directories (DIS-8, §47). Each generated list is recorded with its
 * rows, so the quarter's list is delivered as made (not re-drawn per
 * download) and a person can be told which delivered lists held them (§46).
 * A local directory reads the current residences of one municipality through
 * the index `residence_road` (municipality_code, road_code) of 0005.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../store.ts';

export default (dialect: Dialect): Migration => ({
  // Migrations see the schema as it was then, not today's DB type (Kysely's advice), hence `any`.
  async up(db: Kysely<any>) {
    const sqlite = dialect === 'sqlite';
    await db.schema
      .createTable('extract')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('period', 'text')
      .addColumn('municipality_code', 'text')
      .addColumn('as_of', 'text', (c) => c.notNull())
      .addColumn('known_at', 'text', (c) => c.notNull())
      .addColumn('generated_at', 'text', (c) => c.notNull())
      .addColumn('generated_by', 'text', (c) => c.notNull())
      .addColumn('recipient', 'text')
      .addColumn('layout', 'text', (c) => c.notNull())
      .addColumn('header', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('row_count', 'integer', (c) => c.notNull())
      .addColumn('sha256', 'text')
      .execute();
    // The latest complete list of a kind and quarter.
    await db.schema.createIndex('extract_kind_period').on('extract').columns(['kind', 'period', 'status', 'generated_at']).execute();

    await db.schema
      .createTable('extract_line')
      .addColumn('extract_id', 'text', (c) => c.notNull())
      .addColumn('n', 'integer', (c) => c.notNull())
      .addColumn('sort_key', 'text', (c) => c.notNull())
      .addColumn('pnr', 'text', (c) => c.notNull())
      .addColumn('line', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('extract_line_pk', ['extract_id', 'n'])
      .modifyEnd(sqlite ? sql`without rowid` : sql``)
      .execute();
    // Delivery in file order.
    await db.schema.createIndex('extract_line_order').on('extract_line').columns(['extract_id', 'sort_key', 'n']).execute();
    // §46: the lists a person was on.
    await db.schema.createIndex('extract_line_pnr').on('extract_line').columns(['pnr', 'extract_id']).execute();
  },
});
