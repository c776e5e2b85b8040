// The configuration's field parsers (zod), shared by the schema in config.ts: every message says what was given
// (never a secret: URLs and keys are not echoed) and what is expected.
import { z } from 'zod';

export const opt = z.string().trim().min(1).optional().catch(undefined);

/** A value quoted for a message: non-secret variables only (numbers, enums), cut short. */
export const quote = (v: string) => JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);

/** A whole number in [min, max]; the message says what was given and what is expected. */
export const int = (def: number, min: number, max: number) => {
  const expected = `expected a whole number from ${min} to ${max}`;
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return def;
      const v = raw.trim();
      const fail = (message: string) => {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      };
      if (v === '') return fail(`is empty; ${expected} (unset it for the default, ${def})`);
      if (!/^[+-]?\d+$/.test(v)) return fail(`${quote(v)} is not a whole number; ${expected}`);
      const n = Number(v);
      if (n < min || n > max) return fail(`${v.length > 20 ? quote(v) : n} is out of range; ${expected}`);
      return n;
    });
};

/** One of a fixed list; the message names the value given and the values allowed. */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T, def: T[number]) =>
  z
    .string()
    .optional()
    .transform((raw, ctx): T[number] => {
      const v = (raw ?? def).trim();
      if ((values as readonly string[]).includes(v)) return v as T[number];
      ctx.addIssue({ code: 'custom', message: `${quote(v)} is not allowed; expected one of ${values.join(', ')}` });
      return z.NEVER;
    });

/** URLs are never echoed: one may carry a password (redis://:pw@host). */
export const urlOf = (protocol: RegExp, expected: string) => z.url({ protocol, error: () => `expected ${expected}` });
export const url = (def: string) =>
  z
    .string()
    .trim()
    .default(def)
    .pipe(urlOf(/^(https?|wss?)$/, 'an http(s) or ws(s) URL'));

/** A comma list whose items are all from `values` (duplicates dropped); empty items are ignored. */
export const listOf = <const T extends readonly string[]>(values: T) =>
  z
    .string()
    .optional()
    .transform((raw, ctx): T[number][] | undefined => {
      if (raw === undefined) return undefined;
      const items = [
        ...new Set(
          raw
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean),
        ),
      ];
      const bad = items.filter((x) => !(values as readonly string[]).includes(x));
      if (bad.length) {
        ctx.addIssue({
          code: 'custom',
          message: `${bad.map(quote).join(', ')} not allowed; expected a comma list of ${values.join(', ')}`,
        });
        return z.NEVER;
      }
      return items as T[number][];
    });

/** HTTPS endpoints (plain http only to the loopback address, for tests). URLs are never echoed (tokens in them). */
export const webhookUrls = z
  .string()
  .optional()
  .transform((raw, ctx): string[] => {
    const items = (raw ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    items.forEach((u, i) => {
      let ok = false;
      try {
        const url = new URL(u);
        ok =
          url.protocol === 'https:' ||
          (url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === '[::1]'));
      } catch {
        ok = false;
      }
      if (!ok)
        ctx.addIssue({
          code: 'custom',
          message: `item ${i + 1} is not an https:// URL (plain http only to 127.0.0.1)`,
        });
    });
    return [...new Set(items)];
  });
