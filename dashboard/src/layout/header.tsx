import { use, type ReactNode } from 'react';
import { paths } from '../routing/paths';
import { Link, useLocation } from '../routing/router';
import { useHubSession } from '../session/hub-session-context';
import { ViewerContext, type Viewer } from '../session/viewer-context';
import { ConnectionIndicator } from './connection-indicator';

/** The page's header: the navigation, the connection and the caller once the hub has said who it is. */
export function Header() {
  const viewer = use(ViewerContext);
  return (
    <header className="site-header">
      <p className="brand">Sync dashboard</p>
      {viewer && (
        <>
          <nav aria-label="Main">
            <ul>
              <NavItem to={paths.runs} current={(path) => path === '/' || path.startsWith('/runs/')}>
                Runs
              </NavItem>
              {viewer.canOperate && <NavItem to={paths.start}>Start a sync</NavItem>}
              <NavItem to={paths.schedules} current={(path) => path.startsWith('/schedules')}>
                Schedules
              </NavItem>
              <NavItem to={paths.flows}>Flows</NavItem>
              <NavItem to={paths.customers()} current={(path) => path.startsWith('/customers')}>
                Customers
              </NavItem>
              <NavItem to={paths.alerts}>Alerts</NavItem>
            </ul>
          </nav>
          <ConnectionIndicator />
          {viewer.authenticated && <Caller viewer={viewer} />}
        </>
      )}
    </header>
  );
}

/** `current`: whether a path belongs to the item's section; default: the item's own path only. */
function NavItem({
  to,
  current = (path) => path === to,
  children,
}: {
  to: string;
  current?: (path: string) => boolean;
  children: ReactNode;
}) {
  const { path } = useLocation();
  return (
    <li>
      <Link to={to} aria-current={current(path) ? 'page' : undefined}>
        {children}
      </Link>
    </li>
  );
}

function Caller({ viewer }: { viewer: Viewer }) {
  const hub = useHubSession();
  return (
    <div className="caller">
      <span>
        Signed in as {viewer.name ?? 'an unnamed caller'} ({viewer.role.toLowerCase()})
      </span>
      <button type="button" onClick={() => hub.signOut()}>
        Sign out
      </button>
    </div>
  );
}
