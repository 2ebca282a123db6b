/**
 * The page's line to the hub: an urql client for the current caller (queries and mutations over HTTP,
 * subscriptions over the graphql-ws WebSocket, both on the page's own origin at /graphql), the caller's key
 * or token kept in sessionStorage, and whether the WebSocket is up. Signing in or out replaces the client
 * and its socket, so nothing made for one caller is reused for another.
 *
 * The hub refuses a missing, wrong or expired token with UNAUTHENTICATED (HTTP 401) and closes a WebSocket
 * whose token expires with 4401; either signs the caller out with the hub's sentence as the notice the
 * sign-in form shows.
 */
import { CloseCode, createClient as createSocketClient, type Client as SocketClient } from 'graphql-ws';
import { Client, fetchExchange, mapExchange, subscriptionExchange } from 'urql';
import { createStore, type Store } from './store';

/** `connecting` until the first connection; `disconnected` while graphql-ws waits to try again. */
export type ConnectionState = 'connecting' | 'live' | 'disconnected';

export interface Session {
  /** Tells sessions apart: a new one each sign-in and sign-out. */
  id: number;
  /** The caller's API key or token; null when none was given. */
  token: string | null;
  /** Why the caller was signed out, in the hub's words; null when there is nothing to say. */
  notice: string | null;
  /** The urql client sending `token`. */
  client: Client;
}

export interface HubSession {
  session: Store<Session>;
  connection: Store<ConnectionState>;
  signIn(token: string): void;
  /** `notice`: the reason shown on the sign-in form (none when the caller chose to sign out). */
  signOut(notice?: string): void;
}

const tokenKey = 'p2c-hub-dashboard.token';
const graphqlPath = '/graphql';
const unauthenticatedCodes: readonly number[] = [CloseCode.Unauthorized, CloseCode.Forbidden];

export interface HubSessionOptions {
  /** Where the token is kept for the tab's lifetime; default `sessionStorage`. */
  storage?: Storage;
  /** The page's location, from which the hub's URLs are made; default `window.location`. */
  location?: Location;
}

export function createHubSession({
  storage = sessionStorage,
  location = window.location,
}: HubSessionOptions = {}): HubSession {
  const connection = createStore<ConnectionState>('connecting');
  let socket: SocketClient | undefined;
  // Events of a socket being disposed arrive after its successor's: only the newest one's count.
  let generation = 0;

  const open = (token: string | null, notice: string | null): Session => {
    // Disposing a socket whose connection was just refused rejects with that close: nothing left to do.
    Promise.resolve(socket?.dispose()).catch(() => undefined);
    const current = ++generation;
    connection.set('connecting');
    socket = createSocketClient({
      url: `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${graphqlPath}`,
      connectionParams: token === null ? {} : { authorization: `Bearer ${token}` },
      // Connect at once rather than with the first subscription, so the header can say whether the hub is up.
      lazy: false,
      retryAttempts: Infinity,
      // Every close is retried (a restarting hub closes with codes graphql-ws would give up on), except
      // those graphql-ws treats as final whatever this says: 4401 and the like, handled in `closed`.
      shouldRetry: () => true,
      retryWait: backoff,
      // A final close is reported by the `closed` listener below.
      onNonLazyError: () => undefined,
      on: {
        connected: () => {
          if (current === generation) connection.set('live');
        },
        closed: (event) => {
          if (current !== generation) return;
          connection.set('disconnected');
          if (token !== null && isCloseEvent(event) && unauthenticatedCodes.includes(event.code))
            signOut(event.reason || 'The hub closed the connection; sign in again.');
        },
      },
    });
    return { id: current, token, notice, client: createClient(token, socket, signOut) };
  };

  const session = createStore<Session>(open(storage.getItem(tokenKey), null));

  function signOut(notice?: string): void {
    storage.removeItem(tokenKey);
    session.set(open(null, notice ?? null));
  }

  return {
    session,
    connection,
    signIn(token) {
      storage.setItem(tokenKey, token);
      session.set(open(token, null));
    },
    signOut,
  };
}

function createClient(token: string | null, socket: SocketClient, signOut: (notice: string) => void): Client {
  return new Client({
    url: graphqlPath,
    // Always POST: the hub's CSRF prevention refuses a GET that carries no preflight header.
    preferGetMethod: false,
    fetchOptions: token === null ? {} : { headers: { authorization: `Bearer ${token}` } },
    exchanges: [
      mapExchange({
        onError(error) {
          const refused = error.graphQLErrors.find((e) => e.extensions.code === 'UNAUTHENTICATED');
          if (token !== null && refused) signOut(refused.message);
        },
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            unsubscribe: socket.subscribe({ ...request, query: request.query ?? '' }, sink),
          }),
        }),
      }),
    ],
  });
}

/** Before reconnect attempt `retries` (0 first): 0.5 s doubling to 8 s, give or take a quarter, so the
 * pages of a restarted hub do not all come back in the same instant. */
async function backoff(retries: number): Promise<void> {
  const ms = Math.min(500 * 2 ** retries, 8_000) * (0.75 + Math.random() * 0.5);
  await new Promise((resolve) => setTimeout(resolve, ms));
}

function isCloseEvent(event: unknown): event is { code: number; reason: string } {
  return typeof event === 'object' && event !== null && 'code' in event && 'reason' in event;
}
