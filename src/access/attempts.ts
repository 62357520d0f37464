/**
 * Failed authentication counted per client address (issue 14, finding 7).
 * The count is asked BEFORE a credential is checked: an address with
 * `max` failures in the window is refused (rate_limited, with the seconds to
 * wait) whatever it sends, so guessing API keys, client secrets or passwords
 * from one address stops there, and a scrypt hash of a guessed password is not
 * computed. Bearer keys and tokens, the OAuth2 token endpoint, web sign-in and
 * unlock share one count. Per process, on the injected clock.
 *
 * Not @fastify/rate-limit: it counts every request to a route (successes
 * too) with a limit per route, and cannot count only the failures across
 * several routes; what is needed is a counter of failures, which this is.
 */
import type { Clock } from '../domain/clock.ts';
import { AccessError } from './customers.ts';

/** The errors that mean "wrong or dead credential": a missing one or a locked session is no guess. */
const FAILURES: ReadonlySet<string> = new Set(['invalid_credentials', 'credentials_expired', 'invalid_token']);

/** Above this many addresses, windows that have ended are swept out. */
const SWEEP_ABOVE = 10_000;

export class FailedAuthentication {
  readonly #byAddress = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly clock: Clock,
    /** Failures allowed per address in a window; the next attempt is refused. */
    readonly max = 20,
    readonly windowMs = 60_000,
  ) {}

  /** Seconds until the address may try again; 0 when it may now. */
  waitSeconds(address: string): number {
    const w = this.#byAddress.get(address);
    if (!w) return 0;
    const left = w.resetAt - this.clock.now().getTime();
    if (left <= 0) {
      this.#byAddress.delete(address);
      return 0;
    }
    return w.count >= this.max ? Math.ceil(left / 1000) : 0;
  }

  failed(address: string): void {
    const now = this.clock.now().getTime();
    const w = this.#byAddress.get(address);
    if (w && w.resetAt > now) w.count++;
    else {
      if (this.#byAddress.size >= SWEEP_ABOVE) for (const [a, x] of this.#byAddress) if (x.resetAt <= now) this.#byAddress.delete(a);
      this.#byAddress.set(address, { count: 1, resetAt: now + this.windowMs });
    }
  }

  /**
   * Runs an authentication for `address`: refused beforehand when the address
   * is over its limit (Retry-After set on `answer`), its failure counted.
   */
  async guard<T>(address: string, answer: { header(name: string, value: number): unknown }, authenticate: () => Promise<T>): Promise<T> {
    const wait = this.waitSeconds(address);
    if (wait > 0) {
      answer.header('retry-after', wait);
      throw new AccessError('rate_limited', `Too many failed authentications from ${address}; retry in ${wait} s.`);
    }
    try {
      return await authenticate();
    } catch (e) {
      if (e instanceof AccessError && FAILURES.has(e.code)) this.failed(address);
      throw e;
    }
  }
}
