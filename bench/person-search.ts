/**
 * Person search by name (issue 7): loads a stand-in population into a fresh
 * SQLite store and measures, for names of persons in it,
 *   - the baseline: a current point lookup Register.person(pnr) (the person page);
 *   - a search by name and birth date (the person-number range of the date);
 *   - a search by name only (a scan of person_current narrowed by LIKE);
 * each through PersonSearch.search (disclosure and the audit record included),
 * and prints ms per search and the ratio to the baseline of the same run.
 * See docs/benchmarks.md.
 *
 *   node --import tsx bench/person-search.ts --persons 100000 --searches 50
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AuditLog } from '../src/access/audit.ts';
import type { Caller } from '../src/access/customers.ts';
import { FixedClock } from '../src/domain/clock.ts';
import { bulkLoad } from '../src/register/load.ts';
import { Register } from '../src/register/register.ts';
import { PersonSearch } from '../src/services/person-search.ts';
import { openStore } from '../src/storage/store.ts';
import { prng } from '../src/synth/random.ts';
import { standinPopulation } from '../src/synth/standin.ts';
import { Readers } from '../src/services/reader.ts';

const { values: args } = parseArgs({ options: { persons: { type: 'string', default: '100000' }, searches: { type: 'string', default: '50' } } });
const persons = Number(args.persons);
const searches = Number(args.searches);
const today = '2026-06-01';

const dir = mkdtempSync(join(os.tmpdir(), 'opencpr-bench-search-'));
const clock = new FixedClock(`${today}T10:00:00Z`);
const register = new Register(await openStore(join(dir, 'register.db')), clock);
try {
  const t0 = performance.now();
  await bulkLoad(register, standinPopulation({ persons, seed: 1, today }), { jobId: 'bench-search', batchSize: 10_000 });
  process.stdout.write(`loaded ${persons} persons in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

  const audit = new AuditLog(register.store, clock);
  const search = new PersonSearch(new Readers(register, audit));
  const caller: Caller = {
    customer: { id: 'bench', name: 'Bench Kommune', kind: 'public_authority', number: '0461', legalBases: ['§32'], scope: ['all'], allowList: [], ratePerMinute: 1e6, validFrom: '2000-01-01', validTo: null },
    principal: { id: 'bench-user', customerId: 'bench', kind: 'user', name: 'Bench', roles: ['register'], pnr: null, validFrom: '2000-01-01', validTo: null },
  };

  // Persons to look for: a random sample of those loaded, with their current name and birth date.
  const rows = await register.store.db.selectFrom('person_current').select(['pnr', 'state']).execute();
  const rnd = prng(7);
  const sample = Array.from({ length: searches }, () => {
    const r = rows[Math.floor(rnd() * rows.length)]!;
    const s = JSON.parse(r.state) as { name?: { value: { firstNames: string[]; lastName: string } }; birth?: { value: { birthDate: string } } };
    return { pnr: r.pnr, name: `${s.name?.value.firstNames[0] ?? ''} ${s.name?.value.lastName ?? ''}`.trim(), birthDate: s.birth?.value.birthDate };
  }).filter((x) => x.name && x.birthDate);

  const time = async (label: string, f: (x: (typeof sample)[number]) => Promise<number>) => {
    let found = 0;
    const start = performance.now();
    for (const x of sample) found += await f(x);
    const ms = (performance.now() - start) / sample.length;
    return { label, ms, found: found / sample.length };
  };
  const base = await time('point lookup Register.person(pnr) (baseline)', async (x) => ((await register.person(x.pnr)) ? 1 : 0));
  const withDate = await time('search: name + birth date', async (x) => (await search.search(caller, { name: x.name, birthDate: x.birthDate! })).candidates.length);
  const nameOnly = await time('search: name only', async (x) => (await search.search(caller, { name: x.name })).candidates.length);
  process.stdout.write(`${sample.length} searches, SQLite, ${persons} persons\n`);
  for (const r of [base, withDate, nameOnly]) {
    process.stdout.write(`${r.label.padEnd(48)} ${r.ms.toFixed(2).padStart(9)} ms/op   ×${(r.ms / base.ms).toFixed(1).padStart(7)} baseline   ${r.found.toFixed(1)} candidates/search\n`);
  }
} finally {
  await register.close();
  rmSync(dir, { recursive: true, force: true });
}
