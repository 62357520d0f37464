/**
 * `opencpr landlord …`: the CPR administration's tools for the landlord
 * service's customers (LAN-1, seed 000). Users are granted the service one
 * by one with `opencpr user add … --roles landlord`.
 *
 * - `landlord register CUSTOMER --kind social_housing|private_landlord [--documentation REF --dwellings N]`
 * - `landlord owner-number add|remove CUSTOMER NUMBER`
 * - `landlord list`, `landlord show CUSTOMER`: with the dwellings the ownership register shows
 *
 * Owner numbers that are person numbers are personal data: a listing that
 * shows them is audited first (AUD-3).
 */
import type { Command } from 'commander';
import { AccessControl, AccessError } from '../../access/customers.ts';
import { AuditLog } from '../../access/audit.ts';
import { dateOf } from '../../domain/dates.ts';
import { LandlordError } from '../../domain/landlord/errors.ts';
import { LANDLORD_KINDS, type LandlordKind } from '../../domain/landlord/rules.ts';
import { LandlordCustomers, personOwnerNumbers, type LandlordView } from '../../services/landlord/customers.ts';
import type { Store } from '../../storage/store.ts';
import { cliActor } from '../actor.ts';
import { CliError } from '../errors.ts';
import type { CliIo } from '../main.ts';

type Opened = { store: Store; close(): Promise<void> };

export function formatLandlord(v: LandlordView): string {
  const doc = v.documentation ? `documented ${v.documentation.dwellings} dwellings (${v.documentation.reference}, ${dateOf(v.documentation.recordedAt)})` : 'no documentation';
  const lines = [
    `${v.customer.id}  ${v.customer.name}  ${v.landlordKind}  ${v.enabled ? 'enabled' : `NOT enabled (${v.reason})`}`,
    `  ${doc}; the ownership register shows ${v.dwellingsInRegister} dwellings on ${v.countedOn}`,
    ...v.ownerNumbers.map((n) => `  ${n.kind.toUpperCase()} ${n.number.padEnd(10)}  ${String(n.dwellingsInRegister).padStart(6)} dwellings`),
  ];
  if (v.ownerNumbers.length === 0) lines.push('  no owner numbers');
  return lines.join('\n');
}

export function addLandlordCommands(program: Command, openStore: () => Promise<Opened>, io: Pick<CliIo, 'out' | 'clock'>): void {
  const withService = async <T>(fn: (s: LandlordCustomers, store: Store) => Promise<T>): Promise<T> => {
    const { store, close } = await openStore();
    try {
      return await fn(new LandlordCustomers(store, new AccessControl(store, io.clock), io.clock), store);
    } catch (e) {
      if (e instanceof LandlordError || e instanceof AccessError) throw new CliError(e.message, 1);
      throw e;
    } finally {
      await close();
    }
  };
  const show = async (store: Store, views: LandlordView[], json: boolean | undefined) => {
    const persons = personOwnerNumbers(views);
    if (persons.length) {
      const audit = new AuditLog(store, io.clock);
      await audit.record({ actor: cliActor(), action: 'landlord.customers.read', subjects: persons });
    }
    const text = views.length === 0 ? 'No landlord customers are registered.' : views.map(formatLandlord).join('\n');
    io.out((json ? JSON.stringify(views.length === 1 ? views[0] : views, null, 2) : text) + '\n');
  };

  const landlord = program.command('landlord').description("the landlord service's customers (seed 000): kind, documentation, owner numbers");
  landlord
    .command('register <customer>')
    .description('register a landlord customer (kind landlord) as social housing or private landlord')
    .requiredOption('--kind <kind>', LANDLORD_KINDS.join(' | '))
    .option('--documentation <ref>', "a private landlord's documentation of more than 10 dwellings (a reference)")
    .option('--dwellings <n>', 'the number of dwellings the documentation shows (more than 10)')
    .option('--json', 'JSON output')
    .action(async (customer: string, o: { kind: string; documentation?: string; dwellings?: string; json?: boolean }) => {
      if (!(LANDLORD_KINDS as readonly string[]).includes(o.kind)) throw new CliError(`--kind is ${LANDLORD_KINDS.join(' or ')}, not "${o.kind}".`, 2);
      if ((o.documentation === undefined) !== (o.dwellings === undefined)) throw new CliError('--documentation and --dwellings go together.', 2);
      if (o.dwellings !== undefined && !/^\d+$/.test(o.dwellings)) throw new CliError(`--dwellings must be a whole number, not "${o.dwellings}".`, 2);
      await withService(async (s, store) => {
        const v = await s.registerLandlord(
          customer,
          { kind: o.kind as LandlordKind, ...(o.documentation !== undefined && { documentation: { reference: o.documentation, dwellings: Number(o.dwellings) } }) },
          cliActor(),
        );
        await show(store, [v], o.json);
      });
    });
  const owner = landlord.command('owner-number').description('owner numbers (CVR or CPR) tied to a landlord customer');
  owner
    .command('add <customer> <number>')
    .description('tie an owner number to the customer')
    .option('--json', 'JSON output')
    .action(async (customer: string, number: string, o: { json?: boolean }) =>
      withService(async (s, store) => show(store, [await s.addOwnerNumber(customer, number, cliActor())], o.json)),
    );
  owner
    .command('remove <customer> <number>')
    .description('untie an owner number')
    .option('--json', 'JSON output')
    .action(async (customer: string, number: string, o: { json?: boolean }) => withService(async (s, store) => show(store, [await s.removeOwnerNumber(customer, number)], o.json)));
  landlord
    .command('list')
    .description('every landlord customer with its owner numbers and the dwellings the ownership register shows')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => withService(async (s, store) => show(store, await s.landlords(), o.json)));
  landlord
    .command('show <customer>')
    .description('one landlord customer')
    .option('--json', 'JSON output')
    .action(async (customer: string, o: { json?: boolean }) => withService(async (s, store) => show(store, [await s.landlord(customer)], o.json)));
}
