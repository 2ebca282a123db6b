/**
 * A small router on the History API. The page lives under the base path Vite builds it for
 * (`/dashboard/`); routes are written without it (`/runs/42`). The hub answers every path under the base
 * with index.html, so a route can be reloaded or bookmarked.
 */
import { useMemo, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

const base = import.meta.env.BASE_URL.replace(/\/$/, '');
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

const currentUrl = () => window.location.pathname + window.location.search;

/** The URL a route is at, for `href`s: `/runs/42` → `/dashboard/runs/42`. */
function hrefOf(to: string): string {
  return base + to;
}

/** Goes to a route without reloading the page, as a link would. */
export function navigate(to: string, { replace = false } = {}): void {
  window.history[replace ? 'replaceState' : 'pushState'](null, '', hrefOf(to));
  for (const listener of listeners) listener();
}

export interface Location {
  /** The route: the path without the base and without a trailing slash (`/` at the root). */
  path: string;
  query: URLSearchParams;
}

export function useLocation(): Location {
  const url = useSyncExternalStore(subscribe, currentUrl);
  return useMemo(() => {
    const { pathname, searchParams } = new URL(url, window.location.origin);
    const path = pathname.startsWith(base) ? pathname.slice(base.length) : pathname;
    return { path: path.replace(/(.)\/+$/, '$1') || '/', query: searchParams };
  }, [url]);
}

/**
 * A link to a route: a real `<a href>`, so it can be opened in a new tab, copied or followed by keyboard,
 * that moves within the page on a plain click.
 */
export function Link({ to, onClick, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    const modified = event.metaKey || event.ctrlKey || event.shiftKey || event.altKey;
    if (event.defaultPrevented || event.button !== 0 || modified) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={hrefOf(to)} onClick={follow} {...rest} />;
}
