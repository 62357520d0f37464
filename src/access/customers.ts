/**
 * Customers, their users and system programs, and their credentials
 * (AUD-1, AUD-2, AUD-6; standard terms §3, §5-§6). A customer is a public
 * authority or a company with legal bases; each user or program has its own
 * authorisation period; credentials are API keys or OAuth2 client secrets,
 * stored only as hashes.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { ProblemCode } from '../api/problems.ts';
import type { Clock } from '../domain/clock.ts';
import { dateOf } from '../domain/dates.ts';
import { incrementMeta } from '../storage/meta.ts';
import type { DB } from '../storage/schema.ts';
import type { Store } from '../storage/store.ts';
import { CUSTOMER_LEGAL_BASES, SCOPE_VALUES, unknownLegalBases, unknownScopeFields } from './grants.ts';

export const CUSTOMER_KINDS = ['public_authority', 'business', 'insurer', 'credit_bureau', 'landlord', 'cpr_admin', 'citizen'] as const;
export type CustomerKind = (typeof CUSTOMER_KINDS)[number];

/**
 * What a principal may do; a route names the role it needs (AUD-2: need to know).
 * `register`: a registration clerk of a municipality or another registering authority (§2(2)).
 */
export const ROLES = ['lookup', 'bulk', 'subscribe', 'security_officer', 'admin', 'landlord', 'own_data', 'register'] as const;
export type Role = (typeof ROLES)[number];

/** What access control refuses with; Extract keeps only catalogued codes, so any other fails tsc. */
export type AccessErrorCode = Extract<
  ProblemCode,
  | 'bad_request'
  | 'unauthenticated'
  | 'invalid_credentials'
  | 'credentials_expired'
  | 'invalid_token'
  | 'session_locked'
  | 'customer_inactive'
  | 'authorisation_inactive'
  | 'network_not_allowed'
  | 'customer_exists'
  | 'unknown_customer'
  | 'unknown_principal'
  | 'unknown_credential'
  | 'role_not_allowed'
  | 'username_taken'
  | 'rate_limited'
  | 'unknown_legal_basis'
  | 'unknown_scope_field'
>;

export class AccessError extends Error {
  constructor(
    readonly code: AccessErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AccessError';
  }
}

export interface Customer {
  id: string;
  name: string;
  kind: CustomerKind;
  number: string | null;
  legalBases: string[];
  scope: string[];
  allowList: string[];
  ratePerMinute: number;
  validFrom: string;
  validTo: string | null;
}

export interface Principal {
  id: string;
  customerId: string;
  kind: 'user' | 'program';
  name: string;
  roles: Role[];
  pnr: string | null;
  validFrom: string;
  validTo: string | null;
}

/** The authenticated caller of a request. */
export interface Caller {
  customer: Customer;
  principal: Principal;
}

const civilDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const cidr = z.string().refine((s) => {
  const [ip, bits] = s.split('/');
  return !!ip && isIP(ip) !== 0 && (bits === undefined || /^\d{1,3}$/.test(bits));
}, 'an IP address or CIDR network');

export const newCustomerSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{1,40}$/, 'lower-case letters, digits, _ and -').optional(),
  name: z.string().trim().min(1).max(120),
  kind: z.enum(CUSTOMER_KINDS),
  number: z.string().regex(/^\d{4,10}$/).optional(),
  legalBases: z.array(z.string().min(1).max(20)).default([]).describe(`Legal basis ids, each one of: ${CUSTOMER_LEGAL_BASES.join(', ')}`),
  scope: z.array(z.string().min(1).max(40)).default([]).describe(`Granted fields, each one of: ${SCOPE_VALUES.join(', ')}`),
  allowList: z.array(cidr).default([]),
  ratePerMinute: z.number().int().min(1).max(1_000_000).default(6000),
  validFrom: civilDate.optional(),
  validTo: civilDate.nullable().optional(),
});
export type NewCustomer = z.input<typeof newCustomerSchema>;

