/** Generated extracts: marketing-protection list (DIS-7) and local directories (DIS-8). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by the feature that owns it
export interface ExtractTables {}
