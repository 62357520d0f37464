/**
 * Citizen self-service over HTTP (DIS-6, §12, §28): a citizen reports their
 * own move (received and registered by the municipality moved to, with the
 * receipt §12(5)) and asks for name-and-address protection (a case of the
 * municipality of residence, granted or refused by a clerk there). Only the
 * citizen's own number; audited; refused requests change nothing. SQLite and PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addDays } from '../../src/domain/dates.ts';
import { effectiveProtections } from '../../src/domain/disclosure/project.ts';
import { STORE_KINDS } from '../support/stores.ts';
import { ADDR, NOT_IN_DAR, setup } from '../registration/moves/support.ts';

for (const kind of STORE_KINDS) {
  describe(`citizen self-service (${kind})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    let n = 0;
    /** A resident at an address with their own citizen login. */
    async function citizen(first: string, at: keyof typeof ADDR) {
      const pnr = await t.person(first, 'Borgersen', at);
      const c = await t.customerWithKey({ id: `borger${++n}`, name: 'Borger.dk', kind: 'citizen' }, { roles: ['own_data'], pnr, name: first });
      return { pnr, key: c.key, principal: c.principal.id };
    }
    before(async () => {
      t = await setup(kind);
    });
    after(async () => t.dispose());

    test('§12: a citizen reports their own move; the municipality moved to registers it and the receipt is theirs to read', async () => {
      const me = await citizen('Karen', 'A');
      const r = await t.call('POST', '/api/v1/me/moves', { key: me.key, body: { addressId: ADDR.D, moveDate: '2026-06-01' } });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.registered, true);
      assert.equal(r.json.case.kind, 'move');
      assert.equal(r.json.case.status, 'registered');
      // §12(1): the report goes to the municipality of the new address (Dragør, 0155), not the old one (Odense).
      assert.equal(r.json.case.municipalityCode, '0155');
      assert.match(r.json.case.payload.receiptNumber, /^0155-2026-\d{6}$/);
      assert.equal(r.json.case.payload.reporter.pnr, me.pnr);
      assert.ok(r.json.case.history.every((h: Record<string, unknown>) => !('by' in h)), 'the citizen does not see who acted in the municipality');
      const reg = await t.lastRegistration(me.pnr);
      assert.equal(reg.eventCode, 'A01');
      assert.equal(reg.authority, '0155');
      assert.equal((await t.current(me.pnr)).address?.addressId, ADDR.D);
      assert.equal((await t.current(me.pnr, '2026-05-31')).address?.addressId, ADDR.A);

      // §12(5): the receipt comes with the answer and can be read again (and printed) by the citizen.
      const receipt = r.json.letters.find((l: { kind: string }) => l.kind === 'receipt');
      assert.ok(receipt, 'a receipt letter');
      assert.match(receipt.text, /KVITTERING FOR FLYTTEANMELDELSE/);
      assert.ok(receipt.text.includes(r.json.case.payload.receiptNumber));
      const again = await t.call('GET', `/api/v1/me/letters/${receipt.id}`, { key: me.key });
      assert.equal(again.status, 200, again.text);
      assert.equal(again.json.text, receipt.text);
      assert.match(again.json.html, /<html/);
      const mine = await t.call('GET', '/api/v1/me/requests', { key: me.key });
      assert.deepEqual(mine.json.cases.map((c: { id: number }) => c.id), [r.json.case.id]);

      // Another citizen reads neither the letter nor the case.
      const other = await citizen('Ole', 'C');
      const foreign = await t.call('GET', `/api/v1/me/letters/${receipt.id}`, { key: other.key });
      assert.equal(foreign.status, 404);
      assert.equal(foreign.json.code, 'letter_not_found');
      assert.deepEqual((await t.call('GET', '/api/v1/me/requests', { key: other.key })).json.cases, []);

      const audit = await t.ctx.audit.entries(50);
      const entry = audit.find((a) => a.action === 'citizen.move_report');
      assert.ok(entry, 'the report is audited');
      assert.deepEqual(entry.subjects, [me.pnr]);
      assert.equal(entry.actor, me.principal);
      assert.equal(entry.legalBasis, '§12');
      // Reading one's own letter and requests is logged as own data (§46).
      assert.ok(audit.some((a) => a.action === 'citizen.letter_read' && a.subjects[0] === me.pnr && a.legalBasis === '§46'));
      assert.ok(audit.some((a) => a.action === 'citizen.requests_read' && a.subjects[0] === me.pnr));
    });

    test('a citizen acts only on their own number; refused reports change nothing', async () => {
      const me = await citizen('Eva', 'A');
      const someoneElse = await t.person('Anna', 'Andersen', 'A');
      const before = await t.snapshot();
      const cases: Array<[Record<string, unknown>, number, string]> = [
        [{ addressId: ADDR.D, moveDate: '2026-06-01', pnr: someoneElse }, 400, 'bad_request'],
        [{ addressId: NOT_IN_DAR, moveDate: '2026-06-01' }, 422, 'address_not_found'],
        [{ addressId: ADDR.A, moveDate: '2026-06-01' }, 409, 'already_at_address'],
        [{ addressId: ADDR.D, moveDate: '2026-13-01' }, 400, 'bad_request'],
        [{ addressId: ADDR.D, moveDate: addDays('2026-06-01', 60) }, 422, 'report_too_early'],
      ];
      for (const [body, status, code] of cases) {
        const r = await t.call('POST', '/api/v1/me/moves', { key: me.key, body });
        assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
        assert.equal(r.json.code, code, JSON.stringify(body));
      }
      // A clerk's key is not a citizen's; a citizen login without a person number acts for nobody.
      const clerk = await t.call('POST', '/api/v1/me/moves', { key: t.odense, body: { addressId: ADDR.D, moveDate: '2026-06-01' } });
      assert.equal(clerk.status, 403);
      const nobody = (await t.customerWithKey({ id: 'borgerx', name: 'Borger.dk', kind: 'citizen' }, { roles: ['own_data'] })).key;
      const r = await t.call('POST', '/api/v1/me/protection-requests', { key: nobody, body: {} });
      assert.equal(r.status, 403);
      assert.equal(r.json.code, 'not_own_person');
      assert.equal(await t.snapshot(), before);
    });

    test('§28: a protection request is a case of the municipality of residence; a clerk there grants it for one year', async () => {
      const me = await citizen('Mette', 'A');
      const r = await t.call('POST', '/api/v1/me/protection-requests', { key: me.key, body: { reason: 'Chikane fra tidligere partner' } });
      assert.equal(r.status, 201, r.text);
      const id = r.json.case.id;
      assert.equal(r.json.case.kind, 'protection_request');
      assert.equal(r.json.case.status, 'received');
      assert.equal(r.json.case.municipalityCode, '0461');
      const dup = await t.call('POST', '/api/v1/me/protection-requests', { key: me.key, body: {} });
      assert.equal(dup.status, 409);
      assert.equal(dup.json.code, 'protection_request_pending');

      // The clerk of the municipality of residence sees it in the case list; another municipality may not decide it.
      const list = await t.call('GET', '/api/v1/cases?kind=protection_request&status=received', { key: t.odense });
      assert.ok(list.json.cases.some((c: { id: number; pnr: string }) => c.id === id && c.pnr === me.pnr), list.text);
      const other = await t.call('POST', `/api/v1/cases/${id}/protection-decision`, { key: t.dragoer, body: { outcome: 'grant' } });
      assert.equal(other.status, 403);
      assert.equal(other.json.code, 'other_municipality');
      const byCitizen = await t.call('POST', `/api/v1/cases/${id}/protection-decision`, { key: me.key, body: { outcome: 'grant' } });
      assert.equal(byCitizen.status, 403);

      const g = await t.call('POST', `/api/v1/cases/${id}/protection-decision`, { key: t.odense, body: { outcome: 'grant' } });
      assert.equal(g.status, 200, g.text);
      assert.equal(g.json.case.status, 'granted');
      // §28: for one year.
      assert.equal(g.json.validTo, addDays('2027-06-01', 0));
      const view = await t.register.person(me.pnr);
      const p = effectiveProtections(view!.state).find((x) => x.type === '0001');
      assert.ok(p, 'name-and-address protection in force');
      assert.equal(p.validFrom, '2026-06-01');
      assert.equal((await t.lastRegistration(me.pnr)).eventCode, 'A33');
      const twice = await t.call('POST', `/api/v1/cases/${id}/protection-decision`, { key: t.odense, body: { outcome: 'grant' } });
      assert.equal(twice.status, 409);
      assert.equal(twice.json.code, 'case_wrong_status');

      const mine = await t.call('GET', '/api/v1/me/requests', { key: me.key });
      assert.equal(mine.json.cases[0].status, 'granted');
      const audit = await t.ctx.audit.entries(50);
      assert.ok(audit.some((a) => a.action === 'citizen.protection_request' && a.subjects[0] === me.pnr && a.legalBasis === '§28'));
      assert.ok(audit.some((a) => a.action === 'protection_request.granted' && a.subjects[0] === me.pnr));
    });

    test('§28: a protection the clerk registered since the request is taken as the grant, not registered twice', async () => {
      const me = await citizen('Ida', 'C');
      const r = await t.call('POST', '/api/v1/me/protection-requests', { key: me.key, body: {} });
      const direct = await t.call('POST', '/api/v1/registration/protections', { key: t.odense, body: { pnr: me.pnr, type: '0001', action: 'grant' } });
      assert.equal(direct.status, 201, direct.text);
      const regs = (await t.register.history(me.pnr))!.registrations.length;
      const g = await t.call('POST', `/api/v1/cases/${r.json.case.id}/protection-decision`, { key: t.odense, body: { outcome: 'grant' } });
      assert.equal(g.status, 200, g.text);
      assert.equal(g.json.case.status, 'granted');
      assert.equal(g.json.validTo, '2027-06-01');
      assert.equal((await t.register.history(me.pnr))!.registrations.length, regs, 'no second A33');
    });

    test('§28: a refusal needs grounds; a refused request leaves the person unprotected and a new one may be made', async () => {
      const me = await citizen('Bo', 'B');
      const r = await t.call('POST', '/api/v1/me/protection-requests', { key: me.key, body: {} });
      const id = r.json.case.id;
      const bare = await t.call('POST', `/api/v1/cases/${id}/protection-decision`, { key: t.odense, body: { outcome: 'refuse' } });
      assert.equal(bare.status, 400);
      assert.equal(bare.json.code, 'grounds_required');
      const refused = await t.call('POST', `/api/v1/cases/${id}/protection-decision`, { key: t.odense, body: { outcome: 'refuse', grounds: 'Anmodningen er trukket tilbage.' } });
      assert.equal(refused.status, 200, refused.text);
      assert.equal(refused.json.case.status, 'refused');
      const view = await t.register.person(me.pnr);
      assert.ok(!effectiveProtections(view!.state).some((x) => x.type === '0001'));
      assert.equal((await t.call('POST', '/api/v1/me/protection-requests', { key: me.key, body: {} })).status, 201);
      const wrongKind = await t.call('POST', `/api/v1/me/moves`, { key: me.key, body: { addressId: ADDR.C, moveDate: '2026-06-01' } });
      const moveCase = wrongKind.json.case.id;
      const notRequest = await t.call('POST', `/api/v1/cases/${moveCase}/protection-decision`, { key: t.odense, body: { outcome: 'grant' } });
      assert.equal(notRequest.status, 409);
      assert.equal(notRequest.json.code, 'case_wrong_kind');
    });
  });
}
