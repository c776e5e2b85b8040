// The fixed fields of each kind of leg (docs/call-model.md section 3) and the scenarios' default timings.
import { createHash, randomBytes } from 'node:crypto';
import type { LegInit } from './call-run.js';
import type { SimAgent, SimData } from './data.js';

export interface Timing {
  /** Customer leg created → answered by the callflow (IVR). */
  ivrMs: number;
  /** IVR answer → agent legs created (queue music). */
  queueMs: number;
  /** Agent legs ringing before the answer (or the abandon). */
  ringMs: number;
  talkMs: number;
  /** Click-to-call: the agent's own device ringing before they pick up. */
  agentRingMs: number;
  /** Routing between two legs (direct and internal calls, click-to-call's second leg), busy/failed signalling. */
  routeMs: number;
}

/**
 * Defaults of explicit scenario calls: short set-up waits (so a test's ringMs/talkMs dominate), a realistic ring and
 * talk when not given. The demo traffic draws its own realistic waits for every call.
 */
export const DEFAULT_TIMING: Timing = {
  ivrMs: 50,
  queueMs: 100,
  ringMs: 6_000,
  talkMs: 30_000,
  agentRingMs: 300,
  routeMs: 50,
};

/** A timing where every wait is 0 (tests with a real delay, benchmarks). */
export const INSTANT_TIMING: Timing = { ivrMs: 0, queueMs: 0, ringMs: 0, talkMs: 0, agentRingMs: 0, routeMs: 0 };

const device = (a: SimAgent) => ({ ownerId: a.userId, authorizingId: a.device.id, username: a.device.sipUser });

/** The click-to-call document id of an agent (cb_clicktocall's Authorizing-ID), 32 hex. */
export const clickToCallDocId = (a: SimAgent): string =>
  createHash('md5').update(`antring-sim:c2c:${a.username}`).digest('hex');

/** cb_clicktocall's originate Call-ID: `c2c-<doc id>-<10 hex>`. */
export const clickToCallLegId = (a: SimAgent): string => `c2c-${clickToCallDocId(a)}-${randomBytes(5).toString('hex')}`;

export function legBuilders(data: SimData) {
  const did = data.org.did;
  return {
    /** The customer calling the company's DID (carrier → switch). */
    customerIn: (number: string, name?: string, createName?: string): LegInit => ({
      direction: 'inbound',
      callerIdNumber: number,
      callerIdName: name ?? number,
      calleeIdNumber: did,
      from: number,
      to: did,
      request: did,
      ...(createName !== undefined ? { createCallerIdName: createName } : {}),
    }),
    /** The switch ringing an agent's device for a customer (queue or direct), showing the customer's caller ID. */
    agentOut: (a: SimAgent, customer: string, queueId?: string, name?: string, createName?: string): LegInit => ({
      direction: 'outbound',
      callerIdNumber: customer,
      callerIdName: name ?? customer,
      calleeIdNumber: a.ext[0],
      calleeIdName: a.name,
      from: customer,
      to: a.ext[0],
      request: a.device.sipUser,
      ...device(a),
      ...(queueId ? { queueId } : {}),
      ...(createName !== undefined ? { createCallerIdName: createName } : {}),
    }),
    /**
     * Click-to-call, first leg: the switch rings the agent's device showing the customer's number, with what
     * cb_clicktocall.erl sets on its originate: Call-ID `c2c-<doc>-<hex>`, Authorizing-Type `clicktocall`,
     * Loopback-Request-URI / Request-URI = the number, From-URI = the extension, Retain-CID, Inherit-Codec.
     */
    agentDevice: (a: SimAgent, number: string): LegInit => ({
      callId: clickToCallLegId(a),
      direction: 'outbound',
      callerIdNumber: number,
      callerIdName: number,
      calleeIdNumber: a.ext[0],
      calleeIdName: a.name,
      from: number,
      to: a.ext[0],
      request: a.device.sipUser,
      ...device(a),
      authorizingId: clickToCallDocId(a),
      authorizingType: 'clicktocall',
      ccv: {
        'Loopback-Request-URI': `${number}@${data.org.realm}`,
        'Request-URI': `${number}@${data.org.realm}`,
        'From-URI': `${a.ext[0]}@${data.org.realm}`,
        'Inherit-Codec': 'false',
        'Retain-CID': 'true',
        'Auto-Answer-Loopback': 'true',
      },
    }),
    /** Click-to-call through AntRing's open API, first leg: the agent's device rung showing the number; no marker. */
    agentDeviceOpenApi: (a: SimAgent, number: string): LegInit => ({
      direction: 'outbound',
      callerIdNumber: number,
      callerIdName: number,
      calleeIdNumber: a.ext[0],
      calleeIdName: a.name,
      from: number,
      to: a.ext[0],
      request: a.device.sipUser,
      ...device(a),
    }),
    /** An agent dialling a number (or a feature code such as `*97`) from the desk phone: the device calls the switch. */
    deskOut: (a: SimAgent, number: string, createName?: string): LegInit => ({
      direction: 'inbound',
      callerIdNumber: a.ext[0],
      callerIdName: a.name,
      calleeIdNumber: number,
      from: a.device.sipUser,
      to: number,
      request: number,
      ...device(a),
      ...(createName !== undefined ? { createCallerIdName: createName } : {}),
    }),
    /** Click-to-call, second leg: the switch calls the customer from the company's DID. */
    customerOut: (number: string): LegInit => ({
      direction: 'outbound',
      callerIdNumber: did,
      callerIdName: data.org.name,
      calleeIdNumber: number,
      from: did,
      to: number,
      request: number,
    }),
    /** Internal call, caller's leg: agent X dials Y's extension from the device. */
    internalCaller: (x: SimAgent, y: SimAgent, createName?: string): LegInit => ({
      direction: 'inbound',
      callerIdNumber: x.ext[0],
      callerIdName: x.name,
      calleeIdNumber: y.ext[0],
      from: x.ext[0],
      to: y.ext[0],
      request: y.ext[0],
      ...device(x),
      ...(createName !== undefined ? { createCallerIdName: createName } : {}),
    }),
    /** Internal call, callee's leg. */
    internalCallee: (x: SimAgent, y: SimAgent): LegInit => ({
      direction: 'outbound',
      callerIdNumber: x.ext[0],
      callerIdName: x.name,
      calleeIdNumber: y.ext[0],
      calleeIdName: y.name,
      from: x.ext[0],
      to: y.ext[0],
      request: y.device.sipUser,
      ...device(y),
    }),
  };
}

export type LegBuilders = ReturnType<typeof legBuilders>;
