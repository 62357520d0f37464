/**
 * A Danish address for a registration, taken from the address register (DAR,
 * LAN-6) by its unit address id: the address must exist there today, and the
 * register's fact carries DAR's codes, names and ids.
 */
import type { GroupValue } from '../../domain/person/facts.ts';
import { AddressRegister } from '../../reference/address-register.ts';
import type { Register } from '../../register/register.ts';
import { RegistrationError } from '../../register/validate.ts';

export async function addressFromRegister(register: Register, addressId: string): Promise<GroupValue<'address'>> {
  const unit = await new AddressRegister(register.store, register.clock).unit(addressId);
  if (!unit) throw new RegistrationError('address_not_found', `The address ${addressId} is not in the address register (DAR) today.`);
  const h = unit.houseNumber;
  return {
    municipalityCode: h.municipalityCode,
    roadCode: h.roadCode,
    roadName: h.roadName.slice(0, 40),
    houseNumber: h.houseNumber,
    ...(unit.floor && { floor: unit.floor }),
    ...(unit.door && { door: unit.door }),
    postalCode: h.postalCode,
    postalDistrict: h.postalDistrict.slice(0, 20),
    addressId: unit.id,
    accessAddressId: h.id,
  };
}
