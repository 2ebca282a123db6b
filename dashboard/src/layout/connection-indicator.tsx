import { useConnectionState } from '../session/hub-session-context';

/**
 * Whether live updates arrive: the WebSocket's state, announced politely when it changes. While it is
 * down, graphql-ws keeps trying with backoff and the subscriptions resume once it is back.
 */
export function ConnectionIndicator() {
  const live = useConnectionState() === 'live';
  return (
    <p role="status" aria-label="Connection" className={live ? 'connection connection-live' : 'connection'}>
      {live ? 'Live' : 'Disconnected — reconnecting…'}
    </p>
  );
}
