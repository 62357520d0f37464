/**
 * Migrations for both stores, written once with Kysely's schema builder, one
 * file each. Dialect differences (identity columns, clustered tables, the
 * triggers that keep the log append-only) are the only branches.
 */
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Dialect } from '../store.ts';
import m0001 from './0001_register.ts';
import m0002 from './0002_audit.ts';
import m0003 from './0003_audit_chain.ts';
import m0004 from './0004_access.ts';
import m0005 from './0005_company.ts';
import m0006 from './0006_feed.ts';
import m0007 from './0007_extracts.ts';
import m0008 from './0008_reference.ts';
import m0009 from './0009_landlord.ts';
import m0010 from './0010_cases.ts';
import m0011 from './0011_waiting_register.ts';
import m0012 from './0012_passwords.ts';
import m0013 from './0013_person_versions.ts';
import m0015 from './0015_search_indexes.ts';
import m0016 from './0016_residence_address_cover.ts';
import m0020 from './0020_subscription_dormant.ts';
import m0021 from './0021_audit_key.ts';
import m0025 from './0025_name_word_fold.ts';
import m0030 from './0030_cpr_extract_kept.ts';
import m0040 from './0040_nordic_exchange.ts';

const ALL: Record<string, (d: Dialect) => Migration> = {
  '0001_register': m0001,
  '0002_audit': m0002,
  '0003_audit_chain': m0003,
  '0004_access': m0004,
  '0005_company': m0005,
  '0006_feed': m0006,
  '0007_extracts': m0007,
  '0008_reference': m0008,
  '0009_landlord': m0009,
  '0010_cases': m0010,
  '0011_waiting_register': m0011,
  '0012_passwords': m0012,
  '0013_person_versions': m0013,
  '0015_search_indexes': m0015,
  '0016_residence_address_cover': m0016,
  '0020_subscription_dormant': m0020,
  '0021_audit_key': m0021,
  '0025_name_word_fold': m0025,
  '0030_cpr_extract_kept': m0030,
  '0040_nordic_exchange': m0040,
};

export async function migrate(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const provider: MigrationProvider = {
    getMigrations: async () => Object.fromEntries(Object.entries(ALL).map(([name, m]) => [name, m(dialect)])),
  };
  // Migrations are independent of each other's order (each creates its own
  // tables), so a store made by a build that had a later one first still
  // takes the earlier ones it lacks.
  const { error, results } = await new Migrator({ db, provider, allowUnorderedMigrations: true }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
