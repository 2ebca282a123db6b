import { Component, type ReactNode } from 'react';

interface State {
  error: Error | null;
}

/**
 * What a page throws while rendering is said in words in its place, never left as a blank page. The
 * layout keys it by route, so moving to another page starts afresh.
 */
export class PageErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override render() {
    if (this.state.error === null) return this.props.children;
    return (
      <div role="alert" className="alert">
        <p>This page failed to show: {this.state.error.message}</p>
        <p>Reload the page to try again; if it fails again, tell whoever runs the hub.</p>
      </div>
    );
  }
}
