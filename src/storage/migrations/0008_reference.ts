/** Reference registers: the address register (DAR) and the ownership register (EJF), LAN-6. */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../store.ts';

export default (_dialect: Dialect): Migration => ({
  // Migrations see the schema as it was then, not today's DB type (Kysely's advice), hence `any`.
  async up(_db: Kysely<any>) {},
});
