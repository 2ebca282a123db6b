import { useId, useState, type FormEvent } from 'react';
import { useDocumentTitle } from '../ui/hooks';

/**
 * The sign-in form: an API key or a token from the identity provider, kept for this browser tab only
 * (sessionStorage) and sent with every request and on the WebSocket.
 */
export function SignInPage({
  notice,
  onSignIn,
}: {
  notice: string | null;
  onSignIn: (token: string) => void;
}) {
  useDocumentTitle('Sign in');
  const inputId = useId();
  const hintId = useId();
  const [token, setToken] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const given = token.trim();
    if (given !== '') onSignIn(given);
  };
  return (
    <section className="sign-in">
      <h1>Sign in</h1>
      {notice && (
        <div role="alert" className="alert">
          <p>{notice}</p>
        </div>
      )}
      <form onSubmit={submit}>
        <label htmlFor={inputId}>API key or token</label>
        <input
          id={inputId}
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          autoFocus
          aria-describedby={hintId}
          value={token}
          onChange={(event) => setToken(event.target.value)}
        />
        <p id={hintId} className="hint">
          An API key of the hub, or a token from your identity provider. It is kept in this tab only and
          forgotten when you sign out or close it.
        </p>
        <button type="submit">Sign in</button>
      </form>
    </section>
  );
}
