import type { RawFinding, Rule } from '../api';
import { posOf } from '../../c/facts';
import { findRevalidation } from '../../analysis/lookups';
import { specView } from './common';
import { deletedRecheckTrace, specTrace } from '../common/trace';
import { isAddedLine, isDeletedLine, patchLineOf, preUnitOf } from '../../analysis/diff';
import { statementText } from '../../c/facts';
import { calleesInText, deletedRechecks, deletedRevalidations, disjuncts, narrowedRechecks } from '../../analysis/deletions';
import { resourcesOf } from '../../analysis/summaries';
import { isPrimitive } from '../common/report';
import { asExplained, recheckRemovalExplained } from '../common/explained';

export const noRevalidation: Rule = {
  id: 'spec-ref/no-revalidation',
  category: 'spec-ref',
  severity: 'error',
  title: 'Speculative get without re-checking the lookup',
  description:
    'A speculative get succeeds on any page whose refcount is non-zero, including one that was freed and reallocated after the lockless lookup. The lookup must be re-validated after the get (folio != xas_reload(&xas), pte_same(), folio != page_folio(page)) and the reference dropped when it changed.',
  scenario: 'S5',
  check(unit, ctx) {
    const v = specView(unit, ctx);
    if (!v) return [];
    const out: RawFinding[] = [];
    for (const { ev, lookup: lk } of v.gets) {
      if (!lk || !ev.spec.speculative || ctx.catalog.api(lk.api)?.fixedLookup) continue;
      const k = ev.key;
      if (findRevalidation(v.a, ctx.catalog, ev.node, k.obj)) continue;
      out.push({
        rule: this.id,
        message: `${ev.op.callee}(${k.obj}) takes a speculative reference on the result of the lockless lookup ${lk.shown} (${ctx.where(unit, lk.line)}) but the lookup is never re-checked afterwards: \`${k.obj}\` may have been freed and reused for another file, index or mapping before the reference was taken.`,
        at: posOf(ev.op, ev.op.node),
        related: [{ message: `lockless lookup of \`${k.obj}\``, at: posOf(lk.op, lk.op.node) }],
        scenario: 'S5',
        scenarioParams: { function: v.fn, object: k.obj, acquire: ev.op.name, location: lk.api },
        trace: specTrace('recheck', unit, ctx, ev, lk),
        fingerprint: `${this.id}|${k.obj}|${ev.op.name}|${lk.api}`,
      });
    }
    // a re-check the patch deleted after a get it keeps (the lookup may be out of sight)
    const pre = unit.side === 'post' ? preUnitOf(unit, ctx.unitsOf) : null;
    const pv = pre ? specView(pre, ctx) : null;
    if (pre && pv)
      for (const { ev } of v.gets) {
        if (!ev.spec.speculative || out.some((f) => f.at.line === ev.op.line)) continue;
        const now = findRevalidation(v.a, ctx.catalog, ev.node, ev.key.obj);
        const pl = patchLineOf(unit.image, ev.op.line);
        if (!pl) continue;
        // the same get before the patch: on the same context line, or (moved by the patch) the one get of that
        // call on that object the pre-image has
        const same = pv.gets.filter((g) => g.ev.op.name === ev.op.name && g.ev.key.obj === ev.key.obj);
        const pe = pl.line.kind === 'context' ? pv.gets.find((g) => g.ev.op.name === ev.op.name && patchLineOf(pre.image, g.ev.op.line)?.line === pl.line) : same.length === 1 && v.gets.filter((g) => g.ev.op.name === ev.op.name && g.ev.key.obj === ev.key.obj).length === 1 ? same[0] : undefined;
        if (!pe) continue;
        const rv = findRevalidation(pv.a, ctx.catalog, pe.ev.node, pe.ev.key.obj);
        if (!rv || !isDeletedLine(pre.image, rv.line)) continue;
        // a re-check the patch rewrote: only when it drops conditions of a disjunction and adds none
        let dropped: string[] = [];
        if (now) {
          if (!isAddedLine(unit.image, now.line)) continue;
          const was = disjuncts(ifCondition(statementText(rv)));
          const is = disjuncts(ifCondition(statementText(now)));
          if (!is.every((d) => was.includes(d))) continue;
          dropped = was.filter((d) => !is.includes(d));
          if (!dropped.length) continue;
        }
        const text = `if (${ifCondition(statementText(rv))})`.replace(/\s+/g, ' ');
        out.push({
          rule: this.id,
          message: dropped.length
            ? `This patch drops \`${dropped.join(' || ')}\` from the re-check \`${text}\` (${ctx.where(pre, rv.line)} before the patch) after the speculative ${ev.op.callee}(${ev.key.obj}): a change it detected now goes unnoticed and the reference may be kept on a page that is no longer the one looked up.`
            : `This patch removes the re-check \`${text}\` (${ctx.where(pre, rv.line)} before the patch) after the speculative ${ev.op.callee}(${ev.key.obj}): the reference may now be held on a page that was freed and reused after the lookup.`,
          at: posOf(ev.op, ev.op.node),
          related: [{ message: 're-check removed here', at: { line: rv.line, col: 0 }, unit: pre }],
          scenario: 'S5',
          scenarioParams: { function: v.fn, object: ev.key.obj, acquire: ev.op.name },
          trace: deletedRecheckTrace(unit, ctx, ev, text),
          fingerprint: `${this.id}|deleted-recheck|${ev.key.obj}|${ev.op.name}`,
        });
      }
    // a re-check deleted after a kept acquire that needs one (a page lock, a page reference: catalog recheckAfter)
    if (pre && !isPrimitive(unit, ctx))
      for (const d of deletedRechecks(pre, resourcesOf(pre, ctx), unit, v.a, ctx.catalog)) {
        const ev = d.postAcquire;
        if (out.some((f) => f.at.line === ev.op.line)) continue;
        const ks = ctx.catalog.kind(ev.key.kind);
        const text = `if (${d.cond})`;
        out.push(asExplained({
          rule: this.id,
          severity: 'warning',
          message: `This patch removes the re-check \`${text}\` (${ctx.where(pre, d.branch.line)} before the patch) that followed ${ev.op.callee}(${ev.key.obj}): ${ks.recheckAfter}. Without it the code below works on \`${ev.key.obj}\` as it was before the ${ks.label} was taken.`,
          at: posOf(ev.op, ev.op.node),
          related: [{ message: 're-check removed here', at: { line: d.branch.line, col: 0 }, unit: pre }],
          // a reference re-checked replays as the speculative-get race; a lock has no replay of its own yet
          ...(ks.family === 'ref' ? { scenario: 'S5' as const, trace: deletedRecheckTrace(unit, ctx, ev, text) } : {}),
          scenarioParams: { function: v.fn, object: ev.key.obj, acquire: ev.op.name },
          fingerprint: `${this.id}|deleted-recheck-after|${ev.key.obj}|${ev.op.name}`,
        }, recheckRemovalExplained(ctx, unit, d.calls)));
      }
    // a re-validating `if` deleted whose arm dropped the speculative reference (the get may be out of sight)
    if (pre && !isPrimitive(unit, ctx))
      for (const d of deletedRevalidations(pre, resourcesOf(pre, ctx), unit, ctx.catalog)) {
        if (out.some((f) => f.scenarioParams?.object === d.release.obj)) continue;
        const text = `if (${d.cond})`.replace(/\s+/g, ' ');
        out.push(asExplained({
          rule: this.id,
          severity: 'warning',
          message: `This patch removes the re-check \`${text}\` (${ctx.where(pre, d.branch.line)} before the patch), whose arm dropped the speculative reference on \`${d.release.obj}\` (${d.release.op.callee}()) when the lookup had changed: the reference is now kept on a ${ctx.catalog.kind(d.release.eff.kind).label.replace(/ reference$/, '')} that may have been freed and reused after the lookup.`,
          at: { line: d.at.line, col: d.at.col },
          related: [{ message: 're-check removed here', at: { line: d.branch.line, col: 0 }, unit: pre }],
          scenarioParams: { function: v.fn, object: d.release.obj, acquire: '' },
          fingerprint: `${this.id}|deleted-revalidation|${d.release.obj}|${d.calls.join(',')}`,
        }, recheckRemovalExplained(ctx, unit, d.calls)));
      }
    // a re-check narrowed: a catalogued re-read comparison dropped from an `if` whose arm leaves (get out of sight)
    if (pre && !isPrimitive(unit, ctx))
      for (const r of narrowedRechecks(pre, unit, ctx.catalog)) {
        if (out.some((f) => f.at.line === r.branch.line)) continue;
        out.push(asExplained({
          rule: this.id,
          severity: 'warning',
          message: `This patch drops \`${r.dropped.join(' || ')}\` (a ${r.pattern}) from the re-check \`if (${r.was})\` (now ${ctx.where(unit, r.branch.line)}): what it detected now goes unnoticed, and the path below goes on with what was read before it changed.`,
          at: { line: r.branch.line, col: r.branch.col },
          scenarioParams: { function: v.fn, object: '', acquire: '' },
          fingerprint: `${this.id}|narrowed|${r.dropped.join('|')}`,
        }, recheckRemovalExplained(ctx, unit, r.dropped.flatMap((d) => calleesInText(d)))));
      }
    return out;
  },
};

/** The condition of an `if (...)` statement's text (balanced parentheses), or the text itself. */
function ifCondition(stmt: string): string {
  const open = stmt.indexOf('(');
  if (open < 0) return stmt;
  let depth = 0;
  for (let i = open; i < stmt.length; i++) {
    if (stmt[i] === '(') depth++;
    else if (stmt[i] === ')' && --depth === 0) return stmt.slice(open + 1, i);
  }
  return stmt;
}
