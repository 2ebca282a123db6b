/**
 * The hub's configuration: the only module that reads `process.env`. Every variable is validated at once
 * and a wrong start lists every problem in one message, so an operator fixes them in one go.
 *
 * It imports nothing above it, only leaves: modules that import nothing but Node's built-ins and other
 * leaves, each holding the settings and defaults of its area (test/config-imports.test.ts checks it), so
 * reading the configuration loads none of the database, GraphQL, the server or the sync.
 */
import { z } from 'zod';
import { type AlertTarget, defaultUnavailableMinutes } from './alerts/settings.js';
import { maxConcurrency } from './connectors/odata/concurrency-settings.js';
import { defaultFinanceBatchSize } from './connectors/finance/batch-size.js';
import { defaultPagesInFlight } from './sync/engine/pages-in-flight.js';
import { defaultRetentionDays } from './db/retention.js';
import { maxPageSize } from './graphql/page-size.js';
import { type Role, roles } from './graphql/roles.js';
import { type LogLevel, logLevels } from './log-levels.js';
import { defaultInstanceId } from './metrics/instance.js';
import { type ApiKey, type AuthSettings, digestApiKey, isLoopbackHost } from './server/auth-settings.js';
import { type ConnectionLimits, defaultConnectionLimits } from './server/connections.js';
import { defaultLimits, type HubLimits } from './server/limit-settings.js';
import { continuousIntervalBounds, defaultContinuousIntervals } from './sync/continuous/intervals.js';
import {
  defaultProductSettings,
  productCreateStates,
  vanishedProductPolicies,
  type ProductSettings,
} from './sync/flows/products/settings.js';
import {
  defaultOtlpEndpoint,
  defaultServiceName,
  otlpProtocols,
  otlpTracesPath,
  traceExporterNames,
  type TraceExporterName,
  type TracingSettings,
} from './tracing/settings.js';
import { type InvoiceType, invoiceTypes, type SystemName, systemLabels, systemNames } from './vocabulary.js';

// Where alerts go is the alerts' own type; the hub (src/hub.ts) takes it from here with the configuration.
export type { AlertTarget };

const optionalUrl = z
  .string()
  .trim()
  .url({ message: 'must be an absolute URL like https://org.crm.dynamics.com' })
  .transform((url) => url.replace(/\/+$/, ''))
  .optional();

/**
 * An Entra ID authority: https, as msal-node requires; plain http only on loopback, where a simulator
 * or a local stand-in issues tokens.
 */
const authorityUrl = z
  .string()
  .trim()
  .url({ message: 'must be an absolute URL like https://login.microsoftonline.com' })
  .refine(
    (url) => {
      // A value that is no URL at all has its problem from .url(); this one is about the scheme only.
      if (!URL.canParse(url)) return true;
      const { protocol, hostname } = new URL(url);
      return protocol === 'https:' || (protocol === 'http:' && isLoopbackHost(hostname));
    },
    { message: 'must be an https URL (plain http only for a loopback stand-in such as the simulators)' },
  )
  .transform((url) => url.replace(/\/+$/, ''));

const credentialKinds = ['client-secret', 'certificate', 'managed-identity'] as const;
const credentialKind = z
  .enum(credentialKinds, { error: `must be one of ${credentialKinds.join(', ')}` })
  .optional();

/** The scope tokens are asked for: the environment URL followed by `/.default` unless set. */
const scope = z
  .string()
  .trim()
  .regex(/^\S+\/\.default$/, { message: 'must end in /.default, e.g. https://org.crm.dynamics.com/.default' })
  .optional();

const portMessage = 'must be a port number from 0 to 65535';
const port = z.coerce
  .number({ error: portMessage })
  .int(portMessage)
  .min(0, portMessage)
  .max(65535, portMessage);

const retentionMessage = 'must be a whole number of days from 1 to 36500, e.g. 45';

const simulatorLatencyMessage = 'must be a whole number of milliseconds from 0 to 60000, e.g. 200';
const stopTimeoutMessage = 'must be a whole number of milliseconds from 1000 to 600000, e.g. 25000';

/** A whole number within bounds, defaulting to the limit's default, e.g. `HUB_MAX_DEPTH`. */
const limit = (min: number, max: number, fallback: number, unit = '') => {
  const message = `must be a whole number${unit} from ${min} to ${max}, e.g. ${fallback}`;
  return z.coerce
    .number({ error: message })
    .int(message)
    .min(min, message)
    .max(max, message)
    .default(fallback);
};

/** One of continuous sync's default intervals, within the bounds a flow's own interval has. */
const interval = (which: keyof typeof continuousIntervalBounds) => {
  const { min, max } = continuousIntervalBounds[which];
  return limit(min, max, defaultContinuousIntervals[which], ' of seconds');
};

const booleanMessage = 'must be true or false';
const flag = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false'], { error: booleanMessage }))
  .transform((text) => text === 'true');

/** Shorter keys could be guessed; 24 characters of `openssl rand -base64 32` are well over 128 bits. */
export const minApiKeyLength = 24;
/** HS256 signs with the secret's bytes; fewer than 32 (256 bits) weakens it below the hash. */
export const minJwtSecretLength = 32;
const apiKeyFormat =
  'write role:KEY or role:NAME:KEY, e.g. operator:ci-bot:KEY, with role reader or operator';
const keyName = /^[A-Za-z0-9._@-]{1,64}$/;

