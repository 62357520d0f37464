/**
 * Citizen self-service (DIS-6, issue 6 §12, issue 7 item 6). Role `own_data`,
 * a principal of a `citizen` customer tied to a person number; no parameter
 * names a person, so a citizen only ever acts on their own number.
 *
 * - `POST /api/v1/me/moves`: report your own move (§12) to a DAR unit address;
 *   received by the municipality moved to, with the receipt (§12(5)).
 * - `POST /api/v1/me/protection-requests`: ask your municipality of residence
 *   for name-and-address protection (§28): a `protection_request` case.
 * - `GET /api/v1/me/requests`, `GET /api/v1/me/letters/{id}`: your reports,
 *   requests and letters.
 * - `POST /api/v1/cases/{id}/protection-decision` (role `register`): the
 *   municipality grants (A33, one year) or refuses the request.
 */
import { z } from 'zod';
import { parseCivilDate } from '../../domain/dates.ts';
import type { Case } from '../../domain/registration/case.ts';
import { CitizenRequests } from '../../services/citizen-requests.ts';
import type { StoredLetter } from '../../services/registration/cases.ts';
import type { Api, ApiContext } from '../server.ts';

const date = z.string().refine((s) => parseCivilDate(s) !== null, 'a date YYYY-MM-DD');
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a UUID');
const idParam = z.object({ id: z.coerce.number().int().positive() });

const caseSchema = z.object({
  id: z.number(),
  kind: z.string(),
  status: z.string(),
  municipalityCode: z.string(),
  deadline: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
  history: z.array(z.object({ at: z.string(), action: z.string(), note: z.string().optional() })),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const letterSchema = z.object({ id: z.number(), caseId: z.number(), kind: z.string(), subject: z.string(), createdAt: z.string(), municipalityCode: z.string(), text: z.string(), html: z.string() });

/** A case as the citizen sees it: who acted inside the municipality is not theirs to know. */
const caseOut = (c: Case<unknown>) => ({
  id: c.id,
  kind: c.kind,
  status: c.status,
  municipalityCode: c.municipalityCode,
  deadline: c.deadline,
  payload: c.payload as Record<string, unknown>,
  history: c.history.map((h) => ({ at: h.at, action: h.action, ...(h.note !== undefined && { note: h.note }) })),
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
});
const letterOut = (l: StoredLetter) => ({ id: l.id, caseId: l.caseId, kind: l.kind, subject: l.subject, createdAt: l.createdAt, municipalityCode: l.municipalityCode, text: l.text, html: l.html });

export function citizenRequestRoutes(app: Api, ctx: ApiContext): void {
  const requests = new CitizenRequests(ctx.register, ctx.audit);
  const own = { auth: { roles: ['own_data' as const] } };
  const tags = ['citizens'];

  app.post(
    '/api/v1/me/moves',
    {
      config: own,
      schema: {
        tags,
        summary: 'Report your own move (§12) to a DAR unit address; received by the municipality moved to, with the receipt (§12(5))',
        body: z.strictObject({ addressId: uuid.describe('The new address: a DAR unit address id (from GET /api/v1/addresses)'), moveDate: date }),
        response: { 201: z.object({ case: caseSchema, letters: z.array(letterSchema), registered: z.boolean() }) },
      },
    },
    async (req, reply) => {
      const o = await requests.reportMove(req.caller!, req.body, req.id);
      reply.code(201);
      return { case: caseOut(o.case), letters: o.letters.map(letterOut), registered: o.registrations.length > 0 };
    },
  );

  app.post(
    '/api/v1/me/protection-requests',
    {
      config: own,
      schema: {
        tags,
        summary: 'Ask your municipality of residence for name-and-address protection (§28); a clerk there decides',
        body: z.strictObject({ reason: z.string().trim().max(500).optional().describe('Optional: why (the Act asks for no reason)') }),
        response: { 201: z.object({ case: caseSchema }) },
      },
    },
    async (req, reply) => {
      const c = await requests.requestProtection(req.caller!, { ...(req.body.reason ? { reason: req.body.reason } : {}) }, req.id);
      reply.code(201);
      return { case: caseOut(c) };
    },
  );

  app.get(
    '/api/v1/me/requests',
    { config: own, schema: { tags, summary: 'Your move reports and protection requests, newest first', response: { 200: z.object({ cases: z.array(caseSchema) }) } } },
    async (req) => {
      const cases = await requests.ownCases(req.caller!, req.id);
      return { cases: cases.map(caseOut) };
    },
  );

  app.get(
    '/api/v1/me/letters/:id',
    { config: own, schema: { tags, summary: 'A letter to you (e.g. the receipt for your move report, §12(5)), to read and print', params: idParam, response: { 200: letterSchema } } },
    async (req) => {
      const l = await requests.ownLetter(req.caller!, req.params.id, req.id);
      return letterOut(l);
    },
  );

  app.post(
    '/api/v1/cases/:id/protection-decision',
    {
      config: { auth: { roles: ['register' as const] } },
      schema: {
        tags: ['municipal registration'],
        summary: 'Decide a citizen\'s request for name-and-address protection (§28): grant (A33, one year) or refuse with grounds',
        params: idParam,
        body: z.strictObject({ outcome: z.enum(['grant', 'refuse']), grounds: z.string().trim().min(1).max(500).optional() }),
        response: { 200: z.object({ case: caseSchema, validTo: z.string().nullable().optional() }) },
      },
    },
    async (req) => {
      const r = await requests.decide(req.caller!, req.params.id, req.body, req.id);
      return { case: caseOut(r.case), ...(r.validTo !== undefined && { validTo: r.validTo }) };
    },
  );
}


