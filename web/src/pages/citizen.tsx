/**
 * The citizen's own data (DIS-6, §46): current and former data, the family's
 * numbers, and who looked them up — printable. Data: GET /api/v1/me (the
 * server logs the reading); the text attestation: GET /api/v1/me/attestation.txt.
 */
import { api, download, saveBlob } from '../api.ts';
import { addressOf, civilText, describeValue, groupName, nameOf, protectionText, statusText } from '../describe.ts';
import { fmtDate, fmtPnr, fmtTime } from '../format.ts';
import { t } from '../i18n.ts';
import { ErrorNotice, Facts, Loading, Notice, Table, useLoad } from '../ui.tsx';
import type { HistoryRow } from './person.tsx';

interface Member {
  role: 'mother' | 'father' | 'child';
  pnr?: string;
  name?: string;
  birthDate?: string;
  since: string;
}
interface Spouse {
  pnr?: string;
  name?: string;
  civilStatus: string;
  from: string;
  to: string | null;
}
interface Attestation {
  pnr: string;
  issuedAt: string;
  validAt: string;
  knownAt: string;
  data: Record<string, unknown>;
  family: { parents: Member[]; spouse: Spouse | null; formerSpouses: Spouse[]; children: Member[] };
  history: HistoryRow[];
  protectionMark?: { type: string; validFrom: string; validTo: string | null };
  lookups: Array<{ date: string; at: string; customer: string; customerKind: string | null; type: string; legalBasis: string | null; list?: { kind: string; period?: string } }>;
  note: string;
}

export function OwnDataPage() {
  const { data, error, loading } = useLoad(() => api<Attestation>('GET', '/api/v1/me'), []);
  if (loading) return <Loading />;
  if (error) return <ErrorNotice error={error} />;
  const a = data!;
  const d = a.data;
  const status = d.status as { code?: string; date?: string } | undefined;
  const family: Array<Member | (Spouse & { role: 'spouse' | 'formerSpouse' })> = [
    ...a.family.parents,
    ...(a.family.spouse ? [{ ...a.family.spouse, role: 'spouse' as const }] : []),
    ...a.family.formerSpouses.map((s) => ({ ...s, role: 'formerSpouse' as const })),
    ...a.family.children,
  ];
  const roleName = { mother: t('me.mother'), father: t('me.father'), child: t('me.child'), spouse: t('me.spouse'), formerSpouse: t('me.formerSpouse') };
  const textVersion = async () => {
    const { blob, fileName } = await download('/api/v1/me/attestation.txt', 'text/plain');
    saveBlob(blob, fileName ?? 'cpr-attestation.txt');
  };
  return (
    <article class="attestation">
      <p>{t('me.intro')}</p>
      <div class="row no-print">
        <button type="button" onClick={() => print()}>
          {t('app.print')}
        </button>
        <button type="button" class="secondary" onClick={() => void textVersion()}>
          {t('me.text')}
        </button>
      </div>
      <p class="hint">{t('me.issued', { at: fmtTime(a.issuedAt), validAt: fmtDate(a.validAt) })}</p>
      {a.protectionMark && <Notice kind="info">{t('me.protected', { type: protectionText(a.protectionMark.type), to: fmtDate(a.protectionMark.validTo) || '—' })}</Notice>}
      <h2>{t('me.current')}</h2>
      <Facts
        items={[
          [t('person.pnr'), fmtPnr(a.pnr)],
          [t('group.name'), nameOf(d.name)],
          [t('group.address'), addressOf(d.address)],
          [t('person.moveDate'), fmtDate(d.moveDate as string)],
          [t('group.status'), status?.code ? statusText(status.code) : ''],
          [t('group.civilStatus'), d.civilStatus ? civilText(d.civilStatus) : ''],
          [t('group.church'), d.church ? describeValue('church', d.church) : ''],
        ]}
      />
      <h2>{t('me.family')}</h2>
      <Table
        caption={t('me.family')}
        rows={family}
        empty={t('me.noFamily')}
        columns={[
          { head: t('me.col.relation'), cell: (m) => roleName[m.role] },
          { head: t('group.name'), cell: (m) => m.name ?? '' },
          { head: t('person.pnr'), cell: (m) => fmtPnr(m.pnr) },
          { head: t('me.col.since'), cell: (m) => fmtDate('since' in m ? m.since : m.from) },
        ]}
      />
      <h2>{t('me.lookups')}</h2>
      <p class="hint">{t('me.lookupsIntro')}</p>
      <Table
        caption={t('me.lookups')}
        rows={a.lookups}
        empty={t('me.noLookups')}
        columns={[
          { head: t('log.col.time'), cell: (l) => fmtTime(l.at) },
          { head: t('me.col.who'), cell: (l) => l.customer },
          { head: t('log.col.type'), cell: (l) => (l.list ? `${l.type} (${l.list.kind}${l.list.period ? `, ${l.list.period}` : ''})` : l.type) },
          { head: t('log.col.basis'), cell: (l) => l.legalBasis ?? '' },
        ]}
      />
      <h2>{t('me.history')}</h2>
      <Table
        caption={t('me.history')}
        rows={a.history}
        columns={[
          { head: t('person.col.group'), cell: (h) => groupName(h.group) },
          { head: t('person.col.value'), cell: (h) => describeValue(h.group, h.value) },
          { head: t('person.col.validFrom'), cell: (h) => fmtDate(h.validFrom) },
          { head: t('person.col.validTo'), cell: (h) => fmtDate(h.validTo) || '—' },
        ]}
      />
      <p class="hint">{a.note}</p>
    </article>
  );
}
