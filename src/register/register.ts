/**
 * The register: an append-only log of registrations (REG-2, REG-6) with three
 * projections kept in the same transaction (the person's versions, the
 * current state, the address index), and the queries over them.
 */
import { sql, type Transaction } from 'kysely';
import type { Clock } from '../domain/clock.ts';
import { eventCode } from '../domain/codes/index.ts';
import { dateOf, parseCivilDate, toInstant, type CivilDate, type Instant } from '../domain/dates.ts';
import {
  birthAndSex,
  candidatePnrs,
  checkPnr,
  mod11Sum,
  NO_MOD11_DATES,
  normalisePnr,
  type PnrCheck,
  type Sex,
} from '../domain/pnr/pnr.ts';
import type { Group, GroupValue } from '../domain/person/facts.ts';
import type { DB, PersonCurrentTable, PersonHistoryTable, ResidenceTable } from '../storage/schema.ts';
import { named, parameterNames } from '../storage/prepared.ts';
import type { Store } from '../storage/store.ts';
import { pnrOfVersionId, versionOfRow, versionRange, versionRows, type PersonVersionTable } from '../storage/tables/versions.ts';
import {
  applyAnnulment,
  applyChanges,
  nextBoundary,
  putFact,
  registrationsInForce,
  stateOf,
  versionsAsOf,
  type PersonState,
  type Registration,
  type Version,
} from './bitemporal.ts';
import { RegistrationError, validateChanges, type NewRegistration } from './validate.ts';

export interface PersonView {
  pnr: string;
  birthDate: CivilDate;
  sex: Sex;
  /** The validity date and registration time the view answers for. */
  validAt: CivilDate;
  knownAt: Instant;
  state: PersonState;
}

export interface PersonHistory {
  pnr: string;
  /** Every version, superseded ones included, with both periods. */
  versions: Version[];
  /** The person's registrations in log order, annulled ones included (REG-3). */
  registrations: Registration[];
}

export interface Resident {
  pnr: string;
  addressId: string | null;
  accessAddressId: string | null;
  validFrom: CivilDate;
  validTo: CivilDate | null;
}

export interface AsOf {
  validAt?: CivilDate;
  knownAt?: Instant;
}

const AUTHORITY_RE = /^[\p{L}\p{N} .,()/&§-]{1,60}$/u;

type Tx = Transaction<DB>;

export class Register {
  readonly #readCurrent;
  readonly #readAsOf;
  readonly #asOfParams: AsOfParam[];
  readonly #readNumber;
  readonly #readVersions;
  #noMod11: Set<CivilDate> | undefined;

