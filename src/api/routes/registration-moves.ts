/**
 * Municipal registration: domestic moves (MOV-1..MOV-4, §6, §10-13), cases,
 * complaints (§56) and letters. Role `register`; a clerk acts for their own
 * municipality (§2(1)), except the departure municipality hearing a parent
 * under §13(3). Every registration, case step and complaint, and every read
 * of a case or a letter, is audited (services/registration/audited.ts)
 * before it is answered. docs/api/registration-moves.md describes the flows.
 */
import { z } from 'zod';
import type { Caller } from '../../access/customers.ts';
import { parseCivilDate } from '../../domain/dates.ts';
import type { Case } from '../../domain/registration/case.ts';
import { AddressRegister } from '../../reference/address-register.ts';
import { audited, caseSubjects, ofCase, TX, type Described, type RegistrationTransaction } from '../../services/registration/audited.ts';
import { RegistrationError } from '../../register/validate.ts';
import { AbodeService } from '../../services/registration/abode.ts';
import { CaseStore, type StoredLetter } from '../../services/registration/cases.ts';
import { clerkMunicipality } from '../../services/registration/clerk.ts';
import { ComplaintService } from '../../services/registration/complaints.ts';
import { InvestigationService } from '../../services/registration/investigation.ts';
import { MoveService, type MovePayload } from '../../services/registration/moves.ts';
import { Problem } from '../problems.ts';
import type { Api, ApiContext } from '../server.ts';
import { pnrParam } from './persons.ts';

const date = z.string().refine((s) => parseCivilDate(s) !== null, 'a date YYYY-MM-DD');
const code4 = z.string().regex(/^\d{4}$/, 'a 4-digit code');
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a UUID');
const text = (max: number) => z.string().trim().min(1).max(max);
const idParam = z.object({ id: z.coerce.number().int().positive() });

const addressInput = z
  .strictObject({
    municipalityCode: code4,
    addressId: uuid.optional(),
    roadName: text(40).optional(),
    houseNumber: text(4).optional(),
    floor: z.string().trim().max(2).optional(),
    door: z.string().trim().max(4).optional(),
    postalCode: code4.optional(),
  })
  .describe('A DAR unit address id, or road name, house number (floor, door) and postal code');

const caseSchema = z.object({
  id: z.number(),
  kind: z.string(),
  status: z.string(),
  municipalityCode: z.string(),
  sharedWith: z.string().nullable(),
  pnr: z.string(),
  deadline: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
  history: z.array(z.object({ at: z.string(), by: z.string(), action: z.string(), note: z.string().optional() })),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number(),
});
const letterRef = z.object({ id: z.number(), caseId: z.number(), kind: z.string(), subject: z.string(), createdAt: z.string(), municipalityCode: z.string() });
const registrationRef = z.object({ pnr: z.string(), seq: z.number() });
const outcomeSchema = z.object({ case: caseSchema, letters: z.array(letterRef), registrations: z.array(registrationRef) });

const letterRefOf = (l: StoredLetter) => ({ id: l.id, caseId: l.caseId, kind: l.kind, subject: l.subject, createdAt: l.createdAt, municipalityCode: l.municipalityCode });
const caseOut = (c: Case<unknown>) => ({ ...c, payload: c.payload as Record<string, unknown> });

