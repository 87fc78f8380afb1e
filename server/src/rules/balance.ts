/**
 * Acquire/release balance over paths: ref-balance/leak (and its pgmap and
 * bracket forms), ref-balance/double-release, ref-balance/release-without-acquire.
 *
 * Precision first: a path leaks only when the object is *definitely* held on
 * it (every path that reaches the point holds it), no later node on the way to
 * the exit drops or hands it over, and the path is an error / early exit (a
 * negative errno, NULL, false, ERR_PTR, or a goto into an error ladder), or
 * another successful exit of the same function does release it.
 */
import { beforeParen } from '../util/text';
import type { CfgNode, CallOp } from '../c/cfg';
import type { Catalog } from '../catalog';
import type { RawFinding, RawRelated, Unit, RuleContext, RawEdit } from './api';
import {
  definitelyHeld,
  exitPoints,
  isErrorExit,
  isBackwardGoto,
  undroppedPathToExit,
  type LadderEnd,
  R,
  type KeyInfo,
  type ResourceAnalysis,
  type ReleaseEvent,
  type State,
  F,
  N,
  E,
} from './resources';
import { resourcesOf } from './summaries';
import { nodePos, posOf, statementText, mentions, stripParens } from './util';

export type LeakRuleId = 'ref-balance/leak' | 'spec-ref/pgmap-leak' | 'bracket/unbalanced';

/** Which rule reports an unreleased key. */
export function leakRuleFor(k: KeyInfo): LeakRuleId {
  if (k.kind === 'pgmap-ref') return 'spec-ref/pgmap-leak';
  if (k.family === 'ref') return 'ref-balance/leak';
  return 'bracket/unbalanced';
}

/** Functions that implement a catalogued primitive are its definition, not a use. */
export function isCatalogPrimitive(unit: Unit, cat: Catalog): boolean {
  return cat.has(unit.fn.name) || cat.has(unit.cfg.name);
}

interface Leak {
  key: KeyInfo;
  exit: CfgNode;
  exitText: string;
  error: boolean;
}

const leakCache = new WeakMap<ResourceAnalysis, Leak[]>();

/** Every leaking exit of a unit (all families). */
export function leaks(a: ResourceAnalysis): Leak[] {
  const hit = leakCache.get(a);
  if (hit) return hit;
  const out: Leak[] = [];
  const exits = exitPoints(a);
  // exits where each key is definitely released, on a successful path
  const releasedOk = new Map<string, boolean>();
  for (const x of exits) {
    const err = isErrorExit(a, x.node);
    for (const [id, b] of x.state) if (!err && b === R) releasedOk.set(id, true);
  }
  for (const x of exits) {
    for (const [id, b] of x.state) {
      if (!definitelyHeld(b)) continue;
      const k = a.keys.get(id)!;
      if (!k.acquires.length) continue;
      let path: LadderEnd | null;
      if (x.kind === 'goto') {
        const label = x.node.succs.find((e) => e.kind === 'goto')!.to;
        path = a.drops.get(id)?.has(label.id) ? null : undroppedPathToExit(a, label, id);
      } else path = { reachesReturn: false, releasedAtAReturn: false };
      if (!path) continue;
      const error = isErrorExit(a, x.node);
      // refs are routinely returned held on success (ownership transfer); locks and brackets are not
      // a lock or section still held where the goto's ladder ends, while other paths arrive there released
      // (not for a lock the caller holds on entry, which the function drops and re-takes: scan_swap_map_slots)
      const callerHeld = a.events.some((e) => e.t === 'release' && e.key === k && (e.bits & N) !== 0);
      const endsMixed = k.family !== 'ref' && x.kind === 'goto' && !callerHeld && releasedWhereLadderEnds(a, path, id);
      if (!error && (k.family === 'ref' || (!releasedOk.get(id) && !endsMixed))) continue;
      // a lock or section this function never closes on its way out is taken for its caller
      // (seq_file ->start, *_lock() helpers, page_ext_get): the caller's unlock pairs with it.
      // Dropping it only to retry (`unlock; goto again;`) is not closing it.
      if (k.family !== 'ref' && takenForCaller(a, k)) continue;
      // a section opened by the same call as such a lock (spin_lock_irqsave) goes with it
      if (k.family === 'bracket' && [...x.state].some(([lid, lb]) => {
        const l = a.keys.get(lid)!;
        return l.family === 'lock' && definitelyHeld(lb) && l.acquires.some((la) => k.acquires.some((ka) => ka.op === la.op)) && takenForCaller(a, l);
      })) continue;
      out.push({ key: k, exit: x.node, exitText: exitText(x.node, x.kind), error });
    }
  }
  // a return inside the ladder that a leaking goto of the same key runs into is the same
  // defect: report the goto only (the return is reached from nowhere else)
  // (per key: the leaking gotos, and what the entry reaches without them, computed once)
  const reach = new Map<KeyInfo, Set<number> | null>();
  const kept = out.filter((l) => {
    if (l.exit.kind !== 'return') return true;
    let r = reach.get(l.key);
    if (r === undefined) {
      const gotos = new Set(out.filter((g) => g.key === l.key && g.exit.kind === 'goto').map((g) => g.exit.id));
      reach.set(l.key, (r = gotos.size ? reachableSetAvoiding(a.cfg.entry, gotos) : null));
    }
    return r === null || r.has(l.exit.id);
  });
  leakCache.set(a, kept);
  return kept;
}

