// The `org` label of several tenants (contract §8.4): the call, pop (ring→emit), upstream (signal, token) and
// outbox series carry the tenant's account id. Each family is the one BridgeMetrics defines (same name, help,
// labels, buckets) plus `org`: it is taken out of the registry and registered again with the label. A
// single-account bridge does not use this (its series stay as they were).
// Cheap on the hot path: each tenant's view makes a labelled child once per label value and reuses it.

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { LabelGuard } from '../http/metric-labels.js';
import { type BridgeMetrics, METRICS_PREFIX, type OutboxMetricsSource, SIGNAL_STATES } from '../http/metrics.js';
import { noCounters } from '../outbox/types.js';
import { outboxMetricsOf, outboxOf, type TenantList } from './tenant-status.js';

/** What one tenant's runtime observes (BridgeMetrics itself for a single account). */
export type TenantMetrics = Pick<
  BridgeMetrics,
  | 'signalState'
  | 'signalFrame'
  | 'signalReject'
  | 'callEmitted'
  | 'callRejected'
  | 'crmLookup'
  | 'observeDial'
  | 'tokenRefresh'
  | 'dashboardPoll'
>;

export interface OrgOutbox {
  org: string;
  source: OutboxMetricsSource;
}

const P = METRICS_PREFIX;
const LIVE = [
  'signal_state',
  'signal_reconnects_total',
  'signal_frames_total',
  'signal_rejected_total',
  'call_messages_total',
  'call_publish_rejected_total',
  'ring_to_emit_seconds',
  'token_refreshes_total',
] as const;
/** Latencies outside [0, this] are not observed (as BridgeMetrics). */
const MAX_LATENCY_S = 60;

type Family = Counter<string> | Gauge<string> | Histogram<string>;
interface Child {
  inc(v?: number): void;
  set(v: number): void;
  observe(v: number): void;
}

/** Same family, plus the org label (collect: a replacement for the original's). */
function withOrg(registry: Registry, short: string, collect?: (this: never) => unknown): Family {
  const name = `${P}${short}`;
  const old = registry.getSingleMetric(name) as unknown as {
    help: string;
    labelNames?: string[];
    upperBounds?: number[];
    constructor: unknown;
  };
  if (!old) throw new Error(`metric ${name} is not defined`);
  registry.removeSingleMetric(name);
  const base = {
    name,
    help: old.help,
    labelNames: [...(old.labelNames ?? []), 'org'],
    registers: [registry],
    ...(collect ? { collect } : {}),
  };
  if (old instanceof Histogram) return new Histogram({ ...base, buckets: [...(old.upperBounds ?? [])] } as never);
  if (old instanceof Gauge) return new Gauge(base as never);
  return new Counter(base as never);
}

export class OrgMetrics {
  private readonly fam = new Map<string, Family>();
  private readonly views = new Map<string, { view: TenantMetrics; labels: [Family, Record<string, string>][] }>();
  private readonly labels = new LabelGuard();

  constructor(
    private readonly base: BridgeMetrics,
    /** Every tenant's outbox, read at each scrape. */
    outboxes: () => OrgOutbox[],
    private readonly monotonic: () => number = () => performance.now(),
  ) {
    const reg = base.registry;
    // The outbox families are defined by BridgeMetrics.outbox(): define them, then label them here.
    const errors = base.outbox({
      stats: async () => ({ pending: 0, delivered: 0, failed: 0, oldestPendingSec: 0 }),
      counters: noCounters,
    });
    for (const short of LIVE) this.fam.set(short, withOrg(reg, short));
    const label = (v: string) => this.label('outbox_target', v);
    const stats = () =>
      Promise.all(
        outboxes().map(async (x) => ({
          org: x.org,
          s: await x.source.stats().catch(() => {
            errors.statsError();
            return undefined;
          }),
        })),
      );
    withOrg(reg, 'outbox_deliveries', async function (this: Gauge<string>) {
      const all = await stats();
      this.reset();
      for (const { org, s } of all)
        if (s) for (const state of ['pending', 'delivered', 'failed'] as const) this.set({ state, org }, s[state]);
    } as never);
    withOrg(reg, 'outbox_oldest_pending_seconds', async function (this: Gauge<string>) {
      const all = await stats();
      this.reset();
      for (const { org, s } of all) if (s) this.set({ org }, s.oldestPendingSec);
    } as never);
    withOrg(reg, 'outbox_results_total', function (this: Counter<string>) {
      this.reset();
      for (const { org, source } of outboxes()) {
        const c = source.counters();
        for (const result of ['enqueued', 'duplicates', 'delivered', 'retried', 'failed'] as const)
          this.inc({ result, org }, c[result]);
      }
    } as never);
    withOrg(reg, 'outbox_attempts_total', function (this: Counter<string>) {
      this.reset();
      for (const { org, source } of outboxes())
        for (const [target, n] of Object.entries(source.counters().attemptsByTarget))
          this.inc({ target: label(target), org }, n);
    } as never);
    withOrg(reg, 'webhook_endpoints_disabled', function (this: Gauge<string>) {
      this.reset();
      for (const { org, source } of outboxes()) this.set({ org }, source.webhooksDisabled?.() ?? 0);
    } as never);
  }

