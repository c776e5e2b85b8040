// A simulator in the test process + a private Redis + N bridge processes; recording clients; teardown.
import { io, type Socket } from 'socket.io-client';
import type { CallView, ClientToServerEvents, Dashboard, Role, ServerToClientEvents } from '../../src/contract.js';
import { type Simulator, startSimulator } from '../../src/simulator/simulator.js';
import { assignHolders } from '../../src/tenants/hrw.js';
import { roleToken } from '../helpers/tokens.js';
import { waitFor } from '../helpers/wait.js';
import { type BridgeProc, killAll, readyz, startBridge, startRedis, type TestRedis } from './helpers.js';

export const JWT_SECRET = 'cluster-secret-0123456789abcdef0123456789abcdef';

export interface Rec {
  name: string;
  node: BridgeProc;
  socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  calls: CallView[];
  dashboards: Dashboard[];
  token: string;
}

export interface ClusterFixture {
  sim: Simulator;
  redis: TestRedis;
  nodes: BridgeProc[];
  token(role: Role, extra?: Record<string, unknown>): string;
  client(name: string, node: BridgeProc, role: Role, extra?: Record<string, unknown>): Promise<Rec>;
  close(): Promise<void>;
}

export async function startCluster(
  n: number,
  extraEnv: Record<string, string> | ((sim: Simulator) => Record<string, string>) = {},
): Promise<ClusterFixture | undefined> {
  const redis = await startRedis();
  if (!redis) return undefined;
  const sim = await startSimulator({ historySeedCount: 0 });
  const c = sim.credentials;
  const env = {
    ANTRING_APP_ID: c.appId,
    ANTRING_APP_SECRET: c.appSecret,
    ANTRING_ACCOUNT_ID: c.accountId,
    ANTRING_API_URL: sim.apiUrl,
    ANTRING_SIGNAL_URL: sim.signalUrl('socketio'),
    ANTRING_SIGNAL_PROTOCOL: 'socketio',
    ANTRING_DOMAIN: c.domain,
    ANTRING_EMAIL: c.email,
    ANTCRM_API_URL: sim.crmUrl,
    ANTCRM_API_KEY: c.crmApiKey,
    // Generous: a lookup never outlasts the budget, so each call's message count is deterministic.
    CRM_BUDGET_MS: '5000',
    JWT_SECRET,
    REDIS_URL: redis.url,
    CLUSTER_UPSTREAM_NODES: '2',
    CLUSTER_LEASE_TTL_MS: '3000',
    CLUSTER_HEARTBEAT_TTL_MS: '2000',
    SHUTDOWN_DRAIN_MS: '800',
    DASHBOARD_POLL_MS: '500',
    ...(typeof extraEnv === 'function' ? extraEnv(sim) : extraEnv),
  };
  const nodes: BridgeProc[] = [];
  const sockets: Socket[] = [];
  const fx: ClusterFixture = {
    sim,
    redis,
    nodes,
    token(role, extra = {}) {
      return roleToken(role, {
        org: c.accountId,
        secret: JWT_SECRET,
        extra,
        ttlSec: 1800,
        sub: `t-${role}-${Math.random()}`,
      });
    },
    async client(name, node, role, extra = {}) {
      const token = fx.token(role, extra);
      const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(node.url, {
        auth: { token },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      sockets.push(socket as unknown as Socket);
      const calls: CallView[] = [];
      const dashboards: Dashboard[] = [];
      socket.on('call', (v) => calls.push(v));
      socket.on('dashboard', (d) => dashboards.push(d));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      return { name, node, socket, calls, dashboards, token };
    },
    async close() {
      for (const s of sockets) {
        s.removeAllListeners();
        s.disconnect();
      }
      await killAll(nodes);
      await sim.close().catch(() => undefined);
      await redis.stop();
    },
  };
  try {
    for (let i = 0; i < n; i++) nodes.push(await startBridge(`node${i}`, env));
    // Settled, not merely counted: the nodes started one by one, so an early node may still hold (make before break)
    // while a later one takes its place. Wait for exactly the holders every node computes (rendezvous hashing).
    const expected = assignHolders(
      [c.accountId],
      nodes.map((b) => b.node),
      Number(env.CLUSTER_UPSTREAM_NODES),
    )
      .get(c.accountId)
      ?.slice()
      .sort()
      .join(',');
    await waitFor(
      () =>
        nodes
          .filter((b) => b.holdsUpstream())
          .map((b) => b.node)
          .sort()
          .join(',') === expected,
      { what: `the upstream holders to be ${expected}`, timeoutMs: 20_000, intervalMs: 50 },
    );
    await waitFor(async () => (await Promise.all(nodes.map((b) => readyz(b.url)))).every((s) => s === 200), {
      what: 'every node ready',
      timeoutMs: 20_000,
      intervalMs: 100,
    });
  } catch (err) {
    await fx.close();
    throw err;
  }
  return fx;
}

/** Track the socket.io-client's recovery session (private fields of socket.io-client 4). */
export function session(s: Socket): { pid?: string; offset?: string } {
  const x = s as unknown as { _pid?: string; _lastOffset?: string };
  return { pid: x._pid, offset: x._lastOffset };
}

/** Per call: the client's views in arrival order. */
export function byCall(calls: CallView[]): Map<string, CallView[]> {
  const m = new Map<string, CallView[]>();
  for (const v of calls) {
    let l = m.get(v.callId);
    if (!l) m.set(v.callId, (l = []));
    l.push(v);
  }
  return m;
}

export function signature(views: CallView[]): string {
  return views
    .map((v) => `${v.state}${v.outcome ? `/${v.outcome}` : ''}${v.contactStatus === 'pending' ? '?' : ''}`)
    .join(',');
}

/** Most common value. */
export function mode(values: string[]): string | undefined {
  const c = new Map<string, number>();
  for (const v of values) c.set(v, (c.get(v) ?? 0) + 1);
  let best: string | undefined;
  let n = 0;
  for (const [v, k] of c) if (k > n) [best, n] = [v, k];
  return best;
}
