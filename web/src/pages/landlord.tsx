/**
 * The landlord search (seed 000, LAN-2..LAN-5): by postal address (one
 * dwelling), by house number (the whole stairwell) or by DAR id; the owner's
 * CVR/CPR number chosen from the customer's own; moved out since a from-date
 * at most 12 months back. The result table shows addressing name, move-in,
 * move-out and the protection mark with its notice; the Excel download holds
 * more. Each refusal of the controls (LAN-3) is shown as the server's sentence.
 * Data: GET /api/v1/landlord/me, POST /api/v1/landlord/search and /search/xlsx.
 */
import { useState } from 'preact/hooks';
import { AddressPicker } from '../address-picker.tsx';
import { POSTAL_CODES } from '../../../src/domain/codes/index.ts';
import { api, ApiError, download, saveBlob } from '../api.ts';
import { addMonths, fmtDate, fmtPnr, fmtTime, today } from '../format.ts';
import { lang, t } from '../i18n.ts';
import { ErrorNotice, Field, Loading, Notice, Table, useLoad } from '../ui.tsx';

interface LandlordMe {
  customer: { id: string; name: string };
  landlordKind: string;
  enabled: boolean;
  reason: string | null;
  ownerNumbers: Array<{ number: string; kind: 'cvr' | 'cpr'; dwellingsInRegister: number }>;
}
interface Bilingual {
  da: string;
  en: string;
}
interface Resident {
  addressingName: string;
  moveInDate: string;
  moveInIsAcquisitionDate: boolean;
  moveOutDate: string | null;
  status: 'current' | 'moved_out';
  protection: { type: string; validFrom: string; validTo: string | null; notice: Bilingual } | null;
  unit: { addressId: string; label: string };
}
interface SearchResult {
  queriedAt: string;
  query: { fromDate: string; fromDateDefaulted: boolean };
  address: { scope: 'unit' | 'units' | 'stairwell'; label: string };
  units: Array<{ addressId: string; label: string }>;
  unitsOfOtherOwners: Array<{ addressId: string; label: string }>;
  residents: Resident[];
  notice: Bilingual;
}

type Mode = 'address' | 'stairwell' | 'dar';
const POSTAL = [...POSTAL_CODES.values()];
const pick = (b: Bilingual) => (lang.get() === 'da' ? b.da : b.en);

