/**
 * Builds src/synth/data/population.json, the facts the population generator
 * draws from, out of the shared reference data (../shared/data, see its
 * README for origins and licences). The project reads only the built file at
 * run time.
 *
 *   npx tsx src/synth/data/build.ts [/path/to/shared/data]
 *
 * - names: the KU 2005 frequency lists (first names by sex, middle names,
 *   last names), the most frequent ones with their counts as weights;
 * - municipalities: the 98 with their region, and the regions' population
 *   shares (DST 2021 via dk_demografi_fakta.csv);
 * - postal codes per municipality: real pairs from the DAWA and CPR road
 *   samples, else postal districts named after the municipality's town, else
 *   a code from the region's postal range (an approximation, see
 *   docs/population.md);
 * - roads per municipality: the real road names and codes of the samples;
 *   other municipalities get names made from Faker's Danish street stems and
 *   suffixes (synthetic road codes);
 * - age bands and demographic shares from dk_demografi_fakta.csv.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '../../reference/text.ts';

const dir = process.argv[2] ?? new URL('../../../../shared/data/', import.meta.url).pathname;
const csv = (name: string) => {
  const [head, ...rows] = parseCsv(readFileSync(join(dir, name), 'utf8'));
  const cols = head!.values;
  return rows.map((r) => Object.fromEntries(cols.map((c, i) => [c, r.values[i] ?? ''])) as Record<string, string>);
};

const NAME_RE = /^[A-ZÆØÅ][a-zæøåéèüöäë]+(-[A-ZÆØÅ][a-zæøåéèüöäë]+)?$/;
function topNames(file: string, n: number): [string, number][] {
  return csv(file)
    .filter((r) => NAME_RE.test(r.name!) && Number(r.count_danmark) > 0)
    .map((r) => [r.name!, Number(r.count_danmark)] as [string, number])
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n);
}

const municipalities = csv('kommuner_dk.csv')
  .filter((r) => r.udenfor_kommuneinddeling === '0')
  .map((r) => ({ code: r.kommunekode!, name: r.navn!, region: r.regionskode! }));

const facts = csv('dk_demografi_fakta.csv');
const regionShare: Record<string, number> = {};
for (const reg of csv('regioner_dk.csv')) {
  const f = facts.find((x) => x.emne === `andel af befolkningen i ${reg.navn}`);
  regionShare[reg.regionskode!] = f ? Number(f.vaerdi) : 0.2;
}
const ageBands = facts
  .filter((x) => x.emne!.startsWith('andel af befolkningen, alder '))
  .map((x) => {
    const band = x.emne!.replace('andel af befolkningen, alder ', '');
    const [lo, hi] = band.endsWith('+') ? [Number(band.slice(0, -1)), 100] : band.split('-').map(Number);
    return { from: lo!, to: hi!, share: Number(x.vaerdi) };
  });

// Postal codes per municipality.
const postal = csv('postnumre_dk.csv').filter((r) => r.stormodtager === '0');
const postalName = new Map(postal.map((r) => [r.postnr!, r.navn!]));
const byMunicipality = new Map<string, Set<string>>();
const add = (m: string, p: string) => {
  if (!postalName.has(p)) return;
  let s = byMunicipality.get(m);
  if (!s) byMunicipality.set(m, (s = new Set()));
  s.add(p);
};
for (const r of csv('dawa_adgangsadresser_sample_2015.csv')) add(r.kommunekode!, r.postnr!);
for (const r of csv('cpr_vej_postnr_sample.csv')) add(r.kommunekode!, r.postnr!);
const norm = (s: string) => s.toLowerCase().replace(/[^a-zæøå]/g, '');
for (const m of municipalities) {
  if (byMunicipality.has(m.code)) continue;
  const key = norm(m.name.split(/[ -]/)[0]!);
  for (const p of postal) if (norm(p.navn!).startsWith(key)) add(m.code, p.postnr!);
}
/** Rough postal ranges of the regions (Denmark's postal codes run west from Copenhagen). */
const RANGES: Record<string, [number, number][]> = {
  '1084': [[1000, 3699], [3700, 3790]],
  '1085': [[4000, 4999]],
  '1083': [[5000, 6899]],
  '1082': [[6900, 7699], [8000, 8999]],
  '1081': [[7700, 7999], [9000, 9999]],
};
const used = new Set([...byMunicipality.values()].flatMap((s) => [...s]));
// A district named after another municipality's town is that municipality's.
const townKeys = municipalities.map((m) => norm(m.name.split(/[ -]/)[0]!));
for (const p of postal) if (townKeys.some((k) => norm(p.navn!).startsWith(k))) used.add(p.postnr!);
for (const m of municipalities) {
  if (byMunicipality.has(m.code)) continue;
  const free = postal.filter((p) => !used.has(p.postnr!) && RANGES[m.region]!.some(([a, b]) => Number(p.postnr) >= a && Number(p.postnr) <= b));
  const pick = free.slice(0, 2);
  for (const p of pick) {
    add(m.code, p.postnr!);
    used.add(p.postnr!);
  }
  if (!pick.length) add(m.code, postal.find((p) => RANGES[m.region]!.some(([a, b]) => Number(p.postnr) >= a && Number(p.postnr) <= b))!.postnr!);
}

