import type { Api, ApiContext } from '../server.ts';

export function citizenRoutes(_app: Api, _ctx: ApiContext): void {}
