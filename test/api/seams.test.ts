/**
 * Issue 14's findings at the seams between routes, over real HTTP: what an
 * answer, its status, its size or its log record reveals, and to whom.
 * Each test failed on the code before the disclosing path was mended.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApi } from '../support/api.ts';
import { landlordWorld, HOUSE, PERSON, X } from '../landlord/world.ts';
import { STORE_KINDS } from '../support/stores.ts';

const ODENSE = { municipalityCode: '0461', postalCode: '5000', postalDistrict: 'Odense C' };
const uuid = (n: number) => `0b3f50a0-0000-4000-8000-${String(n).padStart(12, '0')}`;
const JENS = { firstNames: 'Jens', middleNames: 'Ørsted', lastName: 'Nielsen' };
/** A person number in either written form (not a digit run inside a hex id or request id). */
const numbersIn = (text: string) => [...text.matchAll(/(?<![0-9A-Za-z])(\d{6})-?(\d{4})(?![0-9A-Za-z])/g)].map((m) => m[1]! + m[2]!);

for (const kind of STORE_KINDS) {
  describe(`disclosure seams on ${kind}`, () => {
    let api: Awaited<ReturnType<typeof startApi>>;
    let business: Awaited<ReturnType<typeof api.customerWithKey>>;
    let officer: string;
    let narrow: Awaited<ReturnType<typeof api.customerWithKey>>;
    let protectedPnr: string;
    let ordinaryPnr: string;

    before(async () => {
      api = await startApi(kind);
      business = await api.customerWithKey({ id: 'shop', name: 'Webshop ApS', kind: 'business', legalBases: ['§39', '§38(2)'] }, { roles: ['lookup', 'bulk', 'subscribe'] });
      const so = await api.ctx.access.addPrincipal('shop', { kind: 'user', name: 'Sikkerhed', roles: ['security_officer'] });
      officer = (await api.ctx.access.issueCredential(so.id, 'api_key')).apiKey!;
      // An authority whose scope is name and address only (DIS-1).
      narrow = await api.customerWithKey({ id: 'narrow', name: 'Smal Myndighed', kind: 'public_authority', legalBases: ['§32'], scope: ['name', 'address'] });

      protectedPnr = await api.register.allocatePnr('1975-03-02', 'M');
      await api.register.register({
        pnr: protectedPnr,
        authority: '0461',
        eventCode: 'A33',
        changes: [
          { group: 'name', validFrom: '1975-03-10', value: { firstNames: ['Jens'], middleNames: ['Ørsted'], lastName: 'Nielsen' } },
          { group: 'address', validFrom: '2019-01-01', value: { ...ODENSE, roadCode: '2222', roadName: 'Kongensgade', houseNumber: '7', addressId: uuid(7), accessAddressId: uuid(107) } },
          { group: 'status', validFrom: '1975-03-02', value: { code: '01' } },
          { group: 'protection', validFrom: '2026-01-01', validTo: '2027-01-01', value: { type: '0001' } },
        ] as never,
      });
      ordinaryPnr = await api.register.allocatePnr('1980-05-17', 'K');
      await api.register.register({
        pnr: ordinaryPnr,
        authority: '0461',
        eventCode: 'A01',
        changes: [
          { group: 'name', validFrom: '1980-05-20', value: { firstNames: ['Anna'], middleNames: [], lastName: 'Hansen' } },
          { group: 'address', validFrom: '2015-04-01', value: { ...ODENSE, roadCode: '1234', roadName: 'Vestergade', houseNumber: '12', addressId: uuid(1), accessAddressId: uuid(101) } },
          { group: 'status', validFrom: '1980-05-17', value: { code: '01' } },
          { group: 'protection', validFrom: '2019-01-01', value: { type: '0003' } },
        ] as never,
      });
    });
    after(async () => api.dispose());

    test('finding 1: a business\'s own log search shows what it sent, never the number of a person it identified by name and birth date', async () => {
      const r = await api.call('POST', '/api/v1/enquiries', { key: business.key, body: { name: JENS, birthDate: '1975-03-02' } });
      assert.equal(r.status, 200, r.text);
      assert.ok(!r.text.includes(protectedPnr), 'the enquiry gave no number');
      await api.ctx.audit.drain();
      const log = await api.call('GET', '/api/v1/security/audit?type=company.enquiry', { key: officer });
      assert.equal(log.status, 200, log.text);
      assert.ok(log.json.records.length >= 1);
      assert.deepEqual(numbersIn(log.text), [], `no person number in the log: ${log.text}`);
      assert.ok(log.json.records.some((x: { subjects: string[] }) => x.subjects.includes('Jens Ørsted Nielsen') && x.subjects.includes('1975-03-02')), 'its own references');
      // Filtering by the number it never sent finds nothing: the filter is not an oracle either.
      const probe = await api.call('GET', `/api/v1/security/audit?pnr=${protectedPnr}`, { key: officer });
      assert.equal(probe.status, 200);
      assert.equal(probe.json.records.filter((x: { action: string }) => x.action === 'company.enquiry').length, 0);
      // The register still knows whom it found (§46).
      assert.ok((await api.ctx.audit.lookupsOf(protectedPnr)).some((l) => l.customer === 'shop' && l.action === 'company.enquiry'));
    });

    test('finding 1: a number the business did send is shown masked (§54)', async () => {
      const s = await api.call('POST', '/api/v1/subscriptions', { key: business.key, body: { pnr: ordinaryPnr } });
      assert.equal(s.status, 201, s.text);
      await api.ctx.audit.drain();
      const log = await api.call('GET', `/api/v1/security/audit?type=subscription.create&pnr=${ordinaryPnr}`, { key: officer });
      assert.equal(log.status, 200, log.text);
      assert.equal(log.json.records.length, 1);
      assert.ok(log.json.records[0].subjects.includes(`${ordinaryPnr.slice(0, 6)}-xxxx`), log.text);
      assert.deepEqual(numbersIn(log.text), []);
    });

    test('finding 2: the person search gives an authority no number its scope withholds', async () => {
      const look = await api.call('GET', `/api/v1/persons/${ordinaryPnr}`, { key: narrow.key });
      assert.equal(look.status, 200, look.text);
      assert.equal(look.json.data.pnr, undefined);
      const r = await api.call('GET', '/api/v1/persons?name=Anna%20Hansen', { key: narrow.key });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.candidates.length, 1);
      assert.equal(r.json.candidates[0].pnr, null);
      assert.equal(r.json.candidates[0].birthDate, null);
      assert.ok(!r.text.includes(ordinaryPnr) && !r.text.includes(ordinaryPnr.slice(0, 6)), r.text);
    });

    test('finding 3: an enquiry naming a protected person\'s address answers exactly as no match', async () => {
      const at = (houseNumber: string) =>
        api.call('POST', '/api/v1/enquiries', {
          key: business.key,
          body: { name: JENS, address: { roadName: 'Kongensgade', houseNumber, postalCode: '5000' } },
          headers: { 'x-request-id': 'probe' },
        });
      const right = await at('7');
      const wrong = await at('9');
      assert.equal(right.status, 404, right.text);
      assert.equal(right.status, wrong.status);
      assert.equal(right.text, wrong.text, 'same body');
      assert.equal(right.text.length, wrong.text.length, 'same size');
      // In a bulk delivery too: the item is unmatched.
      const d = await api.call('POST', '/api/v1/deliveries', {
        key: business.key,
        body: { items: [{ ref: 'a', name: JENS, address: { roadName: 'Kongensgade', houseNumber: '7', postalCode: '5000' } }] },
      });
      assert.equal(d.status, 202, d.text);
      let job;
      for (let i = 0; i < 100; i++) {
        job = (await api.call('GET', `/api/v1/deliveries/${d.json.id}`, { key: business.key })).json;
        if (job.status === 'completed' || job.status === 'failed') break;
        await new Promise((res) => setTimeout(res, 20));
      }
      assert.equal(job.status, 'completed', JSON.stringify(job));
      assert.equal(job.matched, 0);
      const lines = (await api.call('GET', `/api/v1/deliveries/${d.json.id}/result`, { key: business.key })).text;
      assert.deepEqual(JSON.parse(lines.trim()), { ref: 'a', matched: false });
    });

    test('finding 3: a private subscriber\'s feed does not say when a protected person moves', async () => {
      const s = await api.call('POST', '/api/v1/subscriptions', { key: business.key, body: { pnr: protectedPnr, reference: 'kunde-7' } });
      assert.equal(s.status, 201, s.text);
      api.clock.advance(60_000);
      await api.register.register({
        pnr: protectedPnr,
        authority: '0461',
        eventCode: 'A01',
        changes: [{ group: 'address', validFrom: '2026-06-01', value: { ...ODENSE, roadCode: '1234', roadName: 'Vestergade', houseNumber: '40', addressId: uuid(40) } }] as never,
      });
      const feed = await api.call('GET', '/api/v1/events?after=0', { key: business.key });
      assert.equal(feed.status, 200, feed.text);
      const mine = feed.json.items.filter((i: { subscription?: { reference: string } }) => i.subscription?.reference === 'kunde-7');
      assert.deepEqual(mine, [], `no item names the move: ${feed.text}`);
    });

    test('finding 4: the marketing-protection list delivered is the state in force at delivery (§40(4))', async () => {
      const list = async () => {
        const r = await fetch(`${api.base}/api/v1/extracts/marketing-protection`, { headers: { authorization: `Bearer ${business.key}` } });
        assert.equal(r.status, 200);
        return r.text();
      };
      const first = await list();
      assert.match(first, /Vestergade/, 'Anna Hansen (marketing protection) is on it');
      assert.equal(await list(), first, 'unchanged while nothing was registered');
      api.clock.advance(60_000);
      // Later in the quarter, Anna is granted name-and-address protection (§28): she must leave the list (§40(4)).
      await api.register.register({
        pnr: ordinaryPnr,
        authority: '0461',
        eventCode: 'A33',
        changes: [{ group: 'protection', validFrom: '2026-06-01', validTo: '2027-06-01', value: { type: '0001' } }] as never,
      });
      const later = await list();
      assert.doesNotMatch(later, /Vestergade|Hansen/, later);
    });

    test('finding 6: subscribing to an unknown number answers exactly as to a real one, and never delivers', async () => {
      const unknown = await api.call('POST', '/api/v1/subscriptions', { key: business.key, body: { pnr: '0101001234', reference: 'u' } });
      const real = await api.call('POST', '/api/v1/subscriptions', { key: business.key, body: { pnr: ordinaryPnr.replace(/^../, (d) => d), reference: 'r' } });
      assert.equal(unknown.status, 201, unknown.text);
      assert.equal(real.status === 201 || real.status === 409, true, real.text);
      const shape = (j: Record<string, unknown>) => Object.keys(j).sort();
      const again = await api.call('POST', '/api/v1/subscriptions', { key: business.key, body: { pnr: '0202001234', reference: 'v' } });
      assert.deepEqual(shape(unknown.json), shape(again.json));
      assert.equal(unknown.text.length, again.text.length - 0, 'same size for equal-length inputs');
      const got = await api.call('GET', `/api/v1/subscriptions/${unknown.json.id}`, { key: business.key });
      assert.equal(got.status, 200);
      assert.equal(got.json.endedAt, null, 'an ordinary active subscription to the customer');
    });
  });
}

