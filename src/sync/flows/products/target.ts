/**
 * Where the products flow writes: Sales products by product number, plus what Dataverse needs around a
 * product that a field map cannot say.
 *
 * A new product takes three writes: create the product (create-only), add it to its price list (a price
 * list item in its default unit at Finance's sales price), then set that list as its default price list
 * and its configured state (Dataverse accepts neither the default price list on create nor a default
 * price list the product has no item on). Each step goes for the whole page as one bulk message per table
 * and kind of write (CreateMultiple, UpdateMultiple, UpsertMultiple; the connector falls back to `$batch`
 * per record when a table refuses them or a chunk fails whole), so a page of 500 new products costs three
 * write requests instead of a `$batch` per 66 change sets. A record fails alone: a product whose create
 * fails gets no item, one whose item fails gets no default price list, and either is reported failed.
 *
 * The steps are separate requests, so Sales can be left holding a half-created product: created but not
 * yet on its price list, or on it but without its default price list, still Draft. That happens when the
 * hub stops between the steps (a killed process; the run that takes the flow over finds the product
 * existing) and when the item or the default price list is refused (nothing is deleted again: the record
 * fails, and the next run completes it once the cause is gone). The completion rule:
 * - A product counts as half-created exactly when it has no default price list. Only the last step sets
 *   it, together with the state, so a product without one never got its item, its state or both from the
 *   hub; a product with one was completed once and is never completed again.
 * - A half-created product is completed by the run that next writes it, each part only when missing: the
 *   item on its chosen price list (as for a create) in its default unit is added, or repriced to
 *   Finance's price when it is there at another amount; then its fields, the default price list and, when
 *   it is still Draft, the configured create state are written in one update. A Retired or Active one
 *   keeps its state. Doing it again finds everything in place and writes only that update, so a
 *   completion killed midway is completed by the next run the same way.
 * - A half-created product is never taken to hold what Finance maps to it (`holds`), so it is written even
 *   when every mapped field is equal, and it is checked against the price lists like a new one, in dry
 *   runs too.
 *
 * An update of a complete product is its fields alone, never its state (an administrator may have retired
 * it), plus the price of its item on its default price list when Finance's price changed (one batched
 * read of those items per page, shared with the items of half-created products). The item goes first and
 * the product only when its item was written: a product is never at Finance's price while its item is
 * not, which the next run could not see (it compares the product's price).
 */
import { matchKey } from '../../../vocabulary.js';
import type { Connectors } from '../../../connectors/index.js';
import type { SalesOperation, UpsertResult } from '../../../connectors/sales/connector.js';
import { productStates } from '../../../connectors/sales/entities.js';
import type { SalesPriceListItem, SalesProductWithPriceList } from '../../../connectors/sales/types.js';
import { sameValue } from '../../normalise.js';
import type { ReferenceData } from '../../reference.js';
import { choosePriceLists, readPriceLists, type PriceListChoice, type PriceLists } from './price-lists.js';
import type { ProductSettings } from './settings.js';
import {
  holdsMapped,
  salesBody,
  salesTarget,
  type TargetAdapter,
  type TargetWrite,
  type TargetWriteResult,
} from '../../engine/write.js';

/** Price list items priced as a plain amount ("Currency Amount"); the other methods derive the price. */
const currencyAmount = 1;

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** The Sales product a record found, when there is one. */
const existingOf = (record: TargetWrite): SalesProductWithPriceList | undefined =>
  record.existing as SalesProductWithPriceList | undefined;

/** Whether Sales holds the product half-created: without a default price list (module comment). */
const halfCreated = (product: SalesProductWithPriceList): boolean => !text(product._pricelevelid_value);

/** Whether the record needs a price list chosen: a new product, or a half-created one to complete. */
const needsPriceList = (record: TargetWrite): boolean => {
  const existing = existingOf(record);
  return !existing || halfCreated(existing);
};

/** What a record's write is, before any request: the operations of each step, or why it cannot be written. */
type Plan =
  | { kind: 'refused'; message: string }
  | {
      kind: 'create';
      product: SalesOperation;
      item: Extract<SalesOperation, { method: 'POST' }>;
      settle: SalesOperation;
    }
  | { kind: 'update'; product: SalesOperation; item?: SalesOperation }
  | { kind: 'complete'; productId: string; product: SalesOperation; item?: SalesOperation };

