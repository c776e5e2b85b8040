// Connection state recovery restores nothing before the token is verified (issue 15 item 11). The probe: an admin
// connects, keeps its private session id and offset (`socket._pid`, `socket._lastOffset`), drops only the transport,
// a call happens, then a client connects with `auth: { pid, offset }` and no token, another org's token, the user's
// own expired token, a wallboard's token or another admin's: no missed `call` packet may reach it, and only the same
// identity (org, role, sub, agent, queues; a refreshed token is fine) recovers the session. Over WebSocket and
// long-polling, on one node and on two nodes over the Redis streams adapter (a private redis-server).

import { randomUUID } from 'node:crypto';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import type { ServerOptions } from 'socket.io';
import { io as ioClient, type Socket } from 'socket.io-client';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CallView } from '../../src/contract.js';
import { startRedis, type TestRedis, untilRedisIdle } from '../cluster/helpers.js';
import { callUpdate, type FanoutNode, startFanoutNode } from '../helpers/fanout-node.js';
import { signToken } from '../helpers/tokens.js';
import { waitFor } from '../helpers/wait.js';

const SECRET = 'probe-secret-0123456789abcdef0123456789abcdef';
const ORG = 'org-probe';
const ADMIN = { sub: 'boss', org: ORG, role: 'admin' };
const token = (claims: Record<string, unknown>, ttlSec = 600) => signToken({ ...claims }, { secret: SECRET, ttlSec });
const expired = () =>
  signToken({ ...ADMIN, exp: Math.floor(Date.now() / 1000) - 10 }, { secret: SECRET, ttlSec: false });

type Transport = 'websocket' | 'polling';
type Session = { pid: string; offset: string };

interface Attempt {
  name: string;
  auth: (s: Session) => Record<string, unknown>;
  headers?: () => Record<string, string>;
  /** connect_error's code, or 'connected'. */
  outcome: string;
  recovered: boolean;
}

const ATTEMPTS: Attempt[] = [
  { name: 'no token', auth: (s) => ({ ...s }), outcome: 'unauthorized', recovered: false },
  {
    name: "another org's token",
    auth: (s) => ({ ...s, token: token({ ...ADMIN, org: 'org-other' }) }),
    outcome: 'forbidden',
    recovered: false,
  },
  {
    name: "the user's own expired token",
    auth: (s) => ({ ...s, token: expired() }),
    outcome: 'token_expired',
    recovered: false,
  },
  {
    name: "a wallboard's token",
    auth: (s) => ({ ...s, token: token({ sub: 'wall', org: ORG, role: 'wallboard', queues: ['*'] }) }),
    outcome: 'connected',
    recovered: false,
  },
  {
    name: "another admin's token",
    auth: (s) => ({ ...s, token: token({ ...ADMIN, sub: 'someone-else' }) }),
    outcome: 'connected',
    recovered: false,
  },
  // Controls: the same identity recovers, with a refreshed token (another exp) or with the token in the header.
  {
    name: 'the same identity, a refreshed token',
    auth: (s) => ({ ...s, token: token(ADMIN, 1200) }),
    outcome: 'connected',
    recovered: true,
  },
  {
    name: 'the same identity, the token in the Authorization header',
    auth: (s) => ({ ...s }),
    headers: () => ({ authorization: `Bearer ${token(ADMIN, 900)}` }),
    outcome: 'connected',
    recovered: true,
  },
];

interface Outcome {
  outcome: string;
  recovered: boolean;
  /** The callIds of `call` packets that reached the client before its connect / connect_error. */
  missed: string[];
}

