/**
 * `npm run codegen`: writes the resolver types in src/generated from the SDL in schema/, and the
 * dashboard's operation types and typed documents in dashboard/src/generated from its `.graphql` files, as
 * codegen.yml says. It does what the GraphQL Code Generator CLI would do for this project, with
 * @graphql-codegen/core and the plugins we use: the CLI itself cannot be installed (its dependency graph
 * needs a package version the registry lacks). The output depends only on the inputs — schema and document
 * files are read in sorted order — so `npm run codegen:check` can compare it with the committed files.
 *
 * Supported codegen.yml keys: `schema` (paths, `*` allowed in the file name), `config`, `overwrite`, and
 * per output `plugins`, `config` and `documents` (paths, `*` allowed in the file name and `**` for any
 * depth of folders). Anything else is refused rather than silently ignored.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { codegen } from '@graphql-codegen/core';
import * as typedDocumentNodePlugin from '@graphql-codegen/typed-document-node';
import * as typescriptPlugin from '@graphql-codegen/typescript';
import * as typescriptOperationsPlugin from '@graphql-codegen/typescript-operations';
import * as typescriptResolversPlugin from '@graphql-codegen/typescript-resolvers';
import {
  buildASTSchema,
  GraphQLError,
  Kind,
  parse,
  printSchema,
  Source,
  validateSchema,
  type DefinitionNode,
  type GraphQLSchema,
} from 'graphql';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

type GenerateOptions = Parameters<typeof codegen>[0];

/** The project root: the folder holding codegen.yml. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const CONFIG_FILE = 'codegen.yml';

const pluginMap: GenerateOptions['pluginMap'] = {
  typescript: typescriptPlugin,
  'typescript-resolvers': typescriptResolversPlugin,
  'typescript-operations': typescriptOperationsPlugin,
  'typed-document-node': typedDocumentNodePlugin,
};

const options = z.record(z.string(), z.unknown());
const pluginEntry = z.union([z.string(), z.record(z.string(), options.nullable())]);
const pathPatterns = z.union([z.string(), z.array(z.string()).min(1)]);
const codegenConfig = z.strictObject({
  overwrite: z.boolean().default(true),
  schema: pathPatterns,
  config: options.default({}),
  generates: z.record(
    z.string(),
    z.strictObject({
      plugins: z.array(pluginEntry).min(1),
      config: options.default({}),
      documents: pathPatterns.optional(),
    }),
  ),
});
type CodegenConfig = z.infer<typeof codegenConfig>;

export interface GeneratedFile {
  /** Path relative to the project root, as codegen.yml names it. */
  path: string;
  content: string;
  /** codegen.yml's `overwrite`: when false, an existing file is left as it is. */
  overwrite: boolean;
}

async function readConfig(root: string): Promise<CodegenConfig> {
  const text = await readFile(path.join(root, CONFIG_FILE), 'utf8');
  const parsed = codegenConfig.safeParse(parseYaml(text));
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `  ${issue.path.join('.') || '(top)'}: ${issue.message}`,
    );
    throw new Error(`${CONFIG_FILE} is not what scripts/codegen.ts supports:\n${problems.join('\n')}`);
  }
  return parsed.data;
}

// The files a pattern names, sorted. `*` may appear in the file name only; a `**` folder right before the
// file name stands for any depth of folders, none included: `dashboard/src/**/*.graphql`. (A line comment:
// that pattern would end a block comment.)
async function expandPattern(root: string, pattern: string): Promise<string[]> {
  const dir = path.posix.dirname(pattern);
  const base = path.posix.basename(pattern);
  const recursive = path.posix.basename(dir) === '**';
  const folder = recursive ? path.posix.dirname(dir) : dir;
  if (!base.includes('*') && !recursive) return [pattern];
  if (folder.includes('*'))
    throw new Error(
      `${CONFIG_FILE}: pattern '${pattern}' may use * in the file name only, and ** as the folder just before it`,
    );
  const escaped = base.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]*');
  const matcher = new RegExp(`^${escaped}$`);
  const entries = await readdir(path.join(root, folder), { withFileTypes: true, recursive });
  return entries
    .filter((entry) => entry.isFile() && matcher.test(entry.name))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

/** Every file the patterns name, once each, sorted; `what` names them in the error when none matches. */
async function expandPatterns(root: string, wanted: string[], what: string): Promise<string[]> {
  const files = [...new Set((await Promise.all(wanted.map((p) => expandPattern(root, p)))).flat())].sort();
  if (files.length === 0) throw new Error(`${CONFIG_FILE}: ${what} '${wanted.join("', '")}' matches no file`);
  return files;
}

/**
 * Reads the SDL files in sorted order and builds one schema from them (an area file may `extend type
 * Query`). Each file is parsed on its own so a syntax error names the file and line it is in.
 */
