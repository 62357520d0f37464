/**
 * The registration clerk's forms (issue 6): a domestic move with the
 * household (§12), an immigration (§16-§22), an emigration (§24-§27), and
 * name-and-address and other protections (§28-§30: grant, extend, revoke,
 * with the expiry shown). Each answer links to the person's history.
 * Data: POST /api/v1/registration/moves, /registration/immigrations,
 * /registration/emigrations, /registration/protections; GET /api/v1/persons/{pnr}.
 */
import { AddressPicker } from '../address-picker.tsx';
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { COUNTRIES } from '../../../src/domain/codes/index.ts';
import { api, session } from '../api.ts';
import { addressOf, civilText, nameOf, protectionText } from '../describe.ts';
import { fmtDate, fmtPnr, today } from '../format.ts';
import { lang, t, type Key } from '../i18n.ts';
import { currentRoute } from '../router.ts';
import { ErrorNotice, Field, Notice } from '../ui.tsx';
import type { Disclosure } from './person.tsx';

const clean = (p: string) => p.replace(/\D/g, '');
const historyLink = (pnr: string) => `#/person?pnr=${clean(pnr)}`;
const COUNTRY_LIST = () => [...COUNTRIES.values()].filter((c) => !(c as { validTo?: string | null }).validTo && c.code !== '5100').sort((a, b) => (lang.get() === 'da' ? a.da : a.en).localeCompare(lang.get() === 'da' ? b.da : b.en));
const ownMunicipality = () => {
  const c = session.get()?.customer;
  return c?.kind === 'public_authority' && c.number && /^\d{3,4}$/.test(c.number) ? c.number.padStart(4, '0') : '';
};

/** A form that posts, shows the server's refusal as its sentence, and the result on success. */
function useSubmit<T>(fn: () => Promise<T>) {
  const [result, setResult] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await fn());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { result, error, busy, submit };
}

const TABS: Array<{ id: string; title: Key }> = [
  { id: 'move', title: 'reg.tab.move' },
  { id: 'immigration', title: 'reg.tab.immigration' },
  { id: 'emigration', title: 'reg.tab.emigration' },
  { id: 'protection', title: 'reg.tab.protection' },
];

export function RegistrationPage() {
  const sub = (currentRoute().split('/')[2] ?? 'move').split('?')[0]!;
  const tab = TABS.some((x) => x.id === sub) ? sub : 'move';
  return (
    <>
      <p>{t('reg.intro')}</p>
      <nav aria-label={t('reg.tabs')} class="tabs">
        {TABS.map((x) => (
          <a key={x.id} href={`#/registration/${x.id}${routePnr() ? `?pnr=${routePnr()}` : ''}`} aria-current={tab === x.id ? 'page' : undefined}>
            {t(x.title)}
          </a>
        ))}
      </nav>
      {tab === 'move' && <MoveForm />}
      {tab === 'immigration' && <ImmigrationForm />}
      {tab === 'emigration' && <EmigrationForm />}
      {tab === 'protection' && <ProtectionForm />}
    </>
  );
}

interface Addr {
  addressId: string;
  roadName: string;
  houseNumber: string;
  floor: string;
  door: string;
  postalCode: string;
  municipalityCode: string;
}
const emptyAddr = (): Addr => ({ addressId: '', roadName: '', houseNumber: '', floor: '', door: '', postalCode: '', municipalityCode: ownMunicipality() });
function addrBody(a: Addr): Record<string, string> {
  const out: Record<string, string> = { municipalityCode: a.municipalityCode.trim() };
  if (a.addressId.trim()) out.addressId = a.addressId.trim();
  else for (const k of ['roadName', 'houseNumber', 'floor', 'door', 'postalCode'] as const) if (a[k].trim()) out[k] = a[k].trim();
  return out;
}

