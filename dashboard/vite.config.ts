/**
 * The dashboard's build and dev server. `npm run dashboard:build` writes dashboard/dist, which the hub
 * serves at /dashboard/; `npm run dashboard:dev` serves the sources with hot reload and passes /graphql
 * (HTTP and WebSocket) on to a hub: http://localhost:4000 unless DASHBOARD_HUB_URL names another.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const hubUrl = process.env.DASHBOARD_HUB_URL ?? 'http://localhost:4000';

export default defineConfig(({ command }) => {
  // A build is what the hub serves, whatever NODE_ENV it is made under: with a test runner's `test`, Vite
  // and React would make their development build (larger, slower). Vite reads NODE_ENV after this file.
  if (command === 'build') process.env.NODE_ENV = 'production';
  return {
    root: fileURLToPath(new URL('.', import.meta.url)),
    // The hub serves the page under this path; links and asset URLs are made relative to it.
    base: '/dashboard/',
    plugins: [react()],
    build: {
      outDir: 'dist',
      emptyOutDir: true,
    },
    server: {
      proxy: {
        // The Host header is passed on as the browser sent it (no `changeOrigin`): the hub accepts a
        // WebSocket whose Origin names the host it was asked for, as for its own pages.
        '/graphql': { target: hubUrl, ws: true },
      },
    },
  };
});
