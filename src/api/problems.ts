/**
 * Errors as RFC 9457 problem details (`application/problem+json`): a stable
 * machine code, an HTTP status, and a human sentence in Danish and English.
 * No stack trace ever reaches a client.
 */
export interface ProblemType {
  status: number;
  da: string;
  en: string;
}

/** The catalogue of codes; docs/api.md lists them. */
export const PROBLEMS = {
  bad_request: { status: 400, da: 'Forespørgslen er ugyldig.', en: 'The request is not valid.' },
  invalid_pnr: { status: 400, da: 'Personnummeret er ugyldigt.', en: 'The person number is not valid.' },
  invalid_date: { status: 400, da: 'Datoen er ugyldig.', en: 'The date is not valid.' },
  unauthenticated: { status: 401, da: 'Der mangler gyldige legitimationsoplysninger.', en: 'Valid credentials are required.' },
  invalid_credentials: { status: 401, da: 'Legitimationsoplysningerne er ugyldige.', en: 'The credentials are not valid.' },
  credentials_expired: { status: 401, da: 'Legitimationsoplysningerne er udløbet eller tilbagekaldt.', en: 'The credentials have expired or were revoked.' },
  invalid_token: { status: 401, da: 'Adgangsbilletten er ugyldig eller udløbet.', en: 'The access token is not valid or has expired.' },
  customer_inactive: { status: 403, da: 'Kundeaftalen er ikke i kraft.', en: 'The customer agreement is not in force.' },
  authorisation_inactive: { status: 403, da: 'Brugeren eller programmet er ikke autoriseret i dag.', en: 'This user or program is not authorised today.' },
  network_not_allowed: { status: 403, da: 'Adgang fra denne netværksadresse er ikke tilladt.', en: 'Access from this network address is not allowed.' },
  forbidden: { status: 403, da: 'Du har ikke adgang til denne tjeneste.', en: 'You do not have access to this service.' },
  no_legal_basis: { status: 403, da: 'Kunden har ikke hjemmel til denne forespørgsel.', en: 'The customer has no legal basis for this request.' },
  not_found: { status: 404, da: 'Ressourcen findes ikke.', en: 'The resource does not exist.' },
  person_not_found: { status: 404, da: 'Personen findes ikke i registret.', en: 'The person is not in the register.' },
  no_unique_match: { status: 404, da: 'Ingen entydig person fundet.', en: 'No unique match.' },
  conflict: { status: 409, da: 'Forespørgslen er i konflikt med registrets tilstand.', en: 'The request conflicts with the state of the register.' },
  unprocessable: { status: 422, da: 'Registreringen kan ikke foretages.', en: 'The registration cannot be made.' },
  rate_limited: { status: 429, da: 'For mange forespørgsler; vent og prøv igen.', en: 'Too many requests; wait and try again.' },
  audit_unavailable: { status: 503, da: 'Forespørgslen kunne ikke logges, så der gives intet svar.', en: 'The request could not be logged, so no answer is given.' },
  internal: { status: 500, da: 'Der opstod en intern fejl.', en: 'An internal error occurred.' },
  // Municipal registration: moves, cases, complaints, letters (docs/api/registration-moves.md)
  report_too_early: { status: 422, da: 'Flytteanmeldelsen modtages ikke så tidligt.', en: 'The move report is not received this early.' },
  not_at_old_address: { status: 422, da: 'Personen bor ikke på den anmeldte fraflytningsadresse.', en: 'The person does not live at the reported old address.' },
  not_resident: { status: 422, da: 'Personen er ikke bopælsregistreret i en dansk kommune.', en: 'The person is not resident in a Danish municipality.' },
  name_mismatch: { status: 422, da: 'Navnet svarer ikke til det registrerede.', en: 'The name does not match the registered one.' },
  already_at_address: { status: 409, da: 'Personen er allerede registreret på adressen.', en: 'The person is already registered at the address.' },
  address_not_found: { status: 422, da: 'Adressen findes ikke i adresseregistret (DAR).', en: 'The address is not in the address register (DAR).' },
  address_ambiguous: { status: 422, da: 'Adressen er ikke entydig.', en: 'The address is ambiguous.' },
  municipality_mismatch: { status: 422, da: 'Adressen ligger i en anden kommune.', en: 'The address lies in another municipality.' },
  duplicate_mover: { status: 400, da: 'En person er nævnt to gange.', en: 'A person is named twice.' },
  other_municipality: { status: 403, da: 'Du registrerer kun for din egen kommune.', en: 'You register for your own municipality only.' },
  not_a_municipality: { status: 403, da: 'Kun en kommune registrerer i CPR.', en: 'Only a municipality registers in the CPR.' },
  case_not_found: { status: 404, da: 'Sagen findes ikke.', en: 'The case does not exist.' },
  letter_not_found: { status: 404, da: 'Brevet findes ikke.', en: 'The letter does not exist.' },
  case_wrong_status: { status: 409, da: 'Sagen er ikke i en tilstand, hvor dette kan gøres.', en: 'The case is not in a state where this can be done.' },
  case_wrong_kind: { status: 409, da: 'Sagen er af en anden art.', en: 'The case is of another kind.' },
  case_changed: { status: 409, da: 'Sagen er ændret af en anden imens.', en: 'The case was changed by someone else meanwhile.' },
  hearing_pending: { status: 409, da: 'Den anden forælder skal først have mulighed for at udtale sig.', en: 'The other parent must first be given the opportunity to be heard.' },
  not_a_hearing_party: { status: 422, da: 'Personen skal ikke høres i sagen.', en: 'The person is not to be heard in the case.' },
  already_heard: { status: 409, da: 'Forælderen er allerede hørt.', en: 'The parent has already been heard.' },
  already_registered: { status: 409, da: 'Flytningen er allerede registreret.', en: 'The move is already registered.' },
  documentation_required: { status: 422, da: 'En registreret flytning kan kun ændres med dokumentation.', en: 'A registered move can only be changed with documentation.' },
  moved_since: { status: 409, da: 'Personen har en senere adresseregistrering.', en: 'The person has a later address registration.' },
  already_no_fixed_abode: { status: 409, da: 'Personen er allerede registreret uden fast bopæl.', en: 'The person is already registered without fixed abode.' },
  already_disappeared: { status: 409, da: 'Personen er allerede registreret som forsvundet.', en: 'The person is already registered as disappeared.' },
  not_disappeared: { status: 409, da: 'Personen er ikke registreret som forsvundet.', en: 'The person is not registered as disappeared.' },
  request_not_sent: { status: 409, da: 'Personen er ikke skriftligt opfordret til at melde flytning.', en: 'The person has not been asked in writing to report the move.' },
  reply_period_running: { status: 409, da: 'Fristen på 14 dage er ikke udløbet.', en: 'The 14-day period has not run out.' },
  no_decision: { status: 422, da: 'Der er ingen afgørelse at klage over.', en: 'There is no decision to complain about.' },
  invalid_complaint: { status: 400, da: 'Klagen er ugyldig.', en: 'The complaint is not valid.' },
} as const satisfies Record<string, ProblemType>;

