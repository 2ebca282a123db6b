/**
 * The products flow: Finance released products → Sales products (declaration in definition.ts), written
 * with their price list item (target.ts), products Finance no longer sells reported or retired after a
 * complete read (vanished.ts), as the products settings say (settings.ts).
 */
import { idOf, type FlowModule } from '../module.js';
import { productsFlow } from './definition.js';
import { productTarget } from './target.js';
import { vanishedProducts } from './vanished.js';

/** Products per page (see the plan). */
export const productsPageSize = 1_000;

export const products: FlowModule = {
  definition: productsFlow,
  plan: ({ products: settings }) => ({
    flow: productsFlow,
    source: { system: 'finance', kind: 'product', key: 'ProductNumber' },
    targets: (connectors) => ({ product: productTarget(connectors, settings) }),
    linkEntity: 'product',
    salesId: (_source, current) => idOf('productid')(current),
    unchangedByHash: true,
    // Sales takes 1,000 records a bulk message: a page of 1,000 products is written in as many requests
    // (products, their price list items, their default price lists) as one of 500.
    pageSize: productsPageSize,
    afterRead: (connectors, wasRead, { dryRun }) =>
      vanishedProducts(connectors, wasRead, { settings, dryRun }),
  }),
};
