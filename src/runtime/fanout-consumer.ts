// The first consumer of call updates: the Socket.IO fan-out (fanout/publisher.ts: seq, live store, rooms).
import type { CallPublisher } from '../fanout/publisher.js';
import type { CallConsumer } from './update.js';

export function fanoutConsumer(publisher: Pick<CallPublisher, 'publish'>): CallConsumer {
  return {
    name: 'fanout',
    consume: (u) => {
      // Never rejects (the publisher logs and counts its own failures); not awaited: calls do not wait for each other.
      void publisher.publish(u);
    },
  };
}
