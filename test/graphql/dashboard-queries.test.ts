/**
 * What the dashboard asks besides runs themselves: who the caller is (`viewer`), a run's failures
 * filtered by flow and text with their total, and where each flow's reading stands with its last run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startTestHub, type TestHub } from '../support/hub.js';

const operatorKey = 'operator-key-0123456789abcdefghij';
const readerKey = 'reader-key-0123456789abcdefghij';

describe('viewer', () => {
  it('is the anonymous operator on a hub without authentication', async () => {
    const hub = await startTestHub({ accounts: 1 });
    try {
      const { data } = await hub.graphql('{ viewer { name role canOperate authenticated } }');
      expect(data.viewer).toEqual({ name: null, role: 'OPERATOR', canOperate: true, authenticated: false });
    } finally {
      await hub.close();
    }
  });

  it('names the API key and its role, and refuses a caller without one', async () => {
    const { auth } = loadConfig({
      HUB_API_KEYS: `operator:ci-bot:${operatorKey},reader:dashboard:${readerKey}`,
    });
    const hub = await startTestHub({ accounts: 1, security: { auth } });
    try {
      const query = '{ viewer { name role canOperate authenticated } }';
      expect((await hub.graphql(query, undefined, { token: operatorKey })).data.viewer).toEqual({
        name: 'ci-bot',
        role: 'OPERATOR',
        canOperate: true,
        authenticated: true,
      });
      expect((await hub.graphql(query, undefined, { token: readerKey })).data.viewer).toEqual({
        name: 'dashboard',
        role: 'READER',
        canOperate: false,
        authenticated: true,
      });
      const refused = await hub.graphql(query);
      expect(refused.status).toBe(401);
      expect(refused.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    } finally {
      await hub.close();
    }
  });
});

describe('a run seen from the dashboard', () => {
  let hub: TestHub;
  let runId: string;
  beforeAll(async () => {
    hub = await startTestHub({ accounts: 40 });
    // Contacts before their accounts: every contact of an account fails with a missing dependency.
    const started = await hub.graphql('mutation { startSync(input: { flows: [CONTACTS] }) { id } }');
    runId = started.data.startSync.id;
    await waitForRun(hub, runId);
  });
  afterAll(() => hub.close());

  const failures = (args: string) =>
    hub.graphql(
      `query($id: ID!) { syncRun(id: $id) { failures(${args}) { totalCount nodes { flow key message }
        pageInfo { hasNextPage endCursor } } } }`,
      { id: runId },
    );

  it('counts all failures, and pages through them with the same total', async () => {
    const all = (await failures('first: 500')).data.syncRun.failures;
    expect(all.totalCount).toBeGreaterThan(3);
    expect(all.nodes).toHaveLength(all.totalCount);
    const first = (await failures('first: 2')).data.syncRun.failures;
    expect(first.totalCount).toBe(all.totalCount);
    expect(first.nodes).toEqual(all.nodes.slice(0, 2));
    const second = (await failures(`first: 2, after: "${first.pageInfo.endCursor}"`)).data.syncRun.failures;
    expect(second.nodes).toEqual(all.nodes.slice(2, 4));
  });

  it('filters by flow and by a text in the key or the message, case-insensitively', async () => {
    const all = (await failures('first: 500')).data.syncRun.failures.nodes as {
      key: string;
      message: string;
    }[];
    const key = all[1]!.key;
    const byKey = (await failures(`first: 50, search: "${key.toLowerCase()}"`)).data.syncRun.failures;
    expect(byKey.nodes.map((f: { key: string }) => f.key)).toContain(key);
    expect(byKey.totalCount).toBe(byKey.nodes.length);
    expect(byKey.totalCount).toBeLessThan(all.length);
    const word = all[0]!.message
      .split(' ')
      .find((w) => w.length > 5)!
      .toUpperCase();
    const byMessage = (await failures(`first: 500, search: "${word}"`)).data.syncRun.failures;
    expect(byMessage.totalCount).toBe(all.filter((f) => f.message.toUpperCase().includes(word)).length);
    expect((await failures('flow: CONTACTS')).data.syncRun.failures.totalCount).toBe(all.length);
    expect((await failures('flow: QUOTES')).data.syncRun.failures).toMatchObject({
      totalCount: 0,
      nodes: [],
    });
  });

  it('matches % and _ literally, and refuses a search holding NUL', async () => {
    expect((await failures('search: "%"')).data.syncRun.failures.totalCount).toBe(0);
    expect((await failures('search: "_"')).data.syncRun.failures.totalCount).toBe(0);
    const refused = await failures('search: "a\\u0000b"');
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'search' });
  });

  it("shows each flow's cursor and last run: none before a run, the run and its reading after", async () => {
    const { data } = await hub.graphql(
      `{ syncFlows { name cursor { updatedAt changeTracking resumesAt lastRunId } lastRun { id status } } }`,
    );
    const byName = Object.fromEntries(data.syncFlows.map((flow: { name: string }) => [flow.name, flow]));
    expect(byName['ACCOUNTS']).toMatchObject({ cursor: null, lastRun: null });
    expect(byName['CONTACTS'].lastRun).toEqual({ id: runId, status: 'COMPLETED_WITH_ERRORS' });
    // A complete read of the Sales change feed: the next run reads only changes.
    expect(byName['CONTACTS'].cursor).toMatchObject({
      changeTracking: true,
      resumesAt: null,
      lastRunId: runId,
      updatedAt: expect.any(String),
    });
  });
});

async function waitForRun(hub: TestHub, id: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { data } = await hub.graphql('query($id: ID!) { syncRun(id: $id) { status } }', { id });
    if (!['QUEUED', 'RUNNING'].includes(data.syncRun.status)) return;
    if (Date.now() > deadline) throw new Error(`run ${id} did not finish`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
