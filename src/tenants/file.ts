// The tenants file (contract §8.1): a JSON array of tenants → TenantConfig[], secrets resolved, account ids
// lowercased, URL defaults from the environment. Every problem is listed (tenant index, account id, field), never a
// value; a file with any problem gives no tenant at all (TenantsError).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { type Config, WEBHOOK_EVENTS, WEBHOOK_SECRET_FORM, WRITEBACK_KINDS } from '../config.js';
import { webhookUrls } from '../config-fields.js';
import { DEFAULT_WEBHOOK_EVENTS } from '../config-types.js';
import { parseDevices } from '../dial/devices.js';
import { tenantCallbacksSchema } from '../recovery/config.js';
import { SIGNAL_PROTOCOLS } from '../shared/signal-protocol.js';
import { resolveSecret, type SecretRef, type SecretSources, secretRef } from './secrets.js';
import { normaliseAccountId, type TenantConfig, TenantsError } from './types.js';

const MAX_FILE_BYTES = 8 * 1024 * 1024;
const httpUrl = z.url({ protocol: /^(https?|wss?)$/, error: () => 'expected an http(s) or ws(s) URL' });
const text = (max: number) =>
  z
    .string({ error: (i) => (i.input === undefined ? 'is required' : 'expected a string') })
    .trim()
    .min(1, 'is empty')
    .max(max, `expected at most ${max} characters`);

const tenantSchema = z
  .object({
    accountId: z
      .string()
      .trim()
      .regex(/^[0-9A-Za-z_-]{1,64}$/, 'expected the AntRing account id (hex, as Kazoo writes it)'),
    name: text(100).optional(),
    antring: z
      .object({
        appId: text(200),
        appSecret: secretRef,
        domain: text(253),
        email: text(254),
        apiUrl: httpUrl.optional(),
        signalUrl: httpUrl.optional(),
        signalProtocol: z.enum(SIGNAL_PROTOCOLS).optional(),
        bindings: z
          .array(z.string().regex(/^[\w.*-]+$/, 'bindings are dotted Kazoo keys like call.CHANNEL_CREATE.*'))
          .min(1)
          .optional(),
      })
      .strict(),
    antcrm: z
      .object({
        apiKey: secretRef.optional(),
        apiUrl: httpUrl.optional(),
        writeback: z.array(z.enum(WRITEBACK_KINDS)).optional(),
        ticketSla: z.string().trim().max(100, 'expected at most 100 characters').optional(),
      })
      .strict()
      .optional(),
    antbot: z
      .object({ username: text(200), password: secretRef, apiUrl: httpUrl.optional() })
      .strict()
      .optional(),
    devices: z.record(z.string(), z.object({ sipUser: z.string(), sipPassword: secretRef }).strict()).optional(),
    webhooks: z
      .object({
        urls: z.array(z.string()).min(1, 'expected at least one URL'),
        secret: secretRef,
        events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).optional(),
      })
      .strict()
      .optional(),
    // Missed-call recovery (§9): read by its own module.
    callbacks: tenantCallbacksSchema.optional(),
  })
  .strict();
type TenantEntry = z.infer<typeof tenantSchema>;

/** Where the file and its secret references are read (tests pass fakes). */
export interface TenantsFileIo {
  env: NodeJS.ProcessEnv;
  readFile?: (path: string) => Buffer | string;
}

/** Reads and validates the tenants file. Throws TenantsError listing every problem. */
export function loadTenantsFile(path: string, defaults: Config, io: TenantsFileIo): TenantConfig[] {
  const read = io.readFile ?? ((p: string) => readFileSync(p));
  let raw: string;
  try {
    raw = read(path).toString();
  } catch (err) {
    const code = (err as { code?: unknown })?.code;
    throw new TenantsError([`TENANTS_FILE: cannot read ${path} (${typeof code === 'string' ? code : 'error'})`]);
  }
  if (raw.length > MAX_FILE_BYTES) throw new TenantsError([`TENANTS_FILE: ${path} is larger than 8 MB`]);
  let doc: unknown;
  try {
    doc = JSON.parse(raw.replace(/^\uFEFF/, ''));
  } catch {
    // JSON.parse's message may quote part of the file (a secret): never pass it on.
    throw new TenantsError([`TENANTS_FILE: ${path} is not valid JSON`]);
  }
  return parseTenants(doc, defaults, { env: io.env, readFile: read });
}

/** Validates a parsed tenants document. Throws TenantsError listing every problem. */
export function parseTenants(doc: unknown, defaults: Config, sources: SecretSources): TenantConfig[] {
  if (!Array.isArray(doc)) throw new TenantsError(['TENANTS_FILE: must be a JSON array of tenants']);
  if (doc.length === 0) throw new TenantsError(['TENANTS_FILE: is empty; expected at least one tenant']);
  const problems: string[] = [];
  const tenants: TenantConfig[] = [];
  const firstIndex = new Map<string, number>();
  doc.forEach((entry, i) => {
    const rawId = (entry as { accountId?: unknown } | null)?.accountId;
    const id = typeof rawId === 'string' && rawId.trim() ? normaliseAccountId(rawId) : undefined;
    const where = `tenants[${i}] (${id ?? 'no accountId'})`;
    const add = (field: string, message: string) => problems.push(`${where}: ${field}: ${message}`);
    if (id !== undefined) {
      const first = firstIndex.get(id);
      if (first !== undefined) add('accountId', `the same account id as tenants[${first}]`);
      else firstIndex.set(id, i);
    }
    const parsed = tenantSchema.safeParse(entry);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) add(issue.path.join('.') || 'tenant', issue.message);
      // Its secret references too, so that one reload names every problem.
      for (const [field, ref] of secretRefsOf(entry)) {
        const r = resolveSecret(ref, sources);
        if ('problem' in r) add(field, r.problem);
      }
      return;
    }
    const t = toTenant(parsed.data, defaults, sources, add);
    if (t) tenants.push(t);
  });
  if (problems.length) throw new TenantsError(problems);
  return tenants;
}

