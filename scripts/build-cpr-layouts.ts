/**
 * Builds src/formats/cpr-extract/layouts.json, the record layouts of the CPR
 * extract / CPR Direct format (records P12170-000…999, SPEC COD-5), from
 * CPR Broker's machine-readable Definitions.xml in the shared folder.
 * Run: `npx tsx scripts/build-cpr-layouts.ts` (optionally with the shared
 * folder as argument; default /work/shared).
 *
 * The generated JSON is committed: OpenCPR never reads the shared folder at
 * run time. Origin of the input: shared/formats/README.md (magenta-aps/cprbroker
 * @ 6cb2ace2 : PART/Source/CprBroker/CPRDirect/XML/Definitions.xml, MPL 1.1 /
 * GPL 2 / LGPL 2.1); only the layout facts (names, positions, lengths,
 * formats) are taken over.
 *
 * The XML is simple (elements Layer, Object, Attribute; attributes in double
 * quotes; comments), so it is read with a small tokenizer rather than an XML
 * library. The few evident errors of the source are corrected here, each
 * listed in CORRECTIONS and in the output, and the result is checked: every
 * field lies inside its record and no two fields overlap.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SHARED = process.argv[2] ?? process.env.OPENCPR_SHARED ?? '/work/shared';
const INPUT = join(SHARED, 'formats', 'cpr-direct', 'Definitions.xml');
const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'formats', 'cpr-extract', 'layouts.json');

type Attrs = Record<string, string>;

interface XmlObject {
  attrs: Attrs;
  fields: Attrs[];
  children: XmlObject[];
}

const decodeEntities = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&amp;/g, '&');

function attributes(s: string): Attrs {
  const out: Attrs = {};
  for (const m of s.matchAll(/([\w:.-]+)\s*=\s*"([^"]*)"/g)) out[m[1]!] = decodeEntities(m[2]!);
  return out;
}

/** Reads the Object/Attribute tree of Definitions.xml. */
function readObjects(xml: string): XmlObject[] {
  const text = xml.replace(/^\uFEFF/, '').replace(/<!--[\s\S]*?-->/g, '').replace(/<\?[\s\S]*?\?>/g, '');
  const roots: XmlObject[] = [];
  const stack: XmlObject[] = [];
  for (const m of text.matchAll(/<(\/?)(\w+)\b([^>]*?)(\/?)>/g)) {
    const [, closing, tag, rest, selfClosing] = m;
    if (tag === 'Object') {
      if (closing) {
        const done = stack.pop();
        if (!done) throw new Error('unbalanced </Object>');
        continue;
      }
      const obj: XmlObject = { attrs: attributes(rest!), fields: [], children: [] };
      (stack.at(-1)?.children ?? roots).push(obj);
      if (!selfClosing) stack.push(obj);
    } else if (tag === 'Attribute' && !closing) {
      const owner = stack.at(-1);
      if (!owner) throw new Error('Attribute outside an Object');
      owner.fields.push(attributes(rest!));
    }
  }
  if (stack.length) throw new Error('unclosed <Object>');
  return roots;
}

function* walk(objs: XmlObject[]): Generator<XmlObject> {
  for (const o of objs) {
    yield o;
    yield* walk(o.children);
  }
}

export interface FieldLayout {
  name: string;
  danishName?: string;
  position: number;
  length: number;
  format: 'Alpha' | 'Numeric';
  dateFormat?: string;
  description?: string;
}

export interface RecordLayout {
  code: string;
  product: string;
  name: string;
  danishName: string;
  description?: string;
  length: number;
  minOccurs?: number;
  maxOccurs?: number;
  fields: FieldLayout[];
}

/** Evident errors in the source, corrected (record code, field, what, why). */
const CORRECTIONS: Array<{ record: string; field: string; set: Partial<FieldLayout>; why: string }> = [
  {
    record: '020',
    field: 'ElectionInfoDeletionDate',
    set: { position: 38, length: 10, format: 'Alpha' },
    why: 'the source gives position 1, length 3 (a copy of RECORDTYPE); the date follows START_DT-VALGOPLYSNINGER (28-37) and fills the record length 47',
  },
  {
    record: '020',
    field: 'ElectionInfoStartDate',
    set: { format: 'Alpha' },
    why: 'a yyyy-MM-dd date is not numeric',
  },
  { record: '001', field: 'PersonEndDateUncertainty', set: { danishName: 'SLUT_DT_UMRK-PERSON' }, why: 'the source repeats PNR as the CPR name' },
  { record: '017', field: 'DisempowermentStartDateUncertainty', set: { danishName: 'START_DT_UMRK-UMYNDIG' }, why: 'the source repeats PNR as the CPR name' },
  { record: '007', field: 'DisappearanceDate', set: { danishName: 'FORSVINDDTO' }, why: 'case slip in the source (FORSVINddTO)' },
  { record: '012', field: 'SpouseBirthDateUncertainty', set: { danishName: 'AEGTEFOEDDT_UMRK' }, why: 'case slip in the source (AEGTEFOEddT_UMRK)' },
  { record: '032', field: 'FatherPNR', set: { danishName: 'PNRFAR' }, why: 'the source repeats PNRMOR for the father' },
  { record: '001', field: 'Gender', set: { description: 'Sex, M or K' }, why: 'the source describes it as "CPR Number"' },
];

/**
 * Fields the source leaves out. Record 021 (relocation order) lists only its
 * record type ("MORE FIELDS"), but like every record based on
 * PersonRecordWrapper it carries the person number at 4-13, where CPR's
 * files have it: without it a well-formed 021 line cannot be told apart
 * from a garbled one, nor kept with its person (issue 15, finding 1).
 */
