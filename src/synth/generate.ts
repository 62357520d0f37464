/**
 * `opencpr generate`: a synthetic population with its reference registers,
 * into a register's store. Deterministic for (seed, persons, municipalities):
 *
 * 1. the address universe (geography.ts) goes into the address register
 *    (DAR), in chunks, each an import of its own;
 * 2. the ownership register (EJF) is drawn for those house numbers by the
 *    reference synthesiser (src/reference/synth.ts) — first without person
 *    owners, to know which dwellings are person-owned;
 * 3. the persons (population.ts) go through the register's bulk loader
 *    (validated like single registrations, resumable batches), with the
 *    secondary indexes built once at the end;
 * 4. the ownership register is written with residents as the person owners
 *    (an adult living there on the acquisition date).
 *
 * The generation date and instant are kept in the store with the job, so an
 * interrupted run resumes with the same population the next day. Every step
 * records its progress in `meta`; a store with another population is refused.
 */
import { FixedClock } from '../domain/clock.ts';
import { dateOf } from '../domain/dates.ts';
import { bulkLoad } from '../register/load.ts';
import { DEFERRABLE_INDEXES } from '../storage/deferred-indexes.ts';
import type { Register } from '../register/register.ts';
import { AddressRegister } from '../reference/address-register.ts';
import { OwnershipRegister, toNdjson } from '../reference/ownership-register.ts';
import { generateOwnership, type PersonOwnerRequest, type SynthHouse } from '../reference/synth.ts';
import { dayOf } from './days.ts';
import { Dwellings, type Stay } from './dwellings.ts';
import { ALL_MUNICIPALITIES, addressCsv, buildAddresses, type AddressUniverse } from './geography.ts';
import { generatePopulation, type SynthPerson } from './population.ts';
import { SummaryCollector, type PopulationSummary } from './summary.ts';