/** An OTLP/HTTP endpoint: http or https (gRPC's bare host:port is not one), without trailing slashes. */
const otlpUrl = (example: string) => {
  const message = `must be an http:// or https:// URL, e.g. ${example}`;
  return z
    .string()
    .trim()
    .url({ message })
    .refine((url) => /^https?:\/\//i.test(url), { message })
    .transform((url) => url.replace(/\/+$/, ''));
};
const otlpProtocol = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(
    z.enum(otlpProtocols, {
      error: 'must be http/protobuf or http/json: the hub sends OTLP over HTTP (port 4318), not gRPC',
    }),
  );

const schema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'], { error: 'must be development, production or test' })
    .optional(),
  PORT: port.default(4000),
  HOST: z.string().trim().min(1).optional(),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
  HUB_DATA_DIR: z.string().trim().min(1).default('./.hub-data'),
  // A label value and a name in logs: printable, short, nothing to escape.
  HUB_INSTANCE_ID: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._:@-]{1,128}$/, {
      message: 'must be 1–128 letters, digits or . _ : @ -, e.g. hub-1 (default: hostname-pid)',
    })
    .optional(),
  SALES_URL: optionalUrl,
  FINANCE_URL: optionalUrl,
  FINANCE_COMPANY: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{1,4}$/, {
      message: 'must be a legal entity id (dataAreaId) of 1–4 letters or digits, e.g. usmf',
    })
    .transform((s) => s.toLowerCase())
    .default('usmf'),
  // How each system signs the hub in (connectors/odata/credentials.ts): inferred from which of
  // CLIENT_SECRET and CERTIFICATE_FILE is set; a managed identity is asked for by name.
  SALES_CREDENTIAL: credentialKind,
  SALES_TENANT_ID: z.string().trim().min(1).optional(),
  SALES_CLIENT_ID: z.string().trim().min(1).optional(),
  SALES_CLIENT_SECRET: z.string().min(1).optional(),
  SALES_CERTIFICATE_FILE: z.string().trim().min(1).optional(),
  SALES_CERTIFICATE_PASSWORD: z.string().min(1).optional(),
  SALES_SCOPE: scope,
  FINANCE_CREDENTIAL: credentialKind,
  FINANCE_TENANT_ID: z.string().trim().min(1).optional(),
  FINANCE_CLIENT_ID: z.string().trim().min(1).optional(),
  FINANCE_CLIENT_SECRET: z.string().min(1).optional(),
  FINANCE_CERTIFICATE_FILE: z.string().trim().min(1).optional(),
  FINANCE_CERTIFICATE_PASSWORD: z.string().min(1).optional(),
  FINANCE_SCOPE: scope,
  AUTHORITY_URL: authorityUrl.default('https://login.microsoftonline.com'),
  // Each system's token authority when they differ (two tenants in different clouds, or two
  // simulators, each issuing its own tokens).
  SALES_AUTHORITY_URL: authorityUrl.optional(),
  FINANCE_AUTHORITY_URL: authorityUrl.optional(),
  // Requests in flight at once per system (connectors/odata/concurrency.ts). Sales: the cap on what
  // Dataverse's x-ms-dop-hint asks for, at most its 52 concurrent requests per user.
  SALES_MAX_CONCURRENCY: limit(1, 52, maxConcurrency.sales.max),
  FINANCE_MAX_CONCURRENCY: limit(1, 64, maxConcurrency.finance.max),
  // Rows per Finance $batch: fewer for an environment whose writes come near its request timeout.
  FINANCE_BATCH_SIZE: limit(1, 1_000, defaultFinanceBatchSize),
  // Pages of a flow that compare and write at once; 1 processes one page at a time (still reading ahead).
  SYNC_PAGES_IN_FLIGHT: limit(1, 16, defaultPagesInFlight),
  VALUE_MAPS_FILE: z.string().trim().min(1).optional(),
  SEED: z.coerce.number().int().min(0).default(1),
  SEED_ACCOUNTS: z.coerce.number().int().min(1).max(1_000_000).default(300),
  // At least a day: 0 would delete every finished run, including one an admin is about to retry. At
  // most a century: far beyond that, "now minus the period" leaves the range of a PostgreSQL timestamp
  // and every purge would fail.
  SYNC_RETENTION_DAYS: z.coerce
    .number({ error: retentionMessage })
    .int(retentionMessage)
    .min(1, retentionMessage)
    .max(36_500, retentionMessage)
    .default(defaultRetentionDays),
  // Case-insensitive, like the other words an operator types; the values are lower case from here on.
  PRODUCTS_CREATE_STATE: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(
      z.enum(productCreateStates, {
        error: 'must be active (new products can be quoted at once) or draft (someone activates them)',
      }),
    )
    .default(defaultProductSettings.createState),
  PRODUCTS_PRICE_LIST: z
    .string()
    .trim()
    .min(1)
    .max(100, 'must be a price list name of at most 100 characters')
    .optional(),
  PRODUCTS_VANISHED: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(
      z.enum(vanishedProductPolicies, {
        error: 'must be report (name them in the run) or retire (also set them to Retired in Sales)',
      }),
    )
    .default(defaultProductSettings.vanished),
  // Never echo an entry or a part of one in a problem: a mistyped entry may have the key anywhere.
  HUB_API_KEYS: z
    .string()
    .transform((text, context) => {
      const keys: ApiKey[] = [];
      const seen = new Map<string, number>();
      text.split(',').forEach((raw, index) => {
        const entry = index + 1;
        const problem = (message: string) =>
          context.addIssue({ code: 'custom', message: `entry ${entry} ${message}` });
        const parts = raw.trim().split(':');
        if (parts.length < 2 || parts.length > 3)
          return problem(`is not in the form role:KEY: ${apiKeyFormat}`);
        const [role, ...rest] = parts as [string, ...string[]];
        const key = rest.at(-1)!;
        const name = rest.length === 2 ? rest[0]! : undefined;
        if (!(roles as readonly string[]).includes(role.toLowerCase()))
          return problem(`does not start with a role: ${apiKeyFormat}`);
        if (name !== undefined && !keyName.test(name))
          return problem('has a name that is not 1–64 letters, digits or . _ @ -');
        if (key.length < minApiKeyLength)
          return problem(
            `has a key of ${key.length} characters; keys need at least ${minApiKeyLength} (e.g. openssl rand -base64 32)`,
          );
        const digest = digestApiKey(key);
        const twin = seen.get(digest.toString('hex'));
        if (twin !== undefined)
          return problem(`has the same key as entry ${twin}; give every caller a key of its own`);
        seen.set(digest.toString('hex'), entry);
        const granted = role.toLowerCase() as Role;
        keys.push({ role: granted, name: name ?? `${granted} key ${entry}`, digest });
      });
      return keys;
    })
    .optional(),
  HUB_JWT_JWKS_URL: optionalUrl,
  HUB_JWT_SECRET: z
    .string()
    .min(minJwtSecretLength, `must be at least ${minJwtSecretLength} characters (256 bits) for HS256`)
    .optional(),
  HUB_JWT_ISSUER: z.string().trim().min(1).optional(),
  HUB_JWT_AUDIENCE: z.string().trim().min(1).optional(),
  HUB_JWT_ROLES_CLAIM: z
    .string()
    .trim()
    .regex(/^[^.\s]+(\.[^.\s]+)*$/, {
      message: 'must be a claim name or a dotted path, e.g. realm_access.roles',
    })
    .default('roles'),
  HUB_INTROSPECTION: flag.optional(),
  HUB_SANDBOX: flag.optional(),
  HUB_FEDERATION: flag.default(false),
  // Abuse limits (src/server/limits.ts). The bounds only keep out nonsense; the defaults are the advice.
  HUB_MAX_DEPTH: limit(1, 100, defaultLimits.maxDepth),
  HUB_MAX_COST: limit(1, 10_000_000, defaultLimits.maxCost),
  HUB_MAX_ALIASES: limit(0, 1_000, defaultLimits.maxAliases),
  HUB_MAX_DIRECTIVES: limit(0, 1_000, defaultLimits.maxDirectives),
  HUB_MAX_TOKENS: limit(1, 1_000_000, defaultLimits.maxTokens),
  HUB_MAX_DOCUMENT_CHARS: limit(1, 10_000_000, defaultLimits.maxDocumentChars),
  // At least 1 KiB: a smaller body could not hold a useful operation.
  HUB_MAX_BODY_BYTES: limit(1_024, 100 * 1024 * 1024, defaultLimits.maxBodyBytes, ' of bytes'),
  // At most 500: the resolvers refuse more, as the schema documents. At least 50, the schema's largest
  // default `first`, so that a list nobody sized is never refused.
  HUB_MAX_FIRST: limit(50, maxPageSize, defaultLimits.maxFirst),
  HUB_OPERATION_TIMEOUT_MS: limit(100, 3_600_000, defaultLimits.operationTimeoutMs, ' of milliseconds'),
  HUB_MUTATIONS_PER_MINUTE: limit(1, 100_000, defaultLimits.mutationsPerMinute),
  HUB_MAX_SUBSCRIPTIONS_PER_CONNECTION: limit(1, 10_000, defaultLimits.maxSubscriptionsPerConnection),
  // Slow clients and open connections (src/server/connections.ts, which says why each default).
  HUB_HEADERS_TIMEOUT_MS: limit(100, 3_600_000, defaultConnectionLimits.headersTimeoutMs, ' of milliseconds'),
  HUB_REQUEST_TIMEOUT_MS: limit(100, 3_600_000, defaultConnectionLimits.requestTimeoutMs, ' of milliseconds'),
  // At least 100 ms: Node reads 0 as "never close an idle connection".
  HUB_KEEP_ALIVE_TIMEOUT_MS: limit(
    100,
    3_600_000,
    defaultConnectionLimits.keepAliveTimeoutMs,
    ' of milliseconds',
  ),
  // Up to two hours: it must exceed the operation timeout, which may be one.
  HUB_IDLE_TIMEOUT_MS: limit(1_000, 7_200_000, defaultConnectionLimits.idleTimeoutMs, ' of milliseconds'),
  HUB_MAX_CONNECTIONS: limit(1, 1_000_000, defaultConnectionLimits.maxConnections),
  HUB_CORS_ORIGINS: z
    .string()
    .transform((text, context) => {
      const origins: string[] = [];
      for (const item of text.split(',').map((part) => part.trim())) {
        const origin = originOf(item);
        if (origin === undefined) {
          context.addIssue({
            code: 'custom',
            message: `lists '${item}', which is not an origin: write scheme://host[:port], e.g. https://app.contoso.com, or *`,
          });
        } else if (!origins.includes(origin)) origins.push(origin);
      }
      return origins;
    })
    .optional(),
  LOG_LEVEL: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }))
    .default('info'),
  // A demo and test knob: slows the embedded simulators so a sync runs long enough to watch or stop.
  SIMULATOR_LATENCY_MS: z.coerce
    .number({ error: simulatorLatencyMessage })
    .int(simulatorLatencyMessage)
    .min(0, simulatorLatencyMessage)
    .max(60_000, simulatorLatencyMessage)
    .default(0),
  // Under the 30 s grace period Kubernetes gives before SIGKILL, so the hub ends its own stop; a page of
  // a sync in hand usually commits in a few seconds.
  HUB_STOP_TIMEOUT_MS: z.coerce
    .number({ error: stopTimeoutMessage })
    .int(stopTimeoutMessage)
    .min(1_000, stopTimeoutMessage)
    .max(600_000, stopTimeoutMessage)
    .default(25_000),
  HUB_RUN_LEASE_MS: limit(1_000, 600_000, 30_000, ' of milliseconds'),
  // Where alerts go (a run that failed or had errors, a schedule skipped again and again), signed with
  // the secret so the receiver can check them.
  HUB_ALERT_WEBHOOK_URL: optionalUrl,
  HUB_ALERT_WEBHOOK_SECRET: z
    .string()
    .min(16, { message: 'must be at least 16 characters: the receiver checks each alert with it' })
    .optional(),
  // How long Sales or Finance may not answer before an alert says so: long enough for a restart or a
  // deployment to pass unannounced, at most a day.
  HUB_ALERT_UNAVAILABLE_MINUTES: limit(1, 1_440, defaultUnavailableMinutes, ' of minutes'),
  // The hub's address as people reach it (behind a proxy, say), for the links in alerts.
  HUB_PUBLIC_URL: optionalUrl,
  // Continuous sync's default intervals: how often the Sales flows' change feeds are looked at, and how
  // often products (no change feed in Finance) are compared by hash. Per flow in GraphQL.
  HUB_CONTINUOUS_INTERVAL_SECONDS: interval('salesSeconds'),
  HUB_CONTINUOUS_PRODUCTS_INTERVAL_SECONDS: interval('productsSeconds'),
  // The key a Dataverse webhook sends (an HttpHeader service endpoint) to trigger a sync of what changed.
  HUB_WEBHOOK_KEY: z
    .string()
    .min(16, { message: 'must be at least 16 characters: it is all that stands between a caller and a sync' })
    .optional(),
  // Tracing: OpenTelemetry's own variables, as operators know them (src/tracing/settings.ts).
  OTEL_SDK_DISABLED: flag.optional(),
  OTEL_TRACES_EXPORTER: z
    .string()
    .transform((text, context) => {
      const names: TraceExporterName[] = [];
      for (const item of text.split(',').map((part) => part.trim().toLowerCase())) {
        if (!(traceExporterNames as readonly string[]).includes(item)) {
          context.addIssue({
            code: 'custom',
            message: `lists '${item}', which is not an exporter the hub has: use otlp, console or none (Jaeger, Zipkin and Tempo take otlp)`,
          });
        } else if (!names.includes(item as TraceExporterName)) names.push(item as TraceExporterName);
      }
      if (names.includes('none') && names.length > 1)
        context.addIssue({ code: 'custom', message: 'lists none with other exporters: choose none or them' });
      return names;
    })
    .optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl('http://localhost:4318').optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpUrl('http://localhost:4318/v1/traces').optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: otlpProtocol.optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: otlpProtocol.optional(),
  OTEL_SERVICE_NAME: z.string().trim().min(1).max(255).default(defaultServiceName),
  INVOICE_TYPES: z
    .string()
    .transform((text, context) => {
      const types = [
        ...new Set(
          text
            .split(',')
            .map((part) => part.trim())
            .filter((part) => part !== ''),
        ),
      ];
      const unknown = types.filter((type) => !(invoiceTypes as readonly string[]).includes(type));
      if (unknown.length > 0 || types.length === 0) {
        context.addIssue({
          code: 'custom',
          message: `lists '${unknown.join(', ') || text}': give one or both of ${invoiceTypes.join(', ')} (comma-separated), e.g. salesOrder,freeText`,
        });
        return z.NEVER;
      }
      return types as InvoiceType[];
    })
    .optional(),
  ACCOUNTS_RELATIONSHIP_TYPES: z
    .string()
    .transform((text, context) => {
      const codes: number[] = [];
      for (const item of text.split(',').map((part) => part.trim())) {
        const code = relationshipTypeCode(item);
        if (code === undefined) {
          context.addIssue({
            code: 'custom',
            message: `lists '${item}', which is not a Sales relationship type: use names or codes, e.g. Customer,Reseller or 3,9`,
          });
        } else if (!codes.includes(code)) codes.push(code);
      }
      return codes;
    })
    .optional(),
});

