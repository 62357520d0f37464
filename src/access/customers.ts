/**
 * Customers, their users and system programs, and their credentials
 * (AUD-1, AUD-2, AUD-6; standard terms §3, §5-§6). A customer is a public
 * authority or a company with legal bases; each user or program has its own
 * authorisation period; credentials are API keys or OAuth2 client secrets,
 * stored only as hashes.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import type { ProblemCode } from '../api/problems.ts';
import type { Clock } from '../domain/clock.ts';
import { dateOf } from '../domain/dates.ts';
import type { Store } from '../storage/store.ts';

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
  legalBases: z.array(z.string().min(1).max(20)).default([]),
  scope: z.array(z.string().min(1).max(40)).default([]),
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

/** Active on a date: from ≤ date < to. */
export const activeOn = (x: { validFrom: string; validTo: string | null }, date: string) =>
  x.validFrom <= date && (x.validTo === null || date < x.validTo);

export class AccessControl {
  /** Authenticated keys, so a request costs one hash and no query (a change takes effect within the TTL). */
  readonly #cache = new Map<string, { caller: Caller; hash: string; kind: string; until: number }>();
  static CACHE_MS = 5000;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async createCustomer(input: NewCustomer): Promise<Customer> {
    const c = parse(newCustomerSchema, input);
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
    await this.customer(id);
    await this.store.db
      .updateTable('customer')
      .set({
        ...(c.allowList && { allow_list: JSON.stringify(c.allowList) }),
        ...(c.ratePerMinute && { rate_per_minute: c.ratePerMinute }),
        ...(c.scope && { scope: JSON.stringify(c.scope) }),
        ...(c.legalBases && { legal_bases: JSON.stringify(c.legalBases) }),
        ...(c.validTo !== undefined && { valid_to: c.validTo }),
      })
      .where('id', '=', id)
      .execute();
    this.#cache.clear();
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
    const r = await this.store.db.updateTable('principal').set({ valid_to: validTo }).where('id', '=', id).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw new AccessError('unknown_principal', `No user or program with id ${id}.`);
    this.#cache.clear();
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
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    await this.store.db
      .insertInto('credential')
      .values({ id, principal_id: principalId, kind, secret_hash: sha256(secret), created_at: this.clock.now().toISOString(), expires_at: expiresAt ?? null, revoked_at: null })
      .execute();
    return kind === 'api_key' ? { id, secret, apiKey: `ocpr_${id}_${secret}` } : { id, secret };
  }

  async revokeCredential(id: string): Promise<void> {
    const r = await this.store.db.updateTable('credential').set({ revoked_at: this.clock.now().toISOString() }).where('id', '=', id).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw new AccessError('unknown_credential', `No credential with id ${id}.`);
    this.#cache.clear();
  }

  /** Authenticates an API key (`ocpr_<id>_<secret>`). */
  async authenticateApiKey(key: string, ip: string): Promise<Caller> {
    const m = /^ocpr_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/.exec(key);
    if (!m) throw new AccessError('invalid_credentials', 'The API key is not valid.');
    return this.authenticateSecret(m[1]!, m[2]!, 'api_key', ip);
  }

  /** Authenticates a credential id and secret (API key parts, or OAuth2 client id and secret). */
  async authenticateSecret(id: string, secret: string, kind: 'api_key' | 'client_secret', ip: string): Promise<Caller> {
    const { caller, hash, kind: actual } = await this.#load(id);
    if (actual !== kind || !safeEqual(hash, sha256(secret))) throw new AccessError('invalid_credentials', 'The credentials are not valid.');
    this.checkActive(caller, ip);
    return caller;
  }

  /** The caller behind a credential whose secret was checked when its token was issued. */
  async callerOfCredential(id: string, ip: string): Promise<Caller> {
    const { caller } = await this.#load(id);
    this.checkActive(caller, ip);
    return caller;
  }

  async #load(id: string): Promise<{ caller: Caller; hash: string; kind: string }> {
    const hit = this.#cache.get(id);
    if (hit && hit.until > Date.now()) return hit;
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
    const now = this.clock.now().toISOString();
    if (row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= now)) {
      throw new AccessError('credentials_expired', 'The credentials have expired or were revoked.');
    }
    const caller: Caller = {
      customer: toCustomer(row),
      principal: toPrincipal({ id: row.p_id, customer_id: row.customer_id, kind: row.p_kind, name: row.p_name, roles: row.roles, pnr: row.pnr, valid_from: row.p_from, valid_to: row.p_to }),
    };
    const entry = { caller, hash: row.secret_hash, kind: row.credential_kind, until: Date.now() + AccessControl.CACHE_MS };
    this.#cache.set(id, entry);
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
