/** A hub logger whose lines a test can read: the real logger (redaction included), written to memory. */
import { createLogger, type Logger, type LoggerOptions } from '../../src/logging.js';

export interface CapturedLogs {
  logger: Logger;
  /** Everything written, as the process would have printed it. */
  text(): string;
  /** Every line, parsed. */
  lines(): Record<string, unknown>[];
  clear(): void;
}

export function captureLogs(options: Omit<LoggerOptions, 'destination'> = {}): CapturedLogs {
  let written = '';
  const logger = createLogger({
    level: 'trace',
    ...options,
    destination: { write: (line: string) => void (written += line) },
  });
  return {
    logger,
    text: () => written,
    lines: () =>
      written
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    clear: () => void (written = ''),
  };
}
