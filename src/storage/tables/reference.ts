/**
 * Reference registers: the address register (DAR) and the ownership register
 * (EJF), LAN-6. Migration 0008; see docs/reference-registers.md.
 *
 * Every table but the import log holds versions, bitemporal as in
 * Grunddatamodellen: `virkning_fra`/`virkning_til` is the validity period
 * (civil dates `YYYY-MM-DD`, to exclusive, null = open), and
 * `registrering_fra`/`registrering_til` the registration period (UTC ISO
 * instants; null = the version is still registered). A version is never
 * changed except to close its registration period; `version` numbers the
 * versions of one object 1, 2, 3, …
 */

/** Bitemporal columns shared by every versioned reference table. */
export interface ReferenceVersionColumns {
  version: number;
  virkning_fra: string;
  virkning_til: string | null;
  registrering_fra: string;
  registrering_til: string | null;
}

/** DAR_Husnummer (the access address, DAWA "adgangsadresse"): one row per version. */
export interface DarHusnummerTable extends ReferenceVersionColumns {
  /** The DAR husnummer id (id_lokalId), a UUID. */
  id: string;
  municipality_code: string;
  road_code: string;
  road_name: string;
  /** Folded road name for lookups: lower case, letters and digits only, accents dropped (except å). */
  road_key: string;
  /** husnummertekst as registered, e.g. `11`, `14A`. */
  house_number: string;
  /** The house number normalised: upper case, no spaces, no leading zeros. */
  house_key: string;
  postal_code: string;
  postal_district: string;
  supplementary_town_name: string | null;
  /** Cadastre (jordstykke): ejerlavkode and matrikelnummer, when known. */
  cadastral_district: string | null;
  cadastral_number: string | null;
  /** Access point, ETRS89/UTM32 (EPSG:25832) and WGS84, when known. */
  etrs89_east: number | null;
  etrs89_north: number | null;
  wgs84_lat: number | null;
  wgs84_lon: number | null;
}

/** DAR_Adresse (the unit address, DAWA "adresse"): one row per version. */
export interface DarAdresseTable extends ReferenceVersionColumns {
  /** The DAR adresse id (id_lokalId), a UUID. */
  id: string;
  /** The DAR husnummer id it belongs to. */
  husnummer_id: string;
  /** etagebetegnelse, lower case (`st`, `kl`, `1`, …); '' when none. */
  floor: string;
  /** dørbetegnelse, lower case (`th`, `tv`, `mf`, `2`, …); '' when none. */
  door: string;
}

/** A property (Bestemt Fast Ejendom, BFE): one row per version. */
export interface EjfEjendomTable extends ReferenceVersionColumns {
  bfe_number: number;
  /** `samlet_fast_ejendom` | `ejerlejlighed` | `bygning_paa_fremmed_grund`. */
  kind: string;
  municipality_code: string | null;
}

/**
 * Where a property lies (Ejendomsbeliggenhed): a whole house number
 * (`adresse_id` = '') or a single unit address (a condominium). One row per
 * version of a link; a unit's own link wins over its house number's.
 */
export interface EjfBeliggenhedTable extends ReferenceVersionColumns {
  husnummer_id: string;
  /** The unit address, or '' for the whole house number. */
  adresse_id: string;
  bfe_number: number;
}

/** EJF_Ejerskab: one owner's share of a property over a period. One row per version. */
export interface EjfEjerskabTable extends ReferenceVersionColumns {
  /** The ownership id (id_lokalId). */
  id: string;
  bfe_number: number;
  /** `cvr` (ejendeVirksomhedCVRNr) or `cpr` (ejendePersonPersonNr). */
  owner_kind: string;
  /** 8 digits (CVR) or 10 digits (CPR, no hyphen). */
  owner_number: string;
  /** The company's name; null for persons (their name is in CPR). */
  owner_name: string | null;
  /** faktiskEjerandel_taeller / _naevner. */
  share_numerator: number;
  share_denominator: number;
  /** overtagelsesdato of the owner's acquisition (Ejerskifte). */
  acquisition_date: string;
  /** ejerforholdskode, when known (e.g. 10 persons, 20 social housing, 30 companies). */
  owner_code: string | null;
}

/** One row per import or generation run (the registration that made the versions). */
export interface ReferenceImportTable {
  id: number;
  /** `addresses` | `ownership`. */
  register: string;
  registered_at: string;
  /** The file(s) or generator, e.g. `sample`, `synth:seed=7`. */
  source: string;
  /** JSON: counts per kind of row: { rows, inserted, changed, unchanged }. */
  counts: string;
}

export interface ReferenceTables {
  dar_husnummer: DarHusnummerTable;
  dar_adresse: DarAdresseTable;
  ejf_ejendom: EjfEjendomTable;
  ejf_beliggenhed: EjfBeliggenhedTable;
  ejf_ejerskab: EjfEjerskabTable;
  reference_import: ReferenceImportTable;
}
