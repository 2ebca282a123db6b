/**
 * `npm start` runs the compiled server (dist/, made by `npm run build`, which `npm install` runs) with
 * node alone: no tsx, no TypeScript. The simulators and their demo data (faker) are loaded only when a
 * simulator starts, so a hub against real systems never loads them.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveRecorderHooks } from '../support/resolve-recorder.js';
import {
  compiledArgs,
  startExternalSystems,
  startMainProcess,
  type ExternalSystems,
  type MainProcess,
} from '../support/main-process.js';

const root = path.resolve(import.meta.dirname, '../..');

let folder: string;
let hub: MainProcess | undefined;

/** Node options that record every module the process resolves into the file `name` (`resolvedIn`). */
async function recording(name: string): Promise<string[]> {
  const hooks = path.join(folder, 'hooks.mjs');
  const register = path.join(folder, `register-${name}.mjs`);
  await writeFile(hooks, resolveRecorderHooks);
  await writeFile(
    register,
    `import { register } from 'node:module';\n` +
      `register(${JSON.stringify(`file://${hooks}`)}, { data: { out: ${JSON.stringify(path.join(folder, name))} } });\n`,
  );
  return ['--import', register];
}

const resolvedIn = async (name: string) =>
  (await readFile(path.join(folder, name), 'utf8')).trim().split('\n');

/** A module of the demo: a simulator, or faker. */
const demo = (url: string) => url.includes('/dist/simulators/') || url.includes('@faker-js');

beforeAll(async () => {
  if (!existsSync(path.join(root, 'dist/main.js')))
    throw new Error('dist/main.js is missing: run `npm run build` (npm install runs it) before the tests');
  folder = await mkdtemp(path.join(tmpdir(), 'hub-build-'));
});
afterEach(() => hub?.kill());
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('the compiled server', () => {
  it('serves the embedded default from dist/ with node alone, its simulators loaded', async () => {
    hub = await startMainProcess({ HUB_DATA_DIR: path.join(folder, 'data'), SEED_ACCOUNTS: '20' }, 90_000, {
      args: compiledArgs,
      nodeOptions: await recording('embedded.txt'),
    });
    const { data, errors } = await hub.graphql<{ accounts: { nodes: { accountNumber: string }[] } }>(
      '{ accounts(first: 2) { nodes { accountNumber } } }',
    );
    expect(errors).toBeUndefined();
    expect(data!.accounts.nodes).toHaveLength(2);
    const resolved = await resolvedIn('embedded.txt');
    expect(resolved.some(demo)).toBe(true);
    expect(resolved.filter((url) => url.endsWith('.ts') || url.includes('/tsx/'))).toEqual([]);
    expect(await hub.stop()).toEqual({ code: 0, signal: null });
  }, 120_000);

  describe('against real systems', () => {
    let systems: ExternalSystems;
    beforeAll(async () => {
      systems = await startExternalSystems({ accounts: 5, clientSecret: 'build-test-secret' });
    });
    afterAll(() => systems.close());

    it('loads neither the simulators nor faker', async () => {
      hub = await startMainProcess({ ...systems.env, HUB_DATA_DIR: path.join(folder, 'real') }, 90_000, {
        args: compiledArgs,
        nodeOptions: await recording('real.txt'),
      });
      const { errors } = await hub.graphql('{ accounts(first: 2) { nodes { accountNumber name } } }');
      expect(errors).toBeUndefined();
      const resolved = await resolvedIn('real.txt');
      // It did load the hub from dist/, and nothing of the demo.
      expect(resolved.some((url) => url.endsWith('/dist/hub.js'))).toBe(true);
      expect(resolved.filter(demo)).toEqual([]);
      expect(resolved.filter((url) => url.endsWith('.ts') || url.includes('/tsx/'))).toEqual([]);
      expect(await hub.stop()).toEqual({ code: 0, signal: null });
    }, 120_000);
  });
});
