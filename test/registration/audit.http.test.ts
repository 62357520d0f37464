/**
 * Every registration is a transaction in the audit log (AUD-3, AUD-4; terms
 * §4: every transaction of each user): a move, an immigration, an emigration,
 * a vital event, a protection grant, a case step and a complaint, each made
 * over HTTP, shows in the security officer's log search and statistics of the
 * clerk's own customer, with the acting user and the transaction type. A
 * registration whose record cannot be written gets no answer (fail closed).
 * On SQLite and PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AuditError, type AuditEntry } from '../../src/access/audit.ts';
import { STORE_KINDS } from '../support/stores.ts';
import { ADDR, moveBody, setup } from './moves/support.ts';

for (const kind of STORE_KINDS) {
  describe(`registrations in the audit log (${kind})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    /** A clerk of Odense (customer k0461), with its principal id. */
    let clerk: { id: string; key: string };
    let officer: string;
    /** A parish (§2(2)) registering deaths, and its own security officer. */
    let parish: { id: string; key: string; officer: string };

    const staff = async (customer: string, roles: Array<'register' | 'security_officer'>) => {
      const p = await t.ctx.access.addPrincipal(customer, { kind: 'user', name: roles.join(' '), roles });
      return { id: p.id, key: (await t.ctx.access.issueCredential(p.id, 'api_key')).apiKey! };
    };

    before(async () => {
      t = await setup(kind);
      clerk = await staff('k0461', ['register']);
      officer = (await staff('k0461', ['security_officer'])).key;
      const sogn = await t.customerWithKey({ id: 'sogn', name: 'Sankt Knuds Sogn', kind: 'public_authority', number: '70001234', legalBases: ['§2(2):death'] }, { roles: ['register'] });
      parish = { id: sogn.principal.id, key: sogn.key, officer: (await staff('sogn', ['security_officer'])).key };
    });
    after(async () => t.dispose());

    const post = async (path: string, body: unknown, key = clerk.key) => {
      const r = await t.call('POST', path, { key, body });
      assert.ok(r.status === 201 || r.status === 200 || r.status === 202, `${path}: ${r.status} ${r.text}`);
      return r.json;
    };

    /** The officer's log search and statistics both show `type` by `actor`, the search concerning `pnr`. */
    async function shows(type: string, pnr: string, o: { actor?: string; officerKey?: string; customer?: string } = {}) {
      const actor = o.actor ?? clerk.id;
      const key = o.officerKey ?? officer;
      const search = await t.call('GET', `/api/v1/security/audit?type=${encodeURIComponent(type)}&pnr=${pnr}`, { key });
      assert.equal(search.status, 200, search.text);
      const rec = search.json.records.find((x: { actor: string }) => x.actor === actor);
      assert.ok(rec, `the log search shows ${type} by ${actor}: ${search.text}`);
      assert.equal(rec.customer, o.customer ?? 'k0461');
      assert.equal(rec.actorKind, 'user');
      assert.ok(rec.subjects.includes(pnr), `${type} names ${pnr}`);
      assert.ok(rec.requestId, 'tied to the request');
      const stats = await t.call('GET', '/api/v1/security/statistics?from=2026-06&to=2026-06', { key });
      assert.equal(stats.status, 200, stats.text);
      const row = stats.json.rows.find((x: { type: string; actor: string }) => x.type === type && x.actor === actor);
      assert.ok(row && row.count >= 1, `the statistics count ${type} by ${actor}`);
      return rec as { legalBasis: string | null };
    }
    /** The stored record of `type` for `pnr`, with its detail (the search answer leaves detail out). */
    async function stored(type: string, pnr: string) {
      const { records } = await t.ctx.audit.search('k0461', { type, pnr });
      assert.equal(records.length, 1, `one ${type} record for ${pnr}`);
      return records[0]!;
    }

    test('a domestic move (§12) is the clerk\'s transaction registration.move, with its case and seq numbers', async () => {
      const a = await t.person('Karen', 'Flytter', 'A');
      const b = await t.person('Bo', 'Flytter', 'A', { sex: 'M' });
      const o = await post('/api/v1/registration/moves', { ...moveBody(a, 'Karen Flytter', '2026-06-01', { to: ADDR.C }), members: [{ pnr: b, name: 'Bo Flytter' }] });
      const rec = await shows('registration.move', a);
      assert.equal(rec.legalBasis, '§2(1)');
      await shows('registration.move', b);
      const r = await stored('registration.move', b);
      assert.deepEqual(new Set(r.subjects), new Set([a, b]), 'one record names everyone moving');
      assert.equal(r.detail?.['caseId'], o.case.id);
      assert.deepEqual(r.detail?.['seqs'], o.registrations.map((x: { seq: number }) => x.seq));
      assert.deepEqual(new Set(r.detail?.['references'] as string[]), new Set([a, b]), 'the numbers the clerk sent');
    });

    test('an immigration (§16) and an emigration (§24) are the clerk\'s transactions', async () => {
      const imm = await post('/api/v1/registration/immigrations', {
        name: { firstNames: ['Ana'], lastName: 'Silva' }, sex: 'K', birthDate: '1992-03-04', birthPlace: 'Lisboa',
        previousAddress: { lines: ['Rua Augusta 10', '1100-053 Lisboa'], countryCode: '5156' }, entryDate: '2026-05-30', addressId: ADDR.A,
        civilStatus: { code: 'U' }, citizenships: ['5156'], residencePermit: { kind: 'certificate', issuedOn: '2026-05-29', reference: 'EU-2026-1' },
      });
      await shows('registration.immigration', imm.pnr);
      assert.deepEqual((await stored('registration.immigration', imm.pnr)).detail?.['seqs'], [imm.seq], 'the allocated number and its registration');
      const p = await t.person('Erik', 'Rejser', 'A', { sex: 'M' });
      const em = await post('/api/v1/registration/emigrations', { pnr: p, countryCode: '5180', departureDate: '2026-06-15', foreignAddress: { lines: ['Hauptstraße 1', '10115 Berlin'] } });
      await shows('registration.emigration', p);
      assert.deepEqual((await stored('registration.emigration', p)).detail?.['seqs'], [em.seq]);
    });

    test('a vital event (§2(2)) is the authority\'s transaction in its own log', async () => {
      const p = await t.person('Gerda', 'Afdød', 'A');
      await post('/api/v1/registration/deaths', { pnr: p, date: '2026-05-31' }, parish.key);
      const rec = await shows('registration.death', p, { actor: parish.id, officerKey: parish.officer, customer: 'sogn' });
      assert.equal(rec.legalBasis, '§2(2)');
      const own = await t.call('GET', `/api/v1/security/audit?type=registration.death`, { key: officer });
      assert.equal(own.json.records.length, 0, 'not in another customer\'s log');
    });

    test('a protection grant (§28) is the clerk\'s transaction', async () => {
      const p = await t.person('Hanne', 'Skjult', 'A');
      await post('/api/v1/registration/protections', { pnr: p, type: '0001', action: 'grant' });
      await shows('registration.protection.grant', p);
    });

    test('case steps: a held report registered (§6(3)) and an investigation opened (§10) are the clerk\'s transactions', async () => {
      const p = await t.person('Ida', 'Tvivl', 'A');
      const held = await post('/api/v1/registration/moves', { ...moveBody(p, 'Ida Tvivl', '2026-06-01'), doubt: 'Udlejer kender ikke personen.' });
      assert.equal(held.case.status, 'doubt');
      await shows('registration.move', p);
      const reg = await post(`/api/v1/cases/${held.case.id}/registration`, {});
      await shows('case.register', p);
      const r = await stored('case.register', p);
      assert.equal(r.detail?.['caseId'], held.case.id);
      assert.deepEqual(r.detail?.['seqs'], reg.registrations.map((x: { seq: number }) => x.seq));
      const q = await t.person('Jens', 'Undersøgt', 'A', { sex: 'M' });
      await post('/api/v1/cases/investigations', { pnr: q, basis: 'Posten kommer retur.' });
      await shows('case.open', q);
    });

    test('a complaint (§56) is the clerk\'s transaction', async () => {
      const p = await t.person('Kirsten', 'Klager', 'A');
      const c = await post('/api/v1/complaints', { pnr: p, about: 'residence_registration', text: 'Forkert adresse.' });
      await shows('complaint.lodge', p);
      assert.equal((await stored('complaint.lodge', p)).detail?.['caseId'], c.case.id);
    });

    test('AUD-3 fail closed: a move whose record cannot be written gets no answer (503); the write came first', async () => {
      const p = await t.person('Lone', 'Uden', 'A');
      const log = t.ctx.audit;
      const record = log.record.bind(log);
      log.record = (_e: AuditEntry) => Promise.reject(new AuditError('write_failed', 'the audit store is down'));
      let r;
      try {
        r = await t.call('POST', '/api/v1/registration/moves', { key: clerk.key, body: moveBody(p, 'Lone Uden', '2026-06-01') });
      } finally {
        log.record = record;
      }
      assert.equal(r.status, 503, r.text);
      assert.equal(r.json.code, 'audit_unavailable');
      assert.ok(!r.text.includes(p), 'no answer naming the person');
      // Write, then record: the registration stands in the registration log (with its authority) and its case.
      assert.equal((await t.current(p)).address?.addressId, ADDR.B);
    });
  });
}
