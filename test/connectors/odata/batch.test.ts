import { afterEach, describe, expect, it } from 'vitest';
import {
  batchPartNotRunCode,
  changeSetRolledBackCode,
  flattenBatchResults,
} from '../../../src/connectors/odata/batch.js';
import { createODataClient, type ODataClient } from '../../../src/connectors/odata/client.js';
import { decimal } from '../../../src/connectors/odata/json.js';
import {
  type BatchItem,
  type BatchRequest,
  type BatchResponse,
  decodeBatchRequest,
  encodeBatchResponse,
  newBoundary,
} from '../../../src/connectors/odata/multipart.js';
import { noRetryPolicy } from '../../../src/connectors/odata/retry.js';
import { startServer, type TestServer } from './http-server.js';

let server: TestServer | undefined;
let received: BatchItem<BatchRequest>[] = [];

afterEach(async () => {
  await server?.close();
  server = undefined;
  received = [];
});

interface BatchServerOptions {
  /** Dataverse without continue-on-error: stop at the first failed item unless the client prefers otherwise. */
  stopOnError: boolean;
  /** The outer status of a batch stopped at a failure (Dataverse: 400); default 200. */
  stoppedStatus?: number;
}

/** A $batch endpoint: runs every part through `runPart`, change sets all-or-nothing, outer status 200. */
async function startBatchServer(
  system: 'sales' | 'finance',
  runPart: (part: BatchRequest) => BatchResponse,
  { stopOnError, stoppedStatus = 200 }: BatchServerOptions,
): Promise<ODataClient> {
  server = await startServer((request, response) => {
    received = decodeBatchRequest(request.body, request.headers['content-type']);
    const continueOnError = /odata\.continue-on-error/.test(String(request.headers['prefer'] ?? ''));
    const answered: BatchItem<BatchResponse>[] = [];
    let stopped = false;
    for (const item of received) {
      const parts = (item.kind === 'single' ? [item.part] : item.parts).map(runPart);
      const failed = parts.find((part) => part.status >= 400);
      if (item.kind === 'changeset' && failed) answered.push({ kind: 'single', part: failed });
      else if (item.kind === 'changeset') answered.push({ kind: 'changeset', parts });
      else answered.push({ kind: 'single', part: parts[0]! });
      if (failed && stopOnError && !continueOnError) {
        stopped = true;
        break;
      }
    }
    const boundary = newBoundary('batchresponse');
    response.writeHead(stopped ? stoppedStatus : 200, {
      'Content-Type': `multipart/mixed; boundary=${boundary}`,
    });
    response.end(encodeBatchResponse(answered, boundary));
  });
  const root = system === 'sales' ? '/api/data/v9.2/' : '/data/';
  return createODataClient({ system, serviceRoot: `${server.origin}${root}`, retry: noRetryPolicy });
}

const json = (status: number, body: unknown, contentId?: string): BatchResponse => ({
  status,
  headers: { 'Content-Type': 'application/json; odata.metadata=minimal' },
  body: JSON.stringify(body),
  ...(contentId === undefined ? {} : { contentId }),
});

const noContent = (): BatchResponse => ({ status: 204, headers: {}, body: '' });

const financeInfolog = {
  error: {
    code: '',
    message: 'An error has occurred.',
    innererror: {
      message:
        "Write failed for table row of type 'CustCustomerV3Entity'. Infolog: Warning: The value '99' in field 'Customer group' is not found in the related table 'Customer groups'.",
      type: 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException',
    },
  },
};

