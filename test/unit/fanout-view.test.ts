// toCallView: the contract's whitelist, no undefined-valued keys in the contact or the candidates.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Contact } from '../../src/contract.js';
import type { EnrichedUpdate } from '../../src/fanout/types.js';
import { toCallView } from '../../src/fanout/view.js';

const t = suite('fanout view');

const u = (over: Partial<EnrichedUpdate> = {}): EnrichedUpdate => ({
  audience: { kind: 'call' },
  callId: 'c1',
  org: 'o',
  state: 'ringing',
  direction: 'inbound',
  from: { number: '0934890883' },
  to: { number: '101' },
  startedAt: '2024-05-01T10:00:00.000Z',
  receivedAt: 1,
  customerNumber: '0934890883',
  contact: null,
  contactStatus: 'not_found',
  ...over,
});

t('contact and candidates lose their undefined keys, keep the rest in order', () => {
  const contact = {
    source: 'antcrm',
    type: 'customer',
    id: 'k1',
    name: 'A',
    phones: ['1'],
    emails: [],
    tags: [],
    company: undefined,
  } as unknown as Contact;
  const v = toCallView(u({ contact, contactStatus: 'multiple', candidates: [contact, { ...contact, id: 'k2' }] }), 3);
  assert.equal(Object.keys(v.contact!), ['source', 'type', 'id', 'name', 'phones', 'emails', 'tags']);
  assert.equal(
    v.candidates!.map((c) => Object.keys(c).length),
    [7, 7],
  );
  assert.is(v.id, 'c1:3');
  assert.ok(!('customerNumber' in v) && !('receivedAt' in v) && !('audience' in v));
});

t('a __proto__ key of CRM data stays an own, plain property (no prototype change)', () => {
  const contact = JSON.parse(
    '{"source":"antcrm","type":"customer","id":"k1","name":"A","phones":[],"emails":[],"tags":[],"__proto__":{"polluted":true}}',
  ) as Contact;
  const v = toCallView(u({ contact, contactStatus: 'found' }), 1);
  const c = v.contact as unknown as Record<string, unknown>;
  assert.is(Object.getPrototypeOf(c), Object.prototype);
  assert.is(c.polluted, undefined);
  assert.ok(Object.keys(c).includes('__proto__'));
  assert.is(JSON.stringify(v.contact), JSON.stringify(contact));
});

t.run();
