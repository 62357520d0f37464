/**
 * Audited single lookups over HTTP (issue: disclosure API benchmark):
 * requests/s with 50 connections against a bare Fastify JSON endpoint
 * measured in the same run, p99 latency, and the time of a 1,000-number bulk
 * lookup. The server runs in a child process; the population is loaded first
 * (or reused when the store already holds it).
 *
 *   npx tsx bench/http.ts --persons 1000000 --seconds 15
 *   npx tsx bench/http.ts --persons 20000 --seconds 3        # a quick try
 *   npx tsx bench/http.ts ... --server-args="--cpu-prof --cpu-prof-dir=prof"   # profile the server
 *
 * Beside req/s it prints the server process's CPU time per request (user +
 * system, from process.cpuUsage), which a busy shared machine distorts less
 * than throughput.
 */
import { fork } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { systemClock } from '../src/domain/clock.ts';
import { dateOf } from '../src/domain/dates.ts';
import { bulkLoad } from '../src/register/load.ts';
import { Register } from '../src/register/register.ts';
import { openStore } from '../src/storage/store.ts';
import { standinPopulation } from '../src/synth/standin.ts';
import { warmFile } from './warm.ts';

const { values } = parseArgs({
  options: {
    persons: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '15' },
    connections: { type: 'string', default: '50' },
    store: { type: 'string' },
    /** The load job's id, to reuse a store loaded by bench/lookups.ts (bench-standin:1:N). */
    job: { type: 'string' },
    /** Extra node options for the server process (e.g. --cpu-prof). */
    'server-args': { type: 'string', default: '' },
    /** bare and audited take turns in this many slices of seconds/rounds each. */
    rounds: { type: 'string', default: '3' },
  },
});
const persons = Number(values.persons);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const rounds = Math.max(1, Math.floor(Number(values.rounds)));
const location = values.store ?? join(process.env.TMPDIR ?? '/tmp', `opencpr-bench-http-${persons}.db`);

