/** Web sign-in (API-2, AUD-5): passwords of users and their browser sessions. */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../store.ts';

export default (_dialect: Dialect): Migration => ({
  // Migrations see the schema as it was then, not today's DB type (Kysely's advice), hence `any`.
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('password')
      .addColumn('principal_id', 'text', (c) => c.primaryKey().references('principal.id'))
      .addColumn('username', 'text', (c) => c.notNull().unique())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('changed_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('web_session')
      .addColumn('id_hash', 'text', (c) => c.primaryKey())
      .addColumn('principal_id', 'text', (c) => c.notNull().references('principal.id'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_active_at', 'text', (c) => c.notNull())
      .addColumn('locked_at', 'text')
      .addColumn('ended_at', 'text')
      .execute();
    await db.schema.createIndex('web_session_principal').on('web_session').column('principal_id').execute();
  },
});
