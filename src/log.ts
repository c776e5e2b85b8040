// Structured logs (pino). Secrets never reach a log line: known secret keys are redacted wherever they appear.
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'appSecret',
  '*.appSecret',
  'auth_token',
  '*.auth_token',
  'token',
  '*.token',
  'authToken',
  '*.authToken',
  'apiKey',
  '*.apiKey',
  'apikey',
  '*.apikey',
  'sipPassword',
  '*.sipPassword',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'x-auth-app-hash',
  '*["x-auth-app-hash"]',
  'hash',
  '*.hash',
  'value',
  '*.value',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    { level, base: { svc: 'antring-bridge' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    destination,
  );
}
