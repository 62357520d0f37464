/**
 * Export of persons with their full bitemporal history as a population file
 * (API-4; the format: schema.ts, docs/formats.md). What is written is each
 * person's registrations from the log, annulments included: importing the
 * file into another register gives the same answer to every "valid at V,
 * known at R" question (import.ts).
 *
 * The export streams: persons are read a page at a time in person-number
 * order (the log's (pnr, seq) index), and each page is written before the
 * next is read. It is a snapshot of the log up to the highest sequence number
 * when the export started (`lastSeq` in the header); registrations made while
 * it runs are left out.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { toInstant, type Instant } from '../../domain/dates.ts';
import { normalisePnr } from '../../domain/pnr/pnr.ts';
import type { Registration } from '../../register/bitemporal.ts';
import { toRegistration, type Register } from '../../register/register.ts';
import { POPULATION_FORMAT, POPULATION_VERSION, type PersonLine, type PopulationHeader } from './schema.ts';

export class PopulationExportError extends Error {
  constructor(
    /** unknown_person, invalid_pnr. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PopulationExportError';
  }
}

export interface ExportProgress {
  done: number;
  total: number;
}

export interface ExportOptions {
  /** Only these persons (any order, duplicates ignored); default: everyone the register holds. */
  pnrs?: readonly string[];
  /** Persons read per query (default 500). */
  pageSize?: number;
  onProgress?: (p: ExportProgress) => void;
}

export interface ExportInfo {
  exportedAt: Instant;
  /** The log up to and including this sequence number is in the file. */
  lastSeq: number;
  persons: number;
  registrations: number;
  /** Of the file's bytes. */
  sha256: string;
  bytes: number;
}

/** Where the lines go: a stream (backpressure respected) or a function. */
export type PopulationSink = Writable | ((chunk: string) => void | Promise<void>);

/** One person's line: the registrations in log order; an annulment names the annulled one by its 1-based position. */
export function personLine(pnr: string, registrations: readonly Registration[]): PersonLine {
  const position = new Map(registrations.map((r, i) => [r.seq, i + 1]));
  return {
    pnr,
    registrations: registrations.map((r) => {
      const annuls = r.annuls === null ? undefined : position.get(r.annuls);
      if (r.annuls !== null && annuls === undefined) {
        throw new PopulationExportError('inconsistent_log', `${pnr}: registration ${r.seq} annuls ${r.annuls}, which is not a registration of this person.`);
      }
      return {
        seq: r.seq,
        registeredAt: r.registeredAt,
        authority: r.authority,
        eventCode: r.eventCode,
        ...(r.documentation !== null && { documentation: r.documentation }),
        ...(r.late && { late: true }),
        ...(annuls !== undefined
          ? { annuls }
          : {
              changes: r.changes.map((c) => ({
                group: c.group,
                ...(c.key !== '' && { key: c.key }),
                validFrom: c.validFrom,
                ...(c.validTo !== null && { validTo: c.validTo }),
                value: c.value,
              })),
            }),
      };
    }),
  };
}

