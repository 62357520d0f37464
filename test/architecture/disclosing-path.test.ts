/**
 * Issue 14, deliverable 1: personal data leaves the register only through the
 * disclosing path. A route never reads the register or the audit log itself:
 * it calls a service. A service module that reads persons is one of the
 * modules below, each of which cuts what it read to the caller's grant
 * (domain/disclosure) and audits it (access/audit-entry.ts) before answering.
 * A new module that reads persons fails here until it is made part of the
 * path (and listed with why), so no read is added by the side door.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;

/** A read of personal data: the register's person readers, the person tables, the audit log's readers. */
const PERSONAL_READ =
  /\b(?:register|this\.register|ctx\.register|r)\.(?:person|persons|history|versionsOf|residents|log)\(|selectFrom\(\s*'(?:person_current|person_version|person_history|residence|registration|audit|audit_subject|person_name_word)'|\baudit\.(?:search|statistics|entries|lookupsOf)\(/;

/** The modules of the disclosing path, and why each reads persons. */
const PATH: Record<string, string> = {
  'src/services/reader.ts': 'the disclosing path itself: the person readers, handed out only inside a caller\'s answer',
  'src/services/disclosure.ts': 'lookups, bulk, the log search and statistics on the reader',
  'src/services/person-search.ts': 'finds candidates, then discloses them through DisclosureService',
  'src/services/enquiry.ts': 'identifies persons (§42(6), §38(5)), then discloses through discloseView',
  'src/services/feed.ts': 'the log follower: changed fields cut by domain/disclosure (readerOf, changedFieldsShown)',
  'src/services/extracts.ts': 'the §40(4) and §47 lists, built from the state in force and audited per delivery',
  'src/services/landlord/search.ts': 'seed 000: names, dates and the mark only, audited before the answer',
  'src/services/attestation.ts': '§46 own data, through DisclosureService',
  'src/services/citizen-requests.ts': '§46 and §28 requests of the citizen themself',
  'src/services/usage.ts': 'counts of the audit log for billing (no person)',
  'src/services/registration/': 'the write side: a registration is checked against the person it changes (clerks, §2)',
  'src/formats/': 'files for the CPR administration (extract, population export), audited by the CLI command',
  'src/cli/': 'the register\'s own staff tools (customer null), every read audited',
  'src/access/audit.ts': 'the audit log itself',
  'src/api/demo.ts': 'the demo\'s set-up prints sample addresses to the operator, no caller',
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const sources = ['src/api', 'src/services', 'src/access', 'src/formats', 'src/cli', 'src/reference', 'src/synth'].flatMap((d) =>
  files(join(ROOT, d)).map((p) => ({ path: relative(ROOT, p), text: readFileSync(p, 'utf8') })),
);

test('routes read no personal data themselves: they call the disclosing services', () => {
  const offenders = sources.filter((s) => s.path.startsWith('src/api/routes/') || s.path.startsWith('src/api/web/')).filter((s) => PERSONAL_READ.test(s.text));
  assert.deepEqual(offenders.map((s) => s.path), []);
});

test('only the modules of the disclosing path read persons', () => {
  const readers = sources.filter((s) => PERSONAL_READ.test(s.text)).map((s) => s.path);
  const outside = readers.filter((p) => !Object.keys(PATH).some((k) => (k.endsWith('/') ? p.startsWith(k) : p === k)));
  assert.deepEqual(outside, [], 'a module reads persons outside the disclosing path: disclose through services/disclosure.ts, or add it to PATH with why');
});

test('the check itself finds a read', () => {
  assert.ok(PERSONAL_READ.test("const v = await ctx.register.person(pnr);"));
  assert.ok(PERSONAL_READ.test("db.selectFrom('person_current')"));
  assert.ok(!PERSONAL_READ.test("db.selectFrom('customer')"));
});

/**
 * The read-side services receive the disclosing path (services/reader.ts
 * `Readers`), not the register: a person can then be read only inside a
 * caller's `answer`, which records before it returns. Their constructors are
 * checked class by class.
 */
const ON_THE_READER = [
  'src/services/disclosure.ts',
  'src/services/person-search.ts',
  'src/services/attestation.ts',
  'src/services/enquiry.ts',
  'src/services/feed.ts',
  'src/services/landlord/search.ts',
];
/** Classes of those files that follow the log as the register itself, for no caller. */
const SYSTEM_FOLLOWERS = new Set(['AddressDirectory']);

test('the read-side services hold the reader, never the register or the raw audit log', () => {
  const holders: string[] = [];
  for (const path of ON_THE_READER) {
    const text = readFileSync(join(ROOT, path), 'utf8');
    // Each class from its declaration to the next one.
    const starts = [...text.matchAll(/^(?:export )?class (\w+)/gm)];
    starts.forEach((m, i) => {
      if (SYSTEM_FOLLOWERS.has(m[1]!)) return;
      const body = text.slice(m.index, starts[i + 1]?.index ?? text.length);
      const ctor = /constructor\(([^)]*)\)/.exec(body)?.[1] ?? '';
      if (/:\s*(Register|AuditLog)\b/.test(ctor) || /this\.register\b|this\.audit\b/.test(body)) holders.push(`${path}: ${m[1]}`);
    });
  }
  assert.deepEqual(holders, []);
});

test('audit entries of callers are built by the one builder', () => {
  // A hand-built entry names `actorKind: caller.principal.kind`; the builder (access/audit-entry.ts) is the one place that does.
  const handBuilt = sources.filter((s) => s.path !== 'src/access/audit-entry.ts' && /actorKind:\s*caller\.principal\.kind/.test(s.text)).map((s) => s.path);
  assert.deepEqual(handBuilt, []);
});
