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
