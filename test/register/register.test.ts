import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { checkPnr, candidatePnrs, mod11Sum } from '../../src/domain/pnr/pnr.ts';
import type { FactState } from '../../src/register/bitemporal.ts';
import { RegistrationError } from '../../src/register/validate.ts';
import { freshRegister, STORE_KINDS } from '../support/stores.ts';

const A = { addressId: '0a3f50a0-22ce-32b8-e044-0003ba298018', accessAddressId: '0a3f507b-c905-32b8-e044-0003ba298018' };
const B = { addressId: '0a3f50a1-0000-32b8-e044-0003ba298018', accessAddressId: '0a3f507b-c906-32b8-e044-0003ba298018' };
const B2 = { addressId: '0a3f50a1-0001-32b8-e044-0003ba298018', accessAddressId: B.accessAddressId };
const C = { addressId: '0a3f50a2-0000-32b8-e044-0003ba298018', accessAddressId: '0a3f507b-c907-32b8-e044-0003ba298018' };
const address = (ids: { addressId: string; accessAddressId: string }, road: string, no: string) => ({
  municipalityCode: '0461',
  roadCode: '1234',
  roadName: road,
  houseNumber: no,
  postalCode: '5000',
  postalDistrict: 'Odense C',
  ...ids,
});

const value = (f: unknown) => (f as FactState).value as Record<string, unknown>;

