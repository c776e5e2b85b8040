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
  upstream(slot: number): string;
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
    upstream: (slot) => `${p}upstream:${slot}`,
    dashboard: () => `${p}dashboard`,
    rate: (key) => `${p}rate:${key}`,
    idempotency: (key) => `${p}idem:${key}`,
    sioStream: () => `${p}sio`,
    sioSessionPrefix: () => `${p}sio:session:`,
  };
}
