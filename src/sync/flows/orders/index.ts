/**
 * The orders flow: activated Sales orders and their lines → Finance sales orders (declaration in
 * definition.ts). Header, lines and the lines' discount rounding charges are written as one change set;
 * the customer and the lines' products are looked up per page. An order Finance has confirmed is
 * Finance's from then on, and the flow leaves it alone.
 */
import { financeChangeSetTarget } from '../../engine/change-set.js';
import { splitLineDiscount } from '../../money.js';
import { isBlank } from '../../normalise.js';
import { readField } from '../../transforms.js';
import { accountLookups, productLookups, valuesOf, withLookups } from '../lookups.js';
import { idOf, type FlowModule } from '../module.js';
import { ordersFlow, ROUNDING_CHARGE } from './definition.js';

/** Orders per page: as for quotes, each read of a page is one batched request whatever its size. */
export const ordersPageSize = 1_000;

/** The rounding charge a Sales order line needs in Finance: what the per-unit discount loses, or null. */
export function roundingChargeOf(line: object): string | null {
  const discount = readField(line, 'manualdiscountamount');
  const quantity = readField(line, 'quantity');
  if (isBlank(discount) || isBlank(quantity) || Number(quantity) === 0) return null;
  return splitLineDiscount(String(discount), String(quantity)).rounding;
}

export const orders: FlowModule = {
  definition: ordersFlow,
  plan: () => ({
    flow: ordersFlow,
    source: { system: 'sales', kind: 'order', key: 'ordernumber' },
    targets: (connectors) => ({
      orderHeader: financeChangeSetTarget(connectors, ordersFlow, 'orderHeader', {
        lineId: 'InventoryLotId',
        label: 'sales order',
        lineCharge: {
          kind: 'orderLineCharge',
          code: ROUNDING_CHARGE.code,
          description: ROUNDING_CHARGE.description,
          amount: roundingChargeOf,
        },
        // Confirmed, picked, delivered, invoiced or cancelled: Finance sends the updates from then on.
        lockedWhen: (header) => header['SalesOrderProcessingStatus'] !== 'None',
      }),
    }),
    async lookups(connectors, rows, reference, lines) {
      const [customers, products] = await Promise.all([
        accountLookups(connectors, valuesOf(rows, '_customerid_value'), reference, { customerParty: false }),
        productLookups(connectors, valuesOf(lines, '_productid_value'), reference),
      ]);
      return withLookups(customers, products.lookups);
    },
    linkEntity: 'order',
    salesId: idOf('salesorderid'),
    unchangedByHash: false,
    pageSize: ordersPageSize,
  }),
};
