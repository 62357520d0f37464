/**
 * Import of a population file (API-4; the format: schema.ts, docs/formats.md).
 *
 * All or nothing, for files of any size, without holding the file in memory:
 *
 * 1. Validation pass. The file is read line by line; every line is checked
 *    (JSON, the zod schema, the person number, every registration with the
 *    register's own validateChanges, registration order, annulment targets,
 *    numbers twice in the file or already in the register). Problems are
 *    collected with their line numbers; if there is any, nothing is written.
 *    The pass also hashes the file: the hash names the import job.
 * 2. Load. The file is read again and loaded in batches, each batch one
 *    transaction that also records the job's progress in `meta`. Persons
 *    without annulments go through the register's bulk loader (bulkLoad);
 *    persons with annulments are replayed here with the register's pure
 *    functions (applyChanges, applyAnnulment) and its projection code
 *    (projectionRows), one batch per transaction, because bulkLoad takes no
 *    annulments. If the load is interrupted (Ctrl-C, a crash, a lost
 *    connection) the store holds whole persons only, and importing the same
 *    file again validates it again and resumes after the last committed batch
 *    (same file, same hash, same job). The time the job started is kept with
 *    it, so registrations without `registeredAt` get the same time on resume.
 *    A file that was imported completely is reported as such and not loaded
 *    twice.
 *
 * What can still fail in the load is outside the file: the store going away,
 * or someone taking one of the file's numbers into the register between the
 * passes (the unique key refuses it; the job stays resumable).
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { dateOf, toInstant, type CivilDate, type Instant } from '../../domain/dates.ts';
import { checkPnr, normalisePnr } from '../../domain/pnr/pnr.ts';
import {
  applyAnnulment,
  applyChanges,
  registrationsInForce,
  type FactChange,
  type Registration,
  type Version,
} from '../../register/bitemporal.ts';
import { bulkLoad, type PersonLoad } from '../../register/load.ts';
import { insertVersions, projectionRows, type Register } from '../../register/register.ts';
import { readMeta, writeMeta } from '../../storage/meta.ts';
import { RegistrationError, validateChanges } from '../../register/validate.ts';
import {
  DEFAULT_AUTHORITY,
  defaultEventCode,
  describeIssue,
  headerSchema,
  issueCode,
  normaliseInstant,
  personLineSchema,
  type PopulationHeader,
} from './schema.ts';

/** What is wrong with a line. */
export interface PopulationProblem {
  /** 1-based line number in the file. */
  line: number;
  pnr?: string;
  /** Stable: invalid_json, invalid_header, invalid_line, unknown_field, invalid_date, unknown_group, invalid_value, pnr_malformed, pnr_suspicious, pnr_no_such_date, duplicate_pnr, pnr_in_use, registration_order, unknown_registration, cannot_annul_annulment, already_annulled, … (validateChanges' codes). */
  code: string;
  message: string;
}

export class PopulationImportError extends Error {
  constructor(
    /** invalid_file (see problems), file_changed, unreadable. */
    readonly code: string,
    message: string,
    readonly problems: PopulationProblem[] = [],
    /** More problems were found than are listed. */
    readonly more = false,
  ) {
    super(message);
    this.name = 'PopulationImportError';
  }
}

/** A registration as it will be written: defaults filled in, facts validated. */
export interface ImportedRegistration {
  registeredAt: Instant;
  authority: string;
  eventCode: string;
  documentation: string | null;
  late: boolean;
  /** 1-based position of the annulled registration in the person's list. */
  annuls: number | null;
  changes: FactChange[];
}

export interface ImportedPerson {
  pnr: string;
  registrations: ImportedRegistration[];
}

export interface PersonContext {
  /** The register's no-mod-11 dates (COD-2). */
  noMod11Dates: ReadonlySet<CivilDate>;
  /** Registrations without registeredAt get this time. */
  importTime: Instant;
}

type LineProblem = Omit<PopulationProblem, 'line'>;

/**
 * Checks one person line (already JSON-parsed) and fills in the defaults.
 * Pure. The checks are the register's: a registration that would be refused
 * by Register.register is refused here.
 */
