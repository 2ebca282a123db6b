import { useQuery } from 'urql';
import { AccountDocument } from '../generated/graphql';
import { paths } from '../routing/paths';
import { Link } from '../routing/router';
import { ErrorAlert } from '../ui/error-alert';
import { useDocumentTitle } from '../ui/hooks';
import { StatusText, Time, Value } from '../ui/values';
import type { AccountDetail } from './account-fields';
import { AccountInvoices } from './account-invoices';
import { AccountOrders } from './account-orders';
import { ContactsTable, QuotesTable } from './related-records';
import { SideBySideTable } from './side-by-side-table';

/** One account as both systems hold it now, how the two stand, and its contacts, quotes, orders and invoices. */
export function AccountPage({ accountNumber }: { accountNumber: string }) {
  const [{ data, error }, reexecute] = useQuery({ query: AccountDocument, variables: { accountNumber } });
  const account = data?.account;
  useDocumentTitle(account?.name ?? accountNumber);
  if (!account) {
    return (
      <>
        <h1>{accountNumber}</h1>
        {error ? (
          <ErrorAlert error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />
        ) : data ? (
          <p>
            Neither Sales nor Finance has an account with this number.{' '}
            <Link to={paths.customers(accountNumber)}>Search for it</Link>.
          </p>
        ) : (
          <p className="muted">Loading the account…</p>
        )}
      </>
    );
  }
  return (
    <>
      <h1>{account.name ?? account.accountNumber}</h1>
      <SyncFacts account={account} />
      <SideBySideTable account={account} />
      <section aria-labelledby="account-contacts">
        <h2 id="account-contacts">Contacts</h2>
        <ContactsTable contacts={account.contacts} />
      </section>
      <section aria-labelledby="account-quotes">
        <h2 id="account-quotes">Quotes</h2>
        <QuotesTable quotes={account.quotes} />
      </section>
      <section aria-labelledby="account-orders">
        <h2 id="account-orders">Orders</h2>
        <AccountOrders
          accountNumber={account.accountNumber}
          financeAway={account.sync.unavailable.includes('FINANCE')}
        />
      </section>
      <section aria-labelledby="account-invoices">
        <h2 id="account-invoices">Invoices</h2>
        <AccountInvoices
          accountNumber={account.accountNumber}
          financeAway={account.sync.unavailable.includes('FINANCE')}
        />
      </section>
    </>
  );
}

function SyncFacts({ account }: { account: AccountDetail }) {
  const { sync } = account;
  return (
    <dl className="facts">
      <div>
        <dt>Account number</dt>
        <dd>{account.accountNumber}</dd>
      </div>
      <div>
        <dt>Sync state</dt>
        <dd>
          <output aria-label="Sync state">
            <StatusText status={sync.state} />
          </output>
        </dd>
      </div>
      <div>
        <dt>Last synced</dt>
        <dd>{sync.lastSyncedAt === null ? <Value value={null} /> : <Time iso={sync.lastSyncedAt} />}</dd>
      </div>
      <div>
        <dt>Last run</dt>
        <dd>
          {sync.lastRunId === null ? (
            <Value value={null} />
          ) : (
            <Link to={paths.run(sync.lastRunId)} className="run-id">
              {sync.lastRunId}
            </Link>
          )}
        </dd>
      </div>
      {sync.unavailable.length > 0 && (
        <div>
          <dt>Could not be read</dt>
          <dd className="problem">
            {sync.unavailable.map((source) => sourceNames[source]).join(', ')}: the state is known again once
            it answers.
          </dd>
        </div>
      )}
      {sync.lastError && (
        <div>
          <dt>Last error</dt>
          <dd className="problem">{sync.lastError}</dd>
        </div>
      )}
    </dl>
  );
}

const sourceNames = { SALES: 'Sales', FINANCE: 'Finance', DATABASE: "The hub's database" } as const;
