import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/main.ts';
import { FixedClock } from '../../src/domain/clock.ts';
import { openStore } from '../../src/storage/store.ts';

const dir = mkdtempSync(join(tmpdir(), 'opencpr-cli-'));
const store = join(dir, 'cli.db');
const clock = new FixedClock('2026-11-01T12:00:00Z');

async function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = await run(['-s', store, ...args], { out: (s) => (out += s), err: (s) => (err += s), clock });
  return { code, out, err };
}

describe('opencpr CLI', () => {
  let somebody: string;
  before(async () => {
    const r = await cli('generate', '--persons', '300', '--seed', '7');
    assert.equal(r.code, 0, r.err);
    const db = await openStore(store);
    const row = await db.db
      .selectFrom('registration')
      .select('pnr')
      .where('event_code', '=', 'A01')
      .orderBy('seq')
      .limit(1)
      .executeTakeFirstOrThrow();
    await db.close();
    somebody = row.pnr;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('generate is deterministic and resumable: the same job again adds nothing', async () => {
    const again = await cli('generate', '--persons', '300', '--seed', '7');
    assert.equal(again.code, 0);
    assert.match(again.err, /already loaded/);
    const init = await cli('init');
    assert.match(init.out, /\(300 person numbers\)/);
  });

  test('the load is the operator\'s audit record, so a store only generated verifies clean (not "emptied")', async () => {
    const v = await cli('audit', 'verify');
    assert.equal(v.code, 0, v.out + v.err);
    const db = await openStore(store);
    const rec = await db.db.selectFrom('audit').select(['action', 'actor']).where('action', '=', 'population.generate').execute();
    await db.close();
    assert.equal(rec.length, 1, 'one record for the load; the resumed run that loaded nothing adds none');
    assert.match(rec[0]!.actor, /^cli:/);
  });

  test('person: current state, as JSON, and as valid at an earlier date', async () => {
    const r = await cli('person', somebody, '--json');
    assert.equal(r.code, 0, r.err);
    const p = JSON.parse(r.out);
    assert.equal(p.pnr, somebody);
    assert.ok(p.state.name.value.lastName);
    const past = JSON.parse((await cli('person', somebody, '--json', '--valid-at', p.birthDate)).out);
    assert.notEqual(past.state.address.value.addressId, undefined);
    assert.equal(past.validAt, p.birthDate);
  });

  test('person --history lists versions and registrations', async () => {
    const r = await cli('person', somebody, '--history');
    assert.equal(r.code, 0);
    assert.match(r.out, /Registrations:/);
    assert.match(r.out, /A01/);
  });

  test('every person lookup leaves an audit record', async () => {
    await cli('person', somebody);
    const db = await openStore(store);
    const rows = await db.db.selectFrom('audit').selectAll().where('action', '=', 'person.lookup').execute();
    await db.close();
    assert.ok(rows.some((x) => JSON.parse(x.subjects).includes(somebody)));
    assert.ok(rows.every((x) => x.actor.startsWith('cli:')));
  });

  test('bad input: clear message, non-zero exit, no stack trace', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['person', '12345'], 2, /not a person number/],
      [['person', '0101011234'], 1, /No person with number 010101-xxxx/],
      [['person', somebody, '--valid-at', '2021-02-29'], 2, /--valid-at must be a date/],
      [['person', somebody, '--known-at', 'yesterday'], 2, /--known-at must be a date or an ISO time/],
      [['pnr', 'allocate', '--birth-date', '1990-01-01', '--sex', 'X'], 2, /--sex is M or K/],
      [['address', 'residents', 'not-a-uuid'], 2, /not a DAR address id/],
      [['generate', '--persons', '-5'], 2, /positive whole number/],
    ];
    for (const [args, code, message] of cases) {
      const r = await cli(...args);
      assert.equal(r.code, code, args.join(' '));
      assert.match(r.err, message);
      assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
    }
  });

  test('pnr validate says why; exit 0 only when valid', async () => {
    const ok = await cli('pnr', 'validate', '010190-3001');
    assert.equal(ok.code, 0);
    assert.match(ok.out, /^valid/);
    const bad = await cli('pnr', 'validate', '290200-1234');
    assert.equal(bad.code, 1);
    assert.match(bad.out, /no such date/);
    assert.equal((await cli('pnr', 'mask', '0101901234')).out.trim(), '010190-xxxx');
  });

  test('pnr allocate gives a new valid number each time', async () => {
    const a = (await cli('pnr', 'allocate', '--birth-date', '1970-05-05', '--sex', 'K')).out.trim();
    const b = (await cli('pnr', 'allocate', '--birth-date', '1970-05-05', '--sex', 'K')).out.trim();
    assert.match(a, /^050570\d{4}$/);
    assert.notEqual(a, b);
    assert.equal(Number(a[9]) % 2, 0, 'even last digit for K');
  });

  test('address residents lists who lives at a unit address, and JSON for scripts', async () => {
    const p = JSON.parse((await cli('person', somebody, '--json')).out);
    const id = p.state.address?.value.addressId;
    if (!id) return assert.fail('the sample person should have an address');
    const r = await cli('address', 'residents', id, '--json');
    assert.equal(r.code, 0, r.err);
    assert.ok(JSON.parse(r.out).some((x: { pnr: string }) => x.pnr === somebody));
    const db = await openStore(store);
    const rec = await db.db.selectFrom('audit').select('subjects').where('action', '=', 'address.residents').orderBy('id', 'desc').executeTakeFirstOrThrow();
    await db.close();
    assert.ok(JSON.parse(rec.subjects).includes(somebody), 'the audit record names the persons shown');
  });

  test('the installed command runs (bin/opencpr.js through tsx)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/opencpr.js', 'pnr', 'mask', '010190-1234']);
    assert.equal(stdout.trim(), '010190-xxxx');
  });
});
