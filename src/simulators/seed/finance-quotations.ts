/**
 * Sales quotations already sent to Finance: about half of the Active quotes the quotes flow would accept
 * (numbered account synchronised to usmf, every line an externally maintained product), as
 * `SalesQuotationHeadersV2` with status Sent and their `SalesQuotationLines`.
 */
import type { Row } from '../core/model.js';
import { SalesQuotationHeadersV2, SalesQuotationLines } from '../finance/entities.js';
import { financeAddressColumns } from './addresses.js';
import type { SeedContext } from './context.js';
import { ratios } from './ratios.js';
import { field, padded, rowBuilder, Sequence, text } from './rows.js';
import type { SeedQuote, SeedQuoteLine } from './quotes.js';
import { quoteBlankCountryIso, salesUnitToFinanceUnit } from './value-maps.js';

/** Quotation headers and their lines, as Finance holds them after the quotes flow. */
export interface FinanceQuotations {
  headers: Row[];
  lines: Row[];
}

const headerRow = rowBuilder(SalesQuotationHeadersV2);
const lineRow = rowBuilder(SalesQuotationLines);

/** Whether the quotes flow would send this quote to a Finance company holding `customers`. */
export function isQuoteEligible(quote: SeedQuote, customers: ReadonlyMap<string, string>): boolean {
  const number = quote.account.number;
  return (
    quote.stage === 'active' &&
    number !== null &&
    customers.has(number) &&
    quote.lines.every((line) => line.product?.externallyMaintained === true)
  );
}

/** Finance quotations for about half the eligible quotes, with line ids from their own 9-digit sequence. */
export function generateFinanceQuotations(
  context: SeedContext,
  quotes: readonly SeedQuote[],
  partyByAccountNumber: ReadonlyMap<string, string>,
): FinanceQuotations {
  const random = context.random('finance-quotations');
  const lots = new Sequence(1);
  const result: FinanceQuotations = { headers: [], lines: [] };
  for (const quote of quotes) {
    if (!isQuoteEligible(quote, partyByAccountNumber) || !random.chance(ratios.quoteInFinance)) continue;
    result.headers.push(quotationHeader(context, quote));
    for (const line of quote.lines) result.lines.push(quotationLine(quote, line, lots));
  }
  return result;
}

/**
 * The quotes header map. A blank requestdeliveryby (Finance requires a requested ship date) takes the
 * quote's expiry date, standing in for the flow's configurable default.
 */
function quotationHeader(context: SeedContext, quote: SeedQuote): Row {
  const { row } = quote;
  const currencyId = text(row, '_transactioncurrencyid_value');
  return headerRow(
    {
      dataAreaId: 'usmf',
      SalesQuotationNumber: field(row, 'quotenumber'),
      SalesQuotationName: field(row, 'name'),
      SalesQuotationStatus: 'Sent',
      RequestingCustomerAccountNumber: quote.account.number,
      InvoiceCustomerAccountNumber: quote.account.number,
      CurrencyCode: context.reference.currencyCodeById.get(currencyId) ?? null,
      SalesQuotationExpiryDate: field(row, 'effectiveto'),
      RequestedShippingDate: field(row, 'requestdeliveryby') ?? field(row, 'effectiveto'),
      LanguageId: 'en-us',
    },
    financeAddressColumns(row, 'shipto', 'DeliveryAddress', 'StateId', quoteBlankCountryIso),
  );
}

/** The quotes line map; LineAmount is what Finance computes (quantity × price − discount). */
function quotationLine(quote: SeedQuote, line: SeedQuoteLine, lots: Sequence): Row {
  const { row } = line;
  if (!line.product) throw new Error('An eligible quote has no write-in lines');
  return lineRow({
    dataAreaId: 'usmf',
    InventoryLotId: padded(lots.take(), 9),
    SalesQuotationNumber: field(quote.row, 'quotenumber'),
    LineCreationSequenceNumber: field(row, 'sequencenumber'),
    ItemNumber: line.product.number,
    RequestedSalesQuantity: field(row, 'quantity'),
    SalesPrice: field(row, 'priceperunit'),
    SalesUnitSymbol: salesUnitToFinanceUnit[line.product.unit],
    LineDiscountAmount: field(row, 'manualdiscountamount'),
    LineAmount: field(row, 'extendedamount'),
    LineDescription: field(row, 'description'),
  });
}
