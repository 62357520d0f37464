/** A real API on loopback with the DAWA sample addresses, clerks of two municipalities and persons at real DAR addresses. */
import { AddressRegister, sampleAddressFiles } from '../../../src/reference/address-register.ts';
import { addressOfUnit } from '../../../src/services/registration/persons.ts';
import type { Address } from '../../../src/domain/registration/move.ts';
import { startApi } from '../../support/api.ts';

/** Real DAR unit addresses from the bundled DAWA sample. */
export const ADDR = {
  /** Ambrosius Stubs Vej 10, 5000 Odense C (0461). */
  A: '0a3f50b3-8a0f-32b8-e044-0003ba298018',
  /** B. Bangs Gade 2, 1., 5000 Odense C (0461). */
  B: '0a3f50b3-8f8f-32b8-e044-0003ba298018',
  /** Brammingevej 1, Bolbro, 5200 Odense V (0461). */
  C: '0a3f50b3-a0e9-32b8-e044-0003ba298018',
  /** Brydevej 11, 2791 Dragør (0155). */
  D: '0a3f50a3-8216-32b8-e044-0003ba298018',
  /** Brydevej 6, 2791 Dragør (0155). */
  E: '0a3f50a3-8213-32b8-e044-0003ba298018',
} as const;

/** A unit id that looks right but is in no address register. */
export const NOT_IN_DAR = '0a3f50b3-0000-0000-0000-000000000000';

export async function setup(kind: 'sqlite' | 'postgres' = 'sqlite', start = '2026-06-01T10:00:00Z') {
  const api = await startApi(kind, start);
  const dar = new AddressRegister(api.register.store, api.clock);
  await dar.importAddresses({ ...sampleAddressFiles(), source: 'sample' });
  const clerk = async (number: string, name: string) =>
    (await api.customerWithKey({ id: `k${number}`, name, kind: 'public_authority', number, legalBases: ['§32'], scope: ['all'] }, { roles: ['register'] })).key;
  const odense = await clerk('0461', 'Odense Kommune');
  const dragoer = await clerk('0155', 'Dragør Kommune');
  const lookupOnly = (await api.customerWithKey({ id: 'k0101', name: 'København', kind: 'public_authority', number: '0101', legalBases: ['§32'], scope: ['all'] }, { roles: ['lookup'] })).key;

  const addresses = new Map<string, Address>();
  for (const [k, id] of Object.entries(ADDR)) {
    const u = await dar.unit(id, { on: '2020-01-01' });
    if (!u) throw new Error(`sample address ${k} missing`);
    addresses.set(k, addressOfUnit(u.houseNumber, u));
  }
  const address = (k: keyof typeof ADDR) => addresses.get(k)!;

  /** A resident at an address since 2020-01-01. */
  async function person(
    first: string,
    last: string,
    at: keyof typeof ADDR,
    o: { birth?: string; sex?: 'M' | 'K'; parents?: string[]; middle?: string[] } = {},
  ): Promise<string> {
    const birth = o.birth ?? '1980-01-01';
    const sex = o.sex ?? 'K';
    const pnr = await api.register.allocatePnr(birth, sex);
    await api.register.register({
      pnr,
      authority: '0461',
      eventCode: 'A01',
      changes: [
        { group: 'birth', validFrom: birth, value: { birthDate: birth, sex } },
        { group: 'name', validFrom: birth, value: { firstNames: [first], middleNames: o.middle ?? [], lastName: last } },
        { group: 'status', validFrom: birth, value: { code: '01' } },
        { group: 'address', validFrom: '2020-01-01', value: address(at) },
        ...(o.parents ?? []).map((p, i) => ({ group: 'relation', validFrom: birth, value: { role: i === 0 ? 'mother' : 'father', pnr: p } })),
      ],
    });
    return pnr;
  }

  /** Everything the registration flows write, to show a refused request changed nothing. */
  async function snapshot() {
    const db = api.register.store.db;
    const [regs, cases, letters, current, settings] = await Promise.all([
      db.selectFrom('registration').selectAll().orderBy('seq').execute(),
      db.selectFrom('registration_case').selectAll().orderBy('id').execute(),
      db.selectFrom('registration_letter').selectAll().orderBy('id').execute(),
      db.selectFrom('person_current').selectAll().orderBy('pnr').execute(),
      db.selectFrom('municipality_setting').selectAll().execute(),
    ]);
    return JSON.stringify({ regs, cases, letters, current, settings });
  }

  /** The person's current address and status as the register has them now. */
  async function current(pnr: string, validAt?: string) {
    const v = await api.register.person(pnr, validAt ? { validAt } : {});
    const st = v!.state as Record<string, { value: any; validFrom: string } | undefined>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads facts
    return { status: st.status?.value.code as string | undefined, address: st.address?.value as Address | undefined, addressFrom: st.address?.validFrom };
  }

  async function lastRegistration(pnr: string) {
    const h = await api.register.history(pnr);
    return h!.registrations.at(-1)!;
  }

  const day = 86_400_000;
  return { ...api, dar, odense, dragoer, lookupOnly, address, person, snapshot, current, lastRegistration, day };
}

/** The body of a move report from A to B on a date. */
export function moveBody(pnr: string, name: string, moveDate: string, o: { from?: string; to?: string; toMunicipality?: string; fromMunicipality?: string } = {}) {
  return {
    pnr,
    name,
    from: { municipalityCode: o.fromMunicipality ?? '0461', addressId: o.from ?? ADDR.A },
    to: { municipalityCode: o.toMunicipality ?? '0461', addressId: o.to ?? ADDR.B },
    moveDate,
  };
}
