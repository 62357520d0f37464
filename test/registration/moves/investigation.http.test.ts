/**
 * Investigation (§10-11), no fixed abode / disappeared / found (MOV-4, §6(4)-(5))
 * and complaints (§56) over HTTP, with the 14-day, 4-week and 2-year rules
 * tested by moving the injected clock.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADDR, moveBody, setup } from './support.ts';

describe('investigation, abode and complaints over HTTP', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    t = await setup('sqlite');
  });
  after(async () => t.dispose());
  const post = (path: string, body: unknown, key = t.odense) => t.call('POST', path, { key, body });
  const at = (iso: string) => t.clock.set(iso);

  test('§11: request to report within 14 days, no decision before the period has run, then the correct address with a written decision', async () => {
    at('2026-06-01T10:00:00Z');
    const p = await t.person('Anders', 'Vinter', 'A', { sex: 'M' });
    const opened = await post('/api/v1/cases/investigations', { pnr: p, basis: 'Posten kommer retur, og udlejer oplyser, at du er flyttet til Brammingevej 1.', believedAddress: { municipalityCode: '0461', addressId: ADDR.C } });
    assert.equal(opened.status, 201, opened.text);
    const id = opened.json.case.id;
    assert.equal(opened.json.case.status, 'open');

    const before = await t.snapshot();
    const tooSoon = await post(`/api/v1/cases/${id}/decision`, { target: { address: { municipalityCode: '0461', addressId: ADDR.C } }, effectiveDate: '2026-06-01', grounds: 'x' });
    assert.equal(tooSoon.status, 409);
    assert.equal(tooSoon.json.code, 'request_not_sent');
    assert.equal(await t.snapshot(), before);

    const req = await post(`/api/v1/cases/${id}/request-to-report`, {});
    assert.equal(req.status, 200, req.text);
    assert.equal(req.json.case.status, 'awaiting_reply');
    assert.equal(req.json.case.deadline, '2026-06-15', '14 days after the letter can be assumed to arrive');
    const letter = await t.call('GET', `/api/v1/letters/${req.json.letters[0].id}/document?format=text`, { key: t.odense });
    assert.match(letter.text, /OPFORDRING TIL AT ANMELDE FLYTNING/);
    assert.match(letter.text, /Posten kommer retur/, '§11(1): the grounds are told');
    assert.match(letter.text, /15\. juni 2026/);
    assert.ok(!letter.text.includes(p));

    const decide = () => post(`/api/v1/cases/${id}/decision`, { target: { address: { municipalityCode: '0461', addressId: ADDR.C } }, effectiveDate: '2026-06-16', grounds: 'Ingen reaktion.' });
    at('2026-06-15T21:30:00Z'); // 23:30 Danish time on the 14th day
    const onDeadline = await decide();
    assert.equal(onDeadline.status, 409, 'the 14th day is still within the period');
    assert.equal(onDeadline.json.code, 'reply_period_running');
    await post(`/api/v1/cases/${id}/reply`, { text: 'Jeg bor der stadig.', changesView: false });
    at('2026-06-15T22:30:00Z'); // 00:30 on 16 June in Denmark, though still the 15th in UTC (issue 15, finding 6)
    const d = await decide();
    assert.equal(d.status, 200, d.text);
    assert.equal(d.json.case.status, 'decided');
    assert.equal((await t.current(p)).address?.addressId, ADDR.C);
    const reg = await t.lastRegistration(p);
    assert.equal(reg.eventCode, 'A01');
    assert.equal(reg.authority, '0461');
    const decision = await t.call('GET', `/api/v1/letters/${d.json.letters[0].id}/document?format=text`, { key: t.odense });
    assert.match(decision.text, /AFGØRELSE OM ÆNDRING AF DIN ADRESSE/);
    assert.match(decision.text, /Brammingevej 1/);
    assert.match(decision.text, /§ 11, stk. 2 og 3/);
  });

  test('§11(2): a reaction that changes the view closes the case without registration; the assumed arrival moves the deadline', async () => {
    at('2026-06-01T10:00:00Z');
    const p = await t.person('Bodil', 'Vinter', 'A');
    const id = (await post('/api/v1/cases/investigations', { pnr: p, basis: 'Anonym henvendelse.' })).json.case.id;
    const req = await post(`/api/v1/cases/${id}/request-to-report`, { assumedArrival: '2026-06-03' });
    assert.equal(req.json.case.deadline, '2026-06-17');
    const r = await post(`/api/v1/cases/${id}/reply`, { text: 'Jeg bor på adressen; her er min lejekontrakt.', changesView: true });
    assert.equal(r.json.case.status, 'closed');
    at('2026-07-01T10:00:00Z');
    const d = await post(`/api/v1/cases/${id}/decision`, { target: { departure: {} }, effectiveDate: '2026-07-01', grounds: 'x' });
    assert.equal(d.status, 409);
    assert.equal((await t.current(p)).address?.addressId, ADDR.A);
  });

  test('§11(2): when the person cannot be contacted the departure can be registered before the period ends', async () => {
    at('2026-06-01T10:00:00Z');
    const p = await t.person('Carsten', 'Vinter', 'A', { sex: 'M' });
    const id = (await post('/api/v1/cases/investigations', { pnr: p, basis: 'Udlejer oplyser, at du er rejst til Sverige.' })).json.case.id;
    await post(`/api/v1/cases/${id}/request-to-report`, {});
    await post(`/api/v1/cases/${id}/unreachable`, { note: 'Brevet kom retur: ubekendt på adressen.' });
    const future = await post(`/api/v1/cases/${id}/decision`, { target: { departure: {} }, effectiveDate: '2026-06-02', grounds: 'x' });
    assert.equal(future.status, 400, 'not a future date');
    const d = await post(`/api/v1/cases/${id}/decision`, { target: { departure: { countryCode: '5120' } }, effectiveDate: '2026-06-01', grounds: 'Udrejst.' });
    assert.equal(d.status, 200, d.text);
    const now = await t.current(p);
    assert.equal(now.status, '80');
    assert.equal(now.address, undefined);
    assert.equal((await t.lastRegistration(p)).eventCode, 'A06');
  });

  test('§10(1): the municipality of registration investigates, or that of a known address elsewhere; no other', async () => {
    at('2026-06-01T10:00:00Z');
    const p = await t.person('Dennis', 'Vinter', 'A', { sex: 'M' });
    const before = await t.snapshot();
    const r = await post('/api/v1/cases/investigations', { pnr: p, basis: 'x' }, t.dragoer);
    assert.equal(r.status, 403);
    assert.equal(await t.snapshot(), before);
    const elsewhere = await post('/api/v1/cases/investigations', { pnr: p, basis: 'Bor i Dragør', believedAddress: { municipalityCode: '0155', addressId: ADDR.D } }, t.dragoer);
    assert.equal(elsewhere.status, 201, elsewhere.text);
    assert.equal(elsewhere.json.case.municipalityCode, '0155');
    const notOdense = await post('/api/v1/cases/investigations', { pnr: p, basis: 'x', believedAddress: { municipalityCode: '0155', addressId: ADDR.D } });
    assert.equal(notOdense.status, 403, 'with a known address in another municipality, that municipality investigates');
  });

  test('MOV-4: no fixed abode (status 03, special road code), disappeared (status 70) and found again elsewhere', async () => {
    at('2026-06-01T10:00:00Z');
    const p = await t.person('Egon', 'Fri', 'A', { sex: 'M' });
    const nfa = await post('/api/v1/registration/moves/no-fixed-abode', { pnr: p, date: '2026-06-01' });
    assert.equal(nfa.status, 201, nfa.text);
    let now = await t.current(p);
    assert.equal(now.status, '03');
    assert.equal(now.address?.municipalityCode, '0461', '§6(4): still registered in the municipality');
    assert.equal(now.address?.roadCode, '9900');
    assert.equal(now.address?.addressId, undefined, 'moved out of the old address');
    assert.equal(nfa.json.case.kind, 'no_fixed_abode');
    assert.ok(nfa.json.case.deadline > '2026-06-01', 'a review date');
    const again = await post('/api/v1/registration/moves/no-fixed-abode', { pnr: p, date: '2026-06-02' });
    assert.equal(again.status, 409);

    // A person without fixed abode reports a move from the municipality to an address: status 01 again.
    const wrong = await post('/api/v1/registration/moves', { pnr: p, name: 'Egon Fri', from: { municipalityCode: '0461', addressId: ADDR.A }, to: { municipalityCode: '0461', addressId: ADDR.B }, moveDate: '2026-06-03' });
    assert.equal(wrong.status, 422, 'the old address is no longer registered');
    at('2026-06-03T10:00:00Z');
    const moved = await post('/api/v1/registration/moves', { pnr: p, name: 'Egon Fri', from: { municipalityCode: '0461' }, to: { municipalityCode: '0461', addressId: ADDR.B }, moveDate: '2026-06-03' });
    assert.equal(moved.status, 201, moved.text);
    assert.equal((await t.current(p)).status, '01');
    assert.equal((await t.current(p)).address?.addressId, ADDR.B);
    at('2026-06-01T10:00:00Z');

    const q = await t.person('Frida', 'Væk', 'A');
    const byOther = await post('/api/v1/registration/moves/disappeared', { pnr: q, date: '2026-06-01' }, t.dragoer);
    assert.equal(byOther.status, 403, '§6(5): the municipality of residence registers the disappearance');
    const gone = await post('/api/v1/registration/moves/disappeared', { pnr: q, date: '2026-06-01' });
    assert.equal(gone.status, 201, gone.text);
    now = await t.current(q);
    assert.equal(now.status, '70');
    assert.equal(now.address, undefined);
    assert.equal((await t.lastRegistration(q)).eventCode, 'A02');
    const moveGone = await post('/api/v1/registration/moves', moveBody(q, 'Frida Væk', '2026-06-02'));
    assert.equal(moveGone.status, 422);
    assert.equal(moveGone.json.code, 'not_resident');

    at('2026-08-01T10:00:00Z');
    const found = await post('/api/v1/registration/moves/found', { pnr: q, date: '2026-08-01', to: { municipalityCode: '0155', addressId: ADDR.E } }, t.dragoer);
    assert.equal(found.status, 200, found.text);
    now = await t.current(q);
    assert.equal(now.status, '01');
    assert.equal(now.address?.addressId, ADDR.E);
    assert.equal((await t.lastRegistration(q)).eventCode, 'A03');
    assert.equal(found.json.case.status, 'closed');
    assert.equal(found.json.case.id, gone.json.case.id, 'the disappeared case is closed');
    const twice = await post('/api/v1/registration/moves/found', { pnr: q, date: '2026-08-02', to: { municipalityCode: '0155', addressId: ADDR.D } }, t.dragoer);
    assert.equal(twice.status, 409);
    assert.equal(twice.json.code, 'not_disappeared');
  });

  test('§56(1): a complaint within 4 weeks is re-assessed and forwarded with reasons; a later one is refused', async () => {
    at('2026-06-01T10:00:00Z');
    const p = await t.person('Gustav', 'Klage', 'A', { sex: 'M' });
    const held = await post('/api/v1/registration/moves', { ...moveBody(p, 'Gustav Klage', '2026-06-01'), doubt: 'Tvivl.' });
    const rej = await post(`/api/v1/cases/${held.json.case.id}/rejection`, { grounds: 'Boligen er et sommerhus.' });
    assert.equal(rej.json.case.payload.decision.on, '2026-06-01');

    at('2026-06-29T10:00:00Z'); // 28 days after the decision
    const c = await post('/api/v1/complaints', { pnr: p, about: 'decision', decisionCaseId: held.json.case.id, text: 'Jeg bor der hele året.' });
    assert.equal(c.status, 201, c.text);
    assert.equal(c.json.case.status, 'lodged');
    const before = await t.snapshot();
    assert.equal((await post(`/api/v1/complaints/${c.json.case.id}/reassessment`, { upheld: false, reasons: 'x' }, t.dragoer)).status, 403);
    assert.equal(await t.snapshot(), before);
    const fw = await post(`/api/v1/complaints/${c.json.case.id}/reassessment`, { upheld: false, reasons: 'Sommerhuset må ikke bebos hele året.' });
    assert.equal(fw.status, 200, fw.text);
    assert.equal(fw.json.case.status, 'forwarded');
    assert.equal(fw.json.case.payload.forwarded.to, 'Indenrigs- og Sundhedsministeriet');
    const copy = await t.call('GET', `/api/v1/letters/${fw.json.letters[0].id}/document?format=text`, { key: t.odense });
    assert.match(copy.text, /sendt videre til ministeriet/);
    assert.match(copy.text, /inden 4 uger/, '§56(2): comments to the ministry within 4 weeks');
    assert.match(copy.text, /Sommerhuset må ikke bebos/);
    const again = await post(`/api/v1/complaints/${c.json.case.id}/reassessment`, { upheld: true, reasons: 'x' });
    assert.equal(again.status, 409);

    at('2026-06-30T10:00:00Z'); // 29 days
    const late = await post('/api/v1/complaints', { pnr: p, about: 'decision', decisionCaseId: held.json.case.id, text: 'Igen.' });
    assert.equal(late.status, 201);
    assert.equal(late.json.case.status, 'refused');
    assert.equal(late.json.case.payload.refusal.code, 'complaint_too_late');
    const refusal = await t.call('GET', `/api/v1/letters/${late.json.letters[0].id}/document?format=text`, { key: t.odense });
    assert.match(refusal.text, /§ 56, stk. 1/);

    const notified = await post('/api/v1/complaints', { pnr: p, about: 'decision', decisionCaseId: held.json.case.id, text: 'Brevet kom sent frem.', notifiedOn: '2026-06-05' });
    assert.equal(notified.json.case.status, 'lodged', 'the 4 weeks run from when the complainant was told');
  });

  test('§56(3): a complaint about a residence registration older than 2 years and unchanged is refused; a newer one is lodged', async () => {
    at('2024-06-01T10:00:00Z');
    const p = await t.person('Hilda', 'Gammel', 'A');
    at('2026-06-01T10:00:00Z'); // exactly 2 years later
    const ok = await post('/api/v1/complaints', { pnr: p, about: 'residence_registration', text: 'Forkert adresse.' });
    assert.equal(ok.json.case.status, 'lodged', ok.text);
    at('2026-06-02T10:00:00Z');
    const old = await post('/api/v1/complaints', { pnr: p, about: 'residence_registration', text: 'Forkert adresse.' });
    assert.equal(old.json.case.status, 'refused');
    assert.equal(old.json.case.payload.refusal.code, 'registration_too_old');
    const moved = await post('/api/v1/registration/moves', moveBody(p, 'Hilda Gammel', '2026-06-02'));
    assert.equal(moved.status, 201, moved.text);
    const afterChange = await post('/api/v1/complaints', { pnr: p, about: 'residence_registration', text: 'Forkert adresse.' });
    assert.equal(afterChange.json.case.status, 'lodged', 'the registration was changed within the 2 years');
    const byOther = await post('/api/v1/complaints', { pnr: p, about: 'residence_registration', text: 'x' }, t.dragoer);
    assert.equal(byOther.status, 403, '§56(1): lodged with the municipality that registered');
    const unknown = await post('/api/v1/complaints', { pnr: '0101801234', about: 'residence_registration', text: 'x' });
    assert.equal(unknown.status, 404);
  });
});