/** The probe: the admin's session on `home`, the call published by `publishOn`, the attempt made on `target`. */
async function probe(
  nodes: FanoutNode[],
  home: FanoutNode,
  target: FanoutNode,
  transport: Transport,
  attempt: Attempt,
): Promise<Outcome> {
  const admin = ioClient(home.url, {
    auth: { token: token(ADMIN) },
    transports: [transport],
    forceNew: true,
    reconnection: false,
  });
  let attacker: Socket | undefined;
  try {
    let kept = false;
    admin.once('keepalive', () => {
      kept = true;
    });
    await waitFor(() => kept, { what: "the admin's first keepalive (an offset)" });
    const held = admin as unknown as { _pid?: string; _lastOffset?: string };
    const session = { pid: held._pid ?? '', offset: held._lastOffset ?? '' };
    assert.ok(session.pid && session.offset, 'the client holds a session id and an offset');
    admin.io.engine.close();
    await waitFor(() => nodes.every((n) => n.fanout.connectedByRole().admin === 0), {
      what: 'the server to see the drop',
    });
    const callId = `c-${randomUUID()}`;
    await nodes[nodes.length - 1]!.publisher.publish(
      callUpdate(ORG, callId, 'ringing', { kind: 'call', queueId: 'q1' }),
    );

    const a = ioClient(target.url, {
      auth: attempt.auth(session),
      ...(attempt.headers ? { extraHeaders: attempt.headers() } : {}),
      transports: [transport],
      forceNew: true,
      reconnection: false,
    });
    attacker = a;
    const calls: string[] = [];
    // Every decoded packet, before the socket layer buffers or drops it (a refused socket never emits them).
    a.io.on('packet', (p: { type: number; data?: unknown[] }) => {
      if (p.type === 2 && p.data?.[0] === 'call') calls.push((p.data[1] as CallView).callId);
    });
    // What came before the CONNECT / CONNECT_ERROR packet: a restored session's missed packets (a fresh admin's
    // live-call replay comes after it, and is its due).
    let before: string[] = [];
    const outcome = await new Promise<string>((resolve) => {
      a.once('connect', () => {
        before = [...calls];
        resolve('connected');
      });
      a.once('connect_error', (err: Error & { data?: { code?: string } }) => {
        before = [...calls];
        resolve(err.data?.code ?? err.message);
      });
    });
    // The server's view (a client's own `recovered` compares with a _pid this fresh client never had).
    const recovered = target.fanout.io.of('/').sockets.get(a.id ?? '')?.recovered ?? false;
    return { outcome, recovered, missed: before.filter((c) => c === callId) };
  } finally {
    admin.disconnect();
    attacker?.disconnect();
  }
}

function cases(name: string, setup: () => Promise<{ nodes: FanoutNode[]; close(): Promise<void> } | undefined>) {
  for (const transport of ['websocket', 'polling'] as const) {
    const t = suite<{ env?: { nodes: FanoutNode[]; close(): Promise<void> } }>(
      `recovery needs the same verified identity: ${name}, ${transport}`,
    );
    t.before(async (ctx) => {
      ctx.env = await setup();
    });
    t.after(async (ctx) => ctx.env?.close());
    for (const attempt of ATTEMPTS) {
      t(attempt.name, async ({ env }) => {
        if (!env) return;
        const home = env.nodes[0]!;
        const target = env.nodes[env.nodes.length - 1]!;
        const r = await probe(env.nodes, home, target, transport, attempt);
        assert.is(r.outcome, attempt.outcome, 'connect / connect_error code');
        assert.is(r.recovered, attempt.recovered, 'recovered');
        assert.is(r.missed.length, attempt.recovered ? 1 : 0, 'missed call packets written to the client');
      });
    }
    t.run();
  }
}

cases('one node', async () => {
  const n = await startFanoutNode({ org: ORG, secret: SECRET });
  return { nodes: [n], close: () => n.close() };
});

cases('two nodes over Redis', async () => {
  const redis: TestRedis | undefined = await startRedis();
  if (!redis) return undefined;
  const prefix = `test-probe-${randomUUID()}`;
  const clients = [new Redis(redis.url), new Redis(redis.url)];
  const adapter = (r: Redis) =>
    createAdapter(r, {
      streamName: `${prefix}:stream`,
      sessionKeyPrefix: `${prefix}:session:`,
      blockTimeInMs: 200,
    }) as ServerOptions['adapter'];
  const nodes = [
    await startFanoutNode({ org: ORG, secret: SECRET }, { adapter: adapter(clients[0]!) }),
    await startFanoutNode({ org: ORG, secret: SECRET }, { adapter: adapter(clients[1]!) }),
  ];
  return {
    nodes,
    async close() {
      for (const n of nodes) await n.close();
      for (const c of clients) c.disconnect();
      await untilRedisIdle(redis.url);
      await redis.stop();
    },
  };
});
