#!/usr/bin/env node
/**
 * The `opencpr` command (API-3): create and load a register, look up persons
 * and addresses, and work with person numbers. Every read of personal data is
 * audited. Errors are one sentence on stderr and a non-zero exit.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { AuditLog } from '../access/audit.ts';
import { AccessControl } from '../access/customers.ts';
import { buildApp } from '../api/app.ts';
import { ensureDemoSignIns } from '../api/web/demo.ts';
import { ensureWebClient } from '../api/web/static.ts';
import { Passwords } from '../access/passwords.ts';
import { ensureDemoCustomers, ensureDemoLandlord } from '../api/demo.ts';
import { systemClock, type Clock } from '../domain/clock.ts';
import { dateOf, parseCivilDate, parseInstant } from '../domain/dates.ts';
import { maskPnr, normalisePnr, type Sex } from '../domain/pnr/pnr.ts';
import { Register } from '../register/register.ts';
import { RegistrationError } from '../register/validate.ts';
import { openStore, StoreError } from '../storage/store.ts';
import { CliError } from './errors.ts';
import { cliActor } from './actor.ts';
import { addAuditCommands } from './commands/audit.ts';
import { addAccessCommands } from './commands/access.ts';
import { addReferenceCommands } from './commands/reference.ts';
import { addCprExtractCommands } from './commands/cpr-extract.ts';
import { addGenerateCommand, addPopulationCommands, runGenerate } from './commands/population.ts';
import { addExtractCommands } from './commands/extracts.ts';
import { addRegistrationVitalCommands } from './commands/registration-vital.ts';
import { addRegistrationMoveCommands } from './commands/registration-moves.ts';
import { addLandlordCommands } from './commands/landlord.ts';
import { AuditError } from '../access/audit.ts';
import { AccessError } from '../access/customers.ts';
import { formatCheck, formatHistory, formatPerson, formatResidents, describeValue } from './format.ts';


export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
  clock: Clock;
}

const DEFAULT_STORE = 'opencpr.db';

function date(value: string, flag: string): string {
  const d = parseCivilDate(value);
  if (!d) throw new CliError(`${flag} must be a date YYYY-MM-DD, not "${value}".`, 2);
  return d;
}
function instant(value: string, flag: string): string {
  const t = parseInstant(value);
  if (!t) throw new CliError(`${flag} must be a date or an ISO time, not "${value}".`, 2);
  return t;
}
function positiveInt(value: string, flag: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new CliError(`${flag} must be a positive whole number, not "${value}".`, 2);
  return Number(value);
}
function pnrArg(value: string): string {
  const pnr = normalisePnr(value);
  if (!pnr) throw new CliError(`"${value}" is not a person number (DDMMYY-SSSS).`, 2);
  return pnr;
}

export function buildCli(io: CliIo): Command {
  const program = new Command('opencpr')
    .description('OpenCPR: the Danish Civil Registration System')
    .addOption(
      new Option('-s, --store <location>', 'SQLite file or postgres:// URL').env('OPENCPR_STORE').default(DEFAULT_STORE),
    )
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError(false);

  const actor = cliActor();
  const withRegister = async <T>(fn: (r: Register, audit: AuditLog) => Promise<T>): Promise<T> => {
    const register = new Register(await openStore(program.opts().store as string), io.clock);
    try {
      return await fn(register, new AuditLog(register.store, io.clock));
    } finally {
      await register.close();
    }
  };

  program
    .command('init')
    .description('create (or migrate) the register store')
    .action(async () => {
      await withRegister(async (r) => {
        const n = await r.store.db.selectFrom('person_number').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
        io.out(`Register ready at ${r.store.location} (${Number(n?.n ?? 0)} person numbers).\n`);
      });
    });

  addGenerateCommand(program, async () => new Register(await openStore(program.opts().store as string), io.clock), io);

  program
    .command('person <pnr>')
    .description('a person as valid at a date and known at a time (default: now)')
    .option('--valid-at <date>', 'validity date YYYY-MM-DD')
    .option('--known-at <time>', 'registration time (date or ISO time)')
    .option('--history', 'the full bitemporal history and the registrations behind it')
    .option('--json', 'JSON output')
    .action(async (input: string, o: { validAt?: string; knownAt?: string; history?: boolean; json?: boolean }) => {
      const pnr = pnrArg(input);
      const validAt = o.validAt === undefined ? undefined : date(o.validAt, '--valid-at');
      const knownAt = o.knownAt === undefined ? undefined : instant(o.knownAt, '--known-at');
      await withRegister(async (r, audit) => {
        const entry = { actor, action: o.history ? 'person.history' : 'person.lookup', subjects: [pnr], detail: { validAt, knownAt } };
        if (o.history) {
          const h = await audit.audited(entry, () => r.history(pnr));
          if (!h) throw new CliError(`No person with number ${maskPnr(pnr)} in the register.`);
          io.out((o.json ? JSON.stringify(h, null, 2) : formatHistory(h)) + '\n');
          return;
        }
        const p = await audit.audited(entry, () => r.person(pnr, { validAt, knownAt }));
        if (!p) throw new CliError(`No person with number ${maskPnr(pnr)} in the register.`);
        io.out((o.json ? JSON.stringify(p, null, 2) : formatPerson(p)) + '\n');
      });
    });

  const pnr = program.command('pnr').description('person numbers (§3)');
  pnr
    .command('validate <pnr>')
    .description('say whether a number is valid, and why (exit 1 unless valid)')
    .option('--json', 'JSON output')
    .action(async (input: string, o: { json?: boolean }) => {
      // The register's own no-mod-11 dates count when a store exists; otherwise CPR's list.
      const store = program.opts().store as string;
      const check = existsSync(store) || /^postgres/.test(store)
        ? await withRegister((r) => r.checkPnr(input))
        : (await import('../domain/pnr/pnr.ts')).checkPnr(input);
      io.out((o.json ? JSON.stringify(check) : formatCheck(check)) + '\n');
      if (check.kind !== 'valid') throw new CliError('', 1);
    });
  pnr
    .command('allocate')
    .description('allocate a new, never-used number (§3(1)-(2))')
    .requiredOption('--birth-date <date>', 'YYYY-MM-DD')
    .requiredOption('--sex <M|K>', 'M or K')
    .option('--json', 'JSON output')
    .action(async (o: { birthDate: string; sex: string; json?: boolean }) => {
      const birthDate = date(o.birthDate, '--birth-date');
      if (o.sex !== 'M' && o.sex !== 'K') throw new CliError(`--sex is M or K, not "${o.sex}".`, 2);
      const n = await withRegister((r) => r.allocatePnr(birthDate, o.sex as Sex));
      io.out((o.json ? JSON.stringify({ pnr: n }) : n) + '\n');
    });
  pnr
    .command('mask <pnr>')
    .description('blur a number for letters and screens (§54)')
    .action((input: string) => {
      io.out(maskPnr(pnrArg(input)) + '\n');
    });

  const address = program.command('address').description('addresses');
  address
    .command('residents <id>')
    .description('persons registered at a DAR unit address id, or at every unit of a DAR house-number id')
    .option('--at <date>', 'validity date (default today)')
    .option('--json', 'JSON output')
    .action(async (id: string, o: { at?: string; json?: boolean }) => {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
        throw new CliError(`"${id}" is not a DAR address id (a UUID).`, 2);
      }
      const at = o.at === undefined ? dateOf(io.clock.now()) : date(o.at, '--at');
      await withRegister(async (r, audit) => {
        // The record names the address and every person the answer shows (AUD-3).
        const rows = await audit.audited(
          (found) => ({ actor, action: 'address.residents', subjects: [id, ...found.map((x) => x.pnr)], detail: { at } }),
          async () => {
            const unit = await r.residents({ addressId: id }, { validAt: at });
            const found = unit.length ? unit : await r.residents({ accessAddressId: id }, { validAt: at });
            return Promise.all(
              found.map(async (x) => {
                const name = (await r.person(x.pnr))?.state.name as { value: unknown } | undefined;
                return { ...x, name: name ? describeValue('name', name.value) : '' };
              }),
            );
          },
        );
        io.out((o.json ? JSON.stringify(rows, null, 2) : formatResidents(rows, at)) + '\n');
      });
    });

  program
    .command('log')
    .description('the ordered registration log (REG-6)')
    .option('--after <seq>', 'start after this sequence number', '0')
    .option('--limit <n>', 'how many', '20')
    .action(async (o: { after: string; limit: string }) => {
      const after = /^\d+$/.test(o.after) ? Number(o.after) : NaN;
      if (Number.isNaN(after)) throw new CliError('--after must be a sequence number.', 2);
      const limit = positiveInt(o.limit, '--limit');
      await withRegister(async (r, audit) => {
        const rows = await r.log(after, limit);
        await audit.record({ actor, action: 'log.read', subjects: [...new Set(rows.map((x) => x.pnr))] });
        for (const x of rows) io.out(JSON.stringify(x) + '\n');
      });
    });

  program
    .command('serve')
    .description('serve the HTTP API (Ctrl-C stops)')
    .option('--port <n>', 'TCP port', '8080')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .action(async (o: { port: string; host: string }) => {
      const port = positiveInt(o.port, '--port');
      const register = new Register(await openStore(program.opts().store as string), io.clock);
      await serve(register, port, o.host, io);
    });

  program
    .command('demo')
    .description('the main job: a register with a synthetic population and demo customers, served over HTTP')
    .option('--persons <n>', 'population size', '2000')
    .option('--port <n>', 'TCP port', '8080')
    .option('--no-serve', 'load and print, but do not serve')
    .action(async (o: { persons: string; port: string; serve: boolean }) => {
      const persons = positiveInt(o.persons, '--persons');
      const port = positiveInt(o.port, '--port');
      const register = new Register(await openStore(program.opts().store as string), io.clock);
      let sampleLookup: string | undefined;
      await withOpen(register, async (r) => {
        const audit = new AuditLog(r.store, io.clock);
        await runGenerate(r, { persons, seed: 1, summary: false, keepExisting: true }, io);
        // Show someone with a history worth looking at.
        const sample = await r.store.db
          .selectFrom('registration')
          .select('pnr')
          .groupBy('pnr')
          .having((eb) => eb.fn.countAll(), '>=', 3)
          .orderBy('pnr')
          .limit(1)
          .executeTakeFirst();
        io.out(`\nRegister at ${r.store.location} holds a synthetic population of ${persons} persons.\n`);
        if (sample) {
          sampleLookup = `/api/v1/persons/${sample.pnr}`;
          const p = await audit.audited({ actor, action: 'person.lookup', subjects: [sample.pnr] }, () => r.person(sample.pnr));
          if (p) io.out(`\nFor example:\n${formatPerson(p)}\n`);
          const store = program.opts().store as string;
          io.out(
            `\nTry:\n  npx opencpr -s ${store} person ${sample.pnr} --history\n  npx opencpr -s ${store} person ${sample.pnr} --valid-at 2000-01-01\n` +
              `  npx opencpr -s ${store} pnr validate 010190-3001\n  npx opencpr --help\n`,
          );
        }
      }, !o.serve);
      if (o.serve) {
        const keys = await ensureDemoCustomers(new AccessControl(register.store, io.clock));
        io.out('\nDemo customers (API keys are new at every start):\n');
        for (const k of keys) io.out(`  ${k.customer.padEnd(16)} ${k.kind.padEnd(17)} ${k.apiKey}\n`);
        // The web client's demo sign-ins (API-2), printed like the keys; the citizen is the sample person.
        const access = new AccessControl(register.store, io.clock);
        const signIns = await ensureDemoSignIns(access, new Passwords(register.store, io.clock, access), sampleLookup?.split('/').pop());
        io.out('\nWeb client demo sign-ins (user name / password, new at every start):\n');
        for (const s of signIns) io.out(`  ${s.username.padEnd(16)} ${s.password}  ${s.customer} (${s.roles.join(', ')})\n`);
        const landlord = await ensureDemoLandlord(register, io.clock);
        if (landlord) {
          const key = keys.find((k) => k.customer === landlord.customer)?.apiKey;
          io.out(
            `\nLandlord service: ${landlord.customer} owns ${landlord.label} (CVR ${landlord.ownerNumber}, ${landlord.residents} residents):\n` +
              `  curl -X POST -H "Authorization: Bearer ${key}" -H "content-type: application/json" ` +
              `-d '{"ownerNumber":"${landlord.ownerNumber}","houseNumberId":"${landlord.houseNumberId}"}' http://127.0.0.1:${port}/api/v1/landlord/search\n`,
          );
        }
        const authority = keys.find((k) => k.kind === 'public_authority')?.apiKey;
        await serve(register, port, '127.0.0.1', io, sampleLookup, authority);
      }
    });

  const openStoreFor = async () => {
    const store = await openStore(program.opts().store as string);
    return { store, close: () => store.close() };
  };
  addAuditCommands(
    program,
    async () => {
      const { store, close } = await openStoreFor();
      const audit = new AuditLog(store, io.clock);
      return { audit, close: async () => (await audit.close(), close()) };
    },
    io,
  );
  addAccessCommands(program, openStoreFor, io);
  addLandlordCommands(program, openStoreFor, io);
  addReferenceCommands(program, openStoreFor, io);
  addRegistrationMoveCommands(program, openStoreFor, io);
  addCprExtractCommands(program, async () => new Register(await openStore(program.opts().store as string), io.clock), io);
  addPopulationCommands(program, async () => new Register(await openStore(program.opts().store as string), io.clock), io);
  addExtractCommands(program, async () => new Register(await openStore(program.opts().store as string), io.clock), io);
  addRegistrationVitalCommands(program, async () => new Register(await openStore(program.opts().store as string), io.clock), io);
  return program;
}

async function withOpen<T>(register: Register, fn: (r: Register) => Promise<T>, closeAfter: boolean): Promise<T> {
  try {
    return await fn(register);
  } finally {
    if (closeAfter) await register.close();
  }
}

/** Serves until SIGINT/SIGTERM, then closes the server and the store. */
async function serve(register: Register, port: number, host: string, io: CliIo, example = '/api/v1/security/authorisations', key = '<API key>'): Promise<void> {
  await ensureWebClient((s) => io.err(s)); // builds web/ when missing or stale (API-2)
  const { app, ctx } = await buildApp(register, io.clock, { logger: { level: process.env.LOG_LEVEL ?? 'warn' } });
  try {
    await app.listen({ port, host });
  } catch (e) {
    await app.close();
    await register.close();
    throw new CliError(`Cannot listen on ${host}:${port}: ${(e as Error).message}`);
  }
  const base = `http://${host}:${port}`;
  io.out(`\nOpenCPR serves ${register.store.location} at ${base}  (Ctrl-C stops)\n  Web client: ${base}/\n  API reference: ${base}/docs\n  Try: curl -H "Authorization: Bearer ${key}" ${base}${example}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  io.err('Stopping.\n');
  await app.close();
  await ctx.audit.close(); // the last checkpoint of the audit chain
  await register.close();
}

/** Runs the CLI; returns the exit code instead of exiting (for tests). */
export async function run(argv: string[], io: CliIo): Promise<number> {
  try {
    await buildCli(io).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof CliError) {
      if (e.message) io.err(`error: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof RegistrationError || e instanceof StoreError || e instanceof AuditError || e instanceof AccessError) {
      io.err(`error: ${e.message} (${e.code})\n`);
      return 1;
    }
    io.err(`error: unexpected failure: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

/** The process entry point: real stdout/stderr and the system clock. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  process.exitCode = await run(argv, {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    clock: systemClock,
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
