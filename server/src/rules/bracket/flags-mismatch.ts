import type { RawFinding, Rule, RuleContext, Unit } from '../api';
import { astPos, replaceNode } from '../../c/facts';
import { definitelyHeld } from '../../analysis/resources';
import { acquireRelated } from '../common/report';
import { analysisOf } from '../common/resources';
import { irqStateTrace } from '../common/trace';

function flagsMismatchFindings(unit: Unit, ctx: RuleContext): RawFinding[] {
  const a = analysisOf(unit, ctx);
  const out: RawFinding[] = [];
  for (const ev of a.events) {
    if (ev.t === 'call') continue;
    const eff = ev.eff;
    if (eff.stateArg === undefined || !eff.stateByValue) continue;
    const arg = ev.op.args[eff.stateArg];
    if (!arg) continue;
    const t = arg.text.trim();
    const type = /^[A-Za-z_]\w*$/.test(t) ? a.types.get(t) : undefined;
    if (type && type.includes('*')) {
      const edit = replaceNode(arg.node, `*${t}`);
      out.push({
        rule: 'bracket/flags-mismatch',
        message: `${ev.op.callee}() takes the saved IRQ state by value (it is a macro), but \`${t}\` is a \`${type.trim()}\`: it ${ev.t === 'release' ? 'restores the pointer value instead of the saved flags' : 'overwrites the pointer instead of saving into the caller\'s flags'}; pass \`*${t}\`.`,
        at: astPos(arg.node),
        related: [],
        scenarioParams: { function: unit.cfg.name, object: t, release: ev.op.name },
        fixes: edit ? [{ title: `Pass *${t}`, edits: [edit] }] : undefined,
        trace: irqStateTrace(unit, ctx, a, ev.op, `*${t}`, ev.op.node.text.replace(t, `*${t}`), 'pointer'),
        fingerprint: `bracket/flags-mismatch|${ev.op.name}|${t}|pointer`,
      });
      continue;
    }
    if (t.startsWith('&')) {
      const edit = replaceNode(arg.node, t.slice(1).trim());
      out.push({
        rule: 'bracket/flags-mismatch',
        message: `${ev.op.callee}() takes the flags variable itself (it is a macro), not its address: \`${t}\`.`,
        at: astPos(arg.node),
        related: [],
        fixes: edit ? [{ title: `Pass ${t.slice(1).trim()}`, edits: [edit] }] : undefined,
        trace: irqStateTrace(unit, ctx, a, ev.op, t.slice(1).trim(), ev.op.node.text.replace(t, t.slice(1).trim()), 'address'),
        fingerprint: `bracket/flags-mismatch|${ev.op.name}|${t}|address`,
      });
      continue;
    }
    if (ev.t === 'release' && ev.key && ev.key.flags.size && !ev.mismatch && definitelyHeld(ev.bits)) {
      const norm = t.replace(/\s+/g, '');
      if (!ev.key.flags.has(norm)) {
        const saved = [...ev.key.flags].join(', ');
        out.push({
          rule: 'bracket/flags-mismatch',
          message: `${ev.op.callee}(${t}) restores a different flags variable than the one the IRQ state was saved in (${saved}).`,
          at: astPos(arg.node),
          related: acquireRelated(ev.key),
          trace: irqStateTrace(unit, ctx, a, ev.op, [...ev.key.flags][0], ev.op.node.text.replace(t, [...ev.key.flags][0] ?? t), 'other-variable'),
          fingerprint: `bracket/flags-mismatch|${ev.op.name}|${t}|${saved}`,
        });
      }
    }
  }
  return out;
}

export const flagsMismatch: Rule = {
  id: 'bracket/flags-mismatch',
  category: 'bracket',
  severity: 'error',
  title: 'IRQ flags: wrong variable or a pointer passed by value',
  description:
    'local_irq_save/restore and spin_lock_irqsave/unlock_irqrestore are macros that take the flags lvalue itself. Passing a `unsigned long *` (seed 003: local_irq_restore(flags) where flags is a pointer parameter) or `&flags`, or restoring from a different variable than the one saved into, restores garbage IRQ state.',
  check: flagsMismatchFindings,
};
