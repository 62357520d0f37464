/**
 * Generated lists (SPEC DIS-7, DIS-8):
 *
 * - the marketing-protection list (§40(4)-(5)): current name and address,
 *   plus the latest previous address within the last 3 years, of everyone
 *   with marketing protection (§29(3), type 0003) in force, except persons
 *   with name-and-address protection (§28, type 0001); made once a quarter
 *   and delivered to businesses on request;
 * - a local directory (§47): name, occupation and address of the residents
 *   of one municipality, except persons with name-and-address (0001) or
 *   local-directory protection (0002, also as implied by 0001, §30(1)); a
 *   one-off delivery (no later updates) not for electronic publication.
 *
 * A list is built into the store (`extract`, `extract_line`) and delivered
 * from there, so every download of a quarter's list is the same file, and a
 * person can be told which delivered lists held them (§46). The file is CSV
 * (RFC 4180: comma, CRLF, UTF-8 without BOM, header row); docs/api/citizen.md
 * has the layouts.
 *
 * Audit (AUD-3): a list of many persons is logged as one record naming the
 * list (`extract:<id>`), not one entry per person; the list's rows say who
 * is on it. Making a list and every delivery of it are records; a record is
 * committed before the list is marked complete or a byte is delivered.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ProblemCode } from '../api/problems.ts';
import type { AuditLog, ActorKind } from '../access/audit.ts';
import { municipality as municipalityEntry, isValidMunicipalityCode } from '../domain/codes/index.ts';
import { dateOf, toInstant, addDays, yearsBefore, type CivilDate, type Instant } from '../domain/dates.ts';
import { disclose, effectiveProtections } from '../domain/disclosure/project.ts';
import type { GroupValue } from '../domain/person/facts.ts';
import { checkPnr, NO_MOD11_DATES } from '../domain/pnr/pnr.ts';
import type { FactState, PersonState, Version } from '../register/bitemporal.ts';
import type { PersonView, Register } from '../register/register.ts';

// ─── Layouts ──────────────────────────────────────────────────────────────

export type ExtractKind = 'marketing_protection' | 'local_directory';

export const MARKETING_LAYOUT = 'opencpr.marketing-protection.v1';
export const LOCAL_DIRECTORY_LAYOUT = 'opencpr.local-directory.v1';

const ADDRESS_COLUMNS = ['co_name', 'road_name', 'house_number', 'floor', 'door', 'locality', 'postal_code', 'postal_district', 'municipality_code', 'road_code', 'address_id'] as const;

/** The marketing-protection list's columns, in order (docs/api/citizen.md). */
export const MARKETING_COLUMNS: readonly string[] = [
  'as_of',
  'addressing_name',
  'first_names',
  'middle_names',
  'last_name',
  ...ADDRESS_COLUMNS,
  ...ADDRESS_COLUMNS.map((c) => `previous_${c}`),
];

/** The local directory's columns, in order (docs/api/citizen.md). */
export const LOCAL_DIRECTORY_COLUMNS: readonly string[] = [
  'as_of',
  'last_name',
  'first_names',
  'middle_names',
  'addressing_name',
  'occupation',
  ...ADDRESS_COLUMNS,
  'notice',
];

/** §47(2): the condition every local directory row carries. */
export const LOCAL_DIRECTORY_NOTICE =
  'Må ikke anvendes eller videregives til offentliggørelse i elektronisk form (CPR-loven § 47, stk. 2) / not for electronic publication';

/** §40(4): the previous address is given when the person lived there within this many years. */
export const PREVIOUS_ADDRESS_YEARS = 3;

/** Audit transaction types. */
export const EXTRACT_ACTIONS = {
  marketingGenerate: 'extract.marketing_protection.generate',
  marketingDownload: 'extract.marketing_protection.download',
  localDirectory: 'extract.local_directory',
} as const;

/** The actions that deliver a list to someone outside the register (what §46 tells the person). */
export const DELIVERY_ACTIONS: ReadonlySet<string> = new Set([EXTRACT_ACTIONS.marketingDownload, EXTRACT_ACTIONS.localDirectory]);

/** Statuses that end a person number: the person is not listed under it (annulled, duplicate, changed, dead). */
const ENDED_STATUSES: ReadonlySet<string> = new Set(['30', '50', '60', '90']);

