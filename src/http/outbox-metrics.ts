// The outbox's Prometheus families (contract §7.2): depth by state, oldest pending age, deliveries by result, attempts
// by target, webhook endpoints disabled. Read from the source at each scrape.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { OutboxCounters, OutboxStats } from '../outbox/types.js';
import { METRICS_PREFIX } from './metric-labels.js';

/** What the outbox metrics read at each scrape (writeback/create.ts Writeback: its outbox and webhook sender). */
export interface OutboxMetricsSource {
  stats(): Promise<Pick<OutboxStats, 'pending' | 'delivered' | 'failed' | 'oldestPendingSec'>>;
  counters(): OutboxCounters;
  /** Webhook endpoints disabled by a 410 since start (undefined: no webhooks configured). */
  webhooksDisabled?(): number | undefined;
}

/** Counts a scrape at which an outbox store could not answer (other collectors of the same families: org-metrics). */
export interface OutboxStatsErrors {
  statsError(): void;
}

/** Defines the families in `registry`; `label` bounds a label's values (metric-labels.ts). */
export function defineOutboxMetrics(
  registry: Registry,
  src: OutboxMetricsSource,
  label: (kind: string, value: string) => string,
): OutboxStatsErrors {
  const p = METRICS_PREFIX;
  const registers = [registry];
  // A store that cannot answer at a scrape keeps the last values, and is counted (never silently).
  let statsErrors: Counter | undefined;
  new Gauge({
    name: `${p}outbox_deliveries`,
    help: 'Outbox deliveries by state (pending = depth; delivered and failed are kept 30 days).',
    labelNames: ['state'],
    registers,
    async collect() {
      try {
        const s = await src.stats();
        for (const state of ['pending', 'delivered', 'failed'] as const) this.set({ state }, s[state]);
      } catch {
        statsErrors?.inc();
      }
    },
  });
  new Gauge({
    name: `${p}outbox_oldest_pending_seconds`,
    help: 'Age of the oldest pending outbox delivery (0 when none).',
    registers,
    async collect() {
      try {
        this.set((await src.stats()).oldestPendingSec);
      } catch {
        statsErrors?.inc();
      }
    },
  });
  new Counter({
    name: `${p}outbox_results_total`,
    help: 'Outbox results in this process: enqueued, duplicate (key already known), delivered, retried, failed (given up).',
    labelNames: ['result'],
    registers,
    collect() {
      const c = src.counters();
      this.reset();
      for (const result of ['enqueued', 'duplicates', 'delivered', 'retried', 'failed'] as const)
        this.inc({ result }, c[result]);
    },
  });
  new Counter({
    name: `${p}outbox_attempts_total`,
    help: 'Outbox delivery attempts in this process, by target (antcrm.ticket, antcrm.lead, antcrm.wrapup, webhook).',
    labelNames: ['target'],
    registers,
    collect() {
      const c = src.counters();
      this.reset();
      for (const [target, n] of Object.entries(c.attemptsByTarget))
        this.inc({ target: label('outbox_target', target) }, n);
    },
  });
  new Gauge({
    name: `${p}webhook_endpoints_disabled`,
    help: 'Webhook endpoints disabled by HTTP 410 since start (they get nothing more until restart).',
    registers,
    collect() {
      this.set(src.webhooksDisabled?.() ?? 0);
    },
  });
  // Last: a scrape collects in this order, so the failures above are in the same scrape.
  statsErrors = new Counter({
    name: `${p}outbox_stats_errors_total`,
    help: 'Scrapes at which the outbox store (SQLite or Redis) could not give its figures (the last values were kept).',
    registers,
  });
  return { statsError: () => statsErrors?.inc() };
}
