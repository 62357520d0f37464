/**
 * Load benchmark (issue 3): the register's bulk loader against a raw insert
 * of the same rows, in the same run, on SQLite or PostgreSQL (--store).
 *
 *   1. generate: the synthetic population (src/synth) is generated and
 *      written to a scratch NDJSON file (persons/s of the generator);
 *   2. load: the file is read back in chunks of up to 20,000 persons, each
 *      loaded from memory with bulkLoad into a fresh store — every number
 *      checked, every registration validated, the projections built
 *      (persons/s, rows/s; reading the file is not timed);
 *   3. raw: after each chunk, the rows the loader stored (person_number,
 *      registration, person_history, person_version, person_current,
 *      residence) are read
 *      back (untimed) and inserted into a second fresh store with bare
 *      prepared INSERTs (SQLite) or a bare COPY (PostgreSQL) in transactions
 *      of 10,000 rows (rows/s: the baseline). Interleaving the two keeps a
 *      busy shared machine from favouring one of them;
 *   4. with --e2e, the whole `opencpr generate` (addresses, persons,
 *      ownership) into a third store, timed per phase.
 *
 * Prints the ratio load/raw, the store size per person, and the time and
 * size extrapolated to 10M person numbers (linear in persons: state it so).
 *
 *   npx tsx bench/load.ts --persons 100000
 *   npx tsx bench/load.ts --persons 1000000 --store postgres
 *   npx tsx bench/load.ts --persons 1000000 --keep
 */
import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { FixedClock } from '../src/domain/clock.ts';
import { dateOf } from '../src/domain/dates.ts';
import { bulkLoad, type PersonLoad } from '../src/register/load.ts';
import { Register } from '../src/register/register.ts';
import { copyRows, type Cell } from '../src/storage/copy.ts';
import { openStore } from '../src/storage/store.ts';
import { Dwellings } from '../src/synth/dwellings.ts';
import { generatePopulationInto } from '../src/synth/generate.ts';
import { buildAddresses } from '../src/synth/geography.ts';
import { generatePopulation } from '../src/synth/population.ts';

