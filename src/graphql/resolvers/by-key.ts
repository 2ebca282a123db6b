/**
 * One unified record by its business key, through the request's DataLoaders: what `Query.account` and
 * its siblings answer, and what a federation gateway's `_entities` representations resolve to (see
 * src/graphql/federation.ts). Lookups made in the same tick go to each system as one request per entity,
 * however many records are asked for. Null when neither system has the key.
 *
 * The system of record must answer; the other side may fail later, on its own path (its fields then carry
 * UPSTREAM_UNAVAILABLE while the record still shows).
 */
import type { HubContext } from '../context.js';
import type {
  AccountModel,
  ContactModel,
  InvoiceModel,
  OrderModel,
  ProductModel,
  QuoteModel,
} from '../models.js';
import { flows } from '../../sync/flows/index.js';
import { counterpartOf } from '../../sync/read-model/index.js';

/** Both sides of a record by key: the first (the system of record) must answer, the second may fail. */
async function bothSides<S, F>(
  recordSystem: Promise<S | null>,
  other: Promise<F | null>,
): Promise<[S | null, F | null | undefined]> {
  const [s, f] = await Promise.allSettled([recordSystem, other]);
  if (s.status === 'rejected') throw s.reason;
  return [s.value, f.status === 'fulfilled' ? f.value : undefined];
}

/** Each function takes a key already checked (length, characters: `checkedText`). */
export const byKey = {
  async account({ loaders }: HubContext, accountNumber: string): Promise<AccountModel | null> {
    const [sales, finance] = await bothSides(
      loaders.salesAccountByNumber.load(accountNumber),
      loaders.financeCustomerByAccount.load(accountNumber),
    );
    if (!sales && finance === null) return null;
    return { accountNumber: sales?.accountnumber ?? accountNumber, sales, finance };
  },
  async contact({ loaders }: HubContext, contactNumber: string): Promise<ContactModel | null> {
    const sales = await loaders.salesContactByNumber.load(contactNumber);
    if (sales)
      return { contactNumber: sales.msdynce_contactnumber ?? contactNumber, sales, finance: undefined };
    const [person, customer] = await Promise.all([
      loaders.financeContactPersonById.load(contactNumber),
      loaders.financeCustomerByAccount.load(contactNumber),
    ]);
    // Without its Sales contact, the counterpart the contacts flow's mappings recognise (a person customer).
    const finance = counterpartOf(flows.contacts, null, [person, customer]);
    return finance ? { contactNumber, sales: null, finance } : null;
  },
  async quote({ loaders }: HubContext, quoteNumber: string): Promise<QuoteModel | null> {
    const [sales, finance] = await bothSides(
      loaders.salesQuoteByNumber.load(quoteNumber),
      loaders.financeQuoteByNumber.load(quoteNumber),
    );
    if (!sales && finance === null) return null;
    return { quoteNumber: sales?.quotenumber ?? quoteNumber, sales, finance };
  },
  async order({ loaders }: HubContext, orderNumber: string): Promise<OrderModel | null> {
    const [sales, finance] = await bothSides(
      loaders.salesOrderByNumber.load(orderNumber),
      loaders.financeOrderByNumber.load(orderNumber),
    );
    if (!sales && finance === null) return null;
    return { orderNumber: sales?.ordernumber ?? orderNumber, sales, finance };
  },
  /** Finance is the invoices' system of record: it must answer; Sales may fail later. */
  async invoice({ loaders }: HubContext, invoiceNumber: string): Promise<InvoiceModel | null> {
    const [finance, sales] = await bothSides(
      loaders.financeInvoiceByNumber.load(invoiceNumber),
      loaders.salesInvoiceByNumber.load(invoiceNumber),
    );
    if (!finance && sales === null) return null;
    return { invoiceNumber: finance?.InvoiceNumber ?? invoiceNumber, finance, sales };
  },
  /** Finance is the products' system of record. */
  async product({ loaders }: HubContext, productNumber: string): Promise<ProductModel | null> {
    const [finance, sales] = await bothSides(
      loaders.financeProductByNumber.load(productNumber),
      loaders.salesProductByNumber.load(productNumber),
    );
    if (!finance && sales === null) return null;
    return { productNumber: finance?.ProductNumber ?? productNumber, finance, sales };
  },
};