/** The ids of the nodes `from` reaches without entering a node of `avoid` (`from` included). */
function reachableSetAvoiding(from: CfgNode, avoid: ReadonlySet<number>): Set<number> {
  const seen = new Set<number>([from.id]);
  const work = [from];
  while (work.length) {
    const n = work.pop()!;
    for (const e of n.succs) {
      if (seen.has(e.to.id) || avoid.has(e.to.id)) continue;
      seen.add(e.to.id);
      work.push(e.to);
    }
  }
  return seen;
}

/**
 * Is `k` taken for the caller? The function never releases it, or releases it
 * only on the way back to a retry (`unlock; goto again;`) and returns it held
 * on a successful exit (folio_memcg_lock()).
 */
function takenForCaller(a: ResourceAnalysis, k: KeyInfo): boolean {
  const rels = a.events.filter((e) => e.t === 'release' && e.key === k);
  if (!rels.length) return true;
  if (rels.some((e) => !retriesAfter(e.node))) return false;
  return exitPoints(a).some((x) => definitelyHeld(x.state.get(k.key) ?? N) && !isErrorExit(a, x.node));
}

/** Does control go straight (no test) from `n` to a backward goto (`unlock; goto again;`)? */
function retriesAfter(n: CfgNode): boolean {
  let cur = n;
  for (let i = 0; i < 32; i++) {
    if (cur.kind === 'goto' && isBackwardGoto(cur)) return true;
    if (cur.succs.length !== 1) return false;
    const e = cur.succs[0];
    // a loop body's own unlock before its back edge pairs with the lock at its top: not a retry
    if (e.back || e.cond || e.to.kind === 'exit') return false;
    cur = e.to;
  }
  return false;
}

/** Do other paths reach the returns the ladder ends in (or the end of the function) with `key` released? */
function releasedWhereLadderEnds(a: ResourceAnalysis, end: LadderEnd, key: string): boolean {
  if (end.reachesReturn) return end.releasedAtAReturn;
  return ((a.in[a.cfg.exit.id]?.get(key) ?? N) & R) !== 0;
}

function exitText(n: CfgNode, kind: 'return' | 'goto' | 'fall'): string {
  if (kind === 'fall') return 'end of function';
  return statementText(n).replace(/;$/, '');
}

export function acquireApis(k: KeyInfo): string {
  return [...new Set(k.acquires.map((e) => e.op.name))].join('/');
}

export function acquireRelated(k: KeyInfo): RawRelated[] {
  return k.acquires.slice(0, 3).map((e) => ({ message: `${e.op.callee}() acquires ${k.obj ? '`' + k.obj + '`' : 'the section'} here`, at: posOf(e.op, e.op.node) }));
}

