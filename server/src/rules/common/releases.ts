/** Findings of release faults: released twice, released after the acquire failed, a put on a borrowed page. */
import { nodePos, posOf } from '../../c/facts';
import { borrowedReleases, overReleases, releaseFaults } from '../../analysis/leaks';
import type { RawFinding, RuleContext, Unit } from '../api';
import { acquireApis, acquireRelated, isPrimitive, primitiveOwnsKind } from './report';
import { analysisOf } from './resources';
import { releasedIntoUnseen } from '../../analysis/continuations';
import { borrowedReleaseTrace, releaseFaultTrace, unclearedPointerTrace } from './trace';
import { calleesInText, unclearedPointers } from '../../analysis/deletions';
import { recomputedGuards, weakenedGuards } from '../../analysis/moves';
import { asExplained, recheckRemovalExplained } from './explained';
import { preUnitOf } from '../../analysis/diff';
import { resourcesOf } from '../../analysis/summaries';
import { statementText } from '../../c/facts';

export function releaseFaultFindings(unit: Unit, ctx: RuleContext, want: 'ref-balance/double-release' | 'ref-balance/release-without-acquire' | 'bracket/unbalanced'): RawFinding[] {
  // a catalogued function's own body: what it takes or drops for its callers is its contract (not judged here);
  // an object of another kind (the RCU section a lookup opens and closes inside) is judged like anybody's
  const primitive = isPrimitive(unit, ctx);
  const a = analysisOf(unit, ctx);
  const out: RawFinding[] = [];
  for (const f of releaseFaults(a, ctx.catalog)) {
    const { ev, key: k } = f;
    if (primitive && primitiveOwnsKind(unit, ctx, k.kind)) continue;
    const bracketish = k.family !== 'ref';
    const label = ctx.catalog.kind(k.kind).label;
    const obj = k.obj ? `\`${ev.element && k.array ? ev.objText.trim() : k.obj}\`` : 'the section';
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
  // a release added before a jump into unseen code that a kept jump enters holding the object
  for (const r of primitive ? [] : releasedIntoUnseen(unit, a, ctx.catalog)) {
    const k = r.key;
    const rule = k.family !== 'ref' ? 'bracket/unbalanced' : 'ref-balance/double-release';
    if (rule !== want) continue;
    const label = ctx.catalog.kind(k.kind).label;
    const jump = r.jump.stmt?.text.replace(/\s+/g, ' ').replace(/;$/, '') ?? '';
    const other = r.sibling.stmt?.text.replace(/\s+/g, ' ').replace(/;$/, '') ?? '';
    out.push({
      rule,
      message: `${r.release.op.callee}() releases the ${label}${k.obj ? ` on \`${k.obj}\`` : ''} before \`${jump}\`, but \`${other}\` at ${ctx.where(unit, r.sibling.line)} enters the same code (not shown) still holding it: that code releases it (or keeps it), so this path releases it twice.`,
      at: posOf(r.release.op, r.release.op.node),
      related: [{ message: `\`${other}\` enters the same code holding it`, at: nodePos(r.sibling) }],
      scenarioParams: { function: unit.cfg.name, object: k.obj, acquire: acquireApis(k), release: r.release.op.name },
      trace: releaseFaultTrace(unit, ctx, { ev: r.release, key: k, what: 'twice', prior: r.release }),
      fingerprint: `${rule}|${k.kind}|${k.obj}|${r.release.op.name}|into-unseen|${other}`,
    });
  }
  // a release whose guard the patch weakened: it now also runs where a dropped test kept it out
  // (in a catalogued primitive's own body too: releasing in more cases changes its contract)
  const preW = unit.side === 'post' ? preUnitOf(unit, ctx.unitsOf) : null;
  if (preW)
    for (const w of weakenedGuards(preW, resourcesOf(preW, ctx), unit, a, ctx.catalog)) {
      if (w.ev.t !== 'release') continue;
      const ks = ctx.catalog.kind(w.ev.eff.kind);
      const rule = ks.family !== 'ref' ? 'bracket/unbalanced' : 'ref-balance/release-without-acquire';
      if (rule !== want) continue;
      const call = w.ev.op.node.text.replace(/\s+/g, ' ').trim();
      out.push(asExplained({
        rule,
        severity: 'warning',
        message: `This patch drops \`${w.dropped.join(' && ')}\` from the test \`if (${w.was})\` that guards \`${call}\`: it now also runs when \`${w.dropped.join(" && ")}\` does not hold, the case the test kept out, where ${w.ev.obj ? `\`${w.ev.objText.trim()}\` may hold no ${ks.label}` : `the ${ks.label} may not be held`}.`,
        at: posOf(w.ev.op, w.ev.op.node),
        related: [{ message: 'the weakened test', at: nodePos(w.branch) }],
        scenarioParams: { function: unit.cfg.name, object: w.ev.obj, acquire: '', release: w.ev.op.name },
        fingerprint: `${rule}|weakened-guard|${w.ev.obj}|${w.ev.op.name}|${w.dropped.join('&&')}`,
      }, recheckRemovalExplained(ctx, unit, w.dropped.flatMap((d) => calleesInText(d)))));
    }
  // a release of a section taken elsewhere, now decided by re-evaluating a condition instead of a recorded flag
  if (preW && want === 'bracket/unbalanced')
    for (const g of recomputedGuards(preW, resourcesOf(preW, ctx), unit, a, ctx.catalog)) {
      const ks = ctx.catalog.kind(g.ev.eff.kind);
      out.push({
        rule: want,
        severity: 'warning',
        message: `This patch decides whether ${g.ev.op.callee}() runs by evaluating \`${g.now}\` again instead of testing \`${g.flag}\`, which recorded whether the ${ks.label} was taken: if \`${g.now}\` changes between the two evaluations, the ${ks.label} is left held or released without being taken.`,
        at: posOf(g.ev.op, g.ev.op.node),
        related: [{ message: 'the re-evaluated test', at: nodePos(g.branch) }],
        scenarioParams: { function: unit.cfg.name, object: g.ev.obj, acquire: '', release: g.ev.op.name },
        fingerprint: `${want}|recomputed-guard|${g.ev.op.name}|${g.now}`,
      });
    }
  // a pointer that outlives the function no longer cleared after its release
  const pre = want === 'ref-balance/double-release' && !primitive ? preUnitOf(unit, ctx.unitsOf) : null;
  if (pre && unit.side === 'post')
    for (const u of unclearedPointers(pre, resourcesOf(pre, ctx), unit, a, ctx.catalog)) {
      const label = ctx.catalog.kind(u.ev.eff.kind).label;
      out.push({
        rule: want,
        severity: 'warning',
        message: `This patch no longer clears \`${u.ev.objText.trim()}\` after ${u.ev.op.callee}() drops the ${label} (\`${statementText(u.cleared).replace(/\s+/g, ' ').trim()}\` at ${ctx.where(pre, u.cleared.line)} before the patch): the pointer outlives this function and still names the released object, so code that later releases what it names (an error path, a teardown) drops it a second time.`,
        at: posOf(u.ev.op, u.ev.op.node),
        related: [{ message: 'the pointer was cleared here', at: nodePos(u.cleared), unit: pre }],
        scenarioParams: { function: unit.cfg.name, object: u.ev.obj, acquire: '', release: u.ev.op.name },
        trace: unclearedPointerTrace(unit, ctx, u.ev),
        fingerprint: `${want}|uncleared|${u.ev.obj}|${u.ev.op.name}`,
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

/** An array of references released by the count asked for, on a path where fewer may have been taken. */
export function overReleaseFindings(unit: Unit, ctx: RuleContext): RawFinding[] {
  if (isPrimitive(unit, ctx)) return [];
  const a = analysisOf(unit, ctx);
  const rule = 'ref-balance/release-without-acquire';
  return overReleases(a).map((o) => {
    const label = ctx.catalog.kind(o.key.kind).label;
    return {
      rule,
      message: `${o.ev.op.callee}() releases \`${o.asked}\` of them (${label}), but ${o.acquire.op.callee}() (${ctx.where(unit, o.acquire.op.line)}) took \`${o.got}\` of them, which may be fewer on this path: the rest were never taken; release \`${o.got}\`.`,
      at: posOf(o.ev.op, o.ev.op.node),
      related: [{ message: `${o.acquire.op.callee}() returns how many it took into \`${o.got}\``, at: posOf(o.acquire.op, o.acquire.op.node) }],
      scenarioParams: { function: unit.cfg.name, object: o.key.obj, acquire: o.acquire.op.name, release: o.ev.op.name },
      trace: releaseFaultTrace(unit, ctx, { ev: o.ev, key: o.key, what: 'failed' }),
      fingerprint: `${rule}|${o.key.kind}|${o.key.obj}|${o.ev.op.name}|over:${o.asked}`,
    };
  });
}

