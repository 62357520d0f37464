/**
 * `opencpr population …`: population files (API-3, API-4; docs/formats.md).
 *
 * - `population import FILE [--dry-run] [--batch-size N] [--json]`: validates
 *   the whole file first (problems are listed by line, nothing is written),
 *   then loads it in batches; Ctrl-C stops after the batch in hand and the
 *   same command resumes. A file imported before is not loaded twice.
 * - `population export --out FILE [--pnr PNR …]`: everyone, or the persons
 *   named, with their full history; written to FILE.part and renamed to FILE
 *   once complete and audited. Progress goes to stderr, the summary to stdout.
 *
 * - `generate --persons N --seed S [--municipalities …]`: a synthetic
 *   population (src/synth, docs/population.md), resumable.
 *
 * Wiring (src/cli/main.ts):
 *   addPopulationCommands(program, async () => new Register(await openStore(program.opts().store), io.clock), io);
 */
import { existsSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { AuditLog } from '../../access/audit.ts';
import type { Clock } from '../../domain/clock.ts';
import { normalisePnr } from '../../domain/pnr/pnr.ts';
import { exportPopulationToFile, PopulationExportError, type ExportProgress } from '../../formats/population/export.ts';
import {
  importPopulation,
  PopulationImportError,
  validatePopulation,
  type ImportProgress,
  type PopulationProblem,
} from '../../formats/population/import.ts';
import type { Register } from '../../register/register.ts';
import { generatePopulationInto, GenerateError, type GenerateResult } from '../../synth/generate.ts';
import { formatSummary } from '../../synth/summary.ts';
import { CliError } from '../errors.ts';

export interface PopulationCommandIo {
  out(s: string): void;
  err(s: string): void;
  clock: Clock;
}

export function addPopulationCommands(program: Command, openRegister: () => Promise<Register>, io: PopulationCommandIo): Command {
  const population = program.command('population').description('population files: persons with their full history (docs/formats.md)');

  population
    .command('import <file>')
    .description('import a population file: validated as a whole first (nothing is written if a line is wrong), then loaded; resumable')
    .option('--dry-run', 'validate only')
    .option('--batch-size <n>', 'persons per transaction', '1000')
    .option('--json', 'JSON output')
    .action(async (file: string, o: { dryRun?: boolean; batchSize: string; json?: boolean }) => {
      if (!/^\d+$/.test(o.batchSize) || Number(o.batchSize) < 1) throw new CliError(`--batch-size must be a positive whole number, not "${o.batchSize}".`, 2);
      const path = resolve(file);
      if (!existsSync(path) || !statSync(path).isFile()) throw new CliError(`${file}: no such file.`, 2);
      await withRegister(openRegister, async (register) => {
        if (o.dryRun) {
          const report = await validatePopulation(register, path, { onProgress: progress(io) });
          io.err('\n');
          if (report.problems.length) throw invalid(file, report.problems, report.more, io, 'fix the lines above');
          const { jobId, sha256, persons, registrations, personsWithAnnulments, job } = report;
          if (o.json) return io.out(JSON.stringify({ valid: true, jobId, sha256, persons, registrations, personsWithAnnulments, job }, null, 2) + '\n');
          io.out(
            `${file} is valid: ${n(persons)} persons, ${n(registrations)} registrations (${n(personsWithAnnulments)} persons with annulments).` +
              (job ? ` Job ${jobId} was ${job.complete ? 'imported already' : 'started before and will resume'}.` : '') +
              '\n',
          );
          return;
        }
        let stop = false;
        const onSignal = () => {
          stop = true;
          io.err('\nStopping after the batch in hand; run the same command again to resume.\n');
        };
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          const res = await importPopulation(register, path, {
            batchSize: Number(o.batchSize),
            onProgress: progress(io),
            shouldStop: () => stop,
          });
          io.err('\n');
          if (res.loaded > 0) await recordLoad(register, io, 'population.import', { file: path, jobId: res.jobId, persons: res.loaded, stopped: res.stopped });
          if (o.json) io.out(JSON.stringify(res, null, 2) + '\n');
          if (res.stopped) {
            throw new CliError(`Interrupted with ${n(res.resumedAfter + res.loaded)} of ${n(res.persons)} persons loaded; the store is consistent. Run the same command again to resume.`, 130);
          }
          if (o.json) return;
          if (res.alreadyImported) {
            io.out(`${file} was imported before (job ${res.jobId}); nothing to do.\n`);
            return;
          }
          io.out(
            `Imported ${n(res.persons)} persons (${n(res.registrations)} registrations) from ${file}` +
              (res.resumedAfter ? `, resuming after ${n(res.resumedAfter)} loaded earlier` : '') +
              `; job ${res.jobId}.\n`,
          );
        } catch (e) {
          if (e instanceof PopulationImportError) {
            io.err('\n');
            if (e.code === 'invalid_file') throw invalid(file, e.problems, e.more, io, 'nothing was imported');
            throw new CliError(e.message);
          }
          throw e;
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      });
    });

  population
    .command('export')
    .description('export persons with their full bitemporal history (everyone, or the numbers given)')
    .requiredOption('--out <file>', 'write the population file here')
    .option('--pnr <pnr...>', 'only these persons (repeat or separate with commas)')
    .action(async (o: { out: string; pnr?: string[] }) => {
      const out = resolve(o.out);
      if (!existsSync(dirname(out)) || !statSync(dirname(out)).isDirectory()) throw new CliError(`--out: the directory ${dirname(out)} does not exist.`, 2);
      if (existsSync(out) && statSync(out).isDirectory()) throw new CliError(`--out: ${out} is a directory.`, 2);
      const pnrs = o.pnr?.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
      const actor = `cli:${safeUser()}`;
      await withRegister(openRegister, async (register) => {
        const audit = new AuditLog(register.store, io.clock);
        try {
          const info = await exportPopulationToFile(register, out, {
            ...(pnrs && { pnrs }),
            onProgress: exportProgress(io),
            // Personal data leaves the register: recorded before the file is put in place.
            beforeCommit: async (i) => {
              await audit.record({
                actor,
                action: 'population.export',
                subjects: pnrs ? [...new Set(pnrs.map((p) => normalisePnr(p) ?? p))] : ['population:all'],
                detail: { file: out, persons: i.persons, registrations: i.registrations, lastSeq: i.lastSeq, sha256: i.sha256 },
              });
            },
          });
          io.err('\n');
          io.out(`Exported ${n(info.persons)} persons (${n(info.registrations)} registrations, log up to ${info.lastSeq}) to ${out}\n  sha256 ${info.sha256}\n`);
        } catch (e) {
          if (e instanceof PopulationExportError) throw new CliError(e.message, e.code === 'invalid_pnr' ? 2 : 1);
          throw e;
        } finally {
          await audit.drain();
        }
      });
    });

  return population;
}

async function withRegister<T>(openRegister: () => Promise<Register>, fn: (r: Register) => Promise<T>): Promise<T> {
  const register = await openRegister();
  try {
    return await fn(register);
  } finally {
    await register.close();
  }
}

/** Lists the problems on stderr; the error says how many. */
function invalid(file: string, problems: PopulationProblem[], more: boolean, io: PopulationCommandIo, tail: string): CliError {
  for (const p of problems) io.err(`  line ${p.line}${p.pnr ? ` (${p.pnr})` : ''}: ${p.message} [${p.code}]\n`);
  if (more) io.err('  … and more; the file was not read further.\n');
  const count = `${problems.length}${more ? '+' : ''} problem${problems.length === 1 && !more ? '' : 's'}`;
  return new CliError(`${file} is not a valid population file (${count}); ${tail}.`);
}

const n = (x: number) => x.toLocaleString('en');

/** At most every half second, and at the end of a phase. */
function progress(io: PopulationCommandIo): (p: ImportProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 500 && !(p.total !== undefined && p.done >= p.total)) return;
    last = now;
    io.err(`\r  ${p.phase === 'validate' ? 'validated' : 'loaded'} ${n(p.done)}${p.total !== undefined ? ` / ${n(p.total)}` : ''} persons   `);
  };
}

