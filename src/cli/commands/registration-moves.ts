/**
 * `opencpr cases …` and `opencpr letters …`: the municipal registration
 * cases (docs/api/registration-moves.md) for the register's own staff.
 * Reads only; every read names the persons in the audit log before the
 * answer is printed (AUD-3).
 *
 * - `cases list [--municipality NNNN] [--kind K] [--status S]`
 * - `cases show ID`
 * - `letters print ID [--html]`: the letter as sent, to print (§54: masked numbers)
 *
 * Wiring (src/cli/main.ts): addRegistrationMoveCommands(program, openStoreFor, io);
 */
import type { Command } from 'commander';
import { AuditLog } from '../../access/audit.ts';
import { maskPnr } from '../../domain/pnr/pnr.ts';
import type { Case } from '../../domain/registration/case.ts';
import { RegistrationError } from '../../register/validate.ts';
import { TX } from '../../services/registration/audited.ts';
import { CaseStore } from '../../services/registration/cases.ts';
import type { Store } from '../../storage/store.ts';
import { cliActor } from '../actor.ts';
import { CliError } from '../errors.ts';
import type { CliIo } from '../main.ts';

type Opened = { store: Store; close(): Promise<void> };

export function addRegistrationMoveCommands(program: Command, openStore: () => Promise<Opened>, io: Pick<CliIo, 'out' | 'clock'>): void {
  const withCases = async <T>(fn: (cases: CaseStore, audit: AuditLog) => Promise<T>): Promise<T> => {
    const { store, close } = await openStore();
    try {
      return await fn(new CaseStore(store, io.clock), new AuditLog(store, io.clock));
    } catch (e) {
      if (e instanceof RegistrationError) throw new CliError(e.message, 1);
      throw e;
    } finally {
      await close();
    }
  };
  const id = (v: string) => {
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new CliError(`"${v}" is not a case or letter number.`, 2);
    return Number(v);
  };
  const line = (c: Case) =>
    `${String(c.id).padStart(6)}  ${c.municipalityCode}  ${c.kind.padEnd(14)} ${c.status.padEnd(16)} ${maskPnr(c.pnr)}  ${c.deadline ?? '—'.padEnd(10)}  ${c.updatedAt}`;

  const cases = program.command('cases').description('municipal registration cases (moves, investigations, complaints, …)');
  cases
    .command('list')
    .description('cases by municipality, kind and status (person numbers masked)')
    .option('--municipality <code>', 'municipality code')
    .option('--kind <kind>', 'move, investigation, no_fixed_abode, disappeared, complaint')
    .option('--status <status>', 'e.g. doubt, awaiting_hearing, awaiting_reply')
    .option('--json', 'JSON output')
    .action(async (o: { municipality?: string; kind?: string; status?: string; json?: boolean }) => {
      if (o.municipality !== undefined && !/^\d{4}$/.test(o.municipality)) throw new CliError('--municipality is a 4-digit code.', 2);
      await withCases(async (store, audit) => {
        const list = await audit.audited(
          (l: Case[]) => ({ actor: cliActor(), action: TX.caseList, subjects: l.map((c) => c.pnr), detail: { cases: l.map((c) => c.id) } }),
          () => store.list({ municipalityCode: o.municipality ?? null, kind: o.kind, status: o.status, limit: 1000 }),
        );
        if (o.json) io.out(JSON.stringify(list, null, 2) + '\n');
        else io.out(list.length ? `    id  mun.  kind           status           person       deadline    updated\n${list.map(line).join('\n')}\n` : 'No cases.\n');
      });
    });
  cases
    .command('show <id>')
    .description('a case with its payload and history (JSON)')
    .action(async (v: string) => {
      await withCases(async (store, audit) => {
        const c = await audit.audited((x: Case) => ({ actor: cliActor(), action: TX.caseRead, subjects: [x.pnr], detail: { caseId: x.id } }), () => store.get(id(v)));
        const letters = await store.letters(c.id);
        io.out(JSON.stringify({ ...c, letters: letters.map((l) => ({ id: l.id, kind: l.kind, subject: l.subject, createdAt: l.createdAt })) }, null, 2) + '\n');
      });
    });

  program
    .command('letters')
    .description('letters of the registration cases')
    .command('print <id>')
    .description('a letter as sent: Danish plain text, or --html')
    .option('--html', 'the printable HTML page')
    .action(async (v: string, o: { html?: boolean }) => {
      await withCases(async (store, audit) => {
        const l = await audit.audited((x: { pnr: string; id: number; caseId: number }) => ({ actor: cliActor(), action: TX.letterRead, subjects: [x.pnr], detail: { letterId: x.id, caseId: x.caseId } }), () => store.letter(id(v)));
        io.out(o.html ? l.html : l.text);
      });
    });
}
