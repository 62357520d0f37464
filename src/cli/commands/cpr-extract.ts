/**
 * `opencpr import-cpr FILE`, `opencpr export-cpr --out FILE [--pnr …]`: CPR
 * extract files (records P12170-000…999, SPEC COD-5; docs/formats/cpr-extract.md).
 *
 * - `import-cpr FILE [--encoding latin1|windows-1252|utf8] [--json]`: the
 *   whole file is parsed and checked first; a bad line rejects it (every bad
 *   line is listed with its line number and record type) and nothing is
 *   written; otherwise all of it is loaded in one transaction.
 * - `export-cpr --out FILE [--pnr PNR …] [--known-at TIME] [--task N]`:
 *   everyone, or the persons named, as an ISO-8859-1 extract; written to
 *   FILE.part and renamed to FILE once complete and audited.
 *
 * Wiring (src/cli/main.ts):
 *   addCprExtractCommands(program, async () => new Register(await openStore(program.opts().store), io.clock), io);
 */
import { createHash } from 'node:crypto';
import { existsSync, openSync, closeSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { AuditLog } from '../../access/audit.ts';
import type { Clock } from '../../domain/clock.ts';
import { parseInstant } from '../../domain/dates.ts';
import { normalisePnr } from '../../domain/pnr/pnr.ts';
import { encodeExtract, exportRecords } from '../../formats/cpr-extract/export.ts';
import { CprExtractError, describeIssue, type ExtractEncoding } from '../../formats/cpr-extract/parse.ts';
import { importCprExtract } from '../../formats/cpr-extract/to-registrations.ts';
import type { Register } from '../../register/register.ts';
import { CliError } from '../errors.ts';

export interface CprExtractCommandIo {
  out(s: string): void;
  err(s: string): void;
  clock: Clock;
}

const ENCODINGS: readonly ExtractEncoding[] = ['latin1', 'windows-1252', 'utf8'];
/** Person numbers named in the export's audit record; a larger export names the file instead. */
const MAX_AUDIT_SUBJECTS = 10_000;
/** Warnings shown on stderr; the rest are counted. */
const MAX_WARNINGS_SHOWN = 50;

export function addCprExtractCommands(program: Command, openRegister: () => Promise<Register>, io: CprExtractCommandIo): void {
  program
    .command('import-cpr <file>')
    .description('import a CPR extract (records P12170-000…999); checked as a whole first, then loaded in one transaction')
    .option('--encoding <encoding>', 'latin1 | windows-1252 | utf8 (default: windows-1252, which reads ISO-8859-1 unchanged)')
    .option('--json', 'JSON output')
    .action(async (file: string, o: { encoding?: string; json?: boolean }) => {
      if (o.encoding !== undefined && !ENCODINGS.includes(o.encoding as ExtractEncoding)) {
        throw new CliError(`--encoding is one of ${ENCODINGS.join(', ')}, not "${o.encoding}".`, 2);
      }
      const path = resolve(file);
      if (!existsSync(path) || !statSync(path).isFile()) throw new CliError(`${file}: no such file.`, 2);
      const bytes = readFileSync(path);
      await withRegister(openRegister, async (register) => {
        try {
          const r = await importCprExtract(register, bytes, {
            sourceName: basename(path),
            ...(o.encoding && { encoding: o.encoding as ExtractEncoding }),
          });
          if (o.json) {
            io.out(JSON.stringify({ file: path, ...r }, null, 2) + '\n');
            return;
          }
          showWarnings(io, r.warnings.map(describeIssue));
          io.out(`Imported ${n(r.persons.length)} persons (${n(r.records)} records, ${n(r.facts)} facts) from ${file}.\n`);
        } catch (e) {
          if (e instanceof CprExtractError) {
            for (const i of e.issues) io.err(`  ${describeIssue(i)}\n`);
            const what = e.code === 'already_registered' ? 'persons already in the register' : `${e.issues.length} bad line${e.issues.length === 1 ? '' : 's'}`;
            throw new CliError(`${file} was not imported (${what}); nothing was written.`);
          }
          throw e;
        }
      });
    });

  program
    .command('export-cpr')
    .description('export persons as a CPR extract (ISO-8859-1, records P12170-000…999): everyone, or the numbers given')
    .requiredOption('--out <file>', 'write the extract here')
    .option('--pnr <pnr...>', 'only these persons (repeat or separate with commas)')
    .option('--known-at <time>', 'the register as known at this time (date or ISO time; default now)')
    .option('--task <n>', 'task number for the start record (OPGAVENR), up to 6 digits')
    .action(async (o: { out: string; pnr?: string[]; knownAt?: string; task?: string }) => {
      const out = resolve(o.out);
      if (!existsSync(dirname(out)) || !statSync(dirname(out)).isDirectory()) throw new CliError(`--out: the directory ${dirname(out)} does not exist.`, 2);
      if (existsSync(out) && statSync(out).isDirectory()) throw new CliError(`--out: ${out} is a directory.`, 2);
      const knownAt = o.knownAt === undefined ? undefined : parseInstant(o.knownAt);
      if (knownAt === null) throw new CliError(`--known-at must be a date or an ISO time, not "${o.knownAt}".`, 2);
      if (o.task !== undefined && !/^\d{1,6}$/.test(o.task)) throw new CliError(`--task is a number of at most 6 digits, not "${o.task}".`, 2);
      const given = o.pnr?.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
      const named = given?.map((p) => {
        const pnr = normalisePnr(p);
        if (!pnr) throw new CliError(`--pnr: "${p}" is not a person number (DDMMYY-SSSS).`, 2);
        return pnr;
      });

      await withRegister(openRegister, async (register) => {
        const pnrs = named
          ? [...new Set(named)]
          : (await register.store.db.selectFrom('person_history').select('pnr').orderBy('pnr').execute()).map((r) => r.pnr);
        const warnings: string[] = [];
        const part = `${out}.part`;
        const fd = openSync(part, 'w');
        const hash = createHash('sha256');
        let records = 0;
        let replaced = 0;
        const audit = new AuditLog(register.store, io.clock);
        try {
          let chunk: string[] = [];
          const flush = () => {
            const { bytes, replaced: r } = encodeExtract(chunk.join(''));
            replaced += r;
            hash.update(bytes);
            writeSync(fd, bytes);
            chunk = [];
          };
          for await (const line of exportRecords(register, pnrs, {
            ...(knownAt && { knownAt }),
            ...(o.task && { taskNumber: o.task }),
            onWarning: (pnr, m) => warnings.push(`${pnr}: ${m}`),
          })) {
            chunk.push(line, '\n');
            records++;
            if (chunk.length >= 2000) flush();
          }
          flush();
          closeSync(fd);
          const sha256 = hash.digest('hex');
          // Personal data leaves the register: recorded before the file is put in place.
          await audit.record({
            actor: `cli:${safeUser()}`,
            action: 'cpr-extract.export',
            subjects: named || pnrs.length <= MAX_AUDIT_SUBJECTS ? pnrs : ['cpr-extract:all'],
            detail: { file: out, persons: pnrs.length, records, sha256, knownAt: knownAt ?? null },
          });
          renameSync(part, out);
          showWarnings(io, warnings);
          if (replaced) io.err(`warning: ${n(replaced)} characters outside ISO-8859-1 were replaced.\n`);
          io.out(`Exported ${n(pnrs.length)} persons (${n(records)} records) to ${out} (ISO-8859-1)\n  sha256 ${sha256}\n`);
        } catch (e) {
          try {
            closeSync(fd);
          } catch {
            // already closed
          }
          rmSync(part, { force: true });
          if (e instanceof CprExtractError) throw new CliError(e.message.replace(/^file: /, ''));
          throw e;
        } finally {
          await audit.drain();
        }
      });
    });
}

function showWarnings(io: CprExtractCommandIo, warnings: string[]): void {
  for (const w of warnings.slice(0, MAX_WARNINGS_SHOWN)) io.err(`warning: ${w}\n`);
  if (warnings.length > MAX_WARNINGS_SHOWN) io.err(`warning: … and ${n(warnings.length - MAX_WARNINGS_SHOWN)} more.\n`);
}

async function withRegister<T>(openRegister: () => Promise<Register>, fn: (r: Register) => Promise<T>): Promise<T> {
  const register = await openRegister();
  try {
    return await fn(register);
  } finally {
    await register.close();
  }
}

const n = (x: number) => x.toLocaleString('en');

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
