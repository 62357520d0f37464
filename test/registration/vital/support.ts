/** Shared set-up for the registration tests: the API, DAR sample addresses, clerks and authorities, store snapshots. */
import { AddressRegister, sampleAddressFiles } from '../../../src/reference/address-register.ts';
import type { Register } from '../../../src/register/register.ts';
import { startApi } from '../../support/api.ts';
import { createCast } from '../../support/persons.ts';

/** DAR unit addresses of the sample: Odense (0461) and Dragør (0155). */
export const ODENSE_ADDRESS = '0a3f50b3-8a0f-32b8-e044-0003ba298018';
export const ODENSE_ADDRESS_2 = '0a3f50b3-8f8d-32b8-e044-0003ba298018';
export const DRAGOR_ADDRESS = '0a3f50a3-8216-32b8-e044-0003ba298018';

/** Everything a registration could change, to compare before and after a refused request. */
export async function snapshot(register: Register): Promise<string> {
  const db = register.store.db;
  const [regs, numbers, history, current, waiting, lapses] = await Promise.all([
    db.selectFrom('registration').select(['seq', 'pnr', 'event_code', 'changes']).orderBy('seq').execute(),
    db.selectFrom('person_number').select('pnr').orderBy('pnr').execute(),
    db.selectFrom('person_version').selectAll().orderBy('id').execute(),
    db.selectFrom('person_current').select(['pnr', 'state']).orderBy('pnr').execute(),
    db.selectFrom('waiting_item').selectAll().orderBy('id').execute(),
    db.selectFrom('protection_lapse').selectAll().orderBy('pnr').execute(),
  ]);
  return JSON.stringify({ regs, numbers, history, current, waiting, lapses });
}

export async function setUp(kind: 'sqlite' | 'postgres' = 'sqlite', start = '2026-06-01T10:00:00Z') {
  const api = await startApi(kind, start);
  await new AddressRegister(api.register.store, api.clock).importAddresses(sampleAddressFiles());
  const cast = await createCast(api.register);
  const odense = (await api.customerWithKey({ id: 'kommune-0461', name: 'Odense Kommune', kind: 'public_authority', number: '0461', legalBases: ['§32'], scope: ['all'] }, { roles: ['register'] })).key;
  const dragor = (await api.customerWithKey({ id: 'kommune-0155', name: 'Dragør Kommune', kind: 'public_authority', number: '0155', legalBases: ['§32'], scope: ['all'] }, { roles: ['register'] })).key;
  const parish = (await api.customerWithKey({ id: 'sogn', name: 'Sankt Knuds Sogn', kind: 'public_authority', number: '70001234', legalBases: ['§2(2):birth', '§2(2):death', '§2(2):church'] }, { roles: ['register'] })).key;
  const familyLaw = (await api.customerWithKey({ id: 'familieretshuset', name: 'Familieretshuset', kind: 'public_authority', number: '70005678', legalBases: ['§2(2)'] }, { roles: ['register'] })).key;
  const cpr = (await api.customerWithKey({ id: 'cpr-office', name: 'CPR-kontoret', kind: 'cpr_admin' }, { roles: ['register'] })).key;
  const lookupOnly = (await api.customerWithKey({ id: 'kommune-lookup', name: 'Odense opslag', kind: 'public_authority', number: '0461', legalBases: ['§32'], scope: ['all'] }, { roles: ['lookup'] })).key;
  return { api, cast, keys: { odense, dragor, parish, familyLaw, cpr, lookupOnly } };
}

export const state = async (register: Register, pnr: string) => (await register.person(pnr))!.state as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary fact shapes
