/**
 * The population file (API-4): persons with their full bitemporal history as
 * NDJSON, one JSON object per line. docs/formats.md describes it for
 * integrators; this module is its machine-readable form (zod) plus the
 * documented defaults for hand-written files. Pure: no I/O, no clock.
 *
 *   line 1     {"format":"opencpr-population","version":1,"exportedAt":"…","lastSeq":…}
 *   line 2…    {"pnr":"0708614866","registrations":[{…}, …]}
 *
 * A person's registrations are the log (REG-2, REG-6) in the order it was
 * written, annulments included (REG-3): the register derives every version
 * and projection from them, so they are all a file has to carry. An
 * annulment names the registration it annuls by its 1-based position in the
 * same person's list (`"annuls": 2` annuls the person's second registration);
 * `seq`, the exporting register's log number, is informative and ignored on
 * import (the receiving register numbers its own log).
 */
import { z } from 'zod';
import { eventCode } from '../../domain/codes/index.ts';
import { parseCivilDate, type Instant } from '../../domain/dates.ts';
import { GROUP_NAMES, type Group } from '../../domain/person/facts.ts';

export const POPULATION_FORMAT = 'opencpr-population';
export const POPULATION_VERSION = 1;

/** The acting authority of a registration that names none: the register itself. */
export const DEFAULT_AUTHORITY = 'CPR';

/** The same rule as the register's: a municipality code or an authority name. */
export const AUTHORITY_RE = /^[\p{L}\p{N} .,()/&§-]{1,60}$/u;

const INSTANT_RE = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,3})?)?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/**
 * A registration time as the register stores it (UTC, milliseconds, `Z`),
 * from an ISO time with a time zone (`2024-05-01T10:00:00Z`,
 * `2024-05-01T12:00:00.250+02:00`); null for anything else. A bare date is
 * refused: it would not say when on the day the register learned the fact.
 */
export function normaliseInstant(s: string): Instant | null {
  const m = INSTANT_RE.exec(s);
  if (!m || !parseCivilDate(m[1]!)) return null;
  const t = new Date(s);
  return Number.isNaN(t.getTime()) ? null : t.toISOString();
}

const civilDate = z.string().refine((s) => parseCivilDate(s) !== null, { error: (i) => `"${String(i.input)}" is not a date YYYY-MM-DD` });
const instant = z
  .string()
  .refine((s) => normaliseInstant(s) !== null, { error: (i) => `"${String(i.input)}" is not an ISO time with a time zone, e.g. 2024-05-01T10:00:00Z` })
  .transform((s) => normaliseInstant(s)!);

/** Line 1. */
export const headerSchema = z.strictObject({
  format: z.literal(POPULATION_FORMAT, { error: `the first line must be the header {"format":"${POPULATION_FORMAT}","version":${POPULATION_VERSION}}` }),
  version: z.literal(POPULATION_VERSION, { error: (i) => `version ${JSON.stringify(i.input)} is not supported (this register reads version ${POPULATION_VERSION})` }),
  /** When the file was written (exports). */
  exportedAt: instant.optional(),
  /** Exports: the log was read up to and including this sequence number of the exporting register. */
  lastSeq: z.number().int().nonnegative().optional(),
  /** Free text for the reader of a hand-written file. */
  comment: z.string().optional(),
});

/** One fact asserted or ended, with its validity period (virkning). The value is checked against its group's schema (domain/person/facts.ts). */
export const changeSchema = z.strictObject({
  group: z.enum(GROUP_NAMES as [Group, ...Group[]], { error: (i) => `${JSON.stringify(i.input)} is not a group of Bilag 1` }),
  /** Keyed groups only; when left out it is made from the value (protection: its type; citizenship: its country; relation: role:pnr). */
  key: z.string().optional(),
  validFrom: civilDate,
  /** Exclusive; left out or null: open-ended. */
  validTo: civilDate.nullable().optional(),
  /** The fact's value; null ends the fact for the period. Required. */
  value: z.unknown().refine((v) => v !== undefined, { error: 'a change needs "value" (null ends the fact)' }),
});