function AddressFields({ id, legend, value, onChange }: { id: string; legend: string; value: Addr; onChange: (a: Addr) => void }) {
  const set = (k: keyof Addr) => (e: Event) => onChange({ ...value, [k]: (e.currentTarget as HTMLInputElement).value });
  return (
    <fieldset>
      <legend>{legend}</legend>
      <AddressPicker
        id={`${id}-find`}
        label={t('addr.label')}
        onPick={(a) => onChange({ addressId: a.addressId, roadName: a.roadName, houseNumber: a.houseNumber, floor: a.floor, door: a.door, postalCode: a.postalCode, municipalityCode: a.municipalityCode })}
      />
      <p class="hint">{t('reg.addressHint')}</p>
      <div class="grid">
        <Field id={`${id}-mun`} label={t('reg.municipalityCode')}>
          <input id={`${id}-mun`} inputMode="numeric" size={5} required value={value.municipalityCode} onInput={set('municipalityCode')} />
        </Field>
        <Field id={`${id}-dar`} label={t('reg.addressId')}>
          <input id={`${id}-dar`} size={38} autocomplete="off" value={value.addressId} onInput={set('addressId')} />
        </Field>
      </div>
      <div class="grid">
        <Field id={`${id}-road`} label={t('landlord.roadName')}>
          <input id={`${id}-road`} autocomplete="off" value={value.roadName} onInput={set('roadName')} />
        </Field>
        <Field id={`${id}-house`} label={t('landlord.houseNumber')}>
          <input id={`${id}-house`} size={5} autocomplete="off" value={value.houseNumber} onInput={set('houseNumber')} />
        </Field>
        <Field id={`${id}-floor`} label={t('landlord.floor')}>
          <input id={`${id}-floor`} size={3} autocomplete="off" value={value.floor} onInput={set('floor')} />
        </Field>
        <Field id={`${id}-door`} label={t('landlord.door')}>
          <input id={`${id}-door`} size={4} autocomplete="off" value={value.door} onInput={set('door')} />
        </Field>
        <Field id={`${id}-postal`} label={t('landlord.postalCode')}>
          <input id={`${id}-postal`} inputMode="numeric" size={5} autocomplete="off" value={value.postalCode} onInput={set('postalCode')} />
        </Field>
      </div>
    </fieldset>
  );
}

interface Outcome {
  case: { id: number; kind: string; status: string; deadline: string | null };
  letters: Array<{ id: number; subject: string }>;
  registrations: Array<{ pnr: string; seq: number }>;
}

function OutcomeView({ o }: { o: Outcome }) {
  const registered = o.registrations.length > 0;
  return (
    <Notice kind={registered ? 'success' : 'info'}>
      <p>
        <strong>{registered ? t('reg.move.registered') : t('reg.move.held', { status: o.case.status })}</strong>{' '}
        {t('reg.caseRef', { id: o.case.id })}
        {o.case.deadline && <> · {t('cases.deadline')}: {fmtDate(o.case.deadline)}</>}
      </p>
      {registered && (
        <ul>
          {[...new Set(o.registrations.map((r) => r.pnr))].map((p) => (
            <li key={p}>
              <a href={historyLink(p)}>{t('reg.seeHistory', { pnr: fmtPnr(p) })}</a>
            </li>
          ))}
        </ul>
      )}
      <LetterLinks letters={o.letters} />
    </Notice>
  );
}

export function LetterLinks({ letters }: { letters: Array<{ id: number; subject: string }> }) {
  if (letters.length === 0) return null;
  return (
    <p>
      {t('reg.letters')}:{' '}
      {letters.map((l, i) => (
        <>
          {i > 0 && ', '}
          <a key={l.id} href={`/api/v1/letters/${l.id}/document`} target="_blank" rel="noopener">
            {l.subject}
          </a>
        </>
      ))}
    </p>
  );
}

/** A person number handed over in the route (#/registration/move?pnr=…), e.g. from the person page. */
const routePnr = () => new URLSearchParams(currentRoute().split('?')[1] ?? '').get('pnr') ?? '';

