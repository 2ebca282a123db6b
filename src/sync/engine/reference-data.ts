/**
 * Builds the reference data a flow maps with, read once per flow run: the Sales currencies and units
 * every flow needs, and (later) the lookups of records other flows own.
 */
import type { Connectors } from '../../connectors/index.js';
import type { SalesCurrency, SalesUnit } from '../../connectors/sales/types.js';
import { createReferenceData, type ReferenceData } from '../reference.js';

async function readAll<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const rows: T[] = [];
  for await (const page of pages) rows.push(...page);
  return rows;
}

/** Sales currencies and units as reference data (two small reads, concurrently). */
export async function loadReferenceData(connectors: Connectors): Promise<ReferenceData> {
  const [currencies, units] = await Promise.all([
    readAll<SalesCurrency>(connectors.sales.list('currency')),
    readAll<SalesUnit>(connectors.sales.list('unit')),
  ]);
  return createReferenceData({ currencies, units });
}
