// One delivery attempt's pure parts, for the worker in outbox.ts: calling the target's handler under a timeout and
// an abort signal, and deciding the settlement (delivered, retried on the §7.2 schedule, or given up).
import { nextDelayMs, type RetrySchedule } from './schedule.js';
import { type Claimed, errorText, type Settlement } from './store.js';
import { type DeliveryHandler, type DeliveryResult, OutboxStateError } from './types.js';

/** Runs a handler for a claimed delivery; a timeout aborts it, a stop (abort while not running) is its own answer. */
export async function callHandler(
  handler: DeliveryHandler | undefined,
  c: Claimed,
  controller: AbortController,
  timeoutMs: number,
  isRunning: () => boolean,
): Promise<DeliveryResult> {
  if (!handler) return { kind: 'retry', error: `no handler for ${c.target}` };
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    const r = await Promise.race([
      handler({ key: c.key, target: c.target, payload: c.payload, attempt: c.attempt, signal: controller.signal }),
      new Promise<DeliveryResult>((resolve) => {
        controller.signal.addEventListener('abort', () => resolve({ kind: 'retry', error: 'aborted' }), {
          once: true,
        });
      }),
    ]);
    if (timedOut) return { kind: 'retry', error: `timeout after ${timeoutMs} ms` };
    if (controller.signal.aborted && !isRunning()) return { kind: 'retry', error: 'outbox stopped' };
    return isResult(r) ? r : { kind: 'retry', error: 'handler answered nothing usable' };
  } catch (err) {
    if (timedOut) return { kind: 'retry', error: `timeout after ${timeoutMs} ms` };
    // Only the class name: a thrown error's message may quote a URL.
    return { kind: 'retry', error: `handler threw ${err instanceof Error ? err.name : typeof err}` };
  } finally {
    clearTimeout(timer);
  }
}

/** Given up before an attempt: stalled too often, or older than the maximum age (a claim after a crash loop). */
export function refusedSettlement(c: Claimed, maxStalls: number, maxAgeMs: number): Settlement | undefined {
  if (c.stalls >= maxStalls)
    return {
      state: 'failed',
      error: `stalled ${c.stalls} times: its attempts never finished (the process died or hung during them)`,
    };
  if (c.ageMs > maxAgeMs)
    return { state: 'failed', error: `older than the maximum age after ${c.attempt - 1} attempts` };
  return undefined;
}

export function settlementOf(schedule: RetrySchedule, c: Claimed, r: DeliveryResult): Settlement {
  if (r.kind === 'ok')
    return r.result === undefined ? { state: 'delivered' } : { state: 'delivered', result: r.result };
  const error = errorText(r.error);
  if (r.kind === 'give-up') return { state: 'failed', error };
  if (error === 'outbox stopped') return { state: 'pending', delayMs: 0, error };
  const delayMs = nextDelayMs(schedule, c.attempt, c.ageMs);
  if (delayMs === undefined) return { state: 'failed', error: `${error} (given up after ${c.attempt} attempts)` };
  return { state: 'pending', delayMs, error };
}

/** A payload as stored, or OutboxStateError when it is not JSON. */
export function jsonText(key: string, payload: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(payload);
  } catch {
    throw new OutboxStateError(`outbox payload of ${key} is not JSON`);
  }
  if (text === undefined) throw new OutboxStateError(`outbox payload of ${key} is not JSON`);
  return text;
}

function isResult(r: unknown): r is DeliveryResult {
  if (!r || typeof r !== 'object') return false;
  const k = (r as { kind?: unknown }).kind;
  if (k === 'ok') return true;
  return (k === 'retry' || k === 'give-up') && typeof (r as { error?: unknown }).error === 'string';
}

/** A secret-free description of an error: its class name and message (our errors never carry secrets). */
export function errName(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
