/**
 * Immigration (IMM-1, §16-§22): a clerk of the municipality moved to
 * registers a move-in from abroad. A person without a Danish number gets one
 * (§3(1) nr. 1, Register.allocatePnr); a known number is re-entry (A04) after
 * an emigration, or entry with number (P31) for a number given for tax or
 * ATP (status 20). A move from a Nordic country or the Faroes leaves a
 * move-in notice for that country (§20(3), NOR-1), in the same transaction.
 */
import type { Caller } from '../../access/customers.ts';
import { dateOf } from '../../domain/dates.ts';
import { assessImmigration, immigrationChanges, type ImmigrationReport } from '../../domain/registration/immigration.ts';
import { statusOf, single } from '../../domain/registration/vital-common.ts';
import { checkPnr, normalisePnr } from '../../domain/pnr/pnr.ts';
import type { Kysely } from 'kysely';
import type { Register } from '../../register/register.ts';
import type { DB } from '../../storage/schema.ts';
import { RegistrationError } from '../../register/validate.ts';
import { assertOwnMunicipality } from './clerk.ts';
import { atomically } from './vital-atomic.ts';
import { addressFromRegister } from './vital-address.ts';
import { authorityOf } from './vital-authority.ts';
import { addWaitingItem } from './nordic.ts';
import { enqueueMessage, enquire } from './nordic-exchange.ts';
import { addressLines, municipalityName } from '../../domain/registration/letters.ts';

export interface ImmigrationResult {
  pnr: string;
  /** True when the number was allocated now (§3(1) nr. 1, §3(3) nr. 2: the person is told the number). */
  allocated: boolean;
  seq: number;
  eventCode: 'P31' | 'A04';
  moveInDate: string;
  late: boolean;
  rules: string[];
  /** The outgoing move-in notice to the Nordic country left (§20(3)), if any. */
  nordicNotice: string | null;
}

export async function registerImmigration(register: Register, caller: Caller, report: ImmigrationReport): Promise<ImmigrationResult> {
  const checked = await checkImmigration(register, caller, report);
  return atomically(register, (r, tx) => writeImmigration(r, tx, caller, checked));
}

/**
 * §16(2): "Anmeldelsen kan også omfatte de medlemmer af husstanden, som
 * samtidig tilflytter": one report for the members of a household moving in
 * together (same address, same entry date), each checked as if reported
 * alone and all registered in one transaction, or none.
 */
export async function registerHouseholdImmigration(register: Register, caller: Caller, reports: ImmigrationReport[]): Promise<ImmigrationResult[]> {
  const [first, ...rest] = reports;
  if (!first) throw new RegistrationError('bad_request', 'A household report names at least one person.');
  for (const r of rest) {
    if (r.addressId !== first.addressId || r.entryDate !== first.entryDate) {
      throw new RegistrationError('household_mismatch', '§16(2): the members of a household report move in together: the same address and the same entry date.');
    }
  }
  const numbers = reports.map((r) => (r.pnr === undefined ? null : normalisePnr(r.pnr))).filter((p): p is string => p !== null);
  if (new Set(numbers).size !== numbers.length) throw new RegistrationError('household_mismatch', 'A person is named twice in the household report.');
  const checked: Checked[] = [];
  for (const r of reports) checked.push(await checkImmigration(register, caller, r));
  return atomically(register, async (r, tx) => {
    const out: ImmigrationResult[] = [];
    for (const c of checked) out.push(await writeImmigration(r, tx, caller, c));
    return out;
  });
}

interface Checked {
  report: ImmigrationReport;
  a: ReturnType<typeof assessImmigration>;
  address: Awaited<ReturnType<typeof addressFromRegister>>;
  known: { pnr: string; event: 'P31' | 'A04' } | null;
}