/** An origin as browsers send it (`https://app.contoso.com`, no path), `*` for any; undefined if it is not one. */
function originOf(item: string): string | undefined {
  if (item === '*') return item;
  try {
    const url = new URL(item);
    if (!/^https?:$/.test(url.protocol) || url.origin !== item.replace(/\/$/, '')) return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

/** Dataverse's account relationship types (`customertypecode`), by lower-case label. */
const relationshipTypes: Readonly<Record<string, number>> = {
  competitor: 1,
  consultant: 2,
  customer: 3,
  investor: 4,
  partner: 5,
  influencer: 6,
  press: 7,
  prospect: 8,
  reseller: 9,
  supplier: 10,
  vendor: 11,
  other: 12,
};

/** A relationship type's code from its label (any case) or its code; undefined when it is neither. */
function relationshipTypeCode(item: string): number | undefined {
  if (/^\d+$/.test(item)) {
    const code = Number(item);
    return Object.values(relationshipTypes).includes(code) ? code : undefined;
  }
  return relationshipTypes[item.toLowerCase()];
}

/**
 * How the hub signs in to a system. A certificate is named by its file here; main reads it at start
 * (connectors/odata/credentials.ts), so the configuration loads no crypto library.
 */
export type CredentialConfig =
  | { kind: 'client-secret'; tenantId: string; clientId: string; clientSecret: string }
  | {
      kind: 'certificate';
      tenantId: string;
      clientId: string;
      certificateFile: string;
      certificatePassword?: string;
    }
  | {
      kind: 'managed-identity';
      /** A user-assigned identity's client id; absent for the system-assigned identity. */
      clientId?: string;
    };

/**
 * A back-end system: a real environment (URL, the token authority that signs its callers in, the scope
 * asked for, and credentials), or the embedded simulator.
 */
export type SystemConfig =
  | { kind: 'remote'; url: string; authorityUrl: string; scope: string; credential: CredentialConfig }
  | { kind: 'simulator' };

export interface HubConfig {
  /** NODE_ENV=development: unexpected errors show their message to clients (never in production). */
  development: boolean;
  port: number;
  host: string;
  database: { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };
  sales: SystemConfig;
  finance: SystemConfig;
  financeCompany: string;
  /**
   * The most requests in flight to each system at once (`SALES_`/`FINANCE_MAX_CONCURRENCY`); Sales
   * follows Dataverse's `x-ms-dop-hint` up to its figure. Defaults 52 and 4.
   */
  maxConcurrency: Record<SystemName, number>;
  /** `FINANCE_BATCH_SIZE`: the most rows one Finance `$batch` carries; default 1,000. */
  financeBatchSize: number;
  /** `SYNC_PAGES_IN_FLIGHT`: pages of a flow that compare and write at once; default 4. */
  pagesInFlight: number;
  /** `AUTHORITY_URL`: the token authority of both systems unless `SALES_`/`FINANCE_AUTHORITY_URL` say otherwise. */
  authorityUrl: string;
  seed: { seed: number; accounts: number };
  /** A JSON or YAML file whose value maps replace the defaults of the same name. */
  valueMapsFile: string | undefined;
  /** Finished sync runs older than this many days are deleted, at start and then daily. */
  retentionDays: number;
  /** How the products flow creates products and treats those Finance no longer sells. */
  products: ProductSettings;
  /** The Sales relationship types (`customertypecode`) of the accounts to sync; empty: every account. */
  accountRelationshipTypes: number[];
  /**
   * Which Finance invoices the invoices flow brings to Sales (INVOICE_TYPES): `salesOrder` (invoices of
   * orders, the documented template's only kind) and `freeText`. Default: sales-order invoices only.
   */
  invoiceTypes: InvoiceType[];
  /**
   * API keys (as digests) and JWT verification; null when neither is configured: every caller is an
   * operator, so the hub then listens on loopback only (and refuses to start in production).
   */
  auth: AuthSettings | null;
  /** Schema introspection (`HUB_INTROSPECTION`); default on, off in production. */
  introspection: boolean;
  /** The Apollo Sandbox landing page for browsers (`HUB_SANDBOX`); default on, off in production. */
  sandbox: boolean;
  /**
   * Serve the schema as an Apollo Federation v2 subgraph (`HUB_FEDERATION`): entity keys, `_service` and
   * `_entities` (src/graphql/federation.ts); default off, the plain schema.
   */
  federation: boolean;
  /** Origins browsers may call the hub from (`HUB_CORS_ORIGINS`); `*` for any; default none. */
  corsOrigins: string[];
  /** Abuse limits (`HUB_MAX_…`, `HUB_OPERATION_TIMEOUT_MS`, `HUB_MUTATIONS_PER_MINUTE`); see limits.ts. */
  limits: HubLimits;
  /** Slow-client timeouts and the connection cap (`HUB_…_TIMEOUT_MS`, `HUB_MAX_CONNECTIONS`); see connections.ts. */
  connections: ConnectionLimits;
  /** The least severe level logged (`LOG_LEVEL`); default info. */
  logLevel: LogLevel;
  /** Added to every answer of the embedded simulators (`SIMULATOR_LATENCY_MS`); default 0. */
  simulatorLatencyMs: number;
  /** How long a stop (SIGTERM, SIGINT) may take before the hub exits 1 anyway (`HUB_STOP_TIMEOUT_MS`); default 25 s. */
  stopTimeoutMs: number;
  /** This instance's name in its metrics and on the runs it executes (`HUB_INSTANCE_ID`); default `<hostname>-<pid>`. */
  instanceId: string;
  /**
   * How long a run stays its executing instance's without a renewal (`HUB_RUN_LEASE_MS`); a run whose
   * owner died ends FAILED within 1.5 leases. Default 30 s.
   */
  runLeaseMs: number;
  /** Where alerts go, and the secret they are signed with (`HUB_ALERT_WEBHOOK_URL`, `_SECRET`); null for none. */
  alerts: AlertTarget | null;
  /** Minutes Sales or Finance may not answer before an alert (`HUB_ALERT_UNAVAILABLE_MINUTES`); default 5. */
  alertUnavailableMinutes: number;
  /** The hub's address as people reach it (`HUB_PUBLIC_URL`), for links in alerts; null: its own URL. */
  publicUrl: string | null;
  /** The key Sales webhooks send in `x-p2c-webhook-key` (`HUB_WEBHOOK_KEY`); null: the endpoint is off. */
  webhookKey: string | null;
  /**
   * Continuous sync's default intervals, in seconds (`HUB_CONTINUOUS_INTERVAL_SECONDS`, default 5;
   * `HUB_CONTINUOUS_PRODUCTS_INTERVAL_SECONDS`, default 300); which flows it follows is switched in GraphQL.
   */
  continuous: { salesSeconds: number; productsSeconds: number };
  /**
   * OpenTelemetry tracing (`OTEL_TRACES_EXPORTER`, `OTEL_EXPORTER_OTLP_…`, `OTEL_SERVICE_NAME`); null, the
   * default, when no exporter is configured: tracing is off and costs nothing.
   */
  tracing: TracingSettings | null;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(
      `The hub cannot start: its configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

/** Parses the environment into one typed config; throws ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): HubConfig {
  const present = stripEmpty(env);
  const parsed = schema.safeParse(present);
  // Cross-variable rules are checked on the raw values too, so they are reported together with the
  // others rather than only once every single value is valid.
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'} ${issue.message}`)),
    ...missingCredentials(present),
    ...authProblems(present),
    ...(present['HUB_ALERT_WEBHOOK_URL'] && !present['HUB_ALERT_WEBHOOK_SECRET']
      ? ['HUB_ALERT_WEBHOOK_SECRET is required with HUB_ALERT_WEBHOOK_URL: alerts are signed with it']
      : []),
    ...timeoutProblems(present),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const system = (prefix: 'SALES' | 'FINANCE'): SystemConfig => {
    const url = e[`${prefix}_URL`];
    if (!url) return { kind: 'simulator' };
    const tenantId = e[`${prefix}_TENANT_ID`]!;
    const clientId = e[`${prefix}_CLIENT_ID`];
    const password = e[`${prefix}_CERTIFICATE_PASSWORD`];
    const credential: CredentialConfig = (() => {
      switch (credentialKindOf(prefix, present)) {
        case 'managed-identity':
          return { kind: 'managed-identity', ...(clientId !== undefined && { clientId }) };
        case 'certificate':
          return {
            kind: 'certificate',
            tenantId,
            clientId: clientId!,
            certificateFile: e[`${prefix}_CERTIFICATE_FILE`]!,
            ...(password !== undefined && { certificatePassword: password }),
          };
        default:
          return {
            kind: 'client-secret',
            tenantId,
            clientId: clientId!,
            clientSecret: e[`${prefix}_CLIENT_SECRET`]!,
          };
      }
    })();
    return {
      kind: 'remote',
      url,
      authorityUrl: e[`${prefix}_AUTHORITY_URL`] ?? e.AUTHORITY_URL,
      scope: e[`${prefix}_SCOPE`] ?? `${url}/.default`,
      credential,
    };
  };
  const production = e.NODE_ENV === 'production';
  const auth = authSettings(e);
  const instanceId = e.HUB_INSTANCE_ID ?? defaultInstanceId();
  return {
    development: e.NODE_ENV === 'development',
    port: e.PORT,
    // Without authentication everyone is an operator: loopback only (a HOST beyond it is refused above).
    host: e.HOST ?? (auth ? '0.0.0.0' : '127.0.0.1'),
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL }
      : { kind: 'pglite', dataDir: e.HUB_DATA_DIR },
    sales: system('SALES'),
    finance: system('FINANCE'),
    financeCompany: e.FINANCE_COMPANY,
    maxConcurrency: { sales: e.SALES_MAX_CONCURRENCY, finance: e.FINANCE_MAX_CONCURRENCY },
    financeBatchSize: e.FINANCE_BATCH_SIZE,
    pagesInFlight: e.SYNC_PAGES_IN_FLIGHT,
    authorityUrl: e.AUTHORITY_URL,
    seed: { seed: e.SEED, accounts: e.SEED_ACCOUNTS },
    valueMapsFile: e.VALUE_MAPS_FILE,
    retentionDays: e.SYNC_RETENTION_DAYS,
    products: {
      createState: e.PRODUCTS_CREATE_STATE,
      priceList: e.PRODUCTS_PRICE_LIST ?? null,
      vanished: e.PRODUCTS_VANISHED,
    },
    accountRelationshipTypes: e.ACCOUNTS_RELATIONSHIP_TYPES ?? [],
    invoiceTypes: e.INVOICE_TYPES ?? ['salesOrder'],
    auth,
    introspection: e.HUB_INTROSPECTION ?? !production,
    sandbox: e.HUB_SANDBOX ?? !production,
    federation: e.HUB_FEDERATION,
    corsOrigins: e.HUB_CORS_ORIGINS ?? [],
    limits: {
      maxDepth: e.HUB_MAX_DEPTH,
      maxCost: e.HUB_MAX_COST,
      maxAliases: e.HUB_MAX_ALIASES,
      maxDirectives: e.HUB_MAX_DIRECTIVES,
      maxTokens: e.HUB_MAX_TOKENS,
      maxDocumentChars: e.HUB_MAX_DOCUMENT_CHARS,
      maxBodyBytes: e.HUB_MAX_BODY_BYTES,
      maxFirst: e.HUB_MAX_FIRST,
      operationTimeoutMs: e.HUB_OPERATION_TIMEOUT_MS,
      mutationsPerMinute: e.HUB_MUTATIONS_PER_MINUTE,
      maxSubscriptionsPerConnection: e.HUB_MAX_SUBSCRIPTIONS_PER_CONNECTION,
    },
    connections: {
      headersTimeoutMs: e.HUB_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HUB_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HUB_KEEP_ALIVE_TIMEOUT_MS,
      idleTimeoutMs: e.HUB_IDLE_TIMEOUT_MS,
      maxConnections: e.HUB_MAX_CONNECTIONS,
    },
    logLevel: e.LOG_LEVEL,
    simulatorLatencyMs: e.SIMULATOR_LATENCY_MS,
    stopTimeoutMs: e.HUB_STOP_TIMEOUT_MS,
    instanceId,
    runLeaseMs: e.HUB_RUN_LEASE_MS,
    alerts:
      e.HUB_ALERT_WEBHOOK_URL && e.HUB_ALERT_WEBHOOK_SECRET
        ? { url: e.HUB_ALERT_WEBHOOK_URL, secret: e.HUB_ALERT_WEBHOOK_SECRET }
        : null,
    alertUnavailableMinutes: e.HUB_ALERT_UNAVAILABLE_MINUTES,
    publicUrl: e.HUB_PUBLIC_URL ?? null,
    webhookKey: e.HUB_WEBHOOK_KEY ?? null,
    continuous: {
      salesSeconds: e.HUB_CONTINUOUS_INTERVAL_SECONDS,
      productsSeconds: e.HUB_CONTINUOUS_PRODUCTS_INTERVAL_SECONDS,
    },
    tracing: tracingSettings(e, instanceId),
  };
}

