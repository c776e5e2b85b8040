// createRecovery(deps): a tenant's missed-call recovery (contract §9) as one part the tenant runtime plugs in, or
// undefined when its callbacks are off. Its recoveries are kept in DATA_DIR (SQLite) or Redis (cluster), or memory
// (demo); its AntBot work runs as delayed jobs of the tenant's outbox (jobs.ts).
//
//   const rec = createRecovery({ config, outbox: writeback.outbox, publisher, logger, clock, cluster });
//   consumers: [..., rec.consumer]; enricher publish: (u) => consumers.dispatch(rec.decorate(u));
//   await rec.start() before writeback.start() (its handlers and jobs are in place before the worker runs).
import type { Router } from 'express';
import type { Redis } from 'ioredis';
import { AntBotClient } from '../antbot/client.js';
import { DncList } from '../antbot/dnc.js';
import { AntCrmWriter } from '../antcrm/writer.js';
import type { Clock } from '../clock.js';
import type { ChangeNotices } from '../cluster/change-notices.js';
import type { Config } from '../config.js';
import type { CallView, RecoveryFigures } from '../contract.js';
import type { EnrichedUpdate } from '../fanout/types.js';
import type { Logger } from '../log.js';
import type { Outbox } from '../outbox/types.js';
import type { CallbacksConfig } from '../recovery/config.js';
import type { Recovery } from '../recovery/types.js';
import { recoveryFigures } from '../recovery/view.js';
import type { CallConsumer } from '../runtime/update.js';
import { errCode } from '../shared/errors.js';
import { RecoveryBook } from './book.js';
import { closedEffects, TICKET_UPDATE_TARGET, ticketUpdateHandler } from './effects.js';
import { followChanges } from './follow.js';
import { type RecoveryAntBot, RecoveryJobs } from './jobs.js';
import { recoveryRoutes } from './routes.js';
import { RecoveryService } from './service.js';
import { MemoryRecoveryStore, type RecoveryStore, RedisRecoveryStore, SqliteRecoveryStore } from './store.js';

export interface RecoveryDeps {
  config: Pick<Config, 'antbot' | 'antcrm' | 'writeback' | 'webhooks' | 'dataDir'> &
    Partial<Pick<Config, 'demo'>> & { antring: Pick<Config['antring'], 'accountId'>; callbacks?: CallbacksConfig };
  outbox: Outbox;
  publisher: {
    publish(u: EnrichedUpdate): Promise<CallView | undefined>;
    onView(l: (view: CallView, u: EnrichedUpdate) => void): () => void;
  };
  logger: Logger;
  clock: Clock;
  cluster?: { redis: Redis; keys: { prefix: string }; notices?: ChangeNotices };
  /** Tests: another AntBot (fault injection), another store. */
  antbot?: RecoveryAntBot & { dncContacts(): Promise<{ phone_number: string }[]> };
  store?: RecoveryStore;
}

