// Types of prerequisites.mjs (plain Node: `npm test` runs it before tsx is needed), for the tests that import it.
export interface Prerequisite {
  what: string;
  suites: string[];
  packages: string[];
  present(env: NodeJS.ProcessEnv): boolean;
}
export type SetupResult = { ok: true; installed: string[] } | { ok: false; message: string };
export interface SetupOptions {
  env?: NodeJS.ProcessEnv;
  list?: Prerequisite[];
  say?: (line: string) => void;
  root?: boolean;
  /** The apt-get to run; undefined = none here. Default: found on PATH. */
  aptGet?: string | undefined;
  /** Runs a command, its output appended to logFile; returns its exit status. */
  run?: (cmd: string, args: string[], env: NodeJS.ProcessEnv, logFile: string) => number;
  logFile?: string;
}
export const PREREQUISITES: Prerequisite[];
export function onPath(name: string, env?: NodeJS.ProcessEnv): string | undefined;
export function missingFor(suites: string[], env?: NodeJS.ProcessEnv, list?: Prerequisite[]): Prerequisite[];
export function installCommand(packages: string[], root: boolean): string;
export function ensurePrerequisites(suites: string[], o?: SetupOptions): SetupResult;
