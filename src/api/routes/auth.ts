/** Health and the OAuth2 client-credentials token endpoint. */
import { z } from 'zod';
import { AccessError } from '../../access/customers.ts';
import { Problem } from '../problems.ts';
import type { Api, ApiContext } from '../server.ts';

export function authRoutes(app: Api, ctx: ApiContext): void {
  app.get(
    '/api/v1/health',
    {
      config: { auth: false },
      schema: { tags: ['system'], summary: 'Liveness', security: [], response: { 200: z.object({ status: z.literal('ok'), time: z.string() }) } },
    },
    async () => ({ status: 'ok' as const, time: ctx.clock.now().toISOString() }),
  );

  // RFC 6749 §4.4: client credentials, as form or JSON body, or HTTP Basic.
  app.post(
    '/api/v1/oauth/token',
    {
      config: { auth: false, rateLimit: { max: 60, timeWindow: 60_000 } },
      schema: {
        tags: ['system'],
        summary: 'Issue a short-lived access token for a system program (OAuth2 client credentials)',
        security: [],
        body: z.object({
          grant_type: z.literal('client_credentials'),
          client_id: z.string().optional(),
          client_secret: z.string().optional(),
        }),
        response: { 200: z.object({ access_token: z.string(), token_type: z.literal('Bearer'), expires_in: z.number() }) },
      },
    },
    async (req, reply) => {
      let id = req.body.client_id;
      let secret = req.body.client_secret;
      const basic = req.headers.authorization?.match(/^Basic (.+)$/)?.[1];
      if (basic) [id, secret] = Buffer.from(basic, 'base64').toString('utf8').split(':');
      if (!id || !secret) throw Problem.of('unauthenticated', 'Give client_id and client_secret.');
      const caller = await ctx.failedAuth.guard(req.ip, reply, async () => {
        if (!/^[0-9a-f]{16}$/.test(id)) throw new AccessError('invalid_credentials', 'The credentials are not valid.');
        return ctx.access.authenticateSecret(id, secret, 'client_secret', req.ip);
      });
      const { token, expiresIn } = await ctx.tokens.issue(id, caller.principal.id, caller.customer.id);
      return { access_token: token, token_type: 'Bearer' as const, expires_in: expiresIn };
    },
  );
}
