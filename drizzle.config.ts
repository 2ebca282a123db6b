/**
 * drizzle-kit: `npm run db:generate` writes the SQL for changes to src/db/schema.ts into migrations/,
 * which the hub applies on start (src/db/connection.ts). No database connection is needed to generate.
 */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './migrations',
});
