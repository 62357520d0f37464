/**
 * CPR extract import and export (SPEC COD-5), against CPR's own fictitious
 * demo persons (test/fixtures/cpr-direct, copies of shared/formats/cpr-direct/
 * PNR_*.latin1.txt). Expected values are read from the files by the small
 * reader below, with the CPR positions written out here, independently of
 * src/formats/cpr-extract; where a value depends on an import choice
 * (documented in docs/formats/cpr-extract.md) it is hard-coded with a comment.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { CliError } from '../../src/cli/errors.ts';
import { addCprExtractCommands } from '../../src/cli/commands/cpr-extract.ts';
import { FixedClock } from '../../src/domain/clock.ts';
import type { FactState, Version } from '../../src/register/bitemporal.ts';
import { Register, type PersonView } from '../../src/register/register.ts';
import { openStore } from '../../src/storage/store.ts';
import { encodeExtract, exportCprExtract, personRecords } from '../../src/formats/cpr-extract/export.ts';
import { formatRecord, recordLayout, RECORD_LAYOUTS, sliceFields } from '../../src/formats/cpr-extract/layout.ts';
import { CprExtractError, decodeExtract, parseExtract } from '../../src/formats/cpr-extract/parse.ts';
import { addressingNameFromCpr, importCprExtract } from '../../src/formats/cpr-extract/to-registrations.ts';
import { freshRegister, STORE_KINDS } from '../support/stores.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'cpr-direct');
const FILES = readdirSync(FIXTURES).filter((f) => /^PNR_\d{10}\.latin1\.txt$/.test(f)).sort();
const bytes = (file: string) => readFileSync(join(FIXTURES, file));
const pnrOf = (file: string) => file.slice(4, 14);

// ── An independent reader of the demo files: CPR positions (1-based) written out ──

const linesOf = (file: string) => bytes(file).toString('latin1').split('\n').filter((l) => l !== '');
const recordsOf = (lines: string[], type: string) => lines.filter((l) => l.startsWith(type));
const at = (line: string, pos: number, len: number) => line.padEnd(400, ' ').slice(pos - 1, pos - 1 + len);
const trim = (line: string, pos: number, len: number) => at(line, pos, len).trim();
/** `yyyyMMddHHmm` → civil date, null for zeros. */
const d12 = (s: string) => (/^0+$/.test(s) || s.trim() === '' ? null : `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`);
const d10 = (s: string) => (s.trim() === '' ? null : s);
const zeroPnr = (s: string) => (/^0*$/.test(s.trim()) ? null : s);

// ── Reading the register ────────────────────────────────────────────────────

const list = (p: PersonView, group: string): FactState[] => {
  const f = p.state[group as keyof PersonView['state']];
  return f === undefined ? [] : Array.isArray(f) ? f : [f];
};
const one = (p: PersonView, group: string) => list(p, group)[0];
const val = (f: FactState | undefined) => f?.value as Record<string, unknown> | undefined;

/** The versions of a group as known now, by start. */
async function versions(r: Register, pnr: string, group: string): Promise<Version[]> {
  const h = await r.history(pnr);
  return (h?.versions ?? []).filter((v) => v.g === group && v.rt === null).sort((a, b) => (a.vf < b.vf ? -1 : a.vf > b.vf ? 1 : 0));
}

/** JSON with object keys in order, so values compare regardless of how they were built. */
const stable = (x: unknown): string =>
  JSON.stringify(x, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );

/** A person's answer without the register-specific registration time and sequence number. */
function normalised(p: PersonView | null): string {
  if (!p) return 'null';
  const groups = Object.keys(p.state).sort();
  return JSON.stringify(
    groups.map((g) => [
      g,
      list(p, g)
        .map((f) => stable([f.value, f.validFrom, f.validTo]))
        .sort(),
    ]),
  );
}

/** One extract of several demo persons: the first file's start record, every person's records, a new end record. */
function combined(files: string[]): string {
  const start = linesOf(files[0]!)[0]!;
  const body = files.flatMap((f) => linesOf(f).filter((l) => !l.startsWith('000') && !l.startsWith('999')));
  const lines = [start, ...body];
  lines.push(`9999999999999${String(lines.length + 1).padStart(8, '0')}`);
  return lines.join('\n') + '\n';
}

// ── Layouts and parsing (no store) ───────────────────────────────────────────

describe('CPR extract layouts', () => {
  test('every record type the import reads has a layout whose fields fit the record', () => {
    for (const code of ['000', '001', '002', '003', '004', '005', '006', '007', '008', '009', '010', '011', '012', '013', '014', '015', '016', '017', '022', '023', '024', '025', '026', '027', '028', '029', '030', '099', '999']) {
      const l = recordLayout(code);
      assert.ok(l, `layout ${code}`);
      let end = 0;
      for (const f of l.fields) {
        assert.ok(f.position > end, `${code}.${f.name} overlaps`);
        end = f.position + f.length - 1;
        assert.ok(end <= l.length, `${code}.${f.name} beyond the record`);
      }
    }
    assert.ok(RECORD_LAYOUTS.size >= 35, 'the record types of Definitions.xml');
  });

  test('positions are CPR’s (spot checks against the published layout)', () => {
    const f = (code: string, name: string) => recordLayout(code)!.field.get(name)!;
    assert.deepEqual([f('001', 'Status').position, f('001', 'Status').length], [24, 2]);
    assert.deepEqual([f('008', 'AddressingName').position, f('008', 'AddressingName').length], [160, 34]);
    assert.deepEqual([f('002', 'RelocationDate').position, f('002', 'RelocationDate').dateFormat], [70, 'yyyyMMddHHmm']);
    assert.deepEqual([f('004', 'ProtectionType_').position, f('004', 'EndDate').position], [14, 28]);
    // The source's error in record 020 is corrected (position 1, length 3 there).
    assert.deepEqual([f('020', 'ElectionInfoDeletionDate').position, f('020', 'ElectionInfoDeletionDate').length], [38, 10]);
  });

  test('formatRecord writes fixed width and sliceFields reads it back', () => {
    const line = formatRecord('004', { PNR: '0708614866', ProtectionType_: '0001', StartDate: '1997-12-31' });
    assert.equal(line, '004070861486600011997-12-31          ');
    assert.equal(line.length, recordLayout('004')!.length);
    assert.equal(sliceFields(recordLayout('004')!, line).StartDate, '1997-12-31');
    assert.throws(() => formatRecord('004', { PNR: '07086148660' }), RangeError);
  });
});

