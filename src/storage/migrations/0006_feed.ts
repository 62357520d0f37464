/** Subscriptions and usage metering (REG-6, §38(2) nr. 10, DIS-9). */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../store.ts';

export default (dialect: Dialect): Migration => ({
  // Migrations see the schema as it was then, not today's DB type (Kysely's advice), hence `any`.
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('subscription')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('customer_id', 'text', (c) => c.notNull().references('customer.id'))
      .addColumn('pnr', 'text', (c) => c.notNull())
      .addColumn('reference', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('ended_at', 'text')
      .addColumn('ended_by', 'text')
      .execute();
    // The feed's join (customer, person → active at a time) and "is there an active one".
    await db.schema.createIndex('subscription_customer_pnr').on('subscription').columns(['customer_id', 'pnr', 'created_at']).execute();
    // The customer's list, in creation order.
    await db.schema.createIndex('subscription_customer_created').on('subscription').columns(['customer_id', 'created_at', 'id']).execute();
    // Bilag 1 nr. 14: who subscribes to a person.
    await db.schema.createIndex('subscription_pnr').on('subscription').column('pnr').execute();
    // One active subscription per customer and person, and a reference names one active subscription.
    await db.schema
      .createIndex('subscription_active_pnr')
      .on('subscription')
      .columns(['customer_id', 'pnr'])
      .unique()
      .where(sql.ref('ended_at'), 'is', null)
      .execute();
    await db.schema
      .createIndex('subscription_active_reference')
      .on('subscription')
      .columns(['customer_id', 'reference'])
      .unique()
      .where(sql.ref('ended_at'), 'is', null)
      .execute();

    // History is kept for the feed and for billing: no deletes; an update may only end an active subscription.
    if (dialect === 'sqlite') {
      await sql`CREATE TRIGGER subscription_no_delete BEFORE DELETE ON subscription
        BEGIN SELECT RAISE(ABORT, 'subscriptions are ended, never deleted'); END`.execute(db);
      await sql`CREATE TRIGGER subscription_end_only BEFORE UPDATE ON subscription
        WHEN OLD.ended_at IS NOT NULL OR NEW.ended_at IS NULL OR NEW.id IS NOT OLD.id OR NEW.customer_id IS NOT OLD.customer_id
          OR NEW.pnr IS NOT OLD.pnr OR NEW.reference IS NOT OLD.reference OR NEW.created_at IS NOT OLD.created_at
          OR NEW.created_by IS NOT OLD.created_by
        BEGIN SELECT RAISE(ABORT, 'a subscription can only be ended, once'); END`.execute(db);
    } else {
      await sql`CREATE FUNCTION subscription_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'subscriptions are ended, never deleted'; END IF;
          IF OLD.ended_at IS NOT NULL OR NEW.ended_at IS NULL OR NEW.id IS DISTINCT FROM OLD.id
             OR NEW.customer_id IS DISTINCT FROM OLD.customer_id OR NEW.pnr IS DISTINCT FROM OLD.pnr
             OR NEW.reference IS DISTINCT FROM OLD.reference OR NEW.created_at IS DISTINCT FROM OLD.created_at
             OR NEW.created_by IS DISTINCT FROM OLD.created_by THEN
            RAISE EXCEPTION 'a subscription can only be ended, once';
          END IF;
          RETURN NEW;
        END $$`.execute(db);
      await sql`CREATE TRIGGER subscription_guard BEFORE UPDATE OR DELETE ON subscription
        FOR EACH ROW EXECUTE FUNCTION subscription_guard()`.execute(db);
    }
  },
});