export const newPrincipalSchema = z.strictObject({
  kind: z.enum(['user', 'program']),
  name: z.string().trim().min(1).max(120),
  roles: z.array(z.enum(ROLES)).min(1),
  pnr: z.string().regex(/^\d{10}$/).optional(),
  validFrom: civilDate.optional(),
  validTo: civilDate.nullable().optional(),
});
export type NewPrincipal = z.input<typeof newPrincipalSchema>;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const newId = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex')}`;

/**
 * The store's access version (meta): bumped in the transaction of every change
 * that can withdraw access (revocation, an end date, a customer's terms), so
 * other processes on the store drop their cached callers (AUD-1).
 */
export const ACCESS_VERSION_KEY = 'access_version';

/** Active on a date: from ≤ date < to. */
export const activeOn = (x: { validFrom: string; validTo: string | null }, date: string) =>
  x.validFrom <= date && (x.validTo === null || date < x.validTo);

interface CacheEntry {
  caller: Caller;
  hash: string;
  kind: string;
  /** The credential's expiry (epoch ms, Infinity for none, -Infinity when revoked), checked on every request against the clock. */
  expires: number;
  until: number;
}

export class AccessControl {
  /**
   * Authenticated keys, so a request costs one hash and no query. A change
   * made through this instance clears it at once; a change by another process
   * on the store is seen through the access version (VERSION_CHECK_MS).
   */
  readonly #cache = new Map<string, CacheEntry>();
  /** Bumped whenever the cache is cleared: a load that began before is not cached after. */
  #generation = 0;
  /** A backstop for changes made outside AccessControl (by hand in the store). */
  static CACHE_MS = 5000;
  /** How often the access version is read: a revocation elsewhere takes effect within this (under 1 s). */
  static VERSION_CHECK_MS = 250;
  readonly #readVersion: (params: readonly unknown[]) => Array<{ value: string }> | Promise<Array<{ value: string }>>;
  #version: string | undefined;
  #versionReadAt = -Infinity;
  #versionRead: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {
    this.#readVersion = store.prepare<{ value: string }>(store.db.selectFrom('meta').select('value').where('key', '=', ACCESS_VERSION_KEY).compile());
  }

  async createCustomer(input: NewCustomer): Promise<Customer> {
    const c = parse(newCustomerSchema, input);
    checkGrant(c);
    const now = this.clock.now();
    const row = {
      id: c.id ?? newId('cust'),
      name: c.name,
      kind: c.kind,
      number: c.number ?? null,
      legal_bases: JSON.stringify(c.legalBases),
      scope: JSON.stringify(c.scope),
      allow_list: JSON.stringify(c.allowList),
      rate_per_minute: c.ratePerMinute,
      valid_from: c.validFrom ?? dateOf(now),
      valid_to: c.validTo ?? null,
      created_at: now.toISOString(),
    };
    const exists = await this.store.db.selectFrom('customer').select('id').where('id', '=', row.id).executeTakeFirst();
    if (exists) throw new AccessError('customer_exists', `A customer with id ${row.id} exists.`);
    await this.store.db.insertInto('customer').values(row).execute();
    return toCustomer(row);
  }

  async updateCustomer(id: string, patch: Partial<Pick<NewCustomer, 'allowList' | 'ratePerMinute' | 'scope' | 'legalBases' | 'validTo'>>): Promise<Customer> {
    const c = parse(newCustomerSchema.pick({ allowList: true, ratePerMinute: true, scope: true, legalBases: true, validTo: true }).partial(), patch);
    checkGrant(c);
    await this.customer(id);
    await this.#withdrawing((tx) =>
        tx
        .updateTable('customer')
        .set({
          ...(c.allowList && { allow_list: JSON.stringify(c.allowList) }),
          ...(c.ratePerMinute && { rate_per_minute: c.ratePerMinute }),
          ...(c.scope && { scope: JSON.stringify(c.scope) }),
          ...(c.legalBases && { legal_bases: JSON.stringify(c.legalBases) }),
          ...(c.validTo !== undefined && { valid_to: c.validTo }),
        })
        .where('id', '=', id)
        .execute(),
    );
    return this.customer(id);
  }

  async customer(id: string): Promise<Customer> {
    const row = await this.store.db.selectFrom('customer').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AccessError('unknown_customer', `No customer with id ${id}.`);
    return toCustomer(row);
  }

  async customers(): Promise<Customer[]> {
    return (await this.store.db.selectFrom('customer').selectAll().orderBy('id').execute()).map(toCustomer);
  }

  async addPrincipal(customerId: string, input: NewPrincipal): Promise<Principal> {
    const p = parse(newPrincipalSchema, input);
    const customer = await this.customer(customerId);
    if (p.roles.includes('admin') && customer.kind !== 'cpr_admin') {
      throw new AccessError('role_not_allowed', 'Only the CPR administration has the admin role.');
    }
    const row = {
      id: newId(p.kind === 'user' ? 'usr' : 'prg'),
      customer_id: customerId,
      kind: p.kind,
      name: p.name,
      roles: JSON.stringify(p.roles),
      pnr: p.pnr ?? null,
      valid_from: p.validFrom ?? dateOf(this.clock.now()),
      valid_to: p.validTo ?? null,
      created_at: this.clock.now().toISOString(),
    };
    await this.store.db.insertInto('principal').values(row).execute();
    return toPrincipal(row);
  }

  /** Ends (or changes the end of) an authorisation; the record stays for the security officer's list. */
  async endPrincipal(id: string, validTo: string): Promise<void> {
    await this.#withdrawing(async (tx) => {
      const r = await tx.updateTable('principal').set({ valid_to: validTo }).where('id', '=', id).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw new AccessError('unknown_principal', `No user or program with id ${id}.`);
    });
  }

  /** The security officer's list (AUD-1, terms §3): every user and program with its dates. */
  async authorisations(customerId: string): Promise<Array<Principal & { credentials: Array<{ id: string; kind: string; createdAt: string; expiresAt: string | null; revokedAt: string | null }> }>> {
    const principals = await this.store.db.selectFrom('principal').selectAll().where('customer_id', '=', customerId).orderBy('created_at').execute();
    const creds = principals.length
      ? await this.store.db.selectFrom('credential').selectAll().where('principal_id', 'in', principals.map((p) => p.id)).execute()
      : [];
    return principals.map((p) => ({
      ...toPrincipal(p),
      credentials: creds
        .filter((c) => c.principal_id === p.id)
        .map((c) => ({ id: c.id, kind: c.kind, createdAt: c.created_at, expiresAt: c.expires_at, revokedAt: c.revoked_at })),
    }));
  }

  /**
   * Issues a credential and returns the secret once; only its hash is kept.
   * An API key is `ocpr_<id>_<secret>`; a client secret goes with its id as
   * client_id in the OAuth2 client-credentials grant. The secret has 256
   * random bits, so a fast hash is enough (no password stretching needed).
   */
  async issueCredential(principalId: string, kind: 'api_key' | 'client_secret', expiresAt?: string): Promise<{ id: string; secret: string; apiKey?: string }> {
    const p = await this.store.db.selectFrom('principal').select('id').where('id', '=', principalId).executeTakeFirst();
    if (!p) throw new AccessError('unknown_principal', `No user or program with id ${principalId}.`);
    // A time that does not parse would never expire: refused, and stored as ISO (compared by instant).
    const expires = expiresAt === undefined ? null : Date.parse(expiresAt);
    if (expires !== null && Number.isNaN(expires)) throw new AccessError('bad_request', `expiresAt: ${expiresAt} is not a date and time (ISO 8601).`);
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    await this.store.db
      .insertInto('credential')
      .values({ id, principal_id: principalId, kind, secret_hash: sha256(secret), created_at: this.clock.now().toISOString(), expires_at: expires === null ? null : new Date(expires).toISOString(), revoked_at: null })
      .execute();
    return kind === 'api_key' ? { id, secret, apiKey: `ocpr_${id}_${secret}` } : { id, secret };
  }

  async revokeCredential(id: string): Promise<void> {
    await this.#withdrawing(async (tx) => {
      const r = await tx.updateTable('credential').set({ revoked_at: this.clock.now().toISOString() }).where('id', '=', id).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw new AccessError('unknown_credential', `No credential with id ${id}.`);
    });
  }

  /**
   * A change that can withdraw access: made in one transaction with a bump of
   * the access version (other processes drop their cache on seeing it), and
   * this instance's cache is cleared at once (the next request reads anew).
   */
  async #withdrawing(change: (tx: Kysely<DB>) => Promise<unknown>): Promise<void> {
    await this.store.db.transaction().execute(async (tx) => {
      await change(tx);
      await incrementMeta(tx, ACCESS_VERSION_KEY);
    });
    this.#clear();
  }

  #clear(): void {
    this.#cache.clear();
    this.#generation++;
  }

  /** Reads the access version; a new one (another process withdrew access) clears the cache. */
  #syncVersion(): Promise<void> {
    return (this.#versionRead ??= (async () => {
      const started = performance.now();
      try {
        const v = (await this.#readVersion([ACCESS_VERSION_KEY]))[0]?.value ?? '0';
        if (v !== this.#version) {
          this.#version = v;
          this.#clear();
        }
        this.#versionReadAt = started;
      } finally {
        this.#versionRead = undefined;
      }
    })());
  }

  /** Authenticates an API key (`ocpr_<id>_<secret>`). */
  async authenticateApiKey(key: string, ip: string): Promise<Caller> {
    const m = /^ocpr_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/.exec(key);
    if (!m) throw new AccessError('invalid_credentials', 'The API key is not valid.');
    return this.authenticateSecret(m[1]!, m[2]!, 'api_key', ip);
  }

  /** Authenticates a credential id and secret (API key parts, or OAuth2 client id and secret). */
  async authenticateSecret(id: string, secret: string, kind: 'api_key' | 'client_secret', ip: string): Promise<Caller> {
    const entry = await this.#load(id);
    // The secret first: only its holder may learn that the credential expired (else an id alone would tell it exists).
    if (entry.kind !== kind || !safeEqual(entry.hash, sha256(secret))) throw new AccessError('invalid_credentials', 'The credentials are not valid.');
    this.#checkExpiry(entry);
    this.checkActive(entry.caller, ip);
    return entry.caller;
  }

  /** The caller behind a credential whose secret was checked when its token was issued. */
  async callerOfCredential(id: string, ip: string): Promise<Caller> {
    const entry = await this.#load(id);
    this.#checkExpiry(entry);
    this.checkActive(entry.caller, ip);
    return entry.caller;
  }

  /** Expiry and revocation are the clock's business, not the cache's: checked on every request. */
  #checkExpiry(entry: CacheEntry): void {
    if (entry.expires <= this.clock.now().getTime()) throw new AccessError('credentials_expired', 'The credentials have expired or were revoked.');
  }

  async #load(id: string): Promise<CacheEntry> {
    if (performance.now() - this.#versionReadAt >= AccessControl.VERSION_CHECK_MS) await this.#syncVersion();
    const hit = this.#cache.get(id);
    if (hit && hit.until > Date.now()) return hit;
    const generation = this.#generation;
    const row = await this.store.db
      .selectFrom('credential')
      .innerJoin('principal', 'principal.id', 'credential.principal_id')
      .innerJoin('customer', 'customer.id', 'principal.customer_id')
      .select([
        'credential.secret_hash', 'credential.kind as credential_kind', 'credential.expires_at', 'credential.revoked_at',
        'principal.id as p_id', 'principal.kind as p_kind', 'principal.name as p_name', 'principal.roles', 'principal.pnr',
        'principal.valid_from as p_from', 'principal.valid_to as p_to', 'principal.customer_id',
        'customer.id', 'customer.name', 'customer.kind', 'customer.number', 'customer.legal_bases', 'customer.scope',
        'customer.allow_list', 'customer.rate_per_minute', 'customer.valid_from', 'customer.valid_to',
      ])
      .where('credential.id', '=', id)
      .executeTakeFirst();
    if (!row) throw new AccessError('invalid_credentials', 'The credentials are not valid.');
    // A revoked credential never works again: as expired since always.
    const expires = row.revoked_at !== null ? -Infinity : row.expires_at === null ? Infinity : Date.parse(row.expires_at);
    const caller: Caller = {
      customer: toCustomer(row),
      principal: toPrincipal({ id: row.p_id, customer_id: row.customer_id, kind: row.p_kind, name: row.p_name, roles: row.roles, pnr: row.pnr, valid_from: row.p_from, valid_to: row.p_to }),
    };
    const entry = { caller, hash: row.secret_hash, kind: row.credential_kind, expires, until: Date.now() + AccessControl.CACHE_MS };
    // Not when the cache was cleared meanwhile: the row may predate the change that cleared it.
    if (generation === this.#generation) this.#cache.set(id, entry);
    return entry;
  }

  /** The authorisation periods (AUD-1) and the network allow-list (AUD-6), checked on every request. */
  checkActive(caller: Caller, ip: string): void {
    const today = dateOf(this.clock.now());
    if (!activeOn(caller.customer, today)) throw new AccessError('customer_inactive', 'The customer agreement is not in force today.');
    if (!activeOn(caller.principal, today)) throw new AccessError('authorisation_inactive', 'This user or program is not authorised today.');
    if (!allowed(caller.customer.allowList, ip)) throw new AccessError('network_not_allowed', `Access from ${ip} is not on the customer's allow-list.`);
  }
}