const BATCH = 2000;
const IN_CHUNK = 500;
const INSERT_CHUNK = 500;
const PAGE = 5000;

// ─── Types ────────────────────────────────────────────────────────────────

export class ExtractError extends Error {
  constructor(
    readonly code: Extract<ProblemCode, 'invalid_municipality' | 'unknown_municipality' | 'no_such_extract'>,
    message: string,
  ) {
    super(message);
    this.name = 'ExtractError';
  }
}

export interface ExtractInfo {
  id: string;
  kind: ExtractKind;
  /** `YYYYQn` for the marketing-protection list. */
  period: string | null;
  municipalityCode: string | null;
  asOf: CivilDate;
  knownAt: Instant;
  generatedAt: Instant;
  generatedBy: string;
  recipient: string | null;
  layout: string;
  header: string;
  rows: number;
  sha256: string | null;
  /** A file name for the list: kind, period or municipality, date. */
  fileName: string;
}

export interface ExtractProgress {
  phase: 'select' | 'write';
  /** Persons read so far (select) or rows written (write). */
  done: number;
  /** The total when known. */
  total?: number;
  /** Rows on the list so far. */
  listed: number;
}

export interface GenerateOptions {
  /** Who has the list made (audit): `cli:alice`, a principal id, a program. */
  actor: string;
  actorKind?: ActorKind;
  /** The customer the actor acts for; null for the register's own staff and tools. */
  customer?: string | null;
  requestId?: string | null;
  /** Who the list is for, when known (a local directory's publisher). */
  recipient?: string | null;
  onProgress?: (p: ExtractProgress) => void;
  /**
   * Receives the file while it is made (header and rows, CRLF line ends),
   * before the audit record is written; keep it out of reach (a temporary
   * file) until the call returns.
   */
  sink?: (chunk: string) => void | Promise<void>;
}

export interface DownloadOptions {
  actor: string;
  actorKind?: ActorKind;
  customer: string | null;
  requestId?: string | null;
}

/** A delivery of a list that held a person (for §46). */
export interface ExtractDelivery {
  extractId: string;
  kind: ExtractKind;
  at: Instant;
  /** The customer that received it; null when the register delivered it itself (see `recipient`). */
  customer: string | null;
  recipient: string | null;
  municipalityCode: string | null;
  period: string | null;
  action: string;
  legalBasis: string | null;
}

interface LineRow {
  n: number;
  sort_key: string;
  pnr: string;
  line: string;
}

type Address = GroupValue<'address'>;
type Name = GroupValue<'name'>;

// ─── Helpers (pure) ───────────────────────────────────────────────────────

/** The calendar quarter of a date: `2026Q2`. */
export function quarterOf(date: CivilDate): string {
  const month = Number(date.slice(5, 7));
  return `${date.slice(0, 4)}Q${Math.floor((month - 1) / 3) + 1}`;
}


