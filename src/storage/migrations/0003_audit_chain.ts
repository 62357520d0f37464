/**
 * The audit log as the disclosure API needs it (AUD-3, AUD-4, §46): who
 * (actor and kind, customer), what (transaction type, legal basis, fields
 * disclosed, request id), about whom (persons or address), when; each record
 * chained to the one before it by a SHA-256 hash (tamper evidence), and an
 * index table so that "who looked up person X" is one index range read.
 *
 * The table of 0002 is replaced: it held no production data, and its rows
 * cannot join the chain after the fact. Record ids are given by the writer
 * (the last id + 1, under the writer's lock), not by a sequence, so that the
 * ids have no gaps: a gap means a deleted record.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../store.ts';

export default (dialect: Dialect): Migration => {
  const sqlite = dialect === 'sqlite';
  const id = sqlite ? 'integer' : 'bigint';
  return {
    // Migrations see the schema as it was then, not today's DB type, hence `any`.
    async up(db: Kysely<any>) {
      await db.schema.dropTable('audit').execute();

      await db.schema
        .createTable('audit')
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('customer', 'text')
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('actor_kind', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('subjects', 'text', (c) => c.notNull())
        .addColumn('legal_basis', 'text')
        .addColumn('fields', 'text')
        .addColumn('request_id', 'text')
        .addColumn('detail', 'text')
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      // AUD-4: a customer's log search and transaction statistics, by time.
      await db.schema.createIndex('audit_customer_at').on('audit').columns(['customer', 'at', 'id']).execute();

      // §46: who looked up this person (or this address). Keyed by subject
      // first, so the question is one range read (clustered on SQLite).
      await db.schema
        .createTable('audit_subject')
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('audit_id', id, (c) => c.notNull())
        .addPrimaryKeyConstraint('audit_subject_pk', ['subject', 'audit_id'])
        .modifyEnd(sqlite ? sql`without rowid` : sql``)
        .execute();

      // The log is append-only; the database itself refuses changes (the
      // hash chain detects what gets past this).
      if (sqlite) {
        for (const table of ['audit', 'audit_subject']) {
          for (const op of ['UPDATE', 'DELETE']) {
            await sql`${sql.raw(`CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table}
              BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END`)}`.execute(db);
          }
        }
      } else {
        await sql`CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$`.execute(db);
        for (const table of ['audit', 'audit_subject']) {
          await sql`${sql.raw(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
            FOR EACH ROW EXECUTE FUNCTION audit_append_only()`)}`.execute(db);
          await sql`${sql.raw(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
            FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()`)}`.execute(db);
        }
      }
    },
  };
};