/**
 * Tracing as OpenTelemetry's variables configure it, or null (off). Unlike the specification, whose
 * default exporter is otlp, no exporter is the default: tracing costs nothing until it is asked for, by
 * `OTEL_TRACES_EXPORTER` or by an OTLP endpoint (which means otlp).
 */
function tracingSettings(e: z.infer<typeof schema>, instanceId: string): TracingSettings | null {
  // The traces endpoint is taken as it is; the general one is a base the signal's path is added to.
  const endpoint =
    e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (e.OTEL_EXPORTER_OTLP_ENDPOINT && `${e.OTEL_EXPORTER_OTLP_ENDPOINT}${otlpTracesPath}`);
  const exporters = e.OTEL_TRACES_EXPORTER ?? (endpoint ? ['otlp'] : []);
  if (e.OTEL_SDK_DISABLED === true || !exporters.some((name) => name !== 'none')) return null;
  return {
    otlp: exporters.includes('otlp')
      ? {
          url: endpoint ?? `${defaultOtlpEndpoint}${otlpTracesPath}`,
          protocol: e.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? e.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
        }
      : null,
    console: exporters.includes('console'),
    serviceName: e.OTEL_SERVICE_NAME,
    serviceInstanceId: instanceId,
  };
}

function authSettings(e: z.infer<typeof schema>): AuthSettings | null {
  const apiKeys = e.HUB_API_KEYS ?? [];
  const keys = e.HUB_JWT_JWKS_URL
    ? ({ kind: 'jwks', url: e.HUB_JWT_JWKS_URL } as const)
    : e.HUB_JWT_SECRET
      ? ({ kind: 'secret', secret: e.HUB_JWT_SECRET } as const)
      : null;
  if (apiKeys.length === 0 && !keys) return null;
  return {
    apiKeys,
    // Issuer and audience are present here: authProblems refuses JWT keys without them.
    jwt: keys
      ? { keys, issuer: e.HUB_JWT_ISSUER!, audience: e.HUB_JWT_AUDIENCE!, rolesClaim: e.HUB_JWT_ROLES_CLAIM }
      : null,
  };
}

