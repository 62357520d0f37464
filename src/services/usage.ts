/**
 * Usage metering per customer and month (DIS-9, AUD-4): the lookups per user
 * or program and transaction type, the subscriptions active in the month,
 * and the invoice basis from the price table (src/domain/fees.ts).
 *
 * The counts come from the audit log's transaction statistics: every audited
 * transaction is counted there once, so there is no second write path that
 * could disagree with the log. Subscriptions come from their own records,
 * which keep their start and end (a soft end).
 */
import { startOfDay } from '../domain/dates.ts';
import { sql, type RawBuilder } from 'kysely';
import type { AuditLog } from '../access/audit.ts';
import type { AccessControl, Customer } from '../access/customers.ts';
import { invoice, isLookup, PRICE_LIST, serviceOf, type Invoice, type ServiceId } from '../domain/fees.ts';
import type { Store } from '../storage/store.ts';

export const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

export interface UsageLine {
  /** The user or program (principal id) as in the audit log. */
  actor: string;
  actorName: string | null;
  actorKind: 'user' | 'program';
  /** Transaction type. */
  type: string;
  count: number;
  /** Whether the type is charged per lookup (see NOT_LOOKUPS in fees.ts). */
  lookup: boolean;
}

export interface Usage {
  customer: { id: string; name: string; kind: string };
  /** `YYYY-MM` (UTC). */
  month: string;
  /** Per user or program and transaction type, in actor then type order. */
  transactions: UsageLine[];
  totals: { transactions: number; lookups: number };
  /** The services used in the month (by the kind of principal that used them). */
  services: ServiceId[];
  subscriptions: {
    /** Active at some time in the month. */
    active: number;
    /** Active at the end of the month. */
    activeAtEnd: number;
    created: number;
    ended: number;
  };
  invoice: Invoice;
}

/** `2024-12` → [Danish midnight of 1 December, Danish midnight of 1 January): the billing month is Denmark's. */
export function monthBounds(month: string): { start: string; end: string } {
  if (!MONTH_RE.test(month)) throw new RangeError(`A month is YYYY-MM, not "${month}".`);
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return { start: startOfDay(`${month}-01`), end: startOfDay(`${next}-01`) };
}

export class UsageService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly access: AccessControl,
  ) {}

  async usage(customerId: string, month: string): Promise<Usage> {
    const customer: Customer = await this.access.customer(customerId);
    const { start, end } = monthBounds(month);
    const stats = await this.audit.statistics(customer.id, { from: month, to: month });
    const principals = new Map((await this.access.authorisations(customer.id)).map((p) => [p.id, p]));
    const transactions: UsageLine[] = stats.map((s) => {
      const p = principals.get(s.actor);
      const actorKind = p?.kind ?? (s.actor.startsWith('prg_') ? 'program' : 'user');
      return { actor: s.actor, actorName: p?.name ?? null, actorKind, type: s.type, count: s.count, lookup: isLookup(s.type) };
    });
    const lookups = transactions.filter((t) => t.lookup).reduce((n, t) => n + t.count, 0);
    const used = new Set(transactions.map((t) => serviceOf(t.actorKind)));
    const services = (['cprServices', 'cprWeb'] as const).filter((s) => used.has(s));
    return {
      customer: { id: customer.id, name: customer.name, kind: customer.kind },
      month,
      transactions,
      totals: { transactions: transactions.reduce((n, t) => n + t.count, 0), lookups },
      services,
      subscriptions: await this.#subscriptions(customer.id, start, end),
      invoice: invoice({ services, lookups }, PRICE_LIST),
    };
  }

  /** Subscriptions are active from created_at (inclusive) to ended_at (exclusive). */
  async #subscriptions(customerId: string, start: string, end: string): Promise<Usage['subscriptions']> {
    const count = (cond: RawBuilder<unknown>) => sql<number | string>`coalesce(sum(case when ${cond} then 1 else 0 end), 0)`;
    const r = await this.store.db
      .selectFrom('subscription')
      .select((eb) => [
        eb.fn.countAll().as('active'),
        count(sql`ended_at is null or ended_at >= ${end}`).as('at_end'),
        count(sql`created_at >= ${start}`).as('created'),
        count(sql`ended_at is not null and ended_at < ${end}`).as('ended'),
      ])
      .where('customer_id', '=', customerId)
      .where('created_at', '<', end)
      .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', start)]))
      .executeTakeFirstOrThrow();
    return { active: Number(r.active), activeAtEnd: Number(r.at_end), created: Number(r.created), ended: Number(r.ended) };
  }
}
