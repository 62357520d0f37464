/**
 * Reads a store file once, front to back, so that its pages are in the
 * operating system's file cache before a measurement. The benchmark machine's
 * memory manager (DAMON, scheme "pageout") drops file pages not touched for
 * about a minute, so a table written or read a few minutes earlier would
 * otherwise be read from the disk while a baseline table made just before the
 * measurement is not (docs/benchmarks.md).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';

export async function warmFile(path: string, log: (s: string) => void = () => {}): Promise<void> {
  for (const f of [path, `${path}-wal`]) {
    if (!existsSync(f)) continue;
    const t = Date.now();
    let bytes = 0;
    for await (const chunk of createReadStream(f, { highWaterMark: 4 << 20 })) bytes += (chunk as Buffer).length;
    log(`  read ${f} (${(statSync(f).size / 2 ** 30).toFixed(2)} GiB) into the file cache in ${((Date.now() - t) / 1000).toFixed(1)} s (${(bytes / 2 ** 20).toFixed(0)} MiB)\n`);
  }
}
