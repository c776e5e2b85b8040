// The AntBot (Alice) REST client's errors: the upstream tree for service 'antbot' (upstream/errors.ts; codes
// ANTBOT_HTTP, ANTBOT_AUTH_FAILED, ANTBOT_TIMEOUT, … in shared/error-catalogue.ts). Messages name the operation and
// the status, never a secret (password, token) nor a URL with a query. A refused get-token is an UpstreamAuthError,
// so the shared TokenKeeper fails fast (rejects waiting callers) instead of queueing them behind its retry backoff.
import { serviceErrors } from '../upstream/errors.js';

export type AntBotOp = 'get_token' | 'dnc_contact' | 'dnc_list' | 'event' | 'alarm' | 'cdr';

const antbot = serviceErrors<AntBotOp>('antbot');
export const { ServiceError: AntBotError, Http: AntBotHttpError, Auth: AntBotAuthError } = antbot;
export const { Timeout: AntBotTimeoutError, Network: AntBotNetworkError, Response: AntBotResponseError } = antbot;
