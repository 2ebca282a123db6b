/**
 * GraphQL over HTTP conformance, checked with graphql-http's own audits against the whole hub: every
 * MUST passes; the SHOULD and MAY audits it does not pass are exactly those docs/testing.md lists
 * (section "GraphQL over HTTP conformance"), each for the reason given there.
 */
import { type AuditResult, serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub.js';

/** The audits the hub does not pass, by id, and why (docs/testing.md says the same). */
const knownDeviations = {
  // Apollo Server answers parse, validation and variable errors with 400 whatever the client accepts; the
  // spec's 200 for `application/json` is only a SHOULD, kept for legacy clients.
  '572B': 'SHOULD use 200 status code on document parsing failure when accepting application/json',
  FDE2: 'SHOULD use 200 status code on document validation failure when accepting application/json',
  '7B9B': 'SHOULD use a status code of 200 on variable coercion failure when accepting application/json',
  // Apollo's CSRF prevention refuses a GET that carries neither a JSON content-type nor a preflight
  // header (`apollo-require-preflight`, `x-apollo-operation-name`): a browser can send such a GET
  // cross-site without asking. The audits send plain GETs.
  '5A70': 'MAY accept application/x-www-form-urlencoded formatted GET requests',
  D6D5: 'MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/graphql-response+json',
  '6A70': 'MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/json',
} as const;

let hub: TestHub;
let results: AuditResult[];
beforeAll(async () => {
  hub = await startTestHub({ accounts: 5 });
  results = [];
  for (const audit of serverAudits({ url: hub.url, fetchFn: fetch })) results.push(await audit.fn());
});
afterAll(() => hub.close());

const describeFailure = (result: AuditResult) =>
  result.status === 'ok' ? result.name : `${result.id} ${result.name}: ${result.reason}`;

describe('GraphQL over HTTP (graphql-http audits)', () => {
  it('passes every MUST audit', () => {
    const musts = results.filter((result) => result.name.startsWith('MUST'));
    expect(musts.length).toBeGreaterThan(10);
    expect(musts.filter((result) => result.status !== 'ok').map(describeFailure)).toEqual([]);
  });

  it('misses only the SHOULD and MAY audits the testing docs explain', () => {
    const missed = results.filter((result) => result.status !== 'ok');
    expect(Object.fromEntries(missed.map((result) => [result.id, result.name]))).toEqual(knownDeviations);
    for (const result of missed) expect(result.status, describeFailure(result)).not.toBe('error');
  });

  it('passes the GET audits once a request carries the CSRF preflight header, as a browser app sends it', async () => {
    const withPreflight: typeof fetch = (input, init) =>
      fetch(input, {
        ...init,
        headers: { ...Object.fromEntries(new Headers(init?.headers)), 'apollo-require-preflight': 'true' },
      });
    const getAudits = serverAudits({ url: hub.url, fetchFn: withPreflight }).filter((audit) =>
      ['5A70', 'D6D5', '6A70'].includes(audit.id),
    );
    expect(getAudits).toHaveLength(3);
    for (const audit of getAudits) {
      const result = await audit.fn();
      expect(result.status, describeFailure(result)).toBe('ok');
    }
  });
});
