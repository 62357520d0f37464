/**
 * The HTTP API (API-1): Fastify, versioned under /api/v1, OpenAPI 3.1 from
 * the route schemas with a reference page at /docs, problem+json errors,
 * request ids, structured logs (pino). Routes are thin: they authenticate,
 * call a service, and shape the answer.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { AccessControl, AccessError, type Caller, type Role } from '../access/customers.ts';
import { AuditLog } from '../access/audit.ts';
import { Readers } from '../services/reader.ts';
import { FailedAuthentication } from '../access/attempts.ts';
import { TokenIssuer } from '../access/tokens.ts';
import type { Clock } from '../domain/clock.ts';
import type { Register } from '../register/register.ts';
import { RegistrationError } from '../register/validate.ts';
import { DisclosureError } from '../services/disclosure.ts';
import { AuditError } from '../access/audit.ts';
import { Problem, problemBody, type ProblemCode } from './problems.ts';
import { ExtractError } from '../services/extracts.ts';
import { EnquiryError } from '../services/enquiry.ts';
import { FeedError } from '../services/feed.ts';
import { LandlordError } from '../domain/landlord/errors.ts';
import { hasSession, registerWebSessions, sessionCaller } from './web/session.ts';

export interface ApiContext {
  register: Register;
  access: AccessControl;
  audit: AuditLog;
  /** The disclosing path: read-side services get this, not the register (services/reader.ts). */
  readers: Readers;
  tokens: TokenIssuer;
  clock: Clock;
  /** Failed authentication per client address, asked before authenticating (finding 7). */
  failedAuth: FailedAuthentication;
}

export interface ServerOptions {
  logger?: boolean | { level: string };
  /** Trust X-Forwarded-For from a proxy in front (the allow-list then sees the client). */
  trustProxy?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
  }
  interface FastifyContextConfig {
    /** false for public routes; otherwise the roles any of which grants access. */
    auth?: false | { roles: Role[] };
  }
}

export type Api = FastifyInstance<any, any, any, any, ZodTypeProvider>; // eslint-disable-line @typescript-eslint/no-explicit-any -- Fastify's server generics are irrelevant here

export async function createContext(register: Register, clock: Clock): Promise<ApiContext> {
  const audit = new AuditLog(register.store, clock);
  return {
    register,
    clock,
    access: new AccessControl(register.store, clock),
    audit,
    readers: new Readers(register, audit),
    tokens: await TokenIssuer.open(register.store, clock),
    failedAuth: new FailedAuthentication(clock),
  };
}

