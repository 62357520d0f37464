import { createHash } from 'node:crypto';

/**
 * Text helpers of the reference registers (pure): the folded keys addresses
 * are looked up by, and a small CSV reader that keeps line numbers.
 */

/**
 * A road name folded for lookups: lower case, letters and digits only (spaces,
 * dots, hyphens and apostrophes dropped), accents dropped except on å
 * ("H.C. Andersens Boulevard" = "hc andersens boulevard", "Allé" = "Alle").
 */
export function roadKey(name: string): string {
  let out = '';
  for (const ch of name.toLowerCase().normalize('NFC')) {
    const c = ch === 'å' ? ch : ch.normalize('NFKD').replace(/\p{M}+/gu, '');
    out += c.replace(/[^\p{L}\p{N}]/gu, '');
  }
  return out;
}

/** A house number normalised: no spaces, upper case, no leading zeros ("011 a" → "11A"). */
export function houseKey(houseNumber: string): string {
  return houseNumber.replace(/\s+/g, '').toUpperCase().replace(/^0+(?=\d)/, '');
}

/** DAR's husnummertekst: 1-999 and an optional capital letter. */
export const HOUSE_NUMBER_RE = /^[1-9]\d{0,2}[A-Z]?$/;

/**
 * A floor (etagebetegnelse) in DAR's form: `st`, `kl`, `k1`…`k9`, `1`…`99`;
 * '' for none. Accepts what people write: "St.", "stuen", "1.", "kælder".
 */
export function floorKey(floor: string | null | undefined): string {
  const f = (floor ?? '').trim().toLowerCase().replace(/[\s.]+/g, '');
  if (f === 'stuen' || f === 'stue') return 'st';
  if (f === 'kælder' || f === 'kaelder' || f === 'k') return 'kl';
  if (/^\d+$/.test(f)) return String(Number(f));
  return f;
}

export const FLOOR_RE = /^(st|kl|k[1-9]|[1-9]\d?|0)$/;

/** A door (dørbetegnelse) in DAR's form: lower case, no spaces or dots ("Th." → "th"); '' for none. */
export function doorKey(door: string | null | undefined): string {
  return (door ?? '').trim().toLowerCase().replace(/[\s.]+/g, '');
}

/** DAR: `th`, `tv`, `mf`, or 1-4 letters, digits, `-` and `/`. */
export const DOOR_RE = /^[a-zæøå0-9/-]{1,4}$/;

/** A UUID in the 8-4-4-4-12 form (DAR ids; the 2015 ids are legacy AWS ids of that form), lower-cased. */
export function uuid(value: string): string | null {
  const v = value.trim().toLowerCase();
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v) ? v : null;
}

export interface CsvRecord {
  /** The physical line the record starts on (the header is line 1). */
  line: number;
  values: string[];
}

/**
 * Reads CSV (RFC 4180: `,` separated, `"` quoted, `""` an escaped quote,
 * CRLF or LF line ends, a UTF-8 BOM ignored). Empty lines are skipped. A
 * quote that is never closed is an error at the line it opened on.
 */
export function parseCsv(text: string): CsvRecord[] {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const out: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  while (i < s.length) {
    const start = line;
    const values: string[] = [];
    let field = '';
    let quoted = false;
    let end = false;
    while (!end) {
      if (i >= s.length) {
        if (quoted) throw new CsvSyntaxError(start, 'a quoted field is not closed');
        values.push(field);
        break;
      }
      const ch = s[i]!;
      if (quoted) {
        if (ch === '"') {
          if (s[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            quoted = false;
            i++;
          }
        } else {
          if (ch === '\n') line++;
          field += ch;
          i++;
        }
      } else if (ch === '"' && field === '') {
        quoted = true;
        i++;
      } else if (ch === ',') {
        values.push(field);
        field = '';
        i++;
      } else if (ch === '\n' || ch === '\r') {
        values.push(field);
        i += ch === '\r' && s[i + 1] === '\n' ? 2 : 1;
        line++;
        end = true;
      } else {
        field += ch;
        i++;
      }
    }
    if (!(values.length === 1 && values[0] === '')) out.push({ line: start, values });
  }
  return out;
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

/** A stable UUID-shaped id made from a text (SHA-1, laid out like a version-5 UUID). */
export function stableId(text: string): string {
  const h = createHash('sha1').update(text).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