function MoveForm() {
  const [pnr, setPnr] = useState(routePnr());
  const [name, setName] = useState('');
  const [current, setCurrent] = useState<string | null>(null);
  const [from, setFrom] = useState<Addr>(emptyAddr());
  const [to, setTo] = useState<Addr>(emptyAddr());
  const [moveDate, setMoveDate] = useState(today());
  const [members, setMembers] = useState<Array<{ pnr: string; name: string }>>([]);
  const [doubt, setDoubt] = useState('');
  const [lookupError, setLookupError] = useState<unknown>(null);
  const s = useSubmit(() =>
    api<Outcome>('POST', '/api/v1/registration/moves', {
      pnr: clean(pnr),
      name: name.trim(),
      from: addrBody(from),
      to: addrBody(to),
      moveDate,
      ...(members.length && { members: members.filter((m) => m.pnr.trim()).map((m) => ({ pnr: clean(m.pnr), name: m.name.trim() })) }),
      ...(doubt.trim() && { doubt: doubt.trim() }),
    }),
  );
  /** The mover's current name and address, from the ordinary person lookup (audited like any lookup). */
  const fetchCurrent = async () => {
    setLookupError(null);
    try {
      const d = await api<Disclosure>('GET', `/api/v1/persons/${clean(pnr)}`);
      const a = d.data.address as Record<string, string> | undefined;
      setName((d.data.addressingName as string) || nameOf(d.data.name));
      setCurrent(addressOf(a));
      if (a) setFrom({ ...emptyAddr(), municipalityCode: a.municipalityCode ?? '', addressId: a.addressId ?? '' });
    } catch (e) {
      setLookupError(e);
    }
  };
  return (
    <form onSubmit={s.submit} class="panel wide">
      <h2>{t('reg.tab.move')}</h2>
      <div class="grid">
        <Field id="mv-pnr" label={t('person.pnr')}>
          <input id="mv-pnr" inputMode="numeric" autocomplete="off" required value={pnr} onInput={(e) => setPnr(e.currentTarget.value)} />
        </Field>
        <button type="button" class="secondary" disabled={clean(pnr).length !== 10} onClick={() => void fetchCurrent()}>
          {t('reg.fetchCurrent')}
        </button>
        <Field id="mv-name" label={t('reg.name')}>
          <input id="mv-name" autocomplete="off" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
      </div>
      <ErrorNotice error={lookupError} />
      {current && <p class="hint">{t('reg.currentAddress', { address: current })}</p>}
      <AddressFields id="mv-from" legend={t('reg.from')} value={from} onChange={setFrom} />
      <AddressFields id="mv-to" legend={t('reg.to')} value={to} onChange={setTo} />
      <Field id="mv-date" label={t('reg.moveDate')}>
        <input id="mv-date" type="date" required value={moveDate} onInput={(e) => setMoveDate(e.currentTarget.value)} />
      </Field>
      <fieldset>
        <legend>{t('reg.members')}</legend>
        <p class="hint">{t('reg.membersHint')}</p>
        {members.map((m, i) => (
          <div class="grid" key={i}>
            <Field id={`mv-m${i}-pnr`} label={t('reg.memberPnr', { n: i + 1 })}>
              <input id={`mv-m${i}-pnr`} inputMode="numeric" required value={m.pnr} onInput={(e) => setMembers(members.map((x, j) => (j === i ? { ...x, pnr: e.currentTarget.value } : x)))} />
            </Field>
            <Field id={`mv-m${i}-name`} label={t('reg.memberName', { n: i + 1 })}>
              <input id={`mv-m${i}-name`} required value={m.name} onInput={(e) => setMembers(members.map((x, j) => (j === i ? { ...x, name: e.currentTarget.value } : x)))} />
            </Field>
            <button type="button" class="secondary" onClick={() => setMembers(members.filter((_, j) => j !== i))}>
              {t('reg.removeMember', { n: i + 1 })}
            </button>
          </div>
        ))}
        <button type="button" class="secondary" onClick={() => setMembers([...members, { pnr: '', name: '' }])}>
          {t('reg.addMember')}
        </button>
      </fieldset>
      <Field id="mv-doubt" label={t('reg.doubt')} hint={t('reg.doubtHint')}>
        <textarea id="mv-doubt" rows={2} aria-describedby="mv-doubt-hint" value={doubt} onInput={(e) => setDoubt(e.currentTarget.value)} />
      </Field>
      <button type="submit" disabled={s.busy}>
        {t('reg.move.submit')}
      </button>
      <ErrorNotice error={s.error} />
      {s.result && <OutcomeView o={s.result} />}
    </form>
  );
}

const lines = (s: string) => s.split('\n').map((x) => x.trim()).filter(Boolean).slice(0, 5);

