/**
 * Address type-ahead over the DAR address register (issue 7), for the
 * landlord search form and the clerk's move form: `GET /api/v1/addresses`
 * answers, as the user types,
 *
 * - `road` (+ optional `postalCode`): roads whose name starts with it;
 * - `municipalityCode` + `roadCode` (+ optional `houseNumber` prefix, `postalCode`): the road's house numbers;
 * - `houseNumberId`: the house number's unit addresses (floor, door) with their DAR ids.
 *
 * DAR addresses are public data, not personal data: the answer names no
 * person, so nothing here is audited as a lookup. Roles `landlord`,
 * `register`, `admin`, and `own_data` (a citizen's own move report).
 */
import { z } from 'zod';
import { AddressSearch } from '../../services/address-search.ts';
import { Problem } from '../problems.ts';
import type { Api, ApiContext } from '../server.ts';

const code4 = z.string().regex(/^\d{4}$/, 'a 4-digit code');
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a UUID');

const road = z.object({
  municipalityCode: z.string(),
  roadCode: z.string(),
  roadName: z.string(),
  postalCode: z.string(),
  postalDistrict: z.string(),
  houseNumbers: z.number().describe('House numbers on the road in that postal code'),
});
const houseNumber = z.object({
  id: z.string().describe('DAR husnummer id'),
  municipalityCode: z.string(),
  roadCode: z.string(),
  roadName: z.string(),
  houseNumber: z.string(),
  postalCode: z.string(),
  postalDistrict: z.string(),
  label: z.string(),
});
const unit = z.object({
  id: z.string().describe('DAR adresse id (the unit address)'),
  houseNumberId: z.string(),
  floor: z.string().nullable(),
  door: z.string().nullable(),
  label: z.string(),
});

export const addressAnswerSchema = z.object({
  kind: z.enum(['roads', 'houseNumbers', 'units']),
  roads: z.array(road),
  houseNumbers: z.array(houseNumber),
  units: z.array(unit),
  houseNumber: houseNumber.optional().describe('With units: the house number they belong to'),
});

export function addressRoutes(app: Api, ctx: ApiContext): void {
  const search = new AddressSearch(ctx.register.store, ctx.clock);

  app.get(
    '/api/v1/addresses',
    {
      // own_data: a citizen finds the new address for their own move report (§12); DAR data is public.
      config: { auth: { roles: ['landlord', 'register', 'admin', 'own_data'] } },
      schema: {
        tags: ['addresses'],
        summary: 'Address type-ahead over the DAR register: roads by name prefix, then house numbers, then unit addresses (floor, door, DAR ids)',
        querystring: z.strictObject({
          road: z.string().trim().max(40).optional().describe('Road name prefix (case, accents, dots and spaces ignored)'),
          postalCode: code4.optional(),
          municipalityCode: code4.optional(),
          roadCode: code4.optional(),
          houseNumber: z.string().trim().max(4).optional().describe('House number prefix, with municipalityCode and roadCode'),
          houseNumberId: uuid.optional().describe('DAR husnummer id: its unit addresses'),
          limit: z.coerce.number().int().min(1).max(100).optional().describe('At most this many suggestions (default 20)'),
        }),
        response: { 200: addressAnswerSchema },
      },
    },
    async (req) => {
      const q = req.query;
      const limit = q.limit ?? 20;
      const empty = { roads: [], houseNumbers: [], units: [] };
      if (q.houseNumberId !== undefined) {
        const found = await search.units(q.houseNumberId);
        if (!found) throw Problem.of('not_found', `No house number ${q.houseNumberId} in the address register today.`, `Husnummeret ${q.houseNumberId} findes ikke i adresseregistret i dag.`);
        return { ...empty, kind: 'units' as const, units: found.units, houseNumber: found.houseNumber };
      }
      if (q.municipalityCode !== undefined || q.roadCode !== undefined) {
        if (q.municipalityCode === undefined || q.roadCode === undefined) {
          throw Problem.of('invalid_address_query', 'House numbers need both municipalityCode and roadCode (from a road suggestion).', 'Husnumre kræver både municipalityCode og roadCode (fra et vejforslag).');
        }
        const houseNumbers = await search.houseNumbers({ municipalityCode: q.municipalityCode, roadCode: q.roadCode, prefix: q.houseNumber, postalCode: q.postalCode, limit });
        return { ...empty, kind: 'houseNumbers' as const, houseNumbers };
      }
      if (q.houseNumber !== undefined) {
        throw Problem.of('invalid_address_query', 'A house number is searched on one road: give municipalityCode and roadCode too.', 'Et husnummer søges på én vej: angiv også municipalityCode og roadCode.');
      }
      if (q.road === undefined || q.road === '') {
        throw Problem.of('invalid_address_query', 'Give road (a road name prefix), municipalityCode and roadCode, or houseNumberId.', 'Angiv road (begyndelsen af et vejnavn), municipalityCode og roadCode eller houseNumberId.');
      }
      // Without a postal code a single letter would list half the country: ask for two.
      if (q.postalCode === undefined && q.road.replace(/[^\p{L}\p{N}]/gu, '').length < 2) {
        throw Problem.of('invalid_address_query', 'Without a postal code, type at least 2 letters of the road name.', 'Uden postnummer skal du skrive mindst 2 bogstaver af vejnavnet.');
      }
      const roads = await search.roads({ prefix: q.road, postalCode: q.postalCode, limit });
      return { ...empty, kind: 'roads' as const, roads };
    },
  );
}
