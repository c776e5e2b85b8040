// How the simulated AntRing checks signatures (computed here with node:crypto; the simulator never uses the
// bridge's client code, so a signing bug in the bridge shows up as a 401).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const sha256Hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/** Constant-time comparison of a received signature with the expected one (exact, lowercase hex). */
export function sameSignature(received: unknown, expected: string): boolean {
  if (typeof received !== 'string') return false;
  const a = Buffer.from(received, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `x-auth-app-hash`: sha256(appId + appSecret). */
export const appHash = (appId: string, appSecret: string): string => sha256Hex(appId + appSecret);

/** agents, queues, dashboard: sha256(appId + domain + email + appSecret). */
export const orgHash = (appId: string, domain: string, email: string, appSecret: string): string =>
  sha256Hex(appId + domain + email + appSecret);

/** histories: sha256(created_from + created_to + limit + page + appId + appSecret). */
export const historyHash = (
  from: string,
  to: string,
  limit: string,
  page: string,
  appId: string,
  appSecret: string,
): string => sha256Hex(from + to + limit + page + appId + appSecret);

/** play_recording: sha256(appId + media + appSecret). */
export const recordingHash = (appId: string, media: string, appSecret: string): string =>
  sha256Hex(appId + media + appSecret);

/** The S3-like signature of a recording link (`?Expires=…&Signature=…`). */
export const recordingLinkSignature = (media: string, expires: number, secret: string): string =>
  createHmac('sha1', secret).update(`${media}\n${expires}`).digest('base64url');
