/** The complete API: the server with every route, ready to listen. */
import type { Clock } from '../domain/clock.ts';
import type { Register } from '../register/register.ts';
import { addressRoutes } from './routes/addresses.ts';
import { adminRoutes } from './routes/admin.ts';
import { authRoutes } from './routes/auth.ts';
import { citizenRoutes } from './routes/citizen.ts';
import { citizenRequestRoutes } from './routes/citizen-requests.ts';
import { companyRoutes } from './routes/company.ts';
import { eventRoutes } from './routes/events.ts';
import { landlordRoutes } from './routes/landlord.ts';
import { personRoutes } from './routes/persons.ts';
import { personSearchRoutes } from './routes/person-search.ts';
import { registrationVitalRoutes } from './routes/registration-vital.ts';
import { nordicExchangeRoutes } from './routes/nordic-exchange.ts';
import { registrationMoveRoutes } from './routes/registration-moves.ts';
import { securityRoutes } from './routes/security.ts';
import { sessionRoutes } from './web/session.ts';
import { webClient } from './web/static.ts';
import { buildServer, createContext, type Api, type ApiContext, type ServerOptions } from './server.ts';

export async function buildApp(register: Register, clock: Clock, opts: ServerOptions = {}): Promise<{ app: Api; ctx: ApiContext }> {
  const ctx = await createContext(register, clock);
  const app = await buildServer(ctx, opts);
  authRoutes(app, ctx);
  adminRoutes(app, ctx);
  securityRoutes(app, ctx);
  personRoutes(app, ctx);
  companyRoutes(app, ctx);
  eventRoutes(app, ctx);
  citizenRoutes(app, ctx);
  registrationVitalRoutes(app, ctx);
  nordicExchangeRoutes(app, ctx);
  registrationMoveRoutes(app, ctx);
  landlordRoutes(app, ctx);
  addressRoutes(app, ctx);
  citizenRequestRoutes(app, ctx);
  personSearchRoutes(app, ctx);
  sessionRoutes(app, ctx);
  await webClient(app);
  await app.ready();
  return { app, ctx };
}
