/**
 * Companies' access (DIS-3): electronic single enquiries (§39, §42(1)-(4))
 * about a person identified by name plus birth date, address or person
 * number (§42(6)), and bulk deliveries for many identified persons (§38(1),
 * §38(5)) as background jobs with an NDJSON result. Businesses, insurers and
 * credit bureaus only; a public authority uses /api/v1/persons. Never a
 * person number in an answer (PNR-5). See docs/api/company.md.
 */
import { Readable } from 'node:stream';
import { z } from 'zod';
import { parseCivilDate } from '../../domain/dates.ts';
import {
  DeliveryService,
  EnquiryService,
  MAX_DELIVERY_ITEMS,
  AddressDirectory,
  companyWire,
  type DeliveryJob,
} from '../../services/enquiry.ts';
import type { Api, ApiContext } from '../server.ts';
import { pnrParam } from './persons.ts';

// ─── Request shapes ───────────────────────────────────────────────────────

/** A message for a value of the wrong type only; other issues (an unknown key) keep zod's own message. */
const invalidType = (message: string) => (iss: { code?: string }) => (iss.code === 'invalid_type' ? message : undefined);
const textError = (what: string) => (iss: { input?: unknown }) => (iss.input === undefined ? `${what} is required` : `${what} is a text`);
const text = (what: string, max: number) =>
  z
    .string({ error: textError(what) })
    .trim()
    .min(1, `${what} is empty`)
    .max(max, `${what} is longer than ${max} characters`);
const names = (what: string) =>
  z.union([text(what, 200), z.array(text(what, 80)).min(1).max(10)], {
    error: `${what} is a text ("Anna Marie") or a list of names (["Anna", "Marie"])`,
  });
const code4 = (what: string) => z.string({ error: textError(what) }).regex(/^\d{4}$/, `${what} has 4 digits`);
const short = (what: string) => z.string({ error: textError(what) }).trim().max(4, `${what} has at most 4 characters`);

const nameSchema = z
  .strictObject(
    {
      firstNames: names('firstNames').describe('All first names (fornavne): a text or a list'),
      middleNames: names('middleNames').optional().describe('Middle names (mellemnavne); may be left out, wholly or in part'),
      lastName: text('lastName', 120).describe('Last name (efternavn)'),
    },
    {
      error: (iss) =>
        iss.code !== 'invalid_type'
          ? undefined
          : iss.input === undefined
            ? "the person's name is required: first name(s) and last name, plus a birth date, an address or a person number (§42(6))"
            : 'the name is an object { firstNames, middleNames?, lastName }',
    },
  )
  .describe('A current or former name (§42(6), §38(5)); compared word by word, ignoring case and accents');

const addressSchema = z
  .strictObject(
    {
      addressId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'addressId is a DAR address id (a UUID)').optional(),
      municipalityCode: code4('municipalityCode').optional(),
      roadCode: code4('roadCode').optional(),
      roadName: text('roadName', 40).optional(),
      postalCode: code4('postalCode').optional(),
      houseNumber: short('houseNumber').optional(),
      floor: short('floor').optional(),
      door: short('door').optional(),
    },
    { error: invalidType('the address is an object: { addressId } or { municipalityCode, roadCode, houseNumber } or { roadName, houseNumber, postalCode }') },
  )
  .describe(
    'A current or former address: a DAR unit address id, or municipality code + road code + house number, or road name + house number + postal code; floor and door optional',
  );

const birthDateSchema = z
  .string({ error: 'birthDate is a date YYYY-MM-DD' })
  .refine((s) => parseCivilDate(s) !== null, 'birthDate is a date YYYY-MM-DD');

const identification = {
  birthDate: birthDateSchema.optional().describe('Birth date, YYYY-MM-DD'),
  pnr: pnrParam.optional().describe('Person number (never given back)'),
  address: addressSchema.optional(),
};

const enquirySchema = z.strictObject({ name: nameSchema, ...identification }, { error: invalidType('the body is a JSON object') });

const deliveryItemSchema = z.strictObject(
  {
    ref: text('ref', 200).describe("The customer's own reference, given back with the result"),
    name: nameSchema.optional(),
    ...identification,
  },
  { error: invalidType('an item is an object { ref, pnr } or { ref, name, birthDate } or { ref, name, address }') },
);

const deliverySchema = z.strictObject(
  {
    items: z
      .array(deliveryItemSchema, { error: 'items is a list of identified persons' })
      .min(1, 'items is empty')
      .max(MAX_DELIVERY_ITEMS, `a delivery holds at most ${MAX_DELIVERY_ITEMS} items`),
  },
  { error: invalidType('the body is a JSON object { items: [...] }') },
);

// ─── Response shapes ──────────────────────────────────────────────────────

