/**
 * OAuth2 client-credentials tokens: short-lived JWTs (HS256) signed with the
 * register's own key, which is generated once and kept in the store.
 */
import { randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify, errors } from 'jose';
import type { Clock } from '../domain/clock.ts';
import type { Store } from '../storage/store.ts';
import { AccessError } from './customers.ts';

export const TOKEN_TTL_SECONDS = 300;
const ISSUER = 'opencpr';

export class TokenIssuer {
  private constructor(
    private readonly key: Uint8Array,
    private readonly clock: Clock,
  ) {}

  static async open(store: Store, clock: Clock): Promise<TokenIssuer> {
    const name = 'token_signing_key';
    let row = await store.db.selectFrom('meta').select('value').where('key', '=', name).executeTakeFirst();
    if (!row) {
      await store.db
        .insertInto('meta')
        .values({ key: name, value: randomBytes(32).toString('base64') })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      row = await store.db.selectFrom('meta').select('value').where('key', '=', name).executeTakeFirstOrThrow();
    }
    return new TokenIssuer(Buffer.from(row.value, 'base64'), clock);
  }

  async issue(credentialId: string, principalId: string, customerId: string): Promise<{ token: string; expiresIn: number }> {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const token = await new SignJWT({ cid: credentialId, cust: customerId })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setSubject(principalId)
      .setIssuedAt(now)
      .setExpirationTime(now + TOKEN_TTL_SECONDS)
      .sign(this.key);
    return { token, expiresIn: TOKEN_TTL_SECONDS };
  }

  /** Returns the credential id the token was issued for. */
  async verify(token: string): Promise<string> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        algorithms: ['HS256'],
        currentDate: this.clock.now(),
      });
      if (typeof payload.cid !== 'string') throw new AccessError('invalid_token', 'The token names no credential.');
      return payload.cid;
    } catch (e) {
      if (e instanceof AccessError) throw e;
      if (e instanceof errors.JWTExpired) throw new AccessError('invalid_token', 'The token has expired.');
      throw new AccessError('invalid_token', 'The token is not valid.');
    }
  }
}
