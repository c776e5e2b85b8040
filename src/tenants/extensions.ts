// Extensions: the one typed way a cross-cutting feature plugs into a tenant's runtime (as hocuspocus's `Extension`),
// instead of `on*` callbacks wired by hand in the composition. A tenant runtime (tenants/runtime.ts) runs its
// extensions IN THE ORDER GIVEN for every hook; every hook is optional; a hook that throws or rejects is logged with
// the extension's name and the next extensions still run (a failing feature never stops the pops).
//
//   const ext: Extension = {
//     name: 'my-feature',
//     onTenantStart: async (t) => { ... },        // before the tenant's upstream starts (awaited, in order)
//     onCallUpdate: (u, t) => { ... },            // every enriched call update, in each call's order, before it is
//                                                 // emitted (what to do after a call: tickets, leads, webhooks)
//     onCallEmitted: (view, u, t) => { ... },     // a `call` message went out (counts, ring→pop latency)
//     onCallRejected: (reason, t) => { ... },     // the fan-out dropped an update (stale, invalid…)
//     onCallEnded: (u, t) => { ... },             // the update that ended a call (after onCallUpdate)
//     onTenantStop: async (t) => { ... },         // the tenant stops (reverse order; after its upstream stopped)
//   };
//   createTenantRuntime({ ..., extensions: [ext] })   // after the built-in ones: metrics, write-back
//
// Process-wide features give each tenant its own Extension (e.g. `metricsExtension(metrics.forOrg(org))`); `onStop`
// of the process is the tenant registry's stop (every tenant's onTenantStop).
import type { CallView } from '../contract.js';
import type { Logger } from '../log.js';
import type { CallConsumer, PipelineUpdate } from '../runtime/update.js';
import type { TenantMetrics } from '../server/org-metrics.js';
import { errText } from '../shared/errors.js';

/** What an extension knows of the tenant it runs in. */
export interface TenantContext {
  /** The AntRing account id (the JWT `org`). */
  readonly org: string;
  readonly name?: string;
  readonly logger: Logger;
}

export interface Extension {
  /** For logs. */
  readonly name: string;
  onTenantStart?(t: TenantContext): void | Promise<void>;
  onCallUpdate?(u: PipelineUpdate, t: TenantContext): void | Promise<void>;
  onCallEmitted?(view: CallView, u: PipelineUpdate, t: TenantContext): void;
  onCallRejected?(reason: string, t: TenantContext): void;
  onCallEnded?(u: PipelineUpdate, t: TenantContext): void | Promise<void>;
  onTenantStop?(t: TenantContext): void | Promise<void>;
}

/** A tenant's extensions, run in order. */
export class TenantExtensions {
  private readonly list: Extension[];
  private started = false;
  private stopping?: Promise<void>;
  private stopped = false;

  constructor(
    list: readonly Extension[],
    private readonly t: TenantContext,
  ) {
    this.list = [...list];
  }

  /** Adds extensions after those given (before start(): a part built later, e.g. the write-back over the fan-out). */
  use(...more: Extension[]): this {
    if (this.started) throw new Error('extensions are added before the tenant starts');
    this.list.push(...more);
    return this;
  }

  get names(): string[] {
    return this.list.map((e) => e.name);
  }

  /** onTenantStart of each, awaited one after the other (a failure is logged; the tenant still starts). */
  async start(): Promise<void> {
    this.started = true;
    for (const e of this.list) {
      if (!e.onTenantStart) continue;
      try {
        await e.onTenantStart(this.t);
      } catch (err) {
        this.failed(e, 'onTenantStart', err);
      }
    }
  }

  /** The call consumer the tenant's ConsumerSet dispatches to (onCallUpdate, then onCallEnded). */
  consumer(): CallConsumer {
    return {
      name: 'extensions',
      consume: (u) => {
        if (this.stopped) return;
        const ended = u.state === 'ended';
        for (const e of this.list) {
          this.run(e, 'onCallUpdate', () => e.onCallUpdate?.(u, this.t));
          if (ended) this.run(e, 'onCallEnded', () => e.onCallEnded?.(u, this.t));
        }
      },
    };
  }

  emitted(view: CallView, u: PipelineUpdate): void {
    for (const e of this.list)
      if (e.onCallEmitted) this.run(e, 'onCallEmitted', () => e.onCallEmitted?.(view, u, this.t));
  }

  rejected(reason: string): void {
    for (const e of this.list)
      if (e.onCallRejected) this.run(e, 'onCallRejected', () => e.onCallRejected?.(reason, this.t));
  }

  /** onTenantStop of each, in reverse order. Idempotent. */
  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      this.stopped = true;
      for (const e of [...this.list].reverse()) {
        if (!e.onTenantStop) continue;
        try {
          await e.onTenantStop(this.t);
        } catch (err) {
          this.failed(e, 'onTenantStop', err);
        }
      }
    })());
  }

  private run(e: Extension, hook: string, f: () => unknown): void {
    try {
      const r = f();
      if (r && typeof (r as Promise<void>).then === 'function')
        (r as Promise<void>).catch((err: unknown) => this.failed(e, hook, err));
    } catch (err) {
      this.failed(e, hook, err);
    }
  }

  private failed(e: Extension, hook: string, err: unknown): void {
    this.t.logger.error({ extension: e.name, hook, err: errText(err) }, 'extension hook failed');
  }
}

/** The call series of one tenant (its TenantMetrics): messages out, ring→pop latency, rejections. */
export function metricsExtension(metrics: Pick<TenantMetrics, 'callEmitted' | 'callRejected'>): Extension {
  return {
    name: 'metrics',
    onCallEmitted: (view, u) => metrics.callEmitted(u.audience.kind, view.state, u.receivedAt),
    onCallRejected: (reason) => metrics.callRejected(reason),
  };
}

/** What the write-back extension drives (writeback/create.ts Writeback). */
export interface WritebackLike {
  readonly consumer: CallConsumer;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** After the call (§7.2): its outbox starts with the tenant (pending deliveries tried at once), every update goes to
 *  its consumer (tickets, leads, webhooks), and it stops with the tenant (the consumer, then the outbox). */
export function writebackExtension(wb: WritebackLike): Extension {
  return {
    name: 'writeback',
    onTenantStart: () => wb.start(),
    onCallUpdate: (u) => wb.consumer.consume(u),
    onTenantStop: async () => {
      await wb.consumer.stop?.();
      await wb.stop();
    },
  };
}
