/**
 * What the line types of quotes, orders and invoices share: a line's product, read through its flow's
 * mapping from whichever system the line's unified fields come from.
 */
import { recordViews, type RecordRows, type RecordView } from '../../sync/read-model/index.js';
import type { HubContext } from '../context.js';
import type { ProductModel } from '../models.js';

/**
 * The line's product under the mapped `field`: Sales holds the product's id (resolved through the
 * batched product loader, which a line read with `$expand` has already primed), Finance its number. Null
 * on a write-in or free-text line, and when Sales has no product with that id.
 */
export async function lineProduct<S extends object, T extends object>(
  view: RecordView<S, T>,
  field: string,
  rows: RecordRows<S, T>,
  context: HubContext,
): Promise<ProductModel | null> {
  const reading = await view.read(field, rows);
  const value = reading?.value;
  if (!reading || typeof value !== 'string' || !value) return null;
  if (reading.system === 'finance') return { productNumber: value, sales: undefined, finance: undefined };
  const product = await context.loaders.salesProductById.load(value);
  const number = product ? recordViews.product.keyOf('target', product) : null;
  return product && typeof number === 'string' && number
    ? { productNumber: number, sales: product, finance: undefined }
    : null;
}

/** A line of both systems: the flow's source and target rows with one line number, either possibly null. */
export interface PairedLine<S, T> {
  lineNumber: number | null;
  source: S | null;
  target: T | null;
}

/**
 * Lines of both systems paired by line number (the child mapping's key), in line-number order; a line in
 * only one system comes with the other side null.
 */
export function pairLines<S extends object, T extends object>(
  view: RecordView<S, T>,
  source: readonly S[],
  target: readonly T[],
): PairedLine<S, T>[] {
  const byNumber = new Map<number | null, PairedLine<S, T>>();
  for (const line of source) {
    const lineNumber = view.keyOf('source', line) as number | null;
    byNumber.set(lineNumber, { lineNumber, source: line, target: null });
  }
  for (const line of target) {
    const lineNumber = view.keyOf('target', line) as number | null;
    const paired = byNumber.get(lineNumber);
    if (paired) paired.target = line;
    else byNumber.set(lineNumber, { lineNumber, source: null, target: line });
  }
  return [...byNumber.values()].sort((a, b) => (a.lineNumber ?? 0) - (b.lineNumber ?? 0));
}
