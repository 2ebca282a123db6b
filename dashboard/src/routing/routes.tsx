import type { ReactNode } from 'react';
import { AlertsPage } from '../alerts/alerts-page';
import { AccountPage } from '../customers/account-page';
import { CustomersPage } from '../customers/customers-page';
import { FlowsPage } from '../flows/flows-page';
import { NotFoundPage } from '../layout/not-found-page';
import { RunDetailPage } from '../runs/run-detail-page';
import { RunsPage } from '../runs/runs-page';
import { EditSchedulePage } from '../schedules/edit-schedule-page';
import { NewSchedulePage } from '../schedules/new-schedule-page';
import { SchedulesPage } from '../schedules/schedules-page';
import { StartPage } from '../start/start-page';
import { useLocation } from './router';

interface Route {
  /** Matches the route's path; a group captures its one parameter. */
  pattern: RegExp;
  /** `param`: the captured parameter, decoded ('' when the pattern has none). */
  render(param: string, query: URLSearchParams): ReactNode;
}

const routes: Route[] = [
  { pattern: /^\/$/, render: () => <RunsPage /> },
  // Keyed by the parameter, so going from one run to another starts the page afresh.
  { pattern: /^\/runs\/([^/]+)$/, render: (id) => <RunDetailPage key={id} id={id} /> },
  { pattern: /^\/start$/, render: () => <StartPage /> },
  { pattern: /^\/schedules$/, render: () => <SchedulesPage /> },
  // Before the one with a parameter, which `new` would match too.
  { pattern: /^\/schedules\/new$/, render: () => <NewSchedulePage /> },
  { pattern: /^\/schedules\/([^/]+)$/, render: (id) => <EditSchedulePage key={id} id={id} /> },
  { pattern: /^\/flows$/, render: () => <FlowsPage /> },
  { pattern: /^\/alerts$/, render: () => <AlertsPage /> },
  { pattern: /^\/customers$/, render: (_, query) => <CustomersPage search={query.get('q') ?? ''} /> },
  {
    pattern: /^\/customers\/([^/]+)$/,
    render: (accountNumber) => <AccountPage key={accountNumber} accountNumber={accountNumber} />,
  },
];

/** The page for the current URL. */
export function Routes() {
  const { path, query } = useLocation();
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    const param = decoded(match[1] ?? '');
    if (param !== undefined) return route.render(param, query);
  }
  return <NotFoundPage />;
}

/** The parameter decoded; undefined when its escapes are broken (`%E0%A4%A`), which no page has. */
function decoded(param: string): string | undefined {
  try {
    return decodeURIComponent(param);
  } catch {
    return undefined;
  }
}
