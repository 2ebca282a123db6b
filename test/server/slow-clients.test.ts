/**
 * Slow and oversized clients: a connection that trickles its headers or its body, sits idle between
 * requests or stops reading its answer is closed after its timeout; connections over the cap are refused while the others go on; a
 * body over the limit is refused with a 413 the client can read, at once when its length is declared; and
 * every answer tells browsers not to guess its type. Clients here are raw sockets on loopback, a few at a
 * time, against servers configured with short timeouts so each case takes a second or two.
 */
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSchema } from '../../src/graphql/schema.js';
import { type ConnectionLimits, defaultConnectionLimits } from '../../src/server/connections.js';
import { createHubServer, type HubServer } from '../../src/server/index.js';
import { defaultLimits, limitMessages } from '../../src/server/limits.js';
import { wsClient, wsRequest } from '../support/auth.js';

/** Short enough for a test, each well below Node's own defaults (60 s, 300 s, 5 s). */
const shortLimits: Partial<ConnectionLimits> = {
  headersTimeoutMs: 400,
  requestTimeoutMs: 800,
  keepAliveTimeoutMs: 300,
  idleTimeoutMs: 500,
};
/** The dashboard page a slow reader asks for: 64 MiB of zeros (a sparse file). */
const bigPageBytes = 64 * 1024 * 1024;
/** How long a test waits for the server to act on a timeout above: generous, and under Node's defaults. */
const patienceMs = 4_000;

async function startServer(
  connections: Partial<ConnectionLimits>,
  dashboardDir: string | null = null,
): Promise<{ server: HubServer; port: number }> {
  const server = await createHubServer({
    schema: createSchema(),
    createContext: async () => ({}),
    dashboardDir,
    connections,
  });
  const url = await server.listen(0, '127.0.0.1');
  return { server, port: Number(new URL(url).port) };
}

/** A raw client connection: everything it received, and whether (and when) the server closed it. */
interface RawConnection {
  socket: Socket;
  received(): string;
  closed: Promise<void>;
}

async function open(port: number): Promise<RawConnection> {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (text += chunk));
  // A reset is a close like any other here; what the client had received is what counts.
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => text, closed };
}

/** True when the connection closed within `ms`; false when it is still open then. */
async function closesWithin(connection: RawConnection, ms: number): Promise<boolean> {
  const controller = new AbortController();
  const outcome = await Promise.race([
    connection.closed.then(() => true),
    delay(ms, false, { signal: controller.signal }).catch(() => false),
  ]);
  controller.abort();
  return outcome;
}

/** Writes `text` one character at a time, `everyMs` apart, until it is written or the connection closes. */
async function trickle(connection: RawConnection, text: string, everyMs: number): Promise<void> {
  for (const character of text) {
    if (connection.socket.destroyed || !connection.socket.writable) return;
    connection.socket.write(character);
    await delay(everyMs);
  }
}

/**
 * The whole HTTP/1.1 answer (with a Content-Length) received after the first `from` characters, once it
 * has arrived; throws when the connection closes first or it has not arrived within `patienceMs`.
 */
async function answerOf(
  connection: RawConnection,
  from = 0,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  for (let waited = 0; waited < patienceMs; waited += 50) {
    const parsed = parseAnswer(connection.received().slice(from));
    if (parsed) return parsed;
    if (await closesWithin(connection, 50)) break;
  }
  const parsed = parseAnswer(connection.received().slice(from));
  if (parsed) return parsed;
  throw new Error(
    `no whole answer arrived: ${JSON.stringify(connection.received().slice(from, from + 200))}`,
  );
}

function parseAnswer(
  text: string,
): { status: number; headers: Record<string, string>; body: string } | undefined {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  const body = text.slice(end + 4);
  if (body.length < Number(headers['content-length'] ?? 0)) return undefined;
  return { status: Number(statusLine!.split(' ')[1]), headers, body };
}

const typename = JSON.stringify({ query: '{ __typename }' });
const postTypename = (connection = 'keep-alive') =>
  `POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nConnection: ${connection}\r\n` +
  `Content-Length: ${Buffer.byteLength(typename)}\r\n\r\n${typename}`;