describe('CPR extract parsing', () => {
  test('every demo file parses; the end record count of the demo files is reported, not fatal', () => {
    for (const file of FILES) {
      const p = parseExtract(bytes(file));
      assert.equal(p.persons.length, 1);
      assert.equal(p.persons[0]!.pnr, pnrOf(file));
      assert.equal(p.recordCount, linesOf(file).length);
      // The demo files were cut from a larger extract: their 999 counts 1098.
      assert.match(p.warnings[0]!.message, /counts 00001098/);
    }
  });

  const demo = linesOf('PNR_0708614866.latin1.txt');
  const withLine = (n: number, line: string) => demo.map((l, i) => (i === n - 1 ? line : l)).join('\n') + '\n';
  const rejects = (text: string, line: number, recordType: string | null, message: RegExp) => {
    assert.throws(
      () => parseExtract(text),
      (e: unknown) => {
        assert.ok(e instanceof CprExtractError, String(e));
        assert.equal(e.issues[0]!.line, line);
        assert.equal(e.issues[0]!.recordType, recordType);
        assert.match(e.message, message);
        assert.match(e.message, new RegExp(`line ${line}${recordType ? ` \\(record ${recordType}\\)` : ''}`));
        return true;
      },
    );
  };

  test('a bad line is rejected with its line number and record type', () => {
    // An impossible date in a yyyyMMddHHmm field.
    rejects(withLine(3, demo[2]!.replace('199712310859 199712310859', '199713310859 199712310859')), 3, '002', /not a date yyyyMMddHHmm/);
    // Letters in a numeric field (the municipality code).
    rejects(withLine(3, demo[2]!.replace('0020708614866085185', '00207086148660X5185')), 3, '002', /not a number/);
    // An unknown record type.
    rejects(withLine(5, '0420708614866xyz'), 5, '042', /not a CPR extract record/);
    // A line longer than its record.
    rejects(withLine(5, demo[4]!.padEnd(37, ' ') + 'extra'), 5, '004', /has 42 characters; record 004 has 37/);
    // A bad uncertainty marker.
    rejects(withLine(11, demo[10]!.replace('1961-08-07*', '1961-08-07?')), 11, '011', /uncertainty marker/);
    // A person record without a 10-digit person number.
    rejects(withLine(9, '00907086A48660000'), 9, '009', /not a person number/);
    // A truncated file: no end record.
    rejects(demo.slice(0, -1).join('\n'), demo.length - 1, '003', /end record 999/);
  });

  test('ISO-8859-1 and Windows-1252 are read; UTF-8 is refused unless asked for', () => {
    const latin1 = bytes('PNR_0708614866.latin1.txt');
    assert.match(decodeExtract(latin1), /Gøteborg-Gade/);
    assert.match(decodeExtract(latin1, 'latin1'), /Gøteborg-Gade/);
    const utf8 = Buffer.from(latin1.toString('latin1'), 'utf8');
    assert.throws(() => decodeExtract(utf8), (e: unknown) => e instanceof CprExtractError && e.code === 'not_latin1');
    assert.match(decodeExtract(utf8, 'utf8'), /Gøteborg-Gade/);
    // Windows-1252 only: 0x80 is the euro sign (a C1 control character in ISO-8859-1).
    assert.equal(decodeExtract(Uint8Array.from([0x80, 0xe6])), '€æ');
  });

  test('the addressing name is taken in either of CPR’s written forms', () => {
    assert.equal(addressingNameFromCpr('Ude Ulrike Udtzen', { lastName: 'Udtzen' }), 'Udtzen,Ude Ulrike');
    assert.equal(addressingNameFromCpr('Udtzen,Ude U.', { lastName: 'Udtzen' }), 'Udtzen,Ude U.');
    assert.equal(addressingNameFromCpr('Someone Else', { lastName: 'Udtzen' }), null);
  });

  test('export writes what the format holds and encodes ISO-8859-1', () => {
    const v = (g: string, vf: string, vt: string | null, value: unknown, k = ''): Version =>
      ({ g, k, vf, vt, rf: '2026-01-01T00:00:00.000Z', rt: null, v: value, s: 1 }) as Version;
    const lines = personRecords('0708614866', [
      v('status', '1992-01-12', null, { code: '01' }),
      v('address', '1992-01-12', '1997-12-31', { municipalityCode: '0571', roadCode: '5711', houseNumber: '48' }),
      v('address', '1997-12-31', null, { municipalityCode: '0851', roadCode: '8512', houseNumber: '2', floor: '2', door: 'mf', roadName: 'Industrivænget' }),
    ]);
    const types = lines.map((l) => l.slice(0, 3));
    assert.deepEqual(types, ['001', '002', '003', '008', '009', '015', '023']);
    assert.equal(at(lines[1]!, 22, 10), '002 02  mf');
    assert.equal(trim(lines[2]!, 116, 34), 'Industrivænget 2,2 mf');
    // The previous municipality and the day the person left it.
    assert.equal(at(lines[1]!, 96, 16), '0571199712310000');
    // ź has a base letter in ISO-8859-1, Ł has none.
    const { bytes: b, replaced } = encodeExtract('Øster Łódź');
    assert.equal(b.toString('latin1'), 'Øster ?ódz');
    assert.equal(replaced, 2);
  });
});

