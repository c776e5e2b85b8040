// What a new user does: `npm start` with no configuration prints demo tokens, and a socket.io-client with the
// agent token receives a pop with a CRM contact within 10 s.

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connectClient } from '../helpers/clients.js';
import { waitFor } from '../helpers/wait.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const t = suite<{ child?: ChildProcess; out: string }>('demo mode (npm start)', { out: '' });

t.after(async (ctx) => {
  if (ctx.child && ctx.child.exitCode === null) {
    const exited = new Promise((r) => ctx.child!.once('exit', r));
    process.kill(-ctx.child.pid!, 'SIGTERM'); // npm and the bridge under it
    await exited;
  }
});

t('npm start prints the URL and tokens; the agent token gets a pop with a contact within 10 s', async (ctx) => {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  for (const k of Object.keys(env)) if (/^(ANTRING_|ANTCRM_|ANTBOT_|JWT_|REDIS_URL)/.test(k)) delete env[k];
  ctx.child = spawn('npm', ['start', '--silent'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  ctx.child.stdout!.on('data', (d) => (ctx.out += d));
  ctx.child.stderr!.on('data', (d) => (ctx.out += d));
  const printed = await waitFor(
    () => {
      const url = /Socket\.IO:\s+(http:\/\/\S+)/.exec(ctx.out)?.[1];
      const token = /AGENT_TOKEN=(\S+)/.exec(ctx.out)?.[1];
      return url && token && /ADMIN_TOKEN=\S+/.test(ctx.out) && /SUPERVISOR_TOKEN=\S+/.test(ctx.out)
        ? { url, token }
        : undefined;
    },
    { what: 'the demo URL and tokens on stdout', timeoutMs: 30_000 },
  );
  const started = Date.now();
  const agent = await connectClient(printed.url, printed.token);
  try {
    const pop = await agent.waitCall(
      (v) => v.state === 'ringing' && v.contactStatus === 'found' && !!v.contact,
      'a pop with a CRM contact',
      10_000,
    );
    const tookMs = Date.now() - started;
    console.log(`demo: first pop with a CRM contact for the printed agent ${tookMs} ms after connecting`);
    assert.ok(tookMs <= 10_000);
    assert.ok(pop.contact!.name.length > 0);
    assert.is(pop.contact!.source, 'antcrm');
  } finally {
    agent.close();
  }
});

t.run();
