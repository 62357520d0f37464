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
  session_locked: { status: 401, da: 'Sessionen er låst efter 10 minutter uden aktivitet; angiv din adgangskode igen.', en: 'The session is locked after 10 minutes without activity; give your password again.' },
  csrf_invalid: { status: 403, da: 'Forespørgslen mangler et gyldigt CSRF-token; genindlæs siden.', en: 'The request lacks a valid CSRF token; reload the page.' },
  username_taken: { status: 409, da: 'Brugernavnet er optaget.', en: 'The user name is taken.' },
  internal: { status: 500, da: 'Der opstod en intern fejl.', en: 'An internal error occurred.' },
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
