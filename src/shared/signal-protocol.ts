// The call-signal socket's two protocols, defined once (config, subscriber, simulator derive from here).
// socketio: Socket.IO 0.9 framing, as AntBuddy documents it; blackhole: Kazoo JSON actions over a plain websocket.
export const SIGNAL_PROTOCOLS = ['socketio', 'blackhole'] as const;
export type SignalProtocol = (typeof SIGNAL_PROTOCOLS)[number];

/**
 * The simulator's name for the same protocols on its wire (metrics, stats): `socketio09` says which Socket.IO it
 * speaks; blackhole is the same word.
 */
export type SimulatedSignalProtocol = Exclude<SignalProtocol, 'socketio'> | 'socketio09';
