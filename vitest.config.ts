import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    // An embedded PGlite takes seconds to start on a busy 2-core machine.
    hookTimeout: 60_000,
    // Integration tests start real HTTP servers on free ports; files run in parallel workers.
    pool: 'forks',
  },
});
