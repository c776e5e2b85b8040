// What operators see of the tenants (contract §8.4), from the registry: /readyz (ready while at least one tenant is
// up; every tenant's upstream state listed), GET /api/tenants, every tenant's outbox, and the outbox metrics summed
// over the tenants.
import type { Readiness } from '../http/health.js';
import type { OutboxMetricsSource } from '../http/metrics.js';
import type { TenantSummary } from '../http/routes-tenants.js';
import type { OutboxCounters, OutboxStats } from '../outbox/types.js';
import type { TenantRuntime } from '../tenants/runtime.js';

export interface TenantList {
  list(): TenantRuntime[];
}

/** /readyz: not ready while draining, when the mode is not (Redis down), or when no tenant is ready. With one tenant
 *  the reasons are its own (as a single-account bridge always said); with several, each prefixed with its org. */
export function tenantsReadiness(
  tenants: TenantList,
  node: { draining(): boolean; notReadyReasons(): string[] },
  /** List each tenant's state in the answer (a tenants file; a single-account bridge answers as it always did). */
  listTenants: boolean,
): Readiness {
  return {
    notReadyReasons() {
      const list = tenants.list();
      const own = list.map((t) => ({ t, reasons: t.notReadyReasons() }));
      const anyReady = own.some((x) => x.reasons.length === 0);
      const tenantReasons = anyReady
        ? []
        : list.length === 0
          ? ['no tenant is configured']
          : own.flatMap((x) => (list.length === 1 ? x.reasons : x.reasons.map((r) => `${x.t.accountId}: ${r}`)));
      return [...(node.draining() ? ['shutting down'] : []), ...node.notReadyReasons(), ...tenantReasons];
    },
    ...(listTenants ? { tenants: () => tenants.list().map((t) => ({ accountId: t.accountId, ...t.upstream() })) } : {}),
  };
}

export async function tenantSummaries(tenants: TenantList): Promise<TenantSummary[]> {
  return Promise.all(
    tenants.list().map(async (t) => {
      const stats = await t.outboxStats().catch(() => undefined);
      return {
        accountId: t.accountId,
        ...(t.name ? { name: t.name } : {}),
        upstream: t.upstream(),
        ...(t.holders ? { holders: t.holders() } : {}),
        sockets: t.connectedSockets(),
        liveCalls: t.status().liveCalls,
        outbox: { pending: stats?.pending ?? 0, failed: stats?.failed ?? 0 },
      };
    }),
  );
}

export async function tenantOutboxes(tenants: TenantList): Promise<({ accountId: string } & OutboxStats)[]> {
  return Promise.all(tenants.list().map(async (t) => ({ accountId: t.accountId, ...(await t.outboxStats()) })));
}

/** One tenant's outbox for the org-labelled outbox series (server/org-metrics.ts). */
export function outboxOf(t: TenantRuntime): OutboxMetricsSource {
  return {
    stats: () => t.outboxStats(),
    counters: () => t.outbox.counters(),
    webhooksDisabled: () => t.webhooksDisabled(),
  };
}

/** The outbox series over every tenant (a removed tenant's counts leave the sums). */
export function outboxMetricsOf(tenants: TenantList): OutboxMetricsSource {
  return {
    async stats() {
      const all = await Promise.all(tenants.list().map((t) => t.outboxStats()));
      return {
        pending: sum(all.map((s) => s.pending)),
        delivered: sum(all.map((s) => s.delivered)),
        failed: sum(all.map((s) => s.failed)),
        oldestPendingSec: Math.max(0, ...all.map((s) => s.oldestPendingSec)),
      };
    },
    counters() {
      const all = tenants.list().map((t) => t.outbox.counters());
      const byTarget: Record<string, number> = {};
      for (const c of all)
        for (const [k, v] of Object.entries(c.attemptsByTarget)) byTarget[k] = (byTarget[k] ?? 0) + v;
      const total = (k: keyof Omit<OutboxCounters, 'attemptsByTarget'>) => sum(all.map((c) => c[k]));
      return {
        enqueued: total('enqueued'),
        duplicates: total('duplicates'),
        attempts: total('attempts'),
        delivered: total('delivered'),
        retried: total('retried'),
        failed: total('failed'),
        attemptsByTarget: byTarget,
      };
    },
    webhooksDisabled() {
      const all = tenants.list().map((t) => t.webhooksDisabled());
      return all.every((x) => x === undefined) ? undefined : sum(all.map((x) => x ?? 0));
    },
  };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Bridge.status(): one tenant's pipeline as it is; several summed (`live` only when every one is live). */
export function pipelinesStatus(tenants: TenantList): { signal: string; reconnects: number; liveCalls: number } {
  const all = tenants.list().map((t) => t.status());
  if (all.length === 1) return all[0];
  return {
    signal: all.length === 0 ? 'idle' : (all.find((s) => s.signal !== 'live')?.signal ?? 'live'),
    reconnects: sum(all.map((s) => s.reconnects)),
    liveCalls: sum(all.map((s) => s.liveCalls)),
  };
}
