/**
 * The security officer's tools (AUD-4, standard terms): log search over the
 * own customer's lookups, and transaction statistics per user, transaction
 * type and month, both through the disclosing path (services/disclosure.ts):
 * a customer without person numbers sees its own references, never the
 * persons the register found (§38(2)/§42(2), PNR-5). A log search is itself logged.
 */
import { z } from 'zod';
import { DisclosureService } from '../../services/disclosure.ts';
import type { Api, ApiContext } from '../server.ts';

const period = z
  .string()
  .regex(/^\d{4}-\d{2}(-\d{2}(T[\d:.]+Z?)?)?$/, 'YYYY-MM, YYYY-MM-DD or an ISO time')
  .optional();
const record = z.object({
  id: z.number(),
  at: z.string(),
  customer: z.string().nullable(),
  actor: z.string(),
  actorKind: z.string(),
  action: z.string(),
  subjects: z.array(z.string()),
  legalBasis: z.string().nullable(),
  fields: z.array(z.string()).nullable(),
  requestId: z.string().nullable(),
});
const config = { auth: { roles: ['security_officer' as const] } };
const tags = ['security officer'];

export function securityRoutes(app: Api, ctx: ApiContext): void {
  const disclosure = new DisclosureService(ctx.readers);
  app.get(
    '/api/v1/security/audit',
    {
      config,
      schema: {
        tags,
        summary: 'Log search: the own customer\'s lookups, all or by user, person, transaction type and period',
        querystring: z.object({
          actor: z.string().optional(),
          pnr: z.string().optional(),
          type: z.string().optional(),
          from: period,
          to: period,
          limit: z.coerce.number().int().min(1).max(1000).optional(),
          cursor: z.string().optional(),
        }),
        response: { 200: z.object({ records: z.array(record), nextCursor: z.string().optional() }) },
      },
    },
    async (req) => {
      const page = await disclosure.logSearch(req.caller!, req.query, req.id);
      return {
        records: page.records.map(({ prevHash: _p, hash: _h, detail: _d, ...r }) => r),
        ...(page.nextCursor && { nextCursor: page.nextCursor }),
      };
    },
  );

  app.get(
    '/api/v1/security/statistics',
    {
      config,
      schema: {
        tags,
        summary: 'Transaction statistics: counts per user, transaction type and month',
        querystring: z.object({ from: period, to: period }),
        response: {
          200: z.object({
            rows: z.array(
              z.object({
                month: z.string(),
                actor: z.string(),
                type: z.string(),
                count: z.number(),
                protectedPersons: z.number().describe('Persons disclosed with name-and-address protection (§28) in these transactions'),
              }),
            ),
          }),
        },
      },
    },
    async (req) => ({ rows: await disclosure.logStatistics(req.caller!, req.query) }),
  );
}
