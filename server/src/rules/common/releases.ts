/** Findings of release faults: released twice, released after the acquire failed, a put on a borrowed page. */
import { posOf } from '../../c/facts';
import { borrowedReleases, releaseFaults } from '../../analysis/leaks';
import type { RawFinding, RuleContext, Unit } from '../api';
import { acquireApis, acquireRelated, isPrimitive } from './report';
import { analysisOf } from './resources';
import { borrowedReleaseTrace, releaseFaultTrace } from './trace';

export function releaseFaultFindings(unit: Unit, ctx: RuleContext, want: 'ref-balance/double-release' | 'ref-balance/release-without-acquire' | 'bracket/unbalanced'): RawFinding[] {
  if (isPrimitive(unit, ctx)) return [];
  const a = analysisOf(unit, ctx);
  const out: RawFinding[] = [];
  for (const f of releaseFaults(a)) {
    const { ev, key: k } = f;
    const bracketish = k.family !== 'ref';
    const label = ctx.catalog.kind(k.kind).label;
    const obj = k.obj ? `\`${k.obj}\`` : 'the section';
    let rule: string;
    let message: string;
    if (f.what === 'twice') {
      rule = bracketish ? 'bracket/unbalanced' : 'ref-balance/double-release';
      message = bracketish
        ? `${ev.op.callee}() releases ${label} ${obj} a second time on this path: it was already released.`
        : `${ev.op.callee}() drops the ${label} on ${obj} a second time on this path: it was already released${k.acquires.length ? ` after ${acquireApis(k)}()` : ''}.`;
    } else {
      rule = bracketish ? 'bracket/unbalanced' : 'ref-balance/release-without-acquire';
      message = `${ev.op.callee}() releases ${obj} on a path where ${acquireApis(k)}() failed: the ${label} was never taken.`;
    }
    if (rule !== want) continue;
    const related = acquireRelated(k);
    if (f.prior && f.what === 'twice') related.push({ message: `first released here (${f.prior.op.callee})`, at: posOf(f.prior.op, f.prior.op.node) });
    out.push({
      rule,
      message,
      at: posOf(ev.op, ev.op.node),
      related,
      scenarioParams: { function: unit.cfg.name, object: k.obj, acquire: acquireApis(k), release: ev.op.name },
      trace: releaseFaultTrace(unit, ctx, f),
      fingerprint: `${rule}|${k.kind}|${k.obj}|${ev.op.name}|${f.what}`,
    });
  }
  return out;
}

export function borrowedReleaseFindings(unit: Unit, ctx: RuleContext): RawFinding[] {
  if (isPrimitive(unit, ctx)) return [];
  const a = analysisOf(unit, ctx);
  const rule = 'ref-balance/release-without-acquire';
  return borrowedReleases(a, ctx.catalog).map((b) => ({ ...b, trace: borrowedReleaseTrace(unit, ctx, b) })).map(({ ev, obj, source, trace }) => ({
    rule,
    message: `${ev.op.callee}(${ev.objText}) drops a ${ctx.catalog.kind(ev.eff.kind).label} this function never took: \`${obj}\` comes from ${source.callee}() (${ctx.where(unit, source.line)}), which returns the page without a reference. The put frees a reference somebody else owns.`,
    at: posOf(ev.op, ev.op.node),
    related: [{ message: `${source.callee}() returns \`${obj}\` without a reference`, at: posOf(source, source.node) }],
    scenarioParams: { function: unit.cfg.name, object: obj, acquire: source.name, release: ev.op.name },
    trace,
    fingerprint: `${rule}|${obj}|${source.name}|${ev.op.name}|unreferenced`,
  }));
}
