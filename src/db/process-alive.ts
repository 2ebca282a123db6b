/**
 * Whether a process of this machine is alive: the data folder's lock and the runs' leases both trust a
 * dead pid on their own machine at once, rather than waiting for a lease or a stale time to run out.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0 only checks that the process exists
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
