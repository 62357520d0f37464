/**
 * The main flows over real HTTP on loopback: immigration, emigration with the
 * Nordic waiting register, vital events, protections — and refused requests
 * that change nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ODENSE_ADDRESS, setUp, snapshot, state } from './support.ts';

describe('HTTP: registration of immigration, emigration, vital events and protections', () => {
  let s: Awaited<ReturnType<typeof setUp>>;
  before(async () => {
    s = await setUp('sqlite');
  });
  after(async () => s.api.dispose());
  const post = (key: string, path: string, body: unknown) => s.api.call('POST', `/api/v1/registration/${path}`, { key, body });

  const immigrant = (over: Record<string, unknown> = {}) => ({
    name: { firstNames: ['Ana'], lastName: 'Silva' },
    sex: 'K',
    birthDate: '1992-03-04',
    birthPlace: 'Lisboa',
    previousAddress: { lines: ['Rua Augusta 10', '1100-053 Lisboa'], countryCode: '5156' },
    entryDate: '2026-05-30',
    addressId: ODENSE_ADDRESS,
    civilStatus: { code: 'U' },
    citizenships: ['5156'],
    // §17: an EU citizen registers on an EU registration certificate (opholdsbevis).
    residencePermit: { kind: 'certificate', issuedOn: '2026-05-29', reference: 'EU-2026-1' },
    ...over,
  });

  test('immigration without a number: a number is allocated, status 01 at the DAR address from the entry date (§22(1))', async () => {
    const r = await post(s.keys.odense, 'immigrations', immigrant());
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.allocated, true);
    assert.equal(r.json.eventCode, 'P31');
    assert.equal(r.json.moveInDate, '2026-05-30');
    assert.equal(r.json.pnr.slice(0, 6), '040392');
    const st = await state(s.api.register, r.json.pnr);
    assert.equal(st.status.value.code, '01');
    assert.equal(st.address.value.addressId, ODENSE_ADDRESS);
    assert.equal(st.address.value.municipalityCode, '0461');
    assert.equal(st.address.validFrom, '2026-05-30');
    assert.equal(st.name.value.addressingName, 'Silva,Ana');
    const [reg] = (await s.api.register.history(r.json.pnr))!.registrations;
    assert.equal(reg!.authority, '0461');
    assert.equal(reg!.eventCode, 'P31');
  });

  test('§16(2): a household moving in together is one report; twins get two numbers; all are registered together', async () => {
    const twin = (first: string) => immigrant({ name: { firstNames: [first], lastName: 'Costa' }, sex: 'M', birthDate: '2020-02-02', birthPlace: 'Porto' });
    const r = await post(s.keys.odense, 'immigrations/household', {
      members: [immigrant({ name: { firstNames: ['Rita'], lastName: 'Costa' }, birthDate: '1990-01-01' }), twin('Tiago'), twin('Tomas')],
    });
    assert.equal(r.status, 201, r.text);
    const pnrs = r.json.results.map((x: { pnr: string }) => x.pnr);
    assert.equal(new Set(pnrs).size, 3);
    assert.deepEqual(pnrs.map((p: string) => p.slice(0, 6)), ['010190', '020220', '020220']);
    for (const p of pnrs) {
      const st = await state(s.api.register, p);
      assert.equal(st.address.value.addressId, ODENSE_ADDRESS);
      assert.equal(st.address.validFrom, '2026-05-30');
    }
    const log = await s.api.ctx.audit.entries(5);
    assert.deepEqual(log.find((e) => e.action === 'registration.immigration')?.subjects, pnrs, 'one audit record names every member');
  });

  test('§16(2): one member refused refuses the whole household report; members must share address and entry date; nothing changes', async () => {
    const before = await snapshot(s.api.register);
    const refused = await post(s.keys.odense, 'immigrations/household', {
      members: [immigrant({ name: { firstNames: ['Lia'], lastName: 'Reis' } }), immigrant({ name: { firstNames: ['Rui'], lastName: 'Reis' }, pnr: '0403921234' })],
    });
    assert.equal(refused.status, 404);
    assert.equal(refused.json.code, 'person_not_found');
    const apart = await post(s.keys.odense, 'immigrations/household', {
      members: [immigrant({ name: { firstNames: ['Lia'], lastName: 'Reis' } }), immigrant({ name: { firstNames: ['Rui'], lastName: 'Reis' }, entryDate: '2026-05-20' })],
    });
    assert.equal(apart.status, 422);
    assert.equal(apart.json.code, 'household_mismatch');
    const alone = await post(s.keys.odense, 'immigrations/household', { members: [immigrant()] });
    assert.equal(alone.status, 400);
    assert.equal(await snapshot(s.api.register), before);
  });

  test('a clerk of another municipality cannot register a move-in to Odense; nothing changes', async () => {
    const before = await snapshot(s.api.register);
    const r = await post(s.keys.dragor, 'immigrations', immigrant({ name: { firstNames: ['Bo'], lastName: 'Other' } }));
    assert.equal(r.status, 403);
    assert.equal(r.json.code, 'other_municipality');
    assert.equal(await snapshot(s.api.register), before);
  });

  test('a caller without the register role is refused', async () => {
    const r = await post(s.keys.lookupOnly, 'immigrations', immigrant());
    assert.equal(r.status, 403);
    assert.equal(r.json.code, 'forbidden');
  });

  test('an unknown person number, an unknown address and a far-future date are refused with their codes; nothing changes', async () => {
    const before = await snapshot(s.api.register);
    const unknown = await post(s.keys.odense, 'immigrations', immigrant({ pnr: '0403921234' }));
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.code, 'person_not_found');
    const noAddress = await post(s.keys.odense, 'immigrations', immigrant({ addressId: '00000000-0000-4000-8000-000000000000' }));
    assert.equal(noAddress.status, 422);
    assert.equal(noAddress.json.code, 'address_not_found');
    const future = await post(s.keys.odense, 'immigrations', immigrant({ entryDate: '2099-01-01' }));
    assert.equal(future.status, 422);
    assert.equal(future.json.code, 'date_in_future');
    assert.match(future.json.messages.da, /efter i dag/);
    const emigrationFuture = await post(s.keys.odense, 'emigrations', { pnr: s.cast.ordinary, countryCode: '5180', departureDate: '2027-06-01' });
    assert.equal(emigrationFuture.status, 422);
    assert.equal(emigrationFuture.json.code, 'date_too_far_ahead');
    const unknownEmigrant = await post(s.keys.odense, 'emigrations', { pnr: '0101011234', countryCode: '5180', departureDate: '2026-06-10' });
    assert.equal(unknownEmigrant.status, 404);
    const malformed = await post(s.keys.odense, 'emigrations', { pnr: s.cast.ordinary, countryCode: 'DE' });
    assert.equal(malformed.status, 400);
    assert.equal(await snapshot(s.api.register), before);
  });

  test('emigration: status 80 from the departure date with foreign and contact address (§24(1), §26(3))', async () => {
    const r = await post(s.keys.odense, 'emigrations', {
      pnr: s.cast.underGuardianship,
      countryCode: '5180',
      departureDate: '2026-06-15',
      foreignAddress: { lines: ['Hauptstraße 1', '10115 Berlin'] },
      contactAddress: { lines: ['c/o Jensen', 'Torvet 2', '5000 Odense C'] },
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.outcome, 'emigrate');
    assert.equal(r.json.eventCode, 'A06');
    const then = (await s.api.register.person(s.cast.underGuardianship, { validAt: '2026-06-15' }))!.state as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(then.status.value.code, '80');
    assert.equal(then.address, undefined);
    assert.equal(then.foreignAddress.value.countryCode, '5180');
    assert.deepEqual(then.contactAddress.value.lines, ['c/o Jensen', 'Torvet 2', '5000 Odense C']);
    // Until the departure the person is still at home.
    assert.equal((await state(s.api.register, s.cast.underGuardianship)).status.value.code, '01');
  });

  test('a move to Sweden is only pending; the notification waits; approval registers emigration on Sweden\'s move-in date (§25(2), §26(2))', async () => {
    const pnr = s.cast.separated;
    const before = await snapshot(s.api.register);
    const r = await post(s.keys.odense, 'emigrations', { pnr, countryCode: '5120', departureDate: '2026-06-20', foreignAddress: { lines: ['Storgatan 5', 'Malmö'] } });
    assert.equal(r.status, 202, r.text);
    assert.equal(r.json.outcome, 'nordic_pending');
    assert.equal(r.json.seq, null);
    assert.equal((await state(s.api.register, pnr)).status.value.code, '01');
    const pending = await s.api.call('GET', '/api/v1/registration/waiting-register?direction=pending', { key: s.keys.odense });
    assert.ok(pending.json.items.some((i: { id: string }) => i.id === r.json.waitingItem));
    assert.notEqual(await snapshot(s.api.register), before); // the waiting item, not a registration
    assert.equal((await s.api.register.history(pnr))!.registrations.length, 1);
    const twice = await post(s.keys.odense, 'emigrations', { pnr, countryCode: '5110', departureDate: '2026-06-20' });
    assert.equal(twice.status, 409);
    assert.equal(twice.json.code, 'already_pending');

    // A municipality cannot fake the other country's notification.
    const fake = await post(s.keys.odense, 'nordic-notifications', { kind: 'emigration', pnr, countryCode: '5120', moveInDate: '2026-05-28' });
    assert.equal(fake.status, 403);
    assert.equal(fake.json.code, 'not_nordic_channel');

    const n = await post(s.keys.cpr, 'nordic-notifications', { kind: 'emigration', pnr, countryCode: '5120', moveInDate: '2026-05-28', foreignPnr: '19781224-1234', address: { lines: ['Storgatan 5', '211 34 Malmö'] } });
    assert.equal(n.status, 202, n.text);
    assert.equal(n.json.kind, 'nordic_emigration');
    assert.equal(n.json.deletesOn, '2026-06-15');
    assert.equal((await state(s.api.register, pnr)).status.value.code, '01');

    const other = await post(s.keys.dragor, `waiting-register/${n.json.id}/approve`, {});
    assert.equal(other.status, 403);

    const a = await post(s.keys.odense, `waiting-register/${n.json.id}/approve`, {});
    assert.equal(a.status, 201, a.text);
    assert.equal(a.json.departureDate, '2026-05-28');
    const st = await state(s.api.register, pnr);
    assert.equal(st.status.value.code, '80');
    assert.equal(st.status.validFrom, '2026-05-28');
    assert.equal(st.foreignAddress.value.countryCode, '5120');
    const items = (await s.api.call('GET', '/api/v1/registration/waiting-register', { key: s.keys.odense })).json.items;
    assert.ok(!items.some((i: { pnr: string }) => i.pnr === pnr), 'the pending report and the notification are closed');
    const again = await post(s.keys.odense, `waiting-register/${n.json.id}/approve`, {});
    assert.equal(again.status, 409);
    assert.equal(again.json.code, 'already_resolved');
  });

  test('birth by a parish: a number, mother, custody, the mother\'s address; the mother gets the child relation', async () => {
    const r = await post(s.keys.parish, 'births', { birthDate: '2026-05-31', sex: 'M', motherPnr: s.cast.ordinary, name: { firstNames: ['Emil'], lastName: 'Olsen' }, place: 'Odense' });
    assert.equal(r.status, 201, r.text);
    const [child, mother] = r.json.registrations;
    assert.equal(child.eventCode, 'A14');
    assert.equal(child.pnr.slice(0, 6), '310526');
    assert.equal(mother.pnr, s.cast.ordinary);
    const c = await state(s.api.register, child.pnr);
    assert.equal(c.status.value.code, '01');
    assert.deepEqual(c.address.value, (await state(s.api.register, s.cast.ordinary)).address.value);
    assert.equal(c.address.validFrom, '2026-05-31');
    const roles = c.relation.map((f: { value: { role: string; pnr: string } }) => `${f.value.role}:${f.value.pnr}`).sort();
    assert.deepEqual(roles, [`custody_holder:${s.cast.ordinary}`, `mother:${s.cast.ordinary}`]);
    const m = await state(s.api.register, s.cast.ordinary);
    assert.ok(m.relation.some((f: { value: { role: string; pnr: string } }) => f.value.role === 'child' && f.value.pnr === child.pnr));
  });

  test('vital events: a future date, an unknown person or a male mother are refused and change nothing', async () => {
    const before = await snapshot(s.api.register);
    const future = await post(s.keys.parish, 'births', { birthDate: '2030-01-01', sex: 'K', motherPnr: s.cast.ordinary });
    assert.equal(future.status, 422);
    assert.equal(future.json.code, 'date_in_future');
    const unknown = await post(s.keys.parish, 'deaths', { pnr: '0101011234', date: '2026-05-01' });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.code, 'person_not_found');
    const male = await post(s.keys.parish, 'births', { birthDate: '2026-05-01', sex: 'K', motherPnr: s.cast.protectedNow });
    assert.equal(male.status, 400);
    assert.equal(male.json.code, 'invalid_mother');
    assert.equal(await snapshot(s.api.register), before);
  });

  test('a parish has no legal basis for marriages (§2(2)); the family-law authority has; nothing changes on refusal', async () => {
    const before = await snapshot(s.api.register);
    const body = { pnr: s.cast.protectedNow, otherPnr: s.cast.protectionLapsed, date: '2026-05-20' };
    const r = await post(s.keys.parish, 'marriages', body);
    assert.equal(r.status, 403);
    assert.equal(r.json.code, 'not_a_registering_authority');
    const clerk = await post(s.keys.odense, 'marriages', body);
    assert.equal(clerk.status, 403);
    assert.equal(await snapshot(s.api.register), before);
    const ok = await post(s.keys.familyLaw, 'marriages', body);
    assert.equal(ok.status, 201, ok.text);
    assert.equal((await state(s.api.register, s.cast.protectedNow)).civilStatus.value.spousePnr, s.cast.protectionLapsed);
    assert.equal((await state(s.api.register, s.cast.protectionLapsed)).civilStatus.value.code, 'G');
  });

  test('death: status 90 from the date, no address after it; the spouse becomes widowed', async () => {
    const r = await post(s.keys.parish, 'deaths', { pnr: s.cast.protectionLapsed, date: '2026-05-25' });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json.registrations.map((x: { eventCode: string }) => x.eventCode), ['A21', 'A21']);
    const d = await state(s.api.register, s.cast.protectionLapsed);
    assert.equal(d.status.value.code, '90');
    assert.equal(d.status.validFrom, '2026-05-25');
    assert.equal(d.address, undefined);
    assert.equal((await state(s.api.register, s.cast.protectedNow)).civilStatus.value.code, 'E');
    const twice = await post(s.keys.parish, 'deaths', { pnr: s.cast.protectionLapsed, date: '2026-05-26' });
    assert.equal(twice.status, 422);
    assert.equal(twice.json.code, 'person_dead');
  });

  test('protections over HTTP: grant 0001 for one year; implied 0002 and 0004; revoke; another municipality is refused', async () => {
    const pnr = s.cast.ordinary;
    const other = await post(s.keys.dragor, 'protections', { pnr, type: '0001', action: 'grant' });
    assert.equal(other.status, 403);
    const g = await post(s.keys.odense, 'protections', { pnr, type: '0001', action: 'grant' });
    assert.equal(g.status, 201, g.text);
    assert.equal(g.json.eventCode, 'A33');
    assert.equal(g.json.change.validTo, '2027-06-01');
    assert.deepEqual(g.json.inForce.map((p: { type: string; impliedBy?: string }) => `${p.type}${p.impliedBy ? '<' + p.impliedBy : ''}`), ['0001', '0002<0001', '0004<0001']);
    const twice = await post(s.keys.odense, 'protections', { pnr, type: '0001', action: 'grant' });
    assert.equal(twice.status, 409);
    assert.equal(twice.json.code, 'protection_in_force');
    const rv = await post(s.keys.odense, 'protections', { pnr, type: '0001', action: 'revoke' });
    assert.equal(rv.status, 201, rv.text);
    assert.deepEqual(rv.json.inForce, []);
  });
});

describe('HTTP: protections over time, Nordic refusals, number changes', () => {
  let s: Awaited<ReturnType<typeof setUp>>;
  before(async () => {
    s = await setUp('sqlite');
  });
  after(async () => s.api.dispose());
  const post = (key: string, path: string, body: unknown) => s.api.call('POST', `/api/v1/registration/${path}`, { key, body });

  test('§28: extended protection survives its first year; the job (run by the CPR office) records the lapse at the new end; §29 lasts', async () => {
    const pnr = s.cast.ordinary;
    assert.equal((await post(s.keys.odense, 'protections', { pnr, type: '0001', action: 'grant' })).status, 201);
    assert.equal((await post(s.keys.odense, 'protections', { pnr, type: '0002', action: 'grant' })).json.change.validTo, null);
    const noReason = await post(s.keys.odense, 'protections', { pnr, type: '0001', action: 'extend' });
    assert.equal(noReason.status, 400);
    assert.equal(noReason.json.code, 'reason_required');
    const notExt = await post(s.keys.odense, 'protections', { pnr, type: '0002', action: 'extend', reason: 'x x x' });
    assert.equal(notExt.json.code, 'not_extendable');
    s.api.clock.set('2027-05-01T10:00:00Z');
    const ext = await post(s.keys.odense, 'protections', { pnr, type: '0001', action: 'extend', reason: 'Dokumenterede trusler' });
    assert.equal(ext.status, 201, ext.text);
    assert.equal(ext.json.change.validTo, '2028-06-01');
    assert.equal(ext.json.change.validFrom, '2026-06-01');

    const byClerk = await post(s.keys.odense, 'protections/lapse-run', {});
    assert.equal(byClerk.status, 403);
    s.api.clock.set('2027-06-02T10:00:00Z');
    assert.ok(!(await post(s.keys.cpr, 'protections/lapse-run', {})).json.recorded.some((l: { pnr: string }) => l.pnr === pnr), 'extended: no lapse after the first year');
    s.api.clock.set('2028-06-01T10:00:00Z');
    const run = await post(s.keys.cpr, 'protections/lapse-run', {});
    assert.equal(run.status, 200, run.text);
    assert.deepEqual(run.json.recorded.filter((l: { pnr: string }) => l.pnr === s.cast.ordinary).map((l: { lapsedOn: string }) => l.lapsedOn), ['2028-06-01']);
    const again = await post(s.keys.cpr, 'protections/lapse-run', {});
    assert.equal(again.json.recorded.length, 0);
    // §30(2): the separately registered local-directory protection remains; the implied research protection went with 0001.
    const st = (await s.api.register.person(pnr))!.state as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.deepEqual(st.protection.map((p: { value: { type: string } }) => p.value.type), ['0002']);
    // The revocation of the §29 protection ends it.
    const rv = await post(s.keys.odense, 'protections', { pnr, type: '0002', action: 'revoke' });
    assert.deepEqual(rv.json.inForce, []);
  });

  test('a refusal from another Nordic country waits in the register and is closed by the municipality; nothing is registered', async () => {
    const pnr = s.cast.separated;
    const before = (await s.api.register.history(pnr))!.registrations.length;
    const n = await post(s.keys.cpr, 'nordic-notifications', { kind: 'refusal', pnr, countryCode: '5110', reason: 'Ikke bosat' });
    assert.equal(n.status, 202, n.text);
    const notApprovable = await post(s.keys.odense, `waiting-register/${n.json.id}/approve`, {});
    assert.equal(notApprovable.json.code, 'not_approvable');
    const c = await post(s.keys.odense, `waiting-register/${n.json.id}/close`, {});
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.resolution, 'deleted');
    assert.equal((await s.api.register.history(pnr))!.registrations.length, before);
    const notNordic = await post(s.keys.cpr, 'nordic-notifications', { kind: 'emigration', pnr, countryCode: '5180', moveInDate: '2026-05-01' });
    assert.equal(notNordic.json.code, 'not_nordic_country');
  });

  test('§3(5) over HTTP: a change of number by the family-law authority', async () => {
    const r = await post(s.keys.familyLaw, 'number-changes', { pnr: s.cast.disappeared, birthDate: '1985-11-12', sex: 'M', documentation: 'Fødselsattest' });
    assert.equal(r.status, 201, r.text);
    const [neu, old] = r.json.registrations;
    assert.equal(old.pnr, s.cast.disappeared);
    assert.equal(neu.pnr.slice(0, 6), '121185');
    const same = await post(s.keys.familyLaw, 'number-changes', { pnr: s.cast.ordinary, birthDate: '1980-04-02', sex: 'K', documentation: 'x' });
    assert.equal(same.json.code, 'number_change_not_needed');
  });

  test('every registration answer is audited with the persons it names', async () => {
    const rows = await s.api.register.store.db.selectFrom('audit').select(['action']).where('action', 'like', 'registration.%').execute();
    const actions = new Set(rows.map((x) => x.action));
    for (const a of ['registration.protection.grant', 'registration.protection.extend', 'registration.nordic_notification', 'registration.number_change']) assert.ok(actions.has(a), a);
  });
});
