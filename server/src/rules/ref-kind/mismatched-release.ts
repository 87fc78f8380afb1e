import type { RawFinding, Rule, RuleContext, Unit } from '../api';
import { normObject, posOf, replaceNode } from '../../c/facts';
import { acquireRelated } from '../common/report';
import { irqStateTrace } from '../common/trace';
import { pairedCallFix, styleMismatches } from '../bracket/mixed-irq-style';
import { kindFindings } from './common';
import { replacementsOf, type Replacement } from '../common/replacements';
import { isAddedLine, isDeletedLine } from '../../analysis/diff';
import type { Effect } from '../../catalog';
import type { CallOp } from '../../c/cfg';
import { replacedKindTrace } from '../common/trace';
import { asExplained, replacementExplained } from '../common/explained';
import { analysisOf } from '../common/resources';

/**
 * A release replaced by a release of another kind on the same object: the
 * pre-image's release says which kind of reference the object holds
 * (unpin_user_page() → put_page(), mmput() → mmdrop()).
 */
function replacedKindFindings(unit: Unit, ctx: RuleContext): RawFinding[] {
  const cat = ctx.catalog;
  const out: RawFinding[] = [];
  for (const r of replacementsOf(unit, ctx)) {
    const styled = replacedStyleFinding(unit, ctx, r);
    if (styled) {
      out.push(styled);
      continue;
    }
    const dRel = r.del.effects.filter((e) => e.op === 'release' && cat.kind(e.kind).family === 'ref');
    const aRel = r.add.effects.filter((e) => e.op === 'release' && cat.kind(e.kind).family === 'ref');
    if (!dRel.length || !aRel.length) continue;
    if (aRel.some((a) => dRel.some((d) => cat.compatible(d.kind, a.kind)))) {
      // the deferred form of a release replaced by the one that runs the final teardown here
      // (mmput_async() -> mmput()): the wrong release call for a context that chose to defer it
      if (r.del.spec?.sleepingForm === r.add.op.name) {
        const obj = r.add.op.args[0]?.text.trim() ?? '';
        const edit = replaceNode(r.add.op.calleeNode, r.del.op.name);
        out.push(asExplained({
          rule: 'ref-kind/mismatched-release',
          message: `This patch replaces ${r.del.op.name}() with ${r.add.op.name}() on \`${obj}\`: when this is the last ${cat.kind(aRel[0].kind).label}, ${r.add.op.name}() runs the final teardown here (it may sleep and take the locks that teardown needs), which ${r.del.op.name}() deferred to a workqueue; the code it replaces chose not to run it in this context.`,
          at: posOf(r.add.op, r.add.op.node),
          related: [{ message: `${r.del.op.name}() before the patch`, at: posOf(r.del.op, r.del.op.node), unit: r.pre }],
          scenarioParams: { function: unit.cfg.name, object: obj, acquire: '', release: r.add.op.name },
          fixes: edit ? [{ title: `Keep ${r.del.op.name}()`, edits: [edit] }] : undefined,
          fingerprint: `ref-kind/mismatched-release|deferred|${r.del.op.name}|${r.add.op.name}|${obj}`,
        }, replacementExplained(ctx, unit, r.del.op.name, r.add.op.name)));
        continue;
      }
      const counted = replacedCountFinding(unit, ctx, r, dRel, aRel);
      if (counted) out.push(counted);
      continue;
    }
    // the function now takes the kind the new release drops (`mmget_not_zero()` -> `mmgrab()` in another
    // hunk, with `mmput()` -> `mmdrop()`): the pair was changed together
    const post = analysisOf(unit, ctx);
    const ev = post.events.find((e) => e.t === 'release' && e.op === r.add.op);
    if (ev?.t === 'release' && ev.key && ev.key.acquires.length && ev.key.acquires.every((x) => aRel.some((a) => cat.compatible(x.eff.kind, a.kind)))) continue;
    // ... taken on the place the released variable is copied from (`if (mmget_not_zero(p->mm)) { mm = p->mm;`)
    if (ev?.t === 'release' && ev.obj) {
      const from = new Set<string>();
      for (const n of post.cfg.nodes) for (const o of n.ops) if (o.kind === 'assign' && o.op === '=' && o.rhs && o.target.text.replace(/\s+/g, '') === ev.obj) from.add(normObject(o.rhs).obj);
      if (from.size && post.events.some((e) => e.t === 'acquire' && from.has(e.key.obj) && aRel.some((a) => cat.compatible(e.eff.kind, a.kind)))) continue;
    }
    const was = cat.kind(dRel[0].kind).label;
    const now = cat.kind(aRel[0].kind).label;
    const obj = r.add.op.args[0]?.text.trim() ?? '';
    const edit = replaceNode(r.add.op.calleeNode, r.del.op.name);
    out.push(asExplained({
      rule: 'ref-kind/mismatched-release',
      message: `This patch replaces ${r.del.op.name}() with ${r.add.op.name}() on \`${obj}\`: ${r.add.op.name}() drops a ${now}, but the object holds a ${was} (which ${r.del.op.name}() dropped).`,
      at: posOf(r.add.op, r.add.op.node),
      related: [{ message: `${r.del.op.name}() before the patch`, at: posOf(r.del.op, r.del.op.node), unit: r.pre }],
      scenarioParams: { function: unit.cfg.name, object: obj, acquire: '', release: r.add.op.name },
      fixes: edit ? [{ title: `Keep ${r.del.op.name}()`, edits: [edit] }] : undefined,
      trace: replacedKindTrace(unit, ctx, r, dRel[0].kind, aRel[0].kind),
      fingerprint: `ref-kind/mismatched-release|replaced|${r.del.op.name}|${r.add.op.name}|${obj}`,
    }, replacementExplained(ctx, unit, r.del.op.name, r.add.op.name)));
  }
  return out;
}