/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
export function csvField(v: string | undefined | null): string {
  const s = v ?? '';
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (fields: ReadonlyArray<string | undefined | null>): string => fields.map(csvField).join(',');

/** Parses CSV text (RFC 4180) into rows of fields; for tests and tools. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function addressFields(a: Address | undefined): string[] {
  if (!a) return ADDRESS_COLUMNS.map(() => '');
  return [a.coName, a.roadName, a.houseNumber, a.floor, a.door, a.locality, a.postalCode, a.postalDistrict, a.municipalityCode, a.roadCode, a.addressId].map(
    (x) => x ?? '',
  );
}

/** A sort key for an address: postal code, road, house number (numeric first), floor, door. */
function addressKey(a: Address | undefined): string {
  if (!a) return '~';
  const house = (a.houseNumber ?? '').match(/^(\d*)(.*)$/)!;
  return [
    a.postalCode ?? '9999',
    (a.roadName ?? a.roadCode).toLowerCase(),
    (house[1] ?? '').padStart(4, '0') + (house[2] ?? '').toLowerCase(),
    floorKey(a.floor),
    (a.door ?? '').toLowerCase(),
  ].join('|');
}
function floorKey(floor: string | undefined): string {
  if (floor === undefined) return '';
  const f = floor.toLowerCase();
  if (f === 'kl') return '0';
  if (f === 'st') return '1';
  return /^\d+$/.test(f) ? `2${f.padStart(3, '0')}` : `3${f}`;
}

const single = <G extends keyof PersonState>(s: PersonState, g: G): FactState | undefined => {
  const f = s[g];
  return Array.isArray(f) ? f[0] : (f as FactState | undefined);
};

function fileNameOf(kind: ExtractKind, period: string | null, municipality: string | null, asOf: CivilDate): string {
  return kind === 'marketing_protection'
    ? `reklamebeskyttede-${period}-${asOf}.csv`
    : `lokalvejviser-${municipality}-${asOf}.csv`;
}

const newId = () => `ext_${randomBytes(8).toString('hex')}`;
function* chunks<T>(xs: readonly T[], n: number): Generator<T[]> {
  for (let i = 0; i < xs.length; i += n) yield xs.slice(i, i + n);
}

// ─── The service ──────────────────────────────────────────────────────────

export class ExtractService {
  /** One build of the quarter's list at a time per process (concurrent first downloads share it). */
  readonly #building = new Map<string, Promise<ExtractInfo>>();

  constructor(
    private readonly register: Register,
    private readonly audit: AuditLog,
  ) {}

  get #db() {
    return this.register.store.db;
  }

  // ── Marketing-protection list (§40(4)-(5)) ──

  /**
   * Makes a new marketing-protection list as of today (the injected clock's
   * date) for the current quarter; it becomes the quarter's list.
   */
  async marketingList(opts: GenerateOptions): Promise<ExtractInfo> {
    const now = this.register.clock.now();
    const asOf = dateOf(now);
    const knownAt = toInstant(now);
    const cutoff = yearsBefore(asOf, PREVIOUS_ADDRESS_YEARS);
    const header = csvLine(MARKETING_COLUMNS);
    const ext = await this.#begin('marketing_protection', { period: quarterOf(asOf), municipality: null, asOf, knownAt, header, layout: MARKETING_LAYOUT, opts });

    const total = await this.#count('person_current');
    let last = '';
    let read = 0;
    let n = 0;
    for (;;) {
      // Only persons whose current state mentions 0003, plus those whose stored state is out of date (a fact
      // starts or ends between its computation and today) and must be re-read from the versions.
      const rows = await this.#db
        .selectFrom('person_current')
        .select(['pnr', 'state', 'computed_for', 'stale_at'])
        .where('pnr', '>', last)
        .where((eb) => eb.or([eb('state', 'like', '%"type":"0003"%'), eb('stale_at', '<=', asOf), eb('computed_for', '>', asOf)]))
        .orderBy('pnr')
        .limit(BATCH)
        .execute();
      if (rows.length === 0) break;
      last = rows[rows.length - 1]!.pnr;
      read += rows.length;

      const chosen: Array<{ pnr: string; state: PersonState }> = [];
      for (const r of rows) {
        const fresh = r.computed_for <= asOf && (r.stale_at === null || asOf < r.stale_at);
        const state = fresh ? (JSON.parse(r.state) as PersonState) : (await this.register.person(r.pnr, { validAt: asOf, knownAt }))?.state;
        if (!state) continue;
        const status = (single(state, 'status')?.value as GroupValue<'status'> | undefined)?.code;
        if (status !== undefined && ENDED_STATUSES.has(status)) continue;
        // A current name and address to match against (emigrated persons and the like have none).
        if (!single(state, 'name') || !single(state, 'address')) continue;
        const protections = effectiveProtections(state, asOf);
        // §40(4): everyone with the §29(3) mark, "Personer med navne- og adressebeskyttelse efter § 28 medtages ikke".
        if (!protections.some((p) => p.type === '0003') || protections.some((p) => p.type === '0001')) continue;
        chosen.push({ pnr: r.pnr, state });
      }
      const versions = await this.#versions(chosen.map((c) => c.pnr));
      const lines: LineRow[] = [];
      for (const c of chosen) {
        const name = single(c.state, 'name')!.value as Name;
        const address = single(c.state, 'address')!.value as Address;
        const previous = previousAddress(versions.get(c.pnr) ?? [], address, asOf, knownAt, cutoff);
        const line = csvLine([
          asOf,
          name.addressingName ?? '',
          name.firstNames.join(' '),
          (name.middleNames ?? []).join(' '),
          name.lastName,
          ...addressFields(address),
          ...addressFields(previous),
        ]);
        lines.push({ n: ++n, sort_key: `${addressKey(address)}|${(name.addressingName ?? name.lastName).toLowerCase()}`, pnr: c.pnr, line });
      }
      await this.#insertLines(ext.id, lines);
      opts.onProgress?.({ phase: 'select', done: read, total, listed: n });
    }
    return this.#finish(ext, n, EXTRACT_ACTIONS.marketingGenerate, '§40(4)', ['name', 'addressingName', 'address', 'previousAddress'], opts);
  }

  /** The latest complete marketing-protection list of a quarter (`YYYYQn`), or null. */
  async latestMarketingList(period: string): Promise<ExtractInfo | null> {
    const row = await this.#db
      .selectFrom('extract')
      .selectAll()
      .where('kind', '=', 'marketing_protection')
      .where('period', '=', period)
      .where('status', '=', 'complete')
      .orderBy('generated_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? toInfo(row) : null;
  }

  /**
   * The current quarter's list: the latest one made this quarter, or a new
   * one made now by the register itself (`opencpr:extracts`).
   */
  async currentMarketingList(trigger: { requestId?: string | null } = {}): Promise<ExtractInfo> {
    const today = dateOf(this.register.clock.now());
    const period = quarterOf(today);
    const have = await this.latestMarketingList(period);
    // §40(4): the list delivered is the state in force when it is delivered. The quarter's list is reused only
    // while it cannot differ from a new one: made for today, and nothing registered since it was made.
    if (have && have.asOf === today && !(await this.#registeredSince(have.knownAt))) return have;
    let building = this.#building.get(period);
    if (!building) {
      building = this.marketingList({ actor: 'opencpr:extracts', actorKind: 'program', customer: null, requestId: trigger.requestId ?? null }).finally(() =>
        this.#building.delete(period),
      );
      this.#building.set(period, building);
    }
    return building;
  }

  /** Whether the log holds a registration made after `knownAt` (the newest one by seq; registration time never runs backwards). */
  async #registeredSince(knownAt: Instant): Promise<boolean> {
    const last = await this.#db.selectFrom('registration').select('registered_at').orderBy('seq', 'desc').limit(1).executeTakeFirst();
    return last !== undefined && last.registered_at > knownAt;
  }

  /**
   * Records a delivery of a list to a customer (one audit record naming the
   * list, committed before the caller sends anything). Then stream `file`.
   */
  async recordDownload(ext: ExtractInfo, who: DownloadOptions): Promise<void> {
    await this.audit.record({
      actor: who.actor,
      actorKind: who.actorKind ?? 'user',
      customer: who.customer,
      action: ext.kind === 'marketing_protection' ? EXTRACT_ACTIONS.marketingDownload : EXTRACT_ACTIONS.localDirectory,
      subjects: [`extract:${ext.id}`],
      legalBasis: ext.kind === 'marketing_protection' ? '§40(5)' : '§47',
      fields: ext.kind === 'marketing_protection' ? ['name', 'addressingName', 'address', 'previousAddress'] : ['name', 'addressingName', 'occupation', 'address'],
      requestId: who.requestId ?? null,
      // The customer's own log names the list it downloaded (access/audit-entry.ts).
      detail: { references: [`extract:${ext.id}`], extract: ext.id, layout: ext.layout, period: ext.period ?? undefined, municipality: ext.municipalityCode ?? undefined, asOf: ext.asOf, rows: ext.rows, sha256: ext.sha256 },
    });
  }

  // ── Local directory (§47) ──

  /**
   * A local directory of one municipality as of today: drawn from the current
   * residences of that municipality (the `residence` projection), not from
   * every person. Making it is its delivery (one audit record).
   */
  async localDirectory(municipalityCode: string, opts: GenerateOptions): Promise<ExtractInfo> {
    const now = this.register.clock.now();
    const asOf = dateOf(now);
    const knownAt = toInstant(now);
    checkMunicipality(municipalityCode, asOf);
    const header = csvLine(LOCAL_DIRECTORY_COLUMNS);

    const residents = await this.#db
      .selectFrom('residence')
      .select('pnr')
      .distinct()
      .where('municipality_code', '=', municipalityCode)
      .where('valid_from', '<=', asOf)
      .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', asOf)]))
      .where('reg_from', '<=', knownAt)
      .where((eb) => eb.or([eb('reg_to', 'is', null), eb('reg_to', '>', knownAt)]))
      .orderBy('pnr')
      .execute();
    const ext = await this.#begin('local_directory', { period: null, municipality: municipalityCode, asOf, knownAt, header, layout: LOCAL_DIRECTORY_LAYOUT, opts });

    const grant = { customerKind: 'business' as const, legalBases: ['§47'] };
    const entries: Array<{ pnr: string; name: Name; occupation: string; address: Address }> = [];
    let read = 0;
    for (const batch of chunks(residents.map((r) => r.pnr), BATCH)) {
      for (const view of await this.#views(batch, asOf, knownAt)) {
        // §47: "medmindre vedkommende har navne- og adressebeskyttelse efter § 28 eller lokalvejviserbeskyttelse efter § 29, stk. 1"
        // (0002 also while 0001 is in force, §30(1)); the policy leaves such persons out of local directories.
        const excluded = effectiveProtections(view.state, asOf).some((p) => p.type === '0001' || p.type === '0002');
        const d = disclose(view, grant);
        if (excluded || d.data.name === undefined || d.data.address === undefined) continue;
        if (d.data.address.municipalityCode !== municipalityCode) continue;
        const status = (single(view.state, 'status')?.value as GroupValue<'status'> | undefined)?.code;
        if (status !== undefined && ENDED_STATUSES.has(status)) continue;
        const name = single(view.state, 'name')!.value as Name;
        entries.push({ pnr: view.pnr, name, occupation: d.data.occupation ?? '', address: d.data.address });
      }
      read += batch.length;
      opts.onProgress?.({ phase: 'select', done: read, total: residents.length, listed: entries.length });
    }

    // A directory is read by name: Danish alphabetical order (æ, ø, å last), then the address.
    const collator = new Intl.Collator('da', { sensitivity: 'base', numeric: true });
    entries.sort(
      (a, b) =>
        collator.compare(a.name.lastName, b.name.lastName) ||
        collator.compare(a.name.firstNames.join(' '), b.name.firstNames.join(' ')) ||
        collator.compare((a.name.middleNames ?? []).join(' '), (b.name.middleNames ?? []).join(' ')) ||
        (addressKey(a.address) < addressKey(b.address) ? -1 : addressKey(a.address) > addressKey(b.address) ? 1 : 0),
    );
    const lines: LineRow[] = entries.map((e, i) => ({
      n: i + 1,
      sort_key: String(i + 1).padStart(10, '0'),
      pnr: e.pnr,
      line: csvLine([
        asOf,
        e.name.lastName,
        e.name.firstNames.join(' '),
        (e.name.middleNames ?? []).join(' '),
        e.name.addressingName ?? '',
        e.occupation,
        ...addressFields(e.address),
        LOCAL_DIRECTORY_NOTICE,
      ]),
    }));
    for (const part of chunks(lines, 20_000)) await this.#insertLines(ext.id, part);
    return this.#finish(ext, lines.length, EXTRACT_ACTIONS.localDirectory, '§47', ['name', 'addressingName', 'occupation', 'address'], opts);
  }

  // ── Reading lists ──

  async extract(id: string): Promise<ExtractInfo> {
    const row = await this.#db.selectFrom('extract').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new ExtractError('no_such_extract', `No extract with id ${id}.`);
    return toInfo(row);
  }

  /** The file of a list, in pieces: the header row, then the rows in file order; CRLF line ends. */
  async *file(id: string): AsyncGenerator<string> {
    const ext = await this.extract(id);
    yield `${ext.header}\r\n`;
    for await (const page of this.#pages(id)) yield page.map((r) => `${r.line}\r\n`).join('');
  }

  /** §46: the delivered lists that held this person, and who received them. In time order. */
  async deliveriesOf(pnr: string): Promise<ExtractDelivery[]> {
    const ids = await this.#db.selectFrom('extract_line').select('extract_id').distinct().where('pnr', '=', pnr).execute();
    const out: ExtractDelivery[] = [];
    for (const { extract_id } of ids) {
      const ext = await this.#db.selectFrom('extract').selectAll().where('id', '=', extract_id).executeTakeFirst();
      if (!ext || ext.status !== 'complete') continue;
      for (const l of await this.audit.lookupsOf(`extract:${extract_id}`)) {
        if (!DELIVERY_ACTIONS.has(l.action)) continue;
        out.push({
          extractId: extract_id,
          kind: ext.kind as ExtractKind,
          at: l.at,
          customer: l.customer,
          recipient: ext.recipient,
          municipalityCode: ext.municipality_code,
          period: ext.period,
          action: l.action,
          legalBasis: l.legalBasis,
        });
      }
    }
    return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  // ── Internals ──

  async #begin(
    kind: ExtractKind,
    x: { period: string | null; municipality: string | null; asOf: CivilDate; knownAt: Instant; header: string; layout: string; opts: GenerateOptions },
  ): Promise<ExtractInfo> {
    const row = {
      id: newId(),
      kind,
      period: x.period,
      municipality_code: x.municipality,
      as_of: x.asOf,
      known_at: x.knownAt,
      generated_at: toInstant(this.register.clock.now()),
      generated_by: x.opts.actor,
      recipient: x.opts.recipient ?? null,
      layout: x.layout,
      header: x.header,
      status: 'building',
      row_count: 0,
      sha256: null,
    };
    await this.#db.insertInto('extract').values(row).execute();
    return toInfo(row);
  }

  /** Hashes (and hands to the sink) the file, writes the audit record, and only then marks the list complete. */
  async #finish(ext: ExtractInfo, rows: number, action: string, legalBasis: string, fields: string[], opts: GenerateOptions): Promise<ExtractInfo> {
    const hash = createHash('sha256');
    let written = 0;
    const emit = async (chunk: string) => {
      hash.update(chunk, 'utf8');
      if (opts.sink) await opts.sink(chunk);
    };
    await emit(`${ext.header}\r\n`);
    for await (const page of this.#pages(ext.id)) {
      await emit(page.map((r) => `${r.line}\r\n`).join(''));
      written += page.length;
      opts.onProgress?.({ phase: 'write', done: written, total: rows, listed: rows });
    }
    const sha256 = hash.digest('hex');
    await this.audit.record({
      actor: opts.actor,
      actorKind: opts.actorKind ?? 'user',
      customer: opts.customer ?? null,
      action,
      subjects: [`extract:${ext.id}`],
      legalBasis,
      fields,
      requestId: opts.requestId ?? null,
      detail: {
        extract: ext.id,
        layout: ext.layout,
        period: ext.period ?? undefined,
        municipality: ext.municipalityCode ?? undefined,
        recipient: ext.recipient ?? undefined,
        asOf: ext.asOf,
        rows,
        sha256,
      },
    });
    await this.#db.updateTable('extract').set({ status: 'complete', row_count: rows, sha256 }).where('id', '=', ext.id).execute();
    return { ...ext, rows, sha256 };
  }

  async *#pages(id: string): AsyncGenerator<LineRow[]> {
    let after: { sort_key: string; n: number } | null = null;
    for (;;) {
      let q = this.#db.selectFrom('extract_line').select(['n', 'sort_key', 'pnr', 'line']).where('extract_id', '=', id);
      if (after) {
        const a = after;
        q = q.where((eb) => eb.or([eb('sort_key', '>', a.sort_key), eb.and([eb('sort_key', '=', a.sort_key), eb('n', '>', a.n)])]));
      }
      const rows = (await q.orderBy('sort_key').orderBy('n').limit(PAGE).execute()).map((r) => ({ ...r, n: Number(r.n) }));
      if (rows.length === 0) return;
      yield rows;
      const last = rows[rows.length - 1]!;
      after = { sort_key: last.sort_key, n: last.n };
      if (rows.length < PAGE) return;
    }
  }

  async #insertLines(id: string, lines: LineRow[]): Promise<void> {
    if (lines.length === 0) return;
    await this.#db.transaction().execute(async (tx) => {
      for (const part of chunks(lines, INSERT_CHUNK)) {
        await tx.insertInto('extract_line').values(part.map((l) => ({ extract_id: id, ...l }))).execute();
      }
    });
  }

  async #count(table: 'person_current'): Promise<number> {
    const r = await this.#db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async #versions(pnrs: string[]): Promise<Map<string, Version[]>> {
    const out = new Map<string, Version[]>();
    for (const part of chunks(pnrs, IN_CHUNK)) {
      for (const [pnr, versions] of await this.register.versionsOf(part)) out.set(pnr, versions);
    }
    return out;
  }

  /** Persons as valid at `asOf`: the stored current state where it is still true, else from the versions. */
  async #views(pnrs: string[], asOf: CivilDate, knownAt: Instant): Promise<PersonView[]> {
    const out: PersonView[] = [];
    for (const part of chunks(pnrs, IN_CHUNK)) {
      const rows = await this.#db
        .selectFrom('person_current')
        .select(['pnr', 'state', 'computed_for', 'stale_at'])
        .where('pnr', 'in', part)
        .execute();
      const byPnr = new Map(rows.map((r) => [r.pnr, r]));
      for (const pnr of part) {
        const r = byPnr.get(pnr);
        const check = checkPnr(pnr, NO_MOD11_DATES);
        if (r && r.computed_for <= asOf && (r.stale_at === null || asOf < r.stale_at) && (check.kind === 'valid' || check.kind === 'suspicious')) {
          out.push({ pnr, birthDate: check.birthDate, sex: check.sex, validAt: asOf, knownAt, state: JSON.parse(r.state) as PersonState });
        } else {
          const v = await this.register.person(pnr, { validAt: asOf, knownAt });
          if (v) out.push(v);
        }
      }
    }
    return out;
  }
}