describe('finding 1 for the landlord service: the landlord\'s log lists the address it searched, not the residents\' numbers', () => {
  let w: Awaited<ReturnType<typeof landlordWorld>>;
  before(async () => {
    w = await landlordWorld('sqlite');
  });
  after(async () => w.api.dispose());

  test('stairwell search, then the landlord\'s own log search', async () => {
    const admin = (method: string, path: string, body?: unknown) => w.api.call(method, `/api/v1/admin/landlords${path}`, { key: w.keys.admin, body });
    assert.equal((await admin('PUT', '/bolig', { kind: 'social_housing' })).status, 200);
    assert.equal((await admin('POST', '/bolig/owner-numbers', { ownerNumber: X })).status, 200);
    const r = await w.api.call('POST', '/api/v1/landlord/search', { key: w.keys.bolig, body: { ownerNumber: X, houseNumberId: HOUSE.A } });
    assert.equal(r.status, 200, r.text);
    const so = await w.api.ctx.access.addPrincipal('bolig', { kind: 'user', name: 'Sikkerhed', roles: ['security_officer'] });
    const key = (await w.api.ctx.access.issueCredential(so.id, 'api_key')).apiKey!;
    await w.api.ctx.audit.drain();
    const log = await w.api.call('GET', '/api/v1/security/audit?type=landlord.search', { key });
    assert.equal(log.status, 200, log.text);
    assert.equal(log.json.records.length, 1);
    for (const pnr of Object.values(PERSON)) assert.ok(!log.text.includes(pnr) && !log.text.includes(pnr.slice(0, 6)), `no resident's number (${pnr})`);
    assert.ok(log.json.records[0].subjects.includes(HOUSE.A), `the address it searched: ${log.text}`);
  });
});