function exportProgress(io: PopulationCommandIo): (p: ExportProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 500 && p.done < p.total) return;
    last = now;
    io.err(`\r  exported ${n(p.done)} / ${n(p.total)} persons   `);
  };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

// ── opencpr generate ─────────────────────────────────────────────────────────

export interface GenerateCliOptions {
  persons: number;
  seed: number;
  municipalities?: string[];
  /** Print the summary report (default true). */
  summary?: boolean;
  /** The demo: a store that already holds another population is used as it is. */
  keepExisting?: boolean;
}

/**
 * Generates (or resumes) a synthetic population with progress on stderr;
 * Ctrl-C stops after the batch in hand, leaving a consistent store that the
 * same command resumes. The summary report goes to stdout.
 */
export async function runGenerate(register: Register, o: GenerateCliOptions, io: PopulationCommandIo): Promise<GenerateResult> {
  let stop = false;
  const onSignal = () => {
    stop = true;
    io.err('\nStopping after the batch in hand; run the same command again to resume.\n');
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = Date.now();
  let last = 0;
  let phase = '';

  try {
    const res = await generatePopulationInto(register, {
      persons: o.persons,
      seed: o.seed,
      ...(o.municipalities?.length && { municipalities: o.municipalities }),
      shouldStop: () => stop,
      onProgress: (p) => {
        const now = Date.now();
        if (p.phase === phase && now - last < 500 && p.done < p.total) return;
        if (phase && p.phase !== phase) io.err('\n');
        phase = p.phase;
        last = now;
        const what = p.phase === 'addresses' ? 'house numbers' : p.phase === 'persons' ? 'persons' : p.phase === 'indexes' ? 'indexes built' : 'properties';
        // A resumed run counts its rate from where it started.
        const rate = p.phase === 'persons' ? ` (${n(Math.round(((p.done - (p.from ?? 0)) / Math.max(1, now - started)) * 1000))}/s)` : '';
        io.err(`\r  ${p.phase}: ${n(p.done)} / ${n(p.total)} ${what}${rate}   `);
      },
    });
    if (phase) io.err('\n');
    if (res.loaded > 0) await recordLoad(register, io, 'population.generate', { jobId: res.jobId, persons: res.loaded, seed: o.seed, stopped: res.stopped });
    if (res.stopped) throw new CliError(`Interrupted (job ${res.jobId}); the store is consistent. Run the same command again to resume.`, 130);
    if (res.alreadyComplete) io.err(`Population ${res.jobId} already loaded (generated before); nothing to do.\n`);
    if (res.ownership) {
      io.err(
        `  ownership: ${n(res.ownership.properties)} properties, ${n(res.ownership.ownerships)} ownerships; ${n(res.ownership.personOwned)} owned by residents` +
          (res.ownership.withoutPersonOwner ? `, ${n(res.ownership.withoutPersonOwner)} without a person owner (no one lived there)` : '') +
          '\n',
      );
    }
    if (o.summary !== false && res.summary) io.out(formatSummary(res.summary));
    return res;
  } catch (e) {
    if (e instanceof GenerateError && o.keepExisting && (e.code === 'not_empty' || e.code === 'generated_elsewhere')) {
      io.err(`${e.message.replace(/; generate into.*$/, '')}; using it as it is.\n`);
      return { jobId: '', loaded: 0, skipped: 0, stopped: false, alreadyComplete: true, summary: null, addresses: { houseNumbers: 0, units: 0 }, ownership: null };
    }
    if (e instanceof GenerateError) throw new CliError(e.message, e.code === 'unknown_municipality' || e.code === 'invalid_size' ? 2 : 1);
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `opencpr generate --persons N --seed S [--municipalities 0101,0461]` (docs/population.md). */
export function addGenerateCommand(program: Command, openRegister: () => Promise<Register>, io: PopulationCommandIo): Command {
  return program
    .command('generate')
    .description('generate a synthetic population with its address and ownership registers (deterministic per seed; resumable when interrupted)')
    .requiredOption('--persons <n>', 'how many person numbers (living, dead and emigrated)')
    .option('--seed <n>', 'random seed (same seed, same population)', '1')
    .option('--municipalities <codes...>', 'only these municipality codes (repeat or separate with commas), e.g. 0101,0461')
    .action(async (o: { persons: string; seed: string; municipalities?: string[] }) => {
      const persons = wholeNumber(o.persons, '--persons');
      const seed = wholeNumber(o.seed, '--seed');
      const municipalities = o.municipalities?.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
      await withRegister(openRegister, (r) => runGenerate(r, { persons, seed, ...(municipalities && { municipalities }) }, io));
    });
}

/**
 * A load of persons is a transaction of the operator like any other (AUD-3, terms §4), and it
 * is what tells `audit verify` that a register with registrations and no lookups yet was
 * loaded, not emptied of its log.
 */
async function recordLoad(register: Register, io: PopulationCommandIo, action: string, detail: Record<string, unknown>): Promise<void> {
  const audit = new AuditLog(register.store, io.clock);
  try {
    await audit.record({ actor: `cli:${safeUser()}`, action, subjects: [], detail });
  } finally {
    await audit.close();
  }
}

function wholeNumber(value: string, flag: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) throw new CliError(`${flag} must be a positive whole number, not "${value}".`, 2);
  return Number(value);
}
