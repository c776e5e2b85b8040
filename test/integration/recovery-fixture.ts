// The recovery tests' stack: the write-back stack (simulator + real bridge on its own DATA_DIR) with callbacks on
// against the simulator's AntBot calendar (§9.1 environment form), short delays, hours always open.

import { SIM_CALENDAR, SIM_CALENDAR_USER } from '../../src/simulator/antbot-calendar.js';
import type { Simulator } from '../../src/simulator/simulator.js';
import { startWritebackStack } from './writeback-fixture.js';

export function callbackEnv(sim: Simulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    CALLBACKS: 'on',
    CALLBACK_DELAY_S: '2',
    CALLBACK_HOURS: '00:00-24:00',
    ANTBOT_CALLBACK_CALENDAR: String(SIM_CALENDAR.id),
    ANTBOT_CALLBACK_CREATOR: String(SIM_CALENDAR_USER.id),
    CALLBACK_TRANSFER_TO: sim.data.org.did,
    ANTBOT_API_URL: sim.antbotUrl,
    ANTBOT_USERNAME: sim.credentials.antbotUsername,
    ANTBOT_PASSWORD: sim.credentials.antbotPassword,
    WEBHOOK_EVENTS: 'call.ringing,call.answered,call.ended,call.recovered',
    ...extra,
  };
}

/** The stack; `env` on top of callbackEnv (the simulator is started first, so env is a function of it). */
export async function startRecoveryStack(env: (sim: Simulator) => Record<string, string> = () => ({})) {
  return startWritebackStack({ envOf: (sim) => callbackEnv(sim, env(sim)) });
}
