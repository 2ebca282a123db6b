/**
 * Account: a Sales account (system of record) and the Finance customer with the same account number.
 * Unified fields are the accounts flow's mapped fields, from Sales, or from Finance for an account that
 * exists only there (see the read model).
 */
import type { FinanceCustomer } from '../../connectors/finance/types.js';
import type { SalesAccount } from '../../connectors/sales/types.js';
import type { AccountResolvers } from '../../generated/resolvers-types.js';
import { recordViews } from '../../sync/read-model/index.js';
import type { HubContext } from '../context.js';
import type { AccountModel, ContactModel, InvoiceModel, OrderModel, QuoteModel } from '../models.js';
import { pageSize } from '../cursors.js';
import { invoicesOf } from './invoice.js';
import { ordersOfSales } from './order.js';
import { rowsOf, unifiedAddress } from './shared.js';
import { syncLink } from './sync.js';

const accounts = recordViews.account;

/** The Sales side of an account, loaded when the model does not carry it yet. */
export async function salesAccountOf(account: AccountModel, context: HubContext) {
  return account.sales !== undefined
    ? account.sales
    : context.loaders.salesAccountByNumber.load(account.accountNumber);
}

export async function financeCustomerOf(account: AccountModel, context: HubContext) {
  return account.finance !== undefined
    ? account.finance
    : context.loaders.financeCustomerByAccount.load(account.accountNumber);
}

/** The unified account of a Sales account row; null for one without an account number (never synced). */
export function accountOfSales(row: SalesAccount | null): AccountModel | null {
  const number = row ? accounts.keyOf('source', row) : null;
  return row && typeof number === 'string' && number
    ? { accountNumber: number, sales: row, finance: undefined }
    : null;
}

/** The unified account of a Finance customer row. */
export function accountOfFinance(row: FinanceCustomer | null): AccountModel | null {
  return row
    ? { accountNumber: accounts.keyOf('target', row) as string, sales: undefined, finance: row }
    : null;
}

const rows = (account: AccountModel, context: HubContext) =>
  rowsOf(
    context,
    () => salesAccountOf(account, context),
    () => financeCustomerOf(account, context),
  );

/** A unified text field of the accounts flow (`name`, `phone`…). */
const text =
  (field: string): NonNullable<AccountResolvers['name']> =>
  (account, _args, context) =>
    accounts.value<string>(field, rows(account, context));

export const Account: AccountResolvers = {
  accountNumber: (account) => account.accountNumber,
  name: text('name'),
  phone: text('phone'),
  email: text('email'),
  website: text('website'),
  address: (account, _args, context) => unifiedAddress(accounts, 'address', rows(account, context)),
  currency: text('currency'),
  creditLimit: (account, _args, context) => accounts.value<string>('creditLimit', rows(account, context)),
  /** A default the flow sets on create and Finance owns afterwards: read from Finance only. */
  customerGroup: (account, _args, context) =>
    accounts.value<string>('customerGroup', rows(account, context), { only: 'target' }),
  sales: (account, _args, context) => salesAccountOf(account, context),
  finance: (account, _args, context) => financeCustomerOf(account, context),
  contacts: async (account, { first }, context): Promise<ContactModel[]> => {
    const sales = await salesAccountOf(account, context);
    if (!sales) return [];
    const contacts = await context.loaders.salesContactsByAccountId.load(sales.accountid);
    const fullName = (row: (typeof contacts)[number]) =>
      (recordViews.contact.fieldOf('source', row, 'fullName') as string | null) ?? '';
    // The order of the contacts listing: by full name, then by Sales id.
    return [...contacts]
      .sort((a, b) => fullName(a).localeCompare(fullName(b)) || a.contactid.localeCompare(b.contactid))
      .slice(0, pageSize(first))
      .map((contact) => ({
        contactNumber: recordViews.contact.keyOf('source', contact) as string | null,
        sales: contact,
        finance: undefined,
      }));
  },
  quotes: async (account, { first }, context): Promise<QuoteModel[]> => {
    const sales = await salesAccountOf(account, context);
    if (!sales) return [];
    const quotes = await context.loaders.salesQuotesByAccountId.load(sales.accountid);
    const numberOf = (quote: (typeof quotes)[number]) =>
      recordViews.quote.keyOf('source', quote) as string | null;
    // A quote without a number cannot be synced, nor asked for by number.
    return quotes
      .filter((quote) => numberOf(quote) !== null)
      .sort((a, b) => (numberOf(a) ?? '').localeCompare(numberOf(b) ?? ''))
      .slice(0, pageSize(first))
      .map((quote) => ({ quoteNumber: numberOf(quote)!, sales: quote, finance: undefined }));
  },
  orders: async (account, { first }, context): Promise<OrderModel[]> => {
    const sales = await salesAccountOf(account, context);
    if (!sales) return [];
    const size = pageSize(first);
    return ordersOfSales(await context.loaders.salesOrdersByAccountId.load(sales.accountid), size);
  },
  /** Finance's invoices of the account number and Sales' of the account, matched by invoice number. */
  invoices: async (account, { first }, context): Promise<InvoiceModel[]> => {
    const size = pageSize(first);
    const [sales, finance] = await Promise.all([
      salesAccountOf(account, context).then((row) =>
        row ? context.loaders.salesInvoicesByAccountId.load(row.accountid) : [],
      ),
      context.loaders.financeInvoicesByAccount.load(account.accountNumber),
    ]);
    return invoicesOf(finance, sales).slice(0, size);
  },
  sync: (account, _args, context) =>
    syncLink(context, {
      entity: 'account',
      key: account.accountNumber,
      flow: accounts.flow,
      ...rows(account, context),
    }),
};
