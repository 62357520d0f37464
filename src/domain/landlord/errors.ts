/**
 * The landlord service's refusals (LAN-3): each a distinct, stable code with
 * a Danish and an English sentence (docs/api/landlord.md lists them). The
 * API turns them into problem+json; the CLI prints the sentence.
 */
export const LANDLORD_PROBLEMS = {
  // Control 1 (seed 000: "OK – Hvis bruger (personkode) er tildelt adgang til tjenesten").
  landlord_no_access: { status: 403, control: 1, da: 'Brugeren er ikke tildelt adgang til udlejertjenesten.', en: 'The user has not been granted access to the landlord service.' },
  landlord_not_enabled: { status: 403, control: 1, da: 'Kunden er ikke tilmeldt udlejertjenesten (en privat udlejer skal dokumentere mere end 10 boliger).', en: 'The customer is not enabled for the landlord service (a private landlord must document more than 10 dwellings).' },
  // Control 2 ("OK - Hvis det i søgningen anvendte CVR-nr/CPR-nr er knyttet sammen med organisationens brugere").
  landlord_owner_number_not_tied: { status: 403, control: 2, da: 'Ejerens CVR-/CPR-nummer er ikke knyttet til organisationens brugere.', en: "The owner's CVR/CPR number is not tied to the organisation's users." },
  // Control 3 ("OK - Hvis CVR-nr/CPR-nr er registreret som aktuel ejer af ejendommen i Ejerfortegnelsen").
  landlord_not_current_owner: { status: 403, control: 3, da: 'CVR-/CPR-nummeret er ikke registreret som aktuel ejer af ejendommen i Ejerfortegnelsen.', en: 'The CVR/CPR number is not registered as the current owner of the property in the ownership register.' },
  landlord_address_not_found: { status: 404, control: 3, da: 'Adressen findes ikke i adresseregistret.', en: 'The address does not exist in the address register.' },
  landlord_address_ambiguous: { status: 409, control: 3, da: 'Adressen er ikke entydig; angiv kommune- og vejkode eller DAR-id.', en: 'The address is ambiguous; give municipality and road code or a DAR id.' },
  landlord_address_without_property: { status: 404, control: 3, da: 'Adressen hører ikke til nogen ejendom (BFE) i Ejerfortegnelsen.', en: 'The address belongs to no property (BFE) in the ownership register.' },
  // The search itself (LAN-2).
  landlord_from_date_too_early: { status: 400, control: null, da: 'Fra-datoen må højst ligge 12 måneder tilbage.', en: 'The from-date may be at most 12 months back.' },
  landlord_from_date_in_future: { status: 400, control: null, da: 'Fra-datoen må ikke ligge efter i dag.', en: 'The from-date may not be after today.' },
  landlord_invalid_owner_number: { status: 400, control: null, da: 'Ejernummeret skal være et CVR-nummer (8 cifre) eller et CPR-nummer (10 cifre).', en: 'The owner number must be a CVR number (8 digits) or a CPR number (10 digits).' },
  // Administration (LAN-1).
  landlord_not_a_landlord_customer: { status: 409, control: null, da: 'Kunden er ikke en udlejerkunde.', en: 'The customer is not a landlord customer.' },
  landlord_too_few_dwellings: { status: 422, control: null, da: 'En privat udlejer skal dokumentere, at den ejer og udlejer mere end 10 boliger.', en: 'A private landlord must document that it owns and lets more than 10 dwellings.' },
  landlord_not_registered: { status: 404, control: null, da: 'Kunden er ikke tilmeldt udlejertjenesten.', en: 'The customer is not registered for the landlord service.' },
} as const satisfies Record<string, { status: number; control: 1 | 2 | 3 | null; da: string; en: string }>;

export type LandlordProblemCode = keyof typeof LANDLORD_PROBLEMS;

/** A refusal of the landlord service; `detail`/`detailDa` say what exactly, `extra` goes into the problem body. */
export class LandlordError extends Error {
  constructor(
    readonly code: LandlordProblemCode,
    readonly detail?: string,
    readonly detailDa?: string,
    readonly extra?: Record<string, unknown>,
  ) {
    super(`${LANDLORD_PROBLEMS[code].en}${detail ? ' ' + detail : ''}`);
    this.name = 'LandlordError';
  }
  get status(): number {
    return LANDLORD_PROBLEMS[this.code].status;
  }
  /** Which of LAN-3's controls refused (1-3), or null. */
  get control(): 1 | 2 | 3 | null {
    return LANDLORD_PROBLEMS[this.code].control;
  }
}
