/**
 * Web sessions for the browser client (API-2, AUD-5). A user signs in with
 * user name and password; the browser then holds an HTTP-only, SameSite
 * session cookie and calls the SAME /api/v1 endpoints as every other client:
 * `authenticate()` in server.ts accepts the cookie instead of a Bearer header,
 * with a CSRF token on unsafe methods. The only endpoints added here are the
 * session's own (sign in, status, unlock, activity, sign out) and setting a
 * password; they return who is signed in, never personal data of others.
 */
import { auditEntry } from '../../access/audit-entry.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import { z } from 'zod';
import { AccessError, type Caller } from '../../access/customers.ts';
import { IDLE_LOCK_MS, Passwords, type SessionInfo } from '../../access/passwords.ts';
import { Problem } from '../problems.ts';
import type { Api, ApiContext } from '../server.ts';

export const SESSION_COOKIE = 'opencpr_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const passwordsByContext = new WeakMap<ApiContext, Passwords>();
export function passwordsOf(ctx: ApiContext): Passwords {
  let p = passwordsByContext.get(ctx);
  if (!p) passwordsByContext.set(ctx, (p = new Passwords(ctx.register.store, ctx.clock, ctx.access)));
  return p;
}

/** Cookie parsing and CSRF tokens; registered before the authentication hook so cookies are parsed in time. */
export async function registerWebSessions(app: Api): Promise<void> {
  await app.register(cookie);
  // Double-submit with a secret: the secret in an HTTP-only cookie, the token in the X-CSRF-Token header.
  await app.register(csrf, { cookieKey: 'opencpr_csrf', cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true } });
}

export function hasSession(req: FastifyRequest): boolean {
  return typeof req.cookies?.[SESSION_COOKIE] === 'string';
}

/**
 * The caller behind a session cookie. Each request is activity and restarts
 * the idle time; a session idle for 10 minutes answers 401 session_locked
 * until the password is given again (AUD-5, terms §7).
 */
export async function sessionCaller(ctx: ApiContext, req: FastifyRequest): Promise<Caller> {
  const token = req.cookies[SESSION_COOKIE]!;
  if (!SAFE_METHODS.has(req.method)) await checkCsrf(req);
  const s = await passwordsOf(ctx).touch(token);
  return passwordsOf(ctx).caller(s.principalId, req.ip);
}

function checkCsrf(req: FastifyRequest): Promise<void> {
  // The plugin answers a bad token itself; catch that answer to give our problem+json instead.
  return new Promise((resolve, reject) => {
    const answer = { send: () => reject(Problem.of('csrf_invalid')) } as unknown as FastifyReply;
    req.server.csrfProtection(req, answer, () => resolve());
  });
}

const status = z.object({
  signedIn: z.boolean(),
  state: z.enum(['active', 'locked']).optional(),
  user: z.object({ id: z.string(), name: z.string(), username: z.string().nullable(), roles: z.array(z.string()) }).optional(),
  customer: z.object({ id: z.string(), name: z.string(), kind: z.string(), number: z.string().nullable() }).optional(),
  locksAt: z.string().optional().describe('When the session locks without activity (AUD-5)'),
  idleLockSeconds: z.number(),
  now: z.string().describe('The server\'s time; the client shows dates (today, this quarter) by it'),
  csrfToken: z.string().describe('Send as X-CSRF-Token on POST, PUT, PATCH and DELETE'),
});
type Status = z.infer<typeof status>;

