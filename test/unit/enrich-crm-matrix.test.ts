// contactStatus for every combination of CRM enabled/disabled × inbound/outbound/internal, through the real
// ContactDirectory and Enricher (issue 10 item 13): one rule, in one place, for calls with no number to look up.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Audience, CallUpdate } from '../../src/calls/types.js';
import type { CallDirection, Contact, ContactStatus } from '../../src/contract.js';
import { ContactDirectory, type ContactSource } from '../../src/enrich/contact-directory.js';
import { Enricher } from '../../src/enrich/enricher.js';
import { isLookupStatus, LOOKUP_STATUSES, noLookupResult } from '../../src/enrich/lookup-status.js';
import type { EnrichedUpdate } from '../../src/fanout/types.js';
import { createLogger } from '../../src/log.js';
import { waitFor } from '../helpers/wait.js';

const logger = createLogger('silent');
const KNOWN = '0934890883';
const alice: Contact = {
  source: 'antcrm',
  type: 'customer',
  id: 'c1',
  name: 'Alice',
  phones: [KNOWN],
  emails: [],
  tags: [],
};

/** A CRM that knows one number. */
const crm: ContactSource = { findByPhone: async (p) => (p === KNOWN ? [alice] : []) };

const CALL: Audience = { kind: 'call', queueId: 'q1' };
const AGENT: Audience = { kind: 'agent', username: 'an' };

function update(
  callId: string,
  direction: CallDirection,
  state: CallUpdate['state'],
  customer: string | undefined,
  audience: Audience = CALL,
): CallUpdate {
  const ext = { number: '101' };
  const far = { number: customer ?? '102' };
  return {
    audience,
    callId,
    org: 'acc1',
    state,
    direction,
    from: direction === 'outbound' ? ext : far,
    to: direction === 'outbound' ? far : ext,
    customerNumber: direction === 'internal' ? undefined : customer,
    startedAt: '2024-01-01T00:00:00.000Z',
    receivedAt: 0,
  };
}

function harness(enabled: boolean) {
  const out: EnrichedUpdate[] = [];
  const contacts = new ContactDirectory({ client: enabled ? crm : null, logger });
  const enricher = new Enricher({ contacts, budgetMs: 1000, publish: (u) => out.push(u), logger });
  return { out, enricher, contacts };
}

const M = suite('contactStatus: CRM enabled/disabled × direction');

const CASES: [crm: boolean, direction: CallDirection, customer: string | undefined, expected: ContactStatus][] = [
  [true, 'inbound', KNOWN, 'found'],
  [true, 'inbound', '0912345678', 'not_found'],
  [true, 'outbound', KNOWN, 'found'],
  [true, 'outbound', '0912345678', 'not_found'],
  [true, 'internal', undefined, 'not_found'],
  [true, 'inbound', 'anonymous', 'not_found'],
  [false, 'inbound', KNOWN, 'disabled'],
  [false, 'outbound', KNOWN, 'disabled'],
  [false, 'internal', undefined, 'disabled'],
  [false, 'inbound', 'anonymous', 'disabled'],
];

for (const [enabled, direction, customer, expected] of CASES) {
  M(
    `CRM ${enabled ? 'enabled' : 'disabled'}, ${direction} ${customer ?? '(no customer number)'} → ${expected} on every update`,
    async () => {
      const { out, enricher } = harness(enabled);
      const id = `${direction}-${customer}`;
      enricher.push(update(id, direction, 'ringing', customer));
      enricher.push(update(id, direction, 'ringing', customer, AGENT));
      await waitFor(() => out.length === 2, { what: 'the ringing updates', timeoutMs: 2000, intervalMs: 1 });
      enricher.push(update(id, direction, 'ended', customer));
      await waitFor(() => out.length === 3, { what: 'the ended update', timeoutMs: 2000, intervalMs: 1 });
      // A late agent update, after the call was released: the same status, at once.
      enricher.push(update(id, direction, 'ended', customer, AGENT));
      assert.is(out.length, 4, 'the late update went out without waiting');
      assert.equal(
        out.map((u) => u.contactStatus),
        [expected, expected, expected, expected],
      );
      for (const u of out) assert.equal(u.contact, expected === 'found' ? alice : null);
      assert.is(enricher.trackedCalls, 0);
      enricher.stop();
    },
  );
}

M('the directory and the enricher share the rule: no number to look up → noLookupResult(crm enabled)', async () => {
  for (const enabled of [true, false]) {
    const { contacts } = harness(enabled);
    assert.equal(contacts.withoutNumber(), noLookupResult(enabled));
    assert.equal(await contacts.lookup(''), noLookupResult(enabled));
    assert.equal(await contacts.lookup('not a number'), noLookupResult(enabled));
  }
  assert.equal(noLookupResult(true), { status: 'not_found', contact: null });
  assert.equal(noLookupResult(false), { status: 'disabled', contact: null });
});

M('the lookup statuses: one list, the contract statuses but pending', () => {
  assert.equal([...LOOKUP_STATUSES], ['found', 'multiple', 'not_found', 'error', 'disabled']);
  for (const s of LOOKUP_STATUSES) assert.ok(isLookupStatus(s), s);
  for (const s of ['pending', 'FOUND', '', 'notfound', undefined, null, 1, {}])
    assert.not.ok(isLookupStatus(s), String(s));
});

M.run();
