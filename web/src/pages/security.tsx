/**
 * The security officer's pages (AUD-1, AUD-4, standard terms §3): the list of
 * authorised users and programs with their dates, log search with export,
 * transaction statistics per user, type and month (table and chart), and the
 * quarterly control. Data: /api/v1/security/authorisations, /audit, /statistics.
 */
import { useMemo, useState } from 'preact/hooks';
import { api, qs, saveBlob, session } from '../api.ts';
import { addMonths, fmtDate, fmtNumber, fmtPnr, fmtTime, today } from '../format.ts';
import { endOfDay, startOfDay } from '../../../src/domain/dates.ts';
import { t } from '../i18n.ts';
import { ErrorNotice, Field, Loading, Notice, Table, useLoad } from '../ui.tsx';
import { BarChart } from '../chart.tsx';
import { TX } from '../../../src/services/registration/audited.ts';

interface Credential {
  id: string;
  kind: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}
interface Authorisation {
  id: string;
  kind: 'user' | 'program';
  name: string;
  roles: string[];
  validFrom: string;
  validTo: string | null;
  credentials: Credential[];
}
interface AuthList {
  customer: { id: string; name: string; kind: string; validFrom: string; validTo: string | null };
  authorisations: Authorisation[];
}
interface AuditRecord {
  id: number;
  at: string;
  actor: string;
  actorKind: string;
  action: string;
  subjects: string[];
  legalBasis: string | null;
  requestId: string | null;
}
interface StatRow {
  month: string;
  actor: string;
  type: string;
  count: number;
  /** Persons disclosed with name-and-address protection (§28) in these transactions. */
  protectedPersons: number;
}

const loadAuthorisations = () => api<AuthList>('GET', '/api/v1/security/authorisations');

/** User and program names by id, for showing log lines with names. */
function useNames(): Map<string, string> {
  const { data } = useLoad(loadAuthorisations, []);
  return useMemo(() => new Map((data?.authorisations ?? []).map((a) => [a.id, a.name])), [data]);
}
const who = (names: Map<string, string>, id: string) => (names.has(id) ? `${names.get(id)} (${id})` : id);

function activeToday(a: { validFrom: string; validTo: string | null }): 'active' | 'ended' | 'future' {
  const d = today();
  if (a.validFrom > d) return 'future';
  if (a.validTo !== null && a.validTo <= d) return 'ended';
  return 'active';
}

export function AuthorisationsPage() {
  const { data, error, loading, reload } = useLoad(loadAuthorisations, []);
  if (loading) return <Loading />;
  if (error) return <ErrorNotice error={error} />;
  const list = data!;
  return (
    <>
      <p>{t('auth.intro', { customer: list.customer.name })}</p>
      <Table
        caption={t('auth.caption', { customer: list.customer.name })}
        rows={list.authorisations}
        rowKey={(a) => a.id}
        columns={[
          { head: t('auth.col.name'), cell: (a) => a.name },
          { head: t('auth.col.kind'), cell: (a) => (a.kind === 'user' ? t('auth.user') : t('auth.program')) },
          { head: t('auth.col.id'), cell: (a) => <code>{a.id}</code> },
          { head: t('auth.col.roles'), cell: (a) => a.roles.join(', ') },
          { head: t('auth.col.from'), cell: (a) => fmtDate(a.validFrom) },
          { head: t('auth.col.to'), cell: (a) => fmtDate(a.validTo) || t('auth.noEnd') },
          { head: t('auth.col.status'), cell: (a) => t(({ active: 'auth.status.active', ended: 'auth.status.ended', future: 'auth.status.future' } as const)[activeToday(a)]) },
          { head: t('auth.col.credentials'), num: true, cell: (a) => a.credentials.filter((c) => c.revokedAt === null).length },
        ]}
      />
      <SetPassword users={list.authorisations.filter((a) => a.kind === 'user')} onDone={reload} />
    </>
  );
}

