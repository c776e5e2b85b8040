// Socket.IO 0.9 wire protocol (what Kazoo's Erlang Socket.IO server speaks): frames `type:id:endpoint:data`.
// Pure: decode() never throws; a frame it cannot read is a rejection with a reason. JSON is parsed with a nesting
// limit (json-limits.ts); the `\ufffd<len>\ufffd` payload framing lives in socketio09-payload.ts.
import { parseJsonBounded as parseJson } from './json-limits.js';

export { decodePayload, encodePayload, type PayloadPacket } from './socketio09-payload.js';

export type SioFrame =
  | { type: 'disconnect'; endpoint: string }
  | { type: 'connect'; endpoint: string; query?: string }
  | { type: 'heartbeat' }
  | { type: 'message'; id?: number; ackData: boolean; endpoint: string; data: string }
  | { type: 'json'; id?: number; ackData: boolean; endpoint: string; data: unknown }
  | { type: 'event'; id?: number; ackData: boolean; endpoint: string; name: string; args: unknown[] }
  | { type: 'ack'; ackId: number; args: unknown[] }
  | { type: 'error'; endpoint: string; reason: string; advice?: string }
  | { type: 'noop' };

export type SioFrameType = SioFrame['type'];
export type SioDecoded = { ok: true; frame: SioFrame } | { ok: false; reason: string };

export const HEARTBEAT = '2::';
export const DISCONNECT = '0::';
export const NOOP = '8::';

const TYPES: readonly SioFrameType[] = [
  'disconnect',
  'connect',
  'heartbeat',
  'message',
  'json',
  'event',
  'ack',
  'error',
  'noop',
];
/** A frame read: type ':' [id ['+']] ':' [endpoint] [':' data]. */
export interface FrameParts {
  type: number;
  /** The id's digits ('' when none). */
  id: string;
  ackData: boolean;
  endpoint: string;
  data: string;
}

const DIGIT_0 = 0x30;
const COLON = 0x3a;
const PLUS = 0x2b;
const MAX_ID_DIGITS = 15;

/**
 * The frame's parts, read by hand: a Kazoo event frame is ~1 KB of JSON after a few header characters, and a regex
 * over the whole frame costs more than the header. Reads exactly what `^([0-8]):(\d{0,15})(\+?):([^:]*)(?::(.*))?$`
 * (dot matching anything) would; undefined when that would not match.
 */
export function frameParts(frame: string): FrameParts | undefined {
  const type = frame.charCodeAt(0) - DIGIT_0;
  if (!(type >= 0 && type <= 8) || frame.charCodeAt(1) !== COLON) return undefined;
  let i = 2;
  while (i < frame.length && i - 2 < MAX_ID_DIGITS) {
    const d = frame.charCodeAt(i) - DIGIT_0;
    if (!(d >= 0 && d <= 9)) break;
    i++;
  }
  const id = frame.slice(2, i);
  const ackData = frame.charCodeAt(i) === PLUS;
  if (ackData) i++;
  if (frame.charCodeAt(i) !== COLON) return undefined;
  const colon = frame.indexOf(':', i + 1);
  if (colon < 0) return { type, id, ackData, endpoint: frame.slice(i + 1), data: '' };
  return { type, id, ackData, endpoint: frame.slice(i + 1, colon), data: frame.slice(colon + 1) };
}
const MAX_NAME = 128;

/**
 * `args` as the reference 0.9 client reads it (`[name].concat(args)`): an array is the argument list, a lone
 * object (Kazoo's README: `{"name":"CHANNEL_CREATE","args":{...}}`) or any other value is the one argument.
 */
function eventArgs(args: unknown): unknown[] {
  if (Array.isArray(args)) return args;
  return args === undefined || args === null ? [] : [args];
}

export function decode(frame: unknown): SioDecoded {
  if (typeof frame !== 'string') return { ok: false, reason: 'not_text' };
  const m = frameParts(frame);
  if (!m) return { ok: false, reason: 'bad_frame' };
  const type = TYPES[m.type];
  const id = m.id ? Number(m.id) : undefined;
  const ackData = m.ackData;
  if (ackData && id === undefined) return { ok: false, reason: 'bad_frame' };
  const endpoint = m.endpoint;
  const data = m.data;
  switch (type) {
    case 'disconnect':
      return { ok: true, frame: { type, endpoint } };
    case 'connect':
      return { ok: true, frame: data ? { type, endpoint, query: data } : { type, endpoint } };
    case 'heartbeat':
      return { ok: true, frame: { type } };
    case 'noop':
      return { ok: true, frame: { type } };
    case 'message':
      return { ok: true, frame: { type, id, ackData, endpoint, data } };
    case 'json': {
      const j = parseJson(data);
      if (!j.ok) return { ok: false, reason: j.reason };
      return { ok: true, frame: { type, id, ackData, endpoint, data: j.value } };
    }
    case 'event': {
      const j = parseJson(data);
      if (!j.ok) return { ok: false, reason: j.reason };
      const v = j.value as { name?: unknown; args?: unknown } | null;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, reason: 'bad_event' };
      if (typeof v.name !== 'string' || !v.name || v.name.length > MAX_NAME) return { ok: false, reason: 'bad_event' };
      return { ok: true, frame: { type, id, ackData, endpoint, name: v.name, args: eventArgs(v.args) } };
    }
    case 'ack': {
      const a = /^(\d{1,15})(?:\+([\s\S]*))?$/.exec(data);
      if (!a) return { ok: false, reason: 'bad_ack' };
      let args: unknown[] = [];
      if (a[2] !== undefined) {
        const j = parseJson(a[2]);
        if (!j.ok) return { ok: false, reason: j.reason };
        if (!Array.isArray(j.value)) return { ok: false, reason: 'bad_ack' };
        args = j.value;
      }
      return { ok: true, frame: { type, ackId: Number(a[1]), args } };
    }
    case 'error': {
      const plus = data.indexOf('+');
      const reason = plus >= 0 ? data.slice(0, plus) : data;
      const advice = plus >= 0 ? data.slice(plus + 1) : undefined;
      return { ok: true, frame: advice ? { type, endpoint, reason, advice } : { type, endpoint, reason } };
    }
    default:
      return { ok: false, reason: 'bad_frame' };
  }
}

