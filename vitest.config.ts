import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    // An embedded PGlite takes seconds to start on a busy 2-core machine.
    hookTimeout: 60_000,
    // Integration tests start real HTTP servers on free ports; files run in parallel workers.
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: on the 2-core CI machines, one file at a time.
    // Most files spend their time waiting (child processes, sockets, timers), so two at a time there.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
  resolve: {
    // graphql 16 has no `exports` map: without this, a file's `import 'graphql'` may load the ESM build
    // while @graphql-tools and Apollo load the CommonJS one, and `validate` then refuses the schema as
    // "from another module or realm". One instance for all, as under Node.
    alias: { graphql: 'graphql/index.js' },
  },
});