export function checkPersonLine(raw: unknown, ctx: PersonContext): { person: ImportedPerson } | { problems: LineProblem[] } {
  const parsed = personLineSchema.safeParse(raw);
  const rawPnr = (raw as { pnr?: unknown } | null)?.pnr;
  const pnrGuess = typeof rawPnr === 'string' ? rawPnr : undefined;
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.slice(0, 5).map((i) => ({ ...(pnrGuess && { pnr: pnrGuess }), code: issueCode(i), message: describeIssue(i) })),
    };
  }
  const problems: LineProblem[] = [];
  const check = checkPnr(parsed.data.pnr, ctx.noMod11Dates);
  if (check.kind !== 'valid') return { problems: [{ pnr: parsed.data.pnr, code: `pnr_${check.kind}`, message: `pnr: ${check.message}` }] };
  const pnr = check.pnr;
  const regs: ImportedRegistration[] = [];
  const annulledBy = new Map<number, number>();
  parsed.data.registrations.forEach((r, i) => {
    const n = i + 1;
    const where = `registration ${n}`;
    const add = (code: string, message: string) => problems.push({ pnr, code, message: `${where}: ${message}` });
    const registeredAt = r.registeredAt ?? ctx.importTime;
    const prev = regs[regs.length - 1];
    if (prev && registeredAt < prev.registeredAt) {
      add(
        'registration_order',
        `registeredAt ${registeredAt} is before registration ${n - 1}'s (${prev.registeredAt}); list a person's registrations in the order they were registered.`,
      );
    }
    let annuls: number | null = null;
    let annulled: ImportedRegistration | undefined;
    if (r.annuls != null) {
      annuls = r.annuls;
      annulled = regs[annuls - 1];
      if (annuls >= n || !annulled) add('unknown_registration', `annuls ${annuls}: only an earlier registration of the same person can be annulled.`);
      else if (annulled.annuls !== null) add('cannot_annul_annulment', `annuls ${annuls}: an annulment cannot itself be annulled.`);
      else if (annulledBy.has(annuls)) add('already_annulled', `annuls ${annuls}: registration ${annuls} was already annulled by registration ${annulledBy.get(annuls)}.`);
      else annulledBy.set(annuls, n);
    }
    let changes: FactChange[] = [];
    if (annuls === null) {
      try {
        changes = validateChanges(r.changes);
      } catch (e) {
        if (!(e instanceof RegistrationError)) throw e;
        add(e.code, e.message);
      }
    }
    regs.push({
      registeredAt,
      authority: r.authority ?? DEFAULT_AUTHORITY,
      eventCode: r.eventCode ?? defaultEventCode(r.changes ?? [], annulled),
      documentation: r.documentation ?? null,
      late: r.late ?? false,
      annuls,
      changes,
    });
  });
  return problems.length ? { problems } : { person: { pnr, registrations: regs } };
}

// ── Reading ─────────────────────────────────────────────────────────────────

/** A line longer than this is refused (memory stays bounded whatever the file). */
const MAX_LINE_CHARS = 64 * 1024 * 1024;
const CHUNK_BYTES = 1 << 20;

/**
 * The lines of a file, read synchronously in 1 MiB chunks (so that the
 * bulk loader, which takes an Iterable, can pull persons as it goes).
 * Line numbers are 1-based; `\r\n` and a leading byte-order mark are accepted.
 */
