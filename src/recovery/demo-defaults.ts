// Demo mode's callbacks (issue 18 item 5): on, against the simulator's AntBot calendar, transferring to the demo
// org's hotline, a short delay so a newcomer sees a missed call recovered within minutes, any time of day.
import { SIM_CALENDAR, SIM_CALENDAR_USER } from '../simulator/antbot-calendar.js';
import { DID } from '../simulator/data.js';

export const DEMO_CALLBACK_DEFAULTS = {
  delaySec: '30',
  hours: '00:00-24:00',
  calendar: String(SIM_CALENDAR.id),
  creator: String(SIM_CALENDAR_USER.id),
  transferTo: DID,
} as const;