const { values: args } = parseArgs({
  options: {
    persons: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '1' },
    dir: { type: 'string', default: join(os.tmpdir(), 'opencpr-bench-load') },
    batch: { type: 'string', default: '10000' },
    e2e: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    store: { type: 'string', default: 'sqlite' },
    pg: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write('Usage: npx tsx bench/load.ts [--persons N] [--seed S] [--batch N] [--dir PATH] [--store sqlite|postgres] [--pg ADMIN_URL] [--e2e] [--keep]\n');
  process.exit(0);
}
if (args.store !== 'sqlite' && args.store !== 'postgres') {
  process.stderr.write(`--store is sqlite or postgres, not ${args.store}\n`);
  process.exit(2);
}
const POSTGRES = args.store === 'postgres';
if (POSTGRES && args.e2e) {
  process.stderr.write('--e2e (the whole opencpr generate) runs on SQLite only\n');
  process.exit(2);
}
const PERSONS = Number(args.persons);
const SEED = Number(args.seed);
const NOW = '2026-06-01T10:00:00.000Z';
const TABLES = ['person_number', 'registration', 'person_history', 'person_version', 'person_current', 'residence'] as const;
const TARGET = 10_000_000;

rmSync(args.dir, { recursive: true, force: true });
mkdirSync(args.dir, { recursive: true });
const file = (name: string) => join(args.dir, name);
const n = (x: number) => Math.round(x).toLocaleString('en');
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const log = (s: string) => process.stdout.write(s + '\n');
const progress = (s: string) => process.stderr.write(`\r  ${s}   `);
const sizeOf = (path: string) => ['', '-wal', '-shm'].reduce((s, x) => s + (statSync(path + x, { throwIfNoEntry: false })?.size ?? 0), 0);

log(`Load benchmark: ${n(PERSONS)} persons, seed ${SEED}, ${POSTGRES ? `PostgreSQL at ${args.pg}` : `SQLite in ${args.dir}`}, node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}`);

// 1. Generate to a scratch file.
let t = performance.now();
const universe = buildAddresses({ seed: SEED, persons: PERSONS });
const tUniverse = performance.now() - t;
const scratch = file('population.ndjson');
const out = createWriteStream(scratch);
let registrations = 0;
t = performance.now();
let count = 0;
for (const p of generatePopulation({ seed: SEED, persons: PERSONS, universe, dwellings: new Dwellings(universe), today: dateOf(NOW), now: NOW })) {
  registrations += p.registrations.length;
  const line: PersonLoad = { pnr: p.pnr, source: p.source, registrations: p.registrations };
  if (!out.write(JSON.stringify(line) + '\n')) await once(out, 'drain');
  if (++count % 10_000 === 0) progress(`generated ${n(count)}`);
}
out.end();
await once(out, 'finish');
const tGen = performance.now() - t;
process.stderr.write('\n');
log(`generate: ${n(PERSONS)} persons, ${n(registrations)} registrations in ${(tGen / 1000).toFixed(1)} s = ${n(PERSONS / (tGen / 1000))} persons/s (address universe ${n(universe.units.length)} units in ${(tUniverse / 1000).toFixed(1)} s)`);

// 2-3. The real loader and the raw baseline, interleaved chunk by chunk so both see the same machine.
async function* readPersons(): AsyncGenerator<PersonLoad> {
  const rl = createInterface({ input: createReadStream(scratch), crlfDelay: Infinity });
  for await (const l of rl) if (l) yield JSON.parse(l) as PersonLoad;
}
/** A store under test, and the raw baseline's copy of the same rows. */
interface Pair {
  loadLocation: string;
  /** The rows the loader stored for these persons (read untimed), inserted raw (timed): ms and rows. */
  raw(persons: readonly PersonLoad[]): Promise<{ ms: number; rows: number }>;
  rowCounts(): Promise<Record<string, number>>;
  /** Bytes of the loaded store. */
  size(): Promise<number>;
  dispose(): Promise<void>;
}

/** SQLite: bare prepared INSERTs into a second file, 10,000 rows a transaction, the loader's pragmas. */
async function sqlitePair(): Promise<Pair> {
  const storeA = file('load.db');
  const storeB = file('raw.db');
  await (await openStore(storeA)).close();
  await (await openStore(storeB)).close();
  const src = new Database(storeA, { readonly: true });
  const dst = new Database(storeB);
  dst.pragma('journal_mode = WAL');
  dst.pragma('synchronous = FULL');
  dst.pragma('cache_size = -524288');
  const tables = TABLES.map((tb) => {
    const cols = src.prepare(`select name from pragma_table_info('${tb}')`).pluck().all() as string[];
    const insert = dst.prepare(`insert into ${tb} (${cols.join(', ')}) values (${cols.map(() => '?').join(', ')})`);
    // New rows since the last chunk: by rowid, or by the chunk's numbers where the key is not in
    // insertion order (person_number is WITHOUT ROWID; person_version's key is pnr × 65,536 + position).
    const read =
      tb === 'person_number'
        ? src.prepare(`select ${cols.join(', ')} from person_number where pnr = ?`).raw()
        : tb === 'person_version'
          ? src.prepare(`select ${cols.join(', ')} from person_version where id >= ? and id < ? order by id`).raw()
          : src.prepare(`select rowid, ${cols.join(', ')} from ${tb} where rowid > ? order by rowid`).raw();
    return { tb, insert, read, last: 0 };
  });
  const writeRaw = dst.transaction((insert: Database.Statement, rows: unknown[][]) => {
    for (const r of rows) insert.run(r);
  });
  return {
    loadLocation: storeA,
    async raw(persons) {
      let ms = 0;
      let count = 0;
      for (const r of tables) {
        let rows: unknown[][];
        if (r.tb === 'person_number') rows = persons.map((p) => r.read.get(p.pnr) as unknown[]);
        else if (r.tb === 'person_version') rows = persons.flatMap((p) => r.read.all(Number(p.pnr) * 65536, (Number(p.pnr) + 1) * 65536) as unknown[][]);
        else {
          rows = r.read.all(r.last) as unknown[][];
          if (rows.length) r.last = Number(rows[rows.length - 1]![0]);
          rows = rows.map((x) => x.slice(1));
        }
        count += rows.length;
        const t0 = performance.now();
        for (let i = 0; i < rows.length; i += 10_000) writeRaw(r.insert, rows.slice(i, i + 10_000));
        ms += performance.now() - t0;
      }
      return { ms, rows: count };
    },
    async rowCounts() {
      const counts: Record<string, number> = {};
      for (const tb of TABLES) counts[tb] = Number(src.prepare(`select count(*) from ${tb}`).pluck().get());
      return counts;
    },
    async size() {
      // The store's size without its write-ahead log.
      const db = new Database(storeA);
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
      return sizeOf(storeA);
    },
    async dispose() {
      src.close();
      dst.close();
      for (const x of ['', '-wal', '-shm', '-audit']) rmSync(storeB + x, { force: true });
      if (!args.keep) for (const x of ['', '-wal', '-shm', '-audit']) rmSync(storeA + x, { force: true });
    },
  };
}

/** PostgreSQL: two fresh databases on the server; the baseline is a bare COPY, 10,000 rows a transaction. */
async function postgresPair(): Promise<Pair> {
  const names = { load: 'opencpr_bench_load', raw: 'opencpr_bench_raw' };
  const admin = new pg.Client({ connectionString: args.pg });
  await admin.connect();
  for (const db of Object.values(names)) {
    await admin.query(`drop database if exists ${db} with (force)`);
    await admin.query(`create database ${db}`);
  }
  const urlOf = (db: string) => Object.assign(new URL(args.pg!), { pathname: `/${db}` }).toString();
  await (await openStore(urlOf(names.load))).close();
  await (await openStore(urlOf(names.raw))).close();
  const src = new pg.Client({ connectionString: urlOf(names.load) });
  const dst = new pg.Client({ connectionString: urlOf(names.raw) });
  await src.connect();
  await dst.connect();
  const columns: Record<string, string[]> = {};
  for (const tb of TABLES) {
    const r = await src.query(`select column_name from information_schema.columns where table_name = $1 order by ordinal_position`, [tb]);
    columns[tb] = r.rows.map((x: { column_name: string }) => x.column_name);
  }
  return {
    loadLocation: urlOf(names.load),
    async raw(persons) {
      const pnrs = persons.map((p) => p.pnr);
      let ms = 0;
      let count = 0;
      for (const tb of TABLES) {
        const cols = columns[tb]!;
        const query =
          tb === 'person_version'
            ? // LATERAL: one range of the primary key per person (a plain join was planned as scans of the whole table at 640k persons).
              `select ${cols.map((c) => `v.${c}`).join(', ')} from unnest($1::bigint[]) p(n) cross join lateral (select * from person_version where id >= p.n * 65536 and id < (p.n + 1) * 65536) v`
            : `select ${cols.join(', ')} from ${tb} where pnr = any($1)`;
        const rows = (await src.query({ text: query, values: [tb === 'person_version' ? pnrs.map(Number) : pnrs], rowMode: 'array' })).rows as Cell[][];
        // bigint columns come back as text; COPY reads them alike.
        count += rows.length;
        const t0 = performance.now();
        for (let i = 0; i < rows.length; i += 10_000) {
          await dst.query('begin');
          await copyRows(dst, tb, cols, rows.slice(i, i + 10_000).flat());
          await dst.query('commit');
        }
        ms += performance.now() - t0;
      }
      return { ms, rows: count };
    },
    async rowCounts() {
      const counts: Record<string, number> = {};
      for (const tb of TABLES) counts[tb] = Number((await src.query(`select count(*) as n from ${tb}`)).rows[0].n);
      return counts;
    },
    async size() {
      return Number((await src.query('select pg_database_size(current_database()) as b')).rows[0].b);
    },
    async dispose() {
      await src.end();
      await dst.end();
      await admin.query(`drop database if exists ${names.raw} with (force)`);
      if (!args.keep) await admin.query(`drop database if exists ${names.load} with (force)`);
      await admin.end();
    },
  };
}

const pair = POSTGRES ? await postgresPair() : await sqlitePair();
const regA = new Register(await openStore(pair.loadLocation), new FixedClock(NOW));
const CHUNK = Math.min(20_000, Math.max(1000, Math.floor(PERSONS / 10)));
let tLoad = 0;
let tRaw = 0;
let loaded = 0;
let rawRows = 0;
const it = readPersons();
for (let chunk = 0; ; chunk++) {
  const persons: PersonLoad[] = [];
  while (persons.length < CHUNK) {
    const r = await it.next();
    if (r.done) break;
    persons.push(r.value);
  }
  if (!persons.length) break;
  // The loader, from memory (reading and parsing the file is not timed).
  const t0 = performance.now();
  const res = await bulkLoad(regA, persons, { jobId: `bench:${chunk}`, batchSize: Number(args.batch) });
  tLoad += performance.now() - t0;
  loaded += res.done;
  const r = await pair.raw(persons);
  tRaw += r.ms;
  rawRows += r.rows;
  progress(`loaded ${n(loaded)}: loader ${n(loaded / (tLoad / 1000))} persons/s, raw ${n(rawRows / (tRaw / 1000))} rows/s`);
}
process.stderr.write('\n');
await regA.close();
const rowCounts = await pair.rowCounts();
const rows = Object.values(rowCounts).reduce((a, b) => a + b, 0);
if (rows !== rawRows) throw new Error(`the raw copy has ${rawRows} rows, the loaded store ${rows}`);
const bytesA = await pair.size();
await pair.dispose();
log(
  `load (bulkLoad from memory, chunks of ${n(CHUNK)} persons, batches of ${n(Number(args.batch))}): ${n(loaded)} persons, ${n(rows)} rows in ${(tLoad / 1000).toFixed(1)} s = ${n(loaded / (tLoad / 1000))} persons/s, ${n(rows / (tLoad / 1000))} rows/s` +
    ` (${Object.entries(rowCounts).map(([k, v]) => `${k} ${n(v)}`).join(', ')})`,
);
log(`raw ${POSTGRES ? 'COPY' : 'insert'} of the same rows, interleaved with the load: ${(tRaw / 1000).toFixed(1)} s = ${n(rows / (tRaw / 1000))} rows/s`);
log(`ratio load/raw (rows/s): ${((tRaw / tLoad) * 100).toFixed(0)} %${POSTGRES ? ' (the raw baseline: a bare COPY)' : ' (target ≥ 50 %)'}`);
log(`store: ${mib(bytesA)} = ${n(bytesA / loaded)} bytes/person`);
if (!args.keep) rmSync(scratch, { force: true });

// 4. The whole `opencpr generate`.
let tE2e = 0;
if (args.e2e) {
  const storeC = file('generate.db');
  const regC = new Register(await openStore(storeC), new FixedClock(NOW));
  const phases: Record<string, number> = {};
  let phase = '';
  let since = performance.now();
  t = since;
  await generatePopulationInto(regC, {
    seed: SEED,
    persons: PERSONS,
    onProgress: (p) => {
      if (p.phase !== phase) {
        const now = performance.now();
        if (phase) phases[phase] = (phases[phase] ?? 0) + now - since;
        phase = p.phase;
        since = now;
      }
      if (p.phase === 'persons') progress(`generate+load ${n(p.done)}`);
    },
  });
  tE2e = performance.now() - t;
  phases[phase] = (phases[phase] ?? 0) + performance.now() - since;
  process.stderr.write('\n');
  await regC.close();
  const bytesC = sizeOf(storeC);
  log(
    `opencpr generate (end to end): ${(tE2e / 1000).toFixed(1)} s = ${n(PERSONS / (tE2e / 1000))} persons/s; ` +
      Object.entries(phases).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ') +
      `; store ${mib(bytesC)} = ${n(bytesC / PERSONS)} bytes/person`,
  );
  if (!args.keep) for (const x of ['', '-wal', '-shm', '-audit']) rmSync(storeC + x, { force: true });
}

// Extrapolation to a national population (10M numbers), linear in persons.
const scale = TARGET / PERSONS;
const e2e = tE2e || tGen + tLoad;
log(
  `extrapolated to ${n(TARGET)} numbers (× ${scale.toFixed(0)}, linear): ` +
    `${(e2e * scale / 60_000).toFixed(0)} min (target 15 min), store ${((bytesA * scale) / 2 ** 30).toFixed(1)} GiB (target < 20 GB)` +
    (tE2e ? '' : ' — generation and load measured separately and added'),
);
