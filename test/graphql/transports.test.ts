/**
 * The same API over both transports: GraphQL over HTTP (POST and GET) and graphql-ws over a WebSocket on
 * the same path; the Sandbox landing page for browsers.
 */
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { wsRequest } from '../support/auth.js';
import { startTestHub, type TestHub } from '../support/hub.js';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ accounts: 10 });
});
afterAll(() => hub.close());

const query = `{ accounts(first: 3) { nodes { accountNumber } } }`;

describe('transports', () => {
  it('answers a query over a graphql-ws WebSocket on the same path', async () => {
    const client = createClient({
      url: hub.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    try {
      const result = await new Promise<{ data?: { accounts: { nodes: unknown[] } } }>((resolve, reject) => {
        let value: unknown;
        client.subscribe(
          { query },
          { next: (v) => (value = v), error: reject, complete: () => resolve(value as never) },
        );
      });
      expect(result.data?.accounts.nodes).toHaveLength(3);
    } finally {
      await client.dispose();
    }
  });

  it('gives each operation on one WebSocket its own loaders, so a later query sees a changed record', async () => {
    const client = createClient({
      url: hub.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      // One socket for both operations (a lazy client would close it after the first).
      lazy: false,
    });
    let connections = 0;
    client.on('connected', () => (connections += 1));
    const account = hub.simulators.data.sales.accounts.find((a) => a['accountnumber'])!;
    const byNumber = 'query($n: String!) { account(accountNumber: $n) { name } }';
    try {
      const before = await wsRequest(client, byNumber, { variables: { n: account['accountnumber'] } });
      expect(before[0]?.data.account.name).toBe(account['name']);
      hub.simulators.sales.store.transaction(() =>
        hub.simulators.sales.store.update(
          'accounts',
          { accountid: account['accountid'] ?? null },
          { name: 'Renamed between two operations' },
        ),
      );
      const after = await wsRequest(client, byNumber, { variables: { n: account['accountnumber'] } });
      expect(after[0]?.data.account.name).toBe('Renamed between two operations');
      expect(connections).toBe(1);
    } finally {
      await client.dispose();
    }
  });

  it('answers GET with the query in the URL, and refuses a GET without preflight protection for mutations', async () => {
    const response = await fetch(`${hub.url}?query=${encodeURIComponent(query)}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBe(200);
    expect(
      ((await response.json()) as { data: { accounts: { nodes: unknown[] } } }).data.accounts.nodes,
    ).toHaveLength(3);
  });

  it('serves the Sandbox landing page to a browser', async () => {
    const response = await fetch(hub.url, { headers: { Accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/<html/i);
  });

  it('refuses malformed JSON and unknown paths with 4xx', async () => {
    const bad = await fetch(hub.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{',
    });
    expect(bad.status).toBe(400);
    expect((await fetch(hub.url.replace('/graphql', '/other'))).status).toBe(404);
  });
});
