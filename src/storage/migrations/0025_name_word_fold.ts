/**
 * The person search's name-word index folds as the name comparison does
 * (issue 15, finding 7). Migration 0015 stored each word lower-cased by the
 * database (SQLite: ASCII only), so a search for "Soeren" or "Aarhus" could
 * not find "Søren" or "Århus" through it. Now the triggers store every word
 * in both foldings of domain/names/compare.ts (`full`: ø → oe, å → aa;
 * `bare`: ø → o, å → a; æ → ae, marks and apostrophes dropped), built from its
 * table `LETTER_FOLDS`, so the index and the exact match cannot drift apart;
 * the search asks for the typed word in both foldings. Rows already there are
 * rewritten by touching every person.
 *
 * If the folding of compare.ts changes, a new migration must re-create these
 * triggers (this one ran with the table as it was).
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { ASCII_APOSTROPHES, LETTER_FOLDS } from '../../domain/names/compare.ts';
import type { Dialect } from '../store.ts';

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * SQL folding `expr` like compare.ts folds one word: lower(), apostrophes
 * dropped, then the letters of `LETTER_FOLDS` replaced, only in a word that
 * has a non-ASCII letter (most have none and skip the chain).
 */
export function foldSql(expr: string, dialect: Dialect, form: 'full' | 'bare'): string {
  let x = `lower(${expr})`;
  for (const a of ASCII_APOSTROPHES) x = `replace(${x}, ${lit(a)}, '')`;
  let chain = x;
  for (const [c, full, bare] of LETTER_FOLDS) chain = `replace(${chain}, ${lit(c)}, ${lit(form === 'full' ? full : bare)})`;
  const ascii = dialect === 'postgres' ? `octet_length(${x}) = char_length(${x})` : `length(CAST(${x} AS BLOB)) = length(${x})`;
  return `CASE WHEN ${ascii} THEN ${x} ELSE ${chain} END`;
}

/** SQLite: the words of NEW.state's current name (as 0015), each in both foldings. */
const first = `json_each(NEW.state, '$.name.value.firstNames')`;
const middle = `json_each(NEW.state, '$.name.value.middleNames')`;
const last = `json_extract(NEW.state, '$.name.value.lastName')`;
const SQLITE_WORDS = `
  INSERT OR IGNORE INTO person_name_word (word, pnr)
  SELECT DISTINCT f, NEW.pnr FROM (
    SELECT CASE k WHEN 0 THEN ${foldSql('w', 'sqlite', 'full')} ELSE ${foldSql('w', 'sqlite', 'bare')} END AS f FROM (
      SELECT value AS w FROM ${first} UNION SELECT substr(value, instr(value, '-') + 1) FROM ${first}
      UNION SELECT value FROM ${middle} UNION SELECT substr(value, instr(value, '-') + 1) FROM ${middle}
      UNION SELECT ${last} UNION SELECT substr(${last}, instr(${last}, '-') + 1) UNION SELECT substr(${last}, instr(${last}, ' ') + 1)
    ) CROSS JOIN (SELECT 0 AS k UNION ALL SELECT 1) WHERE w IS NOT NULL AND w <> ''
  ) WHERE f <> '';`; // DISTINCT: full and bare are one word for most names, and the writer's upsert overrides OR IGNORE

export default (dialect: Dialect): Migration => ({
  // Migrations see the schema as it was then, not today's DB type (Kysely's advice), hence `any`.
  async up(db: Kysely<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any
    if (dialect === 'postgres') {
      await sql
        .raw(
          `CREATE FUNCTION person_name_fold(w text, bare boolean) RETURNS text LANGUAGE sql IMMUTABLE AS $$
            SELECT CASE WHEN bare THEN ${foldSql('w', 'postgres', 'bare')} ELSE ${foldSql('w', 'postgres', 'full')} END $$`,
        )
        .execute(db);
      // The trigger (0015) stays; its function now stores both foldings.
      await sql`CREATE OR REPLACE FUNCTION person_name_words() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE n jsonb; ln text;
        BEGIN
          IF TG_OP = 'DELETE' THEN
            DELETE FROM person_name_word WHERE pnr = OLD.pnr;
            RETURN OLD;
          END IF;
          DELETE FROM person_name_word WHERE pnr = NEW.pnr;
          n := (NEW.state::jsonb) #> '{name,value}';
          IF n IS NULL THEN RETURN NEW; END IF;
          ln := n->>'lastName';
          INSERT INTO person_name_word (word, pnr)
            SELECT DISTINCT f, NEW.pnr FROM (
              SELECT person_name_fold(w, b) AS f FROM (
                SELECT f AS w FROM jsonb_array_elements_text(COALESCE(n->'firstNames', '[]'::jsonb)) f
                UNION ALL SELECT substr(f, strpos(f, '-') + 1) FROM jsonb_array_elements_text(COALESCE(n->'firstNames', '[]'::jsonb)) f
                UNION ALL SELECT m FROM jsonb_array_elements_text(COALESCE(n->'middleNames', '[]'::jsonb)) m
                UNION ALL SELECT substr(m, strpos(m, '-') + 1) FROM jsonb_array_elements_text(COALESCE(n->'middleNames', '[]'::jsonb)) m
                UNION ALL SELECT ln
                UNION ALL SELECT substr(ln, strpos(ln, '-') + 1)
                UNION ALL SELECT substr(ln, strpos(ln, ' ') + 1)
              ) x CROSS JOIN (VALUES (false), (true)) v(b) WHERE w IS NOT NULL AND w <> ''
            ) y WHERE f <> ''
            ON CONFLICT DO NOTHING;
          RETURN NEW;
        END $$`.execute(db);
    } else {
      for (const op of ['insert', 'update'] as const) {
        await sql.raw(`DROP TRIGGER person_name_words_${op}`).execute(db);
        await sql
          .raw(`CREATE TRIGGER person_name_words_${op} AFTER ${op === 'insert' ? 'INSERT' : 'UPDATE OF state'} ON person_current BEGIN
            DELETE FROM person_name_word WHERE pnr = NEW.pnr;${SQLITE_WORDS}
          END`)
          .execute(db);
      }
    }
    // Every person's words again, folded: rewriting the state runs the triggers.
    await sql`update person_current set state = state`.execute(db);
  },
});
