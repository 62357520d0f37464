/**
 * Requests generated from the OpenAPI document (/docs/json): for an
 * operation and a subject (a person of the world, or one not in the
 * register), one value for every parameter and body property, by its name
 * and schema. A parameter no rule here can fill throws `Unfillable`, so a new
 * route with a new kind of parameter fails the suite until it is considered.
 */
import type { WorldPerson } from './world.ts';
import { DWELLINGS, OWNER_CVR } from './world.ts';

/** The parts of JSON Schema (as @fastify/swagger writes it) the generator reads. */
export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  pattern?: string;
  format?: string;
  minimum?: number;
  default?: unknown;
}

export interface Operation {
  method: string;
  path: string;
  parameters: Array<{ in: 'path' | 'query' | 'header'; name: string; required?: boolean; schema: Schema }>;
  body?: Schema;
}

/** The subject a request is about: a world person, or the unknown one (a valid number nobody has). */
export type Subject = WorldPerson | (Omit<WorldPerson, 'kind'> & { kind: 'unknown' });

export class Unfillable extends Error {
  constructor(readonly where: string) {
    super(`cannot fill ${where}`);
  }
}
/** The subject has no value for this (the unsent person's number): the variant is left out. */
export class Skip extends Error {}

export interface FillContext {
  subject: Subject;
  /** Another person of the world (for otherPnr, fatherPnr). */
  other: WorldPerson;
  /** Ids seen in earlier answers, by collection (cases, deliveries, subscriptions, ...). */
  ids: Map<string, string[]>;
  customerId: string;
  principalId: string;
}

const TEXT_NAMES = new Set([
  'text', 'note', 'grounds', 'reasons', 'statement', 'documentation', 'reason', 'basis', 'place', 'birthPlace', 'authority',
  'spouseName', 'ownLastName', 'addressingName', 'doubt', 'title', 'description',
]);
const DATE_NAMES: Record<string, string> = {
  date: '2026-05-15', moveDate: '2026-05-15', entryDate: '2026-05-15', departureDate: '2026-05-15', effectiveDate: '2026-05-15',
  returnDate: '2027-05-15', stayUntil: '2027-05-15', notifiedOn: '2026-05-20', assumedArrival: '2026-06-15', validFrom: '2026-06-01',
  validTo: '2027-01-01', fromDate: '2025-01-01', validAt: '2026-06-01', moveInDate: '2026-05-15', from: '2026-01', to: '2026-12',
  month: '2026-06',
};
const PNR_NAMES = new Set(['pnr', 'motherPnr', 'guardianPnr', 'parentPnr']);
const OTHER_PNR_NAMES = new Set(['otherPnr', 'fatherPnr']);

const lines = (p: Subject) => [`${p.home.roadName} ${p.home.houseNumber}`, '5000 Odense C'];
const fullName = (p: Subject) => [...p.firstNames, ...p.middleNames, p.lastName].join(' ');

function pnrOf(ctx: FillContext): string {
  if (ctx.subject.kind === 'unsent') throw new Skip();
  return ctx.subject.pnr;
}

/** The collection a `{id}` of this path names: the static segment before it. */
export function collectionOf(path: string, param: string): string {
  const segs = path.split('/');
  const i = segs.indexOf(`{${param}}`);
  return segs[i - 1] ?? '';
}

/** An id seen earlier in the collection the path's parameter names. */
function idOf(ctx: FillContext, path: string | undefined, param: string): string | undefined {
  return path ? ctx.ids.get(collectionOf(path, param))?.[0] : undefined;
}

function first(s: Schema): Schema {
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return alts.find((a) => a.type !== 'null') ?? alts[0]!;
  if (s.allOf?.length === 1) return s.allOf[0]!;
  return s;
}

