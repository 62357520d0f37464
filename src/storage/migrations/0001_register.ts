/** The registration log and its projections (REG-1..REG-6, PNR-3). */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../store.ts';

export default (dialect: Dialect): Migration => {
  const sqlite = dialect === 'sqlite';
  // Small rows keyed by a text id are stored in key order in SQLite (WITHOUT
  // ROWID): one b-tree descent. The projections' rows (kilobytes of JSON) stay
  // ordinary rowid tables: in a WITHOUT ROWID b-tree such rows fill the
  // interior pages, so lookups descend many levels and every row overflows
  // (measured: about 4x slower reads and a larger file; docs/benchmarks.md).
  const clustered = sqlite ? sql`without rowid` : sql``;
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('registration')
        .addColumn('seq', sqlite ? 'integer' : 'bigint', (c) =>
          sqlite ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity(),
        )
        .addColumn('pnr', 'text', (c) => c.notNull())
        .addColumn('registered_at', 'text', (c) => c.notNull())
        .addColumn('authority', 'text', (c) => c.notNull())
        .addColumn('event_code', 'text', (c) => c.notNull())
        .addColumn('documentation', 'text')
        .addColumn('late', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('annuls', sqlite ? 'integer' : 'bigint')
        .addColumn('changes', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('registration_pnr').on('registration').columns(['pnr', 'seq']).execute();

      await db.schema
        .createTable('person_number')
        .addColumn('pnr', 'text', (c) => c.primaryKey())
        .addColumn('birth_date', 'text', (c) => c.notNull())
        .addColumn('sex', 'text', (c) => c.notNull())
        .addColumn('rule', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .modifyEnd(clustered)
        .execute();
      await db.schema.createIndex('person_number_birth').on('person_number').columns(['birth_date', 'sex']).execute();

      await db.schema
        .createTable('no_mod11_date')
        .addColumn('birth_date', 'text', (c) => c.primaryKey())
        .addColumn('since', 'text', (c) => c.notNull())
        .modifyEnd(clustered)
        .execute();

      await db.schema
        .createTable('person_history')
        .addColumn('pnr', 'text', (c) => c.primaryKey())
        .addColumn('versions', 'text', (c) => c.notNull())
        .addColumn('last_seq', sqlite ? 'integer' : 'bigint', (c) => c.notNull())
        .addColumn('last_registered_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('person_current')
        .addColumn('pnr', 'text', (c) => c.primaryKey())
        .addColumn('status', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('computed_for', 'text', (c) => c.notNull())
        .addColumn('stale_at', 'text')
        .execute();

      await db.schema
        .createTable('residence')
        .addColumn('pnr', 'text', (c) => c.notNull())
        .addColumn('address_id', 'text')
        .addColumn('access_address_id', 'text')
        .addColumn('municipality_code', 'text', (c) => c.notNull())
        .addColumn('road_code', 'text', (c) => c.notNull())
        .addColumn('valid_from', 'text', (c) => c.notNull())
        .addColumn('valid_to', 'text')
        .addColumn('reg_from', 'text', (c) => c.notNull())
        .addColumn('reg_to', 'text')
        .addColumn('seq', sqlite ? 'integer' : 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('residence_pnr').on('residence').column('pnr').execute();
      await db.schema.createIndex('residence_address').on('residence').columns(['address_id', 'valid_from']).execute();
      await db.schema
        .createIndex('residence_access_address')
        .on('residence')
        .columns(['access_address_id', 'valid_from'])
        .execute();

      await db.schema
        .createTable('meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();

      // REG-2, REG-6: the log is append-only; the database itself refuses changes.
      if (sqlite) {
        for (const op of ['UPDATE', 'DELETE']) {
          await sql`${sql.raw(`CREATE TRIGGER registration_no_${op.toLowerCase()} BEFORE ${op} ON registration
            BEGIN SELECT RAISE(ABORT, 'the registration log is append-only'); END`)}`.execute(db);
        }
      } else {
        await sql`CREATE FUNCTION registration_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN RAISE EXCEPTION 'the registration log is append-only'; END $$`.execute(db);
        await sql`CREATE TRIGGER registration_append_only BEFORE UPDATE OR DELETE ON registration
          FOR EACH ROW EXECUTE FUNCTION registration_append_only()`.execute(db);
      }
    },
  };
};
