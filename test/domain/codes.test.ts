import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CHURCH_MEMBERSHIP,
  CIVIL_STATUS,
  COUNTRIES,
  COUNTRY_CODE,
  EVENT_CODES,
  FICTITIOUS_MUNICIPALITY_CODES,
  MUNICIPALITIES,
  NORDIC_COUNTRY_CODES,
  PERSON_STATUS,
  POSTAL_CODES,
  PROTECTION_TYPES,
  REGIONS,
  SEX,
  country,
  eventCode,
  hasCode,
  isSpecialRoadCode,
  isValidMunicipalityCode,
  label,
  lookup,
  municipality,
  postalCode,
  region,
  type CodeTable,
} from '../../src/domain/codes/index.ts';

const TABLES: Record<string, CodeTable> = {
  SEX,
  CIVIL_STATUS,
  PERSON_STATUS,
  PROTECTION_TYPES,
  CHURCH_MEMBERSHIP,
  REGIONS,
  MUNICIPALITIES,
  COUNTRIES,
  POSTAL_CODES,
  EVENT_CODES,
};

const entries = (t: CodeTable) => (t instanceof Map ? [...t.entries()] : Object.entries(t));

test('every table has entries keyed by their code with non-empty da and en labels', () => {
  for (const [name, table] of Object.entries(TABLES)) {
    const rows = entries(table);
    assert.ok(rows.length > 0, name);
    for (const [key, e] of rows) {
      assert.equal(e.code, key, `${name} ${key}`);
      assert.ok(e.da.trim().length > 0, `${name} ${key} da`);
      assert.ok(e.en.trim().length > 0, `${name} ${key} en`);
    }
  }
});

test('closed sets hold exactly the CPR codes (COD-3, REG-4)', () => {
  assert.deepEqual(Object.keys(SEX), ['M', 'K']);
  assert.deepEqual(Object.keys(CIVIL_STATUS), ['U', 'G', 'F', 'E', 'P', 'O', 'L', 'D']);
  assert.deepEqual(Object.keys(PERSON_STATUS).sort(), ['01', '03', '05', '07', '20', '30', '50', '60', '70', '80', '90']);
  assert.deepEqual(Object.keys(PROTECTION_TYPES).sort(), ['0001', '0002', '0003', '0004']);
  assert.deepEqual(Object.keys(CHURCH_MEMBERSHIP).sort(), ['F', 'U']);
  assert.equal(label(SEX, 'M', 'en'), 'male');
  assert.equal(label(SEX, 'K'), 'kvinde');
  assert.equal(label(CIVIL_STATUS, 'G', 'en'), 'married');
  assert.equal(label(CIVIL_STATUS, 'D'), 'død');
  assert.equal(label(CHURCH_MEMBERSHIP, 'F', 'en'), 'member of the national church');
  assert.match(label(PROTECTION_TYPES, '0001', 'en')!, /name-and-address.*§28/i);
  assert.match(label(PROTECTION_TYPES, '0002', 'en')!, /local-directory.*§29\(1\)/i);
  assert.match(label(PROTECTION_TYPES, '0003', 'en')!, /marketing.*§29\(3\)/i);
  assert.match(label(PROTECTION_TYPES, '0004', 'en')!, /research.*§29\(2\)/i);
  assert.match(label(PERSON_STATUS, '90', 'en')!, /dead/);
  assert.match(label(PERSON_STATUS, '80', 'en')!, /emigrated/);
  assert.match(label(PERSON_STATUS, '20', 'en')!, /tax or ATP/);
});

test('municipalities: 98 + 0411, regions, Greenland, fictitious, historical', () => {
  const kbh = municipality('0101');
  assert.equal(kbh?.da, 'København');
  assert.equal(kbh?.region, '1084');
  assert.equal(region(kbh!.region!)?.da, 'Region Hovedstaden');
  assert.equal(municipality('0751')?.da, 'Aarhus');
  assert.equal(region(municipality('0851')!.region!)?.da, 'Region Nordjylland');

  const current = [...MUNICIPALITIES.values()].filter((m) => m.kind === 'danish' && !m.validTo);
  const ordinary = current.filter((m) => !m.outsideDivision);
  assert.equal(ordinary.length, 98);
  assert.ok(ordinary.every((m) => m.region && REGIONS.has(m.region)));
  const perRegion = (r: string) => ordinary.filter((m) => m.region === r).length;
  assert.deepEqual(['1081', '1082', '1083', '1084', '1085'].map(perRegion), [11, 19, 22, 29, 17]);

  const chr = municipality('0411');
  assert.equal(chr?.outsideDivision, true);
  assert.equal(chr?.region, undefined);

  for (const c of ['0955', '0956', '0957', '0959', '0960', '0961']) {
    assert.equal(municipality(c)?.kind, 'greenlandic', c);
  }
  assert.equal(municipality('0958')?.validTo, '2017-12-31');

  for (const c of ['0010', '0011', '0012', '0019']) {
    assert.equal(municipality(c)?.kind, 'fictitious', c);
    assert.ok(FICTITIOUS_MUNICIPALITY_CODES.has(c));
    assert.ok(isValidMunicipalityCode(c));
  }
  assert.equal(municipality('0012')?.da, 'ATP');

  // Historical: Gl. Assens ceased with the 2007 reform.
  assert.equal(municipality('0421')?.validTo, '2006-12-22');
  assert.ok(isValidMunicipalityCode('0421'));
  assert.ok(isValidMunicipalityCode('0421', '2005-06-01'));
  assert.ok(!isValidMunicipalityCode('0421', '2012-01-01'));
  assert.ok(isValidMunicipalityCode('0101', '2024-01-01'));
  assert.ok(!isValidMunicipalityCode('0959', '2010-01-01'));

  assert.ok(!isValidMunicipalityCode('0100'));
  assert.ok(!isValidMunicipalityCode('101'));
  assert.ok(!isValidMunicipalityCode(''));
  assert.equal(municipality('9999'), undefined);
});

