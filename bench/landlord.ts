/**
 * The landlord service's stairwell search (issue 5): p50/p99 latency over
 * HTTP with the audit record written before the answer, beside a bare
 * audited person lookup (GET /api/v1/persons/{pnr}) and the same search
 * called in-process without HTTP, all in the same run. Requests are made
 * one at a time (latency, not throughput) over a keep-alive connection to
 * the real API on loopback, by a client in a process of its own
 * (bench/latency-client.ts). Target: p99 < 5 ms at 1M persons.
 *
 *   npx tsx bench/landlord.ts --persons 1000000 --requests 2000
 *   npx tsx bench/landlord.ts --persons 20000 --requests 500       # a quick try
 *
 * The population is the stand-in generator's, loaded once and reused (the
 * same job id as bench/http.ts, so a store loaded by it can be given with
 * --store). With --population generated, the population of `opencpr generate`
 * (families at realistic density over DAR units, with its ownership register)
 * is used instead. The stand-in's persons live at the 2,802 unit addresses of the bundled
 * DAWA sample, so the residents per stairwell grow with the population
 * size: the output prints the persons per answer beside the times.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { ClientJob, ClientRequest, ClientResult } from './latency-client.ts';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/api/app.ts';
import { systemClock } from '../src/domain/clock.ts';
import { dateOf } from '../src/domain/dates.ts';
import { bulkLoad } from '../src/register/load.ts';
import { Register } from '../src/register/register.ts';
import { AddressRegister, sampleAddressFiles } from '../src/reference/address-register.ts';
import { OwnershipRegister } from '../src/reference/ownership-register.ts';
import { SYNTHETIC_COMPANIES } from '../src/reference/synth.ts';
import { LandlordCustomers } from '../src/services/landlord/customers.ts';
import { LandlordService } from '../src/services/landlord/search.ts';
import { openStore } from '../src/storage/store.ts';
import { standinPopulation } from '../src/synth/standin.ts';
import { generatePopulationInto } from '../src/synth/generate.ts';

const { values } = parseArgs({
  options: {
    persons: { type: 'string', default: '1000000' },
    requests: { type: 'string', default: '2000' },
    /** Requests made and not measured before each measurement. */
    warmup: { type: 'string', default: '1000' },
    stairwells: { type: 'string', default: '50' },
    store: { type: 'string' },
    /** The load job's id, to reuse a store loaded by bench/lookups.ts (bench-standin:1:N). */
    job: { type: 'string' },
    /** standin (the default: everyone at the 2,802 sample units) or generated (opencpr generate: realistic density). */
    population: { type: 'string', default: 'standin' },
  },
});
const persons = Number(values.persons);
const requests = Number(values.requests);
const warmup = Number(values.warmup);
const location = values.store ?? join(process.env.TMPDIR ?? '/tmp', values.population === 'generated' ? `opencpr-bench-generated-${persons}.db` : `opencpr-bench-http-${persons}.db`);

// 1. The population and the reference registers (each only once per store).
const register = new Register(await openStore(location), systemClock);
const jobId = values.job ?? `standin:1:${persons}`;
if (values.population === 'generated') {
  // Families at DAR units with realistic residents per dwelling, and the ownership register (opencpr generate).
  const t = Date.now();
  const res = await generatePopulationInto(register, {
    seed: 1,
    persons,
    onProgress: (p) => process.stderr.write(`\r  ${p.phase} ${p.done.toLocaleString('en')} / ${p.total.toLocaleString('en')}   `),
  });
  process.stderr.write(res.alreadyComplete ? `  population of ${persons} reused from ${location}\n` : `\n  generated in ${((Date.now() - t) / 1000).toFixed(0)} s\n`);
} else {
  const progress = await register.store.db.selectFrom('meta').select('value').where('key', '=', `load:${jobId}`).executeTakeFirst();
  if (Number(progress?.value ?? 0) >= persons) process.stderr.write(`  population of ${persons} reused from ${location}\n`);
  else {
    const t = Date.now();
    await bulkLoad(register, standinPopulation({ persons, seed: 1, today: dateOf(new Date()) }), {
      jobId,
      batchSize: persons >= 100_000 ? 10_000 : 1000,
      onProgress: (done) => process.stderr.write(`\r  loading ${done.toLocaleString('en')} / ${persons.toLocaleString('en')}`),
    });
    process.stderr.write(`\n  loaded in ${((Date.now() - t) / 1000).toFixed(0)} s\n`);
  }
}
const addresses = new AddressRegister(register.store, systemClock);
if ((await addresses.stats()).houseNumbers === 0) await addresses.importAddresses(sampleAddressFiles());
const ownership = new OwnershipRegister(register.store, systemClock);
if ((await ownership.stats()).properties === 0) await ownership.generate({ seed: 1 });

