/**
 * The hub's structured logs: one pino logger, made by `main` and passed down (the hub, its server, the
 * sync manager each take a `logger` option; none keeps a global). One JSON object a line, with the level
 * as a word and an ISO time, e.g.
 *
 * `{"level":"info","time":"2025-01-01T12:00:00.000Z","requestId":"…","operation":"StartSync","durationMs":12,"outcome":"ok","msg":"graphql operation"}`
 *
 * Secrets are kept out twice over. Fields that may hold one (authorization headers, tokens, client
 * secrets, passwords, API keys) are censored wherever they appear, to four levels deep (`censorSecrets`);
 * and every line is scrubbed before it is written of bearer credentials, JWT-shaped strings and the
 * configured secret values (`secrets`), in case one slipped into a message.
 */
import { type DestinationStream, type Level, type Logger, multistream, pino, destination } from 'pino';
import type { LogLevel } from './log-levels.js';

export type { Logger } from 'pino';

const secretFields = [
  'authorization',
  'Authorization',
  'cookie',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'idToken',
  'id_token',
  'clientSecret',
  'client_secret',
  'secret',
  'password',
  'apiKey',
  'api_key',
  'apiKeys',
  'x-api-key',
  'HUB_API_KEYS',
  'HUB_JWT_SECRET',
  'SALES_CLIENT_SECRET',
  'FINANCE_CLIENT_SECRET',
  'privateKey',
  'private_key',
  'passphrase',
  'certificatePassword',
  'client_assertion',
  'clientAssertion',
  'SALES_CERTIFICATE_PASSWORD',
  'FINANCE_CERTIFICATE_PASSWORD',
  'DATABASE_URL',
];

/** The field names censored wherever they sit, compared case-insensitively. */
const secretNames: ReadonlySet<string> = new Set(secretFields.map((field) => field.toLowerCase()));

/** How deep into a log object secret fields are looked for: `req.headers.authorization` is level 3. */
const censorDepth = 4;

/**
 * The log object with every secret field's value replaced by `redactedText`, down to `censorDepth`
 * levels (plain objects, arrays and errors). Copies only what it changes, so a line without secrets (the
 * operation log's, on every request) costs one look per key and no allocation. It replaces pino's
 * path-based `redact`: ~90 wildcard paths cost ~0.2 ms a line, more than the rest of a cheap request.
 */
export function censorSecrets<T>(value: T, depth = censorDepth): T {
  if (depth === 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const censored = censorSecrets(value[i], depth - 1);
      if (censored !== value[i]) (copy ??= [...value])[i] = censored;
    }
    return (copy ?? value) as T;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null && !(value instanceof Error)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    const censored = secretNames.has(key.toLowerCase()) ? redactedText : censorSecrets(field, depth - 1);
    if (censored !== field) {
      // An error keeps its class (pino's serializer reads its message and stack); a plain object is copied.
      copy ??= value instanceof Error ? Object.create(value) : { ...value };
      copy![key] = censored;
    }
  }
  return (copy ?? value) as T;
}

/** What replaces a censored value or a scrubbed credential. */
export const redactedText = '[redacted]';

export interface LoggerOptions {
  /** Default `info`. */
  level?: LogLevel;
  /**
   * Where lines go. Default: levels up to info on stdout, buffered for at most `logFlushIntervalMs` and
   * written out at exit; warn and above on stderr, written at once (as the hub's messages went before it
   * had a logger). Tests pass a stream to read what was logged.
   */
  destination?: DestinationStream;
  /** Values to scrub from every line wherever they appear (client secrets, certificate passwords, the JWT secret). */
  secrets?: readonly (string | undefined)[];
}

// `Bearer <credential>`, and JWTs (header and payload are base64url JSON, so they start with `eyJ`). A
// plain word after "bearer" ("a valid bearer token is required") is prose, not a credential: a credential
// has a digit or a symbol, or is longer than a word (RFC 6750's token68 alphabet).
const bearerCredential =
  /\b(Bearer)\s+(?!<)(?![A-Za-z][a-z]{0,15}(?:[\s,;:!?)"']|\.(?![\w\-~+/=])|$))[^\s"\\]+/gi;
const jwtShaped = /\beyJ[\w-]*\.[\w-]+\.[\w-]*/g;
// A PEM private key (a certificate credential's), raw or JSON-escaped; without its end, its base64 run.
const privateKeyPem =
  /-----BEGIN ([A-Z ]*)PRIVATE KEY-----(?:[\s\S]*?-----END \1PRIVATE KEY-----|[A-Za-z0-9+/=\r\n\\]*)/g;
const mayHoldCredential = /bearer|eyJ|PRIVATE KEY/i;

/** A logger as described above. */
export function createLogger({
  level = 'info',
  destination: target,
  secrets = [],
}: LoggerOptions = {}): Logger {
  // Short values are not searched for: they would blot out ordinary words (real secrets are long).
  const scrubbed = secrets.filter((secret): secret is string => secret !== undefined && secret.length >= 8);
  return pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => censorSecrets(bindings),
        log: (object) => censorSecrets(object),
      },
      hooks: {
        streamWrite: (line) => {
          // Most lines hold neither a bearer credential nor a JWT: test before building a new string.
          let text = mayHoldCredential.test(line)
            ? line
                .replace(bearerCredential, `$1 ${redactedText}`)
                .replace(jwtShaped, redactedText)
                .replace(privateKeyPem, redactedText)
            : line;
          for (const secret of scrubbed)
            if (text.includes(secret)) text = text.split(secret).join(redactedText);
          return text;
        },
      },
    },
    target ?? standardStreams(),
  );
}

/** A logger that writes nothing: the default of every `logger` option, so tests stay quiet. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** How long a line up to info may wait in the stdout buffer before it is written. */
export const logFlushIntervalMs = 100;

function standardStreams(): DestinationStream {
  // Lines up to info (one per operation) are gathered and written a few kilobytes at a time, at the latest
  // after `logFlushIntervalMs`: a write per line cost a system call and a wake-up of whatever reads stdout
  // for every operation (2–3 % of a cheap query's CPU in bench:query). pino writes what is left when the
  // process exits, also through process.exit; a process killed outright (SIGKILL) loses at most that
  // interval of info lines. Warnings and errors go to stderr at once, as before.
  const streams: { level: Level; stream: DestinationStream }[] = [
    {
      level: 'trace',
      stream: destination({ fd: 1, sync: false, minLength: 4096, periodicFlush: logFlushIntervalMs }),
    },
    { level: 'warn', stream: destination({ fd: 2, sync: true }) },
  ];
  // dedupe: each line goes only to the stream of the highest level it reaches.
  return multistream(streams, { dedupe: true });
}
