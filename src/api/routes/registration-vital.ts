/**
 * Registration by municipalities and other authorities (issue 6 items 4-7):
 * immigration (§16-§22), emigration (§24-§27), the Nordic waiting register
 * (§25, §26(2), seed 004), vital events from other authorities (§2(2)) and
 * protections (§28-§30). Every route needs the role `register`; the services
 * check the municipality (§2(1)) or the authority's legal basis (§2(2)).
 * Every registration and every answer names persons, so each is an audit
 * record of its acting user (services/registration/audited.ts) before the
 * answer leaves.
 * docs/api/registration-vital.md describes the calls.
 */
import { z } from 'zod';
import type { Caller } from '../../access/customers.ts';
import { immigrationSchema } from '../../domain/registration/immigration.ts';
import { emigrationSchema } from '../../domain/registration/emigration.ts';
import {
  birthSchema,
  churchEventSchema,
  coupleSchema,
  deathSchema,
  guardianshipEventSchema,
  nameChangeSchema,
  numberChangeEventSchema,
  separationEventSchema,
} from '../../domain/registration/vital.ts';
import { registerEmigration } from '../../services/registration/emigration.ts';
import { registerHouseholdImmigration, registerImmigration } from '../../services/registration/immigration.ts';
import {
  approveNordicEmigration,
  closeWaitingItem,
  listWaitingItems,
  nordicNotificationSchema,
  receiveNotification,
  waitingItem,
} from '../../services/registration/nordic.ts';
import { ProtectionLapseJob, ProtectionService } from '../../services/registration/protection.ts';
import { VitalEventService } from '../../services/registration/vital.ts';
import { audited as auditedBy, ofRegistrations, TX, type Described, type RegistrationTransaction } from '../../services/registration/audited.ts';
import { Problem } from '../problems.ts';
import type { Api, ApiContext } from '../server.ts';

const P = '/api/v1/registration';
const PROTECTION_TX = { grant: TX.protectionGrant, extend: TX.protectionExtend, revoke: TX.protectionRevoke } as const;
const auth = { auth: { roles: ['register' as const] } };

const vitalResult = z.object({
  event: z.string(),
  registrations: z.array(z.object({ pnr: z.string(), seq: z.number(), eventCode: z.string() })),
});
const emigrationResult = z.object({
  pnr: z.string(), outcome: z.string(), departureDate: z.string(), rules: z.array(z.string()),
  seq: z.number().nullable(), eventCode: z.string().nullable(), waitingItem: z.string().nullable(),
});
const waitingItemSchema = z.object({
  id: z.string(),
  kind: z.string(),
  direction: z.string(),
  municipalityCode: z.string(),
  pnr: z.string().nullable(),
  countryCode: z.string(),
  payload: z.record(z.string(), z.unknown()),
  receivedAt: z.string(),
  deletesOn: z.string().nullable(),
  deletionNotice: z.boolean(),
  resolution: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  registrationSeq: z.number().nullable(),
});