export async function loadSchema(root = projectRoot, patterns?: string | string[]): Promise<GraphQLSchema> {
  const files = await expandPatterns(root, [patterns ?? (await readConfig(root)).schema].flat(), 'schema');
  const definitions: DefinitionNode[] = [];
  for (const file of files) {
    const body = await readFile(path.join(root, file), 'utf8');
    definitions.push(...parse(new Source(body, file)).definitions);
  }
  const schema = buildASTSchema({ kind: Kind.DOCUMENT, definitions });
  const errors = validateSchema(schema);
  if (errors.length > 0) {
    throw new Error(`The schema is invalid:\n${errors.map((e) => `  ${e.message}`).join('\n')}`);
  }
  return schema;
}

/**
 * The operations and fragments of an output's `documents`, one entry per file in sorted order, each parsed
 * on its own so a syntax error names its file and line. Codegen validates them against the schema.
 */
async function loadDocuments(root: string, patterns: string[]): Promise<GenerateOptions['documents']> {
  if (patterns.length === 0) return [];
  const files = await expandPatterns(root, patterns, 'documents');
  return Promise.all(
    files.map(async (file) => ({
      location: file,
      document: parse(new Source(await readFile(path.join(root, file), 'utf8'), file)),
    })),
  );
}

function configuredPlugins(output: string, entries: CodegenConfig['generates'][string]['plugins']) {
  return entries.map((entry): GenerateOptions['plugins'][number] => {
    const configured = typeof entry === 'string' ? { [entry]: null } : entry;
    for (const name of Object.keys(configured)) {
      if (!(name in pluginMap)) {
        throw new Error(
          `${CONFIG_FILE}: plugin '${name}' of ${output} is not available; scripts/codegen.ts knows ${Object.keys(pluginMap).join(', ')}`,
        );
      }
    }
    return Object.fromEntries(Object.entries(configured).map(([name, options]) => [name, options ?? {}]));
  });
}

/**
 * An enum that `enumValues` maps onto a type of ours (`SyncFlowName: '../vocabulary.js#FlowName'`) comes
 * out as `import type { FlowName as SyncFlowName } …` and `export { SyncFlowName };`: the plugins re-export
 * it as they would a TypeScript enum, which `verbatimModuleSyntax` refuses for a type-only import. With
 * `useTypeImports`, the re-export is made `export type`.
 */
function typeOnlyEnumExports(content: string, config: Record<string, unknown>): string {
  const { enumValues, useTypeImports } = config;
  if (useTypeImports !== true || typeof enumValues !== 'object' || enumValues === null) return content;
  return Object.entries(enumValues)
    .filter(([, target]) => typeof target === 'string' && target.includes('#'))
    .reduce((text, [name]) => text.replace(`export { ${name} };`, `export type { ${name} };`), content);
}

/** Generates every output of codegen.yml in memory: what `npm run codegen` writes. */
export async function generate(root = projectRoot): Promise<GeneratedFile[]> {
  const config = await readConfig(root);
  const patterns = [config.schema].flat();
  const schema = await loadSchema(root, patterns);
  // Only the printed SDL crosses over to the plugins, never our GraphQLSchema object: under vitest this
  // module and the plugins can load different copies of graphql (ESM and CommonJS), which refuse each
  // other's objects. The plugins build their own schema from the document.
  const schemaDocument = parse(printSchema(schema), { noLocation: true });
  const files: GeneratedFile[] = [];
  for (const [output, { plugins, config: outputConfig, documents }] of Object.entries(config.generates)) {
    const documentPatterns = documents === undefined ? [] : [documents].flat();
    const sources = [...patterns, ...documentPatterns].join(', ');
    const header = `// Generated by \`npm run codegen\` (scripts/codegen.ts) from ${sources} as ${CONFIG_FILE} says. Do not edit.\n`;
    const merged = { ...config.config, ...outputConfig };
    const content = await codegen({
      filename: output,
      schema: schemaDocument,
      documents: await loadDocuments(root, documentPatterns),
      plugins: configuredPlugins(output, plugins),
      pluginMap,
      config: merged,
      ...(typeof merged.emitLegacyCommonJSImports === 'boolean'
        ? { emitLegacyCommonJSImports: merged.emitLegacyCommonJSImports }
        : {}),
    });
    const body = typeOnlyEnumExports(content, merged).trimEnd();
    files.push({ path: output, content: `${header}\n${body}\n`, overwrite: config.overwrite });
  }
  return files;
}

async function main(): Promise<void> {
  for (const file of await generate()) {
    const target = path.join(projectRoot, file.path);
    const current = await readFile(target, 'utf8').catch(() => null);
    if (current === file.content || (current !== null && !file.overwrite)) {
      console.log(`${file.path}: unchanged`);
      continue;
    }
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.content);
    console.log(`${file.path}: written (${file.content.split('\n').length - 1} lines)`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    // A GraphQLError's string form adds the file, line and column of a syntax error.
    console.error(
      error instanceof GraphQLError ? error.toString() : error instanceof Error ? error.message : error,
    );
    process.exitCode = 1;
  });
}
