/**
 * A loopback TCP proxy in front of PostgreSQL, for tests of a database that goes away: `cut` drops every
 * connection through it and refuses new ones (as a failed-over or unplugged server does), `restore`
 * takes connections again on the same port, and `hold` stops passing the hub's bytes on (a server that
 * hangs), so a test can cut a connection exactly while a statement is waiting for its answer.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  /** `url` with its host and port replaced by the proxy's. */
  urlFor(url: string): string;
  /** Drops what clients send instead of passing it on, until `cut`; resolves once something was dropped. */
  hold(): Promise<void>;
  /** Destroys every open connection and refuses new ones until `restore`. */
  cut(): Promise<void>;
  /** Accepts connections again. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port forwarding to `target` (`host:port` of a PostgreSQL URL). */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  /** Set while holding: called with every chunk dropped. */
  let held: (() => void) | null = null;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A peer destroyed by `cut` may report ECONNRESET on the other side: expected, not a test failure.
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    track(client);
    track(upstream);
    client.on('data', (chunk) => (held ? held() : upstream.write(chunk)));
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const { port } = server.address() as { port: number };
  const cut = async () => {
    held = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return {
    urlFor(url) {
      const proxied = new URL(url);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(port);
      return proxied.toString();
    },
    hold: () => new Promise((resolve) => (held = resolve)),
    cut,
    restore: () => listen(port),
    close: async () => {
      if (server.listening) await cut();
    },
  };
}