/** One registration of the log. */
export const registrationSchema = z
  .strictObject({
    /** The exporting register's sequence number; informative, ignored on import. */
    seq: z.number().int().positive().optional(),
    /** When the register learned it (registrering). Default: the start of the import. */
    registeredAt: instant.optional(),
    /** Default: DEFAULT_AUTHORITY. */
    authority: z.string().regex(AUTHORITY_RE, 'an authority is a municipality code or an authority name (at most 60 characters)').optional(),
    /** COD-4. Default: see defaultEventCode. */
    eventCode: z
      .string()
      .refine((c) => eventCode(c) !== undefined, { error: (i) => `"${String(i.input)}" is not a CPR event code (e.g. A01)` })
      .optional(),
    documentation: z.string().nullable().optional(),
    /** §12(1), §57: reported after the deadline. */
    late: z.boolean().optional(),
    /** REG-3: the 1-based position, in this person's list, of the registration this one annuls. */
    annuls: z.number().int().positive().nullable().optional(),
    changes: z.array(changeSchema).optional(),
  })
  .superRefine((r, ctx) => {
    const annuls = r.annuls != null;
    if (annuls && r.changes?.length) {
      ctx.addIssue({ code: 'custom', path: ['changes'], message: 'an annulment only annuls; put new facts in a registration of their own' });
    }
    if (!annuls && !r.changes?.length) {
      ctx.addIssue({ code: 'custom', path: ['changes'], message: 'a registration must assert or end at least one fact (or annul one)' });
    }
  });

/** Lines 2…: one person. */
export const personLineSchema = z.strictObject({
  pnr: z.string().regex(/^\d{6}-?\d{4}$/, 'a person number has ten digits: DDMMYYSSSS'),
  registrations: z.array(registrationSchema),
});

export type PopulationHeader = z.infer<typeof headerSchema>;
export type PersonLine = z.input<typeof personLineSchema>;
export type ParsedPersonLine = z.output<typeof personLineSchema>;

/** The event code of a registration that names none: the annulled one's for an annulment, else by what it changes. */
export function defaultEventCode(changes: ReadonlyArray<{ group: string; value: unknown }>, annulled?: { eventCode: string }): string {
  if (annulled) return annulled.eventCode;
  if (changes.some((c) => c.group === 'birth')) return 'A14';
  const status = changes.find((c) => c.group === 'status')?.value as { code?: string } | null | undefined;
  const byStatus: Record<string, string> = { '90': 'A21', '80': 'A06', '70': 'A02' };
  if (status?.code && byStatus[status.code]) return byStatus[status.code]!;
  return EVENT_BY_GROUP[changes[0]?.group ?? ''] ?? 'A01';
}

/** Documented in docs/formats.md; groups not listed default to A01. */
export const EVENT_BY_GROUP: Readonly<Record<string, string>> = {
  address: 'A01',
  name: 'A13',
  civilStatus: 'A24',
  separation: 'A24',
  protection: 'A33',
  church: 'A34',
  occupation: 'A34',
  guardianship: 'A73',
  contactAddress: 'A47',
  supplementaryAddress: 'A07',
  foreignAddress: 'A08',
  election: 'A08',
  numberChange: 'P03',
};

/** A zod issue as one phrase a person can act on: `registration 2, change 1, validFrom: "2020-13-01" is not a date YYYY-MM-DD`. */
export function describeIssue(issue: { path: ReadonlyArray<PropertyKey>; message: string }): string {
  const parts: string[] = [];
  const path = issue.path;
  for (let i = 0; i < path.length; i++) {
    const p = path[i];
    const next = path[i + 1];
    if ((p === 'registrations' || p === 'changes') && typeof next === 'number') {
      parts.push(`${p === 'registrations' ? 'registration' : 'change'} ${next + 1}`);
      i++;
    } else {
      parts.push(String(p));
    }
  }
  return parts.length ? `${parts.join(', ')}: ${issue.message}` : issue.message;
}

/** A stable code for a zod issue, by the field it is about. */
export function issueCode(issue: { path: ReadonlyArray<PropertyKey>; code: string }): string {
  const last = issue.path[issue.path.length - 1];
  if (issue.code === 'unrecognized_keys') return 'unknown_field';
  switch (last) {
    case 'validFrom':
    case 'validTo':
    case 'registeredAt':
    case 'exportedAt':
      return 'invalid_date';
    case 'group':
      return 'unknown_group';
    case 'pnr':
      return 'pnr_malformed';
    case 'eventCode':
      return 'invalid_event_code';
    case 'authority':
      return 'invalid_authority';
    case 'format':
    case 'version':
      return 'invalid_header';
    default:
      return 'invalid_line';
  }
}
