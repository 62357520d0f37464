/**
 * AUD-3: audit records keyed (issue 14, finding 10). A record made from now
 * on names the key of the audit keyring its HMAC was made with
 * (access/audit-key.ts); records of before have none and keep verifying as
 * legacy SHA-256 records. A nullable column added in place: no row changes,
 * so the append-only triggers are not in the way.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../store.ts';

export default (_dialect: Dialect): Migration => ({
  // Migrations see the schema as it was then, not today's DB type, hence `any`.
  async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any
    await db.schema.alterTable('audit').addColumn('key_id', 'text').execute();
  },
});
