// Cluster mode: the recent calls of the write-back in Redis, under the cluster's org prefix (`ab:{org}:wb:…`), so a
// wrap-up sent to any node finds the call and the rights, and the node that delivers a write re-sends the view.
// Every key expires.
import type { Redis } from 'ioredis';
import { parseRecentCall, type RecentCall, type RecentCallStore } from './recent-calls.js';

export interface RedisRecentCallsOptions {
  redis: Pick<Redis, 'set' | 'get' | 'incr' | 'pexpire'>;
  /** The cluster keys' prefix (`ab:{<org>}:`). */
  prefix: string;
  /** How long a record is kept (ms). */
  retainMs: number;
}

export class RedisRecentCalls implements RecentCallStore {
  private readonly p: string;

  constructor(private readonly o: RedisRecentCallsOptions) {
    this.p = `${o.prefix}wb:`;
  }

  private callKey(callId: string): string {
    return `${this.p}call:${callId}`;
  }

  private wrapupKey(callId: string): string {
    return `${this.p}wrapups:${callId}`;
  }

  async put(call: RecentCall): Promise<void> {
    await this.o.redis.set(this.callKey(call.callId), JSON.stringify(call), 'PX', this.o.retainMs);
  }

  async get(callId: string): Promise<RecentCall | undefined> {
    return parseRecentCall(await this.o.redis.get(this.callKey(callId)));
  }

  async nextWrapup(callId: string): Promise<number> {
    const n = await this.o.redis.incr(this.wrapupKey(callId));
    await this.o.redis.pexpire(this.wrapupKey(callId), this.o.retainMs);
    return n;
  }

  async wrapups(callId: string): Promise<number> {
    const v = Number(await this.o.redis.get(this.wrapupKey(callId)));
    return Number.isInteger(v) && v > 0 ? v : 0;
  }

  async setLeadCall(number: string, callId: string): Promise<void> {
    await this.o.redis.set(`${this.p}lead:${number}`, callId, 'PX', this.o.retainMs);
  }

  async leadCall(number: string): Promise<string | undefined> {
    return (await this.o.redis.get(`${this.p}lead:${number}`)) ?? undefined;
  }
}
