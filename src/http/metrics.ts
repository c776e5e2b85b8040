// Prometheus metrics of one bridge: a Registry per instance (several bridges in one process never collide), typed
// observation methods the composition root wires to each module's hook, and GET /metrics (text format 0.0.4).
// Label values come from our own code (frame types, reasons, codes) but are still sanitised and capped per metric,
// so a surprising upstream value can never grow the series without bound.

import { Router } from 'express';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type CallState, type ErrorCode, ROLES, type Role } from '../contract.js';
import { LabelGuard, MAX_LABEL_VALUES, METRICS_PREFIX } from './metric-labels.js';
import { defineOutboxMetrics, type OutboxMetricsSource, type OutboxStatsErrors } from './outbox-metrics.js';

export type { OutboxMetricsSource };

export { METRICS_PREFIX };

/** Ring-to-emit buckets (seconds): fine-grained from 1 ms to 1 s. */
export const LATENCY_BUCKETS: readonly number[] = Object.freeze([
  0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1,
]);

export const SIGNAL_STATES = ['idle', 'connecting', 'subscribing', 'live', 'backoff', 'stopped'] as const;

/** Latencies outside [0, this] are not observed (a receivedAt of 0, or of another process's clock). */
const MAX_LATENCY_S = 60;
/** Distinct values per label beyond which new values are reported as `other`. */

export interface BridgeMetricsOptions {
  /** Node process metrics (CPU, memory, event loop lag, GC) in this registry. Default false. */
  defaultMetrics?: boolean;
  /** Monotonic clock of update.receivedAt (performance.now()). Injectable for tests. */
  monotonic?: () => number;
}

/** What TokenKeeper's onRefresh hook reports (structural: only the fields counted). */
export interface TokenRefreshObservation {
  ok: boolean;
  reason: string;
}
export interface CrmLookupObservation {
  result: string;
  cache: string;
}

export class BridgeMetrics {
  readonly registry = new Registry();
  private readonly monotonic: () => number;
  private readonly labels = new LabelGuard();
  private readonly signalStateGauge: Gauge<'state'>;
  private readonly reconnects: Counter;
  private readonly frames: Counter<'type'>;
  private readonly rejected: Counter<'reason'>;
  /** `call` messages out, counted in plain numbers (one per emit) and handed to the counter when it is collected. */
  private readonly callsOutCount = { agent: 0, call: 0 };
  /** CallState → its label value (checked once per state, not at every emit). */
  private readonly stateLabels = new Map<string, string>();
  private readonly publishRejected: Counter<'reason'>;
  private readonly throttled: Counter<'what'>;
  private readonly latency: Histogram<'state'>;
  private readonly crm: Counter<'result' | 'cache'>;
  private readonly sockets: Gauge<'role'>;
  private readonly dials: Counter<'code'>;
  private readonly tokenRefreshes: Counter<'result' | 'reason'>;
  private readonly dashboardPolls: Counter<'result' | 'changed'>;
  private lastSignalState: string = 'idle';