  /** One tenant's observations (made once per org). */
  forOrg(org: string): TenantMetrics {
    let v = this.views.get(org);
    if (!v) this.views.set(org, (v = this.view(org)));
    return v.view;
  }

  /** A removed tenant's series leave the exposition. */
  dropOrg(org: string): void {
    const v = this.views.get(org);
    this.views.delete(org);
    for (const [f, labels] of v?.labels ?? []) f.remove(labels);
  }

  private view(org: string): { view: TenantMetrics; labels: [Family, Record<string, string>][] } {
    const kids = new Map<string, Child>();
    const made: [Family, Record<string, string>][] = [];
    const child = (key: string, short: (typeof LIVE)[number], labels: () => Record<string, string>): Child => {
      let c = kids.get(key);
      if (!c) {
        const f = this.fam.get(short) as Family;
        const l = { ...labels(), org };
        made.push([f, l]);
        kids.set(key, (c = f.labels(l) as unknown as Child));
      }
      return c;
    };
    const setState = (state: string) => {
      for (const s of SIGNAL_STATES) child(`st:${s}`, 'signal_state', () => ({ state: s })).set(s === state ? 1 : 0);
    };
    setState('idle');
    child('rc', 'signal_reconnects_total', () => ({})).inc(0);
    child('a:agent', 'call_messages_total', () => ({ audience: 'agent' })).inc(0);
    child('a:call', 'call_messages_total', () => ({ audience: 'call' })).inc(0);
    let last = 'idle';
    const b = this.base;
    const view: TenantMetrics = {
      signalState: (state) => {
        if (state === 'connecting' && last === 'backoff') child('rc', 'signal_reconnects_total', () => ({})).inc();
        last = state;
        setState(state);
      },
      signalFrame: (type) =>
        child(`f:${type}`, 'signal_frames_total', () => ({ type: this.label('frame', type) })).inc(),
      signalReject: (reason) =>
        child(`r:${reason}`, 'signal_rejected_total', () => ({ reason: this.label('reject', reason) })).inc(),
      callEmitted: (audience, state, receivedAt) => {
        child(`a:${audience}`, 'call_messages_total', () => ({ audience })).inc();
        const seconds = (this.monotonic() - receivedAt) / 1000;
        if (receivedAt > 0 && Number.isFinite(seconds) && seconds >= 0 && seconds <= MAX_LATENCY_S)
          child(`l:${state}`, 'ring_to_emit_seconds', () => ({ state: this.label('state', state) })).observe(seconds);
      },
      callRejected: (reason) =>
        child(`p:${reason}`, 'call_publish_rejected_total', () => ({
          reason: this.label('publish_reject', reason),
        })).inc(),
      tokenRefresh: (ev) =>
        child(`t:${ev.ok}:${ev.reason}`, 'token_refreshes_total', () => ({
          result: ev.ok ? 'ok' : 'error',
          reason: this.label('token_reason', ev.reason),
        })).inc(),
      crmLookup: (ev) => b.crmLookup(ev),
      observeDial: (code) => b.observeDial(code),
      dashboardPoll: (result, changed) => b.dashboardPoll(result, changed),
    };
    return { view, labels: made };
  }

  private label(kind: string, value: string): string {
    return this.labels.label(kind, value);
  }
}

/** The tenants' observations: org-labelled series with several tenants (OrgMetrics), else BridgeMetrics as it was
 *  (its outbox series summed over the tenants: one). */
export function tenantsMetrics(
  metrics: BridgeMetrics,
  tenants: TenantList,
  several: boolean,
): { forOrg(org: string): TenantMetrics; dropOrg(org: string): void } {
  if (!several) {
    metrics.outbox(outboxMetricsOf(tenants));
    return { forOrg: () => metrics, dropOrg: () => undefined };
  }
  const m = new OrgMetrics(metrics, () => tenants.list().map((t) => ({ org: t.accountId, source: outboxOf(t) })));
  return { forOrg: (org) => m.forOrg(org), dropOrg: (org) => m.dropOrg(org) };
}
