// Issue 15 item 8: two processes, one DATA_DIR. A second bridge started on the directory a live one uses exits 1
// with one clear line and takes nothing over: the first's delivery in flight (AntCRM slow to answer) is written once.
import { spawn } from 'node:child_process';
import * as assert from 'uvu/assert';
import { ROOT, readyz } from '../cluster/helpers.js';
import { connectClient } from '../helpers/clients.js';
import { processSuite, startReady } from '../helpers/process-suite.js';
import { signToken } from '../helpers/tokens.js';
import { waitFor } from '../helpers/wait.js';
import { JWT_SECRET, queueAgents, writebackEnv } from './writeback-fixture.js';

const t = processSuite('outbox: one process per DATA_DIR', 'antring-outbox-lock-');

/** `node src/main.ts` to its exit: code and stderr. */
function runToExit(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const killer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    proc.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stderr });
    }),
  );
}

t(
  'a second bridge on the same DATA_DIR exits 1 with a clear line; the first’s delivery is written once',
  async (ctx) => {
    const { sim, dataDir } = ctx;
    const env = writebackEnv(sim, dataDir, { WEBHOOK_URLS: '', WEBHOOK_SECRET: '' });
    const admin = signToken({ sub: 'admin', org: sim.credentials.accountId, role: 'admin' }, { secret: JWT_SECRET });
    const first = await startReady(ctx, 'first', env, { what: 'the first bridge ready', timeoutMs: 15_000 });
    const client = await connectClient(first.url, admin);
    const { queueId, agents } = queueAgents(sim);
    const customer = sim.data.customerNumbers({ withContact: true, multiple: false })[0];
    sim.faults.crmWrites.delayMs = 8000; // the first's ticket write is in flight while the second starts
    const { callId } = await sim.scenarios.inboundQueueCall({
      customer,
      queueId,
      agents: [agents[0]],
      answeredBy: null,
    });
    await waitFor(() => client.calls.some((v) => v.callId === callId && v.state === 'ended'), {
      what: 'the call ended',
    });
    client.close();

    const second = await runToExit(env);
    assert.is(second.code, 1, 'the second process exits 1');
    assert.match(second.stderr, /DATA_DIR .+ is in use by another running bridge/);
    assert.is(second.stderr.trim().split('\n').length, 1, `one line: ${second.stderr}`);

    await waitFor(() => sim.crm.tickets().some((x) => x.ticketIdApiRing === callId), {
      what: 'the ticket written by the first',
      timeoutMs: 20_000,
    });
    assert.is(sim.crm.tickets().filter((x) => x.ticketIdApiRing === callId).length, 1, 'written once');
    assert.is(await readyz(first.url), 200, 'the first still serves');
  },
);

t.run();
