/**
 * Point-lookup benchmark (npm run bench): loads a synthetic population into
 * a fresh store, then measures, over the same random sequence of existing
 * person numbers,
 *   - a raw baseline: a bare primary-key select of one text column on a
 *     one-table copy of the current-state projection, with the raw driver;
 *   - current point lookups through Register.person(pnr);
 *   - bitemporal as-of lookups through Register.person(pnr, { validAt, knownAt });
 * and prints lookups/s, the ratio to the baseline of the same run, and p50/p99
 * latency. See docs/benchmarks.md.
 *
 *   npm run bench -- --persons 1000000 --store both --seconds 10
 *   npm run bench -- --persons 20000 --seconds 2          (smoke: about a minute)
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { systemClock } from '../src/domain/clock.ts';
import { dateOf, type CivilDate, type Instant } from '../src/domain/dates.ts';
import { bulkLoad } from '../src/register/load.ts';
import { Register } from '../src/register/register.ts';
import { openReader, openStore } from '../src/storage/store.ts';
import { prng } from '../src/synth/random.ts';
import { standinPopulation } from '../src/synth/standin.ts';
import { warmFile } from './warm.ts';

const HELP = `Usage: npm run bench -- [options]

  --persons <n>      population size (default 1000000)
  --store <kind>     sqlite | postgres | both (default both)
  --seconds <s>      duration of each measurement (default 10)
  --concurrency <n>  lookups in flight in the concurrent PostgreSQL variants (default 8)
  --rounds <n>       the measurements of a store take turns in n slices of seconds/n each (default 5),
                     so that a change in the machine's load hits them alike
  --seed <n>         population seed (default 1)
  --dir <path>       where the SQLite store is kept (default $TMPDIR/opencpr-bench)
  --pg <url>         PostgreSQL server (default $OPENCPR_BENCH_PG or postgres://postgres@127.0.0.1:5432/postgres);
                     the benchmark creates its own database there
  --fresh            discard a store left by an earlier run and load anew
  --drop             remove the store(s) at the end
`;

const { values: args } = parseArgs({
  options: {
    persons: { type: 'string', default: '1000000' },
    store: { type: 'string', default: 'both' },
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    dir: { type: 'string', default: join(os.tmpdir(), 'opencpr-bench') },
    pg: { type: 'string', default: process.env.OPENCPR_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    fresh: { type: 'boolean', default: false },
    drop: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const positive = (v: string, flag: string) => {
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} must be a positive number, not "${v}".`);
  return n;
};
const PERSONS = Math.floor(positive(args.persons, '--persons'));
const SECONDS = positive(args.seconds, '--seconds');
const CONCURRENCY = Math.floor(positive(args.concurrency, '--concurrency'));
const ROUNDS = Math.floor(positive(args.rounds, '--rounds'));
const SEED = Math.floor(positive(args.seed, '--seed'));
const KINDS = args.store === 'both' ? (['sqlite', 'postgres'] as const) : [args.store];
for (const k of KINDS) if (k !== 'sqlite' && k !== 'postgres') throw new Error(`--store is sqlite, postgres or both, not "${k}".`);

const log = (s: string) => process.stderr.write(s);
const fmt = (n: number) => Math.round(n).toLocaleString('en');

// ── The store ───────────────────────────────────────────────────────────────

interface BenchStore {
  kind: 'sqlite' | 'postgres';
  location: string;
  register: Register;
  /** Persons per second if this run loaded (some of) the population. */
  loadRate?: number;
  sizeBytes: number;
  drop(): Promise<void>;
}

const JOB = `bench-standin:${SEED}:${PERSONS}`;

