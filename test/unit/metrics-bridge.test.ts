// BridgeMetrics: every typed method moves its series; one registry per instance; bounded labels; GET /metrics.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BridgeMetrics, LATENCY_BUCKETS, METRICS_PREFIX as P } from '../../src/http/metrics.js';
import { parsePrometheusText, sampleSum, sampleValue } from '../helpers/metrics-text.js';

const read = async (m: BridgeMetrics) => parsePrometheusText(await m.text());

test('every family is declared with its type, and starts at zero', async () => {
  const f = await read(new BridgeMetrics());
  const types = Object.fromEntries([...f.values()].map((x) => [x.name, x.type]));
  assert.equal(types, {
    [`${P}signal_state`]: 'gauge',
    [`${P}signal_reconnects_total`]: 'counter',
    [`${P}signal_frames_total`]: 'counter',
    [`${P}signal_rejected_total`]: 'counter',
    [`${P}call_messages_total`]: 'counter',
    [`${P}call_publish_rejected_total`]: 'counter',
    [`${P}socket_events_throttled_total`]: 'counter',
    [`${P}ring_to_emit_seconds`]: 'histogram',
    [`${P}crm_lookups_total`]: 'counter',
    [`${P}sockets`]: 'gauge',
    [`${P}click_to_call_total`]: 'counter',
    [`${P}token_refreshes_total`]: 'counter',
    [`${P}dashboard_polls_total`]: 'counter',
  });
  assert.is(sampleValue(f, `${P}signal_state`, { state: 'idle' }), 1);
  assert.is(sampleSum(f, `${P}signal_state`), 1);
  assert.is(sampleValue(f, `${P}sockets`, { role: 'wallboard' }), 0);
  assert.is(sampleValue(f, `${P}call_messages_total`, { audience: 'agent' }), 0);
  assert.is(sampleValue(f, `${P}signal_reconnects_total`), 0);
});

test('signal state, reconnects (backoff → connecting), frames and rejections', async () => {
  const m = new BridgeMetrics();
  for (const s of [
    'connecting',
    'subscribing',
    'live',
    'backoff',
    'connecting',
    'backoff',
    'connecting',
    'subscribing',
    'live',
  ])
    m.signalState(s);
  m.signalFrame('event');
  m.signalFrame('event');
  m.signalFrame('heartbeat');
  m.signalReject('bad_json');
  const f = await read(m);
  assert.is(sampleValue(f, `${P}signal_state`, { state: 'live' }), 1);
  assert.is(sampleSum(f, `${P}signal_state`), 1);
  assert.is(sampleValue(f, `${P}signal_reconnects_total`), 2);
  assert.is(sampleValue(f, `${P}signal_frames_total`, { type: 'event' }), 2);
  assert.is(sampleValue(f, `${P}signal_frames_total`, { type: 'heartbeat' }), 1);
  assert.is(sampleValue(f, `${P}signal_rejected_total`, { reason: 'bad_json' }), 1);
  m.signalState('stopped');
  m.signalState('connecting');
  assert.is(
    sampleValue(await read(m), `${P}signal_reconnects_total`),
    2,
    'a new subscriber after stopped is no reconnect',
  );
});

test('call messages and the ring-to-emit histogram (seconds, 1 ms .. 1 s buckets)', async () => {
  let now = 1000;
  const m = new BridgeMetrics({ monotonic: () => now });
  now = 1004; // 4 ms after the frame
  m.callEmitted('agent', 'ringing', 1000);
  now = 1250;
  m.callEmitted('call', 'ringing', 1000);
  m.callEmitted('call', 'ended', 0); // no receivedAt: counted, not timed
  m.callEmitted('call', 'ended', 2000); // from the future: counted, not timed
  m.callRejected('org_mismatch');
  const f = await read(m);
  assert.is(sampleValue(f, `${P}call_messages_total`, { audience: 'agent' }), 1);
  assert.is(sampleValue(f, `${P}call_messages_total`, { audience: 'call' }), 3);
  assert.is(sampleValue(f, `${P}call_publish_rejected_total`, { reason: 'org_mismatch' }), 1);
  assert.is(sampleValue(f, `${P}ring_to_emit_seconds_count`, { state: 'ringing' }), 2);
  assert.ok(Math.abs(sampleValue(f, `${P}ring_to_emit_seconds_sum`, { state: 'ringing' })! - 0.254) < 1e-9);
  assert.is(sampleValue(f, `${P}ring_to_emit_seconds_bucket`, { state: 'ringing', le: '0.003' }), 0);
  assert.is(sampleValue(f, `${P}ring_to_emit_seconds_bucket`, { state: 'ringing', le: '0.005' }), 1);
  assert.is(sampleValue(f, `${P}ring_to_emit_seconds_bucket`, { state: 'ringing', le: '0.2' }), 1);
  assert.is(sampleValue(f, `${P}ring_to_emit_seconds_bucket`, { state: 'ringing', le: '0.3' }), 2);
  assert.is(sampleValue(f, `${P}ring_to_emit_seconds_bucket`, { state: 'ringing', le: '+Inf' }), 2);
  assert.is(sampleValue(f, `${P}ring_to_emit_seconds_count`, { state: 'ended' }), undefined);
  assert.is(LATENCY_BUCKETS[0], 0.001);
  assert.is(LATENCY_BUCKETS.at(-1), 1);
});

