/**
 * The name an instance of the hub goes by in its metrics (and, where several share one database, in what
 * it reports about the others): `HUB_INSTANCE_ID`, by default the machine and the process.
 */
import { hostname } from 'node:os';

/** `<hostname>-<pid>`: unique among live processes, and stable for as long as the process lives. */
export function defaultInstanceId(): string {
  return `${hostname()}-${process.pid}`;
}
