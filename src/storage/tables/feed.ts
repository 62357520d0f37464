/** Subscriptions and usage metering (REG-6, §38(2) nr. 10, DIS-9). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by the feature that owns it
export interface FeedTables {}