export function* readLines(file: string, hash?: Hash): Generator<{ n: number; text: string }> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new PopulationImportError('unreadable', `Cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    const decoder = new StringDecoder('utf8');
    let rest = '';
    let n = 0;
    const clean = (s: string) => {
      if (n === 1 && s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      return s.endsWith('\r') ? s.slice(0, -1) : s;
    };
    for (;;) {
      const got = readSync(fd, buf, 0, buf.length, null);
      if (got === 0) break;
      hash?.update(buf.subarray(0, got));
      rest += decoder.write(buf.subarray(0, got));
      let start = 0;
      let i: number;
      while ((i = rest.indexOf('\n', start)) !== -1) {
        n++;
        yield { n, text: clean(rest.slice(start, i)) };
        start = i + 1;
      }
      rest = rest.slice(start);
      if (rest.length > MAX_LINE_CHARS) throw new PopulationImportError('invalid_file', `Line ${n + 1} is longer than ${MAX_LINE_CHARS} characters.`);
    }
    rest += decoder.end();
    if (rest.length) {
      n++;
      yield { n, text: clean(rest) };
    }
  } finally {
    closeSync(fd);
  }
}

type Item =
  | { kind: 'header'; line: number; header: PopulationHeader }
  | { kind: 'person'; line: number; person: ImportedPerson }
  | { kind: 'problems'; line: number; problems: LineProblem[]; fatal?: boolean };

/** The file as items: the header, then each person or what is wrong with the line. Blank lines are skipped. */
function* items(file: string, ctx: PersonContext, hash?: Hash): Generator<Item> {
  let first = true;
  for (const { n, text } of readLines(file, hash)) {
    if (first) {
      first = false;
      const header = parseJson(text);
      if ('error' in header) {
        yield { kind: 'problems', line: n, fatal: true, problems: [{ code: 'invalid_header', message: `the first line must be the header: ${header.error}` }] };
        return;
      }
      const h = headerSchema.safeParse(header.value);
      if (!h.success) {
        // Not a header at all: say that, not what else is wrong with the line.
        const format = h.error.issues.filter((i) => i.path[0] === 'format');
        const issues = format.length ? format : h.error.issues.slice(0, 3);
        yield { kind: 'problems', line: n, fatal: true, problems: issues.map((i) => ({ code: issueCode(i), message: describeIssue(i) })) };
        return;
      }
      yield { kind: 'header', line: n, header: h.data };
      continue;
    }
    if (text.trim() === '') continue;
    const json = parseJson(text);
    if ('error' in json) {
      yield { kind: 'problems', line: n, problems: [{ code: 'invalid_json', message: json.error }] };
      continue;
    }
    const r = checkPersonLine(json.value, ctx);
    yield 'person' in r ? { kind: 'person', line: n, person: r.person } : { kind: 'problems', line: n, problems: r.problems };
  }
  if (first) yield { kind: 'problems', line: 1, fatal: true, problems: [{ code: 'invalid_header', message: 'the file is empty; the first line must be the header' }] };
}

function parseJson(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    return { error: `not a JSON object (${(e as Error).message})` };
  }
}

const hasAnnulment = (p: ImportedPerson) => p.registrations.some((r) => r.annuls !== null);

// ── Validation pass ─────────────────────────────────────────────────────────

export interface ImportProgress {
  phase: 'validate' | 'load';
  /** Persons checked (validate) or in the store (load, including those of an earlier, interrupted run). */
  done: number;
  total?: number;
}

export interface ValidateOptions {
  /** How many problems to list before giving up (default 20). */
  maxProblems?: number;
  onProgress?: (p: ImportProgress) => void;
}

export interface ValidationReport {
  /** Names the import job: the file's hash. */
  jobId: string;
  sha256: string;
  header: PopulationHeader | null;
  persons: number;
  registrations: number;
  /** Persons with at least one annulment (loaded by the replay, not the bulk loader). */
  personsWithAnnulments: number;
  problems: PopulationProblem[];
  more: boolean;
  /** The state of this file's job in this register, if it was started before. */
  job: JobState | null;
}

/** Kept in `meta` under the job id. */
export interface JobState {
  /** When the job first started: the registration time of registrations without one. */
  importTime: Instant;
  persons: number;
  registrations: number;
  /** Persons with annulments loaded so far. */
  replayed: number;
  complete: boolean;
}

const EXISTS_BATCH = 1000;

/** Checks a whole file against the register without writing anything. */
export async function validatePopulation(register: Register, file: string, opts: ValidateOptions = {}): Promise<ValidationReport> {
  const max = opts.maxProblems ?? 20;
  const ctx: PersonContext = { noMod11Dates: await register.noMod11Dates(), importTime: toInstant(register.clock.now()) };
  const hash = createHash('sha256');
  const problems: PopulationProblem[] = [];
  let more = false;
  const problem = (p: PopulationProblem) => {
    if (problems.length < max) problems.push(p);
    else more = true;
  };
  // Numbers already in the register: problems unless this file's job is being resumed (decided at the end, when the hash is known).
  const inRegister: PopulationProblem[] = [];
  let inRegisterMore = false;
  let header: PopulationHeader | null = null;
  let persons = 0;
  let registrations = 0;
  let withAnnulments = 0;
  const seen = new PnrSet();
  let pending: Array<{ pnr: string; line: number }> = [];
  const checkPending = async () => {
    if (!pending.length) return;
    const found = new Set(
      (await register.store.db.selectFrom('person_number').select('pnr').where('pnr', 'in', pending.map((p) => p.pnr)).execute()).map((r) => r.pnr),
    );
    for (const p of pending) {
      if (!found.has(p.pnr)) continue;
      if (inRegister.length < max) inRegister.push({ line: p.line, pnr: p.pnr, code: 'pnr_in_use', message: `${p.pnr} is already in the register.` });
      else inRegisterMore = true;
    }
    pending = [];
  };

  let complete = true;
  for (const item of items(file, ctx, hash)) {
    if (item.kind === 'header') {
      header = item.header;
      continue;
    }
    if (item.kind === 'problems') {
      for (const p of item.problems) problem({ line: item.line, ...p });
      if (item.fatal) {
        complete = false;
        break;
      }
      if (more) {
        // Enough to act on; the rest of the file is not read.
        complete = false;
        break;
      }
      continue;
    }
    const p = item.person;
    persons++;
    registrations += p.registrations.length;
    if (hasAnnulment(p)) withAnnulments++;
    if (!seen.add(p.pnr)) problem({ line: item.line, pnr: p.pnr, code: 'duplicate_pnr', message: `${p.pnr} appears twice in the file.` });
    pending.push({ pnr: p.pnr, line: item.line });
    if (pending.length >= EXISTS_BATCH) {
      await checkPending();
      opts.onProgress?.({ phase: 'validate', done: persons });
    }
  }
  await checkPending();
  opts.onProgress?.({ phase: 'validate', done: persons });
  const sha256 = hash.digest('hex');
  const jobId = `population:${sha256.slice(0, 16)}`;
  const job = complete ? await readJob(register, jobId) : null;
  if (!job) {
    for (const p of inRegister) problem(p);
    if (inRegisterMore) more = true;
    problems.sort((a, b) => a.line - b.line);
  }
  return { jobId, sha256: complete ? sha256 : '', header, persons, registrations, personsWithAnnulments: withAnnulments, problems, more, job };
}

/** Person numbers seen, as a bit per serial number under each birth date: at most ~45 MB, whatever the file holds. */
class PnrSet {
  readonly #dates = new Map<string, Uint8Array>();
  /** False when already there. */
  add(pnr: string): boolean {
    const date = pnr.slice(0, 6);
    const serial = Number(pnr.slice(6));
    let bits = this.#dates.get(date);
    if (!bits) this.#dates.set(date, (bits = new Uint8Array(1250)));
    const mask = 1 << (serial & 7);
    if (bits[serial >> 3]! & mask) return false;
    bits[serial >> 3]! |= mask;
    return true;
  }
}

async function readJob(register: Register, jobId: string): Promise<JobState | null> {
  const value = await readMeta(register.store.db, jobId);
  return value ? (JSON.parse(value) as JobState) : null;
}

async function writeJob(db: Register['store']['db'], jobId: string, state: JobState): Promise<void> {
  await writeMeta(db, jobId, JSON.stringify(state));
}

// ── Load ────────────────────────────────────────────────────────────────────

function fileStamp(file: string): string {
  try {
    const st = statSync(file);
    return `${st.size}:${st.mtimeMs}`;
  } catch (e) {
    throw new PopulationImportError('unreadable', `Cannot read ${file}: ${(e as Error).message}`);
  }
}

export interface ImportOptions extends ValidateOptions {
  /** Persons per transaction (default 1000). */
  batchSize?: number;
  /** Checked between batches: when it says stop, the import ends after the batch in hand (resumable). */
  shouldStop?: () => boolean;
}

export interface ImportResult {
  jobId: string;
  sha256: string;
  persons: number;
  registrations: number;
  /** Persons written by this run. */
  loaded: number;
  /** Persons an earlier, interrupted run of the same job had written. */
  resumedAfter: number;
  stopped: boolean;
  /** The file had been imported completely before; nothing was written. */
  alreadyImported: boolean;
  /** The registration time given to registrations without one. */
  importTime: Instant;
}

/**
 * Imports a population file: validates all of it, then loads it (see the
 * module comment). Throws PopulationImportError with the problems, line by
 * line, when the file is not valid; nothing is written then.
 */
export async function importPopulation(register: Register, file: string, opts: ImportOptions = {}): Promise<ImportResult> {
  const stamp = fileStamp(file);
  const report = await validatePopulation(register, file, opts);
  if (report.problems.length) {
    const n = report.problems.length;
    throw new PopulationImportError(
      'invalid_file',
      `${file} is not a valid population file (${n}${report.more ? '+' : ''} problem${n === 1 && !report.more ? '' : 's'}); nothing was imported. ` +
        report.problems.map((p) => `line ${p.line}: ${p.message}`).join(' '),
      report.problems,
      report.more,
    );
  }
  if (fileStamp(file) !== stamp) throw new PopulationImportError('file_changed', `${file} changed while it was being validated; nothing was imported.`);
  const { jobId, sha256, persons, registrations } = report;
  const result = (state: JobState, loaded: number, resumedAfter: number, stopped: boolean, alreadyImported = false): ImportResult => ({
    jobId,
    sha256,
    persons,
    registrations,
    loaded,
    resumedAfter,
    stopped,
    alreadyImported,
    importTime: state.importTime,
  });
  if (report.job?.complete) return result(report.job, 0, report.job.persons, false, true);
  let state: JobState;
  if (report.job) {
    state = report.job;
  } else {
    state = { importTime: toInstant(register.clock.now()), persons, registrations, replayed: 0, complete: false };
    await writeJob(register.store.db, jobId, state);
  }
  const ctx: PersonContext = { noMod11Dates: await register.noMod11Dates(), importTime: state.importTime };
  const batchSize = opts.batchSize ?? 1000;
  const plainTotal = persons - report.personsWithAnnulments;
  let plainDone = 0;
  let plainBefore = 0;
  const progress = () => opts.onProgress?.({ phase: 'load', done: plainDone + state.replayed, total: persons });

  // 1. Persons without annulments: the bulk loader (its own progress record, `load:<job>`).
  const plainKey = await register.store.db.selectFrom('meta').select('value').where('key', '=', `load:${jobId}`).executeTakeFirst();
  if (plainKey && Number(plainKey.value) >= plainTotal) plainDone = plainBefore = plainTotal;
  else if (plainTotal > 0) {
    const res = await bulkLoad(register, plainPersons(file, ctx), {
      jobId,
      batchSize,
      shouldStop: opts.shouldStop,
      onProgress: (done) => {
        plainDone = done;
        progress();
      },
    });
    plainDone = res.done;
    plainBefore = res.skipped;
    const annulmentsLeft = report.personsWithAnnulments > state.replayed;
    if (res.stopped && (plainDone < plainTotal || annulmentsLeft)) return result(state, plainDone - plainBefore, plainBefore + state.replayed, true);
  }

  // 2. Persons with annulments: replayed here, a batch per transaction with the job's progress.
  const replayedBefore = state.replayed;
  let stopped = false;
  if (report.personsWithAnnulments > state.replayed) {
    const today = dateOf(register.clock.now());
    let index = 0;
    let batch: ImportedPerson[] = [];
    const flush = async () => {
      const next: JobState = { ...state, replayed: state.replayed + batch.length };
      await register.store.db.transaction().execute(async (tx) => {
        for (const p of batch) await replayPerson(tx, p, ctx, today);
        await writeJob(tx, jobId, next);
      });
      state = next;
      batch = [];
      progress();
    };
    for (const p of annulledPersons(file, ctx)) {
      if (index++ < state.replayed) continue;
      batch.push(p);
      if (batch.length >= batchSize) {
        await flush();
        if (opts.shouldStop?.() && state.replayed < report.personsWithAnnulments) {
          stopped = true;
          break;
        }
      }
    }
    if (!stopped && batch.length) await flush();
  }
  const loaded = plainDone - plainBefore + state.replayed - replayedBefore;
  if (stopped) return result(state, loaded, plainBefore + replayedBefore, true);

  state = { ...state, complete: true };
  await writeJob(register.store.db, jobId, state);
  return result(state, loaded, plainBefore + replayedBefore, false);
}

/**
 * The load pass reads the file the validation pass accepted (same size and
 * modification time, checked before the load). Persons with annulments are
 * checked again in full (their facts are written here); the others go to the
 * bulk loader with their defaults filled in and their facts as written,
 * because the bulk loader validates every fact itself — checking them twice
 * more would make the import half again as slow.
 */
type LoadItem = { kind: 'plain'; person: PersonLoad } | { kind: 'replay'; person: ImportedPerson };

function* loadItems(file: string, ctx: PersonContext): Generator<LoadItem> {
  for (const { n, text } of readLines(file)) {
    if (n === 1 || text.trim() === '') continue;
    const changed = (why: string) =>
      new PopulationImportError('file_changed', `${file} changed while it was being imported (line ${n}: ${why}); import the original file again to resume.`);
    let raw: RawPerson;
    try {
      raw = JSON.parse(text) as RawPerson;
    } catch (e) {
      throw changed((e as Error).message);
    }
    if (!Array.isArray(raw?.registrations)) throw changed('no registrations');
    if (raw.registrations.some((r) => r?.annuls != null)) {
      const r = checkPersonLine(raw, ctx);
      if ('problems' in r) throw changed(r.problems[0]?.message ?? 'invalid');
      yield { kind: 'replay', person: r.person };
      continue;
    }
    yield {
      kind: 'plain',
      person: {
        pnr: normalisePnr(String(raw.pnr)) ?? String(raw.pnr),
        source: 'imported',
        registrations: raw.registrations.map((r) => {
          const registeredAt = r.registeredAt === undefined ? ctx.importTime : normaliseInstant(String(r.registeredAt));
          if (!registeredAt) throw changed(`registeredAt ${JSON.stringify(r.registeredAt)}`);
          const changes = r.changes ?? [];
          return {
            registeredAt,
            authority: r.authority ?? DEFAULT_AUTHORITY,
            eventCode: r.eventCode ?? defaultEventCode(changes),
            documentation: r.documentation ?? null,
            late: r.late ?? false,
            changes,
          };
        }),
      },
    };
  }
}

/** A person line as JSON, trusted to have passed validation. */
interface RawPerson {
  pnr: unknown;
  registrations: Array<{
    registeredAt?: string;
    authority?: string;
    eventCode?: string;
    documentation?: string | null;
    late?: boolean;
    annuls?: number | null;
    changes?: Array<{ group: string; key?: string; validFrom: string; validTo?: string | null; value: unknown }>;
  }>;
}

function* plainPersons(file: string, ctx: PersonContext): Generator<PersonLoad> {
  for (const item of loadItems(file, ctx)) if (item.kind === 'plain') yield item.person;
}

function* annulledPersons(file: string, ctx: PersonContext): Generator<ImportedPerson> {
  for (const item of loadItems(file, ctx)) if (item.kind === 'replay') yield item.person;
}

type Db = Register['store']['db'];

/**
 * Writes one person with annulments the way Register.register would have,
 * registration by registration: the log rows (an annulment names the new
 * sequence number of the registration it annuls), the versions from
 * applyChanges / applyAnnulment over the registrations in force, and the
 * projections from projectionRows.
 */
async function replayPerson(tx: Db, p: ImportedPerson, ctx: PersonContext, today: CivilDate): Promise<void> {
  const check = checkPnr(p.pnr, ctx.noMod11Dates);
  if (check.kind !== 'valid') throw new RegistrationError(`pnr_${check.kind}`, `${p.pnr}: ${check.message}`);
  await tx
    .insertInto('person_number')
    .values({
      pnr: check.pnr,
      birth_date: check.birthDate,
      sex: check.sex,
      rule: check.rule,
      source: 'imported',
      created_at: p.registrations[0]?.registeredAt ?? new Date(0).toISOString(),
    })
    .execute();
  const all: Registration[] = [];
  let versions: Version[] = [];
  for (const r of p.registrations) {
    const annuls = r.annuls === null ? null : all[r.annuls - 1]!.seq;
    const row = await tx
      .insertInto('registration')
      .values({
        pnr: check.pnr,
        registered_at: r.registeredAt,
        authority: r.authority,
        event_code: r.eventCode,
        documentation: r.documentation,
        late: r.late ? 1 : 0,
        annuls,
        changes: JSON.stringify(r.changes),
      })
      .returning('seq')
      .executeTakeFirstOrThrow();
    const reg: Registration = { seq: Number(row.seq), pnr: check.pnr, ...r, annuls };
    all.push(reg);
    versions =
      annuls === null ? applyChanges(versions, reg.changes, reg.registeredAt, reg.seq) : applyAnnulment(versions, registrationsInForce(all), reg.registeredAt);
  }
  const last = all[all.length - 1];
  if (!last) return;
  const rows = projectionRows(check.pnr, versions, today, last);
  await tx.insertInto('person_history').values(rows.history).execute();
  await insertVersions(tx, rows.versions);
  await tx.insertInto('person_current').values(rows.current).execute();
  if (rows.residence.length) await tx.insertInto('residence').values(rows.residence).execute();
}
