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

// The baseline: Fastify answering a JSON body of the same size, with no store, no audit.
const bare = Fastify({ logger: false });
let body: unknown = { ok: true };
bare.get('/bare/:pnr', async () => body);
await bare.listen({ port: 0, host: '127.0.0.1' });

process.on('message', (m: { body?: unknown }) => {
  if (m.body) body = m.body;
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
