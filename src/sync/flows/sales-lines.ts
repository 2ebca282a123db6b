/**
 * What quote lines and order lines share on their way to Finance: the fields that map the same way (line
 * number, product, price, description, unit) and the rules a line must meet (a catalogue product that
 * came from Finance), so Finance never receives a line it cannot hold.
 */
import type { EligibilityRule, FieldMapping } from './types.js';

type LineSource = 'sequencenumber' | '_productid_value' | 'priceperunit' | 'description' | '_uomid_value';
type LineTarget =
  'LineCreationSequenceNumber' | 'ItemNumber' | 'SalesPrice' | 'LineDescription' | 'SalesUnitSymbol';

/** The Sales line fields that map to a Finance quotation or order line the same way, by unified name. */
export const salesLineFields = {
  lineNumber: {
    field: 'lineNumber',
    source: 'sequencenumber',
    target: 'LineCreationSequenceNumber',
    transform: { kind: 'copy' },
  },
  productNumber: {
    field: 'productNumber',
    source: '_productid_value',
    target: 'ItemNumber',
    transform: { kind: 'lookup', lookup: 'externalProductNumberById' },
    description: 'Product → its product number (the Finance item number)',
  },
  unitPrice: {
    field: 'unitPrice',
    source: 'priceperunit',
    target: 'SalesPrice',
    transform: { kind: 'decimal' },
  },
  description: {
    field: 'description',
    source: 'description',
    target: 'LineDescription',
    transform: { kind: 'truncate', length: 1000 },
  },
  unit: {
    field: 'unit',
    source: '_uomid_value',
    target: 'SalesUnitSymbol',
    transform: { kind: 'unitSymbol', map: 'salesUnitToFinanceUnit' },
    description: 'Sales unit → Finance unit symbol',
  },
} as const satisfies Record<string, FieldMapping<LineSource, LineTarget>>;

/** A quote or order line Finance can hold: not a write-in, and a product maintained in Finance. */
export const salesLineRules: readonly EligibilityRule<'isproductoverridden' | '_productid_value'>[] = [
  { require: { test: 'notEquals', field: 'isproductoverridden', value: true }, reason: 'write-in line' },
  {
    require: { test: 'resolves', field: '_productid_value', lookup: 'externalProductNumberById' },
    reason: 'product not maintained in Finance',
  },
];
