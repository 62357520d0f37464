import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { AuditLog } from '../../src/access/audit.ts';
import { addExtractCommands } from '../../src/cli/commands/extracts.ts';
import { CliError } from '../../src/cli/errors.ts';
import { Register } from '../../src/register/register.ts';
import {
  EXTRACT_ACTIONS,
  ExtractError,
  ExtractService,
  LOCAL_DIRECTORY_COLUMNS,
  LOCAL_DIRECTORY_NOTICE,
  MARKETING_COLUMNS,
  parseCsv,
  quarterOf,
} from '../../src/services/extracts.ts';
import { yearsBefore } from '../../src/domain/dates.ts';
import { openStore } from '../../src/storage/store.ts';
import { freshRegister, STORE_KINDS } from '../support/stores.ts';

const TODAY = '2026-06-01';

function address(municipalityCode: string, roadName: string, houseNumber: string, postalCode: string, postalDistrict: string) {
  return { municipalityCode, roadCode: '0100', roadName, houseNumber, postalCode, postalDistrict, addressId: randomUUID() };
}

type Change = { group: string; validFrom: string; validTo?: string | null; value: unknown };

/** Registers a person born on `birthDate` with the given facts; returns the number. */
async function person(register: Register, birthDate: string, first: string, last: string, changes: Change[]): Promise<string> {
  const pnr = await register.allocatePnr(birthDate, 'K');
  await register.register({
    pnr,
    authority: '0461',
    eventCode: 'A01',
    changes: [
      { group: 'name', validFrom: birthDate, value: { firstNames: [first], lastName: last } },
      { group: 'status', validFrom: birthDate, value: { code: '01' } },
      ...changes,
    ],
  });
  return pnr;
}

const rowsOf = (csv: string) => {
  const [header, ...rows] = parseCsv(csv);
  return { header: header!, rows: rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? '']))) };
};

async function readAll(gen: AsyncIterable<string>): Promise<string> {
  let s = '';
  for await (const c of gen) s += c;
  return s;
}

describe('extract helpers', () => {
  test('quarters and "3 years before"', () => {
    assert.equal(quarterOf('2026-01-01'), '2026Q1');
    assert.equal(quarterOf('2026-06-30'), '2026Q2');
    assert.equal(quarterOf('2026-07-01'), '2026Q3');
    assert.equal(quarterOf('2026-12-31'), '2026Q4');
    assert.equal(yearsBefore('2026-06-01', 3), '2023-06-01');
    assert.equal(yearsBefore('2028-02-29', 3), '2025-02-28');
    assert.equal(yearsBefore('2028-02-29', 4), '2024-02-29');
  });
  test('CSV quoting round-trips', () => {
    const rows = parseCsv('a,"b,c","d ""e"""\r\n,x\r\n');
    assert.deepEqual(rows, [['a', 'b,c', 'd "e"'], ['', 'x']]);
  });
});

