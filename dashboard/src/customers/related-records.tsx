import type { AccountInvoicesQuery, AccountOrdersQuery } from '../generated/graphql';
import type { AccountDetail } from './account-fields';
import { TableScroll } from '../ui/table-scroll';
import { CalendarDate, StatusText, Value } from '../ui/values';
import { enumLabel, memberLabel } from '../ui/format';

/** An amount with its currency (`1250.00 USD`), or null when there is none. */
function amountText(amount: string | null, currency: string | null): string | null {
  return amount === null ? null : `${amount} ${currency ?? ''}`.trim();
}

/** The account's contacts as Sales lists them, each with how it stands with Finance. */
export function ContactsTable({ contacts }: { contacts: AccountDetail['contacts'] }) {
  if (contacts.length === 0) return <p>No contacts in Sales.</p>;
  return (
    <TableScroll caption="Contacts of the account in Sales">
      <thead>
        <tr>
          <th scope="col">Contact number</th>
          <th scope="col">Name</th>
          <th scope="col">Email</th>
          <th scope="col">Phone</th>
          <th scope="col">Sync state</th>
        </tr>
      </thead>
      <tbody>
        {contacts.map((contact, index) => (
          // A contact without a number (which cannot be synced) has no key of its own.
          <tr key={contact.contactNumber ?? `unnumbered-${index}`}>
            <th scope="row">
              <Value value={contact.contactNumber} />
            </th>
            <td>
              <Value value={contact.fullName} />
            </td>
            <td>
              <Value value={contact.email} />
            </td>
            <td>
              <Value value={contact.phone} />
            </td>
            <td>
              <StatusText status={contact.sync.state} />
            </td>
          </tr>
        ))}
      </tbody>
    </TableScroll>
  );
}

/** The account's quotes as Sales lists them, each with how it stands with Finance. */
export function QuotesTable({ quotes }: { quotes: AccountDetail['quotes'] }) {
  if (quotes.length === 0) return <p>No quotes in Sales.</p>;
  return (
    <TableScroll caption="Quotes of the account in Sales">
      <thead>
        <tr>
          <th scope="col">Quote number</th>
          <th scope="col">Name</th>
          <th scope="col">Status</th>
          <th scope="col" className="number">
            Total
          </th>
          <th scope="col">Sync state</th>
        </tr>
      </thead>
      <tbody>
        {quotes.map((quote) => (
          <tr key={quote.quoteNumber}>
            <th scope="row">{quote.quoteNumber}</th>
            <td>
              <Value value={quote.name} />
            </td>
            <td>{quote.status === null ? <Value value={null} /> : enumLabel(quote.status)}</td>
            <td className="number">
              <Value value={amountText(quote.totalAmount, quote.currency)} />
            </td>
            <td>
              <StatusText status={quote.sync.state} />
            </td>
          </tr>
        ))}
      </tbody>
    </TableScroll>
  );
}

type Orders = NonNullable<AccountOrdersQuery['account']>['orders'];

/**
 * The account's orders as Sales lists them: the status Sales shows and the one Finance has (what the
 * order status flow brings back), and how the order stands with Finance.
 */
export function OrdersTable({ orders }: { orders: Orders }) {
  if (orders.length === 0) return <p>No orders in Sales.</p>;
  return (
    <TableScroll caption="Orders of the account in Sales">
      <thead>
        <tr>
          <th scope="col">Order number</th>
          <th scope="col">Name</th>
          <th scope="col">Sales status</th>
          <th scope="col">Finance status</th>
          <th scope="col" className="number">
            Total
          </th>
          <th scope="col">Sync state</th>
        </tr>
      </thead>
      <tbody>
        {orders.map((order) => (
          <tr key={order.orderNumber}>
            <th scope="row">{order.orderNumber}</th>
            <td>
              <Value value={order.name} />
            </td>
            <td>{order.status === null ? <Value value={null} /> : enumLabel(order.status)}</td>
            <td>
              <FinanceStatus order={order} />
            </td>
            <td className="number">
              <Value value={amountText(order.totalAmount, order.currency)} />
            </td>
            <td>
              <StatusText status={order.sync.state} />
            </td>
          </tr>
        ))}
      </tbody>
    </TableScroll>
  );
}

type Invoices = NonNullable<NonNullable<AccountInvoicesQuery['account']>['invoices']>;

/**
 * The account's invoices, which Finance posts and the invoices flow copies to Sales: each with its order
 * (none on a free-text invoice) and which of the two systems holds it.
 */
export function InvoicesTable({ invoices }: { invoices: Invoices }) {
  if (invoices.length === 0) return <p>No invoices in Sales or Finance.</p>;
  return (
    <TableScroll caption="Invoices of the account in Sales and Finance">
      <thead>
        <tr>
          <th scope="col">Invoice number</th>
          <th scope="col">Date</th>
          <th scope="col" className="number">
            Total
          </th>
          <th scope="col">Order number</th>
          <th scope="col">In Sales</th>
          <th scope="col">In Finance</th>
        </tr>
      </thead>
      <tbody>
        {invoices.map((invoice) => (
          <tr key={invoice.invoiceNumber}>
            <th scope="row">{invoice.invoiceNumber}</th>
            <td>
              {invoice.invoiceDate === null ? (
                <Value value={null} />
              ) : (
                <CalendarDate iso={invoice.invoiceDate} />
              )}
            </td>
            <td className="number">
              <Value value={amountText(invoice.totalAmount, invoice.currency)} />
            </td>
            <td>
              {invoice.isFreeText ? (
                <span className="blank">free text</span>
              ) : (
                <Value value={invoice.order?.orderNumber} />
              )}
            </td>
            <td>
              <Held held={invoice.sales !== null} />
            </td>
            <td>
              <Held held={invoice.finance !== null} />
            </td>
          </tr>
        ))}
      </tbody>
    </TableScroll>
  );
}

/** Finance's status of the order in words, or why there is none: not in Finance, or Finance away. */
function FinanceStatus({ order }: { order: Orders[number] }) {
  if (order.financeStatus !== null) return <>{memberLabel(order.financeStatus)}</>;
  const away = order.sync.unavailable.includes('FINANCE');
  return <span className="blank">{away ? 'could not be read' : 'not in Finance'}</span>;
}

/** Whether a system holds the record: "Yes", or a muted "No". */
function Held({ held }: { held: boolean }) {
  return held ? <>Yes</> : <span className="blank">No</span>;
}
