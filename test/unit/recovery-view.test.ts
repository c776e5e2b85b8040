// What clients see of recoveries (§9.3): `recovery` on the missed call's views, `recovers` (and `callback: true` for
// AntBot's callback) on a call from or to the number from its first view and after it recovered them, and the
// dashboard figures for the tenant's calendar day.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type CallbacksOn, callbacksSchema } from '../../src/recovery/config.js';
import { due, missedCall, personReached } from '../../src/recovery/model.js';
import type { Recovery } from '../../src/recovery/types.js';
import { recoversFields, recoveryFigures, recoveryView } from '../../src/recovery/view.js';

const vn = (local: string) => Date.parse(`${local}+07:00`);
const VN = 'Asia/Ho_Chi_Minh';
const cfg = callbacksSchema().parse({
  enabled: true,
  calendar: 7,
  creator: 115,
  transferTo: '02873019555',
}) as CallbacksOn;

function open(callId: string, from: string, at: number): Recovery {
  const r = missedCall(
    undefined,
    { tenant: 'acme', callId, from, startedAt: at, endedAt: at + 20_000, onDnc: false },
    cfg,
  );
  if (r.kind !== 'opened') throw new Error(r.kind);
  return r.recovery;
}
function scheduled(r: Recovery): Recovery {
  const d = due(r, r.dueAt!, cfg);
  if (d.kind !== 'call') throw new Error(d.kind);
  return d.recovery;
}
function recovered(
  r: Recovery,
  callId: string,
  minutesAfterOpen: number,
  direction: 'inbound' | 'outbound' = 'outbound',
) {
  const at = r.openedAt + minutesAfterOpen * 60_000;
  return personReached(r, { callId, direction, number: r.number, startedAt: at - 5000, answeredAt: at })!;
}

test('recoveryView: status, attempts and dueAt while active; by, recoveredAt, recoveredCallId once recovered', () => {
  const r = open('c1', '0934890883', vn('2026-12-07T10:42'));
  assert.equal(recoveryView(r), { status: 'open', attempts: 0, dueAt: '2026-12-07T03:47:20.000Z' });
  const s = scheduled(r);
  assert.equal(recoveryView(s), { status: 'scheduled', attempts: 1 });
  const done = recovered(s, 'o1', 7);
  assert.equal(recoveryView(done), {
    status: 'recovered',
    by: 'outbound',
    recoveredAt: '2026-12-07T03:49:20.000Z',
    recoveredCallId: 'o1',
    attempts: 1,
  });
});

test('recoversFields: any call from or to the number while active; callback: true for the callback from ringing', () => {
  const r = open('c1', '0934890883', vn('2026-12-07T10:42'));
  const j = missedCall(
    r,
    {
      tenant: 'acme',
      callId: 'c2',
      from: '0934890883',
      startedAt: vn('2026-12-07T10:44'),
      endedAt: vn('2026-12-07T10:45'),
      onDnc: false,
    },
    cfg,
  );
  const both = j.kind === 'joined' ? j.recovery : r;
  const out = {
    callId: 'o1',
    direction: 'outbound' as const,
    number: '+84 934 890 883',
    startedAt: vn('2026-12-07T10:46'),
  };
  assert.equal(recoversFields([both], out), { recovers: ['c1', 'c2'] });
  assert.equal(recoversFields([both], { ...out, callId: 'c2' }), {}, 'not on the missed calls themselves');
  assert.equal(recoversFields([both], { ...out, number: '0912000001' }), {});
  assert.equal(recoversFields([both], { ...out, number: '1001' }), {});

  const s = scheduled(both);
  const cb = {
    callId: 'cb1',
    direction: 'inbound' as const,
    number: '0934890883',
    dialled: ['02873019555'],
    startedAt: s.attempt!.at + 30_000,
  };
  assert.equal(recoversFields([s], cb), { recovers: ['c1', 'c2'], callback: true }, 'from its first (ringing) view');
  const done = personReached(s, { ...cb, answeredAt: cb.startedAt + 8000 })!;
  assert.equal(recoversFields([done], cb), { recovers: ['c1', 'c2'], callback: true }, 'its later views keep them');
  assert.equal(recoversFields([done], { ...out, callId: 'o9' }), {}, 'another call after recovery: nothing');
  const byOut = recovered(both, 'o1', 3);
  assert.equal(recoversFields([byOut], out), { recovers: ['c1', 'c2'] });
});

test('recoveryFigures: today in the tenant zone; open/scheduled now; recovered/unreached today; median minutes', () => {
  const now = vn('2026-12-08T09:00');
  const yesterday = open('y1', '0912345678', vn('2026-12-07T23:50')); // ended 23:50:20 local yesterday
  const a = recovered(open('a1', '0934890883', vn('2026-12-08T00:10')), 'oa', 4);
  const b = recovered(open('b1', '0934890884', vn('2026-12-08T07:00')), 'ob', 10, 'inbound');
  const c = recovered(open('c1', '0934890885', vn('2026-12-08T07:30')), 'oc', 30);
  const o = open('o1', '0934890886', vn('2026-12-08T08:50'));
  const s = scheduled(open('s1', '0934890887', vn('2026-12-08T08:10')));
  const u: Recovery = {
    ...scheduled(open('u1', '0934890888', vn('2026-12-08T08:00'))),
    status: 'unreached',
    closedAt: vn('2026-12-08T08:40'),
  };
  const uOld: Recovery = {
    ...u,
    id: 'u0',
    missed: [{ ...u.missed[0], callId: 'u0', endedAt: vn('2026-12-07T12:00') }],
    closedAt: vn('2026-12-07T13:00'),
  };
  assert.equal(recoveryFigures([yesterday, a, b, c, o, s, u, uOld], now, VN), {
    missedToday: 6,
    recovered: 3,
    open: 2,
    scheduled: 1,
    unreached: 1,
    medianMinutesToRecover: 10,
  });
  // The day is the tenant's: at 01:00 on the 8th in Vietnam (18:00Z on the 7th), the 23:50 miss was yesterday.
  const early = vn('2026-12-08T01:00');
  assert.is(recoveryFigures([yesterday, a], early, VN).missedToday, 1);
  assert.is(recoveryFigures([yesterday, a], early, 'UTC').missedToday, 2);
  assert.equal(recoveryFigures([], now, VN), {
    missedToday: 0,
    recovered: 0,
    open: 0,
    scheduled: 0,
    unreached: 0,
    medianMinutesToRecover: null,
  });
  assert.is(recoveryFigures([a, b], now, VN).medianMinutesToRecover, 7);
});

test.run();