describe('slow clients', () => {
  let server: HubServer;
  let port: number;
  let dashboardDir: string;
  beforeAll(async () => {
    // A page far larger than the socket buffers of both ends, so a client that does not read stalls it.
    dashboardDir = await mkdtemp(join(tmpdir(), 'slow-clients-'));
    await writeFile(join(dashboardDir, 'index.html'), '');
    await truncate(join(dashboardDir, 'index.html'), bigPageBytes);
    ({ server, port } = await startServer(shortLimits, dashboardDir));
  });
  afterAll(async () => {
    await server.close();
    await rm(dashboardDir, { recursive: true, force: true });
  });

  it('closes a connection whose headers trickle in slower than headersTimeout, answering 408', async () => {
    const connection = await open(port);
    connection.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
    void trickle(connection, 'X-Slow: ' + 'z'.repeat(60), 100);
    expect(await closesWithin(connection, patienceMs)).toBe(true);
    expect(connection.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a connection that sends nothing at all after headersTimeout', async () => {
    const connection = await open(port);
    expect(await closesWithin(connection, patienceMs)).toBe(true);
    expect(connection.received()).toMatch(/^HTTP\/1\.1 408 |^$/);
  });

  it('closes a connection whose body trickles in slower than requestTimeout, answering 408', async () => {
    const connection = await open(port);
    connection.socket.write(
      'POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n',
    );
    void trickle(connection, '{"query":"{ __typename }", "x":"' + 'y'.repeat(150), 100);
    expect(await closesWithin(connection, patienceMs)).toBe(true);
    expect(connection.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes an idle keep-alive connection after keepAliveTimeout, having answered on it', async () => {
    const connection = await open(port);
    connection.socket.write(postTypename());
    const answer = await answerOf(connection);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ data: { __typename: 'Query' } });
    expect(await closesWithin(connection, patienceMs)).toBe(true);
  });

  it('closes a connection whose client stops reading its answer after idleTimeout, on a later request too', async () => {
    const connection = await open(port);
    // A first request on the connection, so the stalled one is not the first: the timeout holds for each.
    connection.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect((await answerOf(connection)).status).toBe(200);
    let bytes = 0;
    connection.socket.removeAllListeners('data');
    connection.socket.on('data', (chunk: string) => (bytes += chunk.length));
    connection.socket.pause();
    connection.socket.write('GET /dashboard/ HTTP/1.1\r\nHost: localhost\r\n\r\n');
    // The client reads nothing for a while (several idle timeouts), then everything it can.
    await delay(4 * shortLimits.idleTimeoutMs!);
    connection.socket.resume();
    expect(await closesWithin(connection, patienceMs)).toBe(true);
    expect(bytes).toBeLessThan(bigPageBytes);
  });

  it('serves a client that sends promptly, several requests on one connection', async () => {
    const connection = await open(port);
    for (let n = 0; n < 3; n++) {
      const before = connection.received().length;
      connection.socket.write(postTypename());
      expect((await answerOf(connection, before)).status).toBe(200);
    }
    connection.socket.destroy();
  });
});

describe('keep-alive behind a load balancer', () => {
  let server: HubServer;
  let port: number;
  beforeAll(async () => ({ server, port } = await startServer({})));
  afterAll(() => server.close());

  it("keeps idle connections longer than a load balancer's 60 s idle timeout, and says so", async () => {
    const connection = await open(port);
    connection.socket.write(postTypename());
    const answer = await answerOf(connection);
    expect(answer.headers['keep-alive']).toBe(`timeout=${defaultConnectionLimits.keepAliveTimeoutMs / 1000}`);
    expect(defaultConnectionLimits.keepAliveTimeoutMs).toBeGreaterThan(60_000);
    connection.socket.destroy();
  });
});

describe('the connection cap', () => {
  let server: HubServer;
  let port: number;
  let url: string;
  beforeAll(async () => {
    ({ server, port } = await startServer({ maxConnections: 3 }));
    url = server.url;
  });
  afterAll(() => server.close());

  it('refuses a connection over maxConnections (a WebSocket counting as one) while the others go on', async () => {
    const { client, connected } = wsClient(url);
    await connected;
    const first = await open(port);
    const second = await open(port);
    for (const connection of [first, second]) {
      connection.socket.write(postTypename());
      expect((await answerOf(connection)).status).toBe(200);
    }

    // Accepted by the system and closed at once by the hub, unanswered (or refused outright).
    const over = await open(port).catch(() => undefined);
    if (over) {
      over.socket.write(postTypename());
      expect(await closesWithin(over, patienceMs)).toBe(true);
      expect(over.received()).toBe('');
    }

    // The three admitted still work: an operation over the WebSocket, another request on a connection.
    expect(await wsRequest(client, '{ __typename }')).toEqual([{ data: { __typename: 'Query' } }]);
    const before = first.received().length;
    first.socket.write(postTypename());
    expect((await answerOf(first, before)).status).toBe(200);

    // Once one leaves, a newcomer is served.
    second.socket.destroy();
    await second.closed;
    let served = false;
    for (let attempt = 0; attempt < 20 && !served; attempt++) {
      const newcomer = await open(port);
      newcomer.socket.write(postTypename('close'));
      served = await answerOf(newcomer).then(
        (answer) => answer.status === 200,
        () => false,
      );
      newcomer.socket.destroy();
      if (!served) await delay(50);
    }
    expect(served).toBe(true);
    first.socket.destroy();
    await client.dispose();
  });
});

