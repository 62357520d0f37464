/** Reference registers: the address register (DAR) and the ownership register (EJF), LAN-6. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by the feature that owns it
export interface ReferenceTables {}
