import type { Api, ApiContext } from '../server.ts';

export function eventRoutes(_app: Api, _ctx: ApiContext): void {}
