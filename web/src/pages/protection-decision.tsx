/**
 * The clerk's decision on a citizen's request for name-and-address
 * protection (§28), shown with a `protection_request` case in the case list:
 * grant (registered for one year through the protection service) or refuse
 * with grounds. Data: POST /api/v1/cases/{id}/protection-decision.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { fmtDate } from '../format.ts';
import { t } from '../i18n.ts';
import { ErrorNotice, Field, Notice } from '../ui.tsx';

export function ProtectionDecision({ id, status, reason, onDone }: { id: number; status: string; reason?: string; onDone: () => void }) {
  const [grounds, setGrounds] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  if (status !== 'received') return done ? <Notice kind="success">{done}</Notice> : null;
  const decide = async (outcome: 'grant' | 'refuse') => {
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ case: { status: string }; validTo?: string | null }>('POST', `/api/v1/cases/${id}/protection-decision`, {
        outcome,
        ...(grounds.trim() && { grounds: grounds.trim() }),
      });
      setDone(outcome === 'grant' ? t('cases.decide.granted', { to: fmtDate(r.validTo ?? null) || '—' }) : t('cases.decide.refused'));
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="no-print" aria-labelledby={`decide-${id}`}>
      <h3 id={`decide-${id}`}>{t('cases.decide.title')}</h3>
      {reason && <p class="hint">“{reason}”</p>}
      <Field id={`decide-${id}-grounds`} label={t('cases.decide.grounds')}>
        <textarea id={`decide-${id}-grounds`} rows={2} maxLength={500} value={grounds} onInput={(e) => setGrounds(e.currentTarget.value)} />
      </Field>
      <div class="row">
        <button type="button" disabled={busy} onClick={() => void decide('grant')}>
          {t('cases.decide.grant')}
        </button>
        <button type="button" class="secondary" disabled={busy} onClick={() => void decide('refuse')}>
          {t('cases.decide.refuse')}
        </button>
      </div>
      <ErrorNotice error={error} />
    </section>
  );
}
