/**
 * The shell: sign-in, the idle lock (AUD-5), the header that always says who
 * is signed in for which customer, the language switch, and the pages the
 * user's roles give access to.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, refreshSession, reportActivity, session, signIn, signOut, unlock, type SessionStatus } from './api.ts';
import { lang, setLang, t, type Key } from './i18n.ts';
import { useRoute } from './router.ts';
import { useStore } from './store.ts';
import { PersonPage } from './pages/person.tsx';
import { AuthorisationsPage, ControlPage, LogPage, StatisticsPage } from './pages/security.tsx';
import { OwnDataPage } from './pages/citizen.tsx';
import { MoveReportPage, ProtectionRequestPage } from './pages/citizen-requests.tsx';
import { LandlordPage } from './pages/landlord.tsx';
import { RegistrationPage } from './pages/registration.tsx';
import { CasesPage } from './pages/cases.tsx';
import { Field, Notice } from './ui.tsx';

interface PageDef {
  path: string;
  title: Key;
  /** Shown when the user has one of these roles (the API checks again). */
  roles: string[];
  /** Customer kinds the page is for; undefined: any. */
  kinds?: string[];
  render: () => ComponentChildren;
}

export const PAGES: PageDef[] = [
  { path: '/landlord', title: 'nav.landlord', roles: ['landlord'], kinds: ['landlord'], render: () => <LandlordPage /> },
  { path: '/registration', title: 'nav.clerk', roles: ['register'], render: () => <RegistrationPage /> },
  { path: '/cases', title: 'nav.cases', roles: ['register'], render: () => <CasesPage /> },
  { path: '/person', title: 'nav.person', roles: ['lookup', 'register'], kinds: ['public_authority', 'cpr_admin'], render: () => <PersonPage /> },
  { path: '/security/authorisations', title: 'nav.authorisations', roles: ['security_officer', 'admin'], render: () => <AuthorisationsPage /> },
  { path: '/security/log', title: 'nav.log', roles: ['security_officer'], render: () => <LogPage /> },
  { path: '/security/statistics', title: 'nav.statistics', roles: ['security_officer'], render: () => <StatisticsPage /> },
  { path: '/security/control', title: 'nav.control', roles: ['security_officer'], render: () => <ControlPage /> },
  { path: '/me/move', title: 'nav.moveReport', roles: ['own_data'], kinds: ['citizen'], render: () => <MoveReportPage /> },
  { path: '/me/protection', title: 'nav.protectionRequest', roles: ['own_data'], kinds: ['citizen'], render: () => <ProtectionRequestPage /> },
  { path: '/me', title: 'nav.me', roles: ['own_data'], kinds: ['citizen'], render: () => <OwnDataPage /> },
];

export function pagesFor(s: SessionStatus): PageDef[] {
  const roles = s.user?.roles ?? [];
  return PAGES.filter((p) => p.roles.some((r) => roles.includes(r)) && (!p.kinds || p.kinds.includes(s.customer?.kind ?? '')));
}

export function App() {
  const s = useStore(session);
  useStore(lang);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    refreshSession().catch(() => setFailed(true));
    // The server decides the lock; look every 30 s so a locked session hides its page promptly.
    const poll = setInterval(() => {
      if (session.get()?.signedIn) refreshSession().catch(() => {});
    }, 30_000);
    const onActivity = () => reportActivity();
    addEventListener('keydown', onActivity);
    addEventListener('pointerdown', onActivity);
    return () => {
      clearInterval(poll);
      removeEventListener('keydown', onActivity);
      removeEventListener('pointerdown', onActivity);
    };
  }, []);

  if (failed) return <Notice kind="error">{t('app.unreachable')}</Notice>;
  if (!s) return <p class="loading">{t('app.loading')}</p>;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        {t('app.skip')}
      </a>
      <Header s={s} />
      <main id="main" tabIndex={-1}>
        {!s.signedIn ? <SignIn /> : s.state === 'locked' ? <Locked s={s} /> : <Pages s={s} />}
      </main>
      <footer>
        <p>{t('app.footer')}</p>
      </footer>
    </>
  );
}

