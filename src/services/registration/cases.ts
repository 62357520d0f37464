/**
 * Storage of registration cases, their letters and municipality settings
 * (migration 0010). A case changes by optimistic concurrency: an update names
 * the version it read, and a case changed meanwhile is refused
 * (`case_changed`), so two clerks never overwrite each other. A case change
 * and the letters it sends are one transaction.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Caller } from '../../access/customers.ts';
import type { Clock } from '../../domain/clock.ts';
import { toInstant } from '../../domain/dates.ts';
import type { Case, CaseEvent, NewCase } from '../../domain/registration/case.ts';
import { letterHtml, letterText, type Letter } from '../../domain/registration/letters.ts';
import { DEFAULT_MOVE_SETTINGS, type MoveSettings } from '../../domain/registration/move.ts';
import { RegistrationError } from '../../register/validate.ts';
import type { DB } from '../../storage/schema.ts';
import type { Store } from '../../storage/store.ts';
import type { RegistrationCaseTable, RegistrationLetterTable } from '../../storage/tables/cases.ts';

export interface StoredLetter {
  id: number;
  caseId: number;
  kind: string;
  pnr: string;
  municipalityCode: string;
  createdAt: string;
  subject: string;
  text: string;
  html: string;
}

/** Who acted, for a case's history: the municipality (or customer) and the principal. */
export function actorOf(caller: Caller): string {
  return `${caller.customer.number ?? caller.customer.id}/${caller.principal.id}`;
}

function toCase<P>(r: Selectable<RegistrationCaseTable>): Case<P> {
  return {
    id: Number(r.id),
    kind: r.kind,
    status: r.status,
    municipalityCode: r.municipality_code,
    sharedWith: r.shared_with,
    pnr: r.pnr,
    deadline: r.deadline,
    payload: JSON.parse(r.payload) as P,
    history: JSON.parse(r.history) as CaseEvent[],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: Number(r.version),
  };
}

function toLetter(r: Selectable<RegistrationLetterTable>): StoredLetter {
  return {
    id: Number(r.id),
    caseId: Number(r.case_id),
    kind: r.kind,
    pnr: r.pnr,
    municipalityCode: r.municipality_code,
    createdAt: r.created_at,
    subject: r.subject,
    text: r.text,
    html: r.html,
  };
}

type Db = Kysely<DB>;

export class CaseStore {
  constructor(
    readonly store: Store,
    readonly clock: Clock,
  ) {}

