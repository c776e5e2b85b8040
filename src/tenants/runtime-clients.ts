// A tenant runtime's clients of its upstreams (runtime.ts wires them in): the AntRing API with its token keeper and
// agent directory, and AntCRM (when the tenant has a key) with the contact cache in front of it. Each one that holds
// a connection or a timer is added to the tenant's closers, in this order.
import { AntCrmClient } from '../antcrm/client.js';
import { AntRingDirectory } from '../antring/agent-directory.js';
import { AntRingClient } from '../antring/client.js';
import { TokenKeeper } from '../antring/token-keeper.js';
import { ContactDirectory } from '../enrich/contact-directory.js';
import type { Closers } from '../runtime/closers.js';
import type { TenantPorts } from './runtime-types.js';

export interface TenantClients {
  antring: AntRingClient;
  crm: AntCrmClient | null;
  tokens: TokenKeeper;
  directory: AntRingDirectory;
  contacts: ContactDirectory;
}

export function createTenantClients(p: TenantPorts, closers: Closers): TenantClients {
  const { config, mode, metrics, clock } = p;
  const logger = p.logger;
  const antring = new AntRingClient({
    apiUrl: config.antring.apiUrl,
    appId: config.antring.appId,
    appSecret: config.antring.appSecret,
    domain: config.antring.domain,
    email: config.antring.email,
    logger: logger.child({ mod: 'antring' }),
    timeoutMs: p.antringTimeoutMs,
  });
  closers.add('antring', () => antring.close());
  const crm = config.antcrm.apiKey
    ? new AntCrmClient({
        apiUrl: config.antcrm.apiUrl,
        apiKey: config.antcrm.apiKey,
        logger: logger.child({ mod: 'antcrm' }),
      })
    : null;
  if (crm) closers.add('antcrm', () => crm.close());
  const tokens = new TokenKeeper({
    fetchToken: (signal?: AbortSignal) => antring.authToken(signal),
    clock,
    logger: logger.child({ mod: 'token' }),
    onRefresh: (e) => metrics.tokenRefresh(e),
  });
  closers.add('tokens', () => tokens.stop());
  const directory = new AntRingDirectory({ client: antring, clock, logger: logger.child({ mod: 'directory' }) });
  closers.add('directory', () => directory.stop());
  const contacts = new ContactDirectory({
    client: crm,
    ttlMs: config.antcrm.cacheTtlMs,
    negativeTtlMs: config.antcrm.negativeTtlMs,
    maxConcurrency: config.antcrm.maxConcurrency,
    clock,
    logger: logger.child({ mod: 'contacts' }),
    observe: (ev) => metrics.crmLookup(ev),
    ...(mode.contactCache ? { secondLevel: mode.contactCache } : {}),
  });
  return { antring, crm, tokens, directory, contacts };
}
