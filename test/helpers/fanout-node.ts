// One fan-out node for recovery tests: createFanout on a plain HTTP server (port 0), a CallPublisher over an in-memory
// seq source and live-call store, and the update shapes those tests publish.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Audience } from '../../src/calls/types.js';
import { createJwtVerifier } from '../../src/fanout/jwt.js';
import { MemoryLiveCallStore } from '../../src/fanout/live-calls.js';
import { CallPublisher } from '../../src/fanout/publisher.js';
import { MemorySeqSource } from '../../src/fanout/seq.js';
import { createFanout, type Fanout, type FanoutOptions } from '../../src/fanout/server.js';
import type { EnrichedUpdate } from '../../src/fanout/types.js';
import { type CapturedLogs, captureLogger } from './logs.js';

export interface FanoutNode {
  url: string;
  fanout: Fanout;
  publisher: CallPublisher;
  logs: CapturedLogs;
  close(): Promise<void>;
}

export async function startFanoutNode(
  base: { org: string; secret: string },
  over: Partial<FanoutOptions> = {},
): Promise<FanoutNode> {
  const logs = captureLogger('info');
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const live = new MemoryLiveCallStore();
  const fanout = createFanout(server, {
    org: base.org,
    verifier: createJwtVerifier({ secret: base.secret, org: base.org }),
    logger: logs.logger,
    live,
    connectionStateRecovery: { maxDisconnectionDuration: 30_000 },
    ...over,
  });
  const publisher = new CallPublisher({
    emitter: fanout.emitter,
    seq: new MemorySeqSource(),
    live,
    org: base.org,
    logger: logs.logger,
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    fanout,
    publisher,
    logs,
    async close() {
      await fanout.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** An inbound call's update for one audience (default: alice's own leg). */
export function callUpdate(
  org: string,
  callId: string,
  state: 'ringing' | 'ended',
  audience: Audience = { kind: 'agent', username: 'alice' },
): EnrichedUpdate {
  return {
    callId,
    org,
    state,
    direction: 'inbound',
    from: { number: '0934890883' },
    to: { number: '02873019555' },
    startedAt: new Date().toISOString(),
    receivedAt: performance.now(),
    contact: null,
    contactStatus: 'not_found',
    customerNumber: '0934890883',
    audience,
    agent: { username: 'alice' },
    ...(state === 'ended' ? { endedAt: new Date().toISOString(), outcome: 'missed' as const } : {}),
  } as EnrichedUpdate;
}
