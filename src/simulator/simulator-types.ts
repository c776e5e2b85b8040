// The simulator's public shape (simulator.ts startSimulator builds it): its options, the credentials it issues,
// its counters, and the handle a test, the demo or a benchmark holds.
import type { Logger } from '../log.js';
import type { SignalProtocol } from '../shared/signal-protocol.js';
import type { AntBotSim, AntBotSimStats } from './antbot.js';
import type { AntCrmStats, CrmTicket, CrmWriteStats } from './antcrm.js';
import type { AntRingRestStats } from './antring-rest.js';
import type { CrmRecord, SimData } from './data.js';
import type { ExpireFormat, SimFaults } from './faults.js';
import type { KeyStyle } from './kazoo-payload.js';
import type { ShapeOptions } from './kazoo-shapes.js';
import type { ScenarioEngine, Timing } from './scenarios.js';
import type { SignalServers, SignalServersStats } from './signal-servers.js';
import type { SocketIo09Framing } from './signal-socketio09.js';
import type { SimState } from './state.js';
import type { TokenRegistry } from './token-registry.js';
import type { ReceivedWebhook, WebhookReceiverStats } from './webhook-receiver.js';

export interface SimulatorOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Defaults: `antring-sim`, and a random secret / API key per start. */
  appId?: string;
  appSecret?: string;
  accountId?: string;
  crmApiKey?: string;
  /** AntBot (Alice) credentials; defaults `antbot-sim` and a random password per start. */
  antbotUsername?: string;
  antbotPassword?: string;
  /** Lifetime of the auth tokens issued. Default 1 h. */
  tokenLifetimeMs?: number;
  /** How auth_token writes `expire`. Default 'unix-s'. */
  expireFormat?: ExpireFormat;
  /** Socket.IO 0.9 heartbeat advertised by the signal socket (s). */
  heartbeatSec?: number;
  logger?: Logger;
  /** Scenario timings (default: a realistic pace; see scenario-legs.ts). */
  timing?: Partial<Timing>;
  /** Scenario waits; default real timers. */
  delay?: (ms: number) => Promise<void>;
  /** Forces one payload key style (default: Title-Case and snake_case drawn per call, see shapes). */
  keyStyle?: KeyStyle;
  /** How often each real-Kazoo shape appears (default kazoo-shapes.ts DEFAULT_SHAPES; PLAIN_SHAPES: the classic ones only). */
  shapes?: ShapeOptions;
  /** Socket.IO 0.9 framing of call events. Default DEFAULT_FRAMING (some batched `\ufffd` frames, some object args). */
  framing?: SocketIo09Framing;
  /** Agents' wrap-up after a talk (ms). Default 5000. */
  wrapupMs?: number;
  /** Past calls in the history at start. Default 240; 0 for none. */
  historySeedCount?: number;
  random?: () => number;
  /** The embedded webhook receiver's Standard Webhooks secret (`whsec_…`); default a random one per start. */
  webhookSecret?: string;
}

export interface SimulatorCredentials {
  appId: string;
  appSecret: string;
  accountId: string;
  crmApiKey: string;
  /** AntBot get-token credentials (ANTBOT_USERNAME / ANTBOT_PASSWORD). */
  antbotUsername: string;
  antbotPassword: string;
  /** For the signed agents/queues/dashboard calls. */
  domain: string;
  email: string;
}

export interface SimulatorStats {
  /** POST /oapi/v1/voice/auth_token requests (all outcomes). */
  authTokenRequests: number;
  /** GET /crm/contacts requests (all outcomes). */
  crmRequests: number;
  /** POST /oapi/v1/call/click-to-call/:number requests (all outcomes). */
  clickToCallRequests: number;
  rest: AntRingRestStats;
  crm: AntCrmStats;
  antbot: AntBotSimStats;
  signals: SignalServersStats;
  scenarios: ReturnType<ScenarioEngine['stats']>;
}

export interface Simulator {
  /** http://host:port */
  readonly url: string;
  /** AntRing REST base (= url; the client appends /oapi/v1/…), i.e. ANTRING_API_URL. */
  readonly apiUrl: string;
  /** AntCRM base: `${url}/crm` (the client appends /contacts), i.e. ANTCRM_API_URL. */
  readonly crmUrl: string;
  /** AntBot base: `${url}/antbot/rest-api` (the client appends /get-token/, /dnc-contact/), i.e. ANTBOT_API_URL. */
  readonly antbotUrl: string;
  /** The simulated AntBot: its DNC entries, issued tokens, fault switches (fail, delayMs, tokenStyle). */
  readonly antbot: AntBotSim;
  /** socketio: the http base (Socket.IO 0.9 under /socket.io/1/); blackhole: ws://host:port/blackhole. */
  signalUrl(protocol: SignalProtocol): string;
  readonly credentials: SimulatorCredentials;
  readonly data: SimData;
  readonly state: SimState;
  readonly tokens: TokenRegistry;
  readonly scenarios: ScenarioEngine;
  readonly faults: SimFaults;
  readonly signals: SignalServers;
  /** Requests to /crm/contacts for this phone (as sent), or all of them. */
  crmRequests(phone?: string): number;
  /** What the bridge wrote to the simulated AntCRM: tickets (POST/PUT /tickets) and leads (POST /contacts); the write
   *  requests counted as they arrive (before the `delayMs` fault). */
  readonly crm: { tickets(): CrmTicket[]; leads(): CrmRecord[]; writeStats(): CrmWriteStats };
  /** The embedded webhook receiver (`url` = WEBHOOK_URLS, `secret` = WEBHOOK_SECRET): verified deliveries, once each. */
  readonly webhooks: {
    url: string;
    secret: string;
    deliveries(): ReceivedWebhook[];
    stats(): WebhookReceiverStats;
    reset(): void;
  };
  /** The demo pages' feed (http/demo-pages.ts DemoFeed): tickets and leads written, webhooks received (newest first). */
  readonly demoFeed: {
    crm(): { tickets: CrmTicket[]; leads: CrmRecord[] };
    webhooks(): { deliveries: ReceivedWebhook[] };
  };
  stats(): SimulatorStats;
  /** Idempotent. */
  close(): Promise<void>;
}