/** A security officer gives the own customer's users a sign-in (PUT /api/v1/admin/principals/{id}/password). */
function SetPassword({ users, onDone }: { users: Authorisation[]; onDone: () => void }) {
  const [id, setId] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [msg, setMsg] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setMsg(null);
    setError(null);
    try {
      await api('PUT', `/api/v1/admin/principals/${encodeURIComponent(id)}/password`, { username, password });
      setMsg(t('auth.passwordSet', { username }));
      setPassword('');
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={submit} class="panel">
      <h2>{t('auth.setPassword')}</h2>
      <p class="hint">{t('auth.setPasswordIntro')}</p>
      <Field id="pw-user" label={t('auth.col.name')}>
        <select id="pw-user" required value={id} onChange={(e) => setId(e.currentTarget.value)}>
          <option value="">{t('form.choose')}</option>
          {users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name} ({u.id})
            </option>
          ))}
        </select>
      </Field>
      <Field id="pw-username" label={t('signIn.username')}>
        <input id="pw-username" autocomplete="off" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
      </Field>
      <Field id="pw-password" label={t('auth.newPassword')} hint={t('auth.passwordRule')}>
        <input id="pw-password" type="password" autocomplete="new-password" aria-describedby="pw-password-hint" required minLength={12} value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </Field>
      {msg && <Notice kind="success">{msg}</Notice>}
      <ErrorNotice error={error} />
      <button type="submit" disabled={!id || !username || !password}>
        {t('auth.setPassword')}
      </button>
    </form>
  );
}

// Registrations are transactions too (AUD-3): their types come from the one place that records them.
const TYPES = ['person.lookup', 'person.bulk', 'enquiry', 'landlord.search', 'audit.search', 'session.sign_in', 'session.sign_in_failed', 'password.set', ...Object.values(TX)];

