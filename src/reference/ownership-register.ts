/**
 * The ownership register (LAN-6), in the model of EJF (Ejerfortegnelsen):
 * properties by BFE number, where each lies (a whole DAR house number, or a
 * single unit address for a condominium), and their owners (CVR or person
 * number) with share, validity period and acquisition date (overtagelsesdato).
 * Bitemporal like the address register.
 *
 * The landlord service's three questions are one query each:
 * `ownersOn(bfe)` (who owns it on a date, and since when),
 * `propertyOfAddress(address)` (which property an address belongs to), and
 * `dwellingCount(owner)` (how many unit addresses an owner owns);
 * `ownershipOfAddress` answers the first two together (LAN-3 control 3).
 */
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../domain/clock.ts';
import { dateOf, type CivilDate, type Instant } from '../domain/dates.ts';
import { named, prepareNamed, type NamedRead } from '../storage/prepared.ts';
import type { Store } from '../storage/store.ts';
import { AddressRegister, groupHeld, type AsOf } from './address-register.ts';
import { ReferenceDataError, checkRecord, parseOwnershipNdjson, type CheckedRecord, type OwnershipFileRecord, type PropertyKind } from './import.ts';
import { generateOwnership, type PersonOwners } from './synth.ts';
import { uuid } from './text.ts';
import { applyPlans, asOf, loadHeld, planRecord, recordImport, samePayload, writeTransaction, type KeyedPlan } from './versions.ts';

export interface Owner {
  ownershipId: string;
  kind: 'cvr' | 'cpr';
  /** 8-digit CVR number or 10-digit person number. */
  number: string;
  /** The company's name; null for persons. */
  name: string | null;
  share: { numerator: number; denominator: number };
  /** overtagelsesdato: since when this owner owns (its share of) the property. */
  acquired: CivilDate;
  validFrom: CivilDate;
  validTo: CivilDate | null;
  /** ejerforholdskode, when known. */
  ownerCode: string | null;
}

export interface PropertyOfAddress {
  bfe: number;
  kind: PropertyKind;
  municipalityCode: string | null;
  /** `unit`: the unit address is its own property (a condominium); `house_number`: the property holds the whole house number. */
  via: 'unit' | 'house_number';
  houseNumberId: string;
  unitAddressId: string | null;
}

export interface OwnershipOfAddress extends PropertyOfAddress {
  owners: Owner[];
}

/** A property in a house number with its owners on a date: what the landlord search's control 3 needs. */
export interface PropertyOwners {
  bfe: number;
  /** null: the property holds the whole house number; else the unit address that is its own property (a condominium). */
  unitAddressId: string | null;
  /** By acquisition date, then number. */
  owners: Array<{ number: string; acquired: CivilDate }>;
}

export interface OwnedProperty {
  bfe: number;
  kind: PropertyKind;
  share: { numerator: number; denominator: number };
  acquired: CivilDate;
}

export interface OwnershipImportSummary {
  importId: number;
  registeredAt: Instant;
  properties: { rows: number; inserted: number; changed: number; unchanged: number };
  locations: { rows: number; inserted: number; changed: number; unchanged: number };
  ownerships: { rows: number; inserted: number; changed: number; unchanged: number };
}

export interface GenerateOwnershipOptions {
  seed: number;
  /** Person owners for person-owned properties; without it (or when it returns undefined) those properties get no owner yet. */
  personOwners?: PersonOwners;
  /** Write nothing: only return the records (e.g. to save as NDJSON). */
  dryRun?: boolean;
}

export interface GenerateOwnershipResult {
  records: OwnershipFileRecord[];
  /** Person-owned properties left without an owner (no person given). */
  awaitingPersonOwner: number[];
  summary: OwnershipImportSummary | null;
  /** The generation date the acquisition dates are relative to (kept for the seed, so a rerun is a no-op). */
  today: CivilDate;
}

const SYNTH_META = 'reference.ownership.synth';

/** A CVR number as given, or a person number without its hyphen. */
export function normaliseOwnerNumber(value: string): string {
  const v = value.trim();
  const m = /^(\d{6})-?(\d{4})$/.exec(v);
  return m ? m[1]! + m[2]! : v;
}

