// Outbox log lines never carry a caller's full number (issue 15 item 13): a lead's key is `lead:<national number>`;
// every line that names a key masks it as elsewhere (shared/mask.ts: the last three digits only).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryOutbox } from '../../src/outbox/memory.js';
import { giveUp, ok, retry } from '../../src/outbox/types.js';
import { maskNumber, maskNumbersIn } from '../../src/shared/mask.js';
import { captureLogger } from '../helpers/logs.js';
import { waitFor } from '../helpers/wait.js';

const NUMBER = '0977000666';
const OTHER = '0912345678';
const t = suite('outbox logs: numbers masked');

t('maskNumbersIn masks every phone-length digit run and keeps the rest', () => {
  assert.is(maskNumber(NUMBER), '•••••••666');
  assert.is(maskNumbersIn(`lead:${NUMBER}`), 'lead:•••••••666');
  assert.is(maskNumbersIn('lead:+84977000666'), 'lead:•••••••••666');
  assert.is(maskNumbersIn('ticket:c2c-5b1f-8f3e2a1b0c'), 'ticket:c2c-5b1f-8f3e2a1b0c', 'short digit runs stay');
  assert.is(maskNumbersIn('wrapup:abc:2'), 'wrapup:abc:2');
});

t('delivered, retried, given up, a throwing listener: no line has the number (debug level)', async () => {
  const logs = captureLogger('debug');
  const box = new MemoryOutbox({ logger: logs.logger, retryDelaysMs: [10], jitter: 0, pollMs: 10, stopGraceMs: 100 });
  let first = true;
  box.handle('antcrm.lead', async (a) => {
    if (a.key.endsWith(NUMBER)) return ok({ LeadId: 1 });
    if (first) {
      first = false;
      return retry('AntCRM answered 500');
    }
    return giveUp('AntCRM answered 400');
  });
  box.onSettled(() => {
    throw new Error('a listener bug');
  });
  await box.start();
  try {
    await box.enqueue(`lead:${NUMBER}`, 'antcrm.lead', { number: NUMBER });
    await box.enqueue(`lead:${OTHER}`, 'antcrm.lead', { number: OTHER });
    await waitFor(async () => (await box.get(`lead:${NUMBER}`))?.state === 'delivered', { what: 'delivered' });
    await waitFor(async () => (await box.get(`lead:${OTHER}`))?.state === 'failed', { what: 'given up' });
  } finally {
    await box.stop();
  }
  const text = logs.text();
  for (const what of ['outbox delivered', 'outbox delivery will be retried', 'outbox delivery given up'])
    assert.ok(text.includes(what), `logged: ${what}`);
  assert.ok(!text.includes(NUMBER) && !text.includes(OTHER), 'no full number in any line');
  assert.ok(text.includes('lead:•••••••666'), 'the key is logged masked');
});

t.run();
