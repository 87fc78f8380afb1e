/**
 * The shared resource / context dataflow that the ref-balance, ref-kind,
 * spec-ref, bracket and atomic-sleep rules read.
 *
 * Over one unit's CFG, a forward solver (c/dataflow solveForward) tracks, for
 * every object the catalog says a call acquires or releases, a small set of
 * possible states (bit set; the join is union, so "definitely held" means
 * every path that reaches the point holds it):
 *
 *   N  never acquired here      H / H2  held once / twice or more (brackets nest)
 *   R  released after an acquire in this function
 *   X  released although this function never acquired it (a callee dropping the caller's ref)
 *   F  a conditional acquire failed (its result was tested)
 *   P  a conditional acquire whose result has not been tested yet
 *   E  ownership transferred: returned, stored, passed to a non-catalog function, overwritten
 *
 * Objects are keyed by resource kind and normalised object text: `page`,
 * `pages[i]` -> the array `pages`, `&vma->vm_mm->mmap_sem` -> `vma->vm_mm->mmap_sem`.
 * Per-context brackets (RCU, IRQs off, preemption ...) are keyed by kind and
 * style only; locks that carry their state in an argument (the PTL of
 * pte_offset_map_lock(mm, pmd, addr, &ptl)) by that argument.
 *
 * The analysis is cached per CFG: every rule of every category reads the
 * same result.
 */
import { hasLineTerminator } from '../util/text';
import { ASSERTION_MACRO, ERR_POINTER_TESTS, IDENTITY_WRAPPERS } from '../c/kernelMacros';
import type { Cfg, CfgEdge, CfgNode, CallOp, Operation } from '../c/cfg';
import { solveForward } from '../c/dataflow';
import type { ApiSpec, Catalog, Effect, AcquireEffect, ReleaseEffect, ResourceKind, KindSpec } from '../catalog';
import { callEffects, errorishValue, normObject, stripParens, usage } from './util';

export const N = 1;
export const H = 2;
export const H2 = 4;
export const R = 8;
export const X = 16;
export const F = 32;
export const P = 64;
export const E = 128;
export const HELD = H | H2;

export type Bits = number;
export type State = ReadonlyMap<string, Bits>;

export interface KeyInfo {
  key: string;
  kind: ResourceKind;
  family: KindSpec['family'];
  /** Normalised object text ('' for per-context brackets). */
  obj: string;
  /** The object is an array of pages filled by one call (GUP). */
  array: boolean;
  style?: string;
  /** Texts whose truth tests a pending conditional acquire: the call itself, the variable it was assigned to. */
  condTexts: Set<string>;
  cond?: AcquireEffect['cond'];
  /** Acquire sites (first first). */
  acquires: AcquireEvent[];
  /** Flags variables given to save-style acquires. */
  flags: Set<string>;
}

interface EventBase {
  node: CfgNode;
  op: CallOp;
  spec: ApiSpec;
  /** The state just before the call. */
  before: State;
}
export interface AcquireEvent extends EventBase {
  t: 'acquire';
  key: KeyInfo;
  eff: AcquireEffect;
  /** Argument text of the object as written (`&vma->vm_mm->mmap_sem`). */
  objText: string;
}
export interface ReleaseEvent extends EventBase {
  t: 'release';
  eff: ReleaseEffect;
  obj: string;
  objText: string;
  element: boolean;
  /** The key this release dropped (compatible kind, same object), if any was tracked. */
  key: KeyInfo | null;
  /** Bits of `key` before the release. */
  bits: Bits;
  /** A held key of the same object whose kind this release cannot drop (ref-kind / mixed style). */
  mismatch?: { key: KeyInfo; bits: Bits; reason: 'kind' | 'style' };
}
export interface CallEvent extends EventBase {
  t: 'call';
}
export type ResEvent = AcquireEvent | ReleaseEvent | CallEvent;

export interface ResourceAnalysis {
  cfg: Cfg;
  keys: Map<string, KeyInfo>;
  in: (State | undefined)[];
  out: (State | undefined)[];
  events: ResEvent[];
  /** Node ids where a key is released or escapes (for "is there a release on the way to the exit"). */
  drops: Map<string, Set<number>>;
  /** Calls of functions the catalog does not know (calls into the document's own functions), with the state before them. */
  plainCalls: { node: CfgNode; op: CallOp; before: State }[];
  /** Declared types of parameters and locals by name. */
  types: Map<string, string>;
  converged: boolean;
}

/**
 * What a function of the same document does to resources its caller holds,
 * as a catalog-like spec: `hugetlb_no_page()` unlocks the fault mutex its
 * caller took. Only releases are summarised (a function that drops, on every
 * path, something it never acquired). Objects are named by parameter index
 * (with a member path: `vmf->ptl`), or by the global's own text.
 */
export interface CalleeSummary {
  name: string;
  releases: { kind: ResourceKind; style?: string; param?: number; path?: string; global?: string; element?: boolean }[];
}
export type Summaries = ReadonlyMap<string, CalleeSummary>;

const cache = new WeakMap<Cfg, Map<string, ResourceAnalysis>>();
const calleeNames = new WeakMap<Cfg, Set<string>>();

function summarySignature(cfg: Cfg, summaries: Summaries | undefined): string {
  if (!summaries || !summaries.size) return '';
  let names = calleeNames.get(cfg);
  if (!names) {
    names = new Set();
    for (const n of cfg.nodes) for (const o of n.ops) if (o.kind === 'call' && !o.indirect) names.add(o.name);
    calleeNames.set(cfg, names);
  }
  const parts: string[] = [];
  for (const n of [...names].sort()) {
    const s = summaries.get(n);
    if (s) parts.push(JSON.stringify(s));
  }
  return parts.join(';');
}

export function bitsOf(s: State | undefined, key: string): Bits {
  return s?.get(key) ?? N;
}
/** Definitely held: every path holds it. */
export function definitelyHeld(b: Bits): boolean {
  return (b & HELD) !== 0 && (b & ~HELD) === 0;
}
export function maybeHeld(b: Bits): boolean {
  return (b & (HELD | P)) !== 0;
}

function join(a: State, b: State): State {
  if (a === b) return a;
  const out = new Map(a);
  for (const [k, v] of b) out.set(k, (out.get(k) ?? N) | v);
  for (const [k, v] of a) if (!b.has(k)) out.set(k, v | N);
  return out;
}
function equals(a: State, b: State): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/** Apply `f` to every possible state in the bit set. */
function mapBits(b: Bits, f: (one: Bits) => Bits): Bits {
  let out = 0;
  for (let bit = 1; bit <= E; bit <<= 1) if (b & bit) out |= f(bit);
  return out;
}

