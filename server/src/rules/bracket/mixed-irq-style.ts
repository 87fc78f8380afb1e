import type { RawFinding, Rule, RuleContext, Unit } from '../api';
import { posOf, replaceNode } from '../../c/facts';
import type { CallOp } from '../../c/cfg';
import { definitelyHeld, type AcquireEvent, type KeyInfo, type ReleaseEvent, type ResourceAnalysis } from '../../analysis/resources';
import { acquireRelated } from '../common/report';
import { analysisOf } from '../common/resources';
import { irqStateTrace } from '../common/trace';

/**
 * Releases of the other style than the open one (`local_irq_enable()` after `local_irq_save()`, `kunmap()`
 * after `kmap_local_page()`), with the open: `wrongRelease` selects the kinds whose catalog entry says the
 * other style is the wrong release call (ref-kind reports those) rather than a style mix (this rule).
 */
export function styleMismatches(unit: Unit, ctx: RuleContext, wrongRelease: boolean): { a: ResourceAnalysis; ev: ReleaseEvent; k: KeyInfo; acq: AcquireEvent }[] {
  const a = analysisOf(unit, ctx);
  const out: { a: ResourceAnalysis; ev: ReleaseEvent; k: KeyInfo; acq: AcquireEvent }[] = [];
  for (const ev of a.events) {
    if (ev.t !== 'release' || !ev.mismatch || ev.mismatch.reason !== 'style' || !definitelyHeld(ev.mismatch.bits)) continue;
    const k = ev.mismatch.key;
    const acq = k.acquires[0];
    if (acq && !!ctx.catalog.kind(k.kind).styleMismatchIsWrongRelease === wrongRelease) out.push({ a, ev, k, acq });
  }
  return out;
}

function mixedStyle(unit: Unit, ctx: RuleContext): RawFinding[] {
  const out: RawFinding[] = [];
  for (const { a, ev, k, acq } of styleMismatches(unit, ctx, false)) {
    out.push({
      rule: 'bracket/mixed-irq-style',
      message: `${ev.op.callee}() closes a ${ctx.catalog.kind(k.kind).label} that ${acq.op.callee}() opened at ${ctx.where(unit, acq.op.line)}: the ${ev.eff.style ?? '?'} and ${k.style ?? '?'} styles do not pair${(acq.spec.pairsWith ?? []).length ? `; use ${acq.spec.pairsWith![0]}()` : ''}.`,
      at: posOf(ev.op, ev.op.node),
      related: acquireRelated(k),
      fixes: pairedCallFix(ev.op, acq.op, acq.spec.pairsWith?.[0], ctx),
      trace: irqStateTrace(unit, ctx, a, ev.op, undefined, acq.spec.pairsWith?.length ? `${acq.spec.pairsWith[0]}(${acq.op.args.map((x) => x.text).join(', ')})` : undefined, 'enables'),
      fingerprint: `bracket/mixed-irq-style|${acq.op.name}|${ev.op.name}`,
    });
  }
  return out;
}

/**
 * The release that pairs with the opening call, given the opening call's own
 * arguments (`local_irq_save(flags)` -> `local_irq_restore(flags)`,
 * `spin_lock_irqsave(&l, flags)` -> `spin_unlock_irqrestore(&l, flags)`), in
 * place of the whole mismatched call; none when the catalog's arity of the
 * pair does not take them.
 */
export function pairedCallFix(release: CallOp, open: CallOp, pair: string | undefined, ctx: RuleContext): RawFinding['fixes'] {
  if (!pair) return undefined;
  const arity = ctx.catalog.api(pair)?.arity;
  if (arity && !arity.includes(open.args.length)) return undefined;
  const edit = replaceNode(release.node, `${pair}(${open.args.map((a) => a.text).join(', ')})`);
  return edit ? [{ title: `Use ${pair}(${open.args.map((a) => a.text).join(', ')})`, edits: [edit] }] : undefined;
}

export const mixedIrqStyle: Rule = {
  id: 'bracket/mixed-irq-style',
  category: 'bracket',
  severity: 'warning',
  title: 'local_irq_disable/enable mixed with save/restore',
  description: 'An IRQs-off section opened with one style (disable, or save into flags) is closed with the other. local_irq_enable() after local_irq_save() unconditionally enables interrupts that the caller may have had disabled.',
  check: mixedStyle,
};
