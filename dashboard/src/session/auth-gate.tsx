import type { ReactNode } from 'react';
import { useQuery, type CombinedError } from 'urql';
import { ViewerDocument } from '../generated/graphql';
import { Layout } from '../layout/layout';
import { ErrorAlert, errorMessages } from '../ui/error-alert';
import { useHubSession, useOnReconnect } from './hub-session-context';
import { SignInPage } from './sign-in-page';
import { ViewerContext } from './viewer-context';
import { useStore } from './store';

/**
 * Asks the hub who the caller is before showing anything else. A hub that wants a key or token answers
 * UNAUTHENTICATED (or FORBIDDEN for a token that grants no role): the sign-in form is shown, with the
 * hub's sentence when a key was given or the session ended. Without authentication configured the hub
 * answers with the anonymous operator and no sign-in is ever shown.
 */
export function AuthGate({ children }: { children: ReactNode }) {
  const hub = useHubSession();
  const { token, notice } = useStore(hub.session);
  const [{ data, error }, reexecute] = useQuery({ query: ViewerDocument });
  const retry = () => reexecute({ requestPolicy: 'network-only' });
  useOnReconnect(() => {
    if (error) retry();
  });

  if (data) {
    return (
      <ViewerContext value={data.viewer}>
        <Layout>{children}</Layout>
      </ViewerContext>
    );
  }
  return (
    <Layout>
      {error && isRefusal(error) ? (
        <SignInPage
          // A refused key is signed out at once (hub-session.ts), leaving its reason in `notice`; a key
          // that is valid but grants no role stays, and the refusal is shown as it is.
          notice={token === null ? notice : errorMessages(error).join(' ')}
          onSignIn={hub.signIn}
        />
      ) : error ? (
        <ErrorAlert error={error} retry={retry} />
      ) : (
        <p className="muted">Connecting to the hub…</p>
      )}
    </Layout>
  );
}

function isRefusal(error: CombinedError): boolean {
  return error.graphQLErrors.some(
    (e) => e.extensions.code === 'UNAUTHENTICATED' || e.extensions.code === 'FORBIDDEN',
  );
}
