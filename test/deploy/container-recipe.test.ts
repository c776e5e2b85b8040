// The Dockerfile's recipe, proven without a Docker engine: this test reads the Dockerfile and .dockerignore and
// replays them on this machine. Build context = the repository's files (git ls-files, tracked and new) minus
// .dockerignore; each stage gets its own root folder where WORKDIR, ENV, COPY (also --from another stage) and RUN
// happen as Docker would do them (RUN cache mounts aside: npm uses this machine's cache, preferring it offline);
// then the final stage's CMD starts with the image's environment (demo mode: no credentials), /healthz answers 200,
// the demo pages are served, the HEALTHCHECK command passes (and fails once the server is gone), SIGTERM exits 0.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../helpers/wait.js';
import { isIgnored, parseDockerfile, parseDockerignore, parseEnv, type Stage, substitute } from './dockerfile.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const test = suite('container recipe (Dockerfile replayed outside Docker)');

interface StageRun {
  name: string;
  root: string;
  workdir: string;
  env: Record<string, string>;
  user?: string;
  exposed: string[];
  healthcheck?: { flags: Record<string, string>; cmd: string[] };
  cmd?: string[];
  stopSignal?: string;
}

const tmp = mkdtempSync(join(tmpdir(), 'antring-container-'));
const dockerfile = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const ignore = parseDockerignore(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
const stages = new Map<string, StageRun>();
let finalStage: StageRun | undefined;
let contextFiles: string[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** A path inside a stage's root (absolute paths are from the image's /). */
const inStage = (s: StageRun, p: string) => join(s.root, isAbsolute(p) ? p : posix.join(s.workdir, p));

function sh(s: StageRun, command: string): void {
  const r = spawnSync('sh', ['-c', command], {
    cwd: inStage(s, '.'),
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      // The RUN cache mount's stand-in: this machine's npm cache, without a round trip when it has the package.
      npm_config_prefer_offline: 'true',
      npm_config_update_notifier: 'false',
      ...s.env,
    },
    timeout: 180_000,
  });
  if (r.status !== 0)
    throw new Error(
      `RUN ${command} failed (${r.status ?? r.signal}):\n${(r.stdout ?? '').slice(-2000)}\n${(r.stderr ?? '').slice(-2000)}`,
    );
}

function copy(s: StageRun, from: string, sources: string[], dest: string): void {
  const target = inStage(s, dest);
  const toDir = dest.endsWith('/') || sources.length > 1;
  for (const src of sources) {
    const abs = join(from, src);
    if (!existsSync(abs))
      throw new Error(`COPY ${src}: not in the ${from === join(tmp, 'context') ? 'build context' : 'stage'} (${abs})`);
    const out = toDir ? join(target, posix.basename(src)) : target;
    mkdirSync(dirname(out), { recursive: true });
    cpSync(abs, out, { recursive: true });
  }
}

