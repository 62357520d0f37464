/** Customers, their users and system programs, and credentials (AUD-1, AUD-2, AUD-6). */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../store.ts';

export default (_dialect: Dialect): Migration => ({
  // Migrations see the schema as it was then, not today's DB type (Kysely's advice), hence `any`.
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('customer')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      /** CVR number, or authority code for a public authority. */
      .addColumn('number', 'text')
      .addColumn('legal_bases', 'text', (c) => c.notNull())
      /** Public authorities: the granted data scope (field groups), JSON. */
      .addColumn('scope', 'text', (c) => c.notNull())
      /** AUD-6: networks allowed for system-to-system access (CIDR list, JSON; empty = any). */
      .addColumn('allow_list', 'text', (c) => c.notNull())
      .addColumn('rate_per_minute', 'integer', (c) => c.notNull())
      .addColumn('valid_from', 'text', (c) => c.notNull())
      .addColumn('valid_to', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    // Users (employees) and system programs; each authorisation has a start and an end (AUD-1).
    await db.schema
      .createTable('principal')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('customer_id', 'text', (c) => c.notNull().references('customer.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('roles', 'text', (c) => c.notNull())
      /** A citizen principal acts for one person (own data, §46). */
      .addColumn('pnr', 'text')
      .addColumn('valid_from', 'text', (c) => c.notNull())
      .addColumn('valid_to', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('principal_customer').on('principal').column('customer_id').execute();

    // Secrets are never stored in clear: only a SHA-256 of a 256-bit random secret.
    await db.schema
      .createTable('credential')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('principal_id', 'text', (c) => c.notNull().references('principal.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('secret_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text')
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema.createIndex('credential_principal').on('credential').column('principal_id').execute();
  },
});
