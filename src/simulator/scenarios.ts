// The scenario engine: plays calls as Kazoo leg events (docs/call-model.md section 3) in the shapes real Kazoo
// sends (kazoo-shapes.ts), through an injected publish (the signal hub's), and moves the simulated agent statuses,
// queue counters and call history.
import { CallRun } from './call-run.js';
import { queuesOfAgent } from './data.js';
import { numberParty, queueStat, type StatusDetail, userParty } from './history.js';
import { newLegId } from './kazoo-payload.js';
import { billed, FAR_CAUSE, OUT_STATUS, ScenarioCore } from './scenario-core.js';
import {
  type ClickToCall,
  type DeskDialOut,
  type DirectCall,
  type FeatureCodeCall,
  type InboundQueueCall,
  type InternalCall,
  ScenarioError,
  type ScenarioResult,
} from './scenario-types.js';
import { TrafficGenerator, type TrafficOptions } from './traffic.js';

export type { ScenarioEngineOptions } from './scenario-core.js';
export type { Timing } from './scenario-legs.js';
export * from './scenario-types.js';
export type { TrafficOptions } from './traffic.js';

export class ScenarioEngine extends ScenarioCore {
  private traffic?: TrafficGenerator;

  async inboundQueueCall(c: InboundQueueCall): Promise<ScenarioResult> {
    const agents = c.agents.map((u) => this.agent(u));
    const abandon = c.abandon === true || c.answeredBy === null;
    if (agents.length > 3 || (!agents.length && !abandon))
      throw new ScenarioError('an inbound queue call rings 1 to 3 agents');
    const winner = abandon ? undefined : this.agent(c.answeredBy ?? c.agents[0]);
    if (winner && !agents.includes(winner)) throw new ScenarioError(`${winner.username} is not among the agents rung`);
    const queue = c.queueId
      ? this.data.queues.find((q) => q.id === c.queueId)
      : (agents[0] && queuesOfAgent(this.data, agents[0].userId)[0]) || this.data.queues[0];
    if (!queue) throw new ScenarioError(`unknown queue ${c.queueId}`);
    const named = c.customerName !== undefined && c.customerName !== c.customer;
    const createName = named ? this.draw.createName(undefined) : undefined;
    return this.play(async (run, legs, dialect) => {
      const cust = run.create(legs.customerIn(c.customer, c.customerName, createName));
      await run.wait(c.ivrMs ?? this.timing.ivrMs);
      run.answer(cust);
      const entered = run.at;
      this.state.queueEntered({
        callId: cust.spec.callId,
        queueId: queue.id,
        number: c.customer,
        name: c.customerName ?? c.customer,
        enteredAt: entered,
      });
      await run.wait(c.queueMs ?? this.timing.queueMs);
      const rung = agents.map((a) =>
        this.ring(
          run,
          legs.agentOut(a, c.customer, queue.id, c.customerName, createName),
          a,
          cust,
          a === winner ? this.draw.link() : 'create',
        ),
      );
      await run.wait(c.ringMs ?? this.timing.ringMs);
      const stat = {
        callId: cust.spec.callId,
        queueId: queue.id,
        org: this.data.org.accountId,
        number: c.customer,
        enteredS: Math.floor(entered / 1000),
      };
      if (!winner) {
        run.destroy(cust, 'ORIGINATOR_CANCEL');
        this.state.queueLeft(cust.spec.callId, false, run.at);
        for (const [leg, a] of rung) this.end(run, leg, a, 'ORIGINATOR_CANCEL');
        const waitS = CallRun.seconds(entered, run.at);
        this.history(run, {
          caller: numberParty(c.customer),
          callee: numberParty(this.data.org.did),
          direction: 'to_ab',
          status: 'IVR',
          leg: cust,
          queueStat: [queueStat({ ...stat, waitS, talkS: 0, missed: agents })],
        });
        return;
      }
      const [won] = rung.find(([, a]) => a === winner)!;
      run.answer(won);
      this.state.legAnswered(winner);
      this.state.queueLeft(cust.spec.callId, true, run.at);
      const waitS = CallRun.seconds(entered, run.at);
      run.bridge(won, cust);
      for (const [leg, a] of rung) if (a !== winner) this.end(run, leg, a, 'LOSE_RACE');
      await run.wait(c.talkMs ?? this.timing.talkMs);
      this.hangUp(
        run,
        dialect,
        c.hangupBy === 'agent' ? [[won, winner], [cust]] : [[cust], [won, winner]],
        'NORMAL_CLEARING',
      );
      const talkS = CallRun.seconds(won.answeredAt!, run.at);
      this.state.queueTalked(queue.id, talkS);
      this.history(run, {
        caller: numberParty(c.customer),
        callee: userParty(winner),
        direction: 'to_ab',
        status: 'SUCCESS',
        leg: cust,
        billing: talkS,
        queueStat: [
          queueStat({
            ...stat,
            waitS,
            talkS,
            answeredBy: winner,
            missed: agents.filter((a) => a !== winner),
            hungUpBy: c.hangupBy === 'agent' ? 'agent' : 'caller',
          }),
        ],
      });
    });
  }

  async directCall(c: DirectCall): Promise<ScenarioResult> {
    const agent = this.agent(c.agent);
    return this.play(async (run, legs, dialect) => {
      const cust = run.create(legs.customerIn(c.customer));
      await run.wait(this.timing.routeMs);
      const [leg] = this.ring(
        run,
        legs.agentOut(agent, c.customer),
        agent,
        cust,
        c.result === 'answered' ? this.draw.link() : 'create',
      );
      if (c.result === 'busy') {
        await run.wait(Math.min(this.timing.routeMs, c.ringMs ?? this.timing.ringMs));
        this.end(run, leg, agent, 'USER_BUSY');
      } else {
        await run.wait(c.ringMs ?? this.timing.ringMs);
        if (c.result === 'missed') this.end(run, leg, agent, 'NO_ANSWER');
      }
      if (c.result === 'answered') {
        run.answer(leg);
        this.state.legAnswered(agent);
        run.markAnswered(cust);
        run.bridge(leg, cust);
        await run.wait(c.talkMs ?? this.timing.talkMs);
        this.hangUp(run, dialect, [[cust], [leg, agent]], 'NORMAL_CLEARING');
      } else run.destroy(cust, 'NORMAL_CLEARING');
      const status: StatusDetail = c.result === 'answered' ? 'SUCCESS' : c.result === 'busy' ? 'BUSY' : 'IVR';
      this.history(run, {
        caller: numberParty(c.customer),
        callee: userParty(agent),
        direction: 'to_ab',
        status,
        leg: cust,
        billing: billed(leg),
      });
    });
  }

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
