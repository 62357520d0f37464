/** `opencpr landlord …` (LAN-1): the administration's tools, on the bundled DAWA sample and a synthetic ownership register. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/main.ts';
import { FixedClock } from '../../src/domain/clock.ts';
import { OwnershipRegister } from '../../src/reference/ownership-register.ts';
import { SYNTHETIC_COMPANIES } from '../../src/reference/synth.ts';
import { openStore } from '../../src/storage/store.ts';

const dir = mkdtempSync(join(tmpdir(), 'opencpr-landlord-cli-'));
const store = join(dir, 'cli.db');
const clock = new FixedClock('2026-06-01T12:00:00Z');

async function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = await run(['-s', store, ...args], { out: (s) => (out += s), err: (s) => (err += s), clock });
  return { code, out, err };
}

describe('opencpr landlord', () => {
  const social = SYNTHETIC_COMPANIES.find((c) => c.kind === 'social_housing')!;
  before(async () => {
    for (const args of [
      ['reference', 'import-addresses', '--sample'],
      ['reference', 'generate-ownership', '--seed', '3'],
      ['customer', 'create', '--id', 'bolig', '--name', 'Boligselskab', '--kind', 'landlord'],
      ['customer', 'create', '--id', 'privat', '--name', 'Privat', '--kind', 'landlord'],
      ['customer', 'create', '--id', 'firma', '--name', 'Firma', '--kind', 'business'],
    ]) {
      const r = await cli(...args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('register a social housing organisation, tie an owner number, and see the dwellings the ownership register shows', async () => {
    assert.equal((await cli('landlord', 'register', 'bolig', '--kind', 'social_housing')).code, 0);
    const r = await cli('landlord', 'owner-number', 'add', 'bolig', social.cvr, '--json');
    assert.equal(r.code, 0, r.err);
    const v = JSON.parse(r.out);
    const db = await openStore(store);
    const expected = await new OwnershipRegister(db, clock).dwellingCount(social.cvr);
    await db.close();
    assert.ok(expected > 10, 'the synthetic organisation owns many dwellings');
    assert.equal(v.ownerNumbers[0].dwellingsInRegister, expected);
    assert.equal(v.enabled, true);
    const text = await cli('landlord', 'show', 'bolig');
    assert.match(text.out, new RegExp(`CVR ${social.cvr}\\s+${expected} dwellings`));
  });

  test('a private landlord: not enabled without documentation; 10 dwellings refused; 11 enabled; a person owner number is audited when shown', async () => {
    assert.match((await cli('landlord', 'register', 'privat', '--kind', 'private_landlord')).out, /NOT enabled \(documentation_missing\)/);
    const few = await cli('landlord', 'register', 'privat', '--kind', 'private_landlord', '--documentation', 'Sag 1', '--dwellings', '10');
    assert.equal(few.code, 1);
    assert.match(few.err, /more than 10 dwellings/);
    const ok = await cli('landlord', 'register', 'privat', '--kind', 'private_landlord', '--documentation', 'Sag 1', '--dwellings', '11', '--json');
    assert.equal(JSON.parse(ok.out).enabled, true);
    const add = await cli('landlord', 'owner-number', 'add', 'privat', '020260-0069', '--json');
    assert.equal(JSON.parse(add.out).ownerNumbers[0].number, '0202600069');
    const db = await openStore(store);
    const rec = await db.db.selectFrom('audit').select(['action', 'subjects']).where('action', '=', 'landlord.customers.read').execute();
    await db.close();
    assert.ok(rec.some((r) => r.subjects.includes('0202600069')));
    const list = await cli('landlord', 'list');
    assert.match(list.out, /^bolig /m);
    assert.match(list.out, /^privat /m);
  });

  test('refusals: a customer that is not a landlord, a bad owner number, a bad kind', async () => {
    const biz = await cli('landlord', 'register', 'firma', '--kind', 'social_housing');
    assert.equal(biz.code, 1);
    assert.match(biz.err, /not a landlord customer/);
    const bad = await cli('landlord', 'owner-number', 'add', 'bolig', '123');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /CVR number \(8 digits\)/);
    const kind = await cli('landlord', 'register', 'bolig', '--kind', 'council');
    assert.equal(kind.code, 2);
  });
});
