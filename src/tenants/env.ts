// The tenants of a deployment from its environment: TENANTS_FILE (contract §8.1), or the single-account variables of
// §1/§7 as a tenant of one. tenantConfigOf lays a tenant over the process-wide Config: the Config the per-account
// modules (click-to-call, write-back, clients) take.
import { join } from 'node:path';
import type { Config } from '../config-types.js';
import { loadTenantsFile, type TenantsFileIo } from './file.js';
import { normaliseAccountId, type TenantConfig } from './types.js';

export { PER_ACCOUNT_VARIABLES, tenantsFileConflicts } from './env-rules.js';

/** The single-account environment (and demo mode) as a tenant of one. */
export function tenantOfConfig(c: Config): TenantConfig {
  const accountId = normaliseAccountId(c.antring.accountId);
  return {
    accountId,
    antring: c.antring.accountId === accountId ? c.antring : { ...c.antring, accountId },
    antcrm: { apiUrl: c.antcrm.apiUrl, apiKey: c.antcrm.apiKey },
    antbot: c.antbot,
    ...(c.devicesFile !== undefined ? { devicesFile: c.devicesFile } : {}),
    ...(c.devices !== undefined ? { devices: c.devices } : {}),
    webhooks: c.webhooks,
    writeback: c.writeback,
    callbacks: c.callbacks,
  };
}

/** The process-wide Config with one tenant's settings in place of the per-account ones. */
export function tenantConfigOf(base: Config, t: TenantConfig): Config {
  const { devicesFile: _f, devices: _d, ...rest } = base;
  return {
    ...rest,
    antring: t.antring,
    antcrm: { ...base.antcrm, ...t.antcrm },
    antbot: t.antbot,
    devicesFile: t.devicesFile,
    ...(t.devices !== undefined ? { devices: t.devices } : {}),
    webhooks: t.webhooks,
    writeback: t.writeback,
    callbacks: t.callbacks ?? { ...base.callbacks, enabled: false },
  };
}

/** What a tenant's runtime is built from: its settings over the Config, and with a tenants file its own outbox
 *  directory (`<DATA_DIR>/tenants/<accountId>`: one tenant's deliveries never mix with another's). */
export function tenantSettings(base: Config, t: TenantConfig): Config {
  const c = tenantConfigOf(base, t);
  return base.tenantsFile ? { ...c, dataDir: join(base.dataDir, 'tenants', normaliseAccountId(t.accountId)) } : c;
}

/** The tenants now: the file read again (reload) when the Config names one, else the environment's tenant. Throws
 *  TenantsError. */
export function loadTenants(config: Config & { tenantsFile?: string }, io: TenantsFileIo): TenantConfig[] {
  return config.tenantsFile ? loadTenantsFile(config.tenantsFile, config, io) : [tenantOfConfig(config)];
}

/** The registry's key of an account id (JWT `org`, file, environment). */
export const tenantKey = normaliseAccountId;