export function analyzeResources(cfg: Cfg, cat: Catalog, summaries?: Summaries): ResourceAnalysis {
  const sig = summarySignature(cfg, summaries);
  let perSig = cache.get(cfg);
  const hit = perSig?.get(sig);
  if (hit) return hit;

  const keys = new Map<string, KeyInfo>();
  const types = new Map<string, string>();
  for (const n of cfg.nodes) for (const o of n.ops) if (o.kind === 'decl') types.set(o.name, o.type);

  // `head = compound_head(page)`: variables computed from another by a catalogued accessor (no effects)
  const derivedFrom = new Map<string, Set<string>>();
  for (const n of cfg.nodes)
    for (const o of n.ops) {
      const to = o.kind === 'assign' && o.op === '=' && o.target.kind === 'var' ? o.target.text : o.kind === 'decl' && !o.param ? o.name : null;
      const rhs = o.kind === 'assign' ? o.rhsNode : o.kind === 'decl' ? o.init : null;
      if (!to || !rhs) continue;
      const c = stripParens(rhs);
      if (c.type !== 'call_expression') continue;
      const acc = cat.api(c.childForFieldName('function')?.text ?? '');
      const args = c.childForFieldName('arguments')?.namedChildren ?? [];
      if (!acc || acc.effects?.length || !args.length) continue;
      const from = norm(args[0].text);
      if (!/^[A-Za-z_]\w*$/.test(from)) continue;
      let set = derivedFrom.get(to);
      if (!set) derivedFrom.set(to, (set = new Set()));
      set.add(from);
    }

  let recording = false;
  const events: ResEvent[] = [];
  const plainCalls: ResourceAnalysis['plainCalls'] = [];
  const drops = new Map<string, Set<number>>();
  const addDrop = (key: string, node: CfgNode) => {
    if (!recording) return;
    let s = drops.get(key);
    if (!s) drops.set(key, (s = new Set()));
    s.add(node.id);
  };

  const keyFor = (kind: ResourceKind, eff: Effect, obj: string, array: boolean): KeyInfo => {
    const ks = cat.kind(kind);
    let id: string;
    let o = obj;
    if (ks.family === 'bracket') {
      id = `${kind}|style:${eff.style ?? ''}`;
      // a section opened on a returned pointer (`dst_pte = pte_alloc_map_lock(...)`, `addr = kmap_local_page(p)`)
      // is that pointer's: two PTE tables mapped in one function are two brackets
      if (eff.op === 'acquire' && eff.object === 'ret' && obj && /^[A-Za-z_][\w.>-]*$/.test(obj)) id += `|${obj}`;
      else o = '';
    } else id = `${kind}|${array ? '[]' : ''}${obj}`;
    let k = keys.get(id);
    if (!k) {
      k = { key: id, kind, family: ks.family, obj: o, array, style: ks.family === 'bracket' ? eff.style : undefined, condTexts: new Set(), acquires: [], flags: new Set() };
      keys.set(id, k);
    }
    return k;
  };

  /** The object an effect names in a call: [normalised, as written, element-of-array]. */
  const objectOf = (eff: AcquireEffect | ReleaseEffect, call: CallOp): { obj: string; text: string; array: boolean; element: boolean } | null => {
    const family = cat.kind(eff.kind).family;
    if (family === 'lock' && eff.stateArg !== undefined && call.args[eff.stateArg]) {
      const t = call.args[eff.stateArg].text;
      return { obj: normObject(t).obj, text: t, array: false, element: false };
    }
    if (eff.array !== undefined) {
      const idx = eff.arrayByArity?.[call.args.length] ?? eff.array;
      const a = call.args[idx];
      if (!a) return null;
      const n = normObject(a.text);
      return { obj: n.obj, text: a.text, array: true, element: false };
    }
    if (eff.object === 'ret') {
      if (call.result.kind === 'assigned') return { obj: normObject(call.result.to).obj, text: call.result.to, array: false, element: false };
      return null;
    }
    if (typeof eff.object === 'number') {
      const a = call.args[eff.object];
      if (!a) return null;
      const n = normObject(a.text);
      return { obj: n.obj, text: a.text, array: false, element: n.element };
    }
    return { obj: '', text: '', array: false, element: false };
  };

  /**
   * Objects that `text` hands over. As a call argument, `&page->lru` (an
   * embedded member's address: list_add) hands the page over, `page->mapping`
   * does not; elsewhere only the object itself counts (`return page`, `x->p = page`).
   */
  const escapeMentioned = (st: Map<string, Bits>, text: string, node: CfgNode, arraysToo: boolean, asArgument = false) => {
    for (const [id, bits] of st) {
      const k = keys.get(id)!;
      if (!k.obj || k.family === 'bracket') continue;
      if (k.array && !arraysToo) continue;
      if (!(bits & (HELD | P))) continue;
      const u = usage(text, k.obj);
      if (u === 'whole' || (u === 'member' && asArgument && text.trim().startsWith('&') && !k.array)) {
        st.set(id, E);
        addDrop(id, node);
      }
    }
  };

  const stepCall = (st: Map<string, Bits>, node: CfgNode, call: CallOp) => {
    const spec = specForCall(cat, call, types);
    const indirectOk = !call.indirect || spec?.indirect || spec?.name === call.name;
    if (!spec || !indirectOk) {
      if (recording) plainCalls.push({ node, op: call, before: new Map(st) });
      const sum = !spec && !call.indirect ? summaries?.get(call.name) : undefined;
      if (sum) applyEffects(st, node, call, summarySpec(sum), summaryEffects(sum, call));
      // Not catalogued: an object handed to it may be consumed (ownership transfer).
      // A predicate (`if (PageFoo(page))`) or an accessor whose value feeds another call
      // (`do_dma(page_address(page))`) does not take the object.
      const accessor = call.result.kind === 'condition' || call.result.kind === 'compared' || call.result.kind === 'argument';
      if (!call.loopMacro) {
        // a lock kept in a structure (`vmf->ptl`) whose owner is handed to an
        // unknown function (`return do_wp_page(vmf)`): the callee may unlock it
        for (const a of call.args) {
          const t = norm(a.text);
          if (!/^[A-Za-z_]\w*$/.test(t)) continue;
          for (const [id, bits] of st) {
            const k = keys.get(id)!;
            if (k.family !== 'lock' || !(bits & (HELD | P)) || !(k.obj.startsWith(t + '->') || k.obj.startsWith(t + '.'))) continue;
            st.set(id, E);
            addDrop(id, node);
          }
        }
      }
      if (call.result.kind === 'returned') {
        // `head = compound_head(p); lock_page(head); ... return handle(pfn, p);`: a tail call
        // given the page that the locked head was derived from takes the lock over
        for (const a of call.args) {
          const t = norm(a.text);
          if (!/^[A-Za-z_]\w*$/.test(t)) continue;
          for (const [id, bits] of st) {
            const k = keys.get(id)!;
            if (k.family === 'bracket' || !(bits & (HELD | P)) || !derivedFrom.get(k.obj)?.has(t)) continue;
            st.set(id, E);
            addDrop(id, node);
          }
        }
      }
      if (!accessor && !call.loopMacro) {
        for (const a of call.args) {
          // pages[i] handed to a helper is not the array changing hands; `pages` is
          escapeMentioned(st, textOutsideCalls(a.node), node, !normObject(a.text).element, true);
        }
      }
      return;
    }
    applyEffects(st, node, call, spec, callEffects(spec, call));
  };

  const applyEffects = (st: Map<string, Bits>, node: CfgNode, call: CallOp, spec: ApiSpec, effs: Effect[]) => {
    const before: State = recording ? new Map(st) : st;
    if (recording) events.push({ t: 'call', node, op: call, spec, before });
    const touched = new Set<string>();
    for (const eff of effs) {
      const global = (eff as { global?: string }).global;
      let o = global !== undefined ? { obj: normObject(global).obj, text: global, array: false, element: !!(eff as { element?: boolean }).element || normObject(global).element } : objectOf(eff, call);
      if (!o) continue;
      // `file = get_file(vma->vm_file)`: the reference is held through the returned pointer
      if (eff.op === 'acquire' && spec.returnsObject && call.result.kind === 'assigned' && /^[A-Za-z_][\w.>-]*$/.test(norm(call.result.to)))
        o = { obj: normObject(call.result.to).obj, text: call.result.to, array: false, element: false };
      if (eff.op === 'acquire') {
        const k = keyFor(eff.kind, eff, o.obj, o.array);
        touched.add(k.key);
        if (eff.cond) {
          k.cond = eff.cond;
          k.condTexts.add(norm(call.node.text));
          if (call.result.kind === 'assigned') k.condTexts.add(norm(call.result.to));
        }
        if (eff.stateArg !== undefined && call.args[eff.stateArg]) k.flags.add(norm(call.args[eff.stateArg].text));
        const b = st.get(k.key) ?? N;
        if (recording) {
          const ev: AcquireEvent = { t: 'acquire', node, op: call, spec, before, key: k, eff, objText: o.text };
          events.push(ev);
          if (!k.acquires.some((a) => a.op === call)) k.acquires.push(ev);
        }
        const pending = eff.cond && call.result.kind !== 'discarded';
        // a bracket already open nests (a second pte mapping of another table): its result test concerns only the new one
        // (an untested earlier one counts as open: two pte_offset_map()s of two tables, neither checked)
        if (pending && k.family === 'bracket' && b & (HELD | P)) st.set(k.key, mapBits(b, (x) => (x & (HELD | P) ? H2 : P)));
        else st.set(k.key, pending ? P : o.array ? H : mapBits(b, (x) => (x & HELD ? H2 : H)));
      } else {
        // release: the key of the same object whose kind this release may drop
        let match: KeyInfo | null = null;
        let mismatch: ReleaseEvent['mismatch'];
        // keys that may be held first: `ptl = pmd_lock(); spin_unlock(ptl); spin_lock(ptl); spin_unlock(ptl)`
        // keeps a released ptl key beside the held spinlock key of the same object
        // a section kept per pointer is closed through the same pointer first (`pte_unmap_unlock(dst_pte, ..)`),
        // else through any open one of its kind (`pte_unmap(pte - 1)`, `orig_pte`)
        const rank = (x: [string, Bits]) => (x[1] & (HELD | P) ? 0 : 2) + (keys.get(x[0])!.family === 'bracket' && keys.get(x[0])!.obj && keys.get(x[0])!.obj !== o.obj ? 1 : 0);
        const candidates = [...st].sort((x, y) => rank(x) - rank(y));
        for (const [id, bits] of candidates) {
          const k = keys.get(id)!;
          if (touched.has(id)) continue;
          // a lock in an array (`&hugetlb_fault_mutex_table[hash]`) is locked and unlocked by element
          const sameObj = k.family === 'bracket' ? k.kind === eff.kind || cat.compatible(k.kind, eff.kind) : k.obj === o.obj && (k.array || !o.element || o.array || k.family === 'lock');
          if (!sameObj) continue;
          if (!(bits & (HELD | P | R | F))) continue;
          if (cat.compatible(k.kind, eff.kind) && (k.family !== 'bracket' || (k.style ?? '') === (eff.style ?? ''))) {
            match = k;
            break;
          }
          if ((bits & HELD) && !mismatch) mismatch = { key: k, bits, reason: k.kind === eff.kind || cat.compatible(k.kind, eff.kind) ? 'style' : 'kind' };
        }
        if (!match && !mismatch && o.text.trim().startsWith('&') && o.obj.includes('->')) {
          // `&folio->page`: an embedded member's address names the containing object
          const base = o.obj.slice(0, o.obj.indexOf('->'));
          for (const [id, bits] of st) {
            const k = keys.get(id)!;
            if (k.family !== 'ref' || k.obj !== base || !(bits & (HELD | P)) || !cat.compatible(k.kind, eff.kind)) continue;
            match = k;
            break;
          }
        }
        const mk = match ?? (mismatch && mismatch.key.family === cat.kind(eff.kind).family ? mismatch.key : null);
        const k = match ?? mk ?? keyFor(eff.kind, eff, o.obj, o.array || o.element);
        touched.add(k.key);
        const b = st.get(k.key) ?? N;
        if (recording) events.push({ t: 'release', node, op: call, spec, before, eff, obj: o.obj, objText: o.text, element: o.element, key: match ?? mk, bits: b, mismatch: match ? undefined : mismatch });
        addDrop(k.key, node);
        if (eff.cond && call.result.kind !== 'discarded' && cat.kind(eff.kind).family === 'ref') {
          // released only when the call says so (put_devmap_managed_page_refs): the
          // caller releases another way otherwise; treat the ref as handed over
          if (b & (HELD | P)) st.set(k.key, E);
        } else if (k.array && k.family !== 'lock') st.set(k.key, R);
        else
          st.set(
            k.key,
            mapBits(b, (x) => (x === H2 ? H : x === H || x === P ? R : x === N ? X : x)),
          );
      }
    }
    // A catalogued call with no effect on an object does not consume it.
  };

  const step = (st: Map<string, Bits>, node: CfgNode, op: Operation) => {
    switch (op.kind) {
      case 'call':
        stepCall(st, node, op);
        break;
      case 'assign': {
        // overwritten: the variable no longer names the object
        for (const [id, bits] of st) {
          const k = keys.get(id)!;
          if (!k.obj || k.family === 'bracket' || bits === N) continue;
          if (op.target.kind === 'var' && op.target.text === k.obj && !isAcquireResult(op, k, node)) {
            // a held value is lost (handed over); a failed / released one is simply replaced by a new value
            st.set(id, mapBits(bits, (x) => (x & (HELD | P | E) ? E : N)));
            if (bits & (HELD | P)) addDrop(id, node);
          }
        }
        if (op.rhsNode) escapeMentioned(st, textOutsideCalls(op.rhsNode), node, true);
        break;
      }
      case 'decl':
        if (op.init && !op.param) escapeMentioned(st, textOutsideCalls(op.init), node, true);
        break;
      case 'return':
        if (op.value) escapeMentioned(st, textOutsideCalls(op.value), node, true);
        break;
      default:
        break;
    }
  };

  /** `x = acquire()` assigns the object itself: not an overwrite of it. */
  const isAcquireResult = (op: Extract<Operation, { kind: 'assign' }>, k: KeyInfo, node: CfgNode): boolean => {
    const rhs = op.rhsNode ? stripParens(op.rhsNode) : null;
    if (!rhs || rhs.type !== 'call_expression') return false;
    const call = node.ops.find((o): o is CallOp => o.kind === 'call' && o.node.startIndex === rhs.startIndex && o.node.endIndex === rhs.endIndex);
    const spec = call ? specForCall(cat, call, types) : cat.api(rhs.childForFieldName('function')?.text ?? '');
    return (spec?.effects ?? []).some((e) => e.op === 'acquire' && e.kind === k.kind && (e.object === 'ret' || !!spec?.returnsObject));
  };

  const transfer = (node: CfgNode, input: State): State => {
    const st = new Map(input);
    if (node.role === 'gap') {
      // code the patch does not show: anything may happen to the objects
      for (const [id, bits] of st) if (keys.get(id)!.family !== 'bracket' && bits & (HELD | P)) {
        st.set(id, E);
        addDrop(id, node);
      }
      return st;
    }
    for (const op of node.ops) step(st, node, op);
    return st;
  };

  const edge = (e: CfgEdge, out: State): State | null => {
    if (!e.cond) return out;
    let st: Map<string, Bits> | null = null;
    for (const [id, bits] of out) {
      if (!(bits & P)) continue;
      const k = keys.get(id)!;
      const ok = successOn(k, e.cond.expr, e.cond.value);
      if (ok === undefined) continue;
      st ??= new Map(out);
      st.set(id, (bits & ~P) | (ok ? (k.array ? H : H) : F));
    }
    return st ?? out;
  };

  const res = solveForward<State>(cfg, { lattice: { join, equals }, entry: new Map(), transfer, edge });
  // Replay every reachable node once with its final input state to record events.
  recording = true;
  for (const n of cfg.nodes) {
    const s = res.in[n.id];
    if (s) transfer(n, s);
  }
  recording = false;
  const a: ResourceAnalysis = { cfg, keys, in: res.in, out: res.out, events, plainCalls, drops, types, converged: res.converged };
  if (!perSig) cache.set(cfg, (perSig = new Map()));
  perSig.set(sig, a);
  return a;
}

