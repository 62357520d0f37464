/**
 * Reference registers: the address register (DAR) and the ownership register
 * (EJF), LAN-6. All versioned tables are keyed by (object, version) and
 * clustered by it on SQLite; the indexes serve the lookups of
 * src/reference/address-register.ts and ownership-register.ts.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../store.ts';

export default (dialect: Dialect): Migration => {
  const sqlite = dialect === 'sqlite';
  const clustered = sqlite ? sql`without rowid` : sql``;
  const bigint = sqlite ? 'integer' : 'bigint';
  return {
    // Migrations see the schema as it was then, not today's DB type (Kysely's advice), hence `any`.
    async up(db: Kysely<any>) {
      // DAR_Husnummer: the access address (house number on a road).
      await db.schema
        .createTable('dar_husnummer')
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('municipality_code', 'text', (c) => c.notNull())
        .addColumn('road_code', 'text', (c) => c.notNull())
        .addColumn('road_name', 'text', (c) => c.notNull())
        .addColumn('road_key', 'text', (c) => c.notNull())
        .addColumn('house_number', 'text', (c) => c.notNull())
        .addColumn('house_key', 'text', (c) => c.notNull())
        .addColumn('postal_code', 'text', (c) => c.notNull())
        .addColumn('postal_district', 'text', (c) => c.notNull())
        .addColumn('supplementary_town_name', 'text')
        .addColumn('cadastral_district', 'text')
        .addColumn('cadastral_number', 'text')
        .addColumn('etrs89_east', 'double precision')
        .addColumn('etrs89_north', 'double precision')
        .addColumn('wgs84_lat', 'double precision')
        .addColumn('wgs84_lon', 'double precision')
        .addColumn('virkning_fra', 'text', (c) => c.notNull())
        .addColumn('virkning_til', 'text')
        .addColumn('registrering_fra', 'text', (c) => c.notNull())
        .addColumn('registrering_til', 'text')
        .addPrimaryKeyConstraint('dar_husnummer_pk', ['id', 'version'])
        .modifyEnd(clustered)
        .execute();
      // Postal address: road name + house number in a postal code; type-ahead by road-name prefix in a postal code.
      await db.schema
        .createIndex('dar_husnummer_postal')
        .on('dar_husnummer')
        .columns(['postal_code', 'road_key', 'house_key'])
        .execute();
      // Codes: municipality + road code + house number.
      await db.schema
        .createIndex('dar_husnummer_codes')
        .on('dar_husnummer')
        .columns(['municipality_code', 'road_code', 'house_key'])
        .execute();
      // Type-ahead by road-name prefix in a municipality.
      await db.schema
        .createIndex('dar_husnummer_municipality_road')
        .on('dar_husnummer')
        .columns(['municipality_code', 'road_key'])
        .execute();

      // DAR_Adresse: the unit address (floor and door of a house number).
      await db.schema
        .createTable('dar_adresse')
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('husnummer_id', 'text', (c) => c.notNull())
        .addColumn('floor', 'text', (c) => c.notNull())
        .addColumn('door', 'text', (c) => c.notNull())
        .addColumn('virkning_fra', 'text', (c) => c.notNull())
        .addColumn('virkning_til', 'text')
        .addColumn('registrering_fra', 'text', (c) => c.notNull())
        .addColumn('registrering_til', 'text')
        .addPrimaryKeyConstraint('dar_adresse_pk', ['id', 'version'])
        .modifyEnd(clustered)
        .execute();
      await db.schema.createIndex('dar_adresse_husnummer').on('dar_adresse').columns(['husnummer_id', 'floor', 'door']).execute();

      // A property (BFE).
      await db.schema
        .createTable('ejf_ejendom')
        .addColumn('bfe_number', bigint, (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('municipality_code', 'text')
        .addColumn('virkning_fra', 'text', (c) => c.notNull())
        .addColumn('virkning_til', 'text')
        .addColumn('registrering_fra', 'text', (c) => c.notNull())
        .addColumn('registrering_til', 'text')
        .addPrimaryKeyConstraint('ejf_ejendom_pk', ['bfe_number', 'version'])
        .modifyEnd(clustered)
        .execute();

      // Where a property lies: a whole house number (adresse_id '') or one unit address. Keyed by the address first:
      // "which property does this address belong to" is one index range read.
      await db.schema
        .createTable('ejf_beliggenhed')
        .addColumn('husnummer_id', 'text', (c) => c.notNull())
        .addColumn('adresse_id', 'text', (c) => c.notNull())
        .addColumn('bfe_number', bigint, (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('virkning_fra', 'text', (c) => c.notNull())
        .addColumn('virkning_til', 'text')
        .addColumn('registrering_fra', 'text', (c) => c.notNull())
        .addColumn('registrering_til', 'text')
        .addPrimaryKeyConstraint('ejf_beliggenhed_pk', ['husnummer_id', 'adresse_id', 'bfe_number', 'version'])
        .modifyEnd(clustered)
        .execute();
      await db.schema.createIndex('ejf_beliggenhed_bfe').on('ejf_beliggenhed').columns(['bfe_number']).execute();

      // EJF_Ejerskab: an owner's share of a property over a period, with the acquisition date.
      await db.schema
        .createTable('ejf_ejerskab')
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('bfe_number', bigint, (c) => c.notNull())
        .addColumn('owner_kind', 'text', (c) => c.notNull())
        .addColumn('owner_number', 'text', (c) => c.notNull())
        .addColumn('owner_name', 'text')
        .addColumn('share_numerator', 'integer', (c) => c.notNull())
        .addColumn('share_denominator', 'integer', (c) => c.notNull())
        .addColumn('acquisition_date', 'text', (c) => c.notNull())
        .addColumn('owner_code', 'text')
        .addColumn('virkning_fra', 'text', (c) => c.notNull())
        .addColumn('virkning_til', 'text')
        .addColumn('registrering_fra', 'text', (c) => c.notNull())
        .addColumn('registrering_til', 'text')
        .addPrimaryKeyConstraint('ejf_ejerskab_pk', ['id', 'version'])
        .modifyEnd(clustered)
        .execute();
      await db.schema.createIndex('ejf_ejerskab_bfe').on('ejf_ejerskab').columns(['bfe_number', 'virkning_fra']).execute();
      await db.schema.createIndex('ejf_ejerskab_owner').on('ejf_ejerskab').columns(['owner_number', 'virkning_fra']).execute();

      // The imports and generation runs: each is the registration that made its versions.
      await db.schema
        .createTable('reference_import')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('register', 'text', (c) => c.notNull())
        .addColumn('registered_at', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('counts', 'text', (c) => c.notNull())
        .execute();
    },
  };
};
