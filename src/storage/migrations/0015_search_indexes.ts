/**
 * Indexes for the searches of issue 7.
 *
 * - Address type-ahead: road names by prefix across postal codes (the
 *   indexes of 0008 start with the postal or municipality code). PostgreSQL
 *   uses a b-tree for `LIKE 'prefix%'` only with text_pattern_ops (unless the
 *   database collation is C).
 * - Person search by name: `person_name_word` (word, pnr), one row per word
 *   of a person's current name — each first and middle name, the last name,
 *   and the part after a hyphen or space — lower-cased by the database's
 *   lower() (SQLite folds ASCII only; the search asks for both forms of a
 *   first letter). Kept by triggers on the `person_current` projection, so
 *   every writer (registrations, bulk loads, refreshes) keeps it without
 *   knowing of it; filled here from the rows already there.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../store.ts';

/** SQLite: the words of NEW.state's current name (triggers take no WITH clause, hence the repeated paths). */
const first = `json_each(NEW.state, '$.name.value.firstNames')`;
const middle = `json_each(NEW.state, '$.name.value.middleNames')`;
const last = `json_extract(NEW.state, '$.name.value.lastName')`;
const SQLITE_WORDS = `
  INSERT OR IGNORE INTO person_name_word (word, pnr)
  SELECT lower(w), NEW.pnr FROM (
    SELECT value AS w FROM ${first} UNION SELECT substr(value, instr(value, '-') + 1) FROM ${first}
    UNION SELECT value FROM ${middle} UNION SELECT substr(value, instr(value, '-') + 1) FROM ${middle}
    UNION SELECT ${last} UNION SELECT substr(${last}, instr(${last}, '-') + 1) UNION SELECT substr(${last}, instr(${last}, ' ') + 1)
  ) WHERE w IS NOT NULL AND w <> '';`;

export default (dialect: Dialect): Migration => ({
  // Migrations see the schema as it was then, not today's DB type (Kysely's advice), hence `any`.
  async up(db: Kysely<any>) {
    if (dialect === 'postgres') {
      await sql`create index dar_husnummer_road_key on dar_husnummer (road_key text_pattern_ops, postal_code)`.execute(db);
      // COLLATE "C": byte order, so a prefix is one range of the primary key.
      await sql`create table person_name_word (word text collate "C" not null, pnr text not null, primary key (word, pnr))`.execute(db);
      await sql`create index person_name_word_pnr on person_name_word (pnr)`.execute(db);
      await sql`CREATE FUNCTION person_name_words() RETURNS trigger LANGUAGE plpgsql AS $$
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
            SELECT DISTINCT lower(w), NEW.pnr FROM (
              SELECT f AS w FROM jsonb_array_elements_text(COALESCE(n->'firstNames', '[]'::jsonb)) f
              UNION ALL SELECT substr(f, strpos(f, '-') + 1) FROM jsonb_array_elements_text(COALESCE(n->'firstNames', '[]'::jsonb)) f
              UNION ALL SELECT m FROM jsonb_array_elements_text(COALESCE(n->'middleNames', '[]'::jsonb)) m
              UNION ALL SELECT substr(m, strpos(m, '-') + 1) FROM jsonb_array_elements_text(COALESCE(n->'middleNames', '[]'::jsonb)) m
              UNION ALL SELECT ln
              UNION ALL SELECT substr(ln, strpos(ln, '-') + 1)
              UNION ALL SELECT substr(ln, strpos(ln, ' ') + 1)
            ) x WHERE w IS NOT NULL AND w <> ''
            ON CONFLICT DO NOTHING;
          RETURN NEW;
        END $$`.execute(db);
      await sql`CREATE TRIGGER person_name_words AFTER INSERT OR UPDATE OF state OR DELETE ON person_current
        FOR EACH ROW EXECUTE FUNCTION person_name_words()`.execute(db);
    } else {
      await db.schema.createIndex('dar_husnummer_road_key').on('dar_husnummer').columns(['road_key', 'postal_code']).execute();
      await sql`create table person_name_word (word text not null, pnr text not null, primary key (word, pnr)) without rowid`.execute(db);
      await sql`create index person_name_word_pnr on person_name_word (pnr)`.execute(db);
      await sql.raw(`CREATE TRIGGER person_name_words_insert AFTER INSERT ON person_current BEGIN
        DELETE FROM person_name_word WHERE pnr = NEW.pnr;${SQLITE_WORDS}
      END`).execute(db);
      await sql.raw(`CREATE TRIGGER person_name_words_update AFTER UPDATE OF state ON person_current BEGIN
        DELETE FROM person_name_word WHERE pnr = NEW.pnr;${SQLITE_WORDS}
      END`).execute(db);
      await sql.raw(`CREATE TRIGGER person_name_words_delete AFTER DELETE ON person_current BEGIN
        DELETE FROM person_name_word WHERE pnr = OLD.pnr;
      END`).execute(db);
    }
    // The persons already in the register (none in a new store): rewriting the state runs the triggers.
    await sql`update person_current set state = state`.execute(db);
  },
});
