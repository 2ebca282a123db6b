/**
 * Parses the resource part of an OData URL (after the service root): `accounts`, `accounts(<guid>)`,
 * `accounts(accountnumber='ACC-1')`, `CustomersV3(dataAreaId='usmf',CustomerAccount='US-001')`,
 * `accounts/$count`, `accounts/Microsoft.Dynamics.CRM.CreateMultiple` (an action bound to a collection) and,
 * when asked for, `SalesOrderHeadersV2(<key>)/Microsoft.Dynamics.DataEntities.PostSalesOrder` (an action
 * bound to one entity). Literals follow the same rules the connectors' `keyPredicate` writes.
 */
import { ServiceError } from './errors.js';

export type KeyLiteral = string | number | boolean | null;

export interface ResourcePath {
  entitySet: string;
  /** Absent for a collection. A single unnamed value, or named key parts. */
  key?: { unnamed: KeyLiteral } | { named: Record<string, KeyLiteral> };
  /** `$count` after a collection. */
  count: boolean;
  /**
   * A bound action by its qualified name (`Microsoft.Dynamics.CRM.UpsertMultiple`): bound to the collection
   * when `key` is absent, to that one entity when present (only with `entityActions`).
   */
  action?: string;
}

export interface ParseResourcePathOptions {
  /**
   * Accept an action bound to one entity, `EntitySet(<key>)/Namespace.Action`. Off by default: a caller
   * that reads `action` as bound to the collection (Sales' bulk messages) must keep refusing such a path.
   */
  entityActions?: boolean;
}

/** `Namespace.Name`: at least one dot, so a navigation property (`primarycontactid`) is not an action. */
const qualifiedName = /^[A-Za-z_]\w*(\.\w+)+$/;

export function parseResourcePath(
  rawPath: string,
  { entityActions = false }: ParseResourcePathOptions = {},
): ResourcePath {
  const segments = rawPath.split('/').filter((s) => s !== '');
  const [first, ...rest] = segments.map((s) => safeDecode(s));
  if (!first) throw syntax('The request URI does not name an entity set.');
  const open = first.indexOf('(');
  const entitySet = open < 0 ? first : first.slice(0, open);
  const path: ResourcePath = { entitySet, count: false };
  if (open >= 0) {
    if (!first.endsWith(')')) throw syntax(`Unterminated key predicate in '${first}'.`);
    path.key = parseKeyPredicate(first.slice(open + 1, -1));
  }
  if (rest.length === 1 && rest[0] === '$count' && !path.key) path.count = true;
  else if (rest.length === 1 && (!path.key || entityActions) && qualifiedName.test(rest[0]!))
    path.action = rest[0];
  else if (rest.length > 0) throw syntax(`The path segment '${rest.join('/')}' is not supported.`);
  return path;
}

function parseKeyPredicate(text: string): { unnamed: KeyLiteral } | { named: Record<string, KeyLiteral> } {
  const parts = splitTopLevel(text);
  if (parts.length === 1 && !/^\s*[A-Za-z_][\w.]*\s*=/.test(parts[0]!))
    return { unnamed: parseLiteral(parts[0]!) };
  const named: Record<string, KeyLiteral> = {};
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw syntax(`Bad key segment '${part}': expected name=value.`);
    const name = part.slice(0, eq).trim();
    if (name in named) throw syntax(`The key property '${name}' is given twice.`);
    named[name] = parseLiteral(part.slice(eq + 1));
  }
  return { named };
}

/** Splits on commas outside quoted strings. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "'") {
      if (quoted && text[i + 1] === "'") {
        current += "''";
        i++;
        continue;
      }
      quoted = !quoted;
    }
    if (ch === ',' && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  if (quoted) throw syntax(`Unterminated string literal in key '${text}'.`);
  parts.push(current);
  return parts;
}

function parseLiteral(raw: string): KeyLiteral {
  const text = raw.trim();
  if (text.startsWith("'")) {
    if (!text.endsWith("'") || text.length < 2) throw syntax(`Unterminated string literal ${text}.`);
    const inner = text.slice(1, -1);
    if (/(^|[^'])'(?!')/.test(inner.replaceAll("''", '')))
      throw syntax(`Unescaped quote in literal ${text}.`);
    return inner.replaceAll("''", "'");
  }
  if (text === 'null') return null;
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) return text.toLowerCase();
  throw syntax(`Unrecognized key literal '${text}'.`);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw syntax(`The URL segment '${segment}' is not valid percent-encoding.`);
  }
}

const syntax = (message: string): ServiceError => new ServiceError(400, '', message);
