/**
 * Reference data both systems need before anything else: Sales currencies, units and price lists, Finance
 * legal entities and customer groups. The flows resolve codes against these (currency ISO code, unit
 * name, the price list a new product joins).
 */
import type { Row } from '../core/model.js';
import { CustomerGroups, LegalEntities } from '../finance/entities.js';
import { pricelevels, transactioncurrencies, uoms } from '../sales/entities.js';
import { createRandom } from './random.js';
import { rowBuilder } from './rows.js';
import { DAY_MS, isoDateTime } from './time.js';
import { salesUnitNames, type CurrencyCode, type SalesUnitName } from './value-maps.js';

/**
 * Reference rows plus lookups: currency ISO code ↔ transactioncurrencyid, unit name → uomid, and the
 * price list synchronised products joined.
 */
export interface ReferenceData {
  transactioncurrencies: Row[];
  uoms: Row[];
  pricelevels: Row[];
  LegalEntities: Row[];
  CustomerGroups: Row[];
  currencyId: Readonly<Record<CurrencyCode, string>>;
  currencyCodeById: ReadonlyMap<string, CurrencyCode>;
  uomId: Readonly<Record<SalesUnitName, string>>;
  /**
   * The id of "Retail USD": the first USD price list by name, so the one the products flow put every
   * synchronised product on (the seed's products are all in USD).
   */
  retailUsdPriceListId: string;
}

const currencies: readonly (readonly [CurrencyCode, string, string])[] = [
  ['USD', 'US Dollar', '$'],
  ['EUR', 'Euro', '€'],
  ['GBP', 'Pound Sterling', '£'],
];

/**
 * Price lists, in the order they were set up: "Wholesale USD" comes first, so a product flow that took
 * the first USD list in storage order instead of by name would pick the wrong one. No list is in GBP,
 * so a GBP product has no price list to join.
 */
const priceLists: readonly (readonly [name: string, CurrencyCode, description: string])[] = [
  ['Wholesale USD', 'USD', 'Prices for distributors and major customers'],
  ['Retail USD', 'USD', 'List prices for the US market'],
  ['Retail EUR', 'EUR', 'List prices for the euro area'],
];

/** Contoso's demo companies and customer groups, as in F&O demo data. */
const companies = [
  ['usmf', 'Contoso Entertainment System USA', ['10', '20', '30', '40']],
  ['demf', 'Contoso Entertainment System Germany', ['10', '20']],
] as const;

const groupDescriptions: Readonly<Record<string, string>> = {
  '10': 'Wholesale customers',
  '20': 'Major customers',
  '30': 'Retail customers',
  '40': 'Internet customers',
};

/** The organisation was set up five years before the reference date. */
const SETUP_DAYS_BEFORE = 5 * 365;

/** The reference rows of both systems and the id lookups the generators need. */
export function createReferenceData(seed: number, referenceMs: number): ReferenceData {
  const random = createRandom(seed, 'reference');
  const setUp = isoDateTime(referenceMs - SETUP_DAYS_BEFORE * DAY_MS);
  const system = { statecode: 0, statuscode: 1, createdon: setUp, modifiedon: setUp };
  const currencyRow = rowBuilder(transactioncurrencies);
  const currencyRows = currencies.map(([code, name, symbol]) =>
    currencyRow(
      {
        transactioncurrencyid: random.guid(),
        isocurrencycode: code,
        currencyname: name,
        currencysymbol: symbol,
      },
      system,
    ),
  );
  const uomRow = rowBuilder(uoms);
  const uomRows = salesUnitNames.map((name) => uomRow({ uomid: random.guid(), name }, system));
  // Their own stream, so adding price lists reshuffled none of the ids drawn above.
  const priceListRandom = createRandom(seed, 'price-lists');
  const currencyIds = idsBy(currencyRows, 'isocurrencycode', 'transactioncurrencyid');
  const priceListRow = rowBuilder(pricelevels);
  const priceListRows = priceLists.map(([name, currency, description]) =>
    priceListRow(
      {
        pricelevelid: priceListRandom.guid(),
        name,
        description,
        _transactioncurrencyid_value: currencyIds[currency] ?? null,
      },
      system,
    ),
  );
  const legalEntity = rowBuilder(LegalEntities);
  const group = rowBuilder(CustomerGroups);
  return {
    transactioncurrencies: currencyRows,
    uoms: uomRows,
    pricelevels: priceListRows,
    LegalEntities: companies.map(([id, name]) => legalEntity({ LegalEntityId: id, Name: name })),
    CustomerGroups: companies.flatMap(([company, , groups]) =>
      groups.map((id) =>
        group({ dataAreaId: company, CustomerGroupId: id, Description: groupDescriptions[id] ?? null }),
      ),
    ),
    currencyId: currencyIds as Record<CurrencyCode, string>,
    currencyCodeById: new Map(
      currencyRows.map((r) => [r['transactioncurrencyid'] as string, r['isocurrencycode'] as CurrencyCode]),
    ),
    uomId: idsBy(uomRows, 'name', 'uomid') as Record<SalesUnitName, string>,
    retailUsdPriceListId: idsBy(priceListRows, 'name', 'pricelevelid')['Retail USD']!,
  };
}

function idsBy(rows: readonly Row[], name: string, id: string): Record<string, string> {
  return Object.fromEntries(rows.map((r) => [String(r[name]), String(r[id])]));
}
