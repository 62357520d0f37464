/**
 * Domestic moves over HTTP (MOV-1, §12): report, receipt, registration,
 * late mark, 4-week refusal, household members, doubt, withdrawal, correction;
 * invalid requests change nothing. On SQLite and PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_KINDS } from '../../support/stores.ts';
import { ADDR, moveBody, NOT_IN_DAR, setup } from './support.ts';

for (const kind of STORE_KINDS) {
  describe(`domestic moves over HTTP (${kind})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    before(async () => {
      t = await setup(kind);
    });
    after(async () => t.dispose());

    test('§12: a move reported in time is registered (A01, by the municipality moved to) with a receipt (§12(5))', async () => {
      const pnr = await t.person('Karen', 'Olsen', 'A');
      const r = await t.call('POST', '/api/v1/registration/moves', { key: t.odense, body: moveBody(pnr, 'Karen Olsen', '2026-06-01') });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.case.status, 'registered');
      assert.match(r.json.case.payload.receiptNumber, /^0461-2026-\d{6}$/);
      assert.equal(r.json.case.payload.late, false);
      assert.deepEqual(r.json.registrations.map((x: { pnr: string }) => x.pnr), [pnr]);
      const reg = await t.lastRegistration(pnr);
      assert.equal(reg.eventCode, 'A01');
      assert.equal(reg.authority, '0461');
      assert.equal(reg.late, false);
      assert.equal(reg.seq, r.json.registrations[0].seq);
      const now = await t.current(pnr);
      assert.equal(now.address?.addressId, ADDR.B);
      assert.equal(now.addressFrom, '2026-06-01');
      // The day before the move the person still lived at the old address.
      assert.equal((await t.current(pnr, '2026-05-31')).address?.addressId, ADDR.A);

      const receipt = r.json.letters.find((l: { kind: string }) => l.kind === 'receipt');
      assert.ok(receipt, 'a receipt letter');
      const doc = await t.call('GET', `/api/v1/letters/${receipt.id}/document?format=text`, { key: t.odense });
      assert.equal(doc.status, 200);
      assert.match(doc.text, /KVITTERING FOR FLYTTEANMELDELSE/);
      assert.ok(doc.text.includes(r.json.case.payload.receiptNumber));
      assert.ok(doc.text.includes(`${pnr.slice(0, 6)}-xxxx`), '§54: masked number');
      assert.ok(!/\d{6}-?\d{4}/.test(doc.text), '§54: no full person number anywhere in the letter');
      const html = await t.call('GET', `/api/v1/letters/${receipt.id}/document`, { key: t.odense });
      assert.match(html.headers.get('content-type') ?? '', /text\/html/);
      assert.match(html.text, /<html lang="da">/);
      assert.ok(!html.text.includes(pnr));
      const foreign = await t.call('GET', `/api/v1/letters/${receipt.id}`, { key: t.dragoer });
      assert.equal(foreign.status, 403, 'another municipality does not read the letter');
      const audit = await t.ctx.audit.entries(20);
      assert.ok(audit.some((a) => a.action === 'letter.read' && a.subjects.includes(pnr)), 'reads of letters are audited');
    });

    test('§12(1) 2nd sentence: household members moving along are registered with the reporter', async () => {
      const a = await t.person('Anne', 'Hansen', 'A');
      const b = await t.person('Bo', 'Hansen', 'A', { sex: 'M' });
      const body = { ...moveBody(a, 'Anne Hansen', '2026-06-01', { to: ADDR.C }), members: [{ pnr: b, name: 'Bo Hansen' }] };
      const r = await t.call('POST', '/api/v1/registration/moves', { key: t.odense, body });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.registrations.length, 2);
      for (const p of [a, b]) assert.equal((await t.current(p)).address?.addressId, ADDR.C);
    });

    test('§12(2) nr. 3: a household member who does not live at the old address is refused, and nobody is moved', async () => {
      const a = await t.person('Clara', 'Berg', 'A');
      const stranger = await t.person('Dan', 'Berg', 'C', { sex: 'M' });
      const before = await t.snapshot();
      const body = { ...moveBody(a, 'Clara Berg', '2026-06-01'), members: [{ pnr: stranger, name: 'Dan Berg' }] };
      const r = await t.call('POST', '/api/v1/registration/moves', { key: t.odense, body });
      assert.equal(r.status, 422);
      assert.equal(r.json.code, 'not_at_old_address');
      assert.equal(await t.snapshot(), before);
    });

    test('invalid requests get clear errors and change nothing', async () => {
      const pnr = await t.person('Eva', 'Lund', 'A');
      const unknown = '0101801234';
      const cases: Array<[string, string, Record<string, unknown>, number, string]> = [
        ['unknown person', t.odense, moveBody(unknown, 'Ingen', '2026-06-01'), 404, 'person_not_found'],
        ['address not in DAR', t.odense, moveBody(pnr, 'Eva Lund', '2026-06-01', { to: NOT_IN_DAR }), 422, 'address_not_found'],
        ['move date in the far future', t.odense, moveBody(pnr, 'Eva Lund', '2027-06-01'), 422, 'report_too_early'],
        ['clerk of another municipality', t.dragoer, moveBody(pnr, 'Eva Lund', '2026-06-01'), 403, 'other_municipality'],
        ['wrong old address', t.odense, moveBody(pnr, 'Eva Lund', '2026-06-01', { from: ADDR.C, to: ADDR.B }), 422, 'not_at_old_address'],
        ['wrong name', t.odense, moveBody(pnr, 'Eva Andersen', '2026-06-01'), 422, 'name_mismatch'],
        ['new address in another municipality than reported', t.odense, moveBody(pnr, 'Eva Lund', '2026-06-01', { to: ADDR.D }), 422, 'municipality_mismatch'],
        ['already at the address', t.odense, moveBody(pnr, 'Eva Lund', '2026-06-01', { to: ADDR.A }), 409, 'already_at_address'],
        ['malformed date', t.odense, moveBody(pnr, 'Eva Lund', '2026-02-30'), 400, 'bad_request'],
      ];
      for (const [what, key, body, status, code] of cases) {
        const before = await t.snapshot();
        const r = await t.call('POST', '/api/v1/registration/moves', { key, body, headers: { 'accept-language': 'da' } });
        assert.equal(r.status, status, `${what}: ${r.text}`);
        assert.equal(r.json.code, code, what);
        assert.match(r.headers.get('content-type') ?? '', /application\/problem\+json/);
        assert.ok(r.json.messages.da && r.json.messages.en, `${what}: Danish and English`);
        assert.equal(await t.snapshot(), before, `${what}: nothing changed`);
      }
      const noRole = await t.call('POST', '/api/v1/registration/moves', { key: t.lookupOnly, body: moveBody(pnr, 'Eva Lund', '2026-06-01') });
      assert.equal(noRole.status, 403);
    });
  });
}
