/**
 * Validation of a registration before it reaches the log: the facts must be
 * Bilag 1 groups with well-formed values and sensible validity periods.
 * Pure; the register adds the checks that need the store.
 */
import { z } from 'zod';
import { GROUPS, isGroup, type Group } from '../domain/person/facts.ts';
import { parseCivilDate } from '../domain/dates.ts';
import type { FactChange } from './bitemporal.ts';
// Type only: the codes are the API's problem catalogue, so an uncatalogued one fails tsc.
import type { ProblemCode } from '../api/problems.ts';
import { country, isValidMunicipalityCode } from '../domain/codes/index.ts';
import { addressingName, validateChosenAddressingName, type PersonName } from '../domain/names/addressing-name.ts';

export class RegistrationError extends Error {
  constructor(
    /** Stable machine-readable code; only one in the problem catalogue compiles (its status is there). */
    readonly code: ProblemCode,
    message: string,
  ) {
    super(message);
    this.name = 'RegistrationError';
  }
}

export interface NewRegistration {
  pnr: string;
  authority: string;
  eventCode: string;
  documentation?: string | null;
  late?: boolean;
  annuls?: number | null;
  changes?: Array<{ group: string; key?: string; validFrom: string; validTo?: string | null; value: unknown }>;
}

/** Keys for keyed groups when the caller gives none. */
function defaultKey(group: Group, value: Record<string, unknown>): string | undefined {
  switch (group) {
    case 'protection':
      return value.type as string;
    case 'citizenship':
      return value.countryCode as string;
    case 'relation':
      return `${value.role}:${(value.pnr as string | undefined) ?? value.name ?? ''}`;
    case 'numberChange':
      return `${value.direction}:${value.pnr}`;
    default:
      return undefined;
  }
}

export function validateChanges(input: NewRegistration["changes"]): FactChange[] {
  if (!Array.isArray(input)) throw new RegistrationError('invalid_changes', 'A registration lists its facts in "changes".');
  return input.map((c, i) => {
    const where = `change ${i + 1}`;
    if (!isGroup(c.group)) throw new RegistrationError('unknown_group', `${where}: "${c.group}" is not a group of Bilag 1.`);
    const validFrom = parseCivilDate(c.validFrom ?? '');
    if (!validFrom) throw new RegistrationError('invalid_date', `${where}: validFrom "${c.validFrom}" is not a date YYYY-MM-DD.`);
    let validTo: string | null = null;
    if (c.validTo != null) {
      validTo = parseCivilDate(c.validTo);
      if (!validTo) throw new RegistrationError('invalid_date', `${where}: validTo "${c.validTo}" is not a date YYYY-MM-DD.`);
      if (validTo <= validFrom) throw new RegistrationError('invalid_period', `${where}: validTo must be after validFrom.`);
    }
    let value: unknown = null;
    if (c.value !== null && c.value !== undefined) {
      const parsed = (GROUPS[c.group].schema as z.ZodType).safeParse(c.value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const path = issue?.path.join('.') || c.group;
        throw new RegistrationError('invalid_value', `${where}: ${c.group}.${path}: ${issue?.message ?? 'invalid'}.`);
      }
      value = c.group === 'name' ? withAddressingName(parsed.data as PersonName & { addressingName?: string }, where) : parsed.data;
    }
    if (value) checkCodes(c.group, value as Record<string, unknown>, validFrom, where);
    let key = c.key ?? '';
    if (GROUPS[c.group].keyed && key === '') {
      key = value ? (defaultKey(c.group, value as Record<string, unknown>) ?? '') : '';
      if (key === '') throw new RegistrationError('missing_key', `${where}: ${c.group} needs a key.`);
    }
    if (!GROUPS[c.group].keyed && key !== '') {
      throw new RegistrationError('unexpected_key', `${where}: ${c.group} holds one value at a time and takes no key.`);
    }
    return { group: c.group, key, validFrom, validTo, value };
  });
}

/** COD-3: codes in values must be codes CPR knows (municipalities in force on the date, countries). */
function checkCodes(group: Group, value: Record<string, unknown>, validFrom: string, where: string): void {
  if (group === 'address' && !isValidMunicipalityCode(value.municipalityCode as string, validFrom)) {
    throw new RegistrationError('unknown_code', `${where}: municipality ${value.municipalityCode} did not exist on ${validFrom}.`);
  }
  const countryCode = value.countryCode as string | undefined;
  if (countryCode !== undefined && !country(countryCode)) {
    throw new RegistrationError('unknown_code', `${where}: ${countryCode} is not a CPR country code.`);
  }
}

/**
 * REG-5, §5(4)-(7): every registered name carries its addressing name. A
 * chosen one (§5(7)) must obey the rule; otherwise it is formed from the name.
 */
function withAddressingName<N extends PersonName & { addressingName?: string }>(name: N, where: string): N {
  if (name.addressingName === undefined) return { ...name, addressingName: addressingName(name).text };
  const check = validateChosenAddressingName(name, name.addressingName);
  if (!check.ok) throw new RegistrationError('invalid_addressing_name', `${where}: ${check.message}`);
  return { ...name, addressingName: check.text };
}