/** A mechanical repair: the release this function already uses elsewhere, or the catalog's pairing release. */
function releaseFix(a: ResourceAnalysis, cat: Catalog, k: KeyInfo, exit: CfgNode): { title: string; edits: RawEdit[] } | undefined {
  if (exit.kind !== 'return') return undefined;
  const stmt = exit.stmt ?? exit.ast;
  if (!stmt) return undefined;
  const s = stmt.startPosition;
  const e = stmt.endPosition;
  if (s.row !== e.row) return undefined;
  // 1. a release of this key written elsewhere in the function
  let call: string | undefined;
  for (const ev of a.events) {
    if (ev.t === 'release' && ev.key === k && !ev.mismatch) {
      const st = ev.op.node;
      call = st.text;
      break;
    }
  }
  // 2. the catalog's pairing release, when its arguments are just the object
  if (!call) {
    const acq = k.acquires[0];
    for (const name of acq.spec.pairsWith ?? []) {
      const rel = cat.releases(name).find((r) => cat.compatible(k.kind, r.kind));
      if (!rel) continue;
      if (rel.object === 0 && rel.stateArg === undefined && rel.count === undefined && rel.array === undefined && acq.objText) call = `${name}(${acq.objText})`;
      else if (rel.object === undefined && rel.array === undefined && rel.stateArg === undefined) call = `${name}()`;
      if (call) break;
    }
  }
  if (!call) return undefined;
  const line = a.cfg.variant.text.split('\n')[s.row] ?? '';
  const indent = /^\s*/.exec(line)![0];
  const parent = stmt.parent;
  const inBlock = parent?.type === 'compound_statement';
  const ret = stmt.text;
  const newText = inBlock ? `${call};\n${indent}${ret}` : `{\n${indent}\t${call};\n${indent}\t${ret}\n${indent}}`;
  const title = `Release with ${beforeParen(call)}() before returning`;
  // `if (cond)\n\treturn -E;` (kernel style, no else): brace the if on its own line,
  // `if (cond) {` ... `}`, rather than a brace line under it.
  const ifLine = a.cfg.variant.text.split('\n')[s.row - 1] ?? '';
  if (
    !inBlock &&
    parent?.type === 'if_statement' &&
    parent.childForFieldName('consequence') === stmt &&
    !parent.childForFieldName('alternative') &&
    s.column === indent.length &&
    parent.startPosition.row === s.row - 1 &&
    /\)\s*$/.test(ifLine) &&
    !/\/[*/]/.test(ifLine)
  ) {
    const ifIndent = /^\s*/.exec(ifLine)![0];
    const end = ifLine.trimEnd().length;
    return {
      title,
      edits: [
        { at: { line: s.row - 1, col: end, endCol: ifLine.length }, newText: ' {' },
        { at: { line: s.row, col: s.column, endCol: e.column }, newText: `${call};\n${indent}${ret}\n${ifIndent}}` },
      ],
    };
  }
  if (!inBlock && s.column !== indent.length) {
    // `if (x) return -E;` on one line: keep it on one line
    return { title: `Release with ${beforeParen(call)}() before returning`, edits: [{ at: { line: s.row, col: s.column, endCol: e.column }, newText: `{ ${call}; ${ret} }` }] };
  }
  return { title: `Release with ${beforeParen(call)}() before returning`, edits: [{ at: { line: s.row, col: s.column, endCol: e.column }, newText }] };
}

