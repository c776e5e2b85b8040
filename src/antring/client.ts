// AntRing open-API client (https://openapi.antbuddy.com/oapi/v1/...): auth token, directory (agents, queues,
// dashboard), call history, recordings, click-to-call. Signatures come from hash.ts; bodies are parsed by responses.ts.
// Nothing secret (app secret, hashes, tokens, SIP passwords, signed URLs) reaches a log line or an error message.
import type { Logger } from '../log.js';
import { clientFetch, type FetchLike } from '../upstream/fetch.js';
import { fetchText } from '../upstream/request.js';
import { clickToCallRefusal } from './click-to-call-answer.js';
import {
  AntRingArgumentError,
  AntRingAuthError,
  AntRingConfigError,
  type AntRingError,
  AntRingHttpError,
  AntRingNetworkError,
  type AntRingOp,
  AntRingResponseError,
  AntRingTimeoutError,
} from './errors.js';
import { parseExpire } from './expire.js';
import { appHash, directoryHash, type HistoryQuery, historyHash, recordingHash } from './hash.js';
import {
  type Agent,
  parseAgents,
  parseDashboard,
  parseHistories,
  parseMedia,
  parseQueues,
  type Queue,
  type RawDashboard,
  unwrapList,
} from './responses.js';
import type { AuthToken } from './token-source.js';

export type { FetchLike } from '../upstream/fetch.js';
export type { HistoryQuery } from './hash.js';
export type { Agent, Queue, RawDashboard } from './responses.js';

export interface AntRingClientOptions {
  /** Base URL without the trailing slash, e.g. https://openapi.antbuddy.com. */
  apiUrl: string;
  appId: string;
  appSecret: string;
  /** Needed (with email) for agents, queues and dashboard: both are part of those calls' hash. */
  domain?: string;
  email?: string;
  /** Default: node-fetch with keep-alive http/https agents (released by close()). */
  fetch?: FetchLike;
  /** Whole request, body included. Default 5000. */
  timeoutMs?: number;
  logger: Logger;
  /** Wall clock for parseExpire. Default Date.now. */
  now?: () => number;
}

export interface ClientCounters {
  /** Directory items skipped because they lacked an id or a username. */
  agentsSkipped: number;
  queuesSkipped: number;
}

interface RequestSpec {
  op: AntRingOp;
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  signedHeaders?: boolean;
  body?: unknown;
  signal?: AbortSignal;
  /** Maps a 400 (and its body) to a specific error (click-to-call: device offline or refused). */
  on400?: (body: string) => InstanceType<typeof AntRingError>;
}

