/**
 * Immigration (IMM-1, chapter 5, §16-§22), pure: whether a move-in from
 * abroad may be registered, the move-in date, and the facts to register.
 */
import { z } from 'zod';
import { RegistrationError } from '../../register/validate.ts';
import { COUNTRIES, NORDIC_COUNTRY_CODES } from '../codes/index.ts';
import { addDays, addMonths, type CivilDate } from '../dates.ts';
import { addressSchema, nameSchema, postalLinesSchema, type GroupValue } from '../person/facts.ts';
import { notInFuture } from './vital-common.ts';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const code4 = z.string().regex(/^\d{4}$/, 'a 4-digit code');

/** The report of a move-in from abroad: the fields of §20(1) and (2), and what §16-§18 and §22 turn on. */
export const immigrationSchema = z.strictObject({
  /** §20(1) nr. 2: an existing Danish person number (re-entry or entry with number); absent: one is allocated. */
  pnr: z.string().optional(),
  /** §20(1) nr. 1. */
  name: nameSchema,
  /** §20(1) nr. 3. */
  sex: z.enum(['M', 'K']),
  birthDate: date,
  birthPlace: z.string().trim().min(1).max(60),
  /** §20(1) nr. 4: the last address abroad, with its country. */
  previousAddress: postalLinesSchema.extend({ countryCode: code4 }),
  /** §20(1) nr. 5, §22(1): the date of entry. */
  entryDate: date,
  /** §20(1) nr. 6: the DAR unit address id of the future address in Denmark. */
  addressId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a DAR address id (UUID)'),
  /** §20(1) nr. 7-8. */
  civilStatus: z.strictObject({ code: z.enum(['U', 'G', 'F', 'E', 'P', 'O', 'L']), date: date.optional(), authority: z.string().trim().min(1).max(60).optional(), spouseName: z.string().trim().min(1).max(80).optional() }),
  /** §20(1) nr. 9, §21(3): member of the national church or an Evangelical-Lutheran church abroad (the clerk has told them it makes them members). */
  churchMember: z.boolean().default(false),
  /** §20(1) nr. 10: own children, spouse and parents not covered by the report. */
  relatives: z.array(z.strictObject({ role: z.enum(['mother', 'father', 'child', 'spouse']), pnr: z.string().regex(/^\d{10}$/).optional(), name: z.string().trim().min(1).max(80).optional(), birthDate: date.optional() })).max(20).default([]),
  /** §20(1) nr. 11. */
  citizenships: z.array(code4).min(1).max(5),
  /** §16(1)-(2): the stay's planned end, absent when open-ended. */
  stayUntil: date.optional(),
  /** §16(4) 2. pkt.: first entry on a permit for permanent stay (meets the time condition). */
  permanentPermit: z.boolean().default(false),
  /** §16(2): a family member (third-country national) covered by the EU rules on free movement. */
  euFamilyMember: z.boolean().default(false),
  /** §17: residence permit or certificate, or the Immigration Service's confirmation of exemption. */
  residencePermit: z.strictObject({ kind: z.enum(['permit', 'certificate', 'exemption', 'visa', 'exit_deadline']), issuedOn: date, reference: z.string().trim().min(1).max(60) }).optional(),
  /** §18: on the Foreign Ministry's protocol (diplomat), under a status-of-forces agreement, or in such a person's household. */
  exempt: z.enum(['diplomat', 'forces', 'household']).optional(),
  /** §16(6): a Danish citizen entering to do military service is registered at entry. */
  conscript: z.boolean().default(false),
  /** §17(4): placed directly in a prison on arrival from abroad. */
  prisoner: z.boolean().default(false),
  /** §20(2): moving from another Nordic country or the Faroes: the number, address and municipality there. */
  nordic: z.strictObject({
    foreignPnr: z.string().trim().min(4).max(20),
    previousMunicipality: z.string().trim().min(1).max(60),
    /** Seed 004 II: request the standard information from the country of departure; the answer comes to the waiting register. */
    requestStandardInformation: z.boolean().default(false),
  }).optional(),
  /** §21(1): the documentation shown. */
  documentation: z.string().trim().min(1).max(200).optional(),
});
export type ImmigrationReport = z.output<typeof immigrationSchema>;