export function leakFindings(unit: Unit, ctx: RuleContext, want: LeakRuleId): RawFinding[] {
  if (isCatalogPrimitive(unit, ctx.catalog)) return [];
  const a = resourcesOf(unit, ctx);
  const out: RawFinding[] = [];
  const once = new Set<string>();
  // locks before the mappings and sections the same call opens (pte_offset_map_lock: report the PTL)
  const rank = (k: KeyInfo) => (k.family === 'lock' ? 0 : k.family === 'ref' ? 1 : 2);
  for (const l of [...leaks(a)].sort((x, y) => rank(x.key) - rank(y.key))) {
    const rule = leakRuleFor(l.key);
    if (rule !== want) continue;
    // one call acquiring two things (pte_offset_map_lock: the mapping and the PTL) is one defect
    const site = `${l.exit.id}|${l.key.acquires[0].op.line}:${l.key.acquires[0].op.col}`;
    if (once.has(site)) continue;
    once.add(site);
    const k = l.key;
    const label = ctx.catalog.kind(k.kind).label;
    const apis = acquireApis(k);
    const where = l.exit.kind === 'goto' ? `on the path through \`${l.exitText}\`` : l.exitText === 'end of function' ? 'when the function ends' : `at \`${l.exitText}\``;
    const why = l.error ? 'this error path' : 'this path, although other paths release it';
    const message =
      rule === 'bracket/unbalanced'
        ? `${label}${k.obj ? ' `' + k.obj + '`' : ''} taken by ${apis}() (${ctx.where(unit, k.acquires[0].op.line)}) is still held ${where}: ${why}.`
        : `${label} on \`${k.obj}\` taken by ${apis}() (${ctx.where(unit, k.acquires[0].op.line)}) is not released ${where} (${why}).`;
    const related = [...acquireRelated(k)];
    const rel = a.events.find((e): e is ReleaseEvent => e.t === 'release' && e.key === k);
    if (rel) related.push({ message: `released here on another path (${rel.op.callee})`, at: posOf(rel.op, rel.op.node) });
    const fix = releaseFix(a, ctx.catalog, k, l.exit);
    out.push({
      rule,
      message,
      at: nodePos(l.exit),
      related,
      scenarioParams: { function: unit.cfg.name, object: k.obj, acquire: apis, release: (k.acquires[0].spec.pairsWith ?? [])[0] ?? '' },
      fixes: fix ? [fix] : undefined,
      fingerprint: `${rule}|${k.kind}|${k.obj}|${apis}|${l.exitText}`,
    });
  }
  return out;
}

/**
 * `goto again;` with a lock still held, back to code that takes the same lock
 * again before releasing it: the retry deadlocks on itself (bracket/unbalanced).
 */
export function retryRelockFindings(unit: Unit, ctx: RuleContext): RawFinding[] {
  if (isCatalogPrimitive(unit, ctx.catalog)) return [];
  const a = resourcesOf(unit, ctx);
  const out: RawFinding[] = [];
  for (const n of a.cfg.nodes) {
    if (n.kind !== 'goto' || !isBackwardGoto(n)) continue;
    const st = a.out[n.id];
    const label = n.succs.find((e) => e.kind === 'goto')?.to;
    if (!st || !label) continue;
    for (const [id, b] of st) {
      const k = a.keys.get(id)!;
      if (k.family !== 'lock' || !definitelyHeld(b)) continue;
      const again = k.acquires.filter((x) => !x.eff.cond);
      if (!again.length) continue;
      const hit = relockAhead(a, label, id, new Set(again.map((x) => x.node.id)));
      if (!hit) continue;
      const acq = again.find((x) => x.node === hit)!;
      const label0 = ctx.catalog.kind(k.kind).label;
      out.push({
        rule: 'bracket/unbalanced',
        message: `${label0}${k.obj ? ' `' + k.obj + '`' : ''} is still held at \`${statementText(n).replace(/;$/, '')}\`, and the retry takes it again with ${acq.op.callee}() (${ctx.where(unit, acq.op.line)}) before any unlock: the CPU deadlocks on its own lock.`,
        at: nodePos(n),
        related: [{ message: `${acq.op.callee}() takes it again here`, at: posOf(acq.op, acq.op.node) }, ...acquireRelated(k)],
        scenarioParams: { function: unit.cfg.name, object: k.obj, acquire: acq.op.name },
        fingerprint: `bracket/unbalanced|${k.kind}|${k.obj}|${acq.op.name}|retry-relock|${statementText(n)}`,
      });
    }
  }
  return out;
}

