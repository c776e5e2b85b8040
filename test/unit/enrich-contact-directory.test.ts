import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Contact } from '../../src/contract.js';
import {
  ContactDirectory,
  type ContactSource,
  type LookupObservation,
  type LookupResult,
} from '../../src/enrich/contact-directory.js';
import { createLogger } from '../../src/log.js';
import { FakeClock } from '../helpers/clock.js';
import { waitFor } from '../helpers/wait.js';

const logger = createLogger('silent');

/** Virtual time from 1 000 000 ms; the directory must start no timer. */
const fakeClock = () => new FakeClock(1_000_000, { noTimers: 'the directory uses no timers' });

function contact(id: string, phones: string[], type: Contact['type'] = 'customer'): Contact {
  return { source: 'antcrm', type, id, name: `Name ${id}`, phones, emails: [], tags: [] };
}

interface Deferred {
  resolve(v: Contact[]): void;
  reject(e: unknown): void;
}

/** A CRM that answers from `db` (exact match on the stored string), immediately or when released. */
class FakeCrm implements ContactSource {
  calls: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  manual = false;
  failWith: unknown = undefined;
  waiting: { phone: string; d: Deferred }[] = [];
  constructor(public db: Contact[] = []) {}
  findByPhone(phone: string): Promise<Contact[]> {
    this.calls.push(phone);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const p = new Promise<Contact[]>((resolve, reject) => {
      const answer = () =>
        this.failWith !== undefined ? reject(this.failWith) : resolve(this.db.filter((c) => c.phones.includes(phone)));
      if (this.manual) this.waiting.push({ phone, d: { resolve: () => answer(), reject } });
      else setImmediate(answer);
    });
    return p.finally(() => {
      this.inFlight--;
    });
  }
  releaseAll() {
    for (const w of this.waiting.splice(0)) w.d.resolve([]);
  }
}

const D = suite('ContactDirectory');

D('found: one contact, then served from the cache', async () => {
  const crm = new FakeCrm([contact('c1', ['0934890883'])]);
  const seen: LookupObservation[] = [];
  const dir = new ContactDirectory({ client: crm, logger, clock: fakeClock(), observe: (e) => seen.push(e) });
  const r = await dir.lookup('+84 934 890 883');
  assert.is(r.status, 'found');
  assert.is(r.contact?.id, 'c1');
  assert.equal(crm.calls, ['0934890883']);
  const again = await dir.lookup('0934890883');
  assert.is(again.contact?.id, 'c1');
  assert.is(crm.calls.length, 1);
  assert.equal(seen, [
    { result: 'found', cache: 'miss' },
    { result: 'found', cache: 'hit' },
  ]);
});

D('single-flight: 100 concurrent lookups in various formats = one request per lookup form', async () => {
  const crm = new FakeCrm([contact('c1', ['0393608879'])]);
  crm.manual = true;
  const seen: LookupObservation[] = [];
  const dir = new ContactDirectory({ client: crm, logger, clock: fakeClock(), observe: (e) => seen.push(e) });
  const formats = ['0393608879', '+84393608879', '84 393 608 879', '01693608879', '0169.360.8879', '+841693608879'];
  const all = Array.from({ length: 100 }, (_, i) => dir.lookup(formats[i % formats.length]));
  await waitFor(() => crm.waiting.length === 2, { what: 'two lookups waiting', timeoutMs: 2000 });
  assert.equal([...crm.calls].sort(), ['01693608879', '0393608879']);
  for (const w of crm.waiting.splice(0)) w.d.resolve(crm.db.filter((c) => c.phones.includes(w.phone)));
  const results = await Promise.all(all);
  assert.is(crm.calls.length, 2);
  for (const r of results) {
    assert.is(r.status, 'found');
    assert.is(r.contact?.id, 'c1');
  }
  assert.is(seen.filter((e) => e.cache === 'miss').length, 1);
  assert.is(seen.filter((e) => e.cache === 'joined').length, 99);
});

D('TTL: a found contact expires after ttlMs', async () => {
  const clock = fakeClock();
  const crm = new FakeCrm([contact('c1', ['0934890883'])]);
  const dir = new ContactDirectory({ client: crm, logger, clock, ttlMs: 10_000 });
  await dir.lookup('0934890883');
  clock.advanceSync(9_999);
  await dir.lookup('0934890883');
  assert.is(crm.calls.length, 1);
  clock.advanceSync(1);
  const r = await dir.lookup('0934890883');
  assert.is(r.status, 'found');
  assert.is(crm.calls.length, 2);
});