/**
 * Authentication's cross-variable rules: JWT keys need an issuer and an audience (and those mean nothing
 * without keys); production needs authentication; without it, the hub listens on loopback only.
 */
function authProblems(env: Record<string, string>): string[] {
  const problems: string[] = [];
  const jwtKeys = ['HUB_JWT_JWKS_URL', 'HUB_JWT_SECRET'].filter((name) => env[name]);
  if (jwtKeys.length === 2) problems.push('HUB_JWT_JWKS_URL and HUB_JWT_SECRET are both set: choose one');
  for (const name of ['HUB_JWT_ISSUER', 'HUB_JWT_AUDIENCE']) {
    if (jwtKeys.length > 0 && !env[name]) {
      problems.push(
        `${name} is required when ${jwtKeys[0]} is set (every accepted token must carry it as ${name === 'HUB_JWT_ISSUER' ? 'iss' : 'aud'})`,
      );
    }
    if (jwtKeys.length === 0 && env[name]) {
      problems.push(`${name} has no effect without HUB_JWT_JWKS_URL or HUB_JWT_SECRET: set one of them`);
    }
  }
  const authenticated = Boolean(env['HUB_API_KEYS']) || jwtKeys.length > 0;
  if (authenticated) return problems;
  if (env['NODE_ENV']?.trim() === 'production') {
    problems.push(
      'NODE_ENV=production needs authentication: set HUB_API_KEYS (e.g. operator:ci-bot:KEY) or HUB_JWT_JWKS_URL or HUB_JWT_SECRET with HUB_JWT_ISSUER and HUB_JWT_AUDIENCE',
    );
  } else if (env['HOST'] && !isLoopbackHost(env['HOST'].trim())) {
    problems.push(
      `HOST ${env['HOST'].trim()} would let anyone who reaches it run syncs, as no authentication is configured: set HUB_API_KEYS or HUB_JWT_…, or listen on 127.0.0.1`,
    );
  }
  return problems;
}