test('CRM lookups, sockets, dials, token refreshes, dashboard polls', async () => {
  const m = new BridgeMetrics();
  m.crmLookup({ result: 'found', cache: 'miss' });
  m.crmLookup({ result: 'found', cache: 'hit' });
  m.crmLookup({ result: 'found', cache: 'hit' });
  m.socketChange('agent', 1);
  m.socketChange('agent', 1);
  m.socketChange('agent', -1);
  m.socketChange('admin', 1);
  m.observeDial('dialing');
  m.observeDial('dnc');
  m.observeDial('dnc');
  m.tokenRefresh({ ok: true, reason: 'start' });
  m.tokenRefresh({ ok: false, reason: 'retry' });
  m.dashboardPoll('ok', true);
  m.dashboardPoll('ok', false);
  m.dashboardPoll('error', false);
  const f = await read(m);
  assert.is(sampleValue(f, `${P}crm_lookups_total`, { result: 'found', cache: 'hit' }), 2);
  assert.is(sampleSum(f, `${P}crm_lookups_total`), 3);
  assert.is(sampleValue(f, `${P}sockets`, { role: 'agent' }), 1);
  assert.is(sampleValue(f, `${P}sockets`, { role: 'admin' }), 1);
  assert.is(sampleValue(f, `${P}click_to_call_total`, { code: 'dnc' }), 2);
  assert.is(sampleValue(f, `${P}click_to_call_total`, { code: 'dialing' }), 1);
  assert.is(sampleValue(f, `${P}token_refreshes_total`, { result: 'ok', reason: 'start' }), 1);
  assert.is(sampleValue(f, `${P}token_refreshes_total`, { result: 'error', reason: 'retry' }), 1);
  assert.is(sampleValue(f, `${P}dashboard_polls_total`, { result: 'ok', changed: 'true' }), 1);
  assert.is(sampleSum(f, `${P}dashboard_polls_total`), 3);
});

test('two instances do not share a registry (two bridges in one process)', async () => {
  const a = new BridgeMetrics();
  const b = new BridgeMetrics();
  a.observeDial('dialing');
  assert.is(sampleValue(await read(a), `${P}click_to_call_total`, { code: 'dialing' }), 1);
  assert.is(sampleValue(await read(b), `${P}click_to_call_total`, { code: 'dialing' }), undefined);
});

test('labels are sanitised and capped', async () => {
  const m = new BridgeMetrics();
  m.signalReject('has space"quote');
  for (let i = 0; i < 100; i++) m.signalReject(`reason_${i}`);
  const f = await read(m);
  assert.is(sampleValue(f, `${P}signal_rejected_total`, { reason: 'invalid' }), 1);
  const series = f.get(`${P}signal_rejected_total`)!.samples.length;
  assert.ok(series <= 65, `bounded series (${series})`);
  assert.ok((sampleValue(f, `${P}signal_rejected_total`, { reason: 'other' }) ?? 0) >= 36, 'the rest counted as other');
});

test('router(): GET /metrics serves the text format', async () => {
  const m = new BridgeMetrics();
  m.signalFrame('event');
  const app = express();
  app.use(m.router());
  const server = http.createServer(app).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
    assert.is(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const f = parsePrometheusText(await res.text());
    assert.is(sampleValue(f, `${P}signal_frames_total`, { type: 'event' }), 1);
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('optional default Node metrics in the same registry', async () => {
  const m = new BridgeMetrics({ defaultMetrics: true });
  const f = await read(m);
  assert.ok(f.has(`${P}process_cpu_user_seconds_total`), 'process metrics present');
});

test.run();
