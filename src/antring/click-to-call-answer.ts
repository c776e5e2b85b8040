// What AntRing's 400 to click-to-call is about. AntRing documents one meaning (the SIP device is not registered),
// but its 400 also carries other refusals (a number, a device it does not know, missing fields). Only an answer
// about the device's registration, or a 400 that gives no reason at all (the documented meaning), is
// DeviceOfflineError; any other reason is ClickToCallRefusedError, which keeps AntRing's words (whole words of
// letters only: no number, SIP user or password fragment, no control character; bounded).
import { AntRingHttpError, DeviceOfflineError } from './errors.js';

/** Click-to-call answered 400 for a reason other than the device's registration. */
export class ClickToCallRefusedError extends AntRingHttpError {
  override readonly name = 'ClickToCallRefusedError';
  constructor(override readonly reason: string) {
    super('click_to_call', 400, `AntRing click_to_call: refused (HTTP 400: ${reason})`);
  }
}

const ABOUT_REGISTRATION = /offline|not\s+registered|unregistered|registration|register/i;
const MAX_REASON = 80;

/** The typed error for AntRing's 400 answer with this body. */
export function clickToCallRefusal(body: string): DeviceOfflineError | ClickToCallRefusedError {
  const reason = refusalReason(body);
  if (!reason || ABOUT_REGISTRATION.test(reason)) return new DeviceOfflineError('click_to_call');
  return new ClickToCallRefusedError(reason);
}

/** AntRing's reason: `message` (or `error`, `msg`) of a JSON body, else the plain text; words of letters only. */
export function refusalReason(body: string): string {
  let text = body;
  try {
    const parsed = JSON.parse(body) as unknown;
    text = '';
    if (parsed && typeof parsed === 'object') {
      const o = parsed as Record<string, unknown>;
      const field = [o.message, o.error, o.msg].find((v) => typeof v === 'string');
      text = typeof field === 'string' ? field : '';
    } else if (typeof parsed === 'string') text = parsed;
  } catch {
    // not JSON: the plain text is the reason
  }
  // Whole words of letters only: a word holding a digit or a symbol (a number, a SIP user, a password) is dropped.
  const words = text
    .split(/\s+/)
    .filter((w) => /^\p{L}[\p{L}'-]*[.,:]?$/u.test(w))
    .join(' ');
  if (!words) return '';
  return words.length > MAX_REASON ? `${words.slice(0, MAX_REASON - 1).trimEnd()}…` : words;
}
