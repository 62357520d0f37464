import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import fc from 'fast-check';
import { addPopulationCommands } from '../../src/cli/commands/population.ts';
import { CliError } from '../../src/cli/errors.ts';
import { addDays, type CivilDate, type Instant } from '../../src/domain/dates.ts';
import { NO_MOD11_DATES } from '../../src/domain/pnr/pnr.ts';
import { exportPopulation, PopulationExportError } from '../../src/formats/population/export.ts';
import {
  checkPersonLine,
  importPopulation,
  PopulationImportError,
  validatePopulation,
} from '../../src/formats/population/import.ts';
import type { FactState, PersonState } from '../../src/register/bitemporal.ts';
import { Register, type PersonView } from '../../src/register/register.ts';
import { freshRegister, STORE_KINDS } from '../support/stores.ts';

const FIXTURE = new URL('../fixtures/population/example.ndjson', import.meta.url);
const DOCS = new URL('../../docs/formats.md', import.meta.url);

const tmp = mkdtempSync(join(tmpdir(), 'opencpr-population-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let files = 0;
const tmpFile = (content?: string) => {
  const f = join(tmp, `p${files++}.ndjson`);
  if (content !== undefined) writeFileSync(f, content);
  return f;
};

type Ctx = Awaited<ReturnType<typeof freshRegister>>;

const addr = (n: number, municipalityCode = '0461') => ({
  municipalityCode,
  roadCode: '0100',
  roadName: 'Vestergade',
  houseNumber: String(n),
  postalCode: '5000',
  postalDistrict: 'Odense C',
  addressId: `0a3f50a0-0000-32b8-e044-0003ba29${String(n).padStart(4, '0')}`,
  accessAddressId: `0a3f507b-0000-32b8-e044-0003ba29${String(Math.floor(n / 2)).padStart(4, '0')}`,
});

const value = (f: unknown) => (f as FactState).value as Record<string, unknown>;

async function count(r: Register, table: 'person_number' | 'registration'): Promise<number> {
  const row = await r.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}

async function exportToFile(r: Register, pnrs?: string[]): Promise<string> {
  const f = tmpFile();
  let s = '';
  await exportPopulation(r, (c) => void (s += c), pnrs ? { pnrs } : {});
  writeFileSync(f, s);
  return f;
}

/** The order of each of a person's registrations (seq → position), so states compare across registers. */
async function positions(r: Register, pnr: string): Promise<Map<number, number>> {
  const h = await r.history(pnr);
  return new Map((h?.registrations ?? []).map((x, i) => [x.seq, i + 1]));
}

function normalise(view: PersonView | null, pos: Map<number, number>) {
  if (!view) return null;
  const state: Record<string, unknown> = {};
  const fact = (f: FactState) => ({ ...f, seq: pos.get(f.seq) ?? -1 });
  for (const [g, f] of Object.entries(view.state as PersonState)) {
    state[g] = Array.isArray(f) ? f.map(fact).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) : fact(f!);
  }
  return { ...view, state };
}

/** Everything a person's history says, with sequence numbers replaced by positions. */
async function normalisedHistory(r: Register, pnr: string) {
  const h = await r.history(pnr);
  assert.ok(h, `${pnr} is in the register`);
  const pos = new Map(h.registrations.map((x, i) => [x.seq, i + 1]));
  return {
    registrations: h.registrations.map(({ seq, annuls, pnr: _p, ...rest }) => ({ ...rest, position: pos.get(seq), annuls: annuls === null ? null : pos.get(annuls) })),
    versions: h.versions.map((v) => ({ ...v, s: pos.get(v.s) })).map((v) => JSON.stringify(v)).sort(),
  };
}

/** The dates and instants around every change of a person's history. */
async function grid(r: Register, pnr: string): Promise<{ validAt: CivilDate[]; knownAt: Instant[] }> {
  const h = (await r.history(pnr))!;
  const dates = new Set<CivilDate>(['1900-01-01', '2099-12-31']);
  const times = new Set<Instant>(['1900-01-01T00:00:00.000Z', '2099-12-31T23:59:59.999Z']);
  for (const reg of h.registrations) {
    const t = Date.parse(reg.registeredAt);
    times.add(new Date(t - 1).toISOString());
    times.add(reg.registeredAt);
    times.add(new Date(t + 1).toISOString());
    for (const c of reg.changes) {
      for (const d of [c.validFrom, c.validTo]) {
        if (d === null) continue;
        dates.add(addDays(d, -1));
        dates.add(d);
      }
    }
  }
  return { validAt: [...dates].sort(), knownAt: [...times].sort() };
}

/** Same answer to "valid at V, known at R" for every V and R of the grid, same history, same registrations. */
async function assertSamePerson(a: Register, b: Register, pnr: string): Promise<number> {
  const [pa, pb] = [await positions(a, pnr), await positions(b, pnr)];
  assert.deepEqual(await normalisedHistory(b, pnr), await normalisedHistory(a, pnr), `${pnr}: history`);
  const g = await grid(a, pnr);
  let n = 0;
  for (const validAt of g.validAt) {
    for (const knownAt of g.knownAt) {
      const [x, y] = [await a.person(pnr, { validAt, knownAt }), await b.person(pnr, { validAt, knownAt })];
      assert.deepEqual(normalise(y, pb), normalise(x, pa), `${pnr} valid at ${validAt} known at ${knownAt}`);
      n++;
    }
  }
  return n;
}

// ── Pure ─────────────────────────────────────────────────────────────────────

describe('population format (pure)', () => {
  const ctx = { noMod11Dates: NO_MOD11_DATES, importTime: '2026-06-01T10:00:00.000Z' };

  test('docs/formats.md shows the test fixture verbatim', () => {
    const docs = readFileSync(DOCS, 'utf8');
    const block = /```ndjson\n([\s\S]*?)```/.exec(docs)?.[1];
    assert.equal(block, readFileSync(FIXTURE, 'utf8'));
  });

  test('defaults: registration time, authority, event code (from the groups; an annulment takes the annulled one’s)', () => {
    const r = checkPersonLine(
      {
        pnr: '071261-4455',
        registrations: [
          { changes: [{ group: 'protection', validFrom: '2024-01-01', value: { type: '0001' } }] },
          { registeredAt: '2026-06-01T12:00:00+02:00', authority: '0751', eventCode: 'A13', changes: [{ group: 'name', validFrom: '2024-01-01', value: { firstNames: ['Per'], lastName: 'Jensen' } }] },
          { annuls: 2 },
          { changes: [{ group: 'status', validFrom: '2026-01-01', value: { code: '90' } }] },
        ],
      },
      ctx,
    );
    assert.ok('person' in r, JSON.stringify(r));
    const [a, b, c, d] = r.person.registrations;
    assert.equal(r.person.pnr, '0712614455');
    assert.deepEqual([a!.registeredAt, a!.authority, a!.eventCode, a!.late, a!.documentation], [ctx.importTime, 'CPR', 'A33', false, null]);
    assert.equal(a!.changes[0]!.key, '0001', 'keyed group: key made from the value');
    assert.equal(b!.registeredAt, '2026-06-01T10:00:00.000Z', 'normalised to UTC');
    assert.deepEqual([c!.annuls, c!.eventCode, c!.changes], [2, 'A13', []]);
    assert.equal(d!.eventCode, 'A21');
  });

  test('what is wrong is said precisely', () => {
    const problems = (raw: unknown) => {
      const r = checkPersonLine(raw, ctx);
      assert.ok('problems' in r);
      return r.problems.map((p) => `${p.code}: ${p.message}`);
    };
    const base = { group: 'status', validFrom: '2020-01-01', value: { code: '01' } };
    assert.deepEqual(problems({ pnr: '0708614866', registrations: [{ changes: [{ ...base, validFrom: '2020-02-30' }] }] }), [
      'invalid_date: registration 1, change 1, validFrom: "2020-02-30" is not a date YYYY-MM-DD',
    ]);
    assert.match(problems({ pnr: '0708614866', registrations: [{ changes: [{ ...base, group: 'hobby' }] }] })[0]!, /^unknown_group: .*"hobby" is not a group of Bilag 1/);
    assert.match(problems({ pnr: '070861-486', registrations: [] })[0]!, /^pnr_malformed: pnr: /);
    assert.match(problems({ pnr: '0708614867', registrations: [] })[0]!, /^pnr_suspicious: /);
    assert.match(problems({ pnr: '0708614866', registrations: [{ changes: [{ ...base, value: { code: '02' } }] }] })[0]!, /^invalid_value: registration 1: change 1: status.code/);
    assert.match(problems({ pnr: '0708614866', registrations: [{ changes: [base], hobby: 1 }] })[0]!, /^unknown_field: registration 1: Unrecognized key: "hobby"/);
    assert.match(problems({ pnr: '0708614866', registrations: [{ changes: [{ group: 'status', validFrom: '2020-01-01' }] }] })[0]!, /needs "value"/);
    assert.match(problems({ pnr: '0708614866', registrations: [{ changes: [] }] })[0]!, /at least one fact/);
    assert.match(problems({ pnr: '0708614866', registrations: [{ changes: [base] }, { annuls: 2 }] })[0]!, /^unknown_registration: registration 2: annuls 2/);
    assert.match(problems({ pnr: '0708614866', registrations: [{ changes: [base] }, { annuls: 1 }, { annuls: 1 }] })[0]!, /^already_annulled: registration 3/);
    assert.match(problems({ pnr: '0708614866', registrations: [{ changes: [base] }, { annuls: 1 }, { annuls: 2 }] })[0]!, /^cannot_annul_annulment/);
    assert.match(
      problems({ pnr: '0708614866', registrations: [{ registeredAt: '2020-01-02T00:00:00Z', changes: [base] }, { registeredAt: '2020-01-01T00:00:00Z', changes: [base] }] })[0]!,
      /^registration_order: registration 2/,
    );
    assert.match(
      problems({ pnr: '0708614866', registrations: [{ registeredAt: '2030-01-01T00:00:00Z', changes: [base] }, { changes: [base] }] })[0]!,
      /^registration_order: registration 2: registeredAt 2026-06-01T10:00:00.000Z is before registration 1's/,
      'a registration without a time is made at the import, after those with one',
    );
    assert.match(problems({ pnr: '0708614866', registrations: [{ registeredAt: '2020-01-01', changes: [base] }] })[0]!, /^invalid_date: registration 1, registeredAt: .*ISO time/);
  });
});

// ── Against both stores ──────────────────────────────────────────────────────

for (const kind of STORE_KINDS) {
  describe(`population file on ${kind}`, () => {
    test('the hand-written example creates exactly the persons it describes', async () => {
      const ctx = await freshRegister(kind, '2026-06-01T10:00:00Z');
      try {
        const r = ctx.register;
        const res = await importPopulation(r, FIXTURE.pathname);
        assert.deepEqual([res.persons, res.registrations, res.loaded, res.stopped, res.alreadyImported], [3, 6, 3, false, false]);
        assert.equal(await count(r, 'person_number'), 3);
        assert.equal(await count(r, 'registration'), 6);

        // Karen Hansen: born in Copenhagen, moved to Odense 2020-03-01, reported late.
        const karen = await r.person('0708614866');
        assert.deepEqual(value(karen?.state.name), { firstNames: ['Karen'], middleNames: [], lastName: 'Hansen', addressingName: 'Hansen,Karen' });
        assert.equal(value(karen?.state.address).postalDistrict, 'Odense C');
        assert.equal((karen?.state.address as FactState).validFrom, '2020-03-01');
        assert.equal(value(karen?.state.birth).place, 'København');
        const knownBefore = await r.person('0708614866', { validAt: '2020-03-10', knownAt: '2020-03-19T23:59:59.999Z' });
        assert.equal(value(knownBefore?.state.address).postalDistrict, 'København N', 'the late move was not known before it was reported');
        const karenHistory = await r.history('0708614866');
        assert.deepEqual(
          karenHistory?.registrations.map((x) => [x.registeredAt, x.authority, x.eventCode, x.late, x.documentation]),
          [
            ['1961-08-09T10:00:00.000Z', '0101', 'A14', false, null],
            ['2020-03-20T09:30:00.000Z', '0461', 'A01', true, 'Move report received 2020-03-19'],
          ],
        );
        const residents = await r.residents({ addressId: '0a3f50a0-0000-32b8-e044-0003ba290001' });
        assert.deepEqual(residents.map((x) => x.pnr), ['0708614866']);

        // Peter Jensen: written without times, authority or event code.
        const peter = await r.history('0712614455');
        assert.deepEqual(
          peter?.registrations.map((x) => [x.registeredAt, x.authority, x.eventCode]),
          [['2026-06-01T10:00:00.000Z', 'CPR', 'A14']],
        );
        const peterNow = await r.person('0712614455');
        assert.equal(value(peterNow?.state.civilStatus).spousePnr, '0709614126');
        assert.equal((peterNow?.state.protection as FactState[])[0]?.validTo, '2027-01-01');
        assert.equal(value(peterNow?.state.address).postalDistrict, 'Aarhus C');
        assert.deepEqual(await r.person('0712614455', { knownAt: '2026-06-01T09:59:59.999Z' }).then((p) => p?.state), {}, 'nothing was known before the import');

        // Mette Nielsen: a move to Odense that never happened, annulled.
        const mette = await r.person('0709614126');
        assert.equal(value(mette?.state.address).postalDistrict, 'Aarhus C');
        const beforeAnnulment = await r.person('0709614126', { validAt: '2023-02-01', knownAt: '2023-02-05T00:00:00.000Z' });
        assert.equal(value(beforeAnnulment?.state.address).postalDistrict, 'Odense C');
        const metteHistory = await r.history('0709614126');
        const [, move, annulment] = metteHistory!.registrations;
        assert.deepEqual([annulment?.annuls, annulment?.eventCode, annulment?.documentation], [move?.seq, 'A01', 'The move never happened']);

        // The same file again: recognised, not loaded twice.
        const again = await importPopulation(r, FIXTURE.pathname);
        assert.equal(again.alreadyImported, true);
        assert.equal(await count(r, 'registration'), 6);
      } finally {
        await ctx.dispose();
      }
    });

    test('round trip: moves, a late registration, a correction and annulments give the same as-of answers', async () => {
      const src = await freshRegister(kind, '2019-01-10T09:00:00Z');
      const dst = await freshRegister(kind, '2026-06-01T10:00:00Z');
      try {
        const r = src.register;
        const at = (t: string) => src.clock.set(t);
        const base = (birth: string, sex: 'M' | 'K', first: string) => [
          { group: 'birth', validFrom: birth, value: { birthDate: birth, sex } },
          { group: 'name', validFrom: birth, value: { firstNames: [first], lastName: 'Rundtur' } },
          { group: 'status', validFrom: birth, value: { code: '01' } },
          { group: 'civilStatus', validFrom: birth, value: { code: 'U' } },
          { group: 'citizenship', validFrom: birth, value: { countryCode: '5100' } },
          { group: 'address', validFrom: '2010-01-01', value: addr(1) },
        ];
        // A: moves, a late move, a correction of it, a move that is annulled, then a protection.
        const a = await r.allocatePnr('1980-05-05', 'K');
        await r.register({ pnr: a, authority: '0461', eventCode: 'A14', changes: base('1980-05-05', 'K', 'Anna') });
        at('2020-04-01T10:00:00Z');
        await r.register({ pnr: a, authority: '0461', eventCode: 'A01', changes: [{ group: 'address', validFrom: '2020-03-15', value: addr(2) }] });
        at('2021-06-20T10:00:00Z');
        await r.register({ pnr: a, authority: '0461', eventCode: 'A01', late: true, documentation: 'reported 45 days late', changes: [{ group: 'address', validFrom: '2021-05-01', value: addr(3) }] });
        at('2021-07-01T10:00:00Z');
        await r.register({ pnr: a, authority: '0461', eventCode: 'A09', documentation: 'house number corrected', changes: [{ group: 'address', validFrom: '2021-05-01', value: addr(5) }] });
        at('2022-01-05T10:00:00Z');
        const wrongMove = await r.register({ pnr: a, authority: '0461', eventCode: 'A01', changes: [{ group: 'address', validFrom: '2022-01-01', value: addr(7) }] });
        at('2022-02-01T10:00:00Z');
        await r.register({ pnr: a, authority: '0461', eventCode: 'A10', annuls: wrongMove.seq });
        at('2022-03-01T10:00:00Z');
        await r.register({ pnr: a, authority: '0461', eventCode: 'A33', changes: [{ group: 'protection', validFrom: '2022-03-01', validTo: '2023-03-01', value: { type: '0001' } }] });
        // B: no annulments (the bulk loader's path): marriage, then its date corrected.
        at('2019-02-01T10:00:00Z');
        const b = await r.allocatePnr('1975-01-31', 'M');
        await r.register({ pnr: b, authority: '0101', eventCode: 'A14', changes: base('1975-01-31', 'M', 'Bo') });
        at('2019-06-02T10:00:00Z');
        await r.register({ pnr: b, authority: 'Vielsesmyndighed', eventCode: 'A24', changes: [{ group: 'civilStatus', validFrom: '2019-06-01', value: { code: 'G', spousePnr: a } }] });
        at('2019-06-10T10:00:00Z');
        await r.register({ pnr: b, authority: 'Vielsesmyndighed', eventCode: 'A24', documentation: 'wedding date corrected', changes: [{ group: 'civilStatus', validFrom: '2019-05-31', validTo: '2019-06-01', value: { code: 'G', spousePnr: a } }] });
        // C: the first registration annulled, the person registered anew.
        at('2019-03-01T10:00:00Z');
        const c = await r.allocatePnr('1990-12-24', 'K');
        const first = await r.register({ pnr: c, authority: '0751', eventCode: 'A14', changes: base('1990-12-24', 'K', 'Cecilie') });
        at('2019-03-02T10:00:00Z');
        await r.register({ pnr: c, authority: '0751', eventCode: 'A14', annuls: first.seq });
        at('2019-03-03T10:00:00Z');
        await r.register({ pnr: c, authority: '0751', eventCode: 'A14', changes: base('1990-12-24', 'K', 'Cecilia') });
        // D: a number taken in, nothing registered yet.
        const d = await r.takeInPnr('0101965058');

        at('2026-06-01T10:00:00Z');
        const file = await exportToFile(r);
        const res = await importPopulation(dst.register, file);
        assert.deepEqual([res.persons, res.loaded], [4, 4]);
        assert.equal(await count(dst.register, 'registration'), await count(r, 'registration'));
        let answers = 0;
        for (const pnr of [a, b, c, d]) answers += await assertSamePerson(r, dst.register, pnr);
        assert.ok(answers > 500, `${answers} as-of answers compared`);

        // Around the annulment of A's move, explicitly.
        for (const [knownAt, where] of [
          ['2022-01-20T00:00:00.000Z', 7],
          ['2022-02-02T00:00:00.000Z', 5],
        ] as const) {
          for (const reg of [r, dst.register]) {
            const p = await reg.person(a, { validAt: '2022-01-15', knownAt });
            assert.equal(value(p?.state.address).houseNumber, String(where));
          }
        }
        // The current state (the projection) and the address index agree too.
        assert.deepEqual(normalise(await dst.register.person(a), await positions(dst.register, a)), normalise(await r.person(a), await positions(r, a)));
        for (const n of [1, 2, 3, 5, 7]) {
          for (const validAt of ['2015-01-01', '2020-06-01', '2021-05-15', '2022-01-15']) {
            for (const knownAt of ['2021-06-25T00:00:00.000Z', '2022-01-20T00:00:00.000Z', '2026-01-01T00:00:00.000Z']) {
              const q = { addressId: addr(n).addressId };
              assert.deepEqual(await dst.register.residents(q, { validAt, knownAt }), await r.residents(q, { validAt, knownAt }));
            }
          }
        }
        // Exporting the copy gives the same file but for the header and the log's numbers.
        const strip = (s: string) => s.split('\n').slice(1).join('\n').replace(/"seq":\d+,/g, '');
        const again = await exportToFile(dst.register);
        assert.equal(strip(readFileSync(again, 'utf8')), strip(readFileSync(file, 'utf8')));
      } finally {
        await src.dispose();
        await dst.dispose();
      }
    });

    describe('property: export → import gives identical as-of answers', () => {
      let src: Ctx;
      let dst: Ctx;
      before(async () => {
        src = await freshRegister(kind, '2000-01-01T00:00:00Z');
        dst = await freshRegister(kind, '2031-01-01T00:00:00Z');
      });
      after(async () => {
        await src?.dispose();
        await dst?.dispose();
      });

      const day = (n: number) => addDays('1995-01-01', n);
      const step = fc.record({
        kind: fc.constantFrom('move', 'move', 'protect', 'annul', 'leave'),
        from: fc.integer({ min: 0, max: 365 * 35 }),
        length: fc.option(fc.integer({ min: 1, max: 3000 }), { nil: undefined }),
        where: fc.integer({ min: 1, max: 4 }),
        pick: fc.nat(),
        /** Minutes after the previous registration (0: the same instant). */
        gap: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 60 * 24 * 500 })),
        late: fc.boolean(),
      });
      const scenario = fc.record({ birth: fc.integer({ min: 0, max: 365 * 20 }), sex: fc.constantFrom('M' as const, 'K' as const), steps: fc.array(step, { minLength: 1, maxLength: 8 }) });

      test('random moves, registration times and annulments', async () => {
        let runs = 0;
        await fc.assert(
          fc.asyncProperty(scenario, async (s) => {
            const r = src.register;
            const birth = addDays('1960-01-01', s.birth);
            let t = Date.parse('2000-01-01T00:00:00Z') + runs++ * 60_000;
            src.clock.set(new Date(t));
            const pnr = await r.allocatePnr(birth, s.sex);
            const regs = [
              await r.register({
                pnr,
                authority: '0461',
                eventCode: 'A14',
                changes: [
                  { group: 'birth', validFrom: birth, value: { birthDate: birth, sex: s.sex } },
                  { group: 'name', validFrom: birth, value: { firstNames: ['Egenskab'], lastName: 'Test' } },
                  { group: 'address', validFrom: birth, value: addr(1) },
                ],
              }),
            ];
            const annulled = new Set<number>();
            for (const st of s.steps) {
              t += st.gap * 60_000;
              src.clock.set(new Date(t));
              const from = day(st.from);
              const validTo = st.length === undefined ? undefined : addDays(from, st.length);
              if (st.kind === 'annul') {
                const candidates = regs.filter((x) => x.annuls === null && !annulled.has(x.seq));
                const target = candidates[st.pick % Math.max(1, candidates.length)];
                if (!target) continue;
                annulled.add(target.seq);
                regs.push(await r.register({ pnr, authority: '0461', eventCode: 'A10', annuls: target.seq }));
              } else {
                const change =
                  st.kind === 'protect'
                    ? { group: 'protection', validFrom: from, validTo, value: { type: '0001' } }
                    : { group: 'address', validFrom: from, validTo, value: st.kind === 'leave' ? null : addr(st.where) };
                regs.push(await r.register({ pnr, authority: '0461', eventCode: st.kind === 'protect' ? 'A33' : 'A01', late: st.late, changes: [change] }));
              }
            }
            const file = await exportToFile(r, [pnr]);
            const res = await importPopulation(dst.register, file);
            assert.equal(res.loaded, 1);
            await assertSamePerson(r, dst.register, pnr);
          }),
          { numRuns: kind === 'sqlite' ? 40 : 25 },
        );
      });
    });

    test('a bad line is reported with its line number and nothing is imported', async () => {
      const ctx = await freshRegister(kind, '2026-06-01T10:00:00Z');
      try {
        const r = ctx.register;
        const fixture = readFileSync(FIXTURE, 'utf8').trimEnd().split('\n');
        // Many good persons, then the bad lines last.
        const good: string[] = [];
        for (let i = 0; i < 40; i++) {
          const pnr = await nthPnr(i);
          good.push(JSON.stringify({ pnr, registrations: [{ changes: [{ group: 'status', validFrom: '2000-01-01', value: { code: '01' } }] }] }));
        }
        const status = (pnr: string, extra: Record<string, unknown>) =>
          JSON.stringify({ pnr, registrations: [{ changes: [{ group: 'status', validFrom: '2000-01-01', value: { code: '01' }, ...extra }] }] });
        const cases = [
          { line: status('0101005038', { validFrom: '2000-02-30' }), code: 'invalid_date', says: /validFrom: "2000-02-30" is not a date/ },
          { line: status('0101005038', { group: 'hobby' }), code: 'unknown_group', says: /"hobby" is not a group of Bilag 1/ },
          { line: status('01010050', {}), code: 'pnr_malformed', says: /ten digits/ },
          { line: '{"pnr": "0101005038", "registrations": [', code: 'invalid_json', says: /not a JSON object/ },
        ];
        for (const c of cases) {
          const file = tmpFile([...fixture, ...good, c.line].join('\n') + '\n');
          const line = fixture.length + good.length + 1;
          await assert.rejects(importPopulation(r, file), (e: unknown) => {
            assert.ok(e instanceof PopulationImportError);
            assert.equal(e.code, 'invalid_file');
            assert.equal(e.problems.length, 1, JSON.stringify(e.problems));
            assert.equal(e.problems[0]!.line, line);
            assert.equal(e.problems[0]!.code, c.code);
            assert.match(e.problems[0]!.message, c.says);
            assert.match(e.message, new RegExp(`line ${line}: `));
            return true;
          });
          assert.equal(await count(r, 'person_number'), 0, `${c.code}: nothing imported`);
          assert.equal(await count(r, 'registration'), 0);
        }

        // All problems at once, in line order; a header that is not one stops the reading.
        const several = tmpFile([fixture[0], cases[0]!.line, fixture[1], cases[1]!.line, fixture[1], cases[2]!.line].join('\n'));
        const report = await validatePopulation(r, several);
        assert.deepEqual(
          report.problems.map((p) => [p.line, p.code]),
          [
            [2, 'invalid_date'],
            [4, 'unknown_group'],
            [5, 'duplicate_pnr'],
            [6, 'pnr_malformed'],
          ],
        );
        const headless = await validatePopulation(r, tmpFile(fixture.slice(1).join('\n')));
        assert.deepEqual(headless.problems.map((p) => [p.line, p.code]), [[1, 'invalid_header']]);
        assert.match(headless.problems[0]!.message, /the first line must be the header/);
        const wrongVersion = await validatePopulation(r, tmpFile('{"format":"opencpr-population","version":2}\n'));
        assert.match(wrongVersion.problems[0]!.message, /version 2 is not supported/);
        assert.equal((await validatePopulation(r, tmpFile(''))).problems[0]!.code, 'invalid_header');

        // A number the register already holds.
        await r.takeInPnr('0708614866');
        await assert.rejects(importPopulation(r, FIXTURE.pathname), (e: PopulationImportError) => {
          assert.deepEqual(e.problems.map((p) => [p.line, p.code]), [[2, 'pnr_in_use']]);
          return true;
        });
        assert.equal(await count(r, 'person_number'), 1);
      } finally {
        await ctx.dispose();
      }
    });

    test('an interrupted import resumes where it stopped and ends as one uninterrupted', async () => {
      const src = await freshRegister(kind, '2020-01-01T00:00:00Z');
      const dst = await freshRegister(kind, '2026-06-01T10:00:00Z');
      try {
        const r = src.register;
        const pnrs: string[] = [];
        for (let i = 0; i < 7; i++) {
          src.clock.set(`2020-0${1 + (i % 5)}-0${1 + i}T10:00:00Z`);
          const pnr = await r.allocatePnr(addDays('1970-01-01', i * 400), i % 2 ? 'M' : 'K');
          pnrs.push(pnr);
          const reg = await r.register({ pnr, authority: '0461', eventCode: 'A01', changes: [{ group: 'address', validFrom: '2019-01-01', value: addr(i + 1) }] });
          src.clock.advance(3_600_000);
          await r.register({ pnr, authority: '0461', eventCode: 'A01', changes: [{ group: 'address', validFrom: '2019-06-01', value: addr(i + 2) }] });
          if (i % 3 === 0) {
            src.clock.advance(3_600_000);
            await r.register({ pnr, authority: '0461', eventCode: 'A01', annuls: reg.seq });
          }
        }
        const file = await exportToFile(r);
        const runs = [];
        for (;;) {
          const res = await importPopulation(dst.register, file, { batchSize: 2, shouldStop: () => true });
          runs.push([res.loaded, res.resumedAfter, res.stopped]);
          if (!res.stopped) break;
          assert.ok(runs.length < 10);
        }
        // 4 persons without annulments (2 + 2), then 3 with (2 + 1): a batch per run.
        assert.deepEqual(runs, [
          [2, 0, true],
          [2, 2, true],
          [2, 4, true],
          [1, 6, false],
        ]);
        for (const pnr of pnrs) await assertSamePerson(r, dst.register, pnr);
        assert.equal((await importPopulation(dst.register, file)).alreadyImported, true);
        assert.equal(await count(dst.register, 'registration'), await count(r, 'registration'));
      } finally {
        await src.dispose();
        await dst.dispose();
      }
    });

    test('export of chosen persons; unknown and malformed numbers are refused', async () => {
      const ctx = await freshRegister(kind, '2026-06-01T10:00:00Z');
      try {
        const r = ctx.register;
        await importPopulation(r, FIXTURE.pathname);
        let s = '';
        const progress: number[] = [];
        const info = await exportPopulation(r, (c) => void (s += c), { pnrs: ['071261-4455', '0708614866', '0708614866'], pageSize: 1, onProgress: (p) => progress.push(p.done) });
        const lines = s.trimEnd().split('\n').map((l) => JSON.parse(l));
        assert.deepEqual(lines[0], { format: 'opencpr-population', version: 1, exportedAt: '2026-06-01T10:00:00.000Z', lastSeq: 6 });
        assert.deepEqual(lines.slice(1).map((l) => l.pnr), ['0708614866', '0712614455']);
        assert.deepEqual([info.persons, info.registrations, progress], [2, 3, [1, 2]]);
        await assert.rejects(exportPopulation(r, () => undefined, { pnrs: ['0709614126', '0101005038'] }), (e: PopulationExportError) => e.code === 'unknown_person' && /0101005038/.test(e.message));
        await assert.rejects(exportPopulation(r, () => undefined, { pnrs: ['12'] }), (e: PopulationExportError) => e.code === 'invalid_pnr');
      } finally {
        await ctx.dispose();
      }
    });

    test('CLI: population export and import', async () => {
      const src = await freshRegister(kind, '2026-06-01T10:00:00Z');
      const dst = await freshRegister(kind, '2026-06-01T11:00:00Z');
      try {
        await importPopulation(src.register, FIXTURE.pathname);
        const out: string[] = [];
        const err: string[] = [];
        const cli = (ctx: Ctx) => {
          const program = new Command('opencpr').exitOverride().configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => err.push(s) });
          // The command closes the register it is given; hand it a second one on the same store.
          addPopulationCommands(program, async () => new Register(await reopen(ctx), ctx.clock), {
            out: (s) => out.push(s),
            err: (s) => err.push(s),
            clock: ctx.clock,
          });
          return (...args: string[]) => program.parseAsync(args, { from: 'user' });
        };
        const file = join(tmp, 'cli-export.ndjson');
        await cli(src)('population', 'export', '--out', file, '--pnr', '0708614866,0709614126');
        assert.match(out.join(''), /Exported 2 persons \(5 registrations, log up to 6\)/);
        const audit = await src.register.store.db.selectFrom('audit').select(['action', 'subjects']).execute();
        assert.deepEqual(audit.map((a) => [a.action, JSON.parse(a.subjects)]), [['population.export', ['0708614866', '0709614126']]]);

        out.length = 0;
        await cli(dst)('population', 'import', '--dry-run', file);
        assert.match(out.join(''), /is valid: 2 persons, 5 registrations \(1 persons with annulments\)/);
        assert.equal(await count(dst.register, 'person_number'), 0);
        await cli(dst)('population', 'import', file);
        assert.match(out.join(''), /Imported 2 persons \(5 registrations\)/);
        for (const pnr of ['0708614866', '0709614126']) await assertSamePerson(src.register, dst.register, pnr);

        const bad = tmpFile(readFileSync(FIXTURE, 'utf8').replace('"validFrom":"2023-01-15"', '"validFrom":"2023-01-32"'));
        err.length = 0;
        await assert.rejects(cli(dst)('population', 'import', bad), (e: CliError) => e.exitCode === 1 && /nothing was imported/.test(e.message));
        assert.match(err.join(''), /line 4 \(0709614126\): registration 2, change 1, validFrom: "2023-01-32" is not a date YYYY-MM-DD \[invalid_date\]/);
      } finally {
        await src.dispose();
        await dst.dispose();
      }
    });
  });
}

/** The i-th valid number of a run of birth dates, for filler persons. */
async function nthPnr(i: number): Promise<string> {
  const { candidatePnrs } = await import('../../src/domain/pnr/pnr.ts');
  return candidatePnrs(addDays('1950-01-01', i), i % 2 ? 'M' : 'K').next().value as string;
}

async function reopen(ctx: Ctx) {
  const { openStore } = await import('../../src/storage/store.ts');
  return openStore(ctx.location);
}
