/**
 * Record layouts of the CPR extract / CPR Direct format (SPEC COD-5): the
 * fixed-width records P12170-000…999, one record per line, each starting
 * with its 3-digit record type. The layouts are data (`layouts.json`),
 * generated from CPR Broker's Definitions.xml by scripts/build-cpr-layouts.ts
 * with the source's evident errors corrected (listed in the JSON); nothing
 * is read from outside the project at run time.
 *
 * Positions are 1-based as CPR writes them. Dates are `yyyyMMddHHmm`
 * (event times), `yyyy-MM-dd` (dates) or `yyyyMMdd` (records 000); a
 * one-character uncertainty marker (`*`) has its own field after a date.
 */
import layoutsJson from './layouts.json' with { type: 'json' };

export type FieldFormat = 'Alpha' | 'Numeric';
export type DateFormat = 'yyyyMMddHHmm' | 'yyyy-MM-dd' | 'yyyyMMdd';

export interface FieldLayout {
  /** CPR Broker's English field name; the key of a field in a parsed record. */
  readonly name: string;
  /** CPR's own field name (e.g. `STATUSHAENSTART`). */
  readonly danishName?: string;
  /** 1-based. */
  readonly position: number;
  readonly length: number;
  readonly format: FieldFormat;
  readonly dateFormat?: DateFormat;
  readonly description?: string;
}

export interface RecordLayout {
  /** The record type, 3 digits (`001`). */
  readonly code: string;
  /** `P12170` (person data) or `P12180` (relatives with addresses, 031-033). */
  readonly product: string;
  readonly name: string;
  readonly danishName: string;
  readonly description?: string;
  /** The full width of the record. */
  readonly length: number;
  readonly minOccurs?: number;
  readonly maxOccurs?: number;
  readonly fields: readonly FieldLayout[];
  readonly field: ReadonlyMap<string, FieldLayout>;
}

interface LayoutsFile {
  records: Array<Omit<RecordLayout, 'field'>>;
  corrections: Array<{ record: string; field: string; why: string }>;
}

const file = layoutsJson as unknown as LayoutsFile;

/** Every record type of the format, by code. */
export const RECORD_LAYOUTS: ReadonlyMap<string, RecordLayout> = new Map(
  file.records.map((r) => [r.code, Object.freeze({ ...r, field: new Map(r.fields.map((f) => [f.name, f])) })]),
);

/** The corrections made to the source layout (for the documentation). */
export const LAYOUT_CORRECTIONS: ReadonlyArray<{ record: string; field: string; why: string }> = file.corrections;

export function recordLayout(code: string): RecordLayout | undefined {
  return RECORD_LAYOUTS.get(code);
}

/** The layout of a record type the code relies on; throws for an unknown one (a programming error). */
export function layoutOf(code: string): RecordLayout {
  const l = RECORD_LAYOUTS.get(code);
  if (!l) throw new Error(`no layout for record type ${code}`);
  return l;
}

/** The raw text of each field of a line (padded with spaces to the record length). */
export function sliceFields(layout: RecordLayout, line: string): Record<string, string> {
  const padded = line.length < layout.length ? line.padEnd(layout.length, ' ') : line;
  const out: Record<string, string> = {};
  for (const f of layout.fields) out[f.name] = padded.slice(f.position - 1, f.position - 1 + f.length);
  return out;
}

/**
 * One record as a fixed-width line of the record's full length. Values are
 * given by field name; missing ones are blank (Alpha) or zeros (Numeric).
 * Alpha values are left-aligned and padded with spaces, Numeric values are
 * right-aligned and padded with zeros. A value longer than its field is a
 * programming error (callers cut text to the field width first).
 */
export function formatRecord(code: string, values: Readonly<Record<string, string | undefined>>): string {
  const layout = layoutOf(code);
  const chars: string[] = Array.from({ length: layout.length }, () => ' ');
  for (const f of layout.fields) {
    let v = f.name === 'RecordType' ? code : values[f.name];
    if (v === undefined) v = f.format === 'Numeric' && !f.dateFormat?.includes('-') ? '0'.repeat(f.length) : '';
    if ([...v].length > f.length) throw new RangeError(`${code}.${f.name}: "${v}" is longer than ${f.length} characters`);
    const cell = f.format === 'Numeric' && /^\d*$/.test(v) ? v.padStart(f.length, '0') : v.padEnd(f.length, ' ');
    [...cell].forEach((c, i) => (chars[f.position - 1 + i] = c));
  }
  for (const name of Object.keys(values)) {
    if (!layout.field.has(name)) throw new Error(`${code} has no field ${name}`);
  }
  return chars.join('');
}