for (const kind of STORE_KINDS) {
  describe(`extracts on ${kind}`, () => {
    let ctx: Awaited<ReturnType<typeof freshRegister>>;
    let service: ExtractService;
    let audit: AuditLog;
    const p: Record<string, string> = {};
    const addr: Record<string, ReturnType<typeof address>> = {};

    before(async () => {
      ctx = await freshRegister(kind, `${TODAY}T09:00:00Z`);
      const r = ctx.register;
      audit = new AuditLog(r.store, ctx.clock);
      service = new ExtractService(r, audit);
      const marketing = { group: 'protection', validFrom: '2019-01-01', value: { type: '0003' } };

      // ── Marketing-protection list (Aarhus, 0751) ──
      addr.movedA = address('0751', 'Åboulevarden', '10', '8000', 'Aarhus C');
      addr.movedB = address('0751', 'Banegårdspladsen', '2', '8000', 'Aarhus C');
      p.moved2y = await person(r, '1980-03-01', 'Anna', 'Andersen', [
        marketing,
        { group: 'address', validFrom: '2015-01-01', validTo: '2024-06-01', value: addr.movedA },
        { group: 'address', validFrom: '2024-06-01', value: addr.movedB },
      ]);
      addr.oldC = address('0751', 'Clemens Bro', '3', '8000', 'Aarhus C');
      addr.oldD = address('0751', 'Dalgas Avenue', '4', '8000', 'Aarhus C');
      p.moved4y = await person(r, '1981-03-01', 'Bo', 'Bertelsen', [
        marketing,
        { group: 'address', validFrom: '2010-01-01', validTo: '2022-05-01', value: addr.oldC },
        { group: 'address', validFrom: '2022-05-01', value: addr.oldD },
      ]);
      p.bothProtections = await person(r, '1982-03-01', 'Cecilie', 'Christensen', [
        marketing,
        { group: 'protection', validFrom: '2026-01-01', validTo: '2027-01-01', value: { type: '0001' } },
        { group: 'address', validFrom: '2010-01-01', value: address('0751', 'Europaplads', '5', '8000', 'Aarhus C') },
      ]);
      p.unprotected = await person(r, '1983-03-01', 'Dorte', 'Dam', [
        { group: 'address', validFrom: '2010-01-01', value: address('0751', 'Frederiksgade', '6', '8000', 'Aarhus C') },
      ]);
      p.revoked = await person(r, '1984-03-01', 'Eva', 'Eriksen', [
        { group: 'protection', validFrom: '2019-01-01', validTo: '2025-01-01', value: { type: '0003' } },
        { group: 'address', validFrom: '2010-01-01', value: address('0751', 'Guldsmedgade', '7', '8000', 'Aarhus C') },
      ]);
      // Name-and-address protection that has lapsed: the person is listed, but the address they had while protected is not.
      addr.shelterE = address('0751', 'Havnegade', '8', '8000', 'Aarhus C');
      p.lapsed = await person(r, '1985-03-01', 'Frida', 'Friis', [
        marketing,
        { group: 'protection', validFrom: '2023-06-01', validTo: '2024-06-01', value: { type: '0001' } },
        { group: 'address', validFrom: '2020-01-01', validTo: '2024-06-01', value: addr.shelterE },
        { group: 'address', validFrom: '2024-06-01', value: address('0751', 'Immervad', '9', '8000', 'Aarhus C') },
      ]);
      // Emigrated: no current address to list.
      p.emigrated = await person(r, '1987-03-01', 'Hans', 'Udvandrer', [
        marketing,
        { group: 'address', validFrom: '2010-01-01', validTo: '2025-01-01', value: address('0751', 'Kannikegade', '1', '8000', 'Aarhus C') },
        { group: 'status', validFrom: '2025-01-01', value: { code: '80' } },
      ]);
      // Marketing protection registered before it starts: the stored current state predates it, and it is seen once in force.
      ctx.clock.set('2026-05-01T09:00:00Z');
      p.future = await person(r, '1986-03-01', 'Gitte', 'Gade', [
        { group: 'protection', validFrom: '2026-05-20', value: { type: '0003' } },
        { group: 'address', validFrom: '2010-01-01', value: address('0751', 'Jægergårdsgade', '11', '8000', 'Aarhus C') },
      ]);
      ctx.clock.set(`${TODAY}T10:00:00Z`);

      // ── Local directory (Odense, 0461) ──
      const odense = (road: string, no: string) => address('0461', road, no, '5000', 'Odense C');
      p.teacher = await person(r, '1970-01-02', 'Hanne', 'Østergaard', [
        { group: 'address', validFrom: '2000-01-01', value: odense('Vestergade', '12') },
        { group: 'occupation', validFrom: '2000-01-01', value: { title: 'Lærer' } },
      ]);
      p.baker = await person(r, '1971-01-02', 'Ib', 'Andersen', [
        { group: 'address', validFrom: '2000-01-01', value: odense('Overgade', '1') },
        { group: 'occupation', validFrom: '2000-01-01', value: { title: 'Bager, mester' } },
      ]);
      p.nameProtected = await person(r, '1972-01-02', 'Jens', 'Jensen', [
        { group: 'address', validFrom: '2000-01-01', value: odense('Kongensgade', '2') },
        { group: 'protection', validFrom: '2026-01-01', validTo: '2027-01-01', value: { type: '0001' } },
      ]);
      p.directoryProtected = await person(r, '1973-01-02', 'Karen', 'Kjær', [
        { group: 'address', validFrom: '2000-01-01', value: odense('Nørregade', '3') },
        { group: 'protection', validFrom: '2020-01-01', value: { type: '0002' } },
      ]);
      p.copenhagen = await person(r, '1974-01-02', 'Lars', 'Larsen', [
        { group: 'address', validFrom: '2000-01-01', value: address('0101', 'Strøget', '4', '1160', 'København K') },
      ]);
      p.movedAway = await person(r, '1975-01-02', 'Mads', 'Madsen', [
        { group: 'address', validFrom: '2000-01-01', validTo: '2025-01-01', value: odense('Vindegade', '5') },
        { group: 'address', validFrom: '2025-01-01', value: address('0101', 'Amagertorv', '6', '1160', 'København K') },
      ]);
    });
    after(async () => ctx.dispose());

    test('marketing-protection list: 0003 in force, without 0001; previous address only within 3 years', async () => {
      const ext = await service.marketingList({ actor: 'test', customer: null });
      assert.equal(ext.kind, 'marketing_protection');
      assert.equal(ext.period, '2026Q2');
      assert.equal(ext.asOf, TODAY);
      const csv = await readAll(service.file(ext.id));
      const { header, rows } = rowsOf(csv);
      assert.deepEqual(header, MARKETING_COLUMNS);
      assert.equal(ext.rows, rows.length);
      assert.ok(csv.endsWith('\r\n'));
      const byName = new Map(rows.map((x) => [x.last_name, x]));
      assert.deepEqual([...byName.keys()].sort(), ['Andersen', 'Bertelsen', 'Friis', 'Gade']);
      assert.ok(rows.every((x) => x.as_of === TODAY));

      const moved2y = byName.get('Andersen')!;
      assert.equal(moved2y.road_name, 'Banegårdspladsen');
      assert.equal(moved2y.address_id, addr.movedB!.addressId);
      assert.equal(moved2y.previous_road_name, 'Åboulevarden', 'moved out 2 years ago: previous address given');
      assert.equal(moved2y.previous_address_id, addr.movedA!.addressId);
      assert.equal(moved2y.addressing_name, 'Andersen,Anna');

      const moved4y = byName.get('Bertelsen')!;
      assert.equal(moved4y.road_name, 'Dalgas Avenue');
      assert.equal(moved4y.previous_road_name, '', 'moved out 4 years ago: no previous address');
      assert.equal(moved4y.previous_address_id, '');

      assert.equal(byName.get('Friis')!.previous_road_name, '', 'the previous address was protected (§28) while the person lived there');
      assert.ok(!csv.includes('Christensen'), 'name-and-address protection (0001) keeps a person off the list');
      assert.ok(!csv.includes('Dam'), 'no marketing protection, not on the list');
      assert.ok(!csv.includes('Eriksen'), 'revoked marketing protection');
      assert.ok(!csv.includes('Udvandrer'), 'no current address');
      // No person number, birth date or move date is ever in the file.
      for (const pnr of Object.values(p)) assert.ok(!csv.includes(pnr) && !csv.includes(pnr.slice(0, 6)));
      assert.ok(!csv.includes('2024-06-01'));

      // One audit record for the list, naming it, not the persons.
      const recs = await audit.lookupsOf(`extract:${ext.id}`);
      assert.equal(recs.length, 1);
      assert.equal(recs[0]!.action, EXTRACT_ACTIONS.marketingGenerate);
      assert.equal((await audit.lookupsOf(p.moved2y!)).length, 0);
    });

    test('the quarter\'s list is reused; a download is one audit record and is told to the persons on it', async () => {
      const first = await service.currentMarketingList();
      const again = await service.currentMarketingList();
      assert.equal(first.id, again.id);
      assert.equal(first.sha256, (await service.latestMarketingList('2026Q2'))!.sha256);
      await service.recordDownload(first, { actor: 'usr_1', customer: 'shop', requestId: 'r1' });
      const deliveries = await service.deliveriesOf(p.moved2y!);
      assert.equal(deliveries.length, 1);
      assert.equal(deliveries[0]!.customer, 'shop');
      assert.equal(deliveries[0]!.action, EXTRACT_ACTIONS.marketingDownload);
      assert.equal((await service.deliveriesOf(p.unprotected!)).length, 0);
      // A new quarter gets a new list.
      ctx.clock.set('2026-07-01T08:00:00Z');
      const q3 = await service.currentMarketingList();
      assert.equal(q3.period, '2026Q3');
      assert.notEqual(q3.id, first.id);
      ctx.clock.set(`${TODAY}T10:00:00Z`);
    });

    test('local directory: residents of the municipality, without 0001/0002, with occupation and the notice', async () => {
      const ext = await service.localDirectory('0461', { actor: 'test', recipient: 'Fyens Vejviser A/S' });
      const csv = await readAll(service.file(ext.id));
      const { header, rows } = rowsOf(csv);
      assert.deepEqual(header, LOCAL_DIRECTORY_COLUMNS);
      assert.deepEqual(
        rows.map((x) => x.last_name),
        ['Andersen', 'Østergaard'],
        'Danish alphabetical order; protected persons and other municipalities left out',
      );
      const teacher = rows[1]!;
      assert.equal(teacher.occupation, 'Lærer');
      assert.equal(teacher.road_name, 'Vestergade');
      assert.equal(teacher.municipality_code, '0461');
      assert.equal(teacher.notice, LOCAL_DIRECTORY_NOTICE);
      assert.equal(rows[0]!.occupation, 'Bager, mester', 'a comma in a field is quoted');
      for (const name of ['Jensen', 'Kjær', 'Larsen', 'Madsen']) assert.ok(!csv.includes(name), `${name} is not in the directory`);
      const recs = await audit.lookupsOf(`extract:${ext.id}`);
      assert.equal(recs.length, 1);
      assert.equal(recs[0]!.action, EXTRACT_ACTIONS.localDirectory);
      assert.equal(recs[0]!.legalBasis, '§47');
      const told = await service.deliveriesOf(p.teacher!);
      assert.equal(told[0]!.recipient, 'Fyens Vejviser A/S');
    });

    test('local directory: a bad municipality code is refused', async () => {
      await assert.rejects(service.localDirectory('46', { actor: 'test' }), (e: unknown) => e instanceof ExtractError && e.code === 'invalid_municipality');
      await assert.rejects(service.localDirectory('9998', { actor: 'test' }), (e: unknown) => e instanceof ExtractError && e.code === 'unknown_municipality');
      await assert.rejects(service.localDirectory('0010', { actor: 'test' }), (e: unknown) => e instanceof ExtractError && e.code === 'unknown_municipality');
    });

    if (kind === 'sqlite') {
      describe('opencpr extract (CLI)', () => {
        const dir = mkdtempSync(join(tmpdir(), 'opencpr-extract-'));
        after(() => rmSync(dir, { recursive: true, force: true }));

        /** Runs the extract commands as `opencpr` does (exit codes as in src/cli/main.ts `run`). */
        async function cli(...args: string[]) {
          let out = '';
          let err = '';
          const io = { out: (s: string) => (out += s), err: (s: string) => (err += s), clock: ctx.clock };
          const program = new Command('opencpr').exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
          addExtractCommands(program, async () => new Register(await openStore(ctx.location), ctx.clock), io);
          let code = 0;
          try {
            await program.parseAsync(args, { from: 'user' });
          } catch (e) {
            if (e instanceof CommanderError) code = e.exitCode === 0 ? 0 : 2;
            else if (e instanceof CliError) {
              if (e.message) io.err(`error: ${e.message}\n`);
              code = e.exitCode;
            } else throw e;
          }
          return { code, out, err };
        }

        test('marketing-list writes the CSV and exits 0', async () => {
          const file = join(dir, 'reklame.csv');
          const r = await cli('extract', 'marketing-list', '--out', file);
          assert.equal(r.code, 0, r.err);
          assert.match(r.out, /Marketing-protection list 2026Q2 as of 2026-06-01: 4 persons/);
          assert.match(r.err, /persons read, 4 listed/);
          assert.ok(!existsSync(`${file}.part`));
          const { header, rows } = rowsOf(readFileSync(file, 'utf8'));
          assert.deepEqual(header, MARKETING_COLUMNS);
          assert.equal(rows.length, 4);
        });

        test('local-directory writes the CSV and exits 0', async () => {
          const file = join(dir, 'odense.csv');
          const r = await cli('extract', 'local-directory', '--municipality', '0461', '--out', file, '--recipient', 'Fyens Vejviser A/S');
          assert.equal(r.code, 0, r.err);
          assert.match(r.out, /Local directory of municipality 0461 as of 2026-06-01: 2 persons/);
          assert.match(r.out, /Not for electronic publication/);
          const { rows } = rowsOf(readFileSync(file, 'utf8'));
          assert.deepEqual(rows.map((x) => x.first_names), ['Ib', 'Hanne']);
        });

        test('a bad municipality code or output path: a clear message and a non-zero exit, no file', async () => {
          const file = join(dir, 'bad.csv');
          const malformed = await cli('extract', 'local-directory', '--municipality', '461x', '--out', file);
          assert.equal(malformed.code, 2);
          assert.match(malformed.err, /--municipality: "461x" is not a municipality code/);
          const unknown = await cli('extract', 'local-directory', '--municipality', '9998', '--out', file);
          assert.equal(unknown.code, 1);
          assert.match(unknown.err, /9998 is not a municipality in use on 2026-06-01/);
          assert.ok(!existsSync(file) && !existsSync(`${file}.part`));
          const noDir = await cli('extract', 'marketing-list', '--out', join(dir, 'missing', 'x.csv'));
          assert.equal(noDir.code, 2);
          assert.match(noDir.err, /does not exist/);
          const noOut = await cli('extract', 'local-directory', '--municipality', '0461');
          assert.equal(noOut.code, 2);
        });
      });
    }
  });
}
