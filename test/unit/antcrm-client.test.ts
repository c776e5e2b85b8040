import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AntCrmClient } from '../../src/antcrm/client.js';
import {
  AntCrmAuthError,
  AntCrmHttpError,
  AntCrmNetworkError,
  AntCrmResponseError,
  AntCrmTimeoutError,
} from '../../src/antcrm/errors.js';
import { toContact } from '../../src/antcrm/mapping.js';
import { createLogger } from '../../src/log.js';

const API_KEY = 'sk-test-3f9a7c1e5b';

interface Seen {
  url: string;
  apikey: string | undefined;
}
type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

let server: http.Server;
let baseUrl: string;
let handler: Handler = (_req, res) => res.end('[]');
const seen: Seen[] = [];
const logLines: string[] = [];
const logger = createLogger(
  'debug',
  new Writable({
    write(chunk, _e, cb) {
      logLines.push(String(chunk));
      cb();
    },
  }),
);

function client(opts: { timeoutMs?: number } = {}) {
  return new AntCrmClient({ apiUrl: `${baseUrl}/`, apiKey: API_KEY, logger, ...opts });
}

const C = suite('AntCrmClient');

C.before(async () => {
  server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', apikey: req.headers.apikey as string | undefined });
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

C.after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  assert.ok(logLines.length > 0);
  assert.not.ok(logLines.join('').includes(API_KEY), 'the api key never reaches a log line');
});

C.before.each(() => {
  seen.length = 0;
});

const json =
  (status: number, body: unknown): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

C('GET /contacts?phone=… with the apikey header; records mapped', async () => {
  handler = json(200, [
    {
      name: 'Lan Nguyen',
      contactType: 'lead',
      type: '',
      leadId: 'L1',
      customerId: '',
      phones: ['0934890883'],
      emails: ['lan@x.vn'],
      tags: ['vip'],
      stage: 'new',
      responsibleStaff: 'an',
      scoreRank: 3,
    },
    {
      name: 'Minh',
      contactType: 'customer',
      type: 0,
      customerId: 'C7',
      phones: '0934890883',
      rankName: 'Gold',
      scoreRank: 2,
    },
    {
      name: 'ACME',
      contactType: 'customer',
      type: '1',
      customerId: 'A9',
      phones: ['0934890883', 84934890883],
      emails: null,
    },
    { name: 'no id', contactType: 'customer', phones: ['0934890883'] },
    'garbage',
  ]);
  const c = client();
  const contacts = await c.findByPhone('+84 934');
  c.close();
  assert.is(seen.length, 1);
  assert.is(seen[0].url, '/contacts?phone=%2B84%20934');
  assert.is(seen[0].apikey, API_KEY);
  assert.equal(contacts, [
    {
      source: 'antcrm',
      type: 'lead',
      id: 'L1',
      name: 'Lan Nguyen',
      phones: ['0934890883'],
      emails: ['lan@x.vn'],
      tags: ['vip'],
      stage: 'new',
      responsibleStaff: 'an',
      rank: '3',
    },
    {
      source: 'antcrm',
      type: 'customer',
      id: 'C7',
      name: 'Minh',
      phones: ['0934890883'],
      emails: [],
      tags: [],
      rank: 'Gold',
    },
    {
      source: 'antcrm',
      type: 'account',
      id: 'A9',
      name: 'ACME',
      phones: ['0934890883', '84934890883'],
      emails: [],
      tags: [],
    },
  ]);
});

C('{ data: [...] } and { data: [] } and an empty body', async () => {
  const c = client();
  handler = json(200, { data: [{ contactType: 'customer', type: 1, customerId: 'A1', name: 'X' }] });
  assert.equal(
    (await c.findByPhone('0934890883')).map((x) => [x.type, x.id]),
    [['account', 'A1']],
  );
  handler = json(200, { data: [] });
  assert.equal(await c.findByPhone('0934890883'), []);
  handler = (_req, res) => res.end('');
  assert.equal(await c.findByPhone('0934890883'), []);
  c.close();
});

