/**
 * The landlord service (LAN-1, seed 000): a landlord customer's kind and
 * documentation, and the owner numbers tied to it. Searches are not stored
 * here: they are in the audit log (and metered from it).
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../store.ts';

export default (_dialect: Dialect): Migration => ({
  // Migrations see the schema as it was then, not today's DB type (Kysely's advice), hence `any`.
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('landlord_customer')
      .addColumn('customer_id', 'text', (c) => c.primaryKey())
      .addColumn('landlord_kind', 'text', (c) => c.notNull())
      .addColumn('documentation', 'text')
      .addColumn('documented_dwellings', 'integer')
      .addColumn('documented_at', 'text')
      .addColumn('documented_by', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('landlord_owner_number')
      .addColumn('customer_id', 'text', (c) => c.notNull())
      .addColumn('owner_number', 'text', (c) => c.notNull())
      .addColumn('owner_kind', 'text', (c) => c.notNull())
      .addColumn('added_at', 'text', (c) => c.notNull())
      .addColumn('added_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('landlord_owner_number_pk', ['customer_id', 'owner_number'])
      .execute();
    // Which customers an owner number is tied to (the administrator's overview).
    await db.schema.createIndex('landlord_owner_number_number').on('landlord_owner_number').column('owner_number').execute();
  },
});
