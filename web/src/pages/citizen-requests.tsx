/**
 * Citizen self-service (DIS-6, issue 7 item 6): report your own move (§12)
 * with the receipt shown and printable (§12(5)), and ask your municipality
 * for name-and-address protection (§28); your reports and requests with their
 * status. Data: POST /api/v1/me/moves, POST /api/v1/me/protection-requests,
 * GET /api/v1/me/requests, GET /api/v1/me/letters/{id}; the new address is
 * found with GET /api/v1/addresses.
 */
import { useState } from 'preact/hooks';
import { AddressPicker, type PickedAddress } from '../address-picker.tsx';
import { api } from '../api.ts';
import { municipalityText } from '../describe.ts';
import { fmtTime, today } from '../format.ts';
import { t, type Key } from '../i18n.ts';
import { ErrorNotice, Field, Loading, Notice, Table, useLoad } from '../ui.tsx';

interface OwnCase {
  id: number;
  kind: string;
  status: string;
  municipalityCode: string;
  payload: Record<string, unknown>;
  createdAt: string;
}
interface Letter {
  id: number;
  kind: string;
  subject: string;
  text: string;
}

function OwnRequests({ reload }: { reload: number }) {
  const r = useLoad(() => api<{ cases: OwnCase[] }>('GET', '/api/v1/me/requests'), [reload]);
  return (
    <>
      <h2>{t('citizen.requests')}</h2>
      {r.loading && <Loading />}
      <ErrorNotice error={r.error} />
      {r.data && (
        <Table
          caption={t('citizen.requests')}
          rows={r.data.cases}
          rowKey={(c) => c.id}
          empty={t('citizen.noRequests')}
          columns={[
            { head: t('cases.col.id'), cell: (c) => c.id },
            { head: t('citizen.col.what'), cell: (c) => t(`citizen.kind.${c.kind}` as Key) },
            { head: t('cases.status'), cell: (c) => <code>{c.status}</code> },
            { head: t('reg.municipalityCode'), cell: (c) => municipalityText(c.municipalityCode) },
            { head: t('citizen.col.when'), cell: (c) => fmtTime(c.createdAt) },
          ]}
        />
      )}
    </>
  );
}

/** §12: the citizen's own move; §12(5): the receipt shown at once and printable. */
export function MoveReportPage() {
  const [to, setTo] = useState<PickedAddress | null>(null);
  const [moveDate, setMoveDate] = useState(today());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<{ caseId: number; status: string; registered: boolean; receipt?: Letter } | null>(null);
  const [n, setN] = useState(0);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!to) {
      setError(new Error(t('citizen.move.pick')));
      return;
    }
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const r = await api<{ case: { id: number; status: string }; letters: Letter[]; registered: boolean }>('POST', '/api/v1/me/moves', { addressId: to.addressId, moveDate });
      setDone({ caseId: r.case.id, status: r.case.status, registered: r.registered, receipt: r.letters.find((l) => l.kind === 'receipt') });
      setN((x) => x + 1);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <p class="no-print">{t('citizen.move.intro')}</p>
      <form onSubmit={submit} class="no-print" novalidate>
        <AddressPicker id="cm-to" label={t('reg.to')} onPick={setTo} />
        {to && <p data-testid="cm-chosen">{t('citizen.move.chosen')}: <strong>{to.label}</strong> ({municipalityText(to.municipalityCode)})</p>}
        <Field id="cm-date" label={t('citizen.move.date')} hint={t('citizen.move.dateHint')}>
          <input id="cm-date" type="date" required aria-describedby="cm-date-hint" value={moveDate} onInput={(e) => setMoveDate(e.currentTarget.value)} />
        </Field>
        <button type="submit" disabled={busy}>
          {t('citizen.move.submit')}
        </button>
        <ErrorNotice error={error} />
      </form>
      {done && (
        <>
          <Notice kind={done.registered ? 'success' : 'info'}>
            <strong>{done.registered ? t('citizen.move.registered') : t('citizen.move.held', { status: done.status })}</strong> {t('reg.caseRef', { id: done.caseId })}
          </Notice>
          {done.receipt && (
            <section class="panel letter" aria-labelledby="cm-receipt">
              <h2 id="cm-receipt">{t('citizen.receipt')}</h2>
              <div class="letter" data-testid="receipt">{done.receipt.text}</div>
              <button type="button" class="no-print" onClick={() => print()}>
                {t('citizen.printReceipt')}
              </button>
            </section>
          )}
        </>
      )}
      <div class="no-print">
        <OwnRequests reload={n} />
      </div>
    </>
  );
}

/** §28: the request goes to the municipality of residence, which decides it. */
export function ProtectionRequestPage() {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState<{ id: number; municipalityCode: string } | null>(null);
  const [n, setN] = useState(0);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ case: { id: number; municipalityCode: string } }>('POST', '/api/v1/me/protection-requests', reason.trim() ? { reason: reason.trim() } : {});
      setSent(r.case);
      setReason('');
      setN((x) => x + 1);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <p>{t('citizen.protection.intro')}</p>
      <form onSubmit={submit}>
        <Field id="cp-reason" label={t('citizen.protection.reason')}>
          <textarea id="cp-reason" rows={3} maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </Field>
        <button type="submit" disabled={busy}>
          {t('citizen.protection.submit')}
        </button>
        <ErrorNotice error={error} />
      </form>
      {sent && <Notice kind="success">{t('citizen.protection.sent', { id: sent.id, municipality: municipalityText(sent.municipalityCode) })}</Notice>}
      <OwnRequests reload={n} />
    </>
  );
}
