/**
 * The summary report of a generated population: counts by status, the age
 * pyramid, household sizes, moves per year and the shares the generator
 * aims at (docs/population.md). Collected while the persons stream past.
 */
import { ageOn } from '../domain/dates.ts';
import type { SynthPerson } from './population.ts';

export interface PopulationSummary {
  persons: number;
  today: string;
  byStatus: Record<string, number>;
  residents: number;
  /** Residents by 10-year age band ('0-9' … '90+') and sex. */
  ageBands: Record<string, { M: number; K: number }>;
  households: number;
  /** Households by number of residents ('1' … '6+'). */
  householdSizes: Record<string, number>;
  singleShare: number;
  personsPerHousehold: number;
  /** Moves (address changes within Denmark, by validity year) in the last ten full years. */
  movesPerYear: Record<string, number>;
  /** Moves a year scaled to a national population of 5.9M residents. */
  nationalMovesPerYear: number;
  registrations: number;
  late: number;
  corrections: number;
  annulments: number;
  /** Residents with each protection type in force on the generation date. */
  protections: Record<string, number>;
  churchMembers: number;
  civilStatus: Record<string, number>;
  /** Persons with at least one change of name after birth (marriage etc.). */
  nameChanges: number;
  immigrations: number;
  emigrations: number;
  /** Stays that found no free unit and share one with another household, of all stays given a unit. */
  sharedDwellings?: number;
  stays?: number;
}

type Changes = NonNullable<SynthPerson['registrations'][number]['changes']>;

export class SummaryCollector {
  readonly #units = new Map<number, number>();
  readonly #moves = new Map<number, number>();
  readonly s: PopulationSummary;
  readonly #year: number;

  constructor(today: string) {
    this.#year = Number(today.slice(0, 4));
    this.s = {
      persons: 0,
      today,
      byStatus: {},
      residents: 0,
      ageBands: {},
      households: 0,
      householdSizes: {},
      singleShare: 0,
      personsPerHousehold: 0,
      movesPerYear: {},
      nationalMovesPerYear: 0,
      registrations: 0,
      late: 0,
      corrections: 0,
      annulments: 0,
      protections: {},
      churchMembers: 0,
      civilStatus: {},
      nameChanges: 0,
      immigrations: 0,
      emigrations: 0,
    };
    for (let a = 0; a < 100; a += 10) this.s.ageBands[a === 90 ? '90+' : `${a}-${a + 9}`] = { M: 0, K: 0 };
  }

  add(p: SynthPerson): void {
    const s = this.s;
    s.persons++;
    s.byStatus[p.status] = (s.byStatus[p.status] ?? 0) + 1;
    s.registrations += p.registrations.length;
    const today = s.today;
    let birth: { birthDate: string; sex: 'M' | 'K' } | undefined;
    let church: string | undefined;
    let civil: string | undefined;
    let names = 0;
    const protections = new Map<string, { from: string; to: string | null }>();
    for (const r of p.registrations) {
      if (r.late) s.late++;
      if (r.annulsIndex !== undefined) s.annulments++;
      if (r.eventCode === 'A16' || r.eventCode === 'A09') s.corrections++;
      if (r.eventCode === 'A06') s.emigrations++;
      const changes = (r.changes ?? []) as Changes;
      for (const c of changes) {
        const v = c.value as Record<string, unknown> | null;
        switch (c.group) {
          case 'birth':
            birth = v as typeof birth;
            break;
          case 'church':
            if (c.validFrom <= today) church = v?.member as string;
            break;
          case 'civilStatus':
            if (c.validFrom <= today) civil = v?.code as string;
            break;
          case 'name':
            names++;
            break;
          case 'protection':
            protections.set(c.key ?? (v?.type as string), { from: c.validFrom, to: c.validTo ?? null });
            break;
          case 'address':
            if (v && r.eventCode === 'A01') {
              const y = Number(c.validFrom.slice(0, 4));
              this.#moves.set(y, (this.#moves.get(y) ?? 0) + 1);
            }
            if (v && r.eventCode === 'P31') s.immigrations++;
            break;
        }
      }
    }
    if (names > 1 && !p.registrations.some((r) => r.annulsIndex !== undefined)) s.nameChanges++;
    if (p.unit < 0 || p.status !== '01' || !birth) return;
    s.residents++;
    this.#units.set(p.unit, (this.#units.get(p.unit) ?? 0) + 1);
    const age = ageOn(birth.birthDate, today);
    const band = age >= 90 ? '90+' : `${Math.floor(age / 10) * 10}-${Math.floor(age / 10) * 10 + 9}`;
    s.ageBands[band]![birth.sex]++;
    if (church === 'F') s.churchMembers++;
    if (civil) s.civilStatus[civil] = (s.civilStatus[civil] ?? 0) + 1;
    for (const [type, x] of protections) if (x.from <= today && (x.to === null || today < x.to)) s.protections[type] = (s.protections[type] ?? 0) + 1;
  }

