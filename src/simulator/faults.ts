// Every fault switch of the simulator in one object, grouped: tokens, crm, clickToCall, devices, signal.
// The REST and CRM routers read the plain fields on each request, so a test flips a switch and the next request
// sees it. Flat aliases (rejectTokens, crmDelayMs, …) point at the same switches.

import { type CrmWriteFaults, healthyWriteFaults } from './antcrm.js';
import { agentByUsername, type SimData } from './data.js';
import type { ClickResult } from './scenarios.js';
import type { SignalServers } from './signal-servers.js';
import type { SimState } from './state.js';
import type { TokenRegistry } from './token-registry.js';
import { healthyReceiverFaults, type WebhookReceiverFaults } from './webhook-receiver.js';

/** How `POST /voice/auth_token` writes `expire`: unix seconds, unix ms, seconds to live, or an ISO date. */
export type ExpireFormat = 'unix-s' | 'unix-ms' | 'ttl-s' | 'iso';

export interface TokenFaults {
  /** 401 on every auth_token request. */
  reject: boolean;
  /** 503 on every auth_token request. */
  fail: boolean;
  lifetimeMs: number;
  expireFormat: ExpireFormat;
}

export interface ClickToCallFaults {
  delayMs: number;
  /** Answer every click-to-call with this status instead of starting the call. */
  fail: 500 | 503 | null;
  /** How the customer leg of a click-to-call started through the REST API ends. */
  result: ClickResult;
}

export interface CrmFaults {
  delayMs: number;
  /** 0..1: share of /contacts requests answered 500. */
  failRate: number;
  /** Every /contacts request answered 500. */
  fail: boolean;
}

export interface SimFaultsDeps {
  tokens: TokenRegistry;
  data: SimData;
  state: SimState;
  signal: SignalServers;
  tokenLifetimeMs?: number;
  expireFormat?: ExpireFormat;
}

export class SimFaultError extends Error {
  override readonly name = 'SimFaultError';
}

export class SimFaults {
  readonly tokens: TokenFaults & { expireAll(): void; revokeAll(): void };
  readonly crm: CrmFaults = { delayMs: 0, failRate: 0, fail: false };
  /** AntCRM's write routes (POST/PUT /tickets, POST /contacts): delayMs, down, failStatus, failNext, loseAnswer. */
  readonly crmWrites: CrmWriteFaults = healthyWriteFaults();
  /** The embedded webhook receiver: status, failNext, down. */
  readonly webhooks: WebhookReceiverFaults = healthyReceiverFaults();
  readonly clickToCall: ClickToCallFaults = { delayMs: 0, fail: null, result: 'answered' };
  readonly devices: {
    /** Registers (online) or unregisters (offline) an agent's SIP device; offline agents are logged out. */
    setOnline(username: string, online: boolean): void;
    isOnline(username: string): boolean;
    setPaused(username: string, paused: boolean): void;
  };
  /** The signal servers' fault handles: dropAll(), silence(on), malformedFrames(n), sendRaw(frame), waitForSubscriptions(n). */
  readonly signal: SignalServers;

  constructor(deps: SimFaultsDeps) {
    const { tokens, data, state } = deps;
    const defaultLifetime = deps.tokenLifetimeMs ?? 3_600_000;
    const defaultFormat = deps.expireFormat ?? 'unix-s';
    this.tokens = {
      reject: false,
      fail: false,
      lifetimeMs: defaultLifetime,
      expireFormat: defaultFormat,
      expireAll: () => tokens.expireAll(),
      revokeAll: () => tokens.revokeAll(),
    };
    const agent = (username: string) => {
      const a = agentByUsername(data, username);
      if (!a) throw new SimFaultError(`unknown agent ${username}`);
      return a;
    };
    this.devices = {
      setOnline: (username, online) => state.setOnline(agent(username), online),
      isOnline: (username) => agent(username).device.online,
      setPaused: (username, paused) => state.setPaused(agent(username), paused),
    };
    this.signal = deps.signal;
    this.reset = () => {
      Object.assign(this.tokens, {
        reject: false,
        fail: false,
        lifetimeMs: defaultLifetime,
        expireFormat: defaultFormat,
      });
      Object.assign(this.crm, { delayMs: 0, failRate: 0, fail: false });
      Object.assign(this.crmWrites, healthyWriteFaults());
      Object.assign(this.webhooks, healthyReceiverFaults());
      Object.assign(this.clickToCall, { delayMs: 0, fail: null, result: 'answered' });
      this.signal.silence(false);
    };
  }

  /** Back to a healthy simulator (switches only; issued tokens and devices stay as they are). */
  readonly reset: () => void;

  // ---- flat aliases ----
  get rejectTokens(): boolean {
    return this.tokens.reject;
  }
  set rejectTokens(v: boolean) {
    this.tokens.reject = v;
  }
  get failTokens(): boolean {
    return this.tokens.fail;
  }
  set failTokens(v: boolean) {
    this.tokens.fail = v;
  }
  get tokenLifetimeMs(): number {
    return this.tokens.lifetimeMs;
  }
  set tokenLifetimeMs(v: number) {
    this.tokens.lifetimeMs = v;
  }
  get expireFormat(): ExpireFormat {
    return this.tokens.expireFormat;
  }
  set expireFormat(v: ExpireFormat) {
    this.tokens.expireFormat = v;
  }
  get crmDelayMs(): number {
    return this.crm.delayMs;
  }
  set crmDelayMs(v: number) {
    this.crm.delayMs = v;
  }
  get crmFailRate(): number {
    return this.crm.failRate;
  }
  set crmFailRate(v: number) {
    this.crm.failRate = v;
  }
  get crmFail(): boolean {
    return this.crm.fail;
  }
  set crmFail(v: boolean) {
    this.crm.fail = v;
  }
  get clickToCallDelayMs(): number {
    return this.clickToCall.delayMs;
  }
  set clickToCallDelayMs(v: number) {
    this.clickToCall.delayMs = v;
  }
  get clickToCallFail(): 500 | 503 | null {
    return this.clickToCall.fail;
  }
  set clickToCallFail(v: 500 | 503 | null) {
    this.clickToCall.fail = v;
  }

  expireAllTokens(): void {
    this.tokens.expireAll();
  }
  setDeviceOnline(username: string, online: boolean): void {
    this.devices.setOnline(username, online);
  }
}
