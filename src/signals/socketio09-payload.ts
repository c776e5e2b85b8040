// Socket.IO 0.9 payload framing: several packets in one message as `\ufffd<len>\ufffd<packet>…`.
// `len` counts Unicode code points (Kazoo's Erlang server counts characters); JavaScript 0.9 servers count UTF-16
// units, which differ only for astral characters (emoji): a length that does not land on a packet boundary in code
// points is tried in UTF-16 units. A packet whose length fits neither is lost alone: reading resumes at the next
// `\ufffd<digits>\ufffd` header. Pure, never throws.

export type PayloadPacket = { ok: true; packet: string } | { ok: false; reason: 'bad_payload_framing' };

const MARK = '\ufffd';
/** A high surrogate: where a code point count and a UTF-16 length can differ. */
const HIGH_SURROGATE = /[\ud800-\udbff]/;
const HEADER = /\ufffd(\d{1,9})\ufffd/y;
const NEXT_HEADER = /\ufffd\d{1,9}\ufffd/g;

/** Index after `count` code points from `start`; -1 when the text ends first. */
function advanceCodePoints(text: string, start: number, count: number): number {
  let i = start;
  for (let n = 0; n < count; n++) {
    if (i >= text.length) return -1;
    const c = text.charCodeAt(i);
    const astral = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    i += astral ? 2 : 1;
  }
  return i;
}

const atBoundary = (text: string, i: number): boolean =>
  i === text.length || (i >= 0 && i < text.length && text[i] === MARK);

function nextHeaderAt(text: string, from: number): number {
  NEXT_HEADER.lastIndex = from;
  const m = NEXT_HEADER.exec(text);
  return m ? m.index : -1;
}

/** A message without the mark is one packet. Every packet framed in it, each readable or not. */
export function decodePayload(text: string): PayloadPacket[] {
  if (!text.startsWith(MARK)) return [{ ok: true, packet: text }];
  const out: PayloadPacket[] = [];
  // Without astral characters a code point is one UTF-16 unit: lengths need no per-character walk.
  const bmpOnly = !HIGH_SURROGATE.test(text);
  let i = 0;
  while (i < text.length) {
    HEADER.lastIndex = i;
    const m = HEADER.exec(text);
    if (m) {
      const start = i + m[0].length;
      const len = Number(m[1]);
      let end = bmpOnly ? (start + len <= text.length ? start + len : -1) : advanceCodePoints(text, start, len);
      if (!atBoundary(text, end)) end = start + len <= text.length && atBoundary(text, start + len) ? start + len : -1;
      if (end >= 0) {
        out.push({ ok: true, packet: text.slice(start, end) });
        i = end;
        continue;
      }
    }
    // Broken header or a length that fits no reading: this packet is lost, the next header is read.
    out.push({ ok: false, reason: 'bad_payload_framing' });
    const next = nextHeaderAt(text, i + 1);
    if (next < 0) break;
    i = next;
  }
  return out;
}

/** One packet as is; several framed with their lengths in code points. */
export function encodePayload(packets: string[]): string {
  if (packets.length === 1) return packets[0];
  return packets.map((p) => `${MARK}${[...p].length}${MARK}${p}`).join('');
}