export class AntRingClient {
  readonly counters: ClientCounters = { agentsSkipped: 0, queuesSkipped: 0 };
  private readonly apiUrl: string;
  private readonly fetch: FetchLike;
  private readonly ownFetch?: { close(): void };
  private readonly timeoutMs: number;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly opts: AntRingClientOptions) {
    this.apiUrl = opts.apiUrl.replace(/\/+$/, '');
    ({ fetch: this.fetch, own: this.ownFetch } = clientFetch(opts.fetch, { maxSockets: 16 }));
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.log = opts.logger;
    this.now = opts.now ?? Date.now;
  }

  /** POST /oapi/v1/voice/auth_token → `{ value, expiresAt }` (absolute unix ms). `signal` aborts the request. */
  async authToken(signal?: AbortSignal): Promise<AuthToken> {
    const body = await this.request({
      op: 'auth_token',
      method: 'POST',
      path: '/oapi/v1/voice/auth_token',
      signedHeaders: true,
      signal,
    });
    const o = body as { value?: unknown; expire?: unknown } | undefined;
    if (typeof o !== 'object' || o === null || typeof o.value !== 'string' || o.value === '') {
      throw new AntRingResponseError('auth_token', 'no token value');
    }
    let expiresAt: number;
    try {
      expiresAt = parseExpire(o.expire, this.now());
    } catch (err) {
      throw new AntRingResponseError('auth_token', (err as Error).message);
    }
    return { value: o.value, expiresAt };
  }

  /** GET /oapi/v1/agents. Items without an id or a username are skipped (counted, logged). */
  async agents(): Promise<Agent[]> {
    const list = unwrapList(await this.request(this.directoryRequest('agents', '/oapi/v1/agents')));
    if (!list) throw new AntRingResponseError('agents', 'expected an array');
    const { items, skipped } = parseAgents(list);
    if (skipped) {
      this.counters.agentsSkipped += skipped;
      this.log.warn({ op: 'agents', skipped, kept: items.length }, 'antring: agents without id or username skipped');
    }
    return items;
  }

  /** GET /oapi/v1/queues. Items without an id are skipped (counted, logged). */
  async queues(): Promise<Queue[]> {
    const list = unwrapList(await this.request(this.directoryRequest('queues', '/oapi/v1/queues')));
    if (!list) throw new AntRingResponseError('queues', 'expected an array');
    const { items, skipped } = parseQueues(list);
    if (skipped) {
      this.counters.queuesSkipped += skipped;
      this.log.warn({ op: 'queues', skipped, kept: items.length }, 'antring: queues without id skipped');
    }
    return items;
  }

  /** GET /oapi/v1/call/dashboard → `{ agent, queue }`, loosely validated (unknown keys kept). */
  async dashboard(): Promise<RawDashboard> {
    const parsed = parseDashboard(await this.request(this.directoryRequest('dashboard', '/oapi/v1/call/dashboard')));
    if (!parsed) throw new AntRingResponseError('dashboard', 'expected { agent, queue }');
    return parsed;
  }

  /** GET /oapi/v1/call/histories (AntRing allows at most a 31-day window and limit ≤ 100). */
  async histories(q: HistoryQuery): Promise<{ items: unknown[]; total?: number }> {
    if (!q.created_from || !q.created_to)
      throw new AntRingArgumentError('histories', 'AntRing histories: created_from and created_to are required');
    if (!Number.isInteger(q.limit) || q.limit < 1 || !Number.isInteger(q.page) || q.page < 1) {
      throw new AntRingArgumentError('histories', 'AntRing histories: limit and page must be positive integers');
    }
    const { appId, appSecret } = this.opts;
    const body = await this.request({
      op: 'histories',
      method: 'GET',
      path: '/oapi/v1/call/histories',
      query: {
        appId,
        created_from: q.created_from,
        created_to: q.created_to,
        limit: String(q.limit),
        page: String(q.page),
        hash: historyHash(q, appId, appSecret),
      },
    });
    const parsed = parseHistories(body);
    if (!parsed) throw new AntRingResponseError('histories', 'expected { data: [...] } or an array');
    return parsed;
  }

  /** GET /oapi/v1/call/play_recording → the (signed, short-lived) URL of the recording. Do not log it. */
  async playRecording(media: string): Promise<string> {
    if (!media) throw new AntRingArgumentError('play_recording', 'AntRing play_recording: media is required');
    const { appId, appSecret } = this.opts;
    const body = await this.request({
      op: 'play_recording',
      method: 'GET',
      path: '/oapi/v1/call/play_recording',
      query: { appId, media, hash: recordingHash(appId, media, appSecret) },
    });
    const url = parseMedia(body);
    if (!url) throw new AntRingResponseError('play_recording', 'no media URL');
    return url;
  }

  /** POST /oapi/v1/call/click-to-call/:number. 400 → DeviceOfflineError or ClickToCallRefusedError (its reason). */
  async clickToCall(number: string, device: { sipUser: string; sipPassword: string }): Promise<void> {
    if (!number?.trim()) throw new AntRingArgumentError('click_to_call', 'AntRing click_to_call: number is required');
    await this.request({
      op: 'click_to_call',
      method: 'POST',
      path: `/oapi/v1/call/click-to-call/${encodeURIComponent(number.trim())}`,
      signedHeaders: true,
      body: { sipUser: device.sipUser, sipPassword: device.sipPassword },
      on400: clickToCallRefusal,
    });
  }

  /** Releases the default fetch's keep-alive sockets (no-op with an injected fetch). Idempotent. */
  close(): void {
    this.ownFetch?.close();
  }

  private directoryRequest(op: AntRingOp, path: string): RequestSpec {
    const { appId, appSecret, domain, email } = this.opts;
    if (!domain || !email) throw new AntRingConfigError(op);
    return {
      op,
      method: 'GET',
      path,
      query: { appId, domain, email, hash: directoryHash(appId, domain, email, appSecret) },
    };
  }

  /** One request: signed, timed out, status mapped to typed errors; resolves to the parsed JSON (undefined if empty). */
  private async request(spec: RequestSpec): Promise<unknown> {
    const { op, method, path } = spec;
    const url = this.apiUrl + path + (spec.query ? `?${new URLSearchParams(spec.query).toString()}` : '');
    const headers: Record<string, string> = { accept: 'application/json' };
    if (spec.signedHeaders) {
      headers['x-auth-app-id'] = this.opts.appId;
      headers['x-auth-app-hash'] = appHash(this.opts.appId, this.opts.appSecret);
    }
    if (method === 'POST') headers['content-type'] = 'application/json';
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);

    const { status, text, ms } = await fetchText(
      this.fetch,
      url,
      { method, headers, body },
      {
        timeoutMs: this.timeoutMs,
        signal: spec.signal,
        errors: {
          timeout: (t) => new AntRingTimeoutError(op, t),
          network: (code) => new AntRingNetworkError(op, code),
        },
      },
    );
    this.log.debug({ op, method, path: pathOnly(path), status, ms }, 'antring: response');
    if (status === 401 || status === 403) throw new AntRingAuthError(op, status);
    if (status === 400 && spec.on400) throw spec.on400(text);
    if (status < 200 || status > 299) throw new AntRingHttpError(op, status);
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new AntRingResponseError(op, 'body is not JSON');
    }
  }
}

/** The path for logs: click-to-call paths hold a phone number, so keep only the route. */
function pathOnly(path: string): string {
  return path.startsWith('/oapi/v1/call/click-to-call/') ? '/oapi/v1/call/click-to-call/:number' : path;
}
