/** The log levels, a leaf of their own so that the configuration can check `LOG_LEVEL` without pino. */

/** The levels `LOG_LEVEL` accepts, most severe first; `silent` logs nothing. */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];