/**
 * Timeouts that must agree: the headers are part of the request, so they cannot be given longer than it;
 * and a request is silent while its operation runs, so the idle timeout must outlast the operation
 * timeout or it would cut operations off. Checked on the raw values (each one's default when unset), so
 * they are reported with the others; a value that is no whole number is reported by its own rule.
 */
function timeoutProblems(env: Record<string, string>): string[] {
  const value = (name: string, fallback: number): number | undefined => {
    const raw = env[name];
    const number = raw === undefined ? fallback : Number(raw.trim());
    return Number.isInteger(number) ? number : undefined;
  };
  const headers = value('HUB_HEADERS_TIMEOUT_MS', defaultConnectionLimits.headersTimeoutMs);
  const request = value('HUB_REQUEST_TIMEOUT_MS', defaultConnectionLimits.requestTimeoutMs);
  const idle = value('HUB_IDLE_TIMEOUT_MS', defaultConnectionLimits.idleTimeoutMs);
  const operation = value('HUB_OPERATION_TIMEOUT_MS', defaultLimits.operationTimeoutMs);
  const problems: string[] = [];
  if (headers !== undefined && request !== undefined && headers > request) {
    problems.push(
      `HUB_HEADERS_TIMEOUT_MS (${headers}) must not be longer than HUB_REQUEST_TIMEOUT_MS (${request}): the headers are part of the request`,
    );
  }
  if (idle !== undefined && operation !== undefined && idle <= operation) {
    problems.push(
      `HUB_IDLE_TIMEOUT_MS (${idle}) must be longer than HUB_OPERATION_TIMEOUT_MS (${operation}): a request is silent while its operation runs, and would be cut off`,
    );
  }
  return problems;
}

