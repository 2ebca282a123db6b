import type { CombinedError } from 'urql';

/** What went wrong, in words: the hub's own messages, or why it could not be asked. */
export function errorMessages(error: CombinedError): string[] {
  if (error.graphQLErrors.length > 0) return error.graphQLErrors.map((e) => e.message);
  const reason = error.networkError?.message ?? error.message;
  return [`The hub could not be reached (${reason}). Check that it is running, then try again.`];
}

/** An error shown where it happened, announced to screen readers; `retry` adds a "Try again" button. */
export function ErrorAlert({ error, retry }: { error: CombinedError; retry?: () => void }) {
  const messages = errorMessages(error);
  return (
    <div role="alert" className="alert">
      {messages.length === 1 ? (
        <p>{messages[0]}</p>
      ) : (
        <ul>
          {messages.map((message, index) => (
            <li key={index}>{message}</li>
          ))}
        </ul>
      )}
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}
