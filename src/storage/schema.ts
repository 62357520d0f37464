/**
 * Table types shared by both stores. Instants and dates are ISO text in both
 * dialects so that comparisons mean the same on SQLite and PostgreSQL.
 */
import type { Generated } from 'kysely';
import type { CompanyTables } from './tables/company.ts';
import type { ExtractTables } from './tables/extracts.ts';
import type { FeedTables } from './tables/feed.ts';
import type { ReferenceTables } from './tables/reference.ts';
import type { PasswordTables } from './tables/passwords.ts';
import type { WaitingTables } from './tables/waiting.ts';
import type { NordicExchangeTables } from './tables/nordic-exchange.ts';
import type { CaseTables } from './tables/cases.ts';
import type { LandlordTables } from './tables/landlord.ts';
import type { VersionTables } from './tables/versions.ts';

export interface RegistrationTable {
  seq: Generated<number>;
  pnr: string;
  registered_at: string;
  authority: string;
  event_code: string;
  documentation: string | null;
  late: number;
  annuls: number | null;
  /** JSON array of FactChange. */
  changes: string;
}

/** Every number the register has issued or taken in (PNR-3: never used twice). */
export interface PersonNumberTable {
  pnr: string;
  birth_date: string;
  sex: string;
  rule: string;
  /** 'allocated' by this register or 'imported'. */
  source: string;
  created_at: string;
}

export interface NoMod11DateTable {
  birth_date: string;
  since: string;
}

/** Projection: one row per person with versions (the versions themselves: person_version, tables/versions.ts). */
export interface PersonHistoryTable {
  pnr: string;
  last_seq: number;
  last_registered_at: string;
}

/** Projection: the current state, so a point lookup is one index read. */
export interface PersonCurrentTable {
  pnr: string;
  status: string | null;
  state: string;
  /** The date the state was computed for, and the first date it stops being true. */
  computed_for: string;
  stale_at: string | null;
}

/** Projection: address versions, for "who is registered at this address". */
export interface ResidenceTable {
  pnr: string;
  address_id: string | null;
  access_address_id: string | null;
  municipality_code: string;
  road_code: string;
  valid_from: string;
  valid_to: string | null;
  reg_from: string;
  reg_to: string | null;
  seq: number;
}

export interface MetaTable {
  key: string;
  value: string;
}

/**
 * AUD-3: one row per lookup, hash-chained (migration 0003). `id` is given by
 * the writer (last id + 1) so that ids have no gaps; `subjects` and `fields`
 * are JSON arrays, `detail` a JSON object; `hash` is an HMAC-SHA-256 with
 * the keyring's key `key_id` (migration 0021) over the record's canonical
 * form including `prev_hash`, or for legacy records (`key_id` null) a plain
 * SHA-256 (see access/audit.ts).
 */
export interface AuditTable {
  id: number;
  at: string;
  customer: string | null;
  actor: string;
  /** 'user' or 'program'. */
  actor_kind: string;
  /** The transaction type. */
  action: string;
  /** Person numbers or address ids the lookup concerned. */
  subjects: string;
  legal_basis: string | null;
  fields: string | null;
  request_id: string | null;
  detail: string | null;
  prev_hash: string;
  hash: string;
  /** The audit key the hash was made with; null: a legacy (unkeyed, v1) record. */
  key_id: string | null;
}

/** §46: an index of `audit.subjects`, one row per (subject, record). */
export interface AuditSubjectTable {
  subject: string;
  audit_id: number;
}

export interface CustomerTable {
  id: string;
  name: string;
  kind: string;
  number: string | null;
  legal_bases: string;
  scope: string;
  allow_list: string;
  rate_per_minute: number;
  valid_from: string;
  valid_to: string | null;
  created_at: string;
}

export interface PrincipalTable {
  id: string;
  customer_id: string;
  kind: string;
  name: string;
  roles: string;
  pnr: string | null;
  valid_from: string;
  valid_to: string | null;
  created_at: string;
}

export interface CredentialTable {
  id: string;
  principal_id: string;
  kind: string;
  secret_hash: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface DB extends CompanyTables, FeedTables, ExtractTables, ReferenceTables, PasswordTables, WaitingTables, NordicExchangeTables, CaseTables, LandlordTables, VersionTables {
  customer: CustomerTable;
  principal: PrincipalTable;
  credential: CredentialTable;
  audit: AuditTable;
  audit_subject: AuditSubjectTable;
  registration: RegistrationTable;
  person_number: PersonNumberTable;
  no_mod11_date: NoMod11DateTable;
  person_history: PersonHistoryTable;
  person_current: PersonCurrentTable;
  residence: ResidenceTable;
  meta: MetaTable;
}