// 1. The population (resumable: the same job id continues an interrupted load).
const register = new Register(await openStore(location), systemClock);
const started = Date.now();
const jobId = values.job ?? `standin:1:${persons}`;
const progress = await register.store.db.selectFrom('meta').select('value').where('key', '=', `load:${jobId}`).executeTakeFirst();
if (Number(progress?.value ?? 0) >= persons) {
  process.stderr.write(`  population of ${persons} reused from ${location}\n`);
} else {
  await bulkLoad(register, standinPopulation({ persons, seed: 1, today: dateOf(new Date()) }), {
    jobId,
    batchSize: 10_000,
    onProgress: (done) => process.stderr.write(`\r  loading ${done.toLocaleString('en')} / ${persons.toLocaleString('en')}`),
  });
  process.stderr.write(`\n  loaded in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}
const pnrs = (await register.store.db.selectFrom('person_current').select('pnr').execute()).map((r) => r.pnr);
await register.close();

// 2. The server in its own process.
const serverArgs = values['server-args'].split(' ').filter(Boolean);
const child = fork(join(import.meta.dirname, 'http-server.ts'), [location], { execArgv: ['--import', 'tsx', ...serverArgs], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
const serverCpu = () =>
  new Promise<number>((resolve) => {
    const on = (m: { cpu?: NodeJS.CpuUsage }) => {
      if (!m.cpu) return;
      child.off('message', on);
      resolve(m.cpu.user + m.cpu.system);
    };
    child.on('message', on);
    child.send({ cpu: true });
  });
const ports = await new Promise<{ api: number; bare: number; key: string }>((resolve, reject) => {
  child.stdout!.once('data', (b: Buffer) => resolve(JSON.parse(b.toString())));
  child.once('exit', (c) => reject(new Error(`server exited ${c}`)));
});
// The store's pages start in the file cache, as in the lookup benchmark (bench/warm.ts).
await warmFile(location, (s) => process.stderr.write(s));
const auth = { authorization: `Bearer ${ports.key}` };
let seed = 12345;
const pick = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return pnrs[seed % pnrs.length]!;
};

// The baseline answers a body of the same size as a real answer.
const sample = await (await fetch(`http://127.0.0.1:${ports.api}/api/v1/persons/${pick()}`, { headers: auth })).json();
child.send({ body: sample });

async function run(title: string, url: string, path: (pnr: string) => string, headers: Record<string, string> = {}) {
  const cpu0 = await serverCpu();
  const r = await autocannon({
    url,
    connections,
    duration: seconds / rounds,
    headers,
    // autocannon types its request loosely; only the path changes per request.
    requests: [{ setupRequest: (req) => Object.assign(req, { path: path(pick()) }) }],
  });
  const cpuPerRequest = ((await serverCpu()) - cpu0) / r.requests.total;
  const non2xx = r.non2xx + r.errors;
  if (non2xx) throw new Error(`${title}: ${non2xx} errors or non-2xx answers`);
  return { title, perSecond: r.requests.total / (seconds / rounds), p50: r.latency.p50, p99: r.latency.p99, total: r.requests.total, cpuPerRequest };
}

console.log(`\nnode ${process.version}, ${cpus()[0]?.model} x${cpus().length}; ${persons.toLocaleString('en')} persons on SQLite; ${connections} connections, ${seconds} s each in ${rounds} interleaved rounds`);
console.log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
// The two take turns, so that a change in the machine's load hits both alike.
const slices: Array<{ bare: Awaited<ReturnType<typeof run>>; api: Awaited<ReturnType<typeof run>> }> = [];
for (let i = 0; i < rounds; i++) {
  const bare = await run('bare Fastify JSON (baseline)', `http://127.0.0.1:${ports.bare}`, (p) => `/bare/${p}`);
  const api = await run('audited lookup GET /persons/{pnr}', `http://127.0.0.1:${ports.api}`, (p) => `/api/v1/persons/${p}`, auth);
  console.log(
    `round ${i + 1}: bare ${Math.round(bare.perSecond).toLocaleString('en')} req/s (p50 ${bare.p50} ms, p99 ${bare.p99} ms, ${bare.cpuPerRequest.toFixed(0)} µs CPU), ` +
      `audited ${Math.round(api.perSecond).toLocaleString('en')} req/s (p50 ${api.p50} ms, p99 ${api.p99} ms, ${api.cpuPerRequest.toFixed(0)} µs CPU), ratio ${(api.perSecond / bare.perSecond).toFixed(2)}`,
  );
  slices.push({ bare, api });
}
const sum = (k: 'bare' | 'api') => {
  const total = slices.reduce((n, s) => n + s[k].total, 0);
  return {
    perSecond: total / seconds,
    cpu: slices.reduce((n, s) => n + s[k].cpuPerRequest * s[k].total, 0) / total,
    p99: Math.max(...slices.map((s) => s[k].p99)),
    p50: slices.map((s) => s[k].p50).sort((a, b) => a - b)[slices.length >> 1]!,
  };
};
const bare = sum('bare');
const api = sum('api');
console.log('');
for (const [title, x] of [['bare Fastify JSON (baseline)', bare], ['audited lookup GET /persons/{pnr}', api]] as const) {
  console.log(`${title.padEnd(34)} ${Math.round(x.perSecond).toLocaleString('en').padStart(8)} req/s   p50 ${x.p50} ms (median of rounds)   p99 ${x.p99} ms (worst round)   server CPU ${x.cpu.toFixed(0)} µs/request`);
}
console.log(`\nratio audited/bare: ${(api.perSecond / bare.perSecond).toFixed(2)}   (target ≥ 0.5; p99 target < 10 ms)`);
console.log(`server CPU per request, bare/audited: ${(bare.cpu / api.cpu).toFixed(2)}`);
console.log(`load average at end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

// 3. Bulk: 1,000 numbers in one call.
const times: number[] = [];
for (let i = 0; i < 10; i++) {
  const body = JSON.stringify({ pnrs: Array.from({ length: 1000 }, pick) });
  const t = performance.now();
  const r = await fetch(`http://127.0.0.1:${ports.api}/api/v1/persons/bulk`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body });
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`bulk answered ${r.status}`);
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
console.log(`bulk lookup of 1,000 numbers: median ${times[5]!.toFixed(0)} ms, max ${times[9]!.toFixed(0)} ms   (target < 100 ms)`);
child.kill('SIGTERM');
