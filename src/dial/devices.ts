// The agents' SIP devices for click-to-call: AntRing username → { sipUser, sipPassword }, from DEVICES_FILE (or given
// in-process, demo mode). Loaded and validated once, at start; a bad file is a configuration error listing every
// problem. The password is a secret: a Device never serialises it (JSON, util.inspect), and no message names it.
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { coded } from '../shared/error-catalogue.js';

export class DevicesFileError extends coded('DEVICES_FILE_INVALID') {
  override readonly name = 'DevicesFileError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** One agent's SIP device. `sipPassword` is only read to sign the click-to-call request. */
export class Device {
  readonly sipUser: string;
  readonly #sipPassword: string;
  constructor(sipUser: string, sipPassword: string) {
    this.sipUser = sipUser;
    this.#sipPassword = sipPassword;
  }
  get sipPassword(): string {
    return this.#sipPassword;
  }
  toJSON(): { sipUser: string; sipPassword: string } {
    return { sipUser: this.sipUser, sipPassword: '[redacted]' };
  }
  [inspect.custom](): string {
    return `Device { sipUser: ${JSON.stringify(this.sipUser)}, sipPassword: [redacted] }`;
  }
}

export interface DeviceDirectory {
  /** The device of this AntRing username, if one is configured. */
  get(username: string): Device | undefined;
  readonly size: number;
}

const MAX_USERNAME = 256;
const MAX_SIP_USER = 128;
const MAX_SIP_PASSWORD = 256;
const MAX_DEVICES = 100_000;
const MAX_FILE_BYTES = 16 * 1024 * 1024;
// Printable, no whitespace or control characters (they would corrupt the upstream request or a log line).
const TOKEN_CHARS = /^[\x21-\x7e\u00a0-\uffff]+$/;

class MapDirectory implements DeviceDirectory {
  constructor(private readonly map: ReadonlyMap<string, Device>) {}
  get(username: string): Device | undefined {
    return typeof username === 'string' ? this.map.get(username) : undefined;
  }
  get size(): number {
    return this.map.size;
  }
}

/** No device at all (DEVICES_FILE unset): every click-to-call answers device_offline. */
export const NO_DEVICES: DeviceDirectory = new MapDirectory(new Map());

/**
 * Validates a parsed devices document. `source` names it in messages (the path, or `config.devices`).
 * Throws DevicesFileError with one line per problem; a message names usernames and fields, never a value.
 */
export function parseDevices(doc: unknown, source = 'DEVICES_FILE'): DeviceDirectory {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new DevicesFileError([
      `${source}: must be a JSON object mapping AntRing usernames to { "sipUser", "sipPassword" }`,
    ]);
  }
  const problems: string[] = [];
  const map = new Map<string, Device>();
  const entries = Object.entries(doc as Record<string, unknown>);
  if (entries.length > MAX_DEVICES) throw new DevicesFileError([`${source}: more than ${MAX_DEVICES} devices`]);
  for (const [username, value] of entries) {
    const who = `${source}: ${JSON.stringify(username.slice(0, 64))}`;
    if (
      username.trim() === '' ||
      username.length > MAX_USERNAME ||
      username !== username.trim() ||
      /\p{Cc}/u.test(username)
    ) {
      problems.push(`${who}: the username must be 1 to ${MAX_USERNAME} characters without surrounding spaces`);
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`${who}: must be an object { "sipUser", "sipPassword" }`);
      continue;
    }
    const v = value as Record<string, unknown>;
    const user = v.sipUser;
    const pass = v.sipPassword;
    let ok = true;
    if (typeof user !== 'string' || user.length === 0 || user.length > MAX_SIP_USER || !TOKEN_CHARS.test(user)) {
      problems.push(`${who}.sipUser: must be a non-empty string (at most ${MAX_SIP_USER} characters, no spaces)`);
      ok = false;
    }
    if (typeof pass !== 'string' || pass.length === 0 || pass.length > MAX_SIP_PASSWORD || !TOKEN_CHARS.test(pass)) {
      problems.push(
        `${who}.sipPassword: must be a non-empty string (at most ${MAX_SIP_PASSWORD} characters, no spaces)`,
      );
      ok = false;
    }
    if (ok) map.set(username, new Device(user as string, pass as string));
  }
  if (problems.length) throw new DevicesFileError(problems);
  return new MapDirectory(map);
}

/** Reads and validates DEVICES_FILE. Throws DevicesFileError (unreadable, not JSON, invalid entries). */
export function loadDevicesFile(path: string, read: (p: string) => Buffer = (p) => readFileSync(p)): DeviceDirectory {
  let buf: Buffer;
  try {
    buf = read(path);
  } catch (err) {
    const code = (err as { code?: unknown })?.code;
    throw new DevicesFileError([`DEVICES_FILE: cannot read ${path} (${typeof code === 'string' ? code : 'error'})`]);
  }
  if (buf.length > MAX_FILE_BYTES)
    throw new DevicesFileError([`DEVICES_FILE: ${path} is larger than ${MAX_FILE_BYTES} bytes`]);
  let doc: unknown;
  try {
    doc = JSON.parse(buf.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    // JSON.parse's message may quote part of the file (a password): never pass it on.
    throw new DevicesFileError([`DEVICES_FILE: ${path} is not valid JSON`]);
  }
  return parseDevices(doc, `DEVICES_FILE (${path})`);
}