// ── Import, export and round trip on both stores ─────────────────────────────

for (const kind of STORE_KINDS) {
  describe(`CPR extract on ${kind}`, () => {
    let ctx: Awaited<ReturnType<typeof freshRegister>>;
    before(async () => {
      ctx = await freshRegister(kind);
    });
    after(async () => ctx.dispose());

    for (const file of FILES) {
      test(`demo person ${pnrOf(file)} comes through with the file's own values`, async () => {
        const r = ctx.register;
        const pnr = pnrOf(file);
        const res = await importCprExtract(r, bytes(file), { sourceName: file });
        assert.deepEqual(res.persons, [pnr]);
        const p = (await r.person(pnr))!;
        const lines = linesOf(file);
        const [p001] = recordsOf(lines, '001');
        const birthDate = at(p001!, 40, 10);

        // 001: status, sex, birth date.
        assert.equal(val(one(p, 'status'))!.code, at(p001!, 24, 2));
        assert.equal(val(one(p, 'birth'))!.birthDate, birthDate);
        assert.equal(val(one(p, 'birth'))!.sex, at(p001!, 39, 1));
        const job = trim(p001!, 73, 34);
        assert.equal(val(one(p, 'occupation'))?.title, job || undefined);

        // 008: the name and the addressing name (written `Lastname,Given names` by the register).
        const [p008] = recordsOf(lines, '008');
        const first = trim(p008!, 14, 50);
        const middle = trim(p008!, 65, 40);
        const last = trim(p008!, 106, 40);
        const name = val(one(p, 'name'));
        if (last === '') assert.equal(name, undefined);
        else {
          assert.deepEqual(name!.firstNames, first.split(' '));
          assert.deepEqual(name!.middleNames, middle ? middle.split(' ') : []);
          assert.equal(name!.lastName, last);
          const adr = trim(p008!, 160, 34);
          assert.ok(adr.endsWith(` ${last}`), 'the demo files print the addressing name Given Last');
          assert.equal(name!.addressingName, `${last},${adr.slice(0, -(last.length + 1))}`);
          assert.equal(one(p, 'name')!.validFrom, d12(at(p008!, 147, 12)));
        }

        // 002/003: the address with its move date.
        const [p002] = recordsOf(lines, '002');
        const [p003] = recordsOf(lines, '003');
        const a = val(one(p, 'address'))!;
        assert.equal(a.municipalityCode, at(p002!, 14, 4));
        assert.equal(a.roadCode, at(p002!, 18, 4));
        // CPR pads house number and floor with zeros (016, 02); the register holds 16, 2 as DAR does.
        assert.equal(a.houseNumber, trim(p002!, 22, 4).replace(/^0+/, ''));
        assert.equal(a.floor, trim(p002!, 26, 2).replace(/^0+/, '') || undefined);
        assert.equal(a.door, trim(p002!, 28, 4) || undefined);
        assert.equal(one(p, 'address')!.validFrom, d12(at(p002!, 70, 12)));
        assert.equal(a.postalCode, at(p003!, 184, 4));
        assert.equal(a.postalDistrict, trim(p003!, 188, 20));
        assert.equal(a.city, trim(p003!, 150, 34));
        assert.equal(a.roadName, trim(p003!, 230, 20));
        assert.equal(a.locality, trim(p003!, 82, 34) || undefined);

        // 004: protections, with their periods.
        const protections = (await versions(r, pnr, 'protection')).map((v) => [val({ value: v.v } as FactState)!.type, v.vf, v.vt]);
        assert.deepEqual(
          protections.sort(),
          recordsOf(lines, '004').map((l) => [at(l, 14, 4), d10(at(l, 18, 10)), d10(at(l, 28, 10))]).sort(),
        );

        // 010: citizenship.
        const [p010] = recordsOf(lines, '010');
        assert.deepEqual(list(p, 'citizenship').map((c) => [val(c)!.countryCode, c.validFrom]), [[at(p010!, 14, 4), d12(at(p010!, 18, 12))]]);

        // 011: church. FKIRK A (and S) are "not a member" (the register keeps F/U only).
        const [p011] = recordsOf(lines, '011');
        assert.equal(val(one(p, 'church'))!.member, at(p011!, 14, 1) === 'F' ? 'F' : 'U');
        assert.equal(one(p, 'church')!.validFrom, at(p011!, 15, 10));

        // 012: civil status; a zero start date is read as the birth date (unmarried since birth).
        const [p012] = recordsOf(lines, '012');
        assert.equal(val(one(p, 'civilStatus'))!.code, at(p012!, 14, 1));
        assert.equal(one(p, 'civilStatus')!.validFrom, d12(at(p012!, 71, 12)) ?? birthDate);
        assert.equal(val(one(p, 'civilStatus'))!.spouseName, trim(p012!, 36, 34) || undefined);

        // 014/015: children and parents.
        const relations = list(p, 'relation').map((f) => val(f)!);
        const children = relations.filter((x) => x.role === 'child').map((x) => x.pnr);
        assert.deepEqual(children.sort(), recordsOf(lines, '014').map((l) => at(l, 14, 10)).sort());
        const [p015] = recordsOf(lines, '015');
        for (const [role, pnrPos, datePos] of [['mother', 25, 14], ['father', 92, 81]] as const) {
          const expected = zeroPnr(at(p015!, pnrPos, 10));
          const rel = list(p, 'relation').find((f) => val(f)!.role === role);
          assert.equal(rel && val(rel)!.pnr, expected ?? undefined, role);
          if (rel) assert.equal(rel.validFrom, at(p015!, datePos, 10));
        }

        // 023/026/027: unmarked history records that span more than a day are earlier, ended versions.
        const history = (type: string, startPos: number, endPos: number) =>
          recordsOf(lines, type)
            .filter((l) => at(l, 14, 1) === ' ')
            .map((l) => [d12(at(l, startPos, 12)), d12(at(l, endPos, 12))])
            .filter(([f, t]) => f !== t);
        const ended = async (group: string) => (await versions(r, pnr, group)).filter((v) => v.vt !== null).map((v) => [v.vf, v.vt]);
        assert.deepEqual(await ended('address'), history('023', 71, 84));
        assert.deepEqual(await ended('name'), history('026', 148, 161));
      });
    }

    test('history, protections and relations of 0708614866 answer for past dates', async () => {
      const r = ctx.register;
      const pnr = '0708614866';
      const p = async (validAt: string) => (await r.person(pnr, { validAt }))!;
      // 023: the last of three addresses on 1992-01-12 (the first two began and ended that day).
      assert.deepEqual(val(one(await p('1995-01-01'), 'address')), { municipalityCode: '0571', roadCode: '5711', houseNumber: '48' });
      assert.equal(val(one(await p('1998-01-01'), 'address'))!.roadName, 'Svinget');
      // 024: abroad in Sweden until the entry on 1992-01-12; the exit date is unknown (zeros), so from birth.
      assert.deepEqual(val(one(await p('1980-01-01'), 'foreignAddress')), { lines: ['Gøteborg-Gade'], countryCode: '5120' });
      assert.equal(one(await p('1980-01-01'), 'address'), undefined);
      // 027: Swedish from 1961 (month and day unknown: 196100000000*) until Danish citizenship in 2001.
      assert.deepEqual(list(await p('1990-01-01'), 'citizenship').map((c) => val(c)!.countryCode), ['5120']);
      assert.deepEqual(list(await p('2001-06-01'), 'citizenship').map((c) => val(c)!.countryCode), ['5100']);
      // 004: four protections from 1997-12-31, ending one by one.
      const types = async (d: string) => list(await p(d), 'protection').map((f) => val(f)!.type).sort();
      assert.deepEqual(await types('1999-01-01'), ['0001', '0002', '0003', '0004']);
      assert.deepEqual(await types('2000-07-01'), ['0001', '0002', '0003']);
      assert.deepEqual(await types('2001-06-01'), ['0001', '0002']);
      assert.deepEqual(await types('2002-01-01'), []);
      // 026: the earlier names all began and ended on 1992-01-12, the day the current name began.
      assert.equal(val(one(await p('1992-01-12'), 'name'))!.lastName, 'Nivarson');
      assert.equal(one(await p('1992-01-11'), 'name'), undefined);
      // 015: the father's number; the mother is unknown (zeros).
      const parents = list(await p('2000-01-01'), 'relation').map((f) => val(f));
      assert.deepEqual(parents, [{ role: 'father', pnr: '0708614815' }]);
      // The registration names the extract and CPR's events.
      const h = (await r.history(pnr))!;
      assert.equal(h.registrations.length, 1);
      assert.equal(h.registrations[0]!.eventCode, 'A74');
      assert.match(h.registrations[0]!.documentation!, /CPR extract, PNR_0708614866.latin1.txt, task 110901, produced 2001-11-19; CPR events: A27 2001-11-09 16:05/);
    });

    test('name history, guardianship and children of 0709614126; widowhood of 0101965058; birth place of 3012995007', async () => {
      const r = ctx.register;
      const anna = async (validAt: string) => (await r.person('0709614126', { validAt }))!;
      // 026 Annette Hansen 1961-12-10 → 1979-06-01, then (008) Annette Ingdahl.
      assert.equal(val(one(await anna('1970-01-01'), 'name'))!.lastName, 'Hansen');
      assert.equal(val(one(await anna('1970-01-01'), 'name'))!.addressingName, 'Hansen,Annette');
      assert.equal(val(one(await anna('1980-01-01'), 'name'))!.lastName, 'Ingdahl');
      // 017: under guardianship since 2000-02-28, guardian 090441-4131.
      assert.equal(one(await anna('2000-02-27'), 'guardianship'), undefined);
      assert.deepEqual(val(one(await anna('2000-02-28'), 'guardianship')), { guardianPnr: '0904414131' });
      // 014: the child 010100-5038, a child from its birth.
      const kids = list(await anna('2010-01-01'), 'relation').filter((f) => val(f)!.role === 'child');
      assert.deepEqual(kids.map((f) => [val(f)!.pnr, f.validFrom]), [['0101005038', '2000-01-01']]);

      const ude = (await r.person('0101965058'))!;
      assert.deepEqual(val(one(ude, 'civilStatus')), { code: 'E', spouseName: 'Udtzen,Heinrich' });
      assert.equal(one(ude, 'civilStatus')!.validFrom, '1944-12-22');
      // 027 with correction marker A (annulled): not part of her citizenship history.
      assert.deepEqual(list((await r.person('0101965058', { validAt: '1997-12-31' }))!, 'citizenship').map((c) => val(c)!.countryCode), ['5180']);
      // Status date zeros: from START_DT-PERSON (1997-09-09), which is also when she moved in.
      assert.equal(one(ude, 'status')!.validFrom, '1997-09-09');

      const ulrik = (await r.person('3012995007'))!;
      assert.deepEqual(val(one(ulrik, 'birth')), { birthDate: '1899-12-30', sex: 'M', authorityCode: '5180', place: 'Ostpreussen' });
      assert.deepEqual(val(one(ulrik, 'name'))!.middleNames, ['Emmerich']);
      // Status date zeros and START_DT-PERSON 2001-11-06, but resident at his address since 1999-06-30.
      assert.equal(one(ulrik, 'status')!.validFrom, '1999-06-30');
    });

    test('round trip: import, export, import into a fresh store gives the same answers', async () => {
      const pnrs = FILES.map(pnrOf);
      const text = await exportCprExtract(ctx.register, pnrs);
      const lines = text.trimEnd().split('\n');
      assert.equal(lines[0]!.slice(0, 3), '000');
      assert.equal(lines.at(-1), `9999999999999${String(lines.length).padStart(8, '0')}`);
      for (const l of lines) assert.equal(l.length, recordLayout(l.slice(0, 3))!.length);

      const other = await freshRegister(kind);
      try {
        const res = await importCprExtract(other.register, encodeExtract(text).bytes);
        assert.deepEqual(res.persons, pnrs);
        const dates = ['1900-01-01', '1950-06-01', '1961-10-01', '1980-06-01', '1992-01-12', '1995-01-01', '1998-01-01', '2000-01-15', '2000-07-01', '2001-06-01', '2020-01-01'];
        for (const pnr of pnrs) {
          assert.equal(normalised(await other.register.person(pnr)), normalised(await ctx.register.person(pnr)), pnr);
          for (const validAt of dates) {
            assert.equal(
              normalised(await other.register.person(pnr, { validAt })),
              normalised(await ctx.register.person(pnr, { validAt })),
              `${pnr} at ${validAt}`,
            );
          }
          // And the whole validity history.
          const all = async (r: Register) =>
            ((await r.history(pnr))?.versions ?? [])
              .filter((v) => v.rt === null)
              .map((v) => stable([v.g, v.vf, v.vt, v.v]))
              .sort();
          assert.deepEqual(await all(other.register), await all(ctx.register), pnr);
        }
        // Exporting the copy gives the same file.
        assert.equal(await exportCprExtract(other.register, pnrs), text);
      } finally {
        await other.dispose();
      }
    });

    test('round trip of the groups the demo persons do not have', async () => {
      const a = await freshRegister(kind);
      const b = await freshRegister(kind);
      try {
        const pnr = await a.register.allocatePnr('1970-05-05', 'K');
        const other = await a.register.allocatePnr('1950-02-02', 'M');
        const c = (group: string, validFrom: string, validTo: string | null, value: unknown, key?: string) => ({
          group,
          validFrom,
          validTo,
          value,
          ...(key && { key }),
        });
        await a.register.register({
          pnr,
          authority: '0461',
          eventCode: 'A01',
          changes: [
            c('birth', '1970-05-05', null, { birthDate: '1970-05-05', sex: 'K', place: 'Odense' }),
            c('name', '1970-05-05', null, { firstNames: ['Ida', 'Marie'], middleNames: ['Holm'], lastName: 'Sørensen', notRegistrableMark: true }),
            c('status', '1995-03-01', '1996-01-01', { code: '70' }),
            c('status', '2010-06-01', null, { code: '80' }),
            c('occupation', '1990-01-01', null, { title: 'Lærer' }),
            c('address', '1990-01-01', '2010-06-01', { municipalityCode: '0461', roadCode: '1234', houseNumber: '12B', floor: 'st', door: 'tv', coName: 'c/o Hansen' }),
            c('supplementaryAddress', '2005-01-01', '2005-06-01', { lines: ['Hotel Central', 'Paris'] }),
            c('foreignAddress', '2010-06-01', null, { lines: ['Storgatan 1', '111 22 Stockholm'], countryCode: '5120' }),
            c('contactAddress', '2010-06-01', '2012-01-01', { lines: ['c/o Jensen', 'Vestergade 1', '5000 Odense C'] }),
            c('citizenship', '1970-05-05', null, { countryCode: '5100' }),
            c('church', '1970-05-05', null, { member: 'F' }),
            c('civilStatus', '1970-05-05', '1995-05-05', { code: 'U' }),
            c('civilStatus', '1995-05-05', null, { code: 'G', spousePnr: other, spouseName: 'Jensen,Ole' }),
            c('separation', '2000-01-01', '2001-01-01', { separated: true }),
            c('separation', '2005-01-01', null, { separated: true }),
            c('relation', '1970-05-05', null, { role: 'mother', pnr: '0709614126', name: 'Annette Ingdahl', birthDate: '1961-09-07' }),
            c('relation', '1970-05-05', null, { role: 'father', name: 'Hans Sørensen' }),
            c('relation', '1970-05-05', '1988-05-05', { role: 'custody_holder', pnr: '0709614126' }),
            c('relation', '1980-01-01', '1988-05-05', { role: 'custody_holder', pnr: other }),
            c('relation', '2000-01-01', null, { role: 'child', pnr: '0101005038' }),
            c('guardianship', '2011-01-01', null, { guardianName: 'Advokat Berg', guardianAddress: ['Torvet 1', '5000 Odense C'] }),
            c('protection', '2001-01-01', '2002-01-01', { type: '0001' }),
            c('protection', '2003-01-01', null, { type: '0001' }),
            c('protection', '2003-01-01', '2030-01-01', { type: '0003' }),
            c('municipalCondition', '2015-01-01', null, { type: '1', value: 'AB12 pension' }, '1:AB12'),
            c('note', '2015-01-01', '2016-01-01', { text: 'Ring før besøg' }, '01'),
            c('numberChange', '1970-05-05', null, { direction: 'replaces', pnr: '0505701234' }),
          ],
        });
        const text = await exportCprExtract(a.register, [pnr]);
        const types = text.trimEnd().split('\n').map((l) => l.slice(0, 3));
        for (const t of ['002', '004', '005', '006', '008', '012', '013', '015', '016', '017', '018', '019', '022', '023', '025', '029', '030']) {
          assert.ok(types.includes(t), `record ${t} written`);
        }
        const res = await importCprExtract(b.register, text);
        assert.deepEqual(res.persons, [pnr]);
        for (const validAt of ['1971-01-01', '1985-01-01', '1995-06-01', '2000-06-01', '2001-06-01', '2003-06-01', '2005-03-01', '2011-06-01', '2015-06-01', '2026-06-01', '2035-01-01']) {
          assert.equal(normalised(await b.register.person(pnr, { validAt })), normalised(await a.register.person(pnr, { validAt })), validAt);
        }
      } finally {
        await a.dispose();
        await b.dispose();
      }
    });

    test('a file with a bad line is rejected whole: nothing of it is imported', async () => {
      const fresh = await freshRegister(kind);
      try {
        const good = combined(FILES);
        const lines = good.trimEnd().split('\n');
        // Break a record of the last person: a country code CPR does not have.
        const i = lines.findIndex((l) => l.startsWith('0103012995007'));
        lines[i] = lines[i]!.replace('01030129950075180', '01030129950079999');
        await assert.rejects(
          () => importCprExtract(fresh.register, lines.join('\n') + '\n'),
          (e: unknown) => {
            assert.ok(e instanceof CprExtractError, String(e));
            assert.equal(e.issues.length, 1);
            assert.equal(e.issues[0]!.line, i + 1);
            assert.equal(e.issues[0]!.recordType, '010');
            assert.match(e.message, /9999 is not a CPR country code/);
            return true;
          },
        );
        for (const file of FILES) assert.equal(await fresh.register.person(pnrOf(file)), null, pnrOf(file));

        // A person already in the register rejects the file too.
        await importCprExtract(fresh.register, bytes('PNR_3012995007.latin1.txt'));
        await assert.rejects(
          () => importCprExtract(fresh.register, good),
          (e: unknown) => e instanceof CprExtractError && e.code === 'already_registered' && /3012995007 is already in the register/.test(e.message),
        );
        assert.equal(await fresh.register.person('0101005038'), null);

        // The good file (without that person) goes in as a whole.
        const res = await importCprExtract(fresh.register, combined(FILES.filter((f) => !f.includes('3012995007'))));
        assert.equal(res.persons.length, FILES.length - 1);
        const log = await fresh.register.log(0, 100);
        assert.equal(log.length, FILES.length);
      } finally {
        await fresh.dispose();
      }
    });
  });
}

