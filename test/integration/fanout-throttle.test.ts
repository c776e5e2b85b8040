// One socket sends 10,000 `dial` events at once: the per-socket token bucket lets a burst through, answers the
// excess `rate_limited` (counted), disconnects the socket for abuse, and click-to-call itself sees only the burst.
// The event-loop delay during the flood is measured (perf_hooks) and printed; no tight time threshold is asserted.

import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createJwtVerifier } from '../../src/fanout/jwt.js';
import { MemoryLiveCallStore } from '../../src/fanout/live-calls.js';
import { createFanout } from '../../src/fanout/server.js';
import { connectClient } from '../helpers/clients.js';
import { captureLogger } from '../helpers/logs.js';
import { signToken } from '../helpers/tokens.js';
import { waitFor } from '../helpers/wait.js';

const SECRET = 'throttle-secret-0123456789abcdef0123456789abcdef';
const ORG = 'org-t';
const N = 10_000;

const FLOOD = `
import { io } from 'socket.io-client';
const s = io(process.env.URL, { auth: { token: process.env.TOKEN }, transports: ['websocket'], reconnection: false });
const acks = { limited: 0, served: 0 };
s.on('connect', () => {
  console.log('connected');
  for (let i = 0; i < Number(process.env.N); i++) s.emit('dial', { number: '0934890883' }, (r) => { if (r.error === 'rate_limited') acks.limited++; else if (r.status) acks.served++; });
});
s.on('disconnect', () => { console.log(JSON.stringify(acks)); console.log('disconnected'); process.exit(0); });
`;

test(`${N} dial events at once: a burst is served, the excess refused and counted, the socket cut`, async () => {
  const logs = captureLogger('info');
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  let dials = 0;
  const dropped: string[] = [];
  const fanout = createFanout(server, {
    org: ORG,
    verifier: createJwtVerifier({ secret: SECRET, org: ORG }),
    logger: logs.logger,
    live: new MemoryLiveCallStore(),
    // The real click-to-call has its own per-agent limit; here every dial that gets through is counted.
    dial: async () => {
      dials++;
      return { status: 'dialing', number: '0934890883' };
    },
    // A payload of 10,000 events (~40 bytes each) in one go: allow it so the throttle, not the buffer size, is tested.
    maxHttpBufferSize: 1e6,
    onThrottle: (what) => dropped.push(what),
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const token = signToken({ sub: 'a', org: ORG, role: 'agent', agent: 'alice' }, { secret: SECRET });
  // The flooding client runs in its own process, so the delay measured here is the server's alone.
  const child = spawn(process.execPath, ['--input-type=module', '-e', FLOOD], {
    env: { ...process.env, URL: url, TOKEN: token, N: String(N) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const eld = monitorEventLoopDelay({ resolution: 5 });
  try {
    await waitFor(() => out.includes('connected'), { what: 'the flooding client to connect' });
    eld.enable();
    await waitFor(() => out.includes('disconnected'), {
      what: 'the abusive socket to be disconnected',
      timeoutMs: 20_000,
    });
    eld.disable();
    const acks = JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!) as { limited: number; served: number };
    const stats = fanout.throttleStats();
    console.log(
      `  server event-loop delay during ${N} events at once: max ${(eld.max / 1e6).toFixed(1)} ms, p99 ${(eld.percentile(99) / 1e6).toFixed(1)} ms, mean ${(eld.mean / 1e6).toFixed(1)} ms; dials ${dials}, rate_limited acks ${acks.limited}, dropped ${stats.dropped}`,
    );
    // At most the burst reaches click-to-call (Socket.IO drops events still queued when the socket is cut).
    assert.ok(dials <= 20, `at most the burst reaches click-to-call (got ${dials})`);
    assert.ok(acks.served <= dials);
    assert.is(stats.disconnected, 1);
    assert.ok(stats.dropped >= 100 && stats.dropped < N, `excess counted (${stats.dropped})`);
    assert.ok(
      acks.limited >= 90 && acks.limited <= stats.dropped,
      `excess refused with rate_limited (${acks.limited})`,
    );
    assert.is(dropped.filter((w) => w === 'disconnected').length, 1);
    assert.ok(logs.lines.some((l) => l.includes('client events over the limit')));
  } finally {
    eld.disable();
    child.kill();
    await fanout.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('a socket under the limit is never throttled', async () => {
  const logs = captureLogger('silent');
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const fanout = createFanout(server, {
    org: ORG,
    verifier: createJwtVerifier({ secret: SECRET, org: ORG }),
    logger: logs.logger,
    live: new MemoryLiveCallStore(),
    dial: async () => ({ status: 'dialing', number: '0934890883' }),
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const cl = await connectClient(
    url,
    signToken({ sub: 'a', org: ORG, role: 'agent', agent: 'bob' }, { secret: SECRET }),
  );
  try {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => cl.socket.emitWithAck('dial', { number: '0934890883' })),
    );
    assert.ok(results.every((r) => 'status' in r && r.status === 'dialing'));
    assert.equal(fanout.throttleStats(), { dropped: 0, disconnected: 0 });
  } finally {
    cl.close();
    await fanout.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test.run();