function toOwner(r: Record<string, any>, p = ''): Owner {
  return {
    ownershipId: r[p + 'id'],
    kind: r[p + 'owner_kind'],
    number: r[p + 'owner_number'],
    name: r[p + 'owner_name'] ?? null,
    share: { numerator: Number(r[p + 'share_numerator']), denominator: Number(r[p + 'share_denominator']) },
    acquired: r[p + 'acquisition_date'],
    validFrom: r[p + 'virkning_fra'],
    validTo: r[p + 'virkning_til'] ?? null,
    ownerCode: r[p + 'owner_code'] ?? null,
  };
}

const OWNER_COLUMNS = ['id', 'owner_kind', 'owner_number', 'owner_name', 'share_numerator', 'share_denominator', 'acquisition_date', 'virkning_fra', 'virkning_til', 'owner_code'] as const;

interface PropertyPayload {
  kind: string;
  municipality_code: string | null;
}
type LinkPayload = Record<string, never>;
interface OwnershipPayload {
  bfe_number: number;
  owner_kind: string;
  owner_number: string;
  owner_name: string | null;
  share_numerator: number;
  share_denominator: number;
  acquisition_date: string;
  owner_code: string | null;
}

export class OwnershipRegister {
  #ownersRead: NamedRead<'id' | 'on'> | undefined;

  constructor(
    readonly store: Store,
    readonly clock: Clock,
  ) {}

