/**
 * Reference data the transforms resolve against: Sales currencies and units (always needed), and lookups
 * of records other flows own (needed by contacts and quotes). The caller builds it from what it has read;
 * everything here is synchronous so mapping stays a pure function of its inputs.
 */
import type { SalesCurrency, SalesUnit } from '../connectors/sales/types.js';
import { matchKey } from '../vocabulary.js';

/**
 * Lookups from the id of a record another flow owns to a value of it:
 * - `accountNumberByAccountId`: Sales account id → `accountnumber` (quote customer → Finance customer account);
 * - `customerPartyByAccountId`: Sales account id → the Finance customer's `PartyNumber` (contact persons
 *   attach to customers by party number);
 * - `currencyIsoByAccountId`: Sales account id → ISO code of the account's currency (person customers
 *   bill in their parent account's currency);
 * - `externalProductNumberById`: Sales product id → `productnumber`, only for products maintained in
 *   Finance (`msdynce_ismaintainedexternally`); quote and order lines may only carry those;
 * - `accountIdByNumber`: Sales `accountnumber` → the account's id (an invoice's customer);
 * - `salesOrderIdByNumber`: Sales `ordernumber` → the order's id (order status, an invoice's order);
 * - `productIdByNumber`: Sales `productnumber` → the product's id (an invoice line's product).
 */
export type LookupName =
  | 'accountNumberByAccountId'
  | 'customerPartyByAccountId'
  | 'currencyIsoByAccountId'
  | 'externalProductNumberById'
  | 'accountIdByNumber'
  | 'salesOrderIdByNumber'
  | 'productIdByNumber'
  | 'priceListIdByCurrency';

/** The lookup names, for validation and listing. */
export const lookupNames: readonly LookupName[] = [
  'accountNumberByAccountId',
  'customerPartyByAccountId',
  'currencyIsoByAccountId',
  'externalProductNumberById',
  'accountIdByNumber',
  'salesOrderIdByNumber',
  'productIdByNumber',
  'priceListIdByCurrency',
];

/**
 * Settings a flow's rules read (`inSetting` conditions), from configuration:
 * - `accountRelationshipTypes`: the Sales relationship types (`customertypecode`) of the accounts to sync;
 *   dual-write syncs Customer (3) only, the Data Integrator every account, and so does the hub by default;
 * - `invoiceTypes`: which Finance invoices the invoices flow brings to Sales: `salesOrder` (invoices of
 *   orders, the documented template's only kind) and `freeText`; default `salesOrder`.
 */
export type SettingName = 'accountRelationshipTypes' | 'invoiceTypes';

/** The setting names, for validation and listing. */
export const settingNames: readonly SettingName[] = ['accountRelationshipTypes', 'invoiceTypes'];

/** Each setting's values; a setting absent or empty filters nothing. */
export type FlowFilterSettings = Partial<Record<SettingName, readonly (string | number)[]>>;

/** Resolves Sales reference ids both ways; `undefined` means "not known". */
export interface ReferenceData {
  currencyIsoById(id: string): string | undefined;
  currencyIdByIso(iso: string): string | undefined;
  unitNameById(id: string): string | undefined;
  unitIdByName(name: string): string | undefined;
  /** Lookups of other flows' records; a flow that needs one the caller did not give cannot map that field. */
  lookups?: Partial<Record<LookupName, (id: string) => string | undefined>>;
  /** The configured settings rules read; absent: none configured, so `inSetting` rules hold. */
  settings?: FlowFilterSettings;
}

/** What `createReferenceData` needs of each currency and unit row. */
export interface ReferenceRows {
  currencies: readonly Pick<SalesCurrency, 'transactioncurrencyid' | 'isocurrencycode'>[];
  units: readonly Pick<SalesUnit, 'uomid' | 'name'>[];
  lookups?: ReferenceData['lookups'];
}

/**
 * Reference data over the Sales currencies and units (and optional lookups). Ids match by `matchKey`:
 * Dataverse writes GUIDs in lower case but accepts any case.
 */
export function createReferenceData({ currencies, units, lookups }: ReferenceRows): ReferenceData {
  const isoById = new Map<string, string>();
  const idByIso = new Map<string, string>();
  for (const { transactioncurrencyid: id, isocurrencycode: iso } of currencies) {
    if (iso === null) continue;
    isoById.set(matchKey(id), iso);
    idByIso.set(iso, id);
  }
  const nameById = new Map<string, string>();
  const idByName = new Map<string, string>();
  for (const { uomid: id, name } of units) {
    if (name === null) continue;
    nameById.set(matchKey(id), name);
    idByName.set(name, id);
  }
  return {
    currencyIsoById: (id) => isoById.get(matchKey(id)),
    currencyIdByIso: (iso) => idByIso.get(iso),
    unitNameById: (id) => nameById.get(matchKey(id)),
    unitIdByName: (name) => idByName.get(name),
    ...(lookups ? { lookups } : {}),
  };
}
