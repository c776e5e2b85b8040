// Which nodes hold each tenant's upstream subscription (contract §8.5): rendezvous (highest-random-weight) hashing
// with bounded load. A pure function of (tenant ids, live node ids, holders per tenant): every node computes the same
// answer; no node holds more than ceil(k × T / N) + 1 tenants (save when fewer than k nodes have room left: then k
// holders win over the cap); a node that joins or leaves moves about its share.
//
// Each tenant ranks the nodes by hash(tenant, node); tenants are placed one at a time in a fixed order (by their own
// hash) and take their k best-ranked nodes that still have room.
import { createHash } from 'node:crypto';

const weight = (key: string): number => createHash('sha256').update(key).digest().readUIntBE(0, 6);

export function holdersCap(tenants: number, nodes: number, holdersPerTenant: number): number {
  const k = Math.min(holdersPerTenant, nodes);
  return nodes === 0 ? 0 : Math.ceil((k * tenants) / nodes) + 1;
}

/** tenant id → its holders, best-ranked first. With no live node every tenant has none. */
export function assignHolders(
  tenantIds: readonly string[],
  liveNodeIds: readonly string[],
  holdersPerTenant: number,
): Map<string, string[]> {
  const tenants = [...new Set(tenantIds)];
  const nodes = [...new Set(liveNodeIds)].sort();
  const k = Math.max(0, Math.min(Math.floor(holdersPerTenant), nodes.length));
  const cap = holdersCap(tenants.length, nodes.length, k);
  const load = new Map(nodes.map((n) => [n, 0]));
  const out = new Map<string, string[]>();
  const order = tenants
    .map((t) => ({ t, w: weight(`tenant\0${t}`) }))
    .sort((a, b) => a.w - b.w || (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
  for (const { t } of order) {
    const ranked = nodes.map((n) => ({ n, w: weight(`${t}\0${n}`) })).sort((a, b) => b.w - a.w || (a.n < b.n ? -1 : 1));
    const chosen: string[] = [];
    for (const { n } of ranked) {
      if (chosen.length === k) break;
      if ((load.get(n) ?? 0) >= cap) continue;
      chosen.push(n);
      load.set(n, (load.get(n) ?? 0) + 1);
    }
    // Only when the nodes with room are fewer than k (a pathological spread): k holders matter more than the cap.
    for (const { n } of ranked) {
      if (chosen.length === k) break;
      if (chosen.includes(n)) continue;
      chosen.push(n);
      load.set(n, (load.get(n) ?? 0) + 1);
    }
    out.set(t, chosen);
  }
  return out;
}
