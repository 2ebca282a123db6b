/**
 * An identity provider for tests: a key pair made with jose, its public half served as a JWKS by a tiny
 * `node:http` server on a free port, and tokens signed with it (or with a shared secret) with whatever
 * claims and times a test needs. And a graphql-ws client that reports how a connection ended.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type Client } from 'graphql-ws';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import WebSocket from 'ws';

export const issuer = 'https://login.test.example/tenant-1/v2.0';
export const audience = 'api://p2c-hub';

export interface TokenOptions {
  /** Seconds from now; negative: in the past. Default 3600. */
  expiresIn?: number | null;
  /** Seconds from now the token becomes valid; default none (no nbf). */
  notBefore?: number;
  issuer?: string;
  audience?: string;
}

export interface TestIdentityProvider {
  /** The JWKS URL (HUB_JWT_JWKS_URL). */
  jwksUrl: string;
  /** How many times the JWKS was fetched. */
  readonly fetches: number;
  sign(claims: JWTPayload, options?: TokenOptions): Promise<string>;
  close(): Promise<void>;
}

export async function startIdentityProvider(): Promise<TestIdentityProvider> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
  let fetches = 0;
  const server = createServer((req, res) => {
    fetches += 1;
    if (req.url !== '/keys') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    jwksUrl: `http://127.0.0.1:${port}/keys`,
    get fetches() {
      return fetches;
    },
    sign: (claims, options) =>
      signToken(new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: jwk.kid }), privateKey, options),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A token signed with a shared secret (HS256). */
export function signWithSecret(secret: string, claims: JWTPayload, options?: TokenOptions): Promise<string> {
  return signToken(
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }),
    new TextEncoder().encode(secret),
    options,
  );
}

async function signToken(
  jwt: SignJWT,
  key: Parameters<SignJWT['sign']>[0],
  { expiresIn = 3600, notBefore, issuer: iss = issuer, audience: aud = audience }: TokenOptions = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  jwt.setIssuedAt(now).setIssuer(iss).setAudience(aud);
  if (expiresIn !== null) jwt.setExpirationTime(now + expiresIn);
  if (notBefore !== undefined) jwt.setNotBefore(now + notBefore);
  return jwt.sign(key);
}

export interface WsOutcome {
  /** The connection was acknowledged. */
  acknowledged: boolean;
  /** How the socket closed, when it did. */
  close?: { code: number; reason: string };
}

/** A graphql-ws client that never retries; `closed` resolves with the first close event. */
export function wsClient(
  url: string,
  connectionParams?: Record<string, unknown>,
): { client: Client; connected: Promise<void>; closed: Promise<{ code: number; reason: string }> } {
  let onConnected: () => void = () => undefined;
  let onClosed: (event: { code: number; reason: string }) => void = () => undefined;
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClosed = resolve));
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    ...(connectionParams ? { connectionParams } : {}),
    onNonLazyError: () => undefined,
    on: {
      connected: () => onConnected(),
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        onClosed({ code, reason: String(reason) });
      },
    },
  });
  return { client, connected, closed };
}

/** Runs one operation over graphql-ws and resolves with its results (errors included), or rejects. */
export function wsRequest(
  client: Client,
  query: string,
  { take = Infinity, variables }: { take?: number; variables?: Record<string, unknown> } = {},
): Promise<{ data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] }[]> {
  return new Promise((resolve, reject) => {
    const results: any[] = [];
    const unsubscribe = client.subscribe(
      { query, ...(variables ? { variables } : {}) },
      {
        next: (value) => {
          results.push(value);
          if (results.length >= take) {
            unsubscribe();
            resolve(results);
          }
        },
        error: reject,
        complete: () => resolve(results),
      },
    );
  });
}

/** How a WebSocket connection attempt ends: acknowledged, or closed with a code and reason. */
export async function wsConnect(url: string, connectionParams?: Record<string, unknown>): Promise<WsOutcome> {
  const { client, connected, closed } = wsClient(url, connectionParams);
  try {
    return await Promise.race([
      connected.then(() => ({ acknowledged: true })),
      closed.then((close) => ({ acknowledged: false, close })),
    ]);
  } finally {
    await client.dispose();
  }
}
