// The Prometheus text parser used to read /metrics back in tests.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MetricsParseError, parsePrometheusText, sampleSum, sampleValue } from '../helpers/metrics-text.js';

const TEXT = `# HELP http_requests_total The total.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"} 3
# a plain comment
# TYPE rtt histogram
rtt_bucket{le="0.05"} 1
rtt_bucket{le="+Inf"} 2
rtt_sum 0.31
rtt_count 2
# TYPE odd gauge
odd{path="a\\\\b",msg="say \\"hi\\"\\nbye"} -1.5e-3
odd{x="y"} Nan
odd{x="z"} +Inf
plain 4
`;

test('families, types, help, labels with escapes, special values', () => {
  const f = parsePrometheusText(TEXT);
  assert.is(f.get('http_requests_total')?.type, 'counter');
  assert.is(f.get('http_requests_total')?.help, 'The total.');
  assert.is(f.get('http_requests_total')?.samples.length, 2);
  assert.is(f.get('rtt')?.type, 'histogram');
  assert.equal(
    f.get('rtt')?.samples.map((s) => s.name),
    ['rtt_bucket', 'rtt_bucket', 'rtt_sum', 'rtt_count'],
  );
  assert.is(sampleValue(f, 'rtt_bucket', { le: '+Inf' }), 2);
  assert.is(sampleValue(f, 'http_requests_total', { code: '200' }), 1027);
  assert.is(sampleSum(f, 'http_requests_total', { method: 'post' }), 1030);
  assert.equal(f.get('odd')?.samples[0].labels, { path: 'a\\b', msg: 'say "hi"\nbye' });
  assert.is(sampleValue(f, 'odd', { path: 'a\\b' }), -0.0015);
  assert.ok(Number.isNaN(sampleValue(f, 'odd', { x: 'y' })));
  assert.is(sampleValue(f, 'odd', { x: 'z' }), Infinity);
  assert.is(f.get('plain')?.type, 'untyped');
  assert.is(sampleValue(f, 'nothing'), undefined);
});

test('malformed lines are refused with their line number', () => {
  for (const bad of ['x{a="b"', 'x{a=b} 1', 'x 1 2 3', 'x', 'x abc', '# TYPE x weird', '1x 2', 'x{a="b"} 1 1.5']) {
    try {
      parsePrometheusText(`ok 1\n${bad}\n`);
      assert.unreachable(`accepted: ${bad}`);
    } catch (err) {
      assert.instance(err, MetricsParseError, bad);
      assert.is((err as MetricsParseError).line, 2);
    }
  }
});

test.run();
