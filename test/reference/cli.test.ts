import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { addReferenceCommands } from '../../src/cli/commands/reference.ts';
import { CliError } from '../../src/cli/errors.ts';
import { FixedClock } from '../../src/domain/clock.ts';
import { SYNTHETIC_COMPANIES } from '../../src/reference/synth.ts';
import { openStore } from '../../src/storage/store.ts';

const dir = mkdtempSync(join(tmpdir(), 'opencpr-ref-cli-'));
const clock = new FixedClock('2026-06-01T12:00:00Z');

/** Runs `opencpr reference …` the way src/cli/main.ts runs commands (errors → stderr and an exit code). */
async function cli(storeFile: string, ...args: string[]) {
  let out = '';
  let err = '';
  const program = new Command('opencpr')
    .exitOverride()
    .configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  addReferenceCommands(
    program,
    async () => {
      const store = await openStore(storeFile);
      return { store, close: () => store.close() };
    },
    { out: (s) => (out += s), clock },
  );
  let code = 0;
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode === 0 ? 0 : 2;
    else if (e instanceof CliError) {
      err += `error: ${e.message}\n`;
      code = e.exitCode;
    } else throw e;
  }
  return { code, out, err };
}

describe('opencpr reference', () => {
  const store = join(dir, 'ref.db');
  after(() => rmSync(dir, { recursive: true, force: true }));

  before(async () => {
    const r = await cli(store, 'reference', 'import-addresses', '--sample');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /house numbers: 1320 rows: 1320 new/);
    assert.match(r.out, /unit addresses: 2802 rows: 2802 new/);
  });

  test('stats after the sample import; the sample again is unchanged', async () => {
    const again = await cli(store, 'reference', 'import-addresses', '--sample', '--json');
    assert.equal(again.code, 0, again.err);
    assert.equal(JSON.parse(again.out).unitAddresses.unchanged, 2802);
    const s = await cli(store, 'reference', 'stats', '--json');
    const stats = JSON.parse(s.out);
    assert.equal(stats.addresses.houseNumbers, 1320);
    assert.equal(stats.addresses.unitAddresses, 2802);
    assert.equal(stats.ownership.properties, 0);
  });

  test('import from files; a missing file and a bad line are clear errors with exit 1; bad usage exits 2', async () => {
    const shared = join(dir, 'h.csv');
    writeFileSync(shared, 'adgangsadresse_id,kommunekode,vejkode,vejnavn,husnr,postnr,postnrnavn\n0a3f507b-b8e7-32b8-e044-0003ba298018,0155,0966,Brydevej,11,2791,Dragør\nnope,0155,0966,Brydevej,11,2791,Dragør\n');
    const bad = await cli(store, 'reference', 'import-addresses', '--house-numbers', shared);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /h\.csv line 3: the house number id "nope" is not a UUID/);
    const missing = await cli(store, 'reference', 'import-addresses', '--unit-addresses', join(dir, 'none.csv'));
    assert.equal(missing.code, 1);
    assert.match(missing.err, /Cannot read .*none\.csv: no such file/);
    assert.equal((await cli(store, 'reference', 'import-addresses')).code, 2);
    assert.equal((await cli(store, 'reference', 'import-addresses', '--sample', '--house-numbers', shared)).code, 2);
    assert.equal((await cli(store, 'reference', 'generate-ownership', '--seed', 'x')).code, 2);
  });

  test('lookups: address by id, by postal address, by codes, roads', async () => {
    const a = await cli(store, 'reference', 'address', '0a3f50b3-e201-32b8-e044-0003ba298018');
    assert.equal(a.code, 0, a.err);
    assert.match(a.out, /Fyrreparken 100, 2\. tv, 5240 Odense NØ/);
    const h = await cli(store, 'reference', 'address', '0a3f5089-2f1a-32b8-e044-0003ba298018', '--json');
    assert.equal(JSON.parse(h.out).units.length, 8);
    const f = await cli(store, 'reference', 'find', '--road', 'fyrreparken', '--number', '100', '--postal-code', '5240', '--floor', '2', '--door', 'tv', '--json');
    assert.equal(JSON.parse(f.out)[0].units[0].id, '0a3f50b3-e201-32b8-e044-0003ba298018');
    const c = await cli(store, 'reference', 'find', '--municipality', '0155', '--road-code', '0966', '--number', '11');
    assert.match(c.out, /Brydevej 11, 2791 Dragør/);
    const none = await cli(store, 'reference', 'find', '--road', 'Nowhere', '--number', '1', '--postal-code', '5240');
    assert.equal(none.code, 1);
    const r = await cli(store, 'reference', 'roads', 'fyr', '--postal-code', '5240');
    assert.match(r.out, /Fyrreparken, 5240 Odense NØ/);
  });

  test('generate-ownership, then the ownership lookups; --out writes the import format', async () => {
    const g = await cli(store, 'reference', 'generate-ownership', '--seed', '11');
    assert.equal(g.code, 0, g.err);
    assert.match(g.out, /Generated \(seed 11, as of 2026-06-01\)/);
    assert.match(g.out, /await a person owner/);
    const big = SYNTHETIC_COMPANIES[0]!.cvr;
    const d = await cli(store, 'reference', 'dwellings', big, '--json');
    const dw = JSON.parse(d.out);
    assert.ok(dw.dwellings > 10 && dw.properties.length > 0);
    const bfe = dw.properties[0].bfe;
    const o = await cli(store, 'reference', 'owners', String(bfe));
    assert.match(o.out, new RegExp(`CVR ${big} ${SYNTHETIC_COMPANIES[0]!.name}`));
    {
      const s = await openStore(store);
      const actions = (await s.db.selectFrom('audit').select('action').execute()).map((x) => x.action);
      await s.close();
      assert.ok(actions.includes('reference.owners') && actions.includes('reference.dwellings'), 'owner lookups are audited');
    }
    const p = await cli(store, 'reference', 'property-of', '0a3f50b3-e201-32b8-e044-0003ba298018', '--json');
    assert.equal(p.code, 0, p.err);
    assert.ok(JSON.parse(p.out).bfe >= 900_000_001);
    const other = await cli(store, 'reference', 'generate-ownership', '--seed', '12');
    assert.equal(other.code, 1);
    assert.match(other.err, /generated with seed 11/);

    // The records as a file, imported into a fresh store, give the same register.
    const file = join(dir, 'own.ndjson');
    const out = await cli(store, 'reference', 'generate-ownership', '--seed', '11', '--out', file);
    assert.equal(out.code, 0, out.err);
    const fresh = join(dir, 'fresh.db');
    assert.equal((await cli(fresh, 'reference', 'import-addresses', '--sample')).code, 0);
    const imp = await cli(fresh, 'reference', 'import-ownership', file, '--json');
    assert.equal(imp.code, 0, imp.err);
    const lines = readFileSync(file, 'utf8').trim().split('\n').length;
    const s = JSON.parse(imp.out);
    assert.equal(s.properties.rows + s.locations.rows + s.ownerships.rows, lines);
    assert.equal(JSON.parse((await cli(fresh, 'reference', 'dwellings', big, '--json')).out).dwellings, dw.dwellings);

    const broken = join(dir, 'broken.ndjson');
    writeFileSync(broken, '{"type":"property","bfe":5,"validFrom":"2000-01-01"}\n{"type":"ownership","bfe":5,"cvr":"12345678","acquired":"2020-01-01"}\n');
    const b = await cli(fresh, 'reference', 'import-ownership', broken);
    assert.equal(b.code, 1);
    assert.match(b.err, /broken\.ndjson line 2: "cvr" 12345678 is not a CVR number/);
  });
});
