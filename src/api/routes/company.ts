import type { Api, ApiContext } from '../server.ts';

export function companyRoutes(_app: Api, _ctx: ApiContext): void {}
