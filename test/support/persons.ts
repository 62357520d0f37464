/** Persons for disclosure tests: one of each kind the acceptance criteria name. */
import type { Register } from '../../src/register/register.ts';

const addr = (n: string, id: string) => ({
  municipalityCode: '0461',
  roadCode: '0100',
  roadName: 'Vestergade',
  houseNumber: n,
  postalCode: '5000',
  postalDistrict: 'Odense C',
  addressId: `0a3f50a0-0000-32b8-e044-0003ba29${id.padStart(4, '0')}`,
  accessAddressId: `0a3f507b-0000-32b8-e044-0003ba29${id.padStart(4, '0')}`,
});

export interface Cast {
  ordinary: string;
  protectedNow: string;
  protectionLapsed: string;
  dead: string;
  emigrated: string;
  disappeared: string;
  underGuardianship: string;
  separated: string;
}

/** Creates the cast; the register's clock should stand at 2026-06-01. */
export async function createCast(r: Register): Promise<Cast> {
  let n = 0;
  const person = async (birth: string, sex: 'M' | 'K', first: string, last: string, extra: Array<Record<string, unknown>> = []) => {
    const pnr = await r.allocatePnr(birth, sex);
    n++;
    await r.register({
      pnr,
      authority: '0461',
      eventCode: 'A01',
      changes: [
        { group: 'birth', validFrom: birth, value: { birthDate: birth, sex, place: 'Odense' } },
        { group: 'name', validFrom: birth, value: { firstNames: [first], lastName: last } },
        { group: 'address', validFrom: '2015-01-01', value: addr(String(n), String(n)) },
        { group: 'status', validFrom: birth, value: { code: '01' } },
        { group: 'civilStatus', validFrom: birth, value: { code: 'U' } },
        { group: 'citizenship', validFrom: birth, value: { countryCode: '5100' } },
        { group: 'church', validFrom: birth, value: { member: 'F' } },
        { group: 'occupation', validFrom: '2010-01-01', value: { title: 'Sygeplejerske' } },
        ...(extra as never[]),
      ],
    });
    return pnr;
  };
  const ordinary = await person('1980-04-02', 'K', 'Karen', 'Olsen');
  const protectedNow = await person('1975-09-12', 'M', 'Jens', 'Skjult', [
    { group: 'protection', validFrom: '2026-01-01', validTo: '2027-01-01', value: { type: '0001' } },
  ]);
  const protectionLapsed = await person('1970-03-03', 'K', 'Lise', 'Fri', [
    { group: 'protection', validFrom: '2025-01-01', validTo: '2026-01-01', value: { type: '0001' } },
  ]);
  const dead = await person('1930-01-05', 'M', 'Holger', 'Død', [
    { group: 'status', validFrom: '2026-02-01', value: { code: '90' } },
    { group: 'address', validFrom: '2026-02-01', value: null },
  ]);
  const emigrated = await person('1990-07-07', 'K', 'Sofie', 'Rejst', [
    { group: 'status', validFrom: '2025-08-01', value: { code: '80' } },
    { group: 'address', validFrom: '2025-08-01', value: null },
    { group: 'foreignAddress', validFrom: '2025-08-01', value: { lines: ['Storgatan 1', 'Stockholm'], countryCode: '5120' } },
  ]);
  const disappeared = await person('1985-11-11', 'M', 'Ole', 'Væk', [
    { group: 'status', validFrom: '2026-03-01', value: { code: '70' } },
    { group: 'address', validFrom: '2026-03-01', value: null },
  ]);
  const underGuardianship = await person('1960-06-06', 'M', 'Poul', 'Værge', [
    { group: 'guardianship', validFrom: '2024-01-01', value: { guardianName: 'Advokat Hansen', guardianAddress: ['Torvet 1', '5000 Odense C'] } },
  ]);
  const separated = await person('1978-12-24', 'K', 'Mette', 'Adskilt', [
    { group: 'civilStatus', validFrom: '2005-06-01', value: { code: 'G', spousePnr: ordinary } },
    { group: 'separation', validFrom: '2025-10-01', value: { separated: true } },
  ]);
  return { ordinary, protectedNow, protectionLapsed, dead, emigrated, disappeared, underGuardianship, separated };
}
