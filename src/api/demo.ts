/**
 * Demo customers for the main job: one of each kind, with a user and fresh
 * API keys printed at start (earlier demo keys are revoked; secrets are never
 * stored, so they cannot be shown again).
 */
import type { AccessControl, CustomerKind, NewCustomer, Role } from '../access/customers.ts';

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