// ── CLI ──────────────────────────────────────────────────────────────────────

describe('CLI import-cpr / export-cpr', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opencpr-cpr-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const clock = new FixedClock('2026-06-01T10:00:00Z');

  async function cli(store: string, ...args: string[]) {
    let out = '';
    let err = '';
    const io = { out: (s: string) => (out += s), err: (s: string) => (err += s), clock };
    const program = new Command('opencpr').exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
    addCprExtractCommands(program, async () => new Register(await openStore(store), clock), io);
    let error: unknown;
    try {
      await program.parseAsync(args, { from: 'user' });
    } catch (e) {
      error = e;
    }
    return { out, err, error };
  }

  test('imports a demo file and exports it as ISO-8859-1', async () => {
    const store = join(dir, 'a.db');
    const r = await cli(store, 'import-cpr', join(FIXTURES, 'PNR_0708614866.latin1.txt'));
    assert.equal(r.error, undefined, r.err);
    assert.match(r.out, /Imported 1 persons \(27 records, 15 facts\)/);
    assert.match(r.err, /warning: line 14 \(record 023\): left out/);

    const out = join(dir, 'out.txt');
    const e = await cli(store, 'export-cpr', '--out', out, '--pnr', '070861-4866');
    assert.equal(e.error, undefined, e.err);
    assert.match(e.out, /Exported 1 persons \(\d+ records\)/);
    const file = readFileSync(out);
    assert.ok(file.includes(Buffer.from('G\xf8teborg-Gade', 'latin1')), 'ø is one byte, 0xF8');

    const again = await cli(join(dir, 'b.db'), 'import-cpr', out);
    assert.equal(again.error, undefined, again.err);

    // Everyone (no --pnr) and the audit of the export are there too.
    const all = await cli(store, 'export-cpr', '--out', join(dir, 'all.txt'));
    assert.match(all.out, /Exported 1 persons/);
    const db = await openStore(store);
    const rows = await db.db.selectFrom('audit').select(['action', 'subjects']).execute();
    await db.close();
    assert.deepEqual(rows.map((x) => x.action), ['cpr-extract.export', 'cpr-extract.export']);
    assert.match(rows[0]!.subjects, /0708614866/);
  });

  test('a bad file is refused with its lines; nothing is written', async () => {
    const store = join(dir, 'c.db');
    const bad = join(dir, 'bad.txt');
    const lines = linesOf('PNR_0101005038.latin1.txt');
    lines[5] = lines[5]!.replace('01001010050385100', '0100101005038X100');
    writeFileSync(bad, Buffer.from(lines.join('\n') + '\n', 'latin1'));
    const r = await cli(store, 'import-cpr', bad);
    assert.ok(r.error instanceof CliError, `refused: ${r.out}${r.err}`);
    assert.match(r.error.message, /was not imported \(1 bad line\); nothing was written/);
    assert.match(r.err, /line 6 \(record 010\), LANDEKOD: "X100" is not a number/);
    const reg = new Register(await openStore(store), clock);
    assert.equal(await reg.person('0101005038'), null);
    await reg.close();
  });
});

