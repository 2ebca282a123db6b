/**
 * Raw HTTP helpers for tests that speak to a simulator directly (no connector in between), so the
 * simulators' wire behaviour is pinned on its own.
 */
import { defaultClient } from '../../src/simulators/core/server.js';
import type { SimulatorServer } from '../../src/simulators/core/server.js';

export async function tokenFor(server: SimulatorServer): Promise<string> {
  const response = await fetch(`${server.origin}/tenant/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: defaultClient.clientId,
      client_secret: defaultClient.clientSecret,
      scope: `${server.origin}/.default`,
    }),
  });
  const body = (await response.json()) as { access_token: string };
  return body.access_token;
}

export interface WireResponse {
  status: number;
  headers: Headers;
  text: string;
  json: () => any;
}

/** Calls `path` (relative to the service root, or absolute) with a bearer token. */
export async function call(
  server: SimulatorServer,
  token: string,
  method: string,
  path: string,
  { headers = {}, body }: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<WireResponse> {
  const url = /^https?:/.test(path) ? path : `${server.serviceRoot}${path}`;
  const response = await fetch(url, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      Accept: 'application/json',
      ...(body === undefined
        ? {}
        : { 'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}