/** The rules of §16-§22 for one person, before anything is written. */
async function checkImmigration(register: Register, caller: Caller, report: ImmigrationReport): Promise<Checked> {
  const today = dateOf(register.clock.now());
  const a = assessImmigration(report, today);
  const address = await addressFromRegister(register, report.addressId);
  // §2(1), §16(2): the report goes to the municipality moved to.
  assertOwnMunicipality(caller, address.municipalityCode);

  let known: { pnr: string; event: 'P31' | 'A04' } | null = null;
  if (report.pnr !== undefined) {
    const pnr = normalisePnr(report.pnr);
    if (!pnr) throw new RegistrationError('pnr_malformed', 'A person number has ten digits: DDMMYY-SSSS or DDMMYYSSSS.');
    const view = await register.person(pnr);
    if (!view) throw new RegistrationError('person_not_found', `No person with number ${pnr.slice(0, 6)}-**** in the register.`);
    const c = checkPnr(pnr, await register.noMod11Dates());
    if (c.kind === 'valid' && (c.birthDate !== report.birthDate || c.sex !== report.sex)) {
      throw new RegistrationError('pnr_mismatch', `The number ${pnr.slice(0, 6)}-**** belongs to another birth date or sex than reported (§3(5) changes a wrong number).`);
    }
    const st = statusOf(view.state);
    if (st === '01' || st === '03' || st === '05' || st === '07') {
      throw new RegistrationError('already_resident', 'The person is already registered as resident in Denmark; a move is registered as a domestic move.');
    }
    if (st === '70') throw new RegistrationError('person_disappeared', 'The person is registered as disappeared (status 70); register them as found again.');
    if (st && st !== '80' && st !== '20') throw new RegistrationError('person_inactive', `The number has status ${st} and is no longer in use.`);
    if (st === '80') {
      const since = single(view.state, 'status')!.validFrom;
      if (a.moveInDate <= since) throw new RegistrationError('invalid_date', `The move-in date ${a.moveInDate} is not after the departure on ${since}.`);
    }
    known = { pnr, event: st === '80' ? 'A04' : 'P31' };
  }
  return { report, a, address, known };
}

/** One person's registration (and Nordic notice) inside a unit of work. */
async function writeImmigration(r: Register, tx: Kysely<DB>, caller: Caller, { report, a, address, known }: Checked): Promise<ImmigrationResult> {
  // CprEvents.txt has no "entry without number": once allocated, the entry is registered with the number (P31).
  const pnr = known?.pnr ?? (await r.allocatePnr(report.birthDate, report.sex));
  const event = known?.event ?? 'P31';
  const reg = await r.register({
    pnr,
    authority: authorityOf(caller),
    eventCode: event,
    documentation: [report.documentation, report.residencePermit && `§17 ${report.residencePermit.kind} ${report.residencePermit.reference} of ${report.residencePermit.issuedOn}`].filter(Boolean).join('; ') || null,
    late: a.late,
    changes: immigrationChanges(report, a, address, known === null || event === 'P31'),
  });
  let nordicNotice: string | null = null;
  if (a.fromNordic && report.nordic) {
    // §20(3), seed 004 II: CPR tells the country of departure electronically; the municipality need not.
    nordicNotice = await addWaitingItem(tx, r.clock, {
      kind: 'move_in_notice',
      direction: 'outgoing',
      municipalityCode: address.municipalityCode,
      pnr,
      countryCode: report.previousAddress.countryCode,
      payload: { foreignPnr: report.nordic.foreignPnr, moveInDate: a.moveInDate, previousMunicipality: report.nordic.previousMunicipality },
      registrationSeq: reg.seq,
    });
    // Bilag 1 art. 2(2): what the notice tells the country of departure; sent from the outbox (nordic-exchange.ts).
    const country = report.previousAddress.countryCode;
    await enqueueMessage(tx, r.clock, country, {
      kind: 'move_in_notice',
      body: {
        recipientPnr: report.nordic.foreignPnr, senderPnr: pnr,
        name: [...report.name.firstNames, ...report.name.middleNames, report.name.lastName].join(' ').slice(0, 120),
        birthDate: report.birthDate, sex: report.sex, moveInDate: a.moveInDate,
        municipality: municipalityName(address.municipalityCode), address: { lines: addressLines(address).slice(0, 5).map((l) => l.slice(0, 34)) },
      },
    }, { pnr, municipalityCode: address.municipalityCode, waitingItemId: nordicNotice });
    if (report.nordic.requestStandardInformation) {
      await enquire(tx, r.clock, { pnr, municipalityCode: address.municipalityCode, countryCode: country, foreignPnr: report.nordic.foreignPnr });
    }
  }
  return { pnr, allocated: known === null, seq: reg.seq, eventCode: event, moveInDate: a.moveInDate, late: a.late, rules: a.rules, nordicNotice };
}