const ADDITIONS: Array<{ record: string; field: string; add: FieldLayout; why: string }> = [
  {
    record: '021',
    field: 'PNR',
    add: { name: 'PNR', position: 4, length: 10, format: 'Alpha', danishName: 'PNR', description: 'CPR Number' },
    why: 'the source lists no fields ("MORE FIELDS"); the person number of every PersonRecordWrapper record stands at 4-13',
  },
];

function toField(a: Attrs): FieldLayout {
  const position = Number(a.position);
  const length = Number(a.length);
  if (!a.name || !Number.isInteger(position) || !Number.isInteger(length) || position < 1 || length < 1) {
    throw new Error(`bad Attribute ${JSON.stringify(a)}`);
  }
  if (a.format !== 'Alpha' && a.format !== 'Numeric') throw new Error(`unknown format ${a.format} of ${a.name}`);
  const f: FieldLayout = { name: a.name, position, length, format: a.format };
  if (a.danishName) f.danishName = a.danishName;
  if (a.dateFormat) f.dateFormat = a.dateFormat;
  if (a.description) f.description = a.description.trim();
  return f;
}

type Correction = { record: string; field: string; set?: Partial<FieldLayout>; add?: FieldLayout; why: string };

function build(xml: string): { records: RecordLayout[]; corrections: Correction[] } {
  const all = [...walk(readObjects(xml))];
  const byName = new Map(all.map((o) => [o.attrs.name!, o]));
  const records: RecordLayout[] = [];
  for (const o of all) {
    const m = /^(P121[78]0)-(\d{3})$/.exec(o.attrs.danishName ?? '');
    if (!m) continue;
    const code = o.attrs.recordTypeCode ?? m[2]!;
    if (code === '') continue; // an abstract base (the _RelativeClearWrittenAddress of 031-033)
    let fields = o.fields.map(toField);
    const base = o.attrs.base;
    if (base && base.endsWith('Type')) {
      // 031-033 inherit the common part from a base object named without "Type".
      const parent = byName.get(base.slice(0, -'Type'.length));
      if (parent) fields = [...parent.fields.map(toField), ...fields];
    }
    const rec: RecordLayout = {
      code,
      product: m[1]!,
      name: o.attrs.name!,
      danishName: o.attrs.danishName!,
      length: Number(o.attrs.length),
      fields,
    };
    if (o.attrs.description) rec.description = o.attrs.description.trim();
    if (o.attrs.minOccurs !== undefined) rec.minOccurs = Number(o.attrs.minOccurs);
    if (o.attrs.maxOccurs !== undefined) rec.maxOccurs = Number(o.attrs.maxOccurs);
    records.push(rec);
  }

  for (const c of CORRECTIONS) {
    const rec = records.find((r) => r.code === c.record);
    const f = rec?.fields.find((x) => x.name === c.field);
    if (!f) throw new Error(`correction target ${c.record}.${c.field} not found`);
    Object.assign(f, c.set);
  }

  for (const a of ADDITIONS) {
    const rec = records.find((r) => r.code === a.record);
    if (!rec) throw new Error(`addition target ${a.record} not found`);
    if (rec.fields.some((f) => f.name === a.field)) throw new Error(`${a.record}.${a.field} is in the source now; drop the addition`);
    rec.fields.push({ ...a.add });
  }

  for (const r of records) {
    r.fields.sort((a, b) => a.position - b.position);
    const names = new Set<string>();
    let end = 0;
    for (const f of r.fields) {
      if (names.has(f.name)) throw new Error(`${r.code}: field ${f.name} twice`);
      names.add(f.name);
      if (f.position <= end) throw new Error(`${r.code}: field ${f.name} at ${f.position} overlaps the previous field (ends at ${end})`);
      end = f.position + f.length - 1;
      if (end > r.length) throw new Error(`${r.code}: field ${f.name} ends at ${end}, beyond the record length ${r.length}`);
    }
  }
  records.sort((a, b) => (a.product === b.product ? a.code.localeCompare(b.code) : a.product.localeCompare(b.product)));
  const codes = records.map((r) => r.code);
  if (new Set(codes).size !== codes.length) throw new Error(`record codes not unique: ${codes.join(' ')}`);
  return { records, corrections: [...CORRECTIONS, ...ADDITIONS] };
}

const { records, corrections } = build(readFileSync(INPUT, 'utf8'));
mkdirSync(dirname(OUT), { recursive: true });
const body = {
  _source:
    'shared/formats/cpr-direct/Definitions.xml (magenta-aps/cprbroker @ 6cb2ace277a14b3143f9f878050d0d7b73683235, MPL 1.1 / GPL 2 / LGPL 2.1); generated by scripts/build-cpr-layouts.ts — do not edit',
  corrections: corrections.map((c) => ({ record: c.record, field: c.field, ...(c.set && { set: c.set }), ...(c.add && { add: c.add }), why: c.why })),
  records,
};
// One correction and one field per line keeps the file readable and its diffs small.
const json = [
  '{',
  `"_source": ${JSON.stringify(body._source)},`,
  '"corrections": [',
  body.corrections.map((c) => JSON.stringify(c)).join(',\n'),
  '],',
  '"records": [',
  body.records
    .map((r) => {
      const { fields, ...head } = r;
      return `${JSON.stringify(head).slice(0, -1)}, "fields": [\n${fields.map((f) => `  ${JSON.stringify(f)}`).join(',\n')}\n]}`;
    })
    .join(',\n'),
  ']',
  '}',
].join('\n');
JSON.parse(json);
writeFileSync(OUT, json + '\n', 'utf8');
console.log(`layouts.json: ${records.length} record types (${records.map((r) => r.code).join(' ')})`);
