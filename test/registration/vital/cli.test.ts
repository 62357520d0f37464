/** `opencpr protections expire`: the lapse job from the command line, with the clock moved; idempotent; audited. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../src/cli/main.ts';
import { FixedClock } from '../../../src/domain/clock.ts';
import { Register } from '../../../src/register/register.ts';
import { openStore } from '../../../src/storage/store.ts';
import { createCast, type Cast } from '../../support/persons.ts';

const dir = mkdtempSync(join(tmpdir(), 'opencpr-vital-cli-'));
const store = join(dir, 'cli.db');
const clock = new FixedClock('2026-06-01T10:00:00Z');

async function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = await run(['-s', store, ...args], { out: (s) => (out += s), err: (s) => (err += s), clock });
  return { code, out, err };
}

describe('opencpr protections expire', () => {
  let cast: Cast;
  before(async () => {
    const r = new Register(await openStore(store), clock);
    cast = await createCast(r);
    await r.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('nothing has lapsed yet; after the end date one lapse is recorded, masked in the output; a second run records none', async () => {
    const first = await cli('protections', 'expire');
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /0 recorded/);
    clock.set('2027-01-02T08:00:00Z');
    const second = await cli('protections', 'expire', '--json');
    assert.equal(second.code, 0, second.err);
    const res = JSON.parse(second.out);
    assert.deepEqual(res.recorded.map((l: { pnr: string; lapsedOn: string }) => [l.pnr, l.lapsedOn]), [[cast.protectedNow, '2027-01-01']]);
    const third = await cli('protections', 'expire');
    assert.match(third.out, /0 recorded/);
    const s = await openStore(store);
    const audit = await s.db.selectFrom('audit').select(['action']).where('action', '=', 'registration.protection.lapse_run').execute();
    await s.close();
    assert.equal(audit.length, 3);
  });
});
