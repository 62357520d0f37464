/**
 * Registration cases and letters (migration 0010). A case is generic: a move
 * report held for doubt or a hearing (§6(3), §13(2)), an investigation
 * (§10-11), a no-fixed-abode or disappeared review (§6(4)-(5)), a complaint
 * (§56); later workflows (e.g. a citizen's protection request) use the same
 * table with their own `kind` and payload.
 */
import type { Generated } from 'kysely';

export interface RegistrationCaseTable {
  id: Generated<number>;
  /** 'move', 'investigation', 'no_fixed_abode', 'disappeared', 'complaint', … */
  kind: string;
  status: string;
  /** The municipality that handles the case (4-digit code). */
  municipality_code: string;
  /**
   * A second municipality that acts on the case, or null: the departure
   * municipality that hears a parent under §13(3). It sees the case only as
   * the handling municipality allows (without the new address).
   */
  shared_with: string | null;
  /** The person the case is about. */
  pnr: string;
  /** The next date the case must be acted on (a reply deadline, a review date), or null. */
  deadline: string | null;
  /** The kind's own data as JSON. */
  payload: string;
  /** JSON list of {at, by, action, note?}: everything that happened, in order. */
  history: string;
  created_at: string;
  updated_at: string;
  /** Optimistic concurrency: every change increments it and checks the old value. */
  version: number;
}

/** A letter as generated and sent (immutable): Danish text and HTML, person numbers masked (§54). */
export interface RegistrationLetterTable {
  id: Generated<number>;
  case_id: number;
  /** 'receipt', 'request_to_report', 'decision', 'hearing', 'complaint_forwarded', … */
  kind: string;
  /** The person the letter is sent to. */
  pnr: string;
  municipality_code: string;
  created_at: string;
  subject: string;
  text: string;
  html: string;
}

/** Municipality settings, e.g. §12(4) refusal of early move reports. */
export interface MunicipalitySettingTable {
  municipality_code: string;
  key: string;
  /** JSON value. */
  value: string;
  updated_at: string;
}

export interface CaseTables {
  registration_case: RegistrationCaseTable;
  registration_letter: RegistrationLetterTable;
  municipality_setting: MunicipalitySettingTable;
}