/** The well-formed secret references of an entry that is not valid as a whole: [field, reference]. */
function secretRefsOf(entry: unknown): [string, SecretRef][] {
  const at = (path: string[]): unknown =>
    path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), entry);
  const paths = [
    ['antring', 'appSecret'],
    ['antcrm', 'apiKey'],
    ['antbot', 'password'],
    ['webhooks', 'secret'],
  ];
  const devices = at(['devices']);
  if (devices && typeof devices === 'object')
    for (const user of Object.keys(devices)) paths.push(['devices', user, 'sipPassword']);
  const out: [string, SecretRef][] = [];
  for (const p of paths) {
    const v = at(p);
    const ref = typeof v === 'object' && v !== null ? secretRef.safeParse(v) : undefined;
    if (ref?.success) out.push([p.join('.'), ref.data]);
  }
  return out;
}

/** One valid entry → TenantConfig (secrets resolved, cross-field rules); undefined after a problem. */
function toTenant(
  e: TenantEntry,
  d: Config,
  sources: SecretSources,
  add: (field: string, message: string) => void,
): TenantConfig | undefined {
  let ok = true;
  const fail = (field: string, message: string) => {
    add(field, message);
    ok = false;
  };
  const secret = (ref: SecretRef | undefined, field: string): string | undefined => {
    if (ref === undefined) return undefined;
    const r = resolveSecret(ref, sources);
    if ('value' in r) return r.value;
    fail(field, r.problem);
    return undefined;
  };
  const accountId = normaliseAccountId(e.accountId);
  const appSecret = secret(e.antring.appSecret, 'antring.appSecret');
  const apiKey = secret(e.antcrm?.apiKey, 'antcrm.apiKey');
  const botPassword = secret(e.antbot?.password, 'antbot.password');
  const whSecret = secret(e.webhooks?.secret, 'webhooks.secret');
  const devices: Record<string, { sipUser: string; sipPassword: string }> = {};
  for (const [user, dev] of Object.entries(e.devices ?? {})) {
    const pw = secret(dev.sipPassword, `devices.${user}.sipPassword`);
    if (pw !== undefined) devices[user] = { sipUser: dev.sipUser, sipPassword: pw };
  }
  if (e.devices && ok) {
    try {
      parseDevices(devices, 'devices');
    } catch (err) {
      for (const p of (err as { problems?: string[] }).problems ?? ['devices: invalid'])
        fail('devices', p.replace(/^devices: /, ''));
    }
  }
  const kinds = e.antcrm?.writeback ?? [];
  if (kinds.length && !e.antcrm?.apiKey) fail('antcrm.writeback', 'needs antcrm.apiKey (the writes use it)');
  if (whSecret !== undefined && !WEBHOOK_SECRET_FORM.test(whSecret))
    fail('webhooks.secret', 'must be whsec_<base64> (at least 12 bytes)');
  const urls = e.webhooks ? webhookUrls.safeParse(e.webhooks.urls.join(',')) : undefined;
  if (urls && !urls.success) for (const i of urls.error.issues) fail('webhooks.urls', i.message);
  if (e.callbacks?.enabled && !(e.antbot?.username && e.antbot?.password))
    fail('callbacks.enabled', 'needs antbot.username and antbot.password (AntBot makes the callbacks)');
  if (!ok) return undefined;
  const trim = (u: string) => u.replace(/\/+$/, '');
  return {
    accountId,
    ...(e.name ? { name: e.name } : {}),
    antring: {
      appId: e.antring.appId,
      appSecret: appSecret as string,
      accountId,
      apiUrl: trim(e.antring.apiUrl ?? d.antring.apiUrl),
      signalUrl: trim(e.antring.signalUrl ?? d.antring.signalUrl),
      signalProtocol: e.antring.signalProtocol ?? d.antring.signalProtocol,
      bindings: e.antring.bindings ?? d.antring.bindings,
      domain: e.antring.domain,
      email: e.antring.email,
    },
    antcrm: { apiUrl: trim(e.antcrm?.apiUrl ?? d.antcrm.apiUrl), apiKey },
    antbot: { apiUrl: trim(e.antbot?.apiUrl ?? d.antbot.apiUrl), username: e.antbot?.username, password: botPassword },
    ...(e.devices ? { devices } : {}),
    webhooks: {
      urls: urls?.success ? urls.data : [],
      secret: whSecret,
      events: e.webhooks?.events ? [...new Set(e.webhooks.events)] : [...DEFAULT_WEBHOOK_EVENTS],
    },
    writeback: {
      tickets: kinds.includes('tickets'),
      leads: kinds.includes('leads'),
      wrapup: kinds.includes('wrapup'),
      ticketSla: e.antcrm?.ticketSla ?? '',
    },
    ...(e.callbacks ? { callbacks: e.callbacks } : {}),
  };
}