const blockLists = new Map<string, BlockList>();
function allowed(list: string[], ip: string): boolean {
  if (list.length === 0) return true;
  const key = list.join(',');
  let bl = blockLists.get(key);
  if (!bl) {
    bl = new BlockList();
    for (const entry of list) {
      const [addr, bits] = entry.split('/') as [string, string | undefined];
      const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) bl.addAddress(addr, type);
      else bl.addSubnet(addr, Number(bits), type);
    }
    blockLists.set(key, bl);
  }
  const plain = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  return bl.check(plain, isIP(plain) === 6 ? 'ipv6' : 'ipv4');
}

function safeEqual(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** Finding 9: an unknown legal basis or scope field is refused, with the valid ones, not stored to grant nothing. */
function checkGrant(c: { legalBases?: string[]; scope?: string[] }): void {
  const bases = unknownLegalBases(c.legalBases ?? []);
  if (bases.length) {
    throw new AccessError('unknown_legal_basis', `Unknown legal basis ${bases.join(', ')}; the valid ones are ${CUSTOMER_LEGAL_BASES.join(', ')}.`);
  }
  const fields = unknownScopeFields(c.scope ?? []);
  if (fields.length) {
    throw new AccessError('unknown_scope_field', `Unknown scope field ${fields.join(', ')}; the valid ones are ${SCOPE_VALUES.join(', ')}.`);
  }
}

function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new AccessError('bad_request', `${i?.path.join('.') || 'input'}: ${i?.message ?? 'invalid'}.`);
  }
  return r.data;
}

function toCustomer(r: { id: string; name: string; kind: string; number: string | null; legal_bases: string; scope: string; allow_list: string; rate_per_minute: number; valid_from: string; valid_to: string | null }): Customer {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind as CustomerKind,
    number: r.number,
    legalBases: JSON.parse(r.legal_bases),
    scope: JSON.parse(r.scope),
    allowList: JSON.parse(r.allow_list),
    ratePerMinute: Number(r.rate_per_minute),
    validFrom: r.valid_from,
    validTo: r.valid_to,
  };
}

/** A principal row as the Principal it is (also for sessions and background jobs acting for one). */
export function toPrincipal(r: { id: string; customer_id: string; kind: string; name: string; roles: string; pnr: string | null; valid_from: string; valid_to: string | null }): Principal {
  return {
    id: r.id,
    customerId: r.customer_id,
    kind: r.kind as Principal['kind'],
    name: r.name,
    roles: JSON.parse(r.roles),
    pnr: r.pnr,
    validFrom: r.valid_from,
    validTo: r.valid_to,
  };
}