// ── Issue 15: every record type of Definitions.xml, record by record ─────────

/**
 * Demo person 010196-5058 with the record types the demo files lack, written
 * at CPR's positions (layouts.json, from Definitions.xml): 020 election
 * data, 021 a relocation order (Definitions.xml lists no fields beyond the
 * person number), 025 a disappearance over two months, 006, 018, 019, 028, 029.
 */
const UDE = '0101965058';
function udeWithAllTypes(): string {
  const lines = linesOf(`PNR_${UDE}.latin1.txt`);
  const extra = [
    `020${UDE}00012001-11-201997-09-09`,
    `021${UDE}199709010000 0851 relocation order as CPR wrote it`,
    `025${UDE} 199801050924 199803011200 `,
    `006${UDE}${'c/o Jensen'.padEnd(34)}${'Vestergade 1'.padEnd(34)}${''.padEnd(102)}1998-01-011998-06-01`,
    `018${UDE}1AB12 1997-09-09 pension`,
    `019${UDE}01${'Ring før besøg'.padEnd(40)}1997-09-09          `,
    `028${UDE}F1896-01-01*1997-09-09 `,
    `029${UDE} G0000000000${' '.repeat(11)}${'Udtzen,Heinrich'.padEnd(34)} 192005010000 194412220924 000000000000`,
  ];
  // Before 099, 003 and 999, in record-type order as CPR writes them.
  const i = lines.findIndex((l) => l.startsWith('024'));
  const body = [...lines.slice(0, i), ...extra, ...lines.slice(i, -1)];
  return [...body, `9999999999999${String(body.length + 1).padStart(8, '0')}`].join('\n') + '\n';
}

