/**
 * The Nordic exchange (NOR-1, NOR-2, seed 004): the inbox the other Nordic
 * countries' central authorities deliver to (through the CPR office's
 * channel), the CPR office's view of the outbox and a delivery run by hand,
 * and the municipality's two reports that go out as messages: a subsequent
 * enquiry for the standard information and a refusal of entry. Every call is
 * an audit record of its acting user (services/registration/audited.ts).
 * docs/api/nordic-exchange.md describes the protocol and the calls.
 */
import { z } from 'zod';
import type { Caller } from '../../access/customers.ts';
import { messageSchema, parsePeers, receiptSchema } from '../../domain/nordic/exchange.ts';
import { audited as auditedBy, registrationEntry, TX, type Described, type RegistrationTransaction } from '../../services/registration/audited.ts';
import { normalisePnr } from '../../domain/pnr/pnr.ts';
import { RegistrationError } from '../../register/validate.ts';
import {
  deliverDue,
  entryRefusalSchema,
  listOutbox,
  NordicDeliveryJob,
  receiveMessage,
  registerEntryRefusal,
  requestStandardInformation,
  subsequentEnquirySchema,
} from '../../services/registration/nordic-exchange.ts';
import { Problem } from '../problems.ts';
import type { Api, ApiContext } from '../server.ts';

const auth = { auth: { roles: ['register' as const] } };
const tags = ['nordic-exchange'];

export function nordicExchangeRoutes(app: Api, ctx: ApiContext): void {
  // The peer of each country (OPENCPR_NORDIC_PEERS); without any, messages wait in the outbox.
  const peers = parsePeers(process.env.OPENCPR_NORDIC_PEERS);
  const job = new NordicDeliveryJob(ctx.register, { peers }, (e) => app.log.error({ err: e }, 'Nordic delivery failed'));
  if (peers.size > 0) {
    job.start();
    app.addHook('onClose', async () => job.stop());
  }

  const audited = <T>(req: { caller: Caller | null; id: string; body?: unknown }, type: RegistrationTransaction, describe: (r: T) => Described, fn: () => Promise<T>, legalBasis?: string | null) =>
    auditedBy(ctx.audit, req.caller!, type, req, fn, describe, legalBasis);
  const cprOffice = (caller: Caller) => {
    if (caller.customer.kind !== 'cpr_admin') throw Problem.of('forbidden', 'Only the CPR office sees the outbox and runs the delivery by hand.');
  };

  app.post('/api/v1/nordic-exchange/messages', {
    config: auth,
    schema: {
      tags,
      summary: "A message from a Nordic country's central authority (nordic-exchange/1): received once per message id; a duplicate gets 200 and changes nothing",
      body: messageSchema,
      response: { 200: receiptSchema, 202: receiptSchema },
    },
  }, async (req, reply) => {
    // §25: the exchange with the Nordic authorities is the legal basis of what the message shows or asks.
    const r = await audited(req, TX.nordicMessage, (x) => ({
      subjects: x.pnr ? [x.pnr] : [],
      detail: { messageId: req.body.messageId, from: req.body.from, kind: req.body.kind, status: x.receipt.status, ...x.outcome },
    }), () => receiveMessage(ctx.register, req.caller!, req.body), '§25');
    return reply.code(r.receipt.status === 'accepted' ? 202 : 200).send(r.receipt);
  });

  const outboxItem = z.object({
    messageId: z.string(), countryCode: z.string(), kind: z.string(), pnr: z.string().nullable(), createdAt: z.string(), attempts: z.number(),
    nextAttemptAt: z.string(), lastError: z.string().nullable(), deliveredAt: z.string().nullable(), failedAt: z.string().nullable(),
  });
  app.get('/api/v1/nordic-exchange/outbox', {
    config: auth,
    schema: {
      tags,
      summary: 'The outbox (CPR office): messages to the Nordic authorities, delivered, waiting for a retry, or refused',
      querystring: z.object({ pending: z.enum(['true', 'false']).optional() }),
      response: { 200: z.object({ messages: z.array(outboxItem) }) },
    },
  }, async (req) => {
    cprOffice(req.caller!);
    const messages = await audited(req, TX.nordicOutbox, (x) => ({ subjects: x.flatMap((m) => (m.pnr ? [m.pnr] : [])), detail: { messages: x.length } }), () => listOutbox(ctx.register, { pending: req.query.pending === 'true' }));
    return { messages };
  });

  app.post('/api/v1/nordic-exchange/deliver', {
    config: auth,
    schema: {
      tags,
      summary: 'Deliver what is due now (CPR office); it also runs by itself when peers are configured',
      response: { 200: z.object({ delivered: z.array(z.string()), retrying: z.array(z.string()), failed: z.array(z.string()) }) },
    },
  }, async (req) => {
    cprOffice(req.caller!);
    return audited(req, TX.nordicDeliveryRun, (x) => ({ subjects: [], detail: { delivered: x.delivered, retrying: x.retrying, failed: x.failed } }), () => job.run());
  });

  app.post('/api/v1/registration/nordic-enquiries', {
    config: auth,
    schema: {
      tags,
      summary: 'A subsequent enquiry (seed 004 II): request the standard information from the country of departure; the answer comes to the waiting register',
      body: subsequentEnquirySchema,
      response: { 202: z.object({ pnr: z.string(), waitingItem: z.string(), messageId: z.string() }) },
    },
  }, async (req, reply) => {
    const r = await audited(req, TX.nordicEnquiry, (x) => ({ subjects: [x.pnr], detail: { waitingItem: x.waitingItem, messageId: x.messageId, countryCode: req.body.countryCode } }), () =>
      requestStandardInformation(ctx.register, req.caller!, req.body).catch(async (e: unknown) => {
        // A refused enquiry has read the person (known? resident? where?): it is a transaction of the clerk too.
        if (e instanceof RegistrationError) {
          const pnr = normalisePnr(req.body.pnr);
          await ctx.audit.record(registrationEntry(req.caller!, TX.nordicEnquiry, req, { subjects: pnr ? [pnr] : [], detail: { refused: e.code, countryCode: req.body.countryCode } }));
        }
        throw e;
      }),
    );
    return reply.code(202).send(r);
  });

  app.post('/api/v1/registration/nordic-entry-refusals', {
    config: auth,
    schema: {
      tags,
      summary: 'A refusal of entry (seed 004 II "Afslag på indrejse"): the municipality refused to register a Nordic mover; CPR tells the country of departure',
      body: entryRefusalSchema,
      response: { 201: z.object({ waitingItem: z.string(), messageId: z.string() }) },
    },
  }, async (req, reply) => {
    const r = await audited(req, TX.nordicEntryRefusal, (x) => ({ subjects: [], detail: { waitingItem: x.waitingItem, messageId: x.messageId, countryCode: req.body.countryCode } }), () => registerEntryRefusal(ctx.register, req.caller!, req.body));
    return reply.code(201).send(r);
  });
}