// 2. The API in this process, a landlord customer owning every synthetic company's number, and an authority for the baseline.
const { app, ctx } = await buildApp(register, systemClock, { logger: false });
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
// The company enquiries' address directory catches up with the log in the background after start (on
// this event loop); measure only once it has (as bench/http-server.ts does).
const last = await register.store.db.selectFrom('registration').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst();
for (;;) {
  const cursor = await register.store.db.selectFrom('meta').select('value').where('key', '=', 'company.address_directory.seq').executeTakeFirst();
  if (Number(cursor?.value ?? 0) >= Number(last?.m ?? 0)) break;
  process.stderr.write(`\r  address directory catching up: ${cursor?.value ?? 0} / ${last?.m}   `);
  await new Promise((r) => setTimeout(r, 2000));
}
const id = `bench-${process.pid}`;
await ctx.access.createCustomer({ id, name: 'Benchmark Boligselskab', kind: 'landlord', ratePerMinute: 1_000_000 });
const landlordUser = await ctx.access.addPrincipal(id, { kind: 'program', name: 'bench', roles: ['landlord'] });
const landlordKey = (await ctx.access.issueCredential(landlordUser.id, 'api_key')).apiKey!;
const customers = new LandlordCustomers(register.store, ctx.access, systemClock);
await customers.registerLandlord(id, { kind: 'social_housing' }, 'bench');
const owners = SYNTHETIC_COMPANIES.map((c) => c.cvr);
for (const cvr of owners) await customers.addOwnerNumber(id, cvr, 'bench');
await ctx.access.createCustomer({ id: `${id}-k`, name: 'Benchmark Kommune', kind: 'public_authority', legalBases: ['§32'], scope: ['all'], ratePerMinute: 1_000_000 });
const authority = await ctx.access.addPrincipal(`${id}-k`, { kind: 'program', name: 'bench', roles: ['lookup'] });
const authorityKey = (await ctx.access.issueCredential(authority.id, 'api_key')).apiKey!;

// Stairwells: house numbers with 3+ units owned whole by one of the companies (what a landlord searches).
const stairwells = (
  await register.store.db
    .selectFrom('ejf_beliggenhed as l')
    .innerJoin('ejf_ejerskab as o', 'o.bfe_number', 'l.bfe_number')
    .select(['l.husnummer_id', 'o.owner_number'])
    .where('l.adresse_id', '=', '')
    .where('l.registrering_til', 'is', null)
    .where('o.registrering_til', 'is', null)
    .where('o.virkning_til', 'is', null)
    .where('o.owner_number', 'in', owners)
    .where((eb) => eb(eb.selectFrom('dar_adresse as a').select((x) => x.fn.countAll().as('n')).whereRef('a.husnummer_id', '=', 'l.husnummer_id'), '>=', 3))
    .orderBy('l.husnummer_id')
    .limit(Number(values.stairwells))
    .execute()
).map((r) => ({ ownerNumber: r.owner_number, houseNumberId: r.husnummer_id }));
if (stairwells.length === 0) throw new Error('no stairwell owned by a synthetic company');
const pnrs = (await register.store.db.selectFrom('person_current').select('pnr').limit(50_000).execute()).map((r) => r.pnr);

