/**
 * Reading a CPR extract / CPR Direct file (SPEC COD-5): fixed-width records
 * P12170-000…999, one per line, ISO-8859-1 (extract files) or Windows-1252
 * (CPR Direct online). Pure: bytes or text in, records out.
 *
 * The whole file is checked before anything is returned; every bad line is
 * reported with its line number and record type, and one bad line rejects
 * the file (CprExtractError). What is checked:
 * - the file begins with record 000 and ends with record 999, once each;
 * - every line is a known record type, no longer than its record (trailing
 *   spaces may be left out, as CPR's own demo files do), no control characters;
 * - numeric fields hold digits; person records carry a 10-digit PNR;
 * - dates are real dates: `yyyyMMddHHmm` and `yyyy-MM-dd`, all zeros or
 *   blank meaning "none"; a zero month or day means CPR knows only the year
 *   (or year and month), read as the 1st (e.g. `196100000000` = 1961-01-01);
 *   the time of day is not checked beyond being digits (CPR writes `99` for
 *   an unknown minute);
 * - uncertainty markers are blank or `*`; name markers blank, `*`, `+` or
 *   `=`; correction markers (ANNKOR) blank, `A`, `K` or `Æ`.
 */
import { formatDate, isValidDate, type CivilDate } from '../../domain/dates.ts';
import { recordLayout, sliceFields, type FieldLayout, type RecordLayout } from './layout.ts';

export type ExtractEncoding = 'latin1' | 'windows-1252' | 'utf8';

export interface ExtractIssue {
  /** 1-based line number in the file; 0 for the file as a whole. */
  line: number;
  /** The record type of the line (`001`), when it could be read. */
  recordType: string | null;
  field?: string;
  message: string;
}

/** A file that cannot be imported; `issues` has every bad line (up to a limit). */
export class CprExtractError extends Error {
  constructor(
    readonly code: string,
    readonly issues: ExtractIssue[],
  ) {
    super(describeIssues(issues));
    this.name = 'CprExtractError';
  }
}

const MAX_ISSUES = 50;

export function describeIssue(i: ExtractIssue): string {
  const where = i.line === 0 ? 'file' : `line ${i.line}${i.recordType ? ` (record ${i.recordType})` : ''}`;
  return `${where}${i.field ? `, ${i.field}` : ''}: ${i.message}`;
}

function describeIssues(issues: ExtractIssue[]): string {
  if (issues.length === 0) return 'The CPR extract is not valid.';
  const shown = issues.slice(0, 5).map(describeIssue).join('; ');
  return issues.length > 5 ? `${shown}; and ${issues.length - 5} more` : shown;
}

export interface CprRecord {
  /** 1-based line number. */
  line: number;
  /** Record type, e.g. `001`. */
  type: string;
  layout: RecordLayout;
  /** Raw field texts by field name (see layout.ts), padded to the field width. */
  fields: Readonly<Record<string, string>>;
  /** The line as read (without its line end); kept verbatim with the person (kept.ts). */
  raw: string;
}

export interface PersonRecords {
  pnr: string;
  /** The person's records in file order. */
  records: CprRecord[];
}

export interface ParsedExtract {
  start: CprRecord;
  end: CprRecord;
  /** Persons in order of first appearance. */
  persons: PersonRecords[];
  /** Records that are not about a person's data (910 error records, 997 receipts). */
  other: CprRecord[];
  /** Lines in the file, 000 and 999 included. */
  recordCount: number;
  /** Things that do not reject the file (e.g. a 999 count that differs). */
  warnings: ExtractIssue[];
}

// ── Decoding ─────────────────────────────────────────────────────────────────

/**
 * Bytes to text. ISO-8859-1 is read as Windows-1252 by default: the two agree
 * on every printable character, and Windows-1252 gives the bytes 0x80-0x9F
 * (C1 control characters in ISO-8859-1, never in CPR text) their typographic
 * meaning. A file that is valid UTF-8 with non-ASCII characters is refused
 * unless `utf8` is asked for: read as Latin-1 it would import as mojibake.
 */
