// createWriteback(deps): the whole after-call write-back (bridge-contract §7.2) as one part the composition root plugs
// in: the durable outbox (SQLite in DATA_DIR on one node, Redis in a cluster, memory when nothing is written or in
// demo mode), its
// handlers (AntCRM writer, Standard Webhooks sender), the call consumer, the wrap-up service, the REST routes.
//
//   const wb = createWriteback({ config, logger, publisher, contacts, cluster: mode.cluster });
//   consumers: [fanoutConsumer(publisher), wb.consumer]; apiRoutes: [..., wb.routes]; fanout: { wrapup: wb.wrapup.submit }
//   await wb.start() before the pipeline starts; closers.add('writeback', () => wb.stop()) after the consumers'.

import type { Router } from 'express';
import type { Redis } from 'ioredis';
import { AntCrmWriter, type CrmWriteFetch } from '../antcrm/writer.js';
import type { ClusterKeys } from '../cluster/keys.js';
import type { Config } from '../config.js';
import type { Claims, Contact, WrapupResult } from '../contract.js';
import type { CallPublisher } from '../fanout/publisher.js';
import type { Logger } from '../log.js';
import { antCrmHandlers, type ContactLookup } from '../outbox/crm-handlers.js';
import { MemoryOutbox } from '../outbox/memory.js';
import type { OutboxWorkerOptions } from '../outbox/outbox.js';
import { RedisOutbox } from '../outbox/redis.js';
import { SqliteOutbox } from '../outbox/sqlite.js';
import type { Outbox } from '../outbox/types.js';
import type { CallConsumer, PipelineUpdate } from '../runtime/update.js';
import { type WebhookCounters, type WebhookFetch, WebhookSender } from '../webhooks/sender.js';
import { WritebackConsumer } from './consumer.js';
import { CrmStatus } from './crm-status.js';
import { MemoryRecentCalls, type RecentCallStore } from './recent-calls.js';
import { RedisRecentCalls } from './redis-recent-calls.js';
import { writebackRoutes } from './routes.js';
import { WRAPUP_WINDOW_MS, WrapupService } from './wrapup.js';

export interface WritebackDeps {
  config: Pick<Config, 'writeback' | 'webhooks' | 'dataDir' | 'outboxMaxAgeMs' | 'outboxDurability'> &
    Partial<Pick<Config, 'demo'>> & {
      antring: Pick<Config['antring'], 'accountId'>;
      antcrm: Pick<Config['antcrm'], 'apiUrl' | 'apiKey'>;
    };
  logger: Logger;
  /** The fan-out's publisher: re-sends ended calls with `crm`, and its views become webhooks. */
  publisher: Pick<CallPublisher, 'publish' | 'onView'>;
  /** The contact cache: learns written leads; looks up a contact still pending when its call ended. */
  contacts?: { learn(number: string, contact: Contact): void; lookup?: ContactLookup };
  /** Cluster mode: the outbox and the recent calls in Redis (mode.cluster). */
  cluster?: { redis: Redis; keys: ClusterKeys };
  /** Tests: an outbox of their own, worker knobs (short retries), fetch functions. */
  outbox?: Outbox;
  worker?: Partial<Omit<OutboxWorkerOptions, 'logger'>>;
  crmFetch?: CrmWriteFetch;
  webhookFetch?: WebhookFetch;
  now?: () => number;
}

export interface Writeback {
  /** Every enriched call update (after the fan-out). */
  readonly consumer: CallConsumer;
  readonly wrapup: { submit(claims: Claims, body: unknown): Promise<WrapupResult>; readonly enabled: boolean };
  /** POST /api/calls/:callId/wrapup, GET /api/outbox (mount with the other API routes). */
  readonly routes: Router;
  readonly outbox: Outbox;
  /** Metrics: the webhook sender's counters (endpoints disabled by 410). */
  webhookCounters(): WebhookCounters | undefined;
  /** Starts the outbox worker (deliveries pending from before a restart are tried at once). */
  start(): Promise<void>;
  /** Stops enqueueing and the worker; closes the HTTP clients. Idempotent. */
  stop(): Promise<void>;
}

