// Every Redis key of the cluster, namespaced per org: `ab:{<org>}:…` (the braces are a Redis Cluster hash tag, so
// the Lua scripts that touch several keys of one org stay on one slot). Every key written expires (see docs).
export interface ClusterKeys {
  prefix: string;
  seq(callId: string): string;
  live(): string;
  contact(key: string): string;
  owner(callId: string): string;
  done(updateId: string): string;
  node(nodeId: string): string;
  nodePrefix(): string;
  /** Hash: holder nodeId → when its engine started (the gate's lease term). */
  terms(): string;
  /** The tenant's upstream holders: a sorted set of node ids scored by the time their hold lapses (tenant-leases.ts). */
  holders(): string;
  dashboard(): string;
  rate(key: string): string;
  idempotency(key: string): string;
  sioStream(): string;
  sioSessionPrefix(): string;
}

export function clusterKeys(org: string): ClusterKeys {
  const p = `ab:{${org}}:`;
  return {
    prefix: p,
    seq: (callId) => `${p}seq:${callId}`,
    live: () => `${p}live`,
    contact: (key) => `${p}contact:${key}`,
    owner: (callId) => `${p}call:${callId}:owner`,
    done: (id) => `${p}evt:${id}`,
    node: (id) => `${p}node:${id}`,
    nodePrefix: () => `${p}node:`,
    terms: () => `${p}terms`,
    holders: () => `${p}holders`,
    dashboard: () => `${p}dashboard`,
    rate: (key) => `${p}rate:${key}`,
    idempotency: (key) => `${p}idem:${key}`,
    sioStream: () => `${p}sio`,
    sioSessionPrefix: () => `${p}sio:session:`,
  };
}

/** The keys of the process-wide part of a cluster (cluster/node.ts): one namespace per deployment (the org of a
 *  single-account deployment, so its Socket.IO stream is the one it always used; `tenants` with a tenants file). */
export interface NodeKeys {
  /** Live nodes: a sorted set of node ids scored by the time their presence lapses. */
  members(): string;
  sioStream(): string;
  sioSessionPrefix(): string;
  /** The change channel of tenants reloads (a reload on one node is applied by every node). */
  tenantsReload(): string;
}

export function nodeKeys(namespace: string): NodeKeys {
  const p = `ab:{${namespace}}:`;
  return {
    members: () => `${p}members`,
    sioStream: () => `${p}sio`,
    sioSessionPrefix: () => `${p}sio:session:`,
    tenantsReload: () => `${p}tenants:reload`,
  };
}
