/**
 * The data content of a person record: the groups of Bilag 1 (REG-1), each a
 * bitemporal fact (REG-2). Pure: schemas and types only.
 *
 * A fact is identified by (group, key). Single-valued groups (name, address,
 * status, ...) use the empty key; groups a person can hold several of at the
 * same time use a key: citizenship by country code, protection by type,
 * relations by role and person number, municipal conditions and notes by an id.
 */
import { z } from 'zod';

const civilDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const pnr = z.string().regex(/^\d{10}$/, 'a person number of ten digits');
const code4 = z.string().regex(/^\d{4}$/, 'a 4-digit code');
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a UUID');
const text = (max: number) => z.string().trim().min(1).max(max);

/** Bilag 1 nr. 2: names (§5). */
export const nameSchema = z.strictObject({
  firstNames: z.array(text(50)).min(1),
  middleNames: z.array(text(50)).default([]),
  lastName: text(80),
  /** Own last name (egen efternavn) where it differs. */
  ownLastName: text(80).optional(),
  /** §5(4)-(7): the addressing name as CPR writes it, `Lastname,Given names`. */
  addressingName: text(34).optional(),
  /** Mark that the name could not be registered correctly (record 008 `*`). */
  notRegistrableMark: z.boolean().optional(),
});

/** Bilag 1 nr. 3: a Danish address, with the address register's ids (LAN-6). */
export const addressSchema = z.strictObject({
  municipalityCode: code4,
  roadCode: code4,
  roadName: text(40).optional(),
  houseNumber: z.string().trim().max(4).optional(),
  floor: z.string().trim().max(2).optional(),
  door: z.string().trim().max(4).optional(),
  buildingNumber: z.string().trim().max(4).optional(),
  coName: text(34).optional(),
  locality: text(34).optional(),
  city: text(34).optional(),
  postalCode: code4.optional(),
  postalDistrict: text(20).optional(),
  /** DAR adresse id (unit address). */
  addressId: uuid.optional(),
  /** DAR husnummer id (access address, the stairwell). */
  accessAddressId: uuid.optional(),
});

/** Foreign, supplementary (§24) and contact (§26(4)) addresses. */
export const postalLinesSchema = z.strictObject({
  lines: z.array(text(34)).min(1).max(5),
  countryCode: code4.optional(),
});

/** Bilag 1 nr. 5: birth registration. */
export const birthSchema = z.strictObject({
  birthDate: civilDate,
  sex: z.enum(['M', 'K']),
  place: text(60).optional(),
  /** Authority code of the birth registration place (e.g. a parish). */
  authorityCode: code4.optional(),
});

export const citizenshipSchema = z.strictObject({ countryCode: code4 });
export const churchSchema = z.strictObject({ member: z.enum(['F', 'U']) });

/** Bilag 1 nr. 8: relations; custody holders are relations too. */
export const relationSchema = z.strictObject({
  role: z.enum(['mother', 'father', 'child', 'custody_holder', 'custody_child']),
  pnr: pnr.optional(),
  /** For a relation whose other party has no person number (e.g. born abroad). */
  name: text(80).optional(),
  birthDate: civilDate.optional(),
});

/** Bilag 1 nr. 9: civil status with spouse or partner. */
export const civilStatusSchema = z.strictObject({
  code: z.enum(['U', 'G', 'F', 'E', 'P', 'O', 'L', 'D']),
  spousePnr: pnr.optional(),
  spouseName: text(80).optional(),
});
/** Separation (separation) is its own fact: it is withheld where civil status is not (§38(3)). */
export const separationSchema = z.strictObject({ separated: z.literal(true) });

/** REG-4 status codes. */
export const statusSchema = z.strictObject({
  code: z.enum(['01', '03', '05', '07', '20', '30', '50', '60', '70', '80', '90']),
});

/** §28-§30 protections; the key is the type 0001-0004. */
export const protectionSchema = z.strictObject({ type: z.enum(['0001', '0002', '0003', '0004']) });
export const occupationSchema = z.strictObject({ title: text(34) });
/** §2(2), Bilag 1: guardianship (værgemål). */
export const guardianshipSchema = z.strictObject({
  guardianPnr: pnr.optional(),
  guardianName: text(80).optional(),
  guardianAddress: z.array(text(34)).max(5).optional(),
});
export const municipalConditionSchema = z.strictObject({ type: text(20), value: text(200) });
export const noteSchema = z.strictObject({ text: text(500) });
/** Bilag 1: election data (valgoplysninger). */
export const electionSchema = z.strictObject({ excluded: z.boolean(), reason: text(100).optional() });
/** §3(5): a change of number; old and new number reference each other. */
export const numberChangeSchema = z.strictObject({ direction: z.enum(['replaced_by', 'replaces']), pnr });

export const GROUPS = {
  name: { schema: nameSchema, keyed: false },
  address: { schema: addressSchema, keyed: false },
  foreignAddress: { schema: postalLinesSchema, keyed: false },
  supplementaryAddress: { schema: postalLinesSchema, keyed: false },
  contactAddress: { schema: postalLinesSchema, keyed: false },
  birth: { schema: birthSchema, keyed: false },
  citizenship: { schema: citizenshipSchema, keyed: true },
  church: { schema: churchSchema, keyed: false },
  relation: { schema: relationSchema, keyed: true },
  civilStatus: { schema: civilStatusSchema, keyed: false },
  separation: { schema: separationSchema, keyed: false },
  status: { schema: statusSchema, keyed: false },
  protection: { schema: protectionSchema, keyed: true },
  occupation: { schema: occupationSchema, keyed: false },
  guardianship: { schema: guardianshipSchema, keyed: false },
  municipalCondition: { schema: municipalConditionSchema, keyed: true },
  note: { schema: noteSchema, keyed: true },
  election: { schema: electionSchema, keyed: false },
  numberChange: { schema: numberChangeSchema, keyed: true },
} as const;

export type Group = keyof typeof GROUPS;
export type GroupValue<G extends Group> = z.infer<(typeof GROUPS)[G]['schema']>;
export const GROUP_NAMES = Object.keys(GROUPS) as Group[];

export function isGroup(g: string): g is Group {
  return Object.hasOwn(GROUPS, g);
}
export function isKeyedGroup(g: Group): boolean {
  return GROUPS[g].keyed;
}
