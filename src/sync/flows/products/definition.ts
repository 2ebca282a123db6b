/**
 * products (Finance → Sales): each sellable released product becomes a Sales product, keyed by product
 * number, read-only in Sales. Finance has no change feed for this entity, so the engine detects changes by
 * content hash; Draft or Active on create and the price list are engine settings, not field mappings.
 */
import type { FinanceProduct } from '../../../connectors/finance/types.js';
import type { SalesProduct } from '../../../connectors/sales/types.js';
import { financeEntity, salesEntity } from '../entities.js';
import { defineMapping, type FlowDefinition } from '../types.js';

const product = defineMapping<FinanceProduct, SalesProduct>({
  name: 'product',
  description: 'Finance sellable released product → Sales product',
  source: financeEntity('product'),
  target: salesEntity('product'),
  key: { source: 'ProductNumber', target: 'productnumber' },
  // Sales columns are at least as long as Finance's, so nothing is truncated in this direction.
  fields: [
    { field: 'productNumber', source: 'ProductNumber', target: 'productnumber', transform: { kind: 'copy' } },
    { field: 'name', source: 'ProductName', target: 'name', transform: { kind: 'copy' } },
    {
      field: 'description',
      source: 'ProductDescription',
      target: 'description',
      transform: { kind: 'copy' },
    },
    { field: 'price', source: 'SalesPrice', target: 'price', transform: { kind: 'decimal' } },
    { field: 'cost', source: 'UnitCost', target: 'currentcost', transform: { kind: 'decimal' } },
    {
      field: 'type',
      source: 'ProductType',
      target: 'producttypecode',
      transform: { kind: 'valueMap', map: 'productTypeToSalesCode' },
      description: 'Item → 1 (Sales Inventory), Service → 3 (Services)',
    },
    {
      field: 'unitDecimals',
      source: 'SalesUnitDecimalPrecision',
      target: 'quantitydecimal',
      transform: { kind: 'copy' },
    },
    {
      field: 'unit',
      source: 'SalesUnitSymbol',
      target: '_defaultuomid_value',
      transform: { kind: 'unitId', map: 'financeUnitToSalesUnit' },
      description: 'Finance unit symbol → Sales unit',
    },
    {
      field: 'currency',
      source: 'CurrencyCode',
      target: '_transactioncurrencyid_value',
      transform: { kind: 'currencyId' },
      description: 'ISO code → Sales currency',
    },
  ],
  constants: [
    {
      field: 'externallyMaintained',
      target: 'msdynce_ismaintainedexternally',
      value: true,
      apply: 'always',
      description: 'Products from Finance are read-only in Sales',
    },
  ],
});

/** The products flow. */
export const productsFlow: FlowDefinition = {
  name: 'products',
  description: 'Finance sellable released products → Sales products, by product number',
  direction: 'financeToSales',
  dependsOn: [],
  source: product.source,
  // SellableReleasedProducts only exports products that pass Finance's sellable validation.
  eligibility: [],
  routes: [{ when: { test: 'always' }, mapping: 'product', description: 'every sellable product' }],
  unrouted: null,
  mappings: [product],
};
