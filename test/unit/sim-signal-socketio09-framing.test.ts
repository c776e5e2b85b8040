// Issue 9 item 7, the simulator's side: Socket.IO 0.9 event packets with `args` as an object as well as an array,
// and the events of one tick batched in one `\ufffd<len>\ufffd<packet>` message whose len counts code points.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { seededRandom } from '../../src/simulator/history.js';
import {
  codePointLength,
  decodePacket,
  encodePayload,
  splitPayload,
} from '../../src/simulator/signal-socketio09-codec.js';
import { waitFor } from '../helpers/wait.js';
import { callEvent, type Fixture, sioConnect, sioSubscribe, startFixture } from './sim-signal-fixture.js';

const T = suite('sim-signal socket.io 0.9 framing');
let f: Fixture | undefined;
T.after.each(async () => {
  await f?.close();
  f = undefined;
});

const NAME = 'Nguyễn Thị Thu Hà 🌸🏍️'; // diacritics (one code point each, NFC) and emoji (two UTF-16 units each)

T('payload framing counts Unicode code points, not UTF-16 units', () => {
  assert.is(codePointLength('🌸'), 1);
  assert.is(codePointLength(NAME), [...NAME].length);
  assert.ok(codePointLength(NAME) < NAME.length);
  const a = `5:::${JSON.stringify({ name: 'CHANNEL_CREATE', args: [{ 'Caller-ID-Name': NAME }] })}`;
  const b = '2::';
  const framed = encodePayload([a, b]);
  assert.ok(framed.startsWith(`\ufffd${[...a].length}\ufffd5:::`));
  assert.equal(splitPayload(framed), [a, b]);
  assert.is(splitPayload(`\ufffd${a.length}\ufffd${a}`), undefined, 'a UTF-16 length overruns the message');
});

async function subscribed(framing: { batch?: number; objectArgs?: number; random?: () => number }) {
  f = await startFixture({ framing });
  const c = await sioConnect(f);
  sioSubscribe(c, f.tokens.issue(60_000).value, 'call.*.*', 1);
  await c.next((t) => t.startsWith('6:::1'), 'subscribe ack');
  return c;
}

const withName = (name: string, id: string) => ({ ...callEvent(name, id), 'Caller-ID-Name': NAME });

T(
  'batch: the events of one tick go in one framed message; a 0.9 parser counting code points gets them all',
  async () => {
    const c = await subscribed({ batch: 1 });
    const created = withName('CHANNEL_CREATE', 'leg1');
    const answered = withName('CHANNEL_ANSWER', 'leg1');
    assert.is(f!.signals.publish(created), 1);
    assert.is(f!.signals.publish(answered), 1);
    const frame = await c.next((t) => t.startsWith('\ufffd'), 'a batched frame');
    const packets = splitPayload(frame)!;
    assert.is(packets.length, 2, 'both events in one message');
    const events = packets.map((p) => JSON.parse(decodePacket(p)!.data) as { name: string; args: unknown[] });
    assert.equal(
      events.map((e) => e.name),
      ['CHANNEL_CREATE', 'CHANNEL_ANSWER'],
    );
    assert.equal(events[0].args, [created]);
    assert.is((events[1].args[0] as Record<string, unknown>)['Caller-ID-Name'], NAME);
    assert.is(f!.signals.stats().socketio.batchedFrames, 1);
  },
);

T('object args: `"args":{payload}` as Kazoo\'s README shows', async () => {
  const c = await subscribed({ objectArgs: 1 });
  const payload = withName('CHANNEL_CREATE', 'leg2');
  f!.signals.publish(payload);
  const frame = await c.next((t) => t.startsWith('5:::'), 'event');
  assert.equal(JSON.parse(frame.slice(4)), { name: 'CHANNEL_CREATE', args: payload });
});

T('mixed (seeded): some batched, some single, some object args; every event arrives once, in order', async () => {
  const c = await subscribed({ batch: 0.5, objectArgs: 0.5, random: seededRandom(7) });
  const sent: string[] = [];
  for (let i = 0; i < 30; i++) {
    for (const n of ['CHANNEL_CREATE', 'CHANNEL_DESTROY']) {
      f!.signals.publish(withName(n, `leg${i}`));
      sent.push(`${n} leg${i}`);
    }
    await new Promise((r) => setImmediate(r)); // next tick: a new batch
  }
  const got = () =>
    c.texts
      .flatMap((t) => splitPayload(t) ?? [])
      .filter((p) => p.startsWith('5:::'))
      .map((p) => {
        const e = JSON.parse(p.slice(4)) as { name: string; args: unknown };
        const payload = (Array.isArray(e.args) ? e.args[0] : e.args) as Record<string, unknown>;
        return `${e.name} ${payload['Call-ID']}`;
      });
  await waitFor(() => got().length >= sent.length, { what: 'every event' });
  assert.equal(got(), sent);
  const st = f!.signals.stats().socketio;
  assert.ok(st.batchedFrames > 3 && st.batchedFrames < 27, `batched ${st.batchedFrames} of 30 ticks`);
  assert.ok(st.objectArgEvents > 10 && st.objectArgEvents < 50, `object args ${st.objectArgEvents} of 60`);
  assert.ok(
    c.texts.some((t) => t.startsWith('5:::')),
    'some single events too',
  );
});

T.run();
