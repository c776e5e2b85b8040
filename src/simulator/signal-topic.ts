// Kazoo call-event routing keys and AMQP topic matching (pure logic, no I/O).
// A call event is published on `call.<Event-Name>.<Call-ID>`; a binding matches it with AMQP topic
// rules: `*` is exactly one dot-separated word, `#` zero or more words.

/** Kazoo's amqp_util:encode: a Call-ID that contains `.`, `*` or `#` must not split or wildcard the key. */
export function encodeRoutingWord(word: string): string {
  return word.replace(/%/g, '%25').replace(/\./g, '%2E').replace(/\*/g, '%2A').replace(/#/g, '%23');
}

export interface CallRoute {
  eventName: string;
  callId: string;
  routingKey: string;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The webhooks shape's `hook_event` (`channel_create`) as an Event-Name (`CHANNEL_CREATE`). */
const hookEventName = (v: unknown): string | undefined => str(v)?.toUpperCase();

/** `call.<Event-Name>.<Call-ID>` from a Title-Case payload (snake_case and webhooks' hook_event accepted); undefined when a part is missing. */
export function callRouteOf(payload: Record<string, unknown>): CallRoute | undefined {
  const eventName = str(payload['Event-Name']) ?? str(payload.event_name) ?? hookEventName(payload.hook_event);
  const callId = str(payload['Call-ID']) ?? str(payload.call_id);
  if (!eventName || !callId) return undefined;
  return { eventName, callId, routingKey: `call.${encodeRoutingWord(eventName)}.${encodeRoutingWord(callId)}` };
}

/** The tenant of an event: `Custom-Channel-Vars.Account-ID` (snake_case accepted; webhooks shape: top-level account_id). */
export function accountIdOf(payload: Record<string, unknown>): string | undefined {
  const ccv = obj(payload['Custom-Channel-Vars']) ?? obj(payload.custom_channel_vars);
  return str(ccv?.['Account-ID']) ?? str(ccv?.account_id) ?? str(payload.account_id);
}

/** A binding the simulated server accepts: a non-empty string of at most 255 characters with no empty word. */
export function isValidBinding(binding: unknown): binding is string {
  if (typeof binding !== 'string' || binding.length === 0 || binding.length > 255) return false;
  return binding.split('.').every((w) => w.length > 0);
}

/** AMQP topic matching: `*` matches exactly one word, `#` zero or more. */
export function bindingMatches(binding: string, routingKey: string): boolean {
  const pat = binding.split('.');
  const key = routingKey.split('.');
  // reach[j]: pattern prefix processed so far can consume exactly the first j words of the key.
  let reach = new Array<boolean>(key.length + 1).fill(false);
  reach[0] = true;
  for (const p of pat) {
    const next = new Array<boolean>(key.length + 1).fill(false);
    if (p === '#') {
      let any = false;
      for (let j = 0; j <= key.length; j++) {
        any = any || reach[j];
        next[j] = any;
      }
    } else {
      for (let j = 0; j < key.length; j++) {
        if (reach[j] && (p === '*' || p === key[j])) next[j + 1] = true;
      }
    }
    reach = next;
    if (!reach.some(Boolean)) return false;
  }
  return reach[key.length];
}
