/**
 * The waker side of a sleep/wake-up protocol (OrderingFacts protocols with
 * `conditionStore`): a lockless test for sleepers (waitqueue_active(),
 * wake_up_bit(), wake_up_var()) must come after the store that makes the
 * sleeper's condition true, with a full barrier in between:
 *
 *   waker                                 sleeper
 *   WRITE_ONCE(obj->done, 1);             prepare_to_wait(&obj->wq, ...);  // smp_mb()
 *   smp_mb();                             if (READ_ONCE(obj->done)) break;
 *   if (waitqueue_active(&obj->wq))       schedule();
 *           wake_up(&obj->wq);
 *
 * For each such test this walks backwards over every path to the nearest
 * event that decides: a full barrier (or an unordered RMW followed by
 * smp_mb__after_atomic(), or smp_mb__before_atomic() followed by one) means
 * ordered; a store (plain or marked, not a racy hint, not per-CPU) is the
 * condition store, unordered; a lock or section edge, a call the analysis
 * cannot see into, code the hunks do not show, or the function's entry
 * leave it unknown and nothing is reported. Holding the wait queue's own
 * lock, or one lock across both the store and the test, is safe.
 */
import type { SbProtocol } from '../../catalog';
import { lockHeldAt, stripOuter, type Ev, type UnitEvents } from './events';
import { callersHoldLock, eventsOf } from './docIndex';
import { isRacyUpdate, STOP_PATH, walkEventsBack } from './search';
import type { OrderingContext, OrderingUnit } from './types';
import { replay, withDeps, type DepRecord } from '../deps';
import { dependsOnOrdering } from './events';

export interface WakerHit {
  protocol: SbProtocol;
  /** The lockless sleeper test. */
  check: Ev;
  /** The condition store. */
  store: Ev;
  /** A weak or misused barrier between them (smp_wmb(), smp_mb__after_atomic() after a plain store...). */
  weak?: Ev;
}

/** A path's state, walking back from the test: the first weak barrier met, a pending smp_mb__after_atomic(), an RMW passed. */
interface WalkState {
  weak: Ev | null;
  afterAtomic: Ev | null;
  rmwSeen: boolean;
}

/** The lock of the wait queue an argument names: `&obj->wq` -> `obj->wq.lock`, `wq` -> `wq->lock`. */
function queueLock(arg: string, field: string): string {
  const t = arg.replace(/\s+/g, '');
  return t.startsWith('&') ? `${stripOuter(t)}.${field}` : `${stripOuter(t)}->${field}`;
}

/** Is the store to the checked location itself (or inside it): `x->count` for wake_up_var(&x->count)? */
function storesArgument(store: Ev, check: Ev): boolean {
  const a = check.target;
  const t = store.target;
  if (!a || !t) return false;
  return t === a || t.startsWith(`${a}.`) || t.startsWith(`${a}->`);
}

/** The nearest unordered condition store before `check` on some path, or undefined (ordered or unknown on every path). */
function conditionStore(ue: UnitEvents, check: Ev, toArgument: boolean): { store: Ev; weak?: Ev } | undefined {
  const weakened = (s: WalkState, e: Ev): WalkState => (s.weak ? s : { ...s, weak: e });
  return walkEventsBack<WalkState, { store: Ev; weak?: Ev }>(
    ue,
    check,
    { weak: null, afterAtomic: null, rmwSeen: false },
    (s) => `${s.weak?.id ?? -1}|${s.afterAtomic?.id ?? -1}|${s.rmwSeen ? 1 : 0}`,
    (e, s) => {
      switch (e.kind) {
        case 'fence':
          if (e.ordering === 'full') return STOP_PATH;
          if (e.ordering === 'after-atomic') return { go: s.afterAtomic ? s : { ...s, afterAtomic: e } };
          // smp_mb__before_atomic() orders what precedes it with the RMW after it, and that RMW with the test
          if (e.ordering === 'before-atomic') return s.rmwSeen ? STOP_PATH : { go: weakened(s, e) };
          return { go: weakened(s, e) };
        case 'store':
        case 'rmw':
          if (e.ordering === 'full') return STOP_PATH;
          if (e.kind === 'rmw' && s.afterAtomic) return STOP_PATH; // RMW; smp_mb__after_atomic(): full
          if (e.perCpu || isRacyUpdate(ue, e) || (toArgument && !storesArgument(e, check))) return { go: e.kind === 'rmw' && !s.rmwSeen ? { ...s, rmwSeen: true } : s };
          return { found: { store: e, weak: (s.weak ?? s.afterAtomic) || undefined } };
        case 'load':
          return { go: s };
        default:
          // a lock or section edge, or a call the analysis cannot see into: unknown
          return STOP_PATH;
      }
    },
  );
}

const cache = new WeakMap<OrderingUnit, { hits: WakerHit[]; deps: DepRecord }>();

/** Every lockless sleeper test of the unit whose condition store is not ordered before it. */
export function wakerHits(unit: OrderingUnit, ctx: OrderingContext): WakerHit[] {
  dependsOnOrdering(ctx, unit);
  const hit = cache.get(unit);
  if (hit) {
    replay(hit.deps); // what finding them read (the callers, when it asked)
    return hit.hits;
  }
  const out: WakerHit[] = [];
  // set first (a recursive ask gets the list being filled), as document-wide until it is done
  const entry = { hits: out, deps: { document: true, queries: new Map() } as DepRecord };
  cache.set(unit, entry);
  entry.deps = withDeps(() => computeWakerHits(unit, ctx, out)).deps;
  return out;
}

function computeWakerHits(unit: OrderingUnit, ctx: OrderingContext, out: WakerHit[]): WakerHit[] {
  const ue = eventsOf(unit, ctx);
  for (const check of ue.all) {
    if (check.kind !== 'load' || !check.loc || check.ordering !== 'none') continue;
    const protocol = ctx.catalog.protocolWith(check.loc);
    if (!protocol?.conditionStore || !protocol.b.includes(check.loc)) continue;
    // under the wait queue's own lock: safe
    const arg = check.op.kind === 'call' ? check.op.args[0]?.text : undefined;
    if (arg && protocol.lockField && ue.held[check.id]?.has(queueLock(arg, protocol.lockField))) continue;
    const c = conditionStore(ue, check, !!protocol.storeToArgument?.includes(check.loc));
    if (!c) continue;
    // every caller holds a lock across the whole function: the sleeper takes it too
    if (callersHoldLock(ctx, unit)) continue;
    // one lock held across the store and the test: the sleeper takes it too
    if (lockHeldAt(ue, check) && lockHeldAt(ue, c.store)) {
      const common = [...ue.held[check.id]].some((k) => ue.held[c.store.id].has(k) && !ue.sectionKeys.has(k));
      if (common) continue;
    }
    out.push({ protocol, check, store: c.store, weak: c.weak });
  }
  return out;
}