/** How many references a release effect drops in a call: the count argument's text, or '1'. */
function countText(eff: Effect, op: CallOp): string | null {
  if (eff.op !== 'release' || eff.array !== undefined) return null;
  if (eff.count === undefined) return '1';
  if (typeof eff.count === 'number') return String(eff.count);
  const a = op.args[eff.count.arg];
  return a ? a.text.replace(/\s+/g, '') : null;
}

/**
 * A release replaced by a release of the same kind that drops another number
 * of references (`folio_put_refs(folio, nr)` -> `folio_put(folio)`): the
 * deleted call says how many the object held there. Quiet when the patch
 * also changes what the function takes on that object (the count was changed
 * on both sides), or when the counts cannot be told apart by their text.
 */
function replacedCountFinding(unit: Unit, ctx: RuleContext, r: Replacement, dRel: Effect[], aRel: Effect[]): RawFinding | null {
  const d = dRel.find((e) => countText(e, r.del.op) !== null);
  const a = aRel.find((e) => d && ctx.catalog.compatible(d.kind, e.kind) && countText(e, r.add.op) !== null);
  if (!d || !a) return null;
  const was = countText(d, r.del.op)!;
  const now = countText(a, r.add.op)!;
  if (was === now) return null;
  const obj = normObject(r.add.op.args[0]?.text ?? '').obj;
  if (!obj || normObject(r.del.op.args[0]?.text ?? '').obj !== obj) return null;
  // the acquire side changed in the same patch: the references taken on the object, added or deleted
  const changedAcquire = (u: Unit, line: (l: number) => boolean) =>
    analysisOf(u, ctx).events.some((e) => e.t === 'acquire' && line(e.op.line) && e.key.obj === obj);
  if (changedAcquire(unit, (l) => isAddedLine(unit.image, l)) || changedAcquire(r.pre, (l) => isDeletedLine(r.pre.image, l))) return null;
  const label = ctx.catalog.kind(a.kind).label;
  return asExplained(
    {
      rule: 'ref-kind/mismatched-release',
      message: `This patch replaces ${r.del.op.name}() with ${r.add.op.name}() on \`${r.add.op.args[0].text.trim()}\`: ${r.add.op.name}() drops ${now === '1' ? 'one' : `\`${now}\``} ${label}${now === '1' ? '' : 's'}, where ${r.del.op.name}() dropped \`${was}\` (the number the object held here); nothing in the patch changes how many are taken.`,
      at: posOf(r.add.op, r.add.op.node),
      related: [{ message: `${r.del.op.name}() before the patch`, at: posOf(r.del.op, r.del.op.node), unit: r.pre }],
      scenarioParams: { function: unit.cfg.name, object: obj, acquire: '', release: r.add.op.name },
      fingerprint: `ref-kind/mismatched-release|count|${r.del.op.name}|${r.add.op.name}|${obj}`,
    },
    replacementExplained(ctx, unit, r.del.op.name, r.add.op.name),
  );
}

