/**
 * The lines of an imported CPR extract, kept verbatim with their person
 * (COD-5; issue 15, finding 1). The register's groups hold what it models;
 * an extract carries more: record types it has no group for (021 relocation
 * orders, 020 election data, 099 CPR's events, P12180 031-033), CPR's
 * corrected history (ANNKOR), uncertainty markers and times of day. Keeping
 * the lines lets an export reproduce them (export.ts decides which, per
 * record type). Table `cpr_extract_kept` (migration 0030).
 *
 * Rows are keyed by the import's registration time as well as the person:
 * they are written before the person's registration (bulkLoad runs its own
 * transaction), and rows of an import that then fails match no registration
 * of the person, so they are never read, and are removed straight away.
 */
import type { Kysely } from 'kysely';
import type { Instant } from '../../domain/dates.ts';
import type { DB } from '../../storage/schema.ts';

export interface KeptRecord {
  /** Record type, e.g. `021`. */
  type: string;
  /** The line as read (trailing spaces may be missing, as in CPR's own files). */
  line: string;
}

export interface KeptPerson {
  pnr: string;
  /** The registration time of the import that took the lines in. */
  importedAt: Instant;
  /** In file order. */
  records: KeptRecord[];
}

interface KeptTable {
  pnr: string;
  imported_at: string;
  ordinal: number;
  record_type: string;
  line: string;
}

type KeptDb = Kysely<DB & { cpr_extract_kept: KeptTable }>;
const kept = (db: Kysely<DB>): KeptDb => db.withTables<{ cpr_extract_kept: KeptTable }>();

/** Rows per insert statement (5 parameters each, within either store's limit). */
const CHUNK = 500;

/** Writes the persons' lines in one transaction. */
export async function saveKept(db: Kysely<DB>, persons: readonly KeptPerson[]): Promise<void> {
  const rows = persons.flatMap((p) =>
    p.records.map((r, ordinal) => ({ pnr: p.pnr, imported_at: p.importedAt, ordinal, record_type: r.type, line: r.line })),
  );
  if (rows.length === 0) return;
  await kept(db)
    .transaction()
    .execute(async (tx) => {
      for (let i = 0; i < rows.length; i += CHUNK) await tx.insertInto('cpr_extract_kept').values(rows.slice(i, i + CHUNK)).execute();
    });
}

/** Removes the lines an import wrote (when its load failed). */
export async function discardKept(db: Kysely<DB>, pnrs: readonly string[], importedAt: Instant): Promise<void> {
  for (let i = 0; i < pnrs.length; i += CHUNK) {
    await kept(db)
      .deleteFrom('cpr_extract_kept')
      .where('imported_at', '=', importedAt)
      .where('pnr', 'in', pnrs.slice(i, i + CHUNK))
      .execute();
  }
}

/**
 * The kept lines of a person, by import time (a person is imported once, so
 * normally one entry; rows of a failed import may linger until removed).
 */
export async function keptOf(db: Kysely<DB>, pnr: string): Promise<Map<Instant, KeptRecord[]>> {
  const rows = await kept(db)
    .selectFrom('cpr_extract_kept')
    .select(['imported_at', 'record_type', 'line'])
    .where('pnr', '=', pnr)
    .orderBy('imported_at')
    .orderBy('ordinal')
    .execute();
  const out = new Map<Instant, KeptRecord[]>();
  for (const r of rows) {
    let list = out.get(r.imported_at);
    if (!list) out.set(r.imported_at, (list = []));
    list.push({ type: r.record_type, line: r.line });
  }
  return out;
}
