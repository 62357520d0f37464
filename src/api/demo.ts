/**
 * Demo customers for the main job: one of each kind, with a user and fresh
 * API keys printed at start (earlier demo keys are revoked; secrets are never
 * stored, so they cannot be shown again).
 */
import { AccessControl, type CustomerKind, type NewCustomer, type Role } from '../access/customers.ts';
import type { Clock } from '../domain/clock.ts';
import { dateOf } from '../domain/dates.ts';
import type { Register } from '../register/register.ts';
import { AddressRegister, sampleAddressFiles } from '../reference/address-register.ts';
import { OwnershipRegister } from '../reference/ownership-register.ts';
import { SYNTHETIC_COMPANIES } from '../reference/synth.ts';
import { LandlordCustomers } from '../services/landlord/customers.ts';

interface DemoCustomer {
  customer: NewCustomer & { id: string; kind: CustomerKind };
  roles: Role[];
}

/** Public authorities get the fields granted to them; companies their legal bases (§38, §42). */
export const DEMO_CUSTOMERS: DemoCustomer[] = [
  { customer: { id: 'cpr', name: 'CPR-administrationen', kind: 'cpr_admin', legalBases: [] }, roles: ['admin', 'security_officer'] },
  {
    customer: { id: 'kommune-0461', name: 'Odense Kommune', kind: 'public_authority', number: '0461', legalBases: ['§32'], scope: ['all'] },
    roles: ['lookup', 'bulk', 'subscribe', 'security_officer', 'register'],
  },
  { customer: { id: 'forsikring', name: 'Demo Forsikring A/S', kind: 'insurer', number: '12345678', legalBases: ['§38(3)', '§42(3)'] }, roles: ['lookup', 'bulk', 'subscribe'] },
  { customer: { id: 'kreditbureau', name: 'Demo Kreditoplysning A/S', kind: 'credit_bureau', number: '23456789', legalBases: ['§38(4)', '§42(4)'] }, roles: ['lookup'] },
  { customer: { id: 'virksomhed', name: 'Demo Handel ApS', kind: 'business', number: '34567890', legalBases: ['§38(2)', '§42(2)'] }, roles: ['lookup', 'bulk', 'subscribe'] },
  { customer: { id: 'boligselskab', name: 'Demo Boligselskab', kind: 'landlord', number: '45678901', legalBases: ['§45'] }, roles: ['landlord'] },
];

export async function ensureDemoCustomers(access: AccessControl): Promise<Array<{ customer: string; kind: string; apiKey: string }>> {
  const existing = new Set((await access.customers()).map((c) => c.id));
  const keys = [];
  for (const d of DEMO_CUSTOMERS) {
    if (!existing.has(d.customer.id)) {
      await access.createCustomer(d.customer);
      await access.addPrincipal(d.customer.id, { kind: 'user', name: 'Demo user', roles: d.roles });
    }
    const [user] = await access.authorisations(d.customer.id);
    if (!user) continue;
    for (const c of user.credentials) if (c.revokedAt === null) await access.revokeCredential(c.id);
    const key = await access.issueCredential(user.id, 'api_key');
    keys.push({ customer: d.customer.id, kind: d.customer.kind, apiKey: key.apiKey! });
  }
  return keys;
}

/**
 * The demo landlord (seed 000, LAN-1): the reference registers the service
 * needs (the bundled DAWA sample, and a synthetic ownership register when
 * none is there), and the demo landlord customer `boligselskab` registered as
 * a social housing organisation with the CVR number of the synthetic social
 * housing organisation that owns the house number where most of the demo
 * population lives now, so a demo user can search a real stairwell.
 */
export async function ensureDemoLandlord(register: Register, clock: Clock): Promise<DemoLandlord | null> {
  const { store } = register;
  const today = dateOf(clock.now());
  const addresses = new AddressRegister(store, clock);
  if ((await addresses.stats()).houseNumbers === 0) await addresses.importAddresses(sampleAddressFiles());
  const ownership = new OwnershipRegister(store, clock);
  if ((await ownership.stats()).properties === 0) await ownership.generate({ seed: 1 });

  const social = new Set(SYNTHETIC_COMPANIES.filter((c) => c.kind === 'social_housing').map((c) => c.cvr));
  // House numbers by current residents, most first; the first owned whole by a social housing organisation wins.
  const busiest = await store.db
    .selectFrom('residence')
    .select(['access_address_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('reg_to', 'is', null)
    .where('valid_from', '<=', today)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', today)]))
    .where('access_address_id', 'is not', null)
    .groupBy('access_address_id')
    .orderBy('n', 'desc')
    .orderBy('access_address_id')
    .limit(200)
    .execute();
  for (const h of busiest) {
    const o = await ownership.ownershipOfAddress(h.access_address_id!);
    const owner = o?.via === 'house_number' ? o.owners.find((x) => social.has(x.number)) : undefined;
    if (!owner) continue;
    const house = await addresses.houseNumber(h.access_address_id!);
    const customers = new LandlordCustomers(store, new AccessControl(store, clock), clock);
    await customers.registerLandlord('boligselskab', { kind: 'social_housing' }, 'demo');
    await customers.addOwnerNumber('boligselskab', owner.number, 'demo');
    return { customer: 'boligselskab', ownerNumber: owner.number, ownerName: owner.name ?? '', houseNumberId: h.access_address_id!, label: house?.label ?? '', residents: Number(h.n) };
  }
  return null;
}

export interface DemoLandlord {
  customer: string;
  ownerNumber: string;
  ownerName: string;
  houseNumberId: string;
  label: string;
  /** Current residents of the house number. */
  residents: number;
}
