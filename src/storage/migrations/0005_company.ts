/** Company enquiries: name index and bulk delivery jobs (DIS-3, §38(1), §38(5), §39, §42(6)). */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../store.ts';

export default (_dialect: Dialect): Migration => ({
  // Migrations see the schema as it was then, not today's DB type (Kysely's advice), hence `any`.
  async up(_db: Kysely<any>) {},
});
