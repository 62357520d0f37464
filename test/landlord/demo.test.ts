/** The demo landlord (src/api/demo.ts): its owner number really owns a stairwell where demo persons live, so a search finds them. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureDemoCustomers, ensureDemoLandlord, type DemoLandlord } from '../../src/api/demo.ts';
import { dateOf } from '../../src/domain/dates.ts';
import { bulkLoad } from '../../src/register/load.ts';
import { standinPopulation } from '../../src/synth/standin.ts';
import { startApi } from '../support/api.ts';

describe('demo landlord', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let keys: Awaited<ReturnType<typeof ensureDemoCustomers>>;
  let demo: DemoLandlord | null;
  before(async () => {
    api = await startApi('sqlite', '2026-06-01T10:00:00Z');
    await bulkLoad(api.register, standinPopulation({ persons: 1500, seed: 1, today: dateOf(api.clock.now()) }), { jobId: 'demo-test', batchSize: 500 });
    keys = await ensureDemoCustomers(api.ctx.access);
    demo = await ensureDemoLandlord(api.register, api.clock);
  });
  after(async () => api.dispose());

  test('the demo landlord customer searches a real stairwell of the demo population', async () => {
    assert.ok(demo, 'a stairwell owned by a social housing organisation was found');
    const key = keys.find((k) => k.customer === 'boligselskab')!.apiKey;
    const r = await api.call('POST', '/api/v1/landlord/search', { key, body: { ownerNumber: demo.ownerNumber, houseNumberId: demo.houseNumberId } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.address.label, demo.label);
    assert.ok(r.json.residents.filter((x: { status: string }) => x.status === 'current').length >= 1);
    assert.ok(r.json.residents.every((x: { addressingName: string }) => x.addressingName.length > 0));
  });

  test('running it again changes nothing', async () => {
    const again = await ensureDemoLandlord(api.register, api.clock);
    assert.deepEqual(again, demo);
    const view = await api.call('GET', '/api/v1/landlord/me', { key: keys.find((k) => k.customer === 'boligselskab')!.apiKey });
    assert.deepEqual(view.json.ownerNumbers.map((n: { number: string }) => n.number), [demo!.ownerNumber]);
  });
});