describe('oversized bodies', () => {
  let server: HubServer;
  let port: number;
  beforeAll(async () => ({ server, port } = await startServer({})));
  afterAll(() => server.close());

  it('refuses a declared Content-Length over the limit with 413 at once, without waiting for the body, then closes', async () => {
    const connection = await open(port);
    connection.socket.write(
      'POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
        'Content-Length: 50000000\r\n\r\n{"query":',
    );
    // Nothing more is sent: the answer can only come if the server does not wait for the body.
    const answer = await answerOf(connection);
    expect(answer.status).toBe(413);
    expect(answer.headers['connection']).toBe('close');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(JSON.parse(answer.body)).toEqual({
      errors: [
        {
          message: limitMessages.requestTooLarge(defaultLimits.maxBodyBytes, 50_000_000),
          extensions: { code: 'REQUEST_TOO_LARGE', limit: defaultLimits.maxBodyBytes, actual: 50_000_000 },
        },
      ],
    });
    expect(await closesWithin(connection, patienceMs)).toBe(true);
  });

  it('answers a 4 MB chunked body (no Content-Length) with a 413 the client reads, not a reset', async () => {
    // The client sends its whole body before it reads anything, as simple clients do: it sees the answer
    // only if the server reads on after refusing rather than closing on it.
    const connection = await open(port);
    connection.socket.pause();
    connection.socket.write(
      'POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
        'Transfer-Encoding: chunked\r\n\r\n',
    );
    const chunk = Buffer.alloc(64 * 1024, 'x');
    for (let sent = 0; sent < 4 * 1024 * 1024; sent += chunk.length) {
      connection.socket.write(`${chunk.length.toString(16)}\r\n`);
      connection.socket.write(chunk);
      connection.socket.write('\r\n');
    }
    const written = await new Promise<boolean>((resolve) =>
      connection.socket.write('0\r\n\r\n', (error) => resolve(!error)),
    );
    expect(written).toBe(true);
    connection.socket.resume();
    const answer = await answerOf(connection);
    expect(answer.status).toBe(413);
    expect(answer.headers['connection']).toBe('close');
    expect(JSON.parse(answer.body)).toEqual({
      errors: [
        {
          message: limitMessages.requestTooLarge(defaultLimits.maxBodyBytes, undefined),
          extensions: { code: 'REQUEST_TOO_LARGE', limit: defaultLimits.maxBodyBytes },
        },
      ],
    });
    expect(await closesWithin(connection, patienceMs)).toBe(true);
  });
});

describe('X-Content-Type-Options', () => {
  let server: HubServer;
  let port: number;
  beforeAll(async () => ({ server, port } = await startServer({})));
  afterAll(() => server.close());

  const json = { 'Content-Type': 'application/json' };
  it.each([
    ['an answer', 'POST', '/graphql', json, typename, 200],
    ['a validation error', 'POST', '/graphql', json, JSON.stringify({ query: '{ nope }' }), 400],
    ['a body that is not JSON', 'POST', '/graphql', json, '{', 400],
    [
      'a document over the limit',
      'POST',
      '/graphql',
      json,
      JSON.stringify({ query: `{ ${'a '.repeat(20_000)}}` }),
      400,
    ],
    ['a CSRF refusal', 'GET', '/graphql?query=%7B__typename%7D', {}, undefined, 400],
    ['an unknown path', 'GET', '/nowhere', {}, undefined, 404],
    ['a body over the limit', 'POST', '/graphql', json, 'x'.repeat(defaultLimits.maxBodyBytes + 1), 413],
    ['liveness', 'GET', '/healthz', {}, undefined, 200],
    ['readiness', 'GET', '/readyz', {}, undefined, 200],
    ['a method health does not answer', 'POST', '/healthz', {}, '', 405],
  ])('sends nosniff with %s (%s %s)', async (_what, method, path, headers, body, status) => {
    const answer = await new Promise<{ status: number; nosniff: string | undefined }>((resolve, reject) => {
      const request = httpRequest(
        { host: '127.0.0.1', port, path, method, headers, agent: false },
        (response) => {
          response.resume();
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              nosniff: response.headers['x-content-type-options'] as string | undefined,
            }),
          );
        },
      );
      request.on('error', reject);
      request.end(body);
    });
    expect(answer).toEqual({ status, nosniff: 'nosniff' });
  });
});
