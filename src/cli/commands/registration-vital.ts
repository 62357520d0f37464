/**
 * `opencpr protections expire`: runs the scheduled registration job once —
 * name-and-address protections that ran out by time are recorded (P11, §28)
 * and waiting-register items past their 14 days are deleted (NOR-2). The
 * server runs the same job by itself; this is for a cron job or after
 * downtime. Idempotent. The person numbers recorded are audited before they
 * are shown.
 * Wiring (src/cli/main.ts):
 *   addRegistrationVitalCommands(program, async () => new Register(await openStore(program.opts().store), io.clock), io);
 */
import type { Command } from 'commander';
import { AuditLog } from '../../access/audit.ts';
import { maskPnr } from '../../domain/pnr/pnr.ts';
import type { Register } from '../../register/register.ts';
import { TX } from '../../services/registration/audited.ts';
import { runProtectionLapses } from '../../services/registration/protection.ts';
import { sweepWaitingRegister } from '../../services/registration/nordic.ts';
import { cliActor } from '../actor.ts';
import type { CliIo } from '../main.ts';

export function addRegistrationVitalCommands(program: Command, openRegister: () => Promise<Register>, io: Pick<CliIo, 'out' | 'clock'>): void {
  const protections = program.command('protections').description('protections (§28-§30)');
  protections
    .command('expire')
    .description('record name-and-address protections that lapsed (one year, §28) and sweep the waiting register (14 days); idempotent')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const r = await openRegister();
      const audit = new AuditLog(r.store, io.clock);
      try {
        const res = await audit.audited(
          (x) => ({ actor: cliActor(), action: TX.protectionLapseRun, subjects: x.recorded.map((l) => l.pnr) }),
          async () => ({ ...(await runProtectionLapses(r)), waiting: await sweepWaitingRegister(r) }),
        );
        if (o.json) {
          io.out(JSON.stringify(res, null, 2) + '\n');
          return;
        }
        io.out(`Protection lapses as of ${res.today}: ${res.recorded.length} recorded (${res.examined} persons examined).\n`);
        for (const l of res.recorded) io.out(`  ${maskPnr(l.pnr)}  lapsed ${l.lapsedOn}  registration ${l.seq}\n`);
        io.out(`Waiting register: ${res.waiting.noticed} deletion notices, ${res.waiting.deleted} items deleted.\n`);
      } finally {
        await audit.drain();
        await r.close();
      }
    });
}
