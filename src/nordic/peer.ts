/**
 * A simulated Nordic peer (NOR-1, seed 004): a small stand-in for another
 * country's central registration authority (Skatteverket by default), for the
 * tests and the demo. A separate process on loopback speaking the documented
 * protocol (docs/api/nordic-exchange.md, src/domain/nordic/exchange.ts): it
 * receives Denmark's messages once per message id, answers standard-
 * information requests from the persons it is given, and sends its own
 * messages to Denmark from an outbox it retries until Denmark acknowledges.
 *
 *   node --import tsx src/nordic/peer.ts --country 5120 --port 7120 \
 *     --denmark http://127.0.0.1:3000/api/v1/nordic-exchange --key ocpr_… [--flush-ms 2000]
 *
 * It prints one line `{"exchangeUrl": "http://127.0.0.1:<port>/nordic/v1"}`
 * when it listens. Faults for tests: `POST /control/faults
 * { refuse: n, dropResponses: n }` answers the next n messages 503 without
 * keeping them (a lost message), or keeps them and cuts the connection
 * before the answer (a lost acknowledgement). State is in memory only.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DENMARK, MESSAGES_PATH, messageSchema, PROTOCOL, receiptSchema, standardInformation, type NordicMessage } from '../domain/nordic/exchange.ts';

const { values: args } = parseArgs({
  options: {
    country: { type: 'string', default: '5120' },
    port: { type: 'string', default: '0' },
    denmark: { type: 'string' },
    key: { type: 'string' },
    'flush-ms': { type: 'string', default: '0' },
  },
});
const COUNTRY = args.country!;
const BASE = '/nordic/v1';

const received = new Map<string, NordicMessage>();
let duplicates = 0;
const outbox: Array<{ message: NordicMessage; delivered: boolean; attempts: number; lastError: string | null }> = [];
const people = new Map<string, z.output<typeof standardInformation>>();
const faults = { refuse: 0, dropResponses: 0, loseOutgoing: 0, loseAcks: 0 };

function queue(m: Omit<NordicMessage, 'protocol' | 'messageId' | 'from' | 'to' | 'sentAt'>): NordicMessage {
  const message = { protocol: PROTOCOL, messageId: `p${COUNTRY}-${randomUUID()}`, from: COUNTRY, to: DENMARK, sentAt: new Date().toISOString(), ...m } as NordicMessage;
  outbox.push({ message, delivered: false, attempts: 0, lastError: null });
  return message;
}

async function post(message: NordicMessage): Promise<{ status: number | null; body: unknown }> {
  if (!args.denmark) return { status: null, body: 'no --denmark URL' };
  try {
    const res = await fetch(args.denmark + MESSAGES_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(args.key && { authorization: `Bearer ${args.key}` }) },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON: kept as text */
    }
    return { status: res.status, body };
  } catch (e) {
    return { status: null, body: e instanceof Error ? e.message : String(e) };
  }
}

/** Sends what is undelivered; a message stays until Denmark acknowledges it. */
async function flush(): Promise<{ delivered: string[]; pending: string[] }> {
  const delivered: string[] = [];
  for (const o of outbox.filter((x) => !x.delivered)) {
    o.attempts++;
    if (faults.loseOutgoing > 0) {
      faults.loseOutgoing--;
      o.lastError = 'simulated: lost on the way';
      continue;
    }
    const r = await post(o.message);
    if (faults.loseAcks > 0) {
      // Denmark received it, but the acknowledgement never arrives: it stays to be sent again.
      faults.loseAcks--;
      o.lastError = 'simulated: acknowledgement lost';
      continue;
    }
    const receipt = receiptSchema.safeParse(r.body);
    if (r.status !== null && r.status < 300 && receipt.success && receipt.data.messageId === o.message.messageId) {
      o.delivered = true;
      o.lastError = null;
      delivered.push(o.message.messageId);
    } else {
      o.lastError = `${r.status ?? 'unreachable'}: ${JSON.stringify(r.body).slice(0, 300)}`;
    }
  }
  return { delivered, pending: outbox.filter((x) => !x.delivered).map((x) => x.message.messageId) };
}

