// The bridge's public contract (docs/contract.md): what browsers, CRMs and operators rely on.
// Every type a client sees is declared here, once.

/** Every role a token can carry (one definition; jwt.ts, metrics and the socket counts derive from it). */
export const ROLES = ['agent', 'supervisor', 'wallboard', 'admin'] as const;
export type Role = (typeof ROLES)[number];

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

/** Every contactStatus a CallView can carry (one definition; the lookup statuses derive from it). */
export const CONTACT_STATUSES = ['found', 'multiple', 'not_found', 'pending', 'error', 'disabled'] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];
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

export interface AgentRef {
  username: string;
  id?: string;
  name?: string;
  ext?: string[];
}
export interface QueueRef {
  id: string;
  name?: string;
}
export interface Party {
  number: string;
  name?: string;
}

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
  /** Set on the last view of a call that turned out to be part of another one (legs linked late; `hangupCause`
   *  `BRIDGE_MERGED`, no outcome): the surviving callId, whose views go on. */
  mergedInto?: string;
  durationSec?: number;
  billingSec?: number;
  /** On a later message of an ended call: what the write-back did with it (bridge-contract §7.2). */
  crm?: CallCrm;
  /** §9.3: on the later messages of a missed call: its number's recovery. */
  recovery?: RecoveryView;
  /** §9.3: on a call from or to a number with an open or scheduled recovery: those missed calls (kept once this call
   *  recovered them). */
  recovers?: string[];
  /** §9.3: AntBot's callback of a missed call. */
  callback?: true;
}

/** The write-back results of one call: AntCRM ids once written; `failed` when a write was given up. */
export interface CallCrm {
  ticketId?: string;
  leadId?: string;
  status: 'pending' | 'written' | 'failed';
}

/** Socket `wrapup` and `POST /api/calls/:callId/wrapup` (the REST body has no callId: it is in the path). */
export interface WrapupRequest {
  callId: string;
  /** 1–2000 characters. */
  note: string;
  /** A short word (≤ 40 characters: letters, digits, `_`, `-`). */
  disposition?: string;
}
export interface WrapupAccepted {
  status: 'accepted';
}
export type WrapupResult = WrapupAccepted | ErrorBody;

/** `GET /api/outbox` (admin), exactly. */
export interface OutboxStatsBody {
  pending: number;
  delivered: number;
  failed: number;
  oldestPendingSec: number;
  failures: { key: string; target: string; attempts: number; lastError: string; since: string }[];
}

export interface DashboardAgentDetail {
  username: string;
  name?: string;
  status: string;
  since?: string;
}
export interface Dashboard {
  org: string;
  at: string;
  stale: boolean;
  agents: {
    ready: number;
    loggedIn: number;
    loggedOut: number;
    wrapup: number;
    connected: number;
    paused: number;
    details: DashboardAgentDetail[];
  };
  /** AntRing's org-wide figures, whatever the reader's `queues` (AntRing gives no per-queue totals). */
  totals: {
    scope: 'org';
    offered: number;
    handled: number;
    abandoned: number;
    received: number;
    avgWaitingSec: number;
    maxWaitingSec: number;
    avgTalkingSec: number;
    waiting: number;
  };
  queues: { id: string; name: string; agents: number; waiting?: number }[];
  waitingCalls: { callId: string; queueId?: string; number: string; since?: string }[];
  /** §9.3: missed-call recovery figures (when callbacks are on). */
  recovery?: RecoveryFigures;
}

// Missed-call recovery (bridge-contract §9.3): what clients see of it.
export const RECOVERY_STATUSES = ['open', 'scheduled', 'recovered', 'unreached'] as const;
export type RecoveryStatus = (typeof RECOVERY_STATUSES)[number];
export const RECOVERED_BY = ['inbound', 'outbound', 'callback'] as const;
export type RecoveredBy = (typeof RECOVERED_BY)[number];

/** §9.3 `recovery` on the missed call's later views. */
export interface RecoveryView {
  status: RecoveryStatus;
  by?: RecoveredBy;
  recoveredAt?: string;
  recoveredCallId?: string;
  attempts: number;
  dueAt?: string;
}

/** §9.3 fields on a view of a call from or to a number with an open or scheduled recovery. */
export interface RecoversFields {
  /** The missed calls' callIds. */
  recovers?: string[];
  /** AntBot's callback call. */
  callback?: true;
}

/** §9.3 `recovery` on the dashboard (today = the tenant's calendar day). */
export interface RecoveryFigures {
  missedToday: number;
  recovered: number;
  open: number;
  scheduled: number;
  unreached: number;
  /** Over the recoveries recovered today; null when none. */
  medianMinutesToRecover: number | null;
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
  /** The HTTP server's own limits: a request not received in time, headers too large. */
  request_timeout: 408,
  headers_too_large: 431,
  /** A bug inside the bridge (502/503 mean only real upstream failures). */
  internal_error: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;
export interface ErrorBody {
  error: ErrorCode;
  message: string;
}

export interface DialOk {
  status: 'dialing';
  number: string;
}
export type DialResult = DialOk | ErrorBody;

/** Socket.IO typed event maps: Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>. */
export interface SessionExpired {
  /** token_expired: fetch a new token and reconnect; tenant_removed: the account is no longer served (§8.2). */
  code: 'token_expired' | 'tenant_removed';
}
export interface ServerToClientEvents {
  call: (view: CallView) => void;
  dashboard: (dashboard: Dashboard) => void;
  /** Sent just before the bridge disconnects a socket whose token expired: fetch a new token and reconnect. */
  session_expired: (e: SessionExpired) => void;
  /** No payload of its own: keeps the socket's recovery offset fresh (connection state recovery); ignore it. */
  keepalive: () => void;
}
export interface ClientToServerEvents {
  dial: (body: { number: string }, ack: (result: DialResult) => void) => void;
  /** The agent's wrap-up of an ended call (within 30 minutes): the ack gets the REST answer's body. */
  wrapup: (body: WrapupRequest, ack: (result: WrapupResult) => void) => void;
}
/** Cluster mode: the dashboard leader hands each dashboard (with queue membership) to the other nodes, which
 *  emit the queue-scoped versions to their own sockets. */
export interface InterServerEvents {
  scopedDashboard: (dashboard: Dashboard, members: Record<string, string[]>) => void;
  /** Cluster mode: a node placed a click-to-call for this agent and number (the upstream holders' engines ask). */
  placedCall: (agent: string, number: string) => void;
}
export interface SocketData {
  claims: Claims;
}

/** Refused handshakes: err.message and err.data.code. */
export type HandshakeError = 'unauthorized' | 'token_expired' | 'forbidden';
