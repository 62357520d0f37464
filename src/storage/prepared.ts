/**
 * Prepared reads with named parameters, on `Store.prepareRaw`: a query is
 * built and compiled by Kysely once, with a marker (`named('on')`) where each
 * value goes, and then run with the values by name, however often and in
 * whatever order the compiled SQL holds them. Parameters that are no marker
 * (constants of the query, e.g. `''`) keep their compiled value.
 */
import { sql, type CompiledQuery, type RawBuilder } from 'kysely';
import type { Store } from './store.ts';

const MARK = '\u0000';

/** The marker of a named parameter, typed as the value it stands for. */
export function named<T = string>(name: string): T {
  return `${MARK}${name}` as T;
}

/** A read run with its values by name; rows as arrays of the selected columns, in select order. */
export type NamedRead<P extends string> = (values: Readonly<Record<P, unknown>>) => unknown[][] | Promise<unknown[][]>;

/** The name of each of a compiled query's positional parameters, in order (undefined: a constant, no marker). */
export function parameterNames<P extends string>(query: CompiledQuery): Array<P | undefined> {
  return query.parameters.map((p) => (typeof p === 'string' && p.startsWith(MARK) ? (p.slice(MARK.length) as P) : undefined));
}

export function prepareNamed<P extends string>(store: Store, query: CompiledQuery): NamedRead<P> {
  type Slot = { name: P; value?: undefined } | { name?: undefined; value: unknown };
  const slots = parameterNames<P>(query).map((name, i): Slot => (name === undefined ? { value: query.parameters[i] } : { name }));
  const run = store.prepareRaw(query);
  return (values) => run(slots.map((s) => (s.name === undefined ? s.value : values[s.name])));
}

/**
 * `column IN (a list)` with the whole list as ONE parameter, so that one SQL
 * text (one prepared statement) serves any length: `json_each` over a JSON
 * array on SQLite, `= any(array)` on PostgreSQL. Pass the list through
 * `listValue`.
 */
export function inList(store: Store, column: string, name: string): RawBuilder<boolean> {
  return store.dialect === 'sqlite'
    ? sql<boolean>`${sql.ref(column)} in (select value from json_each(${named(name)}))`
    : sql<boolean>`${sql.ref(column)} = any(${named(name)})`;
}

/** A list as `inList`'s parameter. */
export function listValue(store: Store, values: readonly string[]): unknown {
  return store.dialect === 'sqlite' ? JSON.stringify(values) : values;
}
