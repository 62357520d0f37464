/**
 * The privacy suite's world (issue 14): a real server on a real SQLite file
 * with a small synthetic population, one person of each kind the issue names,
 * living at DAR addresses of test/privacy/fixtures (Privatvej 1-5, Andenvej 10,
 * and Skjulestien 7, where only the protected person lives, so its road name
 * is hers alone), owned by one social housing organisation, so the landlord
 * service finds them; and one customer of every kind in CUSTOMER_KINDS with
 * an API key and a security officer user.
 *
 * Today is 2026-06-01. Every name part is unique in the world, so a name
 * found in a body points at one person.
 */
import { readFileSync } from 'node:fs';
import { CUSTOMER_KINDS, type CustomerKind } from '../../src/domain/disclosure/policy.ts';
import { ROLES, type NewCustomer, type Role } from '../../src/access/customers.ts';
import { AddressRegister } from '../../src/reference/address-register.ts';
import { OwnershipRegister } from '../../src/reference/ownership-register.ts';
import { LandlordCustomers } from '../../src/services/landlord/customers.ts';
import { startApi } from '../support/api.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

export const OWNER_CVR = '90002201';
const U = (s: string) => `2b000000-0000-4000-8000-${s.padStart(12, '0')}`;

export interface Dwelling {
  roadName: string;
  roadCode: string;
  houseNumber: string;
  floor?: string;
  door?: string;
  addressId: string;
  accessAddressId: string;
}

const dwelling = (roadName: string, roadCode: string, houseNumber: string, house: string, unit: string, floor?: string, door?: string): Dwelling => ({
  roadName,
  roadCode,
  houseNumber,
  ...(floor && { floor }),
  ...(door && { door }),
  addressId: U(unit),
  accessAddressId: U(house),
});

export const DWELLINGS = {
  p1StTv: dwelling('Privatvej', '9911', '1', 'a', 'a1', 'st', 'tv'),
  p1StTh: dwelling('Privatvej', '9911', '1', 'a', 'a2', 'st', 'th'),
  p1_1Tv: dwelling('Privatvej', '9911', '1', 'a', 'a3', '1', 'tv'),
  p1_1Th: dwelling('Privatvej', '9911', '1', 'a', 'a4', '1', 'th'),
  p3St: dwelling('Privatvej', '9911', '3', 'b', 'b1', 'st'),
  p3_1: dwelling('Privatvej', '9911', '3', 'b', 'b2', '1'),
  p5: dwelling('Privatvej', '9911', '5', 'c', 'c1'),
  hidden7: dwelling('Skjulestien', '9912', '7', 'd', 'd1'),
  andenvej10: dwelling('Andenvej', '9913', '10', 'e', 'e1'),
};

export type PersonKind =
  | 'ordinary'
  | 'protected'
  | 'lapsed'
  | 'dead'
  | 'emigrated'
  | 'disappeared'
  | 'ward'
  | 'unsent'
  | 'citizen';

export interface WorldPerson {
  kind: PersonKind;
  pnr: string;
  firstNames: string[];
  middleNames: string[];
  lastName: string;
  birthDate: string;
  sex: 'M' | 'K';
  /** The dwelling the person lives at now, or last lived at (dead, emigrated, disappeared). */
  home: Dwelling;
}

const addressValue = (d: Dwelling) => ({
  municipalityCode: '0461',
  roadCode: d.roadCode,
  roadName: d.roadName,
  houseNumber: d.houseNumber,
  ...(d.floor && { floor: d.floor }),
  ...(d.door && { door: d.door }),
  postalCode: '5000',
  postalDistrict: 'Odense C',
  addressId: d.addressId,
  accessAddressId: d.accessAddressId,
});

