/**
 * The configuration imports nothing above it. Loaded in a fresh Node process, src/config.ts loads zod and
 * leaves only: hub modules that import nothing but Node's built-ins and other leaves, so reading the
 * configuration never loads the database, GraphQL, the server or the sync.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const hubUrl = pathToFileURL(path.join(root, 'src')).href + '/';

/** A module as the failures name it: `src/db/runs.ts`, `node:os`, or the package (`zod`). */
function nameOf(url: string): string {
  if (url.startsWith('node:')) return url;
  const inPackage = url.match(/\/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (inPackage) return inPackage[1]!;
  return url.startsWith(hubUrl) ? `src/${url.slice(hubUrl.length)}` : url;
}

/** Every import resolved while a fresh `node --import tsx` loads `module`: who imports what. */
async function importsWhileLoading(module: string): Promise<{ from: string; to: string }[]> {
  const folder = await mkdtemp(path.join(tmpdir(), 'config-imports-'));
  const out = path.join(folder, 'imports.jsonl');
  const recorder = pathToFileURL(path.join(root, 'test/support/import-recorder.ts')).href;
  const script = [
    `import { register } from 'node:module';`,
    `register(${JSON.stringify(recorder)}, { data: { out: ${JSON.stringify(out)} } });`,
    `await import(${JSON.stringify(pathToFileURL(path.join(root, module)).href)});`,
  ].join('\n');
  try {
    await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
    });
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    return lines.map((line) => JSON.parse(line) as { from: string; to: string });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

describe('src/config.ts', () => {
  /** The imports of each hub module loaded with the configuration, by name. */
  const loaded = new Map<string, string[]>();

  beforeAll(async () => {
    const imports = await importsWhileLoading('src/config.ts');
    // Only what the configuration loads: from it, the hub modules it reaches (packages load their own).
    const reached = new Set(['src/config.ts']);
    for (const { from, to } of imports) {
      if (from === undefined || !reached.has(nameOf(from))) continue;
      loaded.set(nameOf(from), [...(loaded.get(nameOf(from)) ?? []), nameOf(to)]);
      if (to.startsWith(hubUrl)) reached.add(nameOf(to));
    }
    for (const module of reached) if (!loaded.has(module)) loaded.set(module, []);
  }, 60_000);

  it('loads no package but zod', () => {
    const packages = [...loaded.values()]
      .flat()
      .filter((name) => !name.startsWith('src/') && !name.startsWith('node:'));
    expect([...new Set(packages)]).toEqual(['zod']);
    expect(loaded.get('src/config.ts')).toContain('zod');
  });

  it("loads only leaves: hub modules that import nothing but Node's built-ins and other leaves", () => {
    const beyondLeaves = [...loaded]
      .filter(([module]) => module !== 'src/config.ts')
      .flatMap(([module, imports]) =>
        imports
          .filter((name) => !name.startsWith('node:') && !name.startsWith('src/'))
          .map((name) => `${module} imports ${name}`),
      );
    expect(
      beyondLeaves,
      `hub modules loaded with the configuration: ${[...loaded.keys()].join(', ')}`,
    ).toEqual([]);
  });
});
