/**
 * A registration case (sag): what a municipality holds while it cannot yet
 * register, or must act later. Generic: a kind, a status, the handling
 * municipality, the person, a deadline, the kind's payload and the history
 * of what happened. Pure: transitions return a new case.
 *
 * Kinds used by the move workflows: `move` (a move report, §12; held for
 * doubt §6(3) or a hearing §13(2)), `investigation` (§10-11),
 * `no_fixed_abode` (§6(4)), `disappeared` (§6(5)), `complaint` (§56).
 */
import type { CivilDate, Instant } from '../dates.ts';
import { RegistrationError } from '../../register/validate.ts';

export interface CaseEvent {
  at: Instant;
  /** Who acted: a municipality code with the principal, e.g. `0461/usr_…`. */
  by: string;
  action: string;
  note?: string;
}

export interface Case<P = Record<string, unknown>> {
  id: number;
  kind: string;
  status: string;
  municipalityCode: string;
  /** A second municipality acting on the case (§13(3): the hearing municipality), or null. */
  sharedWith: string | null;
  pnr: string;
  deadline: CivilDate | null;
  payload: P;
  history: CaseEvent[];
  createdAt: Instant;
  updatedAt: Instant;
  version: number;
}

/** A case not yet stored (no id). */
export type NewCase<P = Record<string, unknown>> = Omit<Case<P>, 'id' | 'version' | 'createdAt' | 'updatedAt'>;

/** Refuses an action unless the case is in one of the given statuses. */
export function requireStatus(c: Pick<Case, 'id' | 'status' | 'kind'>, allowed: readonly string[], action: string): void {
  if (!allowed.includes(c.status)) {
    throw new RegistrationError(
      'case_wrong_status',
      `Case ${c.id} (${c.kind}) is ${c.status}; "${action}" needs it to be ${allowed.join(' or ')}.`,
    );
  }
}

export function requireKind(c: Pick<Case, 'id' | 'kind'>, kind: string): void {
  if (c.kind !== kind) throw new RegistrationError('case_wrong_kind', `Case ${c.id} is a ${c.kind} case, not a ${kind} case.`);
}

/** The case after an action: new status/deadline/payload, the action appended to the history. */
export function transition<P>(
  c: Case<P>,
  e: CaseEvent,
  change: { status?: string; deadline?: CivilDate | null; payload?: P },
): Case<P> {
  return {
    ...c,
    status: change.status ?? c.status,
    deadline: change.deadline !== undefined ? change.deadline : c.deadline,
    payload: change.payload ?? c.payload,
    history: [...c.history, e],
    updatedAt: e.at,
  };
}
