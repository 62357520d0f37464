/** Generated extracts: marketing-protection list (DIS-7) and local directories (DIS-8). */

/**
 * One generated list (migration 0007). A list is built line by line
 * (`status` 'building') and becomes 'complete' with its row count and the
 * SHA-256 of the file; only complete lists are delivered.
 */
export interface ExtractTable {
  /** `ext_` + 16 hex digits. */
  id: string;
  /** 'marketing_protection' (§40(4)-(5)) or 'local_directory' (§47). */
  kind: string;
  /** The quarter of a marketing-protection list, `YYYYQn`; null for a local directory. */
  period: string | null;
  /** The municipality of a local directory; null for the marketing-protection list. */
  municipality_code: string | null;
  /** The validity date the list is drawn for (the injected clock's date). */
  as_of: string;
  /** The registration time the list reflects (UTC ISO). */
  known_at: string;
  generated_at: string;
  /** The user or program that had it made (`cli:…`, a principal id, `api:on-demand`). */
  generated_by: string;
  /** Who the list was made for, when known (a local directory's publisher). */
  recipient: string | null;
  /** The file layout id, e.g. `opencpr.marketing-protection.v1`. */
  layout: string;
  /** The CSV header row (without line end). */
  header: string;
  /** 'building' or 'complete'. */
  status: string;
  row_count: number;
  /** SHA-256 (hex) of the whole file as delivered; null while building. */
  sha256: string | null;
}

/**
 * The rows of an extract, as the CSV lines delivered (without line end), and
 * the person each row is about: never in the file, but it lets a person be
 * told which lists they were on and who received them (§46).
 */
export interface ExtractLineTable {
  extract_id: string;
  /** 1, 2, 3, … in the order the rows were made. */
  n: number;
  /** The order rows are delivered in (the file's order). */
  sort_key: string;
  pnr: string;
  line: string;
}

export interface ExtractTables {
  extract: ExtractTable;
  extract_line: ExtractLineTable;
}
