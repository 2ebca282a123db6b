/**
 * Dataverse's product catalogue rules, as the Product and Price List Item tables document them and the
 * hub depends on:
 * - a product's status reason follows its state (Active 0 → 1, Retired 1 → 2, Draft 2 → 0, Under
 *   Revision 3 → 3) unless the caller gives one;
 * - a product's default price list (`pricelevelid`) is not valid on create, and may only name a price
 *   list the product already has an item on;
 * - a price list item needs its price list, product and unit, takes its currency from the price list,
 *   and is unique per (price list, product, unit);
 * - a quote line takes an active product only: Draft and Retired products cannot be quoted.
 */
import { ServiceError } from '../core/errors.js';
import type { Row } from '../core/model.js';
import type { Store } from '../core/store.js';
import { salesCodes } from './errors.js';

/** Product statecode → its default statuscode. */
const productStatusByState: Readonly<Record<number, number>> = { 0: 1, 1: 2, 2: 0, 3: 3 };

/** The default statuscode of a row of `set` in state `statecode`. */
export function defaultStatus(set: string, statecode: unknown): number {
  if (set === 'products' && typeof statecode === 'number') return productStatusByState[statecode] ?? 1;
  return 1;
}

/** Refuses columns that Dataverse accepts on update only. */
export function checkCreateColumns(set: string, changes: Row): void {
  if (set === 'products' && changes['_pricelevelid_value'] !== undefined) {
    throw new ServiceError(
      400,
      salesCodes.invalidArgument,
      "The attribute 'pricelevelid' of product is not valid for create: add the product to the price list first (productpricelevels), then set its default price list with an update.",
    );
  }
}

/**
 * Checks and completes a row about to be stored: `row` is the whole row after the write, `previous` the
 * stored row before an update (undefined on create) and `changes` what the request set.
 */
export function applyCatalogRules(
  set: string,
  row: Row,
  previous: Row | undefined,
  changes: Row,
  store: Store,
): void {
  if (set === 'products') productRules(row, previous, changes, store);
  else if (set === 'productpricelevels') priceListItemRules(row, previous, store);
  else if (set === 'quotedetails') quoteLineRules(row, previous, store);
}

function productRules(row: Row, previous: Row | undefined, changes: Row, store: Store): void {
  if (previous && 'statecode' in changes && !('statuscode' in changes)) {
    row['statuscode'] = defaultStatus('products', row['statecode']);
  }
  const priceList = row['_pricelevelid_value'];
  if (!previous || typeof priceList !== 'string' || priceList === previous['_pricelevelid_value']) return;
  const onList = store
    .findBy('productpricelevels', '_productid_value', row['productid'] ?? null)
    .some((item) => sameId(item['_pricelevelid_value'], priceList));
  if (!onList) {
    throw new ServiceError(
      400,
      salesCodes.invalidArgument,
      `The product ${String(row['productnumber'] ?? row['productid'])} has no item on the price list ${priceList}: add it to the price list before making it the default.`,
    );
  }
}

function priceListItemRules(row: Row, previous: Row | undefined, store: Store): void {
  for (const column of ['_pricelevelid_value', '_productid_value', '_uomid_value']) {
    if (typeof row[column] !== 'string') {
      throw new ServiceError(
        400,
        salesCodes.invalidArgument,
        `A price list item needs ${column.slice(1, -'_value'.length)}: bind it with "${column.slice(1, -'_value'.length)}@odata.bind".`,
      );
    }
  }
  const priceList = store.get('pricelevels', { pricelevelid: row['_pricelevelid_value'] ?? null });
  row['_transactioncurrencyid_value'] = priceList?.['_transactioncurrencyid_value'] ?? null;
  const duplicate = store
    .findBy('productpricelevels', '_productid_value', row['_productid_value'] ?? null)
    .some(
      (item) =>
        !sameId(item['productpricelevelid'], previous?.['productpricelevelid']) &&
        sameId(item['_pricelevelid_value'], row['_pricelevelid_value']) &&
        sameId(item['_uomid_value'], row['_uomid_value']),
    );
  if (duplicate) {
    throw new ServiceError(
      400,
      salesCodes.duplicateRecord,
      'This product and unit already have a price on this price list.',
    );
  }
}

function quoteLineRules(row: Row, previous: Row | undefined, store: Store): void {
  const productId = row['_productid_value'];
  if (typeof productId !== 'string' || sameId(productId, previous?.['_productid_value'])) return;
  const product = store.get('products', { productid: productId.toLowerCase() });
  const state = product?.['statecode'];
  if (product && state !== 0) {
    throw new ServiceError(
      400,
      salesCodes.invalidArgument,
      `The product ${String(product['productnumber'] ?? productId)} is ${state === 2 ? 'a draft' : 'not active'}: only active products can be added to a quote.`,
    );
  }
}

const sameId = (a: unknown, b: unknown): boolean =>
  typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();
