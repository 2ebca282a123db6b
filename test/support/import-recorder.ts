/**
 * Module hooks (`module.register`) that write down every import a Node process resolves, one JSON line
 * `{ from, to }` of file URLs (or `node:` names) per import, to the file `initialize` is given. Registered
 * after tsx's hooks, so they see each import as written and the file tsx resolves it to.
 */
import { appendFileSync } from 'node:fs';
import type { InitializeHook, ResolveHook } from 'node:module';

let out: string | undefined;

export const initialize: InitializeHook<{ out: string }> = (data) => {
  out = data.out;
};

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const resolved = await nextResolve(specifier, context);
  if (out) appendFileSync(out, `${JSON.stringify({ from: context.parentURL, to: resolved.url })}\n`);
  return resolved;
};
