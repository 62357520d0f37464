/**
 * The server side of bench/http.ts, run in its own process so the load
 * generator does not share its event loop: the real API over a loaded store,
 * and a bare Fastify JSON endpoint as the baseline, on two ports.
 * Prints one JSON line {api, bare, key} when ready.
 */
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/api/app.ts';
import { systemClock } from '../src/domain/clock.ts';
import { Register } from '../src/register/register.ts';
import { openStore } from '../src/storage/store.ts';

const location = process.argv[2];
if (!location) throw new Error('usage: http-server.ts <store>');
const register = new Register(await openStore(location), systemClock);
const { app, ctx } = await buildApp(register, systemClock, { logger: false });
const id = `bench-${process.pid}`;
await ctx.access.createCustomer({ id, name: 'Benchmark', kind: 'public_authority', legalBases: ['§32'], scope: ['all'], ratePerMinute: 1_000_000 });
const user = await ctx.access.addPrincipal(id, { kind: 'program', name: 'bench', roles: ['lookup', 'bulk'] });
const { apiKey } = await ctx.access.issueCredential(user.id, 'api_key');
await app.listen({ port: 0, host: '127.0.0.1' });

// The company enquiries' address directory catches up with the log in the
// background after start; measure only once it has (a fresh 1M store has a long log).
const last = await register.store.db.selectFrom('registration').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst();
for (;;) {
  const cursor = await register.store.db.selectFrom('meta').select('value').where('key', '=', 'company.address_directory.seq').executeTakeFirst();
  if (Number(cursor?.value ?? 0) >= Number(last?.m ?? 0)) break;
  process.stderr.write(`\r  address directory catching up: ${cursor?.value ?? 0} / ${last?.m}   `);
  await new Promise((r) => setTimeout(r, 2000));
}

// The baseline: Fastify answering a JSON body of the same size, with no store, no audit.
const bare = Fastify({ logger: false });
let body: unknown = { ok: true };
bare.get('/bare/:pnr', async () => body);
await bare.listen({ port: 0, host: '127.0.0.1' });

process.on('message', (m: { body?: unknown; cpu?: true }) => {
  if (m.body) body = m.body;
  // The server's CPU time so far (µs), so the parent can say what a request costs the server.
  if (m.cpu) process.send!({ cpu: process.cpuUsage() });
});
process.stdout.write(
  JSON.stringify({
    api: (app.server.address() as AddressInfo).port,
    bare: (bare.server.address() as AddressInfo).port,
    key: apiKey,
  }) + '\n',
);
process.on('SIGTERM', async () => {
  await app.close();
  await bare.close();
  await register.close();
  process.exit(0);
});
