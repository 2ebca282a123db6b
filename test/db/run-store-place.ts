/**
 * A run store on a new place of `backend` for a test file: opened and migrated before its tests, closed
 * and disposed of after them. `use` receives the database and the store once they are open.
 */
import { afterAll, beforeAll } from 'vitest';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { createRunStore, type RunStore } from '../../src/db/runs.js';
import type { TestBackend, TestPlace } from './backends.js';

export function useRunStorePlace(
  backend: TestBackend,
  use: (opened: { database: Database; runs: RunStore }) => void,
): void {
  let place: TestPlace | undefined;
  let database: Database | undefined;
  beforeAll(async () => {
    place = await backend.createPlace();
    database = await openDatabase(place.config);
    use({ database, runs: createRunStore(database) });
  });
  afterAll(async () => {
    await database?.close();
    await place?.dispose();
  });
}
