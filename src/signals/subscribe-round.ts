// The session plumbing of the upstream subscription (subscriber.ts drives it): the protocol session for the
// configured wire (socketio 0.9 or blackhole JSON), one subscribe round (a frame per binding, pending until acked),
// and the pacing of subscribe retries after refusals (first at once, further ones after a full-jitter backoff).
import type { AuthToken } from '../antring/token-source.js';
import { type BackoffOptions, fullJitterDelay } from './backoff.js';
import type { ProtocolSession } from './protocol.js';
import { BlackholeSession } from './protocol-blackhole.js';
import { type FetchLike, SocketIoSession } from './protocol-socketio.js';
import type { SignalSubscriberOptions } from './subscriber-options.js';

export interface Round {
  token: AuthToken;
  trigger: 'connect' | 'refresh' | 'retry';
  pending: Map<string, string>;
  done: boolean;
}

/** Consecutive subscribe refusals further apart than this start the retry backoff over. */
const RETRY_FORGET_MS = 60_000;

export function createSession(opts: SignalSubscriberOptions, now: () => number): ProtocolSession {
  const { url, accountId } = opts;
  if (opts.protocol === 'blackhole') return new BlackholeSession({ url, accountId });
  const fetchFn: FetchLike = opts.fetch ?? ((u, init) => fetch(u, init));
  return new SocketIoSession({ url, accountId, fetch: fetchFn, now });
}

/** Sends a subscribe frame per binding with the token; the round waits for each one's ack. */
export function sendRound(
  session: ProtocolSession,
  send: (frame: string) => void,
  bindings: readonly string[],
  token: AuthToken,
  trigger: Round['trigger'],
): Round {
  const round: Round = { token, trigger, pending: new Map(), done: false };
  for (const binding of bindings) {
    const { ref, frame } = session.subscribeFrame(binding, token.value);
    round.pending.set(ref, binding);
    send(frame);
  }
  return round;
}

/** Paces subscribe retries: the first right away (a fresh token), further consecutive ones after a full jitter. */
export class RetryPacer {
  private failures = 0;
  private lastAt = -Infinity;

  constructor(
    private readonly backoff: BackoffOptions,
    private readonly random: () => number,
  ) {}

  /** A delivered event: the subscription works, the next refusal starts over. */
  reset(): void {
    this.failures = 0;
  }

  /** The delay before the next retry, and the consecutive failures counted with it. */
  next(now: number): { delayMs: number; failures: number } {
    if (now - this.lastAt > RETRY_FORGET_MS) this.failures = 0;
    this.lastAt = now;
    const delayMs = this.failures === 0 ? 0 : fullJitterDelay(this.failures - 1, this.backoff, this.random);
    this.failures += 1;
    return { delayMs, failures: this.failures };
  }
}
