/**
 * The Nordic exchange's outbox and inbox (NOR-1, seed 004). See
 * src/storage/tables/nordic-exchange.ts.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../store.ts';

export default (_dialect: Dialect): Migration => ({
  // Migrations see the schema as it was then, not today's DB type (Kysely's advice), hence `any`.
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('nordic_outbox')
      .addColumn('message_id', 'text', (c) => c.primaryKey())
      .addColumn('country_code', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull())
      .addColumn('pnr', 'text')
      .addColumn('municipality_code', 'text')
      .addColumn('waiting_item_id', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'text', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('delivered_at', 'text')
      .addColumn('failed_at', 'text')
      .execute();
    // The delivery worker's query: what is due and not yet delivered.
    await db.schema.createIndex('nordic_outbox_due').on('nordic_outbox').columns(['delivered_at', 'failed_at', 'next_attempt_at']).execute();
    await db.schema
      .createTable('nordic_inbox')
      .addColumn('country_code', 'text', (c) => c.notNull())
      .addColumn('message_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('pnr', 'text')
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      // Idempotency: a message id is received once per sending country.
      .addPrimaryKeyConstraint('nordic_inbox_pk', ['country_code', 'message_id'])
      .execute();
  },
});
