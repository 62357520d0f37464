/** Human-readable output for the CLI. */
import { CIVIL_STATUS, PERSON_STATUS, PROTECTION_TYPES, country, municipality } from '../domain/codes/index.ts';
import { formatPnr, type PnrCheck } from '../domain/pnr/pnr.ts';
import type { FactState, Version } from '../register/bitemporal.ts';
import type { PersonHistory, PersonView, Resident } from '../register/register.ts';
import { GROUP_NAMES } from '../domain/person/facts.ts';

type Obj = Record<string, unknown>;
const period = (f: { validFrom: string; validTo: string | null }) => `${f.validFrom} → ${f.validTo ?? ''}`;

export function describeValue(group: string, v: unknown): string {
  const o = (v ?? {}) as Obj;
  switch (group) {
    case 'name':
      return [...(o.firstNames as string[]), ...((o.middleNames as string[]) ?? []), o.lastName].join(' ');
    case 'address': {
      const unit = [o.floor && `${o.floor}.`, o.door].filter(Boolean).join(' ');
      const street = `${o.roadName ?? `road ${o.roadCode}`} ${o.houseNumber ?? ''}${unit ? `, ${unit}` : ''}`.trim();
      const muni = municipality(String(o.municipalityCode))?.da ?? o.municipalityCode;
      return `${street}, ${o.postalCode ?? ''} ${o.postalDistrict ?? ''} (${muni})${o.addressId ? ` [${o.addressId}]` : ''}`;
    }
    case 'status':
      return `${o.code} ${PERSON_STATUS[o.code as keyof typeof PERSON_STATUS]?.en ?? ''}`;
    case 'civilStatus':
      return `${o.code} ${CIVIL_STATUS[o.code as keyof typeof CIVIL_STATUS]?.en ?? ''}${o.spousePnr ? ` (spouse ${formatPnr(String(o.spousePnr))})` : ''}`;
    case 'protection':
      return `${o.type} ${PROTECTION_TYPES[o.type as keyof typeof PROTECTION_TYPES]?.en ?? ''}`;
    case 'citizenship':
      return `${o.countryCode} ${country(String(o.countryCode))?.en ?? ''}`;
    case 'church':
      return o.member === 'F' ? 'member of the national church' : 'not a member';
    case 'birth':
      return `${o.birthDate} ${o.sex}${o.place ? `, ${o.place}` : ''}`;
    default:
      return JSON.stringify(v);
  }
}

export function formatPerson(p: PersonView): string {
  const lines = [`${formatPnr(p.pnr)}  born ${p.birthDate}  sex ${p.sex}    (valid at ${p.validAt}, known at ${p.knownAt})`];
  for (const g of GROUP_NAMES) {
    const f = p.state[g];
    if (!f) continue;
    for (const x of Array.isArray(f) ? f : [f]) {
      lines.push(`  ${g.padEnd(20)} ${describeValue(g, (x as FactState).value)}    [${period(x as FactState)}]`);
    }
  }
  if (lines.length === 1) lines.push('  (no facts registered)');
  return lines.join('\n');
}

export function formatHistory(h: PersonHistory): string {
  const lines = [`${formatPnr(h.pnr)}: ${h.versions.length} versions, ${h.registrations.length} registrations`, '', 'Versions (validity | registration):'];
  const sorted = [...h.versions].sort((a, b) => (a.g + a.k + a.vf + a.rf < b.g + b.k + b.vf + b.rf ? -1 : 1));
  for (const v of sorted as Version[]) {
    const mark = v.rt === null ? ' ' : '~';
    lines.push(`${mark} ${v.g.padEnd(18)} ${v.vf} → ${(v.vt ?? '').padEnd(10)} | ${v.rf} → ${(v.rt ?? '').padEnd(24)} #${v.s}  ${describeValue(v.g, v.v)}`);
  }
  lines.push('', '~ superseded', '', 'Registrations:');
  const annulled = new Map(h.registrations.filter((r) => r.annuls !== null).map((r) => [r.annuls, r.seq]));
  for (const r of h.registrations) {
    const note = r.annuls !== null ? `annuls #${r.annuls}` : annulled.has(r.seq) ? `ANNULLED by #${annulled.get(r.seq)}` : `${r.changes.length} fact(s)`;
    lines.push(`  #${r.seq} ${r.registeredAt} ${r.eventCode} by ${r.authority}${r.late ? ' LATE' : ''}${r.documentation ? ` doc: ${r.documentation}` : ''}  ${note}`);
  }
  return lines.join('\n');
}

export function formatCheck(c: PnrCheck): string {
  if (c.kind === 'malformed') return `malformed: ${c.message}`;
  if (c.kind === 'no_such_date') return `no such date: ${c.message}`;
  return `${c.kind}: ${formatPnr(c.pnr)} born ${c.birthDate}, sex ${c.sex}. ${c.message}`;
}

export function formatResidents(rows: Array<Resident & { name?: string }>, at: string): string {
  if (rows.length === 0) return `No one registered there on ${at}.`;
  return rows
    .map((r) => `${formatPnr(r.pnr)}  ${(r.name ?? '').padEnd(34)} moved in ${r.validFrom}${r.validTo ? `, out ${r.validTo}` : ''}  unit ${r.addressId ?? '-'}`)
    .join('\n');
}
