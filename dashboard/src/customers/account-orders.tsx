import { useQuery } from 'urql';
import { AccountOrdersDocument } from '../generated/graphql';
import { ErrorAlert } from '../ui/error-alert';
import { OrdersTable } from './related-records';

/**
 * The account's orders, asked for once the account is shown, and not while the account's own answer says
 * Finance is away (`financeAway`): each order's Finance status and sync state ask Finance, and requests
 * bound to fail would only count towards its circuit breaker. The section then says why it is empty.
 */
export function AccountOrders({
  accountNumber,
  financeAway,
}: {
  accountNumber: string;
  financeAway: boolean;
}) {
  const [{ data, error }, reexecute] = useQuery({
    query: AccountOrdersDocument,
    variables: { accountNumber },
    pause: financeAway,
  });
  if (financeAway)
    return <p className="problem">Finance could not be read: the orders are shown once it answers.</p>;
  if (error) return <ErrorAlert error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />;
  if (!data) return <p className="muted">Loading the orders…</p>;
  return <OrdersTable orders={data.account?.orders ?? []} />;
}
