// One tenant = one AntRing account served by this deployment (contract §8). TenantConfig is the one definition of
// what is per account; it is made of the process Config's own field types, so a tenant's settings laid over the
// process-wide Config (tenantConfigOf in from-env.ts) give the Config every per-account module already takes.
import type { Config } from '../config-types.js';
import { coded } from '../shared/error-catalogue.js';

export interface TenantConfig {
  /** The AntRing (Kazoo) account id = the JWT `org` (lowercased when read from the tenants file). */
  accountId: string;
  /** Shown on the demo pages and in GET /api/tenants. */
  name?: string;
  /** AntRing credentials and endpoints; `antring.accountId` equals `accountId`. */
  antring: Config['antring'];
  /** AntCRM endpoint and key (no key = no enrichment); the cache knobs stay process-wide. */
  antcrm: Pick<Config['antcrm'], 'apiUrl' | 'apiKey'>;
  antbot: Config['antbot'];
  /** DEVICES_FILE (single-account environment) ... */
  devicesFile?: string;
  /** ... or the devices resolved from the tenants file. Secrets: never log a TenantConfig. */
  devices?: Config['devices'];
  webhooks: Config['webhooks'];
  writeback: Config['writeback'];
  /** §9.1 the tenant's `callbacks` (absent: off). */
  callbacks?: Config['callbacks'];
}

/** The tenants file (or the environment's tenant) did not load: every problem, one line each, never a secret. */
export class TenantsError extends coded('TENANTS_INVALID') {
  override readonly name = 'TenantsError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** Lowercase, as Kazoo writes account ids (the file's and the JWTs' are compared this way). */
export const normaliseAccountId = (id: string): string => id.trim().toLowerCase();
