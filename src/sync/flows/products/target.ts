/**
 * Where the products flow writes: Sales products by product number, plus what Dataverse needs around a
 * product that a field map cannot say.
 *
 * A new product is written as ONE change set of three parts, so Sales never holds a product outside its
 * price list: create the product (create-only, `If-None-Match: *`), add it to its price list (a price list
 * item in its default unit at Finance's sales price), then set that list as its default price list and
 * its configured state (Dataverse accepts neither the default price list on create nor a default price
 * list the product has no item on). An update is the product's PATCH alone, never touching its state,
 * plus the price of its item on its default price list when Finance's price changed (one batched read
 * of those items per page). Every page's writes go in one `$batch` request per 200 operations.
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
  const updateGroup = (record: TargetWrite, item: SalesPriceListItem | undefined): SalesOperation[] => {
    const group: SalesOperation[] = [
      { method: 'PATCH', kind: 'product', key: record.key, body: salesBody(connectors, record.values) },
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

  return {
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
      const groups = records.map((record) => {
        if (record.existing) {
          const productId = (record.existing as SalesProductWithPriceList).productid;
          return updateGroup(record, items.get(matchKey(productId)));
        }
        return createGroup(lists!, record);
      });
      const written = await sales.writeChangeSets(
        groups.map((group) => (typeof group === 'string' ? [] : group)),
      );
      return groups.map((group, index) =>
        typeof group === 'string' ? { outcome: 'failed', message: group } : outcomeOf(written[index]!),
      );
    },
  };
}

/** One record's outcome from its change set's results: the first part's, or the part that failed. */
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