/** The lines of a file by record type, at the record's full width (CPR's files leave trailing spaces out). */
function byType(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const l of text.split(/\r?\n/)) {
    if (l === '' || l.startsWith('000') || l.startsWith('999')) continue;
    const t = l.slice(0, 3);
    if (!out.has(t)) out.set(t, []);
    out.get(t)!.push(l.padEnd(recordLayout(t)!.length, ' '));
  }
  return out;
}

describe('issue 15: export derives record 002 from the history (finding 3)', () => {
  test('the previous municipality and departure date when time abroad lies between', () => {
    const v = (g: string, vf: string, vt: string | null, value: unknown): Version =>
      ({ g, k: '', vf, vt, rf: '2026-01-01T00:00:00.000Z', rt: null, v: value, s: 1 }) as Version;
    const lines = personRecords('0708614866', [
      v('address', '1990-01-01', '1995-03-01', { municipalityCode: '0571', roadCode: '5711', houseNumber: '48' }),
      v('foreignAddress', '1995-03-01', '1997-12-31', { lines: ['Storgatan 1'], countryCode: '5120' }),
      v('address', '1997-12-31', null, { municipalityCode: '0851', roadCode: '8512', houseNumber: '2' }),
    ]);
    const p002 = lines.find((l) => l.startsWith('002'))!;
    // TILFLYKOMDTO (83-94): arrived in 0851 on 1997-12-31; FRAFLYKOMKOD/-DTO (96-111): left 0571 on 1995-03-01.
    assert.equal(at(p002, 83, 12), '199712310000');
    assert.equal(at(p002, 96, 16), '0571199503010000');
  });
});

