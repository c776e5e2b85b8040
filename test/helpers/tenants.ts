// A tenant's resolved configuration for tests: the single-account environment's tenant, under another account id.
import { loadConfig } from '../../src/config.js';
import { tenantOfConfig } from '../../src/tenants/env.js';
import type { TenantConfig } from '../../src/tenants/types.js';

const base = tenantOfConfig(
  loadConfig({
    ANTRING_APP_ID: 'app',
    ANTRING_APP_SECRET: 'secret',
    ANTRING_ACCOUNT_ID: 'a',
    ANTRING_DOMAIN: 'd',
    ANTRING_EMAIL: 'e',
    JWT_SECRET: 'x'.repeat(32),
  }),
);

/** Tenant `id` (AntRing app secret `appSecret`), with `over` laid on top. */
export function testTenant(
  id: string,
  { appSecret = 'secret', ...over }: Partial<TenantConfig> & { appSecret?: string } = {},
): TenantConfig {
  return { ...base, accountId: id, antring: { ...base.antring, accountId: id, appSecret }, ...over };
}
