// Reload (contract §8.2) as a difference of two tenant lists, by account id and a stable hash of each tenant's
// resolved settings: only added, removed and changed tenants are touched.
import { createHash } from 'node:crypto';
import { normaliseAccountId, type TenantConfig } from './types.js';

export interface TenantsDiff {
  added: TenantConfig[];
  /** Account ids. */
  removed: string[];
  /** The new settings of tenants whose hash changed. */
  changed: TenantConfig[];
  /** Account ids. */
  unchanged: string[];
}

/** JSON with object keys sorted (undefined fields dropped), so equal settings give equal text in any key order. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => stableJson(x ?? null)).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** A stable hash of a tenant's resolved settings (secrets included, so a rotated secret is a change). Never log it
 *  next to the settings; it is a digest, not a secret. */
export function tenantHash(t: TenantConfig): string {
  return createHash('sha256').update(stableJson(t)).digest('hex');
}

export function diffTenants(prev: readonly TenantConfig[], next: readonly TenantConfig[]): TenantsDiff {
  const before = new Map(prev.map((t) => [normaliseAccountId(t.accountId), t]));
  const after = new Map(next.map((t) => [normaliseAccountId(t.accountId), t]));
  const diff: TenantsDiff = { added: [], removed: [], changed: [], unchanged: [] };
  for (const [id, t] of after) {
    const old = before.get(id);
    if (!old) diff.added.push(t);
    else if (tenantHash(old) !== tenantHash(t)) diff.changed.push(t);
    else diff.unchanged.push(id);
  }
  for (const id of before.keys()) if (!after.has(id)) diff.removed.push(id);
  return diff;
}
