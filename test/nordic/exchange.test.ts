/**
 * NOR-1, NOR-2 (seed 004), issue 15 deliverable 6: the Danish register and a
 * simulated Swedish peer (src/nordic/peer.ts) as two processes on loopback,
 * messages both ways, with a lost message and a duplicate each way; the
 * waiting register's 3-day advis and 14-day deletion of the standard
 * information driven by the injected clock.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { deliverDue } from '../../src/services/registration/nordic-exchange.ts';
import { sweepWaitingRegister } from '../../src/services/registration/nordic.ts';
import { STORE_KINDS } from '../support/stores.ts';
import { ODENSE_ADDRESS_2, setUp, state } from '../registration/vital/support.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function startPeer(denmark: string, key: string): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/nordic/peer.ts', '--country', '5120', '--denmark', denmark, '--key', key], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: proc.stdout! }), 'line')) as [string];
  return { proc, url: JSON.parse(line).exchangeUrl };
}

for (const kind of STORE_KINDS) {
  describe(`the Nordic exchange: Danish register ↔ simulated Swedish peer on ${kind}`, () => {
    let s: Awaited<ReturnType<typeof setUp>>;
    let peer: { proc: ChildProcess; url: string };
    let peers: Map<string, string>;
    let svenPnr: string;
    let requestId: string;
    before(async () => {
      s = await setUp(kind, '2026-06-02T10:00:00Z');
      // Skatteverket's program, speaking for Sweden (5120) through the CPR office's channel (§25).
      const se = await s.api.customerWithKey({ id: 'skatteverket', name: 'Skatteverket', kind: 'public_authority', number: '5120', legalBases: ['§25'] }, { kind: 'program', roles: ['register'] });
      peer = await startPeer(`${s.api.base}/api/v1/nordic-exchange`, se.key);
      peers = new Map([['5120', peer.url]]);
    });
    after(async () => {
      peer?.proc.kill('SIGTERM');
      if (peer) await once(peer.proc, 'exit');
      await s?.api.dispose();
    });
    const control = async (path: string, body?: unknown) => {
      const res = await fetch(peer.url.replace('/nordic/v1', '') + path, { method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return res.json() as Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the peer's control answers
    };
    const waiting = async (key: string) => (await s.api.call('GET', '/api/v1/registration/waiting-register', { key })).json.items as Array<any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON

    test('Denmark → Sweden: the move-in notice and the standard-information request survive a lost message and a lost acknowledgement; Sweden keeps each once', async () => {
      await control('/control/people', { pnr: '19850203-1234', information: { pnr: '19850203-1234', name: 'Sven Svensson', birthDate: '1985-02-03', sex: 'M', birthPlace: 'Malmö', citizenships: ['5120'], address: { lines: ['Storgatan 1', '211 34 Malmö'] }, departureDate: '2026-06-01' } });
      const imm = await s.api.call('POST', '/api/v1/registration/immigrations', { key: s.keys.odense, body: {
        name: { firstNames: ['Sven'], lastName: 'Svensson' }, sex: 'M', birthDate: '1985-02-03', birthPlace: 'Malmö',
        previousAddress: { lines: ['Storgatan 1', 'Malmö'], countryCode: '5120' }, entryDate: '2026-06-01', addressId: ODENSE_ADDRESS_2,
        civilStatus: { code: 'U' }, citizenships: ['5120'], nordic: { foreignPnr: '19850203-1234', previousMunicipality: 'Malmö', requestStandardInformation: true },
      } });
      assert.equal(imm.status, 201, imm.text);
      svenPnr = imm.json.pnr;
      const outgoing = (await waiting(s.keys.odense)).filter((i) => i.direction === 'outgoing' && i.pnr === svenPnr).map((i) => i.kind).sort();
      assert.deepEqual(outgoing, ['move_in_notice', 'standard_information_request']);

      // The first message is lost: Sweden answers 503 and keeps nothing.
      await control('/control/faults', { refuse: 1 });
      const r1 = await deliverDue(s.api.register, { peers });
      assert.equal(r1.retrying.length, 1);
      assert.equal(r1.delivered.length, 1);
      assert.deepEqual(await deliverDue(s.api.register, { peers }), { delivered: [], retrying: [], failed: [] }, 'not due again before the retry delay');

      // A minute later (the clock, not the wall) the retry reaches Sweden, whose acknowledgement is lost.
      s.api.clock.advance(60_000);
      await control('/control/faults', { dropResponses: 1 });
      const r2 = await deliverDue(s.api.register, { peers });
      assert.deepEqual(r2.retrying, r1.retrying);
      s.api.clock.advance(2 * 60_000);
      const r3 = await deliverDue(s.api.register, { peers });
      assert.deepEqual(r3.delivered, r1.retrying, 'sent again, acknowledged as a duplicate');

      const se = await control('/control/state');
      const kinds = se.received.map((m: { kind: string }) => m.kind).sort();
      assert.deepEqual(kinds, ['move_in_notice', 'standard_information_request'], 'each message kept once');
      assert.equal(se.duplicates, 1);
      const notice = se.received.find((m: { kind: string }) => m.kind === 'move_in_notice');
      assert.equal(notice.body.recipientPnr, '19850203-1234');
      assert.equal(notice.body.senderPnr, svenPnr);
      assert.equal(notice.body.moveInDate, '2026-06-01');
      requestId = se.received.find((m: { kind: string }) => m.kind === 'standard_information_request').messageId;
      assert.equal((await waiting(s.keys.odense)).filter((i) => i.direction === 'outgoing' && i.pnr === svenPnr).length, 0, 'both marked sent');
      const pending = await s.api.call('GET', '/api/v1/nordic-exchange/outbox?pending=true', { key: s.keys.cpr });
      assert.equal(pending.status, 200, pending.text);
      assert.deepEqual(pending.json.messages, []);
    });

    test('Sweden → Denmark: the standard information reaches the municipality\'s waiting register once, though lost once and sent twice; advis 3 days before, deleted 14 days after receipt', async () => {
      await control('/control/faults', { loseOutgoing: 1 });
      let f = await control('/control/flush', {});
      assert.equal(f.delivered.length, 0);
      assert.equal(f.pending.length, 1, 'the lost answer stays in Sweden\'s outbox');
      await control('/control/faults', { loseAcks: 1 });
      f = await control('/control/flush', {});
      assert.equal(f.pending.length, 1, 'Denmark got it, Sweden does not know');
      f = await control('/control/flush', {});
      assert.equal(f.delivered.length, 1);
      const resent = await control('/control/resend', { messageId: f.delivered[0] });
      assert.equal(resent.status, 200);
      assert.equal(resent.body.status, 'duplicate');

      const items = (await waiting(s.keys.odense)).filter((i) => i.kind === 'nordic_standard_information');
      assert.equal(items.length, 1, 'one item for three deliveries');
      const item = items[0];
      assert.equal(item.pnr, svenPnr);
      assert.equal(item.payload.request, requestId);
      assert.equal(item.payload.information.birthPlace, 'Malmö');
      assert.equal(item.deletesOn, '2026-06-16');
      assert.equal((await waiting(s.keys.dragor)).some((i) => i.id === item.id), false, 'only the requesting municipality sees it');
      const audits = await s.api.register.store.db.selectFrom('audit').select(['action']).where('action', '=', 'nordic.message_received').execute();
      assert.equal(audits.length, 3, 'each delivery is recorded, the duplicates too');

      // NOR-2: the advis 3 days before the deletion, the deletion 14 days after receipt (received 2026-06-02).
      s.api.clock.set('2026-06-12T10:00:00Z');
      await sweepWaitingRegister(s.api.register);
      assert.equal((await waiting(s.keys.odense)).find((i) => i.id === item.id).deletionNotice, false);
      s.api.clock.set('2026-06-13T10:00:00Z');
      await sweepWaitingRegister(s.api.register);
      assert.equal((await waiting(s.keys.odense)).find((i) => i.id === item.id).deletionNotice, true);
      s.api.clock.set('2026-06-15T10:00:00Z');
      await sweepWaitingRegister(s.api.register);
      assert.ok((await waiting(s.keys.odense)).some((i) => i.id === item.id), 'still there the day before');
      s.api.clock.set('2026-06-16T10:00:00Z');
      await sweepWaitingRegister(s.api.register);
      assert.equal((await waiting(s.keys.odense)).some((i) => i.id === item.id), false);
      s.api.clock.set('2026-06-16T12:00:00Z');
    });

    test('a subsequent enquiry: the answer is shown and deleted by the municipality; an answer to no request is refused', async () => {
      const e = await s.api.call('POST', '/api/v1/registration/nordic-enquiries', { key: s.keys.odense, body: { pnr: svenPnr, countryCode: '5120', foreignPnr: '19850203-1234' } });
      assert.equal(e.status, 202, e.text);
      const other = await s.api.call('POST', '/api/v1/registration/nordic-enquiries', { key: s.keys.dragor, body: { pnr: svenPnr, countryCode: '5120', foreignPnr: '19850203-1234' } });
      assert.equal(other.status, 403);
      assert.equal(other.json.code, 'other_municipality');
      // The refused enquiry read the person: it is the clerk's audit record too (no trace-free probing).
      await s.api.ctx.audit.drain();
      const byDragor = (await s.api.ctx.audit.lookupsOf(svenPnr)).filter((l) => l.customer === 'kommune-0155' && l.action === 'registration.nordic_enquiry');
      assert.equal(byDragor.length, 1, 'the refused enquiry is in the log');
      assert.deepEqual((await deliverDue(s.api.register, { peers })).delivered, [e.json.messageId]);
      assert.equal((await control('/control/flush', {})).delivered.length, 1);
      const item = (await waiting(s.keys.odense)).find((i) => i.kind === 'nordic_standard_information' && i.payload.request === e.json.messageId);
      assert.ok(item);
      const shown = await s.api.call('GET', `/api/v1/registration/waiting-register/${item.id}`, { key: s.keys.odense });
      assert.equal(shown.json.payload.information.name, 'Sven Svensson');
      const closed = await s.api.call('POST', `/api/v1/registration/waiting-register/${item.id}/close`, { key: s.keys.odense, body: {} });
      assert.equal(closed.status, 200, closed.text);
      assert.equal(closed.json.resolution, 'deleted');

      const bogus = await control('/control/send', { kind: 'standard_information', inReplyTo: 'dk-00000000-no-such-request', body: { found: false } });
      const f = await control('/control/flush', {});
      assert.deepEqual(f.pending, [bogus.messageId]);
      const st = await control('/control/state');
      assert.match(st.outbox.find((o: { message: { messageId: string } }) => o.message.messageId === bogus.messageId).lastError, /unknown_nordic_request/);
    });

    test('Sweden → Denmark: a move-in notice waits for approval; a standard-information request about a Danish person is answered by CPR itself', async () => {
      const dane = s.cast.ordinary;
      await control('/control/send', { kind: 'move_in_notice', body: { recipientPnr: dane, senderPnr: '19800402-5678', name: 'Karen Olsen', birthDate: '1980-04-02', sex: 'K', moveInDate: '2026-06-10', municipality: 'Lund', address: { lines: ['Stora Södergatan 2', '222 23 Lund'] } } });
      await control('/control/send', { kind: 'standard_information_request', body: { recipientPnr: dane } });
      // Unmatched: a number Denmark does not know gets found: false, not an error.
      await control('/control/send', { kind: 'standard_information_request', body: { recipientPnr: '0101010000' } });
      const flushed = await control('/control/flush', {});
      assert.equal(flushed.delivered.length, 3, JSON.stringify((await control('/control/state')).outbox.filter((o: { delivered: boolean }) => !o.delivered)));
      const em = (await waiting(s.keys.odense)).find((i) => i.kind === 'nordic_emigration' && i.pnr === dane);
      assert.equal(em.payload.moveInDate, '2026-06-10');
      assert.equal(em.payload.foreignPnr, '19800402-5678');
      assert.equal((await state(s.api.register, dane)).status.value.code, '01', '§25(2): registered as emigrated only on approval');

      const run = await s.api.call('POST', '/api/v1/nordic-exchange/deliver', { key: s.keys.cpr, body: {} });
      assert.equal(run.status, 200, run.text);
      const odense = await s.api.call('POST', '/api/v1/nordic-exchange/deliver', { key: s.keys.odense, body: {} });
      assert.equal(odense.status, 403);
      // The route has no peers configured (no OPENCPR_NORDIC_PEERS): the answers wait, nothing is lost.
      assert.equal(run.json.retrying.length, 2);
      s.api.clock.advance(60_000);
      assert.equal((await deliverDue(s.api.register, { peers })).delivered.length, 2);
      const answers = (await control('/control/state')).received.filter((m: { kind: string }) => m.kind === 'standard_information');
      const found = answers.find((m: { body: { found: boolean } }) => m.body.found);
      assert.equal(found.body.information.pnr, dane);
      assert.equal(found.body.information.name, 'Karen Olsen');
      assert.deepEqual(found.body.information.citizenships, ['5100']);
      assert.equal(answers.filter((m: { body: { found: boolean } }) => !m.body.found).length, 1);
    });

    test('a refusal of entry is its own event: recorded, audited and reported to the country of departure; Sweden\'s refusal waits in the register', async () => {
      const r = await s.api.call('POST', '/api/v1/registration/nordic-entry-refusals', { key: s.keys.odense, body: { countryCode: '5120', foreignPnr: '19990909-9999', name: 'Nils Nej', birthDate: '1999-09-09', sex: 'M', reason: 'Ophold under 6 måneder' } });
      assert.equal(r.status, 201, r.text);
      const bad = await s.api.call('POST', '/api/v1/registration/nordic-entry-refusals', { key: s.keys.odense, body: { countryCode: '5156', foreignPnr: '19990909-9999', name: 'Nils Nej', birthDate: '1999-09-09', sex: 'M' } });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.code, 'not_nordic_country');
      assert.ok((await waiting(s.keys.odense)).some((i) => i.id === r.json.waitingItem && i.kind === 'entry_refusal'));
      assert.deepEqual((await deliverDue(s.api.register, { peers })).delivered, [r.json.messageId]);
      const got = (await control('/control/state')).received.find((m: { messageId: string }) => m.messageId === r.json.messageId);
      assert.deepEqual(got.body, { recipientPnr: '19990909-9999', name: 'Nils Nej', birthDate: '1999-09-09', sex: 'M', reason: 'Ophold under 6 måneder' });
      const audit = await s.api.register.store.db.selectFrom('audit').select(['action']).where('action', '=', 'registration.nordic_entry_refusal').execute();
      assert.equal(audit.length, 1);

      await control('/control/send', { kind: 'refusal_notice', body: { recipientPnr: s.cast.ordinary, name: 'Karen Olsen', birthDate: '1980-04-02', sex: 'K', reason: 'Ingen bopæl' } });
      await control('/control/flush', {});
      assert.ok((await waiting(s.keys.odense)).some((i) => i.kind === 'nordic_refusal' && i.payload.reason === 'Ingen bopæl'));
    });

    test('a foreign authority speaks only for its own country; Denmark is the only recipient', async () => {
      const se = await s.api.customerWithKey({ id: 'skatteetaten', name: 'Skatteetaten', kind: 'public_authority', number: '5110', legalBases: ['§25'] }, { kind: 'program', roles: ['register'] });
      const msg = { protocol: 'nordic-exchange/1', messageId: 'x-12345678', from: '5120', to: '5100', sentAt: '2026-06-16T12:00:00Z', kind: 'standard_information_request', body: { recipientPnr: s.cast.ordinary } };
      const r = await s.api.call('POST', '/api/v1/nordic-exchange/messages', { key: se.key, body: msg });
      assert.equal(r.status, 403);
      assert.equal(r.json.code, 'nordic_sender_mismatch');
      const m = await s.api.call('POST', '/api/v1/nordic-exchange/messages', { key: s.keys.odense, body: msg });
      assert.equal(m.json.code, 'not_nordic_channel');
    });
  });
}