const summarySpecs = new WeakMap<CalleeSummary, ApiSpec>();
function summarySpec(sum: CalleeSummary): ApiSpec {
  let sp = summarySpecs.get(sum);
  if (!sp) {
    sp = { name: sum.name, summary: `${sum.name}() (this document) releases what its caller holds`, effects: [] };
    summarySpecs.set(sum, sp);
  }
  return sp;
}

/** The release effects of a summarised call, its objects named through this call's arguments. */
function summaryEffects(sum: CalleeSummary, call: CallOp): Effect[] {
  const out: Effect[] = [];
  for (const r of sum.releases) {
    if (r.param !== undefined) {
      const arg = call.args[r.param];
      if (!arg) continue;
      const base = normObject(arg.text).obj;
      if (!/^[A-Za-z_][\w.>-]*$/.test(base)) continue;
      out.push({ op: 'release', kind: r.kind, style: r.style, global: base + (r.path ?? '') } as ReleaseEffect);
    } else out.push({ op: 'release', kind: r.kind, style: r.style, global: r.global ?? '', element: r.element } as ReleaseEffect);
  }
  return out;
}

/**
 * The summary of one of the document's own functions (given its callees'
 * summaries): what it releases, on every path, that it never took.
 */
export function summarizeFunction(name: string, cfg: Cfg, cat: Catalog, callees?: Summaries): CalleeSummary | null {
  const a = analyzeResources(cfg, cat, callees);
  const end = a.in[cfg.exit.id];
  if (!end) return null;
  const params = cfg.params.map((p) => p.name);
  const releases: CalleeSummary['releases'] = [];
  for (const [id, bits] of end) {
    if (!(bits & X) || bits & ~(X | R)) continue;
    const k = a.keys.get(id)!;
    if (k.array && k.family !== 'lock') continue; // a lock in a global array (`&table[hash]`) is named by the array
    const style = k.style;
    if (k.family === 'bracket') {
      releases.push({ kind: k.kind, style });
      continue;
    }
    const head = /^[A-Za-z_]\w*/.exec(k.obj)?.[0];
    const m = head !== undefined && !hasLineTerminator(k.obj) ? [k.obj, head, k.obj.slice(head.length)] : null; // /^([A-Za-z_]\w*)(.*)$/
    if (!m) continue;
    const pi = params.indexOf(m[1]);
    if (pi >= 0) releases.push({ kind: k.kind, param: pi, path: m[2] || undefined });
    else if (!a.types.has(m[1])) releases.push({ kind: k.kind, global: k.obj, element: k.array || undefined }); // not a local: a global the caller names the same way
  }
  return releases.length ? { name, releases } : null;
}