export function createWriteback(d: WritebackDeps): Writeback {
  const { config, logger } = d;
  const log = logger.child({ mod: 'writeback' });
  const wb = config.writeback;
  const crmOn = Boolean(config.antcrm.apiKey) && (wb.tickets || wb.leads || wb.wrapup);
  const hooksOn = config.webhooks.urls.length > 0 && Boolean(config.webhooks.secret);
  const worker = { logger: log.child({ part: 'outbox' }), maxAgeMs: config.outboxMaxAgeMs, ...d.worker };
  // Memory when nothing is written, and in demo mode (its simulator starts empty each time: nothing to keep).
  const callbacksOn = (config as { callbacks?: { enabled: boolean } }).callbacks?.enabled === true;
  const memory = (!crmOn && !hooksOn && !callbacksOn) || config.demo === true;
  const outbox: Outbox =
    d.outbox ??
    (memory
      ? new MemoryOutbox(worker)
      : d.cluster
        ? new RedisOutbox({ ...worker, redis: d.cluster.redis, keys: d.cluster.keys })
        : new SqliteOutbox({ ...worker, dataDir: config.dataDir, durability: config.outboxDurability }));
  // Long enough for a wrap-up (30 min) and for the crm re-send of a write retried up to OUTBOX_MAX_AGE_H.
  const retainMs = Math.max(WRAPUP_WINDOW_MS, config.outboxMaxAgeMs) + 3_600_000;
  const recent: RecentCallStore = d.cluster
    ? new RedisRecentCalls({ redis: d.cluster.redis, prefix: d.cluster.keys.prefix, retainMs })
    : new MemoryRecentCalls({ retainMs, now: d.now });

  const writer = crmOn
    ? new AntCrmWriter({
        apiUrl: config.antcrm.apiUrl,
        apiKey: config.antcrm.apiKey as string,
        logger: log.child({ part: 'antcrm' }),
        fetch: d.crmFetch,
      })
    : undefined;
  if (writer) {
    const lookup = d.contacts?.lookup;
    const h = antCrmHandlers(writer, outbox, lookup ? (n) => lookup.call(d.contacts, n) : undefined);
    for (const [target, handler] of Object.entries(h)) outbox.handle(target, handler);
  }
  const sender = hooksOn
    ? new WebhookSender({
        secret: config.webhooks.secret as string,
        logger: log.child({ part: 'webhooks' }),
        fetch: d.webhookFetch,
      })
    : undefined;
  if (sender) outbox.handle('webhook', sender.handler());

  const consumer = new WritebackConsumer({
    org: config.antring.accountId,
    outbox,
    recent,
    logger: log,
    kinds: { tickets: crmOn && wb.tickets, leads: crmOn && wb.leads },
    records: crmOn,
    ticketSla: wb.ticketSla,
    webhooks: { urls: hooksOn ? config.webhooks.urls : [], events: config.webhooks.events },
    now: d.now,
  });
  const unView = d.publisher.onView((view, u) => consumer.onView(view, u));
  const status = new CrmStatus({
    outbox,
    recent,
    publish: (u) => d.publisher.publish(u),
    contacts: d.contacts,
    logger: log,
  });
  const wrapup = new WrapupService({
    org: config.antring.accountId,
    enabled: crmOn && wb.wrapup,
    recent,
    outbox,
    logger: log,
    now: d.now,
  });

  let stopping: Promise<void> | undefined;
  const doStop = async () => {
    unView();
    await consumer.stop();
    await status.stop();
    await outbox.stop();
    await recent.close?.();
    writer?.close();
    sender?.close();
  };
  return {
    consumer: {
      name: consumer.name,
      consume: (u: PipelineUpdate) => consumer.consume(u),
      // Stopped with the rest in stop(): the consumer set stops it first (no new enqueue), then the outbox.
      stop: () => consumer.stop(),
    },
    wrapup: {
      submit: (claims, body) => wrapup.submit(claims, body),
      get enabled() {
        return wrapup.enabled;
      },
    },
    routes: writebackRoutes({ wrapup, outbox, logger: log }),
    outbox,
    webhookCounters: () => sender?.counters(),
    start: async () => {
      status.start();
      await outbox.start();
      log.info(
        {
          store: d.outbox ? 'given' : d.cluster ? 'redis' : memory ? 'memory' : 'sqlite',
          crm: crmOn ? wb : false,
          webhooks: config.webhooks.urls.length,
        },
        'write-back started',
      );
    },
    stop: () => (stopping ??= doStop()),
  };
}