function Header({ s }: { s: SessionStatus }) {
  return (
    <header class="top">
      <div class="brand">
        <span class="logo" aria-hidden="true">
          CPR
        </span>
        <span>{t('app.title')}</span>
      </div>
      {s.signedIn && s.user && s.customer && (
        <p class="who" data-testid="who">
          {t('app.signedInAs')} <strong>{s.user.name}</strong>
          {s.user.username && <> ({s.user.username})</>} {t('app.forCustomer')} <strong>{s.customer.name}</strong>
          {s.state === 'locked' && <> · {t('lock.short')}</>}
        </p>
      )}
      <div class="tools">
        <div role="group" aria-label={t('app.language')} class="lang">
          <button type="button" lang="da" aria-pressed={lang.get() === 'da'} onClick={() => setLang('da')}>
            Dansk
          </button>
          <button type="button" lang="en" aria-pressed={lang.get() === 'en'} onClick={() => setLang('en')}>
            English
          </button>
        </div>
        {s.signedIn && (
          <button type="button" class="secondary" onClick={() => void signOut().then(() => (location.hash = '/'))}>
            {t('app.signOut')}
          </button>
        )}
      </div>
    </header>
  );
}

function Pages({ s }: { s: SessionStatus }) {
  const route = useRoute();
  const pages = pagesFor(s);
  const page = pages.find((p) => route === p.path || route.startsWith(p.path + '/') || route.startsWith(p.path + '?'));
  return (
    <div class="layout">
      <nav aria-label={t('nav.label')}>
        <ul>
          <li>
            <a href="#/" aria-current={route === '/' ? 'page' : undefined}>
              {t('nav.home')}
            </a>
          </li>
          {pages.map((p) => (
            <li key={p.path}>
              <a href={`#${p.path}`} aria-current={page === p ? 'page' : undefined}>
                {t(p.title)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div class="content">{page ? <Titled key={page.path} title={t(page.title)}>{page.render()}</Titled> : <Home pages={pages} />}</div>
    </div>
  );
}

/** Each page announces itself: the document title and focus on its heading (WCAG 2.4.2, 2.4.3). */
export function Titled({ title, children }: { title: string; children: ComponentChildren }) {
  const h = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · OpenCPR`;
    h.current?.focus();
  }, [title]);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1} ref={h}>
        {title}
      </h1>
      {children}
    </section>
  );
}

function Home({ pages }: { pages: PageDef[] }) {
  return (
    <Titled title={t('home.title')}>
      <p>{t('home.intro')}</p>
      {pages.length === 0 ? (
        <Notice kind="info">{t('home.noPages')}</Notice>
      ) : (
        <ul class="cards">
          {pages.map((p) => (
            <li key={p.path}>
              <a href={`#${p.path}`}>{t(p.title)}</a>
            </li>
          ))}
        </ul>
      )}
    </Titled>
  );
}

function SignIn() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = `${t('signIn.title')} · OpenCPR`;
  }, [lang.get()]);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(username, password);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? t('signIn.wrong') : err instanceof Error ? err.message : String(err));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="narrow" aria-labelledby="signin-title">
      <h1 id="signin-title">{t('signIn.title')}</h1>
      <p>{t('signIn.intro')}</p>
      <form onSubmit={submit} novalidate>
        <Field id="username" label={t('signIn.username')}>
          <input id="username" name="username" autocomplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </Field>
        <Field id="password" label={t('signIn.password')}>
          <input id="password" name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </Field>
        {error && <Notice kind="error">{error}</Notice>}
        <button type="submit" disabled={busy || !username || !password}>
          {t('signIn.submit')}
        </button>
      </form>
      <Notice kind="info">{t('signIn.demo')}</Notice>
    </section>
  );
}

/** AUD-5: after 10 minutes idle the page's data is hidden until the same user's password is given. */
function Locked({ s }: { s: SessionStatus }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    document.title = `${t('lock.title')} · OpenCPR`;
    input.current?.focus();
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await unlock(password);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 && err.code !== 'unauthenticated' ? t('lock.wrong') : err instanceof Error ? err.message : String(err));
      setPassword('');
      if (err instanceof ApiError && err.code === 'unauthenticated') await refreshSession();
    }
  };
  return (
    <section class="narrow" role="dialog" aria-modal="true" aria-labelledby="lock-title">
      <h1 id="lock-title">{t('lock.title')}</h1>
      <p>{t('lock.intro', { name: s.user?.name ?? '' })}</p>
      <form onSubmit={submit}>
        <Field id="unlock-password" label={t('signIn.password')}>
          <input id="unlock-password" ref={input} type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </Field>
        {error && <Notice kind="error">{error}</Notice>}
        <div class="row">
          <button type="submit" disabled={!password}>
            {t('lock.unlock')}
          </button>
          <button type="button" class="secondary" onClick={() => void signOut()}>
            {t('app.signOut')}
          </button>
        </div>
      </form>
    </section>
  );
}
