/**
 * Emigration (EMI-1, chapter 6, §24-§27), pure: whether a departure is
 * registered as emigration (status 80), as a stay abroad with the person kept
 * registered at home, as one of the exceptions of §24(5)-(9), or — for a move
 * to a Nordic country or the Faroes — only as pending until that country
 * notifies (§25(2)).
 */
import { z } from 'zod';
import { RegistrationError } from '../../register/validate.ts';
import { NORDIC_COUNTRY_CODES } from '../codes/index.ts';
import { addDays, addMonths, addYears, type CivilDate } from '../dates.ts';
import { postalLinesSchema } from '../person/facts.ts';
import { notFarFuture } from './vital-common.ts';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const code4 = z.string().regex(/^\d{4}$/, 'a 4-digit code');

/** §26(1): the report of a departure abroad, with what §24 turns on. */
export const emigrationSchema = z.strictObject({
  /** §26(1) nr. 1. */
  pnr: z.string(),
  /** §26(1) nr. 4: the departure date. Omitted for a stay abroad that turned out longer (§26(2) 3. pkt.): the original departure date is used. */
  departureDate: date.optional(),
  /** §26(1) nr. 5: the country moved to. */
  countryCode: code4,
  /** §26(1) nr. 5, §26(3): the address abroad (also the supplementary address of §24(3)). */
  foreignAddress: postalLinesSchema.optional(),
  /** §26(3): a contact address in Denmark for post. */
  contactAddress: postalLinesSchema.optional(),
  /** §24(1): the planned return; absent when not planned. */
  returnDate: date.optional(),
  /** §24(1) 4. pkt.: the home is kept fully at the person's disposal. */
  homeKept: z.boolean().default(false),
  /** §24(1) 5. pkt.: the municipality's concrete assessment of a short stay without the home kept. */
  assessedAsEmigration: z.boolean().optional(),
  /**
   * §24(5)-(9): a posted state employee (5), their household (6), a commuter
   * working abroad (7), a seafarer keeping the home (8), or the household of
   * a commuter or seafarer (9).
   */
  exception: z.enum(['state_employee', 'state_employee_household', 'commuter', 'seafarer', 'commuter_household']).optional(),
  /** §24(6), (9): the person of (5), (7) or (8) the household belongs to, and how. */
  householdOf: z.strictObject({ pnr: z.string(), as: z.enum(['spouse', 'partner', 'cohabitant', 'child']) }).optional(),
  /** §24(4): a foreign national leaving to do military service. */
  foreignConscript: z.boolean().default(false),
});
export type EmigrationReport = z.output<typeof emigrationSchema>;

export type EmigrationOutcome =
  /** Status 80 from the departure date (§24(1), §26(2)). */
  | { kind: 'emigrate'; departureDate: CivilDate; rules: string[] }
  /** Stays registered at home; optionally with a supplementary foreign address (§24(3)) until the return. */
  | { kind: 'stay'; departureDate: CivilDate; until: CivilDate | null; supplementary: boolean; rules: string[] }
  /** §25(2): nothing registered until the Nordic country notifies. */
  | { kind: 'nordic_pending'; departureDate: CivilDate; rules: string[] };

export interface EmigrationContext {
  today: CivilDate;
  /** The person's current address began on this date. */
  addressFrom: CivilDate;
  /** A supplementary foreign address in force (a stay abroad registered earlier), with its start. */
  stayAbroadSince: CivilDate | null;
  /** §24(6), (9): the facts about the household relation, checked by the service. */
  household?: { memberBirthDate: CivilDate; principalException: EmigrationReport['exception'] | null };
  /** §24(4): the person has no Danish citizenship. */
  foreignNational: boolean;
}

/** §12(4) applied by §26(5): a report more than 4 weeks before the departure may be refused. */
export const MAX_DAYS_AHEAD = 28;

