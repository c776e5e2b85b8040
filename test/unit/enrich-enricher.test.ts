import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Audience, CallUpdate } from '../../src/calls/types.js';
import { systemClock } from '../../src/clock.js';
import type { Contact } from '../../src/contract.js';
import type { LookupResult } from '../../src/enrich/contact-directory.js';
import { Enricher } from '../../src/enrich/enricher.js';
import { noLookupResult } from '../../src/enrich/lookup-status.js';
import type { EnrichedUpdate } from '../../src/fanout/types.js';
import { createLogger } from '../../src/log.js';
import { FakeClock } from '../helpers/clock.js';
import { waitFor } from '../helpers/wait.js';

const logger = createLogger('silent');

/** A lookup the test settles by hand. */
class FakeLookup {
  calls: string[] = [];
  private pending = new Map<string, ((r: LookupResult) => void)[]>();
  auto?: (n: string) => LookupResult;
  crmEnabled = true;
  withoutNumber = (): LookupResult => noLookupResult(this.crmEnabled);
  lookup = (n: string): Promise<LookupResult> => {
    this.calls.push(n);
    if (this.auto) return Promise.resolve(this.auto(n));
    return new Promise((resolve) => {
      const list = this.pending.get(n) ?? [];
      list.push(resolve);
      this.pending.set(n, list);
    });
  };
  settle(n: string, r: LookupResult) {
    const list = this.pending.get(n);
    if (!list?.length) throw new Error(`no lookup of ${n} waiting`);
    this.pending.delete(n);
    for (const resolve of list) resolve(r);
  }
}

const flush = () => new Promise((r) => setImmediate(r));

const alice: Contact = {
  source: 'antcrm',
  type: 'customer',
  id: 'c1',
  name: 'Alice',
  phones: ['0934890883'],
  emails: [],
  tags: [],
};
const FOUND: LookupResult = { status: 'found', contact: alice };

const CALL: Audience = { kind: 'call', queueId: 'q1' };
const AGENT: Audience = { kind: 'agent', username: 'an' };

/** customer null = an internal call (no customerNumber). */
function upd(
  callId: string,
  state: CallUpdate['state'],
  audience: Audience = CALL,
  customer: string | null = '0934890883',
): CallUpdate {
  const customerNumber = customer ?? undefined;
  return {
    audience,
    callId,
    org: 'acc1',
    state,
    direction: customerNumber ? 'inbound' : 'internal',
    from: { number: customerNumber ?? '101' },
    to: { number: '19001234' },
    customerNumber,
    startedAt: '2024-01-01T00:00:00.000Z',
    receivedAt: 0,
  };
}

function setup(budgetMs = 150) {
  const clock = new FakeClock(0);
  const contacts = new FakeLookup();
  const out: EnrichedUpdate[] = [];
  const enricher = new Enricher({ contacts, budgetMs, publish: (u) => out.push(u), clock, logger });
  return { clock, contacts, out, enricher };
}

const brief = (u: EnrichedUpdate) =>
  `${u.callId}:${u.audience.kind === 'call' ? 'call' : u.audience.username}:${u.state}:${u.contactStatus}`;

const E = suite('Enricher');

E('within budget: the contact is on the first publish', async () => {
  const { clock, contacts, out, enricher } = setup();
  enricher.push(upd('k1', 'ringing'));
  assert.is(out.length, 0);
  clock.advanceSync(100);
  contacts.settle('0934890883', FOUND);
  await flush();
  assert.equal(out.map(brief), ['k1:call:ringing:found']);
  assert.equal(out[0].contact, alice);
  clock.advanceSync(1000);
  assert.is(out.length, 1);
  assert.is(clock.pending, 0);
});

E('slow lookup: pending first, then the same state again with the contact, per audience', async () => {
  const { clock, contacts, out, enricher } = setup();
  enricher.push(upd('k1', 'ringing', CALL));
  enricher.push(upd('k1', 'ringing', AGENT));
  clock.advanceSync(149);
  assert.is(out.length, 0);
  clock.advanceSync(1);
  assert.equal(out.map(brief), ['k1:call:ringing:pending', 'k1:an:ringing:pending']);
  assert.is(out[0].contact, null);
  contacts.settle('0934890883', FOUND);
  await flush();
  assert.equal(out.map(brief).slice(2), ['k1:call:ringing:found', 'k1:an:ringing:found']);
  assert.equal(out[2].contact, alice);
  assert.equal({ ...out[2], contact: null, contactStatus: 'pending' }, out[0]);
  assert.is(contacts.calls.length, 1);
});

