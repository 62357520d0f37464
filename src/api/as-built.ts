/**
 * A serialiser for answers that are built field by field by the service (the
 * disclosure cut by the policy, the landlord result): serialised as they are.
 * The zod response schemas still document them (OpenAPI), but are not run a
 * second time on every answer of the hottest routes (docs/benchmarks.md).
 * Tests hold each such answer to its schema (nothing beside it).
 */
export const asBuilt = () => (data: unknown) => JSON.stringify(data);
