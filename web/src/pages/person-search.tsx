/**
 * Person search by name for clerks and public authorities (issue 7): words of
 * the name and an optional birth date give at most 50 candidates (number,
 * name, birth date, current address — withheld where the customer's scope has
 * no address), each opening the person page. The server logs every search.
 * Data: GET /api/v1/persons?name=…&birthDate=….
 */
import { useState } from 'preact/hooks';
import { api, qs } from '../api.ts';
import { statusText } from '../describe.ts';
import { fmtDate, fmtPnr } from '../format.ts';
import { t } from '../i18n.ts';
import { ErrorNotice, Field, Loading, Notice, Table } from '../ui.tsx';

interface Candidate {
  /** Null when the customer's scope does not hold the number (DIS-1): the row cannot be opened. */
  pnr: string | null;
  name: string | null;
  birthDate: string | null;
  status: string | null;
  address: string | null;
  addressWithheld?: string;
  protected: boolean;
}

export function PersonSearch({ onPick }: { onPick: (pnr: string) => void }) {
  const [name, setName] = useState('');
  const [birthDate, setBirthDate] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<{ candidates: Candidate[]; truncated: boolean; limit: number } | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await api('GET', `/api/v1/persons${qs({ name: name.trim(), birthDate })}`));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="candidates" aria-labelledby="search-title">
      <h2 id="search-title">{t('search.title')}</h2>
      <form class="inline" onSubmit={submit}>
        <Field id="search-name" label={t('search.name')} hint={t('search.nameHint')}>
          <input id="search-name" autocomplete="off" aria-describedby="search-name-hint" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field id="search-birth" label={t('search.birthDate')}>
          <input id="search-birth" type="date" value={birthDate} onInput={(e) => setBirthDate(e.currentTarget.value)} />
        </Field>
        <button type="submit" disabled={busy || !name.trim()}>
          {t('search.submit')}
        </button>
      </form>
      {busy && <Loading />}
      <ErrorNotice error={error} />
      {result?.truncated && <Notice kind="warning">{t('search.truncated', { n: result.limit })}</Notice>}
      {result && (
        <Table
          caption={t('search.caption')}
          rows={result.candidates}
          rowKey={(c) => c.pnr ?? `${c.name}|${c.address}|${c.birthDate}`}
          empty={t('search.none')}
          columns={[
            {
              head: t('group.name'),
              cell: (c) => {
                const pnr = c.pnr;
                return pnr === null ? (
                  <>{c.name ?? '—'}</>
                ) : (
                  <button type="button" class="link" aria-label={t('search.open', { name: c.name ?? fmtPnr(pnr) })} onClick={() => onPick(pnr)}>
                    {c.name ?? '—'}
                  </button>
                );
              },
            },
            { head: t('person.pnr'), cell: (c) => (c.pnr === null ? '' : fmtPnr(c.pnr)) },
            { head: t('person.birthDate'), cell: (c) => fmtDate(c.birthDate) },
            { head: t('group.status'), cell: (c) => (c.status ? statusText(c.status) : '') },
            {
              head: t('group.address'),
              cell: (c) => (
                <>
                  {c.address ?? <span class="hint">{t('search.withheld')}</span>}
                  {c.protected && <> · <strong>{t('search.protected')}</strong></>}
                </>
              ),
            },
          ]}
        />
      )}
    </section>
  );
}
