/**
 * The municipality's case lists (issue 6): held move reports (doubt §6(3),
 * child hearings §13(2)), investigations (§10-11) with their deadlines, no
 * fixed abode and disappeared (§6(4)-(5)), complaints (§56); each case with
 * its history and letters, printable. Data: GET /api/v1/cases,
 * /api/v1/cases/{id}, /api/v1/cases/{id}/letters, /api/v1/letters/{id}; the
 * Nordic waiting register: GET /api/v1/registration/waiting-register.
 */
import { useState } from 'preact/hooks';
import { api, qs } from '../api.ts';
import { countryText } from '../describe.ts';
import { fmtDate, fmtPnr, fmtTime, today } from '../format.ts';
import { t, type Key } from '../i18n.ts';
import { ErrorNotice, Field, Loading, Table, useLoad } from '../ui.tsx';
import { ProtectionDecision } from './protection-decision.tsx';

interface Case {
  id: number;
  kind: string;
  status: string;
  municipalityCode: string;
  pnr: string;
  deadline: string | null;
  payload: Record<string, unknown>;
  history: Array<{ at: string; by: string; action: string; note?: string }>;
  createdAt: string;
}
interface LetterRef {
  id: number;
  subject: string;
  kind: string;
  createdAt: string;
}

const KINDS: Array<[string, Key]> = [
  ['', 'cases.kind.all'],
  ['move', 'cases.kind.move'],
  ['investigation', 'cases.kind.investigation'],
  ['no_fixed_abode', 'cases.kind.no_fixed_abode'],
  ['disappeared', 'cases.kind.disappeared'],
  ['complaint', 'cases.kind.complaint'],
  ['protection_request', 'cases.kind.protection_request'],
];
const kindName = (k: string) => {
  const e = KINDS.find(([x]) => x === k);
  return e ? t(e[1]) : k;
};