/**
 * The catalog spec of a call, with older same-name APIs recognised by how the
 * result is used (`folio = try_grab_folio(...)` assigns a pointer: the
 * v5.17–v6.9 speculative grab, not the v6.10+ int-returning one).
 */
export function specForCall(cat: Catalog, call: CallOp, types: ReadonlyMap<string, string>): ApiSpec | undefined {
  const spec = cat.api(call.name);
  if (!spec?.pointerResultForm) return spec;
  if (call.result.kind !== 'assigned') return spec;
  const to = call.result.to.trim();
  const t = types.get(to);
  if (!t || !t.includes('*')) return spec;
  let old = legacyCache.get(spec);
  if (!old) {
    const { kernels, ...form } = spec.pointerResultForm;
    old = { ...spec, ...form, kernels, pointerResultForm: undefined };
    legacyCache.set(spec, old);
  }
  return old;
}
const legacyCache = new WeakMap<ApiSpec, ApiSpec>();

/**
 * The text of an expression with its calls blanked: the call operations
 * themselves decide what happens to their arguments (a catalogued call does
 * not consume its object; an unknown one does).
 */
export function textOutsideCalls(n: import('../c/cnode').CNode): string {
  const calls = n.descendantsOfType('call_expression');
  if (!calls.length) return n.text;
  let t = n.text;
  const base = n.startIndex;
  for (const c of calls) {
    const s = c.startIndex - base;
    const e = c.endIndex - base;
    // keep the callee's object in `return f(x)`? no: the call op handled its arguments
    t = t.slice(0, s) + ' '.repeat(e - s) + t.slice(e);
  }
  return t;
}

