import { userInfo } from 'node:os';

/** The CLI's actor in the audit log: the operating-system user at the terminal. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli:unknown';
  }
}