export function sessionRoutes(app: Api, ctx: ApiContext): void {
  const passwords = passwordsOf(ctx);
  const tags = ['web sessions'];
  const idleLockSeconds = IDLE_LOCK_MS / 1000;

  const secure = (req: FastifyRequest) => req.protocol === 'https';
  // The CSRF secret's cookie is Secure too when the page came over HTTPS.
  const csrfToken = (reply: FastifyReply) => reply.generateCsrf({ secure: secure(reply.request) });
  const signedOut = (reply: FastifyReply): Status => ({ signedIn: false, idleLockSeconds, now: ctx.clock.now().toISOString(), csrfToken: csrfToken(reply) });
  const describe = async (req: FastifyRequest, reply: FastifyReply, s: SessionInfo): Promise<Status> => {
    const caller = await passwords.caller(s.principalId, req.ip);
    const { customer, principal } = caller;
    return {
      signedIn: true,
      state: s.state,
      user: { id: principal.id, name: principal.name, username: await passwords.usernameOf(principal.id), roles: principal.roles },
      customer: { id: customer.id, name: customer.name, kind: customer.kind, number: customer.number },
      locksAt: s.locksAt,
      idleLockSeconds,
      now: ctx.clock.now().toISOString(),
      csrfToken: csrfToken(reply),
    };
  };
  const token = (req: FastifyRequest) => {
    const t = req.cookies[SESSION_COOKIE];
    if (!t) throw Problem.of('unauthenticated', 'Not signed in.', 'Ikke logget ind.');
    return t;
  };

  app.get(
    '/api/v1/session',
    {
      config: { auth: false },
      schema: { tags, summary: 'Who is signed in in this browser, and a CSRF token; does not count as activity', security: [], response: { 200: status } },
    },
    async (req, reply) => {
      const t = req.cookies[SESSION_COOKIE];
      if (!t) return signedOut(reply);
      try {
        return await describe(req, reply, await passwords.session(t));
      } catch (e) {
        if (!(e instanceof AccessError)) throw e;
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return signedOut(reply);
      }
    },
  );

  app.post(
    '/api/v1/session',
    {
      config: { auth: false, rateLimit: { max: 20, timeWindow: 60_000 } },
      schema: {
        tags,
        summary: 'Sign in with user name and password; sets an HTTP-only session cookie',
        security: [],
        body: z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(1000) }),
        response: { 200: status },
      },
    },
    async (req, reply) => {
      await checkCsrf(req);
      let principalId: string;
      try {
        // Counted per address before the password is hashed (finding 7).
        principalId = await ctx.failedAuth.guard(req.ip, reply, () => passwords.check(req.body.username, req.body.password));
      } catch (e) {
        // A refused attempt is not recorded: the audit log's durable commits are no target for a flood.
        if (e instanceof AccessError && e.code === 'rate_limited') throw e;
        await ctx.audit.record({ actor: `web:${req.body.username.slice(0, 64)}`, action: 'session.sign_in_failed', subjects: [], requestId: req.id });
        throw e;
      }
      const caller = await passwords.caller(principalId, req.ip);
      await ctx.audit.record({ actor: principalId, actorKind: 'user', customer: caller.customer.id, action: 'session.sign_in', subjects: [], requestId: req.id });
      const t = await passwords.openSession(principalId);
      reply.setCookie(SESSION_COOKIE, t, { path: '/', httpOnly: true, sameSite: 'strict', secure: secure(req) });
      return describe(req, reply, await passwords.session(t));
    },
  );

  app.post(
    '/api/v1/session/unlock',
    {
      config: { auth: false, rateLimit: { max: 20, timeWindow: 60_000 } },
      schema: { tags, summary: 'Unlock a session locked after 10 minutes idle, with the same user\'s password (AUD-5)', security: [], body: z.object({ password: z.string().min(1).max(1000) }), response: { 200: status } },
    },
    async (req, reply) => {
      await checkCsrf(req);
      return describe(req, reply, await ctx.failedAuth.guard(req.ip, reply, () => passwords.unlock(token(req), req.body.password)));
    },
  );

  app.post(
    '/api/v1/session/activity',
    {
      config: { auth: false },
      schema: { tags, summary: 'Report activity in the page (typing, clicking) so the session does not lock while in use', security: [], response: { 200: status } },
    },
    async (req, reply) => {
      await checkCsrf(req);
      return describe(req, reply, await passwords.touch(token(req)));
    },
  );

  app.delete(
    '/api/v1/session',
    {
      config: { auth: false },
      schema: { tags, summary: 'Sign out', security: [], response: { 200: status } },
    },
    async (req, reply) => {
      await checkCsrf(req);
      const t = req.cookies[SESSION_COOKIE];
      if (t) await passwords.endSession(t);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return signedOut(reply);
    },
  );

  // Setting a password: the CPR administration for anyone, a security officer for the own customer's users.
  app.put(
    '/api/v1/admin/principals/:id/password',
    {
      config: { auth: { roles: ['admin', 'security_officer'] } },
      schema: {
        tags: ['administration'],
        summary: 'Set a user\'s sign-in name and password for the web client (scrypt; ends the user\'s open sessions)',
        params: z.object({ id: z.string() }),
        body: z.object({ username: z.string().min(2).max(63), password: z.string().min(1).max(1000) }),
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      const caller = req.caller!;
      if (caller.customer.kind !== 'cpr_admin') {
        const own = await ctx.access.authorisations(caller.customer.id);
        if (!own.some((p) => p.id === req.params.id)) throw Problem.of('forbidden', 'Only your own customer\'s users.', 'Kun egne brugere.');
      }
      await passwords.set(req.params.id, req.body.username, req.body.password);
      await ctx.audit.record(auditEntry(caller, 'password.set', { subjects: [], references: [req.params.id], requestId: req.id, detail: { principal: req.params.id } }));
      return reply.code(204).send(null);
    },
  );
}
