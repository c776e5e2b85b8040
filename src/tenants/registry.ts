// The one place that knows the set of tenants (contract §8.2): starts a runtime per tenant, applies a reload as a
// difference (only added, removed and changed tenants are touched; unchanged ones keep their sockets, live calls and
// subscription), and stops them all. A removed tenant's sockets are ended (`tenant_removed`) and its runtime retires:
// its upstream stops at once, its outbox keeps delivering what is pending before it closes. Reloads run one at a time.
import type { Logger } from '../log.js';
import { errCode } from '../shared/errors.js';
import { diffTenants } from './diff.js';
import type { TenantRuntime } from './runtime.js';
import { normaliseAccountId, type TenantConfig } from './types.js';

export interface ReloadResult {
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: number;
}

/** Where the runtimes live (the process server): given at start, once the server exists. */
export interface TenantHost {
  /** Builds a tenant's runtime (not started). May throw (e.g. a bad devices document): the reload then fails. */
  build(t: TenantConfig): TenantRuntime;
}

export interface TenantRegistryOptions {
  /** The tenants now (the file read again); throws TenantsError. */
  load(): TenantConfig[];
  logger: Logger;
  /** A single-account deployment: a token refused at start fails the start (as it always did). */
  strictStart?: boolean;
  /** How many tenants start at once; default 16. */
  startConcurrency?: number;
  /** How often a retiring tenant's outbox is checked for pending deliveries; default 1000 ms. */
  drainCheckMs?: number;
}

export class TenantRegistry {
  private readonly runtimes = new Map<string, TenantRuntime>();
  private readonly configs = new Map<string, TenantConfig>();
  /** Removed tenants whose outbox is still delivering (stopped at the latest by stop()). */
  private readonly retiring = new Map<string, Promise<void>>();
  private readonly retiringRuntimes = new Map<string, TenantRuntime>();
  private queue: Promise<unknown> = Promise.resolve();
  private stopping?: Promise<void>;
  private host?: TenantHost;

  constructor(private readonly o: TenantRegistryOptions) {}

  /** The runtime of an org (JWT `org`, any case), or undefined: not a tenant here. */
  get(org: string): TenantRuntime | undefined {
    return this.runtimes.get(normaliseAccountId(org));
  }

  list(): TenantRuntime[] {
    return [...this.runtimes.values()];
  }

  /** Builds and starts the first tenants. A tenant that cannot start (non-strict) is logged and stays `down`. */
  async start(tenants: readonly TenantConfig[], host: TenantHost): Promise<void> {
    this.host = host;
    for (const t of tenants) this.add(t);
    // Paced (contract §8.6): at most `startConcurrency` tenants fetch their first token and directory at once.
    const pending = [...this.runtimes.values()];
    const worker = async () => {
      for (let r = pending.shift(); r; r = pending.shift()) await this.startOne(r);
    };
    await Promise.all(Array.from({ length: Math.min(this.o.startConcurrency ?? 16, pending.length) }, worker));
  }

  /** Reads the tenants again and applies the difference. Throws TenantsError (nothing changed). */
  reload(): Promise<ReloadResult> {
    const run = this.queue.then(() => this.applyReload());
    this.queue = run.catch(() => undefined);
    return run;
  }

  prepareStop(): void {
    for (const r of this.runtimes.values()) r.prepareStop();
  }

  /** Shutdown, step 1: every tenant's upstream stops. */
  async stopUpstreams(): Promise<void> {
    await Promise.all(this.list().map((r) => r.stopUpstream()));
  }

  /** Stops every runtime (and every retiring one). Idempotent. */
  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      await this.queue;
      await Promise.all([
        ...[...this.runtimes.values()].map((r) => r.stop()),
        ...[...this.retiringRuntimes.values()].map((r) => r.stop()),
      ]);
      await Promise.all(this.retiring.values());
    })());
  }

  private add(t: TenantConfig): TenantRuntime {
    const id = normaliseAccountId(t.accountId);
    const r = this.built(t);
    this.runtimes.set(id, r);
    this.configs.set(id, t);
    return r;
  }

  private built(t: TenantConfig): TenantRuntime {
    if (!this.host) throw new Error('the tenant registry is not started');
    return this.host.build(t);
  }

  private async startOne(r: TenantRuntime): Promise<void> {
    try {
      // Several tenants: each polls at its own phase of the interval.
      await r.start({ strict: this.o.strictStart === true, spreadPolls: this.runtimes.size > 1 });
    } catch (err) {
      if (this.o.strictStart || this.stopping) throw err;
      this.o.logger.error({ org: r.accountId, err: errCode(err) }, 'tenant failed to start; it stays down');
    }
  }

  private async applyReload(): Promise<ReloadResult> {
    if (this.stopping) throw new Error('the bridge is stopping');
    const next = this.o.load();
    const diff = diffTenants([...this.configs.values()], next);
    // Build every new runtime before touching a running one: a tenant that cannot be built changes nothing.
    const built = new Map<string, TenantRuntime>();
    try {
      for (const t of [...diff.added, ...diff.changed]) built.set(normaliseAccountId(t.accountId), this.built(t));
    } catch (err) {
      await Promise.all([...built.values()].map((r) => r.stop()));
      throw err;
    }
    for (const id of diff.removed) this.retire(id);
    const starts: Promise<void>[] = [];
    for (const t of [...diff.added, ...diff.changed]) {
      const id = normaliseAccountId(t.accountId);
      const old = this.runtimes.get(id);
      const fresh = built.get(id) as TenantRuntime;
      // The new runtime takes the tenant's sockets and requests at once (its stores are kept: runtime/modes.ts); the
      // old one stops before the new one starts (one upstream subscription, one outbox worker at a time).
      this.runtimes.set(id, fresh);
      this.configs.set(id, t);
      starts.push(
        (async () => {
          // A changed tenant restarts alone; a tenant added back first lets its retiring runtime close its outbox.
          await old?.stop();
          const retiring = this.retiringRuntimes.get(id);
          this.retiringRuntimes.delete(id);
          await retiring?.stop();
          await this.retiring.get(id);
          await this.startOne(fresh);
        })(),
      );
    }
    await Promise.all(starts);
    const result: ReloadResult = {
      added: diff.added.map((t) => normaliseAccountId(t.accountId)),
      removed: diff.removed,
      changed: diff.changed.map((t) => normaliseAccountId(t.accountId)),
      unchanged: diff.unchanged.length,
    };
    this.o.logger.info(result, 'tenants reloaded');
    return result;
  }

  private retire(id: string): void {
    const r = this.runtimes.get(id);
    if (!r) return;
    this.runtimes.delete(id);
    this.configs.delete(id);
    this.retiringRuntimes.set(id, r);
    const done = (async () => {
      await r.retire();
      // Pending deliveries are still made; then the runtime closes.
      for (;;) {
        if (this.stopping || !this.retiringRuntimes.has(id)) break;
        const pending = await r.outboxStats().then(
          (s) => s.pending,
          () => 0,
        );
        if (pending === 0) break;
        await new Promise<void>((resolve) => setTimeout(resolve, this.o.drainCheckMs ?? 1000).unref());
      }
      await r.stop();
      this.retiringRuntimes.delete(id);
      this.retiring.delete(id);
    })().catch((err: unknown) => {
      this.o.logger.error({ org: id, err: errCode(err) }, 'retiring a tenant failed');
    });
    this.retiring.set(id, done);
  }
}
