/**
 * Where the products flow writes: Sales products by product number, plus what Dataverse needs around a
 * product that a field map cannot say.
 *
 * A new product takes three writes: create the product (create-only), add it to its price list (a price
 * list item in its default unit at Finance's sales price), then set that list as its default price list
 * and its configured state (Dataverse accepts neither the default price list on create nor a default
 * price list the product has no item on). An update is the product's PATCH, never touching its state,
 * plus the price of its item on its default price list when Finance's price changed (one batched read of
 * those items per page).
 *
 * Each step goes for the whole page as one bulk message per table (CreateMultiple, UpdateMultiple,
 * UpsertMultiple; the connector falls back per record when a chunk fails), so a page of 1,000 new
 * products costs three write requests instead of fifteen `$batch` requests of change sets. What the
 * change sets guaranteed is kept by ordering and by undoing:
 * - A new product whose item or default price list fails is deleted again (with its item), so Sales
 *   never keeps a product outside its price list; the record fails with Sales's reason and the next run
 *   creates it whole. Between the requests of one write such a product exists for a moment.
 * - A product whose own create failed gets no item; a product whose item failed is not set.
 * - On update the item goes first and the product only when its item was written: a product is never
 *   at Finance's price while its item is not, which the next run could not see (it compares the
 *   product's price). An item written whose product then fails is found equal next run, and only the
 *   product is written again.
 */
import { matchKey } from '../../../vocabulary.js';
import type { Connectors } from '../../../connectors/index.js';
import { changeSetRolledBackCode } from '../../../connectors/odata/index.js';
import type { SalesOperation, UpsertResult } from '../../../connectors/sales/connector.js';
import { productStates } from '../../../connectors/sales/entities.js';
import type { SalesPriceListItem, SalesProductWithPriceList } from '../../../connectors/sales/types.js';
import { sameValue } from '../../normalise.js';
import type { ReferenceData } from '../../reference.js';
import { choosePriceLists, readPriceLists, type PriceLists } from './price-lists.js';
import type { ProductSettings } from './settings.js';
import {
  salesBody,
  salesTarget,
  type TargetAdapter,
  type TargetWrite,
  type TargetWriteResult,
} from '../../engine/write.js';

