/**
 * Product: mastered in Finance (a sellable released product of the configured company), and the Sales
 * product with the same number. Unified fields come from Finance, or from Sales for a Sales-only product.
 */
import type { FinanceProduct } from '../../connectors/finance/types.js';
import type { SalesProduct } from '../../connectors/sales/types.js';
import type { ProductResolvers } from '../../generated/resolvers-types.js';
import type { HubContext } from '../context.js';
import type { ProductModel } from '../models.js';
import { currencyIso, preferring, unitName } from './shared.js';
import { syncLink } from './sync.js';

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

const unified = <T>(
  product: ProductModel,
  context: HubContext,
  fromFinance: (finance: FinanceProduct) => T | null,
  fromSales: (sales: SalesProduct) => T | null | Promise<T | null>,
): Promise<T | null> =>
  preferring(
    () => financeProductOf(product, context),
    () => salesProductOf(product, context),
    fromFinance,
    fromSales,
  );

const salesTypes: Record<number, 'ITEM' | 'SERVICE'> = { 1: 'ITEM', 3: 'SERVICE' };

export const Product: ProductResolvers = {
  productNumber: (product) => product.productNumber,
  name: (p, _a, ctx) =>
    unified(
      p,
      ctx,
      (f) => f.ProductName,
      (s) => s.name,
    ),
  description: (p, _a, ctx) =>
    unified(
      p,
      ctx,
      (f) => f.ProductDescription,
      (s) => s.description,
    ),
  type: (p, _a, ctx) =>
    unified(
      p,
      ctx,
      (f) => (f.ProductType === 'Service' ? 'SERVICE' : f.ProductType === 'Item' ? 'ITEM' : null),
      (s) => (s.producttypecode === null ? null : (salesTypes[s.producttypecode] ?? null)),
    ),
  price: (p, _a, ctx) =>
    unified(
      p,
      ctx,
      (f) => f.SalesPrice,
      (s) => s.price,
    ),
  cost: (p, _a, ctx) =>
    unified(
      p,
      ctx,
      (f) => f.UnitCost,
      (s) => s.currentcost,
    ),
  currency: (p, _a, ctx) =>
    unified(
      p,
      ctx,
      (f) => f.CurrencyCode,
      (s) => currencyIso(ctx, s._transactioncurrencyid_value),
    ),
  unit: (p, _a, ctx) =>
    unified(
      p,
      ctx,
      (f) => f.SalesUnitSymbol,
      (s) => unitName(ctx, s._defaultuomid_value),
    ),
  unitDecimals: (p, _a, ctx) =>
    unified(
      p,
      ctx,
      (f) => f.SalesUnitDecimalPrecision,
      (s) => s.quantitydecimal,
    ),
  salesStopped: (p, _a, ctx) =>
    unified(
      p,
      ctx,
      (f) => f.IsSalesStopped === 'Yes',
      (s) => s.statecode === 1,
    ),
  sales: (p, _a, ctx) => salesProductOf(p, ctx),
  finance: (p, _a, ctx) => financeProductOf(p, ctx),
  sync: (p, _a, ctx) =>
    syncLink(ctx, {
      entity: 'product',
      key: p.productNumber,
      flow: 'products',
      source: () => financeProductOf(p, ctx),
      target: () => salesProductOf(p, ctx),
    }),
};
