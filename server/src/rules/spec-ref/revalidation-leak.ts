import type { RawFinding, Rule } from '../api';
import type { CfgEdge } from '../../c/cfg';
import { nodePos } from '../../c/facts';
import { definitelyHeld, type KeyInfo, type ResourceAnalysis } from '../../analysis/resources';
import { revalidationAt } from '../../analysis/lookups';
import { acquireRelated } from '../common/report';
import { specView } from './common';
import { revalidationLeakTrace } from '../common/trace';

/** From the failing edge of a re-check: does a path go back to the loop (or out) without dropping the key? */
function leaksOnRetry(a: ResourceAnalysis, fail: CfgEdge, k: KeyInfo): 'retry' | 'exit' | null {
  const drops = a.drops.get(k.key) ?? new Set<number>();
  const seen = new Set<number>();
  const work: { n: typeof fail.to; via: CfgEdge }[] = [{ n: fail.to, via: fail }];
  while (work.length) {
    const { n, via } = work.pop()!;
    if (via.back) return 'retry';
    if (seen.has(n.id)) continue;
    if (a.facts.visibility.gaps.has(n.id)) continue;
    // the object variable is overwritten (the next lookup) while the ref is still held
    if (n.ops.some((o) => (o.kind === 'assign' && o.target.kind === 'var' && o.target.text === k.obj) || (o.kind === 'decl' && o.name === k.obj))) return 'retry';
    if (drops.has(n.id)) continue;
    seen.add(n.id);
    if (n === a.cfg.exit) return via.kind === 'unresolved' || (via.kind !== 'return' && !a.facts.visibility.end) ? null : 'exit';
    for (const e of n.succs) work.push({ n: e.to, via: e });
  }
  return null;
}

export const revalidationLeak: Rule = {
  id: 'spec-ref/revalidation-leak',
  category: 'spec-ref',
  severity: 'error',
  title: 'Failed re-check does not drop the speculative reference',
  description: 'The re-validation after a speculative get failed, and the path retries or returns without putting the reference it took.',
  check(unit, ctx) {
    const v = specView(unit, ctx);
    if (!v) return [];
    const { a } = v;
    const out: RawFinding[] = [];
    const spec = a.keyList.filter((k) => k.acquires.some((x) => x.spec.speculative));
    for (const n of unit.cfg.nodes) {
      const st = a.out[n.id];
      if (!st) continue;
      for (const k of spec) {
        if (!definitelyHeld(st.get(k.key) ?? a.initial)) continue;
        const rv = revalidationAt(ctx.catalog, n, k.obj);
        if (!rv) continue;
        const fail = n.succs.find((e) => e.cond && e.cond.value === rv.failOn);
        if (!fail) continue;
        const leak = leaksOnRetry(a, fail, k);
        if (!leak) continue;
        const acq = k.acquires[0];
        out.push({
          rule: this.id,
          message: `When this re-check of \`${k.obj}\` fails, the speculative reference from ${acq.op.callee}() (${ctx.where(unit, acq.op.line)}) is not dropped before ${leak === 'retry' ? 'retrying' : 'leaving'}: the page can never be freed.`,
          at: nodePos(n),
          related: acquireRelated(k),
          scenarioParams: { function: v.fn, object: k.obj, acquire: acq.op.name },
          trace: revalidationLeakTrace(unit, ctx, a, k, n, fail.to),
          fingerprint: `${this.id}|${k.obj}|${acq.op.name}`,
        });
      }
    }
    return out;
  },
};
