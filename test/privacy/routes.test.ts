/**
 * The acceptance privacy suite (issue 14, items 1-2; PNR-5, §28, AUD-3):
 * every operation of the OpenAPI document (so a new route is covered
 * automatically) × every customer kind × every kind of person (protected,
 * lapsed protection, dead, emigrated, disappeared, a ward with a protected
 * guardian, ordinary, one whose number is never sent, one not in the
 * register), over HTTP on a real SQLite store. See world.ts and requests.ts.
 *
 * (a) No body to a private customer (JSON, CSV, XLSX, NDJSON, text, errors)
 *     holds a person number the request did not send (a citizen "sends" its
 *     own). Routes that show the customer's own earlier references (log
 *     search, subscriptions, the feed) may show any number it sent before.
 * (b) The protected person's name parts and address (road, DAR ids) reach no
 *     customer without a rule giving them (docs/disclosure.md, policy table),
 *     and no error body, unless the request itself held them.
 * (c) Every 2xx whose body holds personal data has an audit record with its
 *     request id.
 * (d) Match and no match answer alike where item 2 says so (separate world).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { isPrivateKind, type CustomerKind, CUSTOMER_KINDS } from '../../src/domain/disclosure/policy.ts';
import { requestsFor, Unfillable, type FillContext, type GeneratedRequest, type Operation, type Schema, type Subject } from './requests.ts';
import { DWELLINGS, privacyWorld, type PrivacyWorld, type WorldCustomer } from './world.ts';

// ─── What the policy gives (docs/disclosure.md, policy table) ─────────────

/** §28's exceptions by kind, for the world's customers' bases: §34(2) authorities, §38(4)/§42(4) credit bureaus, §45 / landlord service names. */
const PROTECTED_NAME_FOR: ReadonlySet<CustomerKind> = new Set(['public_authority', 'cpr_admin', 'credit_bureau', 'landlord']);
const PROTECTED_ADDRESS_FOR: ReadonlySet<CustomerKind> = new Set(['public_authority', 'cpr_admin', 'credit_bureau']);

/** Routes whose answers are the customer's own earlier references: a number it sent in any earlier request may appear. */
const SHOWS_OWN_HISTORY = [/^\/api\/v1\/security\//, /^\/api\/v1\/subscriptions/, /^\/api\/v1\/events/, /^\/api\/v1\/deliveries\/[^/]+\/result/];
/** DAR reference data (public): an address there says nothing about who lives at it. */
const PUBLIC_ADDRESS_ROUTES = [/^\/api\/v1\/addresses(\?|$)/];
/** Operations that change the register; authorities run them last, after every private customer's requests. */
const READ_LIKE_POSTS = /^\/api\/v1\/(enquiries|persons\/bulk|deliveries|landlord\/search|subscriptions)/;

// ─── Scanning bodies ──────────────────────────────────────────────────────

/** 10-digit numbers with a valid DDMMYY, with or without the hyphen, not inside a longer token (UUIDs, hashes). */
const PNR_RE = /(?<![0-9A-Za-z-])(\d{6})-?(\d{4})(?![0-9A-Za-z])/g;
function pnrsIn(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(PNR_RE)) {
    const d = Number(m[1]!.slice(0, 2));
    const mo = Number(m[1]!.slice(2, 4));
    if (d >= 1 && d <= 31 && mo >= 1 && mo <= 12) out.add(m[1]! + m[2]!);
  }
  return out;
}

interface Exchange {
  kind: CustomerKind;
  op: string;
  req: GeneratedRequest;
  /** What the request carried (URL and body), for "did it send this". */
  sent: string;
  status: number;
  requestId: string;
  contentType: string;
  /** The body as text; an XLSX as its cells' values, one per line. */
  text: string;
  bytes: number;
}

async function bodyText(buf: Buffer, contentType: string): Promise<string> {
  if (contentType.includes('spreadsheetml')) {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    const cells: string[] = [];
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => void cells.push(String(c.text ?? c.value)))));
    return cells.join('\n');
  }
  return buf.toString('utf8');
}

const fmt = (e: Exchange) => `${e.kind} ${e.req.method} ${e.req.url.split('?')[0]} [${e.req.subject}/${e.req.variant}] → ${e.status}`;

// ─── The sweep ────────────────────────────────────────────────────────────

