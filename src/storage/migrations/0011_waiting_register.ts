/**
 * The Nordic waiting register (NOR-1, NOR-2, seed 004) and the record of
 * name-and-address protections that lapsed by time (PRO-1, §28). See
 * src/storage/tables/waiting.ts.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../store.ts';

export default (_dialect: Dialect): Migration => ({
  // Migrations see the schema as it was then, not today's DB type (Kysely's advice), hence `any`.
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('waiting_item')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('direction', 'text', (c) => c.notNull())
      .addColumn('municipality_code', 'text', (c) => c.notNull())
      .addColumn('pnr', 'text')
      .addColumn('country_code', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addColumn('deletes_on', 'text')
      .addColumn('notice_at', 'text')
      .addColumn('resolution', 'text')
      .addColumn('resolved_at', 'text')
      .addColumn('resolved_by', 'text')
      .addColumn('registration_seq', 'integer')
      .execute();
    // A municipality's open items; a person's items; the deletion sweep.
    await db.schema.createIndex('waiting_item_municipality').on('waiting_item').columns(['municipality_code', 'resolution', 'received_at']).execute();
    await db.schema.createIndex('waiting_item_pnr').on('waiting_item').columns(['pnr', 'kind']).execute();
    await db.schema.createIndex('waiting_item_deletes').on('waiting_item').columns(['resolution', 'deletes_on']).execute();

    await db.schema
      .createTable('protection_lapse')
      .addColumn('pnr', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('lapsed_on', 'text', (c) => c.notNull())
      .addColumn('registration_seq', 'integer', (c) => c.notNull())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('protection_lapse_pk', ['pnr', 'type', 'lapsed_on'])
      .execute();
    await db.schema
      .createTable('protection_watch')
      .addColumn('pnr', 'text', (c) => c.primaryKey())
      .addColumn('since_seq', 'integer', (c) => c.notNull())
      .execute();
  },
});
