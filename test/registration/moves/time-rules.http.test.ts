/**
 * The time rules of a move report, by moving the injected clock:
 * §12(4) 4 weeks before (a municipality setting, on by default) and
 * §12(1), §57 5 days after.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { moveBody, setup } from './support.ts';

describe('move report time rules (§12(1), §12(4))', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    t = await setup('sqlite', '2026-06-01T10:00:00Z');
  });
  after(async () => t.dispose());

  const report = (key: string, pnr: string, name: string, moveDate: string) => t.call('POST', '/api/v1/registration/moves', { key, body: moveBody(pnr, name, moveDate) });

  test('§12(1): reported 5 days after the move is in time; 6 days after is registered but marked late', async () => {
    t.clock.set('2026-06-01T10:00:00Z');
    const inTime = await t.person('Ida', 'Kjær', 'A');
    const late = await t.person('Jon', 'Kjær', 'A', { sex: 'M' });
    t.clock.set('2026-06-06T21:30:00Z'); // move 2026-06-01 + 5 days, 23:30 Danish summer time
    const r1 = await report(t.odense, inTime, 'Ida Kjær', '2026-06-01');
    assert.equal(r1.status, 201, r1.text);
    assert.equal(r1.json.case.payload.late, false);
    assert.equal((await t.lastRegistration(inTime)).late, false);
    // + 6 days: 00:30 on 7 June in Denmark, though still 6 June in UTC (issue 15, finding 6).
    t.clock.set('2026-06-06T22:30:00Z');
    const r2 = await report(t.odense, late, 'Jon Kjær', '2026-06-01');
    assert.equal(r2.status, 201, r2.text);
    assert.equal(r2.json.case.payload.late, true);
    const reg = await t.lastRegistration(late);
    assert.equal(reg.late, true, '§57: the registration carries the late mark');
    assert.equal((await t.current(late)).addressFrom, '2026-06-01', 'the move date stays the date of the move');
    const letter = await t.call('GET', `/api/v1/letters/${r2.json.letters[0].id}`, { key: t.odense });
    assert.match(letter.json.text, /senere end 5 dage/);
  });

  test('§12(4): a report exactly 4 weeks before the move date is received; one day earlier is refused and changes nothing', async () => {
    t.clock.set('2026-06-01T10:00:00Z');
    const p = await t.person('Kim', 'Dahl', 'A', { sex: 'M' });
    const before = await t.snapshot();
    const tooEarly = await report(t.odense, p, 'Kim Dahl', '2026-06-30'); // 29 days ahead
    assert.equal(tooEarly.status, 422);
    assert.equal(tooEarly.json.code, 'report_too_early');
    assert.match(tooEarly.json.detail, /4 weeks/);
    assert.equal(await t.snapshot(), before);
    const ok = await report(t.odense, p, 'Kim Dahl', '2026-06-29'); // 28 days ahead
    assert.equal(ok.status, 201, ok.text);
    // A future move: registered now, in force from the move date.
    assert.equal((await t.current(p)).address?.addressId, moveBody(p, '', '').from.addressId);
    assert.equal((await t.current(p, '2026-06-29')).addressFrom, '2026-06-29');
  });

  test('§12(4) "kan nægte": a municipality that turns the refusal off receives early reports; others still refuse', async () => {
    t.clock.set('2026-06-01T10:00:00Z');
    const p = await t.person('Lone', 'Vang', 'A');
    const settings = await t.call('GET', '/api/v1/registration/moves/settings', { key: t.odense });
    assert.deepEqual(settings.json, { municipalityCode: '0461', refuseEarlyReports: true });
    const other = await t.call('PUT', '/api/v1/registration/moves/settings?municipalityCode=0461', { key: t.dragoer, body: { refuseEarlyReports: false } });
    assert.equal(other.status, 403, 'a clerk sets only their own municipality');
    const put = await t.call('PUT', '/api/v1/registration/moves/settings', { key: t.odense, body: { refuseEarlyReports: false } });
    assert.equal(put.status, 200);
    assert.equal(put.json.refuseEarlyReports, false);
    const r = await report(t.odense, p, 'Lone Vang', '2026-09-01');
    assert.equal(r.status, 201, r.text);
    const dr = await t.call('GET', '/api/v1/registration/moves/settings', { key: t.dragoer });
    assert.equal(dr.json.refuseEarlyReports, true);
    await t.call('PUT', '/api/v1/registration/moves/settings', { key: t.odense, body: { refuseEarlyReports: true } });
  });
});