export function assessEmigration(r: EmigrationReport, ctx: EmigrationContext): EmigrationOutcome {
  const rules: string[] = [];
  if (r.countryCode === '5100') throw new RegistrationError('invalid_value', '§26(1) nr. 5: the country moved to cannot be Denmark.');
  // §26(2) 3. pkt.: a stay abroad that turned out longer is registered from the original departure.
  const departureDate = r.departureDate ?? ctx.stayAbroadSince;
  if (!departureDate) throw new RegistrationError('invalid_date', '§26(1) nr. 4: the departure date is required.');
  if (r.departureDate === undefined) rules.push('§26(2) 3. pkt. departure date = start of the stay abroad');
  notFarFuture(departureDate, ctx.today, MAX_DAYS_AHEAD, '§26(5), §12(4): the departure date');
  if (departureDate < ctx.addressFrom) {
    throw new RegistrationError('invalid_date', `The departure date ${departureDate} is before the person moved to the current address (${ctx.addressFrom}).`);
  }
  if (r.returnDate !== undefined && r.returnDate <= departureDate) throw new RegistrationError('invalid_period', 'The return date must be after the departure date.');
  const sixMonths = addMonths(departureDate, 6);
  // §24(1) 3. pkt.: over 6 months abroad is always emigration — planned, or by now already (the clock).
  const overSix = r.returnDate === undefined || r.returnDate > sixMonths || ctx.today > sixMonths;

  // §24(4): a foreign national leaving for military service is registered as emigrated, however long.
  if (r.foreignConscript && ctx.foreignNational) {
    rules.push('§24(4) foreign conscript');
    return nordicOr(r, { kind: 'emigrate', departureDate, rules });
  }
  if (r.exception) return exception(r, ctx, departureDate, rules);

  if (!overSix) {
    if (r.homeKept) {
      // §24(1) 4. pkt., §24(3): the right to stay registered at home, with the foreign address as supplementary address.
      rules.push('§24(1) 4. pkt. stay of 6 months or less, home kept: stays registered');
      return { kind: 'stay', departureDate, until: r.returnDate!, supplementary: r.foreignAddress !== undefined, rules };
    }
    // §24(1) 5. pkt.: the municipality assesses the case concretely.
    if (r.assessedAsEmigration === undefined) {
      throw new RegistrationError('assessment_required', '§24(1) 5. pkt.: a stay of 6 months or less without the home kept needs the municipality\'s concrete assessment (assessedAsEmigration).');
    }
    if (!r.assessedAsEmigration) {
      rules.push('§24(1) 5. pkt. assessed: not an emigration');
      return { kind: 'stay', departureDate, until: r.returnDate!, supplementary: false, rules };
    }
    rules.push('§24(1) 5. pkt. assessed: emigration');
  } else rules.push('§24(1) stay abroad over 6 months');
  return nordicOr(r, { kind: 'emigrate', departureDate, rules });
}

/** §25(2), §27(2): to a Nordic country or the Faroes only that country's notification makes it an emigration. */
function nordicOr(r: EmigrationReport, o: EmigrationOutcome & { kind: 'emigrate' }): EmigrationOutcome {
  if (!NORDIC_COUNTRY_CODES.has(r.countryCode)) return o;
  return { kind: 'nordic_pending', departureDate: o.departureDate, rules: [...o.rules, '§25(2) Nordic move: pending until the country of arrival notifies'] };
}

function exception(r: EmigrationReport, ctx: EmigrationContext, departureDate: CivilDate, rules: string[]): EmigrationOutcome {
  const ex = r.exception!;
  const supplementaryAllowed = ex === 'state_employee' || ex === 'state_employee_household';
  if (ex === 'state_employee_household' || ex === 'commuter_household') {
    const h = ctx.household;
    if (!r.householdOf || !h) throw new RegistrationError('household_required', `§24(${ex === 'commuter_household' ? 9 : 6}): name the person whose household this is (householdOf).`);
    const wanted = ex === 'state_employee_household' ? ['state_employee'] : ['commuter', 'seafarer'];
    if (!h.principalException || !wanted.includes(h.principalException)) {
      throw new RegistrationError('household_required', `§24(${ex === 'commuter_household' ? 9 : 6}): the person named is not registered under §24(${ex === 'commuter_household' ? '7 or 8' : 5}).`);
    }
    // "deres børn under 18 år, såfremt de har bopæl hos forældrene".
    if (r.householdOf.as === 'child' && addYears(h.memberBirthDate, 18) <= departureDate) {
      throw new RegistrationError('household_child_over_18', `§24(${ex === 'commuter_household' ? 9 : 6}) 2. pkt.: only children under 18 follow the household.`);
    }
  }
  if (r.foreignAddress && !supplementaryAllowed && !r.homeKept) {
    // §24(3) gives the right to a supplementary address for §24(1) 4. pkt., (5) and (6) only.
    throw new RegistrationError('supplementary_address_not_allowed', '§24(3): a supplementary foreign address is registered for stays under §24(1) 4. pkt., (5) and (6) only.');
  }
  const section = { state_employee: '§24(5)', state_employee_household: '§24(6)', commuter: '§24(7)', seafarer: '§24(8)', commuter_household: '§24(9)' }[ex];
  rules.push(`${section} never registered as emigrated`);
  return { kind: 'stay', departureDate, until: r.returnDate ?? null, supplementary: supplementaryAllowed && r.foreignAddress !== undefined, rules };
}

/** The facts of an emigration from `departureDate` (status 80, no Danish address, §26(3) addresses). */
export function emigrationChanges(departureDate: CivilDate, countryCode: string, foreign?: { lines: string[] }, contact?: { lines: string[]; countryCode?: string }) {
  return [
    { group: 'status', validFrom: departureDate, value: { code: '80' } },
    { group: 'address', validFrom: departureDate, value: null },
    { group: 'supplementaryAddress', validFrom: departureDate, value: null },
    { group: 'foreignAddress', validFrom: departureDate, value: { lines: foreign?.lines ?? ['(adresse ukendt)'], countryCode } },
    ...(contact ? [{ group: 'contactAddress', validFrom: departureDate, value: contact }] : []),
  ];
}

/** The last day an incoming waiting-register item is kept, and when the 3-day notice is due (NOR-2). */
export function waitingDeadlines(receivedOn: CivilDate): { deletesOn: CivilDate; noticeOn: CivilDate } {
  const deletesOn = addDays(receivedOn, 14);
  return { deletesOn, noticeOn: addDays(deletesOn, -3) };
}
