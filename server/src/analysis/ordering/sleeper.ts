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
import { eventsOf } from './docIndex';
import { dependsOnOrdering, type Ev } from './events';
import { STOP_PATH, walkEventsBack } from './search';
import type { OrderingContext, OrderingUnit } from './types';

export interface SleeperHit {
  /** The plain store of a sleeping task state. */
  state: Ev;
  /** The nearest load of the wait condition before the sleep. */
  test: Ev;
  /** The call that sleeps until woken. */
  sleep: Ev;
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

  /** Walking back from the sleep: the nearest load is the condition's test; a plain sleeping-state store after it is the hit. */
  function plainStateBefore(sleep: Ev): { state: Ev; test: Ev } | undefined {
    return walkEventsBack<Ev | null, { state: Ev; test: Ev }>(
      ue,
      sleep,
      null,
      (test) => String(test?.id ?? -1),
      (e, test) => {
        switch (e.kind) {
          case 'load':
            if (e.ordering === 'full') return STOP_PATH;
            return { go: e.loc && !e.perCpu ? e : test };
          case 'store':
          case 'rmw':
          case 'fence':
            return e.ordering === 'full' ? STOP_PATH : { go: test };
          case 'call': {
            const spec = e.api ? cat.api(e.api) : undefined;
            const arg = spec?.taskState === 'plain' && e.op.kind === 'call' ? e.op.args[0]?.text.replace(/\s+/g, '') : undefined;
            if (test && arg && !running.has(arg)) return { found: { state: e, test } };
            // the state set here ends this wait's way back; any other call may hold a barrier: unknown
            return STOP_PATH;
          }
          default:
            // a lock or section edge: the condition may be tested under the waker's lock
            return STOP_PATH;
        }
      },
    );
  }
}
