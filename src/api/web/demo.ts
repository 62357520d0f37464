/**
 * Demo sign-ins for the web client (API-2) at `opencpr demo` / `npm start`:
 * the demo customers' users get the customer id as user name and a fresh
 * random password, printed at start and new at every start (like the demo API
 * keys). A demo citizen is tied to one synthetic person, for the own-data page.
 */
import { randomBytes } from 'node:crypto';
import type { AccessControl } from '../../access/customers.ts';
import type { Passwords } from '../../access/passwords.ts';
import { DEMO_CUSTOMERS } from '../demo.ts';

export const DEMO_CITIZEN = { id: 'borger', name: 'Borger (demo)', kind: 'citizen' as const };

export interface DemoSignIn {
  username: string;
  password: string;
  customer: string;
  roles: string[];
}

export async function ensureDemoSignIns(access: AccessControl, passwords: Passwords, citizenPnr?: string): Promise<DemoSignIn[]> {
  const customers = await access.customers();
  if (citizenPnr && !customers.some((c) => c.id === DEMO_CITIZEN.id)) {
    await access.createCustomer({ ...DEMO_CITIZEN, legalBases: [] });
    await access.addPrincipal(DEMO_CITIZEN.id, { kind: 'user', name: 'Demo borger', roles: ['own_data'], pnr: citizenPnr });
  }
  const out: DemoSignIn[] = [];
  const demo = new Set([...DEMO_CUSTOMERS.map((d) => d.customer.id), DEMO_CITIZEN.id]);
  for (const c of (await access.customers()).filter((x) => demo.has(x.id))) {
    const [user] = (await access.authorisations(c.id)).filter((p) => p.kind === 'user');
    if (!user) continue;
    const password = readablePassword();
    await passwords.set(user.id, c.id, password);
    out.push({ username: c.id, password, customer: c.name, roles: user.roles });
  }
  return out;
}

/** 16 characters from 31 unambiguous letters and digits (about 79 bits), in groups of four: abcd-efgh-… */
function readablePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const out: string[] = [];
  // Rejection sampling keeps every character equally likely.
  while (out.length < 16) for (const b of randomBytes(32)) if (b < 248 && out.length < 16) out.push(alphabet[b % 31]!);
  return out.join('').replace(/(.{4})(?!$)/g, '$1-');
}