export function LogPage() {
  const names = useNames();
  const [f, setF] = useState({ actor: '', pnr: '', type: '', from: '', to: '' });
  const [records, setRecords] = useState<AuditRecord[] | null>(null);
  const [cursor, setCursor] = useState<string | undefined>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const query = (c?: string) => qs({ actor: f.actor, pnr: f.pnr.replace(/\D/g, ''), type: f.type, from: f.from ? startOfDay(f.from) : '', to: f.to ? endOfDay(f.to) : '', limit: 100, cursor: c });

  const search = async (more = false) => {
    setBusy(true);
    setError(null);
    try {
      const page = await api<{ records: AuditRecord[]; nextCursor?: string }>('GET', `/api/v1/security/audit${query(more ? cursor : undefined)}`);
      setRecords(more ? [...(records ?? []), ...page.records] : page.records);
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  /** Export: every page of the same search, as CSV (UTF-8 with BOM for spreadsheet programs). */
  const exportCsv = async () => {
    setBusy(true);
    try {
      const all: AuditRecord[] = [];
      let c: string | undefined;
      do {
        const page = await api<{ records: AuditRecord[]; nextCursor?: string }>('GET', `/api/v1/security/audit${qs({ ...Object.fromEntries(new URLSearchParams(query().slice(1))), limit: 1000, cursor: c })}`);
        all.push(...page.records);
        c = page.nextCursor;
      } while (c && all.length < 100_000);
      const esc = (s: string) => (/[",;\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
      const head = [t('log.col.time'), t('log.col.user'), t('log.col.userId'), t('log.col.type'), t('log.col.persons'), t('log.col.basis'), t('log.col.request')];
      const lines = all.map((r) => [r.at, names.get(r.actor) ?? '', r.actor, r.action, r.subjects.join(' '), r.legalBasis ?? '', r.requestId ?? ''].map(esc).join(';'));
      saveBlob(new Blob(['\ufeff' + [head.map(esc).join(';'), ...lines].join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' }), `log-${session.get()?.customer?.id ?? 'customer'}-${today()}.csv`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  return (
    <>
      <p>{t('log.intro')}</p>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <Field id="log-actor" label={t('log.user')}>
          <select id="log-actor" value={f.actor} onChange={set('actor')}>
            <option value="">{t('log.allUsers')}</option>
            {[...names].map(([id, name]) => (
              <option key={id} value={id}>
                {name} ({id})
              </option>
            ))}
          </select>
        </Field>
        <Field id="log-pnr" label={t('person.pnr')}>
          <input id="log-pnr" inputMode="numeric" autocomplete="off" value={f.pnr} onInput={set('pnr')} />
        </Field>
        <Field id="log-type" label={t('log.type')}>
          <input id="log-type" list="log-types" value={f.type} onInput={set('type')} />
          <datalist id="log-types">
            {TYPES.map((x) => (
              <option key={x} value={x} />
            ))}
          </datalist>
        </Field>
        <Field id="log-from" label={t('log.from')}>
          <input id="log-from" type="date" value={f.from} onInput={set('from')} />
        </Field>
        <Field id="log-to" label={t('log.to')}>
          <input id="log-to" type="date" value={f.to} onInput={set('to')} />
        </Field>
        <button type="submit" disabled={busy}>
          {t('log.search')}
        </button>
      </form>
      <p class="hint">{t('log.logged')}</p>
      <ErrorNotice error={error} />
      {records && (
        <>
          <div class="row">
            <p role="status">{t('log.count', { n: fmtNumber(records.length) })}</p>
            <button type="button" class="secondary" onClick={() => void exportCsv()} disabled={busy || records.length === 0}>
              {t('log.export')}
            </button>
          </div>
          <Table
            caption={t('log.caption')}
            rows={records}
            rowKey={(r) => r.id}
            empty={t('log.none')}
            columns={[
              { head: t('log.col.time'), cell: (r) => fmtTime(r.at) },
              { head: t('log.col.user'), cell: (r) => who(names, r.actor) },
              { head: t('log.col.type'), cell: (r) => <code>{r.action}</code> },
              { head: t('log.col.persons'), cell: (r) => r.subjects.map((s) => (/^\d{10}$/.test(s) ? fmtPnr(s) : s)).join(', ') },
              { head: t('log.col.basis'), cell: (r) => r.legalBasis ?? '' },
            ]}
          />
          {cursor && (
            <button type="button" class="secondary" onClick={() => void search(true)} disabled={busy}>
              {t('log.more')}
            </button>
          )}
        </>
      )}
    </>
  );
}

/** The Danish month `n` months before this one, YYYY-MM. */
const monthsBack = (n: number): string => addMonths(today(), -n).slice(0, 7);

export function StatisticsPage() {
  const names = useNames();
  const [from, setFrom] = useState(monthsBack(11));
  const [to, setTo] = useState(monthsBack(0));
  const [q, setQ] = useState({ from, to });
  const { data, error, loading } = useLoad(() => api<{ rows: StatRow[] }>('GET', `/api/v1/security/statistics${qs({ from: q.from, to: q.to })}`), [q.from, q.to]);
  const rows = data?.rows ?? [];
  const months = [...new Set(rows.map((r) => r.month))].sort();
  const types = [...new Set(rows.map((r) => r.type))].sort();
  return (
    <>
      <p>{t('stats.intro')}</p>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          setQ({ from, to });
        }}
      >
        <Field id="stats-from" label={t('stats.from')}>
          <input id="stats-from" type="month" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </Field>
        <Field id="stats-to" label={t('stats.to')}>
          <input id="stats-to" type="month" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </Field>
        <button type="submit">{t('stats.show')}</button>
      </form>
      {loading && <Loading />}
      <ErrorNotice error={error} />
      {data && (
        <>
          <BarChart
            title={t('stats.chart')}
            categories={months}
            series={types.map((type) => ({ name: type, values: months.map((m) => rows.filter((r) => r.month === m && r.type === type).reduce((s, r) => s + r.count, 0)) }))}
          />
          <Table
            caption={t('stats.caption')}
            rows={rows}
            empty={t('stats.none')}
            columns={[
              { head: t('stats.col.month'), cell: (r) => r.month },
              { head: t('log.col.user'), cell: (r) => who(names, r.actor) },
              { head: t('log.col.type'), cell: (r) => <code>{r.type}</code> },
              { head: t('stats.col.count'), num: true, cell: (r) => fmtNumber(r.count) },
            ]}
          />
        </>
      )}
    </>
  );
}

function quarterOf(date: string): { label: string; from: string; to: string } {
  const y = Number(date.slice(0, 4));
  const q = Math.floor((Number(date.slice(5, 7)) - 1) / 3);
  const m = (k: number) => `${y}-${String(q * 3 + k).padStart(2, '0')}`;
  return { label: `${y} K${q + 1}`, from: m(1), to: m(3) };
}

/**
 * The quarterly control (terms §3, AUD-1): what the security officer must
 * review at least every three months — authorisations without an end date,
 * ended authorisations with live credentials, credentials that never expire,
 * and users whose number of lookups stands out from their colleagues'.
 */
export function ControlPage() {
  const quarter = quarterOf(today());
  const auth = useLoad(loadAuthorisations, []);
  const stats = useLoad(() => api<{ rows: StatRow[] }>('GET', `/api/v1/security/statistics${qs({ from: quarter.from, to: quarter.to })}`), []);
  if (auth.loading || stats.loading) return <Loading />;
  if (auth.error || stats.error) return <ErrorNotice error={auth.error ?? stats.error} />;
  const list = auth.data!.authorisations;
  const noEnd = list.filter((a) => a.validTo === null && activeToday(a) === 'active');
  const endedLive = list.filter((a) => activeToday(a) === 'ended' && a.credentials.some((c) => c.revokedAt === null));
  const neverExpire = list.filter((a) => activeToday(a) === 'active' && a.credentials.some((c) => c.revokedAt === null && c.expiresAt === null));
  // Lookups of persons per user this quarter; "unusual" is more than three times the median of the users who looked anyone up.
  const lookupTypes = (type: string) => !type.startsWith('session.') && type !== 'password.set';
  const perUser = new Map<string, number>();
  for (const r of stats.data!.rows) if (lookupTypes(r.type)) perUser.set(r.actor, (perUser.get(r.actor) ?? 0) + r.count);
  const counts = [...perUser.values()].sort((a, b) => a - b);
  const median = counts.length ? counts[Math.floor((counts.length - 1) / 2)]! : 0;
  const unusual = [...perUser].filter(([, n]) => counts.length > 1 && n > 3 * median).sort((a, b) => b[1] - a[1]);
  // Protected persons (§28) looked up per user: "many" is 5 or more, or a share of protected persons over three times the customer's.
  const protPerUser = new Map<string, number>();
  for (const r of stats.data!.rows) if (lookupTypes(r.type) && r.protectedPersons > 0) protPerUser.set(r.actor, (protPerUser.get(r.actor) ?? 0) + r.protectedPersons);
  const protTotal = [...protPerUser.values()].reduce((a, b) => a + b, 0);
  const share = protTotal / Math.max(1, counts.reduce((a, b) => a + b, 0));
  const protUnusual = [...protPerUser]
    .filter(([id, n]) => n >= 5 || (n >= 2 && n / Math.max(1, perUser.get(id) ?? n) > 3 * share))
    .sort((a, b) => b[1] - a[1]);
  const names = new Map(list.map((a) => [a.id, a.name]));
  const item = (title: string, rows: Authorisation[], why: string) => (
    <section class="check">
      <h2>
        {title} <span class={`badge ${rows.length ? 'warn' : 'ok'}`}>{rows.length ? fmtNumber(rows.length) : t('control.ok')}</span>
      </h2>
      <p class="hint">{why}</p>
      {rows.length > 0 && (
        <ul>
          {rows.map((a) => (
            <li key={a.id}>
              {a.name} (<code>{a.id}</code>), {fmtDate(a.validFrom)} – {fmtDate(a.validTo) || t('auth.noEnd')}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
  return (
    <>
      <p>{t('control.intro', { quarter: quarter.label })}</p>
      <div class="row no-print">
        <button type="button" class="secondary" onClick={() => print()}>
          {t('app.print')}
        </button>
      </div>
      {item(t('control.noEnd'), noEnd, t('control.noEndWhy'))}
      {item(t('control.endedLive'), endedLive, t('control.endedLiveWhy'))}
      {item(t('control.neverExpire'), neverExpire, t('control.neverExpireWhy'))}
      <section class="check">
        <h2>
          {t('control.unusual')} <span class={`badge ${unusual.length ? 'warn' : 'ok'}`}>{unusual.length ? fmtNumber(unusual.length) : t('control.ok')}</span>
        </h2>
        <p class="hint">{t('control.unusualWhy', { median: fmtNumber(median) })}</p>
        {unusual.length > 0 && (
          <ul>
            {unusual.map(([id, n]) => (
              <li key={id}>
                {names.get(id) ?? id}: {t('control.lookups', { n: fmtNumber(n) })} — <a href={`#/security/log`}>{t('control.seeLog')}</a>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="check" data-testid="control-protected">
        <h2>
          {t('control.protected')} <span class={`badge ${protUnusual.length ? 'warn' : 'ok'}`}>{protUnusual.length ? fmtNumber(protUnusual.length) : t('control.ok')}</span>
        </h2>
        <p class="hint">{t('control.protectedWhy')}</p>
        {protUnusual.length > 0 && (
          <ul>
            {protUnusual.map(([id, n]) => (
              <li key={id}>
                {names.get(id) ?? id}: {t('control.protectedLookups', { n: fmtNumber(n), of: fmtNumber(perUser.get(id) ?? n) })} — <a href={`#/security/log`}>{t('control.seeLog')}</a>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="check">
        <h2>{t('control.confirm')}</h2>
        <p>{t('control.confirmText', { n: fmtNumber(list.filter((a) => activeToday(a) === 'active').length) })}</p>
      </section>
    </>
  );
}
