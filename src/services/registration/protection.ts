/**
 * Protections (PRO-1, §28-§30): grant, extend and revoke, by a clerk of the
 * person's municipality of residence (§28, §29: "ved henvendelse til sin
 * bopælskommune"); and the lapse job that records name-and-address
 * protections that ran out by time (event P11), with no clerk action.
 */
import type { Caller } from '../../access/customers.ts';
import type { Clock } from '../../domain/clock.ts';
import { dateOf, toInstant, type CivilDate } from '../../domain/dates.ts';
import { effectiveProtections, type EffectiveProtection } from '../../domain/disclosure/project.ts';
import {
  dueLapses,
  extendProtection,
  grantProtection,
  registeredProtection,
  revokeProtection,
  type ProtectionChange,
  type ProtectionType,
} from '../../domain/registration/protection.ts';
import { addressOf, assertLiving, RESIDENT_STATUSES, statusOf } from '../../domain/registration/vital-common.ts';
import type { Version } from '../../register/bitemporal.ts';
import { LogCursor } from '../../register/log-cursor.ts';
import type { Register } from '../../register/register.ts';
import { isUniqueViolation } from '../../register/register.ts';
import { RegistrationError } from '../../register/validate.ts';
import { readMeta, writeMeta } from '../../storage/meta.ts';
import { assertOwnMunicipality } from './clerk.ts';
import { atomically } from './vital-atomic.ts';
import { authorityOf } from './vital-authority.ts';
import { sweepWaitingRegister } from './nordic.ts';

export type ProtectionAction = 'grant' | 'extend' | 'revoke';

export interface ProtectionRequest {
  pnr: string;
  type: ProtectionType;
  action: ProtectionAction;
  /** extend: the new end (default one year after the current end). revoke: from when (default today). */
  date?: CivilDate;
  /** extend: the quite special circumstances (§28); kept as the registration's documentation. */
  reason?: string;
}

export interface ProtectionResult {
  pnr: string;
  seq: number;
  eventCode: 'A33';
  change: ProtectionChange;
  /** The protections in force today after the registration, implied ones (§30(1)) included. */
  inForce: EffectiveProtection[];
}

export class ProtectionService {
  constructor(readonly register: Register) {}

  get clock(): Clock {
    return this.register.clock;
  }

