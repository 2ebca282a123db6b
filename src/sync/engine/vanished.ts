/**
 * Products that disappeared from Finance's sellable products. Finance has no change feed, so a removal
 * shows only as a Sales product maintained in Finance that a full read no longer returned. The reference
 * asks for these to be reported; retiring them in Sales (statecode 1) is a policy not implemented yet.
 */
import type { Connectors } from '../../connectors/index.js';
import { eq } from '../../connectors/odata/index.js';
import { matchKey } from './write.js';

/** How many product numbers a note lists before it says "and N more". */
const listedInNote = 10;

/** A note naming the externally maintained Sales products whose numbers are not in `seenKeys`, or none. */
export async function vanishedProducts(
  connectors: Connectors,
  seenKeys: ReadonlySet<string>,
): Promise<string[]> {
  const vanished: string[] = [];
  for await (const page of connectors.sales.list('product', {
    filter: eq('msdynce_ismaintainedexternally', true),
    select: ['productid', 'productnumber'],
  })) {
    for (const product of page) {
      if (product.productnumber && !seenKeys.has(matchKey(product.productnumber)))
        vanished.push(product.productnumber);
    }
  }
  if (vanished.length === 0) return [];
  const shown = vanished.slice(0, listedInNote).join(', ');
  const more = vanished.length > listedInNote ? ` and ${vanished.length - listedInNote} more` : '';
  return [
    `${vanished.length} Sales product(s) maintained in Finance are no longer sellable there (${shown}${more}); they were not retired in Sales.`,
  ];
}
