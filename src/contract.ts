// The bridge's public contract (docs/contract.md): what browsers, CRMs and operators rely on.
// Every type a client sees is declared here, once.

export type Role = 'agent' | 'supervisor' | 'wallboard' | 'admin';

/** Verified JWT claims (fanout/jwt.ts turns a token into this or refuses it). */
export interface Claims {
  sub: string;
  org: string;
  role: Role;
  /** AntRing username: required for agents. */
  agent?: string;
  /** Queue ids a supervisor/wallboard may watch; ["*"] = all queues of the org. */
  queues: string[];
  /** Expiry, unix seconds (required). */
  exp: number;
}

export type ContactStatus = 'found' | 'multiple' | 'not_found' | 'pending' | 'error' | 'disabled';
export type CallState = 'ringing' | 'answered' | 'ended';
export type CallDirection = 'inbound' | 'outbound' | 'internal';
export type CallOutcome = 'answered' | 'answered_elsewhere' | 'missed' | 'abandoned' | 'busy' | 'failed';

export interface Contact {
  source: 'antcrm';
  type: 'lead' | 'customer' | 'account';
  id: string;
  name: string;
  phones: string[];
  emails: string[];
  tags: string[];
  stage?: string;
  responsibleStaff?: string;
  rank?: string;
}

export interface AgentRef { username: string; id?: string; name?: string; ext?: string[] }
export interface QueueRef { id: string; name?: string }
export interface Party { number: string; name?: string }

export interface CallView {
  /** `${callId}:${seq}`: unique per message. */
  id: string;
  callId: string;
  seq: number;
  org: string;
  state: CallState;
  direction: CallDirection;
  from: Party;
  to: Party;
  did?: string;
  agent?: AgentRef;
  queue?: QueueRef;
  contact: Contact | null;
  contactStatus: ContactStatus;
  candidates?: Contact[];
  startedAt: string;
  answeredAt?: string;
  endedAt?: string;
  outcome?: CallOutcome;
  hangupCause?: string;
  durationSec?: number;
  billingSec?: number;
}

export interface DashboardAgentDetail { username: string; name?: string; status: string; since?: string }
export interface Dashboard {
  org: string;
  at: string;
  stale: boolean;
  agents: {
    ready: number; loggedIn: number; loggedOut: number; wrapup: number; connected: number; paused: number;
    details: DashboardAgentDetail[];
  };
  totals: {
    offered: number; handled: number; abandoned: number; received: number;
    avgWaitingSec: number; maxWaitingSec: number; avgTalkingSec: number; waiting: number;
  };
  queues: { id: string; name: string; agents: number; waiting?: number }[];
  waitingCalls: { callId: string; queueId?: string; number: string; since?: string }[];
}

/** REST and socket error codes, with their HTTP status. */
export const ERROR_STATUS = {
  invalid_body: 400,
  unauthorized: 401,
  token_expired: 401,
  forbidden: 403,
  dnc: 403,
  not_found: 404,
  device_offline: 409,
  invalid_number: 422,
  rate_limited: 429,
  upstream_error: 502,
  upstream_unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;
export interface ErrorBody { error: ErrorCode; message: string }

export interface DialOk { status: 'dialing'; number: string }
export type DialResult = DialOk | ErrorBody;

/** Socket.IO typed event maps: Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>. */
export interface ServerToClientEvents {
  call: (view: CallView) => void;
  dashboard: (dashboard: Dashboard) => void;
}
export interface ClientToServerEvents {
  dial: (body: { number: string }, ack: (result: DialResult) => void) => void;
}
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface InterServerEvents {}
export interface SocketData { claims: Claims }

/** Refused handshakes: err.message and err.data.code. */
export type HandshakeError = 'unauthorized' | 'token_expired' | 'forbidden';
