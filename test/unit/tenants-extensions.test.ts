// Extensions (tenants/extensions.ts): hooks run in the order given, a failing hook is logged and the next ones still
// run, onCallEnded follows the ending update, onTenantStop runs in reverse; the metrics and write-back extensions
// drive what they wrap.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CallView } from '../../src/contract.js';
import type { PipelineUpdate } from '../../src/runtime/update.js';
import {
  type Extension,
  metricsExtension,
  TenantExtensions,
  writebackExtension,
} from '../../src/tenants/extensions.js';
import { captureLogger } from '../helpers/logs.js';

const upd = (state: string): PipelineUpdate =>
  ({ callId: 'c1', state, audience: { kind: 'call' }, receivedAt: 5 }) as unknown as PipelineUpdate;

function recorder(name: string, seen: string[], fail?: string): Extension {
  const hit = (hook: string) => {
    seen.push(`${name}.${hook}`);
    if (hook === fail) throw new Error(`${name} ${hook} broke`);
  };
  return {
    name,
    onTenantStart: async () => hit('start'),
    onCallUpdate: (u) => hit(`update:${u.state}`),
    onCallEnded: () => hit('ended'),
    onCallEmitted: (v) => hit(`emitted:${v.state}`),
    onCallRejected: (r) => hit(`rejected:${r}`),
    onTenantStop: async () => hit('stop'),
  };
}

test('hooks run in order; a failing hook is logged and the others still run; stop in reverse', async () => {
  const seen: string[] = [];
  const logs = captureLogger('debug');
  const x = new TenantExtensions([recorder('a', seen, 'update:ringing')], { org: 'o1', logger: logs.logger });
  x.use(recorder('b', seen, 'start'));
  await x.start();
  assert.throws(() => x.use(recorder('c', seen)), /before the tenant starts/);
  const c = x.consumer();
  c.consume(upd('ringing'));
  c.consume(upd('ended'));
  x.emitted({ state: 'ended' } as CallView, upd('ended'));
  x.rejected('stale');
  await x.stop();
  await x.stop();
  c.consume(upd('ringing'));
  assert.equal(seen, [
    'a.start',
    'b.start',
    'a.update:ringing',
    'b.update:ringing',
    'a.update:ended',
    'a.ended',
    'b.update:ended',
    'b.ended',
    'a.emitted:ended',
    'b.emitted:ended',
    'a.rejected:stale',
    'b.rejected:stale',
    'b.stop',
    'a.stop',
  ]);
  const failed = logs.records.filter((l) => l.msg === 'extension hook failed').map((l) => `${l.extension}.${l.hook}`);
  assert.equal(failed, ['b.onTenantStart', 'a.onCallUpdate']);
});

test('metrics: emitted messages and their latency, rejections', () => {
  const got: unknown[] = [];
  const x = new TenantExtensions(
    [
      metricsExtension({
        callEmitted: (...a) => got.push(['emitted', ...a]),
        callRejected: (r) => got.push(['rejected', r]),
      }),
    ],
    { org: 'o1', logger: captureLogger('silent').logger },
  );
  x.emitted({ state: 'ringing' } as CallView, upd('ringing'));
  x.rejected('invalid');
  assert.equal(got, [
    ['emitted', 'call', 'ringing', 5],
    ['rejected', 'invalid'],
  ]);
});

test('write-back: starts with the tenant, consumes every update, stops consumer then outbox', async () => {
  const got: string[] = [];
  const wb = {
    consumer: {
      name: 'writeback',
      consume: (u: PipelineUpdate) => void got.push(`consume:${u.state}`),
      stop: async () => void got.push('consumer.stop'),
    },
    start: async () => void got.push('start'),
    stop: async () => void got.push('stop'),
  };
  const x = new TenantExtensions([writebackExtension(wb)], { org: 'o1', logger: captureLogger('silent').logger });
  await x.start();
  x.consumer().consume(upd('ended'));
  await x.stop();
  assert.equal(got, ['start', 'consume:ended', 'consumer.stop', 'stop']);
});

test.run();
