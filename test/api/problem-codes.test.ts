/**
 * The problem catalogue is total: every code the project throws towards a
 * client is in PROBLEMS with its status and a Danish and an English sentence,
 * and toProblem answers each with the catalogue's status (no status guessed
 * from a code's name). The codes are found by reading src/ with the
 * TypeScript compiler: each `new XError('code', …)`, `new Problem('code')`
 * and `Problem.of('code')` with a literal code (or a choice of literals).
 * Non-literal codes are typed ProblemCode (or a subset), so tsc checks those.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { Problem, PROBLEMS, type ProblemCode } from '../../src/api/problems.ts';
import { toProblem } from '../../src/api/server.ts';
import { AccessError } from '../../src/access/customers.ts';
import { AuditError } from '../../src/access/audit.ts';
import { LandlordError, LANDLORD_PROBLEMS } from '../../src/domain/landlord/errors.ts';
import { RegistrationError } from '../../src/register/validate.ts';
import { DisclosureError } from '../../src/services/disclosure.ts';
import { EnquiryError } from '../../src/services/enquiry.ts';
import { ExtractError } from '../../src/services/extracts.ts';
import { FeedError } from '../../src/services/feed.ts';

const SRC = join(import.meta.dirname, '../../src');

interface Thrown {
  cls: string;
  code: string;
  where: string;
}

/** The string literals an expression can be: 'a', `a`, c ? 'a' : 'b'; null if it can be anything else. */
function literals(e: ts.Expression): string[] | null {
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return [e.text];
  if (ts.isParenthesizedExpression(e)) return literals(e.expression);
  if (ts.isConditionalExpression(e)) {
    const a = literals(e.whenTrue);
    const b = literals(e.whenFalse);
    return a && b ? [...a, ...b] : null;
  }
  return null;
}

/** The JavaScript errors, whose first argument is a message, not a code. */
const MESSAGE_ONLY = new Set(['Error', 'RangeError', 'TypeError', 'SyntaxError', 'CliError']);

/** Every literal code given to an error class or Problem in one source text. */
export function thrownCodes(file: string, text: string): Thrown[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: Thrown[] = [];
  const visit = (n: ts.Node): void => {
    let cls: string | null = null;
    let arg: ts.Expression | undefined;
    if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && /(Error|^Problem)$/.test(n.expression.text) && !MESSAGE_ONLY.has(n.expression.text)) {
      cls = n.expression.text;
      arg = n.arguments?.[0];
    } else if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'of' && ts.isIdentifier(n.expression.expression) && n.expression.expression.text === 'Problem') {
      cls = 'Problem';
      arg = n.arguments[0];
    }
    const codes = arg && literals(arg);
    if (cls && codes) {
      const where = `${file}:${sf.getLineAndCharacterOfPosition(arg!.getStart(sf)).line + 1}`;
      for (const code of codes) out.push({ cls, code, where });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    return d.isDirectory() ? sourceFiles(p) : d.name.endsWith('.ts') ? [p] : [];
  });
}

const thrown = sourceFiles(SRC).flatMap((f) => thrownCodes(relative(SRC, f), readFileSync(f, 'utf8')));

/** The error classes whose codes reach a client: each must be in the catalogue; here is how to make one. */
const API_CLASSES: Record<string, (code: ProblemCode) => Error> = {
  Problem: (c) => Problem.of(c),
  RegistrationError: (c) => new RegistrationError(c, 'detail'),
  AccessError: (c) => new AccessError(c as AccessError['code'], 'detail'),
  DisclosureError: (c) => new DisclosureError(c as DisclosureError['code'], 'detail'),
  EnquiryError: (c) => new EnquiryError(c as EnquiryError['code'], 'detail'),
  FeedError: (c) => new FeedError(c as FeedError['code'], 'detail'),
  ExtractError: (c) => new ExtractError(c as ExtractError['code'], 'detail'),
  LandlordError: (c) => new LandlordError(c as LandlordError['code'], 'detail'),
};

/**
 * Error classes of the command line and of file formats: their codes are the
 * CLI's (a message and an exit code, docs/cli.md), no route lets them out,
 * and toProblem answers any that escapes with 500 `internal`.
 */
const CLI_ONLY = new Set(['StoreError', 'CprExtractError', 'PopulationImportError', 'PopulationExportError', 'ReferenceDataError', 'GenerateError', 'CsvSyntaxError']);

function uncatalogued(list: Thrown[]): string[] {
  const bad: string[] = [];
  for (const t of list) {
    if (CLI_ONLY.has(t.cls) || t.cls === 'AuditError') continue;
    if (!(t.cls in API_CLASSES)) {
      bad.push(`${t.where}: ${t.cls}('${t.code}') — a class neither in API_CLASSES nor CLI_ONLY of this test`);
      continue;
    }
    const p = (PROBLEMS as Record<string, { status: number; da: string; en: string }>)[t.code];
    if (!p) bad.push(`${t.where}: ${t.cls}('${t.code}') is not in the problem catalogue (src/api/problems.ts)`);
    else if (!(p.status >= 400 && p.status <= 599) || !p.da.trim() || !p.en.trim()) bad.push(`${t.where}: '${t.code}' lacks a 4xx/5xx status or a Danish or English sentence`);
  }
  return bad;
}

