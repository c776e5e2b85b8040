// Phone numbers where they must not be read in full (wallboards, log lines): the last three digits only
// (`0934890879` → `•••••••879`). One definition for the dashboard redaction, click-to-call's logs and the outbox's.

const BULLET = '\u2022';

/** `0934890879` → `•••••••879`; three characters or fewer → `•••` (the length is not told either). */
export function maskNumber(n: string): string {
  const s = String(n);
  if (s.length <= 3) return BULLET.repeat(3);
  return BULLET.repeat(s.length - 3) + s.slice(-3);
}

/** Every phone-length digit run (7 digits or more, a leading `+` with it) in a text masked, the rest kept: for log
 *  fields that embed a number, like the outbox key `lead:<number>`. */
export function maskNumbersIn(text: string): string {
  return text.replace(/\+?[0-9]{7,}/g, maskNumber);
}
