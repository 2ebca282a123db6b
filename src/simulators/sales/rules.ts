/**
 * What Dataverse computes or assigns itself when rows of the P2C tables are written: ids, timestamps,
 * default state, the auto-numbered quote number, a contact's full name, quote line and quote totals.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Row } from '../core/model.js';
import type { Store } from '../core/store.js';
import { addDecimals, multiplyDecimals, subtractDecimals } from '../core/decimal.js';
import { defaultStatus } from './catalog-rules.js';

/** Values Dataverse fills on create when the caller did not give them. */
export function applyCreateDefaults(set: string, row: Row, now: string, store: Store): void {
  const def = store.def(set)!;
  const id = def.key[0]!;
  row[id] ??= randomUUID();
  if ('statecode' in def.properties) row['statecode'] ??= set === 'products' ? 2 : 0; // products start as Draft
  if ('statuscode' in def.properties) row['statuscode'] ??= defaultStatus(set, row['statecode']);
  row['createdon'] = now;
  row['modifiedon'] = now;
  if (set === 'quotes' && !row['quotenumber']) row['quotenumber'] = nextQuoteNumber(store);
}

/** Recomputes derived columns after any write; returns the quote ids whose totals must be refreshed. */
export function applyDerived(set: string, row: Row): string[] {
  if (set === 'contacts') {
    row['fullname'] =
      [row['firstname'], row['lastname']].filter((p) => typeof p === 'string' && p !== '').join(' ') || null;
  }
  if (set === 'quotedetails') {
    const quantity = typeof row['quantity'] === 'string' ? row['quantity'] : '0';
    const price = typeof row['priceperunit'] === 'string' ? row['priceperunit'] : '0';
    const discount = typeof row['manualdiscountamount'] === 'string' ? row['manualdiscountamount'] : '0';
    row['extendedamount'] = subtractDecimals(multiplyDecimals(quantity, price), discount);
    return typeof row['_quoteid_value'] === 'string' ? [row['_quoteid_value']] : [];
  }
  return [];
}

/** A quote's total is the sum of its lines' extended amounts. */
export function quoteTotal(store: Store, quoteId: string): string {
  return store
    .findBy('quotedetails', '_quoteid_value', quoteId)
    .reduce(
      (sum, line) =>
        addDecimals(sum, typeof line['extendedamount'] === 'string' ? line['extendedamount'] : '0'),
      '0',
    );
}

/** The last quote sequence number handed out per store (read from the data once, then counted). */
const quoteSequences = new WeakMap<Store, number>();

/** `QUO-01234-ABCDEF`: the P2C solution's auto-number format (prefix, sequence, random suffix). */
function nextQuoteNumber(store: Store): string {
  let max = quoteSequences.get(store);
  if (max === undefined) {
    max = 1000;
    for (const quote of store.scan('quotes')) {
      const match = /^QUO-(\d+)-/.exec(String(quote['quotenumber'] ?? ''));
      if (match) max = Math.max(max, Number(match[1]));
    }
  }
  quoteSequences.set(store, (max += 1));
  const suffix = [...randomBytes(6)].map((b) => String.fromCharCode(65 + (b % 26))).join('');
  return `QUO-${String(max).padStart(5, '0')}-${suffix}`;
}
