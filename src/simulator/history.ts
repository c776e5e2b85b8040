// Call-history records in the shape of AntRing's GET /oapi/v1/call/histories (seed document), with queue_stat.
// Scenarios append one per finished call; seedHistory() fills the past weeks so paging and windows have data.
import { createHash } from 'node:crypto';
import type { SimAgent, SimData } from './data.js';
import { customerNumbers } from './data.js';

export interface HistoryParty {
  number: string;
  type: 'realnumber' | 'user';
  username?: string;
}

export interface QueueStat {
  _id: string;
  call_id: string;
  queue_id: string;
  __v: 0;
  org: string;
  wait_time: number;
  caller_id_number: string;
  caller_id_name: string;
  status: 'processed' | 'abandoned';
  entered_timestamp: number;
  handled_timestamp?: number;
  processed_timestamp: number;
  agent_id?: string;
  username?: string;
  talk_time: number;
  hung_up_by?: 'agent' | 'caller';
  end_call_reason: string;
  misses: { agent_id: string; username: string; miss_reason: string }[];
}

export type StatusDetail = 'IVR' | 'SUCCESS' | 'CANCELLED' | 'BUSY' | 'UNSUCCESS';

export interface HistoryRecord {
  call_id: string;
  caller: HistoryParty;
  callee: HistoryParty;
  class: 'one_one' | 'trunking';
  did_number: string | null;
  direction: 'from_ab' | 'to_ab';
  status_detail: StatusDetail;
  duration_seconds: number;
  unix_timestamp: number;
  billing_seconds: number;
  recording: string;
  queue_stat: QueueStat[];
}

export const userParty = (a: SimAgent): HistoryParty => ({
  number: a.device.sipUser,
  type: 'user',
  username: a.username,
});
export const numberParty = (n: string): HistoryParty => ({ number: n, type: 'realnumber' });

export const recordingName = (callId: string): string => `call_recording_${callId}.mp3`;

export function objectId(seed: string): string {
  return createHash('sha1').update(seed).digest('hex').slice(0, 24);
}

export interface QueueStatInput {
  callId: string;
  queueId: string;
  org: string;
  number: string;
  enteredS: number;
  waitS: number;
  talkS: number;
  answeredBy?: SimAgent;
  missed: SimAgent[];
  hungUpBy?: 'agent' | 'caller';
}

export function queueStat(i: QueueStatInput): QueueStat {
  const handled = i.answeredBy !== undefined;
  return {
    _id: objectId(`qs:${i.callId}`),
    call_id: i.callId,
    queue_id: i.queueId,
    __v: 0,
    org: i.org,
    wait_time: i.waitS,
    caller_id_number: i.number,
    caller_id_name: i.number,
    status: handled ? 'processed' : 'abandoned',
    entered_timestamp: i.enteredS,
    ...(handled
      ? { handled_timestamp: i.enteredS + i.waitS, agent_id: i.answeredBy!.userId, username: i.answeredBy!.username }
      : {}),
    processed_timestamp: i.enteredS + i.waitS + i.talkS,
    talk_time: i.talkS,
    ...(handled ? { hung_up_by: i.hungUpBy ?? 'caller' } : {}),
    end_call_reason: handled ? (i.hungUpBy === 'agent' ? 'agent_hungup' : 'caller_hungup') : 'caller_abandoned',
    misses: i.missed.map((a) => ({
      agent_id: a.userId,
      username: a.username,
      miss_reason: handled ? 'lose_race' : 'caller_abandoned',
    })),
  };
}

/** A deterministic pseudo-random generator (mulberry32). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` past calls spread over the `days` before `nowMs` (deterministic for a given seed). */
export function seedHistory(data: SimData, nowMs: number, count = 240, days = 45, seed = 7): HistoryRecord[] {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const numbers = customerNumbers({}, data.contacts);
  const out: HistoryRecord[] = [];
  for (let i = 0; i < count; i++) {
    const at = Math.floor((nowMs - rnd() * days * 86_400_000) / 1000);
    const callId = objectId(`hist:${seed}:${i}`).slice(0, 20);
    const agent = pick(data.agents);
    const number = pick(numbers);
    const roll = rnd();
    const talk = 20 + Math.floor(rnd() * 300);
    const wait = Math.floor(rnd() * 40);
    if (roll < 0.6) {
      const queue = pick(data.queues);
      const answered = roll < 0.5;
      out.push({
        call_id: callId,
        caller: numberParty(number),
        callee: answered ? userParty(agent) : numberParty(data.org.did),
        class: 'trunking',
        did_number: data.org.did,
        direction: 'to_ab',
        status_detail: answered ? 'SUCCESS' : 'IVR',
        duration_seconds: wait + (answered ? talk : 0),
        unix_timestamp: at,
        billing_seconds: answered ? talk : 0,
        recording: answered ? recordingName(callId) : '',
        queue_stat: [
          queueStat({
            callId,
            queueId: queue.id,
            org: data.org.accountId,
            number,
            enteredS: at,
            waitS: wait,
            talkS: answered ? talk : 0,
            answeredBy: answered ? agent : undefined,
            missed: [],
            hungUpBy: rnd() < 0.5 ? 'agent' : 'caller',
          }),
        ],
      });
    } else if (roll < 0.9) {
      const status: HistoryRecord['status_detail'] = roll < 0.8 ? 'SUCCESS' : roll < 0.85 ? 'BUSY' : 'CANCELLED';
      const billed = status === 'SUCCESS' ? talk : 0;
      out.push({
        call_id: callId,
        caller: userParty(agent),
        callee: numberParty(number),
        class: 'trunking',
        did_number: null,
        direction: 'from_ab',
        status_detail: status,
        duration_seconds: billed + 8,
        unix_timestamp: at,
        billing_seconds: billed,
        recording: billed ? recordingName(callId) : '',
        queue_stat: [],
      });
    } else {
      const other = data.agents[(data.agents.indexOf(agent) + 1) % data.agents.length];
      out.push({
        call_id: callId,
        caller: userParty(agent),
        callee: userParty(other),
        class: 'one_one',
        did_number: null,
        direction: 'from_ab',
        status_detail: 'SUCCESS',
        duration_seconds: talk + 4,
        unix_timestamp: at,
        billing_seconds: talk,
        recording: '',
        queue_stat: [],
      });
    }
  }
  return out;
}
