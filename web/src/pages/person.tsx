/**
 * Person page for public authorities and clerks (DIS-2): current data cut to
 * the customer's scope, and the bitemporal history — each version with its
 * validity period and its registration period; versions replaced or annulled
 * by a later registration stay visible, marked. Data: GET /api/v1/persons/{pnr}.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, qs, session } from '../api.ts';
import { addressOf, civilText, countryText, describeValue, groupName, municipalityText, nameOf, protectionText, statusText } from '../describe.ts';
import { fmtDate, fmtPnr, fmtTime, today } from '../format.ts';
import { Timeline } from '../timeline.tsx';
import { t } from '../i18n.ts';
import { currentRoute, go } from '../router.ts';
import { ErrorNotice, Facts, Field, Loading, Notice, Table } from '../ui.tsx';
import { PersonSearch } from './person-search.tsx';

export interface Disclosure {
  pnr?: string;
  validAt: string;
  knownAt: string;
  data: Record<string, unknown> & { history?: HistoryRow[] };
  protectionMark?: { type: string; validFrom: string; validTo: string | null; rules: string[]; doNotPassOn: boolean };
  withheld: Array<{ field: string; reason: string; rule: string }>;
  basis: string[];
  fields: string[];
}
export interface HistoryRow {
  group: string;
  value: unknown;
  validFrom: string;
  validTo: string | null;
  registeredFrom: string;
  registeredTo: string | null;
}

function routeParams(): URLSearchParams {
  const r = currentRoute();
  const i = r.indexOf('?');
  return new URLSearchParams(i >= 0 ? r.slice(i + 1) : '');
}

export function PersonPage() {
  const initial = routeParams();
  const [pnr, setPnr] = useState(initial.get('pnr') ?? '');
  const [validAt, setValidAt] = useState(initial.get('validAt') ?? '');
  const [knownAt, setKnownAt] = useState(initial.get('knownAt') ?? '');
  const [result, setResult] = useState<Disclosure | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const lookUp = async (p = pnr) => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const clean = p.replace(/\D/g, '');
      setResult(await api<Disclosure>('GET', `/api/v1/persons/${encodeURIComponent(clean || p)}${qs({ history: 'true', validAt, knownAt })}`));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    if (initial.get('pnr')) void lookUp(initial.get('pnr')!);
  }, []);

  return (
    <>
      <p>{t('person.intro')}</p>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          go(`/person${qs({ pnr, validAt, knownAt })}`);
          void lookUp();
        }}
      >
        <Field id="pnr" label={t('person.pnr')} hint={t('person.pnrHint')}>
          <input id="pnr" name="pnr" inputMode="numeric" autocomplete="off" aria-describedby="pnr-hint" required value={pnr} onInput={(e) => setPnr(e.currentTarget.value)} />
        </Field>
        <Field id="validAt" label={t('person.validAt')}>
          <input id="validAt" type="date" value={validAt} onInput={(e) => setValidAt(e.currentTarget.value)} />
        </Field>
        <Field id="knownAt" label={t('person.knownAt')}>
          <input id="knownAt" type="date" value={knownAt} onInput={(e) => setKnownAt(e.currentTarget.value)} />
        </Field>
        <button type="submit" disabled={busy || !pnr}>
          {t('person.lookUp')}
        </button>
      </form>
      <p class="hint">{t('person.logged')}</p>
      <PersonSearch
        onPick={(p) => {
          setPnr(p);
          go(`/person${qs({ pnr: p, validAt, knownAt })}`);
          void lookUp(p);
        }}
      />
      {busy && <Loading />}
      <ErrorNotice error={error} />
      {result && <PersonView d={result} />}
    </>
  );
}

export function PersonView({ d }: { d: Disclosure }) {
  const data = d.data;
  const status = data.status as { code?: string; date?: string } | undefined;
  const [group, setGroup] = useState('');
  const history = (data.history ?? []).slice().sort((a, b) => a.group.localeCompare(b.group) || a.validFrom.localeCompare(b.validFrom) || a.registeredFrom.localeCompare(b.registeredFrom));
  const groups = [...new Set(history.map((h) => h.group))];
  const shown = group ? history.filter((h) => h.group === group) : history;
  return (
    <article class="person" aria-labelledby="person-name">
      <h2 id="person-name">
        {nameOf(data.name) || t('person.noName')} {data.pnr ? <span class="pnr">{fmtPnr(String(data.pnr))}</span> : null}
      </h2>
      {d.protectionMark && (
        <Notice kind="warning">
          <strong>{protectionText(d.protectionMark.type)}</strong>{' '}
          {t('person.protected', { from: fmtDate(d.protectionMark.validFrom), to: fmtDate(d.protectionMark.validTo) || '—' })}
        </Notice>
      )}
      <p class="hint">{t('person.asOf', { validAt: fmtDate(d.validAt), knownAt: fmtTime(d.knownAt) })}</p>
      {data.pnr && session.get()?.user?.roles.includes('register') ? (
        <p class="row no-print">
          {t('person.register')}: <a href={`#/registration/move?pnr=${String(data.pnr)}`}>{t('reg.tab.move')}</a>
          <a href={`#/registration/emigration?pnr=${String(data.pnr)}`}>{t('reg.tab.emigration')}</a>
          <a href={`#/registration/protection?pnr=${String(data.pnr)}`}>{t('reg.tab.protection')}</a>
        </p>
      ) : null}
      <Facts
        items={[
          [t('group.name'), nameOf(data.name)],
          [t('person.addressingName'), data.addressingName as string],
          [t('group.address'), addressOf(data.address)],
          [t('person.municipality'), (data.address as { municipalityCode?: string } | undefined)?.municipalityCode ? municipalityText((data.address as { municipalityCode: string }).municipalityCode) : ''],
          [t('person.moveDate'), fmtDate(data.moveDate as string)],
          [t('person.birthDate'), fmtDate(data.birthDate as string)],
          [t('group.status'), status?.code ? `${statusText(status.code)}, ${fmtDate(status.date)}` : ''],
          [t('group.civilStatus'), data.civilStatus ? `${civilText(data.civilStatus)}, ${fmtDate(data.civilStatusDate as string)}` : ''],
          [t('group.citizenship'), ((data.citizenship as Array<{ countryCode: string }>) ?? []).map((c) => countryText(c.countryCode)).join(', ')],
          [t('group.church'), data.church ? describeValue('church', data.church) : ''],
          [t('group.occupation'), data.occupation as string],
          [t('person.protections'), ((data.protections as Array<{ type: string; validTo: string | null }>) ?? []).map((p) => `${protectionText(p.type)}${p.validTo ? ` (${t('person.until')} ${fmtDate(p.validTo)})` : ''}`).join('; ')],
        ]}
      />
      {d.withheld.length > 0 && (
        <details>
          <summary>{t('person.withheld', { n: d.withheld.length })}</summary>
          <ul>
            {d.withheld.map((w) => (
              <li key={w.field}>
                {groupName(w.field)}: {w.reason} ({w.rule})
              </li>
            ))}
          </ul>
        </details>
      )}
      <h3>{t('person.history')}</h3>
      <p class="hint">{t('person.historyIntro')}</p>
      <Timeline versions={history} today={today()} />
      <Field id="history-group" label={t('person.historyGroup')}>
        <select id="history-group" value={group} onChange={(e) => setGroup(e.currentTarget.value)}>
          <option value="">{t('person.allGroups')}</option>
          {groups.map((g) => (
            <option key={g} value={g}>
              {groupName(g)}
            </option>
          ))}
        </select>
      </Field>
      <Table
        caption={t('person.history')}
        rows={shown}
        empty={t('person.noHistory')}
        columns={[
          { head: t('person.col.group'), cell: (h) => groupName(h.group) },
          { head: t('person.col.value'), cell: (h) => describeValue(h.group, h.value) },
          { head: t('person.col.validFrom'), cell: (h) => fmtDate(h.validFrom) },
          { head: t('person.col.validTo'), cell: (h) => fmtDate(h.validTo) || '—' },
          { head: t('person.col.registeredFrom'), cell: (h) => fmtTime(h.registeredFrom) },
          {
            head: t('person.col.registeredTo'),
            cell: (h) => (h.registeredTo ? <span class="superseded">{t('person.superseded', { at: fmtTime(h.registeredTo) })}</span> : t('person.current')),
          },
        ]}
      />
    </article>
  );
}
