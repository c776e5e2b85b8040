// The simulator of `bench/tenants.ts`, in its own process (its heap and CPU are not the bridge's): prints its
// credentials and URLs as one JSON line, then plays `{ traffic: n, concurrency }` messages (inbound queue calls of its
// own account) and answers `{ done: n }`.
import { startSimulator } from '../src/simulator/simulator.js';

const sim = await startSimulator({ historySeedCount: 0 });
const queue = sim.data.queues[0]!;
const agents = sim.data.agents.filter((a) => queue.agents.includes(a.userId)).map((a) => a.username);
const customers = sim.data.customerNumbers({ withContact: true, multiple: false, legacy: false });
process.stdout.write(
  `${JSON.stringify({
    credentials: sim.credentials,
    apiUrl: sim.apiUrl,
    signalUrl: sim.signalUrl('socketio'),
    crmUrl: sim.crmUrl,
  })}\n`,
);
process.on('message', async (m: { traffic?: number; concurrency?: number }) => {
  const n = m.traffic ?? 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, m.concurrency ?? 4) }, async () => {
      for (let k = next++; k < n; k = next++)
        await sim.scenarios.inboundQueueCall({
          customer: customers[k % customers.length]!,
          queueId: queue.id,
          agents: [agents[k % 2]!],
          answeredBy: agents[k % 2]!,
          ivrMs: 0,
          queueMs: 5,
          ringMs: 60,
          talkMs: 60,
        });
    }),
  );
  process.send?.({ done: n });
});
process.on('disconnect', () => void sim.close().finally(() => process.exit(0)));
