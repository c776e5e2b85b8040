// The `org` label of several tenants (contract §8.4): the call, pop, upstream and outbox series of each tenant are
// apart; a removed tenant's series leave; the families keep their names, help and buckets; a tenant's labelled
// children are made once, not per message.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { OutboxMetricsSource } from '../../src/http/metrics.js';
import { BridgeMetrics, METRICS_PREFIX as P } from '../../src/http/metrics.js';
import { OrgMetrics } from '../../src/server/org-metrics.js';
import { parsePrometheusText, sampleSum, sampleValue } from '../helpers/metrics-text.js';

const outbox = (pending: number, ticket: number): OutboxMetricsSource => ({
  stats: async () => ({ pending, delivered: 1, failed: 0, oldestPendingSec: pending * 10 }),
  counters: () => ({
    enqueued: pending + 1,
    duplicates: 0,
    attempts: ticket,
    delivered: 1,
    retried: 0,
    failed: 0,
    attemptsByTarget: { 'antcrm.ticket': ticket },
  }),
});

function setup() {
  let now = 1000;
  const base = new BridgeMetrics({ monotonic: () => now });
  const orgs = new Map([
    ['a000', outbox(2, 3)],
    ['b000', outbox(5, 7)],
  ]);
  const m = new OrgMetrics(
    base,
    () => [...orgs].map(([org, source]) => ({ org, source })),
    () => now,
  );
  return { base, m, orgs, tick: (ms: number) => (now += ms) };
}

test('each tenant’s call, pop, upstream and token series carry its org', async () => {
  const { base, m, tick } = setup();
  const a = m.forOrg('a000');
  const b = m.forOrg('b000');
  a.signalState('live');
  b.signalState('backoff');
  b.signalState('connecting');
  a.signalFrame('event');
  a.signalFrame('event');
  b.signalReject('bad_json');
  a.callEmitted('call', 'ringing', 990);
  tick(5);
  a.callEmitted('agent', 'ringing', 1000);
  b.callEmitted('call', 'ended', 1004);
  b.callRejected('stale');
  a.tokenRefresh({ ok: true, reason: 'start' });
  a.crmLookup({ result: 'found', cache: 'miss' });
  const f = parsePrometheusText(await base.text());
  assert.is(sampleValue(f, `${P}signal_state`, { state: 'live', org: 'a000' }), 1);
  assert.is(sampleValue(f, `${P}signal_state`, { state: 'connecting', org: 'b000' }), 1);
  assert.is(sampleValue(f, `${P}signal_state`, { state: 'live', org: 'b000' }), 0, 'each tenant its own state');
  assert.is(sampleValue(f, `${P}signal_reconnects_total`, { org: 'b000' }), 1);
  assert.is(sampleValue(f, `${P}signal_reconnects_total`, { org: 'a000' }), 0);
  assert.is(sampleValue(f, `${P}signal_frames_total`, { type: 'event', org: 'a000' }), 2);
  assert.is(sampleValue(f, `${P}signal_rejected_total`, { reason: 'bad_json', org: 'b000' }), 1);
  assert.is(sampleValue(f, `${P}call_messages_total`, { audience: 'call', org: 'a000' }), 1);
  assert.is(sampleValue(f, `${P}call_messages_total`, { audience: 'agent', org: 'a000' }), 1);
  assert.is(sampleValue(f, `${P}call_messages_total`, { audience: 'call', org: 'b000' }), 1);
  assert.is(sampleValue(f, `${P}ring_to_emit_seconds_count`, { state: 'ringing', org: 'a000' }), 2);
  assert.is(sampleValue(f, `${P}ring_to_emit_seconds_sum`, { state: 'ringing', org: 'a000' }), 0.015);
  assert.is(sampleValue(f, `${P}ring_to_emit_seconds_bucket`, { state: 'ended', org: 'b000', le: '0.002' }), 1);
  assert.is(sampleValue(f, `${P}call_publish_rejected_total`, { reason: 'stale', org: 'b000' }), 1);
  assert.is(sampleValue(f, `${P}token_refreshes_total`, { result: 'ok', reason: 'start', org: 'a000' }), 1);
  assert.is(sampleValue(f, `${P}crm_lookups_total`, { result: 'found', cache: 'miss' }), 1, 'others unlabelled');
  assert.is(f.get(`${P}ring_to_emit_seconds`)?.type, 'histogram');
  assert.ok((await base.text()).includes('# HELP antring_bridge_call_messages_total Socket.IO `call` messages'));
});

test('the outbox series per tenant; a removed tenant’s series leave', async () => {
  const { base, m, orgs } = setup();
  m.forOrg('a000').callEmitted('call', 'ringing', 999);
  m.forOrg('b000').callEmitted('call', 'ringing', 999);
  let f = parsePrometheusText(await base.text());
  assert.is(sampleValue(f, `${P}outbox_deliveries`, { state: 'pending', org: 'a000' }), 2);
  assert.is(sampleValue(f, `${P}outbox_deliveries`, { state: 'pending', org: 'b000' }), 5);
  assert.is(sampleValue(f, `${P}outbox_oldest_pending_seconds`, { org: 'b000' }), 50);
  assert.is(sampleValue(f, `${P}outbox_results_total`, { result: 'enqueued', org: 'a000' }), 3);
  assert.is(sampleValue(f, `${P}outbox_attempts_total`, { target: 'antcrm.ticket', org: 'b000' }), 7);
  assert.is(sampleValue(f, `${P}webhook_endpoints_disabled`, { org: 'a000' }), 0);
  orgs.delete('b000');
  m.dropOrg('b000');
  f = parsePrometheusText(await base.text());
  assert.is(sampleValue(f, `${P}outbox_deliveries`, { state: 'pending', org: 'b000' }), undefined);
  assert.is(sampleValue(f, `${P}call_messages_total`, { org: 'b000' }), undefined);
  assert.is(sampleSum(f, `${P}call_messages_total`), 1);
});

test('a tenant’s labelled children are made once: no label object per message', () => {
  const { m } = setup();
  const a = m.forOrg('a000');
  assert.is(m.forOrg('a000'), a, 'one view per org');
  const fam = (m as unknown as { fam: Map<string, { labels: (...x: unknown[]) => unknown }> }).fam;
  const counter = fam.get('call_messages_total')!;
  let made = 0;
  const labels = counter.labels.bind(counter);
  counter.labels = (...x: unknown[]) => {
    made++;
    return labels(...x);
  };
  for (let i = 0; i < 1000; i++) a.callEmitted('call', 'ringing', 999);
  assert.is(made, 0, 'the children made at the view’s creation are reused');
});

test.run();
