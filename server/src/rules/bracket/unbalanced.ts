import type { RawFinding, Rule } from '../api';
import { posOf, nodePos, statementText } from '../../c/facts';
import { retryRelocks } from '../../analysis/leaks';
import { leakFindings, acquireRelated, isPrimitive, deletedReleaseFindings } from '../common/report';
import { releaseFaultFindings } from '../common/releases';
import { analysisOf, leaksOf } from '../common/resources';
import { relockTrace } from '../common/trace';

export const unbalanced: Rule = {
  id: 'bracket/unbalanced',
  category: 'bracket',
  severity: 'error',
  title: 'Section or lock left open (or closed twice) on a path',
  description:
    'An RCU read section, IRQs-off or preempt-off section, spinlock, page lock, page-table lock (pte_offset_map_lock / pte_unmap_unlock) or lockless page-table walk is still held on an error / early return while other paths close it, or it is closed twice on one path, or closed after the conditional lock failed, or a retry (`goto again`) takes a lock it still holds. When the lock is taken above the hunk, an error exit that keeps it while the other side of the same test releases it is reported too.',
  check(unit, ctx) {
    const a = analysisOf(unit, ctx);
    const held = leakFindings(unit, ctx, 'bracket/unbalanced', a, { leaks: leaksOf(a, ctx, unit) });
    const out: RawFinding[] = [...held, ...releaseFaultFindings(unit, ctx, 'bracket/unbalanced'), ...deletedReleaseFindings(unit, ctx, 'bracket/unbalanced', held)];
    if (isPrimitive(unit, ctx)) return out;
    for (const r of retryRelocks(a)) {
      const k = r.key;
      const label = ctx.catalog.kind(k.kind).label;
      out.push({
        rule: 'bracket/unbalanced',
        message: `${label}${k.obj ? ' `' + k.obj + '`' : ''} is still held at \`${statementText(r.at).replace(/;$/, '')}\`, and the retry takes it again with ${r.again.callee}() (${ctx.where(unit, r.again.line)}) before any unlock: the CPU deadlocks on its own lock.`,
        at: nodePos(r.at),
        related: [{ message: `${r.again.callee}() takes it again here`, at: posOf(r.again, r.again.node) }, ...acquireRelated(k)],
        scenarioParams: { function: unit.cfg.name, object: k.obj, acquire: r.again.name },
        trace: relockTrace(unit, ctx, r),
        fingerprint: `bracket/unbalanced|${k.kind}|${k.obj}|${r.again.name}|retry-relock|${statementText(r.at)}`,
      });
    }
    return out;
  },
};