export { ERR_POINTER_TESTS } from '../c/kernelMacros';

function norm(t: string): string {
  return t.replace(/\s+/g, '');
}

/**
 * Does the branch operand `expr` being `value` mean the pending acquire of `k`
 * succeeded (true), failed (false), or neither is known (undefined)?
 */
export function successOn(k: KeyInfo, expr: import('../c/cnode').CNode, value: boolean): boolean | undefined {
  const t = norm(expr.text);
  const cond = k.cond ?? 'bool';
  if (k.condTexts.has(t)) {
    if (cond === 'zero') return !value;
    // `if (!folio)` after an ERR_PTR-returning lookup: code that tests only NULL is
    // written for the kernels where the lookup returned NULL on a miss (filemap_get_folio
    // before v6.3), where non-NULL is success
    if (cond === 'errptr') return value;
    return value;
  }
  if (expr.type === 'binary_expression') {
    const l = norm(expr.childForFieldName('left')?.text ?? '');
    const r = norm(expr.childForFieldName('right')?.text ?? '');
    const op = expr.childForFieldName('operator')?.text ?? '';
    if (!k.condTexts.has(l)) return undefined;
    if (cond === 'count' && r !== '0' && (op === '!=' || op === '==') && !/^-/.test(r)) {
      // `if (got != nr_pages)`: equal means every page asked for was taken;
      // unequal may still mean some were (partial success): unknown
      return op === '==' ? (value ? true : undefined) : value ? undefined : true;
    }
    if (r === '0') {
      if (op === '<' || op === '<=' || op === '==') return !value;
      if (op === '>' || op === '!=' || op === '>=') return op === '>=' ? undefined : value;
    }
    return undefined;
  }
  if (expr.type === 'call_expression' && cond === 'errptr') {
    // only the error-pointer tests: `if (!folio_test_large(folio))` says nothing about the lookup
    const callee = expr.childForFieldName('function')?.text ?? '';
    const args = expr.childForFieldName('arguments')?.namedChildren ?? [];
    if (ERR_POINTER_TESTS.has(callee) && args.length === 1 && k.condTexts.has(norm(args[0].text))) return !value;
  }
  return undefined;
}

/** The label a goto node jumps to. */
export function gotoTarget(n: CfgNode): CfgNode | undefined {
  return n.kind === 'goto' ? n.succs.find((e) => e.kind === 'goto')?.to : undefined;
}

/**
 * A goto to a label written before it (`goto retry;`, `goto again;`): a loop
 * back to code already run, not a way out of the function. The paths it
 * starts reach the function's real exits, which are checked there.
 */
export function isBackwardGoto(n: CfgNode): boolean {
  const l = gotoTarget(n);
  if (!l || !l.ast) return false;
  const self = n.stmt ?? n.ast;
  if (self) return l.ast.startIndex < self.startIndex;
  return l.line < n.line || (l.line === n.line && l.col < n.col);
}

/** Exit points of the function: returns, forward gotos into a ladder, and falling off the end (cached per analysis). */
const exitCache = new WeakMap<ResourceAnalysis, { node: CfgNode; kind: 'return' | 'goto' | 'fall'; state: State }[]>();
export function exitPoints(a: ResourceAnalysis): { node: CfgNode; kind: 'return' | 'goto' | 'fall'; state: State }[] {
  const hit = exitCache.get(a);
  if (hit) return hit;
  const out: { node: CfgNode; kind: 'return' | 'goto' | 'fall'; state: State }[] = [];
  for (const n of a.cfg.nodes) {
    const s = a.out[n.id];
    if (!s) continue;
    if (n.kind === 'return') out.push({ node: n, kind: 'return', state: s });
    else if (n.kind === 'goto' && n.succs.some((e) => e.kind === 'goto' && !e.back) && !isBackwardGoto(n)) out.push({ node: n, kind: 'goto', state: s });
    else if (n.kind !== 'entry' && n.succs.some((e) => e.to === a.cfg.exit && e.kind !== 'unresolved' && e.kind !== 'return')) out.push({ node: n, kind: 'fall', state: s });
  }
  exitCache.set(a, out);
  return out;
}

/** What the undropped paths from a point reach (see undroppedPathToExit). */
export interface LadderEnd {
  /** Some return statement is met on such a path (else the paths fall off the end). */
  reachesReturn: boolean;
  /** ... and at one of those returns the key may already be released on another path. */
  releasedAtAReturn: boolean;
}

const REACH = 1; // the exit is reached
const UNRESOLVED = 2; // an unresolved edge (the rest of the ladder is not shown)
const RETURN = 4; // a return statement is met
const RETURN_RELEASED = 8; // ... at which another path arrives with the key released

/**
 * From `start`, can the exit be reached without passing a node that releases
 * or transfers `key`? Returns what those paths reach (the return statements
 * met, or none when the exit is reached by falling off the end), or null when
 * every path drops the key.
 *
 * The walk is over (node, facts still holding) states. Every exit of a
 * function asks about its own start, so the answers are computed once per
 * key for all states together: strongly connected components of the state
 * graph (Tarjan, iterative), each with the union of what it and everything
 * after it reach. Linear in the states and edges, however many gotos ask; a
 * walk per exit was quadratic (a mesh of 10,000 gotos: minutes).
 */
export function undroppedPathToExit(a: ResourceAnalysis, start: CfgNode, key: string): LadderEnd | null {
  const f = ladderFlags(a, key)(start);
  if (f & UNRESOLVED || !(f & REACH)) return null;
  return { reachesReturn: (f & RETURN) !== 0, releasedAtAReturn: (f & RETURN_RELEASED) !== 0 };
}

