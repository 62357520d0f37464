/**
 * `opencpr customer …`, `opencpr user …`, `opencpr key …`: the CPR
 * administration's tools for customers, their users and programs, and
 * credentials (AUD-1, AUD-2, AUD-6). Secrets are printed once, never stored.
 */
import type { Command } from 'commander';
import { AccessControl, type NewCustomer, type NewPrincipal } from '../../access/customers.ts';
import type { Store } from '../../storage/store.ts';
import type { CliIo } from '../main.ts';

const list = (v: string | undefined) => (v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean));

export function addAccessCommands(
  program: Command,
  openStore: () => Promise<{ store: Store; close(): Promise<void> }>,
  io: Pick<CliIo, 'out' | 'clock'>,
): void {
  const withAccess = async <T>(fn: (a: AccessControl) => Promise<T>): Promise<T> => {
    const { store, close } = await openStore();
    try {
      return await fn(new AccessControl(store, io.clock));
    } finally {
      await close();
    }
  };
  const print = (json: boolean | undefined, value: unknown, text: string) => io.out((json ? JSON.stringify(value, null, 2) : text) + '\n');

  const customer = program.command('customer').description('customers: public authorities and companies with their legal bases');
  customer
    .command('create')
    .description('create a customer')
    .requiredOption('--name <name>', 'name')
    .requiredOption('--kind <kind>', 'public_authority | business | insurer | credit_bureau | landlord | cpr_admin')
    .option('--id <id>', 'id (default: generated)')
    .option('--number <n>', 'CVR number or authority code')
    .option('--legal-bases <list>', 'comma-separated, e.g. §38(3),§42(3) (an unknown one is refused with the valid ones)')
    .option('--scope <list>', 'public authorities: granted fields, comma-separated (or "all")')
    .option('--allow <list>', 'network allow-list, CIDRs comma-separated')
    .option('--rate <n>', 'requests per minute')
    .option('--valid-to <date>', 'end of the agreement')
    .option('--json', 'JSON output')
    .action(async (o: Record<string, string | undefined> & { json?: boolean }) => {
      const input: NewCustomer = {
        name: o.name!,
        kind: o.kind as NewCustomer['kind'],
        ...(o.id && { id: o.id }),
        ...(o.number && { number: o.number }),
        ...(o.legalBases && { legalBases: list(o.legalBases) }),
        ...(o.scope && { scope: list(o.scope) }),
        ...(o.allow && { allowList: list(o.allow) }),
        ...(o.rate && { ratePerMinute: Number(o.rate) }),
        ...(o.validTo && { validTo: o.validTo }),
      };
      const c = await withAccess((a) => a.createCustomer(input));
      print(o.json, c, `Customer ${c.id} (${c.kind}) created.`);
    });
  customer
    .command('list')
    .description('all customers')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const cs = await withAccess((a) => a.customers());
      print(o.json, cs, cs.map((c) => `${c.id.padEnd(20)} ${c.kind.padEnd(17)} ${c.name}  [${c.legalBases.join(' ')}]`).join('\n') || '(none)');
    });

  const user = program.command('user').description('users (employees) and system programs of a customer');
  user
    .command('add')
    .description('authorise a user or system program')
    .requiredOption('--customer <id>', 'customer id')
    .requiredOption('--name <name>', 'name')
    .requiredOption('--roles <list>', 'comma-separated: lookup, bulk, subscribe, security_officer, admin, landlord, own_data')
    .option('--program', 'a system program rather than a user')
    .option('--valid-from <date>', 'start of the authorisation')
    .option('--valid-to <date>', 'end of the authorisation')
    .option('--json', 'JSON output')
    .action(async (o: { customer: string; name: string; roles: string; program?: boolean; validFrom?: string; validTo?: string; json?: boolean }) => {
      const input: NewPrincipal = {
        kind: o.program ? 'program' : 'user',
        name: o.name,
        roles: list(o.roles) as NewPrincipal['roles'],
        ...(o.validFrom && { validFrom: o.validFrom }),
        ...(o.validTo && { validTo: o.validTo }),
      };
      const p = await withAccess((a) => a.addPrincipal(o.customer, input));
      print(o.json, p, `${p.kind} ${p.id} authorised from ${p.validFrom}${p.validTo ? ` to ${p.validTo}` : ''}.`);
    });
  user
    .command('list')
    .description("the security officer's list: every user and program with its dates (AUD-1)")
    .requiredOption('--customer <id>', 'customer id')
    .option('--json', 'JSON output')
    .action(async (o: { customer: string; json?: boolean }) => {
      const rows = await withAccess((a) => a.authorisations(o.customer));
      print(
        o.json,
        rows,
        rows.map((p) => `${p.id}  ${p.kind.padEnd(7)} ${p.name.padEnd(30)} ${p.validFrom} → ${p.validTo ?? ''}  [${p.roles.join(',')}]  ${p.credentials.filter((c) => !c.revokedAt).length} active credential(s)`).join('\n') || '(none)',
      );
    });
  user
    .command('end <id>')
    .description('end an authorisation on a date')
    .requiredOption('--on <date>', 'the first day it no longer holds')
    .action(async (id: string, o: { on: string }) => {
      await withAccess((a) => a.endPrincipal(id, o.on));
      io.out(`Authorisation ${id} ends ${o.on}.\n`);
    });

  const key = program.command('key').description('credentials for system-to-system access');
  key
    .command('issue <principal>')
    .description('issue an API key (default) or an OAuth2 client secret; shown once')
    .option('--client-secret', 'an OAuth2 client secret instead of an API key')
    .option('--expires <time>', 'ISO time it expires')
    .action(async (principal: string, o: { clientSecret?: boolean; expires?: string }) => {
      const c = await withAccess((a) => a.issueCredential(principal, o.clientSecret ? 'client_secret' : 'api_key', o.expires));
      io.out(c.apiKey ? `API key (shown once): ${c.apiKey}\n` : `client_id: ${c.id}\nclient_secret (shown once): ${c.secret}\n`);
    });
  key
    .command('revoke <id>')
    .description('revoke a credential')
    .action(async (id: string) => {
      await withAccess((a) => a.revokeCredential(id));
      io.out(`Credential ${id} revoked.\n`);
    });
}
