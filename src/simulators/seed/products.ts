/**
 * The product catalogue. Products are mastered in Finance (`SellableReleasedProducts`, usmf in USD and a
 * subset released to demf in EUR); most usmf products have already flowed to Sales with equal mapped
 * values, a few with a price edited in Sales since, and Sales has a couple of products of its own. Every
 * Sales product is on the "Retail USD" price list (its default price list) at the price it was listed at.
 */
import type { Row } from '../core/model.js';
import { SellableReleasedProducts } from '../finance/entities.js';
import { productpricelevels, products as productSet } from '../sales/entities.js';
import type { SeedContext } from './context.js';
import { formatCents } from './money.js';
import { createRandom, type SeededRandom } from './random.js';
import { ratios, scaledCount } from './ratios.js';
import { padded, rowBuilder } from './rows.js';
import { DAY_MS, instantBetween, isoDateTime } from './time.js';
import {
  financeUnitToSalesUnit,
  productTypeToSalesCode,
  type FinanceUnit,
  type ProductType,
  type SalesUnitName,
} from './value-maps.js';

/** A Sales product as quote lines need it. */
export interface SeedProduct {
  id: string;
  number: string;
  priceCents: number;
  unit: SalesUnitName;
  /** Decimal places a quantity may have (0 or 2). */
  precision: number;
  externallyMaintained: boolean;
}

/** Product rows of both systems, and the Sales products quote lines can use. */
export interface ProductCatalog {
  financeProducts: Row[];
  salesProducts: Row[];
  /** One price list item per Sales product, on its default price list. */
  priceListItems: Row[];
  /** The Sales products, externally maintained ones first. */
  quotable: SeedProduct[];
}

/** A usmf product before it becomes rows in either system. */
interface CatalogItem {
  number: string;
  name: string;
  description: string;
  type: ProductType;
  unit: FinanceUnit;
  precision: number;
  priceCents: number;
  costCents: number;
  stopped: boolean;
}

type Kind = (typeof ratios.productKinds)[number][0];

/** What each kind of product is called, sold in and priced at (whole currency units). */
const kinds: Readonly<
  Record<Kind, { nouns: readonly string[]; units: readonly FinanceUnit[]; price: [number, number] }>
> = {
  D: {
    nouns: [
      'Speaker',
      'Subwoofer',
      'Amplifier',
      'Receiver',
      'Projector',
      'Television',
      'Soundbar',
      'Headphones',
    ],
    units: ['ea'],
    price: [150, 2500],
  },
  P: {
    nouns: [
      'Driver',
      'Tweeter',
      'Circuit Board',
      'Power Supply',
      'Cabinet',
      'Remote Control',
      'Display Panel',
    ],
    units: ['pcs'],
    price: [5, 400],
  },
  T: {
    nouns: ['Speaker Cable', 'HDMI Cable', 'Wall Mount', 'Stand', 'Adapter', 'Copper Wire', 'Damping Foam'],
    units: ['ea', 'kg'],
    price: [3, 150],
  },
  SVC: {
    nouns: ['Installation', 'Calibration', 'Consulting', 'Training', 'Extended Support', 'Maintenance Visit'],
    units: ['hr'],
    price: [60, 250],
  },
};

/** Cents endings of list prices for units sold whole (".00", ".50", ".95", ".99"). */
const priceEndings = [0, 0, 50, 95, 99];
/** EUR prices of the demf releases, from USD list prices. */
const EUR_PER_USD = 0.92;

/**
 * The catalogue for a data set of `accounts` accounts: `max(40, accounts / 3)` usmf products, their demf
 * releases, and the Sales products (synchronised ones first, then the Sales-only ones).
 */
export function generateProducts(context: SeedContext, accounts: number): ProductCatalog {
  const random = context.random('products');
  const count = Math.max(ratios.minProducts, Math.round(accounts * ratios.productsPerAccount));
  const items = catalogItems(context, random, count);
  const financeProducts = items.map((item) => financeProductRow('usmf', item, 'USD'));
  for (const item of items) {
    if (random.chance(ratios.demfProductShare))
      financeProducts.push(financeProductRow('demf', inEuro(item), 'EUR'));
  }
  const sales = salesProducts(context, random, items);
  return {
    financeProducts,
    salesProducts: sales.map((p) => p.row),
    priceListItems: priceListItems(context, sales),
    quotable: sales.map((p) => p.product),
  };
}

