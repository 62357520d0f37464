/**
 * Landlord customers (LAN-1, seed 000 "Før opslag"): the CPR administration
 * registers a landlord customer as a social housing organisation or a private
 * landlord, records a private landlord's documentation of more than 10
 * dwellings, and ties the owner numbers (CVR, or an owner's person number)
 * "registreret som ejer af organisationens boliger i Ejerfortegnelsen" to it.
 * Beside each customer the administrator sees how many dwellings the
 * ownership register shows for its owner numbers. Users are granted the
 * service one by one (the `landlord` role of the principal).
 */
import type { AccessControl, Customer } from '../../access/customers.ts';
import type { Clock } from '../../domain/clock.ts';
import { dateOf, type CivilDate } from '../../domain/dates.ts';
import { LandlordError } from '../../domain/landlord/errors.ts';
import { enablement, parseOwnerNumber, PRIVATE_LANDLORD_MIN_EXCLUSIVE, type LandlordKind, type LandlordProfile } from '../../domain/landlord/rules.ts';
import { OwnershipRegister } from '../../reference/ownership-register.ts';
import type { Store } from '../../storage/store.ts';

/** Control 1's customer half and control 2's data: the landlord profile (null: not registered) and the owner numbers. */
export interface LandlordAccess {
  profile: LandlordProfile | null;
  ownerNumbers: ReadonlySet<string>;
}

/**
 * Searches reuse a customer's LandlordAccess for a few seconds, as
 * AccessControl reuses an authenticated caller, so a search costs no query
 * for it. One cache per store, shared by every LandlordCustomers on it: a
 * change made through any of them in this process drops the customer's entry
 * at once; another process's change takes effect within the TTL.
 * `generation` counts changes, so that a read that overlapped one is not kept.
 */
interface AccessCache {
  entries: Map<string, { access: LandlordAccess; at: number }>;
  generation: number;
}
const accessCaches = new WeakMap<Store, AccessCache>();

export interface OwnerNumberView {
  number: string;
  kind: 'cvr' | 'cpr';
  addedAt: string;
  addedBy: string;
  /** Dwellings (unit addresses) the ownership register shows for this number today. */
  dwellingsInRegister: number;
}

export interface LandlordView {
  customer: Pick<Customer, 'id' | 'name' | 'kind' | 'number'>;
  landlordKind: LandlordKind;
  documentation: { reference: string; dwellings: number; recordedAt: string; recordedBy: string } | null;
  enabled: boolean;
  /** Why not, when not enabled. */
  reason: string | null;
  ownerNumbers: OwnerNumberView[];
  /** The sum over the owner numbers (a dwelling co-owned by two of them counts twice). */
  dwellingsInRegister: number;
  /** The date the register counts were made for. */
  countedOn: CivilDate;
}

export interface RegisterLandlordInput {
  kind: LandlordKind;
  /** A private landlord's documentation: a reference and the dwellings it shows (more than 10). */
  documentation?: { reference: string; dwellings: number };
}

export class LandlordCustomers {
  /** How long a search may rely on a customer's profile and owner numbers read earlier (ms, by the injected clock). */
  static ACCESS_CACHE_MS = 5000;

  readonly ownership: OwnershipRegister;
  readonly #cache: AccessCache;
  /** The profile and owner numbers in one statement, as rows [kind, documentation, dwellings, owner number or null]. */
  readonly #readAccess;

