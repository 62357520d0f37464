/**
 * The Nordic exchange's outbox and inbox (NOR-1, seed 004): messages to and
 * from the other Nordic countries' central registration authorities
 * (src/domain/nordic/exchange.ts). The outbox keeps each message, exactly as
 * it is sent, until the peer has acknowledged it (an unreachable peer loses
 * nothing); the inbox keeps each received message id once, which makes a
 * delivery twice a no-op (idempotency).
 */

export interface NordicOutboxTable {
  /** The message id (`dk-<uuid>`), the receiver's idempotency key. */
  message_id: string;
  country_code: string;
  kind: string;
  /** JSON: the whole message; every attempt sends these bytes. */
  message: string;
  /** The Danish person the message is about, if any. */
  pnr: string | null;
  /** The municipality that caused it (a standard-information answer goes to its waiting register). */
  municipality_code: string | null;
  /** The outgoing waiting-register item that shows it to the municipality; marked `sent` on delivery. */
  waiting_item_id: string | null;
  created_at: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  delivered_at: string | null;
  /** A permanent refusal by the receiver (a 4xx other than 408/429): no more attempts. */
  failed_at: string | null;
}

export interface NordicInboxTable {
  country_code: string;
  message_id: string;
  kind: string;
  pnr: string | null;
  received_at: string;
  /** JSON: what receiving it did (waiting-register item, answer message). */
  outcome: string;
}

export interface NordicExchangeTables {
  nordic_outbox: NordicOutboxTable;
  nordic_inbox: NordicInboxTable;
}
