/**
 * Helpers the barrier rules share: positions, edits, and the other CPU's
 * side of a store-buffering finding. The facts come from the ordering
 * analysis (server/src/analysis/ordering); nothing here names a kernel API.
 */
import { effectiveCall, eventsOf, findMirror, otherSide, type Ev, type MirrorSite, type SlHit } from '../../analysis/ordering';
import type { CallOp } from '../../c/cfg';
import type { HunkLine } from '../../patch/model';
import type { ImagePos, RawEdit, RawRelated, RuleContext, Unit } from '../api';

export function pos(e: Ev): ImagePos {
  return { line: e.line, col: e.col, endCol: e.endCol };
}

/** Text of a line of the unit's image (variant text). */
export function lineText(unit: Unit, line: number): string {
  return unit.variant.text.split('\n')[line] ?? '';
}

export function indentOf(text: string): string {
  return /^[ \t]*/.exec(text)![0];
}

/**
 * A barrier statement as a quick fix inserts it: with the comment checkpatch
 * (and barrier/uncommented) asks for, saying what it orders.
 */
export function commentedBarrier(call: string, orders: string): string {
  return `${call}();\t/* ${orders.replace(/\*\//g, '* /')} */`;
}

/** Insert `text` as a new line after the statement of event e (same indentation as its first line). */
export function insertAfter(unit: Unit, e: Ev, text: string): RawEdit {
  const st = e.node.stmt ?? e.op.node;
  const end = st.endPosition;
  const lt = lineText(unit, end.row);
  const indent = indentOf(lineText(unit, e.line));
  return { at: { line: end.row, col: lt.length, endCol: lt.length }, newText: `\n${indent}${text}` };
}

/** Insert `text` as a new line before the line of event e. */
export function insertBefore(unit: Unit, e: Ev, text: string): RawEdit {
  const lt = lineText(unit, e.line);
  const indent = indentOf(lt);
  return { at: { line: e.line, col: indent.length, endCol: indent.length }, newText: `${text}\n${indent}` };
}

/** Replace the called name of event e. */
export function renameCall(e: Ev, newName: string): RawEdit {
  return { at: { line: e.line, col: e.col, endCol: e.endCol ?? e.col + (e.name?.length ?? 0) }, newText: newName };
}

/** The other CPU's side of a store→load hit, in its own function: the mirror named in the message, or the protocol's other side. */
export function mirrorOf(unit: Unit, ctx: RuleContext, h: SlHit): MirrorSite | undefined {
  const { store: s, load: l } = h;
  if (!s.loc || !l.loc) return undefined;
  if (h.mirror.length) return findMirror(ctx, unit.side, new Set([l.loc]), new Set([s.loc]), new Set([unit.fn.name]), h.mirror[0]);
  if (h.protocol) return findMirror(ctx, unit.side, new Set(otherSide(h.protocol, s.loc)), new Set(otherSide(h.protocol, l.loc)), new Set([unit.fn.name]));
  return undefined;
}

export function mirrorRelated(m: MirrorSite): RawRelated {
  return m.barrier
    ? { message: `the other side: ${m.fn}() orders its store to ${m.store.locText} before its load of ${m.load.locText} with ${m.barrier.name}()`, at: pos(m.barrier), unit: m.unit as Unit }
    : { message: `the other side: ${m.fn}() stores ${m.store.locText} and then loads ${m.load.locText}, with no full barrier either`, at: pos(m.store), unit: m.unit as Unit };
}

/** What a weak or misused barrier fails to do, for messages. */
export function weakWhy(w: Ev): string {
  switch (w.ordering) {
    case 'wmb':
      return `${w.name}() orders only stores against stores`;
    case 'rmb':
      return `${w.name}() orders only loads against loads`;
    case 'after-atomic':
      return `${w.name}() is a full barrier only after a non-returning atomic RMW, and none precedes it here`;
    case 'before-atomic':
      return `${w.name}() is a full barrier only before a non-returning atomic RMW, and none follows it here`;
    default:
      return `${w.name}() does not order a store before a later load`;
  }
}

/** A barrier call on an added or deleted line of a function side. */
export interface BarrierCall {
  name: string;
  hl: HunkLine;
  unit: Unit;
  op: CallOp;
  ev?: Ev;
}

/**
 * The memory-barrier calls (the barriers checkpatch knows: smp_mb(),
 * smp_wmb(), smp_mb__after_atomic() ...; catalog `checkpatchComment`) on
 * the `kind` lines of the units, once per patch line. Helpers that merely
 * imply a barrier (set_current_state(), mmdrop()) are primitives that
 * order, not barriers.
 */
export function barrierCallsOn(units: readonly Unit[], ctx: RuleContext, kind: 'add' | 'del'): BarrierCall[] {
  const out: BarrierCall[] = [];
  const seen = new Set<string>();
  for (const u of units) {
    for (const n of u.cfg.nodes)
      for (const op of n.ops) {
        if (op.kind !== 'call' || op.indirect) continue;
        const eff = effectiveCall(ctx, u, op);
        const name = eff?.name ?? op.name;
        if (!ctx.catalog.wantsComment(name)) continue;
        const o = u.image.origin[op.line];
        if (!o || o.kind !== 'patch' || o.line.kind !== kind) continue;
        const key = `${o.line.span.start}:${op.col}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ name: op.name, hl: o.line, unit: u, op, ev: eventsOf(u, ctx).all.find((e) => e.op === op) });
      }
  }
  return out;
}

/**
 * The nearest memory access before (dir -1) or after (dir 1) an image line,
 * in text order; `kinds`: only stores (what smp_wmb() orders) or only loads
 * (smp_rmb()).
 */
export function nearestAccess(unit: Unit, ctx: RuleContext, line: number, dir: -1 | 1, differentFrom?: string, kinds: 'any' | 'stores' | 'loads' = 'any'): Ev | undefined {
  const ok = (e: Ev) => (kinds === 'stores' ? e.kind === 'store' || e.kind === 'rmw' : kinds === 'loads' ? e.kind === 'load' || e.kind === 'rmw' : e.kind === 'store' || e.kind === 'load' || e.kind === 'rmw');
  const evs = eventsOf(unit, ctx).all.filter((e) => ok(e) && (dir < 0 ? e.line < line : e.line > line) && (!differentFrom || e.loc !== differentFrom));
  if (!evs.length) return undefined;
  return dir < 0 ? evs[evs.length - 1] : evs[0];
}

/** The patch line of an image line, if it has one. */
export function patchLineOf(unit: Unit, line: number): HunkLine | undefined {
  const o = unit.image.origin[line];
  return o && o.kind === 'patch' ? o.line : undefined;
}