test('countries: special codes, ISO codes, Nordic set', () => {
  assert.equal(country(COUNTRY_CODE.DENMARK)?.da, 'Danmark');
  assert.equal(country('5100')?.en, 'Denmark');
  assert.equal(country('5100')?.iso2, 'DK');
  assert.equal(country('5100')?.iso3, 'DNK');
  assert.equal(country(COUNTRY_CODE.FAROE_ISLANDS)?.da, 'Færøerne');
  assert.equal(country('5902')?.iso2, 'FO');
  assert.equal(country(COUNTRY_CODE.ABROAD)?.da, 'Udlandet');
  assert.equal(country(COUNTRY_CODE.STATELESS)?.en, 'Stateless');
  assert.equal(country(COUNTRY_CODE.UNKNOWN)?.en, 'Unknown country');
  assert.equal(country('5999')?.iso2, undefined, 'XX placeholders are dropped');
  assert.equal(country('5120')?.en, 'Sweden');
  assert.equal(country('5162')?.validTo, '1992-02-01');
  assert.equal(country('5162')?.en, 'Soviet Union');
  assert.equal(country('5276')?.en, 'Central African Republic');
  assert.ok([...COUNTRIES.keys()].every((c) => /^\d{4}$/.test(c)));
  for (const c of ['5100', '5902', '5104', '5106', '5110', '5120']) assert.ok(NORDIC_COUNTRY_CODES.has(c), c);
  assert.ok(!NORDIC_COUNTRY_CODES.has('5180'));
  for (const c of NORDIC_COUNTRY_CODES) assert.ok(COUNTRIES.has(c), c);
  assert.equal(country('1234'), undefined);
});

test('postal codes', () => {
  assert.equal(postalCode('8000')?.da, 'Aarhus C');
  assert.equal(postalCode('8000')?.largeRecipient, false);
  assert.equal(postalCode('1050')?.da, 'København K');
  assert.equal(postalCode('0800')?.largeRecipient, true);
  assert.equal(POSTAL_CODES.size, 1109);
  assert.equal([...POSTAL_CODES.values()].filter((p) => p.largeRecipient).length, 19);
  assert.equal(postalCode('0000'), undefined);
  assert.equal(postalCode('800'), undefined);
});

test('event codes (COD-4)', () => {
  assert.equal(eventCode('A01')?.da, 'Flytning');
  assert.equal(eventCode('A01')?.en, 'Move');
  assert.equal(eventCode('A06')?.da, 'Udrejse');
  assert.equal(eventCode('A21')?.da, 'Dødsfald');
  assert.equal(eventCode('A33')?.da, 'Beskyttelse');
  assert.equal(eventCode('K74')?.da, 'Rekvisition af personposter (maskinelt dannet periodisk)');
  assert.equal(EVENT_CODES.size, 36);
  assert.ok([...EVENT_CODES.keys()].every((c) => /^[A-Z]\d{2}$/.test(c)));
  assert.equal(eventCode('A99'), undefined);
  assert.equal(eventCode('\uFEFFA01'), undefined);
});

test('special road codes 9900-9999 (COD-3)', () => {
  assert.ok(isSpecialRoadCode('9900'));
  assert.ok(isSpecialRoadCode('9999'));
  assert.ok(isSpecialRoadCode(9950));
  assert.ok(!isSpecialRoadCode('9899'));
  assert.ok(!isSpecialRoadCode('0100'));
  assert.ok(!isSpecialRoadCode('10000'));
  assert.ok(!isSpecialRoadCode(''));
  assert.ok(!isSpecialRoadCode('99a0'));
});

test('unknown codes give undefined, also for prototype keys', () => {
  assert.equal(label(SEX, 'X'), undefined);
  assert.equal(label(SEX, 'constructor'), undefined);
  assert.equal(label(CIVIL_STATUS, 'toString', 'en'), undefined);
  assert.equal(lookup(MUNICIPALITIES, 'constructor'), undefined);
  assert.equal(label(MUNICIPALITIES, '0147', 'en'), 'Frederiksberg');
  assert.equal(label(COUNTRIES, '5110', 'en'), 'Norway');
  assert.ok(hasCode(CIVIL_STATUS, 'L'));
  assert.ok(!hasCode(CIVIL_STATUS, 'X'));
  assert.ok(!hasCode(CIVIL_STATUS, '__proto__'));
});

test('tables are immutable', () => {
  assert.throws(() => {
    (SEX as Record<string, unknown>).X = { code: 'X', da: 'x', en: 'x' };
  });
  assert.throws(() => {
    (municipality('0101') as { da: string }).da = 'x';
  });
});
