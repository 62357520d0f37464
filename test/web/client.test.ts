/**
 * The client's own checks: it type-checks (strict TypeScript, its own
 * tsconfig with the DOM), and every string exists in Danish and English with
 * the same placeholders (API-2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WEB_ROOT } from '../../src/api/web/static.ts';

test('the web client type-checks (tsc -p web)', () => {
  const tsc = join(WEB_ROOT, '../node_modules/typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', WEB_ROOT], { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    assert.fail(`tsc -p web failed:\n${(e as { stdout?: string }).stdout ?? e}`);
  }
});

test('every string is in Danish and English, with the same placeholders, and the two differ where words are used', () => {
  const src = readFileSync(join(WEB_ROOT, 'src/i18n.ts'), 'utf8');
  // Parse the table's entries: 'key': ['da', 'en'] (strings may span lines and contain escaped quotes).
  const entries = [...src.matchAll(/'([\w.]+)':\s*\[\s*'((?:[^'\\]|\\.)*)',\s*'((?:[^'\\]|\\.)*)',?\s*\]/g)];
  assert.ok(entries.length > 150, `found ${entries.length} strings`);
  const ph = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
  let same = 0;
  for (const [, key, da, en] of entries) {
    assert.ok(da!.trim() && en!.trim(), `${key} has both languages`);
    assert.equal(ph(da!), ph(en!), `${key}: the same placeholders in both`);
    if (da === en) same++;
  }
  // A few words are the same in both (Status, Id, for); most are not.
  assert.ok(same < entries.length * 0.1, `${same} strings identical in both languages`);
  // And every t('…') key used by the pages exists (tsc checks this too, through the Key type).
  const keys = new Set(entries.map((e) => e[1]));
  for (const f of ['app.tsx', 'ui.tsx', 'chart.tsx', 'describe.ts', ...readdirSync(join(WEB_ROOT, 'src/pages')).map((p) => `pages/${p}`)]) {
    for (const m of readFileSync(join(WEB_ROOT, 'src', f), 'utf8').matchAll(/\bt\('([\w.]+)'/g)) assert.ok(keys.has(m[1]!), `${f}: ${m[1]} is translated`);
  }
});

test('the client counts days in Danish time through src/domain/dates.ts, never in the browser\'s zone or UTC (issue 15, finding 6)', () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (/\.tsx?$/.test(e.name)) files.push(join(dir, e.name));
    }
  };
  walk(join(WEB_ROOT, 'src'));
  // The browser's-zone calendar, UTC day ends and hand-made month arithmetic each give the wrong day around
  // Danish midnight. (getUTC* on a civil date's own UTC-midnight position, as the timeline's axis does, is no day of an instant.)
  const banned = [/\.get(FullYear|Month|Date)\(/, /\.set(UTC)?(FullYear|Month|Date)\(/, /T23:59:59/, /toISOString\(\)\.slice\(0, 10\)/];
  const offences = files.flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .flatMap((line, i) => (banned.some((re) => re.test(line)) ? [`${f.slice(WEB_ROOT.length + 1)}:${i + 1}: ${line.trim()}`] : [])),
  );
  assert.deepEqual(offences, []);
  const format = readFileSync(join(WEB_ROOT, 'src/format.ts'), 'utf8');
  assert.match(format, /return dateOf\(serverNow\(\)\)/, 'today is the Danish date of the server\'s clock');
  assert.match(format, /timeZone: CIVIL_TIME_ZONE/, 'times are shown in Danish time');
});
