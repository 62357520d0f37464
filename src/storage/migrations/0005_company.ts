/** Company enquiries: address directory and bulk delivery jobs (DIS-3, §38(1), §38(5), §39, §42(6)). */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../store.ts';

export default (dialect: Dialect): Migration => {
  const sqlite = dialect === 'sqlite';
  const clustered = sqlite ? sql`without rowid` : sql``;
  return {
    // Migrations see the schema as it was then, not today's DB type (Kysely's advice), hence `any`.
    async up(db: Kysely<any>) {
      // §42(6) nr. 2: an address given by its parts whose house number had an address without DAR ids: the candidates are
      // the residents, current and former, of that road.
      await db.schema.createIndex('residence_road').on('residence').columns(['municipality_code', 'road_code']).execute();

      // §42(6) nr. 2 with road name and postal code: road name → (municipality code, road code). Both built from the log.
      await db.schema
        .createTable('company_road')
        .addColumn('postal_code', 'text', (c) => c.notNull())
        .addColumn('road_key', 'text', (c) => c.notNull())
        .addColumn('municipality_code', 'text', (c) => c.notNull())
        .addColumn('road_code', 'text', (c) => c.notNull())
        .addColumn('road_name', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('company_road_pk', ['postal_code', 'road_key', 'municipality_code', 'road_code'])
        .modifyEnd(clustered)
        .execute();

      // §42(6) nr. 2: a house number on a road → its DAR access addresses (then residence by access_address_id).
      await db.schema
        .createTable('company_house')
        .addColumn('municipality_code', 'text', (c) => c.notNull())
        .addColumn('road_code', 'text', (c) => c.notNull())
        .addColumn('house_key', 'text', (c) => c.notNull())
        .addColumn('access_address_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('company_house_pk', ['municipality_code', 'road_code', 'house_key', 'access_address_id'])
        .modifyEnd(clustered)
        .execute();

      // §38(1): bulk deliveries for many identified persons, run in the background.
      await db.schema
        .createTable('delivery_job')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('customer_id', 'text', (c) => c.notNull().references('customer.id'))
        .addColumn('principal_id', 'text', (c) => c.notNull().references('principal.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('items_total', 'integer', (c) => c.notNull())
        .addColumn('items_done', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('matched', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('chunk_size', 'integer', (c) => c.notNull())
        .addColumn('chunks_total', 'integer', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .addColumn('error', 'text')
        .addColumn('request_id', 'text')
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', 'text')
        .execute();
      await db.schema.createIndex('delivery_job_customer').on('delivery_job').columns(['customer_id', 'created_at']).execute();
      await db.schema.createIndex('delivery_job_status').on('delivery_job').columns(['status', 'lease_until']).execute();

      await db.schema
        .createTable('delivery_input')
        .addColumn('job_id', 'text', (c) => c.notNull())
        .addColumn('chunk', 'integer', (c) => c.notNull())
        .addColumn('items', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('delivery_input_pk', ['job_id', 'chunk'])
        .modifyEnd(clustered)
        .execute();

      await db.schema
        .createTable('delivery_result')
        .addColumn('job_id', 'text', (c) => c.notNull())
        .addColumn('chunk', 'integer', (c) => c.notNull())
        .addColumn('items', 'integer', (c) => c.notNull())
        .addColumn('matched', 'integer', (c) => c.notNull())
        .addColumn('lines', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('delivery_result_pk', ['job_id', 'chunk'])
        .modifyEnd(clustered)
        .execute();
    },
  };
};