/** EU/EEA states and Switzerland (§16(2)) by ISO code, resolved to CPR country codes. */
const EU_EEA_CH_ISO = new Set('AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO CH'.split(' '));
export const EU_EEA_CH: ReadonlySet<string> = new Set([...COUNTRIES.values()].filter((c) => c.iso2 && EU_EEA_CH_ISO.has(c.iso2) && !c.validTo).map((c) => c.code));
/** Nordic citizenships (§17): Denmark (Faroese included), Finland, Iceland, Norway, Sweden. */
const NORDIC_CITIZENSHIP = new Set(['5100', '5104', '5105', '5106', '5110', '5120']);

export interface ImmigrationAssessment {
  /** §22: the date registered as move-in date. */
  moveInDate: CivilDate;
  /** §16(2): must report only over 6 months (Nordic movers, EU/EEA/Swiss citizens and their EU family members). */
  sixMonthDuty: boolean;
  /** §16(2) 4. pkt., §57: reported more than 5 days after the conditions were met. */
  late: boolean;
  /** §20(2), §23(2): from a Nordic country or the Faroes. */
  fromNordic: boolean;
  /** Which rules decided, for the receipt. */
  rules: string[];
}

/**
 * §16-§18, §22: refuses what may not be registered; otherwise the move-in
 * date and whether the report came late. `today` is the registration date.
 */
export function assessImmigration(r: ImmigrationReport, today: CivilDate): ImmigrationAssessment {
  const rules: string[] = [];
  notInFuture(r.entryDate, today, 'The entry date');
  notInFuture(r.birthDate, today, 'The birth date');
  if (r.entryDate < r.birthDate) throw new RegistrationError('invalid_date', 'The entry date is before the birth date.');
  // §18: diplomats, forces and their households are not registered as moved in.
  if (r.exempt) {
    throw new RegistrationError(
      'not_registrable_section_18',
      r.exempt === 'household'
        ? '§18(2): foreign family members in the household of a diplomat or a member of foreign forces are not registered as moved in.'
        : `§18(1): a foreign national ${r.exempt === 'diplomat' ? "on the Foreign Ministry's protocol" : 'covered by a status-of-forces agreement'} is not registered as moved in.`,
    );
  }
  const danish = r.citizenships.includes('5100');
  const nordicCitizen = r.citizenships.some((c) => NORDIC_CITIZENSHIP.has(c));
  const fromNordic = NORDIC_COUNTRY_CODES.has(r.previousAddress.countryCode) && r.previousAddress.countryCode !== '5100';
  if (r.previousAddress.countryCode === '5100') throw new RegistrationError('invalid_value', '§20(1) nr. 4: the last address abroad cannot be in Denmark.');

  // §17: non-Nordic citizens need a residence permit or certificate, or a confirmed exemption (not for §17(4) prisoners).
  let permitDate: CivilDate | null = null;
  if (!nordicCitizen && !r.prisoner) {
    const p = r.residencePermit;
    if (!p) throw new RegistrationError('residence_permit_required', '§17(1): a non-Nordic citizen is registered only with a residence permit or certificate, or a confirmed exemption.');
    if (p.kind === 'visa' || p.kind === 'exit_deadline') {
      throw new RegistrationError('residence_permit_required', '§17(3): a visa or an exit deadline in the passport is not a residence permit.');
    }
    notInFuture(p.issuedOn, today, 'The permit date');
    if (p.kind !== 'exemption') permitDate = p.issuedOn;
    rules.push(p.kind === 'exemption' ? '§17(1) exemption confirmed' : '§17(1) residence permit');
  } else if (r.prisoner && !nordicCitizen) {
    rules.push('§17(4) placed in prison on arrival');
  }

  // §20(2): Nordic movers give their number, address and municipality in the country they left.
  if (fromNordic && !r.nordic) {
    throw new RegistrationError('nordic_fields_required', '§20(2): a move from a Nordic country or the Faroes needs the person number, previous address and municipality there.');
  }

  // §22(1), (3): the entry date, or the permit date when the permit was issued after entry.
  const moveInDate = permitDate !== null && permitDate > r.entryDate ? permitDate : r.entryDate;
  rules.push(moveInDate === r.entryDate ? '§22(1) move-in date = entry date' : '§22(3) move-in date = permit date (issued after entry)');

  // §16(1), (4), (6): only stays over 3 months are registered: by the planned end (none = open-ended),
  // a first entry on a permit for permanent stay, or a Danish conscript.
  const threeMonths = addMonths(r.entryDate, 3);
  const longEnough = (until: CivilDate) => r.stayUntil === undefined || r.stayUntil > until;
  if (r.conscript && danish) rules.push('§16(6) conscript registered at entry');
  else if (r.permanentPermit && permitDate !== null) rules.push('§16(4) permanent permit meets the time condition');
  else if (!longEnough(threeMonths)) {
    throw new RegistrationError('stay_too_short', `§16(1): a stay until ${r.stayUntil} is not over 3 months from entry (${r.entryDate}); it is not registered.`);
  } else rules.push('§16(1) stay over 3 months');

  // §16(2): Nordic movers, EU/EEA/Swiss citizens and EU family members must report only stays over 6 months;
  // others over 3 months. The report is due 5 days after the conditions are met (§16(2) 4. pkt.).
  const sixMonthDuty = fromNordic || r.citizenships.some((c) => EU_EEA_CH.has(c)) || r.euFamilyMember;
  const dutyFrom = addMonths(r.entryDate, sixMonthDuty ? 6 : 3);
  const obliged = r.stayUntil === undefined || r.stayUntil > dutyFrom;
  if (sixMonthDuty) rules.push(obliged ? '§16(2) obliged: stay over 6 months' : '§16(2) not obliged (6 months or less), registered on request');
  // Conditions met: on entry (or the permit date); late when reported more than 5 days after.
  const late = obliged && today > addDays(moveInDate, 5);
  return { moveInDate, sixMonthDuty, late, fromNordic, rules };
}