D('negative caching: not_found is cached for negativeTtlMs', async () => {
  const clock = fakeClock();
  const crm = new FakeCrm([]);
  const dir = new ContactDirectory({ client: crm, logger, clock, negativeTtlMs: 60_000, ttlMs: 300_000 });
  assert.equal(await dir.lookup('0912345678'), { status: 'not_found', contact: null });
  clock.advanceSync(59_999);
  assert.is((await dir.lookup('0912345678')).status, 'not_found');
  assert.is(crm.calls.length, 1);
  crm.db.push(contact('new', ['0912345678']));
  clock.advanceSync(1);
  assert.is((await dir.lookup('0912345678')).status, 'found');
  assert.is(crm.calls.length, 2);
});

D('errors: status error, cached only for errorTtlMs, then retried', async () => {
  const clock = fakeClock();
  const crm = new FakeCrm([contact('c1', ['0934890883'])]);
  crm.failWith = new Error('boom');
  const dir = new ContactDirectory({ client: crm, logger, clock, errorTtlMs: 5_000 });
  assert.equal(await dir.lookup('0934890883'), { status: 'error', contact: null });
  assert.is((await dir.lookup('0934890883')).status, 'error');
  assert.is(crm.calls.length, 1);
  crm.failWith = undefined;
  clock.advanceSync(4_999);
  assert.is((await dir.lookup('0934890883')).status, 'error');
  clock.advanceSync(1);
  const r = await dir.lookup('0934890883');
  assert.is(r.status, 'found');
  assert.is(crm.calls.length, 2);
});

D('a client that throws synchronously still gives error, never a rejection', async () => {
  const dir = new ContactDirectory({
    client: {
      findByPhone: () => {
        throw new Error('sync');
      },
    },
    logger,
    clock: fakeClock(),
  });
  assert.is((await dir.lookup('0934890883')).status, 'error');
});

D('concurrency cap: 20 numbers, maxConcurrency 3 → never more than 3 in flight', async () => {
  const crm = new FakeCrm([]);
  const dir = new ContactDirectory({ client: crm, logger, clock: fakeClock(), maxConcurrency: 3 });
  // 0912xxxxxx numbers have one lookup form each.
  const numbers = Array.from({ length: 20 }, (_, i) => `09120000${String(i).padStart(2, '0')}`);
  const results = await Promise.all(numbers.map((n) => dir.lookup(n)));
  assert.is(crm.calls.length, 20);
  assert.is(crm.maxInFlight, 3);
  assert.ok(results.every((r) => r.status === 'not_found'));
  assert.is(dir.crmInFlight, 0);
});

