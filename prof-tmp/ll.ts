// In-process: search time split into the reads and the audit record's wait.
import { systemClock } from '../src/domain/clock.ts';
import { Register } from '../src/register/register.ts';
import { openStore } from '../src/storage/store.ts';
import { buildApp } from '../src/api/app.ts';
import { LandlordCustomers } from '../src/services/landlord/customers.ts';
import { LandlordService } from '../src/services/landlord/search.ts';
import { SYNTHETIC_COMPANIES } from '../src/reference/synth.ts';
const register = new Register(await openStore('/tmp/opencpr-bench-generated-1000000.db'), systemClock);
const { ctx } = await buildApp(register, systemClock, { logger: false });
const id = `prof-${process.pid}`;
await ctx.access.createCustomer({ id, name: 'P', kind: 'landlord', ratePerMinute: 1_000_000 });
const u = await ctx.access.addPrincipal(id, { kind: 'program', name: 'p', roles: ['landlord'] });
const key = (await ctx.access.issueCredential(u.id, 'api_key')).apiKey!;
const customers = new LandlordCustomers(register.store, ctx.access, systemClock);
await customers.registerLandlord(id, { kind: 'social_housing' }, 'p');
for (const c of SYNTHETIC_COMPANIES) await customers.addOwnerNumber(id, c.cvr, 'p');
const rows = await register.store.db.selectFrom('ejf_beliggenhed as l').innerJoin('ejf_ejerskab as o', 'o.bfe_number', 'l.bfe_number').select(['l.husnummer_id', 'o.owner_number'])
  .where('l.adresse_id', '=', '').where('l.registrering_til', 'is', null).where('o.registrering_til', 'is', null).where('o.virkning_til', 'is', null)
  .where('o.owner_number', 'in', SYNTHETIC_COMPANIES.map((c) => c.cvr))
  .where((eb) => eb(eb.selectFrom('dar_adresse as a').select((x) => x.fn.countAll().as('n')).whereRef('a.husnummer_id', '=', 'l.husnummer_id'), '>=', 3))
  .orderBy('l.husnummer_id').limit(50).execute();
const sw = rows.map((r) => ({ ownerNumber: r.owner_number, houseNumberId: r.husnummer_id }));
const audit = ctx.audit as any; // eslint-disable-line
const orig = audit.record.bind(audit);
let auditMs = 0;
audit.record = async (e: unknown) => { const t = performance.now(); const r = await orig(e); auditMs = performance.now() - t; return r; };
const service = new LandlordService(register, customers, ctx.audit, systemClock);
const caller = await ctx.access.authenticateApiKey(key, '127.0.0.1');
const N = Number(process.argv[2] ?? 3000);
for (let round = 0; round < 2; round++) {
  const tot: number[] = [], aud: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    const s = sw[i % sw.length]!;
    const t = performance.now();
    await service.search(caller, { ...s, address: { houseNumberId: s.houseNumberId } });
    tot.push(performance.now() - t); aud.push(auditMs);
  }
  const cpu = process.cpuUsage(cpu0);
  const q = (a: number[], p: number) => [...a].sort((x, y) => x - y)[Math.floor(p * a.length)]!.toFixed(2);
  console.log(`round ${round}: total p50 ${q(tot, .5)} p99 ${q(tot, .99)} | audit p50 ${q(aud, .5)} p99 ${q(aud, .99)} | reads p50 ${q(tot.map((x, i) => x - aud[i]!), .5)} p99 ${q(tot.map((x, i) => x - aud[i]!), .99)} | cpu/search ${((cpu.user + cpu.system) / N).toFixed(0)} µs (sys ${(cpu.system / N).toFixed(0)})`);
}
await register.close();
process.exit(0);
