import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { candidatePnrs } from '../../src/domain/pnr/pnr.ts';
import { cvrCheckDigit, cvrSum, isValidCvr, syntheticCvr } from '../../src/reference/cvr.ts';
import { checkRecord, parseHouseNumbersCsv, parseOwnershipNdjson, parseUnitAddressesCsv, ReferenceDataError } from '../../src/reference/import.ts';
import { generateOwnership, SYNTHETIC_COMPANIES, type SynthHouse } from '../../src/reference/synth.ts';
import { doorKey, floorKey, houseKey, parseCsv, roadKey, stableId } from '../../src/reference/text.ts';
import { planFrom, planRecord, samePayload } from '../../src/reference/versions.ts';

describe('CVR numbers (modulus 11, weights 2 7 6 5 4 3 2 1)', () => {
  test('real CVR numbers pass, altered ones fail', () => {
    // Danske Bank A/S and Novo Nordisk A/S, public CVR numbers.
    for (const cvr of ['61126228', '24256790']) assert.ok(isValidCvr(cvr), cvr);
    assert.equal(cvrSum('61126228'), 77);
    for (const cvr of ['61126229', '61126282', '24256791', '1234567', '123456789', '01126228', '6112622a']) assert.ok(!isValidCvr(cvr), cvr);
  });
  test('the check digit completes a stem, or there is none', () => {
    assert.equal(cvrCheckDigit('6112622'), 8);
    assert.equal(cvrCheckDigit('2425679'), 0);
    let none = 0;
    for (let s = 1_000_000; s < 1_000_110; s++) {
      const d = cvrCheckDigit(String(s));
      if (d === null) none++;
      else assert.ok(isValidCvr(`${s}${d}`));
    }
    assert.equal(none, 10); // one stem in eleven has no check digit
  });
  test('synthetic CVR numbers are valid, distinct and start with 9', () => {
    const all = Array.from({ length: 50 }, (_, i) => syntheticCvr(i));
    assert.equal(new Set(all).size, 50);
    for (const c of all) {
      assert.ok(isValidCvr(c), c);
      assert.match(c, /^9\d{7}$/);
    }
  });
});

