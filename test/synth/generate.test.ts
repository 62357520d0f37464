/**
 * `opencpr generate` into real stores: the population, its address and
 * ownership registers, resumption after an interruption, identical exports for
 * a seed, and the facts the landlord service needs (residents of dwellings
 * owned by landlords with more than 10 dwellings, acquired during their stay).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { addGenerateCommand } from '../../src/cli/commands/population.ts';
import { CliError } from '../../src/cli/errors.ts';
import { exportPopulation } from '../../src/formats/population/export.ts';
import { AddressRegister } from '../../src/reference/address-register.ts';
import { OwnershipRegister } from '../../src/reference/ownership-register.ts';
import { generatePopulationInto, GenerateError } from '../../src/synth/generate.ts';
import { freshRegister, STORE_KINDS } from '../support/stores.ts';

type Ctx = Awaited<ReturnType<typeof freshRegister>>;

async function exportText(ctx: Ctx): Promise<string> {
  let text = '';
  await exportPopulation(ctx.register, (chunk) => void (text += chunk));
  return text;
}

for (const kind of STORE_KINDS) {
  describe(`generate into ${kind}`, () => {
    let ctx: Ctx;
    let result: Awaited<ReturnType<typeof generatePopulationInto>>;
    before(async () => {
      ctx = await freshRegister(kind);
      result = await generatePopulationInto(ctx.register, { seed: 11, persons: 1500 });
    });
    after(() => ctx.dispose());

    test('loads every person, with the address and ownership registers', async () => {
      assert.equal(result.stopped, false);
      assert.equal(result.loaded, 1500);
      const n = await ctx.register.store.db.selectFrom('person_number').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(n.n), 1500);
      const addr = await new AddressRegister(ctx.register.store, ctx.clock).stats();
      assert.equal(addr.unitAddresses, result.addresses.units);
      const own = await new OwnershipRegister(ctx.register.store, ctx.clock).stats();
      assert.ok(own.properties > 100 && own.ownerships >= own.properties * 0.5, JSON.stringify(own));
      assert.ok(result.ownership && result.ownership.personOwned > 0);
      // The summary matches what the register holds.
      const dead = await ctx.register.store.db.selectFrom('person_current').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', '90').executeTakeFirstOrThrow();
      assert.equal(Number(dead.n), result.summary!.byStatus['90']);
    });

    test('residents live at DAR unit addresses of the address register', async () => {
      const addresses = new AddressRegister(ctx.register.store, ctx.clock);
      const rows = await ctx.register.store.db.selectFrom('person_current').select('pnr').where('status', '=', '01').orderBy('pnr').limit(40).execute();
      for (const { pnr } of rows) {
        const p = await ctx.register.person(pnr);
        const a = (p!.state.address as { value: { addressId: string; accessAddressId: string } }).value;
        const unit = await addresses.unit(a.addressId);
        assert.ok(unit, `${pnr}: unit ${a.addressId} is in DAR`);
        assert.equal(unit.houseNumber.id, a.accessAddressId);
      }
    });

    test('landlords with more than 10 dwellings acquired some residents’ homes during their stay', async () => {
      const owners = new OwnershipRegister(ctx.register.store, ctx.clock);
      const residents = await ctx.register.store.db
        .selectFrom('residence')
        .select(['pnr', 'address_id', 'valid_from', 'valid_to'])
        .where('reg_to', 'is', null)
        .where('valid_to', 'is', null)
        .orderBy('pnr')
        .execute();
      const big = new Map<string, boolean>();
      let inside = 0;
      let companyHomes = 0;
      for (const r of residents) {
        const o = await owners.ownershipOfAddress(r.address_id!);
        const company = o?.owners.find((x) => x.kind === 'cvr');
        if (!company) continue;
        if (!big.has(company.number)) big.set(company.number, (await owners.dwellingCount(company.number)) > 10);
        if (!big.get(company.number)) continue;
        companyHomes++;
        // LAN-4: the owner acquired the dwelling while the person lived there.
        if (r.valid_from < company.acquired) inside++;
      }
      assert.ok(companyHomes > 50, `${companyHomes} residents of large landlords`);
      assert.ok(inside > 5, `${inside} residents moved in before their landlord acquired the dwelling`);
    });

    test('person owners are persons of the register who lived in the property', async () => {
      const db = ctx.register.store.db;
      const personOwned = await db.selectFrom('ejf_ejerskab').select(['owner_number', 'bfe_number', 'acquisition_date']).where('owner_kind', '=', 'cpr').orderBy('bfe_number').limit(30).execute();
      assert.ok(personOwned.length > 0);
      for (const o of personOwned) {
        const known = await db.selectFrom('person_number').select('pnr').where('pnr', '=', o.owner_number).executeTakeFirst();
        assert.ok(known, `owner ${o.owner_number} is in the register`);
        const stays = await db.selectFrom('residence').select('address_id').where('pnr', '=', o.owner_number).where('reg_to', 'is', null).execute();
        const units = await db
          .selectFrom('ejf_beliggenhed as l')
          .innerJoin('dar_adresse as a', (j) => j.onRef('a.husnummer_id', '=', 'l.husnummer_id'))
          .select('a.id')
          .where('l.bfe_number', '=', o.bfe_number)
          .execute();
        const ids = new Set(units.map((u) => u.id));
        assert.ok(stays.some((s) => ids.has(s.address_id!)), `owner ${o.owner_number} lived in property ${o.bfe_number}`);
      }
    });

    test('running it again does nothing; another population in the same store is refused', async () => {
      const again = await generatePopulationInto(ctx.register, { seed: 11, persons: 1500 });
      assert.equal(again.alreadyComplete, true);
      assert.equal(again.loaded, 0);
      await assert.rejects(generatePopulationInto(ctx.register, { seed: 12, persons: 1500 }), (e: unknown) => e instanceof GenerateError && e.code === 'generated_elsewhere');
    });
  });
}

describe('generate: interruption and determinism (SQLite)', () => {
  test('an interrupted run resumes to the same population as an uninterrupted one, export for export', async () => {
    const a = await freshRegister('sqlite');
    const b = await freshRegister('sqlite');
    try {
      await generatePopulationInto(a.register, { seed: 3, persons: 2500, batchSize: 500 });
      let batches = 0;
      const first = await generatePopulationInto(b.register, { seed: 3, persons: 2500, batchSize: 500, shouldStop: () => ++batches >= 3 });
      assert.equal(first.stopped, true);
      const loaded = await b.register.store.db.selectFrom('person_number').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.ok(Number(loaded.n) > 0 && Number(loaded.n) < 2500, `${loaded.n} persons after the interruption`);
      // The next day, the same command resumes with the population of the first day.
      b.clock.advance(86_400_000);
      const rest = await generatePopulationInto(b.register, { seed: 3, persons: 2500, batchSize: 500 });
      assert.equal(rest.stopped, false);
      assert.equal(rest.skipped + rest.loaded, 2500);
      a.clock.advance(86_400_000);
      assert.equal(await exportText(b), await exportText(a));
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });
});

describe('opencpr generate (CLI)', () => {
  test('prints the summary; bad options exit 2 without writing', async () => {
    const ctx = await freshRegister('sqlite');
    let out = '';
    let err = '';
    const io = { out: (s: string) => void (out += s), err: (s: string) => void (err += s), clock: ctx.clock };
    const program = () => {
      const p = new Command().exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
      // The command closes the register it opens; the test's own stays open for the checks.
      addGenerateCommand(p, async () => new (ctx.register.constructor as typeof import('../../src/register/register.ts').Register)(await (await import('../../src/storage/store.ts')).openStore(ctx.location), ctx.clock), io);
      return p;
    };
    try {
      await assert.rejects(program().parseAsync(['generate', '--persons', '200', '--municipalities', '9999'], { from: 'user' }), (e: unknown) => e instanceof CliError && e.exitCode === 2);
      await assert.rejects(program().parseAsync(['generate', '--persons', 'many'], { from: 'user' }), (e: unknown) => e instanceof CliError && e.exitCode === 2);
      await program().parseAsync(['generate', '--persons', '300', '--seed', '4', '--municipalities', '0461,0751'], { from: 'user' });
      assert.match(out, /Population of 300 person numbers/);
      assert.match(out, /households: [\d,]+, [\d.]+ persons each/);
      assert.match(out, /age pyramid/);
      assert.match(err, /persons: 300 \/ 300/);
      const munis = await ctx.register.store.db.selectFrom('residence').select('municipality_code').distinct().execute();
      assert.deepEqual(munis.map((m) => m.municipality_code).sort(), ['0461', '0751']);
    } finally {
      await ctx.dispose();
    }
  });
});