function receive(m: NordicMessage): 'accepted' | 'duplicate' {
  if (received.has(m.messageId)) {
    duplicates++;
    return 'duplicate';
  }
  received.set(m.messageId, m);
  if (m.kind === 'standard_information_request') {
    const info = people.get(m.body.recipientPnr);
    queue({ kind: 'standard_information', inReplyTo: m.messageId, body: info ? { found: true, information: info } : { found: false } } as Omit<NordicMessage, 'protocol' | 'messageId' | 'from' | 'to' | 'sentAt'>);
  }
  return 'accepted';
}

const sendSchema = z.strictObject({ kind: z.string(), body: z.unknown(), inReplyTo: z.string().optional() });

async function route(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
  const answer = (status: number, json: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(json));
  };
  const path = (req.url ?? '').split('?')[0];
  if (req.method === 'POST' && path === BASE + MESSAGES_PATH) {
    if (faults.refuse > 0) {
      faults.refuse--;
      return answer(503, { code: 'unavailable', detail: 'simulated outage: the message is not kept' });
    }
    const m = messageSchema.safeParse(body);
    if (!m.success) return answer(400, { code: 'bad_request', detail: m.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    if (m.data.to !== COUNTRY) return answer(422, { code: 'wrong_recipient', detail: `this is ${COUNTRY}, not ${m.data.to}` });
    const status = receive(m.data);
    if (faults.dropResponses > 0) {
      faults.dropResponses--;
      req.socket.destroy(); // kept, but the acknowledgement is lost
      return;
    }
    return answer(status === 'accepted' ? 202 : 200, { messageId: m.data.messageId, status });
  }
  if (req.method === 'POST' && path === '/control/send') {
    const s = sendSchema.safeParse(body);
    if (!s.success) return answer(400, { code: 'bad_request' });
    const m = queue({ kind: s.data.kind, body: s.data.body, ...(s.data.inReplyTo && { inReplyTo: s.data.inReplyTo }) } as Omit<NordicMessage, 'protocol' | 'messageId' | 'from' | 'to' | 'sentAt'>);
    const check = messageSchema.safeParse(m);
    if (!check.success) {
      outbox.pop();
      return answer(400, { code: 'bad_request', detail: check.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    }
    return answer(201, { messageId: m.messageId });
  }
  if (req.method === 'POST' && path === '/control/flush') return answer(200, await flush());
  if (req.method === 'POST' && path === '/control/resend') {
    // A duplicate delivery: the same message, the same id, once more.
    const id = (body as { messageId?: string } | null)?.messageId;
    const o = outbox.find((x) => x.message.messageId === id);
    if (!o) return answer(404, { code: 'not_found' });
    return answer(200, await post(o.message));
  }
  if (req.method === 'POST' && path === '/control/faults') {
    const n = z.number().int().min(0).optional();
    const f = z.strictObject({ refuse: n, dropResponses: n, loseOutgoing: n, loseAcks: n }).safeParse(body);
    if (!f.success) return answer(400, { code: 'bad_request' });
    Object.assign(faults, f.data);
    return answer(200, faults);
  }
  if (req.method === 'POST' && path === '/control/people') {
    const p = z.strictObject({ pnr: z.string(), information: standardInformation }).safeParse(body);
    if (!p.success) return answer(400, { code: 'bad_request' });
    people.set(p.data.pnr, p.data.information);
    return answer(201, { pnr: p.data.pnr });
  }
  if (req.method === 'GET' && path === '/control/state') {
    return answer(200, { country: COUNTRY, received: [...received.values()], duplicates, outbox, faults });
  }
  return answer(404, { code: 'not_found' });
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let body: unknown = null;
    try {
      body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : null;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'bad_request', detail: 'not JSON' }));
      return;
    }
    route(req, res, body).catch((e) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'internal', detail: String(e) }));
    });
  });
});

server.listen(Number(args.port), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ exchangeUrl: `http://127.0.0.1:${port}${BASE}`, country: COUNTRY })}\n`);
});
const every = Number(args['flush-ms']);
if (every > 0) setInterval(() => void flush(), every).unref();
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
