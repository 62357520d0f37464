/**
 * `opencpr reference …`: the reference registers of LAN-6 — the address
 * register (DAR) and the ownership register (EJF). See docs/reference-registers.md.
 *
 * - `reference import-addresses --house-numbers FILE --unit-addresses FILE` (DAWA CSV), or `--sample`
 * - `reference import-ownership FILE` (NDJSON)
 * - `reference generate-ownership --seed S [--out FILE]`
 * - `reference stats`
 * - lookups: `address <id>`, `find …`, `roads …`, `owners <bfe>`, `property-of <address id>`, `dwellings <owner>`
 *
 * Wiring (src/cli/main.ts): addReferenceCommands(program, openStoreFor, io);
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseCivilDate } from '../../domain/dates.ts';
import { AddressRegister, sampleAddressFiles, type AsOf, type HouseNumberWithUnits, type UnitAddress } from '../../reference/address-register.ts';
import { ReferenceDataError } from '../../reference/import.ts';
import { OwnershipRegister, toNdjson, type Owner } from '../../reference/ownership-register.ts';
import type { Store } from '../../storage/store.ts';
import type { CliIo } from '../main.ts';
import { CliError } from '../errors.ts';
import { AuditLog } from '../../access/audit.ts';
import { cliActor } from '../actor.ts';

type Opened = { store: Store; close(): Promise<void> };

export function addReferenceCommands(program: Command, openStore: () => Promise<Opened>, io: Pick<CliIo, 'out' | 'clock'>): void {
  const withStore = async <T>(fn: (store: Store) => Promise<T>): Promise<T> => {
    const { store, close } = await openStore();
    try {
      return await fn(store);
    } catch (e) {
      if (e instanceof ReferenceDataError) throw new CliError(e.message, 1);
      throw e;
    } finally {
      await close();
    }
  };
  /** Owners who are persons are personal data: the answer is given only after its audit record (AUD-3). */
  const audited = <T>(store: Store, action: string, subjects: (answer: T) => string[], answer: () => Promise<T>) =>
    new AuditLog(store, io.clock).audited((a: T) => ({ actor: cliActor(), action, subjects: subjects(a) }), answer);
  const personOwners = (owners: Owner[]) => owners.filter((x) => x.kind === 'cpr').map((x) => x.number);
  const print = (json: boolean | undefined, value: unknown, text: string) => io.out((json ? JSON.stringify(value, null, 2) : text) + '\n');
  const read = (file: string): { text: string; file: string } => {
    try {
      return { text: readFileSync(file, 'utf8'), file };
    } catch (e) {
      throw new CliError(`Cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}.`, 1);
    }
  };
  const on = (value: string | undefined): AsOf => {
    if (value === undefined) return {};
    const d = parseCivilDate(value);
    if (!d) throw new CliError(`--on must be a date YYYY-MM-DD, not "${value}".`, 2);
    return { on: d };
  };
  const counts = (c: { rows: number; inserted: number; changed: number; unchanged: number }) =>
    `${c.rows} rows: ${c.inserted} new, ${c.changed} changed, ${c.unchanged} unchanged`;

  const ref = program.command('reference').description('reference registers (LAN-6): the address register (DAR) and the ownership register (EJF)');

  ref
    .command('import-addresses')
    .description('import DAWA CSV files of house numbers (adgangsadresser) and unit addresses (adresser); one transaction, idempotent')
    .option('--house-numbers <file>', 'house numbers (adgangsadresser) CSV')
    .option('--unit-addresses <file>', 'unit addresses (adresser) CSV')
    .option('--sample', 'the bundled DAWA sample (1,320 house numbers, 2,802 unit addresses, MIT © SDFE)')
    .option('--json', 'JSON output')
    .action(async (o: { houseNumbers?: string; unitAddresses?: string; sample?: boolean; json?: boolean }) => {
      if (o.sample && (o.houseNumbers || o.unitAddresses)) throw new CliError('Give either --sample or files, not both.', 2);
      if (!o.sample && !o.houseNumbers && !o.unitAddresses) throw new CliError('Give --house-numbers FILE and/or --unit-addresses FILE, or --sample.', 2);
      const input = o.sample
        ? { ...sampleAddressFiles(), source: 'sample: DAWA 2015 test data' }
        : { ...(o.houseNumbers && { houseNumbers: read(o.houseNumbers) }), ...(o.unitAddresses && { unitAddresses: read(o.unitAddresses) }) };
      const s = await withStore((store) => new AddressRegister(store, io.clock).importAddresses(input));
      print(
        o.json,
        s,
        `Imported as registration ${s.importId} at ${s.registeredAt}.\n  house numbers: ${counts(s.houseNumbers)}${s.houseNumbers.fromUnitFile ? ` (${s.houseNumbers.fromUnitFile} from the unit-address file)` : ''}\n  unit addresses: ${counts(s.unitAddresses)}`,
      );
    });

  ref
    .command('import-ownership <file>')
    .description('import an ownership file (NDJSON: property, location and ownership records); one transaction, idempotent')
    .option('--json', 'JSON output')
    .action(async (file: string, o: { json?: boolean }) => {
      const input = read(file);
      const s = await withStore((store) => new OwnershipRegister(store, io.clock).importOwnership(input));
      print(
        o.json,
        s,
        `Imported as registration ${s.importId} at ${s.registeredAt}.\n  properties: ${counts(s.properties)}\n  locations: ${counts(s.locations)}\n  ownerships: ${counts(s.ownerships)}`,
      );
    });

  ref
    .command('generate-ownership')
    .description('generate a synthetic ownership register from the address register (deterministic for the seed)')
    .requiredOption('--seed <n>', 'the seed (a whole number)')
    .option('--out <file>', 'write the records as NDJSON instead of registering them')
    .option('--json', 'JSON output')
    .action(async (o: { seed: string; out?: string; json?: boolean }) => {
      if (!/^\d{1,9}$/.test(o.seed)) throw new CliError(`--seed must be a whole number, not "${o.seed}".`, 2);
      const seed = Number(o.seed);
      const r = await withStore((store) => new OwnershipRegister(store, io.clock).generate({ seed, dryRun: o.out !== undefined }));
      if (o.out !== undefined) {
        try {
          writeFileSync(o.out, toNdjson(r.records));
        } catch (e) {
          throw new CliError(`Cannot write ${o.out}: ${(e as Error).message}.`, 1);
        }
        print(o.json, { file: o.out, records: r.records.length, today: r.today }, `Wrote ${r.records.length} records to ${o.out} (nothing registered).`);
        return;
      }
      const s = r.summary!;
      print(
        o.json,
        { ...s, awaitingPersonOwner: r.awaitingPersonOwner.length, today: r.today },
        `Generated (seed ${seed}, as of ${r.today}) as registration ${s.importId}.\n  properties: ${counts(s.properties)}\n  locations: ${counts(s.locations)}\n  ownerships: ${counts(s.ownerships)}\n  ${r.awaitingPersonOwner.length} person-owned properties await a person owner (the population generator assigns them).`,
      );
    });

  ref
    .command('stats')
    .description('counts of the reference registers, valid today as registered now')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const s = await withStore(async (store) => ({
        addresses: await new AddressRegister(store, io.clock).stats(),
        ownership: await new OwnershipRegister(store, io.clock).stats(),
      }));
      print(
        o.json,
        s,
        [
          `Address register:   ${s.addresses.houseNumbers} house numbers, ${s.addresses.unitAddresses} unit addresses (${s.addresses.versions} versions)`,
          `Ownership register: ${s.ownership.properties} properties, ${s.ownership.locations} locations, ${s.ownership.ownerships} ownerships, ${s.ownership.owners} owners`,
          `Last imports:       addresses ${s.addresses.lastImport ? `${s.addresses.lastImport.registeredAt} (${s.addresses.lastImport.source})` : 'none'}; ownership ${s.ownership.lastImport ? `${s.ownership.lastImport.registeredAt} (${s.ownership.lastImport.source})` : 'none'}`,
        ].join('\n'),
      );
    });

  ref
    .command('address <id>')
    .description('a unit address or a house number (with its units) by its DAR id')
    .option('--on <date>', 'valid on this date (default today)')
    .option('--json', 'JSON output')
    .action(async (id: string, o: { on?: string; json?: boolean }) => {
      const at = on(o.on);
      const found = await withStore(async (store) => {
        const ar = new AddressRegister(store, io.clock);
        return (await ar.unit(id, at)) ?? (await ar.houseNumber(id, at));
      });
      if (!found) throw new CliError(`No unit address or house number ${id} in the address register${o.on ? ` on ${o.on}` : ''}.`, 1);
      print(o.json, found, 'units' in found ? houseText(found) : unitText(found));
    });

  ref
    .command('find')
    .description('find an address by road name, house number and postal code, or by municipality, road code and house number')
    .option('--road <name>', 'road name')
    .option('--postal-code <code>', 'postal code')
    .option('--municipality <code>', 'municipality code')
    .option('--road-code <code>', 'road code')
    .requiredOption('--number <n>', 'house number')
    .option('--floor <floor>', 'floor (st, kl, 1, …)')
    .option('--door <door>', 'door (th, tv, mf, 1, …)')
    .option('--on <date>', 'valid on this date (default today)')
    .option('--json', 'JSON output')
    .action(async (o: { road?: string; postalCode?: string; municipality?: string; roadCode?: string; number: string; floor?: string; door?: string; on?: string; json?: boolean }) => {
      const at = on(o.on);
      const unit = { ...(o.floor !== undefined && { floor: o.floor }), ...(o.door !== undefined && { door: o.door }) };
      let found: HouseNumberWithUnits[];
      if (o.road && o.postalCode) {
        found = await withStore((store) => new AddressRegister(store, io.clock).findByPostalAddress({ roadName: o.road!, houseNumber: o.number, postalCode: o.postalCode!, ...unit }, at));
      } else if (o.municipality && o.roadCode) {
        const h = await withStore((store) =>
          new AddressRegister(store, io.clock).findByCodes({ municipalityCode: o.municipality!, roadCode: o.roadCode!, houseNumber: o.number, ...unit }, at),
        );
        found = h ? [h] : [];
      } else {
        throw new CliError('Give --road and --postal-code, or --municipality and --road-code.', 2);
      }
      if (found.length === 0) throw new CliError('No such address in the address register.', 1);
      print(o.json, found, found.map(houseText).join('\n'));
    });

  ref
    .command('roads <prefix>')
    .description('roads whose name starts with a prefix in a postal code or municipality (type-ahead)')
    .option('--postal-code <code>', 'postal code')
    .option('--municipality <code>', 'municipality code')
    .option('--limit <n>', 'at most this many', '20')
    .option('--json', 'JSON output')
    .action(async (prefix: string, o: { postalCode?: string; municipality?: string; limit: string; json?: boolean }) => {
      if (!o.postalCode && !o.municipality) throw new CliError('Give --postal-code or --municipality.', 2);
      const roads = await withStore((store) =>
        new AddressRegister(store, io.clock).searchRoads({ prefix, ...(o.postalCode && { postalCode: o.postalCode }), ...(o.municipality && { municipalityCode: o.municipality }), limit: Number(o.limit) || 20 }),
      );
      print(o.json, roads, roads.map((r) => `${r.roadName}, ${r.postalCode} ${r.postalDistrict}  (${r.municipalityCode}-${r.roadCode}, ${r.houseNumbers} house numbers)`).join('\n') || '(none)');
    });

  ref
    .command('owners <bfe>')
    .description('the owners of a property (BFE number) on a date, with share and acquisition date')
    .option('--on <date>', 'on this date (default today)')
    .option('--json', 'JSON output')
    .action(async (bfe: string, o: { on?: string; json?: boolean }) => {
      if (!/^\d{1,10}$/.test(bfe)) throw new CliError(`"${bfe}" is not a BFE number.`, 2);
      const at = on(o.on);
      const owners = await withStore((store) =>
        audited(store, 'reference.owners', personOwners, () => new OwnershipRegister(store, io.clock).ownersOn(Number(bfe), at)),
      );
      print(o.json, owners, owners.map(ownerText).join('\n') || `No owner of BFE ${bfe}${o.on ? ` on ${o.on}` : ''}.`);
    });

  ref
    .command('property-of <address>')
    .description('the property (BFE) a unit address or house number belongs to, and its owners')
    .option('--on <date>', 'on this date (default today)')
    .option('--json', 'JSON output')
    .action(async (address: string, o: { on?: string; json?: boolean }) => {
      const at = on(o.on);
      const p = await withStore((store) =>
        audited(store, 'reference.property_of', (x) => (x ? personOwners(x.owners) : []), () =>
          new OwnershipRegister(store, io.clock).ownershipOfAddress(address, at),
        ),
      );
      if (!p) throw new CliError(`Address ${address} belongs to no property in the ownership register${o.on ? ` on ${o.on}` : ''}.`, 1);
      print(o.json, p, [`BFE ${p.bfe} (${p.kind}), by its ${p.via === 'unit' ? 'unit address' : 'house number'}`, ...p.owners.map((x) => `  ${ownerText(x)}`)].join('\n'));
    });

  ref
    .command('dwellings <owner>')
    .description('how many dwellings (unit addresses) an owner (CVR or person number) owns on a date, and its properties')
    .option('--on <date>', 'on this date (default today)')
    .option('--json', 'JSON output')
    .action(async (owner: string, o: { on?: string; json?: boolean }) => {
      const at = on(o.on);
      const r = await withStore((store) =>
        audited(store, 'reference.dwellings', () => (/^\d{10}$/.test(owner) ? [owner] : []), async () => {
          const or = new OwnershipRegister(store, io.clock);
          return { owner, dwellings: await or.dwellingCount(owner, at), properties: await or.propertiesOwned(owner, at) };
        }),
      );
      print(o.json, r, `${owner} owns ${r.dwellings} dwelling(s) in ${r.properties.length} propert${r.properties.length === 1 ? 'y' : 'ies'}.`);
    });
}

function ownerText(o: Owner): string {
  const share = o.share.numerator === o.share.denominator ? '' : ` ${o.share.numerator}/${o.share.denominator}`;
  return `${o.kind.toUpperCase()} ${o.number}${o.name ? ` ${o.name}` : ''}${share}, acquired ${o.acquired}${o.validTo ? `, until ${o.validTo}` : ''}`;
}

function unitText(u: UnitAddress): string {
  return `${u.label}\n  unit address ${u.id}, house number ${u.houseNumberId}, municipality ${u.houseNumber.municipalityCode} road ${u.houseNumber.roadCode}, valid from ${u.validFrom}`;
}

function houseText(h: HouseNumberWithUnits): string {
  return [
    `${h.label}  (house number ${h.id}, municipality ${h.municipalityCode} road ${h.roadCode}, valid from ${h.validFrom})`,
    ...h.units.map((u) => `  ${u.id}  ${[u.floor, u.door].filter(Boolean).join(' ') || '(no floor/door)'}`),
  ].join('\n');
}
