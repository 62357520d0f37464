/**
 * The services on both stores (a real SQLite file and a real PostgreSQL
 * database), with the clock moved for the time-dependent rules: the one-year
 * lapse of name-and-address protection (§28) by the job, the waiting
 * register's 14 days (NOR-2), the 5-day report deadline (§16(2)), a stay
 * abroad that passes 6 months (§24(1), §26(2)); and the atomic unit of work.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Caller, Customer } from '../../../src/access/customers.ts';
import { effectiveProtections } from '../../../src/domain/disclosure/project.ts';
import { immigrationSchema } from '../../../src/domain/registration/immigration.ts';
import { emigrationSchema } from '../../../src/domain/registration/emigration.ts';
import { AddressRegister, sampleAddressFiles } from '../../../src/reference/address-register.ts';
import { Register } from '../../../src/register/register.ts';
import { RegistrationError } from '../../../src/register/validate.ts';
import { registerEmigration } from '../../../src/services/registration/emigration.ts';
import { registerHouseholdImmigration, registerImmigration } from '../../../src/services/registration/immigration.ts';
import { approveNordicEmigration, listWaitingItems, receiveNotification, sweepWaitingRegister } from '../../../src/services/registration/nordic.ts';
import { ProtectionService, runProtectionLapses } from '../../../src/services/registration/protection.ts';
import { VitalEventService } from '../../../src/services/registration/vital.ts';
import { atomically } from '../../../src/services/registration/vital-atomic.ts';
import { createCast, type Cast } from '../../support/persons.ts';
import { freshRegister, STORE_KINDS } from '../../support/stores.ts';
import { ODENSE_ADDRESS, ODENSE_ADDRESS_2, snapshot } from './support.ts';

const caller = (c: Partial<Customer>): Caller => ({
  customer: { id: 'c', name: 'Kunde', kind: 'public_authority', number: null, legalBases: [], scope: [], allowList: [], ratePerMinute: 100, validFrom: '2000-01-01', validTo: null, ...c },
  principal: { id: 'usr_test', customerId: 'c', kind: 'user', name: 'Clerk', roles: ['register'], pnr: null, validFrom: '2000-01-01', validTo: null },
});
const ODENSE = caller({ id: 'kommune-0461', number: '0461', name: 'Odense Kommune' });
const AARHUS = caller({ id: 'kommune-0751', number: '0751', name: 'Aarhus Kommune' });
const CPR = caller({ id: 'cpr', kind: 'cpr_admin', name: 'CPR-kontoret' });
const FAMILY_LAW = caller({ id: 'frh', number: '70005678', name: 'Familieretshuset', legalBases: ['§2(2)'] });
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary fact shapes
const stateOf = async (r: Register, pnr: string) => (await r.person(pnr))!.state as Record<string, any>;

for (const kind of STORE_KINDS) {
  // The clock only moves forward within a register (registration time never runs backwards), hence one register per group.
  describe(`protections and the lapse job on ${kind}`, () => {
    let h: Awaited<ReturnType<typeof freshRegister>>;
    let r: Register;
    let cast: Cast;
    before(async () => {
      h = await freshRegister(kind, '2026-06-01T10:00:00Z');
      r = h.register;
      cast = await createCast(r);
    });
    after(async () => h.dispose());

    test('§28: the job catches up after downtime — each lapse with its own date; extended and revoked ones are not lapses', async () => {
      h.clock.set('2026-06-01T10:00:00Z');
      const svc = new ProtectionService(r);
      await svc.apply(ODENSE, { pnr: cast.separated, type: '0001', action: 'grant' });
      h.clock.set('2026-08-15T10:00:00Z');
      await svc.apply(ODENSE, { pnr: cast.underGuardianship, type: '0001', action: 'grant' });
      await svc.apply(ODENSE, { pnr: cast.protectedNow, type: '0001', action: 'extend', reason: 'Særlige forhold: trusler' });
      h.clock.set('2026-09-01T10:00:00Z');
      await svc.apply(ODENSE, { pnr: cast.protectionLapsed, type: '0001', action: 'grant' });
      await svc.apply(ODENSE, { pnr: cast.protectionLapsed, type: '0001', action: 'revoke' });
      // A registration after the lapse (below) must not hide it from the job.
      h.clock.set('2027-06-10T10:00:00Z');
      await new VitalEventService(r).church(FAMILY_LAW, { pnr: cast.separated, date: '2027-06-05', member: false });
      // Downtime: the job runs again only in 2028.
      h.clock.set('2028-02-01T10:00:00Z');
      // The log read in pages of three registrations: no candidate is lost at a page's edge.
      const run = await runProtectionLapses(r, { pageSeqs: 3 });
      const by = new Map(run.recorded.map((x) => [x.pnr, x.lapsedOn]));
      assert.equal(by.get(cast.separated), '2027-06-01');
      assert.equal(by.get(cast.underGuardianship), '2027-08-15');
      assert.equal(by.get(cast.protectedNow), '2028-01-01', 'the extended end (2027-01-01 + 1 year)');
      assert.equal(by.has(cast.protectionLapsed), false, 'a revocation is not a lapse, nor an end taken in as history');
    });

    test('§28, PRO-1: name-and-address protection lapses one year after the grant, recorded by the job once (P11); §29 protections stay', async () => {
      h.clock.set('2028-02-01T10:00:00Z');
      const svc = new ProtectionService(r);
      const pnr = cast.ordinary;
      await svc.apply(ODENSE, { pnr, type: '0001', action: 'grant' });
      await svc.apply(ODENSE, { pnr, type: '0003', action: 'grant' });
      const jobAtStart = await runProtectionLapses(r);
      assert.ok(!jobAtStart.recorded.some((x) => x.pnr === pnr));

      h.clock.set('2029-01-31T22:30:00Z'); // 23:30 Danish winter time
      assert.ok(!(await runProtectionLapses(r)).recorded.some((x) => x.pnr === pnr), 'not before the year is over');
      assert.deepEqual(effectiveProtections((await r.person(pnr))!.state).map((p) => p.type), ['0001', '0002', '0003', '0004']);

      h.clock.set('2029-01-31T23:30:00Z'); // 00:30 on 1 February in Denmark, still 31 January in UTC (issue 15, finding 6)
      // The fact's end date alone ends the protection on read, before any job has run (§28, §30(1)).
      assert.deepEqual(effectiveProtections((await r.person(pnr))!.state).map((p) => p.type), ['0003']);
      const run = await runProtectionLapses(r);
      const mine = run.recorded.filter((x) => x.pnr === pnr);
      assert.deepEqual(mine.map((x) => x.lapsedOn), ['2029-02-01']);
      const regs = (await r.history(pnr))!.registrations;
      const p11 = regs.filter((g) => g.eventCode === 'P11');
      assert.equal(p11.length, 1);
      assert.equal(p11[0]!.authority, 'CPR');
      // Idempotent: a second run, and a run a month later, record nothing more.
      assert.equal((await runProtectionLapses(r)).recorded.filter((x) => x.pnr === pnr).length, 0);
      h.clock.set('2029-03-01T00:00:00Z');
      assert.equal((await runProtectionLapses(r)).recorded.filter((x) => x.pnr === pnr).length, 0);
      assert.equal((await r.history(pnr))!.registrations.filter((g) => g.eventCode === 'P11').length, 1);
      // §30(2): the separately registered marketing protection lasts until revoked.
      assert.deepEqual(effectiveProtections((await r.person(pnr))!.state).map((p) => p.type), ['0003']);
      // After the lapse it can be granted anew.
      const again = await svc.apply(ODENSE, { pnr, type: '0001', action: 'grant' });
      assert.equal(again.change.validTo, '2030-03-01');
    });

  });

  describe(`immigration, emigration and vital events on ${kind}`, () => {
    let h: Awaited<ReturnType<typeof freshRegister>>;
    let r: Register;
    let cast: Cast;
    before(async () => {
      h = await freshRegister(kind, '2026-06-01T10:00:00Z');
      r = h.register;
      await new AddressRegister(r.store, h.clock).importAddresses(sampleAddressFiles());
      cast = await createCast(r);
    });
    after(async () => h.dispose());

    test('§16(2) 4. pkt.: a move-in reported more than 5 days after entry is registered, marked late; a Nordic move-in leaves a notice for that country (§20(3))', async () => {
      h.clock.set('2026-06-01T10:00:00Z');
      const body = {
        name: { firstNames: ['Sven'], lastName: 'Svensson' }, sex: 'M', birthDate: '1985-02-03', birthPlace: 'Malmö',
        previousAddress: { lines: ['Storgatan 1', 'Malmö'], countryCode: '5120' }, entryDate: '2026-06-01', addressId: ODENSE_ADDRESS_2,
        civilStatus: { code: 'U' }, citizenships: ['5120'], nordic: { foreignPnr: '19850203-1234', previousMunicipality: 'Malmö' },
      };
      h.clock.set('2026-06-06T10:00:00Z');
      const inTime = await registerImmigration(r, ODENSE, immigrationSchema.parse(body));
      assert.equal(inTime.late, false);
      assert.ok(inTime.nordicNotice);
      const out = await listWaitingItems(r, ODENSE, { direction: 'outgoing' });
      const notice = out.find((i) => i.id === inTime.nordicNotice)!;
      assert.equal(notice.kind, 'move_in_notice');
      assert.equal(notice.countryCode, '5120');
      assert.equal(notice.payload.foreignPnr, '19850203-1234');
      const note = (await stateOf(r, inTime.pnr)).note;
      assert.ok(note.some((n: { value: { text: string } }) => n.value.text.includes('19850203-1234')));

      h.clock.set('2026-06-07T10:00:00Z');
      const late = await registerImmigration(r, ODENSE, immigrationSchema.parse({ ...body, name: { firstNames: ['Olle'], lastName: 'Berg' }, birthDate: '1986-02-03', citizenships: ['5314'], previousAddress: { lines: ['x'], countryCode: '5314' }, nordic: undefined, residencePermit: { kind: 'permit', issuedOn: '2026-05-01', reference: 'US-9' } }));
      assert.equal(late.late, true);
      const reg = (await r.history(late.pnr))!.registrations[0]!;
      assert.equal(reg.late, true);
    });

    test('§16(2): a household report is one unit of work: a member refused in the writing leaves nobody registered; then all are', async () => {
      h.clock.set('2026-06-07T10:00:00Z');
      const member = (first: string, birthDate: string) => immigrationSchema.parse({
        name: { firstNames: [first], lastName: 'Nowak' }, sex: 'K', birthDate, birthPlace: 'Kraków',
        previousAddress: { lines: ['ul. Długa 1', 'Kraków'], countryCode: '5152' }, entryDate: '2026-06-05', addressId: ODENSE_ADDRESS_2,
        civilStatus: { code: 'U' }, citizenships: ['5152'], residencePermit: { kind: 'certificate', issuedOn: '2026-06-04', reference: 'EU-PL-1' },
      });
      const members = [member('Ewa', '1980-04-04'), member('Ola', '2010-04-04')];
      // The second person's registration fails, like a crash, inside the unit of work.
      const before = await snapshot(r);
      let calls = 0;
      const original = Register.prototype.register;
      Register.prototype.register = async function (this: Register, input) {
        if (++calls === 2) throw new Error('connection lost');
        return original.call(this, input);
      };
      try {
        await assert.rejects(registerHouseholdImmigration(r, ODENSE, members), /connection lost/);
      } finally {
        Register.prototype.register = original;
      }
      assert.equal(await snapshot(r), before, 'the first member is not registered without the second');
      const done = await registerHouseholdImmigration(r, ODENSE, members);
      assert.equal(done.length, 2);
      for (const d of done) assert.equal((await stateOf(r, d.pnr)).status.value.code, '01');
    });

    test('re-entry (A04) of an emigrated person ends the foreign address; an already resident person is refused and nothing changes', async () => {
      h.clock.set('2026-06-07T10:00:00Z');
      const body = immigrationSchema.parse({
        pnr: cast.emigrated, name: { firstNames: ['Sofie'], lastName: 'Rejst' }, sex: 'K', birthDate: '1990-07-07', birthPlace: 'Odense',
        previousAddress: { lines: ['Storgatan 1', 'Stockholm'], countryCode: '5120' }, entryDate: '2026-06-05', addressId: ODENSE_ADDRESS,
        civilStatus: { code: 'U' }, citizenships: ['5100'], nordic: { foreignPnr: '19900707-2222', previousMunicipality: 'Stockholm' },
      });
      const res = await registerImmigration(r, ODENSE, body);
      assert.equal(res.eventCode, 'A04');
      assert.equal(res.allocated, false);
      const st = await stateOf(r, cast.emigrated);
      assert.equal(st.status.value.code, '01');
      assert.equal(st.foreignAddress, undefined);
      const before = await snapshot(r);
      await assert.rejects(registerImmigration(r, ODENSE, body), (e: unknown) => e instanceof RegistrationError && e.code === 'already_resident');
      await assert.rejects(registerImmigration(r, ODENSE, { ...body, pnr: cast.ordinary, birthDate: '1990-07-07' }), (e: unknown) => e instanceof RegistrationError && e.code === 'pnr_mismatch');
      assert.equal(await snapshot(r), before);
    });

    test('NOR-2: an unapproved notification gets a notice 3 days before and is deleted 14 days after receipt', async () => {
      h.clock.set('2026-06-10T10:00:00Z');
      const item = await receiveNotification(r, CPR, { kind: 'emigration', pnr: cast.ordinary, countryCode: '5110', moveInDate: '2026-06-01' });
      await assert.rejects(approveNordicEmigration(r, AARHUS, item.id), (e: unknown) => e instanceof RegistrationError && e.code === 'other_municipality');
      h.clock.set('2026-06-20T10:00:00Z');
      await sweepWaitingRegister(r);
      assert.equal((await listWaitingItems(r, ODENSE)).find((i) => i.id === item.id)!.deletionNotice, false);
      h.clock.set('2026-06-21T10:00:00Z');
      await sweepWaitingRegister(r);
      assert.equal((await listWaitingItems(r, ODENSE)).find((i) => i.id === item.id)!.deletionNotice, true);
      h.clock.set('2026-06-24T10:00:00Z');
      const swept = await sweepWaitingRegister(r);
      assert.ok(swept.deleted >= 1);
      assert.equal((await listWaitingItems(r, ODENSE)).find((i) => i.id === item.id), undefined);
      await assert.rejects(approveNordicEmigration(r, ODENSE, item.id), (e: unknown) => e instanceof RegistrationError && e.code === 'already_resolved');
      assert.equal((await stateOf(r, cast.ordinary)).status.value.code, '01', 'never registered as emigrated');
    });

    test('§24(1), §26(2) 3. pkt.: a short stay abroad kept at home stays registered with a supplementary address; past 6 months it is an emigration from the first departure', async () => {
      h.clock.set('2026-07-01T10:00:00Z');
      const pnr = cast.protectedNow;
      const stay = await registerEmigration(r, ODENSE, emigrationSchema.parse({ pnr, countryCode: '5180', departureDate: '2026-07-10', returnDate: '2026-12-20', homeKept: true, foreignAddress: { lines: ['Str. 1', 'Berlin'] } }));
      assert.equal(stay.outcome, 'stay');
      assert.equal(stay.eventCode, 'A07');
      h.clock.set('2026-08-01T10:00:00Z');
      const st = await stateOf(r, pnr);
      assert.equal(st.status.value.code, '01');
      assert.equal(st.supplementaryAddress.value.countryCode, '5180');
      // Before 6 months the same report without a date still keeps the person registered.
      h.clock.set('2027-01-09T10:00:00Z');
      assert.equal((await registerEmigration(r, ODENSE, emigrationSchema.parse({ pnr, countryCode: '5180', returnDate: '2026-12-20', homeKept: true }))).outcome, 'stay');
      h.clock.set('2027-01-11T10:00:00Z');
      const em = await registerEmigration(r, ODENSE, emigrationSchema.parse({ pnr, countryCode: '5180', returnDate: '2026-12-20', homeKept: true }));
      assert.equal(em.outcome, 'emigrate');
      assert.equal(em.departureDate, '2026-07-10');
      const after = await stateOf(r, pnr);
      assert.equal(after.status.value.code, '80');
      assert.equal(after.status.validFrom, '2026-07-10');
      assert.equal(after.supplementaryAddress, undefined);
    });

    test('§24(6): a spouse sharing the home of a posted state employee stays registered', async () => {
      h.clock.set('2027-02-01T10:00:00Z');
      const svc = new VitalEventService(r);
      const birth = async (d: string, sex: 'M' | 'K', mother: string) => (await svc.birth(CPR, { birthDate: d, sex, motherPnr: mother })).registrations[0]!.pnr;
      // A household at one address: the posted employee and a child born there.
      const employee = cast.separated;
      await registerEmigration(r, ODENSE, emigrationSchema.parse({ pnr: employee, countryCode: '5130', departureDate: '2027-02-10', exception: 'state_employee', foreignAddress: { lines: ['Ambassade', 'Paris'] } }));
      const child = await birth('2027-01-20', 'K', employee);
      const res = await registerEmigration(r, ODENSE, emigrationSchema.parse({ pnr: child, countryCode: '5130', departureDate: '2027-02-10', exception: 'state_employee_household', householdOf: { pnr: employee, as: 'child' } }));
      assert.equal(res.outcome, 'stay');
      await assert.rejects(
        registerEmigration(r, ODENSE, emigrationSchema.parse({ pnr: cast.ordinary, countryCode: '5130', departureDate: '2027-02-10', exception: 'state_employee_household', householdOf: { pnr: employee, as: 'spouse' } })),
        (e: unknown) => e instanceof RegistrationError && e.code === 'household_required',
      );
    });

    test('§3(5): a change of number through the vital service — new number, old one status 60, in one transaction', async () => {
      h.clock.set('2027-02-01T10:00:00Z');
      const res = await new VitalEventService(r).numberChange(FAMILY_LAW, { pnr: cast.underGuardianship, birthDate: '1960-06-07', sex: 'M', documentation: 'Dåbsattest viser 7. juni' });
      assert.equal(res.newPnr.slice(0, 6), '070660');
      assert.equal((await stateOf(r, res.oldPnr)).status.value.code, '60');
      assert.equal((await stateOf(r, res.newPnr)).numberChange[0].value.pnr, res.oldPnr);
      assert.ok(res.registrations.every((x) => x.seq > 0));
    });

    test('a unit of work is all or nothing: a failure after an allocation and a registration leaves the store as it was', async () => {
      const before = await snapshot(r);
      await assert.rejects(
        atomically(r, async (u) => {
          const pnr = await u.allocatePnr('2027-01-01', 'K');
          await u.register({ pnr, authority: '0461', eventCode: 'A14', changes: [{ group: 'status', validFrom: '2027-01-01', value: { code: '01' } }] });
          await u.register({ pnr: cast.ordinary, authority: '0461', eventCode: 'A14', changes: [{ group: 'church', validFrom: '2027-01-01', value: { member: 'X' } }] });
        }),
        (e: unknown) => e instanceof RegistrationError && e.code === 'invalid_value',
      );
      assert.equal(await snapshot(r), before);
    });
  });
}

describe('§28: revoking a protection ends it from the date on, the time before stays (SQLite)', () => {
  test('revoked from a later date: protected until then, not after; no lapse recorded for it', async () => {
    const h = await freshRegister('sqlite', '2026-06-01T10:00:00Z');
    try {
      const cast = await createCast(h.register);
      const svc = new ProtectionService(h.register);
      await svc.apply(ODENSE, { pnr: cast.ordinary, type: '0001', action: 'grant' });
      h.clock.set('2026-07-01T10:00:00Z');
      await svc.apply(ODENSE, { pnr: cast.ordinary, type: '0001', action: 'revoke', date: '2026-08-01' });
      const at = async (d: string) => effectiveProtections((await h.register.person(cast.ordinary, { validAt: d }))!.state, d).map((p) => p.type);
      assert.deepEqual(await at('2026-07-31'), ['0001', '0002', '0004']);
      assert.deepEqual(await at('2026-08-01'), []);
      h.clock.set('2027-08-01T10:00:00Z');
      assert.ok(!(await runProtectionLapses(h.register)).recorded.some((x) => x.pnr === cast.ordinary));
    } finally {
      await h.dispose();
    }
  });
});
