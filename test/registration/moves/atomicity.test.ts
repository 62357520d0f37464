/**
 * A report of several persons is one unit of work: an interruption between
 * two persons moves nobody, and registering the case again moves everyone,
 * each once; two clerks changing one case at once do not overwrite each
 * other. On both stores.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Caller } from '../../../src/access/customers.ts';
import { Register } from '../../../src/register/register.ts';
import type { NewRegistration } from '../../../src/register/validate.ts';
import { CaseStore } from '../../../src/services/registration/cases.ts';
import { MoveService } from '../../../src/services/registration/moves.ts';
import { STORE_KINDS } from '../../support/stores.ts';
import { ADDR, moveBody, setup } from './support.ts';

/**
 * A register that fails once, like a crash, when asked to register a given
 * person. The trigger is shared by every instance: the unit of work makes a
 * Register of the same kind over its transaction.
 */
class InterruptedRegister extends Register {
  static failFor: string | null = null;
  override async register(input: NewRegistration) {
    if (input.pnr === InterruptedRegister.failFor) {
      InterruptedRegister.failFor = null;
      throw new Error('connection lost');
    }
    return super.register(input);
  }
}

for (const kind of STORE_KINDS) {
  describe(`move reports survive an interruption (${kind})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    let caller: Caller;
    before(async () => {
      t = await setup(kind);
      caller = await t.ctx.access.authenticateApiKey(t.odense, '127.0.0.1');
    });
    after(async () => t.dispose());

    test('a household moves together: an interruption moves nobody, and registering the case again moves everyone once', async () => {
      const a = await t.person('Ib', 'Brun', 'A', { sex: 'M' });
      const b = await t.person('Jytte', 'Brun', 'A');
      const flaky = new InterruptedRegister(t.register.store, t.clock);
      const cases = new CaseStore(t.register.store, t.clock);
      const service = new MoveService(flaky, t.dar, cases);
      const before = { a: (await t.register.history(a))!.registrations.length, b: (await t.register.history(b))!.registrations.length };
      InterruptedRegister.failFor = b;
      await assert.rejects(service.report(caller, { ...moveBody(a, 'Ib Brun', '2026-06-01'), members: [{ pnr: b, name: 'Jytte Brun' }] }), /connection lost/);
      assert.equal((await t.current(a)).address?.addressId, ADDR.A, 'the first person does not move without the second');
      assert.equal((await t.current(b)).address?.addressId, ADDR.A);
      assert.equal((await t.register.history(a))!.registrations.length, before.a, 'nothing of the failed unit is stored');
      const held = (await cases.list({ municipalityCode: '0461', kind: 'move' })).at(-1)!;
      assert.notEqual(held.status, 'registered');

      const r = await t.call('POST', `/api/v1/cases/${held.id}/registration`, { key: t.odense, body: {} });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.case.status, 'registered');
      assert.equal((await t.current(a)).address?.addressId, ADDR.B);
      assert.equal((await t.current(b)).address?.addressId, ADDR.B);
      assert.equal((await t.register.history(a))!.registrations.length, before.a + 1, 'each person is registered once');
      assert.equal((await t.register.history(b))!.registrations.length, before.b + 1);
      assert.ok(r.json.letters.some((l: { kind: string }) => l.kind === 'receipt'));
    });

    test('two clerks changing the same case: the second is refused (case_changed), nothing lost', async () => {
      const p = await t.person('Kaj', 'Brun', 'A', { sex: 'M' });
      const cases = new CaseStore(t.register.store, t.clock);
      const r = await t.call('POST', '/api/v1/registration/moves', { key: t.odense, body: { ...moveBody(p, 'Kaj Brun', '2026-06-01'), doubt: 'x' } });
      const c = await cases.get(r.json.case.id);
      await cases.update({ ...c, status: 'withdrawn' });
      await assert.rejects(cases.update({ ...c, status: 'rejected' }), (e: { code?: string }) => e.code === 'case_changed');
      assert.equal((await cases.get(c.id)).status, 'withdrawn');
    });
  });
}
