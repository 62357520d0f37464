/**
 * Fees (DIS-9; the Act §3(4), §33(1), §40(1), §51(2)): the price table and
 * the invoice arithmetic. Pure: no I/O, no clock. Amounts are whole øre
 * (integers, so no rounding ever happens); kroner are only for display.
 *
 * The prices are the only ones in the reference material: seed 000 (CPR,
 * "Adgang til oplysninger fra CPR om flytninger til og fra en bolig", May
 * 2023), which quotes for November 2020:
 *
 * - "Virksomheden skal have abonnement på CPRWeb. November 2020: 207 kr. om
 *   måneden. Opslag 7 øre." (the web client, for users)
 * - "Virksomheden skal have abonnement på CPR Services. November 2020: 414 kr.
 *   om måneden. Opslag 7 øre." (the web service, system to system)
 *
 * The seed prices the landlord service for private companies; the same table
 * is used for every customer until another price list is given. Subscriptions
 * to changes of persons (§38(2) nr. 10) have no price in the seed: they are
 * counted, not priced.
 */

/** The services a customer pays a monthly subscription for. */
export type ServiceId = 'cprWeb' | 'cprServices';

export interface ServicePrice {
  id: ServiceId;
  /** The name CPR uses. */
  name: string;
  /** Who uses it: users (employees, web) or system programs (system to system). */
  usedBy: 'user' | 'program';
  /** Subscription fee per month, in øre. */
  monthlyOre: number;
}

export interface PriceList {
  /** Where the prices come from. */
  source: string;
  /** The month the prices are quoted for (`YYYY-MM`). */
  quotedFor: string;
  services: Readonly<Record<ServiceId, ServicePrice>>;
  /** Price of one lookup, in øre. */
  lookupOre: number;
}

export const PRICE_LIST: PriceList = Object.freeze({
  source:
    'seed 000 (CPR, "Adgang til oplysninger fra CPR om flytninger til og fra en bolig"): ' +
    '"November 2020: 207 kr. om måneden. Opslag 7 øre." (CPRWeb); "November 2020: 414 kr. om måneden. Opslag 7 øre." (CPR Services)',
  quotedFor: '2020-11',
  services: Object.freeze({
    cprWeb: Object.freeze({ id: 'cprWeb', name: 'CPRWeb', usedBy: 'user', monthlyOre: 207_00 }),
    cprServices: Object.freeze({ id: 'cprServices', name: 'CPR Services', usedBy: 'program', monthlyOre: 414_00 }),
  } satisfies Record<ServiceId, ServicePrice>),
  lookupOre: 7,
} satisfies PriceList);

/**
 * Transaction types in the audit log that are not lookups, so not charged
 * per lookup (they are still counted and shown): managing subscriptions and
 * reading their changes (§38(2) nr. 10) are covered by the subscription, and
 * a security officer's search of the customer's own audit log (AUD-4) is no
 * lookup in CPR. Every other transaction type (person.lookup, person.bulk,
 * company enquiries and deliveries, residents, …) is a lookup.
 */
export const NOT_LOOKUPS: ReadonlySet<string> = new Set(['events.read', 'subscription.create', 'subscription.end', 'subscriptions.list', 'audit.search']);

export function isLookup(transactionType: string): boolean {
  return !NOT_LOOKUPS.has(transactionType);
}

/** The service a principal of this kind uses: programs CPR Services, users CPRWeb. */
export function serviceOf(actorKind: 'user' | 'program'): ServiceId {
  return actorKind === 'program' ? 'cprServices' : 'cprWeb';
}

export interface Amount {
  /** Whole øre. */
  ore: number;
  /** Danish display form, e.g. `1.234,56 kr.` */
  kroner: string;
}

export interface InvoiceLine {
  item: 'subscription' | 'lookups';
  /** The service for a subscription line. */
  service?: ServiceId;
  description: string;
  quantity: number;
  unitPrice: Amount;
  amount: Amount;
}

export interface Invoice {
  lines: InvoiceLine[];
  total: Amount;
  priceSource: string;
}

/** Øre as a Danish amount: `20700` → `207,00 kr.`, `123456` → `1.234,56 kr.`, `-7` → `-0,07 kr.` */
export function formatKroner(ore: number): string {
  if (!Number.isSafeInteger(ore)) throw new RangeError(`An amount in øre is a whole number, not ${ore}.`);
  const sign = ore < 0 ? '-' : '';
  const abs = Math.abs(ore);
  const kr = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${sign}${kr},${String(abs % 100).padStart(2, '0')} kr.`;
}

export function amount(ore: number): Amount {
  return { ore, kroner: formatKroner(ore) };
}

/**
 * The invoice basis of one customer for one month: the monthly fee of each
 * service used in the month, and the lookups at the lookup price.
 */
export function invoice(usage: { services: Iterable<ServiceId>; lookups: number }, prices: PriceList = PRICE_LIST): Invoice {
  if (!Number.isSafeInteger(usage.lookups) || usage.lookups < 0) throw new RangeError('The number of lookups is a whole number ≥ 0.');
  const lines: InvoiceLine[] = [];
  const used = new Set(usage.services);
  for (const id of ['cprServices', 'cprWeb'] as const) {
    if (!used.has(id)) continue;
    const s = prices.services[id];
    lines.push({
      item: 'subscription',
      service: id,
      description: `${s.name}: subscription, one month`,
      quantity: 1,
      unitPrice: amount(s.monthlyOre),
      amount: amount(s.monthlyOre),
    });
  }
  lines.push({
    item: 'lookups',
    description: 'Lookups',
    quantity: usage.lookups,
    unitPrice: amount(prices.lookupOre),
    amount: amount(usage.lookups * prices.lookupOre),
  });
  return { lines, total: amount(lines.reduce((sum, l) => sum + l.amount.ore, 0)), priceSource: prices.source };
}
