// How an unknown error goes into a log line or a message, defined once: its catalogue code (shared/error-catalogue.ts)
// or, for an error from elsewhere, its name; and its message. No stack, no attached fields (they may carry a request
// or a token).
import { CodedError } from './error-catalogue.js';

/** What an error is, for a log field: its catalogue code (ANTRING_TIMEOUT, …), else its name, else its type. */
export function errCode(err: unknown): string {
  if (err instanceof CodedError) return err.code;
  return err instanceof Error ? err.name : typeof err;
}

/** `CODE: message` (or `Name: message`), for a log field or an error message. */
export function errText(err: unknown): string {
  return err instanceof Error ? `${errCode(err)}: ${err.message}` : String(err);
}

/** A structured summary for a log line; the message cut to 300 characters. */
export function errSummary(err: unknown): { code: string; name: string; message: string } {
  if (err instanceof Error) return { code: errCode(err), name: err.name, message: err.message.slice(0, 300) };
  return { code: typeof err, name: typeof err, message: String(err).slice(0, 300) };
}
