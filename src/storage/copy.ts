/**
 * PostgreSQL COPY ... FROM STDIN for bulk loads (issue 3: "COPY on
 * PostgreSQL"): rows go over the wire in COPY's text format, one stream per
 * table, inside the caller's transaction. pg-copy-streams speaks the
 * protocol; the text format's escaping is this module's (the library takes
 * bytes, not rows).
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export type Cell = string | number | null;

/** Rows per chunk handed to the stream: large enough to amortise, small enough to keep memory flat. */
const ROWS_PER_CHUNK = 1000;

// COPY text format: backslash, tab, newline and carriage return are escaped; \N is NULL.
const SPECIALS = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One cell in COPY's text format. */
export function copyText(cell: Cell): string {
  if (cell === null) return '\\N';
  if (typeof cell === 'number') {
    // Keys reach 6.6e14 (pnr × 65,536); anything not an integer-safe plain number would be written wrongly.
    if (!Number.isSafeInteger(cell)) throw new RangeError(`COPY: ${cell} is not a safe integer.`);
    return String(cell);
  }
  return cell.replace(SPECIALS, (c) => ESCAPES[c]!);
}

/** `cells` (rows flattened, `columns.length` cells each) as COPY text, in chunks of rows. */
function* copyChunks(width: number, cells: readonly Cell[]): Generator<string> {
  const step = ROWS_PER_CHUNK * width;
  for (let start = 0; start < cells.length; start += step) {
    const end = Math.min(cells.length, start + step);
    let text = '';
    for (let i = start; i < end; i += width) {
      for (let c = 0; c < width; c++) text += (c ? '\t' : '') + copyText(cells[i + c]!);
      text += '\n';
    }
    yield text;
  }
}

/** COPY the rows into `table` on `client` (in whatever transaction the client is in). */
export async function copyRows(client: pg.ClientBase, table: string, columns: readonly string[], cells: readonly Cell[]): Promise<void> {
  if (cells.length === 0) return;
  if (cells.length % columns.length) throw new RangeError(`COPY ${table}: ${cells.length} cells are not whole rows of ${columns.length}.`);
  // Table and column names come from the code, never from input.
  const stream = client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin`));
  await pipeline(Readable.from(copyChunks(columns.length, cells)), stream);
}
