/** Small pieces every unified type's resolvers use. */
import type { RecordRows, RecordView } from '../../sync/read-model/index.js';
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

const addressParts = ['line1', 'city', 'stateOrProvince', 'postalCode', 'country'] as const;

/**
 * The address a flow maps under `prefix` (`address`, `shipTo`: `address.city`…), all five parts from
 * the one row the record's unified fields come from; null when every part is empty.
 */
export async function unifiedAddress<S extends object, T extends object>(
  view: RecordView<S, T>,
  prefix: string,
  rows: RecordRows<S, T>,
): Promise<AddressValue | null> {
  const values = await view.values(
    addressParts.map((part) => `${prefix}.${part}`),
    rows,
  );
  if (!values) return null;
  const part = (name: (typeof addressParts)[number]) => values[`${prefix}.${name}`] as string | null;
  return address({
    line1: part('line1'),
    city: part('city'),
    stateOrProvince: part('stateOrProvince'),
    postalCode: part('postalCode'),
    country: part('country'),
  });
}

/** A record's rows for the read model: `source` and `target` as its flow names them, and the reference data. */
export const rowsOf = <S extends object, T extends object>(
  context: HubContext,
  source: () => Promise<S | null>,
  target: () => Promise<T | null>,
): RecordRows<S, T> => ({ source, target, reference: () => context.reference() });
