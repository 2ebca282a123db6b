import { createContext, use, useEffect, useEffectEvent, type ReactNode } from 'react';
import { Provider as UrqlProvider } from 'urql';
import type { ConnectionState, HubSession } from './hub-session';
import { useStore } from './store';

const HubSessionContext = createContext<HubSession | null>(null);

/**
 * Gives the page the session and its urql client. The client changes when the caller signs in or out;
 * everything below is then mounted afresh, so no state of the previous caller's outlives it.
 */
export function HubSessionProvider({ hub, children }: { hub: HubSession; children: ReactNode }) {
  const { id, client } = useStore(hub.session);
  return (
    <HubSessionContext value={hub}>
      <UrqlProvider value={client} key={id}>
        {children}
      </UrqlProvider>
    </HubSessionContext>
  );
}

export function useHubSession(): HubSession {
  const hub = use(HubSessionContext);
  if (hub === null) throw new Error('useHubSession() is used outside <HubSessionProvider>');
  return hub;
}

export function useConnectionState(): ConnectionState {
  return useStore(useHubSession().connection);
}

/**
 * Calls `callback` each time the WebSocket is up again after being down (the hub restarted, the network
 * came back, or the hub was down when the page opened), so a page can ask again for what it could not get
 * or what may have changed meanwhile. Subscriptions resume by themselves; queries do not.
 */
export function useOnReconnect(callback: () => void): void {
  const { connection } = useHubSession();
  const onReconnect = useEffectEvent(callback);
  useEffect(() => {
    let previous = connection.get();
    return connection.subscribe(() => {
      const next = connection.get();
      if (next === 'live' && previous === 'disconnected') onReconnect();
      previous = next;
    });
  }, [connection]);
}
