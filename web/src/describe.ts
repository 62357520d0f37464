/** Register values as short readable text (names, addresses, codes), in the chosen language. */
import { CHURCH_MEMBERSHIP, CIVIL_STATUS, COUNTRIES, label, MUNICIPALITIES, PERSON_STATUS, PROTECTION_TYPES, SEX, type CodeTable } from '../../src/domain/codes/index.ts';
import { lang, t, type Key } from './i18n.ts';
import { fmtDate } from './format.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function nameOf(v: unknown): string {
  if (!isObj(v)) return '';
  const parts = [...((v.firstNames as string[]) ?? []), ...((v.middleNames as string[]) ?? []), (v.lastName as string) ?? ''];
  return parts.filter(Boolean).join(' ');
}

export function addressOf(v: unknown): string {
  if (!isObj(v)) return '';
  if (typeof v.text === 'string') return v.text;
  const street = [v.roadName, v.houseNumber].filter(Boolean).join(' ');
  const unit = [v.floor ? `${v.floor}.` : '', v.door ?? ''].filter(Boolean).join(' ');
  const town = [v.postalCode, v.postalDistrict].filter(Boolean).join(' ');
  const lines = [unit ? `${street}, ${unit}` : street, town].filter(Boolean);
  if (v.countryCode && !street) lines.push(countryText(v.countryCode));
  return lines.join(', ');
}

/** Code tables from the domain (one source for server and client), labelled in the chosen language. */
const code = (table: CodeTable, c: unknown) => (typeof c === 'string' ? (label(table, c, lang.get()) ?? c) : String(c ?? ''));
export const statusText = (c: unknown) => `${code(PERSON_STATUS, c)} (${String(c)})`;
export const civilText = (c: unknown) => code(CIVIL_STATUS, c);
export const municipalityText = (c: unknown) => code(MUNICIPALITIES, c);
export const countryText = (c: unknown) => code(COUNTRIES, c);
export const protectionText = (c: string) => code(PROTECTION_TYPES, c);

const GROUPS: Record<string, Key> = {
  name: 'group.name',
  address: 'group.address',
  birth: 'group.birth',
  status: 'group.status',
  civilStatus: 'group.civilStatus',
  citizenship: 'group.citizenship',
  church: 'group.church',
  occupation: 'group.occupation',
  protection: 'group.protection',
  guardianship: 'group.guardianship',
  parents: 'group.parents',
  mother: 'group.mother',
  father: 'group.father',
  marketingProtection: 'group.marketingProtection',
};
export const groupName = (g: string) => (GROUPS[g] ? t(GROUPS[g]!) : g);

/** One history value as a sentence-ish line. */
export function describeValue(group: string, v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (group === 'name') return nameOf(v);
  if (group === 'address') return addressOf(v);
  if (!isObj(v)) return String(v);
  if (group === 'status') return statusText(v.code);
  if (group === 'civilStatus') return [civilText(v.code), v.spousePnr ? `(${String(v.spousePnr)})` : ''].filter(Boolean).join(' ');
  if (group === 'church') return code(CHURCH_MEMBERSHIP, v.member);
  if (group === 'citizenship') return countryText(v.countryCode);
  if (group === 'occupation') return String(v.title ?? '');
  if (group === 'birth') return [fmtDate(v.birthDate as string), v.sex ? code(SEX, v.sex) : '', (v.place as string) ?? ''].filter(Boolean).join(', ');
  if (group === 'protection') return protectionText(String(v.type ?? ''));
  return Object.entries(v)
    .filter(([, x]) => x !== null && x !== undefined && x !== '' && !(Array.isArray(x) && x.length === 0))
    .map(([k, x]) => `${k}: ${Array.isArray(x) ? x.join(', ') : isObj(x) ? JSON.stringify(x) : /^\d{4}-\d{2}-\d{2}$/.test(String(x)) ? fmtDate(String(x)) : String(x)}`)
    .join('; ');
}
