// The environment around TENANTS_FILE (contract §8.1); config.ts reads this rule (it imports nothing of the config).
import { CALLBACK_VARIABLES } from '../recovery/config.js';

/** Per-account variables: with TENANTS_FILE set, any of them is a configuration error (§8.1). */
export const PER_ACCOUNT_VARIABLES = [
  'ANTRING_APP_ID',
  'ANTRING_APP_SECRET',
  'ANTRING_ACCOUNT_ID',
  'ANTRING_DOMAIN',
  'ANTRING_EMAIL',
  'ANTCRM_API_KEY',
  'ANTBOT_USERNAME',
  'ANTBOT_PASSWORD',
  'DEVICES_FILE',
  'WEBHOOK_URLS',
  'WEBHOOK_SECRET',
  'ANTCRM_WRITEBACK',
] as const;

/** Problems of the environment around TENANTS_FILE: each per-account variable set beside it, named (never its value). */
export function tenantsFileConflicts(env: NodeJS.ProcessEnv): string[] {
  if (env.TENANTS_FILE === undefined || env.TENANTS_FILE.trim() === '') return [];
  const perAccount = PER_ACCOUNT_VARIABLES.filter((k) => env[k] !== undefined).map(
    (k) => `${k}: is per account; with TENANTS_FILE set it belongs in the tenants file (unset it)`,
  );
  // §9.1: missed-call recovery is per tenant (the file's `callbacks`), so its variables are per account too.
  const callbacks = CALLBACK_VARIABLES.filter((k) => env[k] !== undefined).map(
    (k) =>
      `${k}: callbacks are per tenant; with TENANTS_FILE set they belong in the tenants file's callbacks (unset it)`,
  );
  return [...perAccount, ...callbacks];
}
