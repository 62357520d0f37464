/** Subscriptions and usage metering (REG-6, §38(2) nr. 10, DIS-9). */

/**
 * A customer's subscription to the changes of one person (§38(2) nr. 10,
 * §32; Bilag 1 nr. 14). Ending is a soft end (`ended_at`): the row stays,
 * for the feed's "was it active at the registration's time" and for billing.
 */
export interface SubscriptionTable {
  /** `sub_<16 hex>`. */
  id: string;
  customer_id: string;
  pnr: string;
  /** The customer's own name for the person; the subscription id when none was given (PNR-5). */
  reference: string;
  /** UTC ISO instant. Active from `created_at` (inclusive) to `ended_at` (exclusive). */
  created_at: string;
  /** The principal that created it. */
  created_by: string;
  ended_at: string | null;
  ended_by: string | null;
  /** 1: made to a number not in the register (migration 0020); never delivers. */
  dormant?: number;
}

export interface FeedTables {
  subscription: SubscriptionTable;
}
