/**
 * The abuse limits' settings and defaults (src/server/limits.ts enforces them): a leaf, so that the
 * configuration (`HUB_MAX_…`, `HUB_OPERATION_TIMEOUT_MS`, `HUB_MUTATIONS_PER_MINUTE`) reads them from here.
 */
import { maxPageSize } from '../graphql/page-size.js';

export interface HubLimits {
  /** Fields nested in one another, fragments flattened (`HUB_MAX_DEPTH`). */
  maxDepth: number;
  /** Objects an operation may return at most, lists multiplied by `first` (`HUB_MAX_COST`). */
  maxCost: number;
  /** Aliased fields in one operation (`HUB_MAX_ALIASES`). */
  maxAliases: number;
  /** Directives in one operation (`HUB_MAX_DIRECTIVES`). */
  maxDirectives: number;
  /** Lexical tokens in one document, comments excluded (`HUB_MAX_TOKENS`). */
  maxTokens: number;
  /** Characters in one document, whitespace and comments included (`HUB_MAX_DOCUMENT_CHARS`). */
  maxDocumentChars: number;
  /** The largest `first` a list accepts, 50 (the schema's largest default) to 500 (`HUB_MAX_FIRST`). */
  maxFirst: number;
  /** Bytes in one HTTP request body (`HUB_MAX_BODY_BYTES`). */
  maxBodyBytes: number;
  /** How long a query or mutation may run before it is answered OPERATION_TIMEOUT (`HUB_OPERATION_TIMEOUT_MS`). */
  operationTimeoutMs: number;
  /** Mutations one caller may run a minute, in a burst or spread out (`HUB_MUTATIONS_PER_MINUTE`). */
  mutationsPerMinute: number;
  /** Operations (subscriptions, queries) open at once on one WebSocket (`HUB_MAX_SUBSCRIPTIONS_PER_CONNECTION`). */
  maxSubscriptionsPerConnection: number;
}

/**
 * Far above what the hub's own clients ask (the README's example query is 5 deep, costs 122 — its fuller
 * version in scripts/ 157 — and has under 100 tokens; the Sandbox's introspection query has under 200 tokens and 2,100 characters), far
 * below what hurts. A page of 50 accounts with everything under them (Finance views, contacts, quotes,
 * lines, products, each list at its default 50) costs 10,201: the cost limit allows that twice over, and
 * refuses the same at 500 accounts, or lists nested in lists in lists.
 */
export const defaultLimits: Readonly<HubLimits> = Object.freeze({
  maxDepth: 10,
  maxCost: 20_000,
  maxAliases: 15,
  maxDirectives: 50,
  maxTokens: 1_000,
  maxDocumentChars: 20_000,
  maxFirst: maxPageSize,
  maxBodyBytes: 1024 * 1024,
  operationTimeoutMs: 30_000,
  mutationsPerMinute: 30,
  maxSubscriptionsPerConnection: 20,
});
