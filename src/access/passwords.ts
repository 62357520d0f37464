/**
 * Web sign-in (API-2): users' passwords and browser sessions with the idle
 * lock of the standard terms §7 (AUD-5). Passwords are stretched with
 * node:crypto scrypt; session tokens are 256 random bits kept only as a
 * SHA-256. Every time decision takes the injected Clock.
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Clock } from '../domain/clock.ts';
import type { Store } from '../storage/store.ts';
import { AccessError, type AccessControl, type Caller, toPrincipal } from './customers.ts';

/** AUD-5, standard terms §7: a web session locks after 10 minutes without activity. */
export const IDLE_LOCK_MS = 10 * 60 * 1000;
/** A session ends after a working day however active it was; the user signs in again. */
export const SESSION_MAX_MS = 12 * 60 * 60 * 1000;
export const MIN_PASSWORD_LENGTH = 12;

// scrypt cost: N=2^15, r=8 (OWASP's minimum for scrypt is N=2^17 with r=8,p=1 or
// equivalent; N=2^15,r=8,p=3 is listed as equal). 32 MiB per hash.
const PARAMS = { N: 2 ** 15, r: 8, p: 3 } as const;
const KEY_LEN = 32;

function scrypt(password: string, salt: Buffer, keyLen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password.normalize('NFC'), salt, keyLen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}
const maxmem = (N: number, r: number) => 128 * N * r * 2;

/** `scrypt$N$r$p$salt$hash`, so the cost can be raised later without breaking stored hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LEN, { ...PARAMS, maxmem: maxmem(PARAMS.N, PARAMS.r) });
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: maxmem(Number(n), Number(r)) });
  return timingSafeEqual(key, expected);
}

/** Compared against when the user name is unknown, so a wrong name costs as long as a wrong password. */
let dummyHash: Promise<string> | undefined;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
export const normaliseUsername = (s: string) => s.trim().toLowerCase();

export type SessionState = 'active' | 'locked';

export interface SessionInfo {
  principalId: string;
  state: SessionState;
  createdAt: string;
  lastActiveAt: string;
  /** When the session locks if nothing happens (ISO). */
  locksAt: string;
}

