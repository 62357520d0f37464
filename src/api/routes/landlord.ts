/**
 * The landlord service over HTTP (LAN-1..LAN-5, seed 000): the search as
 * JSON (the web service, "CPR Services") and as an Excel download (the web
 * client's download), and the CPR administration's landlord customers.
 *
 * The search route admits any authenticated principal so that control 1
 * (the user's own grant, the `landlord` role) is the service's, audited like
 * every other refusal, rather than the server's generic `forbidden`.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ROLES } from '../../access/customers.ts';
import { parseCivilDate } from '../../domain/dates.ts';
import { LANDLORD_KINDS } from '../../domain/landlord/rules.ts';
import { LandlordCustomers, personOwnerNumbers, type LandlordView } from '../../services/landlord/customers.ts';
import { landlordWorkbook } from '../../services/landlord/excel.ts';
import { LandlordService, type AddressQuery } from '../../services/landlord/search.ts';
import type { Api, ApiContext } from '../server.ts';
import { asBuilt } from '../as-built.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
const date = z.string().refine((s) => parseCivilDate(s) !== null, 'a date YYYY-MM-DD');

/** LAN-2: one of four address forms, flat so a web form can post it; exactly one form. */
export const searchBody = z
  .strictObject({
    ownerNumber: text(11).describe("The owner's CVR number (8 digits) or CPR number (DDMMYY-SSSS); always required"),
    fromDate: date.optional().describe('Moved out on or after this date (default and earliest: 12 months back)'),
    addressId: text(40).optional().describe('DAR adresse id: one dwelling'),
    houseNumberId: text(40).optional().describe('DAR husnummer id: the whole stairwell'),
    roadName: text(60).optional(),
    municipalityCode: z.string().regex(/^\d{1,4}$/).optional(),
    roadCode: z.string().regex(/^\d{1,4}$/).optional(),
    houseNumber: text(8).optional(),
    floor: z.string().trim().max(6).optional().describe('Leave out floor and door for the whole stairwell'),
    door: z.string().trim().max(6).optional(),
    postalCode: z.string().regex(/^\d{4}$/).optional(),
  })
  .transform((b, ctx) => {
    const forms = [b.addressId !== undefined, b.houseNumberId !== undefined, b.roadName !== undefined, b.municipalityCode !== undefined || b.roadCode !== undefined];
    if (forms.filter(Boolean).length !== 1) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one address: addressId, houseNumberId, roadName + houseNumber + postalCode, or municipalityCode + roadCode + houseNumber' });
      return z.NEVER;
    }
    const unit = { ...(b.floor !== undefined && { floor: b.floor }), ...(b.door !== undefined && { door: b.door }) };
    let address: AddressQuery;
    if (b.addressId !== undefined) address = { addressId: b.addressId };
    else if (b.houseNumberId !== undefined) address = { houseNumberId: b.houseNumberId };
    else if (b.roadName !== undefined) {
      if (b.houseNumber === undefined || b.postalCode === undefined) {
        ctx.addIssue({ code: 'custom', message: 'a postal address needs roadName, houseNumber and postalCode' });
        return z.NEVER;
      }
      address = { roadName: b.roadName, houseNumber: b.houseNumber, postalCode: b.postalCode, ...unit };
    } else {
      if (b.municipalityCode === undefined || b.roadCode === undefined || b.houseNumber === undefined) {
        ctx.addIssue({ code: 'custom', message: 'an address by codes needs municipalityCode, roadCode and houseNumber' });
        return z.NEVER;
      }
      address = { municipalityCode: b.municipalityCode, roadCode: b.roadCode, houseNumber: b.houseNumber, ...unit };
    }
    return { ownerNumber: b.ownerNumber, address, ...(b.fromDate !== undefined && { fromDate: b.fromDate }) };
  });

const protection = z.object({
  type: z.literal('0001'),
  validFrom: z.string(),
  validTo: z.string().nullable(),
  doNotPassOn: z.literal(true),
  notice: z.object({ da: z.string(), en: z.string() }),
});
/** The search's answer (exported for the tests that hold answers to it: the route serialises as built). */
export const resultSchema = z.object({
  queriedAt: z.string(),
  query: z.object({ ownerNumber: z.string(), address: z.record(z.string(), z.string()), fromDate: z.string(), fromDateDefaulted: z.boolean() }),
  address: z.object({ scope: z.enum(['unit', 'units', 'stairwell']), label: z.string(), houseNumberId: z.string(), unitAddressId: z.string().nullable() }),
  units: z.array(z.object({ addressId: z.string(), label: z.string(), floor: z.string().nullable(), door: z.string().nullable(), bfe: z.number(), acquired: z.string() })),
  unitsOfOtherOwners: z.array(z.object({ addressId: z.string(), label: z.string() })),
  residents: z.array(
    z.object({
      addressingName: z.string(),
      moveInDate: z.string(),
      moveInIsAcquisitionDate: z.boolean(),
      moveOutDate: z.string().nullable(),
      status: z.enum(['current', 'moved_out']),
      protection: protection.nullable(),
      unit: z.object({ addressId: z.string(), label: z.string(), floor: z.string().nullable(), door: z.string().nullable() }),
    }),
  ),
  notice: z.object({ da: z.string(), en: z.string() }),
});