describe('privacy suite: every route × every customer kind × every kind of person', () => {
  let w: PrivacyWorld;
  const exchanges: Exchange[] = [];
  const unfillable: string[] = [];
  let operations: Operation[] = [];
  let audited = new Set<string>();

  before(async () => {
    const t0 = Date.now();
    w = await privacyWorld();
    const tWorld = Date.now();
    const doc = (await w.api.call('GET', '/docs/json')).json as { paths: Record<string, Record<string, { parameters?: Operation['parameters']; requestBody?: { content: Record<string, { schema: Schema }> } }>> };
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const content = op.requestBody?.content;
        const body = content ? (content['application/json'] ?? Object.values(content)[0])?.schema : undefined;
        operations.push({ method: method.toUpperCase(), path, parameters: op.parameters ?? [], ...(body && { body }) });
      }
    }
    const unknownPnr = await w.api.register.allocatePnr('1999-12-31', 'M');
    const unknown: Subject = { kind: 'unknown', pnr: unknownPnr, firstNames: ['Ukendt'], middleNames: [], lastName: 'Ingensen', birthDate: '1999-12-31', sex: 'M', home: DWELLINGS.p3St };
    // The protected and the ordinary person first (see the refusal shortcut below).
    const subjects: Subject[] = [w.person.protected, w.person.ordinary, ...w.persons.filter((p) => p.kind !== 'protected' && p.kind !== 'ordinary'), unknown];

    const writes = (o: Operation) => o.method !== 'GET' && !READ_LIKE_POSTS.test(o.path);
    const history = (o: Operation) => SHOWS_OWN_HISTORY.some((re) => re.test(o.path));
    // Reads and the customer's history last within a phase, so log search and the feed see the other requests.
    const ordered = [...operations.filter((o) => !history(o)), ...operations.filter(history)];
    const privateKinds = CUSTOMER_KINDS.filter(isPrivateKind);
    const authorityKinds = CUSTOMER_KINDS.filter((k) => !isPrivateKind(k));
    // Phase 1: every private customer, every route; authorities' reads. Phase 2: authorities' writes (they change the world).
    const plan: Array<[CustomerKind, Operation]> = [
      ...privateKinds.flatMap((k) => ordered.map((o): [CustomerKind, Operation] => [k, o])),
      ...authorityKinds.flatMap((k) => ordered.filter((o) => !writes(o)).map((o): [CustomerKind, Operation] => [k, o])),
      ...authorityKinds.flatMap((k) => ordered.filter(writes).map((o): [CustomerKind, Operation] => [k, o])),
    ];

    const ids = new Map<string, Map<string, string[]>>();
    const principals = new Map<string, string>();
    for (const k of CUSTOMER_KINDS) {
      const c = w.customers[k];
      ids.set(c.id, new Map());
      const [user] = await w.api.ctx.access.authorisations(c.id);
      principals.set(c.id, user!.id);
    }
    const other = w.person.ordinary;
    const seenUnfillable = new Set<string>();

    for (const [kind, op] of plan) {
      const c: WorldCustomer = w.customers[kind];
      const pool = ids.get(c.id)!;
      const ctxOf = (subject: Subject): FillContext => ({
        subject,
        other: subject.kind === 'ordinary' ? w.person.lapsed : other,
        ids: pool,
        customerId: c.id,
        principalId: principals.get(c.id)!,
      });
      let reqs: GeneratedRequest[];
      try {
        reqs = requestsFor(op, subjects, ctxOf);
      } catch (e) {
        if (!(e instanceof Unfillable)) throw e;
        if (!seenUnfillable.has(e.where)) unfillable.push(e.where);
        seenUnfillable.add(e.where);
        continue;
      }
      const key = op.path.startsWith('/api/v1/security/') ? c.officerKey : c.key;
      // A refusal by role or kind reads nothing about the subject: once the first two subjects (the protected and the
      // ordinary person, every variant) are refused alike, the other subjects are left out, to keep the suite fast.
      const refusals = new Set<string>();
      let refusedOnly = true;
      for (const req of reqs) {
        if (refusedOnly && refusals.size === 1 && req.subject !== subjects[0]!.kind && req.subject !== subjects[1]!.kind) break;
        const headers: Record<string, string> = { authorization: `Bearer ${key}` };
        if (req.body !== undefined) headers['content-type'] = 'application/json';
        const res = await fetch(w.api.base + req.url, { method: req.method, headers, ...(req.body !== undefined && { body: JSON.stringify(req.body) }) });
        const buf = Buffer.from(await res.arrayBuffer());
        const contentType = res.headers.get('content-type') ?? '';
        const text = await bodyText(buf, contentType);
        exchanges.push({
          kind,
          op: `${op.method} ${op.path}`,
          req,
          sent: decodeURIComponent(req.url) + ' ' + JSON.stringify(req.body ?? null),
          status: res.status,
          requestId: res.headers.get('x-request-id') ?? '',
          contentType,
          text,
          bytes: buf.length,
        });
        if (res.status === 401 || res.status === 403) refusals.add(`${res.status} ${text.match(/"code":"(\w+)"/)?.[1]}`);
        else refusedOnly = false;
        if (contentType.includes('json') && res.status < 300) harvestIds(op.path, text, pool);
        // A background job (a delivery): wait until it is done, so its result can be fetched.
        const location = res.headers.get('location');
        if (res.status === 202 && location) await settle(w.api.base + location, key);
      }
    }
    if (process.env.PRIVACY_DUMP) console.error(`world ${tWorld - t0} ms, sweep ${Date.now() - tWorld} ms, ${exchanges.length} requests`);
    await w.api.ctx.audit.drain();
    const rids = exchanges.map((e) => e.requestId).filter(Boolean);
    const rows = await w.api.register.store.db.selectFrom('audit').select('request_id').where('request_id', 'in', rids).execute();
    audited = new Set(rows.map((r) => r.request_id!));
  });
  after(async () => {
    if (process.env.PRIVACY_DUMP) (await import('node:fs')).writeFileSync(process.env.PRIVACY_DUMP, exchanges.map((e) => JSON.stringify({ ...e, text: e.text.slice(0, 3000) })).join('\n'));
    await w?.api.dispose();
  });

  test('every operation of the OpenAPI document can be filled from the world (a new parameter must be considered here)', () => {
    assert.ok(operations.length >= 80, `only ${operations.length} operations`);
    assert.deepEqual(unfillable, []);
  });

  test('the sweep reaches data: matches for private customers, the landlord sees its residents, the authority sees the protected person', () => {
    const ok = (kind: CustomerKind, op: string, re: RegExp) => exchanges.some((e) => e.kind === kind && e.op === op && e.status === 200 && re.test(e.text));
    assert.ok(ok('business', 'POST /api/v1/enquiries', /Udløbsen/), 'a business enquiry about the lapsed person is answered with her name');
    assert.ok(ok('credit_bureau', 'POST /api/v1/enquiries', /Lønkammer/), 'a credit bureau gets the protected name (§38(4))');
    assert.ok(ok('landlord', 'POST /api/v1/landlord/search', /Lønkammer/), "the landlord service lists the protected resident's addressing name");
    assert.ok(ok('landlord', 'POST /api/v1/landlord/search/xlsx', /Almindeligsen/), 'the XLSX is decoded and scanned');
    assert.ok(ok('public_authority', 'GET /api/v1/persons/{pnr}', /Skjulestien/), 'the municipality gets the protected address (§34(2))');
    for (const k of CUSTOMER_KINDS) assert.ok(exchanges.filter((e) => e.kind === k && e.status < 300).length >= 10, `${k}: few answers`);
  });

  test('(a) no body to a private customer holds a person number it did not send', () => {
    const sentBefore = new Map<CustomerKind, Set<string>>();
    const found: string[] = [];
    for (const e of exchanges) {
      if (!isPrivateKind(e.kind)) continue;
      const before = sentBefore.get(e.kind) ?? new Set<string>();
      sentBefore.set(e.kind, before);
      const sentNow = pnrsIn(e.sent);
      const own = w.customers[e.kind].ownPnr;
      const mayShow = SHOWS_OWN_HISTORY.some((re) => re.test(e.req.url)) ? new Set([...before, ...sentNow]) : sentNow;
      if (own) mayShow.add(own);
      const leaked = [...pnrsIn(e.text)].filter((n) => !mayShow.has(n));
      if (leaked.length) found.push(`${fmt(e)}: ${leaked.map((n) => who(n)).join(', ')}`);
      for (const n of sentNow) before.add(n);
    }
    assert.deepEqual(summarise(found), []);
  });

  test("(b) the protected person's name and address reach no customer without a rule giving them, and no error body", () => {
    const p = w.person.protected;
    const nameParts = [...p.firstNames, ...p.middleNames, p.lastName];
    const addressParts = [p.home.roadName, p.home.addressId, p.home.accessAddressId];
    const found: string[] = [];
    const parts = [...nameParts, ...addressParts].map((x) => x.toLowerCase());
    /** The protected parts each customer has sent so far. */
    const sentBefore = new Map<CustomerKind, Set<string>>();
    for (const e of exchanges) {
      const before = sentBefore.get(e.kind) ?? new Set<string>();
      sentBefore.set(e.kind, before);
      const sentText = e.sent.toLowerCase();
      const sentNow = parts.filter((x) => sentText.includes(x));
      const sent = new Set(SHOWS_OWN_HISTORY.some((re) => re.test(e.req.url)) ? [...before, ...sentNow] : sentNow);
      for (const x of sentNow) before.add(x);
      const body = e.text.toLowerCase();
      const error = e.status >= 400;
      const addressSent = addressParts.some((a) => sent.has(a.toLowerCase()));
      const names = nameParts.filter((n) => body.includes(n.toLowerCase()) && !sent.has(n.toLowerCase()));
      const addrs = addressSent || PUBLIC_ADDRESS_ROUTES.some((re) => re.test(e.req.url)) ? [] : addressParts.filter((a) => body.includes(a.toLowerCase()));
      if (names.length && (error || !PROTECTED_NAME_FOR.has(e.kind))) found.push(`${fmt(e)}: name ${names.join(' ')}`);
      if (addrs.length && (error || !PROTECTED_ADDRESS_FOR.has(e.kind))) found.push(`${fmt(e)}: address ${addrs.join(' ')}`);
    }
    assert.deepEqual(summarise(found), []);
  });

  test('(c) every 2xx whose body holds personal data has its audit record (by request id)', () => {
    const marks = w.persons
      .flatMap((p) => [p.pnr, p.pnr.slice(0, 6) + '-' + p.pnr.slice(6), ...p.firstNames, ...p.middleNames, p.lastName])
      .map((m) => ({ m, re: wordRe(m) }));
    const found: string[] = [];
    for (const e of exchanges) {
      if (e.status < 200 || e.status >= 300) continue;
      // Personal data the answer holds beyond what the request sent (an echo of the caller's own input is no read).
      const own = w.customers[e.kind].ownPnr;
      const holds = marks.filter(({ m, re }) => re.test(e.text) && !re.test(e.sent) && m.replace('-', '') !== own).map(({ m }) => m);
      if (holds.length && !audited.has(e.requestId)) found.push(`${fmt(e)}: holds ${holds.slice(0, 3).join(', ')}`);
    }
    assert.deepEqual(summarise(found), []);
  });

  /** Which world person a number is, for the message. */
  function who(n: string): string {
    const p = w.persons.find((x) => x.pnr === n);
    return p ? `${n} (${p.kind})` : n;
  }
});

