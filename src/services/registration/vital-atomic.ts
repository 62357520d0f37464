/**
 * One unit of work over several registrations (and rows of our own tables):
 * a birth touches the child and both parents, a marriage two spouses, an
 * approved Nordic emigration the person and the waiting register. The
 * Register writes one person per transaction; here it is given a Store whose
 * `db` is an open transaction, so every registration made through it joins
 * that one transaction — all of it is stored, or nothing.
 *
 * This relies on the Register using only `store.db` for writes (it does:
 * `register`, `allocatePnr`, `changeNumber`); its prepared point reads go to
 * committed data, so within a unit read a person before changing them.
 */
import type { Kysely, Transaction } from 'kysely';
import { Register } from '../../register/register.ts';
import type { DB } from '../../storage/schema.ts';
import type { Store } from '../../storage/store.ts';

/** A Kysely transaction that runs nested `transaction().execute(fn)` in itself. */
function joined(tx: Transaction<DB>): Kysely<DB> {
  return new Proxy(tx, {
    get(target, prop, receiver) {
      if (prop === 'transaction') return () => ({ execute: <T>(fn: (t: Transaction<DB>) => Promise<T>) => fn(target) });
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  }) as Kysely<DB>;
}

/** Runs `fn` with a Register (and the transaction) whose writes commit together or not at all. */
export async function atomically<T>(register: Register, fn: (r: Register, tx: Kysely<DB>) => Promise<T>): Promise<T> {
  return register.store.db.transaction().execute(async (tx) => {
    const db = joined(tx);
    const store: Store = { ...register.store, db, close: async () => undefined };
    // The same kind of Register as the caller's (a subclass keeps its behaviour inside the unit).
    const Kind = register.constructor as typeof Register;
    return fn(new Kind(store, register.clock), db);
  });
}
