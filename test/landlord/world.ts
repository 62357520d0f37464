/**
 * The landlord tests' world: the hand-written fixtures of test/landlord/fixtures
 * (a DAWA extract of Testvej 1-7 and Dobbeltvej 2, 5000 Odense C; an ownership
 * file; a population file) loaded into a real server, and the customers.
 *
 * Today is 2026-06-01. Testvej 1 (BFE 1001) was acquired by X on 2026-01-01
 * from Y. Testvej 3 (BFE 1002) is X's since 2000, except its 1st floor, a
 * condominium (BFE 1003) owned by a person (OWNER_PERSON) since 2023-06-01.
 * Testvej 5 belongs to no property; Testvej 7 (BFE 1004) is Z's. Dobbeltvej 2
 * exists twice in 5000 (two road codes). Who lives where: population.ndjson
 * and the table in docs/api/landlord.md's test notes.
 */
import { readFileSync } from 'node:fs';
import { importPopulation } from '../../src/formats/population/import.ts';
import { AddressRegister } from '../../src/reference/address-register.ts';
import { OwnershipRegister } from '../../src/reference/ownership-register.ts';
import { startApi } from '../support/api.ts';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

export const X = '90002201';
export const Y = '90002228';
export const Z = '90002236';
export const OWNER_PERSON = '0202600069';

const U = (s: string) => `1a000000-0000-4000-8000-${s.padStart(12, '0')}`;
export const HOUSE = { A: U('a'), B: U('b'), C: U('c'), D: U('d'), E1: U('e'), E2: U('f') };
export const UNIT = { A_st_tv: U('a1'), A_st_th: U('a2'), A_1_tv: U('a3'), A_1_th: U('a4'), B_st: U('b1'), B_1: U('b2'), C: U('c1'), D: U('d1') };

export const PERSON = {
  anders: '1403850019', // Testvej 1, st. tv since 2019: moved in before X's acquisition
  birthe: '0207900028', // st. th since 2026-02-01
  carl: '2311780029', // 1. tv until 2025-09-01: moved out before X's acquisition
  dorte: '0505620038', // 1. th, moved out 2026-03-01
  erik: '3001950001', // moved into st. tv 2026-03-01, annulled
  frida: '0909880068', // 1. tv from 2026-04-01, registered late on 2026-05-20
  gustav: '1212990007', // st. th, moved out 2026-02-01, registered late on 2026-05-25
  hanne: '0404700006', // 1. tv, move-out 2026-03-15 corrected to 2026-02-15
  ivan: '1802820069', // st. tv → 1. th on 2026-03-01 (same stairwell)
  jytte: '2106930018', // 1. th since 2022, §28 protected 2026-01-01..2027-01-01
  kim: '1010750039', // moves into st. th on 2026-07-01 (future)
  lone: '0808014068', // 1. tv, moved out on X's acquisition date 2026-01-01
  mads: '1501800003', // Testvej 3, st. (X)
  nina: '0303680004', // Testvej 3, 1. (condominium of OWNER_PERSON)
  ole: '1705910029', // Testvej 5 (no property)
  peter: '0707870028', // Testvej 7 (Z)
  mette: '2404840048', // Testvej 3, st. since 2010; her address got a c/o name from 2025-03-01 (one stay in two versions)
};

export async function landlordWorld(kind: 'sqlite' | 'postgres') {
  const api = await startApi(kind, '2026-06-01T10:00:00Z');
  const { store } = api.register;
  await new AddressRegister(store, api.clock).importAddresses({
    houseNumbers: { text: readFileSync(fixture('husnumre.csv'), 'utf8'), file: 'husnumre.csv' },
    unitAddresses: { text: readFileSync(fixture('adresser.csv'), 'utf8'), file: 'adresser.csv' },
  });
  await new OwnershipRegister(store, api.clock).importOwnership({ text: readFileSync(fixture('ownership.ndjson'), 'utf8'), file: 'ownership.ndjson' });
  await importPopulation(api.register, fixture('population.ndjson').pathname);

  const admin = await api.customerWithKey({ id: 'cpr', name: 'CPR', kind: 'cpr_admin' }, { roles: ['admin'] });
  // A social housing organisation with X (and the former owner Y's number, to show control 3 uses the current owner).
  const bolig = await api.customerWithKey({ id: 'bolig', name: 'Boligselskabet Syntetisk Test', kind: 'landlord', legalBases: ['§45'] }, { roles: ['landlord'] });
  const boligOther = await api.ctx.access.addPrincipal('bolig', { kind: 'user', name: 'Colleague without the service', roles: ['security_officer'] });
  const boligProgram = await api.ctx.access.addPrincipal('bolig', { kind: 'program', name: 'Fagsystem', roles: ['landlord'] });
  const key = async (principalId: string) => (await api.ctx.access.issueCredential(principalId, 'api_key')).apiKey!;
  // A private landlord: the person owning Testvej 3, 1.
  const privat = await api.customerWithKey({ id: 'privat', name: 'Privat Udlejer', kind: 'landlord', legalBases: ['§45'] }, { roles: ['landlord'] });
  // A company that is no landlord customer, whose user was (wrongly) given the landlord role.
  const firma = await api.customerWithKey({ id: 'firma', name: 'Firma', kind: 'business', legalBases: ['§38(2)'] }, { roles: ['landlord'] });
  return {
    api,
    keys: { admin: admin.key, bolig: bolig.key, boligOther: await key(boligOther.id), boligProgram: await key(boligProgram.id), privat: privat.key, firma: firma.key },
    principals: { bolig: bolig.principal.id, boligProgram: boligProgram.id },
  };
}
