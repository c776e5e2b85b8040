// The subscriber's explicit state machine.

export type SignalState = 'idle' | 'connecting' | 'subscribing' | 'live' | 'backoff' | 'stopped';

export interface StateInfo {
  /** Why the transition happened (failure reason, trigger). Never contains a secret. */
  reason?: string;
  /** Reconnect attempts since the last time the subscription was live. */
  attempt?: number;
  /** backoff: how long until the next connection attempt. */
  delayMs?: number;
  /** live: true when some subscribe was not acknowledged and assumed to have worked (socketio). */
  assumed?: boolean;
  /** backoff: a lasting problem that retrying alone will not fix (e.g. the server offers no websocket). */
  problem?: string;
}

export const TRANSITIONS: Readonly<Record<SignalState, readonly SignalState[]>> = {
  idle: ['connecting', 'stopped'],
  connecting: ['subscribing', 'backoff', 'stopped'],
  subscribing: ['live', 'backoff', 'stopped'],
  live: ['subscribing', 'backoff', 'stopped'],
  backoff: ['connecting', 'stopped'],
  stopped: [],
};

export function canTransition(from: SignalState, to: SignalState): boolean {
  return TRANSITIONS[from].includes(to);
}
