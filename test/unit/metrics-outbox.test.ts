// The outbox's Prometheus families (src/http/outbox-metrics.ts): read from the source at each scrape; a store that
// cannot answer keeps the last values and is counted in outbox_stats_errors_total (never silently).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BridgeMetrics } from '../../src/http/metrics.js';
import { parsePrometheusText, sampleValue } from '../helpers/metrics-text.js';

test('depth and results from the source; a failing store keeps the last values and is counted', async () => {
  const m = new BridgeMetrics();
  let fail = false;
  let pending = 3;
  m.outbox({
    stats: async () => {
      if (fail) throw new Error('redis is reconnecting');
      return { pending, delivered: 7, failed: 1, oldestPendingSec: 12 };
    },
    counters: () => ({
      enqueued: 10,
      duplicates: 1,
      attempts: 9,
      delivered: 7,
      retried: 2,
      failed: 1,
      attemptsByTarget: { 'antcrm.ticket': 6, webhook: 3 },
    }),
    webhooksDisabled: () => 2,
  });
  const p = 'antring_bridge_';
  let f = parsePrometheusText(await m.text());
  assert.is(sampleValue(f, `${p}outbox_deliveries`, { state: 'pending' }), 3);
  assert.is(sampleValue(f, `${p}outbox_oldest_pending_seconds`, {}), 12);
  assert.is(sampleValue(f, `${p}outbox_results_total`, { result: 'retried' }), 2);
  assert.is(sampleValue(f, `${p}outbox_attempts_total`, { target: 'webhook' }), 3);
  assert.is(sampleValue(f, `${p}webhook_endpoints_disabled`, {}), 2);
  assert.is(sampleValue(f, `${p}outbox_stats_errors_total`, {}), 0);
  fail = true;
  pending = 99;
  f = parsePrometheusText(await m.text());
  assert.is(sampleValue(f, `${p}outbox_deliveries`, { state: 'pending' }), 3, 'the last value is kept');
  assert.is(sampleValue(f, `${p}outbox_stats_errors_total`, {}), 2, 'both gauges counted the failure');
  fail = false;
  f = parsePrometheusText(await m.text());
  assert.is(sampleValue(f, `${p}outbox_deliveries`, { state: 'pending' }), 99);
});

test.run();