E('one call keeps its order while waiting; only the latest pending update of an audience is sent again', async () => {
  const { clock, contacts, out, enricher } = setup();
  enricher.push(upd('k1', 'ringing', CALL)); // t=0, deadline 150
  clock.advanceSync(100);
  enricher.push(upd('k1', 'ringing', AGENT)); // t=100, deadline 250
  enricher.push(upd('k1', 'answered', CALL)); // t=100, deadline 250
  clock.advanceSync(50);
  assert.equal(out.map(brief), ['k1:call:ringing:pending']);
  clock.advanceSync(100);
  assert.equal(out.map(brief), ['k1:call:ringing:pending', 'k1:an:ringing:pending', 'k1:call:answered:pending']);
  contacts.settle('0934890883', FOUND);
  await flush();
  assert.equal(out.map(brief).slice(3), ['k1:call:answered:found', 'k1:an:ringing:found']);
});

E('updates queued behind a waiting one go out in push order when the result comes', async () => {
  const { clock, contacts, out, enricher } = setup();
  enricher.push(upd('k1', 'ringing', CALL));
  enricher.push(upd('k1', 'ringing', AGENT));
  enricher.push(upd('k1', 'answered', AGENT));
  enricher.push(upd('k1', 'answered', CALL));
  clock.advanceSync(10);
  contacts.settle('0934890883', FOUND);
  await flush();
  assert.equal(out.map(brief), [
    'k1:call:ringing:found',
    'k1:an:ringing:found',
    'k1:an:answered:found',
    'k1:call:answered:found',
  ]);
});

E('updates pushed after the lookup settled get the result at once', async () => {
  const { contacts, out, enricher } = setup();
  enricher.push(upd('k1', 'ringing'));
  contacts.settle('0934890883', FOUND);
  await flush();
  enricher.push(upd('k1', 'answered'));
  assert.equal(out.map(brief), ['k1:call:ringing:found', 'k1:call:answered:found']);
  assert.is(contacts.calls.length, 1);
});

E('two calls never wait for each other', async () => {
  const { clock, contacts, out, enricher } = setup();
  enricher.push(upd('slow', 'ringing', CALL, '0393608879'));
  enricher.push(upd('fast', 'ringing', CALL, '0934890883'));
  contacts.settle('0934890883', FOUND);
  await flush();
  assert.equal(out.map(brief), ['fast:call:ringing:found']);
  clock.advanceSync(150);
  assert.equal(out.map(brief), ['fast:call:ringing:found', 'slow:call:ringing:pending']);
});

E('internal call: not_found without a lookup', () => {
  const { out, contacts, enricher } = setup();
  enricher.push(upd('int', 'ringing', CALL, null));
  assert.equal(out.map(brief), ['int:call:ringing:not_found']);
  assert.is(out[0].contact, null);
  assert.is(contacts.calls.length, 0);
});

E('internal call with the CRM disabled: disabled without a lookup, late updates too', () => {
  const { out, contacts, enricher } = setup();
  contacts.crmEnabled = false;
  enricher.push(upd('int', 'ringing', CALL, null));
  enricher.push(upd('int', 'ended', CALL, null));
  enricher.push(upd('int', 'ended', AGENT, null));
  assert.equal(out.map(brief), ['int:call:ringing:disabled', 'int:call:ended:disabled', 'int:an:ended:disabled']);
  assert.is(contacts.calls.length, 0);
  assert.is(enricher.trackedCalls, 0);
});

E('a directory that throws for a call without a number: error, nothing escapes', () => {
  const { out, contacts, enricher } = setup();
  contacts.withoutNumber = () => {
    throw new Error('boom');
  };
  enricher.push(upd('int', 'ringing', CALL, null));
  assert.equal(out.map(brief), ['int:call:ringing:error']);
});

E('CRM disabled → contactStatus disabled', async () => {
  const { out, contacts, enricher } = setup();
  contacts.auto = () => ({ status: 'disabled', contact: null });
  enricher.push(upd('k1', 'ringing'));
  await flush();
  assert.equal(out.map(brief), ['k1:call:ringing:disabled']);
});

E('budget 0 with a cached answer: no pending', async () => {
  const { out, contacts, enricher } = setup(0);
  contacts.auto = () => FOUND;
  enricher.push(upd('k1', 'ringing'));
  await flush();
  assert.equal(out.map(brief), ['k1:call:ringing:found']);
});

E('multiple: candidates attached; error after the budget: sent again with error', async () => {
  const { clock, out, contacts, enricher } = setup();
  const bob = { ...alice, id: 'c2', name: 'Bob' };
  enricher.push(upd('m', 'ringing', CALL, '0911111111'));
  enricher.push(upd('e', 'ringing', CALL, '0922222222'));
  contacts.settle('0911111111', { status: 'multiple', contact: alice, candidates: [alice, bob] });
  await flush();
  clock.advanceSync(150);
  contacts.settle('0922222222', { status: 'error', contact: null });
  await flush();
  assert.equal(out.map(brief), ['m:call:ringing:multiple', 'e:call:ringing:pending', 'e:call:ringing:error']);
  assert.equal(
    out[0].candidates?.map((c) => c.id),
    ['c1', 'c2'],
  );
  assert.is(out[2].contact, null);
  assert.is('candidates' in out[2], false);
});