/**
 * §40(4) "eventuel seneste tidligere adresse inden for de seneste 3 år": the
 * address the person lived at before the current one (as known now), when
 * they left it after `cutoff`. An address that was under name-and-address
 * protection on the last day the person lived there is not given (§28; as
 * for the address at death in the disclosure policy).
 */
export function previousAddress(versions: readonly Version[], current: Address | undefined, asOf: CivilDate, knownAt: Instant, cutoff: CivilDate): Address | undefined {
  const known = versions.filter((v) => v.rf <= knownAt && (v.rt === null || knownAt < v.rt));
  const ended = known
    .filter((v) => v.g === 'address' && v.vt !== null && v.vt <= asOf)
    .sort((a, b) => (a.vt! < b.vt! ? 1 : a.vt! > b.vt! ? -1 : 0));
  const same = (a: Address) => current !== undefined && JSON.stringify(a) === JSON.stringify(current);
  const prev = ended.find((v) => !same(v.v as Address));
  if (!prev || prev.vt! <= cutoff) return undefined;
  const lastDay = addDays(prev.vt!, -1);
  const wasProtected = known.some(
    (v) => v.g === 'protection' && (v.v as GroupValue<'protection'>).type === '0001' && v.vf <= lastDay && (v.vt === null || lastDay < v.vt),
  );
  return wasProtected ? undefined : (prev.v as Address);
}

