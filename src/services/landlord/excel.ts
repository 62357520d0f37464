/**
 * The landlord search as an Excel download (LAN-5, seed 000: "Resultater kan
 * downloades til Excel"; "Ved download, eksempelvis til Excel, vil mere
 * detaljerede oplysninger indgå"). One sheet: the query (address, owner
 * number, from-date, the query's parameters, the time of the query) and the
 * non-disclosure notice above a header row and one row per person, with
 * typed date cells. Made with exceljs.
 */
import ExcelJS from 'exceljs';
import type { CivilDate } from '../../domain/dates.ts';
import type { AddressQuery, LandlordResult } from './search.ts';

export const SHEET_NAME = 'Beboere';
export const DATE_FORMAT = 'yyyy-mm-dd';
export const TIME_FORMAT = 'yyyy-mm-dd hh:mm:ss';

/** The columns of the person rows, in order (Danish header, with the English in docs/api/landlord.md). */
export const COLUMNS = [
  'Adresseringsnavn',
  'Adresse',
  'Etage',
  'Dør',
  'DAR adresse-id',
  'BFE-nr.',
  'Ejers overtagelsesdato',
  'Tilflytningsdato',
  'Tilflytningsdato er overtagelsesdato',
  'Fraflytningsdato',
  'Status',
  'Navne- og adressebeskyttelse',
  'Beskyttelse til',
  'Bemærkning',
] as const;

/** The rows above the header: label in column A, value in B. */
export const META_ROWS = ['Opslag', 'Adresse', 'Ejer (CVR/CPR)', 'Fra-dato', 'Søgeparametre', 'Tidspunkt for opslag', 'Bemærk'] as const;
/** The header row's number (1-based): the meta rows and a blank row come first. */
export const HEADER_ROW = META_ROWS.length + 2;

/** A civil date as an Excel date cell value (midnight UTC, which exceljs writes as the day's serial number). */
export function excelDate(d: CivilDate): Date {
  return new Date(`${d}T00:00:00Z`);
}

/** The query's parameters as text, e.g. `roadName=Fyrreparken; houseNumber=100; postalCode=5240; fromDate=2025-06-01`. */
export function queryText(q: { ownerNumber: string; address: AddressQuery; fromDate: CivilDate; fromDateDefaulted: boolean }): string {
  const parts = Object.entries(q.address).map(([k, v]) => `${k}=${v}`);
  parts.push(`ownerNumber=${q.ownerNumber}`, `fromDate=${q.fromDate}${q.fromDateDefaulted ? ' (default)' : ''}`);
  return parts.join('; ');
}

export async function landlordWorkbook(r: LandlordResult): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'OpenCPR';
  wb.created = new Date(r.queriedAt);
  const ws = wb.addWorksheet(SHEET_NAME);

  const meta: Array<[string, ExcelJS.CellValue, string?]> = [
    ['Opslag', "CPR's udlejerservice: personer tilmeldt og fraflyttet boligen"],
    ['Adresse', r.address.label],
    ['Ejer (CVR/CPR)', r.query.ownerNumber],
    ['Fra-dato', excelDate(r.query.fromDate), DATE_FORMAT],
    ['Søgeparametre', queryText(r.query)],
    ['Tidspunkt for opslag', new Date(r.queriedAt), TIME_FORMAT],
    ['Bemærk', r.notice.da],
  ];
  meta.forEach(([label, value, fmt], i) => {
    const row = ws.getRow(i + 1);
    row.getCell(1).value = label;
    row.getCell(1).font = { bold: true };
    row.getCell(2).value = value;
    if (fmt) row.getCell(2).numFmt = fmt;
  });

  const header = ws.getRow(HEADER_ROW);
  COLUMNS.forEach((c, i) => {
    header.getCell(i + 1).value = c;
  });
  header.font = { bold: true };

  const bfeOf = new Map(r.units.map((u) => [u.addressId, u]));
  r.residents.forEach((p, i) => {
    const u = bfeOf.get(p.unit.addressId)!;
    const row = ws.getRow(HEADER_ROW + 1 + i);
    const values: ExcelJS.CellValue[] = [
      p.addressingName,
      p.unit.label,
      p.unit.floor ?? '',
      p.unit.door ?? '',
      p.unit.addressId,
      u.bfe,
      excelDate(u.acquired),
      excelDate(p.moveInDate),
      p.moveInIsAcquisitionDate ? 'Ja' : 'Nej',
      p.moveOutDate ? excelDate(p.moveOutDate) : null,
      p.status === 'current' ? 'Tilmeldt' : 'Fraflyttet',
      p.protection ? 'Ja' : 'Nej',
      p.protection?.validTo ? excelDate(p.protection.validTo) : null,
      p.protection ? p.protection.notice.da : '',
    ];
    values.forEach((v, j) => {
      const cell = row.getCell(j + 1);
      cell.value = v;
      if (v instanceof Date) cell.numFmt = DATE_FORMAT;
    });
  });

  ws.columns.forEach((col, i) => {
    col.width = i === 0 || i === 1 ? 34 : i === 4 ? 38 : 16;
  });
  ws.views = [{ state: 'frozen', ySplit: HEADER_ROW }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}