/** `5:::{"name":…,"args":[…]}`, or `5:<ackId>+::{…}` when the sender wants an ack with data. */
export function encodeEvent(name: string, args: unknown[], ackId?: number): string {
  const id = ackId === undefined ? '' : `${ackId}+`;
  return `5:${id}::${JSON.stringify({ name, args })}`;
}

/** `6:::<ackId>` or `6:::<ackId>+[args]`. */
export function encodeAck(ackId: number, args?: unknown[]): string {
  return args === undefined ? `6:::${ackId}` : `6:::${ackId}+${JSON.stringify(args)}`;
}

/** Any frame back to its wire form (used by tests and fakes). */
export function encode(frame: SioFrame): string {
  const idPart = (id: number | undefined, ackData: boolean): string =>
    id === undefined ? '' : `${id}${ackData ? '+' : ''}`;
  switch (frame.type) {
    case 'disconnect':
      return `0::${frame.endpoint}`;
    case 'connect':
      return frame.query ? `1::${frame.endpoint}:${frame.query}` : `1::${frame.endpoint}`;
    case 'heartbeat':
      return HEARTBEAT;
    case 'noop':
      return NOOP;
    case 'message':
      return `3:${idPart(frame.id, frame.ackData)}:${frame.endpoint}:${frame.data}`;
    case 'json':
      return `4:${idPart(frame.id, frame.ackData)}:${frame.endpoint}:${JSON.stringify(frame.data)}`;
    case 'event':
      return `5:${idPart(frame.id, frame.ackData)}:${frame.endpoint}:${JSON.stringify({ name: frame.name, args: frame.args })}`;
    case 'ack':
      return encodeAck(frame.ackId, frame.args);
    case 'error':
      return `7::${frame.endpoint}:${frame.reason}${frame.advice ? `+${frame.advice}` : ''}`;
  }
}

export interface Handshake {
  sid: string;
  /** Heartbeat timeout the server announced (ms); undefined when heartbeats are off. */
  heartbeatMs?: number;
  closeTimeoutMs?: number;
  transports: string[];
}

/** On `no_websocket`, `transports` says what the server offered instead. */
export type HandshakeResult = { ok: true; handshake: Handshake } | { ok: false; reason: string; transports?: string[] };

/** `"<sid>:<heartbeat s>:<close timeout s>:websocket,xhr-polling"`; rejected when `websocket` is not offered. */
export function parseHandshake(body: unknown): HandshakeResult {
  if (typeof body !== 'string') return { ok: false, reason: 'not_text' };
  const text = body.trim();
  if (text.length > 4096) return { ok: false, reason: 'oversized' };
  const parts = text.split(':');
  if (parts.length !== 4) return { ok: false, reason: 'bad_handshake' };
  const [sid, hb, ct, tr] = parts;
  if (!/^[A-Za-z0-9_\-.~]{1,256}$/.test(sid)) return { ok: false, reason: 'bad_sid' };
  const secs = (s: string): number | undefined | null => {
    if (s === '') return undefined;
    if (!/^\d{1,6}$/.test(s)) return null;
    const n = Number(s);
    return n > 0 ? n * 1000 : undefined;
  };
  const heartbeatMs = secs(hb);
  const closeTimeoutMs = secs(ct);
  if (heartbeatMs === null || closeTimeoutMs === null) return { ok: false, reason: 'bad_timeouts' };
  const transports = tr
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (!transports.includes('websocket'))
    return {
      ok: false,
      reason: 'no_websocket',
      transports: transports.filter((t) => /^[\w-]{1,32}$/.test(t)).slice(0, 8),
    };
  const handshake: Handshake = { sid, transports };
  if (heartbeatMs !== undefined) handshake.heartbeatMs = heartbeatMs;
  if (closeTimeoutMs !== undefined) handshake.closeTimeoutMs = closeTimeoutMs;
  return { ok: true, handshake };
}