describe('lookup keys', () => {
  test('road names fold case, spaces, dots and accents (not å)', () => {
    assert.equal(roadKey('H.C. Andersens  Boulevard'), roadKey('hc andersens boulevard'));
    assert.equal(roadKey('Anne Marie Allé'), roadKey('ANNE MARIE ALLE'));
    assert.equal(roadKey('Ærøvej'), 'ærøvej');
    assert.notEqual(roadKey('Åvej'), roadKey('Avej'));
  });
  test('house numbers, floors and doors', () => {
    assert.equal(houseKey(' 011 a'), '11A');
    assert.equal(floorKey('St.'), 'st');
    assert.equal(floorKey('stuen'), 'st');
    assert.equal(floorKey('1.'), '1');
    assert.equal(floorKey('02'), '2');
    assert.equal(doorKey(' Th. '), 'th');
  });
  test('stable ids are UUID-shaped and stable', () => {
    assert.equal(stableId('x'), stableId('x'));
    assert.notEqual(stableId('x'), stableId('y'));
    assert.match(stableId('x'), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('CSV', () => {
  test('quotes, escaped quotes, CRLF, BOM and line numbers', () => {
    const rows = parseCsv('\ufeffa,b\r\n"x, y","say ""hi"""\r\n\r\n"multi\nline",z\nlast,1');
    assert.deepEqual(rows, [
      { line: 1, values: ['a', 'b'] },
      { line: 2, values: ['x, y', 'say "hi"'] },
      { line: 4, values: ['multi\nline', 'z'] },
      { line: 6, values: ['last', '1'] },
    ]);
  });
  test('an unclosed quote is an error at its line', () => {
    assert.throws(() => parseHouseNumbersCsv('adgangsadresse_id,kommunekode\n"abc,1\n', 'f.csv'), (e: unknown) => e instanceof ReferenceDataError && e.line === 2);
  });
});

describe('DAWA CSV rows', () => {
  const head = 'adgangsadresse_id,kommunekode,vejkode,vejnavn,husnr,supplerendebynavn,postnr,postnrnavn,oprettet';
  const good = '0a3f507b-b8e7-32b8-e044-0003ba298018,0155,0966,Brydevej,11,,2791,Dragør,2000-02-05';
  test('a good row', () => {
    const [r] = parseHouseNumbersCsv(`${head}\n${good}\n`, 'h.csv');
    assert.equal(r!.houseNumber, '11');
    assert.equal(r!.created, '2000-02-05');
    assert.equal(r!.supplementaryTownName, null);
  });
  const bad: [string, RegExp][] = [
    ['not-a-uuid,0155,0966,Brydevej,11,,2791,Dragør,', /not a UUID/],
    ['0a3f507b-b8e7-32b8-e044-0003ba298019,9999,0966,Brydevej,11,,2791,Dragør,', /not a Danish municipality/],
    ['0a3f507b-b8e7-32b8-e044-0003ba298019,0155,0966,Brydevej,0,,2791,Dragør,', /house number "0"/],
    ['0a3f507b-b8e7-32b8-e044-0003ba298019,0155,0966,,11,,2791,Dragør,', /road name/],
    ['0a3f507b-b8e7-32b8-e044-0003ba298019,0155,0966,Brydevej,11,,27910,Dragør,', /postal code/],
    ['0a3f507b-b8e7-32b8-e044-0003ba298019,0155,0966,Brydevej,11,,2791,Dragør,2000-02-30', /not a date/],
    ['0a3f507b-b8e7-32b8-e044-0003ba298019,0155,0966,Brydevej,11,2791,Dragør,', /fields/],
    [good, /also on line 2/],
  ];
  for (const [line, why] of bad) {
    test(`refused with its line number: ${why}`, () => {
      assert.throws(
        () => parseHouseNumbersCsv(`${head}\n${good}\n${line}\n`, 'h.csv'),
        (e: unknown) => e instanceof ReferenceDataError && e.code === 'bad_line' && e.line === 3 && why.test(e.message) && e.message.startsWith('h.csv line 3: '),
      );
    });
  }
  test('a missing column is refused at the header', () => {
    assert.throws(() => parseHouseNumbersCsv('adgangsadresse_id,kommunekode\n', 'h.csv'), (e: unknown) => e instanceof ReferenceDataError && e.code === 'bad_header' && e.line === 1);
  });
  test('unit rows: floor and door normalised and checked', () => {
    const h = 'adresse_id,adgangsadresse_id,etage,doer';
    const [u] = parseUnitAddressesCsv(`${h}\n0a3f50a3-8216-32b8-e044-0003ba298018,0a3f507b-b8e7-32b8-e044-0003ba298018,St.,TH\n`);
    assert.equal(u!.floor, 'st');
    assert.equal(u!.door, 'th');
    assert.equal(u!.house, null);
    assert.throws(() => parseUnitAddressesCsv(`${h}\n0a3f50a3-8216-32b8-e044-0003ba298018,0a3f507b-b8e7-32b8-e044-0003ba298018,loft,\n`, 'u.csv'), /u.csv line 2: the floor "loft"/);
  });
});

describe('ownership records', () => {
  test('an ownership needs one valid owner number, a share and dates in order', () => {
    const base = { type: 'ownership', bfe: 5, acquired: '2020-01-01' };
    const r = checkRecord({ ...base, cvr: '61126228' }, 'f', 1);
    assert.equal(r.type, 'ownership');
    if (r.type === 'ownership') {
      assert.equal(r.shareNumerator, 1);
      assert.equal(r.validFrom, '2020-01-01');
      assert.equal(r.id, '5-61126228-2020-01-01');
    }
    const pnr = candidatePnrs('1980-05-17', 'K').next().value!;
    const p = checkRecord({ ...base, cpr: `${pnr.slice(0, 6)}-${pnr.slice(6)}`, share: '1/2' }, 'f', 1);
    assert.ok(p.type === 'ownership' && p.ownerNumber === pnr && p.ownerKind === 'cpr');
    const refused: [object, RegExp][] = [
      [{ ...base, cvr: '61126229' }, /modulus 11/],
      [{ ...base }, /exactly one of "cvr" and "cpr"/],
      [{ ...base, cvr: '61126228', cpr: pnr }, /exactly one/],
      [{ ...base, cpr: '3102801234' }, /not a valid person number/],
      [{ ...base, cvr: '61126228', share: '3/2' }, /share/],
      [{ ...base, cvr: '61126228', validTo: '2019-01-01' }, /not after/],
      [{ ...base, cpr: pnr, name: 'X' }, /for companies/],
      [{ ...base, bfe: -1, cvr: '61126228' }, /BFE/],
      [{ type: 'location', bfe: 1, validFrom: '2020-01-01' }, /exactly one of "houseNumberId" and "unitAddressId"/],
      [{ type: 'property', bfe: 1, kind: 'castle', validFrom: '2020-01-01' }, /kind/],
      [{ type: 'owner' }, /"type"/],
    ];
    for (const [rec, why] of refused) assert.throws(() => checkRecord(rec, 'f', 7), (e: unknown) => e instanceof ReferenceDataError && e.line === 7 && why.test(e.message), JSON.stringify(rec));
  });
  test('NDJSON: comments and blank lines skipped, bad JSON and duplicates refused with line numbers', () => {
    const ok = '# a comment\n\n{"type":"property","bfe":1,"validFrom":"2000-01-01"}\n';
    assert.equal(parseOwnershipNdjson(ok).length, 1);
    assert.throws(() => parseOwnershipNdjson(`${ok}{oops}\n`, 'o.ndjson'), /o.ndjson line 4: not JSON/);
    assert.throws(() => parseOwnershipNdjson(`${ok}{"type":"property","bfe":1,"validFrom":"2001-01-01"}\n`, 'o.ndjson'), /line 4: the same property as on line 3/);
  });
});

describe('versions (pure)', () => {
  const eq = samePayload;
  test('a snapshot from a date replaces what is held from then on and carries over the part before', () => {
    const held = [{ version: 1, payload: { a: 1 }, from: '2000-01-01', to: null }];
    assert.equal(planFrom(held, { a: 1 }, '2026-01-01', null, eq), null);
    assert.deepEqual(planFrom(held, { a: 2 }, '2026-01-01', null, eq), {
      close: [1],
      insert: [
        { payload: { a: 1 }, from: '2000-01-01', to: '2026-01-01' },
        { payload: { a: 2 }, from: '2026-01-01', to: null },
      ],
    });
  });
  test('a record replaces the whole object unless it is the same', () => {
    const held = [{ version: 3, payload: { a: 1 }, from: '2000-01-01', to: null }];
    assert.equal(planRecord(held, { a: 1 }, '2000-01-01', null, eq), null);
    assert.deepEqual(planRecord(held, { a: 1 }, '2000-01-01', '2026-03-01', eq), { close: [3], insert: [{ payload: { a: 1 }, from: '2000-01-01', to: '2026-03-01' }] });
  });
});

describe('synthetic ownership (pure)', () => {
  // 60 houses: a third with 8 units, the rest single-unit.
  const hex = (n: number) => n.toString(16).padStart(12, '0');
  const houses: SynthHouse[] = Array.from({ length: 60 }, (_, i) => ({
    id: `00000000-0000-4000-8000-${hex(i)}`,
    municipalityCode: i % 2 ? '0461' : '0155',
    units: Array.from({ length: i % 3 === 0 ? 8 : 1 }, (_, j) => `00000000-0000-4000-9000-${hex(i * 100 + j)}`),
  }));
  const today = '2026-06-01';
  const pnrs = candidatePnrs('1970-03-03', 'M');
  const people = new Map<string, string>();
  const personOwners = (r: { bfe: number; role: string }) => {
    const k = `${r.bfe}:${r.role}`;
    if (!people.has(k)) people.set(k, pnrs.next().value!);
    return people.get(k);
  };

  test('deterministic for a seed; another seed differs', () => {
    const a = generateOwnership({ seed: 1, today, houses });
    const b = generateOwnership({ seed: 1, today, houses: [...houses].reverse() });
    assert.deepEqual(a, b);
    assert.notDeepEqual(generateOwnership({ seed: 2, today, houses }).records, a.records);
  });

  test('every record is valid; companies are synthetic; recent acquisitions have an earlier owner', () => {
    const g = generateOwnership({ seed: 4, today, houses, personOwners });
    assert.deepEqual(g.awaitingPersonOwner, []);
    g.records.forEach((r, i) => checkRecord(r, 'synth', i + 1));
    const owns = g.records.filter((r) => r.type === 'ownership');
    for (const o of owns) {
      if (o.cvr) {
        assert.ok(isValidCvr(o.cvr));
        assert.match(o.name!, /Syntetisk/);
      }
    }
    assert.ok(owns.some((o) => o.cpr) && owns.some((o) => o.cvr));
    const recent = owns.filter((o) => !o.validTo && o.acquired > '2025-06-01');
    assert.ok(recent.length > 0, 'some acquisitions within the last year');
    for (const r of recent) {
      const before = owns.find((o) => o.bfe === r.bfe && o.validTo === r.acquired);
      assert.ok(before, `BFE ${r.bfe}: the earlier owner ends on the acquisition date`);
    }
    for (const o of owns) assert.ok(o.acquired <= today);
  });

  test('without person owners, person-owned properties wait for one', () => {
    const g = generateOwnership({ seed: 4, today, houses });
    assert.ok(g.awaitingPersonOwner.length > 0);
    assert.ok(g.records.every((r) => r.type !== 'ownership' || !r.cpr));
  });

  test('the company list is fixed and synthetic', () => {
    assert.equal(new Set(SYNTHETIC_COMPANIES.map((c) => c.cvr)).size, SYNTHETIC_COMPANIES.length);
    for (const c of SYNTHETIC_COMPANIES) assert.match(c.name, /Syntetisk/);
  });
});

test('reference dates with a zone are Danish dates; without one, the date as written (issue 15, finding 6)', async () => {
  const { civilDateOf } = await import('../../src/reference/import.ts');
  assert.equal(civilDateOf('2000-02-05'), '2000-02-05');
  assert.equal(civilDateOf('2000-02-05T12:00:00'), '2000-02-05');
  assert.equal(civilDateOf('2000-02-04T23:30:00Z'), '2000-02-05', '00:30 in Copenhagen');
  assert.equal(civilDateOf('2000-02-05T00:00:00.000000+01:00'), '2000-02-05');
  assert.equal(civilDateOf('2000-02-05X'), null);
});
