/**
 * Value maps from a file an organisation keeps (named by VALUE_MAPS_FILE): JSON or YAML, one entry per
 * map to replace, e.g.
 *
 *   countryNameToIso:
 *     "": USA            # the blank default
 *     United States: USA
 *     Deutschland: DEU
 *
 * A map given here replaces the default map of that name whole. Every problem is reported at once.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { valueMapNames, type ValueMaps } from './flows/value-maps.js';

const entries = z.record(
  z.string(),
  z.union([z.string(), z.number()], { error: 'must be text or a number' }),
  {
    error: 'must map source values to target values (text or numbers)',
  },
);
const file = z
  .partialRecord(z.enum(valueMapNames as [string, ...string[]]), entries)
  .superRefine((maps, ctx) => {
    if (Object.keys(maps).length === 0) ctx.addIssue({ code: 'custom', message: 'names no value map' });
  });

export class ValueMapFileError extends Error {
  override name = 'ValueMapFileError';
}

/** Reads and validates the file; throws ValueMapFileError listing every problem. */
export function loadValueMapFile(path: string): Partial<ValueMaps> {
  let content: unknown;
  try {
    content = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ValueMapFileError(`The value map file ${path} cannot be read: ${reason}`);
  }
  const parsed = file.safeParse(content);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const where = issue.path.join('.') || 'the file';
      if (issue.code === 'invalid_key' || issue.code === 'unrecognized_keys') {
        const names = 'keys' in issue && Array.isArray(issue.keys) ? `${issue.keys.join(', ')}: ` : '';
        return `${names}unknown value map (known: ${valueMapNames.join(', ')})`;
      }
      return `${where}: ${issue.message}`;
    });
    throw new ValueMapFileError(
      `The value map file ${path} has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  return parsed.data as Partial<ValueMaps>;
}
