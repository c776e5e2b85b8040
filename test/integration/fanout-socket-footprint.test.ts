// What the bridge keeps per connected socket beyond Socket.IO's own (issue 19: V8 heap per client): no token after
// the handshake, no per-socket middleware, no `once` wrapper, no engine `data` hook left after the CONNECT packet,
// compact claims. Each of these was a few hundred bytes per client (bench/heap-diff.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connectClient } from '../helpers/clients.js';
import { startFanoutNode } from '../helpers/fanout-node.js';
import { signToken } from '../helpers/tokens.js';
import { waitFor } from '../helpers/wait.js';

const SECRET = 'footprint-secret-0123456789abcdef0123456789abcdef';
const ORG = 'org-f';

test('a connected socket keeps no token, no middleware, no wrapper and no engine hook of ours', async () => {
  // Connection state recovery on: its guard hooks every engine connection.
  const node = await startFanoutNode(
    { org: ORG, secret: SECRET },
    { dial: async () => ({ status: 'dialing', number: '0934890883' }) },
  );
  const { fanout, url } = node;
  const token = signToken({ sub: 'a', org: ORG, role: 'agent', agent: 'alice' }, { secret: SECRET });
  const cl = await connectClient(url, token);
  try {
    const socket = await waitFor(() => [...fanout.io.of('/').sockets.values()][0], { what: 'the server socket' });
    // Socket.IO's private parts, read only here.
    const inner = socket as unknown as { fns: unknown[]; conn: { listenerCount(e: string): number } };
    assert.is(JSON.stringify(socket.handshake.auth).includes(token), false, 'no token kept after the handshake');
    assert.is(inner.fns.length, 0, 'no per-socket middleware');
    assert.is(socket.listenerCount('disconnect'), 1);
    assert.is(socket.listeners('disconnect')[0]?.name, 'onDisconnect', 'the shared listener, not a once wrapper');
    assert.is(inner.conn.listenerCount('data'), 1, "Socket.IO's own: the recovery guard's hook is gone");
    const claims = socket.data.claims;
    assert.equal(
      { ...claims, queues: [...claims.queues] },
      {
        sub: 'a',
        org: ORG,
        role: 'agent',
        agent: 'alice',
        queues: [],
        exp: claims.exp,
      },
    );
    // The client events still work through the shared listeners.
    const r = await cl.socket.emitWithAck('dial', { number: '0934890883' });
    assert.equal(r, { status: 'dialing', number: '0934890883' });
  } finally {
    cl.close();
    await node.close();
  }
});

test.run();
