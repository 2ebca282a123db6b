/**
 * The README's example query, pasted as a person would, returns an account with its Finance view,
 * contacts and quotes on the embedded default's demo data.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub.js';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ accounts: 300, seed: 1 }); // the embedded default's data set
});
afterAll(() => hub.close());

it("answers the README's example query with a full account", async () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const query = /```graphql\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(query).toBeDefined();
  const { data, errors } = await hub.graphql(query!);
  expect(errors).toBeUndefined();
  expect(data.account.finance).not.toBeNull();
  expect(data.account.contacts.length).toBeGreaterThan(0);
  expect(data.account.quotes.length).toBeGreaterThan(0);
  expect(data.account.quotes.some((q: { lines: unknown[] }) => q.lines.length > 0)).toBe(true);
  expect(data.accounts.nodes.length).toBeGreaterThan(0);
});
