/**
 * Copies the two DAWA sample files (real DAR house numbers and unit addresses,
 * 2015 test subset, MIT © SDFE) from the shared reference data into
 * src/reference/data/, so `opencpr reference import-addresses --sample` needs
 * no external file. The project never reads the shared folder at run time.
 * Run: npx tsx scripts/copy-reference-data.ts [/path/to/shared]
 */
import { chmodSync, copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const shared = process.argv[2] ?? '/work/shared';
const files = ['dawa_adgangsadresser_sample_2015.csv', 'dawa_adresser_sample_2015.csv'];
for (const f of files) {
  const to = join('src/reference/data', f);
  rmSync(to, { force: true });
  copyFileSync(join(shared, 'data', f), to);
  chmodSync(to, 0o644);
  const lines = readFileSync(to, 'utf8').trim().split(/\r?\n/).length - 1;
  console.log(`${f}: ${lines} rows`);
}
