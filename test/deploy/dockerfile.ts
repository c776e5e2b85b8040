// Just enough of Docker's file formats to replay a build outside Docker (pure): the Dockerfile's instructions
// (continuations, comments, flags, exec/JSON form, ARG defaults in FROM) and .dockerignore matching as Docker does it
// (patterns cleaned, `*`/`?`/`**`, `!` exceptions, last match wins, a match on a parent folder counts).

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, … */
  cmd: string;
  /** `--name=value` flags before the arguments (COPY --from, RUN --mount, HEALTHCHECK --interval…). */
  flags: Record<string, string>;
  /** The rest, as written (after the flags). */
  rest: string;
  /** Exec form (`["node", "dist/main.js"]`), when the rest is a JSON array. */
  exec?: string[];
  line: number;
}

export interface Stage {
  name: string;
  image: string;
  instructions: Instruction[];
}

export interface ParsedDockerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

export class DockerfileError extends Error {
  override readonly name = 'DockerfileError';
}

function splitFlags(text: string): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = text.trim();
  for (;;) {
    const m = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest);
    if (!m) break;
    flags[m[1]] = m[2] ?? 'true';
    rest = rest.slice(m[0].length);
  }
  return { flags, rest };
}

function execForm(rest: string): string[] | undefined {
  if (!rest.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(rest) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
}

export const substitute = (s: string, vars: Record<string, string>): string =>
  s.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_m, a: string | undefined, b: string | undefined) => vars[(a ?? b)!] ?? '',
  );

export function parseDockerfile(text: string): ParsedDockerfile {
  const logical: { text: string; line: number }[] = [];
  let current: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (!current && (/^\s*#/.test(line) || !line.trim())) return;
    if (current && /^\s*#/.test(line)) return; // comment lines inside a continuation are dropped
    const cont = /\\\s*$/.test(line);
    const body = cont ? line.replace(/\\\s*$/, '') : line;
    if (current) current.text += ` ${body.trim()}`;
    else current = { text: body.trim(), line: i + 1 };
    if (!cont) {
      logical.push(current);
      current = undefined;
    }
  });
  if (current) logical.push(current);

  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const { text: t, line } of logical) {
    const m = /^([A-Za-z]+)\s*(.*)$/.exec(t);
    if (!m) throw new DockerfileError(`line ${line}: not an instruction: ${t}`);
    const cmd = m[1].toUpperCase();
    const body = m[2];
    if (cmd === 'FROM') {
      const f = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?\s*$/i.exec(body);
      if (!f) throw new DockerfileError(`line ${line}: bad FROM: ${body}`);
      stages.push({ name: f[2] ?? String(stages.length), image: substitute(f[1], globalArgs), instructions: [] });
      continue;
    }
    if (!stages.length) {
      if (cmd !== 'ARG') throw new DockerfileError(`line ${line}: ${cmd} before the first FROM`);
      const [k, v] = body.split('=', 2);
      globalArgs[k.trim()] = (v ?? '').trim();
      continue;
    }
    const { flags, rest } = ['COPY', 'ADD', 'RUN', 'HEALTHCHECK'].includes(cmd)
      ? splitFlags(body)
      : { flags: {}, rest: body.trim() };
    const ins: Instruction = { cmd, flags, rest, line };
    const exec = execForm(rest);
    if (exec) ins.exec = exec;
    stages[stages.length - 1].instructions.push(ins);
  }
  return { globalArgs, stages };
}

/** ENV's two forms: `ENV A=1 B="two"` and `ENV A value with spaces`. */
export function parseEnv(rest: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(rest)) {
    const m = /^(\S+)\s+(.*)$/.exec(rest);
    if (m) out[m[1]] = m[2];
    return out;
  }
  const re = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(rest))) {
    const v = m[2];
    out[m[1]] = v.startsWith('"') ? (JSON.parse(v) as string) : v.startsWith("'") ? v.slice(1, -1) : v;
  }
  return out;
}

export interface IgnoreRule {
  negate: boolean;
  re: RegExp;
  pattern: string;
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` = any number of folders (zero included); a trailing `**` = anything.
      if (glob[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split('\n')) {
    let p = raw.trim();
    if (!p || p.startsWith('#')) continue;
    const negate = p.startsWith('!');
    if (negate) p = p.slice(1).trim();
    // Docker cleans each pattern (filepath.Clean) and drops a leading slash.
    p = p
      .replace(/^\/+/, '')
      .replace(/\/+$/, '')
      .replace(/\/\.\//g, '/');
    if (!p) continue;
    rules.push({ negate, re: globToRegExp(p), pattern: p });
  }
  return rules;
}

/** Whether Docker leaves this context-relative path (forward slashes) out of the build context. */
export function isIgnored(path: string, rules: readonly IgnoreRule[]): boolean {
  const parts = path.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const r of rules) {
    if (candidates.some((c) => r.re.test(c))) ignored = !r.negate;
  }
  return ignored;
}
