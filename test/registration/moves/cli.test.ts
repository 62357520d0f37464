/** `opencpr cases …` and `opencpr letters print`: reads of the cases, audited, person numbers masked. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Command, CommanderError } from 'commander';
import { addRegistrationMoveCommands } from '../../../src/cli/commands/registration-moves.ts';
import { CliError } from '../../../src/cli/errors.ts';
import { openStore } from '../../../src/storage/store.ts';
import { moveBody, setup } from './support.ts';

describe('opencpr cases / letters', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  let caseId: number;
  let letterId: number;
  let pnr: string;
  before(async () => {
    t = await setup('sqlite');
    pnr = await t.person('Lis', 'Print', 'A');
    const r = await t.call('POST', '/api/v1/registration/moves', { key: t.odense, body: { ...moveBody(pnr, 'Lis Print', '2026-06-01'), doubt: 'Tvivl om adressen.' } });
    caseId = r.json.case.id;
    letterId = r.json.letters[0].id;
  });
  after(async () => t.dispose());

  async function cli(...args: string[]) {
    let out = '';
    let err = '';
    const program = new Command('opencpr').exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
    addRegistrationMoveCommands(
      program,
      async () => {
        const store = await openStore(t.location);
        return { store, close: () => store.close() };
      },
      { out: (s) => (out += s), clock: t.clock },
    );
    let code = 0;
    try {
      await program.parseAsync(args, { from: 'user' });
    } catch (e) {
      if (e instanceof CommanderError) code = e.exitCode === 0 ? 0 : 2;
      else if (e instanceof CliError) {
        err += `error: ${e.message}\n`;
        code = e.exitCode;
      } else throw e;
    }
    return { out, err, code };
  }

  test('lists the cases with masked numbers and audits the persons shown', async () => {
    const r = await cli('cases', 'list', '--municipality', '0461', '--status', 'doubt');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`${caseId}\\s+0461\\s+move\\s+doubt`));
    assert.ok(r.out.includes(`${pnr.slice(0, 6)}-xxxx`) && !r.out.includes(pnr));
    const audit = await t.ctx.audit.entries(10);
    assert.ok(audit.some((a) => a.action === 'case.list' && a.actor.startsWith('cli:') && a.subjects.includes(pnr)));
  });

  test('prints a letter as sent; bad numbers are refused with a message and exit code', async () => {
    const r = await cli('letters', 'print', String(letterId));
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /KVITTERING FOR FLYTTEANMELDELSE/);
    const html = await cli('letters', 'print', String(letterId), '--html');
    assert.match(html.out, /^<!doctype html>/);
    const missing = await cli('letters', 'print', '99999');
    assert.equal(missing.code, 1);
    assert.match(missing.err, /no letter 99999/);
    const bad = await cli('cases', 'show', 'abc');
    assert.equal(bad.code, 2);
    const show = await cli('cases', 'show', String(caseId));
    assert.equal(show.code, 0, show.err);
    assert.equal(JSON.parse(show.out).letters[0].kind, 'receipt');
  });
});