/** `word` as a whole word (not "ole" in "roles"), ignoring case. */
function wordRe(word: string): RegExp {
  const esc = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}])${esc}(?![\\p{L}\\p{N}])`, 'iu');
}

/** One line per route and customer kind (the first case, and how many), so a failure reads as a list of findings. */
function summarise(found: string[]): string[] {
  const by = new Map<string, { first: string; n: number }>();
  for (const f of found) {
    const key = f.replace(/ \[.*?\] → \d+.*$/, '');
    const g = by.get(key);
    if (g) g.n++;
    else by.set(key, { first: f, n: 1 });
  }
  return [...by.values()].map((g) => (g.n > 1 ? `${g.first} (+${g.n - 1} more)` : g.first));
}

/** Ids of this answer, by collection: `id` under the path's last static segment, `caseId` etc. under their plural. */
function harvestIds(path: string, text: string, pool: Map<string, string[]>): void {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return;
  }
  const segs = path.split('/').filter((s) => s && !s.startsWith('{'));
  const own = segs[segs.length - 1] ?? '';
  const add = (col: string, v: unknown) => {
    if (typeof v !== 'string' && typeof v !== 'number') return;
    const list = pool.get(col) ?? [];
    if (!list.includes(String(v))) list.unshift(String(v));
    pool.set(col, list.slice(0, 5));
  };
  const walk = (x: unknown, depth: number, col: string) => {
    if (depth > 3 || x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.slice(0, 5).forEach((y) => walk(y, depth + 1, col));
    for (const [k, v] of Object.entries(x)) {
      if (k === 'id') add(col, v);
      else if (/^[a-z]+Id$/.test(k)) add(`${k.slice(0, -2)}s`, v);
      else if (k === 'case' || k === 'cases') walk(v, depth + 1, 'cases');
      else if (k === 'letters' || k === 'letter') walk(v, depth + 1, 'letters');
      else walk(v, depth + 1, col);
    }
  };
  walk(json, 0, own === 'investigations' || own === 'moves' ? 'cases' : own);
}

async function settle(url: string, key: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const r = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    const j = (await r.json().catch(() => null)) as { status?: string } | null;
    if (!j || (j.status !== 'queued' && j.status !== 'running')) return;
    await new Promise((res) => setTimeout(res, 30));
  }
}

// ─── (d) Match and no match alike (item 2) ────────────────────────────────

describe('privacy suite: answers that must not reveal by their shape (item 2)', () => {
  let w: PrivacyWorld;
  before(async () => {
    w = await privacyWorld();
  });
  after(async () => w?.api.dispose());

  /** Status, body without its request id and times, and size in bytes. */
  const shape = async (kind: CustomerKind, path: string, body: unknown) => {
    const res = await fetch(w.api.base + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${w.customers[kind].key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    const rid = res.headers.get('x-request-id') ?? '';
    const normal = text.split(rid).join('<request-id>').replace(/\d{4}-\d{2}-\d{2}T[\d:.]+Z/g, '<time>');
    return { status: res.status, body: normal, bytes: Buffer.byteLength(text) };
  };

  // Credit bureaus are given the protected name and address (§38(4), §42(4)); the others must not learn she lives there.
  for (const kind of ['business', 'insurer', 'landlord', 'citizen'] as const) {
    test(`${kind}: an enquiry by the protected person's name and her address answers as the same name at another address`, async () => {
      const p = w.person.protected;
      const name = { firstNames: p.firstNames, middleNames: p.middleNames, lastName: p.lastName };
      const at = (d: typeof p.home) => ({ roadName: d.roadName, houseNumber: d.houseNumber, postalCode: '5000' });
      for (const [hers, elsewhere] of [
        [{ name, address: at(p.home) }, { name, address: at(DWELLINGS.p3St) }],
        [{ name, address: { addressId: p.home.addressId } }, { name, address: { addressId: DWELLINGS.p3St.addressId } }],
      ] as const) {
        assert.deepEqual(await shape(kind, '/api/v1/enquiries', hers), await shape(kind, '/api/v1/enquiries', elsewhere), JSON.stringify(hers.address));
      }
    });
  }

  for (const kind of CUSTOMER_KINDS.filter(isPrivateKind)) {
    test(`${kind}: a subscription to a real person it may not follow answers as one to an unknown number`, async () => {
      const unknownPnr = await w.api.register.allocatePnr('1999-12-30', 'K');
      const unknown = await shape(kind, '/api/v1/subscriptions', { pnr: unknownPnr });
      const differ: string[] = [];
      for (const p of w.persons.filter((x) => x.kind !== 'unsent')) {
        const real = await shape(kind, '/api/v1/subscriptions', { pnr: p.pnr });
        if (real.status < 300) {
          // One it may follow: the unknown number answers with the same status and shape (item 2: existence is not told).
          const keys = (x: typeof real) => `${x.status} ${Object.keys(JSON.parse(x.body || '{}')).sort().join(',')}`;
          if (keys(real) !== keys(unknown)) differ.push(`${p.kind}: ${keys(real)} vs unknown ${keys(unknown)} ${unknown.body.slice(0, 120)}`);
          continue;
        }
        const mask = (x: typeof real) => ({ ...x, body: x.body.split(p.pnr).join('<pnr>').split(unknownPnr).join('<pnr>') });
        const [a, b] = [mask(real), mask(unknown)];
        if (JSON.stringify(a) !== JSON.stringify(b)) differ.push(`${p.kind}: ${a.status} ${a.body.slice(0, 160)} vs unknown ${b.status} ${b.body.slice(0, 160)}`);
      }
      assert.deepEqual(differ, []);
    });
  }
});
