/**
 * Product: mastered in Finance (a sellable released product of the configured company), and the Sales
 * product with the same number. Unified fields are the products flow's mapped fields, from Finance, or
 * from Sales for a Sales-only product (see the read model).
 */
import type { FinanceProduct } from '../../connectors/finance/types.js';
import type { SalesProduct } from '../../connectors/sales/types.js';
import type { ProductResolvers } from '../../generated/resolvers-types.js';
import { recordViews } from '../../sync/read-model/index.js';
import type { HubContext } from '../context.js';
import type { ProductModel } from '../models.js';
import { rowsOf } from './shared.js';
import { syncLink } from './sync.js';

const products = recordViews.product;

async function financeProductOf(product: ProductModel, context: HubContext): Promise<FinanceProduct | null> {
  return product.finance !== undefined
    ? product.finance
    : context.loaders.financeProductByNumber.load(product.productNumber);
}

async function salesProductOf(product: ProductModel, context: HubContext): Promise<SalesProduct | null> {
  return product.sales !== undefined
    ? product.sales
    : context.loaders.salesProductByNumber.load(product.productNumber);
}

const rows = (product: ProductModel, context: HubContext) =>
  rowsOf(
    context,
    () => financeProductOf(product, context),
    () => salesProductOf(product, context),
  );

/** The product types as each system spells them (Finance's enum members, Sales' type codes), in the schema's terms. */
const financeTypes = new Map<unknown, 'ITEM' | 'SERVICE'>([
  ['Item', 'ITEM'],
  ['Service', 'SERVICE'],
]);
const salesTypes = new Map<unknown, 'ITEM' | 'SERVICE'>([
  [1, 'ITEM'],
  [3, 'SERVICE'],
]);

export const Product: ProductResolvers = {
  productNumber: (product) => product.productNumber,
  name: (p, _a, ctx) => products.value<string>('name', rows(p, ctx)),
  description: (p, _a, ctx) => products.value<string>('description', rows(p, ctx)),
  type: async (p, _a, ctx) => {
    const reading = await products.read('type', rows(p, ctx));
    if (!reading) return null;
    return (reading.side === 'source' ? financeTypes : salesTypes).get(reading.value) ?? null;
  },
  price: (p, _a, ctx) => products.value<string>('price', rows(p, ctx)),
  cost: (p, _a, ctx) => products.value<string>('cost', rows(p, ctx)),
  currency: (p, _a, ctx) => products.value<string>('currency', rows(p, ctx)),
  unit: (p, _a, ctx) => products.value<string>('unit', rows(p, ctx)),
  unitDecimals: (p, _a, ctx) => products.value<number>('unitDecimals', rows(p, ctx)),
  /** No flow maps it: Finance's sales stop, or a Sales product retired (statecode 1), as each system holds it. */
  salesStopped: async (p, _a, ctx) => {
    const record = await products.record(rows(p, ctx));
    if (!record) return null;
    return record.side === 'source' ? record.row.IsSalesStopped === 'Yes' : record.row.statecode === 1;
  },
  sales: (p, _a, ctx) => salesProductOf(p, ctx),
  finance: (p, _a, ctx) => financeProductOf(p, ctx),
  sync: (p, _a, ctx) =>
    syncLink(ctx, { entity: 'product', key: p.productNumber, flow: products.flow, ...rows(p, ctx) }),
};