function catalogItems(context: SeedContext, random: SeededRandom, count: number): CatalogItem[] {
  const counters: Record<Kind, number> = { D: 0, P: 0, T: 0, SVC: 0 };
  return Array.from({ length: count }, () => {
    const kind = random.weighted(ratios.productKinds);
    const spec = kinds[kind];
    const sequence = (counters[kind] += 1);
    const unit = random.pick(spec.units);
    const precision = unit === 'kg' || unit === 'hr' ? 2 : 0;
    const dollars = random.int(spec.price[0], spec.price[1]);
    // Fractional quantities only go with whole-unit prices, which keeps every line amount whole cents.
    const priceCents = dollars * 100 + (precision === 0 ? random.pick(priceEndings) : 0);
    return {
      number: kind === 'SVC' ? `SVC-${padded(sequence, 4)}` : `${kind}${padded(sequence, 4)}`,
      ...naming(context, random, kind, unit),
      type: kind === 'SVC' ? 'Service' : 'Item',
      unit,
      precision,
      priceCents,
      costCents: Math.round((priceCents * random.int(40, 80)) / 100),
      stopped: random.chance(ratios.productSalesStopped),
    } satisfies CatalogItem;
  });
}

const serviceLevels = ['Standard', 'Premium', 'On-site', 'Remote'];
const features = [
  'Two-year warranty.',
  'Ships in retail packaging.',
  'Compatible with the Contoso Home range.',
  'Made to order.',
  'Includes mounting kit.',
];

/** Name and description that agree with each other ("Sleek Wooden Subwoofer", "… with a wooden housing"). */
function naming(
  context: SeedContext,
  random: SeededRandom,
  kind: Kind,
  unit: FinanceUnit,
): Pick<CatalogItem, 'name' | 'description'> {
  const noun = random.pick(kinds[kind].nouns);
  if (kind === 'SVC') {
    const level = random.pick(serviceLevels);
    return {
      name: `${noun} - ${level}`,
      description: `${noun} (${level.toLowerCase()}) by a certified technician, billed per hour.`,
    };
  }
  const adjective = random.pick(context.pools.productAdjectives);
  const material = random.pick(context.pools.productMaterials);
  const sold = unit === 'kg' ? ', sold by weight' : '';
  return {
    name: `${adjective} ${material} ${noun}`,
    description: `${adjective} ${noun.toLowerCase()} with a ${material.toLowerCase()} housing${sold}. ${random.pick(features)}`,
  };
}

const financeRow = rowBuilder(SellableReleasedProducts);

function financeProductRow(company: string, item: CatalogItem, currency: string): Row {
  return financeRow({
    dataAreaId: company,
    ProductNumber: item.number,
    ProductName: item.name,
    ProductDescription: item.description,
    ProductType: item.type,
    SalesPrice: formatCents(item.priceCents),
    UnitCost: formatCents(item.costCents),
    CurrencyCode: currency,
    SalesUnitSymbol: item.unit,
    SalesUnitDecimalPrecision: item.precision,
    IsSalesStopped: item.stopped ? 'Yes' : 'No',
  });
}

/** The demf release of an item: same number and unit, prices converted (whole euros where USD was whole). */
function inEuro(item: CatalogItem): CatalogItem {
  const convert = (cents: number): number =>
    item.precision === 0 ? Math.round(cents * EUR_PER_USD) : Math.round((cents / 100) * EUR_PER_USD) * 100;
  return { ...item, priceCents: convert(item.priceCents), costCents: convert(item.costCents) };
}

/** Price in Sales after a seller edited it: 5–15 % up, still whole units where quantities are fractional. */
function driftedPrice(random: SeededRandom, item: CatalogItem): number {
  const raised = Math.round((item.priceCents * random.int(105, 115)) / 100);
  return item.precision === 0 ? raised : Math.round(raised / 100) * 100;
}

