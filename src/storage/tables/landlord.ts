/** The landlord service's customers (LAN-1, seed 000), migration 0009. */

/**
 * A landlord customer's registration for the service: social housing
 * organisation or private landlord, and for a private landlord the recorded
 * documentation that it owns and lets more than 10 dwellings.
 */
export interface LandlordCustomerTable {
  /** The customer (kind 'landlord'). */
  customer_id: string;
  /** 'social_housing' or 'private_landlord'. */
  landlord_kind: string;
  /** The documentation's reference (a case number, a document name); null when none is recorded. */
  documentation: string | null;
  /** The number of dwellings the documentation shows the landlord owns and lets. */
  documented_dwellings: number | null;
  documented_at: string | null;
  /** Who recorded the documentation (a principal id or `cli:…`). */
  documented_by: string | null;
  created_at: string;
  updated_at: string;
}

/** An owner number (CVR, or the person number of an owner who is a person) tied to a landlord customer. */
export interface LandlordOwnerNumberTable {
  customer_id: string;
  /** 8-digit CVR number or 10-digit person number (no hyphen). */
  owner_number: string;
  /** 'cvr' or 'cpr'. */
  owner_kind: string;
  added_at: string;
  added_by: string;
}

export interface LandlordTables {
  landlord_customer: LandlordCustomerTable;
  landlord_owner_number: LandlordOwnerNumberTable;
}