export function registrationMoveRoutes(app: Api, ctx: ApiContext): void {
  const cases = new CaseStore(ctx.register.store, ctx.clock);
  const dar = new AddressRegister(ctx.register.store, ctx.clock);
  const moves = new MoveService(ctx.register, dar, cases);
  const abode = new AbodeService(ctx.register, dar, cases);
  const investigations = new InvestigationService(ctx.register, dar, cases);
  const complaints = new ComplaintService(ctx.register, cases);
  const config = { auth: { roles: ['register' as const] } };
  const tags = ['municipal registration'];

  // AUD-3: each registration, case step and read is one audit record of its acting user.
  const audit = <T>(req: { caller: Caller | null; id: string; body?: unknown }, type: RegistrationTransaction, run: () => Promise<T>, describe: (answer: T) => Described) =>
    audited(ctx.audit, req.caller!, type, req, run, describe);

  /**
   * Who may read a case: its municipality; for a move case also the hearing
   * municipality of §13(3), which never sees the new address.
   */
  async function readableCase(caller: Caller, id: number): Promise<{ c: Case<unknown>; redacted: boolean }> {
    const c = await cases.get(id);
    const own = clerkMunicipality(caller);
    if (own === null || own === c.municipalityCode) return { c, redacted: false };
    if (c.sharedWith === own) return { c: redact(c), redacted: true };
    throw new RegistrationError('other_municipality', `Case ${id} is handled by municipality ${c.municipalityCode}, not ${own}.`);
  }
  /** §13(3): "som herunder ikke må oplyse tilflytningsadressen": the sharing municipality never sees the new address. */
  const redact = (c: Case<unknown>): Case<unknown> => (c.kind === 'move' ? { ...c, payload: { ...(c.payload as MovePayload), to: null } } : c);

  // ── Moves ────────────────────────────────────────────────────────────────

  app.post(
    '/api/v1/registration/moves',
    {
      config,
      schema: {
        tags,
        summary: 'Receive a move report (§12): registered at once, or held as a case for doubt (§6(3)) or a hearing (§13(2)); with a receipt (§12(5))',
        body: z.strictObject({
          pnr: pnrParam,
          name: text(120).describe('Full name or addressing name (§12(2) nr. 2)'),
          from: z.strictObject({
            municipalityCode: code4,
            addressId: uuid.optional(),
            roadName: text(40).optional(),
            houseNumber: text(4).optional(),
            floor: z.string().trim().max(2).optional(),
            door: z.string().trim().max(4).optional(),
            postalCode: code4.optional(),
          }),
          to: addressInput,
          moveDate: date,
          members: z.array(z.strictObject({ pnr: pnrParam, name: text(120) })).max(20).optional(),
          signedBy: z.array(pnrParam).max(10).optional(),
          protectionRequested: z.boolean().optional(),
          doubt: text(500).optional().describe('§6(3): the clerk doubts the report; it is held as a case'),
        }),
        response: { 201: outcomeSchema },
      },
    },
    async (req, reply) => {
      const o = await audit(req, TX.move, () => moves.report(req.caller!, req.body), ofCase);
      reply.code(201);
      return { case: caseOut(o.case), letters: o.letters.map(letterRefOf), registrations: o.registrations };
    },
  );

  const settingsSchema = z.object({ municipalityCode: z.string(), refuseEarlyReports: z.boolean() });
  const ownCode = (caller: Caller, given?: string) => {
    const own = clerkMunicipality(caller);
    const m = own ?? given;
    if (!m) throw Problem.of('bad_request', 'The CPR administration names the municipality: ?municipalityCode=NNNN.');
    if (own !== null && given && given !== own) throw Problem.of('other_municipality', `Your customer acts for municipality ${own}.`);
    return m;
  };
  app.get(
    '/api/v1/registration/moves/settings',
    { config, schema: { tags, summary: 'The municipality\'s move settings (§12(4))', querystring: z.object({ municipalityCode: code4.optional() }), response: { 200: settingsSchema } } },
    async (req) => {
      const m = ownCode(req.caller!, req.query.municipalityCode);
      return { municipalityCode: m, ...(await cases.moveSettings(m)) };
    },
  );
  app.put(
    '/api/v1/registration/moves/settings',
    {
      config,
      schema: {
        tags,
        summary: 'Set whether the municipality refuses move reports more than 4 weeks before the move date (§12(4); on by default)',
        querystring: z.object({ municipalityCode: code4.optional() }),
        body: z.strictObject({ refuseEarlyReports: z.boolean() }),
        response: { 200: settingsSchema },
      },
    },
    async (req) => {
      const m = ownCode(req.caller!, req.query.municipalityCode);
      const set = await audit(req, TX.moveSettings, () => cases.setMoveSettings(m, req.body), () => ({ subjects: [], detail: { municipalityCode: m, ...req.body } }));
      return { municipalityCode: m, ...set };
    },
  );

  const abodeOut = z.object({ case: caseSchema, registration: registrationRef });
  app.post(
    '/api/v1/registration/moves/no-fixed-abode',
    {
      config,
      schema: {
        tags,
        summary: 'No fixed abode (§6(4)): moved out of the address, still registered in the municipality (status 03, special road code)',
        body: z.strictObject({ pnr: pnrParam, date, roadCode: code4.optional(), note: text(500).optional() }),
        response: { 201: abodeOut },
      },
    },
    async (req, reply) => {
      const o = await audit(req, TX.noFixedAbode, () => abode.noFixedAbode(req.caller!, req.body), ofCase);
      reply.code(201);
      return { case: caseOut(o.case), registration: o.registration };
    },
  );
  app.post(
    '/api/v1/registration/moves/disappeared',
    {
      config,
      schema: { tags, summary: 'Disappeared (§6(5)): status 70 until found', body: z.strictObject({ pnr: pnrParam, date, note: text(500).optional() }), response: { 201: abodeOut } },
    },
    async (req, reply) => {
      const o = await audit(req, TX.disappeared, () => abode.disappeared(req.caller!, req.body), ofCase);
      reply.code(201);
      return { case: caseOut(o.case), registration: o.registration };
    },
  );
  app.post(
    '/api/v1/registration/moves/found',
    {
      config,
      schema: {
        tags,
        summary: 'Found again (§6(5)): registered where the person lives now, by that municipality',
        body: z.strictObject({ pnr: pnrParam, date, to: z.union([addressInput, z.strictObject({ noFixedAbode: z.literal(true), municipalityCode: code4 })]) }),
        response: { 200: abodeOut },
      },
    },
    async (req) => {
      const o = await audit(req, TX.found, () => abode.found(req.caller!, req.body), ofCase);
      return { case: caseOut(o.case), registration: o.registration };
    },
  );

  // ── Cases ────────────────────────────────────────────────────────────────

  app.get(
    '/api/v1/cases',
    {
      config,
      schema: {
        tags,
        summary: 'The municipality\'s cases, by kind and status; shared=true: the cases another municipality shares with it (§13(3) hearings)',
        querystring: z.object({ shared: z.enum(['true', 'false']).optional(), kind: z.string().max(40).optional(), status: z.string().max(40).optional(), pnr: pnrParam.optional(), municipalityCode: code4.optional() }),
        response: { 200: z.object({ cases: z.array(caseSchema) }) },
      },
    },
    async (req) => {
      const m = ownCode(req.caller!, req.query.municipalityCode);
      const shared = req.query.shared === 'true';
      const list = await audit(
        req,
        TX.caseList,
        async () => {
          const l: Case<unknown>[] = await cases.list({ municipalityCode: m, shared, kind: req.query.kind, status: req.query.status, pnr: req.query.pnr });
          return shared ? l.map(redact) : l;
        },
        (l) => ({ subjects: l.flatMap(caseSubjects), detail: { cases: l.map((c) => c.id), shared } }),
      );
      return { cases: list.map(caseOut) };
    },
  );

  app.get(
    '/api/v1/cases/:id',
    { config, schema: { tags, summary: 'A case with its history', params: idParam, response: { 200: caseSchema } } },
    async (req) => {
      const { c } = await audit(req, TX.caseRead, () => readableCase(req.caller!, req.params.id), ({ c, redacted }) => ({ subjects: caseSubjects(c), detail: { caseId: c.id, redacted } }));
      return caseOut(c);
    },
  );

  app.get(
    '/api/v1/cases/:id/letters',
    { config, schema: { tags, summary: 'The letters sent in a case', params: idParam, response: { 200: z.object({ letters: z.array(letterRef) }) } } },
    async (req) => {
      const { letters } = await audit(
        req,
        TX.caseLetters,
        async () => {
          const { c, redacted } = await readableCase(req.caller!, req.params.id);
          const all = await cases.letters(c.id);
          // §13(3): the hearing municipality sees only the letters it sent.
          return { c, letters: redacted ? all.filter((l) => l.municipalityCode === clerkMunicipality(req.caller!)) : all };
        },
        ({ c, letters }) => ({ subjects: letters.map((l) => l.pnr), detail: { caseId: c.id, letters: letters.map((l) => l.id) } }),
      );
      return { letters: letters.map(letterRefOf) };
    },
  );

  const outcome = (o: { case: Case<unknown>; letters?: StoredLetter[]; registrations?: Array<{ pnr: string; seq: number }> }) => ({
    case: caseOut(o.case),
    letters: (o.letters ?? []).map(letterRefOf),
    registrations: o.registrations ?? [],
  });

  app.post(
    '/api/v1/cases/:id/registration',
    { config, schema: { tags, summary: 'Register a held move report (after doubt §6(3) or hearing §13(2)), or complete an interrupted one', params: idParam, response: { 200: outcomeSchema } } },
    async (req) => outcome(await audit(req, TX.caseRegister, () => moves.registerCase(req.caller!, req.params.id), ofCase)),
  );
  app.post(
    '/api/v1/cases/:id/hearing',
    {
      config,
      schema: {
        tags,
        summary: 'Record a parent\'s statement (§13(2)); under §13(3) by the departure municipality',
        params: idParam,
        body: z.strictObject({ parentPnr: pnrParam, statement: text(2000) }),
        response: { 200: outcomeSchema },
      },
    },
    async (req) => outcome(await audit(req, TX.caseHearing, () => moves.recordHearing(req.caller!, req.params.id, req.body), ofCase)),
  );
  app.post(
    '/api/v1/cases/:id/withdrawal',
    { config, schema: { tags, summary: 'Withdraw a move report before it is registered (§12(6))', params: idParam, body: z.strictObject({ note: text(500).optional() }), response: { 200: outcomeSchema } } },
    async (req) => outcome(await audit(req, TX.caseWithdraw, () => moves.withdraw(req.caller!, req.params.id, req.body.note), ofCase)),
  );
  app.post(
    '/api/v1/cases/:id/rejection',
    { config, schema: { tags, summary: 'Refuse to register a held move report, with a written decision', params: idParam, body: z.strictObject({ grounds: text(2000) }), response: { 200: outcomeSchema } } },
    async (req) => outcome(await audit(req, TX.caseReject, () => moves.reject(req.caller!, req.params.id, req.body.grounds), ofCase)),
  );
  app.post(
    '/api/v1/cases/:id/correction',
    {
      config,
      schema: {
        tags,
        summary: 'Correct a registered move (§12(6)): a new move date or an annulment, only with documentation, as a new registration (A09)',
        params: idParam,
        body: z.strictObject({ documentation: text(500), moveDate: date.optional(), annul: z.literal(true).optional() }),
        response: { 200: outcomeSchema },
      },
    },
    async (req) => outcome(await audit(req, TX.caseCorrect, () => moves.correct(req.caller!, req.params.id, req.body), ofCase)),
  );

  // ── Investigations (§10-11) ──────────────────────────────────────────────

  app.post(
    '/api/v1/cases/investigations',
    {
      config,
      schema: {
        tags,
        summary: 'Open an investigation of a person believed wrongly registered (§10)',
        body: z.strictObject({ pnr: pnrParam, basis: text(2000), believedAddress: addressInput.optional() }),
        response: { 201: outcomeSchema },
      },
    },
    async (req, reply) => {
      const o = await audit(req, TX.caseOpen, () => investigations.open(req.caller!, req.body), ofCase);
      reply.code(201);
      return outcome(o);
    },
  );
  app.post(
    '/api/v1/cases/:id/request-to-report',
    {
      config,
      schema: {
        tags,
        summary: 'Send the written request to report within 14 days (§11(1))',
        params: idParam,
        body: z.strictObject({ assumedArrival: date.optional().describe('When the letter can be assumed to arrive; default today') }),
        response: { 200: outcomeSchema },
      },
    },
    async (req) => outcome(await audit(req, TX.caseRequestReport, () => investigations.requestReport(req.caller!, req.params.id, req.body), ofCase)),
  );
  app.post(
    '/api/v1/cases/:id/reply',
    { config, schema: { tags, summary: 'Record the person\'s reaction (§11(2))', params: idParam, body: z.strictObject({ text: text(2000), changesView: z.boolean() }), response: { 200: outcomeSchema } } },
    async (req) => outcome(await audit(req, TX.caseReply, () => investigations.reply(req.caller!, req.params.id, req.body), ofCase)),
  );
  app.post(
    '/api/v1/cases/:id/unreachable',
    { config, schema: { tags, summary: 'Record that the person could not be contacted (§11(2))', params: idParam, body: z.strictObject({ note: text(500) }), response: { 200: outcomeSchema } } },
    async (req) => outcome(await audit(req, TX.caseUnreachable, () => investigations.unreachable(req.caller!, req.params.id, req.body.note), ofCase)),
  );
  app.post(
    '/api/v1/cases/:id/decision',
    {
      config,
      schema: {
        tags,
        summary: 'Register the correct address or the departure, with a written decision (§11(2)-(3))',
        params: idParam,
        body: z.strictObject({
          target: z.union([z.strictObject({ address: addressInput }), z.strictObject({ departure: z.strictObject({ countryCode: code4.optional() }) })]),
          effectiveDate: date,
          grounds: text(2000),
        }),
        response: { 200: outcomeSchema },
      },
    },
    async (req) => {
      const o = await audit(req, TX.caseDecide, () => investigations.decide(req.caller!, req.params.id, req.body), ofCase);
      return outcome({ ...o, registrations: [o.registration] });
    },
  );

  // ── Complaints (§56) ─────────────────────────────────────────────────────

  app.post(
    '/api/v1/complaints',
    {
      config,
      schema: {
        tags,
        summary: 'Receive a written complaint (§56(1)); a late one or one about a residence registration older than 2 years (§56(3)) is refused',
        body: z.strictObject({
          pnr: pnrParam,
          about: z.enum(['decision', 'residence_registration']),
          text: text(4000),
          decisionCaseId: z.number().int().positive().optional(),
          notifiedOn: date.optional(),
        }),
        response: { 201: outcomeSchema },
      },
    },
    async (req, reply) => {
      const o = await audit(req, TX.complaintLodge, () => complaints.lodge(req.caller!, req.body), ofCase);
      reply.code(201);
      return outcome(o);
    },
  );
  app.get(
    '/api/v1/complaints/:id',
    { config, schema: { tags, summary: 'A complaint case', params: idParam, response: { 200: caseSchema } } },
    async (req) => {
      const c = await audit(req, TX.caseRead, () => complaints.get(req.caller!, req.params.id), (x) => ({ subjects: [x.pnr], detail: { caseId: x.id } }));
      return caseOut(c);
    },
  );
  app.post(
    '/api/v1/complaints/:id/reassessment',
    {
      config,
      schema: {
        tags,
        summary: 'Re-assess (§56(2)): uphold, or forward to the ministry with reasons and a copy to the complainant',
        params: idParam,
        body: z.strictObject({ upheld: z.boolean(), reasons: text(4000) }),
        response: { 200: outcomeSchema },
      },
    },
    async (req) => outcome(await audit(req, TX.complaintReassess, () => complaints.reassess(req.caller!, req.params.id, req.body), ofCase)),
  );

  // ── Letters ──────────────────────────────────────────────────────────────

  async function readableLetter(caller: Caller, id: number): Promise<StoredLetter> {
    const l = await cases.letter(id);
    const own = clerkMunicipality(caller);
    if (own !== null && own !== l.municipalityCode) {
      const c = await cases.get(l.caseId);
      if (own !== c.municipalityCode) throw new RegistrationError('other_municipality', `Letter ${id} belongs to municipality ${c.municipalityCode}.`);
    }
    return l;
  }

  app.get(
    '/api/v1/letters/:id',
    {
      config,
      schema: {
        tags,
        summary: 'A letter: Danish text and HTML, person numbers masked (§54)',
        params: idParam,
        response: { 200: letterRef.extend({ pnr: z.string().describe('The recipient, masked'), text: z.string(), html: z.string() }) },
      },
    },
    async (req) => {
      const l = await audit(req, TX.letterRead, () => readableLetter(req.caller!, req.params.id), (x) => ({ subjects: [x.pnr], detail: { letterId: x.id, caseId: x.caseId } }));
      return { ...letterRefOf(l), pnr: `${l.pnr.slice(0, 6)}-xxxx`, text: l.text, html: l.html };
    },
  );
  app.get(
    '/api/v1/letters/:id/document',
    {
      config,
      schema: { tags, summary: 'The letter to print: text/html (default) or text/plain', params: idParam, querystring: z.object({ format: z.enum(['html', 'text']).optional() }) },
    },
    async (req, reply) => {
      const l = await audit(req, TX.letterRead, () => readableLetter(req.caller!, req.params.id), (x) => ({ subjects: [x.pnr], detail: { letterId: x.id, caseId: x.caseId } }));
      if (req.query.format === 'text') return reply.type('text/plain; charset=utf-8').send(l.text);
      return reply.type('text/html; charset=utf-8').send(l.html);
    },
  );
}
