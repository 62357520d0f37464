/**
 * Following the registration log (REG-6) without skipping a registration:
 * the one gap rule of the feed, the address directory and the protection
 * watch.
 *
 * A follower keeps a position `after` (every registration up to it has been
 * read) and asks how far it may read now: `horizon(after)` answers `end`,
 * such that every registration in (after, end] that will ever be committed is
 * committed already. The follower reads that range with its own query and
 * moves to `end`; it never needs to look at (after, end] again.
 *
 * The rule. A gap in the sequence numbers is either a number lost to a
 * rollback (never filled) or a registration still in flight (filled later).
 *
 * - SQLite has one writer at a time (one connection; the bulk loader's thread
 *   takes the write lock), and numbers are drawn inside the write
 *   transaction, so registrations commit in seq order: every gap is a
 *   rollback, and `end` is the last registration visible.
 * - PostgreSQL draws numbers (nextval) before commit, from concurrent
 *   transactions. Writers keep one invariant: a transaction has its id
 *   before it draws a number (any write does it: the registration's row lock
 *   on the person, the import's person row, the loader's pg_current_xact_id())
 *   and commits the number in that same transaction. Then, if seq g is missing
 *   while a higher seq m is visible in snapshot S, g was drawn before m, so
 *   before S, by a transaction that had its id then: it is still in progress
 *   or it has ended (committed: g is visible after S; rolled back: g never
 *   comes). When a follower meets such a gap it takes a marker, a transaction
 *   id of its own (`pg_current_xact_id()`, committed at once): it is higher
 *   than every id given out before, so once every transaction with a lower
 *   id has ended (a snapshot's xmin has reached the marker) every gap below m
 *   is final. Until then the follower stops before the first gap (it may wait
 *   a little for it). (S's own xmax will not do: it is one past the last
 *   *ended* transaction, and a transaction with a higher id may be running.)
 *   Transaction ids span the server, so a long writing transaction in any
 *   database delays passing a gap, never a skip.
 *
 * What is known to be final stays final, so an instance remembers it (and
 * its last unsettled observation) across calls; a follower may keep one.
 */
import { sql } from 'kysely';
import type { Store } from '../storage/store.ts';

export interface Horizon {
  /** Every registration in (after, end] that will ever be committed is visible now. */
  end: number;
  /** The last registration visible in the window (≥ end; above it only when a gap before it is still open). */
  last: number;
  /** How many registrations the window held (at most `limit`). */
  count: number;
}

interface Window {
  count: number;
  last: number;
  /** The end of the gapless run of numbers from the base the window was checked from. */
  run: number;
  /** PostgreSQL: the statement snapshot's xmin (no transaction with a lower id was running). */
  xmin: bigint;
}

export class LogCursor {
  /** Every registration up to this seq that will ever be committed is visible (PostgreSQL). */
  #final = 0;
  /** Every gap up to `upTo` is final once every transaction with an id below `marker` has ended. */
  #pending: { upTo: number; marker: bigint } | undefined;

  /** `waitMs`: how long `horizon` waits for an open gap to settle before it stops short of it. */
  constructor(
    private readonly store: Store,
    private readonly opts: { waitMs?: number } = {},
  ) {}

  /** How far a follower at `after` may read now, looking at no more than the next `limit` registrations. */
  async horizon(after: number, limit: number): Promise<Horizon> {
    const base = Math.max(after, this.#final);
    const w = await this.#window(after, base, limit);
    if (w.count === 0) return { end: after, last: after, count: 0 };
    if (this.store.dialect === 'sqlite') return { end: w.last, last: w.last, count: w.count };
    const settled = (end: number): Horizon => ({ end, last: w.last, count: w.count });
    if (w.run >= w.last) return settled(w.last);

    this.#settle(w.xmin);
    const deadline = Date.now() + (this.opts.waitMs ?? 0);
    for (;;) {
      if (this.#final >= w.last) return settled(w.last);
      this.#pending ??= { upTo: w.last, marker: await this.#marker() };
      this.#settle(await this.#xmin());
      if (this.#final >= w.last) return settled(w.last);
      if (Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    // Stop before the first number still missing (or at what is known final, if that is further).
    return settled(Math.max(after, w.run, Math.min(this.#final, w.last)));
  }

  /** What a snapshot's xmin says: the pending gaps are final once no transaction below the marker runs. */
  #settle(xmin: bigint): void {
    if (this.#pending && xmin >= this.#pending.marker) {
      this.#final = Math.max(this.#final, this.#pending.upTo);
      this.#pending = undefined;
    }
  }

  /**
   * The next `limit` registrations after `after` in one statement: how many,
   * the last, the gapless run of numbers above `base`, and (PostgreSQL) the
   * xmin of the statement's own snapshot.
   */
  async #window(after: number, base: number, limit: number): Promise<Window> {
    const snapshot =
      this.store.dialect === 'postgres'
        ? sql`, pg_snapshot_xmin(pg_current_snapshot())::text as xmin`
        : sql`, '0' as xmin`;
    // Above `base`, the i-th registration is base + i until the first missing number.
    const r = await sql<{ n: number | string; last: number | string | null; broken: number | string | null; top: number | string | null; xmin: string }>`
      with w as (select seq from registration where seq > ${after} order by seq limit ${limit}),
           g as (select seq, row_number() over (order by seq) as i from w where seq > ${base})
      select (select count(*) from w) as n, (select max(seq) from w) as last,
             (select min(i) from g where seq <> ${base} + i) as broken, (select max(seq) from g) as top
             ${snapshot}`.execute(this.store.db);
    const row = r.rows[0]!;
    const last = row.last === null ? after : Number(row.last);
    const run = row.broken !== null ? base + Number(row.broken) - 1 : row.top !== null ? Number(row.top) : base;
    return { count: Number(row.n), last, run: Math.min(run, last), xmin: BigInt(row.xmin) };
  }

  /** A transaction id given out now, higher than every one given out before (its transaction commits at once). */
  async #marker(): Promise<bigint> {
    const r = await sql<{ xid: string }>`select pg_current_xact_id()::text as xid`.execute(this.store.db);
    return BigInt(r.rows[0]!.xid);
  }

  async #xmin(): Promise<bigint> {
    const r = await sql<{ xmin: string }>`select pg_snapshot_xmin(pg_current_snapshot())::text as xmin`.execute(this.store.db);
    return BigInt(r.rows[0]!.xmin);
  }
}
