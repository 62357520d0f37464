/**
 * Table types shared by both stores. Instants and dates are ISO text in both
 * dialects so that comparisons mean the same on SQLite and PostgreSQL.
 */
import type { Generated } from 'kysely';

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

/** Projection: all versions of a person (bitemporal), one row per person. */
export interface PersonHistoryTable {
  pnr: string;
  versions: string;
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

/** AUD-3: one row per lookup; subjects is a JSON array of person numbers or address ids. */
export interface AuditTable {
  id: Generated<number>;
  at: string;
  actor: string;
  customer: string | null;
  action: string;
  subjects: string;
  detail: string | null;
}

export interface DB {
  audit: AuditTable;
  registration: RegistrationTable;
  person_number: PersonNumberTable;
  no_mod11_date: NoMod11DateTable;
  person_history: PersonHistoryTable;
  person_current: PersonCurrentTable;
  residence: ResidenceTable;
  meta: MetaTable;
}
