// Plays a script in real time: each frame is handed to the sink at its time from the start; the sink sends it and
// returns the send time it recorded. Window hooks fire on the same loop at the measurement window's bounds.
import { hrNow } from './procs.js';
import type { Script, ScriptFrame } from './script.js';
import { type Summary, summarize } from './stats.js';

/** Sends one frame (index into script.frames); returns its send time (hrNow()) or NaN when it could not be sent. */
export type Sink = (index: number, frame: ScriptFrame) => number;

export interface PlayResult {
  /** Per script frame: when it was sent (unix ms), NaN if not. */
  sentAt: Float64Array;
  /** Driver lateness in the window (ms behind the frame's time). */
  late: Summary;
  startedAt: number;
}

export function play(
  script: Script,
  sink: Sink,
  hooks: { windowStart(): void; windowEnd(): void },
): Promise<PlayResult> {
  const sentAt = new Float64Array(script.frames.length).fill(NaN);
  const late: number[] = [];
  const t0 = hrNow() + 50;
  let i = 0;
  let started = false;
  let ended = false;
  return new Promise((resolve, reject) => {
    const tick = () => {
      try {
        const now = hrNow();
        if (!started && now >= t0 + script.window.start) {
          started = true;
          hooks.windowStart();
        }
        if (!ended && now >= t0 + script.window.end) {
          ended = true;
          hooks.windowEnd();
        }
        while (i < script.frames.length && t0 + script.frames[i].t <= hrNow()) {
          const f = script.frames[i];
          if (f.t >= script.window.start && f.t < script.window.end) late.push(hrNow() - (t0 + f.t));
          sentAt[i] = sink(i, f);
          i++;
        }
        if (i >= script.frames.length && ended) {
          resolve({ sentAt, late: summarize(late), startedAt: t0 });
          return;
        }
        const nextAt = Math.min(
          i < script.frames.length ? t0 + script.frames[i].t : Infinity,
          started ? Infinity : t0 + script.window.start,
          ended ? Infinity : t0 + script.window.end,
        );
        setTimeout(tick, Math.max(0, nextAt - hrNow()));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    setTimeout(tick, 50);
  });
}