export class Passwords {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly access: AccessControl,
  ) {}

  /** Sets (or replaces) a user's sign-in name and password. Programs have no password: they use keys. */
  async set(principalId: string, username: string, password: string): Promise<void> {
    const name = normaliseUsername(username);
    if (!/^[a-z0-9][a-z0-9._@-]{1,62}$/.test(name)) {
      throw new AccessError('bad_request', 'username: 2-63 letters a-z, digits, and . _ @ -.');
    }
    if (password.length < MIN_PASSWORD_LENGTH) throw new AccessError('bad_request', `password: at least ${MIN_PASSWORD_LENGTH} characters.`);
    const p = await this.store.db.selectFrom('principal').select(['id', 'kind']).where('id', '=', principalId).executeTakeFirst();
    if (!p) throw new AccessError('unknown_principal', `No user or program with id ${principalId}.`);
    if (p.kind !== 'user') throw new AccessError('bad_request', 'Only users sign in with a password; programs use API keys or client secrets.');
    const taken = await this.store.db.selectFrom('password').select('principal_id').where('username', '=', name).executeTakeFirst();
    if (taken && taken.principal_id !== principalId) throw new AccessError('username_taken', `The user name ${name} is taken.`);
    const hash = await hashPassword(password);
    const now = this.clock.now().toISOString();
    await this.store.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('password')
        .values({ principal_id: principalId, username: name, hash, created_at: now, changed_at: now })
        .onConflict((oc) => oc.column('principal_id').doUpdateSet({ username: name, hash, changed_at: now }))
        .execute();
      // A new password ends the sessions opened with the old one.
      await tx.updateTable('web_session').set({ ended_at: now }).where('principal_id', '=', principalId).where('ended_at', 'is', null).execute();
    });
  }

  /** The principal whose name and password these are, or invalid_credentials. */
  async check(username: string, password: string): Promise<string> {
    const row = await this.store.db.selectFrom('password').select(['principal_id', 'hash']).where('username', '=', normaliseUsername(username)).executeTakeFirst();
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    const ok = await verifyPassword(password, row?.hash ?? (await dummyHash));
    if (!row || !ok) throw new AccessError('invalid_credentials', 'The user name or password is wrong.');
    return row.principal_id;
  }

  async usernameOf(principalId: string): Promise<string | null> {
    const row = await this.store.db.selectFrom('password').select('username').where('principal_id', '=', principalId).executeTakeFirst();
    return row?.username ?? null;
  }

  /** Opens a session after a successful sign-in; returns the token for the cookie. */
  async openSession(principalId: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now().toISOString();
    await this.store.db
      .insertInto('web_session')
      .values({ id_hash: sha256(token), principal_id: principalId, created_at: now, last_active_at: now, locked_at: null, ended_at: null })
      .execute();
    return token;
  }

  /**
   * The session behind a token as it stands now. A session idle for 10
   * minutes is locked here (and stays locked until the password is given),
   * whether or not this call counts as activity.
   */
  async session(token: string): Promise<SessionInfo> {
    const hash = sha256(token);
    const row = await this.store.db.selectFrom('web_session').selectAll().where('id_hash', '=', hash).executeTakeFirst();
    const now = this.clock.now();
    if (!row || row.ended_at !== null) throw new AccessError('unauthenticated', 'Not signed in.');
    if (now.getTime() - Date.parse(row.created_at) >= SESSION_MAX_MS) {
      await this.endSession(token);
      throw new AccessError('unauthenticated', 'The session has ended; sign in again.');
    }
    let lockedAt = row.locked_at;
    // AUD-5 (terms §7): idle for 10 minutes → locked; judged on the server's clock, not the browser's.
    if (lockedAt === null && now.getTime() - Date.parse(row.last_active_at) >= IDLE_LOCK_MS) {
      lockedAt = now.toISOString();
      await this.store.db.updateTable('web_session').set({ locked_at: lockedAt }).where('id_hash', '=', hash).where('locked_at', 'is', null).execute();
    }
    return {
      principalId: row.principal_id,
      state: lockedAt === null ? 'active' : 'locked',
      createdAt: row.created_at,
      lastActiveAt: row.last_active_at,
      locksAt: new Date(Date.parse(row.last_active_at) + IDLE_LOCK_MS).toISOString(),
    };
  }

  /** Records activity: an unlocked session's idle time starts again. Throws session_locked when locked. */
  async touch(token: string): Promise<SessionInfo> {
    const s = await this.session(token);
    if (s.state === 'locked') throw new AccessError('session_locked', 'The session is locked after 10 minutes without activity; give your password to go on.');
    const now = this.clock.now().toISOString();
    await this.store.db.updateTable('web_session').set({ last_active_at: now }).where('id_hash', '=', sha256(token)).execute();
    return { ...s, lastActiveAt: now, locksAt: new Date(Date.parse(now) + IDLE_LOCK_MS).toISOString() };
  }

  /** Unlocks with the same user's password (AUD-5). A wrong password ends nothing but is refused. */
  async unlock(token: string, password: string): Promise<SessionInfo> {
    const s = await this.session(token);
    const row = await this.store.db.selectFrom('password').select('hash').where('principal_id', '=', s.principalId).executeTakeFirst();
    if (!row || !(await verifyPassword(password, row.hash))) throw new AccessError('invalid_credentials', 'The password is wrong.');
    const now = this.clock.now().toISOString();
    await this.store.db.updateTable('web_session').set({ locked_at: null, last_active_at: now }).where('id_hash', '=', sha256(token)).execute();
    return { ...s, state: 'active', lastActiveAt: now, locksAt: new Date(Date.parse(now) + IDLE_LOCK_MS).toISOString() };
  }

  async endSession(token: string): Promise<void> {
    await this.store.db
      .updateTable('web_session')
      .set({ ended_at: this.clock.now().toISOString() })
      .where('id_hash', '=', sha256(token))
      .where('ended_at', 'is', null)
      .execute();
  }

  /**
   * The caller a session acts as: the same Caller an API key gives, with the
   * same authorisation-period and allow-list checks (AUD-1, AUD-6).
   */
  async caller(principalId: string, ip: string): Promise<Caller> {
    const p = await this.store.db.selectFrom('principal').selectAll().where('id', '=', principalId).executeTakeFirst();
    if (!p) throw new AccessError('unauthenticated', 'Not signed in.');
    const principal = toPrincipal(p);
    const caller: Caller = { customer: await this.access.customer(p.customer_id), principal };
    this.access.checkActive(caller, ip);
    return caller;
  }
}