/** A value for `name` with schema `s`; `where` names it in errors. */
export function fill(
  name: string,
  s0: Schema,
  ctx: FillContext,
  where: string,
  opts: { path?: string; optionalPicks?: Set<string> | 'all'; itemPicks?: Set<string> | 'all' } = {},
): unknown {
  const s = first(s0);
  const p = ctx.subject;
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum.find((e) => e !== null);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  // Numbers by name, whatever their wire type (query strings are coerced).
  if (name === 'limit') return 10;
  if (name === 'after') return 0;
  if (name === 'dwellings') return 12;
  if (name === 'ratePerMinute') return 100_000;
  if (name === 'decisionCaseId') return Number(ctx.ids.get('cases')?.[0] ?? 1) || 1;

  if (type === 'object' || s.properties) {
    const props = s.properties ?? {};
    if (name === 'name' && 'firstNames' in props && 'lastName' in props) {
      const list = props.firstNames && first(props.firstNames).type === 'array';
      return { firstNames: list ? p.firstNames : p.firstNames.join(' '), ...(p.middleNames.length && 'middleNames' in props && { middleNames: p.middleNames }), lastName: p.lastName };
    }
    const out: Record<string, unknown> = {};
    const required = new Set(s.required ?? []);
    for (const [k, v] of Object.entries(props)) {
      // Top-level optional properties by the variant; nested ones all (an address object with every part).
      if (!required.has(k) && opts.optionalPicks && opts.optionalPicks !== 'all' && !opts.optionalPicks.has(k)) continue;
      out[k] = fill(k, v, ctx, `${where}.${k}`, { path: opts.path, ...(opts.itemPicks && { itemPicks: opts.itemPicks }) });
    }
    return out;
  }
  if (type === 'array') {
    if (name === 'pnrs') return [pnrOf(ctx)];
    if (name === 'lines' || name === 'guardianAddress') return lines(p);
    if (name === 'signedBy') return [fullName(p)];
    if (name === 'legalBases') return ['§38(2)'];
    if (name === 'scope') return ['all'];
    if (name === 'allowList') return [];
    if (name === 'citizenships') return ['5100'];
    if (!s.items) throw new Unfillable(`${where} (an array without items)`);
    // A body that is a list of items (a delivery): the variant picks the items' optional properties.
    const itemPicks = opts.itemPicks ? { optionalPicks: opts.itemPicks } : {};
    return [fill(name.replace(/s$/, ''), s.items, ctx, `${where}[]`, { path: opts.path, ...itemPicks })];
  }
  if (type === 'boolean') return false;
  if (type === 'integer' || type === 'number') {
    if (name === 'id') return Number(idOf(ctx, opts.path, name)) || 999_999;
    throw new Unfillable(`${where} (a number)`);
  }
  if (type !== 'string' && type !== undefined) throw new Unfillable(`${where} (type ${String(type)})`);

  // Strings, by name.
  if (PNR_NAMES.has(name)) return pnrOf(ctx);
  if (OTHER_PNR_NAMES.has(name)) return ctx.other.pnr;
  if (name === 'foreignPnr') return 'SE-19900707-1234';
  // The Nordic exchange's envelope (docs/api/nordic-exchange.md): from Sweden to Denmark, about the subject.
  if (name === 'recipientPnr') return pnrOf(ctx);
  if (name === 'senderPnr') return '19900707-1234';
  if (name === 'messageId' || name === 'inReplyTo') return `suite-${p.kind.replace(/_/g, '-')}-message`;
  if (name === 'from') return '5120';
  if (name === 'to') return '5100';
  if (name === 'sentAt') return '2026-06-01T10:00:00Z';
  if (name === 'municipality') return 'Malmö';
  if (name === 'name') return fullName(p);
  if (name === 'firstNames') return p.firstNames.join(' ');
  if (name === 'middleNames') return p.middleNames.join(' ') || 'Mellem';
  if (name === 'lastName') return p.lastName;
  if (name === 'birthDate') return p.birthDate;
  if (name === 'addressId') return p.home.addressId;
  if (name === 'houseNumberId') return p.home.accessAddressId;
  if (name === 'roadName' || name === 'road') return p.home.roadName;
  if (name === 'houseNumber') return p.home.houseNumber;
  if (name === 'floor') return p.home.floor ?? 'st';
  if (name === 'door') return p.home.door ?? 'tv';
  if (name === 'roadCode') return p.home.roadCode;
  if (name === 'postalCode') return '5000';
  if (name === 'municipalityCode' || name === 'authorityCode') return '0461';
  if (name === 'countryCode') return '5120';
  if (name === 'ownerNumber' || name === 'number') return opts.path?.includes('/owner-numbers') || name === 'ownerNumber' ? OWNER_CVR : '87654321';
  if (name === 'knownAt') return '2026-06-01T10:00:00Z';
  if (name === 'expiresAt') return '2027-01-01T00:00:00Z';
  if (name in DATE_NAMES) return DATE_NAMES[name];
  if (name === 'reference') return `ref-${p.kind}`;
  if (name === 'ref') return `item-${p.kind}`;
  if (TEXT_NAMES.has(name)) return 'Privacy suite';
  if (name === 'username' || name === 'client_id') return 'nobody';
  if (name === 'password' || name === 'client_secret') return 'not-the-password-0';
  if (name === 'customer') return ctx.customerId;
  if (name === 'actor') return ctx.principalId;
  if (name === 'type') return 'enquiry';
  if (name === 'cursor') return 'bogus-cursor';
  if (name === 'shared') return 'true';
  if (name === 'id' && opts.path === '/api/v1/admin/customers') return `suite-${p.kind.replace(/_/g, '-')}`;
  if (name === 'id' || name === 'number') return idOf(ctx, opts.path, name) ?? 'unknown-id-0';
  if (name === 'guardianName') return fullName(p);
  if (name === 'previousMunicipality') return 'Malmö';
  if (name === 'kind') return 'move';
  if (name === 'status') return 'open';
  // A date by its pattern, whatever its name.
  if (s.pattern?.startsWith('^\\d{4}-\\d{2}-\\d{2}')) return '2026-05-15';
  throw new Unfillable(where);
}

