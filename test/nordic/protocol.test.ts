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
