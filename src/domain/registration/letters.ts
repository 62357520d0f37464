/**
 * Letters of the registration workflows, in Danish, as printable plain text
 * and HTML (a receipt §12(5), a request to report §11(1), a decision
 * §11(3), a hearing §13(2)-(3), a complaint forwarded §56(2)). Pure. Person
 * numbers only ever appear masked (§54(1): "skal personnumret sløres").
 */
import { maskPnr } from '../pnr/pnr.ts';
import { municipality } from '../codes/index.ts';
import type { CivilDate } from '../dates.ts';
import type { Address } from './move.ts';
import { COMMENT_DAYS, MINISTRY } from './complaint.ts';

export type LetterKind = 'receipt' | 'request_to_report' | 'decision' | 'hearing' | 'complaint_forwarded' | 'complaint_refused' | 'complaint_upheld';

export interface Letter {
  kind: LetterKind;
  /** The sending municipality's code. */
  municipalityCode: string;
  date: CivilDate;
  recipient: { pnr: string; name: string; address: string[] };
  subject: string;
  /** Label-value lines shown as a table. */
  facts: Array<[string, string]>;
  paragraphs: string[];
  caseId: number;
}

const DANISH_DATE = new Intl.DateTimeFormat('da-DK', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** 2026-06-01 → "1. juni 2026". */
export function danishDate(d: CivilDate): string {
  return DANISH_DATE.format(new Date(`${d}T00:00:00Z`));
}

export function municipalityName(code: string): string {
  const m = municipality(code)?.da;
  return m ? `${m} Kommune` : `Kommune ${code}`;
}

/** An address as lines for a letter. */
export function addressLines(a: Address | null | undefined): string[] {
  if (!a) return [];
  if (!a.houseNumber) return [`${a.roadName ?? 'Uden fast bopæl'}`, municipalityName(a.municipalityCode)];
  const unit = [a.floor && `${a.floor}.`, a.door].filter(Boolean).join(' ');
  return [
    ...(a.coName ? [`c/o ${a.coName}`] : []),
    `${a.roadName ?? `Vejkode ${a.roadCode}`} ${a.houseNumber}${unit ? `, ${unit}` : ''}`,
    ...(a.locality ? [a.locality] : []),
    `${a.postalCode ?? ''} ${a.postalDistrict ?? ''}`.trim(),
  ].filter((l) => l !== '');
}

export function addressText(a: Address | null | undefined): string {
  return addressLines(a).join(', ');
}

export function personLine(p: { pnr: string; name: string }): string {
  return `${p.name} (${maskPnr(p.pnr)})`;
}

function header(l: Letter): { from: string; to: string[] } {
  return { from: municipalityName(l.municipalityCode), to: [l.recipient.name, ...l.recipient.address] };
}

/** The letter as plain text, 72 columns, ready to print. */
export function letterText(l: Letter): string {
  const h = header(l);
  const width = Math.max(0, ...l.facts.map(([k]) => k.length));
  const wrap = (s: string) => {
    const out: string[] = [];
    let line = '';
    for (const w of s.split(/\s+/)) {
      if (line && (line + ' ' + w).length > 72) {
        out.push(line);
        line = w;
      } else line = line ? `${line} ${w}` : w;
    }
    if (line) out.push(line);
    return out.join('\n');
  };
  return [
    h.from,
    'Folkeregistret',
    '',
    ...h.to,
    '',
    `${h.from}, ${danishDate(l.date)}`,
    `Sagsnummer: ${l.caseId}`,
    '',
    l.subject.toUpperCase(),
    '',
    ...l.facts.map(([k, v]) => `${k.padEnd(width)}  ${v}`),
    ...(l.facts.length ? [''] : []),
    ...l.paragraphs.flatMap((p) => [wrap(p), '']),
    'Med venlig hilsen',
    `${h.from}, Folkeregistret`,
    '',
  ].join('\n');
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The letter as a self-contained printable HTML page (A4, no scripts, no external resources). */
export function letterHtml(l: Letter): string {
  const h = header(l);
  return `<!doctype html>
<html lang="da"><head><meta charset="utf-8"><title>${esc(l.subject)}</title>
<style>@page{size:A4;margin:25mm}body{font:11pt/1.4 Georgia,serif;max-width:170mm;margin:auto}.from{text-align:right}.to{margin:18mm 0 10mm}table{border-collapse:collapse;margin:1em 0}th{text-align:left;padding-right:1.5em;font-weight:normal;color:#333}h1{font-size:13pt}</style>
</head><body>
<div class="from"><strong>${esc(h.from)}</strong><br>Folkeregistret<br>${esc(danishDate(l.date))}<br>Sagsnummer: ${l.caseId}</div>
<div class="to">${h.to.map(esc).join('<br>')}</div>
<h1>${esc(l.subject)}</h1>
${l.facts.length ? `<table>${l.facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>` : ''}
${l.paragraphs.map((p) => `<p>${esc(p)}</p>`).join('\n')}
<p>Med venlig hilsen<br>${esc(h.from)}, Folkeregistret</p>
</body></html>
`;
}

// ── The letters ─────────────────────────────────────────────────────────────

interface Base {
  caseId: number;
  municipalityCode: string;
  date: CivilDate;
  recipient: { pnr: string; name: string; address: string[] };
}

/** §12(5): the receipt for a move report. */
export function receiptLetter(
  b: Base & {
    receiptNumber: string;
    reportedOn: CivilDate;
    moveDate: CivilDate;
    movers: Array<{ pnr: string; name: string }>;
    from: Address | null;
    to: Address;
    outcome: 'registered' | 'held' | 'held_hearing';
    late: boolean;
  },
): Letter {
  const outcome = {
    registered: 'Flytningen er registreret i CPR.',
    held: 'Flytningen er endnu ikke registreret: kommunen undersøger anmeldelsen nærmere (CPR-lovens § 6, stk. 3). Du får besked, når sagen er afgjort.',
    held_hearing:
      'Flytningen er endnu ikke registreret: den forælder, der ikke flytter med og ikke har underskrevet anmeldelsen, skal først have mulighed for at udtale sig (CPR-lovens § 13, stk. 2).',
  }[b.outcome];
  return {
    ...b,
    kind: 'receipt',
    subject: 'Kvittering for flytteanmeldelse',
    facts: [
      ['Kvitteringsnummer', b.receiptNumber],
      ['Modtaget', danishDate(b.reportedOn)],
      ['Flyttedato', danishDate(b.moveDate)],
      ['Fra', addressText(b.from)],
      ['Til', addressText(b.to)],
      ...b.movers.map((m, i): [string, string] => [i === 0 ? 'Flyttende' : '', personLine(m)]),
    ],
    paragraphs: [
      'Kommunen har modtaget din flytteanmeldelse. Dette er din kvittering, jf. CPR-lovens § 12, stk. 5.',
      outcome,
      ...(b.late
        ? ['Flytningen er anmeldt senere end 5 dage efter flytningen (CPR-lovens § 12, stk. 1). For sen anmeldelse kan straffes med bøde, jf. § 57.']
        : []),
      'Opgiver du flytningen, skal du straks give kommunen besked (§ 12, stk. 6). Når flytningen er registreret, kan den, herunder flyttedatoen, kun ændres, hvis det dokumenteres, at registreringen er forkert.',
    ],
  };
}

/** §11(1): the written request to report a move within 14 days, with the grounds. */
export function requestToReportLetter(b: Base & { basis: string; deadline: CivilDate; registeredAddress: Address | null }): Letter {
  return {
    ...b,
    kind: 'request_to_report',
    subject: 'Opfordring til at anmelde flytning',
    facts: [
      ['Registreret adresse', addressText(b.registeredAddress) || 'ingen'],
      ['Frist', danishDate(b.deadline)],
    ],
    paragraphs: [
      'Kommunen har undersøgt din bopælsregistrering og mener, at du ikke er korrekt registreret i CPR.',
      `Grundlaget for kommunens opfattelse: ${b.basis}`,
      `Du opfordres derfor til at anmelde din flytning senest ${danishDate(b.deadline)}, jf. CPR-lovens § 11, stk. 1. Mener du, at registreringen er korrekt, bedes du inden samme frist give kommunen besked og begrunde det.`,
      'Hører kommunen ikke fra dig inden fristen med oplysninger, der ændrer kommunens opfattelse, vil kommunen registrere den adresse, kommunen anser for korrekt, jf. § 11, stk. 2. Du får skriftlig besked om afgørelsen.',
    ],
  };
}

/** A written decision with its grounds and the complaint guidance of §56. */
export function decisionLetter(
  b: Base & { subject: string; decision: string; grounds: string; facts?: Array<[string, string]>; rule: string },
): Letter {
  return {
    ...b,
    kind: 'decision',
    subject: b.subject,
    facts: b.facts ?? [],
    paragraphs: [
      b.decision,
      `Begrundelse: ${b.grounds}`,
      `Afgørelsen er truffet efter ${b.rule}.`,
      `Klagevejledning: Du kan klage over afgørelsen til ${MINISTRY} inden 4 uger fra den dag, du har fået meddelelse om afgørelsen. Klagen skal være skriftlig og sendes til kommunen, som genvurderer sagen og sender klagen videre med sin begrundelse, hvis kommunen ikke giver dig medhold (CPR-lovens § 56).`,
    ],
  };
}

/**
 * §13(2): the hearing of a parent before a child's move is registered.
 * §13(3): with protection requested for the new address, the departure
 * municipality hears and the letter never shows the new address.
 */
export function hearingLetter(
  b: Base & { child: { pnr: string; name: string }; moveDate: CivilDate; to: Address | null; protectionRequested: boolean; answerBy: CivilDate },
): Letter {
  return {
    ...b,
    kind: 'hearing',
    subject: 'Partshøring om barns flytning',
    facts: [
      ['Barn', personLine(b.child)],
      ['Anmeldt flyttedato', danishDate(b.moveDate)],
      ['Ny adresse', b.protectionRequested ? 'Oplyses ikke (der er anmodet om navne- og adressebeskyttelse)' : addressText(b.to)],
      ['Svarfrist', danishDate(b.answerBy)],
    ],
    paragraphs: [
      'Kommunen har modtaget en anmeldelse om flytning af barnet. Du er forælder til barnet og har hidtil haft fælles bopæl med barnet, men flytter ikke med og har ikke underskrevet anmeldelsen.',
      'Før flytningen registreres, har du derfor mulighed for at udtale dig, jf. CPR-lovens § 13, stk. 2.',
      ...(b.protectionRequested
        ? ['Der er samtidig anmodet om navne- og adressebeskyttelse på barnets nye adresse. Høringen foretages derfor af fraflytningskommunen, som ikke må oplyse den nye adresse, jf. § 13, stk. 3.']
        : []),
      `Vi beder om dit svar senest ${danishDate(b.answerBy)}.`,
    ],
  };
}

/** §56(2): the copy to the complainant when the complaint is forwarded to the ministry. */
export function complaintForwardedLetter(b: Base & { lodgedOn: CivilDate; reasons: string }): Letter {
  return {
    ...b,
    kind: 'complaint_forwarded',
    subject: 'Din klage er sendt videre til ministeriet',
    facts: [
      ['Klage modtaget', danishDate(b.lodgedOn)],
      ['Sendt til', MINISTRY],
    ],
    paragraphs: [
      'Kommunen har genvurderet sagen efter din klage, men kan ikke give dig medhold. Klagen er derfor sendt videre til ministeriet med kommunens begrundelse for afgørelsen og genvurderingen, jf. CPR-lovens § 56, stk. 2. Dette er din kopi.',
      `Kommunens begrundelse: ${b.reasons}`,
      `Har du kommentarer til genvurderingen, skal de sendes til ${MINISTRY} inden ${COMMENT_DAYS / 7} uger fra den dag, du har fået denne meddelelse.`,
    ],
  };
}

export function complaintRefusedLetter(b: Base & { lodgedOn: CivilDate; reasonDa: string }): Letter {
  return {
    ...b,
    kind: 'complaint_refused',
    subject: 'Din klage kan ikke behandles',
    facts: [['Klage modtaget', danishDate(b.lodgedOn)]],
    paragraphs: [`Kommunen kan ikke behandle klagen. ${b.reasonDa}`],
  };
}

export function complaintUpheldLetter(b: Base & { lodgedOn: CivilDate; reasons: string }): Letter {
  return {
    ...b,
    kind: 'complaint_upheld',
    subject: 'Du har fået medhold i din klage',
    facts: [['Klage modtaget', danishDate(b.lodgedOn)]],
    paragraphs: [`Kommunen har genvurderet sagen efter din klage og giver dig medhold. ${b.reasons}`],
  };
}