/** The customers' legal bases as the demo grants them (src/api/demo.ts); the citizen also §42(2) and §46. */
const CUSTOMER_OF_KIND: Record<CustomerKind, NewCustomer> = {
  public_authority: { id: 'kommune', name: 'Odense Kommune', kind: 'public_authority', number: '0461', legalBases: ['§32'], scope: ['all'] },
  business: { id: 'virksomhed', name: 'Handel ApS', kind: 'business', number: '34567890', legalBases: ['§38(2)', '§39', '§42(2)'] },
  insurer: { id: 'forsikring', name: 'Forsikring A/S', kind: 'insurer', number: '12345678', legalBases: ['§38(2)', '§38(3)', '§39', '§42(3)'] },
  credit_bureau: { id: 'kreditbureau', name: 'Kreditoplysning A/S', kind: 'credit_bureau', number: '23456789', legalBases: ['§38(2)', '§38(4)', '§39', '§42(4)'] },
  landlord: { id: 'boligselskab', name: 'Boligselskabet Privat Test', kind: 'landlord', number: OWNER_CVR, legalBases: ['§45'] },
  cpr_admin: { id: 'cpr', name: 'CPR-administrationen', kind: 'cpr_admin', legalBases: [] },
  citizen: { id: 'borger', name: 'Borger', kind: 'citizen', legalBases: ['§42(2)', '§46'] },
};

export interface WorldCustomer {
  kind: CustomerKind;
  id: string;
  /** The user's key: every role but admin (the CPR administration: every role), so every route is tried. */
  key: string;
  /** A security officer user's key (log search, statistics, authorisations). */
  officerKey: string;
  /** The citizen's own number (§46: "sent" by every request of theirs). */
  ownPnr?: string;
}

