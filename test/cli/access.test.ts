/** `opencpr customer create` refuses unknown legal bases and scope fields with the valid ones (issue 14, finding 9). */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/main.ts';
import { FixedClock } from '../../src/domain/clock.ts';

const dir = mkdtempSync(join(tmpdir(), 'opencpr-cli-access-'));
const store = join(dir, 'cli.db');
const clock = new FixedClock('2026-11-01T12:00:00Z');
after(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = await run(['-s', store, ...args], { out: (s) => (out += s), err: (s) => (err += s), clock });
  return { code, out, err };
}

test('customer create: an unknown legal basis or scope field is an error naming the valid ones; nothing is stored', async () => {
  const bases = await cli('customer', 'create', '--id', 'handel', '--name', 'Handel ApS', '--kind', 'business', '--legal-bases', '§38,§39');
  assert.equal(bases.code, 1);
  assert.match(bases.err, /Unknown legal basis §38;.*§38\(2\).*\(unknown_legal_basis\)/);
  const scope = await cli('customer', 'create', '--id', 'kommune', '--name', 'Kommune', '--kind', 'public_authority', '--legal-bases', '§32', '--scope', 'name,navn');
  assert.equal(scope.code, 1);
  assert.match(scope.err, /Unknown scope field navn;.*\baddress\b.*\(unknown_scope_field\)/);
  assert.doesNotMatch(bases.err + scope.err, /at .*\.ts:\d+/, 'no stack trace');
  const list = await cli('customer', 'list', '--json');
  assert.deepEqual(JSON.parse(list.out), []);
  const ok = await cli('customer', 'create', '--id', 'handel', '--name', 'Handel ApS', '--kind', 'business', '--legal-bases', '§38(2),§39');
  assert.equal(ok.code, 0, ok.err);
});
