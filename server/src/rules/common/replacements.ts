/**
 * Calls the patch replaced, with what the catalog says about each side: the
 * facts the rules on replacements read (a release of one kind replaced by a
 * release of another, a speculative get replaced by a plain one, a call that
 * did not sleep replaced by one that may).
 */
import type { ApiSpec, Effect } from '../../catalog';
import type { CallOp, CfgNode } from '../../c/cfg';
import { callEffects, specForCall } from '../../c/facts';
import { preUnitOf, replacedCalls } from '../../analysis/diff';
import { factsOf } from '../../analysis/unit';
import type { RuleContext, Unit } from '../api';

export interface Replacement {
  pre: Unit;
  del: { node: CfgNode; op: CallOp; spec?: ApiSpec; effects: Effect[] };
  add: { node: CfgNode; op: CallOp; spec?: ApiSpec; effects: Effect[] };
}

const cache = new WeakMap<Unit, Replacement[]>();

export function replacementsOf(unit: Unit, ctx: RuleContext): Replacement[] {
  if (unit.side !== 'post') return [];
  const hit = cache.get(unit);
  if (hit) return hit;
  const out: Replacement[] = [];
  const pre = preUnitOf(unit, ctx.unitsOf);
  if (pre) {
    const preTypes = factsOf(pre, ctx.catalog).types;
    const postTypes = factsOf(unit, ctx.catalog).types;
    // a call that releases (or acquires) pairs with an added call that does too, before any other call on the object
    const role = (op: CallOp, types: typeof preTypes) => {
      const spec = specForCall(ctx.catalog, op, types);
      return spec ? callEffects(spec, op).map((e) => e.op).sort().join() : '';
    };
    const alike = (d: CallOp, a: CallOp) => {
      const r = role(d, preTypes);
      return r !== '' && r === role(a, postTypes);
    };
    for (const r of replacedCalls(pre, unit, alike)) {
      const ds = specForCall(ctx.catalog, r.del.op, preTypes);
      const as = specForCall(ctx.catalog, r.add.op, postTypes);
      out.push({
        pre,
        del: { ...r.del, spec: ds, effects: ds ? callEffects(ds, r.del.op) : [] },
        add: { ...r.add, spec: as, effects: as ? callEffects(as, r.add.op) : [] },
      });
    }
  }
  cache.set(unit, out);
  return out;
}
