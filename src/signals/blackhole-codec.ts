// Kazoo blackhole (4.1+) JSON actions over a plain websocket.
// Pure: decodeServerFrame() never throws; a frame it cannot read is a rejection with a reason.
import { parseJsonBounded } from './json-limits.js';

export interface SubscribeRequest {
  authToken: string;
  requestId: string;
  accountId: string;
  binding: string;
}

export type BlackholeReply = {
  type: 'reply';
  requestId: string;
  status: 'success' | 'error';
  data: Record<string, unknown>;
  /** `data.response == "pong"`: the answer to a ping. */
  pong: boolean;
};

export type BlackholeEvent = {
  type: 'event';
  subscribedKey?: string;
  subscriptionKey?: string;
  name?: string;
  routingKey?: string;
  data: Record<string, unknown>;
};

export type BlackholeServerFrame = BlackholeReply | BlackholeEvent;
export type BlackholeDecoded = { ok: true; frame: BlackholeServerFrame } | { ok: false; reason: string };

function subscription(action: 'subscribe' | 'unsubscribe', r: SubscribeRequest): string {
  return JSON.stringify({
    action,
    auth_token: r.authToken,
    request_id: r.requestId,
    data: { account_id: r.accountId, binding: r.binding },
  });
}

export function encodeSubscribe(r: SubscribeRequest): string {
  return subscription('subscribe', r);
}

export function encodeUnsubscribe(r: SubscribeRequest): string {
  return subscription('unsubscribe', r);
}

export function encodePing(requestId: string): string {
  return JSON.stringify({ action: 'ping', request_id: requestId });
}

/** Server side, for fakes and tests. */
export function encodeReply(
  requestId: string,
  status: 'success' | 'error',
  data: Record<string, unknown> = {},
): string {
  return JSON.stringify({ action: 'reply', request_id: requestId, status, data });
}

export function encodeEventFrame(e: {
  subscribedKey: string;
  subscriptionKey?: string;
  name: string;
  routingKey: string;
  data: unknown;
}): string {
  return JSON.stringify({
    action: 'event',
    subscribed_key: e.subscribedKey,
    subscription_key: e.subscriptionKey ?? e.subscribedKey,
    name: e.name,
    routing_key: e.routingKey,
    data: e.data,
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optStr = (v: unknown): string | undefined => (typeof v === 'string' && v.length <= 1024 ? v : undefined);

export function decodeServerFrame(text: unknown): BlackholeDecoded {
  if (typeof text !== 'string') return { ok: false, reason: 'not_text' };
  const j = parseJsonBounded(text);
  if (!j.ok) return { ok: false, reason: j.reason };
  const v = j.value;
  if (!isObject(v)) return { ok: false, reason: 'not_object' };
  switch (v.action) {
    case 'reply': {
      if (typeof v.request_id !== 'string' || !v.request_id || v.request_id.length > 256)
        return { ok: false, reason: 'bad_reply' };
      if (v.status !== 'success' && v.status !== 'error') return { ok: false, reason: 'bad_reply' };
      const data = isObject(v.data) ? v.data : {};
      return {
        ok: true,
        frame: { type: 'reply', requestId: v.request_id, status: v.status, data, pong: data.response === 'pong' },
      };
    }
    case 'event': {
      if (!isObject(v.data)) return { ok: false, reason: 'bad_event' };
      const frame: BlackholeEvent = { type: 'event', data: v.data };
      // Plain assignments (no closure per frame); only the readable strings become keys, in this order.
      const subscribedKey = optStr(v.subscribed_key);
      if (subscribedKey !== undefined) frame.subscribedKey = subscribedKey;
      const subscriptionKey = optStr(v.subscription_key);
      if (subscriptionKey !== undefined) frame.subscriptionKey = subscriptionKey;
      const name = optStr(v.name);
      if (name !== undefined) frame.name = name;
      const routingKey = optStr(v.routing_key);
      if (routingKey !== undefined) frame.routingKey = routingKey;
      return { ok: true, frame };
    }
    default:
      return { ok: false, reason: 'unknown_action' };
  }
}
