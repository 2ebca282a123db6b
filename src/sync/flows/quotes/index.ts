/**
 * The quotes flow: activated Sales quotes and their lines → Finance sales quotations (declaration in
 * definition.ts). Header and lines are written as one change set; the customer and the lines' products
 * are looked up per page.
 */
import { financeChangeSetTarget } from '../../engine/change-set.js';
import { accountLookups, productLookups, valuesOf, withLookups } from '../lookups.js';
import { idOf, type FlowModule } from '../module.js';
import { quotesFlow } from './definition.js';

/** Quotes per page (see the plan). */
export const quotesPageSize = 1_000;

export const quotes: FlowModule = {
  definition: quotesFlow,
  plan: () => ({
    flow: quotesFlow,
    source: { system: 'sales', kind: 'quote', key: 'quotenumber' },
    targets: (connectors) => ({
      quotationHeader: financeChangeSetTarget(connectors, quotesFlow, 'quotationHeader', {
        lineId: 'InventoryLotId',
        label: 'quotation',
      }),
    }),
    async lookups(connectors, rows, reference, lines) {
      const [customers, products] = await Promise.all([
        // A quotation names its customer by account number only: no Finance read for party numbers.
        accountLookups(connectors, valuesOf(rows, '_customerid_value'), reference, { customerParty: false }),
        productLookups(connectors, valuesOf(lines, '_productid_value'), reference),
      ]);
      return withLookups(customers, products.lookups);
    },
    linkEntity: 'quote',
    salesId: idOf('quoteid'),
    unchangedByHash: false,
    // A page of quotes costs Sales four requests (the quotes, their lines, their customers, their
    // products: each one batched read) for 1,000 quotes as for 500; Finance's writes are bounded by its
    // batch size either way, and most quotes are not activated, so a page writes a fraction of what it reads.
    pageSize: quotesPageSize,
  }),
};