export function registrationVitalRoutes(app: Api, ctx: ApiContext): void {
  const tags = ['registration'];
  const vital = new VitalEventService(ctx.register);
  const protections = new ProtectionService(ctx.register);

  // §28, PRO-1: the lapse job runs in the server, driven by the register's clock; it catches up at start.
  const job = new ProtectionLapseJob(ctx.register, (e) => app.log.error({ err: e }, 'protection lapse job failed'));
  job.start();
  app.addHook('onClose', async () => job.stop());

  // AUD-3: each registration (and read) is one audit record of its acting user.
  const audited = <T>(req: { caller: Caller | null; id: string; body?: unknown }, type: RegistrationTransaction, describe: (r: T) => Described, fn: () => Promise<T>) =>
    auditedBy(ctx.audit, req.caller!, type, req, fn, describe);
  const item = (x: { id: string; pnr: string | null; registrationSeq: number | null }) => ofRegistrations([{ pnr: x.pnr, seq: x.registrationSeq }], { waitingItem: x.id });

  const immigrationResult = z.object({
    pnr: z.string(), allocated: z.boolean(), seq: z.number(), eventCode: z.string(), moveInDate: z.string(), late: z.boolean(),
    rules: z.array(z.string()), nordicNotice: z.string().nullable(),
  });
  app.post(`${P}/immigrations`, {
    config: auth,
    schema: {
      tags,
      summary: 'Register a move-in from abroad (§16-§22): a number is allocated when the person has none; re-entry for a known one',
      body: immigrationSchema,
      response: { 201: immigrationResult },
    },
  }, async (req, reply) => {
    const r = await audited(req, TX.immigration, (x) => ofRegistrations([x]), () => registerImmigration(ctx.register, req.caller!, req.body));
    return reply.code(201).send(r);
  });

  app.post(`${P}/immigrations/household`, {
    config: auth,
    schema: {
      tags,
      summary: 'Register the members of a household moving in from abroad together (§16(2)): one report, each person checked as if alone, all registered or none',
      body: z.strictObject({ members: z.array(immigrationSchema).min(2).max(20) }),
      response: { 201: z.object({ results: z.array(immigrationResult) }) },
    },
  }, async (req, reply) => {
    const results = await audited(req, TX.immigration, (x) => ofRegistrations(x), () => registerHouseholdImmigration(ctx.register, req.caller!, req.body.members));
    return reply.code(201).send({ results });
  });

  app.post(`${P}/emigrations`, {
    config: auth,
    schema: {
      tags,
      summary: 'Register a departure abroad (§24-§27): emigration, a stay abroad kept at home, an exception of §24(5)-(9), or a pending Nordic move (§25(2))',
      body: emigrationSchema,
      response: { 201: emigrationResult, 202: emigrationResult },
    },
  }, async (req, reply) => {
    const r = await audited(req, TX.emigration, (x) => ofRegistrations([x], { outcome: x.outcome, ...(x.waitingItem && { waitingItem: x.waitingItem }) }), () => registerEmigration(ctx.register, req.caller!, req.body));
    // §25(2): a Nordic move is only accepted (pending), not registered.
    return reply.code(r.outcome === 'nordic_pending' ? 202 : 201).send(r);
  });

  app.post(`${P}/nordic-notifications`, {
    config: auth,
    schema: {
      tags,
      summary: "A Nordic country's notification (through the CPR office): the person is registered there, or the move-in was refused; it waits for the municipality",
      body: nordicNotificationSchema,
      response: { 202: waitingItemSchema },
    },
  }, async (req, reply) => {
    const r = await audited(req, TX.nordicNotification, item, () => receiveNotification(ctx.register, req.caller!, req.body));
    return reply.code(202).send(r);
  });

  app.get(`${P}/waiting-register`, {
    config: auth,
    schema: {
      tags,
      summary: "The open items of the caller's municipality: pending Nordic departures, incoming notifications, outgoing move-in notices",
      querystring: z.object({ direction: z.enum(['pending', 'incoming', 'outgoing']).optional() }),
      response: { 200: z.object({ items: z.array(waitingItemSchema) }) },
    },
  }, async (req) => {
    const items = await audited(req, TX.waitingRegister, (x) => ({ subjects: x.flatMap((i) => (i.pnr ? [i.pnr] : [])), detail: { items: x.map((i) => i.id) } }), () => listWaitingItems(ctx.register, req.caller!, req.query));
    return { items };
  });

  app.get(`${P}/waiting-register/:id`, {
    config: auth,
    schema: { tags, summary: 'One waiting-register item', params: z.object({ id: z.string() }), response: { 200: waitingItemSchema } },
  }, async (req) => audited(req, TX.waitingRegister, item, () => waitingItem(ctx.register, req.caller!, req.params.id)));

  app.post(`${P}/waiting-register/:id/approve`, {
    config: auth,
    schema: {
      tags,
      summary: "Approve a Nordic country's emigration notification: registered as emigrated from that country's move-in date (§25, §26(2))",
      params: z.object({ id: z.string() }),
      response: { 201: z.object({ pnr: z.string(), seq: z.number(), departureDate: z.string(), item: waitingItemSchema }) },
    },
  }, async (req, reply) => {
    const r = await audited(req, TX.emigration, (x) => ofRegistrations([x], { waitingItem: x.item.id }), () => approveNordicEmigration(ctx.register, req.caller!, req.params.id));
    return reply.code(201).send(r);
  });

  app.post(`${P}/waiting-register/:id/close`, {
    config: auth,
    schema: { tags, summary: 'Close an item: a refusal read, a pending Nordic departure withdrawn (§12(6) via §26(5))', params: z.object({ id: z.string() }), response: { 200: waitingItemSchema } },
  }, async (req) => audited(req, TX.waitingRegister, item, () => closeWaitingItem(ctx.register, req.caller!, req.params.id)));

  // ── Vital events (§2(2)) ────────────────────────────────────────────────
  const vitalRoute = <S extends z.ZodType>(path: string, summary: string, body: S, action: RegistrationTransaction, run: (caller: Caller, b: z.output<S>) => Promise<z.output<typeof vitalResult>>) =>
    app.post(`${P}/${path}`, { config: auth, schema: { tags, summary, body, response: { 201: vitalResult } } }, async (req, reply) => {
      const r = await audited(req, action, (x) => ofRegistrations(x.registrations, { event: x.event }), () => run(req.caller!, req.body as z.output<S>));
      return reply.code(201).send(r);
    });
  vitalRoute('births', 'A birth: a new number, mother and father, custody, the mother\'s address', birthSchema, TX.birth, (c, b) => vital.birth(c, b));
  vitalRoute('deaths', 'A death: status 90; the spouse widowed', deathSchema, TX.death, (c, b) => vital.death(c, b));
  vitalRoute('marriages', 'A marriage: civil status G for both', coupleSchema, TX.marriage, (c, b) => vital.couple(c, 'marriage', b));
  vitalRoute('divorces', 'A divorce: civil status F for both', coupleSchema, TX.divorce, (c, b) => vital.couple(c, 'divorce', b));
  vitalRoute('partnerships', 'A registered partnership (before 15 June 2012): civil status P', coupleSchema, TX.partnership, (c, b) => vital.couple(c, 'partnership', b));
  vitalRoute('partnership-dissolutions', 'A dissolved partnership: civil status O', coupleSchema, TX.dissolution, (c, b) => vital.couple(c, 'dissolution', b));
  vitalRoute('separations', 'A separation, or its end (ended: true)', separationEventSchema, TX.separation, (c, b) => vital.separation(c, b));
  vitalRoute('name-changes', 'A new name, with its addressing name (§5)', nameChangeSchema, TX.name, (c, b) => vital.nameChange(c, b));
  vitalRoute('church-memberships', 'Joining or leaving the national church', churchEventSchema, TX.church, (c, b) => vital.church(c, b));
  vitalRoute('guardianships', 'Placed under guardianship, or released (ended: true)', guardianshipEventSchema, TX.guardianship, (c, b) => vital.guardianship(c, b));
  vitalRoute('number-changes', 'A new person number for a wrong birth date or sex (§3(5))', numberChangeEventSchema, TX.numberChange, (c, b) => vital.numberChange(c, b));

  // ── Protections (§28-§30) ───────────────────────────────────────────────
  app.post(`${P}/protections`, {
    config: auth,
    schema: {
      tags,
      summary: 'Grant, extend or revoke a protection (§28-§30): 0001 name-and-address (one year), 0002 local directory, 0003 marketing, 0004 research',
      body: z.strictObject({
        pnr: z.string(),
        type: z.enum(['0001', '0002', '0003', '0004']),
        action: z.enum(['grant', 'extend', 'revoke']),
        date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().describe('extend: the new end; revoke: from when (default today)'),
        reason: z.string().trim().min(1).max(200).optional().describe('extend: the quite special circumstances (§28)'),
      }),
      response: {
        201: z.object({
          pnr: z.string(), seq: z.number(), eventCode: z.string(),
          change: z.object({ group: z.string(), key: z.string(), validFrom: z.string(), validTo: z.string().nullable(), value: z.unknown() }),
          inForce: z.array(z.object({ type: z.string(), validFrom: z.string(), validTo: z.string().nullable(), impliedBy: z.string().optional() })),
        }),
      },
    },
  }, async (req, reply) => {
    const r = await audited(req, PROTECTION_TX[req.body.action], (x) => ofRegistrations([x], { type: req.body.type }), () => protections.apply(req.caller!, req.body));
    return reply.code(201).send(r);
  });

  app.post(`${P}/protections/lapse-run`, {
    config: auth,
    schema: {
      tags,
      summary: 'Run the lapse job now (CPR administration): records every name-and-address protection that ran out (P11); idempotent',
      response: { 200: z.object({ today: z.string(), examined: z.number(), recorded: z.array(z.object({ pnr: z.string(), lapsedOn: z.string(), seq: z.number() })) }) },
    },
  }, async (req) => {
    if (req.caller!.customer.kind !== 'cpr_admin') throw Problem.of('forbidden', 'Only the CPR administration runs the job by hand.');
    const r = await audited(req, TX.protectionLapseRun, (x) => ofRegistrations(x.recorded), async () => {
      const res = await job.runOnce();
      if (!res) throw Problem.of('internal');
      return res;
    });
    return r;
  });
}