  /**
   * Creates a case and sends its letters in one transaction. `complete` may
   * finish the payload from the new case's id (e.g. a receipt number), and the
   * letters are made from the finished case.
   */
  async create<P>(
    c: NewCase<P>,
    opts: { complete?: (c: Case<P>) => P; letters?: (c: Case<P>) => Letter[] } = {},
  ): Promise<{ case: Case<P>; letters: StoredLetter[] }> {
    return this.store.db.transaction().execute(async (tx) => {
      const now = toInstant(this.clock.now());
      const row = await tx
        .insertInto('registration_case')
        .values({
          kind: c.kind,
          status: c.status,
          municipality_code: c.municipalityCode,
          shared_with: c.sharedWith,
          pnr: c.pnr,
          deadline: c.deadline,
          payload: JSON.stringify(c.payload),
          history: JSON.stringify(c.history),
          created_at: now,
          updated_at: now,
          version: 1,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      let created = toCase<P>(row);
      if (opts.complete) {
        created = { ...created, payload: opts.complete(created) };
        await tx.updateTable('registration_case').set({ payload: JSON.stringify(created.payload) }).where('id', '=', created.id).execute();
      }
      const sent = await this.#insertLetters(tx, opts.letters?.(created) ?? []);
      return { case: created, letters: sent };
    });
  }

  async get<P = Record<string, unknown>>(id: number): Promise<Case<P>> {
    const r = await this.store.db.selectFrom('registration_case').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw new RegistrationError('case_not_found', `There is no case ${id}.`);
    return toCase<P>(r);
  }

  /**
   * Stores a changed case (as made by `transition`) if nobody changed it since
   * it was read, and sends its letters, in one transaction.
   */
  async update<P>(c: Case<P>, letters: Letter[] = []): Promise<{ case: Case<P>; letters: StoredLetter[] }> {
    return this.store.db.transaction().execute(async (tx) => {
      const res = await tx
        .updateTable('registration_case')
        .set({
          status: c.status,
          deadline: c.deadline,
          payload: JSON.stringify(c.payload),
          history: JSON.stringify(c.history),
          updated_at: c.updatedAt,
          version: c.version + 1,
        })
        .where('id', '=', c.id)
        .where('version', '=', c.version)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) {
        throw new RegistrationError('case_changed', `Case ${c.id} was changed by someone else meanwhile; read it again and retry.`);
      }
      const sent = await this.#insertLetters(tx, letters);
      return { case: { ...c, version: c.version + 1 }, letters: sent };
    });
  }

  /** Cases of a municipality; with `shared`, the cases another municipality shares with it instead. */
  async list(q: { municipalityCode: string | null; shared?: boolean; kind?: string; status?: string; pnr?: string; limit?: number }): Promise<Case[]> {
    let s = this.store.db.selectFrom('registration_case').selectAll();
    if (q.municipalityCode !== null) s = s.where(q.shared ? 'shared_with' : 'municipality_code', '=', q.municipalityCode);
    if (q.kind) s = s.where('kind', '=', q.kind);
    if (q.status) s = s.where('status', '=', q.status);
    if (q.pnr) s = s.where('pnr', '=', q.pnr);
    return (await s.orderBy('id').limit(q.limit ?? 100).execute()).map((r) => toCase(r));
  }

  async #insertLetters(tx: Db, letters: Letter[]): Promise<StoredLetter[]> {
    const out: StoredLetter[] = [];
    for (const l of letters) {
      const row = await tx
        .insertInto('registration_letter')
        .values({
          case_id: l.caseId,
          kind: l.kind,
          pnr: l.recipient.pnr,
          municipality_code: l.municipalityCode,
          created_at: toInstant(this.clock.now()),
          subject: l.subject,
          text: letterText(l),
          html: letterHtml(l),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      out.push(toLetter(row));
    }
    return out;
  }

  async letter(id: number): Promise<StoredLetter> {
    const r = await this.store.db.selectFrom('registration_letter').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw new RegistrationError('letter_not_found', `There is no letter ${id}.`);
    return toLetter(r);
  }

  async letters(caseId: number): Promise<StoredLetter[]> {
    return (await this.store.db.selectFrom('registration_letter').selectAll().where('case_id', '=', caseId).orderBy('id').execute()).map(toLetter);
  }

  // ── Settings ────────────────────────────────────────────────────────────

  async moveSettings(municipalityCode: string): Promise<MoveSettings> {
    const rows = await this.store.db.selectFrom('municipality_setting').select(['key', 'value']).where('municipality_code', '=', municipalityCode).execute();
    const s: MoveSettings = { ...DEFAULT_MOVE_SETTINGS };
    for (const r of rows) if (r.key === 'refuseEarlyReports') s.refuseEarlyReports = JSON.parse(r.value) === true;
    return s;
  }

  async setMoveSettings(municipalityCode: string, s: Partial<MoveSettings>): Promise<MoveSettings> {
    const now = toInstant(this.clock.now());
    await this.store.db.transaction().execute(async (tx) => {
      for (const [key, v] of Object.entries(s)) {
        if (v === undefined) continue;
        await tx
          .insertInto('municipality_setting')
          .values({ municipality_code: municipalityCode, key, value: JSON.stringify(v), updated_at: now })
          .onConflict((oc) => oc.columns(['municipality_code', 'key']).doUpdateSet({ value: JSON.stringify(v), updated_at: now }))
          .execute();
      }
    });
    return this.moveSettings(municipalityCode);
  }
}