export interface GeneratedRequest {
  method: string;
  /** The path with its parameters filled, and the query string. */
  url: string;
  body?: unknown;
  subject: Subject['kind'];
  variant: string;
}

/**
 * The requests for one operation: per subject, all properties, only the
 * required ones, and the required ones plus each optional one alone (for
 * every subject where there are at most four, else for the ordinary and the
 * protected one), so each way of identifying a
 * person (name + birth date, + address, + number) is tried.
 */
export function requestsFor(op: Operation, subjects: Subject[], ctxOf: (s: Subject) => FillContext): GeneratedRequest[] {
  const out: GeneratedRequest[] = [];
  const seen = new Set<string>();
  const optionalOf = (s: Schema) => Object.keys(first(s).properties ?? {}).filter((k) => !(first(s).required ?? []).includes(k));
  const body = op.body && first(op.body);
  // A body { items: [...] } with no optional property of its own: the items' optional properties.
  const listOf = body && optionalOf(body).length === 0 ? Object.values(body.properties ?? {}).map(first).find((p) => p.type === 'array' && p.items && first(p.items).properties) : undefined;
  const bodyOptional = body ? optionalOf(listOf ? listOf.items! : body) : [];
  const queryOptional = op.parameters.filter((p) => p.in === 'query' && !p.required).map((p) => p.name);
  const optional = [...queryOptional, ...bodyOptional];
  for (const subject of subjects) {
    const picks: Array<[string, Set<string> | 'all']> = [
      ['all', 'all'],
      ['required', new Set()],
      ...(optional.length <= 4 || subject.kind === 'ordinary' || subject.kind === 'protected' ? optional.map((k): [string, Set<string>] => [`+${k}`, new Set([k])]) : []),
    ];
    for (const [variant, optionalPicks] of picks) {
      const ctx = ctxOf(subject);
      let url = op.path;
      const query = new URLSearchParams();
      let sent: unknown;
      try {
        for (const prm of op.parameters) {
          if (prm.in === 'header') continue;
          if (prm.in === 'query' && !prm.required && optionalPicks !== 'all' && !optionalPicks.has(prm.name)) continue;
          const v = String(fill(prm.name, prm.schema, ctx, `${op.method} ${op.path} ${prm.in} ${prm.name}`, { path: op.path }));
          if (prm.in === 'path') url = url.replace(`{${prm.name}}`, encodeURIComponent(v));
          else query.set(prm.name, v);
        }
        if (op.body) {
          sent = fill('body', op.body, ctx, `${op.method} ${op.path} body`, { path: op.path, ...(listOf ? { itemPicks: optionalPicks } : { optionalPicks }) });
        }
      } catch (e) {
        if (e instanceof Skip) continue;
        throw e;
      }
      const q = query.toString();
      const full = q ? `${url}?${q}` : url;
      const key = `${op.method} ${full} ${JSON.stringify(sent)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ method: op.method, url: full, ...(sent !== undefined && { body: sent }), subject: subject.kind, variant });
    }
  }
  return out;
}

export { DWELLINGS };