function runStage(stage: Stage): StageRun {
  const s: StageRun = { name: stage.name, root: join(tmp, 'stages', stage.name), workdir: '/', env: {}, exposed: [] };
  mkdirSync(s.root, { recursive: true });
  const args: Record<string, string> = { ...dockerfile.globalArgs };
  for (const ins of stage.instructions) {
    const vars = { ...args, ...s.env };
    switch (ins.cmd) {
      case 'ARG': {
        const [k, v] = ins.rest.split('=', 2);
        args[k.trim()] = (v ?? args[k.trim()] ?? '').trim();
        break;
      }
      case 'ENV':
        for (const [k, v] of Object.entries(parseEnv(ins.rest))) s.env[k] = substitute(v, vars);
        break;
      case 'WORKDIR':
        s.workdir = posix.resolve(s.workdir, substitute(ins.rest, vars));
        mkdirSync(inStage(s, '.'), { recursive: true });
        break;
      case 'COPY': {
        const parts = ins.exec ?? ins.rest.split(/\s+/);
        const dest = parts[parts.length - 1];
        const srcs = parts.slice(0, -1);
        if (ins.flags.from) {
          const other = stages.get(ins.flags.from);
          if (!other) throw new Error(`COPY --from=${ins.flags.from}: no such stage before line ${ins.line}`);
          copy(
            s,
            other.root,
            srcs.map((p) => (isAbsolute(p) ? p.slice(1) : posix.join(other.workdir, p).slice(1))),
            dest,
          );
        } else {
          copy(s, join(tmp, 'context'), srcs, dest);
        }
        break;
      }
      case 'RUN':
        sh(s, ins.exec ? ins.exec.join(' ') : ins.rest);
        break;
      case 'USER':
        s.user = ins.rest;
        break;
      case 'EXPOSE':
        s.exposed.push(...ins.rest.split(/\s+/));
        break;
      case 'HEALTHCHECK': {
        const m = /^CMD\s+(.*)$/i.exec(ins.rest);
        if (!m) throw new Error(`HEALTHCHECK without CMD (line ${ins.line})`);
        const exec = m[1].trim().startsWith('[') ? (JSON.parse(m[1]) as string[]) : ['sh', '-c', m[1]];
        s.healthcheck = { flags: ins.flags, cmd: exec };
        break;
      }
      case 'CMD':
        s.cmd = ins.exec ?? ['sh', '-c', ins.rest];
        break;
      case 'STOPSIGNAL':
        s.stopSignal = ins.rest;
        break;
      case 'LABEL':
        break;
      default:
        throw new Error(
          `line ${ins.line}: ${ins.cmd} is not replayed by this test; extend it if the Dockerfile needs it`,
        );
    }
  }
  return s;
}

test.after(() => {
  rmSync(tmp, { recursive: true, force: true });
});

test('the Dockerfile: multi-stage, Node 20 slim runtime, non-root, HEALTHCHECK on /healthz, EXPOSE, no secret', () => {
  assert.ok(dockerfile.stages.length >= 2, 'multi-stage');
  const last = dockerfile.stages[dockerfile.stages.length - 1];
  assert.match(last.image, /^node:20[.\w-]*-slim$|^node:20-[\w-]*slim$/);
  const ins = (cmd: string) => last.instructions.filter((i) => i.cmd === cmd);
  const user = ins('USER').at(-1)?.rest;
  assert.ok(user && !/^(root|0)(:|$)/.test(user), `runs as a non-root user (USER ${user})`);
  assert.match(ins('HEALTHCHECK')[0]?.rest ?? '', /\/healthz/);
  assert.ok(ins('EXPOSE').length === 1);
  assert.equal(ins('CMD')[0]?.exec, ['node', 'dist/main.js']);
  // The runtime installs production dependencies only and never runs TypeScript.
  assert.ok(ins('RUN').some((i) => /npm ci\b.*--omit=dev/.test(i.rest)));
  assert.not.ok(last.instructions.some((i) => /\btsx\b|\btsc\b/.test(i.rest)));
  // No secret baked in: no ENV/ARG whose name looks like a credential, in any stage.
  const all = [
    ...Object.keys(dockerfile.globalArgs),
    ...dockerfile.stages.flatMap((s) =>
      s.instructions
        .filter((i) => i.cmd === 'ENV' || i.cmd === 'ARG')
        .flatMap((i) => (i.cmd === 'ENV' ? Object.keys(parseEnv(i.rest)) : [i.rest.split('=')[0]])),
    ),
  ];
  for (const name of all)
    assert.not.match(name, /SECRET|PASSWORD|TOKEN|API_KEY|PRIVATE|CREDENTIAL/i, `${name} looks like a secret`);
});

