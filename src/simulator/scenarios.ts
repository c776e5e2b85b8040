// The scenario engine: plays calls as Kazoo leg events (docs/call-model.md section 3) in the shapes real Kazoo
// sends (kazoo-shapes.ts), through an injected publish (the signal hub's), and moves the simulated agent statuses,
// queue counters and call history. The inbound scenarios: scenario-inbound.ts; here the outbound ones and the traffic.
import { numberParty, type StatusDetail, userParty } from './history.js';
import { newLegId } from './kazoo-payload.js';
import { billed, FAR_CAUSE, OUT_STATUS } from './scenario-core.js';
import { InboundScenarios } from './scenario-inbound.js';
import type { ClickToCall, DeskDialOut, FeatureCodeCall, InternalCall, ScenarioResult } from './scenario-types.js';
import { TrafficGenerator, type TrafficOptions } from './traffic.js';

export type { ScenarioEngineOptions } from './scenario-core.js';
export type { Timing } from './scenario-legs.js';
export * from './scenario-types.js';
export type { TrafficOptions } from './traffic.js';

export class ScenarioEngine extends InboundScenarios {
  private traffic?: TrafficGenerator;

  async clickToCall(c: ClickToCall): Promise<ScenarioResult> {
    const agent = this.agent(c.agent);
    return this.play(async (run, legs, dialect) => {
      const [a] = this.ring(
        run,
        c.via === 'openapi' ? legs.agentDeviceOpenApi(agent, c.number) : legs.agentDevice(agent, c.number),
        agent,
      );
      await run.wait(c.agentRingMs ?? this.timing.agentRingMs);
      run.answer(a);
      this.state.legAnswered(agent);
      await run.wait(this.timing.routeMs);
      const b = run.create(legs.customerOut(c.number), a.spec.callId);
      await run.wait(
        c.result === 'busy' || c.result === 'failed' ? this.timing.routeMs : (c.ringMs ?? this.timing.ringMs),
      );
      if (c.result === 'answered') {
        run.answer(b);
        run.bridge(b, a);
        await run.wait(c.talkMs ?? this.timing.talkMs);
      }
      if (c.result === 'answered') this.hangUp(run, dialect, [[b], [a, agent]], 'NORMAL_CLEARING');
      else {
        run.destroy(b, FAR_CAUSE[c.result]);
        this.end(run, a, agent, 'NORMAL_CLEARING');
      }
      this.history(run, {
        caller: userParty(agent),
        callee: numberParty(c.number),
        direction: 'from_ab',
        status: OUT_STATUS[c.result],
        leg: a,
        billing: billed(b),
        did: null,
      });
    });
  }

  async internalCall(c: InternalCall): Promise<ScenarioResult> {
    const x = this.agent(c.from);
    const y = this.agent(c.to);
    const result = c.result ?? 'answered';
    return this.play(async (run, legs, dialect) => {
      const [xl] = this.ring(run, legs.internalCaller(x, y, this.draw.createName(x.device.sipUser)), x);
      await run.wait(this.timing.routeMs);
      const [yl] = this.ring(
        run,
        legs.internalCallee(x, y),
        y,
        xl,
        result === 'answered' ? this.draw.link() : 'create',
      );
      await run.wait(result === 'busy' ? this.timing.routeMs : (c.ringMs ?? this.timing.ringMs));
      if (result === 'answered') {
        run.answer(yl);
        this.state.legAnswered(y);
        run.markAnswered(xl);
        this.state.legAnswered(x);
        run.bridge(yl, xl);
        await run.wait(c.talkMs ?? this.timing.talkMs);
        this.hangUp(
          run,
          dialect,
          [
            [xl, x],
            [yl, y],
          ],
          'NORMAL_CLEARING',
        );
      } else {
        this.end(run, yl, y, result === 'busy' ? 'USER_BUSY' : 'NO_ANSWER');
        this.end(run, xl, x, 'NORMAL_CLEARING');
      }
      const status: StatusDetail = result === 'answered' ? 'SUCCESS' : result === 'busy' ? 'BUSY' : 'CANCELLED';
      this.history(run, {
        caller: userParty(x),
        callee: userParty(y),
        direction: 'from_ab',
        status,
        leg: xl,
        billing: billed(yl),
        did: null,
        internal: true,
      });
    });
  }

  /** The agent dials out from the desk phone (issue 9 item 1): A (agent, inbound) first, then the carrier leg B. */
  async deskDialOut(c: DeskDialOut): Promise<ScenarioResult> {
    const agent = this.agent(c.agent);
    const seen = c.carrierLegSeen !== false;
    return this.play(async (run, legs, dialect, hide) => {
      const [a] = this.ring(run, legs.deskOut(agent, c.number, this.draw.createName(agent.device.sipUser)), agent);
      await run.wait(this.timing.routeMs);
      const bId = newLegId();
      if (!seen) hide(bId);
      const b = run.create({ ...legs.customerOut(c.number), callId: bId }, a.spec.callId);
      await run.wait(
        c.result === 'busy' || c.result === 'failed' ? this.timing.routeMs : (c.ringMs ?? this.timing.ringMs),
      );
      if (c.result === 'answered') {
        run.answer(b);
        run.answer(a); // FreeSWITCH answers the calling device's leg when the far end answers
        this.state.legAnswered(agent);
        run.bridge(a, b);
        await run.wait(c.talkMs ?? this.timing.talkMs);
        this.hangUp(run, dialect, c.hangupBy === 'customer' ? [[b], [a, agent]] : [[a, agent], [b]], 'NORMAL_CLEARING');
      } else {
        const cause = c.result === 'missed' ? 'ORIGINATOR_CANCEL' : FAR_CAUSE[c.result];
        run.destroy(b, cause);
        this.end(run, a, agent, cause);
      }
      this.history(run, {
        caller: userParty(agent),
        callee: numberParty(c.number),
        direction: 'from_ab',
        status: OUT_STATUS[c.result],
        leg: a,
        billing: billed(a),
        did: null,
      });
    });
  }

  /** The agent dials a feature code (`To: *97@realm`): one leg, answered by the switch (voicemail, park…). */
  async featureCode(c: FeatureCodeCall): Promise<ScenarioResult> {
    const agent = this.agent(c.agent);
    return this.play(async (run, legs) => {
      const [a] = this.ring(run, legs.deskOut(agent, c.code ?? '*97'), agent);
      await run.wait(this.timing.routeMs);
      run.answer(a);
      await run.wait(c.talkMs ?? Math.min(this.timing.talkMs, 8_000));
      this.end(run, a, agent, 'NORMAL_CLEARING');
    });
  }

  startTraffic(opts: TrafficOptions): void {
    this.stopTraffic();
    const o: TrafficOptions = { ready: this.o.trafficReady, clock: this.o.trafficClock, ...opts };
    this.traffic = new TrafficGenerator(this, this.data, this.state, o, this.o.random ?? Math.random, this.o.onError);
    this.traffic.start();
  }

  stopTraffic(): void {
    this.traffic?.stop();
    this.traffic = undefined;
  }

  get trafficRunning(): boolean {
    return this.traffic !== undefined;
  }

  stats(): ScenarioEngine['counts'] & { traffic: boolean } {
    return { ...this.counts, traffic: this.trafficRunning };
  }

  /** Stops the traffic and every running scenario (their promises reject with ScenarioAbortedError). Idempotent. */
  override close(): void {
    this.stopTraffic();
    super.close();
  }
}
