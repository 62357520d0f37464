/**
 * The audit log (AUD-3): who looked up which persons or addresses, when, and
 * how. A record is written, and committed, before the answer leaves; if it
 * cannot be written, the answer is not given (fail closed).
 */
import type { Clock } from '../domain/clock.ts';
import type { Store } from '../storage/store.ts';

export interface AuditEntry {
  /** The user or system program, e.g. `cli:alice`. */
  actor: string;
  customer?: string | null;
  /** Transaction type, e.g. `person.lookup`, `address.residents`. */
  action: string;
  /** Person numbers or address ids the lookup concerned. */
  subjects: string[];
  detail?: Record<string, unknown>;
}

export class AuditLog {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async record(e: AuditEntry): Promise<void> {
    await this.store.db
      .insertInto('audit')
      .values({
        at: this.clock.now().toISOString(),
        actor: e.actor,
        customer: e.customer ?? null,
        action: e.action,
        subjects: JSON.stringify(e.subjects),
        detail: e.detail ? JSON.stringify(e.detail) : null,
      })
      .execute();
  }

  /** Gives `answer` only after its audit record is stored. */
  async audited<T>(e: AuditEntry, answer: () => Promise<T>): Promise<T> {
    const result = await answer();
    await this.record(e);
    return result;
  }

  async entries(limit = 100): Promise<Array<AuditEntry & { at: string }>> {
    const rows = await this.store.db.selectFrom('audit').selectAll().orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      at: r.at,
      actor: r.actor,
      customer: r.customer,
      action: r.action,
      subjects: JSON.parse(r.subjects) as string[],
      detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : undefined,
    }));
  }
}