async function prepareStore(kind: 'sqlite' | 'postgres'): Promise<BenchStore> {
  let location: string;
  let drop: () => Promise<void>;
  if (kind === 'sqlite') {
    mkdirSync(args.dir, { recursive: true });
    location = join(args.dir, `standin-${SEED}-${PERSONS}.db`);
    const remove = () => {
      for (const f of [location, `${location}-wal`, `${location}-shm`]) rmSync(f, { force: true });
    };
    if (args.fresh) remove();
    drop = async () => remove();
  } else {
    const name = `opencpr_bench_${SEED}_${PERSONS}`;
    const admin = async (q: string) => {
      const c = new pg.Client({ connectionString: args.pg });
      await c.connect();
      try {
        return await c.query(q);
      } finally {
        await c.end();
      }
    };
    if (args.fresh) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    const exists = await admin(`SELECT 1 FROM pg_database WHERE datname = '${name}'`);
    if (!exists.rowCount) await admin(`CREATE DATABASE ${name}`);
    const url = new URL(args.pg);
    url.pathname = `/${name}`;
    location = url.toString();
    drop = async () => void (await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }

  const register = new Register(await openStore(location), systemClock);
  const { db } = register.store;
  const meta = async (key: string) => (await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst())?.value;
  const setMeta = (key: string, value: string) =>
    db
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();

  // The population is generated for the date of the first load, so a resumed or reused store holds the same persons.
  let today = (await meta('bench:today')) as CivilDate | undefined;
  if (!today) {
    today = dateOf(new Date());
    await setMeta('bench:today', today);
  }
  const loaded = Number((await meta(`load:${JOB}`)) ?? 0);
  const copied = Number((await meta('bench:copy')) ?? 0);
  let loadRate: number | undefined;
  if (loaded >= PERSONS && copied === PERSONS) {
    log(`${kind}: reusing the store left by an earlier run (${fmt(PERSONS)} persons, generated for ${today}) at ${register.store.location}\n`);
  } else {
    if (loaded > 0 && loaded < PERSONS) log(`${kind}: resuming an interrupted load at ${fmt(loaded)} persons\n`);
    log(`${kind}: loading ${fmt(PERSONS - loaded)} persons into ${register.store.location}\n`);
    let stop = false;
    const onSignal = () => {
      stop = true;
      log('\nStopping after the batch in hand; run the same command again to resume.\n');
    };
    process.once('SIGINT', onSignal);
    const started = performance.now();
    const res = await bulkLoad(register, standinPopulation({ persons: PERSONS, seed: SEED, today }), {
      jobId: JOB,
      batchSize: 10_000,
      shouldStop: () => stop,
      onProgress: (done) => {
        const s = (performance.now() - started) / 1000;
        const rate = (done - loaded) / s;
        const eta = (PERSONS - done) / Math.max(rate, 1);
        log(`\r  ${fmt(done)} / ${fmt(PERSONS)} persons, ${fmt(rate)}/s, ${s.toFixed(0)} s, about ${eta.toFixed(0)} s to go   `);
      },
    });
    process.off('SIGINT', onSignal);
    log('\n');
    if (res.stopped) {
      await register.close();
      process.exit(130);
    }
    loadRate = (res.done - res.skipped) / ((performance.now() - started) / 1000);
    log(`${kind}: loaded ${fmt(res.done - res.skipped)} persons at ${fmt(loadRate)} persons/s\n`);

    log(`${kind}: making bench_copy (pnr text primary key, state text) from person_current\n`);
    await db.transaction().execute(async (tx) => {
      await sql`drop table if exists bench_copy`.execute(tx);
      await sql`create table bench_copy (pnr text primary key, state text)`.execute(tx);
      await sql`insert into bench_copy (pnr, state) select pnr, state from person_current`.execute(tx);
    });
    await setMeta('bench:copy', String(PERSONS));
  }
  if (kind === 'postgres' && loadRate !== undefined) {
    // Hint bits and statistics, as a database that has been in use would have them.
    log('postgres: vacuum analyze\n');
    await sql`vacuum (analyze) person_current, person_history, person_number, bench_copy`.execute(db);
  }
  if (kind === 'sqlite') {
    // Readers should not have to look through a large write-ahead log.
    const c = new Database(location);
    c.pragma('wal_checkpoint(TRUNCATE)');
    c.close();
  }
  const sizeBytes =
    kind === 'sqlite'
      ? statSync(location).size
      : Number((await sql<{ s: string }>`select pg_database_size(current_database()) as s`.execute(db)).rows[0]!.s);
  return { kind, location, register, loadRate, sizeBytes, drop };
}

// ── The lookups ─────────────────────────────────────────────────────────────

interface Lookup {
  pnr: string;
  validAt: CivilDate;
  knownAt: Instant;
}

/** A fixed random sequence of lookups over the population (the same for every measurement and store). */
function lookupSequence(pnrs: readonly string[], length: number): Lookup[] {
  const rnd = prng(20_240_501);
  const from = Date.UTC(1990, 0, 1);
  const to = Date.now();
  const out: Lookup[] = [];
  for (let i = 0; i < length; i++) {
    const pnr = pnrs[Math.floor(rnd() * pnrs.length)]!;
    const validAt = new Date(from + rnd() * (to - from)).toISOString().slice(0, 10);
    const knownAt = new Date(from + rnd() * (to - from)).toISOString();
    out.push({ pnr, validAt, knownAt });
  }
  return out;
}

interface Result {
  label: string;
  ops: number;
  perSecond: number;
  p50: number;
  p99: number;
  concurrency: number;
  /** Lookups/s in each round. */
  rounds: number[];
}

interface Measurement {
  label: string;
  op: (l: Lookup) => Promise<unknown>;
}

/**
 * Runs each measurement's `op` over the sequence, `concurrency` at a time,
 * for `SECONDS` in all, after a short warm-up: in ROUNDS slices, taking turns
 * (baseline, then the others, then the baseline again, ...), so that the
 * ratios compare like with like on a machine whose load changes. Each
 * measurement continues the sequence where its previous slice stopped.
 * Latency is from the call to the settled answer.
 */
async function measureAll(ms: readonly Measurement[], seq: readonly Lookup[], concurrency = 1): Promise<Result[]> {
  const state = ms.map((m) => ({ ...m, latencies: new Float64Array(1 << 20), ops: 0, next: 0, missing: 0, elapsed: 0, rounds: [] as number[] }));
  for (const m of ms) {
    const warm = performance.now() + Math.min(1000, (SECONDS * 1000) / 5);
    for (let i = seq.length >> 1; performance.now() < warm; i = (i + 1) % seq.length) await m.op(seq[i]!);
  }
  const slice = (SECONDS * 1000) / ROUNDS;
  for (let round = 0; round < ROUNDS; round++) {
    for (const st of state) {
      const opsBefore = st.ops;
      const started = performance.now();
      const end = started + slice;
      const worker = async () => {
        for (;;) {
          // Check the clock every 64 lookups per worker.
          for (let k = 0; k < 64; k++) {
            const l = seq[st.next++ % seq.length]!;
            const t0 = performance.now();
            const r = await st.op(l);
            const dt = performance.now() - t0;
            if (r === null || r === undefined) st.missing++;
            if (st.ops === st.latencies.length) {
              const grown = new Float64Array(st.latencies.length * 2);
              grown.set(st.latencies);
              st.latencies = grown;
            }
            st.latencies[st.ops++] = dt;
          }
          if (performance.now() >= end) return;
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      const elapsed = (performance.now() - started) / 1000;
      st.elapsed += elapsed;
      st.rounds.push((st.ops - opsBefore) / elapsed);
    }
  }
  return state.map((st) => {
    if (st.missing) throw new Error(`${st.label}: ${st.missing} lookups of existing persons found nothing.`);
    const sorted = st.latencies.subarray(0, st.ops).sort();
    const pct = (p: number) => sorted[Math.min(st.ops - 1, Math.floor(p * st.ops))]! * 1000;
    return { label: st.label, ops: st.ops, perSecond: st.ops / st.elapsed, p50: pct(0.5), p99: pct(0.99), concurrency, rounds: st.rounds };
  });
}

// ── Main ────────────────────────────────────────────────────────────────────

function machine(): string[] {
  const cpus = os.cpus();
  return [
    `node ${process.version} (${process.arch}), ${os.type()} ${os.release()}`,
    `CPU: ${cpus[0]?.model ?? 'unknown'}, ${cpus.length} cores (available parallelism ${os.availableParallelism()})`,
    `memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; load average at start: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
  ];
}

async function main() {
  const facts = machine();
  const stores: BenchStore[] = [];
  try {
    for (const kind of KINDS) stores.push(await prepareStore(kind as 'sqlite' | 'postgres'));

    // The same persons on every store: the numbers of the population, in order.
    const pnrs = (await stores[0]!.register.store.db.selectFrom('person_current').select('pnr').execute()).map((r) => r.pnr).sort();
    if (pnrs.length !== PERSONS) throw new Error(`The store holds ${pnrs.length} persons, not ${PERSONS}.`);
    const seq = lookupSequence(pnrs, 1 << 18);

    if (stores.length === 2) {
      // Both stores must answer the same: compare a sample of as-of lookups.
      for (const l of seq.slice(0, 2000)) {
        const [a, b] = await Promise.all(stores.map((s) => s.register.person(l.pnr, { validAt: l.validAt, knownAt: l.knownAt })));
        if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`SQLite and PostgreSQL answer differently for ${l.pnr} as of ${l.validAt}/${l.knownAt}.`);
      }
      log('sqlite and postgres give identical answers for 2,000 sampled as-of lookups\n');
    }

    const results: Array<{ store: BenchStore; rows: Array<Result & { baseline: Result }> }> = [];
    for (const store of stores) {
      const rows: Array<Result & { baseline: Result }> = [];
      const r = store.register;
      const current = (l: Lookup) => r.person(l.pnr);
      const asOf = (l: Lookup) => r.person(l.pnr, { validAt: l.validAt, knownAt: l.knownAt });
      const say = (x: Result) => log(`  ${x.label}: ${fmt(x.perSecond)}/s\n`);
      log(`${store.kind}: measuring, ${SECONDS} s each, in ${ROUNDS} rounds\n`);
      if (store.kind === 'sqlite') {
        // The raw driver on its own read-only connection, opened like the store's reader.
        // Every table starts the measurement equally warm (bench_copy was just written).
        await warmFile(store.location, log);
        const conn = openReader(store.location);
        if (Number(process.env.OPENCPR_SQLITE_READER_CACHE_MB ?? 0) > 0) {
          // With a page cache of the connections' own, fill both caches with the tables the lookups read.
          const t = Date.now();
          conn.prepare('select sum(length(state)) from bench_copy').get();
          const scan = r.store.prepare(sql`select (select sum(length(v)) from person_version) + (select sum(length(state)) from person_current) + (select count(*) from person_number)`.compile(r.store.db));
          await scan([]);
          log(`  page caches of the baseline's and the register's reader connections filled in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
        }
        const stmt = conn.prepare<[string], { state: string }>('select state from bench_copy where pnr = ?');
        const [baseline, ...others] = await measureAll(
          [
            { label: 'baseline: bench_copy primary-key get', op: async (l) => stmt.get(l.pnr) },
            { label: 'register.person(pnr), current', op: current },
            { label: 'register.person(pnr, {validAt, knownAt}), as-of', op: asOf },
          ],
          seq,
        );
        for (const x of [baseline!, ...others]) {
          say(x);
          rows.push({ ...x, baseline: baseline! });
        }
        conn.close();
      } else {
        const pool = new pg.Pool({ connectionString: store.location, max: 10 });
        const get = async (l: Lookup) =>
          (await pool.query<{ state: string }>({ name: 'bench_copy_state', text: 'select state from bench_copy where pnr = $1', values: [l.pnr] }))
            .rows[0];
        for (const c of [1, CONCURRENCY]) {
          const tag = c === 1 ? '' : `, ${c} in flight`;
          const [baseline, ...others] = await measureAll(
            [
              { label: `baseline: bench_copy primary-key select${tag}`, op: get },
              { label: `register.person(pnr), current${tag}`, op: current },
              { label: `register.person(pnr, {validAt, knownAt}), as-of${tag}`, op: asOf },
            ],
            seq,
            c,
          );
          for (const x of [baseline!, ...others]) {
            say(x);
            rows.push({ ...x, baseline: baseline! });
          }
        }
        await pool.end();
      }
      results.push({ store, rows });
    }

    // The report (stdout).
    const out: string[] = [];
    out.push(`OpenCPR point-lookup benchmark, ${new Date().toISOString()}`);
    out.push(...facts);
    out.push(`load average at end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    out.push(`population: ${fmt(PERSONS)} synthetic persons (stand-in generator, seed ${SEED}); ${SECONDS} s per measurement, in ${ROUNDS} interleaved rounds;`);
    out.push(`lookups: one fixed random sequence of existing person numbers; as-of: validAt uniform in 1990..today, knownAt uniform in 1990..now`);
    for (const { store } of results) {
      const version =
        store.kind === 'sqlite'
          ? `SQLite ${(new Database(':memory:').prepare('select sqlite_version() as v').get() as { v: string }).v}`
          : `PostgreSQL ${(await sql<{ v: string }>`select current_setting('server_version') as v`.execute(store.register.store.db)).rows[0]!.v}`;
      const load = store.loadRate === undefined ? 'reused from an earlier run' : `loaded at ${fmt(store.loadRate)} persons/s`;
      out.push(`${store.kind}: ${version}, store ${(store.sizeBytes / 2 ** 30).toFixed(2)} GiB, ${load}`);
    }
    out.push('');
    const header = ['store', 'lookup', 'lookups/s', 'vs baseline', 'per round', 'p50 µs', 'p99 µs'];
    const table = results.flatMap(({ store, rows }) =>
      rows.map((x) => [
        store.kind,
        x.label,
        fmt(x.perSecond),
        `${((x.perSecond / x.baseline.perSecond) * 100).toFixed(0)}%`,
        // The ratio in each round: how much the machine's load moved it.
        (() => {
          const r = x.rounds.map((v, i) => v / x.baseline.rounds[i]!).sort((a, b) => a - b);
          return `${(r[0]! * 100).toFixed(0)}-${(r[r.length - 1]! * 100).toFixed(0)}%`;
        })(),
        x.p50.toFixed(1),
        x.p99.toFixed(1),
      ]),
    );
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
    const line = (r: string[]) => r.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
    out.push(line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...table.map(line));
    const sqliteAsOf = results.find((x) => x.store.kind === 'sqlite')?.rows.find((x) => x.label.includes('as-of'));
    if (sqliteAsOf) {
      const ratio = sqliteAsOf.perSecond / sqliteAsOf.baseline.perSecond;
      out.push('', `target (SQLite as-of >= 50% of the raw primary-key baseline): ${(ratio * 100).toFixed(0)}%, ${ratio >= 0.5 ? 'met' : 'NOT met'}`);
    }
    process.stdout.write(out.join('\n') + '\n');
  } finally {
    for (const s of stores) {
      await s.register.close();
      if (args.drop) await s.drop();
    }
  }
}

await main();
