/**
 * The sleeper side of a sleep/wake-up: the task state must be set with a
 * full barrier before the lockless test of the wait condition that decides
 * whether to sleep (the waker side is waker.ts):
 *
 *   sleeper                                   waker
 *   set_current_state(TASK_UNINTERRUPTIBLE);  WRITE_ONCE(obj->done, 1);
 *   if (READ_ONCE(obj->done))                 wake_up_process(task);  // full barrier, then
 *           break;                                                    // reads the task's state
 *   schedule();
 *
 * With a plain store of the state (catalog `taskState: 'plain'`,
 * `__set_current_state()`), the test can be satisfied before the state is
 * visible: the sleeper reads the old condition, the waker still sees the
 * task running and does not wake it, and schedule() sleeps on (store
 * buffering; tools/memory-model/Documentation/explanation.txt, SB).
 *
 * For each call that sleeps until woken (catalog `waitsForWakeup`), this
 * walks backwards over every path: loads of shared memory on the way are the
 * condition's test; a full barrier or a fully ordered access means ordered;
 * a plain task-state store of a sleeping state found after at least one
 * load is the hit; a lock or section edge, a call the analysis cannot see
 * into, code the hunks do not show, another sleep, or the function's entry
 * leave it unknown and nothing is reported.
 */
import type { CfgNode } from '../../c/cfg';
import { eventsOf } from './docIndex';
import { dependsOnOrdering, type Ev } from './events';
import type { OrderingContext, OrderingUnit } from './types';

export interface SleeperHit {
  /** The plain store of a sleeping task state. */
  state: Ev;
  /** The nearest load of the wait condition before the sleep. */
  test: Ev;
  /** The call that sleeps until woken. */
  sleep: Ev;
}

interface Walk {
  node: CfgNode;
  i: number;
  test: Ev | null;
}

const cache = new WeakMap<OrderingUnit, SleeperHit[]>();

/** Every sleep of the unit whose lockless condition test is not ordered after a plain task-state store. */
export function sleeperHits(unit: OrderingUnit, ctx: OrderingContext): SleeperHit[] {
  // the events read the document's ordering facts (macros, full-fence helpers): the rule cache keys on them
  dependsOnOrdering(ctx, unit);
  const hit = cache.get(unit);
  if (hit) return hit;
  const cat = ctx.catalog;
  const ue = eventsOf(unit, ctx);
  const out: SleeperHit[] = [];
  const running = new Set(cat.runningStates());
  for (const sleep of ue.all) {
    if (sleep.kind !== 'call' || !sleep.api || !cat.api(sleep.api)?.waitsForWakeup) continue;
    const found = plainStateBefore(sleep);
    if (found) out.push({ ...found, sleep });
  }
  cache.set(unit, out);
  return out;

  function plainStateBefore(sleep: Ev): { state: Ev; test: Ev } | undefined {
    const visited = new Set<string>();
    const stack: Walk[] = [{ node: sleep.node, i: ue.byNode[sleep.node.id].indexOf(sleep) - 1, test: null }];
    let budget = 5000;
    while (stack.length && budget-- > 0) {
      const w = stack.pop()!;
      let test = w.test;
      const evs = ue.byNode[w.node.id];
      let stopped = w.node.role === 'gap';
      for (let k = w.i; k >= 0 && !stopped; k--) {
        const e = evs[k];
        switch (e.kind) {
          case 'load':
            if (e.loc && !e.perCpu && e.ordering !== 'full') test = e;
            else if (e.ordering === 'full') stopped = true;
            break;
          case 'store':
          case 'rmw':
          case 'fence':
            if (e.ordering === 'full') stopped = true;
            break;
          case 'call': {
            const spec = e.api ? cat.api(e.api) : undefined;
            if (spec?.taskState === 'plain') {
              const arg = e.op.kind === 'call' ? e.op.args[0]?.text.replace(/\s+/g, '') : undefined;
              if (test && arg && !running.has(arg)) return { state: e, test };
            }
            // the state set here ends this wait's way back; anything else may hold a barrier: unknown
            stopped = true;
            break;
          }
          default:
            // a lock or section edge: the condition may be tested under the waker's lock
            stopped = true;
        }
      }
      if (stopped || w.node === ue.unit.cfg.entry) continue;
      for (const edge of w.node.preds) {
        const vk = `${edge.from.id}|${test?.id ?? -1}`;
        if (visited.has(vk)) continue;
        visited.add(vk);
        stack.push({ node: edge.from, i: ue.byNode[edge.from.id].length - 1, test });
      }
    }
    return undefined;
  }
}
