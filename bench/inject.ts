/**
 * The audited point lookup's server CPU per request, in process: GET
 * /api/v1/persons/{pnr} through Fastify's inject (no sockets, so no writev
 * and no client in the measurement), 50 in flight, 3 × 10,000 requests after
 * 3,000 to warm up, process CPU (user + system, all threads) per request.
 * For before/after figures give the root of another checkout of the project,
 * and run the two alternately (docs/benchmarks.md):
 *
 *   npx tsx bench/inject.ts <store loaded by bench/http.ts> [project root]
 */
const store = process.argv[2];
const root = process.argv[3] ?? new URL('..', import.meta.url).pathname.replace(/\/$/, '');
if (!store) throw new Error('usage: bench/inject.ts <store> [project root]');
const { buildApp } = await import(`${root}/src/api/app.ts`);
const { systemClock } = await import(`${root}/src/domain/clock.ts`);
const { Register } = await import(`${root}/src/register/register.ts`);
const { openStore } = await import(`${root}/src/storage/store.ts`);
const register = new Register(await openStore(store), systemClock);
const { app, ctx } = await buildApp(register, systemClock, { logger: false });
const id = `inj-${process.pid}`;
await ctx.access.createCustomer({ id, name: 'Bench', kind: 'public_authority', legalBases: ['§32'], scope: ['all'], ratePerMinute: 1_000_000 });
const user = await ctx.access.addPrincipal(id, { kind: 'program', name: 'bench', roles: ['lookup'] });
const { apiKey } = await ctx.access.issueCredential(user.id, 'api_key');
const pnrs = (await register.store.db.selectFrom('person_current').select('pnr').limit(5000).execute()).map((r: { pnr: string }) => r.pnr);
await app.ready();
const one = (i: number) => app.inject({ method: 'GET', url: `/api/v1/persons/${pnrs[i % pnrs.length]}`, headers: { authorization: `Bearer ${apiKey}` } });
// 50 in flight, as the HTTP bench.
async function run(n: number) {
  let i = 0;
  await Promise.all(Array.from({ length: 50 }, async () => { while (i < n) { const r = await one(i++); if (r.statusCode !== 200) throw new Error(String(r.statusCode) + r.body); } }));
}
await run(3000);
const out: number[] = [];
for (let k = 0; k < 3; k++) {
  const c0 = process.cpuUsage();
  const N = 10000;
  await run(N);
  const c = process.cpuUsage(c0);
  out.push((c.user + c.system) / N);
}
console.log(JSON.stringify({ root, cpuUsPerRequest: out.map((x) => Math.round(x)) }));
await app.close();
await register.close();
process.exit(0);
