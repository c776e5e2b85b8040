// The baseline's input: for every frame of the script, the call messages the bridge would emit for it, already
// enriched (contact attached), as [rooms, CallView] pairs. Built before the run with the bridge's own pure pieces
// (Kazoo parsing, call engine, view, rooms), so the baseline server only has to do the floor: parse and emit.

import { CallEngine } from '../src/calls/engine.js';
import type { AgentDirectory } from '../src/calls/types.js';
import type { CallView } from '../src/contract.js';
import { roomsForAudience } from '../src/fanout/rooms.js';
import { toCallView } from '../src/fanout/view.js';
import { parseKazooEvent } from '../src/signals/kazoo-event.js';
import { buildEvent } from '../src/simulator/kazoo-payload.js';
import type { Script } from './script.js';
import type { BenchWorld } from './world.js';

export type PrebuiltMessage = [rooms: string[], view: CallView];

export interface Prebuilt {
  /** Per script frame (same index as script.frames): its messages as one JSON line for the feed. */
  lines: string[];
  /** Messages per frame. */
  counts: number[];
  total: number;
}

export function prebuild(
  script: Script,
  world: BenchWorld,
  o: { org: string; directory: AgentDirectory; baseMs?: number },
): Prebuilt {
  const engine = new CallEngine({ org: o.org, directory: o.directory });
  const seqs = new Map<string, number>();
  const base = o.baseMs ?? Date.now();
  const lines: string[] = [];
  const counts: number[] = [];
  let total = 0;
  for (const f of script.frames) {
    const at = base + f.t;
    const parsed = parseKazooEvent(buildEvent(f.name, f.spec, { ...f.fields, at }), 0, at);
    const msgs: PrebuiltMessage[] = [];
    if (parsed.ok) {
      for (const u of engine.apply(parsed.event)) {
        const contact = u.customerNumber ? world.contactOf(u.customerNumber) : undefined;
        const seq = (seqs.get(u.callId) ?? 0) + 1;
        seqs.set(u.callId, seq);
        const view = toCallView(
          {
            ...u,
            contact: contact ?? null,
            contactStatus: contact ? 'found' : u.customerNumber ? 'not_found' : 'disabled',
          },
          seq,
        );
        msgs.push([roomsForAudience(o.org, u.audience), view]);
      }
    }
    lines.push(JSON.stringify(msgs));
    counts.push(msgs.length);
    total += msgs.length;
  }
  return { lines, counts, total };
}
