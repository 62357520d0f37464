/**
 * A serialiser for answers that are built field by field by the service (the
 * disclosure cut by the policy, the landlord result): serialised as they are.
 * The zod response schemas still document them (OpenAPI), but are not run a
 * second time on every answer of the hottest routes (docs/benchmarks.md).
 * The tests of the person lookup and the landlord search hold their answers
 * to the schemas (nothing beside what a schema names).
 */
export const asBuilt = () => (data: unknown) => JSON.stringify(data);
