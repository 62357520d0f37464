/**
 * Tables of the vital-events and migration registrations (issue 6 items 4-7):
 * the Nordic waiting register (NOR-1, NOR-2, seed 004) and the record of
 * name-and-address protections that lapsed by time (PRO-1, §28).
 */

/**
 * One item of the waiting register (venteregister, seed 004) or of the
 * Nordic exchange around it:
 * - `pending_departure` (§25(2)): a move to a Nordic country reported to the
 *   municipality; nothing is registered until that country notifies.
 * - `nordic_emigration` (incoming, §25(1), §26(2)): the other country has
 *   registered the person; the municipality approves it, which registers the
 *   person as emigrated on that country's move-in date.
 * - `nordic_refusal` (incoming): the other country refused the move-in.
 * - `move_in_notice` (outgoing, §20(2), §20(3)): Denmark registered a person
 *   who came from a Nordic country; to be sent back to that country.
 * Incoming items are deleted automatically 14 days after receipt, with a
 * notice 3 days before (NOR-2).
 */
export interface WaitingItemTable {
  /** `wait_<16 hex>`. */
  id: string;
  kind: string;
  direction: 'pending' | 'incoming' | 'outgoing';
  municipality_code: string;
  pnr: string | null;
  country_code: string;
  /** JSON: the fields of the report or notification. */
  payload: string;
  received_at: string;
  /** Incoming items: the 14-day automatic deletion (civil date); null for others. */
  deletes_on: string | null;
  /** When the 3-day notice before deletion was given. */
  notice_at: string | null;
  /** 'approved' | 'withdrawn' | 'superseded' | 'deleted' | 'sent'; null while open. */
  resolution: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
  /** The registration the item led to. */
  registration_seq: number | null;
}

/**
 * §28: a name-and-address protection that ran out by time and the P11
 * registration that records it. The primary key makes the lapse job
 * idempotent: one record per protection end, however often the job runs.
 */
export interface ProtectionLapseTable {
  pnr: string;
  type: string;
  lapsed_on: string;
  registration_seq: number;
  recorded_at: string;
}

/**
 * Persons who have (had) a name-and-address protection: the lapse job's
 * candidates, kept up to date from the registration log (a cursor in `meta`),
 * so a run reads only these persons, not the population.
 */
export interface ProtectionWatchTable {
  pnr: string;
  since_seq: number;
}

export interface WaitingTables {
  waiting_item: WaitingItemTable;
  protection_lapse: ProtectionLapseTable;
  protection_watch: ProtectionWatchTable;
}
