// How an unknown error goes into a log line or a message, defined once: its name and message only (no stack, no
// attached fields, which may carry a request or a token).

/** `Name: message`, for a log field or an error message. */
export function errText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** A structured summary for a log line; the message cut to 300 characters. */
export function errSummary(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message.slice(0, 300) };
  return { name: typeof err, message: String(err).slice(0, 300) };
}
