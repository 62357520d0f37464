/**
 * Subscriptions to changes of persons (§38(2) nr. 10, §32, Bilag 1 nr. 14),
 * the event feed over the registration log (REG-6), and usage metering per
 * customer and month (DIS-9). docs/api/events.md describes them.
 *
 * PNR-5: no answer to a private customer holds a person number; its
 * subscription (id and the customer's own reference) names the person.
 */
import { z } from 'zod';
import type { Caller } from '../../access/customers.ts';
import { dateOf } from '../../domain/dates.ts';
import { FeedService, MAX_LIMIT, DEFAULT_LIMIT, feedRightOf, SubscriptionService, type Subscription } from '../../services/feed.ts';
import { MONTH_RE, UsageService } from '../../services/usage.ts';
import { Problem } from '../problems.ts';
import type { Api, ApiContext } from '../server.ts';
import { pnrParam } from './persons.ts';

const wholeNumber = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,16}$/, `${name} is a whole number`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} is from ${min} to ${max}`);

const subscriptionSchema = z.object({
  id: z.string(),
  reference: z.string().describe("The customer's own name for the person (default: the subscription id); identifies the person in the feed"),
  pnr: z.string().optional().describe('Only to a public authority whose scope holds pnr; never to a private customer (PNR-5)'),
  createdAt: z.string(),
  endedAt: z.string().nullable(),
  active: z.boolean(),
});

const feedItemSchema = z.object({
  seq: z.number().int().describe('The registration\'s place in the log'),
  eventCode: z.string().describe('CPR event code (COD-4), e.g. A01 move'),
  registeredAt: z.string(),
  pnr: z.string().optional().describe('Public authorities whose scope holds pnr'),
  subscription: z.object({ id: z.string(), reference: z.string() }).optional().describe('Private customers: the subscription that names the person'),
  fields: z.array(z.string()).describe('The fields that changed, cut to the customer\'s legal bases and scope (names only; values come from a lookup)'),
  annuls: z.number().int().optional().describe('An annulment (REG-3): the seq of the registration it annuls'),
});

const amountSchema = z.object({ ore: z.number().int(), kroner: z.string() });
const usageSchema = z.object({
  customer: z.object({ id: z.string(), name: z.string(), kind: z.string() }),
  month: z.string(),
  transactions: z.array(
    z.object({
      actor: z.string(),
      actorName: z.string().nullable(),
      actorKind: z.enum(['user', 'program']),
      type: z.string(),
      count: z.number().int(),
      lookup: z.boolean(),
    }),
  ),
  totals: z.object({ transactions: z.number().int(), lookups: z.number().int() }),
  services: z.array(z.enum(['cprWeb', 'cprServices'])),
  subscriptions: z.object({ active: z.number().int(), activeAtEnd: z.number().int(), created: z.number().int(), ended: z.number().int() }),
  invoice: z.object({
    lines: z.array(
      z.object({
        item: z.enum(['subscription', 'lookups']),
        service: z.enum(['cprWeb', 'cprServices']).optional(),
        description: z.string(),
        quantity: z.number().int(),
        unitPrice: amountSchema,
        amount: amountSchema,
      }),
    ),
    total: amountSchema,
    priceSource: z.string(),
  }),
});

function toWire(s: Subscription, showPnr: boolean) {
  return {
    id: s.id,
    reference: s.reference,
    ...(showPnr && { pnr: s.pnr }),
    createdAt: s.createdAt,
    endedAt: s.endedAt,
    active: s.endedAt === null,
  };
}

export function eventRoutes(app: Api, ctx: ApiContext): void {
  const subscriptions = new SubscriptionService(ctx.readers);
  const feed = new FeedService(ctx.readers);
  const usage = new UsageService(ctx.register.store, ctx.audit, ctx.access);
  const tags = ['subscriptions and events'];
  // Listing and ending stay possible for a customer that has lost its basis; the number then is not shown.
  const showPnr = (caller: Caller) => {
    try {
      return feedRightOf(caller).showPnr;
    } catch {
      return false;
    }
  };

  app.post(
    '/api/v1/subscriptions',
    {
      config: { auth: { roles: ['subscribe'] } },
      schema: {
        tags,
        summary: 'Subscribe to the changes of one person (§38(2) nr. 10, §32); an active subscription to the same person is returned as it is',
        body: z.strictObject({
          pnr: pnrParam,
          reference: z
            .string()
            .trim()
            .min(1)
            .max(64)
            .regex(/^[^\p{Cc}]+$/u, 'no control characters')
            .optional()
            .describe("The customer's own name for the person in the feed; never a person number for a private customer"),
        }),
        response: { 200: subscriptionSchema, 201: subscriptionSchema },
      },
    },
    async (req, reply) => {
      const caller = req.caller!;
      const { subscription, created } = await subscriptions.create(caller, req.body, req.id);
      reply.code(created ? 201 : 200);
      return toWire(subscription, showPnr(caller));
    },
  );

  app.get(
    '/api/v1/subscriptions',
    {
      config: { auth: { roles: ['subscribe'] } },
      schema: {
        tags,
        summary: "The customer's subscriptions in creation order, ended ones included unless state=active",
        querystring: z.object({
          state: z.enum(['active', 'ended', 'all']).default('all'),
          limit: wholeNumber('limit', 1, MAX_LIMIT).optional(),
          cursor: z.string().max(200).optional().describe('`next` of the previous page'),
        }),
        response: { 200: z.object({ items: z.array(subscriptionSchema), next: z.string().nullable(), hasMore: z.boolean() }) },
      },
    },
    async (req) => {
      const caller = req.caller!;
      const show = showPnr(caller);
      const page = await subscriptions.list(caller, { state: req.query.state, limit: req.query.limit, cursor: req.query.cursor });
      if (show) await subscriptions.recordList(caller, page, req.id);
      return { items: page.items.map((s) => toWire(s, show)), next: page.next, hasMore: page.hasMore };
    },
  );

  app.get(
    '/api/v1/subscriptions/:id',
    {
      config: { auth: { roles: ['subscribe'] } },
      schema: { tags, summary: 'One of the customer\'s subscriptions', params: z.object({ id: z.string().max(64) }), response: { 200: subscriptionSchema } },
    },
    async (req) => {
      const caller = req.caller!;
      const show = showPnr(caller);
      const s = await subscriptions.get(caller, req.params.id);
      if (show) await subscriptions.recordList(caller, { items: [s], next: null, hasMore: false }, req.id);
      return toWire(s, show);
    },
  );

  app.delete(
    '/api/v1/subscriptions/:id',
    {
      config: { auth: { roles: ['subscribe'] } },
      schema: {
        tags,
        summary: 'End a subscription now; it is kept (with its end) for the feed\'s history and for billing',
        params: z.object({ id: z.string().max(64) }),
        response: { 200: subscriptionSchema },
      },
    },
    async (req) => {
      const caller = req.caller!;
      return toWire(await subscriptions.end(caller, req.params.id, req.id), showPnr(caller));
    },
  );

  app.get(
    '/api/v1/events',
    {
      config: { auth: { roles: ['lookup', 'subscribe'] } },
      schema: {
        tags,
        summary: 'The registrations after a sequence number, in log order, cut to the customer (REG-6); pass `next` as `after`',
        querystring: z.object({
          after: wholeNumber('after', 0, Number.MAX_SAFE_INTEGER).default(0).describe('The last seq seen (`next` of the previous page); 0 for the start'),
          limit: wholeNumber('limit', 1, MAX_LIMIT).default(DEFAULT_LIMIT).describe(`At most this many items (1-${MAX_LIMIT}, default ${DEFAULT_LIMIT})`),
        }),
        response: { 200: z.object({ items: z.array(feedItemSchema), next: z.number().int(), hasMore: z.boolean() }) },
      },
    },
    async (req) => feed.page(req.caller!, { after: req.query.after, limit: req.query.limit, requestId: req.id }),
  );

  app.get(
    '/api/v1/usage',
    {
      config: { auth: { roles: ['security_officer', 'admin'] } },
      schema: {
        tags: ['usage'],
        summary: 'Usage in a month (DIS-9): transactions per user and type from the audit log, subscriptions, and the invoice basis',
        querystring: z.object({
          month: z.string().regex(MONTH_RE, 'a month YYYY-MM').optional().describe('YYYY-MM (UTC); default the current month'),
          customer: z.string().max(64).optional().describe('Another customer: the CPR administration (role admin) only'),
        }),
        response: { 200: usageSchema },
      },
    },
    async (req) => {
      const caller = req.caller!;
      const id = req.query.customer ?? caller.customer.id;
      if (id !== caller.customer.id && !caller.principal.roles.includes('admin')) {
        throw Problem.of('forbidden', "Only your own customer's usage.", 'Kun din egen kundes forbrug.');
      }
      const month = req.query.month ?? dateOf(ctx.clock.now()).slice(0, 7);
      return usage.usage(id, month);
    },
  );
}