/** The products target over `connectors`, creating products as `settings` say. One per flow run. */
export function productTarget(connectors: Connectors, settings: ProductSettings): TargetAdapter {
  const { sales } = connectors;
  const products = salesTarget(connectors, 'productWithPriceList', 'productnumber');
  // Read at most once per flow run, and only by a run that has a product to put on a price list.
  let priceLists: Promise<PriceLists> | undefined;
  const loadPriceLists = (): Promise<PriceLists> =>
    (priceLists ??= readPriceLists(connectors).then((lists) => choosePriceLists(lists, settings.priceList)));

  const decide = (lists: PriceLists, values: Record<string, unknown>, iso: (id: string) => string) => {
    const currency = text(values['_transactioncurrencyid_value']);
    if (!currency) return { problem: 'The product has no currency, so it cannot join a Sales price list' };
    if (!text(values['_defaultuomid_value']))
      return { problem: 'The product has no unit, so it cannot join a Sales price list' };
    return lists.forCurrency(currency, iso(currency));
  };

  /** A new price list item of the product `product` (a bind) on `priceList`, at Finance's price. */
  const newItem = (
    record: TargetWrite,
    priceList: PriceListChoice,
    product: string,
  ): Extract<SalesOperation, { method: 'POST' }> => ({
    method: 'POST',
    kind: 'priceListItem',
    body: {
      'pricelevelid@odata.bind': sales.bind('priceList', { id: priceList.id }),
      'productid@odata.bind': product,
      'uomid@odata.bind': sales.bind('unit', { id: String(record.values['_defaultuomid_value']) }),
      amount: text(record.values['price']) ?? '0',
      pricingmethodcode: currencyAmount,
    },
  });

  /** A repricing of `item` to the record's price; undefined when it already has it. */
  const reprice = (record: TargetWrite, item: SalesPriceListItem): SalesOperation | undefined => {
    const price = text(record.values['price']);
    if (price === null || item.pricingmethodcode !== currencyAmount) return undefined;
    if (sameValue(item.amount, price, 'decimal')) return undefined;
    return {
      method: 'PATCH',
      kind: 'priceListItem',
      key: { id: item.productpricelevelid },
      body: { amount: price },
      only: 'update',
    };
  };

  /** The three steps that create a product on its price list, or the reason it cannot be created. */
  const createPlan = (lists: PriceLists, record: TargetWrite): Plan => {
    const decision = decide(lists, record.values, (id) => id);
    if ('problem' in decision) return { kind: 'refused', message: decision.problem };
    return {
      kind: 'create',
      product: {
        method: 'PATCH',
        kind: 'product',
        key: record.key,
        body: salesBody(connectors, record.values),
        only: 'create',
      },
      item: newItem(record, decision.priceList, sales.bind('product', record.key)),
      settle: {
        method: 'PATCH',
        kind: 'product',
        key: record.key,
        body: {
          'pricelevelid@odata.bind': sales.bind('priceList', { id: decision.priceList.id }),
          ...productStates[settings.createState],
        },
        only: 'update',
      },
    };
  };

  /**
   * The completion of a half-created product (module comment): its item on its chosen price list when
   * missing or at another price, then its fields, default price list and, from Draft, its create state.
   */
  const completePlan = (
    lists: PriceLists,
    record: TargetWrite,
    existing: SalesProductWithPriceList,
    items: readonly SalesPriceListItem[],
  ): Plan => {
    const decision = decide(lists, record.values, (id) => id);
    if ('problem' in decision) return { kind: 'refused', message: decision.problem };
    const { priceList } = decision;
    const unit = String(record.values['_defaultuomid_value']);
    const onList = items.find(
      (item) =>
        sameValue(item._pricelevelid_value, priceList.id, 'id') && sameValue(item._uomid_value, unit, 'id'),
    );
    const item = onList
      ? reprice(record, onList)
      : newItem(record, priceList, sales.bind('product', { id: existing.productid }));
    const draft = existing.statecode === productStates.draft.statecode;
    return {
      kind: 'complete',
      productId: existing.productid,
      ...(item && { item }),
      product: {
        method: 'PATCH',
        kind: 'product',
        key: { id: existing.productid },
        body: {
          ...salesBody(connectors, record.values),
          'pricelevelid@odata.bind': sales.bind('priceList', { id: priceList.id }),
          ...(draft && settings.createState !== 'draft' ? productStates[settings.createState] : {}),
        },
        only: 'update',
      },
    };
  };

  /** The update of a complete product, with its item on its default price list when the price changed. */
  const updatePlan = (
    record: TargetWrite,
    existing: SalesProductWithPriceList,
    items: readonly SalesPriceListItem[],
  ): Plan => {
    const product: SalesOperation = {
      method: 'PATCH',
      kind: 'product',
      key: record.key,
      body: salesBody(connectors, record.values),
      id: existing.productid,
    };
    const item = defaultItem(record, existing, items);
    const repriced = item && reprice(record, item);
    return { kind: 'update', product, ...(repriced && { item: repriced }) };
  };

  /** Whether an updated product's price changes, so its item on its default price list is read. */
  const repriced = (record: TargetWrite, existing: SalesProductWithPriceList): boolean => {
    const price = text(record.values['price']);
    return price !== null && !sameValue(existing.price, price, 'decimal');
  };

  /**
   * The price list items of the page's half-created products and of its updated products whose price
   * changes, by product id, in one batched read; none read when no record needs them.
   */
  const itemsOf = async (records: readonly TargetWrite[]): Promise<Map<string, SalesPriceListItem[]>> => {
    const ids = records.flatMap((record) => {
      const existing = existingOf(record);
      if (!existing) return [];
      return halfCreated(existing) || repriced(record, existing) ? [existing.productid] : [];
    });
    if (ids.length === 0) return new Map();
    return sales.getByValues('priceListItem', '_productid_value', ids);
  };

  return {
    readCurrent: (keys) => products.readCurrent(keys),
    // A half-created product is written whatever its fields hold, so that it is completed.
    holds: (record, comparison) =>
      !halfCreated(record.existing as SalesProductWithPriceList) &&
      holdsMapped(record.source, record.existing, comparison),
    async check(records, reference: ReferenceData) {
      if (!records.some(needsPriceList)) return records.map(() => null);
      const lists = await loadPriceLists();
      const iso = (id: string) => reference.currencyIsoById(id) ?? id;
      return records.map((record) => {
        if (!needsPriceList(record)) return null;
        const decision = decide(lists, record.values, iso);
        return 'problem' in decision ? decision.problem : null;
      });
    },
    async write(records) {
      const lists = records.some(needsPriceList) ? await loadPriceLists() : undefined;
      const items = await itemsOf(records);
      const plans = records.map((record): Plan => {
        const existing = existingOf(record);
        if (!existing) return createPlan(lists!, record);
        const own = items.get(matchKey(existing.productid)) ?? [];
        return halfCreated(existing)
          ? completePlan(lists!, record, existing, own)
          : updatePlan(record, existing, own);
      });
      return writePlans(plans);
    },
  };

  /**
   * Writes the page's plans in three steps, each one bulk message per table and kind of write:
   * 1. new products; the items of updated and half-created products;
   * 2. the items of the products step 1 created; updated and half-created products whose item (if any)
   *    was written;
   * 3. the default price list and state of the new products whose item was written.
   * A record whose write fails is not written further: it fails with Sales's reason.
   */
  async function writePlans(plans: readonly Plan[]): Promise<TargetWriteResult[]> {
    const results = plans.map((plan): TargetWriteResult | undefined =>
      plan.kind === 'refused' ? { outcome: 'failed', message: plan.message } : undefined,
    );
    const fail = (index: number, result: UpsertResult): void => {
      results[index] = {
        outcome: 'failed',
        message: result.error?.message ?? 'Sales refused the product',
      };
    };

    // Step 1.
    const first: { index: number; operation: SalesOperation }[] = [];
    plans.forEach((plan, index) => {
      if (plan.kind === 'create') first.push({ index, operation: plan.product });
      else if (plan.kind !== 'refused' && plan.item) first.push({ index, operation: plan.item });
    });
    const created = new Map<number, UpsertResult>();
    const firstResults = await sales.writeMultiple(first.map(({ operation }) => operation));
    first.forEach(({ index }, n) => {
      const result = firstResults[n]!;
      if (result.outcome === 'failed') fail(index, result);
      else if (plans[index]!.kind === 'create') created.set(index, result);
    });

    // Step 2.
    const second: { index: number; operation: SalesOperation }[] = [];
    plans.forEach((plan, index) => {
      if (results[index]) return;
      if (plan.kind === 'create') {
        const product = created.get(index)!;
        // Bound by the id CreateMultiple answered, which spares Sales resolving the alternate key.
        const item = product.id
          ? {
              ...plan.item,
              body: { ...plan.item.body, 'productid@odata.bind': sales.bind('product', { id: product.id }) },
            }
          : plan.item;
        second.push({ index, operation: item });
      } else if (plan.kind !== 'refused') second.push({ index, operation: plan.product });
    });
    const secondResults = await sales.writeMultiple(second.map(({ operation }) => operation));
    const third: { index: number; operation: SalesOperation }[] = [];
    second.forEach(({ index }, n) => {
      const result = secondResults[n]!;
      const plan = plans[index]!;
      if (result.outcome === 'failed') fail(index, result);
      else if (plan.kind === 'create') third.push({ index, operation: plan.settle });
      else if (plan.kind === 'complete') results[index] = { outcome: 'updated', id: plan.productId };
      else results[index] = { outcome: 'updated', ...(result.id ? { id: result.id } : {}) };
    });

    // Step 3.
    const thirdResults = await sales.writeMultiple(third.map(({ operation }) => operation));
    third.forEach(({ index }, n) => {
      const result = thirdResults[n]!;
      const id = created.get(index)?.id ?? result.id;
      if (result.outcome === 'failed') fail(index, result);
      else results[index] = { outcome: 'created', ...(id ? { id } : {}) };
    });
    return results.map((result) => result ?? { outcome: 'failed', message: 'Sales refused the product' });
  }
}

/**
 * The Currency Amount item of an updated product on its default price list, in its new unit or else its
 * current one; undefined when it has none.
 */
function defaultItem(
  record: TargetWrite,
  existing: SalesProductWithPriceList,
  items: readonly SalesPriceListItem[],
): SalesPriceListItem | undefined {
  const units = [text(record.values['_defaultuomid_value']), existing._defaultuomid_value].filter(
    (unit): unit is string => unit !== null,
  );
  const candidates = items.filter(
    (item) =>
      item.pricingmethodcode === currencyAmount &&
      sameValue(item._pricelevelid_value, existing._pricelevelid_value, 'id'),
  );
  return units
    .map((unit) => candidates.find((c) => sameValue(c._uomid_value, unit, 'id')))
    .find((c) => c !== undefined);
}
