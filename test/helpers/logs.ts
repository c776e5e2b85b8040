// A pino logger (the app's createLogger, redaction included) whose lines are kept in memory, to assert on them
// (e.g. that no secret was logged).
import { createLogger, type Logger } from '../../src/log.js';

export interface CapturedLogs {
  logger: Logger;
  /** Every line as written (JSON text). */
  lines: string[];
  /** Every line that parses as JSON, parsed. */
  records: Array<Record<string, unknown>>;
  /** Every line, joined with newlines. */
  text(): string;
}

export function captureLogger(level = 'debug'): CapturedLogs {
  const lines: string[] = [];
  const records: Array<Record<string, unknown>> = [];
  // A plain { write } destination: pino writes to it synchronously, so a line is there as soon as it is logged.
  const logger = createLogger(level, {
    write(chunk: string) {
      for (const line of chunk.split('\n').filter(Boolean)) {
        lines.push(line);
        try {
          records.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // a non-JSON line still shows in lines and text()
        }
      }
    },
  });
  return { logger, lines, records, text: () => lines.join('\n') };
}

export const silentLogger = (): Logger => createLogger('silent');
