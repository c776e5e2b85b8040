// The baseline: a bare Socket.IO server, the floor our stack allows. Same Socket.IO version and the same server
// options as the bridge's fan-out (src/fanout/server.ts), the same JWT check at the handshake and the same rooms;
// it receives the script's call messages already enriched (JSON lines on a local TCP feed, one line per Kazoo
// frame) and emits each to its rooms. No engine, no CRM, no store, no metrics.
//
// "baseline+recovery" (env BASELINE_RECOVERY_MS > 0): the same bare server with the Socket.IO options the bridge runs
// with: connection state recovery with that window (skipMiddlewares false, as the bridge), and the bridge's own
// keepalive broadcast (src/fanout/recovery.ts: a node room, a broadcast shortly after connects and every
// keepalivePeriod). What the bridge pays for recovery is then in both columns, and the rest is the bridge's own.
//
// Env: JWT_SECRET, BENCH_ORG, BASELINE_RECOVERY_MS (default 0: off). Prints one JSON line
// `{"ready":true,"port":…,"feedPort":…,"recoveryMs":…}` on stdout.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import jwt from 'jsonwebtoken';
import { Server } from 'socket.io';
import { systemClock } from '../src/clock.js';
import type { CallView, Claims } from '../src/contract.js';
import { startOffsetKeeper } from '../src/fanout/recovery.js';
import { roomsForClaims } from '../src/fanout/rooms.js';
import type { FanoutServer, FanoutSocket } from '../src/fanout/server.js';

const secret = process.env.JWT_SECRET ?? '';
const org = process.env.BENCH_ORG ?? '';
const recoveryMs = Number(process.env.BASELINE_RECOVERY_MS ?? 0);
if (secret.length < 32 || !org) {
  console.error('baseline-server: JWT_SECRET (≥ 32 chars) and BENCH_ORG are required');
  process.exit(1);
}
if (!Number.isInteger(recoveryMs) || recoveryMs < 0) {
  console.error('baseline-server: BASELINE_RECOVERY_MS must be an integer ≥ 0');
  process.exit(1);
}

const server = http.createServer((_req, res) => void res.writeHead(404).end());
const io = new Server(server, {
  serveClient: false,
  maxHttpBufferSize: 16 * 1024,
  allowRequest: (_req, fn) => fn(null, true),
  ...(recoveryMs > 0
    ? { connectionStateRecovery: { maxDisconnectionDuration: recoveryMs, skipMiddlewares: false } }
    : {}),
});
const offsets =
  recoveryMs > 0
    ? startOffsetKeeper(io as unknown as FanoutServer, { org, recoveryMs, clock: systemClock })
    : undefined;

io.use((socket, next) => {
  const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
  try {
    if (typeof token !== 'string') throw new Error('no token');
    const claims = jwt.verify(token, secret, { algorithms: ['HS256'] }) as Claims;
    if (claims.org !== org) throw new Error('another org');
    socket.data.rooms = roomsForClaims(claims);
    next();
  } catch {
    next(new Error('unauthorized'));
  }
});
io.on('connection', (socket) => {
  void socket.join(socket.data.rooms as string[]);
  offsets?.connected(socket as unknown as FanoutSocket);
});

let emitted = 0;
let badLines = 0;
const feed = net.createServer((conn) => {
  let buf = '';
  conn.setEncoding('utf8');
  conn.on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      let msgs: [string[], CallView][];
      try {
        msgs = JSON.parse(line) as [string[], CallView][];
      } catch {
        badLines++;
        continue;
      }
      for (const [rooms, view] of msgs) {
        io.to(rooms).emit('call', view);
        emitted++;
      }
    }
  });
  conn.on('error', (err) => console.error(`baseline-server: feed error ${err.message}`));
});

const listen = (s: net.Server | http.Server) =>
  new Promise<number>((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port));
  });

const port = await listen(server);
const feedPort = await listen(feed);
console.log(JSON.stringify({ ready: true, port, feedPort, recoveryMs }));

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  offsets?.stop();
  console.log(JSON.stringify({ stopped: true, emitted, badLines }));
  feed.close();
  io.local.disconnectSockets(true);
  io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