export type ProblemCode = keyof typeof PROBLEMS;

/** An error that becomes a problem response; `detail` adds what was wrong (English), `detailDa` in Danish. */
export class Problem extends Error {
  constructor(
    readonly code: ProblemCode | string,
    readonly status: number,
    readonly detail?: string,
    readonly detailDa?: string,
    readonly extra?: Record<string, unknown>,
  ) {
    super(detail ?? code);
    this.name = 'Problem';
  }

  static of(code: ProblemCode, detail?: string, detailDa?: string, extra?: Record<string, unknown>): Problem {
    return new Problem(code, PROBLEMS[code].status, detail, detailDa, extra);
  }
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  /** The same sentences in both languages. */
  messages: { da: string; en: string };
  instance: string;
  [k: string]: unknown;
}

export function problemBody(p: Problem, requestId: string, lang: 'da' | 'en'): ProblemBody {
  const t = (PROBLEMS as Record<string, ProblemType>)[p.code] ?? { status: p.status, da: p.code, en: p.code };
  const en = p.detail ? `${t.en} ${p.detail}` : t.en;
  const da = p.detailDa ? `${t.da} ${p.detailDa}` : p.detail ? `${t.da} (${p.detail})` : t.da;
  return {
    type: `https://opencpr.dk/problems/${p.code}`,
    title: lang === 'da' ? t.da : t.en,
    status: p.status,
    code: p.code,
    detail: lang === 'da' ? da : en,
    messages: { da, en },
    instance: requestId,
    ...p.extra,
  };
}
