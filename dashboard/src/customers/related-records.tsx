import type { AccountDetail } from './account-fields';
import { TableScroll } from '../ui/table-scroll';
import { StatusText, Value } from '../ui/values';
import { enumLabel } from '../ui/format';

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
              <Value
                value={
                  quote.totalAmount === null ? null : `${quote.totalAmount} ${quote.currency ?? ''}`.trim()
                }
              />
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