  constructor(opts: BridgeMetricsOptions = {}) {
    this.monotonic = opts.monotonic ?? (() => performance.now());
    const registers = [this.registry];
    const p = METRICS_PREFIX;
    this.signalStateGauge = new Gauge({
      name: `${p}signal_state`,
      help: 'Upstream signal subscription state: 1 for the current state, 0 for the others.',
      labelNames: ['state'],
      registers,
    });
    this.reconnects = new Counter({
      name: `${p}signal_reconnects_total`,
      help: 'Reconnections of the upstream signal socket.',
      registers,
    });
    this.frames = new Counter({
      name: `${p}signal_frames_total`,
      help: 'Upstream signal frames received, by frame type.',
      labelNames: ['type'],
      registers,
    });
    this.rejected = new Counter({
      name: `${p}signal_rejected_total`,
      help: 'Upstream signal frames or events rejected, by reason.',
      labelNames: ['reason'],
      registers,
    });
    const out = this.callsOutCount;
    new Counter({
      name: `${p}call_messages_total`,
      help: "Socket.IO `call` messages emitted, by audience kind (agent: an agent's own leg; call: admins and queue supervisors).",
      labelNames: ['audience'],
      registers,
      collect() {
        this.reset();
        this.inc({ audience: 'agent' }, out.agent);
        this.inc({ audience: 'call' }, out.call);
      },
    });
    this.publishRejected = new Counter({
      name: `${p}call_publish_rejected_total`,
      help: 'Call updates dropped before emission, by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.throttled = new Counter({
      name: `${p}socket_events_throttled_total`,
      help: 'Client events refused by the per-socket throttle (dropped), and sockets disconnected for abusing it.',
      labelNames: ['what'],
      registers,
    });
    this.latency = new Histogram({
      name: `${p}ring_to_emit_seconds`,
      help: 'Time from the upstream frame being read to the `call` message being emitted, by call state.',
      labelNames: ['state'],
      buckets: [...LATENCY_BUCKETS],
      registers,
    });
    this.crm = new Counter({
      name: `${p}crm_lookups_total`,
      help: 'CRM contact lookups, by result and cache (hit, miss, joined: shared an in-flight lookup).',
      labelNames: ['result', 'cache'],
      registers,
    });
    this.sockets = new Gauge({
      name: `${p}sockets`,
      help: 'Connected Socket.IO clients, by role.',
      labelNames: ['role'],
      registers,
    });
    this.dials = new Counter({
      name: `${p}click_to_call_total`,
      help: 'Click-to-call requests (REST and socket), by result code (`dialing` or the error code).',
      labelNames: ['code'],
      registers,
    });
    this.tokenRefreshes = new Counter({
      name: `${p}token_refreshes_total`,
      help: 'AntRing auth-token fetch attempts, by result (ok, error) and reason.',
      labelNames: ['result', 'reason'],
      registers,
    });
    this.dashboardPolls = new Counter({
      name: `${p}dashboard_polls_total`,
      help: 'Dashboard poll rounds, by result and whether the dashboard changed.',
      labelNames: ['result', 'changed'],
      registers,
    });
    for (const s of SIGNAL_STATES) this.signalStateGauge.set({ state: s }, s === 'idle' ? 1 : 0);
    for (const role of ROLES) this.sockets.set({ role }, 0);
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: p });
  }

  /** SignalSubscriber onStateChange. Entering `connecting` from `backoff` is one reconnect. */
  signalState(state: string): void {
    const prev = this.lastSignalState;
    this.lastSignalState = state;
    if (state === 'connecting' && prev === 'backoff') this.reconnects.inc();
    for (const s of SIGNAL_STATES) this.signalStateGauge.set({ state: s }, s === state ? 1 : 0);
  }

  /** SignalSubscriber onFrame. */
  signalFrame(type: string): void {
    this.frames.inc({ type: this.label('frame', type) });
  }

  /** SignalSubscriber onReject. */
  signalReject(reason: string): void {
    this.rejected.inc({ reason: this.label('reject', reason) });
  }

  /** CallPublisher onEmit: one `call` message out, and its latency from update.receivedAt (performance.now()). */
  callEmitted(audience: 'agent' | 'call', state: CallState, receivedAt: number): void {
    if (audience === 'agent') this.callsOutCount.agent++;
    else this.callsOutCount.call++;
    const seconds = (this.monotonic() - receivedAt) / 1000;
    if (receivedAt > 0 && Number.isFinite(seconds) && seconds >= 0 && seconds <= MAX_LATENCY_S) {
      let label = this.stateLabels.get(state);
      if (label === undefined) {
        label = this.label('state', state);
        if (this.stateLabels.size < MAX_LABEL_VALUES) this.stateLabels.set(state, label);
      }
      this.latency.observe({ state: label }, seconds);
    }
  }

  /** CallPublisher onReject. */
  callRejected(reason: string): void {
    this.publishRejected.inc({ reason: this.label('publish_reject', reason) });
  }

  /** Fan-out onThrottle: a client event dropped, or a socket disconnected, by the per-socket throttle. */
  socketThrottled(what: 'dropped' | 'disconnected'): void {
    this.throttled.inc({ what });
  }

  /** ContactDirectory observe. */
  crmLookup(ev: CrmLookupObservation): void {
    this.crm.inc({ result: this.label('crm_result', ev.result), cache: this.label('crm_cache', ev.cache) });
  }

  /** Fanout onConnectionChange. */
  socketChange(role: Role, delta: 1 | -1): void {
    this.sockets.inc({ role: this.label('role', role) }, delta);
  }

  /** Click-to-call onResult: `dialing` or the contract's error code. */
  observeDial(code: 'dialing' | ErrorCode): void {
    this.dials.inc({ code: this.label('dial', code) });
  }

  /** TokenKeeper onRefresh (every fetch attempt). */
  tokenRefresh(ev: TokenRefreshObservation): void {
    this.tokenRefreshes.inc({ result: ev.ok ? 'ok' : 'error', reason: this.label('token_reason', ev.reason) });
  }

  /** DashboardPoller onPoll. */
  dashboardPoll(result: string, changed: boolean): void {
    this.dashboardPolls.inc({ result: this.label('poll', result), changed: String(changed) });
  }

  /** The durable outbox (contract §7.2): outbox-metrics.ts. */
  outbox(src: OutboxMetricsSource): OutboxStatsErrors {
    return defineOutboxMetrics(this.registry, src, (kind, v) => this.label(kind, v));
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** GET /metrics, no auth (expose it to the scraper's network only). */
  router(): Router {
    const r = Router();
    r.get('/metrics', async (_req, res) => {
      const body = await this.text();
      res.setHeader('Content-Type', this.contentType);
      res.setHeader('Cache-Control', 'no-store');
      res.end(body);
    });
    return r;
  }

  private label(kind: string, value: string): string {
    return this.labels.label(kind, value);
  }
}