  finish(sharedDwellings?: number, stays?: number): PopulationSummary {
    const s = this.s;
    s.households = this.#units.size;
    for (const n of this.#units.values()) {
      const k = n >= 6 ? '6+' : String(n);
      s.householdSizes[k] = (s.householdSizes[k] ?? 0) + 1;
    }
    s.singleShare = s.households ? (s.householdSizes['1'] ?? 0) / s.households : 0;
    s.personsPerHousehold = s.households ? s.residents / s.households : 0;
    let sum = 0;
    for (let y = this.#year - 10; y < this.#year; y++) {
      s.movesPerYear[y] = this.#moves.get(y) ?? 0;
      sum += s.movesPerYear[y]!;
    }
    s.nationalMovesPerYear = s.residents ? Math.round(((sum / 10) * 5_900_000) / s.residents) : 0;
    if (sharedDwellings !== undefined) s.sharedDwellings = sharedDwellings;
    if (stays !== undefined) s.stays = stays;
    return s;
  }
}

const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)} %` : '-');
const n = (x: number) => x.toLocaleString('en');

export function formatSummary(s: PopulationSummary): string {
  const out: string[] = [];
  out.push(`Population of ${n(s.persons)} person numbers on ${s.today} (${n(s.registrations)} registrations)`);
  const label: Record<string, string> = { '01': 'resident', '70': 'disappeared', '80': 'emigrated', '90': 'dead' };
  out.push('  by status:  ' + Object.entries(s.byStatus).sort().map(([k, v]) => `${k} ${label[k] ?? ''} ${n(v)} (${pct(v, s.persons)})`).join(', '));
  out.push('  age pyramid of residents (men | women):');
  const max = Math.max(1, ...Object.values(s.ageBands).flatMap((b) => [b.M, b.K]));
  for (const [band, b] of Object.entries(s.ageBands).reverse()) {
    const bar = (x: number) => '#'.repeat(Math.round((20 * x) / max));
    out.push(`    ${band.padStart(5)} ${bar(b.M).padStart(20)} ${String(b.M).padStart(8)} | ${String(b.K).padEnd(8)} ${bar(b.K)}`);
  }
  out.push(
    `  households: ${n(s.households)}, ${s.personsPerHousehold.toFixed(2)} persons each; sizes ` +
      Object.entries(s.householdSizes).sort().map(([k, v]) => `${k}: ${pct(v, s.households)}`).join(', ') +
      ` (single-person ${pct(s.householdSizes['1'] ?? 0, s.households)})`,
  );
  out.push(`  moves per year: ` + Object.entries(s.movesPerYear).map(([y, v]) => `${y} ${n(v)}`).join(', ') + ` (≈ ${n(s.nationalMovesPerYear)} a year at national scale)`);
  out.push(
    `  civil status of residents: ` + Object.entries(s.civilStatus).sort().map(([k, v]) => `${k} ${pct(v, s.residents)}`).join(', ') +
      `; church members ${pct(s.churchMembers, s.residents)}; name changes ${n(s.nameChanges)}`,
  );
  out.push(`  protections in force: ` + ['0001', '0002', '0003', '0004'].map((t) => `${t} ${n(s.protections[t] ?? 0)} (${pct(s.protections[t] ?? 0, s.residents)})`).join(', '));
  out.push(
    `  immigrations ${n(s.immigrations)}, emigrations ${n(s.emigrations)}; late registrations ${n(s.late)}, corrections ${n(s.corrections)}, annulments ${n(s.annulments)}` +
      (s.sharedDwellings !== undefined ? `; stays sharing a dwelling ${n(s.sharedDwellings)}${s.stays ? ` of ${n(s.stays)}` : ''}` : ''),
  );
  return out.join('\n') + '\n';
}
