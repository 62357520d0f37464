/**
 * Bulk load of persons with their registration history (imports and
 * synthetic populations). Each batch is one transaction that also records how
 * far the job got, so an interrupted load leaves a consistent store and
 * resumes where it stopped.
 */
import { sql } from 'kysely';
import { checkPnr, type Sex } from '../domain/pnr/pnr.ts';
import { dateOf, type Instant } from '../domain/dates.ts';
import type { DB } from '../storage/schema.ts';
import type { Transaction } from 'kysely';
import { applyChanges, type Registration, type Version } from './bitemporal.ts';
import { projectionRows, type Register } from './register.ts';
import { RegistrationError, validateChanges, type NewRegistration } from './validate.ts';

export interface PersonLoad {
  pnr: string;
  /** 'allocated' when the number was made for this register (synthetic), else 'imported'. */
  source: 'allocated' | 'imported';
  registrations: Array<Omit<NewRegistration, 'pnr' | 'annuls'> & { registeredAt: Instant }>;
}

export interface LoadOptions {
  /** Names the job; a job that was interrupted resumes after its last committed batch. */
  jobId: string;
  batchSize?: number;
  onProgress?: (done: number) => void;
  /** Checked between batches: when it says stop, the load ends after the batch in hand. */
  shouldStop?: () => boolean;
}

export interface LoadResult {
  done: number;
  skipped: number;
  stopped: boolean;
}

/** Rows per INSERT statement; keeps SQLite under its bound-parameter limit. */
const CHUNK = 500;

export async function bulkLoad(register: Register, persons: Iterable<PersonLoad>, opts: LoadOptions): Promise<LoadResult> {
  const { db, dialect } = register.store;
  const batchSize = opts.batchSize ?? 5000;
  const key = `load:${opts.jobId}`;
  const prior = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
  const skipped = prior ? Number(prior.value) : 0;
  const today = dateOf(register.clock.now());
  const noMod11 = await register.noMod11Dates();
  let done = skipped;
  let index = 0;
  let batch: PersonLoad[] = [];

  const flush = async () => {
    const persons = batch;
    batch = [];
    const count = persons.reduce((n, p) => n + p.registrations.length, 0);
    await db.transaction().execute(async (tx) => {
      const seqs = await reserveSeqs(tx, dialect, count);
      let next = 0;
      const numbers = [];
      const regs = [];
      const histories = [];
      const currents = [];
      const residences = [];
      for (const p of persons) {
        const check = checkPnr(p.pnr, noMod11);
        if (check.kind !== 'valid') throw new RegistrationError(`pnr_${check.kind}`, `${p.pnr}: ${check.message}`);
        numbers.push({
          pnr: check.pnr,
          birth_date: check.birthDate,
          sex: check.sex as Sex,
          rule: check.rule,
          source: p.source,
          created_at: p.registrations[0]?.registeredAt ?? new Date(0).toISOString(),
        });
        let versions: Version[] = [];
        let last: Registration | undefined;
        for (const r of p.registrations) {
          const changes = validateChanges(r.changes);
          last = {
            seq: seqs[next++]!,
            pnr: check.pnr,
            registeredAt: r.registeredAt,
            authority: r.authority,
            eventCode: r.eventCode,
            documentation: r.documentation ?? null,
            late: !!r.late,
            annuls: null,
            changes,
          };
          versions = applyChanges(versions, changes, r.registeredAt, last.seq);
          regs.push({
            seq: last.seq,
            pnr: last.pnr,
            registered_at: last.registeredAt,
            authority: last.authority,
            event_code: last.eventCode,
            documentation: last.documentation,
            late: last.late ? 1 : 0,
            annuls: null,
            changes: JSON.stringify(changes),
          });
        }
        if (!last) continue;
        const rows = projectionRows(check.pnr, versions, today, last);
        histories.push(rows.history);
        currents.push(rows.current);
        residences.push(...rows.residence);
      }
      for (const c of chunks(numbers)) await tx.insertInto('person_number').values(c).execute();
      for (const c of chunks(regs)) await tx.insertInto('registration').values(c).execute();
      for (const c of chunks(histories)) await tx.insertInto('person_history').values(c).execute();
      for (const c of chunks(currents)) await tx.insertInto('person_current').values(c).execute();
      for (const c of chunks(residences)) await tx.insertInto('residence').values(c).execute();
      done += persons.length;
      await tx
        .insertInto('meta')
        .values({ key, value: String(done) })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(done) }))
        .execute();
    });
    opts.onProgress?.(done);
  };

  for (const p of persons) {
    if (index++ < skipped) continue;
    batch.push(p);
    if (batch.length >= batchSize) {
      await flush();
      if (opts.shouldStop?.()) return { done, skipped, stopped: true };
    }
  }
  if (batch.length) await flush();
  return { done, skipped, stopped: false };
}

/** `n` sequence numbers of the log, in increasing order, taken inside the batch's transaction. */
async function reserveSeqs(tx: Transaction<DB>, dialect: 'sqlite' | 'postgres', n: number): Promise<number[]> {
  if (dialect === 'sqlite') {
    // One writer: the maximum cannot move under us.
    const r = await sql<{ m: number | null }>`select max(seq) as m from registration`.execute(tx);
    const first = Number(r.rows[0]?.m ?? 0) + 1;
    return Array.from({ length: n }, (_, i) => first + i);
  }
  // Concurrent registrations may interleave, so the numbers need not be contiguous.
  const r = await sql<{ seq: string }>`
    select nextval(pg_get_serial_sequence('registration', 'seq')) as seq from generate_series(1, ${n})`.execute(tx);
  return r.rows.map((x) => Number(x.seq)).sort((a, b) => a - b);
}

function* chunks<T>(rows: T[]): Generator<T[]> {
  for (let i = 0; i < rows.length; i += CHUNK) yield rows.slice(i, i + CHUNK);
}
