/**
 * One hub per embedded database folder (HUB_DATA_DIR). PGlite has no lock of its own: two processes on
 * one folder each keep their own copy in memory and overwrite each other's files, so runs vanish and the
 * folder can end up unopenable. The hub that opens the folder holds `hub.lock` in it (proper-lockfile: an
 * atomic mkdir whose time is refreshed while the holder lives) and records who it is in `hub.lock.json`,
 * so a second hub can say which process holds the folder.
 *
 * A lock left by a hub that died without releasing it (SIGKILL, power loss) does not block: on the same
 * machine a holder whose pid no longer runs is stale at once; otherwise (another machine on a shared
 * folder, a pid reused) the lock is stale once its time has not been refreshed for `staleMs`.
 */
import { existsSync, rmSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import lockfile from 'proper-lockfile';
import { isAlive } from './process-alive.js';

/** Who holds a folder, as recorded in `hub.lock.json`. */
export interface DataDirHolder {
  pid: number;
  hostname: string;
  /** ISO time the holder took the lock. */
  since: string;
}

/** The folder is held by another live process. The message names the folder and the holder. */
export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
  constructor(
    readonly folder: string,
    /** Undefined when the holder has not recorded itself (it is starting, or died in between). */
    readonly holder: DataDirHolder | undefined,
    staleMs: number,
  ) {
    super(
      holder
        ? `The embedded database ${folder} is in use by another hub (pid ${holder.pid} on ${holder.hostname}, since ${holder.since}). ` +
            `Stop that hub first, or give this one another folder with HUB_DATA_DIR (or a PostgreSQL DATABASE_URL to run several hubs on one database).`
        : `The embedded database ${folder} is in use by another hub that has not said which process it is. ` +
            `Stop that hub first, or give this one another folder with HUB_DATA_DIR; a lock no process holds any more is released within ${Math.round(staleMs / 1000)} s.`,
    );
  }
}

export interface DataDirLockOptions {
  /** A lock not refreshed for this long is taken over. Default 30 s. */
  staleMs?: number;
  /** How often the holder refreshes the lock; at most half of `staleMs`. Default 10 s. */
  updateMs?: number;
  /**
   * Called when the lock was lost while held (its refresh failed for `staleMs`, e.g. the folder went
   * away, or another process took it over): this hub must stop writing there. Default: throw, which ends
   * the process.
   */
  onCompromised?: (error: Error) => void;
}

/** A held folder. `release` removes the lock; it is also removed when the process exits. */
export interface DataDirLock {
  folder: string;
  release(): Promise<void>;
}

const lockName = 'hub.lock';
const holderName = 'hub.lock.json';

/**
 * Creates the folder if needed and locks it for this process. Rejects with a DataDirLockedError when
 * another live process holds it.
 */
export async function lockDataDir(dataDir: string, options: DataDirLockOptions = {}): Promise<DataDirLock> {
  const { staleMs = 30_000, updateMs = 10_000, onCompromised } = options;
  const folder = resolve(dataDir);
  await mkdir(folder, { recursive: true });
  const lockPath = join(folder, lockName);
  const holderPath = join(folder, holderName);
  const lockOptions = {
    lockfilePath: lockPath,
    stale: staleMs,
    update: updateMs,
    realpath: false,
    ...(onCompromised ? { onCompromised } : {}),
  };

  let releaseLock: () => Promise<void>;
  try {
    releaseLock = await lockfile.lock(folder, lockOptions);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const holder = await readHolder(holderPath);
    if (!holder || holder.hostname !== hostname() || isAlive(holder.pid)) {
      throw new DataDirLockedError(folder, holder, staleMs);
    }
    // The holder died on this machine without releasing: its record goes first, so a third hub starting
    // now does not read it as ours.
    await rm(holderPath, { force: true });
    await rm(lockPath, { recursive: true, force: true });
    releaseLock = await lockfile.lock(folder, lockOptions).catch(async (again: NodeJS.ErrnoException) => {
      if (again.code !== 'ELOCKED') throw again;
      throw new DataDirLockedError(folder, await readHolder(holderPath), staleMs);
    });
  }

  const holder: DataDirHolder = { pid: process.pid, hostname: hostname(), since: new Date().toISOString() };
  await writeFile(holderPath, `${JSON.stringify(holder)}\n`);
  // On any exit (process.exit after a fatal error included) the record goes before proper-lockfile removes
  // the lock itself, so no lock is left naming a process that has gone.
  const forgetHolder = () => {
    if (existsSync(holderPath)) rmSync(holderPath, { force: true });
  };
  process.once('exit', forgetHolder);
  let released: Promise<void> | undefined;
  return {
    folder,
    release: () =>
      (released ??= (async () => {
        process.removeListener('exit', forgetHolder);
        await rm(holderPath, { force: true });
        await releaseLock();
      })()),
  };
}

async function readHolder(path: string): Promise<DataDirHolder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<DataDirHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.hostname !== 'string') return undefined;
    return { pid: parsed.pid, hostname: parsed.hostname, since: String(parsed.since) };
  } catch {
    return undefined;
  }
}
