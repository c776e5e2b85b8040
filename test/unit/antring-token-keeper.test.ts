import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AntRingAuthError, AntRingHttpError, AntRingNetworkError } from '../../src/antring/errors.js';
import {
  type RefreshEvent,
  TokenKeeper,
  type TokenKeeperOptions,
  TokenKeeperStoppedError,
} from '../../src/antring/token-keeper.js';
import type { AuthToken } from '../../src/antring/token-source.js';
import { FakeClock, flush } from '../helpers/clock.js';
import { silentLogger } from '../helpers/logs.js';
import { rejects } from '../helpers/rejects.js';

type Step = { lifetimeMs: number } | { error: Error } | { hang: true };

/** A fetchToken that follows a script (the last step repeats) and records each call's time. */
function scriptedFetch(clock: FakeClock, steps: Step[]) {
  const calls: number[] = [];
  let n = 0;
  const fetchToken = (signal?: AbortSignal): Promise<AuthToken> => {
    calls.push(clock.now());
    const step = steps[Math.min(n, steps.length - 1)];
    n++;
    if ('error' in step) return Promise.reject(step.error);
    if ('hang' in step) {
      return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    }
    return Promise.resolve({ value: `tok${n}`, expiresAt: clock.now() + step.lifetimeMs });
  };
  return { fetchToken, calls };
}

/** uvu/assert has no rejects helper. */
function keeper(
  clock: FakeClock,
  fetchToken: TokenKeeperOptions['fetchToken'],
  extra: Partial<TokenKeeperOptions> = {},
) {
  return new TokenKeeper({ fetchToken, clock, logger: silentLogger(), random: () => 1, ...extra });
}

test('proactive refresh: a 2 s token at 1.5 s, a 1 h token 60 s before expiry; listeners get each new token', async () => {
  const clock = new FakeClock();
  const t0 = clock.now();
  const f = scriptedFetch(clock, [{ lifetimeMs: 2000 }, { lifetimeMs: 3_600_000 }, { lifetimeMs: 3_600_000 }]);
  const k = keeper(clock, f.fetchToken);
  const seen: string[] = [];
  k.onRefresh((t) => seen.push(t.value));
  const first = await k.start();
  assert.is(first.value, 'tok1');
  assert.is(first.expiresAt, t0 + 2000);
  assert.equal(clock.pendingDelays(), [1500]);
  await clock.advance(1499);
  assert.is(f.calls.length, 1);
  await clock.advance(1);
  assert.equal(f.calls, [t0, t0 + 1500]);
  assert.equal(seen, ['tok1', 'tok2']);
  assert.is((await k.get()).value, 'tok2');
  assert.equal(clock.pendingDelays(), [3_540_000]);
  await clock.advance(3_540_000);
  assert.equal(f.calls, [t0, t0 + 1500, t0 + 1500 + 3_540_000]);
  assert.equal(seen, ['tok1', 'tok2', 'tok3']);
  await k.stop();
  assert.is(clock.pending, 0);
});

test('single flight: 10 concurrent get() = 1 fetch', async () => {
  const clock = new FakeClock();
  let calls = 0;
  let release!: (t: AuthToken) => void;
  const k = keeper(clock, () => {
    calls++;
    return new Promise<AuthToken>((r) => (release = r));
  });
  const all = Promise.all(Array.from({ length: 10 }, () => k.get()));
  await flush();
  assert.is(calls, 1);
  release({ value: 'shared', expiresAt: clock.now() + 60_000 });
  const tokens = await all;
  assert.equal(new Set(tokens.map((t) => t.value)), new Set(['shared']));
  assert.is(calls, 1);
  await k.get();
  assert.is(calls, 1, 'a valid token is served from memory');
  await k.stop();
});

test('network errors and 5xx: retried with growing, capped delays; get() waits and then resolves', async () => {
  const clock = new FakeClock();
  const net = new AntRingNetworkError('auth_token', 'ECONNREFUSED');
  const f = scriptedFetch(clock, [
    { error: net },
    { error: new AntRingHttpError('auth_token', 503) },
    { error: net },
    { error: net },
    { error: new AntRingHttpError('auth_token', 502) },
    { error: net },
    { lifetimeMs: 600_000 },
  ]);
  const events: RefreshEvent[] = [];
  const k = keeper(clock, f.fetchToken, { backoff: { baseMs: 100, maxMs: 1000 }, onRefresh: (e) => events.push(e) });
  let got: AuthToken | undefined;
  let rejected: unknown;
  k.get().then(
    (t) => (got = t),
    (e) => (rejected = e),
  );
  for (let i = 0; i < 6; i++) {
    await flush();
    assert.is(got, undefined);
    assert.is(rejected, undefined);
    await clock.fireNext();
  }
  await flush();
  assert.is(got?.value, 'tok7');
  assert.equal(
    events.filter((e) => !e.ok).map((e) => (e as { retryInMs: number }).retryInMs),
    [100, 200, 400, 800, 1000, 1000],
  );
  const t0 = f.calls[0];
  assert.equal(
    f.calls.map((c) => c - t0),
    [0, 100, 300, 700, 1500, 2500, 3500],
  );
  assert.ok(events.at(-1)?.ok);
  assert.is(k.status().failures, 0);
  await k.stop();
});