describe('problem catalogue: every thrown code has its entry', () => {
  test('the scan finds the codes, multi-line and conditional ones too', () => {
    const found = thrownCodes(
      'x.ts',
      `throw new RegistrationError(
         'no_such_code_yet', 'x');
       throw Problem.of(a ? 'forbidden' : 'not_found');
       throw new Error('a message, not a code');
       throw new AccessError(code, 'typed, so tsc checks it');`,
    );
    assert.deepEqual(found.map((t) => `${t.cls}:${t.code}:${t.where}`), ['RegistrationError:no_such_code_yet:x.ts:2', 'Problem:forbidden:x.ts:3', 'Problem:not_found:x.ts:3']);
    assert.deepEqual(uncatalogued(found), ["x.ts:2: RegistrationError('no_such_code_yet') is not in the problem catalogue (src/api/problems.ts)"]);
    assert.equal(uncatalogued(thrownCodes('y.ts', "throw new NewKindError('x');")).length, 1, 'an unclassified error class fails');
  });

  test('src/ throws codes of many classes (the scan is not blind)', () => {
    const classes = new Set(thrown.map((t) => t.cls));
    for (const c of ['RegistrationError', 'AccessError', 'Problem', 'AuditError', 'LandlordError', 'EnquiryError', 'FeedError']) assert.ok(classes.has(c), c);
    assert.ok(thrown.length > 200, String(thrown.length));
  });

  test('every code thrown towards a client is catalogued with status and both sentences', () => {
    assert.deepEqual(uncatalogued(thrown), []);
  });

  test('every catalogue entry has a 4xx/5xx status and a Danish and an English sentence', () => {
    for (const [code, p] of Object.entries(PROBLEMS)) {
      assert.match(code, /^[a-z][a-z0-9_]*$/, code);
      assert.ok(p.status >= 400 && p.status <= 599, code);
      assert.ok(p.da.trim() && p.en.trim(), code);
    }
  });

  test('the landlord catalogue is appended whole, with its statuses', () => {
    for (const [code, l] of Object.entries(LANDLORD_PROBLEMS)) {
      assert.deepEqual(PROBLEMS[code as ProblemCode], { status: l.status, da: l.da, en: l.en }, code);
    }
  });
});

describe('toProblem answers each class\'s codes with the catalogue\'s status', () => {
  const byClass = new Map<string, Set<string>>();
  for (const t of thrown) if (t.cls in API_CLASSES) byClass.set(t.cls, (byClass.get(t.cls) ?? new Set()).add(t.code));

  for (const [cls, codes] of byClass) {
    test(cls, () => {
      for (const code of codes) {
        const p = toProblem(API_CLASSES[cls]!(code as ProblemCode));
        assert.equal(p.code, code, `${cls}('${code}')`);
        assert.equal(p.status, PROBLEMS[code as ProblemCode].status, `${cls}('${code}')`);
      }
    });
  }

  test('a code the old guessing got wrong now has its own status', () => {
    // Before: 'unknown_*' of AccessError → 404 but customer_exists → 403; pnr_in_use (prefix pnr_) → 400; already_annulled → 422.
    assert.equal(toProblem(new AccessError('customer_exists', 'x')).status, 409);
    assert.equal(toProblem(new RegistrationError('pnr_in_use', 'x')).status, 409);
    assert.equal(toProblem(new RegistrationError('already_annulled', 'x')).status, 409);
    assert.equal(toProblem(new AccessError('role_not_allowed', 'x')).status, 422);
  });

  test('AuditError: a failed write fails closed (503, no detail); a bad filter is the caller\'s (400)', () => {
    const write = toProblem(new AuditError('write_failed', 'disk full at /var/lib/x'));
    assert.equal(write.code, 'audit_unavailable');
    assert.equal(write.status, 503);
    assert.equal(write.detail, undefined);
    assert.equal(toProblem(new AuditError('bad_entry', 'x')).code, 'audit_unavailable');
    const filter = toProblem(new AuditError('bad_filter', 'The cursor is not one this log search gave.'));
    assert.equal(filter.status, 400);
    assert.equal(filter.detail, 'The cursor is not one this log search gave.');
  });

  test('the route-level errors keep their extras: a landlord refusal its control, a feed conflict its subscription', () => {
    const l = toProblem(new LandlordError('landlord_owner_number_not_tied', 'd', 'dd', { x: 1 }));
    assert.deepEqual([l.status, l.extra], [403, { control: 2, x: 1 }]);
    const f = toProblem(new FeedError('conflict', 'taken', { subscription: 's1' }));
    assert.deepEqual([f.status, f.extra], [409, { subscription: 's1' }]);
  });

  test('Fastify\'s own client errors get catalogued codes with their status', () => {
    const fastifyError = (statusCode: number) => Object.assign(new Error('m'), { statusCode });
    assert.deepEqual([toProblem(fastifyError(413)).code, toProblem(fastifyError(413)).status], ['body_too_large', 413]);
    assert.deepEqual([toProblem(fastifyError(415)).code, toProblem(fastifyError(415)).status], ['unsupported_media_type', 415]);
    assert.deepEqual([toProblem(fastifyError(400)).code, toProblem(fastifyError(400)).status], ['bad_request', 400]);
    assert.equal(toProblem(new Error('boom')).status, 500);
  });
});
