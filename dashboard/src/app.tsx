import { Routes } from './routing/routes';
import type { HubSession } from './session/hub-session';
import { AuthGate } from './session/auth-gate';
import { HubSessionProvider } from './session/hub-session-context';

export function App({ hub }: { hub: HubSession }) {
  return (
    <HubSessionProvider hub={hub}>
      <AuthGate>
        <Routes />
      </AuthGate>
    </HubSessionProvider>
  );
}