for (const kind of STORE_KINDS) {
  describe(`register on ${kind}`, () => {
    let ctx: Awaited<ReturnType<typeof freshRegister>>;
    let pnr: string;
    before(async () => {
      ctx = await freshRegister(kind, '2020-01-10T09:00:00Z');
      pnr = await ctx.register.allocatePnr('1985-07-14', 'K');
      await ctx.register.register({
        pnr,
        authority: '0461',
        eventCode: 'A01',
        changes: [
          { group: 'name', validFrom: '1985-07-20', value: { firstNames: ['Mette'], middleNames: ['Holm'], lastName: 'Jensen' } },
          { group: 'address', validFrom: '2020-01-01', value: address(A, 'Vestergade', '12') },
          { group: 'status', validFrom: '1985-07-14', value: { code: '01' } },
          { group: 'civilStatus', validFrom: '1985-07-14', value: { code: 'U' } },
          { group: 'protection', validFrom: '2020-01-01', validTo: '2021-01-01', value: { type: '0001' } },
        ],
      });
    });
    after(async () => ctx.dispose());

    test('a point lookup returns the current state', async () => {
      const p = await ctx.register.person(pnr);
      assert.ok(p);
      assert.equal(p.birthDate, '1985-07-14');
      assert.equal(p.sex, 'K');
      assert.equal(value(p.state.name).lastName, 'Jensen');
      assert.equal(value(p.state.address).addressId, A.addressId);
      assert.equal(value(p.state.status).code, '01');
      assert.equal((p.state.protection as FactState[]).length, 1);
    });

    test('a fact with an end date stops being current when time passes it', async () => {
      ctx.clock.set('2021-02-01T09:00:00Z');
      const p = await ctx.register.person(pnr);
      assert.equal(p?.state.protection, undefined, 'protection ended 2021-01-01');
      const then = await ctx.register.person(pnr, { validAt: '2020-06-01' });
      assert.equal((then?.state.protection as FactState[]).length, 1);
    });

    test('a late-registered move has its validity date; as known before its registration it is not seen', async () => {
      ctx.clock.set('2022-03-20T12:00:00Z');
      const beforeRegistration = '2022-03-19T12:00:00.000Z';
      await ctx.register.register({
        pnr,
        authority: '0461',
        eventCode: 'A01',
        late: true,
        changes: [{ group: 'address', validFrom: '2022-03-01', value: address(B, 'Nørregade', '3') }],
      });
      const now = await ctx.register.person(pnr);
      assert.equal(value(now?.state.address).addressId, B.addressId);
      assert.equal((now?.state.address as FactState).validFrom, '2022-03-01');
      const knownBefore = await ctx.register.person(pnr, { validAt: '2022-03-10', knownAt: beforeRegistration });
      assert.equal(value(knownBefore?.state.address).addressId, A.addressId, 'the register did not know of the move yet');
      const knownNow = await ctx.register.person(pnr, { validAt: '2022-03-10' });
      assert.equal(value(knownNow?.state.address).addressId, B.addressId);
      const earlier = await ctx.register.person(pnr, { validAt: '2022-02-28' });
      assert.equal(value(earlier?.state.address).addressId, A.addressId);
      const log = await ctx.register.log();
      assert.equal(log.at(-1)?.late, true);
    });

    test('residents of a unit address and of a stairwell at a validity date', async () => {
      const other = await ctx.register.allocatePnr('1990-02-02', 'M');
      await ctx.register.register({
        pnr: other,
        authority: '0461',
        eventCode: 'A01',
        changes: [{ group: 'address', validFrom: '2021-05-01', value: address(B2, 'Nørregade', '3') }],
      });
      const unit = await ctx.register.residents({ addressId: B.addressId });
      assert.deepEqual(unit.map((r) => r.pnr), [pnr]);
      const stairwell = await ctx.register.residents({ accessAddressId: B.accessAddressId });
      assert.deepEqual(stairwell.map((r) => r.pnr).sort(), [pnr, other].sort());
      const before = await ctx.register.residents({ accessAddressId: B.accessAddressId }, { validAt: '2021-06-01' });
      assert.deepEqual(before.map((r) => r.pnr), [other]);
      const oldHome = await ctx.register.residents({ addressId: A.addressId }, { validAt: '2021-06-01' });
      assert.deepEqual(oldHome.map((r) => r.pnr), [pnr]);
    });

    test('an annulled registration disappears from current and historic views but stays in the log', async () => {
      ctx.clock.set('2022-05-01T08:00:00Z');
      const move = await ctx.register.register({
        pnr,
        authority: '0461',
        eventCode: 'A01',
        changes: [{ group: 'address', validFrom: '2022-04-25', value: address(C, 'Kongensgade', '7') }],
      });
      assert.equal(value((await ctx.register.person(pnr))?.state.address).addressId, C.addressId);
      ctx.clock.set('2022-05-03T08:00:00Z');
      const annulment = await ctx.register.register({ pnr, authority: '0461', eventCode: 'A10', annuls: move.seq });
      const now = await ctx.register.person(pnr);
      assert.equal(value(now?.state.address).addressId, B.addressId, 'current view is back at B');
      const history = await ctx.register.history(pnr);
      assert.ok(history);
      const knownNow = history.versions.filter((v) => v.rt === null && v.g === 'address');
      assert.ok(!knownNow.some((v) => (v.v as { addressId: string }).addressId === C.addressId), 'gone from the history as known now');
      assert.ok(history.registrations.some((r) => r.seq === move.seq), 'the annulled registration stays in the log');
      assert.ok(history.registrations.some((r) => r.seq === annulment.seq && r.annuls === move.seq));
      const inBetween = await ctx.register.person(pnr, { knownAt: '2022-05-02T00:00:00.000Z', validAt: '2022-05-01' });
      assert.equal(value(inBetween?.state.address).addressId, C.addressId, 'as known before the annulment it was there');
      assert.deepEqual((await ctx.register.residents({ addressId: C.addressId }, { validAt: '2022-05-01' })).map((r) => r.pnr), []);
      await assert.rejects(
        ctx.register.register({ pnr, authority: '0461', eventCode: 'A10', annuls: move.seq }),
        (e: RegistrationError) => e.code === 'already_annulled',
      );
    });

    test('a correction is a new registration: the old value stays in the registration history', async () => {
      ctx.clock.set('2022-06-01T08:00:00Z');
      await ctx.register.register({
        pnr,
        authority: '0461',
        eventCode: 'A09',
        documentation: 'lease contract',
        changes: [{ group: 'address', validFrom: '2022-02-20', value: address(B, 'Nørregade', '3') }],
      });
      const h = await ctx.register.history(pnr);
      const firstDate = h!.versions.filter((v) => v.g === 'address' && v.vf === '2022-03-01');
      assert.ok(firstDate.length > 0 && firstDate.every((v) => v.rt !== null), 'the first move-in date is kept, superseded');
      assert.equal((await ctx.register.person(pnr))?.state.address && ((await ctx.register.person(pnr))!.state.address as FactState).validFrom, '2022-02-20');
      const a = await ctx.register.person(pnr, { validAt: '2022-02-25' });
      assert.equal(value(a?.state.address).addressId, B.addressId);
    });

    test('a failing registration leaves no partial facts', async () => {
      const before = await ctx.register.history(pnr);
      const logBefore = (await ctx.register.log(0, 10_000)).length;
      // Break the last step of the transaction: the address index is gone.
      await sql`ALTER TABLE residence RENAME TO residence_away`.execute(ctx.register.store.db);
      try {
        await assert.rejects(
          ctx.register.register({
            pnr,
            authority: '0461',
            eventCode: 'A01',
            changes: [
              { group: 'name', validFrom: '2022-07-01', value: { firstNames: ['Mette'], lastName: 'Hansen' } },
              { group: 'address', validFrom: '2022-07-01', value: address(C, 'Kongensgade', '7') },
            ],
          }),
        );
      } finally {
        await sql`ALTER TABLE residence_away RENAME TO residence`.execute(ctx.register.store.db);
      }
      assert.equal((await ctx.register.log(0, 10_000)).length, logBefore, 'no registration was appended');
      assert.deepEqual(await ctx.register.history(pnr), before, 'no version changed');
      assert.equal(value((await ctx.register.person(pnr))?.state.name).lastName, 'Jensen');
    });

    test('invalid input is refused with a code and stores nothing', async () => {
      const logBefore = (await ctx.register.log(0, 10_000)).length;
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ pnr: '0101011234', changes: [{ group: 'status', validFrom: '2020-01-01', value: { code: '01' } }] }, 'person_not_found'],
        [{ pnr, changes: [{ group: 'status', validFrom: '2020-01-01', value: { code: '02' } }] }, 'invalid_value'],
        [{ pnr, changes: [{ group: 'shoeSize', validFrom: '2020-01-01', value: {} }] }, 'unknown_group'],
        [{ pnr, changes: [{ group: 'status', validFrom: '2020-02-30', value: { code: '01' } }] }, 'invalid_date'],
        [{ pnr, changes: [{ group: 'status', validFrom: '2020-02-01', validTo: '2020-01-01', value: { code: '01' } }] }, 'invalid_period'],
        [{ pnr, changes: [] }, 'no_changes'],
        [{ pnr, eventCode: 'move', changes: [{ group: 'status', validFrom: '2020-01-01', value: { code: '01' } }] }, 'invalid_event_code'],
        [{ pnr, annuls: 999999 }, 'unknown_registration'],
      ];
      for (const [input, code] of cases) {
        await assert.rejects(
          ctx.register.register({ authority: '0461', eventCode: 'A01', changes: [], ...input } as never),
          (e: RegistrationError) => e instanceof RegistrationError && e.code === code,
          code,
        );
      }
      assert.equal((await ctx.register.log(0, 10_000)).length, logBefore);
    });

    test('the log is append-only in the database itself', async () => {
      await assert.rejects(sql`UPDATE registration SET authority = 'x'`.execute(ctx.register.store.db), /append-only/);
      await assert.rejects(sql`DELETE FROM registration`.execute(ctx.register.store.db), /append-only/);
    });

    test('concurrent allocations never collide', async () => {
      const numbers = await Promise.all(Array.from({ length: 40 }, () => ctx.register.allocatePnr('2001-03-03', 'M')));
      assert.equal(new Set(numbers).size, numbers.length);
      for (const n of numbers) {
        const c = checkPnr(n);
        assert.equal(c.kind, 'valid');
        assert.equal(c.kind === 'valid' && c.birthDate, '2001-03-03');
        assert.equal(c.kind === 'valid' && c.sex, 'M');
      }
    });

    test('mod-11 serials first; afterwards the date is put on the no-mod-11 list and the numbers validate', async () => {
      const date = '1921-11-05';
      const mod11Count = [...candidatePnrs(date, 'K')].filter((p) => mod11Sum(p) === 0).length;
      const got: string[] = [];
      for (let i = 0; i < mod11Count; i++) got.push(await ctx.register.allocatePnr(date, 'K'));
      assert.ok(got.every((p) => mod11Sum(p) === 0), 'all mod-11 numbers are used first');
      const fallback = await ctx.register.allocatePnr(date, 'K');
      assert.notEqual(mod11Sum(fallback), 0);
      assert.equal(checkPnr(fallback).kind, 'suspicious', 'on CPR\'s published list alone it would be suspicious');
      const check = await ctx.register.checkPnr(fallback);
      assert.equal(check.kind, 'valid');
      assert.equal(check.kind === 'valid' && check.rule, 'no_mod11_date');
    });

    test('change of number (§3(5)): old number status 60, both reference each other', async () => {
      const { newPnr } = await ctx.register.changeNumber(pnr, { birthDate: '1985-07-14', sex: 'M' }, '0461', 'birth certificate');
      const oldView = await ctx.register.person(pnr);
      const newView = await ctx.register.person(newPnr);
      assert.equal(value(oldView?.state.status).code, '60');
      assert.deepEqual((oldView?.state.numberChange as FactState[]).map((f) => value(f)), [{ direction: 'replaced_by', pnr: newPnr }]);
      assert.deepEqual((newView?.state.numberChange as FactState[]).map((f) => value(f)), [{ direction: 'replaces', pnr }]);
      assert.equal(newView?.sex, 'M');
      assert.equal(value(newView?.state.name).lastName, 'Jensen', 'the new number carries the person\'s data');
      await assert.rejects(
        ctx.register.changeNumber(newPnr, { birthDate: '1985-07-14', sex: 'M' }, '0461'),
        (e: RegistrationError) => e.code === 'number_change_not_needed',
      );
    });

    test('an unknown or malformed number is not a person', async () => {
      assert.equal(await ctx.register.person('0101011234'), null);
      assert.equal(await ctx.register.person('hello'), null);
      assert.equal(await ctx.register.history('3102001234'), null);
    });
  });
}
