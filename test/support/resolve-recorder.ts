/**
 * Module hooks in plain JavaScript (for a compiled hub run by node alone, where the TypeScript recorder
 * in import-recorder.ts cannot load) that write down every module the process resolves, one URL a line,
 * to the file `initialize` is given as `out`.
 */
export const resolveRecorderHooks = `
import { appendFileSync } from 'node:fs';
let out;
export function initialize(data) { out = data.out; }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(out, resolved.url + '\\n');
  return resolved;
}`;
