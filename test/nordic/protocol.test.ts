/** The Nordic exchange protocol, pure (src/domain/nordic/exchange.ts): the retry schedule, what is retried, the peer list, the envelope. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { messageSchema, parsePeers, retryable, retryDelayMs } from '../../src/domain/nordic/exchange.ts';

test('retries 1, 2, 4 … minutes apart, at most 6 hours', () => {
  assert.deepEqual([1, 2, 3, 4].map((n) => retryDelayMs(n) / 60_000), [1, 2, 4, 8]);
  assert.equal(retryDelayMs(30), 6 * 60 * 60_000);
});

test('network errors, 408, 429 and 5xx are retried; another 4xx is permanent', () => {
  assert.deepEqual([null, 408, 429, 500, 503].map(retryable), [true, true, true, true, true]);
  assert.deepEqual([400, 403, 422].map(retryable), [false, false, false]);
});

test('OPENCPR_NORDIC_PEERS names a URL per country; a malformed entry is refused', () => {
  assert.deepEqual([...parsePeers(' 5120=http://127.0.0.1:7120/nordic/v1/ , 5110=https://no.example/x')], [['5120', 'http://127.0.0.1:7120/nordic/v1'], ['5110', 'https://no.example/x']]);
  assert.equal(parsePeers(undefined).size, 0);
  assert.throws(() => parsePeers('sweden=http://x'), /not <country code>=<url>/);
});

test('an answer names the request it answers; a body must fit its kind', () => {
  const base = { protocol: 'nordic-exchange/1', messageId: 'p5120-00000001', from: '5120', to: '5100', sentAt: '2026-06-01T10:00:00Z' };
  assert.equal(messageSchema.safeParse({ ...base, kind: 'standard_information', body: { found: false } }).success, false, 'no inReplyTo');
  assert.equal(messageSchema.safeParse({ ...base, kind: 'standard_information', inReplyTo: 'dk-00000001', body: { found: false } }).success, true);
  assert.equal(messageSchema.safeParse({ ...base, kind: 'refusal_notice', body: { recipientPnr: '0102031234' } }).success, false);
});

test('Art. 4 standard information: relatives registered by number are named, minors only; a protected person carries the §34(2) mark', async () => {
  const { standardInformationOf } = await import('../../src/services/registration/nordic-exchange.ts');
  const fact = (value: unknown, validFrom = '2000-01-01', validTo: string | null = null) => ({ value, validFrom, validTo, registeredAt: '2026-01-01T00:00:00.000Z', seq: 1 });
  const state = {
    name: fact({ firstNames: ['Karen'], middleNames: [], lastName: 'Olsen' }),
    birth: fact({ birthDate: '1980-04-02', sex: 'K' }),
    civilStatus: fact({ code: 'G', spousePnr: '0101790001' }),
    relation: [fact({ role: 'child', pnr: '0202150002' }), fact({ role: 'child', pnr: '0303000003' })],
    protection: [fact({ type: '0001' }, '2026-01-01', '2027-01-01')],
  };
  const relatives = new Map([
    ['0101790001', { name: 'Ole Olsen', birthDate: '1979-01-01' }],
    ['0202150002', { name: 'Lise Olsen', birthDate: '2015-02-02' }],
    ['0303000003', { name: 'Mads Olsen', birthDate: '2000-03-03' }],
  ]);
  const info = standardInformationOf('0204801234', state as never, '2026-06-01', relatives)!;
  assert.deepEqual(info.spouse, { name: 'Ole Olsen' });
  assert.deepEqual(info.children, [{ name: 'Lise Olsen', birthDate: '2015-02-02' }], 'children under 18 only');
  assert.equal(info.protected, true, '§34(2): with the mark');
  const lapsed = standardInformationOf('0204801234', state as never, '2027-06-01', relatives)!;
  assert.equal(lapsed.protected, undefined, 'the protection lapsed (§28)');
});
