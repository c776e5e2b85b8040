// The benchmark's organisation: the simulator's seed plus one synthetic agent per agent client (each with a SIP
// device, in one of the seed's queues) and synthetic AntCRM contacts for the callers: a pool of numbers the bridge
// has looked up before (cache hits) and numbers it has never seen (cache misses). Installed into a running
// simulator before the bridge starts, so the bridge's directory (GET /agents, /queues) and AntCRM see them.
import { createHash } from 'node:crypto';
import { toContact } from '../src/antcrm/mapping.js';
import type { AgentDirectory } from '../src/calls/types.js';
import type { AgentRef, Contact } from '../src/contract.js';
import type { CrmRecord, SimAgent, SimData } from '../src/simulator/data.js';
import type { Simulator } from '../src/simulator/simulator.js';

export interface BenchWorld {
  /** Synthetic agents, index i ↔ agent client i. */
  agents: SimAgent[];
  /** Queue ids of the seed; agent i belongs to queues[i % queues.length]. */
  queueIds: string[];
  queueOf(agent: SimAgent): string;
  /** Callers the bridge will have cached (warmed before the measurement). */
  hitNumbers: string[];
  /** Callers never asked before the measurement (one per call that wants a miss). */
  missNumbers: string[];
  records: CrmRecord[];
  /** The contact a correct lookup returns (for the baseline's pre-enriched views). */
  contactOf(number: string): Contact | undefined;
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const pad = (n: number, w: number): string => String(n).padStart(w, '0');

export function createWorld(seed: SimData, o: { agents: number; hitNumbers: number; missNumbers: number }): BenchWorld {
  const queueIds = seed.queues.map((q) => q.id);
  const agents: SimAgent[] = [];
  for (let i = 0; i < o.agents; i++) {
    const username = `bench.agent${pad(i, 5)}`;
    const ext = String(20000 + i);
    agents.push({
      userId: md5(`antring-bench:user:${username}`),
      username,
      name: `Bench Agent ${i}`,
      ext: [ext],
      device: {
        id: md5(`antring-bench:device:${username}`),
        sipUser: `user_bench${ext}`,
        sipPassword: `sip-${md5(username).slice(0, 12)}`,
        online: true,
      },
    });
  }
  // Mobile numbers with no pre-2018 form (09x), so each lookup is one AntCRM request.
  const hitNumbers = Array.from({ length: o.hitNumbers }, (_, i) => `0912${pad(i, 6)}`);
  const missNumbers = Array.from({ length: o.missNumbers }, (_, i) => `0913${pad(i, 6)}`);
  const records: CrmRecord[] = [...hitNumbers, ...missNumbers].map((number, i) => ({
    name: `Khách hàng ${i}`,
    contactType: 'customer',
    type: '0',
    leadId: '',
    customerId: `bench-${md5(number).slice(0, 16)}`,
    dateOfBirth: '',
    gender: '',
    addresses: [`${i} Lê Lợi, Quận 1, TP. Hồ Chí Minh`],
    phones: [number],
    emails: [`kh${i}@example.vn`],
    industry: 'Bán lẻ',
    bgInfo: '',
    stage: 'Khách hàng mới',
    tags: ['bench'],
    sourceContact: 'website',
    responsibleStaff: agents.length ? agents[i % agents.length].username : '',
    cusFields: [],
    scoreAvailable: 0,
    scoreRank: 0,
    rankName: '',
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
  }));
  const queueByAgent = new Map(agents.map((a, i) => [a.userId, queueIds[i % queueIds.length]]));
  const contacts = new Map<string, Contact>();
  for (const r of records) {
    const c = toContact(r);
    if (c) contacts.set(r.phones[0], c);
  }
  return {
    agents,
    queueIds,
    queueOf: (a) => queueByAgent.get(a.userId) ?? queueIds[0],
    hitNumbers,
    missNumbers,
    records,
    contactOf: (n) => contacts.get(n),
  };
}

/**
 * Adds the world to a running simulator (before the bridge reads its directory). The synthetic agents are not part
 * of the simulator's live state (their calls are played by the benchmark, not its scenario engine), so its
 * dashboard reports them logged out: the dashboard stays small and out of the measurement.
 */
export function installWorld(sim: Simulator, w: BenchWorld): void {
  sim.data.agents.push(...w.agents);
  w.agents.forEach((a, i) => {
    const q = sim.data.queues[i % sim.data.queues.length];
    q.agents.push(a.userId);
  });
  sim.data.contacts.push(...w.records);
  const synthetic = new Set(w.agents.map((a) => a.userId));
  const since = Date.now();
  const original = sim.state.agentStatus.bind(sim.state);
  sim.state.agentStatus = (a) => (synthetic.has(a.userId) ? { status: 'logged_out', since } : original(a));
}

/** The directory the bridge builds from AntRing's agents and queues APIs, for the offline engine of the baseline. */
export function worldDirectory(sim: Pick<Simulator, 'data'>): AgentDirectory {
  const byOwner = new Map<string, AgentRef>();
  for (const a of sim.data.agents)
    byOwner.set(a.userId, { username: a.username, id: a.userId, name: a.name, ext: [...a.ext] });
  const names = new Map(sim.data.queues.map((q) => [q.id, q.name]));
  return {
    agentByOwnerId: (id) => {
      const a = byOwner.get(id.toLowerCase());
      return a ? { ...a, ext: [...(a.ext ?? [])] } : undefined;
    },
    queueName: (id) => names.get(id),
  };
}
