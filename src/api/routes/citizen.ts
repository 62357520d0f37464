/**
 * Citizens' own data (DIS-6, §46) and the marketing-protection list for
 * businesses (DIS-7, §40(4)-(5)).
 *
 * - `GET /api/v1/me`: the attestation as JSON; `GET /api/v1/me/attestation.txt`
 *   the same as plain text to print. Role `own_data`, a principal of a
 *   `citizen` customer acting for a person number; no parameter names a
 *   person, so a citizen can only ever read themself.
 * - `GET /api/v1/extracts/marketing-protection`: the current quarter's list as
 *   CSV, made on demand the first time it is asked for in a quarter. Role
 *   `lookup`, a private business customer with a business basis.
 *
 * docs/api/citizen.md describes the answers and the file layouts.
 */
import { actorOf } from '../../access/audit-entry.ts';
import { Readable } from 'node:stream';
import { z } from 'zod';
import type { Caller } from '../../access/customers.ts';
import { AttestationService, renderAttestation } from '../../services/attestation.ts';
import { ExtractService, MARKETING_COLUMNS } from '../../services/extracts.ts';
import { MARKETING_LIST_BASES, MARKETING_LIST_KINDS } from '../../domain/disclosure/services.ts';
import { Problem } from '../problems.ts';
import type { Api, ApiContext } from '../server.ts';

export { MARKETING_LIST_BASES, MARKETING_LIST_KINDS };

const withheld = z.object({ field: z.string(), reason: z.string(), rule: z.string() });
const familyMember = z.object({
  role: z.enum(['mother', 'father', 'child']),
  pnr: z.string().optional(),
  name: z.string().optional(),
  birthDate: z.string().optional(),
  since: z.string(),
});
const spouse = z.object({ pnr: z.string().optional(), name: z.string().optional(), civilStatus: z.string(), from: z.string(), to: z.string().nullable() });

export const attestationSchema = z.object({
  pnr: z.string().describe('Your own person number'),
  legalBasis: z.literal('§46'),
  issuedAt: z.string(),
  validAt: z.string().describe('The data is as valid on this date …'),
  knownAt: z.string().describe('… as known to the register at this time'),
  data: z.record(z.string(), z.unknown()).describe('Current data: the fields of docs/disclosure.md, without history'),
  family: z.object({
    parents: z.array(familyMember),
    spouse: spouse.nullable(),
    formerSpouses: z.array(spouse),
    children: z.array(familyMember),
  }),
  history: z
    .array(
      z.object({
        group: z.string(),
        value: z.unknown(),
        validFrom: z.string(),
        validTo: z.string().nullable(),
        registeredFrom: z.string(),
        registeredTo: z.string().nullable(),
      }),
    )
    .describe('Every version valid at any time, as known now (current and former data)'),
  protectionMark: z
    .object({ type: z.literal('0001'), validFrom: z.string(), validTo: z.string().nullable(), rules: z.array(z.string()), doNotPassOn: z.boolean() })
    .optional(),
  withheld: z.array(withheld),
  lookups: z
    .array(
      z.object({
        date: z.string(),
        at: z.string(),
        customer: z.string().describe('The customer (authority or company), never the individual user'),
        customerKind: z.string().nullable(),
        type: z.string(),
        legalBasis: z.string().nullable(),
        list: z
          .object({ kind: z.string(), period: z.string().optional(), municipalityCode: z.string().optional(), recipient: z.string().optional() })
          .optional(),
      }),
    )
    .describe('Who looked you up, and delivered lists you were on, in time order'),
  note: z.string(),
});

function requireCitizen(caller: Caller): void {
  if (caller.customer.kind !== 'citizen') {
    throw Problem.of('forbidden', 'Own data (§46) is for citizens.', 'Egne oplysninger (§ 46) er for borgere.');
  }
  if (!caller.principal.pnr) {
    throw Problem.of('forbidden', 'This citizen login is not tied to a person number.', 'Dette borgerlogin er ikke knyttet til et personnummer.');
  }
}

function requireBusiness(caller: Caller): void {
  const { kind, legalBases } = caller.customer;
  if (!MARKETING_LIST_KINDS.includes(kind) || !legalBases.some((b) => MARKETING_LIST_BASES.includes(b))) {
    throw Problem.of(
      'no_legal_basis',
      `The marketing-protection list is delivered to businesses (§40(5)): a private business customer with one of the bases ${MARKETING_LIST_BASES.join(', ')}.`,
      `Fortegnelsen over reklamebeskyttede leveres til erhvervsdrivende (§ 40, stk. 5).`,
    );
  }
}

export function citizenRoutes(app: Api, ctx: ApiContext): void {
  const extracts = new ExtractService(ctx.register, ctx.audit);
  const attestations = new AttestationService(ctx.readers, extracts);

  app.get(
    '/api/v1/me',
    {
      config: { auth: { roles: ['own_data'] } },
      schema: {
        tags: ['citizens'],
        summary: 'Your own data (§46): current and former data, your children\'s, spouse\'s and parents\' numbers, and who looked you up',
        response: { 200: attestationSchema },
      },
    },
    async (req) => {
      requireCitizen(req.caller!);
      return attestations.ownData(req.caller!, { requestId: req.id });
    },
  );

  app.get(
    '/api/v1/me/attestation.txt',
    {
      config: { auth: { roles: ['own_data'] } },
      schema: {
        tags: ['citizens'],
        summary: 'Your own data (§46) as a plain-text attestation in Danish, to print',
        produces: ['text/plain'],
      },
    },
    async (req, reply) => {
      requireCitizen(req.caller!);
      const a = await attestations.ownData(req.caller!, { requestId: req.id });
      reply
        .type('text/plain; charset=utf-8')
        .header('content-disposition', `inline; filename="cpr-attestation-${a.validAt}.txt"`)
        .header('cache-control', 'no-store');
      return renderAttestation(a);
    },
  );

  app.get(
    '/api/v1/extracts/marketing-protection',
    {
      config: { auth: { roles: ['lookup'] } },
      schema: {
        tags: ['businesses'],
        summary:
          'The quarter\'s list of persons with marketing protection (§40(4)-(5)) as CSV: name, address and the latest previous address within 3 years; ' +
          `columns ${MARKETING_COLUMNS.join(', ')}`,
        produces: ['text/csv'],
      },
    },
    async (req, reply) => {
      const caller = req.caller!;
      requireBusiness(caller);
      const ext = await extracts.currentMarketingList({ requestId: req.id });
      // One audit record per download, naming the list (its rows say who is on it); committed before any byte is sent.
      await extracts.recordDownload(ext, { ...actorOf(caller), requestId: req.id });
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${ext.fileName}"`)
        .header('cache-control', 'no-store')
        .header('etag', `"${ext.sha256}"`)
        .header('x-opencpr-extract', ext.id)
        .header('x-opencpr-layout', ext.layout)
        .header('x-opencpr-period', ext.period ?? '')
        .header('x-opencpr-as-of', ext.asOf)
        .header('x-opencpr-rows', String(ext.rows));
      return reply.send(Readable.from(extracts.file(ext.id)));
    },
  );
}