// Real roads per municipality (the samples), road names at most 40 characters.
const roads = new Map<string, Map<string, string>>();
for (const f of ['dawa_vejnavne_sample_2015.csv', 'cpr_vej_sample.csv']) {
  for (const r of csv(f)) {
    if (Number(r.vejkode) >= 9900 || !r.vejnavn || r.vejnavn.length > 40) continue;
    let m = roads.get(r.kommunekode!);
    if (!m) roads.set(r.kommunekode!, (m = new Map()));
    m.set(r.vejkode!, r.vejnavn);
  }
}

const faker = JSON.parse(readFileSync(join(dir, 'faker_py_da_DK_lists.json'), 'utf8')) as Record<string, unknown>;
const pick = (o: Record<string, unknown>, ...keys: string[]): string[] => {
  for (const k of keys) if (Array.isArray(o[k])) return o[k] as string[];
  throw new Error(`faker lists lack ${keys.join('/')}: ${Object.keys(o).join(', ')}`);
};

const out = {
  _source:
    'Built by src/synth/data/build.ts from shared/data: navne_ku_2005_*.csv (KU Danskernes Navne, 2005), kommuner_dk.csv, regioner_dk.csv, postnumre_dk.csv, dawa_*_sample_2015.csv, cpr_vej*_sample.csv (MIT © SDFE), faker_py_da_DK_lists.json (MIT), dk_demografi_fakta.csv (DST).',
  maleFirst: topNames('navne_ku_2005_male_first_names.csv', 1500),
  femaleFirst: topNames('navne_ku_2005_female_first_names.csv', 1500),
  middle: topNames('navne_ku_2005_all_middle_names.csv', 800),
  last: topNames('navne_ku_2005_all_last_names.csv', 3000),
  municipalities: municipalities.map((m) => ({
    ...m,
    postalCodes: [...(byMunicipality.get(m.code) ?? [])].sort().map((p) => [p, postalName.get(p)!]),
    roads: [...(roads.get(m.code) ?? new Map()).entries()].sort(),
  })),
  regionShare,
  ageBands,
  streetStems: pick(faker, 'address.street_names'),
  streetSuffixes: pick(faker, 'address.street_suffixes'),
};
writeFileSync(new URL('./population.json', import.meta.url), JSON.stringify(out));
console.log(
  `population.json: ${out.maleFirst.length}+${out.femaleFirst.length} first, ${out.middle.length} middle, ${out.last.length} last names; ${out.municipalities.length} municipalities, ${out.municipalities.filter((m) => m.roads.length).length} with real roads`,
);
