/**
 * What the registration rules need from the register and the address
 * register: a person's facts on a date, and a reported address resolved in
 * DAR. Reads only.
 */
import { addDays, type CivilDate } from '../../domain/dates.ts';
import type { GroupValue } from '../../domain/person/facts.ts';
import type { Address, Mover, ReportedAddress } from '../../domain/registration/move.ts';
import type { PersonState } from '../../register/bitemporal.ts';
import type { Register } from '../../register/register.ts';
import { RegistrationError } from '../../register/validate.ts';
import type { AddressRegister, HouseNumber, Unit } from '../../reference/address-register.ts';

type Fact<T> = { value: T; validFrom: CivilDate; validTo: CivilDate | null; registeredAt: string; seq: number };

export function statusOf(state: PersonState): string | null {
  return (state.status as Fact<{ code: string }> | undefined)?.value.code ?? null;
}
export function addressOf(state: PersonState): Fact<Address> | undefined {
  return state.address as Fact<Address> | undefined;
}
export function nameOf(state: PersonState): GroupValue<'name'> | null {
  return (state.name as Fact<GroupValue<'name'>> | undefined)?.value ?? null;
}
export function displayName(state: PersonState): string {
  const n = nameOf(state);
  return n ? [...n.firstNames, ...n.middleNames, n.lastName].join(' ') : 'Ukendt navn';
}
export function parentsOf(state: PersonState): string[] {
  const rel = (state.relation as Array<Fact<GroupValue<'relation'>>> | undefined) ?? [];
  return rel.filter((r) => (r.value.role === 'mother' || r.value.role === 'father') && r.value.pnr).map((r) => r.value.pnr!);
}

export interface PersonOn extends Mover {
  state: PersonState;
  addressFrom: CivilDate | null;
  displayName: string;
}

/** A person as registered on a date (as known now); unknown numbers are refused. */
export async function personOn(register: Register, pnr: string, on: CivilDate): Promise<PersonOn> {
  const view = await register.person(pnr, { validAt: on });
  if (!view) throw new RegistrationError('person_not_found', `No person with number ${pnr.slice(0, 6)}-xxxx in the register.`);
  const addr = addressOf(view.state);
  return {
    pnr: view.pnr,
    birthDate: view.birthDate,
    status: statusOf(view.state),
    address: addr?.value ?? null,
    addressFrom: addr?.validFrom ?? null,
    name: nameOf(view.state),
    parents: parentsOf(view.state),
    state: view.state,
    displayName: displayName(view.state),
  };
}

/** The person the day before a move: where they move from. */
export function dayBefore(d: CivilDate): CivilDate {
  return addDays(d, -1);
}

/** A new address as reported: the same fields as an old one (a DAR unit id, or road, number, floor, door and postal code). */
export type AddressInput = ReportedAddress;

/** The register's address value of a DAR unit address. */
export function addressOfUnit(h: HouseNumber, u: Pick<Unit, 'id' | 'floor' | 'door'>): Address {
  const v: Address = {
    municipalityCode: h.municipalityCode,
    roadCode: h.roadCode,
    roadName: h.roadName,
    houseNumber: h.houseNumber,
    postalCode: h.postalCode,
    postalDistrict: h.postalDistrict,
    addressId: u.id,
    accessAddressId: h.id,
  };
  if (u.floor) v.floor = u.floor;
  if (u.door) v.door = u.door;
  if (h.supplementaryTownName) v.locality = h.supplementaryTownName;
  return v;
}

/**
 * MOV-1: the new address must exist in the address register (DAR) on the
 * move date, as one unit address, in the municipality reported (§12(2) nr. 4).
 */
export async function resolveAddress(dar: AddressRegister, input: AddressInput, on: CivilDate): Promise<Address> {
  let found: Address | undefined;
  if (input.addressId) {
    const u = await dar.unit(input.addressId, { on });
    if (u) found = addressOfUnit(u.houseNumber, u);
  } else if (input.roadName && input.houseNumber && input.postalCode) {
    const houses = await dar.findByPostalAddress(
      { roadName: input.roadName, houseNumber: input.houseNumber, postalCode: input.postalCode, floor: input.floor ?? '', door: input.door ?? '' },
      { on },
    );
    const units = houses.flatMap((h) => h.units.map((u) => ({ h, u })));
    if (units.length > 1) throw new RegistrationError('address_ambiguous', 'The address matches several unit addresses in the address register; give the DAR address id.');
    if (units[0]) found = addressOfUnit(units[0].h, units[0].u);
  } else {
    throw new RegistrationError('invalid_address', 'Give the new address as a DAR address id, or as road name, house number and postal code (with floor and door).');
  }
  if (!found) {
    throw new RegistrationError('address_not_found', `§12(2) nr. 4: the new address is not in the address register (DAR) on ${on}.`);
  }
  if (found.municipalityCode !== input.municipalityCode) {
    throw new RegistrationError(
      'municipality_mismatch',
      `§12(2) nr. 4: the new address lies in municipality ${found.municipalityCode}, not in the reported ${input.municipalityCode}.`,
    );
  }
  return found;
}

/**
 * The seq of the person's registration (not annulled) with this
 * documentation, or null: how a workflow interrupted between its
 * registration and its case update finds what it already wrote.
 */
export async function registrationWithDoc(register: Register, pnr: string, doc: string): Promise<number | null> {
  const h = await register.history(pnr);
  const regs = h?.registrations ?? [];
  const annulled = new Set(regs.map((r) => r.annuls).filter((x): x is number => x !== null));
  return regs.find((r) => r.documentation === doc && !annulled.has(r.seq))?.seq ?? null;
}
