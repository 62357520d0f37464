/**
 * Subscriptions (§38(2) nr. 10), the event feed (REG-6) and usage metering
 * (DIS-9) over real HTTP, on SQLite and PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { amount, formatKroner, invoice, isLookup, PRICE_LIST } from '../../src/domain/fees.ts';
import { changedFields, WINDOW } from '../../src/services/feed.ts';
import { startApi } from '../support/api.ts';
import { STORE_KINDS } from '../support/stores.ts';

type Api = Awaited<ReturnType<typeof startApi>>;

const ids = (n: number) => ({
  addressId: `0a3f50a0-${String(n).padStart(4, '0')}-32b8-e044-0003ba298018`,
  accessAddressId: `0a3f507b-${String(n).padStart(4, '0')}-32b8-e044-0003ba298018`,
});
const address = (n: number, road = 'Vestergade') => ({
  municipalityCode: '0461',
  roadCode: '1234',
  roadName: road,
  houseNumber: String(n),
  postalCode: '5000',
  postalDistrict: 'Odense C',
  ...ids(n),
});

async function person(api: Api, birth: string, first: string) {
  const pnr = await api.register.allocatePnr(birth, 'K');
  const reg = await api.register.register({
    pnr,
    authority: '0461',
    eventCode: 'A14',
    changes: [
      { group: 'name', validFrom: birth, value: { firstNames: [first], lastName: 'Jensen' } },
      { group: 'address', validFrom: '2020-01-01', value: address(1) },
      { group: 'status', validFrom: birth, value: { code: '01' } },
      { group: 'church', validFrom: birth, value: { member: 'F' } },
    ],
  });
  return { pnr, seq: reg.seq };
}
const move = (api: Api, pnr: string, n: number, date = '2026-05-20') =>
  api.register.register({ pnr, authority: '0461', eventCode: 'A01', changes: [{ group: 'address', validFrom: date, value: address(n, 'Nørregade') }] });
const leaveChurch = (api: Api, pnr: string) =>
  api.register.register({ pnr, authority: '0461', eventCode: 'A34', changes: [{ group: 'church', validFrom: '2026-05-01', value: { member: 'U' } }] });

/** A second principal with its own key on an existing customer. */
async function principalWithKey(api: Api, customerId: string, kind: 'user' | 'program', roles: Array<'lookup' | 'subscribe' | 'security_officer' | 'admin'>) {
  const p = await api.ctx.access.addPrincipal(customerId, { kind, name: `${kind} ${roles.join('+')}`, roles });
  return { principal: p, key: (await api.ctx.access.issueCredential(p.id, 'api_key')).apiKey! };
}