export function LandlordPage() {
  const me = useLoad(() => api<LandlordMe>('GET', '/api/v1/landlord/me'), []);
  const earliest = addMonths(today(), -12);
  const [mode, setMode] = useState<Mode>('address');
  const [f, setF] = useState({ ownerNumber: '', roadName: '', houseNumber: '', floor: '', door: '', postalCode: '', darId: '', darKind: 'addressId', fromDate: '' });
  const [result, setResult] = useState<SearchResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });

  if (me.loading) return <Loading />;
  if (me.error) return <ErrorNotice error={me.error} />;
  const owners = me.data!.ownerNumbers;
  const ownerNumber = f.ownerNumber || owners[0]?.number || '';

  const body = () => {
    const b: Record<string, string> = { ownerNumber };
    if (f.fromDate) b.fromDate = f.fromDate;
    if (mode === 'dar') b[f.darKind] = f.darId.trim();
    else {
      Object.assign(b, { roadName: f.roadName.trim(), houseNumber: f.houseNumber.trim(), postalCode: f.postalCode.trim() });
      if (mode === 'address') {
        if (f.floor.trim()) b.floor = f.floor.trim();
        if (f.door.trim()) b.door = f.door.trim();
      }
    }
    return b;
  };
  const search = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await api<SearchResult>('POST', '/api/v1/landlord/search', body()));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const excel = async () => {
    setBusy(true);
    try {
      const { blob, fileName } = await download('/api/v1/landlord/search/xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'POST', body());
      saveBlob(blob, fileName ?? 'beboere.xlsx');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const protectedCount = result?.residents.filter((r) => r.protection).length ?? 0;

  return (
    <>
      <p>{t('landlord.intro')}</p>
      {!me.data!.enabled && <Notice kind="warning">{me.data!.reason ?? t('landlord.notEnabled')}</Notice>}
      <form onSubmit={search} class="panel wide">
        <fieldset>
          <legend>{t('landlord.searchBy')}</legend>
          {(['address', 'stairwell', 'dar'] as const).map((m) => (
            <label key={m} class="radio">
              <input type="radio" name="mode" value={m} checked={mode === m} onChange={() => setMode(m)} /> {t(`landlord.mode.${m}`)}
            </label>
          ))}
        </fieldset>
        {mode !== 'dar' && (
          <AddressPicker
            id="ll-find"
            label={t('addr.label')}
            onPick={(a) => setF((x) => ({ ...x, roadName: a.roadName, houseNumber: a.houseNumber, floor: a.floor, door: a.door, postalCode: a.postalCode, darId: a.addressId }))}
          />
        )}
        {mode !== 'dar' ? (
          <div class="grid">
            <Field id="ll-road" label={t('landlord.roadName')}>
              <input id="ll-road" autocomplete="off" required value={f.roadName} onInput={set('roadName')} />
            </Field>
            <Field id="ll-house" label={t('landlord.houseNumber')}>
              <input id="ll-house" autocomplete="off" required size={6} value={f.houseNumber} onInput={set('houseNumber')} />
            </Field>
            {mode === 'address' && (
              <>
                <Field id="ll-floor" label={t('landlord.floor')} hint={t('landlord.floorHint')}>
                  <input id="ll-floor" autocomplete="off" size={4} aria-describedby="ll-floor-hint" value={f.floor} onInput={set('floor')} />
                </Field>
                <Field id="ll-door" label={t('landlord.door')} hint={t('landlord.doorHint')}>
                  <input id="ll-door" autocomplete="off" size={4} aria-describedby="ll-door-hint" value={f.door} onInput={set('door')} />
                </Field>
              </>
            )}
            <Field id="ll-postal" label={t('landlord.postalCode')} hint={f.postalCode.length === 4 ? (POSTAL_CODES.get(f.postalCode)?.da ?? t('landlord.unknownPostal')) : ' '}>
              <input id="ll-postal" inputMode="numeric" list="ll-postal-list" autocomplete="off" required size={6} aria-describedby="ll-postal-hint" value={f.postalCode} onInput={set('postalCode')} />
              <datalist id="ll-postal-list">
                {f.postalCode.length >= 1 &&
                  POSTAL.filter((p) => p.code.startsWith(f.postalCode))
                    .slice(0, 30)
                    .map((p) => <option key={p.code} value={p.code} label={`${p.code} ${p.da}`} />)}
              </datalist>
            </Field>
          </div>
        ) : (
          <div class="grid">
            <Field id="ll-darkind" label={t('landlord.darKind')}>
              <select id="ll-darkind" value={f.darKind} onChange={set('darKind')}>
                <option value="addressId">{t('landlord.darAddress')}</option>
                <option value="houseNumberId">{t('landlord.darHouseNumber')}</option>
              </select>
            </Field>
            <Field id="ll-dar" label={t('landlord.darId')}>
              <input id="ll-dar" autocomplete="off" required size={40} value={f.darId} onInput={set('darId')} />
            </Field>
          </div>
        )}
        <div class="grid">
          <Field id="ll-owner" label={t('landlord.owner')} hint={t('landlord.ownerHint')}>
            <select id="ll-owner" required aria-describedby="ll-owner-hint" value={ownerNumber} onChange={set('ownerNumber')}>
              {owners.length === 0 && <option value="">{t('landlord.noOwners')}</option>}
              {owners.map((o) => (
                <option key={o.number} value={o.number}>
                  {o.kind === 'cvr' ? `CVR ${o.number}` : `CPR ${fmtPnr(o.number)}`}
                </option>
              ))}
            </select>
          </Field>
          <Field id="ll-from" label={t('landlord.fromDate')} hint={t('landlord.fromDateHint', { date: fmtDate(earliest) })}>
            <input id="ll-from" type="date" min={earliest} max={today()} aria-describedby="ll-from-hint" value={f.fromDate} onInput={set('fromDate')} />
          </Field>
        </div>
        <div class="row">
          <button type="submit" disabled={busy || !ownerNumber}>
            {t('landlord.search')}
          </button>
          <button type="button" class="secondary" disabled={busy || !ownerNumber} onClick={() => void excel()}>
            {t('landlord.excel')}
          </button>
        </div>
        <p class="hint">{t('landlord.logged')}</p>
      </form>
      {busy && <Loading />}
      {error instanceof ApiError && typeof error.body?.control === 'number' ? (
        <Notice kind="error">
          <strong>{t('landlord.control', { n: error.body.control as number })}</strong> {error.message}
        </Notice>
      ) : (
        <ErrorNotice error={error} />
      )}
      {result && (
        <section aria-labelledby="ll-result">
          <h2 id="ll-result">{t('landlord.result', { address: result.address.label })}</h2>
          <p class="hint">
            {t('landlord.resultAsOf', { at: fmtTime(result.queriedAt), from: fmtDate(result.query.fromDate) })} {t(`landlord.scope.${result.address.scope}`)}
          </p>
          {protectedCount > 0 && (
            <Notice kind="warning">
              <strong>{t('landlord.protectedHere', { n: protectedCount })}</strong> {pick(result.residents.find((r) => r.protection)!.protection!.notice)}
            </Notice>
          )}
          <Table
            caption={t('landlord.tableCaption', { address: result.address.label })}
            rows={result.residents}
            empty={t('landlord.none')}
            columns={[
              { head: t('landlord.col.unit'), cell: (r) => r.unit.label },
              { head: t('landlord.col.name'), cell: (r) => r.addressingName },
              { head: t('landlord.col.moveIn'), cell: (r) => <>{fmtDate(r.moveInDate)}{r.moveInIsAcquisitionDate && <span class="hint"> ({t('landlord.acquisition')})</span>}</> },
              { head: t('landlord.col.moveOut'), cell: (r) => fmtDate(r.moveOutDate) || '—' },
              { head: t('landlord.col.protection'), cell: (r) => (r.protection ? <strong class="protected">{t('landlord.protectedMark')}</strong> : '') },
            ]}
          />
          {result.unitsOfOtherOwners.length > 0 && <Notice kind="info">{t('landlord.otherOwners', { n: result.unitsOfOtherOwners.length })}</Notice>}
          <p class="hint">{pick(result.notice)}</p>
        </section>
      )}
    </>
  );
}
