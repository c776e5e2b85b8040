// DNC matching (normalised national form, legacy 11-digit entries, foreign numbers) and the cached list
// (TTL, single-flight refresh, fail closed, bounded wait) on a fake clock.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildDncSet, DncList, DncUnavailableError, dncKey } from '../../src/antbot/dnc.js';
import { AntBotHttpError } from '../../src/antbot/errors.js';
import { FakeClock, flush } from '../helpers/clock.js';
import { silentLogger } from '../helpers/logs.js';
import { rejects } from '../helpers/rejects.js';

const entries = (...phones: string[]) => phones.map((phone_number) => ({ phone_number }));

test('dncKey: every written form of a number → one key', () => {
  for (const form of [
    '0934890883',
    '093 489 0883',
    '0934.890.883',
    '+84 934 890 883',
    '84934890883',
    '0084934890883',
    '(+84) 934-890-883',
    'tel:+84934890883',
  ]) {
    assert.is(dncKey(form), '0934890883', form);
  }
  assert.is(dncKey('01693608879'), '0393608879', 'legacy 11-digit → current form');
  assert.is(dncKey('0393608879'), '0393608879');
  assert.is(dncKey('+1 415 555 2671'), '+14155552671');
  assert.is(dncKey('02838220013'), '02838220013');
  for (const bad of ['', 'n/a', 'abc', '123456789012345678901234567890123456', '+']) assert.is(dncKey(bad), null, bad);
});

test('buildDncSet: legacy entries block the new number and back; garbage is counted', () => {
  const { set, skipped } = buildDncSet(
    entries('01662223344', '0934890883', '+84 916 000 012', 'not a number', '', '0909-000-025'),
  );
  assert.is(skipped, 2);
  assert.equal([...set].sort(), ['0362223344', '0909000025', '0916000012', '0934890883']);
  // What click-to-call asks: the dialled number in its normalised form.
  for (const dialled of ['0362223344', '01662223344', '+84 362 223 344']) assert.ok(set.has(dncKey(dialled)!), dialled);
  assert.not.ok(set.has(dncKey('0362223345')!));
});

function list(
  clock: FakeClock,
  fetch: () => Promise<{ phone_number: string }[]>,
  o: { ttlMs?: number; timeoutMs?: number } = {},
) {
  let calls = 0;
  const dnc = new DncList({
    source: {
      dncContacts: () => {
        calls++;
        return fetch();
      },
    },
    ttlMs: o.ttlMs ?? 30_000,
    timeoutMs: o.timeoutMs ?? 8000,
    clock,
    logger: silentLogger(),
  });
  return { dnc, calls: () => calls };
}

test('cached for ttlMs, then fetched again; concurrent checks share one fetch', async () => {
  const clock = new FakeClock();
  let current = entries('01662223344');
  const { dnc, calls } = list(clock, async () => current);
  const checks = await Promise.all([
    dnc.isBlocked('0362223344'),
    dnc.isBlocked('+84362223344'),
    dnc.isBlocked('0934890883'),
  ]);
  assert.equal(checks, [true, true, false]);
  assert.is(calls(), 1);
  current = entries('0934890883');
  clock.t += 29_999;
  assert.is(await dnc.isBlocked('0934890883'), false, 'still the cached list');
  assert.is(calls(), 1);
  clock.t += 1;
  assert.is(await dnc.isBlocked('0934890883'), true);
  assert.is(await dnc.isBlocked('0362223344'), false);
  assert.is(calls(), 2);
  assert.equal(dnc.stats(), { size: 1, ageMs: 0, refreshes: 2, failures: 0 });
});

test('fail closed: with the cache expired and AntBot failing, every check throws DncUnavailableError', async () => {
  const clock = new FakeClock();
  let down = false;
  const { dnc, calls } = list(clock, async () => {
    if (down) throw new AntBotHttpError('dnc_contact', 503);
    return entries('0934890883');
  });
  assert.is(await dnc.isBlocked('0912345678'), false);
  down = true;
  assert.is(await dnc.isBlocked('0912345678'), false, 'a fresh list is used while AntBot is down');
  clock.t += 30_000;
  const e = await rejects(dnc.isBlocked('0912345678'), DncUnavailableError);
  assert.match(e.message, /ANTBOT_HTTP\b/);
  await rejects(dnc.isBlocked('0934890883'), DncUnavailableError);
  assert.is(calls(), 3, 'each check after expiry retries the fetch');
  down = false;
  assert.is(await dnc.isBlocked('0934890883'), true);
  assert.is(dnc.stats().failures, 2);
});

test('a hanging AntBot: the check gives up after timeoutMs; the hanging fetch is shared, not repeated', async () => {
  const clock = new FakeClock();
  let resolveFetch!: (v: { phone_number: string }[]) => void;
  const { dnc, calls } = list(clock, () => new Promise((r) => (resolveFetch = r)), { timeoutMs: 2000 });
  const first = rejects(dnc.isBlocked('0934890883'), DncUnavailableError);
  await flush();
  const second = rejects(dnc.isBlocked('0934890883'), DncUnavailableError);
  await clock.advance(2000);
  await first;
  await second;
  assert.is(calls(), 1);
  resolveFetch(entries('0934890883'));
  await flush();
  assert.is(await dnc.isBlocked('0934890883'), true, 'the late answer fills the cache');
  assert.is(calls(), 1);
  assert.is(clock.pending, 0, 'no timer left behind');
});

test('refresh() warms the cache up; a failed warm-up is retried by the next check', async () => {
  const clock = new FakeClock();
  let n = 0;
  const { dnc, calls } = list(clock, async () => {
    if (n++ === 0) throw new Error('first fails');
    return entries('0934890883');
  });
  await rejects(dnc.refresh(), Error);
  assert.is(await dnc.isBlocked('0934890883'), true);
  assert.is(calls(), 2);
});

test.run();
