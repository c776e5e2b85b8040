// Bounded JSON parsing for inbound frames: one frame's cost is capped by its size (checked by the caller) and by
// its nesting depth, checked here in one linear scan before JSON.parse builds anything.

/** Deepest object/array nesting accepted in one frame. A Kazoo event in a 0.9 event packet is about 4 deep. */
export const MAX_JSON_DEPTH = 32;

export type JsonParsed = { ok: true; value: unknown } | { ok: false; reason: 'bad_json' | 'too_deep' };

/** True when `text` nests objects/arrays deeper than `maxDepth` (brackets inside strings do not count). */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  // Cheap bound first (native indexOf): with at most maxDepth opening brackets in all, no nesting is deeper.
  if (countAtMost(text, 0x7b, countAtMost(text, 0x5b, maxDepth)) >= 0) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (c === 0x5d || c === 0x7d) depth -= 1;
  }
  return false;
}

/** `budget` minus the occurrences of the character `code` in `text`; -1 as soon as the budget is spent. */
function countAtMost(text: string, code: number, budget: number): number {
  if (budget < 0) return -1;
  const ch = String.fromCharCode(code);
  let left = budget;
  for (let i = text.indexOf(ch); i >= 0; i = text.indexOf(ch, i + 1)) if (--left < 0) return -1;
  return left;
}

/** JSON.parse that never throws and refuses frames nested deeper than `maxDepth`. */
export function parseJsonBounded(text: string, maxDepth = MAX_JSON_DEPTH): JsonParsed {
  if (nestsDeeperThan(text, maxDepth)) return { ok: false, reason: 'too_deep' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, reason: 'bad_json' };
  }
}
