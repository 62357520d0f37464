/**
 * The synthetic population generator, in memory: determinism, the register's
 * own validation of every registration, consistent relations and households,
 * and the shares it aims at (docs/population.md).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPnr, NO_MOD11_DATES } from '../../src/domain/pnr/pnr.ts';
import { ADDRESSING_NAME_LIMIT } from '../../src/domain/names/addressing-name.ts';
import { applyAnnulment, applyChanges, registrationsInForce, stateOf, versionsAsOf, type FactState, type Registration, type Version } from '../../src/register/bitemporal.ts';
import { validateChanges } from '../../src/register/validate.ts';
import { Dwellings } from '../../src/synth/dwellings.ts';
import { buildAddresses } from '../../src/synth/geography.ts';
import { generatePopulation, type SynthPerson } from '../../src/synth/population.ts';
import { SummaryCollector } from '../../src/synth/summary.ts';

const TODAY = '2026-06-01';
const NOW = '2026-06-01T10:00:00.000Z';

function generate(seed: number, persons: number, municipalities?: string[]) {
  const universe = buildAddresses({ seed, persons, ...(municipalities && { municipalities }) });
  const dwellings = new Dwellings(universe);
  const list = [...generatePopulation({ seed, persons, universe, dwellings, today: TODAY, now: NOW })];
  const summary = new SummaryCollector(TODAY);
  for (const p of list) summary.add(p);
  return { universe, dwellings, list, summary: summary.finish(dwellings.shared) };
}

interface Loaded {
  p: SynthPerson;
  versions: Version[];
  /** The state valid today as known now. */
  now: Record<string, FactState | FactState[] | undefined>;
}

/** Replays each person's registrations as the register does (validateChanges, applyChanges, applyAnnulment). */
function replay(list: SynthPerson[]): Map<string, Loaded> {
  const out = new Map<string, Loaded>();
  const noMod11 = new Set(NO_MOD11_DATES);
  for (const p of list) {
    let check = checkPnr(p.pnr, noMod11);
    if (check.kind === 'suspicious') {
      // An allocated number past the date's mod-11 serials lists the date (COD-2).
      noMod11.add(check.birthDate);
      check = checkPnr(p.pnr, noMod11);
    }
    assert.equal(check.kind, 'valid', `${p.pnr}: ${check.message}`);
    let versions: Version[] = [];
    const done: Registration[] = [];
    let last = '';
    p.registrations.forEach((r, i) => {
      assert.ok(r.registeredAt >= last, `${p.pnr}: registrations in time order`);
      assert.ok(r.registeredAt <= NOW, `${p.pnr}: nothing registered after the generation instant`);
      last = r.registeredAt;
      const seq = i + 1;
      if (r.annulsIndex !== undefined) {
        assert.ok(r.annulsIndex < i && done[r.annulsIndex]!.annuls === null);
        done.push({ seq, pnr: p.pnr, registeredAt: r.registeredAt, authority: r.authority, eventCode: r.eventCode, documentation: null, late: false, annuls: r.annulsIndex + 1, changes: [] });
        versions = applyAnnulment(versions, registrationsInForce(done), r.registeredAt);
        return;
      }
      const changes = validateChanges(r.changes);
      assert.ok(changes.length > 0);
      done.push({ seq, pnr: p.pnr, registeredAt: r.registeredAt, authority: r.authority, eventCode: r.eventCode, documentation: null, late: !!r.late, annuls: null, changes });
      versions = applyChanges(versions, changes, r.registeredAt, seq);
    });
    out.set(p.pnr, { p, versions, now: stateOf(versionsAsOf(versions, TODAY, NOW)) as Loaded['now'] });
  }
  return out;
}

const one = (s: Loaded['now'], g: string) => s[g] as FactState | undefined;
const many = (s: Loaded['now'], g: string) => (s[g] as FactState[] | undefined) ?? [];
const val = <T>(f: FactState | undefined) => f?.value as T | undefined;

// Another seed can be tried with OPENCPR_SYNTH_SEED=n.
const SEED = Number(process.env.OPENCPR_SYNTH_SEED ?? 5);
const { list, summary, universe, dwellings } = generate(SEED, 4000);
const people = replay(list);