for (const kind of STORE_KINDS) {
  describe(`issue 15: CPR extracts record by record on ${kind}`, () => {
    let ctx: Awaited<ReturnType<typeof freshRegister>>;
    let original: Map<string, string[]>;
    let exported: Map<string, string[]>;
    before(async () => {
      ctx = await freshRegister(kind);
      const file = combined(FILES);
      await importCprExtract(ctx.register, file);
      original = byType(file);
      exported = byType(await exportCprExtract(ctx.register, FILES.map(pnrOf)));
    });
    after(async () => ctx.dispose());

    // Every record type of CPR's demo persons: the export gives back CPR's own lines (with their
    // uncertainty markers, times of day, corrected and same-day history) while no registration
    // has touched the person's groups since the import.
    for (const type of ['001', '002', '003', '004', '008', '009', '010', '011', '012', '014', '015', '017', '023', '024', '025', '026', '027', '099']) {
      test(`record ${type} of the demo persons round-trips field by field`, () => {
        const o = original.get(type) ?? [];
        assert.ok(o.length > 0, `the demo files have record ${type}`);
        assert.deepEqual([...(exported.get(type) ?? [])].sort(), [...o].sort());
        const layout = recordLayout(type)!;
        for (const [i, line] of [...(exported.get(type) ?? [])].sort().entries()) {
          assert.deepEqual(sliceFields(layout, line), sliceFields(layout, [...o].sort()[i]!), `${type} #${i}`);
        }
      });
    }

    test('every demo file imports and exports as itself, and the export imports again', async () => {
      for (const file of FILES) {
        const other = await freshRegister(kind);
        try {
          await importCprExtract(other.register, bytes(file));
          const text = await exportCprExtract(other.register, [pnrOf(file)]);
          assert.deepEqual(byType(text), byType(bytes(file).toString('latin1')), file);
          const again = await freshRegister(kind);
          try {
            await importCprExtract(again.register, text);
            assert.equal(await exportCprExtract(again.register, [pnrOf(file)]), text, file);
          } finally {
            await again.dispose();
          }
        } finally {
          await other.dispose();
        }
      }
    });

    test('record types without a group (021, 020) are kept and reported, not refused (finding 1); 025 is status 70 for its period (finding 2)', async () => {
      const fresh = await freshRegister(kind);
      try {
        const text = udeWithAllTypes();
        const res = await importCprExtract(fresh.register, text);
        assert.deepEqual(res.persons, [UDE]);
        for (const t of ['020', '021']) {
          assert.ok(res.warnings.some((w) => w.recordType === t && /kept verbatim with the person/.test(w.message)), `warning for ${t}`);
        }
        // 025: disappeared 1998-01-05, found 1998-03-01; status 01 (date zeros) before and after.
        const status = async (validAt: string) => val(one((await fresh.register.person(UDE, { validAt }))!, 'status'))!.code;
        assert.equal(await status('1997-12-01'), '01');
        assert.equal(await status('1998-01-05'), '70');
        assert.equal(await status('1998-02-28'), '70');
        assert.equal(await status('1998-03-01'), '01');
        // The other types as facts with their periods.
        const at1998 = (await fresh.register.person(UDE, { validAt: '1998-02-01' }))!;
        assert.deepEqual(val(one(at1998, 'contactAddress')), { lines: ['c/o Jensen', 'Vestergade 1'] });
        assert.deepEqual(val(one(at1998, 'note')), { text: 'Ring før besøg' });
        assert.equal(val(one((await fresh.register.person(UDE, { validAt: '1950-01-01' }))!, 'church'))!.member, 'F');
        assert.equal(val(one((await fresh.register.person(UDE, { validAt: '1930-01-01' }))!, 'civilStatus'))!.code, 'G');

        // Every record of the file comes back as read.
        const original = byType(text);
        const out = await exportCprExtract(fresh.register, [UDE]);
        assert.deepEqual(byType(out), original);

        // A registration of the status since: 001, 007 and 025 are made from the register, the rest stay as read.
        await fresh.register.register({
          pnr: UDE,
          authority: '0851',
          eventCode: 'A01',
          changes: [{ group: 'status', validFrom: '2005-01-01', validTo: null, value: { code: '90' } }],
        });
        const after = byType(await exportCprExtract(fresh.register, [UDE]));
        for (const [t, lines] of original) {
          if (t === '001' || t === '025') continue;
          assert.deepEqual(after.get(t), lines, `record ${t} as read`);
        }
        assert.equal(at(after.get('001')![0]!, 24, 2), '90');
        // 025 from the register: the same dates (the register keeps no time of day).
        assert.deepEqual(after.get('025')!.map((l) => [at(l, 15, 8), at(l, 28, 8)]), [['19980105', '19980301']]);
        assert.equal(after.get('021')![0]!.trimEnd(), `021${UDE}199709010000 0851 relocation order as CPR wrote it`);
      } finally {
        await fresh.dispose();
      }
    });

    test('a truncated or garbled file is refused with the line and reason; the store is unchanged', async () => {
      const fresh = await freshRegister(kind);
      try {
        const lines = udeWithAllTypes().trimEnd().split('\n');
        const kept = async () => Number((await fresh.register.store.db.withTables<{ cpr_extract_kept: { pnr: string } }>().selectFrom('cpr_extract_kept').select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
        const refused = async (text: string, line: number, recordType: string, reason: RegExp) => {
          await assert.rejects(
            () => importCprExtract(fresh.register, text),
            (e: unknown) => {
              assert.ok(e instanceof CprExtractError, String(e));
              assert.equal(e.issues[0]!.line, line);
              assert.equal(e.issues[0]!.recordType, recordType);
              assert.match(e.message, reason);
              return true;
            },
          );
          assert.equal(await fresh.register.person(UDE), null);
          assert.equal(await kept(), 0);
          assert.deepEqual(await fresh.register.log(0, 10), []);
        };
        // Truncated: no end record.
        await refused(lines.slice(0, -3).join('\n') + '\n', lines.length - 3, lines[lines.length - 4]!.slice(0, 3), /end record 999/);
        // Garbled: a 021 whose person number is not ten digits.
        const i = lines.findIndex((l) => l.startsWith('021'));
        const garbled = lines.map((l, k) => (k === i ? `0210101X65058${l.slice(13)}` : l));
        await refused(garbled.join('\n') + '\n', i + 1, '021', /not a person number of ten digits/);
        // Garbled: a 025 with an impossible date.
        const j = lines.findIndex((l) => l.startsWith('025'));
        await refused(lines.map((l, k) => (k === j ? l.replace('199803011200', '199813011200') : l)).join('\n') + '\n', j + 1, '025', /not a date/);
      } finally {
        await fresh.dispose();
      }
    });
  });
}