/**
 * A system with a URL needs one credential with what it takes; one without (the embedded simulator,
 * which issues its own tokens) takes none of the settings.
 */
function missingCredentials(env: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const system of systemNames) {
    const prefix = system.toUpperCase();
    const label = systemLabels[system];
    if (!env[`${prefix}_URL`]) {
      for (const part of ['AUTHORITY_URL', 'CREDENTIAL', 'CERTIFICATE_FILE', 'SCOPE']) {
        if (env[`${prefix}_${part}`])
          problems.push(`${prefix}_${part} has no effect without ${prefix}_URL: set both or neither`);
      }
      continue;
    }
    const given = (part: string) => Boolean(env[`${prefix}_${part}`]);
    const kind = credentialKindOf(prefix, env);
    if (given('CLIENT_SECRET') && given('CERTIFICATE_FILE')) {
      problems.push(
        `${prefix}_CLIENT_SECRET and ${prefix}_CERTIFICATE_FILE are both set: choose one credential`,
      );
    }
    const needs: Record<CredentialKind, string[]> = {
      'client-secret': ['TENANT_ID', 'CLIENT_ID', 'CLIENT_SECRET'],
      certificate: ['TENANT_ID', 'CLIENT_ID', 'CERTIFICATE_FILE'],
      'managed-identity': [],
    };
    for (const part of needs[kind]) {
      if (!given(part)) {
        problems.push(
          `${prefix}_${part} is required when ${prefix}_URL is set with a ${kind} credential (Entra ID app registration for ${label}${kind === 'client-secret' ? `; or set ${prefix}_CERTIFICATE_FILE, or ${prefix}_CREDENTIAL=managed-identity` : ''})`,
        );
      }
    }
    const stray: Record<CredentialKind, string[]> = {
      'client-secret': ['CERTIFICATE_PASSWORD'],
      certificate: ['CLIENT_SECRET'],
      'managed-identity': ['TENANT_ID', 'CLIENT_SECRET', 'CERTIFICATE_FILE', 'CERTIFICATE_PASSWORD'],
    };
    for (const part of stray[kind]) {
      // A secret beside a certificate file is reported once, as the two being set together (above).
      if (given(part) && !(part === 'CLIENT_SECRET' && given('CERTIFICATE_FILE'))) {
        problems.push(`${prefix}_${part} has no effect with a ${kind} credential: remove it`);
      }
    }
  }
  return problems;
}

type CredentialKind = (typeof credentialKinds)[number];

/** `<SYSTEM>_CREDENTIAL`, or what the variables set imply: a certificate file, else a client secret. */
function credentialKindOf(prefix: string, env: Record<string, string>): CredentialKind {
  const named = env[`${prefix}_CREDENTIAL`]?.trim();
  if (named && (credentialKinds as readonly string[]).includes(named)) return named as CredentialKind;
  return env[`${prefix}_CERTIFICATE_FILE`] ? 'certificate' : 'client-secret';
}

/** An empty variable (`FOO=`) means unset, as most deployment tools write it. */
function stripEmpty(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '',
    ),
  );
}
