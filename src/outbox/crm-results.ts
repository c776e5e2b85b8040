// What an AntCRM write's outcome means to the outbox (retryable writer errors → retry, permanent ones → give-up), and
// the summary line a wrap-up adds: shared by the ticket, lead and wrap-up handlers.
import { AntCrmWriteError } from '../antcrm/writer.js';
import { errCode } from '../shared/errors.js';
import { type DeliveryResult, giveUp, retry } from './types.js';

export function resultOf(err: unknown): DeliveryResult {
  if (err instanceof AntCrmWriteError) return err.retryable ? retry(err.message) : giveUp(err.message);
  return retry(errCode(err));
}

/** The summary line a wrap-up adds. */
export function wrapupSummary(note: string, disposition?: string): string {
  return disposition ? `[${disposition}] ${note}` : note;
}
