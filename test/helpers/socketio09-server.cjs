// A real socket.io 0.9.19 server (dev dependency `socketio09`) for test/integration/socketio09-real.test.ts,
// run as a child process (child_process.fork) and driven over IPC. Test use only.
//
// Node 20 cannot load the browser client that socket.io 0.9 requires only to serve /socket.io/socket.io.js
// (its util.js expects a global `io`: "ReferenceError: io is not defined"). The client module is replaced in
// require.cache by a stub before the server is loaded; node_modules is not touched.
//
// env: PORT (0 = any), HEARTBEATS ('off' = disabled), HEARTBEAT_INTERVAL_S, HEARTBEAT_TIMEOUT_S, TRANSPORTS
// (comma-separated, default websocket), ACCOUNT_ID (the account subscribes must name).
// IPC in:  { cmd: 'emit', name, payload, shape: 'array' | 'object' }  { cmd: 'raw', frame }  { cmd: 'stats' }
// IPC out: { type: 'listening', port }  { type: 'connection', id }  { type: 'subscribe', id, binding, token, tokenOk }
//          { type: 'disconnect', id, reason }  { type: 'stats', ... }
'use strict';
const path = require('node:path');
const Module = require('node:module');

const serverDir = path.dirname(require.resolve('socketio09/package.json'));
const clientPath = require.resolve('socket.io-client', { paths: [serverDir] });
const stub = new Module(clientPath);
stub.filename = clientPath;
stub.loaded = true;
stub.exports = {
  version: '0.9.16',
  dist: path.join(path.dirname(clientPath), 'dist'),
  builder(_transports, _opts, cb) {
    cb(new Error('the socket.io 0.9 browser client is not served in tests'));
  },
};
require.cache[clientPath] = stub;

const sio = require('socketio09');

const env = process.env;
const account = env.ACCOUNT_ID || '';
const manager = sio.listen(Number(env.PORT || 0), { log: false });
manager.set('transports', (env.TRANSPORTS || 'websocket').split(','));
if (env.HEARTBEATS === 'off') manager.set('heartbeats', false);
else {
  manager.set('heartbeat interval', Number(env.HEARTBEAT_INTERVAL_S || 25));
  manager.set('heartbeat timeout', Number(env.HEARTBEAT_TIMEOUT_S || 60));
}

const stats = { connections: 0, disconnects: 0, subscribes: 0, heartbeatsIn: 0 };
const subscribed = new Map(); // id → socket

const send = (m) => {
  if (process.connected) process.send(m);
};

// Count heartbeat echoes where the server's transport takes them.
const onHeartbeatClear = sio.Transport.prototype.onHeartbeatClear;
sio.Transport.prototype.onHeartbeatClear = function () {
  stats.heartbeatsIn += 1;
  return onHeartbeatClear.call(this);
};

// The app-level handler a Kazoo blackhole gives its socket.io clients: `subscribe` with account_id, auth_token and
// binding; acked with data when the client asks for it (like the bridge's simulator).
manager.sockets.on('connection', (socket) => {
  stats.connections += 1;
  send({ type: 'connection', id: socket.id });
  socket.on('subscribe', (data, ack) => {
    const ok =
      data &&
      typeof data === 'object' &&
      data.account_id === account &&
      typeof data.auth_token === 'string' &&
      data.auth_token.length > 0;
    stats.subscribes += 1;
    send({
      type: 'subscribe',
      id: socket.id,
      binding: data?.binding,
      token: data?.auth_token,
      tokenOk: Boolean(ok),
    });
    if (!ok) return socket.emit('auth_failure', { message: 'invalid auth token', cause: data?.auth_token });
    subscribed.set(socket.id, socket);
    if (typeof ack === 'function') ack('ok');
  });
  socket.on('disconnect', (reason) => {
    stats.disconnects += 1;
    subscribed.delete(socket.id);
    send({ type: 'disconnect', id: socket.id, reason });
  });
});

/** The frame written as is on the socket's transport (the 0.9 encoder drops `args` that are not an array). */
function writeRaw(socket, frame) {
  const transport = manager.transports[socket.id];
  if (transport?.open) transport.write(frame);
}

process.on('message', (m) => {
  if (!m || typeof m !== 'object') return;
  for (const socket of subscribed.values()) {
    if (m.cmd === 'emit' && m.shape === 'object')
      writeRaw(socket, `5:::${JSON.stringify({ name: m.name, args: m.payload })}`);
    else if (m.cmd === 'emit') socket.emit(m.name, m.payload);
    else if (m.cmd === 'raw') writeRaw(socket, m.frame);
    else if (m.cmd === 'batch') writeRaw(socket, sio.parser.encodePayload(m.frames));
  }
  if (m.cmd === 'stats') send({ type: 'stats', ...stats, open: subscribed.size });
});

manager.server.on('listening', () => send({ type: 'listening', port: manager.server.address().port }));
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