C('500 → AntCrmHttpError; 401/403 → AntCrmAuthError (an AntCrmHttpError); messages without the key', async () => {
  const c = client();
  for (const status of [500, 404, 401, 403]) {
    handler = json(status, { error: 'x', apikey: API_KEY });
    try {
      await c.findByPhone('0934890883');
      assert.unreachable('should have thrown');
    } catch (err) {
      assert.instance(err, AntCrmHttpError);
      assert.is((err as InstanceType<typeof AntCrmHttpError>).status, status);
      assert.is(err instanceof AntCrmAuthError, status === 401 || status === 403);
      assert.not.ok((err as Error).message.includes(API_KEY));
    }
  }
  c.close();
});

C('not JSON or not a list → AntCrmResponseError', async () => {
  const c = client();
  handler = (_req, res) => res.end('<html>oops</html>');
  try {
    await c.findByPhone('1');
    assert.unreachable();
  } catch (err) {
    assert.instance(err, AntCrmResponseError);
  }
  handler = json(200, { contacts: [] });
  try {
    await c.findByPhone('1');
    assert.unreachable();
  } catch (err) {
    assert.instance(err, AntCrmResponseError);
  }
  c.close();
});

C('timeout → AntCrmTimeoutError (the server never answers)', async () => {
  handler = () => {
    /* never answers */
  };
  const c = client({ timeoutMs: 100 });
  const started = Date.now();
  try {
    await c.findByPhone('0934890883');
    assert.unreachable('should have timed out');
  } catch (err) {
    assert.instance(err, AntCrmTimeoutError);
    assert.is((err as InstanceType<typeof AntCrmTimeoutError>).timeoutMs, 100);
  }
  assert.ok(Date.now() - started < 1500);
  c.close();
});

C('connection refused → AntCrmNetworkError', async () => {
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const c = new AntCrmClient({ apiUrl: `http://127.0.0.1:${port}`, apiKey: API_KEY, logger });
  try {
    await c.findByPhone('0934890883');
    assert.unreachable();
  } catch (err) {
    assert.instance(err, AntCrmNetworkError);
    assert.is((err as InstanceType<typeof AntCrmNetworkError>).sysCode, 'ECONNREFUSED');
  }
  c.close();
});

C('an injected fetch is used (global fetch fits)', async () => {
  handler = json(200, [{ contactType: 'lead', leadId: 'L2', name: 'Y' }]);
  const c = new AntCrmClient({ apiUrl: baseUrl, apiKey: API_KEY, logger, fetch: (u, i) => fetch(u, i) });
  assert.equal(
    (await c.findByPhone('0934890883')).map((x) => x.id),
    ['L2'],
  );
  assert.is(seen[0].apikey, API_KEY);
});

const M = suite('antcrm mapping');

M('id choice, tolerant fields', () => {
  assert.is(toContact({ contactType: 'lead', leadId: 'L', customerId: 'C' })?.id, 'L');
  assert.is(toContact({ contactType: 'customer', leadId: 'L', customerId: 'C' })?.id, 'C');
  assert.is(toContact({ contactType: 'customer', leadId: 'L' })?.id, 'L');
  assert.is(toContact({ contactType: 'LEAD', customerId: 42 })?.id, '42');
  assert.is(toContact({ name: 'no id' }), undefined);
  assert.is(toContact(null), undefined);
  assert.is(toContact([]), undefined);
  const c = toContact({
    customerId: 'C',
    phones: [{ phone: '0934890883' }, '', null, '0934890883'],
    tags: 'vip',
    scoreRank: 0,
    responsibleStaff: { name: 'An' },
  });
  assert.equal(c, {
    source: 'antcrm',
    type: 'customer',
    id: 'C',
    name: '',
    phones: ['0934890883'],
    emails: [],
    tags: ['vip'],
    rank: '0',
    responsibleStaff: 'An',
  });
});

C.run();
M.run();
