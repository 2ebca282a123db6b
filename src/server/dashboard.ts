/**
 * The sync dashboard (dashboard/, built by Vite into dashboard/dist when the project is installed), served
 * at `/dashboard/` by the hub itself, so it shares the API's origin: no CORS, and the WebSocket is the
 * API's own. The files are public (they hold no data; every query needs the caller's token).
 *
 * - `/dashboard` redirects to `/dashboard/`;
 * - a file of the build is served with an ETag; hashed assets are cached for a year, index.html is
 *   revalidated every time so a new build is picked up at once;
 * - any other path without a file extension is a route of the page: index.html answers it;
 * - a missing file with an extension is 404; without a build, 503 says how to make one.
 *
 * Every answer carries a Content-Security-Policy that allows only the hub's own scripts, styles and
 * connections, and forbids framing.
 */
import { statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sirv, { type RequestHandler } from 'sirv';
import { requestUrl } from './request-url.js';

export const dashboardPath = '/dashboard';

/** Where `npm run dashboard:build` writes the page. */
export const defaultDashboardDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../dashboard/dist',
);

const securityHeaders = {
  'Content-Security-Policy': [
    "default-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/**
 * Answers `req` when it is for the dashboard and returns true; returns false, touching nothing, for any
 * other path. `dir`: the built page; looked at per request, so a build made while the hub runs is served.
 */
export function createDashboardHandler(
  dir: string = defaultDashboardDir,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  // sirv lists the build's files once; a new build (another index.html) gets a new list.
  let served: { builtAt: number; serve: RequestHandler } | undefined;
  const serverFor = (builtAt: number): RequestHandler => {
    if (served?.builtAt !== builtAt) served = { builtAt, serve: createFileServer(dir) };
    return served.serve;
  };
  return (req, res) => {
    const url = requestUrl(req);
    const pathname = url && decodedPath(url);
    if (url === undefined || pathname === undefined) return false;
    if (pathname !== dashboardPath && !pathname.startsWith(`${dashboardPath}/`)) return false;
    for (const [name, value] of Object.entries(securityHeaders)) res.setHeader(name, value);
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      sendText(res, 405, 'The dashboard answers GET and HEAD only.', { Allow: 'GET, HEAD' });
      return true;
    }
    if (pathname === dashboardPath) {
      res.writeHead(308, { Location: `${dashboardPath}/${url.search}` }).end();
      return true;
    }
    const builtAt = modifiedAt(path.join(dir, 'index.html'));
    if (builtAt === undefined) {
      sendText(
        res,
        503,
        'The dashboard has not been built: run `npm run dashboard:build` (npm install does it), then reload.',
      );
      return true;
    }
    const routePath = pathname.slice(dashboardPath.length);
    // A path naming a file of the build that is not there is 404, not the page.
    const segments = routePath.split('/');
    if (segments.includes('..') || /[\\\0]/.test(routePath)) {
      sendText(res, 404, 'Not found.');
      return true;
    }
    if (isAssetPath(routePath) && modifiedAt(path.join(dir, ...segments)) === undefined) {
      sendText(res, 404, `Not found: ${pathname}`);
      return true;
    }
    // sirv serves paths relative to the build: the request is rewritten without the mount point.
    const originalUrl = req.url;
    req.url = routePath;
    serverFor(builtAt)(req, res, () => sendText(res, 404, `Not found: ${pathname}`));
    req.url = originalUrl;
    return true;
  };
}

function createFileServer(dir: string): RequestHandler {
  return sirv(dir, {
    etag: true,
    // index.html for the page's own routes, dotted ones too (`/customers/ACC.1`): a missing asset was
    // answered 404 before sirv is asked.
    single: true,
    ignores: false,
    setHeaders: (res, pathname) => {
      // Vite names built assets by their content's hash: a changed file has a new name.
      res.setHeader(
        'Cache-Control',
        pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
}

/**
 * Whether the path names a file a build holds (Vite's assets folder, or a static file type), rather
 * than a route of the page: `/customers/ACC.1` is a route, `/assets/x.js` and `/favicon.ico` are files.
 */
function isAssetPath(routePath: string): boolean {
  return routePath.startsWith('/assets/') || staticFileTypes.has(path.extname(routePath).toLowerCase());
}

const staticFileTypes = new Set([
  '.js',
  '.css',
  '.map',
  '.html',
  '.ico',
  '.png',
  '.svg',
  '.json',
  '.txt',
  '.woff2',
]);

/** The file's modification time in ms; undefined when it is not a file. */
function modifiedAt(file: string): number | undefined {
  try {
    const stats = statSync(file);
    return stats.isFile() ? stats.mtimeMs : undefined;
  } catch {
    return undefined;
  }
}

/** The URL's path, decoded; undefined for bad escapes (`%E0`). */
function decodedPath(url: URL): string | undefined {
  try {
    return decodeURIComponent(url.pathname);
  } catch {
    return undefined;
  }
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }).end(text);
}