/** The facts of a first registration or re-entry (§20 fields), from the move-in date. */
export function immigrationChanges(
  r: ImmigrationReport,
  a: ImmigrationAssessment,
  address: GroupValue<'address'>,
  firstRegistration: boolean,
): Array<{ group: string; key?: string; validFrom: CivilDate; validTo?: CivilDate | null; value: unknown }> {
  const d = a.moveInDate;
  const out: Array<{ group: string; key?: string; validFrom: CivilDate; validTo?: CivilDate | null; value: unknown }> = [
    { group: 'status', validFrom: d, value: { code: '01' } },
    { group: 'address', validFrom: d, value: address },
    // The foreign address ends on entry; the contact address given while abroad too (§26(3)).
    { group: 'foreignAddress', validFrom: d, value: null },
    { group: 'contactAddress', validFrom: d, value: null },
    { group: 'name', validFrom: firstRegistration ? r.birthDate : d, value: r.name },
    { group: 'church', validFrom: d, value: { member: r.churchMember ? 'F' : 'U' } },
    {
      group: 'civilStatus',
      validFrom: r.civilStatus.date ?? (firstRegistration ? r.birthDate : d),
      value: { code: r.civilStatus.code, ...(r.civilStatus.spouseName && { spouseName: r.civilStatus.spouseName }) },
    },
    ...r.citizenships.map((c) => ({ group: 'citizenship', key: c, validFrom: firstRegistration ? r.birthDate : d, value: { countryCode: c } })),
  ];
  if (firstRegistration) out.push({ group: 'birth', validFrom: r.birthDate, value: { birthDate: r.birthDate, sex: r.sex, place: r.birthPlace } });
  for (const rel of r.relatives) {
    if (rel.role === 'spouse') continue; // carried on civilStatus
    if (!rel.pnr && !rel.name) throw new RegistrationError('invalid_value', '§20(1) nr. 10: a relative needs a person number or a name.');
    out.push({ group: 'relation', validFrom: d, value: { role: rel.role, ...(rel.pnr && { pnr: rel.pnr }), ...(rel.name && { name: rel.name }), ...(rel.birthDate && { birthDate: rel.birthDate }) } });
  }
  if (r.nordic) {
    // NOR-1 "Nordisk person": the number in the country of departure, kept as a note on the record.
    out.push({
      group: 'note',
      key: `nordic:${r.previousAddress.countryCode}`,
      validFrom: d,
      value: { text: `§20(2) Nordic person number ${r.nordic.foreignPnr} (${r.previousAddress.countryCode}); previous address ${r.previousAddress.lines.join(', ')}, ${r.nordic.previousMunicipality}` },
    });
  }
  return out;
}