export async function privacyWorld() {
  const api = await startApi('sqlite', '2026-06-01T10:00:00Z');
  const { store } = api.register;
  await new AddressRegister(store, api.clock).importAddresses({
    houseNumbers: { text: fixture('husnumre.csv'), file: 'husnumre.csv' },
    unitAddresses: { text: fixture('adresser.csv'), file: 'adresser.csv' },
  });
  await new OwnershipRegister(store, api.clock).importOwnership({ text: fixture('ownership.ndjson'), file: 'ownership.ndjson' });

  const r = api.register;
  const persons: WorldPerson[] = [];
  const person = async (
    kind: PersonKind,
    p: Omit<WorldPerson, 'kind' | 'pnr'>,
    extra: (pnr: string) => Array<Record<string, unknown>> = () => [],
  ): Promise<WorldPerson> => {
    const pnr = await r.allocatePnr(p.birthDate, p.sex);
    await r.register({
      pnr,
      authority: '0461',
      eventCode: 'A01',
      changes: [
        { group: 'birth', validFrom: p.birthDate, value: { birthDate: p.birthDate, sex: p.sex, place: 'Odense' } },
        { group: 'name', validFrom: p.birthDate, value: { firstNames: p.firstNames, ...(p.middleNames.length && { middleNames: p.middleNames }), lastName: p.lastName } },
        { group: 'address', validFrom: '2015-01-01', value: addressValue(p.home) },
        { group: 'status', validFrom: p.birthDate, value: { code: '01' } },
        { group: 'civilStatus', validFrom: p.birthDate, value: { code: 'U' } },
        { group: 'citizenship', validFrom: p.birthDate, value: { countryCode: '5100' } },
        { group: 'church', validFrom: p.birthDate, value: { member: 'F' } },
        ...(extra(pnr) as never[]),
      ],
    });
    const wp = { kind, pnr, ...p };
    persons.push(wp);
    return wp;
  };

  await person('ordinary', { firstNames: ['Karen'], middleNames: [], lastName: 'Almindeligsen', birthDate: '1980-04-02', sex: 'K', home: DWELLINGS.p1StTv });
  // §28 in force, and marketing protection besides (so the §40(5) list would have her if §28 were ignored).
  const prot = await person(
    'protected',
    { firstNames: ['Ulrikke'], middleNames: ['Skjoldborg'], lastName: 'Lønkammer', birthDate: '1975-09-12', sex: 'K', home: DWELLINGS.hidden7 },
    () => [
      { group: 'protection', validFrom: '2026-01-01', validTo: '2027-01-01', value: { type: '0001' } },
      { group: 'protection', validFrom: '2026-01-01', value: { type: '0003' } },
    ],
  );
  await person('lapsed', { firstNames: ['Lise'], middleNames: [], lastName: 'Udløbsen', birthDate: '1970-03-03', sex: 'K', home: DWELLINGS.p1StTh }, () => [
    { group: 'protection', validFrom: '2025-01-01', validTo: '2026-01-01', value: { type: '0001' } },
  ]);
  await person('dead', { firstNames: ['Holger'], middleNames: [], lastName: 'Afdødsen', birthDate: '1930-01-05', sex: 'M', home: DWELLINGS.p3St }, () => [
    { group: 'status', validFrom: '2026-02-01', value: { code: '90' } },
    { group: 'address', validFrom: '2026-02-01', value: null },
  ]);
  await person('emigrated', { firstNames: ['Sofie'], middleNames: [], lastName: 'Udvandrersen', birthDate: '1990-07-07', sex: 'K', home: DWELLINGS.p1_1Tv }, () => [
    { group: 'status', validFrom: '2025-08-01', value: { code: '80' } },
    { group: 'address', validFrom: '2025-08-01', value: null },
    { group: 'foreignAddress', validFrom: '2025-08-01', value: { lines: ['Storgatan 1', 'Stockholm'], countryCode: '5120' } },
  ]);
  await person('disappeared', { firstNames: ['Ole'], middleNames: [], lastName: 'Forsvundensen', birthDate: '1985-11-11', sex: 'M', home: DWELLINGS.p3_1 }, () => [
    { group: 'status', validFrom: '2026-03-01', value: { code: '70' } },
    { group: 'address', validFrom: '2026-03-01', value: null },
  ]);
  // The guardian is the protected person, registered with her number, name and address.
  await person('ward', { firstNames: ['Poul'], middleNames: [], lastName: 'Myndlingsen', birthDate: '1960-06-06', sex: 'M', home: DWELLINGS.p1_1Th }, () => [
    {
      group: 'guardianship',
      validFrom: '2024-01-01',
      value: { guardianPnr: prot.pnr, guardianName: 'Ulrikke Skjoldborg Lønkammer', guardianAddress: ['Skjulestien 7', '5000 Odense C'] },
    },
  ]);
  // A person whose number no request of the suite ever sends: it may appear in no private customer's body at all.
  await person('unsent', { firstNames: ['Henrik'], middleNames: [], lastName: 'Navnløsen', birthDate: '1982-02-14', sex: 'M', home: DWELLINGS.p5 }, () => [
    { group: 'protection', validFrom: '2024-01-01', value: { type: '0003' } },
  ]);
  const citizenPerson = await person('citizen', { firstNames: ['Birgit'], middleNames: [], lastName: 'Borgersen', birthDate: '1988-08-08', sex: 'K', home: DWELLINGS.andenvej10 });

  const customers = {} as Record<CustomerKind, WorldCustomer>;
  const key = async (principalId: string) => (await api.ctx.access.issueCredential(principalId, 'api_key')).apiKey!;
  for (const kind of CUSTOMER_KINDS) {
    const c = await api.ctx.access.createCustomer(CUSTOMER_OF_KIND[kind]);
    const roles: Role[] = ROLES.filter((x) => x !== 'security_officer' && (x !== 'admin' || kind === 'cpr_admin'));
    const ownPnr = kind === 'citizen' ? citizenPerson.pnr : undefined;
    const user = await api.ctx.access.addPrincipal(c.id, { kind: 'user', name: 'User', roles, ...(ownPnr && { pnr: ownPnr }) });
    const officer = await api.ctx.access.addPrincipal(c.id, { kind: 'user', name: 'Security officer', roles: ['security_officer'], ...(ownPnr && { pnr: ownPnr }) });
    customers[kind] = { kind, id: c.id, key: await key(user.id), officerKey: await key(officer.id), ...(ownPnr && { ownPnr }) };
  }
  const landlords = new LandlordCustomers(store, api.ctx.access, api.clock);
  await landlords.registerLandlord(customers.landlord.id, { kind: 'social_housing' }, 'privacy-suite');
  await landlords.addOwnerNumber(customers.landlord.id, OWNER_CVR, 'privacy-suite');

  const byKind = Object.fromEntries(persons.map((p) => [p.kind, p])) as Record<PersonKind, WorldPerson>;
  return { api, persons, person: byKind, customers };
}

export type PrivacyWorld = Awaited<ReturnType<typeof privacyWorld>>;