const ownerNumberView = z.object({ number: z.string(), kind: z.enum(['cvr', 'cpr']), addedAt: z.string(), addedBy: z.string(), dwellingsInRegister: z.number() });
const landlordView = z.object({
  customer: z.object({ id: z.string(), name: z.string(), kind: z.string(), number: z.string().nullable() }),
  landlordKind: z.enum(LANDLORD_KINDS),
  documentation: z.object({ reference: z.string(), dwellings: z.number(), recordedAt: z.string(), recordedBy: z.string() }).nullable(),
  enabled: z.boolean(),
  reason: z.string().nullable(),
  ownerNumbers: z.array(ownerNumberView),
  dwellingsInRegister: z.number(),
  countedOn: z.string(),
});

export function landlordRoutes(app: Api, ctx: ApiContext): void {
  const customers = new LandlordCustomers(ctx.register.store, ctx.access, ctx.clock);
  const service = new LandlordService(ctx.readers, customers, ctx.clock);
  const tags = ['landlords'];
  // Control 1 is the service's own (see the module comment).
  const anyone = { auth: { roles: [...ROLES] } };

  app.post(
    '/api/v1/landlord/search',
    {
      config: anyone,
      // The service builds the result field by field (LandlordResult): the schema documents it.
      serializerCompiler: asBuilt,
      schema: {
        tags,
        summary: 'Persons registered in a dwelling or stairwell now, and those who moved out since the from-date (seed 000)',
        description: 'Controls 1-3 run first; each refusal has its own code (docs/api/landlord.md). Every search is audited and counted (7 øre).',
        body: searchBody,
        response: { 200: resultSchema },
      },
    },
    async (req) => service.search(req.caller!, req.body, { requestId: req.id, format: 'json' }),
  );

  app.post(
    '/api/v1/landlord/search/xlsx',
    {
      config: anyone,
      schema: {
        tags,
        summary: 'The same search as an Excel workbook (one sheet, more detail than the table)',
        body: searchBody,
        produces: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
      },
    },
    async (req, reply) => {
      const result = await service.search(req.caller!, req.body, { requestId: req.id, format: 'xlsx' });
      const file = await landlordWorkbook(result);
      const stamp = result.queriedAt.slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
      return reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="beboere-${stamp}.xlsx"`)
        .send(file);
    },
  );

  app.get(
    '/api/v1/landlord/me',
    {
      config: { auth: { roles: ['landlord'] } },
      schema: { tags, summary: "The caller's landlord customer: kind, whether enabled, its owner numbers", response: { 200: landlordView } },
    },
    async (req) => shown(req, await customers.landlord(req.caller!.customer.id)),
  );

  // ── The CPR administration (LAN-1) ──
  const admin = { auth: { roles: ['admin' as const] } };
  const adminTags = ['administration'];
  const params = z.object({ id: z.string() });
  /** Owner numbers that are person numbers are personal data: audited before they are shown (AUD-3). */
  const shown = async <T extends LandlordView | LandlordView[]>(req: FastifyRequest, views: T): Promise<T> => {
    const persons = personOwnerNumbers(Array.isArray(views) ? views : [views]);
    if (persons.length) {
      const c = req.caller!;
      await ctx.audit.record({ actor: c.principal.id, actorKind: c.principal.kind, customer: c.customer.id, action: 'landlord.customers.read', subjects: persons, requestId: req.id });
    }
    return views;
  };
  app.get('/api/v1/admin/landlords', { config: admin, schema: { tags: adminTags, summary: 'Landlord customers with their owner numbers and the dwellings the ownership register shows for them', response: { 200: z.array(landlordView) } } }, async (req) =>
    shown(req, await customers.landlords()),
  );
  app.get('/api/v1/admin/landlords/:id', { config: admin, schema: { tags: adminTags, summary: 'One landlord customer', params, response: { 200: landlordView } } }, async (req) =>
    shown(req, await customers.landlord(req.params.id)),
  );
  app.put(
    '/api/v1/admin/landlords/:id',
    {
      config: admin,
      schema: {
        tags: adminTags,
        summary: 'Register a landlord customer as social housing or private landlord, with a private landlord\'s documentation of more than 10 dwellings',
        params,
        body: z.strictObject({
          kind: z.enum(LANDLORD_KINDS),
          documentation: z.strictObject({ reference: text(200), dwellings: z.number().int().min(0) }).optional(),
        }),
        response: { 200: landlordView },
      },
    },
    async (req) => shown(req, await customers.registerLandlord(req.params.id, req.body, req.caller!.principal.id)),
  );
  app.post(
    '/api/v1/admin/landlords/:id/owner-numbers',
    { config: admin, schema: { tags: adminTags, summary: 'Tie an owner number (CVR or CPR) to the landlord customer', params, body: z.strictObject({ ownerNumber: text(11) }), response: { 200: landlordView } } },
    async (req) => shown(req, await customers.addOwnerNumber(req.params.id, req.body.ownerNumber, req.caller!.principal.id)),
  );
  app.delete(
    '/api/v1/admin/landlords/:id/owner-numbers/:number',
    { config: admin, schema: { tags: adminTags, summary: 'Untie an owner number', params: z.object({ id: z.string(), number: z.string() }), response: { 200: landlordView } } },
    async (req) => shown(req, await customers.removeOwnerNumber(req.params.id, req.params.number)),
  );
}