E('a rejecting or throwing lookup becomes error', async () => {
  const clock = new FakeClock(0);
  const out: EnrichedUpdate[] = [];
  const rejecting = new Enricher({
    contacts: { lookup: () => Promise.reject(new Error('x')), withoutNumber: () => noLookupResult(true) },
    budgetMs: 100,
    publish: (u) => out.push(u),
    clock,
    logger,
  });
  rejecting.push(upd('r', 'ringing'));
  const throwing = new Enricher({
    contacts: {
      lookup: () => {
        throw new Error('y');
      },
      withoutNumber: () => noLookupResult(true),
    },
    budgetMs: 100,
    publish: (u) => out.push(u),
    clock,
    logger,
  });
  throwing.push(upd('t', 'ringing'));
  await flush();
  assert.equal(out.map(brief), ['r:call:ringing:error', 't:call:ringing:error']);
});

E('a call is released once its call-audience ended went out and the lookup settled', async () => {
  const { clock, contacts, out, enricher } = setup();
  enricher.push(upd('k1', 'ringing'));
  clock.advanceSync(150);
  enricher.push(upd('k1', 'ended'));
  clock.advanceSync(150);
  assert.is(enricher.trackedCalls, 1);
  contacts.settle('0934890883', FOUND);
  await flush();
  assert.equal(out.map(brief), ['k1:call:ringing:pending', 'k1:call:ended:pending', 'k1:call:ended:found']);
  assert.is(enricher.trackedCalls, 0);
  // A late update of the released call (an agent's ended after the call's): at once, same contact, no new lookup.
  enricher.push(upd('k1', 'ended', AGENT));
  assert.equal(out.map(brief).at(-1), 'k1:an:ended:found');
  assert.equal(out.at(-1)?.contact, alice);
  assert.is(enricher.trackedCalls, 0);
  assert.is(contacts.calls.length, 1);
  enricher.push(upd('int', 'ended', CALL, null));
  assert.is(enricher.trackedCalls, 0);
  enricher.push(upd('a', 'ended', AGENT, null));
  assert.is(enricher.trackedCalls, 1);
});

E('safety cap on tracked calls: the oldest are dropped', async () => {
  const clock = new FakeClock(0);
  const contacts = new FakeLookup();
  const out: EnrichedUpdate[] = [];
  const enricher = new Enricher({ contacts, budgetMs: 150, publish: (u) => out.push(u), clock, logger, maxCalls: 3 });
  for (let i = 0; i < 5; i++) enricher.push(upd(`c${i}`, 'ringing', CALL, `091000000${i}`));
  assert.is(enricher.trackedCalls, 3);
  // The dropped calls' waiting updates went out (without the contact), nothing is lost.
  assert.equal(out.map(brief), ['c0:call:ringing:pending', 'c1:call:ringing:pending']);
  clock.advanceSync(150);
  assert.is(out.length, 5);
  assert.is(clock.pending, 0);
});

E('stop(): timers cleared, later pushes and late results ignored; idempotent', async () => {
  const { clock, contacts, out, enricher } = setup();
  enricher.push(upd('k1', 'ringing'));
  assert.is(clock.pending, 1);
  enricher.stop();
  enricher.stop();
  assert.is(clock.pending, 0);
  contacts.settle('0934890883', FOUND);
  await flush();
  enricher.push(upd('k2', 'ringing', CALL, null));
  clock.advanceSync(1000);
  assert.is(out.length, 0);
  assert.is(enricher.trackedCalls, 0);
});

E('a throwing publish does not break the queue', async () => {
  const clock = new FakeClock(0);
  const contacts = new FakeLookup();
  const out: EnrichedUpdate[] = [];
  let first = true;
  const enricher = new Enricher({
    contacts,
    budgetMs: 150,
    clock,
    logger,
    publish: (u) => {
      if (first) {
        first = false;
        throw new Error('emit failed');
      }
      out.push(u);
    },
  });
  enricher.push(upd('k1', 'ringing'));
  enricher.push(upd('k1', 'answered'));
  contacts.settle('0934890883', FOUND);
  await flush();
  assert.equal(out.map(brief), ['k1:call:answered:found']);
});

E('real timers: pending after the budget, then the contact', async () => {
  const out: EnrichedUpdate[] = [];
  let settle: (r: LookupResult) => void = () => {};
  const enricher = new Enricher({
    contacts: {
      lookup: () =>
        new Promise((r) => {
          settle = r;
        }),
      withoutNumber: () => noLookupResult(true),
    },
    budgetMs: 20,
    publish: (u) => out.push(u),
    clock: systemClock,
    logger,
  });
  enricher.push(upd('k1', 'ringing'));
  await waitFor(() => out.length > 0, { what: 'the pop sent without the contact', timeoutMs: 2000, intervalMs: 5 });
  assert.equal(out.map(brief), ['k1:call:ringing:pending']);
  settle(FOUND);
  await flush();
  assert.equal(out.map(brief), ['k1:call:ringing:pending', 'k1:call:ringing:found']);
  enricher.stop();
});

E.run();