test('the build context honours .dockerignore: the sources, nothing local or secret', () => {
  const ls = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  assert.is(ls.status, 0, ls.stderr);
  const files = ls.stdout.split('\0').filter((f) => f && existsSync(join(ROOT, f)));
  contextFiles = files.filter((f) => !isIgnored(f, ignore));
  for (const f of contextFiles) {
    mkdirSync(dirname(join(tmp, 'context', f)), { recursive: true });
    cpSync(join(ROOT, f), join(tmp, 'context', f));
  }
  for (const must of [
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'src/main.ts',
    'client-demo/agent.html',
  ]) {
    assert.ok(contextFiles.includes(must), `${must} is in the context`);
  }
  for (const f of contextFiles) {
    assert.not.match(
      f,
      /^(node_modules|dist|test|bench|docs|scripts|\.git|\.team)\//,
      `${f} should not be in the context`,
    );
    assert.not.match(f, /(^|\/)\.env(\.|$)|\.(pem|key|log|cpuprofile)$/, `${f} should not be in the context`);
  }
  assert.ok(isIgnored('src/.env', ignore) && isIgnored('node_modules/x/index.js', ignore) && isIgnored('.env', ignore));
});

test('every stage builds: npm ci + tsc, then production dependencies, dist/ and the demo pages', () => {
  for (const st of dockerfile.stages) {
    const r = runStage(st);
    stages.set(r.name, r);
    finalStage = r;
  }
  const s = finalStage!;
  assert.ok(existsSync(inStage(s, 'dist/main.js')), 'dist/main.js');
  assert.ok(existsSync(inStage(s, 'dist/http/demo-pages.js')), 'dist/http/demo-pages.js');
  assert.ok(existsSync(inStage(s, 'client-demo/agent.html')), 'client-demo/agent.html');
  assert.ok(existsSync(inStage(s, 'node_modules/socket.io/package.json')), 'production dependencies installed');
  // (@types/node stays: engine.io lists it as a dependency of its own.)
  for (const dev of ['typescript', 'uvu'])
    assert.not.ok(existsSync(inStage(s, `node_modules/${dev}`)), `${dev} (dev) is not in the runtime`);
  assert.not.ok(existsSync(inStage(s, 'src')), 'no TypeScript sources in the runtime');
});

test('the image starts (demo mode), answers /healthz and the HEALTHCHECK, serves the demo pages, stops on SIGTERM', async () => {
  const s = finalStage!;
  assert.ok(s.cmd && s.healthcheck, 'CMD and HEALTHCHECK');
  const port = await freePort();
  // `docker run -e PORT=… antring-bridge`: the image's environment, no credentials (demo mode).
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ...s.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DEMO_CALLS_PER_MINUTE: '6',
  };
  const [bin, ...args] = s.cmd!;
  const child = spawn(bin === 'node' ? process.execPath : bin, args, {
    cwd: inStage(s, '.'),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => void (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let done = false;
  void exited.then(() => void (done = true));
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => {
        if (done) throw new Error(`the image's CMD exited: ${out.slice(-2000)}`);
        const r = await fetch(`${url}/healthz`).catch(() => undefined);
        await r?.arrayBuffer();
        return r?.status === 200;
      },
      { what: '/healthz to answer 200', timeoutMs: 30_000, intervalMs: 100 },
    );
    // /healthz answers as soon as the server listens; the banner comes once the bridge has started.
    await waitFor(() => /DEMO mode/.test(out), { what: 'the demo-mode banner', timeoutMs: 30_000, intervalMs: 50 });
    assert.match(out, /DEMO mode/);
    for (const page of ['/demo/agent.html', '/demo/vendor/socket.io.esm.min.js']) {
      const r = await fetch(`${url}${page}`);
      assert.is(r.status, 200, page);
      assert.ok((await r.text()).length > 100, `${page} has a body`);
    }
    const hc = () =>
      spawnSync(
        s.healthcheck!.cmd[0] === 'node' ? process.execPath : s.healthcheck!.cmd[0],
        s.healthcheck!.cmd.slice(1),
        { env, timeout: 10_000 },
      ).status;
    assert.is(hc(), 0, 'HEALTHCHECK passes while the server is up');
    child.kill((s.stopSignal ?? 'SIGTERM') as NodeJS.Signals);
    const { code } = await exited;
    assert.is(code, 0, `exit code after ${s.stopSignal ?? 'SIGTERM'}: ${out.slice(-1000)}`);
    assert.is.not(hc(), 0, 'HEALTHCHECK fails once the server is gone');
  } finally {
    if (!done) child.kill('SIGKILL');
    await exited;
  }
});

test.run();
