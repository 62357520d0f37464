/**
 * `opencpr extract …`: the generated lists (DIS-7, DIS-8).
 *
 * - `extract marketing-list --out FILE`: the marketing-protection list
 *   (§40(4)) as of today; it becomes the current quarter's list, the one the
 *   API delivers to businesses.
 * - `extract local-directory --municipality 0461 --out FILE [--recipient NAME]`:
 *   a local directory (§47) of one municipality as of today.
 *
 * The file is written to `FILE.part` and renamed to FILE only after the audit
 * record is committed; progress goes to stderr, the summary to stdout.
 * Wiring (src/cli/main.ts):
 *   addExtractCommands(program, async () => new Register(await openStore(program.opts().store), io.clock), io);
 */
import { createWriteStream, existsSync, renameSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { dirname, resolve } from 'node:path';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { AuditLog } from '../../access/audit.ts';
import type { Clock } from '../../domain/clock.ts';
import { dateOf } from '../../domain/dates.ts';
import type { Register } from '../../register/register.ts';
import { checkMunicipality, ExtractError, ExtractService, type ExtractInfo, type ExtractProgress } from '../../services/extracts.ts';
import { CliError } from '../errors.ts';

export interface ExtractCommandIo {
  out(s: string): void;
  err(s: string): void;
  clock: Clock;
}

export function addExtractCommands(program: Command, openRegister: () => Promise<Register>, io: ExtractCommandIo): Command {
  const actor = `cli:${safeUser()}`;
  const extract = program.command('extract').description('generated lists: marketing-protection list (§40(4)), local directories (§47)');

  extract
    .command('marketing-list')
    .description('the list of persons with marketing protection (§40(4)): name, address, previous address within 3 years; CSV')
    .requiredOption('--out <file>', 'write the CSV file here')
    .action(async (o: { out: string }) => {
      const out = checkOut(o.out);
      const info = await withFile(out, openRegister, io, (service, sink) =>
        service.marketingList({ actor, actorKind: 'user', customer: null, sink, onProgress: progress(io, 'marketing-protection list') }),
      );
      io.out(summary(info, out));
    });

  extract
    .command('local-directory')
    .description('a local directory (§47): name, occupation and address of the residents of one municipality; CSV, not for electronic publication')
    .requiredOption('--municipality <code>', 'the municipality code, four digits (e.g. 0461 Odense)')
    .requiredOption('--out <file>', 'write the CSV file here')
    .option('--recipient <name>', 'who the directory is delivered to (recorded with it, and told to the persons on it under §46)')
    .action(async (o: { municipality: string; out: string; recipient?: string }) => {
      const code = o.municipality.trim();
      // Refuse a bad code before opening anything.
      try {
        checkMunicipality(code, dateOf(io.clock.now()));
      } catch (e) {
        if (e instanceof ExtractError) throw new CliError(`--municipality: ${e.message}`, e.code === 'invalid_municipality' ? 2 : 1);
        throw e;
      }
      const recipient = o.recipient?.trim() || null;
      const out = checkOut(o.out);
      const info = await withFile(out, openRegister, io, (service, sink) =>
        service.localDirectory(code, { actor, actorKind: 'user', customer: null, recipient, sink, onProgress: progress(io, `local directory ${code}`) }),
      );
      io.out(summary(info, out));
    });

  return extract;
}

/** The output path, absolute; its directory must exist and it must not be a directory. */
function checkOut(file: string): string {
  const out = resolve(file);
  if (!existsSync(dirname(out)) || !statSync(dirname(out)).isDirectory()) {
    throw new CliError(`--out: the directory ${dirname(out)} does not exist.`, 2);
  }
  if (existsSync(out) && statSync(out).isDirectory()) throw new CliError(`--out: ${out} is a directory.`, 2);
  return out;
}

/** Makes the list into FILE.part, renamed to FILE once the list is complete and audited; removed on failure. */
async function withFile(
  out: string,
  openRegister: () => Promise<Register>,
  io: ExtractCommandIo,
  make: (service: ExtractService, sink: (chunk: string) => Promise<void>) => Promise<ExtractInfo>,
): Promise<ExtractInfo> {
  const part = `${out}.part`;
  const file = createWriteStream(part, { encoding: 'utf8' });
  let writeError: Error | undefined;
  file.on('error', (e) => (writeError ??= e));
  await new Promise<void>((res, rej) => file.once('open', () => res()).once('error', rej)).catch((e: Error) => {
    throw new CliError(`Cannot write ${part}: ${e.message}`);
  });
  let info: ExtractInfo;
  const register = await openRegister().catch(async (e) => {
    await close(file);
    rmSync(part, { force: true });
    throw e;
  });
  try {
    const audit = new AuditLog(register.store, io.clock);
    try {
      info = await make(new ExtractService(register, audit), (chunk) => write(file, chunk));
    } finally {
      await audit.drain();
    }
    await close(file);
    if (writeError) throw new CliError(`Cannot write ${part}: ${writeError.message}`);
    renameSync(part, out);
  } catch (e) {
    await close(file).catch(() => undefined);
    rmSync(part, { force: true });
    if (e instanceof ExtractError) throw new CliError(e.message);
    throw e;
  } finally {
    io.err('\n');
    await register.close();
  }
  return info;
}

/** Writes a chunk, waiting for the stream to drain when its buffer is full (a write error rejects). */
async function write(file: WriteStream, chunk: string): Promise<void> {
  if (!file.write(chunk)) await once(file, 'drain');
}

function close(file: WriteStream): Promise<void> {
  return new Promise((res, rej) => {
    if (file.closed) return res();
    file.end((e?: Error | null) => (e ? rej(e) : res()));
  });
}

/** Progress on stderr at most every half second (and at the end of each phase). */
function progress(io: ExtractCommandIo, what: string): (p: ExtractProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    const end = p.total !== undefined && p.done >= p.total;
    if (!end && now - last < 500) return;
    last = now;
    const of = p.total !== undefined ? ` / ${p.total.toLocaleString('en')}` : '';
    const msg =
      p.phase === 'select'
        ? `  ${what}: ${p.done.toLocaleString('en')}${of} persons read, ${p.listed.toLocaleString('en')} listed`
        : `  ${what}: ${p.done.toLocaleString('en')}${of} rows written`;
    io.err(`\r${msg}   `);
  };
}

function summary(info: ExtractInfo, out: string): string {
  const what = info.kind === 'marketing_protection' ? `Marketing-protection list ${info.period}` : `Local directory of municipality ${info.municipalityCode}`;
  return (
    `${what} as of ${info.asOf}: ${info.rows.toLocaleString('en')} persons, written to ${out}\n` +
    `  extract ${info.id}, layout ${info.layout}, sha256 ${info.sha256}\n` +
    (info.kind === 'local_directory' ? '  Not for electronic publication (§47(2)); no later updates are delivered.\n' : '  Not to be passed on or published (§40(5)).\n')
  );
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
