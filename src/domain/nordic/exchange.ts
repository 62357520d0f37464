/**
 * The Nordic exchange protocol (NOR-1, seed 004, Bilag 1 art. 2 and 4): the
 * JSON messages the central registration authorities of the Nordic countries
 * and the Faroes send each other. Symmetric: each side sends and receives the
 * same kinds; the message id is the idempotency key (a message delivered
 * twice is handled once). Pure: schemas and the retry schedule; the transport
 * is in services/registration/nordic-exchange.ts and the simulated peer in
 * src/nordic/peer.ts. docs/api/nordic-exchange.md documents it.
 */
import { z } from 'zod';

export const PROTOCOL = 'nordic-exchange/1';
/** Each side receives messages at its exchange URL + this path (Denmark: /api/v1/nordic-exchange/messages). */
export const MESSAGES_PATH = '/messages';
/** Denmark's country code in CPR's country table. */
export const DENMARK = '5100';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const country = z.string().regex(/^\d{4}$/, "a 4-digit CPR country code");
const foreignPnr = z.string().trim().min(4).max(20);
const person = { name: z.string().trim().min(1).max(120), birthDate: date, sex: z.enum(['M', 'K']) };
// As CPR's postal lines (person/facts.ts postalLinesSchema): an address there becomes the foreign address here.
const lines = z.strictObject({ lines: z.array(z.string().trim().min(1).max(34)).min(1).max(5) });
const namedDate = z.strictObject({ name: z.string().trim().min(1).max(120), birthDate: date.optional() });

/**
 * Art. 2(2): the country moved to tells the country of departure that the
 * person is registered there. `recipientPnr` is the person's number in the
 * recipient's register, `senderPnr` the new one in the sender's.
 */
export const moveInNoticeBody = z.strictObject({
  recipientPnr: foreignPnr,
  senderPnr: foreignPnr,
  ...person,
  moveInDate: date,
  municipality: z.string().trim().min(1).max(60),
  address: lines,
});

/** Art. 2(2), bekendtgørelsen §11(2): the country moved to refused to register the person. */
export const refusalNoticeBody = z.strictObject({
  recipientPnr: foreignPnr,
  ...person,
  reason: z.string().trim().min(1).max(200).optional(),
});

/** Art. 4: a request for the standard information about a person registered in the recipient's country. */
export const standardInformationRequestBody = z.strictObject({
  /** The person's number in the recipient's register. */
  recipientPnr: foreignPnr,
  /** The number in the sender's register, if any (for the answer's reference). */
  senderPnr: foreignPnr.optional(),
});

/** Art. 4 and seed 004 II: the fields of the standard information. */
export const standardInformation = z.strictObject({
  pnr: foreignPnr,
  ...person,
  birthPlace: z.string().trim().min(1).max(60).optional(),
  address: lines.optional(),
  localAuthority: z.string().trim().min(1).max(80).optional(),
  citizenships: z.array(country).max(5).default([]),
  civilStatus: z.strictObject({ code: z.string().min(1).max(2), date: date.optional() }).optional(),
  spouse: namedDate.optional(),
  /** For children under 18. */
  parents: z.array(namedDate).max(4).default([]),
  /** Children under 18. */
  children: z.array(namedDate).max(20).default([]),
  /** The departure date (= the move-in date registered in the country moved to). */
  departureDate: date.optional(),
  /**
   * §34(2): name and address are under name-and-address protection (§28); the
   * receiving authority gets them with this mark and must not pass them on.
   */
  protected: z.literal(true).optional(),
});
export type StandardInformation = z.output<typeof standardInformation>;

/** The answer to a standard-information request (`inReplyTo` names it); `found: false` when the number is unknown there. */
export const standardInformationBody = z.union([
  z.strictObject({ found: z.literal(true), information: standardInformation }),
  z.strictObject({ found: z.literal(false) }),
]);

const envelope = {
  protocol: z.literal(PROTOCOL),
  /** The idempotency key: unique per sender; a resend carries the same id. */
  messageId: z.string().regex(/^[A-Za-z0-9._:-]{8,80}$/, 'a message id of 8-80 letters, digits and ._:-'),
  from: country,
  to: country,
  sentAt: z.string().datetime({ offset: true }),
  inReplyTo: z.string().min(8).max(80).optional(),
};

export const messageSchema = z.discriminatedUnion('kind', [
  z.strictObject({ ...envelope, kind: z.literal('move_in_notice'), body: moveInNoticeBody }),
  z.strictObject({ ...envelope, kind: z.literal('refusal_notice'), body: refusalNoticeBody }),
  z.strictObject({ ...envelope, kind: z.literal('standard_information_request'), body: standardInformationRequestBody }),
  z.strictObject({ ...envelope, kind: z.literal('standard_information'), inReplyTo: z.string().min(8).max(80), body: standardInformationBody }),
]);
export type NordicMessage = z.output<typeof messageSchema>;
export type MessageKind = NordicMessage['kind'];

/** The receiver's answer: 202 accepted the first time, 200 duplicate for a message id it already has. */
export const receiptSchema = z.strictObject({ messageId: z.string(), status: z.enum(['accepted', 'duplicate']) });
export type Receipt = z.output<typeof receiptSchema>;

/**
 * The retry schedule of an undelivered message: 1, 2, 4, ... minutes after
 * each failed attempt, at most 6 hours apart; an unreachable peer loses
 * nothing, the message waits in the outbox until it is delivered.
 */
export function retryDelayMs(attempts: number): number {
  const minutes = Math.min(2 ** Math.max(0, attempts - 1), 360);
  return minutes * 60_000;
}

/**
 * Whether a failed delivery is worth retrying: network errors, timeouts,
 * 408, 429 and 5xx are; another 4xx means the receiver will never accept the
 * message (it is kept as failed for the CPR office to look at).
 */
export function retryable(status: number | null): boolean {
  return status === null || status === 408 || status === 429 || status >= 500;
}

/**
 * The peer of each Nordic country: `5120=http://127.0.0.1:7120,5110=...`
 * (OPENCPR_NORDIC_PEERS). A country without a peer keeps its messages
 * waiting, as an unreachable one does.
 */
export function parsePeers(spec: string | undefined): Map<string, string> {
  const peers = new Map<string, string>();
  for (const part of (spec ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d{4})=(https?:\/\/\S+)$/.exec(part);
    if (!m) throw new Error(`OPENCPR_NORDIC_PEERS: "${part}" is not <country code>=<url>`);
    peers.set(m[1]!, m[2]!.replace(/\/+$/, ''));
  }
  return peers;
}