export function CasesPage() {
  const [kind, setKind] = useState('');
  const [status, setStatus] = useState('');
  const [open, setOpen] = useState<number | null>(null);
  const list = useLoad(() => api<{ cases: Case[] }>('GET', `/api/v1/cases${qs({ kind, status })}`), [kind, status]);
  const overdue = (c: Case) => c.deadline !== null && c.deadline < today() && !['closed', 'registered', 'rejected', 'withdrawn', 'decided'].includes(c.status);
  return (
    <>
      <p>{t('cases.intro')}</p>
      <form class="inline" onSubmit={(e) => e.preventDefault()}>
        <Field id="cases-kind" label={t('cases.kind')}>
          <select id="cases-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            {KINDS.map(([k, label]) => (
              <option key={k} value={k}>
                {t(label)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="cases-status" label={t('cases.status')}>
          <input id="cases-status" list="cases-statuses" value={status} onChange={(e) => setStatus(e.currentTarget.value)} />
          <datalist id="cases-statuses">
            {['open', 'received', 'awaiting_hearing', 'awaiting_reply', 'registered', 'decided', 'rejected', 'withdrawn', 'closed'].map((x) => (
              <option key={x} value={x} />
            ))}
          </datalist>
        </Field>
      </form>
      {list.loading && <Loading />}
      <ErrorNotice error={list.error} />
      {list.data && (
        <Table
          caption={t('cases.caption')}
          rows={list.data.cases}
          rowKey={(c) => c.id}
          empty={t('cases.none')}
          columns={[
            { head: t('cases.col.id'), cell: (c) => <button type="button" class="link" onClick={() => setOpen(c.id)} aria-label={t('cases.open', { id: c.id })}>{c.id}</button> },
            { head: t('cases.kind'), cell: (c) => kindName(c.kind) },
            { head: t('cases.status'), cell: (c) => <code>{c.status}</code> },
            { head: t('person.pnr'), cell: (c) => <a href={`#/person?pnr=${c.pnr}`}>{fmtPnr(c.pnr)}</a> },
            { head: t('cases.deadline'), cell: (c) => (c.deadline ? <span class={overdue(c) ? 'overdue' : undefined}>{fmtDate(c.deadline)}{overdue(c) && ` (${t('cases.overdue')})`}</span> : '—') },
            { head: t('cases.col.created'), cell: (c) => fmtTime(c.createdAt) },
          ]}
        />
      )}
      {open !== null && <CaseView id={open} />}
      <WaitingRegister />
    </>
  );
}

interface WaitingItem {
  id: string;
  kind: string;
  direction: string;
  pnr: string | null;
  countryCode: string;
  receivedAt: string;
  deletesOn: string | null;
  resolution: string | null;
}

/** Nordic moves waiting for the municipality (§25, §26(2), seed 004), with the date each is deleted. */
function WaitingRegister() {
  const w = useLoad(() => api<{ items: WaitingItem[] }>('GET', '/api/v1/registration/waiting-register'), []);
  return (
    <>
      <h2>{t('cases.waiting')}</h2>
      {w.loading && <Loading />}
      <ErrorNotice error={w.error} />
      {w.data && (
        <Table
          caption={t('cases.waiting')}
          rows={w.data.items}
          rowKey={(i) => i.id}
          empty={t('cases.noWaiting')}
          columns={[
            { head: t('cases.col.direction'), cell: (i) => <code>{i.direction}</code> },
            { head: t('cases.kind'), cell: (i) => <code>{i.kind}</code> },
            { head: t('person.pnr'), cell: (i) => (i.pnr ? <a href={`#/person?pnr=${i.pnr}`}>{fmtPnr(i.pnr)}</a> : '—') },
            { head: t('reg.country'), cell: (i) => countryText(i.countryCode) },
            { head: t('cases.col.received'), cell: (i) => fmtTime(i.receivedAt) },
            { head: t('cases.col.deletes'), cell: (i) => fmtDate(i.deletesOn) || '—' },
          ]}
        />
      )}
    </>
  );
}

function CaseView({ id }: { id: number }) {
  const c = useLoad(() => api<Case>('GET', `/api/v1/cases/${id}`), [id]);
  const letters = useLoad(() => api<{ letters: LetterRef[] }>('GET', `/api/v1/cases/${id}/letters`), [id]);
  const [letter, setLetter] = useState<{ id: number; subject: string; text: string } | null>(null);
  if (c.loading) return <Loading />;
  if (c.error) return <ErrorNotice error={c.error} />;
  const x = c.data!;
  return (
    <section class="panel wide" aria-labelledby="case-title">
      <h2 id="case-title">{t('cases.title', { id: x.id, kind: kindName(x.kind) })}</h2>
      <p>
        {t('cases.status')}: <code>{x.status}</code> · {t('person.pnr')}: {fmtPnr(x.pnr)}
        {x.deadline && <> · {t('cases.deadline')}: {fmtDate(x.deadline)}</>}
      </p>
      <Table
        caption={t('cases.history')}
        rows={x.history}
        columns={[
          { head: t('log.col.time'), cell: (h) => fmtTime(h.at) },
          { head: t('cases.col.by'), cell: (h) => h.by },
          { head: t('cases.col.action'), cell: (h) => <code>{h.action}</code> },
          { head: t('cases.col.note'), cell: (h) => h.note ?? '' },
        ]}
      />
      {x.kind === 'protection_request' && <ProtectionDecision id={x.id} status={x.status} reason={x.payload.reason as string | undefined} onDone={c.reload} />}
      <h3>{t('reg.letters')}</h3>
      <ErrorNotice error={letters.error} />
      {letters.data && (
        <Table
          caption={t('reg.letters')}
          rows={letters.data.letters}
          empty={t('cases.noLetters')}
          columns={[
            { head: t('cases.col.subject'), cell: (l) => l.subject },
            { head: t('cases.col.created'), cell: (l) => fmtTime(l.createdAt) },
            {
              head: t('cases.col.show'),
              cell: (l) => (
                <span class="row">
                  <button type="button" class="secondary" onClick={() => void api<{ id: number; subject: string; text: string }>('GET', `/api/v1/letters/${l.id}`).then(setLetter)}>
                    {t('cases.showLetter')}
                  </button>
                  <a href={`/api/v1/letters/${l.id}/document`} target="_blank" rel="noopener">
                    {t('cases.printLetter')}
                  </a>
                </span>
              ),
            },
          ]}
        />
      )}
      {letter && (
        <article aria-label={letter.subject}>
          <div class="row no-print">
            <button type="button" onClick={() => print()}>
              {t('app.print')}
            </button>
          </div>
          <div class="letter">{letter.text}</div>
        </article>
      )}
    </section>
  );
}
