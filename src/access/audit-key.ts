/**
 * The audit keyring (AUD-3; issue 14, finding 10): the secret keys the audit
 * records and checkpoints are made with (HMAC-SHA-256). An unkeyed hash chain
 * can be recomputed by anyone who can write the database; a keyed one only by
 * someone who also holds the key, which lives in a file outside the store.
 *
 * The file is JSON, `{"format": "opencpr.audit-keyring.v1", "current": id,
 * "keys": [{"id", "secret" (base64, 32 bytes), "created"}]}`, mode 0600.
 * Records name the key they were made with, so a key is rotated by adding a
 * new one and making it current (`rotateAuditKey`); the old keys stay in the
 * file to verify the records made with them (docs/operations.md).
 *
 * Where: `OPENCPR_AUDIT_KEY_FILE`, else beside an SQLite store
 * (`<store>-audit.key`), else for PostgreSQL `.opencpr/audit.key` in the
 * working directory. A writer creates the file on first use, so a new store
 * (and every test store) needs no set-up.
 */
import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Clock } from '../domain/clock.ts';
import { dateOf } from '../domain/dates.ts';

const FORMAT = 'opencpr.audit-keyring.v1';
const ID_RE = /^[A-Za-z0-9._-]{1,40}$/;

interface KeyFileKey {
  id: string;
  secret: string;
  created: string;
}
interface KeyFile {
  format: typeof FORMAT;
  current: string;
  keys: KeyFileKey[];
}

export class AuditKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditKeyError';
  }
}

/** Where the audit files of a store live when the environment names none. */
export function defaultAuditFiles(location: string): { keyFile: string; checkpointFile: string } {
  if (!/^postgres(ql)?:\/\//.test(location)) {
    const file = resolve(location.replace(/^sqlite:/, ''));
    return { keyFile: `${file}-audit.key`, checkpointFile: `${file}-audit.checkpoints` };
  }
  // One checkpoint file per database (several may share a working directory), one key for all of them.
  const url = new URL(location);
  const name = `${url.hostname}_${url.port || '5432'}_${decodeURIComponent(url.pathname.slice(1)) || 'postgres'}`.replace(/[^A-Za-z0-9._-]/g, '_');
  const dir = resolve('.opencpr');
  return { keyFile: join(dir, 'audit.key'), checkpointFile: join(dir, `audit-${name}.checkpoints`) };
}

/** The key file and checkpoint file of a store, the environment's choice first. */
export function auditFilesOf(location: string): { keyFile: string; checkpointFile: string } {
  const d = defaultAuditFiles(location);
  return {
    keyFile: process.env.OPENCPR_AUDIT_KEY_FILE || d.keyFile,
    checkpointFile: process.env.OPENCPR_AUDIT_CHECKPOINT_FILE || d.checkpointFile,
  };
}

export class AuditKeyring {
  private constructor(
    readonly file: string,
    /** The key new records and checkpoints are made with; undefined: the file does not exist (verify only). */
    readonly currentId: string | undefined,
    private readonly keys: ReadonlyMap<string, KeyObject>,
  ) {}

  /**
   * The keyring in `file`. With `create`, a missing file is made with one
   * fresh key (safe against another process doing the same: the first file
   * linked into place wins and both use it). Without, a missing file is an
   * empty keyring: every keyed record then names an unknown key.
   */
  static open(file: string, options: { create: boolean; clock: Clock }): AuditKeyring {
    if (!existsSync(file)) {
      if (!options.create) return new AuditKeyring(file, undefined, new Map());
      const key = newKey(options.clock);
      writeKeyFile(file, { format: FORMAT, current: key.id, keys: [key] }, false);
    }
    return AuditKeyring.#read(file);
  }

  static #read(file: string): AuditKeyring {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new AuditKeyError(`The audit key file ${file} cannot be read: ${(e as Error).message}`);
    }
    const f = parsed as Partial<KeyFile> | null;
    if (!f || f.format !== FORMAT || !Array.isArray(f.keys) || typeof f.current !== 'string') {
      throw new AuditKeyError(`The audit key file ${file} is not an OpenCPR audit keyring (${FORMAT}).`);
    }
    const keys = new Map<string, KeyObject>();
    for (const k of f.keys) {
      const secret = typeof k?.secret === 'string' ? Buffer.from(k.secret, 'base64') : Buffer.alloc(0);
      if (typeof k?.id !== 'string' || !ID_RE.test(k.id) || secret.length < 32 || keys.has(k.id)) {
        throw new AuditKeyError(`The audit key file ${file} has a bad key entry (ids are unique, secrets at least 32 bytes, base64).`);
      }
      keys.set(k.id, createSecretKey(secret));
    }
    if (!keys.has(f.current)) throw new AuditKeyError(`The audit key file ${file} names current key "${f.current}", which it does not hold.`);
    warnIfOpen(file);
    return new AuditKeyring(file, f.current, keys);
  }

  has(id: string): boolean {
    return this.keys.has(id);
  }

  /** HMAC-SHA-256 (hex) of `text` with key `id`; undefined if the keyring does not hold it. */
  mac(id: string, text: string): string | undefined {
    const key = this.keys.get(id);
    return key && createHmac('sha256', key).update(text).digest('hex');
  }
}

/**
 * Adds a new key to the file and makes it current; returns its id. The old
 * keys stay (records made with them must keep verifying). Processes that have
 * the keyring open go on with the key they loaded until they restart.
 */
export function rotateAuditKey(file: string, clock: Clock): string {
  if (!existsSync(file)) throw new AuditKeyError(`There is no audit key file at ${file} to rotate.`);
  AuditKeyring.open(file, { create: false, clock }); // validates
  const f = JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
  let key = newKey(clock);
  while (f.keys.some((k) => k.id === key.id)) key = newKey(clock);
  writeKeyFile(file, { ...f, current: key.id, keys: [...f.keys, key] }, true);
  return key.id;
}

/** A fresh key; its id carries the day it was made and is random, so that two keyrings never share an id. */
function newKey(clock: Clock): KeyFileKey {
  const created = clock.now().toISOString();
  return { id: `k${dateOf(created).replaceAll('-', '')}-${randomBytes(3).toString('hex')}`, secret: randomBytes(32).toString('base64'), created };
}

/** Written whole to a temporary file (mode 0600) and then moved into place: never read half-written. */
function writeKeyFile(file: string, content: KeyFile, replace: boolean): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, JSON.stringify(content, null, 2) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    if (replace) renameSync(tmp, file);
    else {
      try {
        linkSync(tmp, file); // fails if another process made the file first: theirs is used
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
  } finally {
    rmSync(tmp, { force: true });
  }
}

const warned = new Set<string>();
function warnIfOpen(file: string): void {
  if (process.platform === 'win32' || warned.has(file)) return;
  if ((statSync(file).mode & 0o077) !== 0) {
    warned.add(file);
    process.emitWarning(`The audit key file ${file} can be read by other users; make it mode 0600 (docs/operations.md).`);
  }
}
