import { useEffect, useRef, type ReactNode } from 'react';
import { useLocation } from '../routing/router';
import { Header } from './header';
import { PageErrorBoundary } from './page-error-boundary';

/**
 * The frame of every page. After a move to another page, focus goes to the main content, so keyboard
 * and screen-reader users start at the new page rather than on the link they left.
 */
export function Layout({ children }: { children: ReactNode }) {
  const { path } = useLocation();
  const main = useRef<HTMLElement>(null);
  const shownPath = useRef(path);
  useEffect(() => {
    if (shownPath.current === path) return;
    shownPath.current = path;
    main.current?.focus();
  }, [path]);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main" ref={main} tabIndex={-1}>
        <PageErrorBoundary key={path}>{children}</PageErrorBoundary>
      </main>
    </>
  );
}