export async function buildServer(ctx: ApiContext, opts: ServerOptions = {}): Promise<Api> {
  const app = Fastify({
    logger: opts.logger ?? { level: 'info' },
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    trustProxy: opts.trustProxy ?? false,
    bodyLimit: 4 * 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('caller', null);

  // A callback hook: no promise per answer.
  app.addHook('onSend', (req, reply, payload, done) => {
    reply.header('x-request-id', req.id);
    done(null, payload);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'OpenCPR API',
        version: '1.0.0',
        description:
          'The Danish Civil Registration System (CPR): lookups cut to the caller\'s legal basis, every answer audited. ' +
          'Authenticate with `Authorization: Bearer <API key or access token>`; errors are application/problem+json.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API key (ocpr_…) or an access token from /api/v1/oauth/token' },
        },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  // The web client's session cookie and CSRF token (API-2); before the authentication hook, which reads them.
  await registerWebSessions(app);

  // Authentication and authorisation (AUD-2, AUD-6), before rate limiting so the limit is per customer;
  // failed authentication has its own count per client address, asked first (finding 7).
  app.addHook('onRequest', async (req, reply) => {
    const auth = req.routeOptions.config?.auth;
    if (auth === false || auth === undefined) return;
    req.caller = await ctx.failedAuth.guard(req.ip, reply, () => authenticate(ctx, req));
    if (!auth.roles.some((r) => req.caller!.principal.roles.includes(r))) {
      throw Problem.of('forbidden', `This needs one of the roles: ${auth.roles.join(', ')}.`, `Kræver en af rollerne: ${auth.roles.join(', ')}.`);
    }
  });

  await app.register(rateLimit, {
    hook: 'preHandler',
    timeWindow: 60_000,
    max: (req) => req.caller?.customer.ratePerMinute ?? 120,
    keyGenerator: (req) => (req.caller ? `c:${req.caller.customer.id}` : `ip:${req.ip}`),
    errorResponseBuilder: (_req, ctxRl) => Problem.of('rate_limited', `The limit is ${ctxRl.max} requests a minute; retry in ${Math.ceil(ctxRl.ttl / 1000)} s.`),
  });

  app.setErrorHandler((err, req, reply) => {
    const p = toProblem(err);
    if (p.status >= 500) req.log.error({ err }, 'request failed');
    if (p.code === 'rate_limited') {
      const retry = reply.getHeader('retry-after');
      if (retry === undefined) reply.header('retry-after', 60);
    }
    reply
      .code(p.status)
      .type('application/problem+json')
      .send(problemBody(p, req.id, lang(req)));
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).type('application/problem+json').send(problemBody(Problem.of('not_found', `No route ${req.method} ${req.url.split('?')[0]}.`), req.id, lang(req)));
  });

  return app;
}

async function authenticate(ctx: ApiContext, req: FastifyRequest): Promise<Caller> {
  const header = req.headers.authorization;
  // The web client: a session cookie instead of a Bearer header, same routes and rules (plus CSRF, idle lock).
  if (header === undefined && hasSession(req)) return sessionCaller(ctx, req);
  if (!header?.startsWith('Bearer ')) throw Problem.of('unauthenticated', 'Send Authorization: Bearer <API key or access token>.');
  const token = header.slice(7).trim();
  if (token.startsWith('ocpr_')) return ctx.access.authenticateApiKey(token, req.ip);
  const credentialId = await ctx.tokens.verify(token);
  return ctx.access.callerOfCredential(credentialId, req.ip);
}

function lang(req: FastifyRequest): 'da' | 'en' {
  return /^da\b/i.test(req.headers['accept-language'] ?? '') ? 'da' : 'en';
}

/** Why the audit log refused, as the problem the caller gets (a new AuditError code fails tsc until mapped here). */
const AUDIT_PROBLEMS = {
  // Fail closed (AUD-3): no audit record, no answer.
  write_failed: 'audit_unavailable',
  bad_entry: 'audit_unavailable',
  bad_filter: 'bad_request',
} as const satisfies Record<AuditError['code'], ProblemCode>;

/** Fastify's own client errors by their status; any other 4xx of its is a bad request. */
const FASTIFY_PROBLEMS: Partial<Record<number, ProblemCode>> = { 404: 'not_found', 413: 'body_too_large', 415: 'unsupported_media_type' };

/**
 * Any error as a problem. Each error class carries catalogue codes
 * (ProblemCode), so the status is the catalogue's; nothing is guessed from
 * a code's name.
 */
export function toProblem(err: unknown): Problem {
  if (err instanceof Problem) return err;
  if (err instanceof AccessError || err instanceof DisclosureError || err instanceof RegistrationError || err instanceof ExtractError || err instanceof EnquiryError) {
    return Problem.of(err.code, err.message);
  }
  if (err instanceof FeedError) return Problem.of(err.code, err.message, undefined, err.extra);
  // LAN-3: which control refused goes into the body.
  if (err instanceof LandlordError) return Problem.of(err.code, err.detail, err.detailDa, { ...(err.control !== null && { control: err.control }), ...err.extra });
  if (err instanceof AuditError) {
    const code = AUDIT_PROBLEMS[err.code];
    // The filter's message helps the caller; a failed write's would only leak internals.
    return code === 'bad_request' ? Problem.of(code, err.message) : Problem.of(code);
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const i = err.validation[0];
    const where = i ? `${err.validationContext ?? 'request'}${i.instancePath || ''}` : 'request';
    return Problem.of('bad_request', `${where}: ${i?.message ?? 'invalid'}.`);
  }
  if (isResponseSerializationError(err)) return Problem.of('internal');
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (e?.statusCode === 429) return Problem.of('rate_limited');
  if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    // Fastify's own client errors (bad JSON, wrong content type, body too large).
    return Problem.of(FASTIFY_PROBLEMS[e.statusCode] ?? 'bad_request', e.message);
  }
  return Problem.of('internal');
}