  constructor(
    readonly store: Store,
    readonly clock: Clock,
  ) {
    const db = store.db;
    this.#readCurrent = store.prepare<{ state: string; computed_for: string; stale_at: string | null }>(
      db.selectFrom('person_current').select(['state', 'computed_for', 'stale_at']).where('pnr', '=', '').compile(),
    );
    // The versions in force at (V, R), filtered by the store, as arrays [id, g, vf, vt, rf, s, v]
    // (only what a fact of the state needs), in key order. Both stores also say, in the same
    // statement, when the register has nothing for the number: PostgreSQL joins the person's
    // number (no row: unknown number; one row of nulls: a person without facts in force then);
    // SQLite, which answers from the versions alone, adds one row of nulls when the person has
    // no versions at all (then the numbers are asked). A second statement for "nothing in force"
    // (44% of random as-of lookups) cost more than this constant row (docs/benchmarks.md).
    const asOf = db
      .selectFrom('person_number as n')
      .leftJoin('person_version as v', (j) =>
        j
          .on('v.id', '>=', named<number>('lo'))
          .on('v.id', '<', named<number>('hi'))
          .on('v.rf', '<=', named('R'))
          .on((eb) => eb.or([eb('v.rt', 'is', null), eb('v.rt', '>', named('R'))]))
          .on('v.vf', '<=', named('V'))
          .on((eb) => eb.or([eb('v.vt', 'is', null), eb('v.vt', '>', named('V'))])),
      )
      .select(['v.id', 'v.g', 'v.vf', 'v.vt', 'v.rf', 'v.s', 'v.v'])
      .where('n.pnr', '=', named('pnr'))
      .orderBy('v.id')
      .compile();
    // SQLite: a rowid range scan, which yields its rows in key order (#fromVersions checks).
    const asOfAlone = sql`select id, g, vf, vt, rf, s, v from person_version
      where id >= ${named('lo')} and id < ${named('hi')}
        and rf <= ${named('R')} and (rt is null or rt > ${named('R')})
        and vf <= ${named('V')} and (vt is null or vt > ${named('V')})
      union all
      select null, null, null, null, null, null, null
      where not exists (select 1 from person_version where id >= ${named('lo')} and id < ${named('hi')})`.compile(db);
    const chosen = store.dialect === 'sqlite' ? asOfAlone : asOf;
    // Where each value goes among the compiled query's positional parameters (every one is named here).
    // Not prepareNamed: its object of values per read costs more than this hot path's own loop.
    this.#asOfParams = parameterNames<AsOfParam>(chosen).map((n) => n!);
    this.#readAsOf = store.prepareRaw(chosen);
    this.#readNumber = store.prepare<{ pnr: string }>(db.selectFrom('person_number').select('pnr').where('pnr', '=', '').compile());
    this.#readVersions = store.prepare<VersionRow>(
      db
        .selectFrom('person_version')
        .select(['g', 'k', 'vf', 'vt', 'rf', 'rt', 's', 'v'])
        .where('id', '>=', 0)
        .where('id', '<', 0)
        .orderBy('id')
        .compile(),
    );
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  // ── Person numbers ────────────────────────────────────────────────────────

  /** CPR's published no-mod-11 dates plus the dates this register ran out on (COD-2). */
  async noMod11Dates(): Promise<ReadonlySet<CivilDate>> {
    if (!this.#noMod11) {
      const rows = await this.store.db.selectFrom('no_mod11_date').select('birth_date').execute();
      this.#noMod11 = new Set([...NO_MOD11_DATES, ...rows.map((r) => r.birth_date)]);
    }
    return this.#noMod11;
  }

  async checkPnr(input: string): Promise<PnrCheck> {
    return checkPnr(input, await this.noMod11Dates());
  }

  /**
   * PNR-3, §3(1)-(2): a new, never-used number for a birth date and sex.
   * The primary key on person_number is what guarantees uniqueness; a number
   * taken concurrently by another allocator makes the insert fail, and the
   * next candidate is tried.
   */
  async allocatePnr(birthDate: CivilDate, sex: Sex): Promise<string> {
    if (!parseCivilDate(birthDate)) throw new RegistrationError('invalid_date', `"${birthDate}" is not a date YYYY-MM-DD.`);
    for (let attempt = 0; ; attempt++) {
      try {
        const { pnr, listed } = await this.store.db.transaction().execute(async (tx) => {
          // Allocators of the same date and sex queue up (SQLite has one writer anyway).
          if (this.store.dialect === 'postgres') {
            await sql`select pg_advisory_xact_lock(hashtext(${`pnr:${birthDate}:${sex}`}))`.execute(tx);
          }
          const used = new Set(
            (await tx.selectFrom('person_number').select('pnr').where('birth_date', '=', birthDate).where('sex', '=', sex).execute()).map(
              (r) => r.pnr,
            ),
          );
          let chosen: string | undefined;
          for (const c of candidatePnrs(birthDate, sex)) {
            if (!used.has(c)) {
              chosen = c;
              break;
            }
          }
          if (!chosen) throw new RegistrationError('numbers_exhausted', `Every person number for ${birthDate} (${sex}) is in use.`);
          const rule = mod11Sum(chosen) === 0 ? 'mod11' : 'no_mod11_date';
          const now = toInstant(this.clock.now());
          await tx
            .insertInto('person_number')
            .values({ pnr: chosen, birth_date: birthDate, sex, rule, source: 'allocated', created_at: now })
            .execute();
          const listed = rule === 'no_mod11_date' && !NO_MOD11_DATES.has(birthDate);
          if (listed) {
            // The date's mod-11 serials are exhausted: from now on the date is on the register's list.
            await tx
              .insertInto('no_mod11_date')
              .values({ birth_date: birthDate, since: now })
              .onConflict((oc) => oc.column('birth_date').doNothing())
              .execute();
          }
          return { pnr: chosen, listed };
        });
        if (listed) this.#noMod11?.add(birthDate);
        return pnr;
      } catch (e) {
        // Only an imported number of the same date can race us past the lock; try the next.
        if (isUniqueViolation(e) && attempt < 5) continue;
        throw e;
      }
    }
  }

  /** Takes an existing number into the register (import of a population). */
  async takeInPnr(input: string): Promise<string> {
    const check = await this.checkPnr(input);
    if (check.kind !== 'valid') throw new RegistrationError(`pnr_${check.kind}`, check.message);
    try {
      await this.store.db
        .insertInto('person_number')
        .values({
          pnr: check.pnr,
          birth_date: check.birthDate,
          sex: check.sex,
          rule: check.rule,
          source: 'imported',
          created_at: toInstant(this.clock.now()),
        })
        .execute();
    } catch (e) {
      if (isUniqueViolation(e)) throw new RegistrationError('pnr_in_use', `${check.pnr} is already in the register.`);
      throw e;
    }
    return check.pnr;
  }

  /**
   * PNR-4, §3(5): a new number when the birth date or sex was registered
   * wrongly. The new number takes over the person's current facts; the old
   * number gets status 60; each references the other.
   */
  async changeNumber(
    oldInput: string,
    corrected: { birthDate: CivilDate; sex: Sex },
    authority: string,
    documentation?: string,
  ): Promise<{ oldPnr: string; newPnr: string }> {
    const old = await this.#knownNumber(oldInput);
    if (old.birthDate === corrected.birthDate && old.sex === corrected.sex) {
      throw new RegistrationError(
        'number_change_not_needed',
        '§3(5): a new number is given only when the birth date or sex in the old one was wrong.',
      );
    }
    const current = await this.person(old.pnr);
    const status = (current?.state.status as { value: GroupValue<'status'> } | undefined)?.value.code;
    if (status === '60') throw new RegistrationError('number_already_changed', `${old.pnr} has already been replaced.`);
    const newPnr = await this.allocatePnr(corrected.birthDate, corrected.sex);
    const today = dateOf(this.clock.now());
    const carried = Object.entries(current?.state ?? {}).flatMap(([group, f]) =>
      (Array.isArray(f) ? f : [f]).filter((x) => group !== 'numberChange' && group !== 'birth').map((x) => ({
        group,
        validFrom: x!.validFrom,
        validTo: x!.validTo,
        value: x!.value,
      })),
    );
    const birth = (current?.state.birth as { value: GroupValue<'birth'> } | undefined)?.value;
    await this.register({
      pnr: newPnr,
      authority,
      eventCode: 'P03',
      documentation: documentation ?? null,
      changes: [
        ...carried,
        { group: 'birth', validFrom: corrected.birthDate, value: { ...birth, birthDate: corrected.birthDate, sex: corrected.sex } },
        { group: 'numberChange', validFrom: today, value: { direction: 'replaces', pnr: old.pnr } },
      ],
    });
    await this.register({
      pnr: old.pnr,
      authority,
      eventCode: 'P03',
      documentation: documentation ?? null,
      changes: [
        { group: 'status', validFrom: today, value: { code: '60' } },
        { group: 'numberChange', validFrom: today, value: { direction: 'replaced_by', pnr: newPnr } },
      ],
    });
    return { oldPnr: old.pnr, newPnr };
  }

  async #knownNumber(input: string): Promise<{ pnr: string; birthDate: CivilDate; sex: Sex }> {
    const pnr = normalisePnr(input);
    if (!pnr) throw new RegistrationError('pnr_malformed', 'A person number has ten digits: DDMMYY-SSSS or DDMMYYSSSS.');
    const row = await this.store.db
      .selectFrom('person_number')
      .select(['pnr', 'birth_date', 'sex'])
      .where('pnr', '=', pnr)
      .executeTakeFirst();
    if (!row) throw new RegistrationError('person_not_found', `No person with number ${pnr.slice(0, 6)}-${pnr.slice(6)} in the register.`);
    return { pnr: row.pnr, birthDate: row.birth_date, sex: row.sex as Sex };
  }

  // ── Registrations ─────────────────────────────────────────────────────────

  /**
   * REG-2, REG-3, REG-6: appends one registration and updates the projections
   * in the same transaction. Either all of it is stored, or nothing.
   */
  async register(input: NewRegistration): Promise<Registration> {
    const { pnr } = await this.#knownNumber(input.pnr);
    if (!AUTHORITY_RE.test(input.authority ?? '')) {
      throw new RegistrationError('invalid_authority', 'The acting authority is a municipality code or an authority name.');
    }
    if (!eventCode(input.eventCode ?? '')) {
      throw new RegistrationError('invalid_event_code', `"${input.eventCode}" is not a CPR event code (e.g. A01).`);
    }
    const annuls = input.annuls ?? null;
    const changes = annuls === null ? validateChanges(input.changes) : [];
    if (annuls === null && changes.length === 0) {
      throw new RegistrationError('no_changes', 'A registration must assert or end at least one fact.');
    }
    if (annuls !== null && input.changes?.length) {
      throw new RegistrationError('annulment_with_changes', 'An annulment only annuls; register new facts separately.');
    }
    return this.store.db.transaction().execute(async (tx) => {
      await this.#lockPerson(tx, pnr);
      const hist = await tx.selectFrom('person_history').select('last_registered_at').where('pnr', '=', pnr).executeTakeFirst();
      // Registration time never runs backwards for a person, whatever the clock says.
      let t = toInstant(this.clock.now());
      if (hist && hist.last_registered_at > t) t = hist.last_registered_at;
      let versions: Version[] = hist ? await readVersions(tx, pnr) : [];

      if (annuls !== null) await this.#checkAnnullable(tx, pnr, annuls);
      const row = await tx
        .insertInto('registration')
        .values({
          pnr,
          registered_at: t,
          authority: input.authority,
          event_code: input.eventCode,
          documentation: input.documentation ?? null,
          late: input.late ? 1 : 0,
          annuls,
          changes: JSON.stringify(changes),
        })
        .returning('seq')
        .executeTakeFirstOrThrow();
      const reg: Registration = {
        seq: Number(row.seq),
        pnr,
        registeredAt: t,
        authority: input.authority,
        eventCode: input.eventCode,
        documentation: input.documentation ?? null,
        late: !!input.late,
        annuls,
        changes,
      };
      if (annuls === null) {
        versions = applyChanges(versions, changes, t, reg.seq);
      } else {
        const all = await this.#registrations(tx, pnr);
        versions = applyAnnulment(versions, registrationsInForce(all), t);
      }
      await this.#project(tx, pnr, versions, reg);
      return reg;
    });
  }

  async #lockPerson(tx: Tx, pnr: string): Promise<void> {
    // PostgreSQL: serialise writers of one person (the history row is read-modify-write). The row lock
    // also gives the transaction its id before it draws a seq, which the log cursor's rule relies on
    // (register/log-cursor.ts). SQLite has a single writer connection, so transactions never interleave.
    if (this.store.dialect === 'postgres') {
      await sql`select 1 from person_number where pnr = ${pnr} for update`.execute(tx);
    }
  }

  async #checkAnnullable(tx: Tx, pnr: string, seq: number): Promise<void> {
    const target = await tx.selectFrom('registration').select(['pnr', 'annuls']).where('seq', '=', seq).executeTakeFirst();
    if (!target || target.pnr !== pnr) {
      throw new RegistrationError('unknown_registration', `Registration ${seq} is not a registration of this person.`);
    }
    if (target.annuls !== null) throw new RegistrationError('cannot_annul_annulment', 'An annulment cannot itself be annulled.');
    const already = await tx.selectFrom('registration').select('seq').where('annuls', '=', seq).executeTakeFirst();
    if (already) throw new RegistrationError('already_annulled', `Registration ${seq} was annulled by ${already.seq}.`);
  }

  async #project(tx: Tx, pnr: string, versions: Version[], reg: Registration): Promise<void> {
    const rows = projectionRows(pnr, versions, dateOf(this.clock.now()), reg);
    const { pnr: _h, ...history } = rows.history;
    await tx
      .insertInto('person_history')
      .values(rows.history)
      .onConflict((oc) => oc.column('pnr').doUpdateSet(history))
      .execute();
    const [lo, hi] = versionRange(pnr);
    await tx.deleteFrom('person_version').where('id', '>=', lo).where('id', '<', hi).execute();
    await insertVersions(tx, rows.versions);
    const { pnr: _c, ...current } = rows.current;
    await tx
      .insertInto('person_current')
      .values(rows.current)
      .onConflict((oc) => oc.column('pnr').doUpdateSet(current))
      .execute();
    await tx.deleteFrom('residence').where('pnr', '=', pnr).execute();
    if (rows.residence.length) await tx.insertInto('residence').values(rows.residence).execute();
  }

  async #registrations(db: Tx | Store['db'], pnr: string): Promise<Registration[]> {
    const rows = await db.selectFrom('registration').selectAll().where('pnr', '=', pnr).orderBy('seq').execute();
    return rows.map(toRegistration);
  }

  // ── Queries ───────────────────────────────────────────────────────────────

  /**
   * A person as valid at V and known at R (REG-2); both default to now. The
   * current state is one index read of the projection unless time has passed
   * one of its boundaries; any other V or R is answered from the versions.
   * Returns null for a number the register does not hold.
   */
  person(input: string, asOf: AsOf = {}): Promise<PersonView | null> {
    try {
      const r = this.#person(input, asOf);
      return r instanceof Promise ? r : Promise.resolve(r);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * person() without a promise where the store answers synchronously (SQLite: the hot path).
   * The steps are methods, not closures: a closure made per lookup costs more than the step.
   */
  #person(input: string, asOf: AsOf): PersonView | null | Promise<PersonView | null> {
    const pnr = normalisePnr(input);
    if (!pnr) return null;
    // The clock only when a time is left out (the hot as-of path gives both).
    const now = asOf.validAt === undefined || asOf.knownAt === undefined ? toInstant(this.clock.now()) : '';
    const today = now && dateOf(now);
    const born = birthAndSex(pnr);
    if (!born) return null;
    const view: PersonView = { pnr, birthDate: born.birthDate, sex: born.sex, validAt: asOf.validAt ?? today, knownAt: asOf.knownAt ?? now, state: {} };
    if (asOf.validAt !== undefined || asOf.knownAt !== undefined) return this.#asOf(view);
    const cur = this.#readCurrent([pnr]);
    return cur instanceof Promise ? cur.then((rows) => this.#fromCurrent(view, rows)) : this.#fromCurrent(view, cur);
  }

  #fromCurrent(view: PersonView, [cur]: Array<{ state: string; computed_for: string; stale_at: string | null }>): PersonView | null | Promise<PersonView | null> {
    const today = view.validAt;
    if (cur && cur.computed_for <= today && (cur.stale_at === null || today < cur.stale_at)) {
      view.state = JSON.parse(cur.state) as PersonState;
      return view;
    }
    return this.#asOf(view);
  }

  /** The versions in force at (view.validAt, view.knownAt), read with one statement. */
  #asOf(view: PersonView): PersonView | null | Promise<PersonView | null> {
    const [lo, hi] = versionRange(view.pnr);
    const names = this.#asOfParams;
    const params = new Array<unknown>(names.length);
    for (let i = 0; i < names.length; i++) {
      const k = names[i];
      params[i] = k === 'lo' ? lo : k === 'hi' ? hi : k === 'R' ? view.knownAt : k === 'V' ? view.validAt : view.pnr;
    }
    const rows = this.#readAsOf(params);
    return rows instanceof Promise ? rows.then((r) => this.#fromVersions(view, r)) : this.#fromVersions(view, rows);
  }

  #fromVersions(view: PersonView, rows: unknown[][]): PersonView | null | Promise<PersonView | null> {
    // PostgreSQL: no row, a number the register does not hold. SQLite: no row, a person with versions
    // none of which is in force then.
    if (rows.length === 0) return this.store.dialect === 'sqlite' ? view : null;
    // A row of nulls: no facts in force (PostgreSQL), or no versions at all (SQLite: is the number held?).
    if (rows[0]![1] === null) {
      if (this.store.dialect !== 'sqlite') return view;
      return then(this.#readNumber([view.pnr]), (n) => (n.length ? view : null));
    }
    if (!inKeyOrder(rows)) rows.sort((a, b) => Number(a[0]) - Number(b[0]));
    const state: PersonState = view.state;
    for (const [, g, vf, vt, rf, s, v] of rows as Array<[number, Group, CivilDate, CivilDate | null, Instant, number | string, string]>) {
      putFact(state, g, { value: JSON.parse(v), validFrom: vf, validTo: vt, registeredAt: rf, seq: Number(s) });
    }
    return view;
  }

  /**
   * Many persons at once (bulk lookups), in the order asked, null where
   * person() would give null. The current state of all of them is read with
   * one statement per chunk; anyone whose stored state is stale, and any
   * as-of lookup, goes through person().
   */
  async persons(inputs: readonly string[], asOf: AsOf = {}): Promise<Array<PersonView | null>> {
    if (asOf.validAt !== undefined || asOf.knownAt !== undefined) {
      const out: Array<PersonView | null> = [];
      for (const p of inputs) out.push(await this.person(p, asOf));
      return out;
    }
    const now = toInstant(this.clock.now());
    const today = dateOf(now);
    const pnrs = inputs.map((p) => normalisePnr(p));
    const rows = new Map<string, { state: string; computed_for: string; stale_at: string | null }>();
    const wanted = [...new Set(pnrs.filter((p): p is string => p !== null))];
    for (let i = 0; i < wanted.length; i += VERSIONS_OF_CHUNK) {
      const part = await this.store.db
        .selectFrom('person_current')
        .select(['pnr', 'state', 'computed_for', 'stale_at'])
        .where('pnr', 'in', wanted.slice(i, i + VERSIONS_OF_CHUNK))
        .execute();
      for (const r of part) rows.set(r.pnr, r);
    }
    const out: Array<PersonView | null> = [];
    for (let i = 0; i < inputs.length; i++) {
      const pnr = pnrs[i];
      const cur = pnr ? rows.get(pnr) : undefined;
      const check = pnr ? checkPnr(pnr, NO_MOD11_DATES) : undefined;
      if (pnr && cur && check && check.kind !== 'malformed' && check.kind !== 'no_such_date' && cur.computed_for <= today && (cur.stale_at === null || today < cur.stale_at)) {
        out.push({ pnr, birthDate: check.birthDate, sex: check.sex, validAt: today, knownAt: now, state: JSON.parse(cur.state) as PersonState });
      } else {
        out.push(await this.person(inputs[i]!));
      }
    }
    return out;
  }

  /** The full bitemporal history of a person, and the registrations behind it. */
  async history(input: string): Promise<PersonHistory | null> {
    const pnr = normalisePnr(input);
    if (!pnr) return null;
    const versions = (await this.#readVersions(versionRange(pnr))).map(versionOfRow);
    if (versions.length === 0) {
      const known = await this.store.db.selectFrom('person_number').select('pnr').where('pnr', '=', pnr).executeTakeFirst();
      return known ? { pnr, versions: [], registrations: await this.#registrations(this.store.db, pnr) } : null;
    }
    return { pnr, versions, registrations: await this.#registrations(this.store.db, pnr) };
  }

  /**
   * The versions of many persons (every version, superseded ones included),
   * for the services that read histories in batches. Persons with
   * registrations but no versions map to an empty list; numbers the register
   * does not hold are absent.
   */
  async versionsOf(pnrs: readonly string[]): Promise<Map<string, Version[]>> {
    const out = new Map<string, Version[]>();
    for (let i = 0; i < pnrs.length; i += VERSIONS_OF_CHUNK) {
      const part = pnrs.slice(i, i + VERSIONS_OF_CHUNK);
      const held = await this.store.db.selectFrom('person_history').select('pnr').where('pnr', 'in', part).execute();
      if (held.length === 0) continue;
      for (const h of held) out.set(h.pnr, []);
      const rows = await this.store.db
        .selectFrom('person_version')
        .select(['id', 'g', 'k', 'vf', 'vt', 'rf', 'rt', 's', 'v'])
        .where((eb) =>
          eb.or(
            held.map((h) => {
              const [lo, hi] = versionRange(h.pnr);
              return eb.and([eb('id', '>=', lo), eb('id', '<', hi)]);
            }),
          ),
        )
        .orderBy('id')
        .execute();
      for (const r of rows) out.get(pnrOfVersionId(r.id))?.push(versionOfRow(r));
    }
    return out;
  }

  /**
   * Persons registered at an address on a validity date, as known at R:
   * a unit address (DAR adresse id) or all units behind a house number
   * (DAR husnummer id, the stairwell).
   */
  async residents(where: { addressId: string } | { accessAddressId: string }, asOf: AsOf = {}): Promise<Resident[]> {
    const now = this.clock.now();
    const at = asOf.validAt ?? dateOf(now);
    const knownAt = asOf.knownAt ?? toInstant(now);
    let q = this.store.db
      .selectFrom('residence')
      .select(['pnr', 'address_id', 'access_address_id', 'valid_from', 'valid_to'])
      .where('valid_from', '<=', at)
      .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', at)]))
      .where('reg_from', '<=', knownAt)
      .where((eb) => eb.or([eb('reg_to', 'is', null), eb('reg_to', '>', knownAt)]));
    q = 'addressId' in where ? q.where('address_id', '=', where.addressId) : q.where('access_address_id', '=', where.accessAddressId);
    const rows = await q.orderBy('pnr').execute();
    return rows.map((r) => ({
      pnr: r.pnr,
      addressId: r.address_id,
      accessAddressId: r.access_address_id,
      validFrom: r.valid_from,
      validTo: r.valid_to,
    }));
  }

  /** REG-6: the ordered log, from a sequence number on (the source of the event feed). */
  async log(afterSeq = 0, limit = 100): Promise<Registration[]> {
    const rows = await this.store.db
      .selectFrom('registration')
      .selectAll()
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map(toRegistration);
  }
}

/**
 * The projection rows of one person, from its versions: the history row, the
 * current state as of `today` (known as of the last registration), and the
 * address index. Shared by single registrations and the bulk loader.
 */
export function projectionRows(
  pnr: string,
  versions: Version[],
  today: CivilDate,
  last: { seq: number; registeredAt: Instant },
): { history: PersonHistoryTable; current: PersonCurrentTable; residence: ResidenceTable[]; versions: PersonVersionTable[] } {
  const current = stateOf(versionsAsOf(versions, today, last.registeredAt));
  const status = (current.status as { value: { code: string } } | undefined)?.value.code ?? null;
  return {
    history: { pnr, last_seq: last.seq, last_registered_at: last.registeredAt },
    versions: versionRows(pnr, versions),
    current: { pnr, status, state: JSON.stringify(current), computed_for: today, stale_at: nextBoundary(versions, today) },
    residence: versions
      .filter((v) => v.g === 'address')
      .map((v) => {
        const a = v.v as GroupValue<'address'>;
        return {
          pnr,
          address_id: a.addressId ?? null,
          access_address_id: a.accessAddressId ?? null,
          municipality_code: a.municipalityCode,
          road_code: a.roadCode,
          valid_from: v.vf,
          valid_to: v.vt,
          reg_from: v.rf,
          reg_to: v.rt,
          seq: v.s,
        };
      }),
  };
}

type VersionRow = Omit<PersonVersionTable, 'id'>;
type AsOfParam = 'lo' | 'hi' | 'R' | 'V' | 'pnr';

/** Persons per batch read of versionsOf (two bound parameters each). */
const VERSIONS_OF_CHUNK = 400;
/** Version rows per INSERT (9 columns: well under both stores' limits on bound parameters). */
const VERSION_ROWS_PER_INSERT = 500;

/** True when the rows' first column (the version key) ascends, as a rowid range scan gives them. */
function inKeyOrder(rows: unknown[][]): boolean {
  for (let i = 1; i < rows.length; i++) if (Number(rows[i]![0]) < Number(rows[i - 1]![0])) return false;
  return true;
}

/** f applied to a value that a store may give now (SQLite) or later (PostgreSQL). */
function then<T, U>(v: T | Promise<T>, f: (t: T) => U | Promise<U>): U | Promise<U> {
  return v instanceof Promise ? v.then(f) : f(v);
}

/** All versions of a person, in order, read inside a write transaction. */
async function readVersions(tx: Tx, pnr: string): Promise<Version[]> {
  const [lo, hi] = versionRange(pnr);
  const rows = await tx
    .selectFrom('person_version')
    .select(['g', 'k', 'vf', 'vt', 'rf', 'rt', 's', 'v'])
    .where('id', '>=', lo)
    .where('id', '<', hi)
    .orderBy('id')
    .execute();
  return rows.map(versionOfRow);
}

/** Stores version rows (from projectionRows) in a transaction of the caller. */
export async function insertVersions(tx: Tx | Store['db'], rows: readonly PersonVersionTable[]): Promise<void> {
  for (let i = 0; i < rows.length; i += VERSION_ROWS_PER_INSERT) {
    await tx.insertInto('person_version').values(rows.slice(i, i + VERSION_ROWS_PER_INSERT)).execute();
  }
}

/** A row of the log as a Registration. */
export function toRegistration(r: {
  seq: number;
  pnr: string;
  registered_at: string;
  authority: string;
  event_code: string;
  documentation: string | null;
  late: number;
  annuls: number | null;
  changes: string;
}): Registration {
  return {
    seq: Number(r.seq),
    pnr: r.pnr,
    registeredAt: r.registered_at,
    authority: r.authority,
    eventCode: r.event_code,
    documentation: r.documentation,
    late: !!r.late,
    annuls: r.annuls === null ? null : Number(r.annuls),
    changes: JSON.parse(r.changes),
  };
}

export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === '23505' || err?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || err?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}
