/**
 * `opencpr audit …`: verify the audit log's keyed hash chain against its
 * checkpoints, rotate the audit key, and the log search and transaction
 * statistics of one customer (AUD-3, AUD-4).
 */
import type { Command } from 'commander';
import type { AuditLog, AuditRecord, AuditSearch } from '../../access/audit.ts';
import { AuditKeyError, rotateAuditKey } from '../../access/audit-key.ts';
import { systemClock, type Clock } from '../../domain/clock.ts';
import { CliError } from '../errors.ts';


export interface AuditCommandIo {
  out(s: string): void;
  err(s: string): void;
  /** Dates a new audit key's id (default: the system clock). */
  clock?: Clock;
}

export function addAuditCommands(
  program: Command,
  openAudit: () => Promise<{ audit: AuditLog; close(): Promise<void> }>,
  io: AuditCommandIo,
): Command {
  const withAudit = async <T>(fn: (audit: AuditLog) => Promise<T>): Promise<T> => {
    const { audit, close } = await openAudit();
    try {
      return await fn(audit);
    } catch (e) {
      // A key file that is unreadable or not a keyring: the operator's to fix, said plainly.
      if (e instanceof AuditKeyError) throw new CliError(e.message);
      throw e;
    } finally {
      await close();
    }
  };

  const audit = program.command('audit').description('the audit log: verify it, search it, count it (AUD-3, AUD-4)');

  audit
    .command('verify')
    .description('check the keyed hash chain and the signed checkpoints; exit 1 naming the first problem (its kind: edited, rechained, reordered, deleted, deleted_newest, truncated, emptied, …)')
    .option('--anchor <id:hash>', 'also check that this earlier head (record id and hash) is still there')
    .option('--json', 'JSON output')
    .action(async (o: { anchor?: string; json?: boolean }) => {
      const anchor = o.anchor === undefined ? undefined : parseAnchor(o.anchor);
      const r = await withAudit((a) => a.verify(anchor ? { anchor } : {}));
      if (o.json) io.out(JSON.stringify(r) + '\n');
      if (!r.ok) {
        const bad = r.firstBad!;
        const where = bad.id > 0 ? ` at record ${bad.id}` : '';
        throw new CliError(`The audit log was tampered with (${bad.kind})${where}: ${bad.reason} (${r.checked} records intact before it).`);
      }
      if (!o.json) {
        const legacy = r.legacy ? ` (${r.legacy} of them legacy records, unkeyed, from before the log was keyed)` : '';
        const cp = r.checkpoint ? `; checkpoints agree, the newest vouching for record ${r.checkpoint.id} (${r.checkpoint.at})` : '; no checkpoints yet';
        io.out(`Audit log intact: ${r.checked} records${legacy}, keyed hash chain verified${cp}.\n`);
      }
    });

  audit
    .command('rotate-key')
    .description('add a new audit key and make it current (old keys stay, to verify the records made with them); restart the writers afterwards')
    .action(async () => {
      const [file, id] = await withAudit(async (a) => [a.keyFile, rotateAuditKey(a.keyFile, io.clock ?? systemClock)] as const);
      io.out(`New audit key ${id} is current in ${file}; restart the processes that write the log so that they use it.\n`);
    });

  audit
    .command('search')
    .description("log search: one customer's lookups, in time order")
    .requiredOption('--customer <id>', 'the customer whose users and programs made the lookups')
    .option('--pnr <pnr>', 'only lookups concerning this person number (or address id)')
    .option('--type <type>', 'only this transaction type, e.g. person.lookup')
    .option('--actor <actor>', 'only this user or program')
    .option('--from <date>', 'from YYYY-MM, YYYY-MM-DD or ISO time (inclusive)')
    .option('--to <date>', 'to YYYY-MM, YYYY-MM-DD or ISO time (inclusive)')
    .option('--limit <n>', 'at most this many (1-1000)', '100')
    .option('--cursor <cursor>', 'continue where the previous page ended')
    .option('--json', 'JSON output')
    .action(async (o: { customer: string; pnr?: string; type?: string; actor?: string; from?: string; to?: string; limit: string; cursor?: string; json?: boolean }) => {
      if (!/^\d+$/.test(o.limit)) throw new CliError(`--limit must be a whole number, not "${o.limit}".`, 2);
      const filter: AuditSearch = { limit: Number(o.limit) };
      for (const k of ['pnr', 'type', 'actor', 'from', 'to', 'cursor'] as const) {
        if (o[k] !== undefined) filter[k] = o[k];
      }
      const page = await withAudit((a) => a.search(o.customer, filter));
      if (o.json) {
        io.out(JSON.stringify(page, null, 2) + '\n');
        return;
      }
      if (page.records.length === 0) io.out(`No lookups by customer ${o.customer} match.\n`);
      for (const r of page.records) io.out(formatRecord(r) + '\n');
      if (page.nextCursor) io.out(`More: add --cursor ${page.nextCursor}\n`);
    });

  audit
    .command('statistics')
    .description('transaction statistics of one customer: lookups per month, user and transaction type')
    .requiredOption('--customer <id>', 'the customer')
    .option('--from <date>', 'from YYYY-MM or YYYY-MM-DD (inclusive)')
    .option('--to <date>', 'to YYYY-MM or YYYY-MM-DD (inclusive)')
    .option('--json', 'JSON output')
    .action(async (o: { customer: string; from?: string; to?: string; json?: boolean }) => {
      const range: { from?: string; to?: string } = {};
      if (o.from !== undefined) range.from = o.from;
      if (o.to !== undefined) range.to = o.to;
      const rows = await withAudit((a) => a.statistics(o.customer, range));
      if (o.json) {
        io.out(JSON.stringify(rows, null, 2) + '\n');
        return;
      }
      if (rows.length === 0) io.out(`No lookups by customer ${o.customer} in that period.\n`);
      for (const r of rows) io.out(`${r.month}  ${r.actor}  ${r.type}  ${r.count}\n`);
    });

  return audit;
}

function formatRecord(r: AuditRecord): string {
  const parts = [r.at, `#${r.id}`, `${r.actor} (${r.actorKind})`, r.action, r.subjects.join(',') || '-'];
  if (r.legalBasis) parts.push(`basis ${r.legalBasis}`);
  if (r.fields) parts.push(`fields ${r.fields.join(',')}`);
  if (r.requestId) parts.push(`request ${r.requestId}`);
  return parts.join('  ');
}

function parseAnchor(s: string): { id: number; hash: string } {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(s);
  if (!m) throw new CliError(`--anchor is <record id>:<64 hex digits>, not "${s}".`, 2);
  return { id: Number(m[1]), hash: m[2]! };
}
