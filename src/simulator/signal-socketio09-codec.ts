// Socket.IO 0.9 wire format (server side of the simulator). Frames are `type:id:endpoint:data`:
// 0 disconnect, 1 connect, 2 heartbeat, 3 message, 4 json, 5 event, 6 ack, 7 error, 8 noop.
// An id followed by `+` asks for a data ack (`6:::<id>+[...]`); an id alone asks for a plain ack (`6:::<id>`).
// Several packets may be framed in one message as `\ufffd<len>\ufffd<packet>...`.

export const PacketType = {
  disconnect: 0,
  connect: 1,
  heartbeat: 2,
  message: 3,
  json: 4,
  event: 5,
  ack: 6,
  error: 7,
  noop: 8,
} as const;

export interface Packet09 {
  type: number;
  id: string | undefined;
  /** true when the id carried `+` (the client wants the handler's data in the ack). */
  dataAck: boolean;
  endpoint: string;
  data: string;
}

export interface Event09 {
  name: string;
  args: unknown[];
}

const PACKET_RE = /^([0-9]+):([0-9]*)(\+?):([^:]*)(?::([\s\S]*))?$/;
const FRAME = '\ufffd';

/** Unicode code points in a string (what the `\ufffd<len>\ufffd` framing counts, not UTF-16 units). */
export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** The UTF-16 index `count` code points after `from` (or past the end: -1). */
function advanceCodePoints(s: string, from: number, count: number): number {
  let i = from;
  for (let k = 0; k < count; k++) {
    if (i >= s.length) return -1;
    const c = s.charCodeAt(i);
    const pair =
      c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
    i += pair ? 2 : 1;
  }
  return i;
}

/** Splits a websocket message into packet strings; undefined when the `\ufffd` framing is broken. Lengths in code points. */
export function splitPayload(text: string): string[] | undefined {
  if (!text.startsWith(FRAME)) return [text];
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] !== FRAME) return undefined;
    const end = text.indexOf(FRAME, i + 1);
    if (end < 0) return undefined;
    const lenStr = text.slice(i + 1, end);
    if (!/^[0-9]+$/.test(lenStr)) return undefined;
    const start = end + 1;
    const stop = advanceCodePoints(text, start, Number(lenStr));
    if (stop < 0) return undefined;
    out.push(text.slice(start, stop));
    i = stop;
  }
  return out;
}

/** Several packets in one message: `\ufffd<len>\ufffd<packet>…`, len in code points (as Kazoo's socket.io-cowboy counts). */
export function encodePayload(packets: string[]): string {
  return packets.map((p) => `${FRAME}${codePointLength(p)}${FRAME}${p}`).join('');
}

/** Parses one packet; undefined when it is not a Socket.IO 0.9 packet (unknown type included). */
export function decodePacket(s: string): Packet09 | undefined {
  const m = PACKET_RE.exec(s);
  if (!m) return undefined;
  const type = Number(m[1]);
  if (!Number.isInteger(type) || type < 0 || type > 8) return undefined;
  if (m[3] === '+' && m[2] === '') return undefined;
  return { type, id: m[2] === '' ? undefined : m[2], dataAck: m[3] === '+', endpoint: m[4], data: m[5] ?? '' };
}

/** Parses an event packet's data `{"name":…,"args":[…]}`; undefined when it is not one. */
export function decodeEvent(data: string): Event09 | undefined {
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.name !== 'string' || o.name.length === 0) return undefined;
  const args = o.args === undefined ? [] : o.args;
  if (!Array.isArray(args)) return undefined;
  return { name: o.name, args };
}

/** `5:::{"name":…,"args":[…]}`; args may also be one object (`"args":{…}`), as Kazoo's README shows and 0.9 clients accept. */
export function encodeEvent(name: string, args: unknown[] | Record<string, unknown>): string {
  return `5:::${JSON.stringify({ name, args })}`;
}

/** `6:::<id>` for a plain ack, `6:::<id>+[...]` for a data ack. */
export function encodeAck(id: string, args?: unknown[]): string {
  return args === undefined ? `6:::${id}` : `6:::${id}+${JSON.stringify(args)}`;
}

export const CONNECT_FRAME = '1::';
export const HEARTBEAT_FRAME = '2::';
export const ERROR_FRAME = '7:::';
/** What a 0.9 server sends to a websocket whose sid was never handshaken: reason 1 (client not handshaken), advice 0 (reconnect). */
export const NOT_HANDSHAKEN_FRAME = '7:::1+0';
