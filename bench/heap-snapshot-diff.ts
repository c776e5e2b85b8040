// Two V8 heap snapshots of one process (before and after N clients connected) → what each client costs, by kind of
// object: the net difference of self sizes and counts per kind, and the objects that are new in the second snapshot
// (their ids were not in the first: V8 keeps an object's id across snapshots of one process), each kind with the
// edge it is first retained by (e.g. `Object <- Socket.data`), so that "(array)" or "Object" say whose they are.
import { readFileSync } from 'node:fs';

interface RawSnapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface Snapshot {
  /** Kind of each node (by node index): `type name`, e.g. `object Socket`, `closure onDisconnect`, `string`. */
  kind: string[];
  id: Int32Array;
  self: Float64Array;
  /** The retainers of each node on a shortest path from the root, nearest first (`<kind>.<edge> <- …`, `depth` of
   *  them), or '' (a root, or unreachable). */
  retainedBy: string[];
}

/** Kinds whose name is data, not a type (one kind for all strings, numbers, code). */
const ANONYMOUS = new Set(['string', 'concatenated string', 'sliced string', 'number', 'code', 'heap number']);

export function readSnapshot(file: string, depth = 2): Snapshot {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as RawSnapshot;
  const m = raw.snapshot.meta;
  const nf = m.node_fields.length;
  const ef = m.edge_fields.length;
  const f = (name: string) => m.node_fields.indexOf(name);
  const [fType, fName, fId, fSelf, fEdges] = [f('type'), f('name'), f('id'), f('self_size'), f('edge_count')];
  const eType = m.edge_fields.indexOf('type');
  const eName = m.edge_fields.indexOf('name_or_index');
  const eTo = m.edge_fields.indexOf('to_node');
  const types = m.node_types[0];
  const edgeTypes = m.edge_types[0];
  const n = raw.nodes.length / nf;
  const kind = new Array<string>(n);
  const id = new Int32Array(n);
  const self = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = types[raw.nodes[i * nf + fType]];
    const name = raw.strings[raw.nodes[i * nf + fName]];
    kind[i] = ANONYMOUS.has(t) ? t : `${t} ${shortName(name)}`;
    id[i] = raw.nodes[i * nf + fId];
    self[i] = raw.nodes[i * nf + fSelf];
  }
  // Breadth-first from the root over strong edges: each node's retainer on a shortest path (as DevTools' distance).
  const firstEdge = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) firstEdge[i + 1] = firstEdge[i] + raw.nodes[i * nf + fEdges] * ef;
  const parent = new Int32Array(n).fill(-1);
  const via = new Array<string>(n).fill('');
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  queue[tail++] = 0;
  parent[0] = 0;
  while (head < tail) {
    const i = queue[head++];
    for (let e = firstEdge[i]; e < firstEdge[i + 1]; e += ef) {
      const et = edgeTypes[raw.edges[e + eType]];
      if (et === 'weak' || et === 'shortcut') continue;
      const to = raw.edges[e + eTo] / nf;
      if (parent[to] !== -1) continue;
      parent[to] = i;
      via[to] = et === 'element' || et === 'hidden' ? `[${et}]` : String(raw.strings[raw.edges[e + eName]] ?? '?');
      queue[tail++] = to;
    }
  }
  const retainedBy = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const path: string[] = [];
    for (let j = i, d = 0; d < depth && parent[j] >= 0 && parent[j] !== j; d++, j = parent[j])
      path.push(`${kind[parent[j]]}.${via[j].slice(0, 40)}`);
    retainedBy[i] = path.join(' <- ');
  }
  return { kind, id, self, retainedBy };
}

function shortName(name: string): string {
  const s = name.length > 60 ? `${name.slice(0, 57)}...` : name;
  return s.replace(/\s+/g, ' ');
}

export interface KindRow {
  kind: string;
  /** Bytes per client (self sizes). */
  bytes: number;
  /** Objects per client. */
  count: number;
}

function totals(keys: (i: number) => string | undefined, s: Snapshot): Map<string, { bytes: number; count: number }> {
  const out = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < s.kind.length; i++) {
    const k = keys(i);
    if (k === undefined) continue;
    const row = out.get(k) ?? { bytes: 0, count: 0 };
    row.bytes += s.self[i];
    row.count++;
    out.set(k, row);
  }
  return out;
}

const byBytes = (a: KindRow, b: KindRow) => Math.abs(b.bytes) - Math.abs(a.bytes);

/** Net growth per kind between the snapshots, per client. */
export function netByKind(before: Snapshot, after: Snapshot, clients: number): KindRow[] {
  const a = totals((i) => before.kind[i], before);
  const b = totals((i) => after.kind[i], after);
  const rows: KindRow[] = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(k) ?? { bytes: 0, count: 0 };
    const y = b.get(k) ?? { bytes: 0, count: 0 };
    rows.push({ kind: k, bytes: (y.bytes - x.bytes) / clients, count: (y.count - x.count) / clients });
  }
  return rows.sort(byBytes);
}

/** Objects of the second snapshot not in the first, by kind and first retainer, per client. */
export function newByRetainer(before: Snapshot, after: Snapshot, clients: number): KindRow[] {
  const old = new Set<number>(before.id);
  const t = totals((i) => (old.has(after.id[i]) ? undefined : `${after.kind[i]} <- ${after.retainedBy[i]}`), after);
  return [...t].map(([kind, v]) => ({ kind, bytes: v.bytes / clients, count: v.count / clients })).sort(byBytes);
}

export function totalBytes(s: Snapshot): number {
  let sum = 0;
  for (const v of s.self) sum += v;
  return sum;
}

export function formatRows(rows: KindRow[], top: number): string {
  return rows
    .slice(0, top)
    .map((r) => `${r.bytes.toFixed(1).padStart(9)} B ${r.count.toFixed(2).padStart(7)}  ${r.kind}`)
    .join('\n');
}

/** `b − a` per kind (both per client): what the second server holds per client beyond the first. */
export function minus(b: KindRow[], a: KindRow[]): KindRow[] {
  const out = new Map<string, KindRow>();
  for (const r of b) out.set(r.kind, { ...r });
  for (const r of a) {
    const x = out.get(r.kind) ?? { kind: r.kind, bytes: 0, count: 0 };
    out.set(r.kind, { kind: r.kind, bytes: x.bytes - r.bytes, count: x.count - r.count });
  }
  return [...out.values()].sort(byBytes);
}
