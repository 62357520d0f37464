/**
 * The client's only way to data: the public /api/v1 endpoints, with the
 * session cookie (sent by the browser) and the CSRF token on unsafe methods.
 * Errors come back as problem+json in the chosen language.
 */
import { lang } from './i18n.ts';
import { store } from './store.ts';

export interface SessionStatus {
  signedIn: boolean;
  state?: 'active' | 'locked';
  user?: { id: string; name: string; username: string | null; roles: string[] };
  customer?: { id: string; name: string; kind: string; number: string | null };
  locksAt?: string;
  idleLockSeconds: number;
  /** The server's time: "today" and "this quarter" are the server's, not the browser's. */
  now: string;
  csrfToken: string;
}

/** The session as last reported by the server; null before the first answer. */
export const session = store<SessionStatus | null>(null);
let clockOffset = 0;
session.subscribe((s) => {
  if (s?.now) clockOffset = Date.parse(s.now) - Date.now();
});
/** Now by the server's clock (for defaults and display only; the server decides every rule). */
export const serverNow = () => new Date(Date.now() + clockOffset);

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body?: Record<string, unknown>,
  ) {
    super(message);
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

async function send(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<Response> {
  const headers: Record<string, string> = { 'accept-language': lang.get(), accept };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = session.get()?.csrfToken;
  if (UNSAFE.has(method) && token) headers['x-csrf-token'] = token;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) {
    let problem: Record<string, unknown> = {};
    try {
      problem = (await res.json()) as Record<string, unknown>;
    } catch {
      /* not JSON: keep the status line */
    }
    const code = typeof problem.code === 'string' ? problem.code : `http_${res.status}`;
    // The server locked the session (AUD-5) or it ended: show the lock or sign-in screen.
    if (code === 'session_locked') {
      const s = session.get();
      if (s) session.set({ ...s, state: 'locked' });
    } else if (res.status === 401 && session.get()?.signedIn && !path.startsWith('/api/v1/session')) {
      void refreshSession();
    }
    throw new ApiError(res.status, code, typeof problem.detail === 'string' ? problem.detail : res.statusText, problem);
  }
  return res;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await send(method, path, body);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** A file answer (Excel, text) as a blob with its file name from Content-Disposition. */
export async function download(path: string, accept: string, method = 'GET', body?: unknown): Promise<{ blob: Blob; fileName: string | null }> {
  const res = await send(method, path, body, accept);
  const cd = res.headers.get('content-disposition') ?? '';
  const m = /filename="?([^";]+)"?/.exec(cd);
  return { blob: await res.blob(), fileName: m?.[1] ?? null };
}

/** Asks the browser to save a blob under a name. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function refreshSession(): Promise<SessionStatus> {
  const s = await api<SessionStatus>('GET', '/api/v1/session');
  session.set(s);
  return s;
}

export async function signIn(username: string, password: string): Promise<void> {
  if (!session.get()) await refreshSession();
  session.set(await api<SessionStatus>('POST', '/api/v1/session', { username, password }));
}

export async function unlock(password: string): Promise<void> {
  session.set(await api<SessionStatus>('POST', '/api/v1/session/unlock', { password }));
}

export async function signOut(): Promise<void> {
  session.set(await api<SessionStatus>('DELETE', '/api/v1/session'));
}

/**
 * Activity in the page (keys, clicks) is reported at most every 30 s, so a
 * user reading and typing is not locked out while a page makes no calls. The
 * server alone decides the lock, on its own clock (AUD-5).
 */
let lastReport = 0;
export function reportActivity(): void {
  const s = session.get();
  if (!s?.signedIn || s.state !== 'active') return;
  const now = Date.now();
  if (now - lastReport < 30_000) return;
  lastReport = now;
  api<SessionStatus>('POST', '/api/v1/session/activity')
    .then((st) => session.set(st))
    .catch(() => {});
}

export const qs = (params: Record<string, string | number | undefined | null>): string => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};
