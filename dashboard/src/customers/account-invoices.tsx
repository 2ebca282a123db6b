import { useQuery } from 'urql';
import { AccountInvoicesDocument } from '../generated/graphql';
import { ErrorAlert } from '../ui/error-alert';
import { InvoicesTable } from './related-records';

/**
 * The account's invoices, asked for once the account is shown, and not while the account's own answer
 * says Finance is away (`financeAway`): Finance keeps the invoices, and a request bound to fail would only
 * count towards its circuit breaker. The section then says why it is empty; it is asked for as soon as
 * the account is asked for again and Finance answers.
 */
export function AccountInvoices({
  accountNumber,
  financeAway,
}: {
  accountNumber: string;
  financeAway: boolean;
}) {
  const [{ data, error }, reexecute] = useQuery({
    query: AccountInvoicesDocument,
    variables: { accountNumber },
    pause: financeAway,
  });
  if (financeAway)
    return <p className="problem">Finance could not be read: the invoices are shown once it answers.</p>;
  if (error) return <ErrorAlert error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />;
  if (!data) return <p className="muted">Loading the invoices…</p>;
  return <InvoicesTable invoices={data.account?.invoices ?? []} />;
}
