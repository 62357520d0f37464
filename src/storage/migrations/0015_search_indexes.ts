/**
 * Indexes for the address type-ahead (issue 7): road names by prefix across
 * postal codes (the existing indexes start with the postal or municipality
 * code). PostgreSQL uses a b-tree for `LIKE 'prefix%'` only with
 * text_pattern_ops (unless the database collation is C); SQLite's LIKE is
 * answered by the range the planner derives from the prefix.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../store.ts';

export default (dialect: Dialect): Migration => ({
  // Migrations see the schema as it was then, not today's DB type (Kysely's advice), hence `any`.
  async up(db: Kysely<any>) {
    if (dialect === 'postgres') {
      await sql`create index dar_husnummer_road_key on dar_husnummer (road_key text_pattern_ops, postal_code)`.execute(db);
    } else {
      await db.schema.createIndex('dar_husnummer_road_key').on('dar_husnummer').columns(['road_key', 'postal_code']).execute();
    }
  },
});
