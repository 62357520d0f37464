/**
 * Issue 15, finding 6 in the log: a security officer's day and month are
 * Danish. A lookup at 00:30 Danish time on 1 July (22:30 UTC on 30 June) is
 * July's, in the log search's day and month filters, in the transaction
 * statistics and so in the usage bill.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuditLog } from '../../src/access/audit.ts';
import { FixedClock } from '../../src/domain/clock.ts';
import { monthBounds } from '../../src/services/usage.ts';
import { openStore } from '../../src/storage/store.ts';
import { createTestStore, STORE_KINDS } from '../support/stores.ts';

for (const kind of STORE_KINDS) {
  test(`the log's days and months are Denmark's (${kind})`, async () => {
    const ts = await createTestStore(kind);
    const store = await openStore(ts.location);
    const clock = new FixedClock('2026-06-30T21:30:00Z'); // 23:30 Danish, 30 June
    const audit = new AuditLog(store, clock);
    try {
      await audit.record({ actor: 'u1', customer: 'k', action: 'person.lookup', subjects: ['0101901234'] });
      clock.set('2026-06-30T22:30:00Z'); // 00:30 Danish, 1 July
      await audit.record({ actor: 'u1', customer: 'k', action: 'person.lookup', subjects: ['0101901234'] });
      const july = await audit.search('k', { from: '2026-07-01', to: '2026-07-01' });
      assert.deepEqual(july.records.map((r) => r.at), ['2026-06-30T22:30:00.000Z']);
      const june = await audit.search('k', { from: '2026-06', to: '2026-06' });
      assert.deepEqual(june.records.map((r) => r.at), ['2026-06-30T21:30:00.000Z']);
      const stats = await audit.statistics('k');
      assert.deepEqual(
        stats.map((s) => [s.month, s.count]),
        [
          ['2026-06', 1],
          ['2026-07', 1],
        ],
      );
      assert.deepEqual(monthBounds('2026-07'), { start: '2026-06-30T22:00:00.000Z', end: '2026-07-31T22:00:00.000Z' });
      assert.deepEqual(monthBounds('2026-01'), { start: '2025-12-31T23:00:00.000Z', end: '2026-01-31T23:00:00.000Z' });
    } finally {
      await audit.close();
      await store.close();
      await ts.drop();
    }
  });
}