describe('$batch', () => {
  it('reports a failed part inside an F&O batch whose outer status is 200', async () => {
    const client = await startBatchServer(
      'finance',
      (part) => {
        const body = JSON.parse(part.body || '{}') as { CustomerGroupId?: string };
        if (part.method === 'GET') return json(200, { value: [{ CustomerAccount: 'US-001' }] });
        if (body.CustomerGroupId === '99') return json(500, financeInfolog);
        // Echo the raw body so the decimal's digits come back as sent.
        return { ...json(201, {}), body: part.body!.replace(/}$/, ',"PartyNumber":"000123"}') };
      },
      { stopOnError: false },
    );
    const results = await client.batch([
      {
        kind: 'single',
        part: {
          method: 'POST',
          path: 'CustomersV3',
          body: { CustomerAccount: 'US-100', CustomerGroupId: '10', CreditLimit: decimal('1000.50') },
        },
      },
      {
        kind: 'single',
        part: {
          method: 'POST',
          path: 'CustomersV3',
          body: { CustomerAccount: 'US-101', CustomerGroupId: '99' },
        },
      },
      { kind: 'single', part: { method: 'GET', path: 'CustomersV3', query: { crossCompany: true, top: 1 } } },
    ]);

    const outer = server!.requests[0]!;
    expect([outer.method, outer.url, outer.headers['accept']]).toEqual([
      'POST',
      '/data/$batch',
      'multipart/mixed',
    ]);
    expect(outer.headers['content-type']).toMatch(/^multipart\/mixed; boundary=batch_/);
    // F&O wants absolute URLs inside parts; decimals go as JSON numbers.
    const sentParts = flattenBatchResults(received);
    expect(sentParts.map((part) => part.url)).toEqual([
      `${server!.origin}/data/CustomersV3`,
      `${server!.origin}/data/CustomersV3`,
      `${server!.origin}/data/CustomersV3?cross-company=true&$top=1`,
    ]);
    expect(sentParts[0]?.body).toBe(
      '{"CustomerAccount":"US-100","CustomerGroupId":"10","CreditLimit":1000.50}',
    );
    expect(sentParts[0]?.headers['content-type']).toBe('application/json');

    const [created, refused, read] = flattenBatchResults(results);
    expect(created).toMatchObject({ status: 201, body: { PartyNumber: '000123', CreditLimit: '1000.50' } });
    expect(created?.error).toBeUndefined();
    expect(refused?.status).toBe(500);
    expect(refused?.error?.toJSON()).toMatchObject({
      system: 'finance',
      method: 'POST',
      path: 'CustomersV3',
      status: 500,
      message:
        "The value '99' in field 'Customer group' is not found in the related table 'Customer groups'.",
    });
    expect(read).toMatchObject({ status: 200, body: { value: [{ CustomerAccount: 'US-001' }] } });
  });

  it('reports the parts Dataverse never ran after the first failure, instead of dropping them', async () => {
    const client = await startBatchServer(
      'sales',
      (part) =>
        part.url.includes('bad')
          ? json(400, { error: { code: '0x80040203', message: 'Invalid name' } })
          : noContent(),
      { stopOnError: true },
    );
    const results = await client.batch([
      {
        kind: 'single',
        part: { method: 'PATCH', path: "accounts(accountnumber='A1')", body: { name: 'a' } },
      },
      {
        kind: 'single',
        part: { method: 'PATCH', path: "accounts(accountnumber='bad')", body: { name: 'b' } },
      },
      {
        kind: 'single',
        part: { method: 'PATCH', path: "accounts(accountnumber='A3')", body: { name: 'c' } },
      },
    ]);
    expect(server!.requests[0]?.headers['prefer']).toBeUndefined();
    const parts = flattenBatchResults(results);
    expect(parts.map((part) => [part.status, part.error?.code])).toEqual([
      [204, undefined],
      [400, '0x80040203'],
      [424, batchPartNotRunCode],
    ]);
    expect(parts[2]?.error?.path).toBe("accounts(accountnumber='A3')");
  });

  it("reads Dataverse's outer 400 of a batch stopped at a failure: the parts run, the failing one's error, the rest not run", async () => {
    const client = await startBatchServer(
      'sales',
      (part) =>
        part.url.includes('bad')
          ? json(
              400,
              { error: { code: '0x80040237', message: 'A record with matching key values already exists.' } },
              part.contentId,
            )
          : noContent(),
      { stopOnError: true, stoppedStatus: 400 },
    );
    const patch = (key: string) => ({
      method: 'PATCH',
      path: `accounts(accountnumber='${key}')`,
      body: { name: key },
    });
    const results = await client.batch([
      { kind: 'single', part: patch('A1') },
      { kind: 'changeset', parts: [patch('A2'), patch('bad'), patch('A4')] },
      { kind: 'single', part: patch('A5') },
      { kind: 'changeset', parts: [patch('A6'), patch('A7')] },
    ]);
    expect(server!.requests).toHaveLength(1);
    expect(
      results.map((item) => (item.kind === 'single' ? [item.part.status] : item.parts.map((p) => p.status))),
    ).toEqual([[204], [424, 400, 424], [424], [424, 424]]);
    const parts = flattenBatchResults(results);
    expect(parts.map((part) => part.error?.code)).toEqual([
      undefined,
      changeSetRolledBackCode,
      '0x80040237',
      changeSetRolledBackCode,
      batchPartNotRunCode,
      batchPartNotRunCode,
      batchPartNotRunCode,
    ]);
    expect(parts[2]?.error).toMatchObject({
      system: 'sales',
      method: 'PATCH',
      path: "accounts(accountnumber='bad')",
    });
    expect(parts[2]?.error?.message).toBe('A record with matching key values already exists.');
  });

  it('still fails a batch whose 400 is not a multipart answer (the request itself refused) with its error', async () => {
    server = await startServer((_request, response) => {
      response.writeHead(400, { 'Content-Type': 'application/json' });
      response.end(
        JSON.stringify({ error: { code: '0x80048d19', message: 'The batch contains 1001 operations.' } }),
      );
    });
    const client = createODataClient({
      system: 'sales',
      serviceRoot: `${server.origin}/api/data/v9.2/`,
      retry: noRetryPolicy,
    });
    await expect(
      client.batch([{ kind: 'single', part: { method: 'GET', path: 'accounts' } }]),
    ).rejects.toMatchObject({ name: 'ODataError', status: 400, code: '0x80048d19', path: '$batch' });
  });

  it('runs every part with continueOnError and reports each outcome', async () => {
    const client = await startBatchServer(
      'sales',
      (part) =>
        part.url.includes('bad')
          ? json(404, { error: { code: '0x80040217', message: 'Does Not Exist' } })
          : noContent(),
      { stopOnError: true },
    );
    const results = await client.batch(
      ['a', 'bad', 'c'].map((name) => ({
        kind: 'single' as const,
        part: { method: 'DELETE', path: `accounts(accountnumber='${name}')` },
      })),
      { continueOnError: true, headers: { Prefer: 'return=minimal' } },
    );
    expect(server!.requests[0]?.headers['prefer']).toBe('return=minimal, odata.continue-on-error');
    expect(flattenBatchResults(results).map((part) => [part.status, part.error?.message])).toEqual([
      [204, undefined],
      [404, 'Does Not Exist'],
      [204, undefined],
    ]);
  });

  it('maps a change set back part by part: the failing one, the rolled-back rest, and $n references', async () => {
    const client = await startBatchServer(
      'sales',
      (part) => {
        if (part.method === 'PATCH')
          return json(
            400,
            { error: { code: '0x8004432b', message: 'Quantity must be positive' } },
            part.contentId,
          );
        return {
          status: 204,
          headers: { 'OData-EntityId': 'http://x/quotes(1)' },
          body: '',
          ...(part.contentId ? { contentId: part.contentId } : {}),
        };
      },
      { stopOnError: false },
    );
    const results = await client.batch([
      {
        kind: 'changeset',
        parts: [
          { method: 'POST', path: 'quotes', body: { name: 'Q' }, contentId: 'quote' },
          { method: 'PATCH', path: '$quote', body: { quantity: -1 } },
        ],
      },
      { kind: 'changeset', parts: [{ method: 'POST', path: 'quotes', body: { name: 'R' } }] },
    ]);
    const sentChangeSet = received[0];
    expect(sentChangeSet?.kind).toBe('changeset');
    const sentParts = sentChangeSet?.kind === 'changeset' ? sentChangeSet.parts : [];
    // Every change-set part needs a Content-ID; `$quote` stays a reference.
    expect(sentParts.map((part) => [part.contentId, part.url.replace(server!.origin, '')])).toEqual([
      ['quote', '/api/data/v9.2/quotes'],
      ['1', '$quote'],
    ]);

    expect(results[0]?.kind).toBe('changeset');
    const [rolledBack, failed] = results[0]?.kind === 'changeset' ? results[0].parts : [];
    expect(failed).toMatchObject({ status: 400 });
    expect(failed?.error?.message).toBe('Quantity must be positive');
    expect(rolledBack).toMatchObject({ status: 424, contentId: 'quote' });
    expect(rolledBack?.error?.code).toBe(changeSetRolledBackCode);
    expect(rolledBack?.error?.message).toBe(
      'Not applied: its change set was rolled back because part 2 (PATCH $quote failed: Quantity must be positive)',
    );
    expect(results[1]).toMatchObject({
      kind: 'changeset',
      parts: [{ status: 204, headers: { 'odata-entityid': 'http://x/quotes(1)' } }],
    });
  });
});
