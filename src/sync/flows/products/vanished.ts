/**
 * Products that disappeared from Finance's sellable products. Finance has no change feed, so a removal
 * shows only as a Sales product maintained in Finance that a complete read no longer returned. The
 * reference asks for these to be reported and, by policy (`PRODUCTS_VANISHED=retire`), retired in Sales
 * (statecode 1). A product already retired is neither reported nor written again.
 */
import type { Connectors } from '../../../connectors/index.js';
import { eq } from '../../../connectors/odata/index.js';
import { productStates } from '../../../connectors/sales/entities.js';
import { matchKey } from '../../../vocabulary.js';
import type { KeysRead } from '../../engine/plan.js';
import type { ProductSettings } from './settings.js';

/** How many product numbers a note lists before it says "and N more". */
const listedInNote = 10;

/**
 * Sales products read and settled at a time: each page's numbers are checked against the read in one
 * query and its vanished products retired in one `$batch`, so memory stays that of one page however many
 * products Sales holds. Dataverse's largest page (5,000): a row is three short columns, so a page is a
 * few hundred KB, and the sweep costs one Sales request per 5,000 products rather than per 1,000.
 */
const productsPerPage = 5_000;

interface Vanished {
  id: string;
  number: string;
}

/** A count with the first `listedInNote` of what it counts, for the notes. */
class Tally {
  count = 0;
  readonly first: string[] = [];
  add(items: readonly string[]): void {
    this.count += items.length;
    this.first.push(...items.slice(0, listedInNote - this.first.length));
  }
  /** The first items, then "and N more". */
  listed(): string {
    const more = this.count > this.first.length ? ` and ${this.count - this.first.length} more` : '';
    return `${this.first.join(', ')}${more}`;
  }
}

/**
 * Notes on the externally maintained, not yet retired Sales products whose numbers the read did not see
 * (`wasRead`); under `retire` (and not a dry run) it also retires them, in `$batch` updates by id that
 * never create a product deleted meanwhile. Sales is read a page at a time, each page settled before the
 * next is read.
 */
export async function vanishedProducts(
  connectors: Connectors,
  wasRead: KeysRead,
  { settings, dryRun }: { settings: ProductSettings; dryRun: boolean },
): Promise<string[]> {
  const retire = settings.vanished === 'retire' && !dryRun;
  const vanished = new Tally();
  const retired = new Tally();
  const refused = new Tally();
  // Retired products are passed over here rather than filtered out in the query: retiring a page's
  // products while the read goes on must not change the set it pages through, or the pages after it
  // would shift and leave products out.
  for await (const page of connectors.sales.list('product', {
    filter: eq('msdynce_ismaintainedexternally', true),
    select: ['productid', 'productnumber', 'statecode'],
    pageSize: productsPerPage,
  })) {
    const numbered = page.flatMap((product) =>
      product.productnumber && product.statecode !== productStates.retired.statecode
        ? [{ id: product.productid, number: product.productnumber }]
        : [],
    );
    const read = await wasRead(numbered.map(({ number }) => number));
    const gone: Vanished[] = numbered.filter(({ number }) => !read.has(matchKey(number)));
    vanished.add(gone.map(({ number }) => number));
    if (!retire || gone.length === 0) continue;
    const results = await connectors.sales.writeChangeSets(
      gone.map(({ id }) => [
        { method: 'PATCH', kind: 'product', key: { id }, body: { ...productStates.retired }, only: 'update' },
      ]),
    );
    retired.add(gone.filter((_, index) => results[index]?.[0]?.outcome !== 'failed').map((p) => p.number));
    refused.add(
      gone.flatMap((product, index) => {
        const result = results[index]?.[0];
        return result?.outcome === 'failed'
          ? [`${product.number}: ${result.error?.message ?? 'Sales refused the update'}`]
          : [];
      }),
    );
  }
  if (vanished.count === 0) return [];
  const count = `${vanished.count} Sales product(s) maintained in Finance are no longer sellable there`;
  if (settings.vanished === 'report') {
    return [`${count} (${vanished.listed()}); they were not retired in Sales (PRODUCTS_VANISHED=report).`];
  }
  if (dryRun) return [`${count} (${vanished.listed()}); a real run would retire them in Sales.`];
  return [
    ...(retired.count > 0
      ? [`${count}: retired ${retired.count} in Sales (statecode 1 Retired): ${retired.listed()}.`]
      : []),
    ...(refused.count > 0 ? [`${refused.count} could not be retired: ${refused.first.join('; ')}`] : []),
  ];
}
