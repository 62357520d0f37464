/**
 * Move reports held as cases over HTTP: doubt (§6(3)), withdrawal before
 * registration (§12(6) 1st sentence), correction afterwards only with
 * documentation (§12(6) 2nd sentence), and the hearing of a parent before a
 * child's move (§13(2)-(3)).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADDR, moveBody, setup } from './support.ts';

describe('move cases (§6(3), §12(6), §13)', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    t = await setup('sqlite');
  });
  after(async () => t.dispose());
  const post = (path: string, body: unknown, key = t.odense) => t.call('POST', path, { key, body });

  test('§6(3): a doubtful report is held as a case, not registered, with a receipt saying so; then registered', async () => {
    const p = await t.person('Maja', 'Holm', 'A');
    const r = await post('/api/v1/registration/moves', { ...moveBody(p, 'Maja Holm', '2026-06-01'), doubt: 'Ejeren oplyser, at lejligheden står tom.' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.case.status, 'doubt');
    assert.deepEqual(r.json.registrations, []);
    assert.equal((await t.current(p)).address?.addressId, ADDR.A, 'not registered while in doubt');
    const receipt = await t.call('GET', `/api/v1/letters/${r.json.letters[0].id}`, { key: t.odense });
    assert.match(receipt.json.text, /§ 6, stk. 3/);
    const reg = await post(`/api/v1/cases/${r.json.case.id}/registration`, {});
    assert.equal(reg.status, 200, reg.text);
    assert.equal(reg.json.case.status, 'registered');
    assert.equal((await t.current(p)).address?.addressId, ADDR.B);
    const again = await post(`/api/v1/cases/${r.json.case.id}/registration`, {});
    assert.equal(again.status, 409, 'a registered report is not registered twice');
  });

  test('§12(6): a held report can be withdrawn before registration; a registered one cannot', async () => {
    const p = await t.person('Nils', 'Holm', 'A', { sex: 'M' });
    const held = await post('/api/v1/registration/moves', { ...moveBody(p, 'Nils Holm', '2026-06-01'), doubt: 'Tvivl om adressen.' });
    const w = await post(`/api/v1/cases/${held.json.case.id}/withdrawal`, { note: 'Flytningen er opgivet' });
    assert.equal(w.status, 200, w.text);
    assert.equal(w.json.case.status, 'withdrawn');
    assert.equal((await t.current(p)).address?.addressId, ADDR.A);
    const reg = await post(`/api/v1/cases/${held.json.case.id}/registration`, {});
    assert.equal(reg.status, 409);
    assert.equal(reg.json.code, 'case_wrong_status');

    const done = await post('/api/v1/registration/moves', moveBody(p, 'Nils Holm', '2026-06-01'));
    assert.equal(done.json.case.status, 'registered');
    const before = await t.snapshot();
    const w2 = await post(`/api/v1/cases/${done.json.case.id}/withdrawal`, {});
    assert.equal(w2.status, 409);
    assert.equal(w2.json.code, 'already_registered');
    assert.equal(await t.snapshot(), before);
  });

  test('§12(6): a registered move date is corrected only with documentation, as a new registration (A09)', async () => {
    const p = await t.person('Olga', 'Mo', 'A');
    const done = await post('/api/v1/registration/moves', moveBody(p, 'Olga Mo', '2026-05-28'));
    const id = done.json.case.id;
    const before = await t.snapshot();
    const noDoc = await post(`/api/v1/cases/${id}/correction`, { documentation: '-', moveDate: '2026-05-30' });
    assert.equal(noDoc.status, 422);
    assert.equal(noDoc.json.code, 'documentation_required');
    const missing = await post(`/api/v1/cases/${id}/correction`, { moveDate: '2026-05-30' });
    assert.equal(missing.status, 400);
    assert.equal(await t.snapshot(), before);

    const fixed = await post(`/api/v1/cases/${id}/correction`, { documentation: 'Lejekontrakt med overtagelse 30. maj', moveDate: '2026-05-30' });
    assert.equal(fixed.status, 200, fixed.text);
    assert.equal(fixed.json.case.payload.moveDate, '2026-05-30');
    const reg = await t.lastRegistration(p);
    assert.equal(reg.eventCode, 'A09');
    assert.match(reg.documentation!, /Lejekontrakt/);
    assert.equal((await t.current(p, '2026-05-29')).address?.addressId, ADDR.A, 'old address until the corrected date');
    assert.equal((await t.current(p)).addressFrom, '2026-05-30');
    const history = await t.register.history(p);
    assert.ok(history!.registrations.some((r) => r.eventCode === 'A01' && r.seq === done.json.registrations[0].seq), 'the first registration stays in the log');

    const annul = await post(`/api/v1/cases/${id}/correction`, { documentation: 'Dokumentation', annul: true });
    assert.equal(annul.status, 400, 'annulment after a date correction is refused');
    assert.equal(annul.json.code, 'invalid_correction');
  });

  test('REG-3, §12(6): a registered move that did not happen is annulled on documentation', async () => {
    const p = await t.person('Per', 'Lind', 'A', { sex: 'M' });
    const done = await post('/api/v1/registration/moves', moveBody(p, 'Per Lind', '2026-06-01'));
    const r = await post(`/api/v1/cases/${done.json.case.id}/correction`, { documentation: 'Udlejer bekræfter, at lejemålet blev opgivet', annul: true });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.case.status, 'annulled');
    assert.equal((await t.current(p)).address?.addressId, ADDR.A);
    assert.equal((await t.lastRegistration(p)).annuls, done.json.registrations[0].seq);
  });

  test('§13(2): a child moving with one parent waits for the hearing of the other parent who lived with the child', async () => {
    const mother = await t.person('Rikke', 'Bak', 'A', { birth: '1985-03-03' });
    const father = await t.person('Søren', 'Bak', 'A', { birth: '1984-04-04', sex: 'M' });
    const child = await t.person('Tue', 'Bak', 'A', { birth: '2016-05-05', sex: 'M', parents: [mother, father] });
    const body = { ...moveBody(mother, 'Rikke Bak', '2026-06-01'), members: [{ pnr: child, name: 'Tue Bak' }] };
    const r = await post('/api/v1/registration/moves', body);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.case.status, 'awaiting_hearing');
    assert.deepEqual(r.json.registrations, []);
    assert.deepEqual(r.json.case.payload.hearings.map((h: { parentPnr: string }) => h.parentPnr), [father]);
    const kinds = r.json.letters.map((l: { kind: string }) => l.kind).sort();
    assert.deepEqual(kinds, ['hearing', 'receipt']);
    const hearing = r.json.letters.find((l: { kind: string }) => l.kind === 'hearing');
    const letter = await t.call('GET', `/api/v1/letters/${hearing.id}`, { key: t.odense });
    assert.match(letter.json.text, /§ 13, stk. 2/);
    assert.match(letter.json.text, /B\. Bangs Gade 2/, 'without protection the new address is shown');
    assert.equal(letter.json.pnr, `${father.slice(0, 6)}-xxxx`);

    const early = await post(`/api/v1/cases/${r.json.case.id}/registration`, {});
    assert.equal(early.status, 409);
    assert.equal(early.json.code, 'hearing_pending');
    assert.equal((await t.current(child)).address?.addressId, ADDR.A);

    const wrong = await post(`/api/v1/cases/${r.json.case.id}/hearing`, { parentPnr: mother, statement: 'x' });
    assert.equal(wrong.status, 422);
    const heard = await post(`/api/v1/cases/${r.json.case.id}/hearing`, { parentPnr: father, statement: 'Jeg er enig i flytningen.' });
    assert.equal(heard.status, 200, heard.text);
    assert.equal(heard.json.case.status, 'heard');
    const reg = await post(`/api/v1/cases/${r.json.case.id}/registration`, {});
    assert.equal(reg.status, 200, reg.text);
    assert.equal(reg.json.case.status, 'registered');
    for (const p of [mother, child]) assert.equal((await t.current(p)).address?.addressId, ADDR.B);
    assert.equal((await t.current(father)).address?.addressId, ADDR.A);
  });

  test('§13(2): two children moving: one statement of the other parent answers for both', async () => {
    const m = await t.person('Gitte', 'Lyng', 'A', { birth: '1985-03-03' });
    const f = await t.person('Hans', 'Lyng', 'A', { birth: '1984-04-04', sex: 'M' });
    const c1 = await t.person('Ib', 'Lyng', 'A', { birth: '2014-05-05', sex: 'M', parents: [m, f] });
    const c2 = await t.person('Ja', 'Lyng', 'A', { birth: '2019-05-05', parents: [m, f] });
    const r = await post('/api/v1/registration/moves', { ...moveBody(m, 'Gitte Lyng', '2026-06-01'), members: [{ pnr: c1, name: 'Ib Lyng' }, { pnr: c2, name: 'Ja Lyng' }] });
    assert.equal(r.json.case.payload.hearings.length, 2);
    const heard = await post(`/api/v1/cases/${r.json.case.id}/hearing`, { parentPnr: f, statement: 'Enig.' });
    assert.equal(heard.json.case.status, 'heard', heard.text);
    assert.equal((await post(`/api/v1/cases/${r.json.case.id}/hearing`, { parentPnr: f, statement: 'Igen.' })).status, 409);
    const reg = await post(`/api/v1/cases/${r.json.case.id}/registration`, {});
    assert.equal(reg.json.registrations.length, 3);
  });

  test('§13(2): no hearing when the other parent co-signs, moves along, or did not live with the child; adults are not heard for', async () => {
    const m = await t.person('Ulla', 'Ries', 'A', { birth: '1985-03-03' });
    const f = await t.person('Viggo', 'Ries', 'A', { birth: '1984-04-04', sex: 'M' });
    const c = await t.person('Willy', 'Ries', 'A', { birth: '2015-05-05', sex: 'M', parents: [m, f] });
    const signed = await post('/api/v1/registration/moves', { ...moveBody(m, 'Ulla Ries', '2026-06-01'), members: [{ pnr: c, name: 'Willy Ries' }], signedBy: [m, f] });
    assert.equal(signed.json.case.status, 'registered', signed.text);

    const m2 = await t.person('Xenia', 'Ask', 'A', { birth: '1985-03-03' });
    const f2 = await t.person('Yngve', 'Ask', 'C', { birth: '1984-04-04', sex: 'M' });
    const c2 = await t.person('Zara', 'Ask', 'A', { birth: '2015-05-05', parents: [m2, f2] });
    const apart = await post('/api/v1/registration/moves', { ...moveBody(m2, 'Xenia Ask', '2026-06-01'), members: [{ pnr: c2, name: 'Zara Ask' }] });
    assert.equal(apart.json.case.status, 'registered', 'the father did not live with the child');

    const m3 = await t.person('Åse', 'Bo', 'A', { birth: '1960-03-03' });
    const f3 = await t.person('Ærling', 'Bo', 'A', { birth: '1960-04-04', sex: 'M' });
    const adult = await t.person('Øjvind', 'Bo', 'A', { birth: '2000-05-05', sex: 'M', parents: [m3, f3] });
    const grown = await post('/api/v1/registration/moves', { ...moveBody(m3, 'Åse Bo', '2026-06-01'), members: [{ pnr: adult, name: 'Øjvind Bo' }] });
    assert.equal(grown.json.case.status, 'registered', 'an adult child needs no hearing');
  });

  test('§13(2) "mulighed for at udtale sig": when the answer period has passed without a statement the move can be registered', async () => {
    const m = await t.person('Bente', 'Krog', 'A', { birth: '1985-03-03' });
    const f = await t.person('Carl', 'Krog', 'A', { birth: '1984-04-04', sex: 'M' });
    const c = await t.person('Dorte', 'Krog', 'A', { birth: '2018-05-05', parents: [m, f] });
    const r = await post('/api/v1/registration/moves', { ...moveBody(m, 'Bente Krog', '2026-06-01'), members: [{ pnr: c, name: 'Dorte Krog' }] });
    const id = r.json.case.id;
    t.clock.set(`${r.json.case.deadline}T12:00:00Z`);
    assert.equal((await post(`/api/v1/cases/${id}/registration`, {})).status, 409, 'still within the answer period');
    t.clock.advance(t.day);
    const reg = await post(`/api/v1/cases/${id}/registration`, {});
    assert.equal(reg.status, 200, reg.text);
    assert.equal(reg.json.case.status, 'registered');
    assert.equal(reg.json.case.payload.late, false, 'lateness counts from the report, not the registration');
    t.clock.set('2026-06-01T10:00:00Z');
  });

  test('§13(3): with protection requested for the new address the departure municipality hears, without the address', async () => {
    // The mother moves with the child from Odense (0461) to Dragør (0155).
    const m = await t.person('Ellen', 'Skov', 'A', { birth: '1985-03-03' });
    const f = await t.person('Finn', 'Skov', 'A', { birth: '1984-04-04', sex: 'M' });
    const c = await t.person('Gry', 'Skov', 'A', { birth: '2017-05-05', parents: [m, f] });
    const body = {
      ...moveBody(m, 'Ellen Skov', '2026-06-01', { to: ADDR.D, toMunicipality: '0155' }),
      members: [{ pnr: c, name: 'Gry Skov' }],
      protectionRequested: true,
    };
    const r = await post('/api/v1/registration/moves', body, t.dragoer);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.case.status, 'awaiting_hearing');
    assert.equal(r.json.case.municipalityCode, '0155');
    assert.equal(r.json.case.payload.hearingMunicipality, '0461');
    const id = r.json.case.id;
    const hearing = r.json.letters.find((l: { kind: string }) => l.kind === 'hearing');
    assert.equal(hearing.municipalityCode, '0461', 'the hearing letter is from the departure municipality');

    // The departure municipality reads the case and its own letter, never the new address.
    const seen = await t.call('GET', `/api/v1/cases/${id}`, { key: t.odense });
    assert.equal(seen.status, 200, seen.text);
    assert.equal(seen.json.payload.to, null);
    assert.ok(!seen.text.includes('Brydevej') && !seen.text.includes(ADDR.D), 'no trace of the new address');
    const letter = await t.call('GET', `/api/v1/letters/${hearing.id}/document?format=text`, { key: t.odense });
    assert.equal(letter.status, 200);
    assert.ok(!letter.text.includes('Brydevej') && !letter.text.includes('Dragør'), letter.text);
    assert.match(letter.text, /§ 13, stk. 3/);
    const shared = await t.call('GET', '/api/v1/cases?shared=true&status=awaiting_hearing', { key: t.odense });
    assert.deepEqual(shared.json.cases.map((x: { id: number }) => x.id), [id], 'the departure municipality finds the hearing it must make');
    assert.equal(shared.json.cases[0].payload.to, null);
    const own = await t.call('GET', '/api/v1/cases?status=awaiting_hearing', { key: t.odense });
    assert.ok(!own.json.cases.some((x: { id: number }) => x.id === id), 'not among its own cases');
    const list = await t.call('GET', `/api/v1/cases/${id}/letters`, { key: t.odense });
    assert.deepEqual(list.json.letters.map((l: { kind: string }) => l.kind), ['hearing']);
    const receipt = r.json.letters.find((l: { kind: string }) => l.kind === 'receipt');
    assert.equal((await t.call('GET', `/api/v1/letters/${receipt.id}`, { key: t.odense })).status, 403, 'the receipt shows the new address');

    // Only the departure municipality records the hearing (§13(3)); the receiving one registers.
    const byReceiver = await post(`/api/v1/cases/${id}/hearing`, { parentPnr: f, statement: 'x' }, t.dragoer);
    assert.equal(byReceiver.status, 403);
    const heard = await post(`/api/v1/cases/${id}/hearing`, { parentPnr: f, statement: 'Ingen indsigelser.' }, t.odense);
    assert.equal(heard.status, 200, heard.text);
    assert.equal((await post(`/api/v1/cases/${id}/registration`, {}, t.odense)).status, 403, 'the departure municipality does not register');
    const reg = await post(`/api/v1/cases/${id}/registration`, {}, t.dragoer);
    assert.equal(reg.status, 200, reg.text);
    assert.equal((await t.current(c)).address?.addressId, ADDR.D);
    assert.equal((await t.lastRegistration(c)).authority, '0155');
  });

  test('a case of another municipality can be neither read nor changed; a rejection is a written decision', async () => {
    const p = await t.person('Hanne', 'Due', 'A');
    const held = await post('/api/v1/registration/moves', { ...moveBody(p, 'Hanne Due', '2026-06-01'), doubt: 'Adressen er et erhvervslejemål.' });
    const id = held.json.case.id;
    const before = await t.snapshot();
    assert.equal((await t.call('GET', `/api/v1/cases/${id}`, { key: t.dragoer })).status, 403);
    assert.equal((await post(`/api/v1/cases/${id}/rejection`, { grounds: 'x' }, t.dragoer)).status, 403);
    assert.equal((await post(`/api/v1/cases/${id}/withdrawal`, {}, t.dragoer)).status, 403);
    assert.equal(await t.snapshot(), before);
    assert.equal((await t.call('GET', '/api/v1/cases/999999', { key: t.odense })).status, 404);

    const rej = await post(`/api/v1/cases/${id}/rejection`, { grounds: 'Adressen er ikke en bolig.' });
    assert.equal(rej.status, 200, rej.text);
    assert.equal(rej.json.case.status, 'rejected');
    assert.ok(rej.json.case.payload.decision.letterId);
    const letter = await t.call('GET', `/api/v1/letters/${rej.json.letters[0].id}/document?format=text`, { key: t.odense });
    assert.match(letter.text, /Klagevejledning/);
    assert.match(letter.text, /Adressen er ikke en bolig/);
    const audit = await t.ctx.audit.entries(5);
    assert.ok(audit.some((a) => a.action === 'letter.read' && a.subjects.includes(p)), 'the read of the letter is audited');
  });
});
