/**
 * What `npm start` says while it starts the embedded default: each slow step of a first start (an empty
 * HUB_DATA_DIR) is announced before it begins, in the order the steps run, and a later start opens the
 * folder instead of creating it. The database is created by a separate process in a folder of its own and
 * moved in last, so a first start killed while creating leaves a folder the next start simply creates
 * again. Real processes, no timing: how long the steps take is `npm run bench:startup`'s business.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type MainProcess, startMainProcess } from '../support/main-process.js';

/** The messages the process logged so far, in order (its log lines are JSON, one a line). */
function messages(hub: MainProcess): string[] {
  return hub
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => (JSON.parse(line) as { msg: string }).msg);
}

/** The index of the first message that starts with `prefix`, failing with every message when none does. */
function indexOf(all: string[], prefix: string): number {
  const at = all.findIndex((message) => message.startsWith(prefix));
  expect(at, `no message starts with '${prefix}':\n${all.join('\n')}`).toBeGreaterThanOrEqual(0);
  return at;
}

describe('start-up progress of the embedded default', () => {
  let root: string;
  let hub: MainProcess | undefined;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'hub-startup-'));
  });
  afterEach(() => hub?.kill());
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('announces each slow step of a first start before it begins, in order, then serves', async () => {
    const folder = join(root, 'first');
    hub = await startMainProcess({ HUB_DATA_DIR: folder }, 120_000);
    const all = messages(hub);
    const steps = [
      `Creating the embedded database in ${resolve(folder)}`,
      'Opening the new database',
      'Applying the database migrations',
      'Database: embedded PGlite',
      'Seeding the demo data for the embedded simulators (300 accounts)',
      'Seeded demo data',
      'Checking that Sales and Finance answer',
      'Sales reachable',
      'Starting the GraphQL server',
      'GraphQL API:',
    ].map((prefix) => indexOf(all, prefix));
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    // Nothing but reminders that it still runs between the creation's line and the next step's.
    expect(all.slice(steps[0]! + 1, steps[1])).toEqual(
      all.slice(steps[0]! + 1, steps[1]).filter((message) => message.startsWith('… still ')),
    );
    expect(await hub.stop()).toEqual({ code: 0, signal: null });

    hub = await startMainProcess({ HUB_DATA_DIR: folder }, 120_000);
    const again = messages(hub);
    expect(indexOf(again, `Opening the embedded database in ${resolve(folder)}`)).toBeLessThan(
      indexOf(again, 'GraphQL API:'),
    );
    expect(again.some((message) => message.startsWith('Creating the embedded database'))).toBe(false);
    expect(await hub.stop()).toEqual({ code: 0, signal: null });
    // The database was made aside and moved in: nothing of the making is left.
    expect((await readdir(folder)).filter(isStaging)).toEqual([]);
  }, 240_000);

  it('creates the database again after a first start was killed while creating it', async () => {
    const folder = join(root, 'killed');
    const killed = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: '',
        SALES_URL: '',
        FINANCE_URL: '',
        HUB_DATA_DIR: folder,
        PORT: '0',
      },
      stdio: 'ignore',
    });
    const exited = new Promise((done) => killed.once('exit', done));
    // Killed once the creation has begun: its helper process is left making the database aside.
    for (let waited = 0; !(await readdir(folder).catch(() => [])).some(isStaging); waited += 50) {
      if (waited > 60_000) throw new Error('the first start never began creating its database');
      await new Promise((done) => setTimeout(done, 50));
    }
    killed.kill('SIGKILL');
    await exited;
    expect(existsSync(join(folder, 'PG_VERSION'))).toBe(false);

    // And what a creation cut short while moving the database in leaves: entries, but no PG_VERSION.
    await mkdir(join(folder, 'base'), { recursive: true });
    await writeFile(join(folder, 'base', 'left-over'), 'from a creation cut short');
    await writeFile(join(folder, 'notes.txt'), 'not the database: left alone');

    hub = await startMainProcess({ HUB_DATA_DIR: folder }, 120_000);
    indexOf(messages(hub), `Creating the embedded database in ${resolve(folder)}`);
    const { errors } = await hub.graphql('{ syncRuns(first: 1) { nodes { id } } }');
    expect(errors).toBeUndefined();
    expect(existsSync(join(folder, 'base', 'left-over'))).toBe(false);
    expect(existsSync(join(folder, 'notes.txt'))).toBe(true);
    expect(await hub.stop()).toEqual({ code: 0, signal: null });
  }, 240_000);
});

const isStaging = (entry: string) => entry.startsWith('.creating-');
