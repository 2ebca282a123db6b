/**
 * What the GraphQL resolvers pass between them (the "parent" of each unified type). A unified record is
 * a business key plus the row of each system as the connectors return it: `null` when the record is
 * known to be absent there, `undefined` when that side has not been loaded yet (the resolver loads it
 * through a DataLoader when a query asks).
 */
import type {
  FinanceContactPerson,
  FinanceCustomer,
  FinanceInvoiceHeader,
  FinanceInvoiceLine,
  FinanceOrderHeader,
  FinanceOrderLine,
  FinanceProduct,
  FinanceQuoteHeader,
  FinanceQuoteLine,
} from '../connectors/finance/types.js';
import type { SyncRunFlowRecord } from '../db/runs.js';
import type { SystemPace } from '../sync/runs/types.js';
import type {
  SalesAccount,
  SalesContact,
  SalesInvoice,
  SalesInvoiceLine,
  SalesOrder,
  SalesOrderLine,
  SalesProduct,
  SalesQuote,
  SalesQuoteLine,
} from '../connectors/sales/types.js';

export interface AccountModel {
  accountNumber: string;
  sales: SalesAccount | null | undefined;
  finance: FinanceCustomer | null | undefined;
}

/** Contacts flow to Finance as contact persons, or as person customers when flagged active customer. */
export interface ContactModel {
  /** `msdynce_contactnumber`; null for a Sales contact without one (it cannot be synced). */
  contactNumber: string | null;
  sales: SalesContact | null | undefined;
  finance: FinanceContactPerson | FinanceCustomer | null | undefined;
}

export interface QuoteModel {
  quoteNumber: string;
  sales: SalesQuote | null | undefined;
  finance: FinanceQuoteHeader | null | undefined;
}

export interface QuoteLineModel {
  quoteNumber: string;
  /** Sales `sequencenumber` ↔ Finance `LineCreationSequenceNumber`. */
  lineNumber: number | null;
  sales: SalesQuoteLine | null | undefined;
  finance: FinanceQuoteLine | null | undefined;
}

export interface OrderModel {
  orderNumber: string;
  sales: SalesOrder | null | undefined;
  finance: FinanceOrderHeader | null | undefined;
}

export interface OrderLineModel {
  orderNumber: string;
  /** Sales `sequencenumber` ↔ Finance `LineCreationSequenceNumber`. */
  lineNumber: number | null;
  sales: SalesOrderLine | null | undefined;
  finance: FinanceOrderLine | null | undefined;
}

/** Invoices are mastered in Finance: the unified fields come from the Finance row when there is one. */
export interface InvoiceModel {
  invoiceNumber: string;
  finance: FinanceInvoiceHeader | null | undefined;
  sales: SalesInvoice | null | undefined;
}

export interface InvoiceLineModel {
  invoiceNumber: string;
  /** Finance `LineCreationSequenceNumber` ↔ Sales `sequencenumber`. */
  lineNumber: number | null;
  finance: FinanceInvoiceLine | null | undefined;
  sales: SalesInvoiceLine | null | undefined;
}

/** Products are mastered in Finance: the unified fields come from the Finance row when there is one. */
export interface ProductModel {
  productNumber: string;
  sales: SalesProduct | null | undefined;
  finance: FinanceProduct | null | undefined;
}

/** One flow of a run, with its live rate while it runs. */
export interface RunFlowModel {
  record: SyncRunFlowRecord;
  recordsPerSecond: number | null;
  etaSeconds: number | null;
  systems: SystemPace[];
}
