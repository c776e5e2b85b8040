// Rendezvous (HRW) bounded-load assignment of tenants to upstream holders (contract §8.5).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assignHolders, holdersCap } from '../../src/tenants/hrw.js';

const test = suite('tenants-hrw');

const ids = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => `${prefix}${(i * 2654435761).toString(16).padStart(8, '0')}${i}`);
const tenants200 = ids(200, 't');
const nodes = (n: number) => ids(n, 'node-');

function loads(a: Map<string, string[]>): Map<string, number> {
  const l = new Map<string, number>();
  for (const hs of a.values()) for (const h of hs) l.set(h, (l.get(h) ?? 0) + 1);
  return l;
}

/** Share of (tenant, holder) slots of `before` that are not in `after`. */
function movedShare(before: Map<string, string[]>, after: Map<string, string[]>): number {
  let slots = 0;
  let moved = 0;
  for (const [t, hs] of before) {
    for (const h of hs) {
      slots++;
      if (!after.get(t)?.includes(h)) moved++;
    }
  }
  return moved / slots;
}

test('every node computes the same answer, whatever order it sees the ids in', () => {
  const a = assignHolders(tenants200, nodes(5), 2);
  const b = assignHolders([...tenants200].reverse(), [...nodes(5)].reverse(), 2);
  assert.equal([...a.entries()].sort(), [...b.entries()].sort());
});

test('every tenant has k distinct holders; no node over ceil(k×T/N)+1', () => {
  for (const [t, n, k] of [
    [6, 3, 2],
    [200, 5, 2],
    [200, 7, 3],
    [10, 4, 1],
    [37, 6, 2],
  ] as const) {
    const a = assignHolders(tenants200.slice(0, t), nodes(n), k);
    for (const hs of a.values()) {
      assert.is(hs.length, k);
      assert.is(new Set(hs).size, k);
    }
    const cap = Math.ceil((k * t) / n) + 1;
    assert.is(holdersCap(t, n, k), cap);
    for (const [node, l] of loads(a)) assert.ok(l <= cap, `${node} holds ${l} > ${cap} (${t}/${n}/${k})`);
  }
});

test('more holders asked than nodes: every node holds every tenant; no node: no holder', () => {
  const a = assignHolders(['x', 'y'], ['n1'], 2);
  assert.equal(a.get('x'), ['n1']);
  assert.equal(a.get('y'), ['n1']);
  assert.equal(assignHolders(['x'], [], 2).get('x'), []);
});

test('a node that joins takes about its share and moves little else', () => {
  const before = assignHolders(tenants200, nodes(4), 2);
  const after = assignHolders(tenants200, nodes(5), 2);
  const share = movedShare(before, after);
  const joiner = nodes(5)[4];
  const taken = loads(after).get(joiner) ?? 0;
  // Ideal: 1/5 of the 400 slots move, all to the joiner (80).
  assert.ok(taken >= 60 && taken <= 81, `the joiner holds ${taken}`);
  // Measured: 0.228. Plain modulo placement would move ~0.8; a bound of 1.25 × ideal says "only its share".
  assert.ok(share <= 0.25, `moved share ${share.toFixed(3)} (ideal 0.2)`);
});

test('a node that leaves moves only about its share', () => {
  const before = assignHolders(tenants200, nodes(5), 2);
  const leaver = nodes(5)[2];
  const after = assignHolders(
    tenants200,
    nodes(5).filter((n) => n !== leaver),
    2,
  );
  const own = loads(before).get(leaver) ?? 0;
  const share = movedShare(before, after);
  // Its own slots (~1/5) must move; the rest should mostly stay.
  assert.ok(share >= own / 400, 'its own slots moved');
  assert.ok(share <= 1.25 * (own / 400), `moved share ${share.toFixed(3)} (ideal ${(own / 400).toFixed(3)})`);
  for (const hs of after.values()) assert.not.ok(hs.includes(leaver));
});

test('plain spread of 6 tenants over 3 nodes with 2 holders (the cluster test figure)', () => {
  const a = assignHolders(ids(6, 'acct'), nodes(3), 2);
  for (const l of loads(a).values()) assert.ok(l <= Math.ceil((2 * 6) / 3) + 1);
});

test.run();