  constructor(
    private readonly store: Store,
    private readonly access: AccessControl,
    private readonly clock: Clock,
  ) {
    this.ownership = new OwnershipRegister(store, clock);
    let cache = accessCaches.get(store);
    if (!cache) accessCaches.set(store, (cache = { entries: new Map(), generation: 0 }));
    this.#cache = cache;
    this.#readAccess = store.prepareRaw(
      store.db
        .selectFrom('landlord_customer as c')
        .leftJoin('landlord_owner_number as n', 'n.customer_id', 'c.customer_id')
        .select(['c.landlord_kind', 'c.documentation', 'c.documented_dwellings', 'n.owner_number'])
        .where('c.customer_id', '=', '')
        .compile(),
    );
  }

  /** After (or on failing) a write of the customer's landlord data: searches read it anew. */
  #changed(customerId: string): void {
    this.#cache.generation++;
    this.#cache.entries.delete(customerId);
  }

  async #landlordCustomer(customerId: string): Promise<Customer> {
    const c = await this.access.customer(customerId);
    if (c.kind !== 'landlord') throw new LandlordError('landlord_not_a_landlord_customer', `Customer ${c.id} is a ${c.kind} customer.`, `Kunden ${c.id} er af typen ${c.kind}.`);
    return c;
  }

  /**
   * Registers (or changes) a landlord customer's kind and documentation. A
   * private landlord's documentation must show more than 10 dwellings (seed
   * 000); without documentation it is registered but not enabled.
   */
  async registerLandlord(customerId: string, input: RegisterLandlordInput, by: string): Promise<LandlordView> {
    await this.#landlordCustomer(customerId);
    const doc = input.documentation;
    if (doc && (!Number.isInteger(doc.dwellings) || doc.dwellings <= PRIVATE_LANDLORD_MIN_EXCLUSIVE)) {
      throw new LandlordError('landlord_too_few_dwellings', `The documentation shows ${doc.dwellings}.`, `Dokumentationen viser ${doc.dwellings}.`);
    }
    const now = this.clock.now().toISOString();
    const values = {
      landlord_kind: input.kind,
      documentation: doc?.reference.trim() || null,
      documented_dwellings: doc ? doc.dwellings : null,
      documented_at: doc ? now : null,
      documented_by: doc ? by : null,
      updated_at: now,
    };
    try {
      await this.store.db
        .insertInto('landlord_customer')
        .values({ customer_id: customerId, created_at: now, ...values })
        .onConflict((oc) => oc.column('customer_id').doUpdateSet(values))
        .execute();
    } finally {
      this.#changed(customerId);
    }
    return this.landlord(customerId);
  }

  /** Ties an owner number to the customer (idempotent). */
  async addOwnerNumber(customerId: string, ownerNumber: string, by: string): Promise<LandlordView> {
    await this.#landlordCustomer(customerId);
    await this.#profile(customerId, true);
    const o = parseOwnerNumber(ownerNumber);
    if (!o) throw new LandlordError('landlord_invalid_owner_number', `"${ownerNumber}".`, `"${ownerNumber}".`);
    try {
      await this.store.db
        .insertInto('landlord_owner_number')
        .values({ customer_id: customerId, owner_number: o.number, owner_kind: o.kind, added_at: this.clock.now().toISOString(), added_by: by })
        .onConflict((oc) => oc.columns(['customer_id', 'owner_number']).doNothing())
        .execute();
    } finally {
      this.#changed(customerId);
    }
    return this.landlord(customerId);
  }

  async removeOwnerNumber(customerId: string, ownerNumber: string): Promise<LandlordView> {
    await this.#profile(customerId, true);
    const o = parseOwnerNumber(ownerNumber);
    if (!o) throw new LandlordError('landlord_invalid_owner_number', `"${ownerNumber}".`, `"${ownerNumber}".`);
    try {
      await this.store.db.deleteFrom('landlord_owner_number').where('customer_id', '=', customerId).where('owner_number', '=', o.number).execute();
    } finally {
      this.#changed(customerId);
    }
    return this.landlord(customerId);
  }

  async #profile(customerId: string, required: true): Promise<LandlordProfile>;
  async #profile(customerId: string, required: false): Promise<LandlordProfile | null>;
  async #profile(customerId: string, required: boolean): Promise<LandlordProfile | null> {
    const r = await this.store.db.selectFrom('landlord_customer').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
    if (!r) {
      if (required) throw new LandlordError('landlord_not_registered', `Customer ${customerId}.`, `Kunde ${customerId}.`);
      return null;
    }
    return { kind: r.landlord_kind as LandlordKind, documentation: r.documentation, documentedDwellings: r.documented_dwellings === null ? null : Number(r.documented_dwellings) };
  }

  /**
   * Control 1's customer half and control 2's data in one read: the profile
   * and the owner numbers; reused for ACCESS_CACHE_MS (see AccessCache).
   */
  async accessOf(customerId: string): Promise<LandlordAccess> {
    const now = this.clock.now().getTime();
    const hit = this.#cache.entries.get(customerId);
    // A clock set back (tests) is no reason to trust an entry from its future.
    if (hit && hit.at <= now && now < hit.at + LandlordCustomers.ACCESS_CACHE_MS) return hit.access;
    const generation = this.#cache.generation;
    const rows = (await this.#readAccess([customerId])) as Array<[string, string | null, number | string | null, string | null]>;
    const first = rows[0];
    const access: LandlordAccess = {
      profile: first ? { kind: first[0] as LandlordKind, documentation: first[1], documentedDwellings: first[2] === null ? null : Number(first[2]) } : null,
      ownerNumbers: new Set(rows.flatMap((r) => (r[3] === null ? [] : [r[3]]))),
    };
    if (this.#cache.generation === generation) this.#cache.entries.set(customerId, { access, at: now });
    return access;
  }

  /** The administrator's view of one landlord customer, with the register's dwelling counts. */
  async landlord(customerId: string): Promise<LandlordView> {
    const customer = await this.access.customer(customerId);
    const r = await this.store.db.selectFrom('landlord_customer').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
    if (!r) throw new LandlordError('landlord_not_registered', `Customer ${customerId}.`, `Kunde ${customerId}.`);
    const numbers = await this.store.db.selectFrom('landlord_owner_number').selectAll().where('customer_id', '=', customerId).orderBy('owner_number').execute();
    const today = dateOf(this.clock.now());
    const ownerNumbers: OwnerNumberView[] = [];
    for (const n of numbers) {
      ownerNumbers.push({
        number: n.owner_number,
        kind: n.owner_kind as 'cvr' | 'cpr',
        addedAt: n.added_at,
        addedBy: n.added_by,
        dwellingsInRegister: await this.ownership.dwellingCount(n.owner_number, { on: today }),
      });
    }
    const profile: LandlordProfile = { kind: r.landlord_kind as LandlordKind, documentation: r.documentation, documentedDwellings: r.documented_dwellings === null ? null : Number(r.documented_dwellings) };
    const e = enablement(profile);
    return {
      customer: { id: customer.id, name: customer.name, kind: customer.kind, number: customer.number },
      landlordKind: profile.kind,
      documentation:
        r.documentation !== null && r.documented_dwellings !== null
          ? { reference: r.documentation, dwellings: Number(r.documented_dwellings), recordedAt: r.documented_at!, recordedBy: r.documented_by! }
          : null,
      enabled: e.enabled,
      reason: e.enabled ? null : e.reason,
      ownerNumbers,
      dwellingsInRegister: ownerNumbers.reduce((s, n) => s + n.dwellingsInRegister, 0),
      countedOn: today,
    };
  }

  /** Every registered landlord customer, by id. */
  async landlords(): Promise<LandlordView[]> {
    const rows = await this.store.db.selectFrom('landlord_customer').select('customer_id').orderBy('customer_id').execute();
    const out: LandlordView[] = [];
    for (const r of rows) out.push(await this.landlord(r.customer_id));
    return out;
  }
}

/** The person numbers among the owner numbers shown: personal data, so the showing is audited. */
export function personOwnerNumbers(views: readonly LandlordView[]): string[] {
  return [...new Set(views.flatMap((v) => v.ownerNumbers.filter((n) => n.kind === 'cpr').map((n) => n.number)))];
}