/** Writes the population file to `sink`; returns what it wrote. */
export async function exportPopulation(register: Register, sink: PopulationSink, opts: ExportOptions = {}): Promise<ExportInfo> {
  const db = register.store.db;
  const pageSize = opts.pageSize ?? 500;
  const exportedAt = toInstant(register.clock.now());
  const max = await db.selectFrom('registration').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
  const lastSeq = Number(max?.seq ?? 0);

  let selected: string[] | undefined;
  let total: number;
  if (opts.pnrs) {
    selected = await knownNumbers(register, opts.pnrs);
    total = selected.length;
  } else {
    const n = await db.selectFrom('person_number').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    total = Number(n?.n ?? 0);
  }

  const hash = createHash('sha256');
  let bytes = 0;
  const put = toWriter(sink);
  const emit = async (chunk: string) => {
    hash.update(chunk, 'utf8');
    bytes += Buffer.byteLength(chunk, 'utf8');
    await put(chunk);
  };
  const header: PopulationHeader = { format: POPULATION_FORMAT, version: POPULATION_VERSION, exportedAt, lastSeq };
  await emit(JSON.stringify(header) + '\n');

  let persons = 0;
  let registrations = 0;
  let after = '';
  let offset = 0;
  for (;;) {
    let pnrs: string[];
    if (selected) {
      pnrs = selected.slice(offset, offset + pageSize);
      offset += pnrs.length;
    } else {
      pnrs = (await db.selectFrom('person_number').select('pnr').where('pnr', '>', after).orderBy('pnr').limit(pageSize).execute()).map((r) => r.pnr);
    }
    if (!pnrs.length) break;
    after = pnrs[pnrs.length - 1]!;
    // Everyone: the page's range of the (pnr, seq) index, a plan that does not depend on the table's statistics
    // (a list of 500 numbers can be planned as a full scan on a freshly loaded PostgreSQL table). A selection: its numbers.
    let q = db.selectFrom('registration').selectAll().where('seq', '<=', lastSeq);
    q = selected ? q.where('pnr', 'in', pnrs) : q.where('pnr', '>=', pnrs[0]!).where('pnr', '<=', after);
    const rows = await q.orderBy('pnr').orderBy('seq').execute();
    const byPnr = new Map<string, Registration[]>();
    for (const r of rows) {
      let list = byPnr.get(r.pnr);
      if (!list) byPnr.set(r.pnr, (list = []));
      list.push(toRegistration(r));
    }
    let chunk = '';
    for (const pnr of pnrs) {
      const regs = byPnr.get(pnr) ?? [];
      chunk += JSON.stringify(personLine(pnr, regs)) + '\n';
      registrations += regs.length;
    }
    await emit(chunk);
    persons += pnrs.length;
    opts.onProgress?.({ done: persons, total: Math.max(total, persons) });
    if (!selected && pnrs.length < pageSize) break;
  }
  return { exportedAt, lastSeq, persons, registrations, sha256: hash.digest('hex'), bytes };
}

/**
 * Writes the file to `FILE.part` and renames it to FILE only when it is
 * complete (and `beforeCommit`, e.g. the audit record, has succeeded); on
 * failure the part file is removed and FILE is untouched.
 */
export async function exportPopulationToFile(
  register: Register,
  file: string,
  opts: ExportOptions & { beforeCommit?: (info: ExportInfo) => Promise<void> } = {},
): Promise<ExportInfo> {
  const part = `${file}.part`;
  const out = createWriteStream(part, { encoding: 'utf8' });
  let failed: Error | undefined;
  out.on('error', (e) => (failed ??= e));
  try {
    await once(out, 'open');
    const info = await exportPopulation(register, out, opts);
    await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
    if (failed) throw failed;
    await opts.beforeCommit?.(info);
    renameSync(part, file);
    return info;
  } catch (e) {
    out.destroy();
    rmSync(part, { force: true });
    throw e;
  }
}

/** The selected numbers, sorted and without duplicates; refuses malformed and unknown ones (naming all of them). */
async function knownNumbers(register: Register, input: readonly string[]): Promise<string[]> {
  const pnrs = new Set<string>();
  const malformed: string[] = [];
  for (const s of input) {
    const p = normalisePnr(s);
    if (p) pnrs.add(p);
    else malformed.push(s);
  }
  if (malformed.length) throw new PopulationExportError('invalid_pnr', `Not person numbers (DDMMYY-SSSS): ${malformed.map((s) => JSON.stringify(s)).join(', ')}.`);
  const list = [...pnrs].sort();
  const found = new Set<string>();
  for (let i = 0; i < list.length; i += 1000) {
    const part = list.slice(i, i + 1000);
    for (const r of await register.store.db.selectFrom('person_number').select('pnr').where('pnr', 'in', part).execute()) found.add(r.pnr);
  }
  const unknown = list.filter((p) => !found.has(p));
  if (unknown.length) throw new PopulationExportError('unknown_person', `Not in the register: ${unknown.join(', ')}.`);
  return list;
}

function toWriter(sink: PopulationSink): (chunk: string) => Promise<void> {
  if (typeof sink === 'function') return async (chunk) => void (await sink(chunk));
  return async (chunk) => {
    if (sink.destroyed || sink.writableEnded) throw new Error('The output stream is closed.');
    if (!sink.write(chunk)) {
      // Rejects if the stream fails meanwhile.
      await once(sink, 'drain');
    }
  };
}
