/**
 * Who reads a shared location without a lock: the evidence that a store to
 * it publishes to other CPUs. A read counts when no lock is held on every
 * path to it (IRQ- or preemption-off sections do not keep other CPUs out).
 * The writer's own preparation (the statements that store into the object
 * being published, and the publication itself) is not a reader.
 */
import type { CfgNode } from '../../c/cfg';
import { eventsOf, underLock } from './docIndex';

import type { OrderingContext, OrderingUnit, Side } from './types';
import { dependsOnDocument } from '../deps';

export interface Reader {
  unit: OrderingUnit;
  node: CfgNode;
  line: number;
  col: number;
  /** A lock is held on every path to the read (in the function, or by every caller). */
  locked: boolean;
}

/** The location read: a global variable by name (no memory event: it is not reached through a pointer), or a location key. */
export type ReadTarget = { global: string } | { loc: string };

function wordRe(name: string): RegExp {
  return new RegExp(`(?<![A-Za-z0-9_.>])${name.replace(/[^A-Za-z0-9_]/g, '')}(?![A-Za-z0-9_])`);
}

/** The reads of `target` made without a lock: see readersOf(). */
export function unlockedReaders(ctx: OrderingContext, side: Side, target: ReadTarget, skip: (unit: OrderingUnit, node: CfgNode) => boolean, path?: string): Reader[] {
  return readersOf(ctx, side, target, skip, path).filter((r) => !r.locked);
}

/**
 * The reads of `target` in the document's functions (one side), each with
 * whether a lock is held there, except in the nodes `skip` excludes. A
 * function that declares a local of the global's name reads its local, not
 * the global.
 */
export function readersOf(ctx: OrderingContext, side: Side, target: ReadTarget, skip: (unit: OrderingUnit, node: CfgNode) => boolean, path?: string): Reader[] {
  dependsOnDocument(); // its result depends on other functions of the document (analysis/deps.ts)
  const out: Reader[] = [];
  for (const u of ctx.units) {
    if (u.side !== side) continue;
    // a global of that name in another file may be another object (a static)
    if (path !== undefined && u.fn.path !== path) continue;
    const ue = eventsOf(u, ctx);
    if ('global' in target) {
      const name = target.global;
      if (u.cfg.nodes.some((n) => n.ops.some((o) => o.kind === 'decl' && o.name === name))) continue;
      const re = wordRe(name);
      const assign = new RegExp(`(?<![A-Za-z0-9_.>])${name.replace(/[^A-Za-z0-9_]/g, '')}(?![A-Za-z0-9_])\\s*=(?!=)`, 'g');
      for (const n of u.cfg.nodes) {
        if ((n.kind !== 'stmt' && n.kind !== 'branch' && n.kind !== 'return') || !n.ast || skip(u, n)) continue;
        // a node standing for a whole block (a loop head) is not where its inner reads happen
        if (n.ast.text.includes('{')) continue;
        const text = n.ast.text.replace(assign, '');
        if (!re.test(text)) continue;
        out.push({ unit: u, node: n, line: n.line, col: n.col, locked: underLock(ctx, ue, n) });
      }
    } else {
      for (const e of ue.all) {
        if (e.kind !== 'load' || e.loc !== target.loc || skip(u, e.node)) continue;
        out.push({ unit: u, node: e.node, line: e.line, col: e.col, locked: underLock(ctx, ue, e) });
      }
    }
  }
  return out;
}