/** A municipality code a local directory can be made for: four digits, a municipality in use on the date, not a fictitious one. */
export function checkMunicipality(code: string, on: CivilDate): void {
  if (!/^\d{4}$/.test(code)) throw new ExtractError('invalid_municipality', `"${code}" is not a municipality code (four digits, e.g. 0461).`);
  const m = municipalityEntry(code);
  if (!m || m.kind === 'fictitious' || !isValidMunicipalityCode(code, on)) {
    throw new ExtractError('unknown_municipality', `${code} is not a municipality in use on ${on}.`);
  }
}

function toInfo(r: {
  id: string;
  kind: string;
  period: string | null;
  municipality_code: string | null;
  as_of: string;
  known_at: string;
  generated_at: string;
  generated_by: string;
  recipient: string | null;
  layout: string;
  header: string;
  row_count: number;
  sha256: string | null;
}): ExtractInfo {
  const kind = r.kind as ExtractKind;
  return {
    id: r.id,
    kind,
    period: r.period,
    municipalityCode: r.municipality_code,
    asOf: r.as_of,
    knownAt: r.known_at,
    generatedAt: r.generated_at,
    generatedBy: r.generated_by,
    recipient: r.recipient,
    layout: r.layout,
    header: r.header,
    rows: Number(r.row_count),
    sha256: r.sha256,
    fileName: fileNameOf(kind, r.period, r.municipality_code, r.as_of),
  };
}