  async apply(caller: Caller, req: ProtectionRequest): Promise<ProtectionResult> {
    const today = dateOf(this.clock.now());
    const view = await this.register.person(req.pnr);
    if (!view) throw new RegistrationError('person_not_found', `No person with number ${req.pnr.slice(0, 6)}-**** in the register.`);
    assertLiving(view.state, view.pnr);
    const addr = addressOf(view.state);
    const st = statusOf(view.state);
    // §28, §29: the person applies to their municipality of residence.
    if (!addr || !st || !RESIDENT_STATUSES.has(st)) {
      throw new RegistrationError('not_resident', '§28-§29: protection is registered by the municipality of residence; the person has no residence in Denmark.');
    }
    assertOwnMunicipality(caller, addr.municipalityCode);
    const hist = (await this.register.history(view.pnr))!;
    const existing = registeredProtection(hist.versions, req.type);
    const change =
      req.action === 'grant' ? grantProtection(req.type, existing, today)
      : req.action === 'extend' ? extendProtection(req.type, existing, today, req.reason, req.date)
      : revokeProtection(req.type, existing, today, req.date);
    const reg = await atomically(this.register, async (r, tx) => {
      const reg = await r.register({
        pnr: view.pnr,
        authority: authorityOf(caller),
        eventCode: 'A33',
        documentation: req.reason ?? `${req.action} ${req.type}`,
        changes: [change],
      });
      if (req.action === 'revoke' && req.type === '0001' && existing && change.validFrom > existing.validFrom) {
        // The end is a revocation, not a lapse: the lapse job must not record it as P11.
        await tx
          .insertInto('protection_lapse')
          .values({ pnr: view.pnr, type: req.type, lapsed_on: change.validFrom, registration_seq: reg.seq, recorded_at: toInstant(this.clock.now()) })
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
      return reg;
    });
    const after = await this.register.person(view.pnr);
    return { pnr: view.pnr, seq: reg.seq, eventCode: 'A33', change, inForce: effectiveProtections(after?.state ?? {}, today) };
  }
}

export interface LapseRunResult {
  /** The day the run counted as today. */
  today: CivilDate;
  /** Persons examined. */
  examined: number;
  /** Lapses recorded now (P11), oldest first. */
  recorded: Array<{ pnr: string; lapsedOn: CivilDate; seq: number }>;
}

const CURSOR = 'protection_lapse.cursor';
/** Registrations read per page when the candidate list catches up with the log. */
const WATCH_PAGE_SEQS = 50_000;
/** How long a run waits for a registration in flight before it leaves the rest of the log to the next run. */
const WATCH_GAP_WAIT_MS = 1000;

/**
 * PRO-1, §28: records every name-and-address protection that ran out by time
 * as a P11 registration "automatic removal", driven by the register's clock.
 * Idempotent (one `protection_lapse` row per end, inserted in the same
 * transaction as the registration) and catching up: a run after downtime
 * records every end up to today, each with its own date. Whether the person
 * is protected never depends on this job: the fact's end date does that.
 */
export async function runProtectionLapses(register: Register, opts: { pageSeqs?: number } = {}): Promise<LapseRunResult> {
  const page = opts.pageSeqs ?? WATCH_PAGE_SEQS;
  const db = register.store.db;
  const today = dateOf(register.clock.now());
  // Keep the candidate list current from the log: every person a registration mentioned 0001 for.
  // In pages of the log, each page's candidates and the cursor in one transaction, yielding in
  // between: the first run on a large store reads the whole log, which must not stop the server.
  // A page ends where the log cursor allows (register/log-cursor.ts): never past a registration in flight.
  const log = new LogCursor(register.store, { waitMs: WATCH_GAP_WAIT_MS });
  let lo = Number((await readMeta(db, CURSOR)) ?? 0);
  for (;;) {
    const { end: hi } = await log.horizon(lo, page);
    if (hi <= lo) break;
    const found = await db
      .selectFrom('registration')
      .select('pnr')
      .distinct()
      .where('seq', '>', lo)
      .where('seq', '<=', hi)
      .where('changes', 'like', '%"0001"%')
      .execute();
    await db.transaction().execute(async (tx) => {
      for (const { pnr } of found) {
        await tx.insertInto('protection_watch').values({ pnr, since_seq: lo + 1 }).onConflict((oc) => oc.column('pnr').doNothing()).execute();
      }
      await writeMeta(tx, CURSOR, String(hi));
    });
    lo = hi;
    await new Promise((resolve) => setImmediate(resolve));
  }
  const watched = (await db.selectFrom('protection_watch').select('pnr').orderBy('pnr').execute()).map((r) => r.pnr);
  const recorded: LapseRunResult['recorded'] = [];
  for (const pnr of watched) {
    const hist = await register.history(pnr);
    if (!hist) continue;
    const done = new Set((await db.selectFrom('protection_lapse').select('lapsed_on').where('pnr', '=', pnr).where('type', '=', '0001').execute()).map((r) => r.lapsed_on));
    for (const lapse of dueLapses(hist.versions, today, done)) {
      try {
        const seq = await atomically(register, async (r, tx) => {
          await tx
            .insertInto('protection_lapse')
            .values({ pnr, type: lapse.type, lapsed_on: lapse.lapsedOn, registration_seq: 0, recorded_at: toInstant(register.clock.now()) })
            .execute();
          const reg = await r.register({
            pnr,
            authority: 'CPR',
            eventCode: 'P11',
            documentation: `§28: name-and-address protection lapsed on ${lapse.lapsedOn} (one year, not extended)`,
            changes: [lapse.change],
          });
          await tx.updateTable('protection_lapse').set({ registration_seq: reg.seq }).where('pnr', '=', pnr).where('type', '=', lapse.type).where('lapsed_on', '=', lapse.lapsedOn).execute();
          return reg.seq;
        });
        recorded.push({ pnr, lapsedOn: lapse.lapsedOn, seq });
      } catch (e) {
        // Another run recorded it first: that is the idempotence, not an error.
        if (!isUniqueViolation(e)) throw e;
      }
    }
    if (!stillWatched(hist.versions, today)) await db.deleteFrom('protection_watch').where('pnr', '=', pnr).execute();
  }
  recorded.sort((a, b) => (a.lapsedOn < b.lapsedOn ? -1 : a.lapsedOn > b.lapsedOn ? 1 : a.pnr < b.pnr ? -1 : 1));
  return { today, examined: watched.length, recorded };
}

/** A person stays a candidate while a name-and-address protection has an end still ahead. */
function stillWatched(versions: readonly Version[], today: CivilDate): boolean {
  return versions.some((v) => v.rt === null && v.g === 'protection' && v.k === '0001' && v.vt !== null && v.vt > today);
}

/**
 * The scheduled registration job in a server: protection lapses (§28) and
 * the waiting register's 14-day deletion (NOR-2). A run at start (catching up
 * after downtime), then every `everyMs`; both parts are idempotent.
 */
export class ProtectionLapseJob {
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<unknown> | undefined;

  constructor(
    readonly register: Register,
    readonly onError: (e: unknown) => void = () => undefined,
  ) {}

  start(everyMs = 60 * 60 * 1000): void {
    if (this.#timer) return;
    void this.runOnce();
    this.#timer = setInterval(() => void this.runOnce(), everyMs);
    this.#timer.unref();
  }

  /** One run; overlapping calls share the run in progress. */
  runOnce(): Promise<LapseRunResult | undefined> {
    this.#running ??= runProtectionLapses(this.register)
      .then(async (res) => (await sweepWaitingRegister(this.register), res))
      .catch((e) => {
        this.onError(e);
        return undefined;
      })
      .finally(() => (this.#running = undefined));
    return this.#running as Promise<LapseRunResult | undefined>;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
