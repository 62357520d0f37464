/** Company enquiries: address directory and bulk delivery jobs (DIS-3, §38(1), §38(5), §39, §42(6)). Migration 0005. */

/**
 * A bulk delivery job (§38(1)): one row per job. Status `queued` → `running`
 * → `completed` or `failed`. `lease_owner`/`lease_until` (real time, ISO)
 * say which server process is working on it; a lease that ran out (the
 * process died) lets another process, or the next start, resume the job.
 */
export interface DeliveryJobTable {
  id: string;
  customer_id: string;
  principal_id: string;
  status: string;
  items_total: number;
  /** Items with a stored result (whole chunks). */
  items_done: number;
  matched: number;
  chunk_size: number;
  chunks_total: number;
  /** Failed attempts at a chunk; the job fails after 3. */
  attempts: number;
  /** Instants on the register's clock. */
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** Why the job failed (a sentence for the customer). */
  error: string | null;
  request_id: string | null;
  lease_owner: string | null;
  lease_until: string | null;
}

/** The identified items of a job, one row per chunk (a JSON array); deleted when the job ends. */
export interface DeliveryInputTable {
  job_id: string;
  chunk: number;
  items: string;
}

/** The result of a job, one row per chunk: NDJSON lines in item order. */
export interface DeliveryResultTable {
  job_id: string;
  chunk: number;
  items: number;
  matched: number;
  lines: string;
}

/**
 * Address directory, part 1: which (municipality code, road code) a road
 * name has in a postal code, as the register's addresses name them. Built
 * from the registration log (REG-6), so it holds current and former road
 * names; `road_key` is the folded name (two rows when the two foldings
 * differ). Finds candidates for an address given by road name (§42(6) nr. 2).
 */
export interface CompanyRoadTable {
  postal_code: string;
  road_key: string;
  municipality_code: string;
  road_code: string;
  road_name: string;
}

/**
 * Address directory, part 2: the DAR access addresses (husnummer ids) a
 * house number on a road has had, so that an address given by its parts
 * leads to `residence` by `access_address_id` instead of by the whole road.
 * `house_key` is the house number normalised (no spaces, upper case, no
 * leading zeros); `access_address_id` is '' when an address there had none.
 */
export interface CompanyHouseTable {
  municipality_code: string;
  road_code: string;
  house_key: string;
  access_address_id: string;
}

export interface CompanyTables {
  delivery_job: DeliveryJobTable;
  delivery_input: DeliveryInputTable;
  delivery_result: DeliveryResultTable;
  company_road: CompanyRoadTable;
  company_house: CompanyHouseTable;
}
