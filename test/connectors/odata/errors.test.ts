import { describe, expect, it } from 'vitest';
import {
  CircuitOpenError,
  httpError,
  networkError,
  ODataError,
  parseErrorBody,
  parseRetryAfter,
  TimeoutError,
} from '../../../src/connectors/odata/errors.js';

const financeWriteFailure = JSON.stringify({
  error: {
    code: '',
    message: 'An error has occurred.',
    innererror: {
      message:
        "Write failed for table row of type 'CustCustomerV3Entity'. Infolog: Warning: The value '99' in field 'Customer group' is not found in the related table 'Customer groups'.",
      type: 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException',
    },
  },
});

describe('parseErrorBody', () => {
  it.each([
    {
      shape: 'Dataverse error with a hex code',
      body: '{"error":{"code":"0x80040217","message":"account With Id = 4b75 Does Not Exist"}}',
      status: 404,
      expected: { code: '0x80040217', message: 'account With Id = 4b75 Does Not Exist' },
    },
    {
      shape: 'Dataverse service-protection 429',
      body: '{"error":{"code":"0x80072322","message":"Number of requests exceeded the limit of 6000 over time window of 300 seconds."}}',
      status: 429,
      expected: {
        code: '0x80072322',
        message: 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.',
      },
    },
    {
      shape: 'F&O write failure: the infolog text, not "An error has occurred."',
      body: financeWriteFailure,
      status: 500,
      expected: {
        code: '',
        message:
          "The value '99' in field 'Customer group' is not found in the related table 'Customer groups'.",
        innerMessage:
          "Write failed for table row of type 'CustCustomerV3Entity'. Infolog: Warning: The value '99' in field 'Customer group' is not found in the related table 'Customer groups'.",
      },
    },
    {
      shape: 'F&O inner message without an infolog',
      body: '{"error":{"code":"","message":"An error has occurred.","innererror":{"message":"More than one resource was found when selecting for update.","type":"ODataArgumentException"}}}',
      status: 400,
      expected: {
        code: '',
        message: 'More than one resource was found when selecting for update.',
        innerMessage: 'More than one resource was found when selecting for update.',
      },
    },
    {
      shape: 'F&O infolog with several entries',
      body: '{"error":{"code":"","message":"An error has occurred.","innererror":{"message":"Write failed. Infolog: Warning: Field \'Customer group\' must be filled in.; Error: Update has been canceled.","type":"X"}}}',
      status: 500,
      expected: {
        code: '',
        message: "Field 'Customer group' must be filled in. Update has been canceled.",
        innerMessage:
          "Write failed. Infolog: Warning: Field 'Customer group' must be filled in.; Error: Update has been canceled.",
      },
    },
    {
      shape: 'F&O plain-text 429',
      body: 'This request could not be processed at this time due to system experiencing high resource utilization. Retry the request after 60 seconds',
      status: 429,
      expected: {
        code: '',
        message:
          'This request could not be processed at this time due to system experiencing high resource utilization. Retry the request after 60 seconds',
      },
    },
    {
      shape: 'ASP.NET route error',
      body: '{"Message":"No HTTP resource was found that matches the request URI."}',
      status: 404,
      expected: { code: '', message: 'No HTTP resource was found that matches the request URI.' },
    },
    {
      shape: 'HTML from a gateway',
      body: '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>…</body></html>',
      status: 502,
      expected: { code: '', message: '502 Bad Gateway' },
    },
    {
      shape: 'empty body',
      body: '',
      status: 503,
      expected: { code: '', message: 'The service answered HTTP 503 without an error message.' },
    },
  ])('reads $shape', ({ body, status, expected }) => {
    expect(parseErrorBody(body, status)).toEqual(expected);
  });
});

describe('ODataError', () => {
  it('carries the request, the status, the code and Retry-After, and nothing of the headers', () => {
    const error = httpError(
      { system: 'finance', method: 'POST', path: 'CustomersV3' },
      {
        status: 500,
        headers: { 'content-type': 'application/json', 'retry-after': '7' },
        body: financeWriteFailure,
      },
    );
    expect(error).toBeInstanceOf(ODataError);
    expect(error.toJSON()).toMatchObject({
      kind: 'http',
      system: 'finance',
      method: 'POST',
      path: 'CustomersV3',
      status: 500,
      code: '',
      retryAfterMs: 7000,
    });
    expect(error.describe()).toBe(
      "finance POST CustomersV3 → 500: The value '99' in field 'Customer group' is not found in the related table 'Customer groups'.",
    );
  });

  it('redacts a bearer token a server echoed back', () => {
    const error = httpError(
      { system: 'sales', method: 'GET', path: 'accounts' },
      { status: 400, headers: {}, body: 'Bad header Authorization: Bearer eyJ0eXAi.abc.def' },
    );
    expect(error.message).toBe('Bad header Authorization: Bearer [redacted]');
  });

  it('makes timeouts a typed kind with status 0', () => {
    const error = new TimeoutError({ system: 'sales', method: 'GET', path: 'accounts' }, 200);
    expect(error).toBeInstanceOf(ODataError);
    expect([error.kind, error.status, error.message]).toEqual([
      'timeout',
      0,
      'No answer from sales within 200 ms',
    ]);
  });
});

describe('ODataError.summary: one sentence a reader may see', () => {
  const filtered = {
    system: 'finance',
    method: 'GET',
    path: "CustomersV3?cross-company=true&$select=CustomerAccount&$filter=CustomerAccount eq 'ACC-01001'",
  } as const;
  const keyed = { system: 'sales', method: 'PATCH', path: "accounts(accountnumber='ACC-01001')" } as const;

  it.each([
    [
      'an HTTP failure with a code',
      httpError(keyed, {
        status: 400,
        headers: {},
        body: '{"error":{"code":"0x80040217","message":"account ACC-01001 does not exist"}}',
      }),
      'Sales answered HTTP 400 (code 0x80040217) to PATCH accounts.',
    ],
    [
      'an HTTP failure without a code',
      httpError(filtered, { status: 500, headers: {}, body: financeWriteFailure }),
      'Finance answered HTTP 500 to GET CustomersV3.',
    ],
    ['a timeout', new TimeoutError(filtered, 200), 'Finance did not answer GET CustomersV3 in time.'],
    [
      'a refused connection',
      networkError(filtered, Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })),
      'Finance could not be reached for GET CustomersV3 (ECONNREFUSED).',
    ],
    [
      'an open breaker',
      new CircuitOpenError(
        filtered,
        { consecutiveFailures: 5, nextTryAt: new Date(31_000), lastFailure: null },
        1_000,
      ),
      'Finance was not sent GET CustomersV3: it failed repeatedly, and the hub tries it again in 30 s.',
    ],
    [
      'a batch',
      httpError(
        { system: 'finance', method: 'POST', path: '$batch' },
        { status: 503, headers: {}, body: '' },
      ),
      'Finance answered HTTP 503 to POST $batch.',
    ],
  ])(
    'for %s names the system, operation, outcome and code, and no query, key or message',
    (_n, error, summary) => {
      expect(error.summary()).toBe(summary);
      expect(error.summary()).not.toMatch(/ACC-01001|\$select|\$filter|Customer group/);
    },
  );
});

describe('parseRetryAfter', () => {
  it.each([
    ['30', 30_000],
    ['0', 0],
    ['Wed, 21 Oct 2015 07:28:10 GMT', 10_000],
    ['Wed, 21 Oct 2015 07:27:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
  ])('reads %s', (value, expected) => {
    expect(parseRetryAfter(value, Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(expected);
  });
});
