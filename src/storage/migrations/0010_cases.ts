/**
 * Registration cases, their letters and municipality settings (issue 6):
 * see src/storage/tables/cases.ts.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../store.ts';

export default (dialect: Dialect): Migration => ({
  // Migrations see the schema as it was then, not today's DB type (Kysely's advice), hence `any`.
  async up(db: Kysely<any>) {
    const sqlite = dialect === 'sqlite';
    const id = (c: any) => (sqlite ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity());
    await db.schema
      .createTable('registration_case')
      .addColumn('id', 'integer', id)
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('municipality_code', 'text', (c) => c.notNull())
      .addColumn('pnr', 'text', (c) => c.notNull())
      .addColumn('shared_with', 'text')
      .addColumn('deadline', 'text')
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('history', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
    // A municipality's work list: open cases of a kind by deadline.
    await db.schema.createIndex('registration_case_work').on('registration_case').columns(['municipality_code', 'status', 'deadline']).execute();
    // Cases another municipality acts on too (the §13(3) hearing municipality).
    await db.schema.createIndex('registration_case_shared').on('registration_case').columns(['shared_with', 'status']).execute();
    await db.schema.createIndex('registration_case_pnr').on('registration_case').columns(['pnr', 'id']).execute();

    await db.schema
      .createTable('registration_letter')
      .addColumn('id', 'integer', id)
      .addColumn('case_id', 'integer', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('pnr', 'text', (c) => c.notNull())
      .addColumn('municipality_code', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('html', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('registration_letter_case').on('registration_letter').columns(['case_id', 'id']).execute();

    await db.schema
      .createTable('municipality_setting')
      .addColumn('municipality_code', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('municipality_setting_pk', ['municipality_code', 'key'])
      .modifyEnd(sqlite ? sql`without rowid` : sql``)
      .execute();
  },
});