/** From `start`, the first acquire node (of `acquireNodes`) reached before any node that drops `key`. */
function relockAhead(a: ResourceAnalysis, start: CfgNode, key: string, acquireNodes: Set<number>): CfgNode | null {
  const drops = a.drops.get(key) ?? new Set<number>();
  const seen = new Set<number>([start.id]);
  const work = [start];
  while (work.length) {
    const n = work.pop()!;
    if (acquireNodes.has(n.id)) {
      // released earlier in the same node (`spin_unlock(l); spin_lock(l);`) is not a relock while held
      const ops = n.ops;
      const firstAcq = ops.findIndex((o) => a.events.some((e) => e.t === 'acquire' && e.op === o && e.key.key === key));
      const firstRel = ops.findIndex((o) => a.events.some((e) => e.t === 'release' && e.op === o && e.key?.key === key));
      if (firstRel < 0 || firstRel > firstAcq) return n;
      continue;
    }
    if (drops.has(n.id)) continue;
    for (const e of n.succs) {
      if (seen.has(e.to.id)) continue;
      seen.add(e.to.id);
      work.push(e.to);
    }
  }
  return null;
}

/** ref-balance/double-release and ref-balance/release-without-acquire (ref and lock families; brackets report as bracket/unbalanced). */
export function releaseFindings(unit: Unit, ctx: RuleContext, want: 'ref-balance/double-release' | 'ref-balance/release-without-acquire' | 'bracket/unbalanced'): RawFinding[] {
  if (isCatalogPrimitive(unit, ctx.catalog)) return [];
  const a = resourcesOf(unit, ctx);
  const out: RawFinding[] = [];
  for (const ev of a.events) {
    if (ev.t !== 'release' || ev.mismatch) continue;
    if (!ev.key) {
      if (want === 'ref-balance/release-without-acquire') {
        const b = borrowedRelease(unit, ctx, a, ev);
        if (b) out.push(b);
      }
      continue;
    }
    // element-wise releases of a GUP array (put_page(pages[i]) in a loop) are not tracked per element
    if (ev.key.array && (ev.element || ev.op.loopMacro)) continue;
    const k = ev.key;
    const bracketish = k.family !== 'ref';
    let rule: string | null = null;
    let message = '';
    const label = ctx.catalog.kind(k.kind).label;
    const obj = k.obj ? `\`${k.obj}\`` : 'the section';
    // released on every path (some may have handed it over too: the released ones release it twice),
    // or an earlier release leads here with no decision in between (`put_page(p); goto out_put;`)
    if (((ev.bits & R) && !(ev.bits & ~(R | E))) || ((ev.bits & R) && k.family !== 'bracket' && straightAfterRelease(a, ev))) {
      rule = bracketish ? 'bracket/unbalanced' : 'ref-balance/double-release';
      message = bracketish
        ? `${ev.op.callee}() releases ${label} ${obj} a second time on this path: it was already released.`
        : `${ev.op.callee}() drops the ${label} on ${obj} a second time on this path: it was already released after ${acquireApis(k)}().`;
    } else if (ev.bits === F && k.acquires.length) {
      rule = bracketish ? 'bracket/unbalanced' : 'ref-balance/release-without-acquire';
      message = `${ev.op.callee}() releases ${obj} on a path where ${acquireApis(k)}() failed: the ${label} was never taken.`;
    }
    if (!rule || rule !== want) continue;
    const prior = a.events.find((e): e is ReleaseEvent => e.t === 'release' && e.key === k && e !== ev && e.bits !== R);
    const related = acquireRelated(k);
    if (prior && ev.bits & R) related.push({ message: `first released here (${prior.op.callee})`, at: posOf(prior.op, prior.op.node) });
    out.push({
      rule,
      message,
      at: posOf(ev.op, ev.op.node),
      related,
      scenarioParams: { function: unit.cfg.name, object: k.obj, acquire: acquireApis(k), release: ev.op.name },
      fingerprint: `${rule}|${k.kind}|${k.obj}|${ev.op.name}|${ev.bits & R ? 'twice' : 'failed'}`,
    });
  }
  return out;
}

