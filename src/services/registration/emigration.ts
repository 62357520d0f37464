/**
 * Emigration (EMI-1, §24-§27): a clerk of the municipality of residence
 * registers a departure abroad (§24(1) 2. pkt.). Depending on the rules it is
 * an emigration (A06, status 80), a stay abroad with the person kept
 * registered (A07 with a supplementary foreign address, or nothing to
 * register), or a pending Nordic move (§25(2), waiting register).
 */
import type { Caller } from '../../access/customers.ts';
import { dateOf, type CivilDate } from '../../domain/dates.ts';
import type { GroupValue } from '../../domain/person/facts.ts';
import { assessEmigration, emigrationChanges, type EmigrationOutcome, type EmigrationReport } from '../../domain/registration/emigration.ts';
import { addressOf, assertLiving, listOf, single, statusOf } from '../../domain/registration/vital-common.ts';
import { normalisePnr } from '../../domain/pnr/pnr.ts';
import type { Register } from '../../register/register.ts';
import { RegistrationError } from '../../register/validate.ts';
import { assertOwnMunicipality } from './clerk.ts';
import { atomically } from './vital-atomic.ts';
import { authorityOf } from './vital-authority.ts';
import { addWaitingItem } from './nordic.ts';

export interface EmigrationResult {
  pnr: string;
  outcome: EmigrationOutcome['kind'];
  departureDate: CivilDate;
  rules: string[];
  /** The registration made, if any (none for a pending Nordic move or a stay with nothing to record). */
  seq: number | null;
  eventCode: 'A06' | 'A07' | null;
  /** The waiting-register item of a pending Nordic move. */
  waitingItem: string | null;
}

/** The exception a person is registered under: kept as a note so §24(6)/(9) households can refer to it. */
const EXCEPTION_NOTE = 'emigration-exception';

export async function registerEmigration(register: Register, caller: Caller, report: EmigrationReport): Promise<EmigrationResult> {
  const today = dateOf(register.clock.now());
  const pnr = normalisePnr(report.pnr);
  if (!pnr) throw new RegistrationError('pnr_malformed', 'A person number has ten digits: DDMMYY-SSSS or DDMMYYSSSS.');
  const view = await register.person(pnr);
  if (!view) throw new RegistrationError('person_not_found', `No person with number ${pnr.slice(0, 6)}-**** in the register.`);
  assertLiving(view.state, pnr);
  const addr = addressOf(view.state);
  const st = statusOf(view.state);
  if (!addr || (st !== '01' && st !== '03')) throw new RegistrationError('not_resident', 'Only a person registered as resident in Denmark can emigrate.');
  // §24(1) 2. pkt.: the departure is reported to the municipality of residence.
  assertOwnMunicipality(caller, addr.municipalityCode);

  let household: { memberBirthDate: CivilDate; principalException: EmigrationReport['exception'] | null } | undefined;
  if (report.householdOf) {
    const other = normalisePnr(report.householdOf.pnr);
    // As of the departure: the principal's exception may start on the same future date.
    const principal = other ? await register.person(other, { validAt: report.departureDate ?? today }) : null;
    if (!other || !principal) throw new RegistrationError('person_not_found', 'householdOf names a person number not in the register.');
    const note = listOf(principal.state, 'note').find((f) => (f.value as GroupValue<'note'>).text.startsWith(`${EXCEPTION_NOTE}:`));
    const principalException = note ? ((note.value as GroupValue<'note'>).text.split(':')[1] as EmigrationReport['exception']) : null;
    // §24(6), (9): the household shares the home (same address) with the person of (5), (7) or (8).
    const theirs = addressOf(principal.state);
    if (!theirs || theirs.addressId !== addr.addressId) {
      throw new RegistrationError('household_required', '§24(6), (9): the household member must share the home (be registered at the same address).');
    }
    household = { memberBirthDate: view.birthDate, principalException };
  }
  // §26(2) 3. pkt.: the latest stay abroad registered with a supplementary address (it may have ended by plan).
  const stays = (await register.history(pnr))!.versions.filter((v) => v.g === 'supplementaryAddress' && v.rt === null && v.vf <= today);
  const stayAbroadSince = stays.length ? stays.map((v) => v.vf).sort().at(-1)! : null;
  const outcome = assessEmigration(report, {
    today,
    addressFrom: single(view.state, 'address')!.validFrom,
    stayAbroadSince,
    household,
    foreignNational: !listOf(view.state, 'citizenship').some((c) => (c.value as GroupValue<'citizenship'>).countryCode === '5100'),
  });
  const authority = authorityOf(caller);
  const base = { pnr, outcome: outcome.kind, departureDate: outcome.departureDate, rules: outcome.rules };

  if (outcome.kind === 'nordic_pending') {
    const open = await register.store.db.selectFrom('waiting_item').select('id').where('pnr', '=', pnr).where('kind', '=', 'pending_departure').where('resolution', 'is', null).executeTakeFirst();
    if (open) throw new RegistrationError('already_pending', `A move to a Nordic country is already reported and waits (${open.id}); withdraw it first.`);
    // §25(2): nothing is registered; the report waits for the other country's notification.
    const id = await addWaitingItem(register.store.db, register.clock, {
      kind: 'pending_departure',
      direction: 'pending',
      municipalityCode: addr.municipalityCode,
      pnr,
      countryCode: report.countryCode,
      payload: { departureDate: outcome.departureDate, foreignAddress: report.foreignAddress, contactAddress: report.contactAddress },
    });
    return { ...base, seq: null, eventCode: null, waitingItem: id };
  }
  if (outcome.kind === 'stay') {
    const changes: Array<{ group: string; key?: string; validFrom: CivilDate; validTo?: CivilDate | null; value: unknown }> = [];
    if (outcome.supplementary && report.foreignAddress) {
      // §24(3): the address abroad as supplementary address, for the stay.
      changes.push({ group: 'supplementaryAddress', validFrom: outcome.departureDate, validTo: outcome.until, value: { ...report.foreignAddress, countryCode: report.foreignAddress.countryCode ?? report.countryCode } });
    }
    if (report.exception && !report.householdOf) {
      changes.push({ group: 'note', key: EXCEPTION_NOTE, validFrom: outcome.departureDate, validTo: outcome.until, value: { text: `${EXCEPTION_NOTE}:${report.exception}` } });
    }
    if (changes.length === 0) return { ...base, seq: null, eventCode: null, waitingItem: null };
    const reg = await register.register({ pnr, authority, eventCode: 'A07', documentation: outcome.rules.join('; '), changes });
    return { ...base, seq: reg.seq, eventCode: 'A07', waitingItem: null };
  }
  const reg = await atomically(register, async (r, tx) => {
    const reg = await r.register({
      pnr,
      authority,
      eventCode: 'A06',
      documentation: outcome.rules.join('; '),
      changes: emigrationChanges(outcome.departureDate, report.countryCode, report.foreignAddress, report.contactAddress),
    });
    await tx.updateTable('waiting_item').set({ resolution: 'superseded', resolved_at: reg.registeredAt, resolved_by: caller.principal.id, registration_seq: reg.seq })
      .where('pnr', '=', pnr).where('kind', '=', 'pending_departure').where('resolution', 'is', null).execute();
    return reg;
  });
  return { ...base, seq: reg.seq, eventCode: 'A06', waitingItem: null };
}
