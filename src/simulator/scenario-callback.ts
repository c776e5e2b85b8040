// AntBot's callback as the simulated AntRing plays it (issue 18 item 4): a fired alarm makes Alice call the customer;
// when the customer answers, Alice transfers the call to `phonenumber_transfer`, which rings agents there: for the
// bridge, an inbound call from the customer's number to the transfer number (the org's DID: its first queue's
// agents; an extension: that agent). The alarm's report row says how Alice's call ended (ANSWER once transferred).
import type { AlarmHook, SimAlarm, SimCallbackResult } from './antbot-calendar.js';
import { queuesOfAgent, type SimData } from './data.js';
import type { ScenarioEngine } from './scenarios.js';

export interface AlarmCallbackOptions {
  scenarios: Pick<ScenarioEngine, 'inboundQueueCall'>;
  data: SimData;
  /** Who answers the transferred call (default: the first agent rung); null: nobody (the customer hangs up). */
  answeredBy?: (alarm: SimAlarm) => string | null | undefined;
  onError?: (err: unknown) => void;
}

const digits = (s: string) => s.replace(/[^0-9]/g, '');

/** The agents the transfer number rings: an agent's extension, else the DID's first queue (up to 3 agents). */
function target(data: SimData, transfer: string): { agents: string[]; queueId?: string } {
  const ext = data.agents.find((a) => a.ext.some((e) => digits(e) === digits(transfer)));
  if (ext) return { agents: [ext.username], queueId: queuesOfAgent(data, ext.userId)[0]?.id };
  const queue = data.queues[0];
  const agents = data.agents.filter((a) => queue?.agents.includes(a.userId)).map((a) => a.username);
  return { agents: agents.slice(0, 3), ...(queue ? { queueId: queue.id } : {}) };
}

/** The hook for antbot.calendar.onAlarm. A scripted non-answer: no transfer (Alice's call ended that way). */
export function alarmCallbacks(o: AlarmCallbackOptions): AlarmHook {
  return async (alarm, scripted): Promise<SimCallbackResult> => {
    if (scripted && scripted.disposition !== 'ANSWER') return scripted;
    const t = target(o.data, alarm.phonenumber_transfer ?? o.data.org.did);
    if (!t.agents.length) return { disposition: 'ANSWER', hangup_cause: 'NORMAL_CLEARING' };
    const answeredBy = o.answeredBy?.(alarm);
    // Placed now, played in the background: the report row is written when Alice's part ends (the transfer).
    o.scenarios
      .inboundQueueCall({
        customer: alarm.alarm_phonenumber,
        agents: t.agents,
        ...(t.queueId ? { queueId: t.queueId } : {}),
        ...(answeredBy !== undefined ? { answeredBy } : {}),
      })
      .catch((err: unknown) => o.onError?.(err));
    return scripted ?? { disposition: 'ANSWER' };
  };
}
