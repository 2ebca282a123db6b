import { useId, useState, type FormEvent } from 'react';
import { paths } from '../routing/paths';
import { navigate } from '../routing/router';
import { useDocumentTitle } from '../ui/hooks';
import { SearchResults } from './search-results';

/** Finds an account by its number or a part of its name; the search is in the URL (`?q=`). */
export function CustomersPage({ search }: { search: string }) {
  useDocumentTitle(search === '' ? 'Customers' : `Customers: ${search}`);
  return (
    <>
      <h1>Customers</h1>
      {/* Keyed by the search, so going back in history puts that search's text in the box. */}
      <SearchForm key={search} search={search} />
      {search !== '' && <SearchResults search={search} />}
    </>
  );
}

function SearchForm({ search }: { search: string }) {
  const inputId = useId();
  const [text, setText] = useState(search);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(paths.customers(text.trim()));
  };
  return (
    <form role="search" className="search-form" onSubmit={submit}>
      <label htmlFor={inputId}>Account number or name</label>
      <div className="search-row">
        <input
          id={inputId}
          type="search"
          placeholder="ACC-01000-BVRCPS or Contoso"
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
        <button type="submit">Search</button>
      </div>
    </form>
  );
}