/**
 * A close replaced by the close of the other style on the same object, where
 * the catalog says the other style is the wrong release, not a choice
 * (`kunmap_local(addr)` -> `kunmap(addr)`): the deleted close says how the
 * object was opened. Quiet when the function now opens it in the new style
 * (the pair was converted together).
 */
function replacedStyleFinding(unit: Unit, ctx: RuleContext, r: ReturnType<typeof replacementsOf>[number]): RawFinding | null {
  const cat = ctx.catalog;
  const d = r.del.effects.find((e) => e.op === 'release' && cat.kind(e.kind).styleMismatchIsWrongRelease && e.style);
  const a = r.add.effects.find((e) => e.op === 'release' && d && e.kind === d.kind && e.style && e.style !== d.style);
  if (!d || !a || d.op !== 'release' || a.op !== 'release') return null;
  const post = analysisOf(unit, ctx);
  const ev = post.events.find((e) => e.t === 'release' && e.op === r.add.op);
  if (ev?.t === 'release' && ev.key && ev.key.acquires.length && ev.key.acquires.every((x) => x.eff.style === a.style)) return null;
  const obj = r.add.op.args[0]?.text.trim() ?? '';
  const label = cat.kind(d.kind).label;
  const edit = replaceNode(r.add.op.calleeNode, r.del.op.name);
  return asExplained(
    {
      rule: 'ref-kind/mismatched-release',
      message: `This patch replaces ${r.del.op.name}() with ${r.add.op.name}() on \`${obj}\`: they close two styles of ${label} (${r.add.op.name}(): ${a.style}, ${r.del.op.name}(): ${d.style}), and the deleted ${r.del.op.name}() says \`${obj}\` was opened in the ${d.style} style: ${r.add.op.name}() leaves it open.`,
      at: posOf(r.add.op, r.add.op.node),
      related: [{ message: `${r.del.op.name}() before the patch`, at: posOf(r.del.op, r.del.op.node), unit: r.pre }],
      scenarioParams: { function: unit.cfg.name, object: obj, acquire: '', release: r.add.op.name },
      fixes: edit ? [{ title: `Keep ${r.del.op.name}()`, edits: [edit] }] : undefined,
      fingerprint: `ref-kind/mismatched-release|replaced-style|${r.del.op.name}|${r.add.op.name}|${obj}`,
    },
    replacementExplained(ctx, unit, r.del.op.name, r.add.op.name),
  );
}

/**
 * A mapping or section closed with the call of the other style where the
 * catalog says that is the wrong release, not a style choice (kunmap() on a
 * kmap_local_page() mapping: it takes the page, not the address, and leaves
 * the local slot mapped).
 */
function wrongStyleFindings(unit: Unit, ctx: RuleContext): RawFinding[] {
  const out: RawFinding[] = [];
  for (const { a, ev, k, acq } of styleMismatches(unit, ctx, true)) {
    const pair = acq.spec.pairsWith?.[0];
    out.push({
      rule: 'ref-kind/mismatched-release',
      message: `${ev.op.callee}() does not release the ${ctx.catalog.kind(k.kind).label} that ${acq.op.callee}() opened at ${ctx.where(unit, acq.op.line)}${pair ? `: release it with ${pair}()` : ''}.`,
      at: posOf(ev.op, ev.op.node),
      related: acquireRelated(k),
      scenarioParams: { function: unit.cfg.name, object: k.obj, acquire: acq.op.name, release: ev.op.name },
      fixes: pairedCallFix(ev.op, acq.op, pair, ctx),
      trace: irqStateTrace(unit, ctx, a, ev.op, undefined, pair ? `${pair}(${acq.op.args.map((x) => x.text).join(', ')})` : undefined, 'enables'),
      fingerprint: `ref-kind/mismatched-release|style|${acq.op.name}|${ev.op.name}`,
    });
  }
  return out;
}

export const mismatchedRelease: Rule = {
  id: 'ref-kind/mismatched-release',
  category: 'ref-kind',
  severity: 'error',
  title: 'Release does not match the acquire',
  description:
    'The object holds a reference of one kind (for example a FOLL_PIN pin from pin_user_pages) and is released with a call that drops another kind (put_page), or the reverse (get_user_pages pages dropped with unpin_user_page). The catalog decides which release kinds may drop which acquire kinds; arrays filled by GUP carry their kind to every element.',
  check: (unit, ctx) => [...kindFindings(unit, ctx, 'ref-kind/mismatched-release'), ...replacedKindFindings(unit, ctx), ...wrongStyleFindings(unit, ctx)],
};
