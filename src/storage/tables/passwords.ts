/** Web sign-in (API-2, AUD-5): users' passwords and their browser sessions. */

/**
 * A user's password for the web client (migration 0012). One per principal;
 * only users (never system programs) sign in with a password.
 */
export interface PasswordTable {
  principal_id: string;
  /** The sign-in name, lower case, unique over all customers. */
  username: string;
  /** `scrypt$N$r$p$<salt base64>$<hash base64>` (node:crypto scrypt). */
  hash: string;
  created_at: string;
  changed_at: string;
}

/**
 * A browser session. The cookie holds a random token; only its SHA-256 is
 * kept. `last_active_at` decides the idle lock (AUD-5: 10 minutes).
 */
export interface WebSessionTable {
  /** SHA-256 (hex) of the session token. */
  id_hash: string;
  principal_id: string;
  created_at: string;
  last_active_at: string;
  /** Set when the session locked after idling; cleared by the password. */
  locked_at: string | null;
  /** Set at sign-out; an ended session is never accepted again. */
  ended_at: string | null;
}

export interface PasswordTables {
  password: PasswordTable;
  web_session: WebSessionTable;
}