// 3. Measurements.
const stats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: s[s.length - 1]!, mean: s.reduce((a, b) => a + b, 0) / s.length };
};
type Stats = ReturnType<typeof stats> & { rows: number };
const report = (title: string, times: number[], rows: number): Stats => {
  const s = { ...stats(times), rows };
  const ms = (x: number) => x.toFixed(2).padStart(6);
  console.log(`${title.padEnd(46)} p50 ${ms(s.p50)}  p90 ${ms(s.p90)}  p99 ${ms(s.p99)}  max ${ms(s.max)}  mean ${ms(s.mean)} ms  ${s.rows.toFixed(1).padStart(5)} persons/answer`);
  return s;
};
/** In this process: `warmup` untimed calls, then n timed ones. */
async function measure(title: string, n: number, one: (i: number) => Promise<number>): Promise<Stats> {
  // Warm-up: the first seconds after the server starts (compilation, the background jobs' first runs,
  // store pages read back in) are not its steady state, and would set the p99 of the first measurement.
  for (let i = 0; i < Math.min(warmup, n); i++) await one(i);
  const times: number[] = [];
  let rows = 0;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    rows += await one(i);
    times.push(performance.now() - t);
  }
  // This process's CPU (all threads, the audit writer's included) per request: what a request costs, whatever the disk waits.
  const cpu = process.cpuUsage(cpu0);
  console.log(`  ${title}: process CPU ${Math.round((cpu.user + cpu.system) / n)} µs/request`);
  return report(title, times, rows / n);
}
// Over HTTP: the client is another process, as a real client is (bench/latency-client.ts).
const client = fork(join(import.meta.dirname, 'latency-client.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
async function measureHttp(title: string, n: number, list: ClientRequest[]): Promise<Stats> {
  const job: ClientJob = { base, warmup: Math.min(warmup, n), n, requests: list };
  const answer = new Promise<ClientResult>((resolve) => client.once('message', (m: ClientResult) => resolve(m)));
  client.send(job);
  const r = await answer;
  if (r.error) throw new Error(r.error);
  return report(title, r.times, r.rows);
}
const service = new LandlordService(ctx.readers, customers, systemClock);
const caller = await ctx.access.authenticateApiKey(landlordKey, '127.0.0.1');

const st = await register.store.db.selectFrom('residence').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
const units = await register.store.db.selectFrom('dar_adresse').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
console.log(
  `\nnode ${process.version}, ${cpus()[0]?.model} x${cpus().length}, load ${loadavg()[0]!.toFixed(1)}; ${persons.toLocaleString('en')} persons on ${register.store.dialect} ` +
    `(${Number(st?.n).toLocaleString('en')} residence periods at ${Number(units?.n).toLocaleString('en')} unit addresses, ${values.population} population); ${stairwells.length} stairwells; ${requests} requests each, one at a time\n`,
);
const lookups: ClientRequest[] = Array.from({ length: Math.min(requests, pnrs.length) }, (_, i) => ({ method: 'GET', path: `/api/v1/persons/${pnrs[(i * 7919) % pnrs.length]}`, key: authorityKey }));
const searches: ClientRequest[] = stairwells.map((s) => ({ method: 'POST', path: '/api/v1/landlord/search', key: landlordKey, body: JSON.stringify(s) }));
const bare = await measureHttp('bare: audited GET /api/v1/persons/{pnr}', requests, lookups);
const http = await measureHttp('stairwell search over HTTP, audited', requests, searches);
await measure('stairwell search in-process (no HTTP), audited', requests, async (i) => (await service.search(caller, { ...stairwells[i % stairwells.length]!, address: { houseNumberId: stairwells[i % stairwells.length]!.houseNumberId } })).residents.length);
console.log(`\nratio stairwell/bare: p50 ${(http.p50 / bare.p50).toFixed(2)}, p99 ${(http.p99 / bare.p99).toFixed(2)}   (target: stairwell p99 < 5 ms at 1M persons)   load at end ${loadavg()[0]!.toFixed(1)}`);
client.send('exit');
await app.close();
await register.close();