export class GenerateError extends Error {
  constructor(
    /** Stable: generated_elsewhere, not_empty, unknown_municipality, invalid_size. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'GenerateError';
  }
}

export interface GenerateOptions {
  seed: number;
  persons: number;
  /** Municipality codes to populate (default: all 98). */
  municipalities?: readonly string[];
  /** Persons per load transaction. */
  batchSize?: number;
  /** `from`: where this run started (a resumed run skips what was loaded before). */
  onProgress?: (p: { phase: 'addresses' | 'persons' | 'indexes' | 'ownership'; done: number; total: number; from?: number }) => void;
  /** Checked between batches: the run stops after the batch in hand (resumable). */
  shouldStop?: () => boolean;
}

export interface GenerateResult {
  jobId: string;
  /** Persons loaded by this run, and before it (a resumed run). */
  loaded: number;
  skipped: number;
  stopped: boolean;
  /** True when the population was complete before this run (nothing was done). */
  alreadyComplete: boolean;
  summary: PopulationSummary | null;
  addresses: { houseNumbers: number; units: number };
  ownership: { properties: number; ownerships: number; personOwned: number; withoutPersonOwner: number } | null;
}

const META = 'synth.population';
/** House numbers per address import transaction. */
const ADDRESS_CHUNK = 20_000;

interface JobMeta {
  jobId: string;
  seed: number;
  persons: number;
  municipalities: string[] | null;
  today: string;
  now: string;
  addressesDone: number;
  ownershipDone: boolean;
  summary?: PopulationSummary;
}

export function jobIdOf(seed: number, persons: number, municipalities?: readonly string[]): string {
  return `synth:${seed}:${persons}:${municipalities?.length ? [...municipalities].sort().join('+') : 'all'}`;
}

export async function generatePopulationInto(register: Register, opts: GenerateOptions): Promise<GenerateResult> {
  if (!Number.isInteger(opts.persons) || opts.persons < 1) throw new GenerateError('invalid_size', 'The population needs at least one person.');
  const munis = opts.municipalities?.length ? [...new Set(opts.municipalities)].sort() : null;
  for (const m of munis ?? []) {
    if (!ALL_MUNICIPALITIES.includes(m)) throw new GenerateError('unknown_municipality', `${m} is not one of the 98 municipality codes (e.g. 0101 København, 0461 Odense).`);
  }
  const jobId = jobIdOf(opts.seed, opts.persons, munis ?? undefined);
  const db = register.store.db;
  const metaRow = await db.selectFrom('meta').select('value').where('key', '=', META).executeTakeFirst();
  let job: JobMeta;
  if (metaRow) {
    job = JSON.parse(metaRow.value) as JobMeta;
    if (job.jobId !== jobId) {
      throw new GenerateError(
        'generated_elsewhere',
        `${register.store.location} holds another synthetic population (${job.persons} persons, seed ${job.seed}); generate into a fresh store (another -s, or remove that one).`,
      );
    }
  } else {
    const any = await db.selectFrom('person_number').select('pnr').limit(1).executeTakeFirst();
    if (any) throw new GenerateError('not_empty', `${register.store.location} already holds persons (an earlier version's population or an import); generate into a fresh store (another -s, or remove that one).`);
    const now = register.clock.now();
    job = { jobId, seed: opts.seed, persons: opts.persons, municipalities: munis, today: dateOf(now), now: now.toISOString(), addressesDone: 0, ownershipDone: false };
    await db.insertInto('meta').values({ key: META, value: JSON.stringify(job) }).execute();
  }
  const save = () => db.updateTable('meta').set({ value: JSON.stringify(job) }).where('key', '=', META).execute();

  const universe = buildAddresses({ seed: opts.seed, persons: opts.persons, ...(munis && { municipalities: munis }) });
  const counts = { houseNumbers: universe.houses.length, units: universe.units.length };
  if (job.summary && job.ownershipDone) {
    return { jobId, loaded: 0, skipped: job.persons, stopped: false, alreadyComplete: true, summary: job.summary, addresses: counts, ownership: null };
  }
  // The reference registers are written as of the generation instant, whenever the run happens.
  const clock = new FixedClock(job.now);

  // 1. Addresses.
  const addresses = new AddressRegister(register.store, clock);
  while (job.addressesDone < universe.houses.length) {
    const part = universe.houses.slice(job.addressesDone, job.addressesDone + ADDRESS_CHUNK);
    const csv = addressCsv(universe, part);
    await addresses.importAddresses({
      houseNumbers: { text: csv.houseNumbers, file: 'synthetic house numbers' },
      unitAddresses: { text: csv.unitAddresses, file: 'synthetic unit addresses' },
      source: `${jobId} addresses ${job.addressesDone + 1}-${job.addressesDone + part.length}`,
    });
    job.addressesDone += part.length;
    await save();
    opts.onProgress?.({ phase: 'addresses', done: job.addressesDone, total: universe.houses.length });
    if (opts.shouldStop?.()) return { jobId, loaded: 0, skipped: 0, stopped: true, alreadyComplete: false, summary: null, addresses: counts, ownership: null };
  }

  // 2. Which dwellings belong to person-owned properties (their residents become the owners).
  const houses = synthHouses(universe);
  const draft = generateOwnership({ seed: opts.seed, today: job.today, houses });
  const unitIndex = new Map(universe.units.map((u, i) => [u.id, i]));
  const houseIndex = new Map(universe.houses.map((h, i) => [h.id, i]));
  const awaiting = new Set(draft.awaitingPersonOwner);
  const tracked = new Set<number>();
  for (const r of draft.records) {
    if (r.type !== 'location' || !awaiting.has(r.bfe)) continue;
    if (r.unitAddressId) tracked.add(unitIndex.get(r.unitAddressId)!);
    else for (const u of universe.houses[houseIndex.get(r.houseNumberId!)!]!.units) tracked.add(u);
  }

  // 3. Persons.
  const dwellings = new Dwellings(universe, tracked);
  const collector = new SummaryCollector(job.today);
  const stream = generatePopulation({ seed: opts.seed, persons: opts.persons, universe, dwellings, today: job.today, now: job.now });
  const counted = function* (): Generator<SynthPerson> {
    for (const p of stream) {
      collector.add(p);
      yield p;
    }
  };
  const prior = await db.selectFrom('meta').select('value').where('key', '=', `load:${jobId}`).executeTakeFirst();
  const from = prior ? Number(prior.value) : 0;
  let indexes = 0;
  const res = await bulkLoad(register, counted(), {
    jobId,
    // A population is loaded into a store of its own: its secondary indexes are built once, at the end
    // (not again when a run stopped after all persons were loaded).
    deferIndexes: from < opts.persons,
    onIndex: () => opts.onProgress?.({ phase: 'indexes', done: indexes++, total: DEFERRABLE_INDEXES.length }),
    batchSize: opts.batchSize ?? (opts.persons >= 100_000 ? 10_000 : 2000),
    ...(opts.shouldStop && { shouldStop: opts.shouldStop }),
    onProgress: (done) => opts.onProgress?.({ phase: 'persons', done, total: opts.persons, from }),
  });
  if (indexes) opts.onProgress?.({ phase: 'indexes', done: indexes, total: DEFERRABLE_INDEXES.length });
  if (res.stopped) return { jobId, loaded: res.done - res.skipped, skipped: res.skipped, stopped: true, alreadyComplete: false, summary: null, addresses: counts, ownership: null };
  const summary = collector.finish(dwellings.shared, dwellings.given);

  // 4. Ownership, with residents as person owners.
  let ownership: GenerateResult['ownership'] = null;
  if (!job.ownershipDone) {
    let personOwned = 0;
    let without = 0;
    const gen = generateOwnership({
      seed: opts.seed,
      today: job.today,
      houses,
      personOwners: (req) => {
        const owners = ownersFor(req, dwellings, unitIndex);
        if (owners) personOwned++;
        else without++;
        return owners;
      },
    });
    opts.onProgress?.({ phase: 'ownership', done: 0, total: gen.counts.properties });
    await new OwnershipRegister(register.store, clock).importOwnership({ text: toNdjson(gen.records), file: 'synthetic ownership', source: `${jobId} ownership` });
    opts.onProgress?.({ phase: 'ownership', done: gen.counts.properties, total: gen.counts.properties });
    ownership = { properties: gen.counts.properties, ownerships: gen.counts.ownerships, personOwned, withoutPersonOwner: without };
    job.ownershipDone = true;
  }
  job.summary = summary;
  await save();
  return { jobId, loaded: res.done - res.skipped, skipped: res.skipped, stopped: false, alreadyComplete: false, summary, addresses: counts, ownership };
}

export function synthHouses(universe: AddressUniverse): SynthHouse[] {
  return universe.houses.map((h) => ({ id: h.id, municipalityCode: h.municipalityCode, units: h.units.map((u) => universe.units[u]!.id) }));
}

/**
 * The person owner(s) of a property: the adults of the household living in it on the acquisition
 * date, else the household that moved in nearest after it; none if no one ever lived there.
 */
export function ownersFor(req: PersonOwnerRequest, dwellings: Dwellings, unitIndex: ReadonlyMap<string, number>): string[] | undefined {
  const day = dayOf(req.acquired);
  let best: Stay | undefined;
  for (const id of req.unitAddressIds) {
    for (const s of dwellings.stays.get(unitIndex.get(id)!) ?? []) {
      if (s.adults.length === 0) continue;
      if (s.from <= day && day < s.to) return s.adults;
      if (s.from > day && (!best || s.from < best.from)) best = s;
    }
  }
  return best?.adults;
}
