// A tenant's upstream state for /readyz and GET /api/tenants (contract §8.4): `up` (subscription live),
// `connecting`, `down` with a reason (`auth_failed`: AntRing refuses the credentials; `signal_refused`: the signal
// socket cannot start; `stopped`). `since` is when the state (or its reason) last changed.

export type UpstreamState = 'up' | 'connecting' | 'down';
export interface UpstreamStatus {
  state: UpstreamState;
  reason?: string;
  /** ISO time of the last change. */
  since: string;
}

export interface UpstreamFacts {
  /** The pipeline's signal state (`live`, `connecting`, `backoff`, `idle`…). */
  signal: string;
  /** The subscriber reported a problem retrying cannot fix. */
  problem?: string;
  /** AntRing refused the credentials and no token is held. */
  authFailed: boolean;
  /** This node does not hold the tenant's upstream (cluster): `up` means served by another holder. */
  held: boolean;
  stopped: boolean;
}

export function upstreamOf(f: UpstreamFacts): Omit<UpstreamStatus, 'since'> {
  if (f.stopped) return { state: 'down', reason: 'stopped' };
  if (f.authFailed) return { state: 'down', reason: 'auth_failed' };
  if (!f.held || f.signal === 'live') return { state: 'up' };
  if (f.problem) return { state: 'down', reason: 'signal_refused' };
  return { state: 'connecting' };
}

/** Remembers when the state last changed. */
export class UpstreamTracker {
  private last?: Omit<UpstreamStatus, 'since'>;
  private since: number;

  constructor(
    private readonly facts: () => UpstreamFacts,
    private readonly now: () => number,
  ) {
    this.since = now();
  }

  status(): UpstreamStatus {
    const s = upstreamOf(this.facts());
    if (!this.last || this.last.state !== s.state || this.last.reason !== s.reason) {
      if (this.last) this.since = this.now();
      this.last = s;
    }
    return { ...s, since: new Date(this.since).toISOString() };
  }
}
