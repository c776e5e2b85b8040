// Builds click-to-call from the configuration: the devices (DEVICES_FILE or config.devices, validated now: a bad file
// throws DevicesFileError), the AntBot do-not-call list when ANTBOT_USERNAME/PASSWORD are set, the in-memory rate
// limiter and idempotency store (replaceable: cluster mode), the service and its REST route.
import type { Router } from 'express';
import { AntBotClient } from '../antbot/client.js';
import { DncList } from '../antbot/dnc.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { ErrorCode } from '../contract.js';
import type { Logger } from '../log.js';
import type { FetchLike } from '../upstream/fetch.js';
import { ClickToCallService, type ClickToCallUpstream } from './click-to-call.js';
import { type DeviceDirectory, loadDevicesFile, NO_DEVICES, parseDevices } from './devices.js';
import { type IdempotencyStore, MemoryIdempotencyStore } from './idempotency.js';
import { PlacedCallsRegistry } from './placed.js';
import { MemoryRateLimiter, type RateLimiter } from './rate-limiter.js';
import { clickToCallRoutes } from './routes.js';

/** Optional knobs and replacements (tests, cluster mode, metrics). */
export interface ClickToCallDeps {
  /** AntBot request timeout (and longest token wait). Default 5000. */
  antbotTimeoutMs?: number;
  /** How long the DNC list is cached. Default 30000. */
  dncTtlMs?: number;
  /** Longest wait of a dial for the DNC list. Default 8000. */
  dncTimeoutMs?: number;
  /** AntBot fetch (default node-fetch with keep-alive). */
  antbotFetch?: FetchLike;
  /** Shared implementations for cluster mode (default: in memory, per process). */
  rateLimiter?: RateLimiter;
  idempotency?: IdempotencyStore;
  /** Metrics: one call per request, `dialing` or the error code. */
  onResult?: (code: 'dialing' | ErrorCode) => void;
}

export interface ClickToCall {
  service: ClickToCallService;
  /** The calls this bridge placed: the call engine's PlacedCalls. */
  placed: PlacedCallsRegistry;
  router: Router;
  /** The DNC list, when AntBot is configured (stats, tests). */
  dnc?: DncList;
  /** Warms the DNC list up (a failure is logged; a dial retries). */
  start(): void;
  /** Idempotent. */
  stop(): Promise<void>;
}

export function setupClickToCall(o: {
  config: Config;
  upstream: ClickToCallUpstream;
  clock: Clock;
  logger: Logger;
  deps?: ClickToCallDeps;
}): ClickToCall {
  const { config, clock, logger } = o;
  const d = o.deps ?? {};
  const devices = loadDevices(config);
  logger.info({ devices: devices.size, dnc: Boolean(config.antbot.username) }, 'click-to-call configured');

  const antbot =
    config.antbot.username && config.antbot.password
      ? new AntBotClient({
          apiUrl: config.antbot.apiUrl,
          username: config.antbot.username,
          password: config.antbot.password,
          timeoutMs: d.antbotTimeoutMs,
          fetch: d.antbotFetch,
          clock,
          logger: logger.child({ mod: 'antbot' }),
        })
      : undefined;
  const dnc = antbot
    ? new DncList({
        source: antbot,
        ttlMs: d.dncTtlMs,
        timeoutMs: d.dncTimeoutMs,
        clock,
        logger: logger.child({ mod: 'dnc' }),
      })
    : undefined;

  const placed = new PlacedCallsRegistry({ clock });
  const service = new ClickToCallService({
    devices,
    upstream: o.upstream,
    dnc,
    rateLimiter: d.rateLimiter ?? new MemoryRateLimiter({ perMinute: config.dial.ratePerMinute, clock }),
    idempotency: d.idempotency ?? new MemoryIdempotencyStore({ clock }),
    idempotencyMs: config.dial.idempotencyMs,
    logger: logger.child({ mod: 'dial' }),
    onResult: d.onResult,
    placed,
  });

  let stopping: Promise<void> | undefined;
  return {
    service,
    placed,
    router: clickToCallRoutes(service),
    dnc,
    start() {
      dnc?.refresh().catch(() => undefined); // logged by DncList; the next dial retries
    },
    stop: () =>
      (stopping ??= (async () => {
        await antbot?.stop();
      })()),
  };
}

function loadDevices(config: Config): DeviceDirectory {
  if (config.devices) return parseDevices(config.devices, 'config.devices');
  if (config.devicesFile) return loadDevicesFile(config.devicesFile);
  return NO_DEVICES;
}
