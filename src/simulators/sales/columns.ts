/**
 * Columns and lookups several Sales (Dataverse) tables share: the system columns, the currency lookup and
 * an address block. A module of its own so that `entities.ts` and `order-entities.ts` can both use them
 * without importing each other (`entities.ts` lists the order-to-cash tables in `salesEntitySets`).
 */
import type { PropertyDef } from '../core/model.js';
import { dateTime, int32, int64, readOnly, str } from '../core/properties.js';

/** The state, status, timestamp and row version columns of every table that has a state. */
export const system = (): Record<string, PropertyDef> => ({
  statecode: int32(),
  statuscode: int32(),
  createdon: readOnly(dateTime()),
  modifiedon: readOnly(dateTime()),
  versionnumber: readOnly(int64()),
});

/** The currency lookup most tables have: `_transactioncurrencyid_value`, bound as `transactioncurrencyid`. */
export const currencyLookup = {
  column: '_transactioncurrencyid_value',
  navigations: { transactioncurrencyid: 'transactioncurrencies' },
};

/** `$expand=transactioncurrencyid` on a table with `currencyLookup`. */
export const currencyExpansion = {
  target: 'transactioncurrencies',
  cardinality: 'one',
  via: '_transactioncurrencyid_value',
} as const;

/** The address columns under `prefix` (`address1`, `shipto`, `billto`, …). */
export const address = (prefix: string): Record<string, PropertyDef> => ({
  [`${prefix}_line1`]: str(250),
  [`${prefix}_city`]: str(80),
  [`${prefix}_stateorprovince`]: str(50),
  [`${prefix}_postalcode`]: str(20),
  [`${prefix}_country`]: str(80),
});
