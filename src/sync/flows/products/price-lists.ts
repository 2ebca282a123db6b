/**
 * Which Sales price list a new product joins. Microsoft's rule: the first price list, alphabetically by
 * name, with the product's currency; a product whose currency no price list has fails. A configured
 * default (`PRODUCTS_PRICE_LIST`) takes precedence for the products in its own currency; a product in
 * another currency follows Microsoft's rule, because a price list holds prices in its currency only.
 */
import { matchKey } from '../../../vocabulary.js';
import type { Connectors } from '../../../connectors/index.js';
import { eq } from '../../../connectors/odata/index.js';
import type { SalesPriceList } from '../../../connectors/sales/types.js';

/** A price list a product can join. */
export interface PriceListChoice {
  id: string;
  name: string;
}

export type PriceListDecision = { priceList: PriceListChoice } | { problem: string };

export interface PriceLists {
  /** The price list a new product in currency `currencyId` (ISO code `iso`, for messages) joins. */
  forCurrency(currencyId: string, iso: string): PriceListDecision;
}

/** The environment variable that names the default price list, for messages. */
const setting = 'PRODUCTS_PRICE_LIST';

// Dataverse sorts names with a case- and accent-insensitive collation; ties go by id, so the choice is
// the same on every run.
const byName = (a: SalesPriceList, b: SalesPriceList): number =>
  (a.name ?? '').localeCompare(b.name ?? '', 'en', { sensitivity: 'base' }) ||
  a.pricelevelid.localeCompare(b.pricelevelid);

const sameName = (a: string | null, b: string): boolean =>
  (a ?? '').localeCompare(b, 'en', { sensitivity: 'base' }) === 0;

/** The active Sales price lists, read once (one small request per flow run). */
export async function readPriceLists(connectors: Connectors): Promise<SalesPriceList[]> {
  const lists: SalesPriceList[] = [];
  for await (const page of connectors.sales.list('priceList', {
    filter: eq('statecode', 0),
    select: ['pricelevelid', 'name', '_transactioncurrencyid_value', 'statecode'],
  }))
    lists.push(...page);
  return lists;
}

/** Decides over `lists` (active price lists) with the configured default `configured` (a name, or null). */
export function choosePriceLists(lists: readonly SalesPriceList[], configured: string | null): PriceLists {
  const sorted = [...lists].sort(byName);
  const firstByCurrency = new Map<string, SalesPriceList>();
  for (const list of sorted) {
    const currency = list._transactioncurrencyid_value;
    if (currency && !firstByCurrency.has(matchKey(currency))) firstByCurrency.set(matchKey(currency), list);
  }
  const named = configured === null ? [] : sorted.filter((list) => sameName(list.name, configured));
  return {
    forCurrency(currencyId, iso) {
      if (configured !== null && named.length === 0) {
        return {
          problem: `${setting} names '${configured}', which is not an active Sales price list`,
        };
      }
      const preferred = named.find(
        (list) => matchKey(list._transactioncurrencyid_value ?? '') === matchKey(currencyId),
      );
      const list = preferred ?? firstByCurrency.get(matchKey(currencyId));
      if (list) return { priceList: { id: list.pricelevelid, name: list.name ?? list.pricelevelid } };
      return {
        problem:
          named.length > 0
            ? `No Sales price list has currency ${iso} (${setting} '${configured ?? ''}' is in another currency); create one`
            : `No Sales price list has currency ${iso}; create one or set ${setting}`,
      };
    },
  };
}

/** Problems with the configured default price list, for the checks before a run: none when it exists. */
export function priceListProblems(lists: readonly SalesPriceList[], configured: string | null): string[] {
  if (configured === null || lists.some((list) => sameName(list.name, configured))) return [];
  const names = [...lists].sort(byName).map((list) => `'${list.name ?? list.pricelevelid}'`);
  return [
    `${setting} names '${configured}', which is not an active Sales price list (they are ${names.length > 0 ? names.join(', ') : 'none'})`,
  ];
}
