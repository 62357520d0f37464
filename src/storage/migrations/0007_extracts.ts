/** Generated extracts: marketing-protection list (DIS-7) and local directories (DIS-8). */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../store.ts';

export default (_dialect: Dialect): Migration => ({
  // Migrations see the schema as it was then, not today's DB type (Kysely's advice), hence `any`.
  async up(_db: Kysely<any>) {},
});
