/** Company enquiries: name index and bulk delivery jobs (DIS-3, §38(1), §38(5), §39, §42(6)). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by the feature that owns it
export interface CompanyTables {}
