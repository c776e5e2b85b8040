// tokens.get() with a deadline on the subscriber's timers: a token source that never answers must not stall it.
import type { AuthToken, TokenSource } from '../antring/token-source.js';
import { SignalTokenError } from './errors.js';

/** One timer slot: (re)arm and clear. */
export interface TimerSlot {
  set(ms: number, fn: () => void): void;
  clear(): void;
}

export function tokenWithin(tokens: TokenSource, timeoutMs: number, slot: TimerSlot): Promise<AuthToken> {
  return new Promise<AuthToken>((resolve, reject) => {
    slot.set(timeoutMs, () => reject(new SignalTokenError('auth token request timed out')));
    Promise.resolve()
      .then(() => tokens.get())
      .then(
        (t) => {
          slot.clear();
          if (t && typeof t.value === 'string' && t.value) resolve(t);
          else reject(new SignalTokenError('token source returned no token'));
        },
        (err: unknown) => {
          slot.clear();
          reject(err);
        },
      );
  });
}
