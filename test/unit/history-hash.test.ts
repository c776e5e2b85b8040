// The call-history signature, computed here independently (node:crypto, following HISTORY_HASH_ORDER), against
// historyHash() and against what AntRingClient.histories() actually sends.

import { createHash } from 'node:crypto';
import { pino } from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AntRingClient, type FetchLike } from '../../src/antring/client.js';
import { HISTORY_HASH_ORDER, type HistoryQuery, historyHash } from '../../src/antring/hash.js';
import { antringDate } from '../../src/http/routes-history.js';

const APP_ID = 'app-4f2a';
const SECRET = 's3cr3t-Ω';

/** sha256 of the fields concatenated in HISTORY_HASH_ORDER, written without the module under test. */
function expected(params: Record<string, string>): string {
  const value: Record<string, string> = { ...params, appId: APP_ID, appSecret: SECRET };
  const joined = HISTORY_HASH_ORDER.map((f) => {
    assert.ok(f in value, `field ${f} of HISTORY_HASH_ORDER is known`);
    return value[f];
  }).join('');
  return createHash('sha256').update(joined, 'utf8').digest('hex');
}

test('the order is the documented one: created_from+created_to+limit+page+appID+appSecret', () => {
  assert.equal([...HISTORY_HASH_ORDER], ['created_from', 'created_to', 'limit', 'page', 'appId', 'appSecret']);
});

test('historyHash() equals the independent computation, for several queries', () => {
  const queries: HistoryQuery[] = [
    { created_from: '2025-01-01T00:00:00Z', created_to: '2025-01-31T23:59:59Z', limit: 20, page: 1 },
    {
      created_from: antringDate(Date.UTC(2025, 4, 2, 7, 30)),
      created_to: antringDate(Date.UTC(2025, 4, 3, 7, 30)),
      limit: 100,
      page: 17,
    },
    { created_from: '2024-02-29', created_to: '2024-03-01', limit: 1, page: 2 },
  ];
  for (const q of queries) {
    const h = historyHash(q, APP_ID, SECRET);
    assert.match(h, /^[0-9a-f]{64}$/);
    assert.is(
      h,
      expected({
        created_from: q.created_from,
        created_to: q.created_to,
        limit: String(q.limit),
        page: String(q.page),
      }),
    );
  }
  // A literal check of the concatenation, so a reordered constant cannot pass by itself.
  const q = queries[0];
  assert.is(
    historyHash(q, APP_ID, SECRET),
    createHash('sha256').update(`${q.created_from}${q.created_to}201${APP_ID}${SECRET}`, 'utf8').digest('hex'),
  );
});

test('the client sends every signed field as a query parameter, and the hash over exactly those values', async () => {
  const seen: string[] = [];
  const fetch: FetchLike = async (url) => {
    seen.push(String(url));
    return { status: 200, text: async () => JSON.stringify({ data: [], total: 0 }) } as never;
  };
  const client = new AntRingClient({
    apiUrl: 'http://antring.test',
    appId: APP_ID,
    appSecret: SECRET,
    fetch,
    logger: pino({ level: 'silent' }),
  });
  await client.histories({
    created_from: '2025-03-01T00:00:00Z',
    created_to: '2025-03-02T00:00:00Z',
    limit: 50,
    page: 3,
  });
  assert.is(seen.length, 1);
  const u = new URL(seen[0]);
  assert.is(u.pathname, '/oapi/v1/call/histories');
  const p = Object.fromEntries(u.searchParams);
  assert.is(p.appId, APP_ID);
  assert.is(p.limit, '50');
  assert.is(p.page, '3');
  assert.not.ok('appSecret' in p, 'the secret is never sent');
  assert.is(p.hash, expected({ created_from: p.created_from, created_to: p.created_to, limit: p.limit, page: p.page }));
  assert.is.not(
    p.hash,
    expected({ created_from: p.created_to, created_to: p.created_from, limit: p.limit, page: p.page }),
  );
});

test.run();
