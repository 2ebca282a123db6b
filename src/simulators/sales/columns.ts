/**
 * Columns and lookups several Sales (Dataverse) tables share: the system columns, the currency and customer
 * lookups, an address block and the tables of priced lines. A module of its own so that `entities.ts` and `order-entities.ts` can both use them
 * without importing each other (`entities.ts` lists the order-to-cash tables in `salesEntitySets`).
 */
import type { EntitySetDef, PropertyDef } from '../core/model.js';
import { bool, dateTime, decimal, guid, int32, int64, readOnly, required, str } from '../core/properties.js';

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

/** The customer lookup of quotes, orders and invoices: an account or a contact. */
export const customerLookup = {
  column: '_customerid_value',
  navigations: { customerid_account: 'accounts', customerid_contact: 'contacts' },
};

/** `$expand=customerid_account` on a table with `customerLookup`. */
export const customerAccountExpansion = {
  target: 'accounts',
  cardinality: 'one',
  via: '_customerid_value',
} as const;

/** The priced-line columns quote, order and invoice lines share; order and invoice lines also carry the tax. */
const pricedLine = (withTax: boolean): Record<string, PropertyDef> => ({
  _productid_value: guid(),
  isproductoverridden: bool(),
  productdescription: str(500),
  quantity: decimal(),
  priceperunit: decimal(),
  manualdiscountamount: decimal(),
  extendedamount: readOnly(decimal()),
  ...(withTax ? { tax: decimal() } : {}),
  sequencenumber: int32(),
  _uomid_value: guid(),
});

/**
 * A table of priced lines under a header (quote, order or invoice): the line's key, the header lookup, the
 * priced-line columns, the table's own `columns`, then `createdon`, `modifiedon` and `versionnumber` (lines
 * have no state). Lookups and `$expand` go to the header, the product and the unit. Columns keep this order,
 * which `$metadata` follows.
 */
export function pricedLineTable({
  name,
  entityType,
  header,
  withTax,
  columns,
}: {
  name: string;
  entityType: string;
  /** The header's entity set and navigation property (`quotes`, `quoteid`): its lookup is `_<navigation>_value`. */
  header: { set: string; navigation: string };
  withTax: boolean;
  columns: Record<string, PropertyDef>;
}): EntitySetDef {
  const headerColumn = `_${header.navigation}_value`;
  return {
    name,
    entityType,
    key: [`${entityType}id`],
    properties: {
      [`${entityType}id`]: required(guid()),
      [headerColumn]: guid(),
      ...pricedLine(withTax),
      ...columns,
      createdon: readOnly(dateTime()),
      modifiedon: readOnly(dateTime()),
      versionnumber: readOnly(int64()),
    },
    lookups: [
      { column: headerColumn, navigations: { [header.navigation]: header.set } },
      { column: '_productid_value', navigations: { productid: 'products' } },
      { column: '_uomid_value', navigations: { uomid: 'uoms' } },
    ],
    expansions: {
      [header.navigation]: { target: header.set, cardinality: 'one', via: headerColumn },
      productid: { target: 'products', cardinality: 'one', via: '_productid_value' },
      uomid: { target: 'uoms', cardinality: 'one', via: '_uomid_value' },
    },
  };
}