/** Every page of the feed from `after` to the end. */
async function readAll(api: Api, key: string, limit = 100, from = 0) {
  const items: any[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON
  let after = from;
  for (let pages = 0; pages < 1000; pages++) {
    const r = await api.call('GET', `/api/v1/events?after=${after}&limit=${limit}`, { key });
    assert.equal(r.status, 200, r.text);
    items.push(...r.json.items);
    assert.ok(r.json.next >= after, 'the cursor never goes back');
    after = r.json.next;
    if (!r.json.hasMore) return { items, next: after };
  }
  throw new Error('the feed did not end');
}

const eventsRead = async (api: Api, customer: string) => (await api.ctx.audit.search(customer, { type: 'events.read', limit: 1000 })).records;

for (const kind of STORE_KINDS) {
  describe(`events and subscriptions on ${kind}`, () => {
    let api: Api;
    let authority: { key: string; customer: { id: string } };
    let narrow: { key: string; customer: { id: string } };
    let business: { key: string; customer: { id: string } };
    let p1: { pnr: string; seq: number };
    let p2: { pnr: string; seq: number };
    let p3: { pnr: string; seq: number };
    let allPnrs: string[];

    before(async () => {
      api = await startApi(kind, '2026-06-01T10:00:00Z');
      authority = await api.customerWithKey({ id: 'kommune', name: 'Odense Kommune', kind: 'public_authority', legalBases: ['§32'], scope: ['all'] }, { roles: ['lookup', 'subscribe'] });
      narrow = await api.customerWithKey({ id: 'smal', name: 'Smal myndighed', kind: 'public_authority', legalBases: ['§32'], scope: ['name', 'address', 'moveDate'] });
      business = await api.customerWithKey({ id: 'forsyning', name: 'Fyns Forsyning A/S', kind: 'business', legalBases: ['§38(2)'] }, { roles: ['subscribe'] });
      p1 = await person(api, '1980-02-03', 'Anna');
      p2 = await person(api, '1981-03-04', 'Bodil');
      p3 = await person(api, '1982-04-05', 'Cecilie');
      allPnrs = [p1.pnr, p2.pnr, p3.pnr];
    });
    after(async () => api.dispose());

    test('the feed is the log in order; pages chain by next until hasMore is false', async () => {
      await move(api, p3.pnr, 3);
      const log = await api.register.log(0, 1000);
      const first = await api.call('GET', '/api/v1/events?after=0&limit=2', { key: authority.key });
      assert.equal(first.status, 200, first.text);
      assert.deepEqual(first.json.items.map((i: { seq: number }) => i.seq), log.slice(0, 2).map((r) => r.seq));
      assert.equal(first.json.next, log[1]!.seq);
      assert.equal(first.json.hasMore, true);
      const all = await readAll(api, authority.key, 2);
      assert.deepEqual(all.items.map((i) => i.seq), log.map((r) => r.seq), 'every registration once, in sequence order');
      assert.equal(all.next, log[log.length - 1]!.seq);
      const end = await api.call('GET', `/api/v1/events?after=${all.next}`, { key: authority.key });
      assert.deepEqual(end.json, { items: [], next: all.next, hasMore: false });
      // The default page is 100, the largest 1,000.
      assert.equal((await api.call('GET', '/api/v1/events', { key: authority.key })).json.items.length, log.length);
      assert.equal((await api.call('GET', '/api/v1/events?limit=1000', { key: authority.key })).status, 200);
    });

    test('a public authority with pnr in scope sees every registration with the number and the changed fields', async () => {
      const { items } = await readAll(api, authority.key);
      const m = items.find((i) => i.eventCode === 'A01');
      assert.equal(m.pnr, p3.pnr);
      assert.deepEqual(m.fields, ['address', 'moveDate']);
      const created = items.find((i) => i.seq === p1.seq);
      assert.equal(created.pnr, p1.pnr);
      for (const f of ['name', 'addressingName', 'address', 'moveDate', 'status', 'church']) assert.ok(created.fields.includes(f), f);
      assert.ok(!created.fields.includes('death'), 'status 01 is not a death');
    });

    test('an authority without pnr in scope gets no numbers and only changes to its scope', async () => {
      await leaveChurch(api, p3.pnr);
      const { items } = await readAll(api, narrow.key);
      assert.ok(items.length > 0);
      assert.ok(items.every((i) => i.pnr === undefined && i.subscription === undefined));
      assert.ok(items.every((i) => i.fields.every((f: string) => ['name', 'address', 'moveDate'].includes(f))));
      assert.ok(!items.some((i) => i.eventCode === 'A34'), 'the church change is outside the scope');
      for (const p of allPnrs) assert.ok(!JSON.stringify(items).includes(p));
    });

    test('a business subscribes without ever being shown the number; a second subscribe returns the same subscription', async () => {
      api.clock.advance(60_000); // subscriptions are active from their creation time on
      const r = await api.call('POST', '/api/v1/subscriptions', { key: business.key, body: { pnr: p1.pnr } });
      assert.equal(r.status, 201, r.text);
      assert.match(r.json.id, /^sub_[0-9a-f]{16}$/);
      assert.equal(r.json.reference, r.json.id, 'the reference defaults to the id');
      assert.equal(r.json.active, true);
      assert.equal(r.json.pnr, undefined);
      assert.ok(!r.text.includes(p1.pnr));
      const again = await api.call('POST', '/api/v1/subscriptions', { key: business.key, body: { pnr: p1.pnr.slice(0, 6) + '-' + p1.pnr.slice(6) } });
      assert.equal(again.status, 200);
      assert.equal(again.json.id, r.json.id);
      const other = await api.call('POST', '/api/v1/subscriptions', { key: business.key, body: { pnr: p1.pnr, reference: 'x' } });
      assert.equal(other.status, 409);
      assert.equal(other.json.code, 'conflict');
      const list = await api.call('GET', '/api/v1/subscriptions', { key: business.key });
      assert.equal(list.status, 200);
      assert.equal(list.json.items.length, 1);
      assert.ok(!list.text.includes(p1.pnr));
      // The authority's own list shows the number (its scope holds pnr) and is audited.
      const a = await api.call('POST', '/api/v1/subscriptions', { key: authority.key, body: { pnr: p2.pnr, reference: 'sag 17' } });
      assert.equal(a.status, 201);
      assert.equal(a.json.pnr, p2.pnr);
      assert.equal((await api.ctx.audit.search('kommune', { type: 'subscription.create' })).records[0]?.subjects[0], p2.pnr);
    });

    test('a business sees only subscribed persons, from the subscription on, and only §38(2) fields', async () => {
      const sub = (await api.call('GET', '/api/v1/subscriptions', { key: business.key })).json.items[0];
      api.clock.advance(60_000);
      const church = await leaveChurch(api, p1.pnr); // not in §38(2)
      api.clock.advance(60_000);
      const moved = await move(api, p1.pnr, 7); // §38(2) nr. 2
      await move(api, p2.pnr, 8); // not subscribed
      const { items } = await readAll(api, business.key);
      assert.deepEqual(items.map((i) => i.seq), [moved.seq], 'not the church change, not the registrations before subscribing, not other persons');
      assert.deepEqual(items[0], {
        seq: moved.seq,
        eventCode: 'A01',
        registeredAt: moved.registeredAt,
        subscription: { id: sub.id, reference: sub.id },
        fields: ['address', 'moveDate'],
      });
      assert.ok(church.seq < moved.seq);
      const raw = JSON.stringify(items);
      for (const p of allPnrs) assert.ok(!raw.includes(p), 'never a person number');
    });

    test('items a business may not see are skipped, and next still advances past them', async () => {
      const log = await api.register.log(0, 1000);
      const last = log[log.length - 1]!.seq;
      await leaveChurch(api, p2.pnr);
      await leaveChurch(api, p1.pnr);
      const r = await api.call('GET', `/api/v1/events?after=${last}`, { key: business.key });
      assert.equal(r.status, 200);
      assert.deepEqual(r.json.items, []);
      assert.equal(r.json.next, last + 2, 'next is the end of what was scanned');
      assert.equal(r.json.hasMore, false);
    });

    test('a subscription ended before a registration hides it; the ended subscription stays in the list', async () => {
      const s = await api.call('POST', '/api/v1/subscriptions', { key: business.key, body: { pnr: p3.pnr, reference: 'kunde-42' } });
      assert.equal(s.status, 201);
      assert.equal(s.json.reference, 'kunde-42');
      api.clock.advance(1000);
      const seen = await move(api, p3.pnr, 11);
      api.clock.advance(1000);
      const ended = await api.call('DELETE', `/api/v1/subscriptions/${s.json.id}`, { key: business.key });
      assert.equal(ended.status, 200, ended.text);
      assert.equal(ended.json.active, false);
      assert.equal(ended.json.endedAt, api.clock.now().toISOString());
      assert.equal((await api.call('DELETE', `/api/v1/subscriptions/${s.json.id}`, { key: business.key })).json.endedAt, ended.json.endedAt, 'ending twice changes nothing');
      api.clock.advance(1000);
      const hidden = await move(api, p3.pnr, 12);
      const { items } = await readAll(api, business.key, 100, seen.seq - 1);
      assert.ok(items.some((i) => i.seq === seen.seq && i.subscription.reference === 'kunde-42'));
      assert.ok(!items.some((i) => i.seq === hidden.seq));
      const active = await api.call('GET', '/api/v1/subscriptions?state=active', { key: business.key });
      assert.ok(!active.json.items.some((x: { id: string }) => x.id === s.json.id));
      const ended2 = await api.call('GET', '/api/v1/subscriptions?state=ended', { key: business.key });
      assert.deepEqual(ended2.json.items.map((x: { id: string }) => x.id), [s.json.id]);
      // The reference is free again, and another customer cannot see or end the subscription.
      assert.equal((await api.call('DELETE', `/api/v1/subscriptions/${s.json.id}`, { key: authority.key })).status, 404);
      const rows = await api.register.store.db.selectFrom('subscription').selectAll().where('id', '=', s.json.id).execute();
      assert.equal(rows.length, 1, 'an ended subscription is kept');
      await assert.rejects(api.register.store.db.deleteFrom('subscription').where('id', '=', s.json.id).execute());
    });

    test('an annulment appears, naming the registration it annuls', async () => {
      api.clock.advance(1000);
      const moved = await move(api, p1.pnr, 21);
      api.clock.advance(1000);
      const annulment = await api.register.register({ pnr: p1.pnr, authority: '0461', eventCode: 'A10', annuls: moved.seq });
      const { items } = await readAll(api, business.key, 100, moved.seq - 1);
      const a = items.find((i) => i.seq === annulment.seq);
      assert.ok(a, 'the business sees the annulment of a move');
      assert.equal(a.annuls, moved.seq);
      assert.deepEqual(a.fields, ['address', 'moveDate']);
      assert.equal(a.pnr, undefined);
      const forAuthority = (await readAll(api, authority.key, 100, moved.seq - 1)).items.find((i) => i.seq === annulment.seq);
      assert.equal(forAuthority.annuls, moved.seq);
      assert.equal(forAuthority.pnr, p1.pnr);
    });

    test('every page that shows anyone writes one audit record naming the persons', async () => {
      const before = (await eventsRead(api, business.customer.id)).length;
      const log = await api.register.log(0, 1000);
      const end = log[log.length - 1]!.seq;
      const empty = await api.call('GET', `/api/v1/events?after=${end}`, { key: business.key });
      assert.deepEqual(empty.json.items, []);
      assert.equal((await eventsRead(api, business.customer.id)).length, before, 'an empty page is not a disclosure');
      const page = await api.call('GET', '/api/v1/events?after=0&limit=1000', { key: business.key, headers: { 'x-request-id': 'feed-page-1' } });
      assert.ok(page.json.items.length >= 2);
      const records = await eventsRead(api, business.customer.id);
      assert.equal(records.length, before + 1);
      const rec = records[records.length - 1]!;
      assert.deepEqual(new Set(rec.subjects), new Set([p1.pnr, p3.pnr]));
      assert.equal(rec.requestId, 'feed-page-1');
      assert.equal(rec.legalBasis, '§38(2)');
      assert.ok(!rec.fields?.includes('pnr'));
      const authPage = await api.call('GET', '/api/v1/events?after=0&limit=5', { key: authority.key });
      const authRec = (await eventsRead(api, 'kommune')).at(-1)!;
      assert.deepEqual(new Set(authRec.subjects), new Set(authPage.json.items.map((i: { pnr: string }) => i.pnr)));
      assert.ok(authRec.fields?.includes('pnr'));
    });

    test('subscribing needs §38(2) for a private customer; a reference may not hold a person number; unknown and known persons answer alike', async () => {
      const single = await api.customerWithKey({ name: 'Kun enkeltopslag', kind: 'business', legalBases: ['§39'] }, { roles: ['subscribe'] });
      const r = await api.call('POST', '/api/v1/subscriptions', { key: single.key, body: { pnr: p1.pnr } });
      assert.equal(r.status, 403);
      assert.equal(r.json.code, 'no_legal_basis');
      assert.equal((await api.call('GET', '/api/v1/events', { key: single.key })).json.code, 'no_legal_basis');
      const withPnr = await api.call('POST', '/api/v1/subscriptions', { key: business.key, body: { pnr: p2.pnr, reference: `kunde ${p2.pnr.slice(0, 6)}-${p2.pnr.slice(6)}` } });
      assert.equal(withPnr.status, 400);
      assert.equal(withPnr.json.code, 'bad_request');
      // §28, PNR-5: a private customer is not told whether a number exists (test/api/seams.test.ts has the whole comparison).
      const prober = await api.customerWithKey({ name: 'Sonde ApS', kind: 'business', legalBases: ['§38(2)'] }, { roles: ['subscribe'] });
      const unknown = await api.call('POST', '/api/v1/subscriptions', { key: prober.key, body: { pnr: '0101001234' } });
      const known = await api.call('POST', '/api/v1/subscriptions', { key: prober.key, body: { pnr: p1.pnr } });
      assert.equal(unknown.status, 201);
      assert.equal(known.status, 201);
      assert.deepEqual(Object.keys(unknown.json).sort(), Object.keys(known.json).sort());
      const lookupOnly = await api.customerWithKey({ name: 'Uden abonnement', kind: 'business', legalBases: ['§38(2)'] }, { roles: ['lookup'] });
      assert.equal((await api.call('POST', '/api/v1/subscriptions', { key: lookupOnly.key, body: { pnr: p1.pnr } })).json.code, 'forbidden');
    });

    test('bad input is a 400 problem', async () => {
      for (const path of [
        '/api/v1/events?after=-1',
        '/api/v1/events?limit=5000',
        '/api/v1/events?limit=0',
        '/api/v1/events?after=abc',
        '/api/v1/subscriptions?limit=5000',
        '/api/v1/subscriptions?cursor=nonsense',
      ]) {
        const key = path.includes('subscriptions') ? business.key : authority.key;
        const r = await api.call('GET', path, { key });
        assert.equal(r.status, 400, path);
        assert.match(r.headers.get('content-type') ?? '', /application\/problem\+json/, path);
        assert.equal(r.json.code, 'bad_request', path);
      }
      const so = await principalWithKey(api, authority.customer.id, 'user', ['security_officer']);
      const m = await api.call('GET', '/api/v1/usage?month=2024-13', { key: so.key });
      assert.equal(m.status, 400);
      assert.match(m.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.equal((await api.call('POST', '/api/v1/subscriptions', { key: business.key, body: { pnr: '123' } })).status, 400);
      assert.equal((await api.call('POST', '/api/v1/subscriptions', { key: business.key, body: { pnr: p1.pnr, extra: 1 } })).status, 400);
    });

    test('usage: lookups per user and type from the audit log, subscriptions, and the invoice basis', async () => {
      const clerk = await principalWithKey(api, authority.customer.id, 'user', ['lookup']);
      const system = await principalWithKey(api, authority.customer.id, 'program', ['lookup']);
      const so = await principalWithKey(api, authority.customer.id, 'user', ['security_officer']);
      for (let i = 0; i < 3; i++) assert.equal((await api.call('GET', `/api/v1/persons/${p1.pnr}`, { key: clerk.key })).status, 200);
      for (let i = 0; i < 5; i++) assert.equal((await api.call('GET', `/api/v1/persons/${p2.pnr}`, { key: system.key })).status, 200);
      assert.equal((await api.call('POST', '/api/v1/persons/bulk', { key: system.key, body: { pnrs: [p1.pnr, p2.pnr] } })).status, 403, 'no bulk role');
      const r = await api.call('GET', '/api/v1/usage?month=2026-06', { key: so.key });
      assert.equal(r.status, 200, r.text);
      const u = r.json;
      assert.equal(u.customer.id, 'kommune');
      const line = (actor: string, type: string) => u.transactions.find((t: { actor: string; type: string }) => t.actor === actor && t.type === type);
      assert.deepEqual(line(clerk.principal.id, 'person.lookup'), { actor: clerk.principal.id, actorName: clerk.principal.name, actorKind: 'user', type: 'person.lookup', count: 3, lookup: true });
      assert.equal(line(system.principal.id, 'person.lookup').count, 5);
      assert.equal(line(system.principal.id, 'person.lookup').actorKind, 'program');
      const feedReads = u.transactions.filter((t: { type: string }) => t.type === 'events.read');
      assert.ok(feedReads.length > 0 && feedReads.every((t: { lookup: boolean }) => !t.lookup), 'reading the feed is not a lookup');
      // The counts are the audit log's.
      const stats = await api.ctx.audit.statistics('kommune', { from: '2026-06', to: '2026-06' });
      assert.equal(u.totals.transactions, stats.reduce((n, s) => n + s.count, 0));
      const lookups = stats.filter((s) => isLookup(s.type)).reduce((n, s) => n + s.count, 0);
      assert.equal(u.totals.lookups, lookups);
      assert.equal(lookups, 8);
      // Users (CPRWeb) and a program (CPR Services) were used: both monthly fees, and 7 øre a lookup.
      assert.deepEqual(u.services, ['cprServices', 'cprWeb']);
      assert.deepEqual(
        u.invoice.lines.map((l: { item: string; service?: string; quantity: number; amount: { ore: number } }) => [l.item, l.service ?? null, l.quantity, l.amount.ore]),
        [
          ['subscription', 'cprServices', 1, 41400],
          ['subscription', 'cprWeb', 1, 20700],
          ['lookups', null, 8, 56],
        ],
      );
      assert.deepEqual(u.invoice.total, { ore: 41400 + 20700 + 56, kroner: '621,56 kr.' });
      assert.equal(u.subscriptions.active, 1);
      // Another month is empty; July has nothing yet.
      const july = await api.call('GET', '/api/v1/usage?month=2026-07', { key: so.key });
      assert.deepEqual(july.json.transactions, []);
      assert.deepEqual(july.json.invoice.total, { ore: 0, kroner: '0,00 kr.' });
      assert.equal(july.json.subscriptions.active, 1, 'a subscription not ended is active in later months');
      // A security officer sees only their own customer; the CPR administration any.
      assert.equal((await api.call('GET', '/api/v1/usage?month=2026-06&customer=forsyning', { key: so.key })).json.code, 'forbidden');
      const admin = await api.customerWithKey({ id: 'cpr', name: 'CPR', kind: 'cpr_admin', legalBases: ['§2'] }, { roles: ['admin'] });
      const b = await api.call('GET', '/api/v1/usage?month=2026-06&customer=forsyning', { key: admin.key });
      assert.equal(b.status, 200, b.text);
      assert.equal(b.json.subscriptions.active, 2, 'one active, one ended in the month');
      assert.equal(b.json.subscriptions.ended, 1);
      assert.equal(b.json.subscriptions.activeAtEnd, 1);
      assert.equal(b.json.totals.lookups, 0, 'subscribing and reading changes are not lookups');
      assert.deepEqual(b.json.services, ['cprWeb']);
      assert.equal(b.json.invoice.total.ore, 20700);
      assert.equal((await api.call('GET', '/api/v1/usage?customer=nobody', { key: admin.key })).status, 404);
      assert.equal((await api.call('GET', '/api/v1/usage', { key: business.key })).json.code, 'forbidden');
    });
  });
}

describe('the feed over a long log', () => {
  let api: Api;
  before(async () => {
    api = await startApi('sqlite', '2026-06-01T10:00:00Z');
  });
  after(async () => api.dispose());

  test('a company with one subscription pages through a long log in bounded windows and finds its person', async () => {
    const business = await api.customerWithKey({ name: 'Lille firma', kind: 'business', legalBases: ['§38(2)'] }, { roles: ['subscribe'] });
    const target = await person(api, '1990-01-01', 'Dorte');
    const other = await person(api, '1991-01-01', 'Else');
    api.clock.advance(1000);
    const s = await api.call('POST', '/api/v1/subscriptions', { key: business.key, body: { pnr: target.pnr } });
    assert.equal(s.status, 201);
    // 2.5 windows of other people's moves, straight into the log (the feed reads only the log).
    const n = Math.floor(WINDOW * 2.5);
    const at = api.clock.now().toISOString();
    const change = JSON.stringify([{ group: 'address', key: '', validFrom: '2026-05-01', validTo: null, value: address(5) }]);
    const rows = Array.from({ length: n }, () => ({ pnr: other.pnr, registered_at: at, authority: '0461', event_code: 'A01', documentation: null, late: 0, annuls: null, changes: change }));
    for (let i = 0; i < rows.length; i += 2000) await api.register.store.db.insertInto('registration').values(rows.slice(i, i + 2000)).execute();
    const moved = await move(api, target.pnr, 9);
    const pages: Array<{ items: unknown[]; next: number; hasMore: boolean }> = [];
    let afterSeq = 0;
    const t0 = Date.now();
    for (;;) {
      const r = await api.call('GET', `/api/v1/events?after=${afterSeq}`, { key: business.key });
      assert.equal(r.status, 200, r.text);
      pages.push(r.json);
      afterSeq = r.json.next;
      if (!r.json.hasMore) break;
    }
    const ms = Date.now() - t0;
    assert.equal(pages.length, 3, 'three windows');
    assert.deepEqual(pages[0]!.items, []);
    assert.equal(pages[0]!.next, WINDOW, 'the first page ends at the window');
    assert.equal(pages[1]!.next, 2 * WINDOW);
    assert.deepEqual(pages[2]!.items.map((i) => (i as { seq: number }).seq), [moved.seq]);
    assert.equal(pages[2]!.next, moved.seq);
    assert.ok(ms < 5000, `paging took ${ms} ms`);
  });
});

describe('the feed on PostgreSQL never skips a registration still being written', () => {
  let api: Api;
  let client: pg.Client;
  before(async () => {
    api = await startApi('postgres', '2026-06-01T10:00:00Z');
    client = new pg.Client({ connectionString: api.location });
    await client.connect();
  });
  after(async () => {
    await client.end();
    await api.dispose();
  });

  test('a page stops before a gap that an open transaction may fill, and goes on once it is settled', async () => {
    const authority = await api.customerWithKey({ name: 'Kommune', kind: 'public_authority', legalBases: ['§32'], scope: ['all'] });
    const a = await person(api, '1970-01-01', 'Frida');
    const b = await person(api, '1971-01-01', 'Gerda');
    const insert = (pnr: string) =>
      client.query(
        `insert into registration (pnr, registered_at, authority, event_code, late, changes) values ($1, $2, '0461', 'A34', 0, $3) returning seq`,
        [pnr, api.clock.now().toISOString(), JSON.stringify([{ group: 'church', key: '', validFrom: '2026-05-01', validTo: null, value: { member: 'U' } }])],
      );
    // A transaction takes seq N and has not committed; a later registration N+1 commits.
    await client.query('begin');
    const held = Number((await insert(b.pnr)).rows[0].seq);
    const later = await move(api, a.pnr, 4);
    assert.equal(later.seq, held + 1);
    const page = await api.call('GET', `/api/v1/events?after=${b.seq}`, { key: authority.key });
    assert.deepEqual(page.json.items, [], 'not past the gap');
    assert.equal(page.json.next, held - 1);
    assert.equal(page.json.hasMore, true);
    await client.query('commit');
    const after1 = await api.call('GET', `/api/v1/events?after=${page.json.next}`, { key: authority.key });
    assert.deepEqual(after1.json.items.map((i: { seq: number }) => i.seq), [held, later.seq]);
    // A number lost to a rollback is a gap that is passed once no writer may fill it.
    await client.query('begin');
    const lost = Number((await insert(b.pnr)).rows[0].seq);
    await client.query('rollback');
    const last = await move(api, a.pnr, 5);
    assert.equal(last.seq, lost + 1);
    const after2 = await api.call('GET', `/api/v1/events?after=${later.seq}`, { key: authority.key });
    assert.deepEqual(after2.json.items.map((i: { seq: number }) => i.seq), [last.seq]);
  });
});

describe('fees and changed fields (pure)', () => {
  test('the price table is the seed\'s, and the arithmetic is in whole øre', () => {
    assert.equal(PRICE_LIST.services.cprWeb.monthlyOre, 20700);
    assert.equal(PRICE_LIST.services.cprServices.monthlyOre, 41400);
    assert.equal(PRICE_LIST.lookupOre, 7);
    assert.match(PRICE_LIST.source, /seed 000/);
    assert.equal(formatKroner(0), '0,00 kr.');
    assert.equal(formatKroner(7), '0,07 kr.');
    assert.equal(formatKroner(123456789), '1.234.567,89 kr.');
    assert.deepEqual(amount(20700), { ore: 20700, kroner: '207,00 kr.' });
    const inv = invoice({ services: ['cprWeb'], lookups: 1000 });
    assert.deepEqual(inv.total, { ore: 20700 + 7000, kroner: '277,00 kr.' });
    assert.throws(() => invoice({ services: [], lookups: -1 }));
    assert.equal(isLookup('person.lookup'), true);
    assert.equal(isLookup('events.read'), false);
  });

  test('which fields a change touches', () => {
    const c = (group: string, value: unknown, key = '') => ({ group, key, validFrom: '2026-01-01', validTo: null, value }) as never;
    assert.deepEqual(changedFields([c('address', {})]), ['address', 'moveDate']);
    assert.deepEqual(changedFields([c('church', { member: 'U' })]), ['church']);
    assert.deepEqual(changedFields([c('status', { code: '90' })]), ['status', 'death']);
    assert.deepEqual(changedFields([c('status', { code: '80' }), c('foreignAddress', { lines: ['x'] })]), ['status', 'emigration']);
    assert.deepEqual(changedFields([c('status', { code: '01' })]), ['status']);
    assert.deepEqual(changedFields([c('status', null)]), ['status', 'death', 'disappearance', 'emigration']);
    assert.deepEqual(changedFields([c('foreignAddress', null)]), ['emigration']);
    assert.deepEqual(changedFields([c('protection', { type: '0001' }, '0001')]), ['protections']);
    assert.deepEqual(changedFields([c('protection', { type: '0003' }, '0003')]), ['marketingProtection', 'protections']);
  });
});