function CountrySelect({ id, label, value, onChange }: { id: string; label: string; value: string; onChange: (v: string) => void }) {
  return (
    <Field id={id} label={label}>
      <select id={id} required value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{t('form.choose')}</option>
        {COUNTRY_LIST().map((c) => (
          <option key={c.code} value={c.code}>
            {lang.get() === 'da' ? c.da : c.en}
          </option>
        ))}
      </select>
    </Field>
  );
}

function ImmigrationForm() {
  const [f, setF] = useState({ pnr: '', firstNames: '', lastName: '', sex: 'K', birthDate: '', birthPlace: '', previous: '', previousCountry: '', entryDate: today(), addressId: '', civil: 'U', church: false, citizenship: '', stayUntil: '', permitKind: '', permitIssued: '', permitRef: '' });
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  const s = useSubmit(() =>
    api<{ pnr: string; allocated: boolean; moveInDate: string; late: boolean; rules: string[]; nordicNotice: string | null }>('POST', '/api/v1/registration/immigrations', {
      ...(clean(f.pnr) && { pnr: clean(f.pnr) }),
      name: { firstNames: f.firstNames.trim().split(/\s+/).filter(Boolean), lastName: f.lastName.trim() },
      sex: f.sex,
      birthDate: f.birthDate,
      birthPlace: f.birthPlace.trim(),
      previousAddress: { lines: lines(f.previous), countryCode: f.previousCountry },
      entryDate: f.entryDate,
      addressId: f.addressId.trim(),
      civilStatus: { code: f.civil },
      churchMember: f.church,
      citizenships: [f.citizenship],
      ...(f.stayUntil && { stayUntil: f.stayUntil }),
      ...(f.permitKind && { residencePermit: { kind: f.permitKind, issuedOn: f.permitIssued, reference: f.permitRef.trim() } }),
    }),
  );
  return (
    <form onSubmit={s.submit} class="panel wide">
      <h2>{t('reg.tab.immigration')}</h2>
      <div class="grid">
        <Field id="im-pnr" label={t('reg.im.pnr')} hint={t('reg.im.pnrHint')}>
          <input id="im-pnr" inputMode="numeric" aria-describedby="im-pnr-hint" value={f.pnr} onInput={set('pnr')} />
        </Field>
        <Field id="im-first" label={t('reg.firstNames')}>
          <input id="im-first" required value={f.firstNames} onInput={set('firstNames')} />
        </Field>
        <Field id="im-last" label={t('reg.lastName')}>
          <input id="im-last" required value={f.lastName} onInput={set('lastName')} />
        </Field>
        <Field id="im-sex" label={t('reg.sex')}>
          <select id="im-sex" value={f.sex} onChange={set('sex')}>
            <option value="K">{t('reg.female')}</option>
            <option value="M">{t('reg.male')}</option>
          </select>
        </Field>
        <Field id="im-birth" label={t('person.birthDate')}>
          <input id="im-birth" type="date" required value={f.birthDate} onInput={set('birthDate')} />
        </Field>
        <Field id="im-place" label={t('reg.birthPlace')}>
          <input id="im-place" required value={f.birthPlace} onInput={set('birthPlace')} />
        </Field>
      </div>
      <div class="grid">
        <Field id="im-prev" label={t('reg.previousAddress')} hint={t('reg.linesHint')}>
          <textarea id="im-prev" rows={3} required aria-describedby="im-prev-hint" value={f.previous} onInput={set('previous')} />
        </Field>
        <CountrySelect id="im-prev-country" label={t('reg.previousCountry')} value={f.previousCountry} onChange={(v) => setF({ ...f, previousCountry: v })} />
        <CountrySelect id="im-citizenship" label={t('group.citizenship')} value={f.citizenship} onChange={(v) => setF({ ...f, citizenship: v })} />
      </div>
      <div class="grid">
        <Field id="im-entry" label={t('reg.entryDate')}>
          <input id="im-entry" type="date" required value={f.entryDate} onInput={set('entryDate')} />
        </Field>
        <Field id="im-address" label={t('reg.addressId')} hint={t('reg.addressIdHint')}>
          <input id="im-address" size={38} required aria-describedby="im-address-hint" value={f.addressId} onInput={set('addressId')} />
        </Field>
        <Field id="im-civil" label={t('group.civilStatus')}>
          <select id="im-civil" value={f.civil} onChange={set('civil')}>
            {(['U', 'G', 'F', 'E', 'P', 'O', 'L'] as const).map((c) => (
              <option key={c} value={c}>
                {civilText(c)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="im-stay" label={t('reg.stayUntil')}>
          <input id="im-stay" type="date" value={f.stayUntil} onInput={set('stayUntil')} />
        </Field>
      </div>
      <label class="check-label">
        <input type="checkbox" checked={f.church} onChange={(e) => setF({ ...f, church: e.currentTarget.checked })} /> {t('reg.churchMember')}
      </label>
      <fieldset>
        <legend>{t('reg.permit')}</legend>
        <div class="grid">
          <Field id="im-permit" label={t('reg.permitKind')}>
            <select id="im-permit" value={f.permitKind} onChange={set('permitKind')}>
              <option value="">{t('reg.permitNone')}</option>
              {(['permit', 'certificate', 'exemption', 'visa', 'exit_deadline'] as const).map((k) => (
                <option key={k} value={k}>
                  {t(`reg.permit.${k}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field id="im-permit-date" label={t('reg.permitIssued')}>
            <input id="im-permit-date" type="date" value={f.permitIssued} onInput={set('permitIssued')} />
          </Field>
          <Field id="im-permit-ref" label={t('reg.permitRef')}>
            <input id="im-permit-ref" value={f.permitRef} onInput={set('permitRef')} />
          </Field>
        </div>
      </fieldset>
      <button type="submit" disabled={s.busy}>
        {t('reg.im.submit')}
      </button>
      <ErrorNotice error={s.error} />
      {s.result && (
        <Notice kind="success">
          <p>
            <strong>{t('reg.im.done', { pnr: fmtPnr(s.result.pnr), date: fmtDate(s.result.moveInDate) })}</strong> {s.result.allocated && t('reg.im.allocated')}
          </p>
          {s.result.nordicNotice && <p>{s.result.nordicNotice}</p>}
          <p class="hint">{s.result.rules.join(', ')}</p>
          <a href={historyLink(s.result.pnr)}>{t('reg.seeHistory', { pnr: fmtPnr(s.result.pnr) })}</a>
        </Notice>
      )}
    </form>
  );
}

function EmigrationForm() {
  const [f, setF] = useState({ pnr: routePnr(), departureDate: today(), countryCode: '', foreign: '', returnDate: '', homeKept: false });
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  const s = useSubmit(() =>
    api<{ pnr: string; outcome: string; departureDate: string; rules: string[]; waitingItem: string | null }>('POST', '/api/v1/registration/emigrations', {
      pnr: clean(f.pnr),
      departureDate: f.departureDate,
      countryCode: f.countryCode,
      ...(lines(f.foreign).length && { foreignAddress: { lines: lines(f.foreign), countryCode: f.countryCode } }),
      ...(f.returnDate && { returnDate: f.returnDate }),
      homeKept: f.homeKept,
    }),
  );
  return (
    <form onSubmit={s.submit} class="panel wide">
      <h2>{t('reg.tab.emigration')}</h2>
      <div class="grid">
        <Field id="em-pnr" label={t('person.pnr')}>
          <input id="em-pnr" inputMode="numeric" required value={f.pnr} onInput={set('pnr')} />
        </Field>
        <Field id="em-date" label={t('reg.departureDate')}>
          <input id="em-date" type="date" required value={f.departureDate} onInput={set('departureDate')} />
        </Field>
        <CountrySelect id="em-country" label={t('reg.country')} value={f.countryCode} onChange={(v) => setF({ ...f, countryCode: v })} />
        <Field id="em-return" label={t('reg.returnDate')}>
          <input id="em-return" type="date" value={f.returnDate} onInput={set('returnDate')} />
        </Field>
      </div>
      <Field id="em-foreign" label={t('reg.foreignAddress')} hint={t('reg.linesHint')}>
        <textarea id="em-foreign" rows={3} aria-describedby="em-foreign-hint" value={f.foreign} onInput={set('foreign')} />
      </Field>
      <label class="check-label">
        <input type="checkbox" checked={f.homeKept} onChange={(e) => setF({ ...f, homeKept: e.currentTarget.checked })} /> {t('reg.homeKept')}
      </label>
      <button type="submit" disabled={s.busy}>
        {t('reg.em.submit')}
      </button>
      <ErrorNotice error={s.error} />
      {s.result && (
        <Notice kind="success">
          <p>
            <strong>{t('reg.em.done', { pnr: fmtPnr(s.result.pnr), outcome: s.result.outcome, date: fmtDate(s.result.departureDate) })}</strong>
          </p>
          <p class="hint">{s.result.rules.join(', ')}</p>
          <a href={historyLink(s.result.pnr)}>{t('reg.seeHistory', { pnr: fmtPnr(s.result.pnr) })}</a>
        </Notice>
      )}
    </form>
  );
}

interface ProtectionAnswer {
  pnr: string;
  change: { validFrom: string; validTo: string | null };
  inForce: Array<{ type: string; validFrom: string; validTo: string | null; impliedBy?: string }>;
}

function ProtectionForm() {
  const [f, setF] = useState({ pnr: routePnr(), type: '0001', action: 'grant', date: '', reason: '' });
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  const s = useSubmit(() =>
    api<ProtectionAnswer>('POST', '/api/v1/registration/protections', {
      pnr: clean(f.pnr),
      type: f.type,
      action: f.action,
      ...(f.date && f.action !== 'grant' && { date: f.date }),
      ...(f.reason.trim() && { reason: f.reason.trim() }),
    }),
  );
  const expiryHint: Record<string, ComponentChildren> = { grant: t('reg.pr.grantHint'), extend: t('reg.pr.extendHint'), revoke: t('reg.pr.revokeHint') };
  return (
    <form onSubmit={s.submit} class="panel wide">
      <h2>{t('reg.tab.protection')}</h2>
      <div class="grid">
        <Field id="pr-pnr" label={t('person.pnr')}>
          <input id="pr-pnr" inputMode="numeric" required value={f.pnr} onInput={set('pnr')} />
        </Field>
        <Field id="pr-type" label={t('reg.pr.type')}>
          <select id="pr-type" value={f.type} onChange={set('type')}>
            {['0001', '0002', '0003', '0004'].map((x) => (
              <option key={x} value={x}>
                {protectionText(x)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="pr-action" label={t('reg.pr.action')}>
          <select id="pr-action" value={f.action} onChange={set('action')}>
            <option value="grant">{t('reg.pr.grant')}</option>
            <option value="extend">{t('reg.pr.extend')}</option>
            <option value="revoke">{t('reg.pr.revoke')}</option>
          </select>
        </Field>
        {f.action !== 'grant' && (
          <Field id="pr-date" label={f.action === 'extend' ? t('reg.pr.newEnd') : t('reg.pr.revokeFrom')}>
            <input id="pr-date" type="date" value={f.date} onInput={set('date')} />
          </Field>
        )}
      </div>
      <p class="hint">{expiryHint[f.action]}</p>
      {f.action === 'extend' && (
        <Field id="pr-reason" label={t('reg.pr.reason')}>
          <input id="pr-reason" value={f.reason} onInput={set('reason')} />
        </Field>
      )}
      <button type="submit" disabled={s.busy}>
        {t('reg.pr.submit')}
      </button>
      <ErrorNotice error={s.error} />
      {s.result && (
        <Notice kind="success">
          <p>
            <strong>{t('reg.pr.done', { pnr: fmtPnr(s.result.pnr) })}</strong>
          </p>
          <ul>
            {s.result.inForce.map((p) => (
              <li key={p.type}>
                {protectionText(p.type)}: {fmtDate(p.validFrom)} – {p.validTo ? <strong>{t('reg.pr.expires', { date: fmtDate(p.validTo) })}</strong> : t('reg.pr.noExpiry')}
              </li>
            ))}
            {s.result.inForce.length === 0 && <li>{t('reg.pr.none')}</li>}
          </ul>
          <a href={historyLink(s.result.pnr)}>{t('reg.seeHistory', { pnr: fmtPnr(s.result.pnr) })}</a>
        </Notice>
      )}
    </form>
  );
}

