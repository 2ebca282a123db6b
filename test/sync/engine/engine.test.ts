/**
 * The flow engine against both simulators and an in-memory database, one flow after another in
 * dependency order (accounts and products, then contacts, then quotes), as a run of "all" would go.
 * One harness serves every flow, because starting PGlite and the simulators is most of the time.
 */
import { afterAll, beforeAll } from 'vitest';
import { accountsSuite } from './accounts.suite.js';
import { contactsSuite } from './contacts.suite.js';
import { startEngineHarness, type EngineHarness } from './harness.js';
import { productsSuite } from './products.suite.js';
import { quotesSuite } from './quotes.suite.js';

let shared: EngineHarness | undefined;

beforeAll(async () => {
  shared = await startEngineHarness();
});
afterAll(async () => {
  await shared?.close();
});

const harness = (): EngineHarness => {
  if (!shared) throw new Error('the engine harness has not started');
  return shared;
};

accountsSuite(harness);
productsSuite(harness);
contactsSuite(harness);
quotesSuite(harness);