test('full jitter uses the injected random', async () => {
  const clock = new FakeClock();
  const f = scriptedFetch(clock, [{ error: new AntRingNetworkError('auth_token', 'ECONNRESET') }]);
  const k = keeper(clock, f.fetchToken, { random: () => 0.5, backoff: { baseMs: 1000, maxMs: 3000 } });
  void k.get().catch(() => undefined);
  await flush();
  await clock.fireNext();
  await clock.fireNext();
  await clock.fireNext();
  await flush();
  assert.equal(clock.delays, [500, 1000, 1500, 1500]);
  await k.stop();
});

test('401 rejects get() callers at once with AntRingAuthError; retries go on with backoff, no hot loop', async () => {
  const clock = new FakeClock();
  const f = scriptedFetch(clock, [
    { error: new AntRingAuthError('auth_token', 401) },
    { error: new AntRingAuthError('auth_token', 401) },
    { lifetimeMs: 60_000 },
  ]);
  const k = keeper(clock, f.fetchToken, { backoff: { baseMs: 200, maxMs: 5000 } });
  const results = await Promise.allSettled([k.get(), k.get(), k.start()]);
  for (const r of results) {
    assert.is(r.status, 'rejected');
    const err = (r as PromiseRejectedResult).reason;
    assert.instance(err, AntRingAuthError);
    assert.is(err.status, 401);
  }
  assert.is(f.calls.length, 1);
  // While the retry is not due, get() fails fast without a request.
  await rejects(k.get(), AntRingAuthError);
  assert.is(f.calls.length, 1);
  assert.equal(clock.pendingDelays(), [200]);
  await clock.fireNext();
  assert.is(f.calls.length, 2);
  assert.equal(clock.pendingDelays(), [400]);
  await clock.fireNext();
  assert.is(f.calls.length, 3);
  assert.is((await k.get()).value, 'tok3');
  assert.is(k.status().authFailed, false);
  await k.stop();
});

test('invalidate: the current token is dropped and refreshed now (single flight); a stale value is ignored', async () => {
  const clock = new FakeClock();
  const f = scriptedFetch(clock, [{ lifetimeMs: 3_600_000 }]);
  const k = keeper(clock, f.fetchToken);
  const seen: string[] = [];
  k.onRefresh((t) => seen.push(t.value));
  await k.start();
  k.invalidate('not-the-current');
  await flush();
  assert.is(f.calls.length, 1);
  k.invalidate('tok1');
  k.invalidate('tok1');
  const waiting = k.get();
  await flush();
  assert.is(f.calls.length, 2);
  assert.is((await waiting).value, 'tok2');
  assert.equal(seen, ['tok1', 'tok2']);
  assert.is(clock.pending, 1, 'one proactive timer, the old one cleared');
  await k.stop();
});

test('stop(): clears every timer, aborts the request in flight, rejects pending get(); idempotent', async () => {
  const clock = new FakeClock();
  const f = scriptedFetch(clock, [{ lifetimeMs: 10_000 }, { hang: true }]);
  const k = keeper(clock, f.fetchToken);
  await k.start();
  assert.is(clock.pending, 1);
  await clock.advance(7500); // proactive refresh starts and hangs
  assert.is(f.calls.length, 2);
  await clock.advance(2000); // token now within its safety window: get() waits
  const pending = k.get();
  await flush();
  const p1 = k.stop();
  const p2 = k.stop();
  assert.is(p1, p2);
  await p1;
  await rejects(pending, TokenKeeperStoppedError);
  await rejects(k.get(), TokenKeeperStoppedError);
  assert.is(clock.pending, 0);
  await clock.advance(60_000);
  assert.is(f.calls.length, 2);
});

test('stop() during backoff leaves no timer', async () => {
  const clock = new FakeClock();
  const f = scriptedFetch(clock, [{ error: new AntRingNetworkError('auth_token', 'ETIMEDOUT') }]);
  const k = keeper(clock, f.fetchToken);
  const pending = k.get();
  await flush();
  assert.is(clock.pending, 1);
  await k.stop();
  assert.is(clock.pending, 0);
  await rejects(pending, TokenKeeperStoppedError);
});

test('an already-expired token is served (no request storm) and refreshed after minRefreshMs', async () => {
  const clock = new FakeClock();
  const f = scriptedFetch(clock, [{ lifetimeMs: -5000 }, { lifetimeMs: 60_000 }]);
  const k = keeper(clock, f.fetchToken, { minRefreshMs: 1000 });
  await k.start();
  await k.get();
  await k.get();
  assert.is(f.calls.length, 1);
  assert.equal(clock.pendingDelays(), [1000]);
  await clock.advance(1000);
  assert.is(f.calls.length, 2);
  await k.stop();
});

test.run();
