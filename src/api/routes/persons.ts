/**
 * Public authorities' lookups by person number (DIS-2, §31-§34): current or
 * as-of (valid at / known at), with history when in scope, and bulk lookups
 * of up to 1,000 numbers. Every answer is cut to the customer's scope and
 * audited before it leaves. Companies identify persons through enquiries
 * (§42(6)), not here.
 */
import { z } from 'zod';
import { isPrivateKind } from '../../domain/disclosure/policy.ts';
import { normalisePnr } from '../../domain/pnr/pnr.ts';
import { parseCivilDate, parseInstant } from '../../domain/dates.ts';
import { DisclosureService, type PersonDisclosure } from '../../services/disclosure.ts';
import type { Caller } from '../../access/customers.ts';
import { Problem } from '../problems.ts';
import type { Api, ApiContext } from '../server.ts';
import { asBuilt } from '../as-built.ts';

export const pnrParam = z.string().transform((s, c) => {
  const p = normalisePnr(s);
  if (!p) {
    c.addIssue({ code: 'custom', message: 'a person number DDMMYY-SSSS or DDMMYYSSSS' });
    return z.NEVER;
  }
  return p;
});
export const validAtParam = z
  .string()
  .refine((s) => parseCivilDate(s) !== null, 'a date YYYY-MM-DD')
  .optional()
  .describe('Validity date (virkning), YYYY-MM-DD; default today');
export const knownAtParam = z
  .string()
  .refine((s) => parseInstant(s) !== null, 'a date or an ISO time')
  .transform((s) => parseInstant(s)!)
  .optional()
  .describe('Registration time (registrering): what the register knew then; default now');

const withheld = z.object({ field: z.string(), reason: z.string(), rule: z.string() });
export const disclosureSchema = z.object({
  pnr: z.string().optional().describe('Only where a rule allows the number'),
  validAt: z.string(),
  knownAt: z.string(),
  data: z.record(z.string(), z.unknown()).describe('The disclosed fields (docs/disclosure.md)'),
  protectionMark: z
    .object({ type: z.literal('0001'), validFrom: z.string(), validTo: z.string().nullable(), rules: z.array(z.string()), doNotPassOn: z.boolean() })
    .optional()
    .describe('Name-and-address protection (§28): the names and addresses must not be passed on (§34(2))'),
  withheld: z.array(withheld).describe('Fields the person has that were not disclosed, with the reason'),
  basis: z.array(z.string()).describe('The legal bases used'),
  fields: z.array(z.string()),
});

/** The wire form of a disclosure: the number only where the data holds it. */
export function toWire(d: PersonDisclosure) {
  return {
    ...(d.data.pnr !== undefined && { pnr: d.data.pnr }),
    validAt: d.validAt,
    knownAt: d.knownAt,
    data: d.data as Record<string, unknown>,
    ...(d.protectionMark && { protectionMark: d.protectionMark }),
    withheld: d.withheld,
    basis: d.basis,
    fields: d.fields as string[],
  };
}

function requireAuthority(caller: Caller): void {
  if (isPrivateKind(caller.customer.kind)) {
    throw Problem.of('no_legal_basis', 'Companies identify a person by name plus birth date, address or number: use /api/v1/enquiries (§42(6)).');
  }
}

export function personRoutes(app: Api, ctx: ApiContext): void {
  const service = new DisclosureService(ctx.readers);
  const tags = ['public authorities'];

  app.get(
    '/api/v1/persons/:pnr',
    {
      config: { auth: { roles: ['lookup'] } },
      serializerCompiler: asBuilt,
      schema: {
        tags,
        summary: 'A person as valid at a date and known at a time, cut to the customer\'s scope (§31-§34)',
        params: z.object({ pnr: pnrParam }),
        querystring: z.object({ validAt: validAtParam, knownAt: knownAtParam, history: z.enum(['true', 'false']).optional() }),
        response: { 200: disclosureSchema },
      },
    },
    async (req) => {
      requireAuthority(req.caller!);
      const d = await service.lookup(req.caller!, req.params.pnr, {
        validAt: req.query.validAt,
        knownAt: req.query.knownAt,
        history: req.query.history === 'true',
        requestId: req.id,
      });
      return toWire(d);
    },
  );

  app.post(
    '/api/v1/persons/bulk',
    {
      config: { auth: { roles: ['bulk'] } },
      serializerCompiler: asBuilt,
      schema: {
        tags,
        summary: 'Up to 1,000 persons in one call, each cut to the customer\'s scope; one audit record names them all',
        body: z.object({ pnrs: z.array(pnrParam).min(1).max(1000), validAt: validAtParam, knownAt: knownAtParam }),
        response: {
          200: z.object({
            results: z.array(z.union([disclosureSchema, z.object({ pnr: z.string(), notFound: z.literal(true) })])),
          }),
        },
      },
    },
    async (req) => {
      requireAuthority(req.caller!);
      const results = await service.lookupMany(req.caller!, req.body.pnrs, { validAt: req.body.validAt, knownAt: req.body.knownAt, requestId: req.id }, 'person.bulk');
      return { results: results.map((r) => ('notFound' in r ? r : toWire(r))) };
    },
  );
}
