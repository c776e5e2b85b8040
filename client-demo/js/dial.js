// Click-to-call from the agent panel, through the socket's `dial` event (its ack has the REST body:
// { status: 'dialing', number } or { error, message, retryAfterSec? }), and the plain-words result.
import { formatPhone } from './format.js';
import { t } from './i18n.js';

const ACK_TIMEOUT_MS = 10_000;
const KNOWN = new Set([
  'device_offline',
  'dnc',
  'invalid_number',
  'rate_limited',
  'token_expired',
  'unauthorized',
  'forbidden',
]);

/** Result body → { kind: 'dialing' | <error code> | 'network' | 'offline', text }. */
export function describeDial(r) {
  if (r && r.status === 'dialing')
    return { kind: 'dialing', text: t('dial.dialing', { number: formatPhone(r.number) }) };
  if (r && r.error === 'offline') return { kind: 'offline', text: t('dial.offline') };
  if (r && KNOWN.has(r.error)) return { kind: r.error, text: t(`err.${r.error}`, { sec: r.retryAfterSec ?? 60 }) };
  if (r?.error) return { kind: r.error, text: t('err.other', { message: r.message ?? r.error }) };
  return { kind: 'network', text: t('err.network') };
}

/** Dials through the socket; resolves with the result body (or { error: 'offline' | 'network' }). */
export async function dialOnSocket(socket, number) {
  if (!socket.connected) return { error: 'offline' };
  try {
    return await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('dial', { number });
  } catch {
    return undefined; // no ack in time: shown as a network problem
  }
}
