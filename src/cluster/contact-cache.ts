// The contact cache's second level in Redis: one key per national number, with the TTL the directory asks for.
import type { Redis } from 'ioredis';
import type { LookupResult, SecondLevelCache } from '../enrich/contact-directory.js';
import { isLookupStatus } from '../enrich/lookup-status.js';
import type { ClusterKeys } from './keys.js';

export class RedisContactCache implements SecondLevelCache {
  constructor(private readonly o: { redis: Redis; keys: ClusterKeys }) {}

  async get(key: string): Promise<LookupResult | undefined> {
    const raw = await this.o.redis.get(this.o.keys.contact(key));
    if (raw === null) return undefined;
    try {
      const v = JSON.parse(raw) as Partial<LookupResult> | null;
      if (!v || typeof v !== 'object' || !isLookupStatus(v.status)) return undefined;
      if (v.contact !== null && typeof v.contact !== 'object') return undefined;
      return v as LookupResult;
    } catch {
      return undefined; // unreadable entry: a miss (the directory asks the CRM and overwrites it)
    }
  }

  async set(key: string, value: LookupResult, ttlMs: number): Promise<void> {
    if (!(ttlMs > 0)) return;
    await this.o.redis.set(this.o.keys.contact(key), JSON.stringify(value), 'PX', Math.ceil(ttlMs));
  }
}
