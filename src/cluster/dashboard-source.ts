// The dashboard snapshot shared through Redis: one node (the leader: holder of upstream slot 0) polls AntRing and
// stores each raw response (`ab:{org}:dashboard:<part>`, expiring after a few poll periods); the other nodes' pollers
// read those instead of polling AntRing, so every node maps the same snapshot and AntRing sees one poller. A node
// that finds no snapshot (leader gone, first start) asks AntRing itself, and shares what it got.
import type { Redis } from 'ioredis';
import type { Agent, Queue } from '../antring/client.js';
import type { DashboardSource } from '../dashboard/poller.js';
import type { Logger } from '../log.js';
import { errText } from '../shared/errors.js';
import type { ClusterKeys } from './keys.js';

export interface SharedDashboardSourceOptions {
  redis: Redis;
  keys: ClusterKeys;
  upstream: DashboardSource;
  isLeader: () => boolean;
  /** Snapshot lifetime; default 3 × the poll period. */
  ttlMs: number;
  logger: Logger;
}

export class SharedDashboardSource implements DashboardSource {
  constructor(private readonly o: SharedDashboardSourceOptions) {}

  dashboard(): Promise<unknown> {
    return this.part(
      'main',
      () => this.o.upstream.dashboard(),
      (v) => v !== null && typeof v === 'object',
    );
  }

  queues(): Promise<Queue[]> {
    return this.part('queues', () => this.o.upstream.queues(), Array.isArray) as Promise<Queue[]>;
  }

  agents(): Promise<Agent[]> {
    return this.part('agents', () => this.o.upstream.agents(), Array.isArray) as Promise<Agent[]>;
  }

  private async part(name: string, fetch: () => Promise<unknown>, valid: (v: unknown) => boolean): Promise<unknown> {
    const key = `${this.o.keys.dashboard()}:${name}`;
    if (!this.o.isLeader()) {
      try {
        const raw = await this.o.redis.get(key);
        if (raw !== null) {
          const v = JSON.parse(raw) as unknown;
          if (valid(v)) return v;
        }
      } catch (err) {
        this.o.logger.debug({ part: name, err: errText(err) }, 'shared dashboard snapshot unreadable; asking AntRing');
      }
    }
    const v = await fetch();
    this.o.redis.set(key, JSON.stringify(v), 'PX', Math.max(1000, this.o.ttlMs)).catch((err: unknown) => {
      this.o.logger.debug({ part: name, err: errText(err) }, 'could not share the dashboard snapshot');
    });
    return v;
  }
}
