// The AntRing open-API client's errors: the upstream tree for service 'antring' (upstream/errors.ts; codes
// ANTRING_HTTP, ANTRING_AUTH_FAILED, ANTRING_TIMEOUT, … in shared/error-catalogue.ts, which holds their messages).
// Messages name the operation and the status, never a secret (app secret, hash, token, SIP password) nor a URL.
import { serviceErrors, UpstreamError } from '../upstream/errors.js';

/** The client's operations, used in messages, logs and metrics. */
export type AntRingOp =
  | 'auth_token'
  | 'agents'
  | 'queues'
  | 'dashboard'
  | 'histories'
  | 'play_recording'
  | 'click_to_call';

const antring = serviceErrors<AntRingOp>('antring');
export const { ServiceError: AntRingError, Http: AntRingHttpError, Auth: AntRingAuthError } = antring;
export const { Timeout: AntRingTimeoutError, Network: AntRingNetworkError, Response: AntRingResponseError } = antring;
export const { Config: AntRingConfigError, Argument: AntRingArgumentError } = antring;

/** Click-to-call answered 400 about the agent's SIP device (not registered): ANTRING_DEVICE_OFFLINE, the contract's
 *  409 device_offline. An AntRingHttpError (status 400). */
export class DeviceOfflineError extends UpstreamError {
  override readonly name = 'DeviceOfflineError';
  declare readonly status: number;
  constructor(op: AntRingOp = 'click_to_call') {
    super({ service: 'antring', operation: op, kind: 'http', status: 400, code: 'ANTRING_DEVICE_OFFLINE' });
  }
}
