// A secret in the tenants file (contract §8.1): the value itself, `{ "env": "NAME" }` or `{ "file": "PATH" }`,
// resolved when the file is loaded. A reference that cannot be resolved is a problem named by its reference (the
// variable's name, the file's path), never by a value.
import { z } from 'zod';

export const secretRef = z.union(
  [
    z.string().min(1),
    z.object({ env: z.string().trim().min(1) }).strict(),
    z.object({ file: z.string().trim().min(1) }).strict(),
  ],
  { error: () => 'expected a non-empty string, { "env": "NAME" } or { "file": "PATH" }' },
);
export type SecretRef = z.infer<typeof secretRef>;

/** Where references are resolved: the process environment and the file system (tests pass fakes). */
export interface SecretSources {
  env: NodeJS.ProcessEnv;
  readFile(path: string): Buffer | string;
}

/** Resolves `ref`; returns the value, or a problem text (the reference named, never a value). */
export function resolveSecret(ref: SecretRef, from: SecretSources): { value: string } | { problem: string } {
  if (typeof ref === 'string') return { value: ref };
  if ('env' in ref) {
    const v = from.env[ref.env];
    if (v === undefined || v.trim() === '') return { problem: `the environment variable ${ref.env} is not set` };
    return { value: v.trim() };
  }
  let text: string;
  try {
    text = from.readFile(ref.file).toString();
  } catch (err) {
    const code = (err as { code?: unknown })?.code;
    return { problem: `cannot read the file ${ref.file} (${typeof code === 'string' ? code : 'error'})` };
  }
  // Secret files (Docker, Kubernetes) often end with a newline.
  const v = text.replace(/^\uFEFF/, '').trim();
  return v === '' ? { problem: `the file ${ref.file} is empty` } : { value: v };
}
