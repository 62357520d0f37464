/**
 * Errors as RFC 9457 problem details (`application/problem+json`): a stable
 * machine code, an HTTP status, and a human sentence in Danish and English.
 * No stack trace ever reaches a client.
 */
import { LANDLORD_PROBLEMS } from '../domain/landlord/errors.ts';
export interface ProblemType {
  status: number;
  da: string;
  en: string;
}

/**
 * The catalogue: every code the project answers with, its one status and its
 * sentences. The error classes' codes are typed from it (ProblemCode), and
 * test/api/problem-codes.test.ts fails on a thrown code that is not here.
 */
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
  unknown_legal_basis: { status: 400, da: 'Hjemlen findes ikke; angiv en af de gyldige hjemler.', en: 'The legal basis does not exist; give one of the valid legal bases.' },
  unknown_scope_field: { status: 400, da: 'Feltet findes ikke i feltkataloget; angiv gyldige felter eller "all".', en: 'The field is not in the field catalogue; give valid fields or "all".' },
  username_taken: { status: 409, da: 'Brugernavnet er optaget.', en: 'The user name is taken.' },
  internal: { status: 500, da: 'Der opstod en intern fejl.', en: 'An internal error occurred.' },
  // Registration: immigration, emigration, Nordic moves, vital events, protections (docs/api/registration-vital.md).
  date_in_future: { status: 422, da: 'Datoen ligger efter i dag; en hændelse registreres, når den er sket.', en: 'The date is after today; an event is registered once it has happened.' },
  date_too_far_ahead: { status: 422, da: 'Datoen ligger for langt ude i fremtiden.', en: 'The date is too far in the future.' },
  date_in_past: { status: 422, da: 'Datoen må ikke ligge før i dag.', en: 'The date cannot be before today.' },
  person_dead: { status: 422, da: 'Personen er registreret som død.', en: 'The person is registered as dead.' },
  person_inactive: { status: 422, da: 'Personnummeret er ikke længere i brug.', en: 'The person number is no longer in use.' },
  person_disappeared: { status: 409, da: 'Personen er registreret som forsvundet.', en: 'The person is registered as disappeared.' },
  not_resident: { status: 422, da: 'Personen har ikke bopæl i Danmark.', en: 'The person is not resident in Denmark.' },
  already_resident: { status: 409, da: 'Personen har allerede bopæl i Danmark.', en: 'The person is already resident in Denmark.' },
  household_mismatch: { status: 422, da: 'Husstandens medlemmer skal tilflytte samme adresse samme dag, og hver person kun nævnes én gang (§ 16, stk. 2).', en: 'The members of a household move in to the same address on the same day, each named once (§16(2)).' },
  protection_in_force: { status: 409, da: 'Beskyttelsen er allerede gældende.', en: 'The protection is already in force.' },
  protection_not_in_force: { status: 409, da: 'Der er ingen gældende beskyttelse af denne type.', en: 'No protection of this type is in force.' },
  not_extendable: { status: 422, da: 'Beskyttelsen gælder, til den tilbagekaldes, og kan ikke forlænges.', en: 'The protection lasts until revoked and cannot be extended.' },
  reason_required: { status: 400, da: 'En begrundelse er påkrævet.', en: 'A reason is required.' },
  not_registrable_section_18: { status: 422, da: 'Personen registreres ikke som tilflyttet (§ 18).', en: 'The person is not registered as moved in (§18).' },
  residence_permit_required: { status: 422, da: 'Tilflytning kræver opholdstilladelse eller -bevis eller fritagelse (§ 17).', en: 'Immigration needs a residence permit or certificate, or an exemption (§17).' },
  nordic_fields_required: { status: 400, da: 'Tilflytning fra et nordisk land kræver personnummer, adresse og kommune i fraflytningslandet (§ 20, stk. 2).', en: 'A move from a Nordic country needs the number, address and municipality there (§20(2)).' },
  stay_too_short: { status: 422, da: 'Opholdet varer ikke over 3 måneder og registreres ikke (§ 16).', en: 'The stay is not over 3 months and is not registered (§16).' },
  pnr_mismatch: { status: 400, da: 'Personnummeret passer ikke med fødselsdato og køn.', en: 'The person number does not match the birth date and sex.' },
  assessment_required: { status: 400, da: 'Kommunens konkrete vurdering mangler (§ 24, stk. 1).', en: "The municipality's concrete assessment is missing (§24(1))." },
  household_required: { status: 422, da: 'Betingelserne for husstandsmedlemmer er ikke opfyldt (§ 24, stk. 6 og 9).', en: 'The conditions for household members are not met (§24(6), (9)).' },
  household_child_over_18: { status: 422, da: 'Kun børn under 18 år er omfattet (§ 24, stk. 6 og 9).', en: 'Only children under 18 are covered (§24(6), (9)).' },
  supplementary_address_not_allowed: { status: 422, da: 'Supplerende udlandsadresse kan ikke registreres her (§ 24, stk. 3).', en: 'A supplementary foreign address cannot be registered here (§24(3)).' },
  unknown_waiting_item: { status: 404, da: 'Elementet findes ikke i venteregistret.', en: 'The item is not in the waiting register.' },
  not_approvable: { status: 409, da: 'Elementet kan ikke godkendes.', en: 'The item cannot be approved.' },
  already_resolved: { status: 409, da: 'Elementet er allerede behandlet.', en: 'The item has already been dealt with.' },
  already_pending: { status: 409, da: 'Flytningen til et nordisk land er allerede anmeldt og afventer.', en: 'The move to a Nordic country is already reported and waiting.' },
  not_closable: { status: 409, da: 'Elementet kan ikke afsluttes af kommunen.', en: 'The municipality cannot close this item.' },
  not_nordic_channel: { status: 403, da: 'Nordiske meddelelser modtages via CPR-kontoret.', en: 'Nordic notifications come through the CPR office.' },
  not_nordic_country: { status: 400, da: 'Landet er ikke et andet nordisk land eller Færøerne.', en: 'The country is not another Nordic country or the Faroes.' },
  nordic_sender_mismatch: { status: 403, da: 'Afsenderen taler ikke for det land, meddelelsen er fra.', en: 'The sender does not speak for the country the message is from.' },
  unknown_nordic_request: { status: 422, da: 'Svaret henviser til en forespørgsel om standardoplysninger, som ikke er sendt til landet.', en: 'The answer refers to a standard-information request that was not sent to that country.' },
  not_a_registering_authority: { status: 403, da: 'Myndigheden har ikke hjemmel til at registrere denne hændelse (§ 2, stk. 2).', en: 'The authority has no legal basis to register this event (§2(2)).' },
  invalid_mother: { status: 400, da: 'Moderen er ugyldig.', en: 'The mother is not valid.' },
  invalid_father: { status: 400, da: 'Faderen er ugyldig.', en: 'The father is not valid.' },
  invalid_custody: { status: 400, da: 'Forældremyndigheden er ugyldig.', en: 'The custody is not valid.' },
  invalid_couple: { status: 400, da: 'Parret er ugyldigt.', en: 'The couple is not valid.' },
  invalid_guardian: { status: 400, da: 'Værgen er ugyldig.', en: 'The guardian is not valid.' },
  mother_not_resident: { status: 422, da: 'Moderen har ikke bopæl i Danmark.', en: 'The mother is not resident in Denmark.' },
  already_married: { status: 409, da: 'Personen er allerede gift eller i registreret partnerskab.', en: 'The person is already married or in a registered partnership.' },
  under_age: { status: 422, da: 'Personen er under 18 år.', en: 'The person is under 18.' },
  partnership_abolished: { status: 422, da: 'Registreret partnerskab kan ikke indgås efter 15. juni 2012.', en: 'No registered partnership can be entered after 15 June 2012.' },
  not_married_to_each_other: { status: 409, da: 'Personerne er ikke gift med hinanden.', en: 'The persons are not married to each other.' },
  already_separated: { status: 409, da: 'Personen er allerede separeret.', en: 'The person is already separated.' },
  not_separated: { status: 409, da: 'Personen er ikke separeret.', en: 'The person is not separated.' },
  no_change: { status: 409, da: 'Registreringen ændrer intet.', en: 'The registration changes nothing.' },
  not_under_guardianship: { status: 409, da: 'Personen er ikke under værgemål.', en: 'The person is not under guardianship.' },
  guardian_required: { status: 400, da: 'Værgen skal angives.', en: 'The guardian must be named.' },
  number_change_not_needed: { status: 422, da: 'Nyt personnummer gives kun ved fejl i fødselsdato eller køn (§ 3, stk. 5).', en: 'A new number is given only when the birth date or sex was wrong (§3(5)).' },
  number_already_changed: { status: 409, da: 'Personnummeret er allerede ændret.', en: 'The person number has already been changed.' },
  // Municipal registration: moves, cases, complaints, letters (docs/api/registration-moves.md)
  report_too_early: { status: 422, da: 'Flytteanmeldelsen modtages ikke så tidligt.', en: 'The move report is not received this early.' },
  not_at_old_address: { status: 422, da: 'Personen bor ikke på den anmeldte fraflytningsadresse.', en: 'The person does not live at the reported old address.' },
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
  // Address type-ahead, person search by name, citizens' requests (issue 7 gaps).
  invalid_address_query: { status: 400, da: 'Adressesøgningen er ugyldig.', en: 'The address search is not valid.' },
  invalid_person_search: { status: 400, da: 'Personsøgningen er ugyldig.', en: 'The person search is not valid.' },
  grounds_required: { status: 400, da: 'Et afslag skal begrundes.', en: 'A refusal must give its grounds.' },
  protection_request_pending: { status: 409, da: 'Der er allerede en anmodning om beskyttelse, som venter på kommunen.', en: 'A request for protection is already waiting for the municipality.' },
  not_own_person: { status: 403, da: 'En borger handler kun for sig selv.', en: 'A citizen acts for themself only.' },
  // Fastify's own client errors (toProblem in server.ts): a body it cannot take.
  body_too_large: { status: 413, da: 'Forespørgslens indhold er for stort.', en: 'The request body is too large.' },
  unsupported_media_type: { status: 415, da: 'Indholdstypen understøttes ikke; send application/json.', en: 'The content type is not supported; send application/json.' },
  // Customers, users, programs and credentials (src/access/).
  customer_exists: { status: 409, da: 'Kunden findes allerede.', en: 'The customer already exists.' },
  unknown_customer: { status: 404, da: 'Kunden findes ikke.', en: 'The customer does not exist.' },
  unknown_principal: { status: 404, da: 'Brugeren eller programmet findes ikke.', en: 'The user or program does not exist.' },
  unknown_credential: { status: 404, da: 'Legitimationsoplysningen findes ikke.', en: 'The credential does not exist.' },
  role_not_allowed: { status: 422, da: 'Rollen kan ikke gives til denne kunde.', en: 'The role cannot be given to this customer.' },
  // The register's own checks of a registration (src/register/).
  pnr_malformed: { status: 400, da: 'Et personnummer har ti cifre: DDMMÅÅ-SSSS.', en: 'A person number has ten digits: DDMMYY-SSSS.' },
  pnr_no_such_date: { status: 400, da: 'Personnummerets fødselsdato findes ikke.', en: "The person number's birth date does not exist." },
  pnr_suspicious: { status: 400, da: 'Personnummerets kontrolciffer passer ikke, og fødselsdatoen er ikke en dato uden modulus 11-kontrol (PNR-2).', en: 'The modulus-11 check fails and the birth date is not one CPR issues such numbers on (PNR-2).' },
  pnr_in_use: { status: 409, da: 'Personnummeret er allerede i registret.', en: 'The person number is already in the register.' },
  numbers_exhausted: { status: 422, da: 'Alle personnumre for fødselsdatoen og kønnet er i brug.', en: 'Every person number for the birth date and sex is in use.' },
  invalid_authority: { status: 400, da: 'Myndigheden skal være en kommunekode eller et myndighedsnavn.', en: 'The authority must be a municipality code or an authority name.' },
  invalid_event_code: { status: 400, da: 'Hændelseskoden er ikke en CPR-hændelseskode.', en: 'The event code is not a CPR event code.' },
  invalid_changes: { status: 400, da: 'Registreringens oplysninger er ugyldige.', en: 'The facts of the registration are not valid.' },
  no_changes: { status: 400, da: 'En registrering skal angive eller afslutte mindst én oplysning.', en: 'A registration must assert or end at least one fact.' },
  unknown_group: { status: 400, da: 'Oplysningsgruppen findes ikke (bilag 1).', en: 'The group of facts does not exist (Annex 1).' },
  missing_key: { status: 400, da: 'Oplysningen mangler sin nøgle.', en: 'The fact lacks its key.' },
  unexpected_key: { status: 400, da: 'Oplysningen har én værdi ad gangen og tager ingen nøgle.', en: 'The fact holds one value at a time and takes no key.' },
  invalid_value: { status: 400, da: 'Værdien er ugyldig.', en: 'The value is not valid.' },
  invalid_period: { status: 400, da: 'Perioden er ugyldig: slutningen skal ligge efter begyndelsen.', en: 'The period is not valid: its end must be after its start.' },
  invalid_addressing_name: { status: 400, da: 'Adresseringsnavnet er ugyldigt.', en: 'The addressing name is not valid.' },
  invalid_address: { status: 400, da: 'Adressen er ugyldig.', en: 'The address is not valid.' },
  invalid_road_code: { status: 400, da: 'Vejkoden er ugyldig.', en: 'The road code is not valid.' },
  invalid_correction: { status: 400, da: 'Rettelsen er ugyldig.', en: 'The correction is not valid.' },
  unknown_code: { status: 422, da: 'Koden findes ikke i kodelisten på datoen.', en: 'The code is not in the code list on that date.' },
  unknown_registration: { status: 422, da: 'Registreringen er ikke en tidligere registrering af personen.', en: 'The registration is not an earlier registration of the person.' },
  cannot_annul_annulment: { status: 422, da: 'En annullering kan ikke selv annulleres.', en: 'An annulment cannot itself be annulled.' },
  already_annulled: { status: 409, da: 'Registreringen er allerede annulleret.', en: 'The registration has already been annulled.' },
  annulment_with_changes: { status: 400, da: 'En annullering annullerer kun; nye oplysninger registreres for sig.', en: 'An annulment only annuls; new facts are registered separately.' },
  // Extracts (src/services/extracts.ts).
  no_such_extract: { status: 404, da: 'Udtrækket findes ikke.', en: 'The extract does not exist.' },
  invalid_municipality: { status: 400, da: 'Kommunekoden er ugyldig (fire cifre).', en: 'The municipality code is not valid (four digits).' },
  unknown_municipality: { status: 422, da: 'Kommunen er ikke i brug på datoen.', en: 'The municipality is not in use on that date.' },
  // The landlord service (LAN-3); the sentences are in src/domain/landlord/errors.ts.
  ...landlordProblems(),
} as const satisfies Record<string, ProblemType>;

function landlordProblems() {
  return Object.fromEntries(Object.entries(LANDLORD_PROBLEMS).map(([k, v]) => [k, { status: v.status, da: v.da, en: v.en }])) as {
    [K in keyof typeof LANDLORD_PROBLEMS]: ProblemType;
  };
}

export type ProblemCode = keyof typeof PROBLEMS;

/**
 * An error that becomes a problem response; `detail` adds what was wrong
 * (English), `detailDa` in Danish. The status is always the catalogue's: a
 * code has one status on every route, never one guessed from its name.
 */
export class Problem extends Error {
  readonly status: number;
  constructor(
    readonly code: ProblemCode,
    readonly detail?: string,
    readonly detailDa?: string,
    readonly extra?: Record<string, unknown>,
  ) {
    super(detail ?? code);
    this.name = 'Problem';
    this.status = PROBLEMS[code].status;
  }

  static of(code: ProblemCode, detail?: string, detailDa?: string, extra?: Record<string, unknown>): Problem {
    return new Problem(code, detail, detailDa, extra);
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
  const t: ProblemType = PROBLEMS[p.code];
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