export function decodeExtract(bytes: Uint8Array, encoding: ExtractEncoding = 'windows-1252'): string {
  if (encoding === 'utf8') return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  if (bytes.some((b) => b >= 0x80) && isUtf8(bytes)) {
    throw new CprExtractError('not_latin1', [
      {
        line: 0,
        recordType: null,
        message: 'the file is UTF-8 encoded; CPR extracts are ISO-8859-1 or Windows-1252 (convert it, or ask for UTF-8 explicitly)',
      },
    ]);
  }
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  if (encoding === 'latin1') return latin1;
  // Node's TextDecoder reads "windows-1252" as ISO-8859-1, so the 0x80-0x9F block is mapped here.
  return latin1.replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252[c.charCodeAt(0) - 0x80] || c);
}

/** Windows-1252 0x80-0x9F; '' where the code page leaves a byte undefined (it stays a control character). */
const WINDOWS_1252 = [
  '€', '', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '', 'Ž', '',
  '', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '', 'ž', 'Ÿ',
];

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

// ── Field values ─────────────────────────────────────────────────────────────

/** The field's text without surrounding spaces ('' when blank). */
export function text(rec: CprRecord, field: string): string {
  const v = rec.fields[field];
  if (v === undefined) throw new Error(`record ${rec.type} has no field ${field}`);
  return v.trim();
}

/** A person number field: ten digits, or null when blank or all zeros. */
export function pnrField(rec: CprRecord, field: string): string | null {
  const v = text(rec, field);
  return v === '' || /^0+$/.test(v) ? null : v;
}

/** A date field (any of the formats) as a civil date, or null for "none". */
export function dateField(rec: CprRecord, field: string): CivilDate | null {
  const f = rec.layout.field.get(field);
  if (!f?.dateFormat) throw new Error(`${rec.type}.${field} is not a date field`);
  const r = readDate(rec.fields[field]!, f);
  if (r === 'invalid') throw new Error(`${rec.type}.${field} was not validated`);
  return r;
}

/** True when the uncertainty marker field holds `*`. */
export function uncertain(rec: CprRecord, field: string): boolean {
  return text(rec, field) === '*';
}

const DATE_TIME_RE = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/;
const DATE_DASH_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_COMPACT_RE = /^(\d{4})(\d{2})(\d{2})$/;

/** null = none (blank or zeros); 'invalid' = not a date; else the civil date. */
function readDate(raw: string, f: FieldLayout): CivilDate | null | 'invalid' {
  const v = raw.trim();
  if (v === '' || /^[0-]+$/.test(v)) return null;
  const re = f.dateFormat === 'yyyy-MM-dd' ? DATE_DASH_RE : f.dateFormat === 'yyyyMMdd' ? DATE_COMPACT_RE : DATE_TIME_RE;
  const m = re.exec(v);
  if (!m) return 'invalid';
  const y = Number(m[1]);
  let mo = Number(m[2]);
  let d = Number(m[3]);
  if (y === 0) return 'invalid';
  // CPR writes 00 for an unknown month or day: read as the first.
  if (mo === 0) {
    if (d !== 0) return 'invalid';
    mo = 1;
  }
  if (d === 0) d = 1;
  return isValidDate(y, mo, d) ? formatDate(y, mo, d) : 'invalid';
}

// ── Lines ────────────────────────────────────────────────────────────────────

/** Record types that carry a person number at position 4 and belong to a person. */
const NOT_PERSON = new Set(['000', '999', '910']);
/** Records accepted but not person data. */
const OTHER = new Set(['910', '997']);

const isUncertaintyField = (f: FieldLayout) => f.length === 1 && /_UMRK/.test(f.danishName ?? '') && !/NVN_MRK/.test(f.danishName ?? '');
const isNameMarkerField = (f: FieldLayout) => f.length === 1 && /NVN_MRK$/.test(f.danishName ?? '');
const isCorrectionMarker = (f: FieldLayout) => f.danishName === 'ANNKOR';

const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;

function checkFields(rec: CprRecord, issues: ExtractIssue[]): void {
  const issue = (field: FieldLayout, message: string) =>
    issues.push({ line: rec.line, recordType: rec.type, field: field.danishName ?? field.name, message });
  for (const f of rec.layout.fields) {
    const raw = rec.fields[f.name]!;
    if (f.name === 'RecordType') continue;
    if (f.dateFormat) {
      if (readDate(raw, f) === 'invalid') issue(f, `"${raw.trim()}" is not a date ${f.dateFormat}`);
    } else if (isCorrectionMarker(f)) {
      if (!/^[ AKÆ]$/.test(raw)) issue(f, `correction marker "${raw}" is not blank, A, K or Æ`);
    } else if (isNameMarkerField(f)) {
      if (!/^[ *+=]$/.test(raw)) issue(f, `name marker "${raw}" is not blank, *, + or =`);
    } else if (isUncertaintyField(f)) {
      if (!/^[ *]$/.test(raw)) issue(f, `uncertainty marker "${raw}" is not blank or *`);
    } else if (f.format === 'Numeric') {
      if (!/^ *\d* *$/.test(raw)) issue(f, `"${raw.trim()}" is not a number`);
    }
  }
}