const answerSchema = z.object({
  validAt: z.string(),
  knownAt: z.string(),
  data: z.record(z.string(), z.unknown()).describe('The fields of §38(2)/§42(2) (insurers also §42(3), credit bureaus §42(4)); never the person number'),
  protectionMark: z
    .object({ type: z.literal('0001'), validFrom: z.string(), validTo: z.string().nullable(), rules: z.array(z.string()), doNotPassOn: z.boolean() })
    .optional()
    .describe('Credit bureaus: the name and address are protected (§28) and must not be passed on (§40(3), §44(3))'),
  withheld: z.array(z.object({ field: z.string(), reason: z.string(), rule: z.string() })).describe('Fields of the closed list the person has that were withheld, with the reason'),
  basis: z.array(z.string()),
  fields: z.array(z.string()),
});

const jobSchema = z.object({
  id: z.string(),
  status: z.enum(['queued', 'running', 'completed', 'failed']),
  itemsTotal: z.number(),
  itemsDone: z.number(),
  matched: z.number(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  result: z.string().nullable().describe('Where to fetch the NDJSON result once completed'),
});

const wireJob = (j: DeliveryJob) => ({ ...j, result: j.status === 'completed' ? `/api/v1/deliveries/${j.id}/result` : null });

// ─── Routes ───────────────────────────────────────────────────────────────

export function companyRoutes(app: Api, ctx: ApiContext): void {
  const directory = new AddressDirectory(ctx.register);
  const enquiries = new EnquiryService(ctx.readers, directory);
  const deliveries = new DeliveryService(ctx.readers, ctx.access, ctx.clock, directory, {
    onError: (err, job) => app.log.error({ err, job }, 'delivery chunk failed'),
  });
  // Resume interrupted jobs once the server is ready; on close, stop after the chunk in hand and release the job.
  app.addHook('onReady', async () => {
    deliveries.start();
    // Catch the address directory up in the background (a freshly loaded register has a long log to read).
    directory.refresh().catch((err) => app.log.error({ err }, 'address directory catch-up failed'));
  });
  app.addHook('onClose', async () => deliveries.stop());

  const tags = ['companies'];

  app.post(
    '/api/v1/enquiries',
    {
      config: { auth: { roles: ['lookup'] } },
      schema: {
        tags,
        summary: 'Single enquiry (§39, §42): the one person identified by name plus birth date, address or person number (§42(6))',
        description:
          'Businesses, insurers and credit bureaus. Names and addresses may be current or former. Exactly one matching person is answered with the ' +
          'fields of §42(2) (insurers also civil status and its date, §42(3); credit bureaus protected names and addresses with the mark, §42(4)); ' +
          'none or several answer 404 no_unique_match, alike. Every enquiry is audited.',
        body: enquirySchema,
        response: { 200: answerSchema },
      },
    },
    async (req) => {
      return companyWire(await enquiries.enquire(req.caller!, req.body, req.id));
    },
  );

  app.post(
    '/api/v1/deliveries',
    {
      config: { auth: { roles: ['bulk'] } },
      // 100,000 identified items with names and addresses.
      bodyLimit: 64 * 1024 * 1024,
      schema: {
        tags,
        summary: `Bulk delivery (§38(1), §38(5)): a background job for up to ${MAX_DELIVERY_ITEMS.toLocaleString('en')} identified persons`,
        description:
          'Each item is identified by a person number alone, by name and birth date, or by name and address (current or former), with the ' +
          "customer's own reference. The job runs in the background; poll GET /api/v1/deliveries/{id} and fetch the NDJSON result when completed.",
        body: deliverySchema,
        response: { 202: jobSchema },
      },
    },
    async (req, reply) => {
      const job = await deliveries.create(req.caller!, req.body.items, req.id);
      return reply.code(202).header('location', `/api/v1/deliveries/${job.id}`).send(wireJob(job));
    },
  );

  app.get(
    '/api/v1/deliveries',
    {
      config: { auth: { roles: ['bulk'] } },
      schema: { tags, summary: "The customer's deliveries, newest first (at most 100)", response: { 200: z.object({ deliveries: z.array(jobSchema) }) } },
    },
    async (req) => ({ deliveries: (await deliveries.list(req.caller!)).map(wireJob) }),
  );

  app.get(
    '/api/v1/deliveries/:id',
    {
      config: { auth: { roles: ['bulk'] } },
      schema: { tags, summary: 'Status and progress of a delivery (only the customer that created it sees it)', params: z.object({ id: z.string().max(100) }), response: { 200: jobSchema } },
    },
    async (req) => {
      return wireJob(await deliveries.status(req.caller!, req.params.id));
    },
  );

  app.get(
    '/api/v1/deliveries/:id/result',
    {
      config: { auth: { roles: ['bulk'] } },
      schema: {
        tags,
        summary: 'The result as NDJSON: one line per item, in order: { ref, matched, validAt, knownAt, data, protectionMark?, withheld, basis, fields } or { ref, matched: false }',
        params: z.object({ id: z.string().max(100) }),
      },
    },
    async (req, reply) => {
      const lines = await deliveries.result(req.caller!, req.params.id, req.id);
      return reply.type('application/x-ndjson; charset=utf-8').send(Readable.from(lines));
    },
  );
}
