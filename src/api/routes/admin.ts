/**
 * Administration: the CPR administration creates customers, grants legal
 * bases and scopes; a customer's security officer keeps the list of its users
 * and programs with their dates (AUD-1, standard terms §3).
 */
import { z } from 'zod';
import { newCustomerSchema, newPrincipalSchema, CUSTOMER_KINDS, ROLES } from '../../access/customers.ts';
import { Problem } from '../problems.ts';
import type { Api, ApiContext } from '../server.ts';

const customer = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(CUSTOMER_KINDS),
  number: z.string().nullable(),
  legalBases: z.array(z.string()),
  scope: z.array(z.string()),
  allowList: z.array(z.string()),
  ratePerMinute: z.number(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
});
const principal = z.object({
  id: z.string(),
  customerId: z.string(),
  kind: z.enum(['user', 'program']),
  name: z.string(),
  roles: z.array(z.enum(ROLES)),
  pnr: z.string().nullable(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
});
const authorisation = principal.extend({
  credentials: z.array(z.object({ id: z.string(), kind: z.string(), createdAt: z.string(), expiresAt: z.string().nullable(), revokedAt: z.string().nullable() })),
});
const admin = { auth: { roles: ['admin' as const] } };
const tags = ['administration'];

export function adminRoutes(app: Api, ctx: ApiContext): void {
  app.get('/api/v1/admin/customers', { config: admin, schema: { tags, summary: 'All customers', response: { 200: z.array(customer) } } }, async () =>
    ctx.access.customers(),
  );
  app.post(
    '/api/v1/admin/customers',
    { config: admin, schema: { tags, summary: 'Create a customer with legal bases, scope, allow-list and rate limit', body: newCustomerSchema, response: { 201: customer } } },
    async (req, reply) => reply.code(201).send(await ctx.access.createCustomer(req.body)),
  );
  app.patch(
    '/api/v1/admin/customers/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Change a customer\'s legal bases, scope, allow-list, rate limit or end date',
        params: z.object({ id: z.string() }),
        body: newCustomerSchema.pick({ allowList: true, ratePerMinute: true, scope: true, legalBases: true, validTo: true }).partial(),
        response: { 200: customer },
      },
    },
    async (req) => ctx.access.updateCustomer(req.params.id, req.body),
  );
  app.post(
    '/api/v1/admin/customers/:id/principals',
    {
      config: admin,
      schema: { tags, summary: 'Authorise a user or system program of a customer', params: z.object({ id: z.string() }), body: newPrincipalSchema, response: { 201: principal } },
    },
    async (req, reply) => reply.code(201).send(await ctx.access.addPrincipal(req.params.id, req.body)),
  );
  app.post(
    '/api/v1/admin/principals/:id/credentials',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Issue an API key or OAuth2 client secret; the secret is shown once',
        params: z.object({ id: z.string() }),
        body: z.object({ kind: z.enum(['api_key', 'client_secret']), expiresAt: z.string().datetime().optional() }),
        response: { 201: z.object({ id: z.string(), secret: z.string(), apiKey: z.string().optional() }) },
      },
    },
    async (req, reply) => reply.code(201).send(await ctx.access.issueCredential(req.params.id, req.body.kind, req.body.expiresAt)),
  );

  // The security officer's list: one call (AUD-1). The CPR administration may read any customer's.
  app.get(
    '/api/v1/security/authorisations',
    {
      config: { auth: { roles: ['security_officer', 'admin'] } },
      schema: {
        tags: ['security officer'],
        summary: 'Every user and program of the caller\'s customer, with authorisation dates and credentials',
        querystring: z.object({ customer: z.string().optional() }),
        response: { 200: z.object({ customer, authorisations: z.array(authorisation) }) },
      },
    },
    async (req) => {
      const caller = req.caller!;
      const id = req.query.customer ?? caller.customer.id;
      if (id !== caller.customer.id && caller.customer.kind !== 'cpr_admin') throw Problem.of('forbidden', 'Only your own customer\'s list.');
      return { customer: await ctx.access.customer(id), authorisations: await ctx.access.authorisations(id) };
    },
  );
}
