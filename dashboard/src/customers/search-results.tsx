import { useQuery } from 'urql';
import { SearchAccountsDocument, type AccountMatchFragment } from '../generated/graphql';
import { paths } from '../routing/paths';
import { Link } from '../routing/router';
import { ErrorAlert } from '../ui/error-alert';
import { StatusText } from '../ui/values';

/** At most this many accounts whose name matches are listed. */
const listedMatches = 25;

/** The account with the searched number, if one has it, then the accounts whose name contains the text. */
export function SearchResults({ search }: { search: string }) {
  const [{ data, error }, reexecute] = useQuery({
    query: SearchAccountsDocument,
    variables: { text: search, first: listedMatches },
  });
  if (error) return <ErrorAlert error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />;
  if (!data) return <p className="muted">Searching…</p>;
  const byName = data.accounts.nodes.filter(
    (account) => account.accountNumber !== data.account?.accountNumber,
  );
  const matches = data.account ? [data.account, ...byName] : byName;
  return (
    <section aria-labelledby="search-results">
      <h2 id="search-results">Results</h2>
      {matches.length === 0 ? (
        <p>No account has the number “{search}” or a name containing it.</p>
      ) : (
        <>
          <ul className="results">
            {matches.map((account) => (
              <AccountResult key={account.accountNumber} account={account} />
            ))}
          </ul>
          {data.accounts.pageInfo.hasNextPage && (
            <p className="muted">
              More than {listedMatches} names match; type more of the name to narrow the list.
            </p>
          )}
        </>
      )}
    </section>
  );
}

function AccountResult({ account }: { account: AccountMatchFragment }) {
  const place = [account.address?.city, account.address?.country].filter(Boolean).join(', ');
  return (
    <li>
      <Link to={paths.account(account.accountNumber)}>
        {account.accountNumber} — {account.name ?? 'no name'}
      </Link>{' '}
      {place && <span className="muted">{place}</span>} <StatusText status={account.sync.state} />
    </li>
  );
}