  #at(at: AsOf = {}): { on: CivilDate; knownAt: Instant | null } {
    return { on: at.on ?? dateOf(this.clock.now()), knownAt: at.knownAt ?? null };
  }

  get #db(): Kysely<any> {
    return this.store.db as unknown as Kysely<any>;
  }

  /** Who owns property `bfe` on a date, with share and since when (acquisition date). One query. */
  async ownersOn(bfe: number, at?: AsOf): Promise<Owner[]> {
    const { on, knownAt } = this.#at(at);
    const rows = await this.#db
      .selectFrom('ejf_ejerskab as o')
      .select(OWNER_COLUMNS.map((c) => `o.${c}`))
      .where('o.bfe_number', '=', bfe)
      .where(asOf('o', on, knownAt))
      .orderBy('o.acquisition_date')
      .orderBy('o.owner_number')
      .execute();
    return rows.map((r) => toOwner(r));
  }

  /** The property's links that could hold the address (a unit address id or a house number id), best first. */
  #propertyQuery(addressId: string, on: CivilDate, knownAt: Instant | null) {
    const house = this.#db
      .selectFrom('dar_adresse as a')
      .select('a.husnummer_id')
      .where('a.id', '=', addressId)
      .where(asOf('a', on, knownAt));
    return this.#db
      .selectFrom('ejf_beliggenhed as l')
      .innerJoin('ejf_ejendom as e', (j: any) => j.on(sql`e.bfe_number = l.bfe_number and ${asOf('e', on, knownAt)}`))
      .select(['l.bfe_number', 'l.husnummer_id', 'l.adresse_id', 'e.kind', 'e.municipality_code'])
      .where(asOf('l', on, knownAt))
      .where((eb: any) => eb.or([eb('l.husnummer_id', '=', addressId), eb('l.husnummer_id', 'in', house)]))
      .where('l.adresse_id', 'in', ['', addressId])
      .orderBy(sql`case when l.adresse_id = '' then 1 else 0 end`)
      .orderBy('l.virkning_fra', 'desc')
      .orderBy('l.bfe_number')
      .limit(1);
  }

  /**
   * The property a unit address or house number belongs to on a date: the
   * unit's own property (a condominium) if it has one, else the property that
   * holds its house number. One query.
   */
  async propertyOfAddress(addressId: string, at?: AsOf): Promise<PropertyOfAddress | undefined> {
    const id = uuid(addressId);
    if (!id) return undefined;
    const { on, knownAt } = this.#at(at);
    const r = await this.#propertyQuery(id, on, knownAt).executeTakeFirst();
    return r ? toProperty(r) : undefined;
  }

  /** The property of an address and its owners on a date (LAN-3 control 3). One query. */
  async ownershipOfAddress(addressId: string, at?: AsOf): Promise<OwnershipOfAddress | undefined> {
    const id = uuid(addressId);
    if (!id) return undefined;
    const { on, knownAt } = this.#at(at);
    const rows = await this.#db
      .with('p', () => this.#propertyQuery(id, on, knownAt))
      .selectFrom('p')
      .leftJoin('ejf_ejerskab as o', (j: any) => j.on(sql`o.bfe_number = p.bfe_number and ${asOf('o', on, knownAt)}`))
      .select(['p.bfe_number', 'p.husnummer_id', 'p.adresse_id', 'p.kind', 'p.municipality_code', ...OWNER_COLUMNS.map((c) => `o.${c} as o_${c}`)])
      .orderBy('o.acquisition_date')
      .orderBy('o.owner_number')
      .execute();
    if (rows.length === 0) return undefined;
    return { ...toProperty(rows[0]!), owners: rows.filter((r) => r.o_id !== null && r.o_id !== undefined).map((r) => toOwner(r, 'o_')) };
  }

  /** Every property in a house number on a date: the whole-house one and the condominium units'. */
  async propertiesOfHouseNumber(houseNumberId: string, at?: AsOf): Promise<PropertyOfAddress[]> {
    const id = uuid(houseNumberId);
    if (!id) return [];
    const { on, knownAt } = this.#at(at);
    const rows = await this.#db
      .selectFrom('ejf_beliggenhed as l')
      .innerJoin('ejf_ejendom as e', (j: any) => j.on(sql`e.bfe_number = l.bfe_number and ${asOf('e', on, knownAt)}`))
      .select(['l.bfe_number', 'l.husnummer_id', 'l.adresse_id', 'e.kind', 'e.municipality_code'])
      .where('l.husnummer_id', '=', id)
      .where(asOf('l', on, knownAt))
      .orderBy('l.adresse_id')
      .orderBy('l.bfe_number')
      .execute();
    return rows.map(toProperty);
  }

  /**
   * propertiesOfHouseNumber and each property's ownersOn in one read, as
   * registered now, with only the fields the landlord search's control 3
   * uses; on a prepared statement (compiled on first use, no query built per
   * search). In propertiesOfHouseNumber's order.
   */
  async ownersInHouseNumber(houseNumberId: string, on: CivilDate): Promise<PropertyOwners[]> {
    const id = uuid(houseNumberId);
    if (!id) return [];
    this.#ownersRead ??= prepareNamed(
      this.store,
      this.store.db
        .selectFrom('ejf_beliggenhed as l')
        .innerJoin('ejf_ejendom as e', (j) => j.on(sql<boolean>`e.bfe_number = l.bfe_number and ${asOf('e', named('on'), null)}`))
        .leftJoin('ejf_ejerskab as o', (j) => j.on(sql<boolean>`o.bfe_number = l.bfe_number and ${asOf('o', named('on'), null)}`))
        .select(['l.adresse_id', 'l.bfe_number', 'o.owner_number', 'o.acquisition_date'])
        .where('l.husnummer_id', '=', named('id'))
        .where(asOf('l', named('on'), null))
        .orderBy('l.adresse_id')
        .orderBy('l.bfe_number')
        .orderBy('o.acquisition_date')
        .orderBy('o.owner_number')
        .compile(),
    );
    const out: PropertyOwners[] = [];
    let p: PropertyOwners | undefined;
    for (const [unit, bfe, number, acquired] of (await this.#ownersRead({ id, on })) as Array<[string, number | string, string | null, CivilDate | null]>) {
      const unitAddressId = unit === '' ? null : unit;
      if (!p || p.unitAddressId !== unitAddressId || p.bfe !== Number(bfe)) out.push((p = { bfe: Number(bfe), unitAddressId, owners: [] }));
      if (number !== null) p.owners.push({ number, acquired: acquired! });
    }
    return out;
  }

  /**
   * How many dwellings (unit addresses) the owner (CVR or person number) owns
   * (any share) on a date: the units of the house numbers of its properties,
   * except units that are properties of their own, plus its condominium
   * units. One query.
   */
  async dwellingCount(ownerNumber: string, at?: AsOf): Promise<number> {
    const { on, knownAt } = this.#at(at);
    const r = await this.#db
      .selectFrom('ejf_ejerskab as o')
      .innerJoin('ejf_beliggenhed as l', (j: any) => j.on(sql`l.bfe_number = o.bfe_number and ${asOf('l', on, knownAt)}`))
      .innerJoin('dar_adresse as a', (j: any) =>
        j.on(
          sql`a.husnummer_id = l.husnummer_id and ${asOf('a', on, knownAt)} and (a.id = l.adresse_id or (l.adresse_id = '' and not exists (
            select 1 from ejf_beliggenhed u where u.husnummer_id = a.husnummer_id and u.adresse_id = a.id and ${asOf('u', on, knownAt)})))`,
        ),
      )
      .select(sql<number>`count(distinct a.id)`.as('n'))
      .where('o.owner_number', '=', normaliseOwnerNumber(ownerNumber))
      .where(asOf('o', on, knownAt))
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** The properties an owner owns on a date, with share and acquisition date. */
  async propertiesOwned(ownerNumber: string, at?: AsOf): Promise<OwnedProperty[]> {
    const { on, knownAt } = this.#at(at);
    const rows = await this.#db
      .selectFrom('ejf_ejerskab as o')
      .innerJoin('ejf_ejendom as e', (j: any) => j.on(sql`e.bfe_number = o.bfe_number and ${asOf('e', on, knownAt)}`))
      .select(['o.bfe_number', 'e.kind', 'o.share_numerator', 'o.share_denominator', 'o.acquisition_date'])
      .where('o.owner_number', '=', normaliseOwnerNumber(ownerNumber))
      .where(asOf('o', on, knownAt))
      .orderBy('o.bfe_number')
      .execute();
    return rows.map((r) => ({
      bfe: Number(r.bfe_number),
      kind: r.kind,
      share: { numerator: Number(r.share_numerator), denominator: Number(r.share_denominator) },
      acquired: r.acquisition_date,
    }));
  }

  /** Counts valid today as registered now. */
  async stats(at?: AsOf): Promise<{ properties: number; locations: number; ownerships: number; owners: number; lastImport: { id: number; registeredAt: Instant; source: string } | null }> {
    const { on, knownAt } = this.#at(at);
    const count = async (t: string, expr = sql`count(*)`) =>
      Number(
        (
          await this.#db
            .selectFrom(`${t} as x`)
            .select(expr.as('n'))
            .where(asOf('x', on, knownAt))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const last = await this.store.db
      .selectFrom('reference_import')
      .select(['id', 'registered_at', 'source'])
      .where('register', '=', 'ownership')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return {
      properties: await count('ejf_ejendom'),
      locations: await count('ejf_beliggenhed'),
      ownerships: await count('ejf_ejerskab'),
      owners: await count('ejf_ejerskab', sql`count(distinct x.owner_number)`),
      lastImport: last ? { id: Number(last.id), registeredAt: last.registered_at, source: last.source } : null,
    };
  }

  /** Imports an ownership file (NDJSON, docs/reference-registers.md) in one transaction; a bad line refuses all of it. */
  async importOwnership(input: { text: string; file: string; source?: string }): Promise<OwnershipImportSummary> {
    const records = parseOwnershipNdjson(input.text, input.file);
    return writeTransaction(this.store, (tx) => this.#apply(tx, records, input.source ?? input.file, input.file));
  }

  /**
   * Generates a synthetic ownership register from the address register's
   * house numbers (src/reference/synth.ts) and registers it in one
   * transaction. Deterministic for the seed: the generation date is kept with
   * the seed, so running it again changes nothing. A store whose ownership
   * register came from elsewhere (an import, another seed) is refused.
   */
  async generate(opts: GenerateOwnershipOptions): Promise<GenerateOwnershipResult> {
    const meta = await this.store.db.selectFrom('meta').select('value').where('key', '=', SYNTH_META).executeTakeFirst();
    const previous = meta ? (JSON.parse(meta.value) as { seed: number; today: CivilDate }) : null;
    const today = previous && previous.seed === opts.seed ? previous.today : dateOf(this.clock.now());
    if (!opts.dryRun) {
      if (previous && previous.seed !== opts.seed) {
        throw new ReferenceDataError('generated_elsewhere', `the ownership register was generated with seed ${previous.seed}; generate into a fresh store`);
      }
      if (!previous) {
        const any = await this.store.db.selectFrom('ejf_ejendom').select('bfe_number').limit(1).executeTakeFirst();
        if (any) throw new ReferenceDataError('generated_elsewhere', 'the ownership register already holds imported data; generate into a fresh store');
      }
    }
    const houses = await new AddressRegister(this.store, this.clock).houseNumbersWithUnitIds({ on: today });
    if (houses.length === 0) throw new ReferenceDataError('no_addresses', 'the address register is empty: import addresses first (reference import-addresses --sample)');
    const gen = generateOwnership({ seed: opts.seed, today, houses, ...(opts.personOwners && { personOwners: opts.personOwners }) });
    if (opts.dryRun) return { records: gen.records, awaitingPersonOwner: gen.awaitingPersonOwner, summary: null, today };
    const source = `synth:seed=${opts.seed}`;
    const checked = gen.records.map((r, i) => checkRecord(r, source, i + 1));
    const summary = await writeTransaction(this.store, async (tx) => {
      const s = await this.#apply(tx, checked, source, source);
      const value = JSON.stringify({ seed: opts.seed, today });
      if (previous) await tx.updateTable('meta').set({ value }).where('key', '=', SYNTH_META).execute();
      else await tx.insertInto('meta').values({ key: SYNTH_META, value }).execute();
      return s;
    });
    return { records: gen.records, awaitingPersonOwner: gen.awaitingPersonOwner, summary, today };
  }

  async #apply(tx: Kysely<any>, records: readonly CheckedRecord[], source: string, file: string): Promise<OwnershipImportSummary> {
    const t = this.clock.now().toISOString();
    const props = records.filter((r): r is Extract<CheckedRecord, { type: 'property' }> => r.type === 'property');
    const links = records.filter((r): r is Extract<CheckedRecord, { type: 'location' }> => r.type === 'location');
    const owns = records.filter((r): r is Extract<CheckedRecord, { type: 'ownership' }> => r.type === 'ownership');

    // Properties must be in the file or the register.
    const heldProps = groupHeld(await loadHeld<Record<string, any>>(tx, 'ejf_ejendom', 'bfe_number', records.map((r) => r.bfe)), (r) => String(Number(r.bfe_number)), (r): PropertyPayload => ({
      kind: r.kind,
      municipality_code: r.municipality_code ?? null,
    }));
    const inFile = new Set(props.map((p) => p.bfe));
    for (const r of [...links, ...owns]) {
      if (!inFile.has(r.bfe) && !heldProps.has(String(r.bfe))) {
        throw new ReferenceDataError('unknown_property', `property (BFE) ${r.bfe} is neither in the file nor in the ownership register`, file, r.line);
      }
    }

    // Locations must name addresses in the address register; a unit's house number comes from it.
    const unitHouse = new Map<string, string>();
    const unitIds = links.flatMap((l) => (l.unitAddressId ? [l.unitAddressId] : []));
    for (const r of await loadHeld<Record<string, any>>(tx, 'dar_adresse', 'id', unitIds)) unitHouse.set(r.id, r.husnummer_id);
    const houseIds = new Set((await loadHeld<Record<string, any>>(tx, 'dar_husnummer', 'id', links.flatMap((l) => (l.houseNumberId ? [l.houseNumberId] : [])))).map((r) => r.id));
    const linkKeys = links.map((l) => {
      if (l.unitAddressId) {
        const h = unitHouse.get(l.unitAddressId);
        if (!h) throw new ReferenceDataError('unknown_address', `unit address ${l.unitAddressId} is not in the address register`, file, l.line);
        return { husnummer_id: h, adresse_id: l.unitAddressId, bfe_number: l.bfe };
      }
      if (!houseIds.has(l.houseNumberId!)) throw new ReferenceDataError('unknown_address', `house number ${l.houseNumberId} is not in the address register`, file, l.line);
      return { husnummer_id: l.houseNumberId!, adresse_id: '', bfe_number: l.bfe };
    });
    const linkKey = (k: { husnummer_id: string; adresse_id: string; bfe_number: number | string }) => `${k.husnummer_id}|${k.adresse_id}|${Number(k.bfe_number)}`;
    const heldLinks = groupHeld(await loadHeld<Record<string, any>>(tx, 'ejf_beliggenhed', 'husnummer_id', linkKeys.map((k) => k.husnummer_id)), (r) => linkKey(r as any), (): LinkPayload => ({}));
    const heldOwns = groupHeld(await loadHeld<Record<string, any>>(tx, 'ejf_ejerskab', 'id', owns.map((o) => o.id)), (r) => r.id, (r): OwnershipPayload => ({
      bfe_number: Number(r.bfe_number),
      owner_kind: r.owner_kind,
      owner_number: r.owner_number,
      owner_name: r.owner_name ?? null,
      share_numerator: Number(r.share_numerator),
      share_denominator: Number(r.share_denominator),
      acquisition_date: r.acquisition_date,
      owner_code: r.owner_code ?? null,
    }));

    const counts = () => ({ rows: 0, inserted: 0, changed: 0, unchanged: 0 });
    const summary = { properties: counts(), locations: counts(), ownerships: counts() };
    const plan = <P>(c: ReturnType<typeof counts>, held: { version: number; payload: P; from: string; to: string | null }[] | undefined, payload: P, from: CivilDate, to: CivilDate | null, key: Record<string, string | number>, out: KeyedPlan<P>[]) => {
      c.rows++;
      const p = planRecord(held ?? [], payload, from, to, (a, b) => samePayload(a as object, b as object));
      if (!p) c.unchanged++;
      else {
        if (!held || held.length === 0) c.inserted++;
        else c.changed++;
        out.push({ key, plan: p });
      }
    };
    const propPlans: KeyedPlan<PropertyPayload>[] = [];
    for (const p of props) plan(summary.properties, heldProps.get(String(p.bfe)), { kind: p.kind, municipality_code: p.municipalityCode }, p.validFrom, p.validTo, { bfe_number: p.bfe }, propPlans);
    const linkPlans: KeyedPlan<LinkPayload>[] = [];
    links.forEach((l, i) => plan(summary.locations, heldLinks.get(linkKey(linkKeys[i]!)), {}, l.validFrom, l.validTo, linkKeys[i]!, linkPlans));
    const ownPlans: KeyedPlan<OwnershipPayload>[] = [];
    for (const o of owns) {
      const payload: OwnershipPayload = {
        bfe_number: o.bfe,
        owner_kind: o.ownerKind,
        owner_number: o.ownerNumber,
        owner_name: o.name,
        share_numerator: o.shareNumerator,
        share_denominator: o.shareDenominator,
        acquisition_date: o.acquired,
        owner_code: o.ownerCode,
      };
      plan(summary.ownerships, heldOwns.get(o.id), payload, o.validFrom, o.validTo, { id: o.id }, ownPlans);
    }
    await applyPlans(tx, 'ejf_ejendom', propPlans, (p) => p, t);
    await applyPlans(tx, 'ejf_beliggenhed', linkPlans, () => ({}), t);
    await applyPlans(tx, 'ejf_ejerskab', ownPlans, (p) => p, t);
    const importId = await recordImport(tx, 'ownership', t, source, summary);
    return { importId, registeredAt: t, ...summary };
  }
}

function toProperty(r: Record<string, any>): PropertyOfAddress {
  return {
    bfe: Number(r.bfe_number),
    kind: r.kind,
    municipalityCode: r.municipality_code ?? null,
    via: r.adresse_id === '' ? 'house_number' : 'unit',
    houseNumberId: r.husnummer_id,
    unitAddressId: r.adresse_id === '' ? null : r.adresse_id,
  };
}

/** Records as an NDJSON file (the import format). */
export function toNdjson(records: readonly OwnershipFileRecord[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}