const ladderCache = new WeakMap<ResourceAnalysis, Map<string, (start: CfgNode) => number>>();

/** Work counters of the path searches (states expanded, nodes marked), for test/hostile's linearity checks. */
export const pathSearchStats = { ladderStates: 0, errorReturnNodes: 0 };

function ladderFlags(a: ResourceAnalysis, key: string): (start: CfgNode) => number {
  let perKey = ladderCache.get(a);
  if (!perKey) ladderCache.set(a, (perKey = new Map()));
  const hit = perKey.get(key);
  if (hit) return hit;
  const drops = a.drops.get(key) ?? new Set<number>();
  const k = a.keys.get(key);
  const facts = k ? heldFacts(a, k) : [];
  // the walk carries which facts still hold (a fact dies where its variable is assigned)
  const all = (1 << facts.length) - 1;
  const width = 1 << facts.length;
  const stateOf = (n: CfgNode, live: number) => n.id * width + live;
  /** Finished states: the union of what they reach. */
  const done = new Map<number, number>();
  const ownFlags = (n: CfgNode): number => {
    if (n === a.cfg.exit) return REACH;
    if (n.kind !== 'return') return 0;
    return RETURN | (((a.in[n.id]?.get(key) ?? N) & R) !== 0 ? RETURN_RELEASED : 0);
  };
  /** Successor states of (n, liveIn), or UNRESOLVED. */
  const succsOf = (n: CfgNode, liveIn: number, isStart: boolean): { states: [CfgNode, number][]; flags: number } => {
    pathSearchStats.ladderStates++;
    if (!isStart && drops.has(n.id)) return { states: [], flags: 0 };
    if (n === a.cfg.exit) return { states: [], flags: REACH };
    let live = liveIn;
    for (let i = 0; i < facts.length; i++) if (live & (1 << i) && n.ops.some((o) => assigns(o, facts[i].text))) live &= ~(1 << i);
    const states: [CfgNode, number][] = [];
    for (const e of n.succs) {
      if (e.kind === 'unresolved') return { states: [], flags: UNRESOLVED | ownFlags(n) };
      if (e.cond && facts.some((fa, i) => live & (1 << i) && contradicts(fa, e))) continue;
      if (e.cond && k && equalsOtherLock(a, k, e)) continue;
      states.push([e.to, live]);
    }
    return { states, flags: ownFlags(n) };
  };
  const solve = (start: CfgNode): number => {
    // the start itself is walked even if it drops the key (as the per-exit walk did)
    const startSt = succsOf(start, all, true);
    let acc = startSt.flags;
    for (const [n, live] of startSt.states) acc |= visit(n, live);
    return acc;
  };
  /** Tarjan's SCC over the states reachable from (n0, live0), iteratively. */
  const visit = (n0: CfgNode, live0: number): number => {
    const id0 = stateOf(n0, live0);
    const d = done.get(id0);
    if (d !== undefined) return d;
    const index = new Map<number, number>();
    const low = new Map<number, number>();
    const accOf = new Map<number, number>();
    const onStack = new Set<number>();
    const stack: number[] = [];
    type Frame = { id: number; succ: [CfgNode, number][]; i: number };
    const frames: Frame[] = [];
    let counter = 0;
    const push = (n: CfgNode, live: number) => {
      const id = stateOf(n, live);
      const st = succsOf(n, live, false);
      index.set(id, counter);
      low.set(id, counter);
      counter++;
      accOf.set(id, st.flags);
      stack.push(id);
      onStack.add(id);
      frames.push({ id, succ: st.states, i: 0 });
    };
    push(n0, live0);
    while (frames.length) {
      const fr = frames[frames.length - 1];
      if (fr.i < fr.succ.length) {
        const [m, live] = fr.succ[fr.i++];
        const mid = stateOf(m, live);
        const fin = done.get(mid);
        if (fin !== undefined) accOf.set(fr.id, accOf.get(fr.id)! | fin);
        else if (!index.has(mid)) push(m, live);
        else if (onStack.has(mid)) low.set(fr.id, Math.min(low.get(fr.id)!, index.get(mid)!));
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (low.get(fr.id) === index.get(fr.id)) {
        // fr is the root of an SCC: its members are on the stack above it
        const members: number[] = [];
        let flags = 0;
        for (;;) {
          const x = stack.pop()!;
          onStack.delete(x);
          members.push(x);
          flags |= accOf.get(x)!;
          if (x === fr.id) break;
        }
        for (const x of members) done.set(x, flags);
        if (parent) accOf.set(parent.id, accOf.get(parent.id)! | flags);
      } else if (parent) {
        low.set(parent.id, Math.min(low.get(parent.id)!, low.get(fr.id)!));
        accOf.set(parent.id, accOf.get(parent.id)! | accOf.get(fr.id)!);
      }
    }
    return done.get(id0)!;
  };
  perKey.set(key, solve);
  return solve;
}

/**
 * Lock aliasing (`pml = pmd_lock(..); pte = pte_offset_map_rw_nolock(.., &ptl); ...
 * pte_unmap_unlock(pte, ptl); if (ptl != pml) spin_unlock(pml);`): is `e` the
 * branch on which the held lock `k` is the same lock as another lock variable
 * that this function releases (`ptl == pml`, `!(ptl != pml)`)? There the
 * release through the other variable (before or after the test, or on a path
 * where it was never set, which makes the branch impossible) may be the
 * release of `k`: the values are not tracked, so the path counts as releasing
 * it (may be released, no leak). The branch where they differ is walked as usual.
 */
function equalsOtherLock(a: ResourceAnalysis, k: KeyInfo, e: CfgEdge): boolean {
  if (k.family !== 'lock' || !k.obj) return false;
  let x = stripParens(e.cond!.expr);
  let value = e.cond!.value;
  while (x.type === 'unary_expression' && x.childForFieldName('operator')?.text === '!') {
    const arg = x.childForFieldName('argument');
    if (!arg) return false;
    x = stripParens(arg);
    value = !value;
  }
  if (x.type !== 'binary_expression') return false;
  const op = x.childForFieldName('operator')?.text;
  if (!((op === '==' && value) || (op === '!=' && !value))) return false;
  const l = normObject(x.childForFieldName('left')?.text ?? '').obj;
  const r = normObject(x.childForFieldName('right')?.text ?? '').obj;
  const other = l === k.obj ? r : r === k.obj ? l : null;
  if (!other || other === k.obj || other === 'NULL' || !/^[A-Za-z_][\w.>-]*$/.test(other)) return false;
  return a.events.some((ev) => ev.t === 'release' && ev.obj === other && a.keys.get(`${ev.eff.kind}|${other}`)?.family === 'lock');
}

/**
 * What holding a key tells about the values the function tests (path
 * sensitivity for the unwind ladder, `if (page && !IS_ERR(page)) kunmap(page);`,
 * `if (check_refs) spin_unlock(...)`):
 *  - 'valid': the object (or the variable the acquire's result went to) is a
 *    real pointer, neither NULL nor an ERR_PTR: a held object was acquired;
 *  - 'guard': every acquire of the key sits under the same test of a variable
 *    the function never assigns (`if (check_refs) spin_lock(...)`), so it is
 *    still true wherever the key is held.
 */
export interface HeldFact {
  text: string;
  what: 'valid' | 'guard';
  value?: boolean;
}

const factCache = new WeakMap<ResourceAnalysis, Map<string, HeldFact[]>>();

export function heldFacts(a: ResourceAnalysis, k: KeyInfo): HeldFact[] {
  let m = factCache.get(a);
  if (!m) factCache.set(a, (m = new Map()));
  const hit = m.get(k.key);
  if (hit) return hit;
  const out: HeldFact[] = [];
  const texts = new Set<string>();
  if (k.obj && !k.array && /^[A-Za-z_][\w.>-]*$/.test(k.obj)) texts.add(k.obj);
  for (const acq of k.acquires) {
    const t = normObject(acq.objText).obj;
    if (t && !normObject(acq.objText).element && /^[A-Za-z_][\w.>-]*$/.test(t)) texts.add(t);
    // the lvalue a conditional acquire's pointer result went to (`vmf->pte = pte_offset_map_lock(..., &vmf->ptl)`):
    // every effect of the call holds only when that pointer is real, so the PTL held says `vmf->pte` is not NULL
    if ((acq.eff.cond === 'nonnull' || acq.eff.cond === 'errptr') && acq.op.result.kind === 'assigned' && acq.op.result.op === '=') {
      const r = normObject(acq.op.result.to);
      // only while nothing but the acquires themselves writes it (`vmf->pte = NULL; goto out;` forgets the mapping)
      const acquireCalls = new Set(k.acquires.map((x) => x.op.node.startIndex));
      const writtenElsewhere = a.cfg.nodes.some((n) =>
        n.ops.some((o) => assigns(o, r.obj) && !(o.kind === 'assign' && o.rhsNode && acquireCalls.has(stripParens(o.rhsNode).startIndex)) &&
            !(o.kind === 'decl' && o.init && acquireCalls.has(stripParens(o.init).startIndex)) && !(o.kind === 'call' && acquireCalls.has(o.node.startIndex))),
      );
      if (r.obj && !r.element && /^[A-Za-z_][\w.>-]*$/.test(r.obj) && !writtenElsewhere) texts.add(r.obj);
    }
  }
  for (const t of texts) out.push({ text: t, what: 'valid' });
  // guards common to every acquire site
  let common: Map<string, boolean> | null = null;
  for (const acq of k.acquires) {
    const g = enclosingTests(acq.op.node);
    if (!common) common = g;
    else for (const [t, v] of common) if (g.get(t) !== v) common.delete(t);
  }
  for (const [t, v] of common ?? []) {
    if (a.cfg.nodes.some((n) => n.ops.some((o) => assigns(o, t)))) continue;
    out.push({ text: t, what: 'guard', value: v });
  }
  const capped = out.slice(0, 8);
  m.set(k.key, capped);
  return capped;
}

/** The tests (operand text -> its truth value) that every execution of `n` has passed, from the enclosing ifs. */
function enclosingTests(n: import('../c/cnode').CNode): Map<string, boolean> {
  const out = new Map<string, boolean>();
  let child = n;
  let p = n.parent;
  while (p && p.type !== 'function_definition') {
    if (p.type === 'if_statement') {
      const cond = p.childForFieldName('condition');
      const cons = p.childForFieldName('consequence');
      const alt = p.childForFieldName('alternative');
      const inCons = cons && cons.startIndex <= child.startIndex && child.endIndex <= cons.endIndex;
      const inAlt = alt && alt.startIndex <= child.startIndex && child.endIndex <= alt.endIndex;
      if (cond && (inCons || inAlt)) for (const [t, v] of operands(cond, !!inCons)) if (!out.has(t)) out.set(t, v);
    }
    child = p;
    p = p.parent;
  }
  return out;
}

/** Atomic operands of a condition known when it is `value`: `a && !b` true gives a=true, b=false. */
function operands(c: import('../c/cnode').CNode, value: boolean): [string, boolean][] {
  const x = stripParens(c);
  if (x.type === 'unary_expression' && x.childForFieldName('operator')?.text === '!') {
    const arg = x.childForFieldName('argument');
    return arg ? operands(arg, !value) : [];
  }
  if (x.type === 'binary_expression') {
    const op = x.childForFieldName('operator')?.text;
    const l = x.childForFieldName('left');
    const r = x.childForFieldName('right');
    if (l && r && ((op === '&&' && value) || (op === '||' && !value))) return [...operands(l, value), ...operands(r, value)];
    return [];
  }
  const t = norm(x.text);
  return /^[A-Za-z_][\w.>-]*$/.test(t) ? [[t, value]] : [];
}

/** Does operation `o` assign the variable or access path `t` (or the base it hangs off)? */
function assigns(o: Operation, t: string): boolean {
  if (o.kind === 'assign') {
    const lhs = norm(o.lhs);
    return lhs === t || t.startsWith(lhs + '->') || t.startsWith(lhs + '.');
  }
  if (o.kind === 'decl') return !o.param && o.init !== null && (o.name === t || t.startsWith(o.name + '->') || t.startsWith(o.name + '.'));
  if (o.kind === 'call') return o.args.some((x) => norm(x.text) === '&' + t);
  return false;
}

/** Is the edge impossible while `f` holds? */
function contradicts(f: HeldFact, e: CfgEdge): boolean {
  const x = stripParens(e.cond!.expr);
  const t = norm(x.text);
  if (f.what === 'guard') return t === f.text && e.cond!.value !== f.value;
  // a valid pointer is not NULL, not an ERR_PTR
  if (t === f.text) return !e.cond!.value;
  if (x.type === 'call_expression') {
    const callee = x.childForFieldName('function')?.text ?? '';
    const args = x.childForFieldName('arguments')?.namedChildren ?? [];
    if (ERR_POINTER_TESTS.has(callee) && args.length === 1 && norm(args[0].text) === f.text) return e.cond!.value;
  }
  if (x.type === 'binary_expression') {
    const op = x.childForFieldName('operator')?.text;
    const l = norm(x.childForFieldName('left')?.text ?? '');
    const r = norm(x.childForFieldName('right')?.text ?? '');
    const isNull = (s: string) => s === 'NULL' || s === '0';
    if ((l === f.text && isNull(r)) || (r === f.text && isNull(l))) {
      if (op === '==') return e.cond!.value;
      if (op === '!=') return !e.cond!.value;
    }
  }
  return false;
}

/** Is this exit point an error / early-exit path (return -E..., NULL, false, ERR_PTR, or err = -E...; goto out)? */
export function isErrorExit(a: ResourceAnalysis, node: CfgNode): boolean {
  const ret = node.ops.find((o): o is Extract<Operation, { kind: 'return' }> => o.kind === 'return');
  if (ret?.valueText && errorishValue(ret.valueText)) return true;
  // a variable assigned an error code just before (in the same block)
  let cur: CfgNode | undefined = node;
  for (let i = 0; i < 4 && cur; i++) {
    for (const o of cur.ops) if (o.kind === 'assign' && o.op === '=' && o.rhs && errorishValue(o.rhs)) {
      if (!ret?.valueText || ret.valueText.trim() === o.lhs.trim() || node.kind === 'goto') return true;
    }
    cur = cur.preds.length === 1 ? cur.preds[0].from : undefined;
  }
  // `if (!p) ...; return p;`: a non-NULL pointer is a success, not an error code
  if (ret?.valueText && /^[A-Za-z_]\w*$/.test(ret.valueText.trim()) && !(a.types.get(ret.valueText.trim()) ?? '').includes('*')) {
    const v = ret.valueText.trim();
    let n: CfgNode | undefined = node;
    for (let i = 0; i < 6 && n && n.preds.length === 1; i++) {
      const e: CfgEdge = n.preds[0];
      if (e.cond) {
        const t = e.cond.expr.text.replace(/\s+/g, '');
        if ((t === v && e.cond.value) || ((t === `${v}<0` || t === `IS_ERR(${v})`) && e.cond.value)) return true;
        break;
      }
      n = e.from;
    }
  }
  if (node.kind === 'goto' && !node.succs.some((e) => e.back) && !isBackwardGoto(node)) {
    // `if (err) goto out;` / `if (!p) goto fail;`: a forward jump into a ladder taken
    // because something failed. A jump on another test (`if (area->vm_mm == WO) goto out;`)
    // is a shortcut, whatever the label is called.
    let n: CfgNode | undefined = node;
    for (let i = 0; i < 3 && n && n.preds.length === 1; i++) {
      const e: CfgEdge = n.preds[0];
      if (e.cond) {
        if (failureTest(a, e)) return true;
        break;
      }
      n = e.from;
    }
  }
  if (node.kind === 'goto') {
    // the returns the ladder reaches
    const label = node.succs.find((e) => e.kind === 'goto')?.to;
    if (label && reachesErrorReturn(a.cfg)[label.id]) return true;
  }
  return false;
}

const errorReturnCache = new WeakMap<Cfg, Uint8Array>();

/**
 * For every node: does a path along forward edges reach a return of an error
 * value? One backward pass from those returns for the whole CFG (asking it
 * per goto, by walking the ladder each time, was quadratic in the gotos).
 */
function reachesErrorReturn(cfg: Cfg): Uint8Array {
  const hit = errorReturnCache.get(cfg);
  if (hit) return hit;
  let size = 0;
  for (const n of cfg.nodes) size = Math.max(size, n.id + 1);
  const out = new Uint8Array(size);
  const work: CfgNode[] = [];
  for (const n of cfg.nodes) {
    const r = n.ops.find((o): o is Extract<Operation, { kind: 'return' }> => o.kind === 'return');
    if (r?.valueText && errorishValue(r.valueText)) {
      out[n.id] = 1;
      work.push(n);
    }
  }
  while (work.length) {
    const n = work.pop()!;
    pathSearchStats.errorReturnNodes++;
    for (const e of n.preds) {
      if (e.back || out[e.from.id]) continue;
      out[e.from.id] = 1;
      work.push(e.from);
    }
  }
  errorReturnCache.set(cfg, out);
  return out;
}

/**
 * Is taking this edge a sign that something failed? `!p` / `!ok()` (NULL,
 * false, zero), `IS_ERR(p)`, `x < 0`, a non-zero error code (`if (ret)` on an
 * integer), a result compared unequal to a constant (`ret != SCAN_SUCCEED`),
 * or a WARN_ON-style assertion; likely()/unlikely() are transparent.
 */
export function failureTest(a: ResourceAnalysis, e: CfgEdge): boolean {
  let x = stripParens(e.cond!.expr);
  let value = e.cond!.value;
  for (let i = 0; i < 3; i++) {
    if (x.type === 'unary_expression' && x.childForFieldName('operator')?.text === '!') {
      const arg = x.childForFieldName('argument');
      if (!arg) return false;
      x = stripParens(arg);
      value = !value;
      continue;
    }
    if (x.type !== 'call_expression') break;
    const callee = x.childForFieldName('function')?.text ?? '';
    const args = x.childForFieldName('arguments')?.namedChildren ?? [];
    if (ERR_POINTER_TESTS.has(callee)) return value;
    if (ASSERTION_MACRO.test(callee)) return value;
    if (IDENTITY_WRAPPERS.has(callee) && args.length === 1) {
      x = stripParens(args[0]);
      continue;
    }
    break;
  }
  if (x.type === 'binary_expression') {
    const op = x.childForFieldName('operator')?.text ?? '';
    const r = norm(x.childForFieldName('right')?.text ?? '');
    if (r === '0' && (op === '<' || op === '<=')) return value;
    if (r === 'NULL' || r === '0') return op === '==' ? value : op === '!=' ? !value : false;
    // `ret != SCAN_SUCCEED`, `got != nr_pages`: not what was wanted
    if (op === '!=') return value;
    if (op === '==' && /^-?E[A-Z0-9]+$/.test(r.replace(/^-/, '-'))) return value;
    return false;
  }
  if (!value) return true; // `!p`, `!trylock()`: NULL, false, zero, a failed call
  // a state check that sends control away (`if (plist_node_empty(...)) goto nextsi;`, `if (PageHWPoison(p)) goto out;`)
  if (x.type === 'call_expression') return true;
  // `if (ret)` / `if (err)` on an integer error code
  const t = norm(x.text);
  const type = (a.types.get(t) ?? '').trim();
  return /^[A-Za-z_]\w*$/.test(t) && /^(int|long|ssize_t|vm_fault_t|unsigned\s+int|unsigned\s+long|errno_t)$/.test(type);
}

export function describeKind(cat: Catalog, kind: ResourceKind): string {
  return cat.kind(kind).label;
}

export { normObject };
