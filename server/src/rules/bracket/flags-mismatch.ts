import type { RawFinding, Rule, RuleContext, Unit } from '../api';
import { astPos, replaceNode } from '../../c/facts';
import { definitelyHeld } from '../../analysis/resources';
import { acquireRelated } from '../common/report';
import { analysisOf } from '../common/resources';
import { irqStateTrace } from '../common/trace';
import { replacementsOf } from '../common/replacements';
import { mentions } from '../../c/facts';
import { isDeletedLine } from '../../analysis/diff';

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
  out.push(...changedRestoreFindings(unit, ctx, out));
  return out;
}

/**
 * A restore the patch rewrote to take another flags variable while the save
 * is out of sight: before the patch it restored from `old` (so that is where
 * the hidden save put the state); now it restores from a variable nothing
 * visible saved into or copied from `old`.
 */
function changedRestoreFindings(unit: Unit, ctx: RuleContext, already: readonly RawFinding[]): RawFinding[] {
  const out: RawFinding[] = [];
  const a = analysisOf(unit, ctx);
  for (const r of replacementsOf(unit, ctx)) {
    const eff = r.add.effects.find((e) => e.op === 'release' && e.stateArg !== undefined && e.stateByValue);
    const was = r.del.effects.find((e) => e.op === 'release' && e.stateArg !== undefined && e.stateByValue);
    if (!eff || !was || eff.kind !== was.kind) continue;
    const oldArg = r.del.op.args[was.stateArg!]?.text.replace(/\s+/g, '');
    const arg = r.add.op.args[eff.stateArg!];
    const neu = arg?.text.replace(/\s+/g, '');
    if (!oldArg || !neu || oldArg === neu || !/^[A-Za-z_][\w.>-]*$/.test(neu) || !/^[A-Za-z_][\w.>-]*$/.test(oldArg)) continue;
    if (already.some((f) => f.at.line === astPos(arg.node).line)) continue;
    // a save into the new variable, or a copy of the old one into it, that the post-image shows
    const savedHere = a.events.some((e) => e.t === 'acquire' && e.eff.stateArg !== undefined && e.op.args[e.eff.stateArg]?.text.replace(/\s+/g, '') === neu);
    // (an assignment of something else, `low_pfn++`, `low_pfn = end_pfn`, puts no IRQ state there)
    const copied = unit.cfg.nodes.some((n) => n.ops.some((op) => op.kind === 'assign' && op.target.text.replace(/\s+/g, '') === neu && mentions(op.rhs ?? '', oldArg)));
    // the patch renamed the variable: other lines it deletes use the old name too
    const renamed = r.pre.cfg.nodes.some((n) => n !== r.del.node && isDeletedLine(r.pre.image, n.line) && mentions((n.stmt ?? n.ast)?.text ?? '', oldArg));
    if (savedHere || copied || renamed) continue;
    const stateText = (e: { op: { args: { text: string }[] }; eff: { stateArg?: number } }) => e.op.args[e.eff.stateArg!]?.text.replace(/\s+/g, '').replace(/^&/, '');
    const savedOld = a.events.find((e) => e.t === 'acquire' && e.eff.stateArg !== undefined && stateText(e) === oldArg);
    const where = savedOld ? `the save at ${ctx.where(unit, savedOld.op.line)}` : 'the save';
    out.push({
      rule: 'bracket/flags-mismatch',
      message: `This patch makes ${r.add.op.callee}() restore the IRQ state from \`${neu}\`; before the patch it restored from \`${oldArg}\`, where ${where} put it, and nothing shown saves into \`${neu}\`.`,
      at: astPos(arg.node),
      related: [{ message: `restored from \`${oldArg}\` before the patch`, at: astPos(r.del.op.args[was.stateArg!].node) }],
      trace: irqStateTrace(unit, ctx, a, r.add.op, oldArg, r.add.op.node.text.replace(arg.text, oldArg), 'other-variable'),
      fingerprint: `bracket/flags-mismatch|${r.add.op.name}|${neu}|${oldArg}|changed`,
    });
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