function salesProducts(
  context: SeedContext,
  random: SeededRandom,
  items: readonly CatalogItem[],
): SalesSeedProduct[] {
  const synced = items
    .filter(() => random.chance(ratios.productInSales))
    .map((item) => {
      const price = random.chance(ratios.productDrifted) ? driftedPrice(random, item) : item.priceCents;
      // A seller edits the product's list price; the price list item keeps the price it was listed at.
      return {
        ...salesProduct(context, random, { ...item, priceCents: price }, true),
        listedCents: item.priceCents,
      };
    });
  const ownCount = scaledCount(items.length, ratios.salesOnlyProductsPerProduct, 2);
  const own = Array.from({ length: ownCount }, (_, i) => {
    const product = salesProduct(context, random, salesOnlyItem(context, random, i + 1), false);
    return { ...product, listedCents: product.product.priceCents };
  });
  return [...synced, ...own];
}

/** A Sales product's rows and what the rest of the seed needs of it. */
interface SalesSeedProduct {
  row: Row;
  product: SeedProduct;
  /** The amount of its price list item. */
  listedCents: number;
}

const priceListItemRow = rowBuilder(productpricelevels);

/** Every product on Retail USD in its default unit; ids from their own stream, so no other id moved. */
function priceListItems(context: SeedContext, products: readonly SalesSeedProduct[]): Row[] {
  const random = createRandom(context.seed, 'price-list-items');
  return products.map(({ row, listedCents }) =>
    priceListItemRow(
      {
        productpricelevelid: random.guid(),
        _pricelevelid_value: context.reference.retailUsdPriceListId,
        _productid_value: row['productid'] ?? null,
        _uomid_value: row['_defaultuomid_value'] ?? null,
        _transactioncurrencyid_value: context.reference.currencyId.USD,
        amount: formatCents(listedCents),
        pricingmethodcode: 1,
      },
      { createdon: row['createdon'] ?? null, modifiedon: row['createdon'] ?? null },
    ),
  );
}

/** A product created directly in Sales (Dataverse's default unit, not known to Finance). */
function salesOnlyItem(context: SeedContext, random: SeededRandom, sequence: number): CatalogItem {
  return {
    number: `SP-${padded(sequence, 4)}`,
    name: `${random.pick(context.pools.productAdjectives)} Bundle ${sequence}`,
    description: 'Bundle put together by the sales team',
    type: 'Item',
    unit: 'ea',
    precision: 0,
    priceCents: random.int(50, 900) * 100,
    costCents: random.int(20, 40) * 100,
    stopped: false,
  };
}

const salesRow = rowBuilder(productSet);

function salesProduct(
  context: SeedContext,
  random: SeededRandom,
  item: CatalogItem,
  fromFinance: boolean,
): { row: Row; product: SeedProduct } {
  const unit: SalesUnitName = fromFinance ? financeUnitToSalesUnit[item.unit] : 'Primary Unit';
  const id = random.guid();
  const createdMs = instantBetween(
    random,
    context.referenceMs - 900 * DAY_MS,
    context.referenceMs - 10 * DAY_MS,
  );
  const row = salesRow({
    productid: id,
    productnumber: item.number,
    name: item.name,
    description: item.description,
    price: formatCents(item.priceCents),
    currentcost: formatCents(item.costCents),
    producttypecode: productTypeToSalesCode[item.type],
    quantitydecimal: item.precision,
    _defaultuomid_value: context.reference.uomId[unit],
    _pricelevelid_value: context.reference.retailUsdPriceListId,
    _transactioncurrencyid_value: context.reference.currencyId.USD,
    msdynce_ismaintainedexternally: fromFinance,
    statecode: 0,
    statuscode: 1,
    createdon: isoDateTime(createdMs),
    modifiedon: isoDateTime(instantBetween(random, createdMs, context.referenceMs)),
  });
  const product = { id, number: item.number, priceCents: item.priceCents, unit, precision: item.precision };
  return { row, product: { ...product, externallyMaintained: fromFinance } };
}
