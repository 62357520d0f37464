/**
 * No fixed abode, disappeared, found again (MOV-4, §6(2), §6(4)-(5)), pure.
 */
import { addDays, type CivilDate } from '../dates.ts';
import { isSpecialRoadCode, municipality } from '../codes/index.ts';
import { RegistrationError } from '../../register/validate.ts';
import type { Address } from './move.ts';

/**
 * COD-3: a special road code (9900-9999) marks a person registered in a
 * municipality without an address. OpenCPR uses 9900 unless the clerk gives
 * another special code the municipality uses.
 */
export const NO_FIXED_ABODE_ROAD_CODE = '9900';

/**
 * §6(4)-(5) "med mellemrum tage sagen op": the law gives no interval; the
 * review date of a no-fixed-abode or disappeared case is this many days on.
 */
export const REVIEW_INTERVAL_DAYS = 90;

export function reviewDate(from: CivilDate): CivilDate {
  return addDays(from, REVIEW_INTERVAL_DAYS);
}

/** The address of a person without fixed abode in a municipality: its code and a special road code, nothing else. */
export function noFixedAbodeAddress(municipalityCode: string, roadCode: string = NO_FIXED_ABODE_ROAD_CODE): Address {
  if (!isSpecialRoadCode(roadCode) || roadCode.length !== 4) {
    throw new RegistrationError('invalid_road_code', `COD-3: a person without fixed abode gets a special road code 9900-9999, not "${roadCode}".`);
  }
  if (!municipality(municipalityCode)) throw new RegistrationError('unknown_code', `${municipalityCode} is not a municipality code.`);
  return { municipalityCode, roadCode, roadName: 'Uden fast bopæl' };
}

const ACTIVE = ['01', '03'];

/**
 * §6(4): the person has no fixed abode. The municipality of residence keeps
 * the person, registered as moved out of the old address (status 03 with a
 * special road code). Only a resident with an ordinary address qualifies.
 */
export function noFixedAbodeChanges(current: { status: string | null; address: Address | null }, date: CivilDate, address: Address) {
  if (current.status !== '01' || !current.address) {
    throw new RegistrationError(
      current.status === '03' ? 'already_no_fixed_abode' : 'not_resident',
      current.status === '03'
        ? '§6(4): the person is already registered without fixed abode.'
        : `§6(4): only a resident with an address can be registered as without fixed abode (status ${current.status ?? 'none'}).`,
    );
  }
  if (current.address.municipalityCode !== address.municipalityCode) {
    throw new RegistrationError('other_municipality', '§6(4): the previous municipality of residence keeps a person without fixed abode.');
  }
  return [
    { group: 'address', validFrom: date, value: address },
    { group: 'status', validFrom: date, value: { code: '03' } },
  ];
}

/**
 * §6(5): a person searched for without result is registered as disappeared
 * (status 70) by the previous municipality of residence until found; the
 * address ends (event A02).
 */
export function disappearedChanges(current: { status: string | null }, date: CivilDate) {
  if (!ACTIVE.includes(current.status ?? '')) {
    throw new RegistrationError(
      current.status === '70' ? 'already_disappeared' : 'not_resident',
      current.status === '70' ? '§6(5): the person is already registered as disappeared.' : `§6(5): only a resident can be registered as disappeared (status ${current.status ?? 'none'}).`,
    );
  }
  return [
    { group: 'status', validFrom: date, value: { code: '70' } },
    { group: 'address', validFrom: date, value: null },
  ];
}

/**
 * §6(5) "indtil vedkommende er fundet": a disappeared person found again is
 * registered where they now live (event A03): status 01 at an address, or 03
 * with a special road code.
 */
export function foundChanges(current: { status: string | null; disappearedOn: CivilDate | null }, date: CivilDate, address: Address) {
  if (current.status !== '70') {
    throw new RegistrationError('not_disappeared', `§6(5): only a person registered as disappeared can be found again (status ${current.status ?? 'none'}).`);
  }
  if (current.disappearedOn && date < current.disappearedOn) {
    throw new RegistrationError('invalid_period', `The person was registered as disappeared from ${current.disappearedOn}; found must be on or after that.`);
  }
  return [
    { group: 'status', validFrom: date, value: { code: isSpecialRoadCode(address.roadCode) ? '03' : '01' } },
    { group: 'address', validFrom: date, value: address },
  ];
}
