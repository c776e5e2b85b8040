// createMode(config, deps): cluster mode when REDIS_URL is set, a single node otherwise.
import type { Config } from '../config.js';
import { ClusterMode } from './cluster-mode.js';
import type { BridgeMode, ModeDeps } from './mode.js';
import { SingleNodeMode } from './single-node-mode.js';

export function createMode(config: Config, deps: ModeDeps): BridgeMode {
  return config.redisUrl
    ? new ClusterMode({ ...config, redisUrl: config.redisUrl }, deps)
    : new SingleNodeMode(config, deps);
}
