import type { RawFinding, Rule, RuleContext, Unit } from '../api';
import { posOf, replaceNode } from '../../c/facts';
import { definitelyHeld } from '../../analysis/resources';
import { acquireRelated } from '../common/report';
import { analysisOf } from '../common/resources';
import { irqStateTrace } from '../common/trace';

function mixedStyle(unit: Unit, ctx: RuleContext): RawFinding[] {
  const a = analysisOf(unit, ctx);
  const out: RawFinding[] = [];
  for (const ev of a.events) {
    if (ev.t !== 'release' || !ev.mismatch || ev.mismatch.reason !== 'style' || !definitelyHeld(ev.mismatch.bits)) continue;
    const k = ev.mismatch.key;
    const acq = k.acquires[0];
    if (!acq) continue;
    out.push({
      rule: 'bracket/mixed-irq-style',
      message: `${ev.op.callee}() closes a ${ctx.catalog.kind(k.kind).label} that ${acq.op.callee}() opened at ${ctx.where(unit, acq.op.line)}: the ${ev.eff.style ?? '?'} and ${k.style ?? '?'} styles do not pair${(acq.spec.pairsWith ?? []).length ? `; use ${acq.spec.pairsWith![0]}()` : ''}.`,
      at: posOf(ev.op, ev.op.node),
      related: acquireRelated(k),
      fixes:
        acq.spec.pairsWith?.length && ev.op.args.length === 0
          ? [{ title: `Use ${acq.spec.pairsWith[0]}()`, edits: [replaceNode(ev.op.calleeNode, acq.spec.pairsWith[0])!].filter(Boolean) }]
          : undefined,
      trace: irqStateTrace(unit, ctx, a, ev.op, undefined, acq.spec.pairsWith?.length ? `${acq.spec.pairsWith[0]}(${acq.op.args.map((x) => x.text).join(', ')})` : undefined, 'enables'),
      fingerprint: `bracket/mixed-irq-style|${acq.op.name}|${ev.op.name}`,
    });
  }
  return out;
}

export const mixedIrqStyle: Rule = {
  id: 'bracket/mixed-irq-style',
  category: 'bracket',
  severity: 'warning',
  title: 'local_irq_disable/enable mixed with save/restore',
  description: 'An IRQs-off section opened with one style (disable, or save into flags) is closed with the other. local_irq_enable() after local_irq_save() unconditionally enables interrupts that the caller may have had disabled.',
  check: mixedStyle,
};
