/**
 * Builds src/synth/data/standin.json from the shared reference data: weighted
 * Danish first and last names (KU "Danskernes Navne" 2005 counts, used as
 * relative weights) and real DAR unit addresses (DAWA test sample 2015).
 * Run: npx tsx scripts/build-synth-data.ts [/path/to/shared]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const shared = process.argv[2] ?? '/work/shared';
const csv = (file: string) => {
  const [head, ...rows] = readFileSync(join(shared, 'data', file), 'utf8').trim().split(/\r?\n/);
  const cols = head!.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i], v])) as Record<string, string>);
};
const top = (file: string, n: number) =>
  csv(file)
    .map((r) => [r.name!, Number(r.count_danmark)] as [string, number])
    .filter(([name, c]) => /^[\p{L}-]+$/u.test(name) && c > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n);

const addresses = csv('dawa_adresser_sample_2015.csv').map((r) => [
  r.adresse_id, r.adgangsadresse_id, r.kommunekode, r.vejkode, r.vejnavn, r.husnr, r.etage, r.doer, r.postnr, r.postnrnavn,
]);

const out = {
  _source: 'shared/data: navne_ku_2005_*.csv (top names by count_danmark), dawa_adresser_sample_2015.csv (MIT, © SDFE)',
  maleFirst: top('navne_ku_2005_male_first_names.csv', 300),
  femaleFirst: top('navne_ku_2005_female_first_names.csv', 300),
  last: top('navne_ku_2005_all_last_names.csv', 500),
  addressColumns: ['addressId', 'accessAddressId', 'municipalityCode', 'roadCode', 'roadName', 'houseNumber', 'floor', 'door', 'postalCode', 'postalDistrict'],
  addresses,
};
writeFileSync('src/synth/data/standin.json', JSON.stringify(out));
console.log(`names ${out.maleFirst.length}/${out.femaleFirst.length}/${out.last.length}, addresses ${addresses.length}`);