export interface Recovery$ {
  readonly consumer: CallConsumer;
  /** The §9.3 fields of an update (the enricher's publish and every re-send). */
  decorate<U extends EnrichedUpdate>(u: U): U;
  /** Re-sends by other parts (the write-back's `crm`): decorated, and remembered for the recovery's re-sends. */
  publish(u: EnrichedUpdate): Promise<CallView | undefined>;
  readonly routes: Router;
  figures(): RecoveryFigures;
  /** Called on every change (the dashboard's figures are sent again). */
  onChange(l: () => void): () => void;
  all(): Recovery[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createRecovery(d: RecoveryDeps): Recovery$ | undefined {
  const { config, clock } = d;
  const cfg = config.callbacks;
  if (!cfg?.enabled) return undefined;
  const log = d.logger.child({ mod: 'recovery' });
  const org = config.antring.accountId;
  const bot =
    d.antbot ??
    (config.antbot.username && config.antbot.password
      ? new AntBotClient({
          apiUrl: config.antbot.apiUrl,
          username: config.antbot.username,
          password: config.antbot.password,
          clock,
          logger: log.child({ part: 'antbot' }),
        })
      : undefined);
  if (!bot) {
    log.error('callbacks are on but the tenant has no AntBot credentials: no recovery');
    return undefined;
  }
  const dnc = new DncList({ source: bot, clock, logger: log.child({ part: 'dnc' }) });
  const isBlocked = (n: string) => dnc.isBlocked(n);
  const store =
    d.store ??
    (d.cluster
      ? new RedisRecoveryStore(d.cluster.redis, d.cluster.keys.prefix)
      : config.demo
        ? new MemoryRecoveryStore()
        : new SqliteRecoveryStore(config.dataDir));
  const book = new RecoveryBook(store);
  const now = () => clock.now();
  const jobs = new RecoveryJobs({ outbox: d.outbox, book, cfg, antbot: bot, isBlocked, now, logger: log });
  const crmKey = config.antcrm.apiKey;
  const tickets = Boolean(crmKey) && config.writeback.tickets;
  const writer = tickets
    ? new AntCrmWriter({
        apiUrl: config.antcrm.apiUrl,
        apiKey: crmKey as string,
        logger: log.child({ part: 'antcrm' }),
      })
    : undefined;
  if (writer) d.outbox.handle(TICKET_UPDATE_TARGET, ticketUpdateHandler(writer, d.outbox));
  const hooksOn =
    Boolean(config.webhooks.secret) &&
    config.webhooks.urls.length > 0 &&
    (config.webhooks.events as readonly string[]).includes('call.recovered');
  const service: RecoveryService = new RecoveryService({
    org,
    cfg,
    book,
    jobs,
    isBlocked,
    publish: (u) => d.publisher.publish(u),
    onClosed: closedEffects({
      outbox: d.outbox,
      webhooks: { urls: config.webhooks.urls, on: hooksOn },
      tickets,
      timeZone: cfg.timeZone,
      logger: log,
    }),
    now,
    logger: log,
  });
  const unView = d.publisher.onView((view, u) => service.onView(view, u));
  const listeners = new Set<() => void>();
  const unChange = book.onChange(() => {
    for (const l of listeners) l();
  });

  // Cluster: other nodes change recoveries too (their jobs); the synchronous index follows the store through its
  // change notices (no polling), and reads everything again after a break in them.
  const redisStore = store instanceof RedisRecoveryStore ? store : undefined;
  let unNotices: (() => void) | undefined;
  const follow = async (): Promise<void> => {
    if (!redisStore || !d.cluster?.notices) return;
    const un = await followChanges(book, redisStore.channel, d.cluster.notices, log);
    // Stopped while subscribing: nothing to follow any more.
    if (stopping) un();
    else unNotices = un;
  };

  const pruner = setInterval(() => {
    book.prune(now()).catch((err: unknown) => log.warn({ err: errCode(err) }, 'recoveries not pruned'));
  }, 3_600_000);
  pruner.unref();

  let stopping: Promise<void> | undefined;
  return {
    consumer: { name: service.name, consume: (u) => service.consume(u), stop: () => service.stop() },
    decorate: (u) => service.decorate(u),
    publish: (u) => {
      service.remember(u);
      return d.publisher.publish(service.decorate(u));
    },
    routes: recoveryRoutes({ org, all: () => book.all() }),
    figures: () => recoveryFigures(book.all(), now(), cfg.timeZone),
    onChange: (l) => {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    all: () => book.all(),
    start: async () => {
      await follow();
      const all = await book.load(now());
      await jobs.reconcile(all);
      log.info(
        { recoveries: all.length, delaySec: cfg.delaySec, maxAttempts: cfg.maxAttempts, store: store.constructor.name },
        'missed-call recovery started',
      );
    },
    stop: () =>
      (stopping ??= (async () => {
        unNotices?.();
        clearInterval(pruner);
        unView();
        unChange();
        await service.stop();
        await book.close();
        writer?.close();
        if (!d.antbot) await (bot as AntBotClient).stop();
      })()),
  };
}
