/**
 * The person search's name-word index folds as the name comparison does
 * (issue 15, finding 7). Migration 0015 stored each word lower-cased by the
 * database (SQLite: ASCII only), so a search for "Soeren" or "Aarhus" could
 * not find "Søren" or "Århus" through it. Now the triggers store every word
 * in both foldings of domain/names/compare.ts (`full`: ø → oe, å → aa;
 * `bare`: ø → o, å → a; æ → ae, marks and apostrophes dropped), as its table
 * `LETTER_FOLDS` was when this migration was written (`FOLDS` below, frozen:
 * a migration must make the same triggers on a new store as it made on an old
 * one). test/api/name-folding.test.ts holds the database's folding to the
 * code's, so a change of compare.ts fails it until a new migration
 * re-creates the triggers. The search asks for the typed word in both
 * foldings. Rows already there are rewritten by touching every person.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../store.ts';

/** The ASCII apostrophes dropped before folding, and LETTER_FOLDS of domain/names/compare.ts as of this migration. */
const ASCII_APOSTROPHES = ["'", '`'];
const FOLDS: ReadonlyArray<readonly [letter: string, full: string, bare: string]> = [
  ["\u00c0", "a", "a"], ["\u00c1", "a", "a"], ["\u00c2", "a", "a"], ["\u00c3", "a", "a"], ["\u00c4", "a", "a"], ["\u00c5", "aa", "a"],
  ["\u00c6", "ae", "ae"], ["\u00c7", "c", "c"], ["\u00c8", "e", "e"], ["\u00c9", "e", "e"], ["\u00ca", "e", "e"], ["\u00cb", "e", "e"],
  ["\u00cc", "i", "i"], ["\u00cd", "i", "i"], ["\u00ce", "i", "i"], ["\u00cf", "i", "i"], ["\u00d0", "\u00f0", "\u00f0"], ["\u00d1", "n", "n"],
  ["\u00d2", "o", "o"], ["\u00d3", "o", "o"], ["\u00d4", "o", "o"], ["\u00d5", "o", "o"], ["\u00d6", "o", "o"], ["\u00d8", "oe", "o"],
  ["\u00d9", "u", "u"], ["\u00da", "u", "u"], ["\u00db", "u", "u"], ["\u00dc", "u", "u"], ["\u00dd", "y", "y"], ["\u00de", "\u00fe", "\u00fe"],
  ["\u00df", "ss", "ss"], ["\u00e0", "a", "a"], ["\u00e1", "a", "a"], ["\u00e2", "a", "a"], ["\u00e3", "a", "a"], ["\u00e4", "a", "a"],
  ["\u00e5", "aa", "a"], ["\u00e6", "ae", "ae"], ["\u00e7", "c", "c"], ["\u00e8", "e", "e"], ["\u00e9", "e", "e"], ["\u00ea", "e", "e"],
  ["\u00eb", "e", "e"], ["\u00ec", "i", "i"], ["\u00ed", "i", "i"], ["\u00ee", "i", "i"], ["\u00ef", "i", "i"], ["\u00f1", "n", "n"],
  ["\u00f2", "o", "o"], ["\u00f3", "o", "o"], ["\u00f4", "o", "o"], ["\u00f5", "o", "o"], ["\u00f6", "o", "o"], ["\u00f8", "oe", "o"],
  ["\u00f9", "u", "u"], ["\u00fa", "u", "u"], ["\u00fb", "u", "u"], ["\u00fc", "u", "u"], ["\u00fd", "y", "y"], ["\u00ff", "y", "y"],
  ["\u0100", "a", "a"], ["\u0101", "a", "a"], ["\u0102", "a", "a"], ["\u0103", "a", "a"], ["\u0104", "a", "a"], ["\u0105", "a", "a"],
  ["\u0106", "c", "c"], ["\u0107", "c", "c"], ["\u0108", "c", "c"], ["\u0109", "c", "c"], ["\u010a", "c", "c"], ["\u010b", "c", "c"],
  ["\u010c", "c", "c"], ["\u010d", "c", "c"], ["\u010e", "d", "d"], ["\u010f", "d", "d"], ["\u0110", "\u0111", "\u0111"], ["\u0112", "e", "e"],
  ["\u0113", "e", "e"], ["\u0114", "e", "e"], ["\u0115", "e", "e"], ["\u0116", "e", "e"], ["\u0117", "e", "e"], ["\u0118", "e", "e"],
  ["\u0119", "e", "e"], ["\u011a", "e", "e"], ["\u011b", "e", "e"], ["\u011c", "g", "g"], ["\u011d", "g", "g"], ["\u011e", "g", "g"],
  ["\u011f", "g", "g"], ["\u0120", "g", "g"], ["\u0121", "g", "g"], ["\u0122", "g", "g"], ["\u0123", "g", "g"], ["\u0124", "h", "h"],
  ["\u0125", "h", "h"], ["\u0126", "\u0127", "\u0127"], ["\u0128", "i", "i"], ["\u0129", "i", "i"], ["\u012a", "i", "i"], ["\u012b", "i", "i"],
  ["\u012c", "i", "i"], ["\u012d", "i", "i"], ["\u012e", "i", "i"], ["\u012f", "i", "i"], ["\u0130", "i", "i"], ["\u0132", "ij", "ij"],
  ["\u0133", "ij", "ij"], ["\u0134", "j", "j"], ["\u0135", "j", "j"], ["\u0136", "k", "k"], ["\u0137", "k", "k"], ["\u0139", "l", "l"],
  ["\u013a", "l", "l"], ["\u013b", "l", "l"], ["\u013c", "l", "l"], ["\u013d", "l", "l"], ["\u013e", "l", "l"], ["\u013f", "l\u00b7", "l\u00b7"],
  ["\u0140", "l\u00b7", "l\u00b7"], ["\u0141", "\u0142", "\u0142"], ["\u0143", "n", "n"], ["\u0144", "n", "n"], ["\u0145", "n", "n"], ["\u0146", "n", "n"],
  ["\u0147", "n", "n"], ["\u0148", "n", "n"], ["\u0149", "\u02bcn", "\u02bcn"], ["\u014a", "\u014b", "\u014b"], ["\u014c", "o", "o"], ["\u014d", "o", "o"],
  ["\u014e", "o", "o"], ["\u014f", "o", "o"], ["\u0150", "o", "o"], ["\u0151", "o", "o"], ["\u0152", "\u0153", "\u0153"], ["\u0154", "r", "r"],
  ["\u0155", "r", "r"], ["\u0156", "r", "r"], ["\u0157", "r", "r"], ["\u0158", "r", "r"], ["\u0159", "r", "r"], ["\u015a", "s", "s"],
  ["\u015b", "s", "s"], ["\u015c", "s", "s"], ["\u015d", "s", "s"], ["\u015e", "s", "s"], ["\u015f", "s", "s"], ["\u0160", "s", "s"],
  ["\u0161", "s", "s"], ["\u0162", "t", "t"], ["\u0163", "t", "t"], ["\u0164", "t", "t"], ["\u0165", "t", "t"], ["\u0166", "\u0167", "\u0167"],
  ["\u0168", "u", "u"], ["\u0169", "u", "u"], ["\u016a", "u", "u"], ["\u016b", "u", "u"], ["\u016c", "u", "u"], ["\u016d", "u", "u"],
  ["\u016e", "u", "u"], ["\u016f", "u", "u"], ["\u0170", "u", "u"], ["\u0171", "u", "u"], ["\u0172", "u", "u"], ["\u0173", "u", "u"],
  ["\u0174", "w", "w"], ["\u0175", "w", "w"], ["\u0176", "y", "y"], ["\u0177", "y", "y"], ["\u0178", "y", "y"], ["\u0179", "z", "z"],
  ["\u017a", "z", "z"], ["\u017b", "z", "z"], ["\u017c", "z", "z"], ["\u017d", "z", "z"], ["\u017e", "z", "z"], ["\u017f", "s", "s"],
  ["\u0300", "", ""], ["\u0301", "", ""], ["\u0302", "", ""], ["\u0303", "", ""], ["\u0304", "", ""], ["\u0305", "", ""],
  ["\u0306", "", ""], ["\u0307", "", ""], ["\u0308", "", ""], ["\u0309", "", ""], ["\u030a", "", ""], ["\u030b", "", ""],
  ["\u030c", "", ""], ["\u030d", "", ""], ["\u030e", "", ""], ["\u030f", "", ""], ["\u0310", "", ""], ["\u0311", "", ""],
  ["\u0312", "", ""], ["\u0313", "", ""], ["\u0314", "", ""], ["\u0315", "", ""], ["\u0316", "", ""], ["\u0317", "", ""],
  ["\u0318", "", ""], ["\u0319", "", ""], ["\u031a", "", ""], ["\u031b", "", ""], ["\u031c", "", ""], ["\u031d", "", ""],
  ["\u031e", "", ""], ["\u031f", "", ""], ["\u0320", "", ""], ["\u0321", "", ""], ["\u0322", "", ""], ["\u0323", "", ""],
  ["\u0324", "", ""], ["\u0325", "", ""], ["\u0326", "", ""], ["\u0327", "", ""], ["\u0328", "", ""], ["\u0329", "", ""],
  ["\u032a", "", ""], ["\u032b", "", ""], ["\u032c", "", ""], ["\u032d", "", ""], ["\u032e", "", ""], ["\u032f", "", ""],
  ["\u0330", "", ""], ["\u0331", "", ""], ["\u0332", "", ""], ["\u0333", "", ""], ["\u0334", "", ""], ["\u0335", "", ""],
  ["\u0336", "", ""], ["\u0337", "", ""], ["\u0338", "", ""], ["\u0339", "", ""], ["\u033a", "", ""], ["\u033b", "", ""],
  ["\u033c", "", ""], ["\u033d", "", ""], ["\u033e", "", ""], ["\u033f", "", ""], ["\u0340", "", ""], ["\u0341", "", ""],
  ["\u0342", "", ""], ["\u0343", "", ""], ["\u0344", "", ""], ["\u0345", "", ""], ["\u0346", "", ""], ["\u0347", "", ""],
  ["\u0348", "", ""], ["\u0349", "", ""], ["\u034a", "", ""], ["\u034b", "", ""], ["\u034c", "", ""], ["\u034d", "", ""],
  ["\u034e", "", ""], ["\u034f", "", ""], ["\u0350", "", ""], ["\u0351", "", ""], ["\u0352", "", ""], ["\u0353", "", ""],
  ["\u0354", "", ""], ["\u0355", "", ""], ["\u0356", "", ""], ["\u0357", "", ""], ["\u0358", "", ""], ["\u0359", "", ""],
  ["\u035a", "", ""], ["\u035b", "", ""], ["\u035c", "", ""], ["\u035d", "", ""], ["\u035e", "", ""], ["\u035f", "", ""],
  ["\u0360", "", ""], ["\u0361", "", ""], ["\u0362", "", ""], ["\u0363", "", ""], ["\u0364", "", ""], ["\u0365", "", ""],
  ["\u0366", "", ""], ["\u0367", "", ""], ["\u0368", "", ""], ["\u0369", "", ""], ["\u036a", "", ""], ["\u036b", "", ""],
  ["\u036c", "", ""], ["\u036d", "", ""], ["\u036e", "", ""], ["\u036f", "", ""], ["\u2019", "", ""], ["\u00b4", "", ""],
];

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * SQL folding `expr` like compare.ts folds one word: lower(), apostrophes
 * dropped, then the letters of `FOLDS` replaced, only in a word that
 * has a non-ASCII letter (most have none and skip the chain).
 */
export function foldSql(expr: string, dialect: Dialect, form: 'full' | 'bare'): string {
  let x = `lower(${expr})`;
  for (const a of ASCII_APOSTROPHES) x = `replace(${x}, ${lit(a)}, '')`;
  let chain = x;
  for (const [c, full, bare] of FOLDS) chain = `replace(${chain}, ${lit(c)}, ${lit(form === 'full' ? full : bare)})`;
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
