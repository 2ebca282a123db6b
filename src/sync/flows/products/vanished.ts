/**
 * Products that disappeared from Finance's sellable products. Finance has no change feed, so a removal
 * shows only as a Sales product maintained in Finance that a complete read no longer returned. The
 * reference asks for these to be reported and, by policy (`PRODUCTS_VANISHED=retire`), retired in Sales
 * (statecode 1). A product already retired is neither reported nor written again.
 */
import type { Connectors } from '../../../connectors/index.js';
import { and, eq, ne } from '../../../connectors/odata/index.js';
import { productStates } from '../../../connectors/sales/entities.js';
import { matchKey } from '../../../vocabulary.js';
import type { ProductSettings } from './settings.js';

/** How many product numbers a note lists before it says "and N more". */
const listedInNote = 10;

interface Vanished {
  id: string;
  number: string;
}

/**
 * Notes on the externally maintained, not yet retired Sales products whose numbers are not in
 * `seenKeys` (one read); under `retire` (and not a dry run) it also retires them, in `$batch` updates by
 * id that never create a product deleted meanwhile.
 */
export async function vanishedProducts(
  connectors: Connectors,
  seenKeys: ReadonlySet<string>,
  { settings, dryRun }: { settings: ProductSettings; dryRun: boolean },
): Promise<string[]> {
  const vanished: Vanished[] = [];
  for await (const page of connectors.sales.list('product', {
    filter: and(eq('msdynce_ismaintainedexternally', true), ne('statecode', productStates.retired.statecode)),
    select: ['productid', 'productnumber', 'statecode'],
  })) {
    for (const product of page) {
      if (product.productnumber && !seenKeys.has(matchKey(product.productnumber)))
        vanished.push({ id: product.productid, number: product.productnumber });
    }
  }
  if (vanished.length === 0) return [];
  const count = `${vanished.length} Sales product(s) maintained in Finance are no longer sellable there`;
  if (settings.vanished === 'report') {
    return [`${count} (${listed(vanished)}); they were not retired in Sales (PRODUCTS_VANISHED=report).`];
  }
  if (dryRun) return [`${count} (${listed(vanished)}); a real run would retire them in Sales.`];
  const results = await connectors.sales.writeChangeSets(
    vanished.map(({ id }) => [
      { method: 'PATCH', kind: 'product', key: { id }, body: { ...productStates.retired }, only: 'update' },
    ]),
  );
  const retired = vanished.filter((_, index) => results[index]?.[0]?.outcome !== 'failed');
  const refused = vanished.flatMap((product, index) => {
    const result = results[index]?.[0];
    return result?.outcome === 'failed'
      ? [`${product.number}: ${result.error?.message ?? 'Sales refused the update'}`]
      : [];
  });
  return [
    ...(retired.length > 0
      ? [`${count}: retired ${retired.length} in Sales (statecode 1 Retired): ${listed(retired)}.`]
      : []),
    ...(refused.length > 0
      ? [`${refused.length} could not be retired: ${refused.slice(0, listedInNote).join('; ')}`]
      : []),
  ];
}

/** The first product numbers, then "and N more". */
function listed(products: readonly Vanished[]): string {
  const shown = products
    .slice(0, listedInNote)
    .map((p) => p.number)
    .join(', ');
  const more = products.length > listedInNote ? ` and ${products.length - listedInNote} more` : '';
  return `${shown}${more}`;
}
