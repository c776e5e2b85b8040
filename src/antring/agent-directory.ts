// Agent and queue names from AntRing's agents and queues APIs, refreshed periodically, for the call engine.

import type { AgentDirectory } from '../calls/types.js';
import { type Clock, systemClock } from '../clock.js';
import type { AgentRef } from '../contract.js';
import type { Logger } from '../log.js';
import { coded } from '../shared/error-catalogue.js';
import { errCode } from '../shared/errors.js';
import type { Agent, AntRingClient, Queue } from './client.js';
import { AntRingConfigError } from './errors.js';

export class DirectoryLoadError extends coded('ANTRING_DIRECTORY_UNAVAILABLE') {
  override readonly name = 'DirectoryLoadError';
}

export interface AntRingDirectoryOptions {
  client: Pick<AntRingClient, 'agents' | 'queues'>;
  /** Period of the refresh. Default 60000. */
  refreshMs?: number;
  clock?: Clock;
  logger: Logger;
}

const OWNER_ID = /^[0-9a-f]{32}$/i;

export class AntRingDirectory implements AgentDirectory {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly refreshMs: number;
  private byId = new Map<string, AgentRef>();
  private byUsername = new Map<string, AgentRef>();
  private queueById = new Map<string, Queue>();
  private timer?: unknown;
  private loading?: Promise<void>;
  private started = false;
  private stopped = false;
  private stopping?: Promise<void>;
  /** Unusable directory: ANTRING_DOMAIN/ANTRING_EMAIL unset. The maps stay empty and nothing is polled. */
  private unconfigured = false;

  constructor(private readonly opts: AntRingDirectoryOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger;
    this.refreshMs = opts.refreshMs ?? 60_000;
  }

  /**
   * Loads agents and queues, then refreshes every refreshMs. Throws DirectoryLoadError if the first load fails.
   * Exception: AntRingConfigError (domain/email unset) is logged once and leaves the directory empty, unpolled.
   */
  async start(): Promise<void> {
    if (this.started || this.stopped) return;
    this.started = true;
    const results = await this.load();
    if (this.stopped) return;
    const config = results.find(
      (r): r is PromiseRejectedResult => r.status === 'rejected' && r.reason instanceof AntRingConfigError,
    );
    if (config) {
      this.unconfigured = true;
      this.log.warn(
        { error: (config.reason as Error).message },
        'antring directory: not configured; agent and queue names unavailable',
      );
      return;
    }
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length) {
      const what = failed.map((r) => (r.reason as Error)?.message ?? String(r.reason)).join('; ');
      throw new DirectoryLoadError(`antring directory: first load failed: ${what}`);
    }
    this.schedule();
  }

  agentByOwnerId(ownerId: string): AgentRef | undefined {
    if (typeof ownerId !== 'string' || !OWNER_ID.test(ownerId)) return undefined;
    return copy(this.byId.get(ownerId.toLowerCase()));
  }

  agentByUsername(username: string): AgentRef | undefined {
    if (typeof username !== 'string') return undefined;
    return copy(this.byUsername.get(username.toLowerCase()));
  }

  queueName(queueId: string): string | undefined {
    return this.queueById.get(queueId)?.name;
  }

  queues(): Queue[] {
    return [...this.queueById.values()].map((q) => ({ ...q, agents: [...q.agents] }));
  }

  agents(): AgentRef[] {
    return [...this.byId.values()].map((a) => copy(a)!);
  }

  status(): { agents: number; queues: number; configured: boolean } {
    return { agents: this.byId.size, queues: this.queueById.size, configured: !this.unconfigured };
  }

  /**
   * Lists fetched elsewhere (the dashboard poller's own refetch of the same two APIs, every minute): they replace the
   * maps and postpone this directory's own refresh by refreshMs, so a tenant does not fetch both lists twice a minute.
   * The own refresh still runs when no lists come (e.g. the dashboard call keeps failing). Ignored before start(),
   * after stop() and while unconfigured.
   */
  offer(agents: Agent[], queues: Queue[]): void {
    if (!this.started || this.stopped || this.unconfigured) return;
    this.setAgents(agents);
    this.setQueues(queues);
    // A load in flight re-arms the timer when it settles (refresh → schedule); otherwise re-arm it from now.
    if (this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.schedule();
  }

  /** Clears the refresh timer and waits for a load in progress. Idempotent. */
  stop(): Promise<void> {
    return (this.stopping ??= this.doStop());
  }

  private async doStop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.loading?.catch(() => undefined);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, this.refreshMs);
  }

  private async refresh(): Promise<void> {
    const results = await this.load();
    for (const r of results) {
      if (r.status === 'rejected') {
        const err = r.reason as Error;
        this.log.warn(
          { error: errCode(err), detail: err?.message },
          'antring directory: refresh failed, keeping the previous list',
        );
      }
    }
    this.schedule();
  }

  /** Fetches both lists; each successful one replaces its maps (a failed one keeps the previous). */
  private load(): Promise<PromiseSettledResult<unknown>[]> {
    const run = async () => {
      const [agents, queues] = await Promise.allSettled([this.opts.client.agents(), this.opts.client.queues()]);
      if (this.stopped) return [agents, queues];
      if (agents.status === 'fulfilled') this.setAgents(agents.value);
      if (queues.status === 'fulfilled') this.setQueues(queues.value);
      this.log.debug({ agents: this.byId.size, queues: this.queueById.size }, 'antring directory: loaded');
      return [agents, queues];
    };
    const p = run();
    this.loading = p.then(() => undefined);
    return p;
  }

  private setAgents(list: Agent[]): void {
    const byId = new Map<string, AgentRef>();
    const byUsername = new Map<string, AgentRef>();
    for (const a of list) {
      const ref: AgentRef = { username: a.username, id: a.id, ext: [...a.ext] };
      if (a.name !== undefined) ref.name = a.name;
      byId.set(a.id.toLowerCase(), ref);
      byUsername.set(a.username.toLowerCase(), ref);
    }
    this.byId = byId;
    this.byUsername = byUsername;
  }

  private setQueues(list: Queue[]): void {
    const m = new Map<string, Queue>();
    for (const q of list) m.set(q.id, q);
    this.queueById = m;
  }
}

function copy(a: AgentRef | undefined): AgentRef | undefined {
  return a && { ...a, ...(a.ext ? { ext: [...a.ext] } : {}) };
}