/** Does another release of the same key reach `ev` along unconditional edges, with nothing dropping or re-taking it between? */
function straightAfterRelease(a: ResourceAnalysis, ev: ReleaseEvent): boolean {
  const k = ev.key!;
  const drops = a.drops.get(k.key) ?? new Set<number>();
  const acquireNodes = new Set(k.acquires.map((x) => x.node.id));
  for (const first of a.events) {
    if (first.t !== 'release' || first === ev || first.key !== k || first.element) continue;
    if (first.node === ev.node) {
      if (first.node.ops.indexOf(first.op) < ev.node.ops.indexOf(ev.op)) return true;
      continue;
    }
    let cur = first.node;
    for (let i = 0; i < 64; i++) {
      if (cur.succs.length !== 1 || cur.succs[0].cond || cur.succs[0].back) break;
      cur = cur.succs[0].to;
      if (cur === ev.node) {
        const idx = cur.ops.indexOf(ev.op);
        // nothing before the release in its own node re-takes the object
        if (!a.events.some((e) => e.node === cur && e.t === 'acquire' && e.key === k && cur.ops.indexOf(e.op) < idx)) return true;
        break;
      }
      if (drops.has(cur.id) || acquireNodes.has(cur.id)) break;
    }
  }
  return false;
}

/**
 * A put on an object this function got from a call that takes no reference
 * (vm_normal_page, pfn_to_page ...) on every path, with no acquire and no
 * unknown call handling the object in between: the put drops a reference
 * that belongs to someone else (the mapping, the page cache).
 */
function borrowedRelease(unit: Unit, ctx: RuleContext, a: ResourceAnalysis, ev: ReleaseEvent): RawFinding | null {
  const cat = ctx.catalog;
  if (ev.element || ev.eff.array !== undefined || cat.kind(ev.eff.kind).family !== 'ref') return null;
  if (!/^[A-Za-z_]\w*$/.test(ev.obj)) return null;
  const obj = ev.obj;
  // every key of this object: never acquired anywhere before on any path
  for (const [id, b] of ev.before) {
    const k = a.keys.get(id)!;
    if (k.obj === obj && b !== N) return null;
  }
  // backward: every path from the release must meet `obj = <unreferenced lookup>` first
  let source: CallOp | null = null;
  const seen = new Set<number>();
  const work: { n: CfgNode; upto: number }[] = [{ n: ev.node, upto: ev.node.ops.indexOf(ev.op) }];
  while (work.length) {
    const { n, upto } = work.pop()!;
    let decided = false;
    for (let i = upto - 1; i >= 0 && !decided; i--) {
      const op = n.ops[i];
      if (op.kind === 'call') {
        const spec = cat.api(op.name);
        const mentionsObj = op.args.some((x) => mentions(x.text, obj));
        if (mentionsObj && (!spec || (spec.effects ?? []).some((e) => e.op === 'acquire'))) return null; // may take a ref
        if (op.result.kind === 'assigned' && op.result.to.trim() === obj) {
          if (!spec?.returnsUnreferenced) return null;
          source ??= op;
          decided = true;
        }
      } else if ((op.kind === 'assign' && op.target.kind === 'var' && op.target.text === obj) || (op.kind === 'decl' && op.name === obj)) {
        if (op.kind === 'decl' && op.param) return null;
        // handled by the call op when the value is a call
        const rhs = op.kind === 'assign' ? op.rhsNode : op.init;
        if (!rhs || stripParens(rhs).type !== 'call_expression') return null;
      }
    }
    if (decided) continue;
    if (n === a.cfg.entry || n.kind === 'entry') return null;
    for (const e of n.preds) {
      if (seen.has(e.from.id)) continue;
      seen.add(e.from.id);
      work.push({ n: e.from, upto: e.from.ops.length });
    }
    if (!n.preds.length) return null;
  }
  if (!source) return null;
  const rule = 'ref-balance/release-without-acquire';
  return {
    rule,
    message: `${ev.op.callee}(${ev.objText}) drops a ${cat.kind(ev.eff.kind).label} this function never took: \`${obj}\` comes from ${source.callee}() (${ctx.where(unit, source.line)}), which returns the page without a reference. The put frees a reference somebody else owns.`,
    at: posOf(ev.op, ev.op.node),
    related: [{ message: `${source.callee}() returns \`${obj}\` without a reference`, at: posOf(source, source.node) }],
    scenarioParams: { function: unit.cfg.name, object: obj, acquire: source.name, release: ev.op.name },
    fingerprint: `${rule}|${obj}|${source.name}|${ev.op.name}|unreferenced`,
  };
}

export type { State };
