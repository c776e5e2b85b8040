// Connection failures that will not go away by retrying (the upstream must be reconfigured): said once, clearly,
// in the log and in the subscriber's state (→ /readyz), rather than retried silently.
import { SignalConnectError } from './errors.js';

/** A sentence for a lasting problem, or undefined for an ordinary (transient) failure. */
export function connectProblem(err: unknown): string | undefined {
  if (!(err instanceof SignalConnectError)) return undefined;
  if (err.reason === 'no_websocket') {
    const offered = err.offered?.length ? err.offered.join(', ') : 'none it can use';
    return `the signal server offers no websocket transport (only ${offered}); the bridge needs websocket: enable it upstream`;
  }
  return undefined;
}