describe('synthetic population generator', () => {
  test('is deterministic for a seed and differs between seeds', () => {
    const again = generate(SEED, 4000).list;
    assert.equal(JSON.stringify(again), JSON.stringify(list));
    const other = generate(SEED + 1, 4000).list;
    assert.notEqual(JSON.stringify(other.slice(0, 50)), JSON.stringify(list.slice(0, 50)));
    // A smaller population of the same seed is not a prefix of another size's: sizes are separate populations.
    assert.equal(list.length, 4000);
    assert.equal(new Set(list.map((p) => p.pnr)).size, 4000, 'person numbers are unique');
  });

  test('every registration passes the register validation, in time order, none after the generation instant', () => {
    assert.equal(people.size, 4000);
    const codes = new Set(list.flatMap((p) => p.registrations.map((r) => r.eventCode)));
    for (const c of ['A01', 'A04', 'A06', 'A14', 'A21', 'A24', 'A33']) assert.ok(codes.has(c), `event ${c} occurs`);
  });

  test('addressing names are formed where names are long (§5(4)-(5))', () => {
    let long = 0;
    for (const { now } of people.values()) {
      const name = val<{ firstNames: string[]; middleNames: string[]; lastName: string; addressingName: string }>(one(now, 'name'));
      if (!name) continue;
      assert.ok(name.addressingName.length <= ADDRESSING_NAME_LIMIT);
      const full = `${name.lastName},${[...name.firstNames, ...name.middleNames].join(' ')}`;
      if (full.length > ADDRESSING_NAME_LIMIT) {
        long++;
        assert.notEqual(name.addressingName, full);
        assert.ok(name.addressingName.startsWith(name.lastName) || name.lastName.length > 30);
      }
    }
    assert.ok(long > 0, 'some names are long enough to need an abbreviated addressing name');
  });

  test('relations are consistent both ways, and children are younger than their parents by 15-50 years', () => {
    let children = 0;
    let custody = 0;
    for (const { p, versions } of people.values()) {
      const current = versions.filter((v) => v.rt === null && v.g === 'relation');
      for (const v of current) {
        const r = v.v as { role: string; pnr?: string };
        if (!r.pnr) continue;
        const other = people.get(r.pnr);
        assert.ok(other, `${p.pnr}: the ${r.role} ${r.pnr} is in the population`);
        const back = other.versions.filter((x) => x.rt === null && x.g === 'relation').map((x) => x.v as { role: string; pnr?: string });
        const want = { mother: 'child', father: 'child', child: null, custody_holder: 'custody_child', custody_child: 'custody_holder' }[r.role];
        // A parent who died before the child was born is not updated (posthumous birth).
        const diedBefore = other.versions.some((x) => x.rt === null && x.g === 'status' && (x.v as { code: string }).code === '90' && x.vf <= v.vf);
        if (diedBefore) continue;
        if (r.role === 'child') assert.ok(back.some((b) => (b.role === 'mother' || b.role === 'father') && b.pnr === p.pnr), `${p.pnr}: child ${r.pnr} names the parent`);
        else assert.ok(back.some((b) => b.role === want && b.pnr === p.pnr), `${p.pnr}: ${r.role} ${r.pnr} has the relation back`);
        if (r.role === 'mother' || r.role === 'father') {
          children++;
          const gap = (Date.parse(checkBirth(p.pnr)) - Date.parse(checkBirth(r.pnr))) / (365.25 * 86_400_000);
          assert.ok(gap >= 15 && gap <= 50, `${p.pnr}: ${r.role} ${gap.toFixed(1)} years older`);
          if (r.role === 'mother') assert.equal(other.p.pnr.slice(-1) === '' ? '' : Number(other.p.pnr[9]) % 2, 0, 'a mother is a woman');
        }
        if (r.role === 'custody_holder') {
          custody++;
          assert.ok(v.vt !== null, 'custody ends at 18');
        }
      }
    }
    assert.ok(children > 500 && custody > 300, `${children} parent relations, ${custody} custody relations`);
  });

  test('spouses name each other and married couples in Denmark live together unless separated', () => {
    let couples = 0;
    for (const { p, now } of people.values()) {
      const cs = val<{ code: string; spousePnr?: string }>(one(now, 'civilStatus'));
      if (!cs?.spousePnr || (cs.code !== 'G' && cs.code !== 'P')) continue;
      const other = people.get(cs.spousePnr)!;
      const back = val<{ code: string; spousePnr?: string }>(one(other.now, 'civilStatus'));
      assert.equal(back?.spousePnr, p.pnr, `${p.pnr}: spouse ${cs.spousePnr} names them back`);
      assert.equal(back?.code, cs.code);
      const bothHere = p.status === '01' && other.p.status === '01';
      if (bothHere && !one(now, 'separation')) {
        couples++;
        assert.equal(p.unit, other.p.unit, `${p.pnr} and spouse ${cs.spousePnr} share the address`);
      }
    }
    assert.ok(couples > 200, `${couples} married persons living with their spouse`);
  });

  test('one household per dwelling: today everyone at a unit is of one family; a person has one address at a time', () => {
    const families = new Map<number, Set<number>>();
    for (const { p, versions, now } of people.values()) {
      // A residence at a time: address versions in force never overlap.
      const addr = versions.filter((v) => v.rt === null && v.g === 'address').sort((a, b) => (a.vf < b.vf ? -1 : 1));
      for (let i = 1; i < addr.length; i++) assert.ok(addr[i - 1]!.vt !== null && addr[i - 1]!.vt! <= addr[i]!.vf, `${p.pnr}: overlapping residences`);
      const a = val<{ addressId: string }>(one(now, 'address'));
      if (p.status === '01') {
        assert.ok(a && p.unit >= 0, `${p.pnr}: a resident has an address`);
        assert.equal(a.addressId, universe.units[p.unit]!.id, 'the address is the DAR unit the person lives in');
        if (!families.has(p.unit)) families.set(p.unit, new Set());
        families.get(p.unit)!.add(p.family);
      } else {
        assert.equal(a, undefined, `${p.pnr}: status ${p.status} has no Danish address`);
      }
    }
    const mixed = [...families.values()].filter((f) => f.size > 1).length;
    assert.ok(mixed <= Math.max(3, families.size * 0.02), `${mixed} of ${families.size} dwellings hold more than one family`);
    assert.ok(mixed <= dwellings.shared, 'only where the generator reported sharing');
  });

  test('children under 18 live with a parent (§8: after a separation, with one of them)', () => {
    let minors = 0;
    let withParent = 0;
    for (const { p, now } of people.values()) {
      if (p.status !== '01' || checkBirth(p.pnr) > '2008-06-01') {
        if (p.status !== '01') continue;
      } else continue;
      const parents = many(now, 'relation').map((f) => f.value as { role: string; pnr?: string }).filter((r) => (r.role === 'mother' || r.role === 'father') && r.pnr);
      if (!parents.length) continue;
      minors++;
      if (parents.some((r) => people.get(r.pnr!)!.p.unit === p.unit)) withParent++;
    }
    assert.ok(minors > 300, `${minors} minors with parents in the register`);
    assert.ok(withParent / minors > 0.97, `${withParent} of ${minors} live with a parent`);
  });

  test('the shares asked for, within tolerances', () => {
    const s = summary;
    const share = (k: string) => (s.byStatus[k] ?? 0) / s.persons;
    assert.ok(s.singleShare > 0.34 && s.singleShare < 0.48, `single-person households ${s.singleShare}`);
    assert.ok(s.personsPerHousehold > 1.9 && s.personsPerHousehold < 2.4, `persons per household ${s.personsPerHousehold}`);
    assert.ok(share('01') > 0.55 && share('01') < 0.8, `residents ${share('01')}`);
    assert.ok(share('90') > 0.2 && share('90') < 0.38, `dead ${share('90')}`);
    assert.ok(share('80') > 0.01, `emigrated ${share('80')}`);
    assert.ok(s.nationalMovesPerYear > 600_000 && s.nationalMovesPerYear < 1_300_000, `moves a year nationally ${s.nationalMovesPerYear}`);
    const young = (s.ageBands['0-9']!.M + s.ageBands['0-9']!.K) / s.residents;
    assert.ok(young > 0.08 && young < 0.17, `0-9 year olds ${young}`);
    const old = (s.ageBands['80-89']!.M + s.ageBands['80-89']!.K + s.ageBands['90+']!.M + s.ageBands['90+']!.K) / s.residents;
    assert.ok(old > 0.01 && old < 0.08, `80+ ${old}`);
    assert.ok((s.civilStatus.G ?? 0) / s.residents > 0.25, 'married');
    assert.ok((s.civilStatus.F ?? 0) > 0 && (s.civilStatus.E ?? 0) > 0, 'divorced and widowed');
    // Protections: a small share of name-and-address protection, marketing protection the most common.
    const prot = (t: string) => (s.protections[t] ?? 0) / s.residents;
    assert.ok(prot('0001') < 0.01 && prot('0003') > 0.05 && prot('0003') < 0.25, JSON.stringify(s.protections));
    assert.ok(s.churchMembers / s.residents > 0.55 && s.churchMembers / s.residents < 0.85);
    assert.ok(s.late > 0 && s.corrections > 0 && s.annulments > 0 && s.immigrations > 0 && s.emigrations > 0 && s.nameChanges > 0);
  });

  test('only the municipalities asked for', () => {
    const g = generate(3, 600, ['0101', '0461']);
    for (const p of g.list) {
      for (const r of p.registrations) {
        for (const c of r.changes ?? []) {
          if (c.group === 'address' && c.value) assert.ok(['0101', '0461'].includes((c.value as { municipalityCode: string }).municipalityCode));
        }
      }
    }
    assert.ok(g.universe.houses.some((h) => h.real) && g.universe.houses.some((h) => !h.real), 'real sample addresses and synthetic ones');
  });
});

function checkBirth(pnr: string): string {
  const c = checkPnr(pnr, new Set([...NO_MOD11_DATES]));
  return 'birthDate' in c ? c.birthDate : '';
}