/** Price list items priced as a plain amount ("Currency Amount"); the other methods derive the price. */
const currencyAmount = 1;

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** The products target over `connectors`, creating products as `settings` say. One per flow run. */
export function productTarget(connectors: Connectors, settings: ProductSettings): TargetAdapter {
  const { sales } = connectors;
  const products = salesTarget(connectors, 'productWithPriceList', 'productnumber');
  // Read at most once per flow run, and only by a run that has a product to write.
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

  /** The change set that creates a product on its price list, or the reason it cannot be created. */
  const createGroup = (lists: PriceLists, record: TargetWrite): SalesOperation[] | string => {
    const decision = decide(lists, record.values, (id) => id);
    if ('problem' in decision) return decision.problem;
    const priceList = sales.bind('priceList', { id: decision.priceList.id });
    return [
      {
        method: 'PATCH',
        kind: 'product',
        key: record.key,
        body: salesBody(connectors, record.values),
        only: 'create',
      },
      {
        method: 'POST',
        kind: 'priceListItem',
        body: {
          'pricelevelid@odata.bind': priceList,
          'productid@odata.bind': sales.bind('product', record.key),
          'uomid@odata.bind': sales.bind('unit', { id: String(record.values['_defaultuomid_value']) }),
          amount: text(record.values['price']) ?? '0',
          pricingmethodcode: currencyAmount,
        },
      },
      {
        method: 'PATCH',
        kind: 'product',
        key: record.key,
        body: { 'pricelevelid@odata.bind': priceList, ...productStates[settings.createState] },
        only: 'update',
      },
    ];
  };

  /** The update of a product, with its item on its default price list when the price changed. */
  const updateGroup = (
    record: TargetWrite,
    item: SalesPriceListItem | undefined,
    productId: string,
  ): SalesOperation[] => {
    const group: SalesOperation[] = [
      {
        method: 'PATCH',
        kind: 'product',
        key: record.key,
        body: salesBody(connectors, record.values),
        id: productId,
      },
    ];
    const price = text(record.values['price']);
    if (item && price !== null && !sameValue(item.amount, price, 'decimal')) {
      group.push({
        method: 'PATCH',
        kind: 'priceListItem',
        key: { id: item.productpricelevelid },
        body: { amount: price },
        only: 'update',
      });
    }
    return group;
  };

  /**
   * The items to reprice, by product id: for each updated product whose price changes, its Currency
   * Amount item on its default price list in its unit (one batched read for the page).
   */
  const itemsToReprice = async (
    records: readonly TargetWrite[],
  ): Promise<Map<string, SalesPriceListItem>> => {
    const repriced = records.flatMap((record) => {
      const existing = record.existing as SalesProductWithPriceList | undefined;
      const price = text(record.values['price']);
      if (!existing?._pricelevelid_value || price === null || sameValue(existing.price, price, 'decimal'))
        return [];
      return [{ record, existing }];
    });
    const found = new Map<string, SalesPriceListItem>();
    if (repriced.length === 0) return found;
    const items = await sales.getByValues(
      'priceListItem',
      '_productid_value',
      repriced.map(({ existing }) => existing.productid),
    );
    for (const { record, existing } of repriced) {
      const units = [text(record.values['_defaultuomid_value']), existing._defaultuomid_value].filter(
        (unit): unit is string => unit !== null,
      );
      const candidates = (items.get(matchKey(existing.productid)) ?? []).filter(
        (item) =>
          item.pricingmethodcode === currencyAmount &&
          sameValue(item._pricelevelid_value, existing._pricelevelid_value, 'id'),
      );
      const item = units
        .map((unit) => candidates.find((c) => sameValue(c._uomid_value, unit, 'id')))
        .find((c) => c !== undefined);
      if (item) found.set(matchKey(existing.productid), item);
    }
    return found;
  };

  const adapter: TargetAdapter = {
    readCurrent: (keys) => products.readCurrent(keys),
    async check(records, reference: ReferenceData) {
      if (records.every((record) => record.existing)) return records.map(() => null);
      const lists = await loadPriceLists();
      const iso = (id: string) => reference.currencyIsoById(id) ?? id;
      return records.map((record) => {
        if (record.existing) return null;
        const decision = decide(lists, record.values, iso);
        return 'problem' in decision ? decision.problem : null;
      });
    },
    async write(records) {
      const lists = records.some((record) => !record.existing) ? await loadPriceLists() : undefined;
      const items = await itemsToReprice(records);
      const results = new Array<TargetWriteResult>(records.length);
      const creates: { index: number; group: SalesOperation[] }[] = [];
      const updates: { index: number; group: SalesOperation[] }[] = [];
      records.forEach((record, index) => {
        if (record.existing) {
          const productId = (record.existing as SalesProductWithPriceList).productid;
          updates.push({ index, group: updateGroup(record, items.get(matchKey(productId)), productId) });
          return;
        }
        const group = createGroup(lists!, record);
        if (typeof group === 'string') results[index] = { outcome: 'failed', message: group };
        else creates.push({ index, group });
      });
      await writeUpdates(updates, results);
      await writeCreates(creates, results);
      return results;
    },
  };

  /** Items first, then the products whose item (if any) was written. */
  async function writeUpdates(
    updates: readonly { index: number; group: SalesOperation[] }[],
    results: TargetWriteResult[],
  ): Promise<void> {
    const repriced = updates.filter(({ group }) => group.length > 1);
    const itemResults = await sales.writeMultiple(repriced.map(({ group }) => group[1]!));
    const itemFailed = new Map<number, UpsertResult>();
    repriced.forEach(({ index }, n) => {
      if (itemResults[n]!.outcome === 'failed') itemFailed.set(index, itemResults[n]!);
    });
    const products = updates.filter(({ index }) => !itemFailed.has(index));
    const productResults = await sales.writeMultiple(products.map(({ group }) => group[0]!));
    for (const [index, failed] of itemFailed) results[index] = outcomeOf([failed]);
    products.forEach(({ index }, n) => (results[index] = outcomeOf([productResults[n]!])));
  }

  /** Products, then the items of those created, then the default price list of those with an item. */
  async function writeCreates(
    creates: readonly { index: number; group: SalesOperation[] }[],
    results: TargetWriteResult[],
  ): Promise<void> {
    const created = await sales.writeMultiple(creates.map(({ group }) => group[0]!));
    const made = creates.flatMap(({ index, group }, n) => {
      const product = created[n]!;
      if (product.outcome === 'failed') {
        results[index] = outcomeOf([product]);
        return [];
      }
      return [{ index, group, product }];
    });
    const itemResults = await sales.writeMultiple(made.map(({ group, product }) => itemOf(group, product)));
    const undo: HalfCreated[] = [];
    const withItem = made.flatMap((entry, n) => {
      const item = itemResults[n]!;
      if (item.outcome !== 'failed') return [{ ...entry, item }];
      undo.push({ index: entry.index, product: entry.product, failed: item });
      return [];
    });
    const defaults = await sales.writeMultiple(withItem.map(({ group }) => group[2]!));
    withItem.forEach((entry, n) => {
      const set = defaults[n]!;
      if (set.outcome === 'failed') undo.push({ ...entry, failed: set });
      else results[entry.index] = outcomeOf([entry.product]);
    });
    await removeHalfCreated(undo, creates, results);
  }

  /**
   * Deletes the products (and their items) whose item or default price list failed, so none stays outside
   * its price list; each record fails with the reason its step gave.
   */
  async function removeHalfCreated(
    undo: readonly HalfCreated[],
    creates: readonly { index: number; group: SalesOperation[] }[],
    results: TargetWriteResult[],
  ): Promise<void> {
    if (undo.length === 0) return;
    const keyOf = new Map(creates.map(({ index, group }) => [index, (group[0] as { key: string }).key]));
    const removals = await sales.writeChangeSets(
      undo.map(({ index, product, item }) => [
        ...(item?.id ? [{ method: 'DELETE', kind: 'priceListItem', key: { id: item.id } } as const] : []),
        {
          method: 'DELETE',
          kind: 'product',
          key: product.id ? { id: product.id } : keyOf.get(index)!,
        } as const,
      ]),
    );
    undo.forEach(({ index, failed }, n) => {
      const reason = outcomeOf([failed]).message ?? 'Sales refused the product';
      const removal = removals[n]!.find((result) => result.outcome === 'failed');
      results[index] = {
        outcome: 'failed',
        message: removal
          ? `${reason} Removing the product created without it failed too: ${removal.error?.message ?? 'Sales refused'}`
          : reason,
      };
    });
  }

  /** The price list item of a create group, bound to the product by the id Sales gave it. */
  function itemOf(group: readonly SalesOperation[], product: UpsertResult): SalesOperation {
    const item = group[1]!;
    if (item.method !== 'POST' || !product.id) return item;
    return {
      ...item,
      body: { ...item.body, 'productid@odata.bind': sales.bind('product', { id: product.id }) },
    };
  }

  return adapter;
}

/** A new product whose item or default price list failed (`failed`), to delete again. */
interface HalfCreated {
  index: number;
  product: UpsertResult;
  item?: UpsertResult;
  failed: UpsertResult;
}

/** One record's outcome from its writes' results: the first one's, or the one that failed. */
function outcomeOf(results: readonly UpsertResult[]): TargetWriteResult {
  const failed = results.filter((result) => result.outcome === 'failed');
  if (failed.length > 0) {
    const cause = failed.find((result) => result.error?.code !== changeSetRolledBackCode) ?? failed[0]!;
    return { outcome: 'failed', message: cause.error?.message ?? 'Sales refused the product' };
  }
  const first = results[0]!;
  return {
    outcome: first.outcome === 'created' ? 'created' : 'updated',
    ...(first.id ? { id: first.id } : {}),
  };
}
