/** The resource facts every resource rule reads: the dataflow with summaries, and its leaks (cached per analysis). */
import { resourcesOf } from '../../analysis/summaries';
import { leaks, siblingLeaks, type Leak } from '../../analysis/leaks';
import { continuationLeaks } from '../../analysis/continuations';
import type { ResourceAnalysis } from '../../analysis/resources';
import type { CfgNode } from '../../c/cfg';
import { changeRun, isAddedLine, patchLineOf } from '../../analysis/diff';
import type { RuleContext, Unit } from '../api';

export { resourcesOf };

const allLeaks = new WeakMap<ResourceAnalysis, Leak[]>();

/** Leaks with the acquire in view, then leaks shown by sibling exits. */
export function leaksOf(a: ResourceAnalysis, ctx: RuleContext, unit: Unit): Leak[] {
  let l = allLeaks.get(a);
  // a function the patch modifies: a way out it adds counts even when it is not an error exit
  const addedExit = unit.side === 'post' && unit.fn.pre ? (n: CfgNode) => n.kind === 'return' && isAddedLine(unit.image, n.line) : undefined;
  if (!l) {
    // a variable with a scope-based cleanup (`__free(put_task)`) drops what it holds on every way out
    const auto = a.facts.autoReleased;
    const autoDropped = (x: Leak) => auto.size > 0 && x.key.family === 'ref' && auto.has(/^[A-Za-z_]\w*/.exec(x.key.obj)?.[0] ?? '');
    // a return whose value hands it over by contract (`return VM_FAULT_LOCKED;`: the page stays locked for the fault path)
    const byContract = (x: Leak) => {
      const r = x.exit.kind === 'return' ? x.exit.ops.find((o) => o.kind === 'return') : undefined;
      return !!r && r.kind === 'return' && !!r.valueText && ctx.catalog.returnHandsOver(r.valueText).some((k) => ctx.catalog.compatible(k, x.key.kind));
    };
    // a lock a guard took (`guard(mutex)(&m)`): its destructor drops it on every way out of the scope
    const guarded = (x: Leak) => x.key.acquires.length > 0 && x.key.acquires.every((q) => q.op.kind === 'call' && q.op.guard === 'take');
    const kept = (x: Leak) => !autoDropped(x) && !byContract(x) && !guarded(x);
    allLeaks.set(
      a,
      (l = dedupe([
        ...leaks(a, addedExit, addedExit && ((n: CfgNode) => addedExit(n) && replacesUnseenJump(unit, a, n))),
        ...siblingLeaks(a, ctx.catalog, addedExit),
        ...continuationLeaks(unit, a, ctx.catalog),
      ]).filter(kept)),
    );
  }
  return l;
}

/**
 * Does the added return `n` stand where the patch deleted a `goto LABEL;` to a label the post-image does not
 * show (`ret = 0; goto out;` made `return 0;`)? The code at that label, out of sight, was written for what the
 * goto held there.
 */
function replacesUnseenJump(unit: Unit, a: ResourceAnalysis, n: CfgNode): boolean {
  const pl = patchLineOf(unit.image, n.line);
  if (!pl || pl.line.kind !== 'add') return false;
  const shown = new Set(a.cfg.nodes.filter((x) => x.kind === 'label' && x.label).map((x) => x.label!));
  return changeRun(pl.hunk, pl.line).dels.some((d) => {
    const m = /^\s*goto\s+([A-Za-z_]\w*)\s*;/.exec(d.text);
    return !!m && !shown.has(m[1]);
  });
}

/** One leak per key and exit (the first mechanism that shows it). */
function dedupe(ls: Leak[]): Leak[] {
  const seen = new Set<string>();
  return ls.filter((l) => {
    const id = `${l.key.key}|${l.exit.id}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

export function analysisOf(unit: Unit, ctx: RuleContext): ResourceAnalysis {
  return resourcesOf(unit, ctx);
}
