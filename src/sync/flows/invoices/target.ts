/**
 * The invoices flow's Sales target: a posted Finance invoice becomes a Sales invoice with its lines in ONE
 * change set — the invoice (created by its number, never overwriting one), its lines bound to it by that
 * number, a write-in line for the header charges, and the invoiced order's status set to Invoiced (or
 * Partially invoiced, when Finance says the order still has lines to invoice) — so Sales never holds half
 * an invoice, nor an invoice whose order still looks open. The order's status only moves forward. A posted
 * invoice does not change in Finance, and an invoice from Finance is read-only in Sales: one that exists
 * is left alone (unchanged).
 */
import type { Connectors } from '../../../connectors/index.js';
import type { SalesOperation } from '../../../connectors/sales/connector.js';
import { salesOrderStatus } from '../../../connectors/sales/types.js';
import { isBlank } from '../../normalise.js';
import { salesBody, type TargetAdapter, type TargetWrite } from '../../engine/write.js';
import { readField } from '../../transforms.js';
import { matchKey } from '../../../vocabulary.js';
import { valuesOf } from '../lookups.js';
import { forwardStatus } from '../order-status/target.js';
import { HEADER_CHARGES_LINE } from './definition.js';

type Values = Record<string, unknown>;

/** The body of one invoice line; a line without a product (free text) becomes a write-in line. */
function lineBody(
  connectors: Connectors,
  invoiceNumber: string,
  values: Values,
  invoiceDate: unknown,
): Values {
  const writeIn = isBlank(values['_productid_value']);
  const { _productid_value: product, ...rest } = values;
  return {
    ...salesBody(connectors, writeIn ? rest : { ...rest, _productid_value: product }),
    isproductoverridden: writeIn,
    msdynce_invoicedate: invoiceDate ?? null,
    'invoiceid@odata.bind': connectors.sales.bind('invoice', invoiceNumber),
  };
}

/** The write-in line carrying the invoice's header charges, or null when it has none. */
function chargesLine(
  connectors: Connectors,
  record: TargetWrite,
  lastSequence: number,
): SalesOperation | null {
  const amount = readField(record.source, 'TotalChargeAmount');
  if (isBlank(amount) || Number(amount) === 0) return null;
  const description = readField(record.source, 'ChargeDescription');
  return {
    method: 'POST',
    kind: 'invoiceLine',
    body: lineBody(
      connectors,
      record.key,
      {
        sequencenumber: lastSequence + 1,
        quantity: '1',
        priceperunit: String(amount),
        manualdiscountamount: '0',
        tax: '0',
        msdynce_invoicenumber: record.key,
        productdescription: isBlank(description)
          ? HEADER_CHARGES_LINE
          : `${HEADER_CHARGES_LINE}: ${String(description)}`,
      },
      record.values['msdynce_invoicedate'],
    ),
  };
}

export function salesInvoiceTarget(connectors: Connectors): TargetAdapter {
  const { sales } = connectors;

  function changeSet(
    record: TargetWrite,
    orderStatus: ReadonlyMap<string, number | null>,
    partiallyInvoiced: ReadonlySet<string>,
  ): SalesOperation[] {
    const { invoicenumber: _key, ...header } = record.values;
    const operations: SalesOperation[] = [
      {
        method: 'PATCH',
        kind: 'invoice',
        key: record.key,
        body: salesBody(connectors, header),
        only: 'create',
      },
    ];
    let last = 0;
    for (const child of record.children ?? []) {
      last = Math.max(last, Number(child.values['sequencenumber'] ?? 0));
      operations.push({
        method: 'POST',
        kind: 'invoiceLine',
        body: lineBody(connectors, record.key, child.values, header['msdynce_invoicedate']),
      });
    }
    const charges = chargesLine(connectors, record, last);
    if (charges) operations.push(charges);
    const orderId = header['_salesorderid_value'];
    if (typeof orderId === 'string') {
      const current = orderStatus.get(matchKey(orderId)) ?? null;
      const orderNumber = String(readField(record.source, 'SalesOrderNumber'));
      const invoiced = partiallyInvoiced.has(matchKey(orderNumber))
        ? salesOrderStatus.partiallyInvoiced
        : salesOrderStatus.invoiced;
      const status = forwardStatus(current, invoiced);
      if (status !== current) {
        operations.push({
          method: 'PATCH',
          kind: 'order',
          key: { id: orderId },
          body: { msdynce_processingstatus: status },
          only: 'update',
          id: orderId,
        });
      }
    }
    return operations;
  }

  /** The order numbers of `records` that Finance holds as PartiallyInvoiced, in one batched read. */
  async function partiallyInvoicedOf(records: readonly TargetWrite[]): Promise<Set<string>> {
    const numbers = valuesOf(
      records.map((record) => record.source),
      'SalesOrderNumber',
    );
    const orders = await connectors.finance.getByValues('orderHeader', 'SalesOrderNumber', numbers, {
      select: ['SalesOrderNumber', 'SalesOrderProcessingStatus'],
    });
    const partial = [...orders].filter(
      ([, [order]]) => order?.SalesOrderProcessingStatus === 'PartiallyInvoiced',
    );
    return new Set(partial.map(([number]) => number));
  }

  /** The current processing status of the Sales orders `records` invoice, in one batched read. */
  async function statusesOf(records: readonly TargetWrite[]): Promise<Map<string, number | null>> {
    const ids = valuesOf(
      records.map((record) => record.values),
      '_salesorderid_value',
    );
    const orders = await sales.getByValues('order', 'salesorderid', ids, {
      select: ['salesorderid', 'msdynce_processingstatus'],
    });
    return new Map([...orders].map(([id, [order]]) => [id, order?.msdynce_processingstatus ?? null]));
  }

  return {
    async readCurrent(keys) {
      const found = await sales.getByValues('invoice', 'invoicenumber', keys);
      return new Map([...found].flatMap(([key, [row]]) => (row ? [[key, row as object] as const] : [])));
    },
    // Posted invoices never change, and Sales keeps them read-only: an invoice that exists is done.
    holds: () => true,
    async write(records) {
      const [statuses, partial] = await Promise.all([statusesOf(records), partiallyInvoicedOf(records)]);
      const results = await sales.writeChangeSets(
        records.map((record) => changeSet(record, statuses, partial)),
      );
      return records.map((_record, index) => {
        const parts = results[index]!;
        const refused = parts.find((result) => result.outcome === 'failed');
        if (refused)
          return { outcome: 'failed', message: refused.error?.message ?? 'Sales refused the invoice' };
        const id = parts[0]?.id;
        return { outcome: 'created', ...(id ? { id } : {}) };
      });
    },
  };
}