D('concurrency cap counts each lookup form as a request', async () => {
  const crm = new FakeCrm([]);
  crm.manual = true;
  const dir = new ContactDirectory({ client: crm, logger, clock: fakeClock(), maxConcurrency: 3 });
  const all = ['0393608879', '0373608879', '0703608879'].map((n) => dir.lookup(n)); // 6 requests
  await waitFor(() => crm.waiting.length === 3, { what: 'three lookups waiting', timeoutMs: 2000 });
  await new Promise((r) => setTimeout(r, 10));
  assert.is(crm.inFlight, 3);
  while (crm.calls.length < 6 || crm.waiting.length) {
    crm.releaseAll();
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(all);
  assert.is(crm.maxInFlight, 3);
  assert.is(crm.calls.length, 6);
});

D('legacy form: the CRM holds only 01693608879, asked for 0393608879 → found', async () => {
  const crm = new FakeCrm([contact('old', ['01693608879'])]);
  const dir = new ContactDirectory({ client: crm, logger, clock: fakeClock() });
  const r = await dir.lookup('0393608879');
  assert.is(r.status, 'found');
  assert.is(r.contact?.id, 'old');
  assert.equal([...crm.calls].sort(), ['01693608879', '0393608879']);
});

D('multiple: merged across forms, de-duplicated by id, current form first', async () => {
  const both = contact('both', ['0393608879', '01693608879']);
  const crm = new FakeCrm([contact('lead1', ['01693608879'], 'lead'), both, contact('acc', ['0393608879'], 'account')]);
  const dir = new ContactDirectory({ client: crm, logger, clock: fakeClock() });
  const r = await dir.lookup('0393608879');
  assert.is(r.status, 'multiple');
  assert.equal(
    r.candidates?.map((c) => c.id),
    ['both', 'acc', 'lead1'],
  );
  assert.is(r.contact?.id, 'both');
});

D('one form failing: contacts of the other form are used but cached briefly; none → error', async () => {
  const clock = fakeClock();
  const okContact = contact('c1', ['0393608879']);
  const client: ContactSource = {
    findByPhone: async (p) => {
      if (p === '01693608879') throw new Error('down');
      return p === '0393608879' ? [okContact] : [];
    },
  };
  let calls = 0;
  const dir = new ContactDirectory({
    client: {
      findByPhone: (p) => {
        calls++;
        return client.findByPhone(p);
      },
    },
    logger,
    clock,
    errorTtlMs: 1000,
  });
  const r = await dir.lookup('0393608879');
  assert.is(r.status, 'found');
  clock.advanceSync(1000);
  await dir.lookup('0393608879');
  assert.is(calls, 4);
  const none = await dir.lookup('01683608879');
  assert.is(none.status, 'not_found');
  const failing = new ContactDirectory({
    client: {
      findByPhone: async () => {
        throw new Error('x');
      },
    },
    logger,
    clock,
  });
  assert.is((await failing.lookup('0393608879')).status, 'error');
});

D('records whose phones do not contain the number are ignored (a CRM that ignored the filter)', async () => {
  const crm: ContactSource = {
    findByPhone: async () => [
      contact('wrong', ['0911111111']),
      contact('right', ['+84 93 489 0883']),
      contact('nophones', []),
    ],
  };
  const dir = new ContactDirectory({ client: crm, logger, clock: fakeClock() });
  const r = await dir.lookup('0934890883');
  assert.is(r.status, 'multiple');
  assert.equal(
    r.candidates?.map((c) => c.id),
    ['right', 'nophones'],
  );
});

D('unparsable numbers → not_found without a request; CRM disabled → disabled', async () => {
  const crm = new FakeCrm([]);
  const seen: LookupObservation[] = [];
  const dir = new ContactDirectory({ client: crm, logger, clock: fakeClock(), observe: (e) => seen.push(e) });
  for (const n of ['', 'anonymous', '101', '0x12', '+14155552671']) {
    assert.equal(await dir.lookup(n), { status: 'not_found', contact: null }, n);
  }
  assert.is(crm.calls.length, 0);
  const off = new ContactDirectory({ client: null, logger, observe: (e) => seen.push(e) });
  assert.equal(await off.lookup('0934890883'), { status: 'disabled', contact: null });
  assert.equal(seen.at(-1), { result: 'disabled', cache: 'miss' });
});

D('LRU bound: maxEntries', async () => {
  const crm = new FakeCrm([]);
  const dir = new ContactDirectory({ client: crm, logger, clock: fakeClock(), maxEntries: 5 });
  for (let i = 0; i < 10; i++) await dir.lookup(`09120000${String(i).padStart(2, '0')}`);
  assert.is(dir.size, 5);
  await dir.lookup('0912000000'); // evicted → asked again
  assert.is(crm.calls.length, 11);
  await dir.lookup('0912000009'); // recent → cached
  assert.is(crm.calls.length, 11);
});

D('second level: read before the CRM, written after a CRM answer (not for errors)', async () => {
  const store = new Map<string, { value: LookupResult; ttlMs: number }>();
  const secondLevel = {
    get: async (k: string) => store.get(k)?.value,
    set: async (k: string, value: LookupResult, ttlMs: number) => {
      store.set(k, { value, ttlMs });
    },
  };
  const crm = new FakeCrm([contact('c1', ['0934890883'])]);
  const seen: LookupObservation[] = [];
  const a = new ContactDirectory({ client: crm, logger, clock: fakeClock(), secondLevel, ttlMs: 1234 });
  await a.lookup('0934890883');
  assert.is(store.get('0934890883')?.ttlMs, 1234);
  const b = new ContactDirectory({
    client: crm,
    logger,
    clock: fakeClock(),
    secondLevel,
    observe: (e) => seen.push(e),
  });
  const r = await b.lookup('+84934890883');
  assert.is(r.contact?.id, 'c1');
  assert.is(crm.calls.length, 1);
  assert.equal(seen, [{ result: 'found', cache: 'hit' }]);
  crm.failWith = new Error('down');
  await a.lookup('0912345678');
  assert.not.ok(store.has('0912345678'));
  const broken = new ContactDirectory({
    client: new FakeCrm([contact('c2', ['0912345678'])]),
    logger,
    clock: fakeClock(),
    secondLevel: {
      get: async () => {
        throw new Error('redis down');
      },
      set: async () => {
        throw new Error('redis down');
      },
    },
  });
  assert.is((await broken.lookup('0912345678')).contact?.id, 'c2');
});

D.run();
