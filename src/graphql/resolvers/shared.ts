/** Small pieces every unified type's resolvers use. */
import type { HubContext } from '../context.js';

export interface AddressValue {
  line1: string | null;
  city: string | null;
  stateOrProvince: string | null;
  postalCode: string | null;
  country: string | null;
}

/** An address, or null when every part is empty. */
export function address(parts: AddressValue): AddressValue | null {
  return Object.values(parts).some((value) => value !== null && value !== '') ? parts : null;
}

/** The ISO code of a Sales currency id (`_transactioncurrencyid_value`). */
export async function currencyIso(
  context: HubContext,
  id: string | null | undefined,
): Promise<string | null> {
  if (!id) return null;
  return (await context.reference()).currencyIsoById(id) ?? null;
}

/** The name of a Sales unit id (`_uomid_value`, `_defaultuomid_value`). */
export async function unitName(context: HubContext, id: string | null | undefined): Promise<string | null> {
  if (!id) return null;
  return (await context.reference()).unitNameById(id) ?? null;
}

/** Dataverse `statecode` 0/1 as ACTIVE/INACTIVE. */
export const recordState = (statecode: number | null | undefined): 'ACTIVE' | 'INACTIVE' | null =>
  statecode === null || statecode === undefined ? null : statecode === 0 ? 'ACTIVE' : 'INACTIVE';

/**
 * A unified field: taken from the system of record's row when the record is there, else from the other
 * system's row. The system of record is read first, so an outage of the other never hides its data.
 */
export async function preferring<P, S, T>(
  primary: () => Promise<P | null>,
  secondary: () => Promise<S | null>,
  fromPrimary: (row: P) => T | null | Promise<T | null>,
  fromSecondary: (row: S) => T | null | Promise<T | null>,
): Promise<T | null> {
  const first = await primary();
  if (first) return fromPrimary(first);
  const other = await secondary();
  return other ? fromSecondary(other) : null;
}