/**
 * Parses an extract (text, or bytes decoded with `decodeExtract`). Throws
 * CprExtractError listing the bad lines; returns only a wholly valid file.
 */
export function parseExtract(input: string | Uint8Array, opts: { encoding?: ExtractEncoding } = {}): ParsedExtract {
  const content = typeof input === 'string' ? input.replace(/^\uFEFF/, '') : decodeExtract(input, opts.encoding);
  const lines = content.split(/\r?\n/);
  while (lines.length && lines.at(-1) === '') lines.pop();
  const issues: ExtractIssue[] = [];
  const warnings: ExtractIssue[] = [];
  const records: CprRecord[] = [];

  lines.forEach((line, i) => {
    if (issues.length >= MAX_ISSUES) return;
    const n = i + 1;
    if (line.trim() === '') {
      issues.push({ line: n, recordType: null, message: 'empty line' });
      return;
    }
    const type = line.slice(0, 3);
    const layout = /^\d{3}$/.test(type) ? recordLayout(type) : undefined;
    if (!layout) {
      issues.push({
        line: n,
        recordType: /^\d{3}$/.test(type) ? type : null,
        message: /^\d{3}$/.test(type) ? `record type ${type} is not a CPR extract record` : `a line begins with its 3-digit record type, not "${type}"`,
      });
      return;
    }
    if (CONTROL_RE.test(line)) {
      issues.push({ line: n, recordType: type, message: 'control character in the line (wrong encoding?)' });
      return;
    }
    if (line.length > layout.length && line.slice(layout.length).trim() !== '') {
      issues.push({ line: n, recordType: type, message: `the line has ${line.length} characters; record ${type} has ${layout.length}` });
      return;
    }
    const rec: CprRecord = { line: n, type, layout, fields: sliceFields(layout, line), raw: line };
    checkFields(rec, issues);
    if (!NOT_PERSON.has(type) && !/^\d{10}$/.test(rec.fields.PNR ?? '')) {
      issues.push({ line: n, recordType: type, field: 'PNR', message: `"${(rec.fields.PNR ?? '').trim()}" is not a person number of ten digits` });
    }
    records.push(rec);
  });

  // Structure: 000 first, 999 last, once each.
  const first = records[0];
  const last = records.at(-1);
  if (issues.length === 0) {
    if (!first || first.type !== '000') {
      issues.push({ line: first?.line ?? 0, recordType: first?.type ?? null, message: 'the file must begin with the start record 000' });
    }
    if (!last || last.type !== '999') {
      issues.push({ line: last?.line ?? 0, recordType: last?.type ?? null, message: 'the file must end with the end record 999 (truncated file?)' });
    }
    for (const r of records) {
      if ((r.type === '000' && r !== first) || (r.type === '999' && r !== last)) {
        issues.push({ line: r.line, recordType: r.type, message: `record ${r.type} may appear only ${r.type === '000' ? 'first' : 'last'}` });
      }
    }
  }
  if (issues.length) throw new CprExtractError('invalid_file', issues);

  const end = last!;
  const counted = Number(end.fields.Counter!.trim());
  if (!Number.isInteger(counted) || counted !== records.length) {
    warnings.push({
      line: end.line,
      recordType: '999',
      field: 'TAELLER',
      message: `the end record counts ${end.fields.Counter!.trim() || 'nothing'}; the file has ${records.length} records`,
    });
  }

  const persons = new Map<string, PersonRecords>();
  const other: CprRecord[] = [];
  for (const r of records.slice(1, -1)) {
    if (OTHER.has(r.type)) {
      other.push(r);
      continue;
    }
    const pnr = r.fields.PNR!;
    let p = persons.get(pnr);
    if (!p) persons.set(pnr, (p = { pnr, records: [] }));
    p.records.push(r);
  }
  return { start: first!, end, persons: [...persons.values()], other, recordCount: records.length, warnings };
}
