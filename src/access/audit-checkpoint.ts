/**
 * Signed checkpoints of the audit chain (AUD-3; issue 14, finding 10). A
 * keyed chain shows every edited, re-chained, reordered or deleted record
 * except the newest ones: cut off, what is left is still a valid chain. So the
 * process writing the log now and then states "record `id` had hash `hash`"
 * in a file outside the audit file, signed with the audit keyring
 * (HMAC-SHA-256). `audit verify` then finds a log whose records are fewer
 * than a checkpoint says (the newest deleted, or the log emptied), or whose
 * record at a checkpoint's id is another one (cut back and written on).
 *
 * The file has one JSON object a line: `{"format":
 * "opencpr.audit.checkpoint.v1", "key", "id", "hash", "at", "mac"}`, `mac` =
 * HMAC-SHA-256 (hex) with key `key` over the JSON array `[format, key, id,
 * hash, at]`. Appended, never rewritten; each line is written with one
 * `write` (O_APPEND: lines of several processes do not interleave) and
 * synced. A last line without its newline is one being written (or torn by a
 * crash): a reader skips it, and the next append starts a new line.
 */
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditKeyring } from './audit-key.ts';

const FORMAT = 'opencpr.audit.checkpoint.v1';

export interface Checkpoint {
  /** The record's id. */
  id: number;
  /** Its hash, as the writer wrote it. */
  hash: string;
  /** When the checkpoint was written (the writer's clock). */
  at: string;
  /** The key of the audit keyring that signed it. */
  key: string;
}

const signed = (c: Checkpoint) => JSON.stringify([FORMAT, c.key, c.id, c.hash, c.at]);

/**
 * Appends a checkpoint signed with the keyring's current key. Asynchronous
 * file I/O: the request thread serves on while the line is synced (the audit
 * writer thread exists so that no request waits for the disk).
 */
export async function appendCheckpoint(file: string, ring: AuditKeyring, c: Omit<Checkpoint, 'key'>): Promise<void> {
  const key = ring.currentId;
  if (key === undefined) throw new Error(`No audit key to sign a checkpoint with (${ring.file}).`);
  const full = { ...c, key };
  const line = JSON.stringify({ format: FORMAT, key, id: c.id, hash: c.hash, at: c.at, mac: ring.mac(key, signed(full)) }) + '\n';
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const fh = await open(file, 'a+', 0o600);
  try {
    const { size } = await fh.stat();
    const last = Buffer.alloc(1);
    const torn = size > 0 && (await fh.read(last, 0, 1, size - 1)).bytesRead === 1 && last[0] !== 0x0a;
    await fh.write(torn ? `\n${line}` : line);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export type CheckpointLine = { line: number; checkpoint: Checkpoint } | { line: number; id?: number; bad: string };

/**
 * The file's checkpoints in file order, each checked against the keyring;
 * none if the file does not exist. Read in chunks (the file grows by a line
 * every few seconds a writer is busy); the last line is skipped unless it
 * has its newline.
 */
export async function* readCheckpoints(file: string, ring: AuditKeyring): AsyncGenerator<CheckpointLine> {
  if (!existsSync(file)) return;
  let rest = '';
  let n = 0;
  for await (const chunk of createReadStream(file, 'utf8')) {
    const lines = (rest + (chunk as string)).split('\n');
    rest = lines.pop()!;
    for (const text of lines) {
      n += 1;
      if (text.trim() !== '') yield checkLine(n, text, ring);
    }
  }
}

function checkLine(line: number, text: string, ring: AuditKeyring): CheckpointLine {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { line, bad: 'is not JSON' };
  }
  const { key, id, hash, at, mac } = v;
  const claimed = Number.isSafeInteger(id) ? { id: id as number } : {};
  if (v.format !== FORMAT || typeof key !== 'string' || !Number.isSafeInteger(id) || typeof hash !== 'string' || typeof at !== 'string' || typeof mac !== 'string') {
    return { line, ...claimed, bad: `is not a checkpoint (${FORMAT})` };
  }
  const c: Checkpoint = { id: id as number, hash, at, key };
  if (!ring.has(key)) return { line, ...claimed, bad: `is signed with key "${key}", which the keyring ${ring.file} does not hold` };
  if (ring.mac(key, signed(c)) !== mac) return { line, ...claimed, bad: 'has a signature that does not match its content (forged or edited)' };
  return { line, checkpoint: c };
}
