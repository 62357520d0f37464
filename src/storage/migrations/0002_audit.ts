/** The audit log (AUD-3). */
import { type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../store.ts';

export default (dialect: Dialect): Migration => {
  const sqlite = dialect === 'sqlite';
  return {
    async up(db: Kysely<any>) {
      // AUD-3: every read of personal data leaves a record before the answer is given.
      await db.schema
        .createTable('audit')
        .addColumn('id', sqlite ? 'integer' : 'bigint', (c) =>
          sqlite ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity(),
        )
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('customer', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('subjects', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .execute();
      await db.schema.createIndex('audit_at').on('audit').column('at').execute();
    },
  };
};
