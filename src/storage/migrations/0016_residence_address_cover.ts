/**
 * The residence index by unit address covers the landlord search (LAN-4,
 * seed 000): the periods still registered (reg_to null) at the units of a
 * stairwell, with their validity and the person, are read from the index
 * alone. With (address_id, valid_from) the search fetched one table row per
 * period, each a random page of a table of eleven million rows at 1M persons
 * (docs/benchmarks.md); now the periods of a unit are neighbours in one or two
 * index pages. The other readers by unit address (residents at a date, the
 * company enquiry) still find their rows by the leading column.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../store.ts';

export default (_dialect: Dialect): Migration => ({
  // Migrations see the schema as it was then, not today's DB type, hence `any`.
  async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any
    await db.schema.dropIndex('residence_address').execute();
    await db.schema.createIndex('residence_address').on('residence').columns(['address_id', 'reg_to', 'valid_from', 'valid_to', 'pnr']).execute();
  },
});
