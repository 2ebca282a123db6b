/**
 * Whether the hub could listen where it is told to, checked before the slow part of a start (opening
 * or creating the database, seeding, reaching the systems), so a taken port costs a second, not the
 * whole start-up, and is said in one sentence rather than an EADDRINUSE stack.
 */
import { createServer } from 'node:net';

/** The port cannot be listened on; the message says where, why and what to do. */
export class PortUnavailableError extends Error {
  override name = 'PortUnavailableError';
  constructor(
    readonly port: number,
    readonly host: string,
    /** `EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`, … */
    readonly code: string | undefined,
    options?: ErrorOptions,
  ) {
    super(portMessage(port, host, code), options);
  }
}

/** One sentence for a failed listen on `host:port`. */
export function portMessage(port: number, host: string, code: string | undefined): string {
  switch (code) {
    case 'EADDRINUSE':
      return `Port ${port} on ${host} is already in use (another hub or program listens there): stop it, or set PORT to a free port.`;
    case 'EACCES':
      return `Port ${port} on ${host} may not be listened on by this user (ports below 1024 need privileges): set PORT to 1024 or above.`;
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine, so the hub cannot listen on it: set HOST to one of its addresses, or 0.0.0.0.`;
    default:
      return `The hub cannot listen on ${host}:${port} (${code ?? 'unknown error'}).`;
  }
}

/**
 * Listens on `host:port` and closes again at once; rejects with a PortUnavailableError when that fails.
 * Port 0 (any free port) always succeeds and is not tried. Another program may still take the port
 * before the hub listens: the real listen reports that the same way.
 */
export async function probePort(port: number, host: string): Promise<void> {
  if (port === 0) return;
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new PortUnavailableError(port, host, error.code, { cause: error })),
    );
    server.listen({ port, host, exclusive: true }, () => resolve());
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
