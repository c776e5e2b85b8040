// The customer-calls-in scenarios (docs/call-model.md section 3): a queue call ringing 1 to 3 agents (answered by
// one, or abandoned) and a direct call to one agent (answered, missed, busy). scenarios.ts adds the outbound ones.
import { CallRun } from './call-run.js';
import { queuesOfAgent } from './data.js';
import { numberParty, queueStat, type StatusDetail, userParty } from './history.js';
import { billed, ScenarioCore } from './scenario-core.js';
import { type DirectCall, type InboundQueueCall, ScenarioError, type ScenarioResult } from './scenario-types.js';

export class InboundScenarios extends ScenarioCore {
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
}
