/**
 * A subscription a private customer made to a number not in the register is
 * kept like any other (the answer must not tell whether the number exists,
 * §28, PNR-5) but marked dormant: it never delivers, also if the number is
 * issued later to someone the customer never identified.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../store.ts';

export default (_dialect: Dialect): Migration => ({
  // Migrations see the schema as it was then, not today's DB type, hence `any`.
  async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any
    await db.schema.alterTable('subscription').addColumn('dormant', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  },
});
