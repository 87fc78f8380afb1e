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
 *   R  released after an acquire in this function (or after unknown history)
 *   X  released although this function never acquired it (a callee dropping the caller's ref)
 *   F  a conditional acquire failed (its result was tested)
 *   P  a conditional acquire whose result has not been tested yet
 *   E  ownership transferred: returned, stored, passed to a non-catalog function, overwritten
 *   Q  released after unknown history, the count unknown (two references may have been held)
 *   U  unknown: code the text does not show (above the first visible line of a
 *      function whose start is not shown, or between two hunks) may have
 *      acquired or released it. No finding rests on U.
 *
 * A backward companion (anticipation) says, for each key and node, whether
 * every path from the node releases the key before leaving the visible code:
 * a release the function performs proves the key held before it, which is
 * how a hunk shows a lock or reference held whose acquire it does not show.
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
import type { Cfg, CfgEdge, CfgNode, CallOp, Operation } from '../c/cfg';
import { solveForward } from '../c/dataflow';
import type { ApiSpec, Catalog, Effect, AcquireEffect, ReleaseEffect, ResourceKind, KindSpec } from '../catalog';
import {
  type FunctionFacts,
  acquireOutcome,
  assigns,
  callEffects,
  callValue,
  effectObject,
  enclosingTests,
  equalityOf,
  exprOf,
  gotoTarget,
  isBackwardGoto,
  normObject,
  pointerState,
  specForCall,
  testOf,
  textOutsideCalls,
  uncast,
  usage,
  isPathText,
  knownTruths,
} from '../c/facts';

export const N = 1;
export const H = 2;
export const H2 = 4;
export const R = 8;
export const X = 16;
export const F = 32;
export const P = 64;
export const E = 128;
export const U = 256;
/** Released at least once after unknown history, count unknown (a second put may be legitimate). */
export const Q = 512;
export const HELD = H | H2;
const ALL_BITS = [N, H, H2, R, X, F, P, E, U, Q];

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
  /** Held when the function starts: its header says the caller holds it (`__releases()`, `__must_hold()`). */
  onEntry?: boolean;
  /** Index in ResourceAnalysis.keyList (for bit sets). */
  index: number;
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
  facts: FunctionFacts;
  keys: Map<string, KeyInfo>;
  keyList: KeyInfo[];
  /** Bits of a key no operation has touched yet: N when the function's start is shown, else U. */
  initial: Bits;
  in: (State | undefined)[];
  out: (State | undefined)[];
  events: ResEvent[];
  /** Node ids where a key is released or escapes (for "is there a release on the way to the exit"). */
  drops: Map<string, Set<number>>;
  /** Node ids where a key is acquired. */
  takes: Map<string, Set<number>>;
  /** Calls of functions the catalog does not know (calls into the document's own functions), with the state before them. */
  plainCalls: { node: CfgNode; op: CallOp; before: State; /** The document's own function called, summarised. */ summary?: CalleeSummary }[];
  /** Declared types of parameters and locals by name. */
  types: ReadonlyMap<string, string>;
  converged: boolean;
}

/**
 * What a function of the same document does to resources its caller holds,
 * as a catalog-like spec: `hugetlb_no_page()` unlocks the fault mutex its
 * caller took. Only releases are summarised (a function that drops, on every
 * path, something it never acquired). Objects are named by parameter index
 * (with a member path: `vmf->ptl`), or by the global's own text.
 */
export interface SummaryObject {
  kind: ResourceKind;
  style?: string;
  param?: number;
  path?: string;
  global?: string;
  element?: boolean;
}
export interface CalleeSummary {
  name: string;
  /** Released on every path, never taken here (the caller's). */
  releases: SummaryObject[];
  /** Taken here and still held on every way out (a lock helper: double_pt_lock()). */
  acquires?: SummaryObject[];
  /** Released or taken on some paths only: after the call the caller cannot tell (handed over). */
  touches?: SummaryObject[];
  /**
   * Globals it assigns (`pool = NULL;`): an object the caller holds through one is the helper's to
   * release or keep (it frees it under another name, or drops it), as far as the caller can tell.
   */
  writes?: string[];
}
export type Summaries = ReadonlyMap<string, CalleeSummary>;

const cache = new WeakMap<FunctionFacts, Map<string, ResourceAnalysis>>();
const calleeNames = new WeakMap<Cfg, string[]>();

const summaryJson = new WeakMap<CalleeSummary, string>();
function summarySignature(cfg: Cfg, summaries: Summaries | undefined): string {
  if (!summaries || !summaries.size) return '';
  let names = calleeNames.get(cfg);
  if (!names) {
    const set = new Set<string>();
    for (const n of cfg.nodes) for (const o of n.ops) if (o.kind === 'call' && !o.indirect) set.add(o.name);
    calleeNames.set(cfg, (names = [...set].sort()));
  }
  const parts: string[] = [];
  for (const n of names) {
    const s = summaries.get(n);
    if (!s) continue;
    let j = summaryJson.get(s);
    if (j === undefined) summaryJson.set(s, (j = JSON.stringify(s)));
    parts.push(j);
  }
  return parts.join(';');
}

/**
 * The state before a recorded call, kept for the whole document: one shared empty state for the
 * calls of the functions that hold nothing (most of them), so the collector does not copy a Map per call.
 */
const EMPTY_STATE: State = new Map();
function snapshot(st: State): State {
  return st.size ? new Map(st) : EMPTY_STATE;
}

/** Bits of `key` in a state (keys absent from the state have the analysis's initial bits). */
export function bitsOf(s: State | undefined, key: string, initial: Bits = N): Bits {
  return s?.get(key) ?? initial;
}
/** Definitely held: every path holds it. */
export function definitelyHeld(b: Bits): boolean {
  return (b & HELD) !== 0 && (b & ~HELD) === 0;
}
export function maybeHeld(b: Bits): boolean {
  return (b & (HELD | P)) !== 0;
}

/** Apply `f` to every possible state in the bit set. */
function mapBits(b: Bits, f: (one: Bits) => Bits): Bits {
  let out = 0;
  for (const bit of ALL_BITS) if (b & bit) out |= f(bit);
  return out;
}

/**
 * Lock kinds that release each other (a spinlock taken with spin_lock() on
 * the PTL pointer, dropped by pte_unmap_unlock()) are one lock: one key per
 * object, named by the class's first kind.
 */
const lockClasses = new WeakMap<Catalog, Map<ResourceKind, ResourceKind>>();
function lockClass(cat: Catalog, kind: ResourceKind): ResourceKind {
  let m = lockClasses.get(cat);
  if (!m) lockClasses.set(cat, (m = new Map()));
  const hit = m.get(kind);
  if (hit) return hit;
  const peers = cat
    .allKinds()
    .filter((k) => k.family === 'lock' && cat.compatible(k.kind, kind) && cat.compatible(kind, k.kind))
    .map((k) => k.kind)
    .sort();
  const c = peers[0] ?? kind;
  m.set(kind, c);
  return c;
}

function norm(t: string): string {
  return t.replace(/\s+/g, '');
}

/**
 * Can no state of this function ever hold a key? Keys are made only by a call with a catalogued effect
 * (or a summarised callee) and by the header's held-on-entry locks (`keys`: those made so far); every
 * other step only changes keys the state already has. Most functions of a whole file are such (issue 11:
 * the mean state size over all transfers was below one).
 */
function tracksNothing(facts: FunctionFacts, cat: Catalog, summaries: Summaries | undefined, keys: number): boolean {
  if (keys) return false;
  for (const n of facts.cfg.nodes)
    for (const o of n.ops) {
      if (o.kind !== 'call') continue;
      const spec = specForCall(cat, o, facts.types);
      if (spec && (!o.indirect || spec.indirect || spec.name === o.name)) {
        if (callEffects(spec, o).length) return false;
      } else if (!spec && !o.indirect && summaries?.has(o.name)) return false;
    }
  return true;
}

/**
 * What solveForward gives when every state is empty (tracksNothing): the empty state before and after
 * every node reachable from the entry or the further roots (no edge refinement drops an empty state),
 * undefined elsewhere. One visit per node instead of the solver's transfers; the recording pass still
 * replays every reachable node.
 */
function emptyStates(cfg: Cfg, entry: State, roots: readonly CfgNode[]): { in: (State | undefined)[]; out: (State | undefined)[]; converged: boolean } {
  const n = cfg.nodes.length;
  const inS: (State | undefined)[] = new Array(n).fill(undefined);
  const outS: (State | undefined)[] = new Array(n).fill(undefined);
  const work: CfgNode[] = [cfg.entry, ...roots];
  for (const r of work) inS[r.id] = entry;
  while (work.length) {
    const node = work.pop()!;
    outS[node.id] = entry;
    for (const e of node.succs)
      if (inS[e.to.id] === undefined) {
        inS[e.to.id] = entry;
        work.push(e.to);
      }
  }
  return { in: inS, out: outS, converged: true };
}

export function analyzeResources(facts: FunctionFacts, cat: Catalog, summaries?: Summaries): ResourceAnalysis {
  const cfg = facts.cfg;
  const sig = summarySignature(cfg, summaries);
  let perSig = cache.get(facts);
  const hit = perSig?.get(sig);
  if (hit) return hit;

  const initial: Bits = facts.visibility.entry ? N : U;
  const keys = new Map<string, KeyInfo>();
  const keyList: KeyInfo[] = [];
  const types = facts.types;
  const derivedFrom = facts.derivedFrom;

  let recording = false;
  const events: ResEvent[] = [];
  const plainCalls: ResourceAnalysis['plainCalls'] = [];
  const drops = new Map<string, Set<number>>();
  const takes = new Map<string, Set<number>>();
  const note = (m: Map<string, Set<number>>, key: string, node: CfgNode) => {
    if (!recording) return;
    let s = m.get(key);
    if (!s) m.set(key, (s = new Set()));
    s.add(node.id);
  };
  const addDrop = (key: string, node: CfgNode) => note(drops, key, node);

  const get = (st: ReadonlyMap<string, Bits>, id: string): Bits => st.get(id) ?? initial;

  const keyFor = (kind: ResourceKind, eff: Effect, obj: string, array: boolean): KeyInfo => {
    const ks = cat.kind(kind);
    let id: string;
    let o = obj;
    if (ks.family === 'bracket') {
      id = `${kind}|style:${eff.style ?? ''}`;
      // a section opened on a returned pointer (`dst_pte = pte_alloc_map_lock(...)`, `addr = kmap_local_page(p)`)
      // is that pointer's: two PTE tables mapped in one function are two brackets
      if (eff.op === 'acquire' && eff.object === 'ret' && obj && isPathText(obj)) id += `|${obj}`;
      else o = '';
    } else if (ks.family === 'lock') id = `${lockClass(cat, kind)}|${array ? '[]' : ''}${obj}`;
    else id = `${kind}|${array ? '[]' : ''}${obj}`;
    let k = keys.get(id);
    if (!k) {
      k = { key: id, kind, family: ks.family, obj: o, array, style: ks.family === 'bracket' ? eff.style : undefined, condTexts: new Set(), acquires: [], flags: new Set(), index: keyList.length };
      keys.set(id, k);
      keyList.push(k);
    }
    return k;
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
      if (!(bits & (HELD | P | U | Q))) continue;
      const u = usage(text, k.obj);
      if (u === 'whole' || (u === 'member' && asArgument && text.trim().startsWith('&') && !k.array)) {
        st.set(id, bits & U && !(bits & (HELD | P)) ? bits : E);
        addDrop(id, node);
      }
    }
  };

  const stepCall = (st: Map<string, Bits>, node: CfgNode, call: CallOp) => {
    const spec = specForCall(cat, call, types);
    const indirectOk = !call.indirect || spec?.indirect || spec?.name === call.name;
    if (!spec || !indirectOk) {
      const sum = !spec && !call.indirect ? summaries?.get(call.name) : undefined;
      if (recording) plainCalls.push({ node, op: call, before: snapshot(st), ...(sum ? { summary: sum } : {}) });
      if (sum) {
        applyEffects(st, node, call, summarySpec(sum), summaryEffects(sum, call));
        // what the helper may or may not have released: handed over as far as this function can tell
        for (const t of sum.touches ?? []) {
          const o = summaryObjectText(t, call);
          if (o === null) continue;
          for (const [id, bits] of st) {
            const k = keys.get(id)!;
            if (!(bits & (HELD | P | U | Q))) continue;
            const sameKind = cat.compatible(k.kind, t.kind) || cat.compatible(t.kind, k.kind);
            if (!sameKind || (k.family !== 'bracket' && k.obj !== o)) continue;
            st.set(id, E);
            addDrop(id, node);
          }
        }
        // an object held through a global the helper assigns: the helper's now
        for (const w of sum.writes ?? [])
          for (const [id, bits] of st) {
            const k = keys.get(id)!;
            if (k.family === 'bracket' || !(bits & (HELD | P | U | Q)) || types.has(w)) continue;
            if (k.obj !== w && !k.obj.startsWith(w + '->') && !k.obj.startsWith(w + '.')) continue;
            st.set(id, E);
            addDrop(id, node);
          }
      }
      // everything below changes only what the state already tracks: nothing held, nothing to hand over
      // (most calls of most functions: the state is empty)
      if (st.size === 0) return;
      // a comment right above the call says the callee releases something the function holds
      // (`/* drm_gem_handle_create_tail unlocks dev->object_name_lock. */`, `/* do_shm_rmid unlocks
      // the ipc object and rcu */`): the text the reviewer reads says so, so it is not held after it
      const said = !call.indirect ? commentSaysReleases(facts.image, call) : null;
      if (said)
        for (const [id, bits] of st) {
          const k = keys.get(id)!;
          if (k.family === 'ref' || !(bits & (HELD | P | U | Q))) continue;
          const member = k.obj.split(/\W/).pop()?.toLowerCase();
          const named = (member && member.length > 2 && said.has(member)) || (k.family === 'bracket' && said.has(k.kind.toLowerCase()));
          if (!named) continue;
          st.set(id, E);
          addDrop(id, node);
        }
      // Not catalogued: an object handed to it may be consumed (ownership transfer).
      // A predicate (`if (PageFoo(page))`) or an accessor whose value feeds another call
      // (`do_dma(page_address(page))`) does not take the object.
      // A lookup whose result goes to a pointer variable (`vma = find_vma(mm, addr)`) returns another
      // object; it does not take the ones it was given.
      const lookup = call.result.kind === 'assigned' && (types.get(call.result.to.trim()) ?? '').includes('*');
      // a value recomputed from itself (`vaddr = untagged_addr_remote(mm, vaddr)`, `addr = untagged_addr(addr)`):
      // the callee transforms the value it was given; it does not take the other objects it reads
      const transform = call.result.kind === 'assigned' && call.args.some((a) => norm(a.text) === norm(call.result.kind === 'assigned' ? call.result.to : ''));
      const accessor = call.result.kind === 'condition' || call.result.kind === 'compared' || call.result.kind === 'argument' || lookup || transform;
      if (!call.loopMacro) {
        // a lock kept in a structure (`vmf->ptl`) whose owner is handed to an
        // unknown function (`return do_wp_page(vmf)`): the callee may unlock it
        for (const a of call.args) {
          const t = norm(a.text);
          if (!/^[A-Za-z_]\w*$/.test(t)) continue;
          for (const [id, bits] of st) {
            const k = keys.get(id)!;
            // an out-parameter (`find_vmas(mm, .., dst_vmap)` for the object `*dst_vmap`): the callee may store
            // another object there, as an assignment would (a held one is handed over, a released one replaced)
            if (k.obj === '*' + t && k.family !== 'bracket' && bits !== N) {
              st.set(id, mapBits(bits, (x) => (x & (HELD | P | E) ? E : x === U ? U : N)));
              if (bits & (HELD | P)) addDrop(id, node);
              continue;
            }
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
        // a summarised helper says itself what it does to the objects it takes, releases or touches
        const covered = new Set<string>();
        if (sum) for (const list of [sum.acquires ?? [], sum.releases, sum.touches ?? []]) for (const r of list) {
          const o = summaryObjectText(r, call);
          if (o) covered.add(o);
        }
        for (const a of call.args) {
          if (covered.has(normObject(a.text).obj)) continue;
          // pages[i] handed to a helper is not the array changing hands; `pages` is
          escapeMentioned(st, textOutsideCalls(a.node), node, !normObject(a.text).element, true);
          // the object under its other name (`folio` of `page_folio(page)`, `pfn` of `page_to_pfn(page)`)
          const canon = facts.identity.get(normObject(a.text).obj);
          if (canon) escapeMentioned(st, canon, node, true, true);
        }
      }
      return;
    }
    if (call.loopMacro && spec.iteratorCursor !== undefined && call.args[spec.iteratorCursor]) {
      // each iteration names a new object: what was held through the cursor does not carry over
      const cur = normObject(call.args[spec.iteratorCursor].text).obj;
      for (const [id] of st) {
        const k = keys.get(id)!;
        if (k.family !== 'bracket' && (k.obj === cur || k.obj.startsWith(cur + '->'))) st.set(id, initial);
      }
    }
    applyEffects(st, node, call, spec, callEffects(spec, call));
  };

  const applyEffects = (st: Map<string, Bits>, node: CfgNode, call: CallOp, spec: ApiSpec, effs: Effect[]) => {
    const before: State = recording ? snapshot(st) : st;
    if (recording) events.push({ t: 'call', node, op: call, spec, before });
    const touched = new Set<string>();
    for (const eff of effs) {
      const global = (eff as { global?: string }).global;
      let o =
        global !== undefined
          ? { obj: normObject(global).obj, text: global, array: false, element: !!(eff as { element?: boolean }).element || normObject(global).element }
          : effectObject(cat, eff, call);
      if (!o) continue;
      // one object under two names (`folio = page_folio(page)`): one key
      const canon = facts.identity.get(o.obj);
      if (canon) o = { ...o, obj: canon };
      // `file = get_file(vma->vm_file)`: the reference is held through the returned pointer
      if (eff.op === 'acquire' && spec.returnsObject && call.result.kind === 'assigned' && isPathText(norm(call.result.to)))
        o = { obj: normObject(call.result.to).obj, text: call.result.to, array: false, element: false };
      if (eff.op === 'acquire') {
        const k = keyFor(eff.kind, eff, o.obj, o.array || o.element);
        touched.add(k.key);
        if (eff.cond) {
          k.cond = eff.cond;
          k.condTexts.add(norm(call.node.text));
          if (call.result.kind === 'assigned') {
            k.condTexts.add(norm(call.result.to));
            // `start_pte = pte = pte_offset_map_lock(...)`: a test of either name tests the result
            for (const v of call.result.chain ?? []) k.condTexts.add(norm(v));
          }
        }
        if (eff.stateArg !== undefined && call.args[eff.stateArg]) {
          // a save taking the flags by pointer (folio_lruvec_lock_irqsave(folio, &flags)) saves into `flags`
          const f = norm(call.args[eff.stateArg].text);
          k.flags.add(eff.stateByValue === false && f.startsWith('&') ? f.slice(1) : f);
        }
        const b = get(st, k.key);
        if (recording) {
          const ev: AcquireEvent = { t: 'acquire', node, op: call, spec, before, key: k, eff, objText: o.text };
          events.push(ev);
          if (!k.acquires.some((a) => a.op === call)) k.acquires.push(ev);
          note(takes, k.key, node);
        }
        const pending = eff.cond && call.result.kind !== 'discarded';
        // a bracket already open nests (a second pte mapping of another table): its result test concerns only the new one
        // (an untested earlier one counts as open: two pte_offset_map()s of two tables, neither checked)
        if (pending && k.family === 'bracket' && b & (HELD | P)) st.set(k.key, mapBits(b, (x) => (x & (HELD | P) ? H2 : P)));
        // a conditional get on a reference already held (folio_isolate_lru() on a folio the function
        // holds) stacks on it: H|P until its result is tested (then H2 on success, H on failure)
        else if (pending && k.family === 'ref' && !o.array && definitelyHeld(b)) st.set(k.key, b | P);
        else st.set(k.key, pending ? P : o.array ? H : mapBits(b, (x) => (x & HELD ? H2 : H)));
      } else {
        // release: the key of the same object whose kind this release may drop
        let match: KeyInfo | null = null;
        let mismatch: ReleaseEvent['mismatch'];
        // keys that may be held first: `ptl = pmd_lock(); spin_unlock(ptl); spin_lock(ptl); spin_unlock(ptl)`
        // keeps a released ptl key beside the held spinlock key of the same object
        // a section kept per pointer is closed through the same pointer first (`pte_unmap_unlock(dst_pte, ..)`),
        // else through any open one of its kind (`pte_unmap(pte - 1)`, `orig_pte`)
        const rank = (x: [string, Bits]) =>
          (x[1] & (HELD | P) ? 0 : 2) + (keys.get(x[0])!.family === 'bracket' && keys.get(x[0])!.obj && keys.get(x[0])!.obj !== o!.obj ? 1 : 0);
        const candidates = [...st].sort((x, y) => rank(x) - rank(y));
        for (const [id, bits] of candidates) {
          const k = keys.get(id)!;
          if (touched.has(id)) continue;
          // a lock in an array (`&hugetlb_fault_mutex_table[hash]`) is locked and unlocked by element
          const sameObj = k.family === 'bracket' ? k.kind === eff.kind || cat.compatible(k.kind, eff.kind) : k.obj === o.obj && (k.array || !o.element || o.array || k.family === 'lock');
          if (!sameObj) continue;
          if (!(bits & (HELD | P | R | F | U | Q))) continue;
          // a section kept per pointer closed through another pointer only when that one is known open: with
          // its history unknown (code out of sight above), the pointer released may be mapped there
          // (`d_addr = kmap_atomic(newpage)` between two hunks)
          if (k.family === 'bracket' && k.obj && o.obj && k.obj !== o.obj && !(bits & (HELD | P))) continue;
          if (cat.compatible(k.kind, eff.kind) && (k.family !== 'bracket' || (k.style ?? '') === (eff.style ?? ''))) {
            match = k;
            break;
          }
          if (bits & HELD && !mismatch) mismatch = { key: k, bits, reason: k.kind === eff.kind || cat.compatible(k.kind, eff.kind) ? 'style' : 'kind' };
        }
        if (!match && !mismatch && o.text.trim().startsWith('&') && o.obj.includes('->')) {
          // `&folio->page`: an embedded member's address names the containing object while it is held;
          // the kind's own counted member (`css_put(&memcg->css)` after `mem_cgroup_put(memcg)`: catalog
          // embeddedAs) names it in any state, so a second put through the other name is seen
          const member = cat.kind(eff.kind).embeddedAs;
          const named = !!member && o.obj.endsWith(`->${member}`);
          const base = named ? o.obj.slice(0, -(member!.length + 2)) : o.obj.slice(0, o.obj.indexOf('->'));
          const states = named ? HELD | P | R | F | U | Q | E | X : HELD | P;
          for (const [id, bits] of st) {
            const k = keys.get(id)!;
            if (k.family !== 'ref' || k.obj !== base || !(bits & states) || !cat.compatible(k.kind, eff.kind)) continue;
            match = k;
            break;
          }
        }
        const mk = match ?? (mismatch && mismatch.key.family === cat.kind(eff.kind).family ? mismatch.key : null);
        const k = match ?? mk ?? keyFor(eff.kind, eff, o.obj, o.array || o.element);
        touched.add(k.key);
        const b = get(st, k.key);
        // a key whose history is unknown (acquired out of sight) is the one this release drops
        // (and so is one this function already released without taking it, X: the caller's, or one it handed over, E:
        // a callee may have released it, or kept it for this release)
        const dropped = match ?? mk ?? (b & (U | Q | E | X) ? k : null);
        if (recording) events.push({ t: 'release', node, op: call, spec, before, eff, obj: o.obj, objText: o.text, element: o.element, key: dropped, bits: b, mismatch: match ? undefined : mismatch });
        addDrop(k.key, node);
        if (eff.cond && call.result.kind !== 'discarded' && (cat.kind(eff.kind).family === 'ref' || cat.kind(eff.kind).family === 'lock')) {
          // released only when the call says so (put_devmap_managed_page_refs, expand_stack): the
          // caller releases another way otherwise; treat the ref or lock as handed over
          if (b & (HELD | P)) st.set(k.key, E);
        } else if (k.array && k.family !== 'lock') st.set(k.key, R);
        else {
          // a count taken out of sight is unknown after one put (two references may have been held);
          // a lock, or a section opened on a pointer, is simply released
          const counted = k.family === 'ref' || (k.family === 'bracket' && !k.obj);
          st.set(k.key, mapBits(b, (x) => (x === H2 ? H : x === H || x === P ? R : x === U ? (counted ? Q : R) : x === N ? X : x)));
        }
      }
    }
    // A catalogued call with no effect on an object does not consume it.
  };

  /** `x = acquire()` assigns the object itself: not an overwrite of it. */
  const isAcquireResult = (op: Extract<Operation, { kind: 'assign' }>, k: KeyInfo, node: CfgNode): boolean => {
    const rhs = callValue(op.rhsNode);
    if (!rhs) return false;
    const call = node.ops.find((o): o is CallOp => o.kind === 'call' && norm(o.node.text) === rhs.norm);
    const spec = call ? specForCall(cat, call, types) : cat.api(rhs.name);
    return (spec?.effects ?? []).some((e) => e.op === 'acquire' && e.kind === k.kind && (e.object === 'ret' || !!spec?.returnsObject));
  };

  const step = (st: Map<string, Bits>, node: CfgNode, op: Operation) => {
    // an assignment, declaration or return only hands over or forgets what the state holds
    if (op.kind !== 'call' && st.size === 0) return;
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
            st.set(id, mapBits(bits, (x) => (x & (HELD | P | E) ? E : x === U ? U : N)));
            if (bits & (HELD | P)) addDrop(id, node);
          }
        }
        if (op.rhsNode) escapeMentioned(st, textOutsideCalls(op.rhsNode), node, true);
        // stored into a structure through a call that names the same object (`vcpu->run =
        // page_address(page)`, catalog sameObject): the structure now holds it (a local variable
        // given that value is an alias, followed by the facts, not a hand-over)
        if (op.rhsNode && op.target.kind !== 'var') {
          const e = uncast(exprOf(op.rhsNode));
          if (e.k === 'call' && !e.indirect && e.args.length >= 1 && cat.api(e.name)?.sameObject) escapeMentioned(st, e.args[0].text, node, true);
        }
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

  const transfer = (node: CfgNode, input: State): State => {
    const gap = facts.visibility.gaps.has(node.id);
    // (states are never changed once made: a node without operations passes its input on)
    if (!gap && node.ops.length === 0) return input;
    const st = new Map(input);
    if (gap) {
      // code the patch does not show: anything may have happened to every object and section
      for (const k of keyList) st.set(k.key, U);
      for (const [id] of st) st.set(id, U);
      return st;
    }
    for (const op of node.ops) step(st, node, op);
    return st;
  };

  const edge = (e: CfgEdge, out: State): State | null => {
    if (!e.cond || out.size === 0) return out;
    let st: Map<string, Bits> | null = null;
    for (const [id, bits] of out) {
      // a NULL pointer holds nothing: an acquire that succeeded but left its out-parameter NULL
      // (`err = shmem_get_folio(.., &folio, ..); if (err) ..; if (!folio) goto out;`) took no object
      if (bits & HELD && !(bits & P)) {
        const k = keys.get(id)!;
        if ((k.family === 'ref' || k.family === 'lock') && !k.array && /^[A-Za-z_]\w*$/.test(k.obj) && pointerState(e, k.obj) === 'null') {
          st ??= new Map(out);
          st.set(id, mapBits(bits, (x) => (x & HELD ? N : x)));
          continue;
        }
      }
      if (!(bits & P)) continue;
      const k = keys.get(id)!;
      // ('null' is a release's condition only: no acquire reports success by failing)
      const ok = acquireOutcome(e, k.condTexts, !k.cond || k.cond === 'null' ? 'bool' : k.cond);
      if (ok === undefined) continue;
      st ??= new Map(out);
      if (k.family === 'ref' && bits & HELD) st.set(id, ok ? (bits & ~(P | HELD)) | H2 : bits & ~P);
      else st.set(id, (bits & ~P) | (ok ? H : F));
    }
    return st ?? out;
  };

  const join = (a: State, b: State): State => {
    if (a === b || (a.size === 0 && b.size === 0)) return a;
    const out = new Map(a);
    for (const [k, v] of b) out.set(k, (out.get(k) ?? initial) | v);
    for (const [k, v] of a) if (!b.has(k)) out.set(k, v | initial);
    return out;
  };
  const equals = (a: State, b: State): boolean => {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (b.get(k) !== v) return false;
    return true;
  };

  // locks the header says the caller holds (`__releases(ptl)`, `__must_hold(ptl)`): held at the entry,
  // keyed as the function's own releases of that object key them
  const entry = new Map<string, Bits>();
  if (facts.heldOnEntry.length)
    for (const n of cfg.nodes)
      for (const o of n.ops) {
        if (o.kind !== 'call' || o.indirect) continue;
        for (const eff of cat.effects(o.name, o.args.map((x) => x.text))) {
          if (eff.op !== 'release') continue;
          const obj = effectObject(cat, eff, o);
          if (!obj || !facts.heldOnEntry.some((h) => h.obj === obj.obj)) continue;
          const k = keyFor(eff.kind, eff, obj.obj, obj.array);
          if (k.family !== 'lock') continue;
          k.onEntry = true;
          entry.set(k.key, H);
        }
      }
  let res = tracksNothing(facts, cat, summaries, keyList.length)
    ? emptyStates(cfg, entry, facts.visibility.hiddenEntries)
    : solveForward<State>(cfg, { lattice: { join, equals }, entry, transfer, edge, roots: facts.visibility.hiddenEntries });
  if (initial === N && facts.visibility.hiddenEntries.length && keyList.length) {
    // code entered from a jump the text does not show (a goto inside a macro): every object's history is
    // unknown there. The keys are known after the first pass; the second seeds those entries with U.
    const unknown = new Map(keyList.map((k) => [k.key, U] as [string, Bits]));
    res = solveForward<State>(cfg, { lattice: { join, equals }, entry: new Map(), transfer, edge, roots: [] , seeds: facts.visibility.hiddenEntries.map((n) => [n, unknown] as [CfgNode, State]) });
  }
  // Replay every reachable node once with its final input state to record events.
  recording = true;
  for (const n of cfg.nodes) {
    const s = res.in[n.id];
    if (s) transfer(n, s);
  }
  recording = false;
  const a: ResourceAnalysis = { cfg, facts, keys, keyList, initial, in: res.in, out: res.out, events, plainCalls, drops, takes, types, converged: res.converged };
  if (!perSig) cache.set(facts, (perSig = new Map()));
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

/** The object a summary entry names, through this call's arguments ('' for a section; null when not nameable). */
function summaryObjectText(r: SummaryObject, call: CallOp): string | null {
  if (r.param !== undefined) {
    const arg = call.args[r.param];
    if (!arg) return null;
    const base = normObject(arg.text).obj;
    if (!isPathText(base)) return null;
    return base + (r.path ?? '');
  }
  return r.global ?? '';
}

/** The acquire and release effects of a summarised call, their objects named through this call's arguments. */
function summaryEffects(sum: CalleeSummary, call: CallOp): Effect[] {
  const out: Effect[] = [];
  for (const [op, list] of [['acquire', sum.acquires ?? []], ['release', sum.releases]] as const)
    for (const r of list) {
      const g = summaryObjectText(r, call);
      if (g === null) continue;
      out.push({ op, kind: r.kind, style: r.style, global: g, element: r.element } as Effect);
    }
  return out;
}

/**
 * The summary of one of the document's own functions (given its callees'
 * summaries): what it releases, on every path, that it never took. Only a
 * function whose whole text is shown is summarised.
 */
export function summarizeFunction(name: string, facts: FunctionFacts, cat: Catalog, callees?: Summaries): CalleeSummary | null {
  if (!facts.visibility.entry || !facts.visibility.end || facts.visibility.gaps.size) return null;
  const a = analyzeResources(facts, cat, callees);
  const end = a.in[a.cfg.exit.id];
  if (!end) return null;
  const params = a.cfg.params.map((p) => p.name);
  const releases: SummaryObject[] = [];
  const acquires: SummaryObject[] = [];
  const touches: SummaryObject[] = [];
  const nameOf = (k: KeyInfo): SummaryObject | null => {
    const style = k.style;
    if (k.family === 'bracket') return k.obj && k.acquires.some((x) => x.eff.object === 'ret') ? null : { kind: k.kind, style };
    const head = /^[A-Za-z_]\w*/.exec(k.obj)?.[0];
    if (head === undefined || /[\n\r]/.test(k.obj)) return null;
    const m = [k.obj, head, k.obj.slice(head.length)];
    const pi = params.indexOf(m[1]);
    // the entries of an array the caller passes (`put_page(pages[i])` over `pages`): named as its elements; other
    // arrays are not nameable (a lock in a global array, `&table[hash]`, is named by the array below)
    if (k.array && k.family !== 'lock') return pi >= 0 && !m[2] ? { kind: k.kind, param: pi, element: true } : null;
    if (pi >= 0) return { kind: k.kind, param: pi, path: m[2] || undefined };
    if (!a.types.has(m[1])) return { kind: k.kind, global: k.obj, element: k.array || undefined }; // not a local: a global the caller names the same way
    return null;
  };
  for (const [id, bits] of end) {
    const k = a.keys.get(id)!;
    const o = nameOf(k);
    if (!o) continue;
    // entries of the caller's array released in a loop (which may run no time): what kind it releases is the
    // fact the caller needs (a pinned array dropped with put_page() through the helper)
    if (o.element && o.param !== undefined && bits & (X | R) && !k.acquires.length) releases.push(o);
    else if (bits & X && !(bits & ~(X | R))) releases.push(o);
    else if (definitelyHeld(bits) && k.acquires.length && k.family !== 'ref') acquires.push(o);
    else if (bits & (X | R | HELD) && bits & ~(E | F)) touches.push(o);
  }
  // what a helper it calls releases or may release, of objects this function names only by passing them
  // on (a global, or its own parameter's): the caller cannot tell either (try_to_set_owner() returning
  // true after __try_to_set_owner() dropped tasklist_lock: kernel/exit.c)
  const named = new Set([...releases, ...acquires, ...touches].map((o) => `${o.kind}|${o.param ?? ''}|${o.path ?? ''}|${o.global ?? ''}`));
  for (const c of a.plainCalls) {
    const sum = c.summary;
    if (!sum) continue;
    for (const r of [...sum.releases, ...(sum.touches ?? [])]) {
      if (r.element) continue;
      let o: SummaryObject | null = null;
      if (r.param === undefined) o = r.global !== undefined && !a.types.has(/^[A-Za-z_]\w*/.exec(r.global)?.[0] ?? '') ? { kind: r.kind, style: r.style, global: r.global } : null;
      else {
        const text = summaryObjectText(r, c.op);
        const head = text ? /^[A-Za-z_]\w*/.exec(text)?.[0] : undefined;
        const pi = head === undefined ? -1 : params.indexOf(head);
        if (pi >= 0) o = { kind: r.kind, style: r.style, param: pi, path: text!.slice(head!.length) || undefined };
      }
      if (!o) continue;
      // already summarised through a key of this function's own
      if (o.global !== undefined && [...end.keys()].some((id) => a.keys.get(id)!.obj === o!.global)) continue;
      const id = `${o.kind}|${o.param ?? ''}|${o.path ?? ''}|${o.global ?? ''}`;
      if (named.has(id)) continue;
      named.add(id);
      touches.push(o);
    }
  }
  const writes = new Set<string>();
  for (const n of a.cfg.nodes)
    for (const o of n.ops) if (o.kind === 'assign' && o.target.kind === 'var' && /^[A-Za-z_]\w*$/.test(o.target.text) && !a.types.has(o.target.text)) writes.add(o.target.text);
  if (!releases.length && !acquires.length && !touches.length && !writes.size) return null;
  return { name, releases, ...(acquires.length ? { acquires } : {}), ...(touches.length ? { touches } : {}), ...(writes.size ? { writes: [...writes].sort() } : {}) };
}

export { specForCall, textOutsideCalls, normObject, gotoTarget, isBackwardGoto };

// ---------------------------------------------------------------------------
// Exits and paths

export interface ExitPoint {
  node: CfgNode;
  kind: 'return' | 'goto' | 'fall';
  state: State;
  /** A real way out that the text shows (not the end of a hunk, not a goto to a label not shown). */
  visible: boolean;
  error: boolean;
  text: string;
}

/** Exit points of the function with the state leaving them: returns, forward gotos into a ladder, and falling off the end. */
export function exitPoints(a: ResourceAnalysis): ExitPoint[] {
  const out: ExitPoint[] = [];
  for (const x of a.facts.exits) {
    const s = a.out[x.node.id];
    if (!s) continue;
    out.push({ node: x.node, kind: x.kind, state: s, visible: x.visible, error: x.error, text: x.text });
  }
  return out;
}

export function isErrorExit(a: ResourceAnalysis, node: CfgNode): boolean {
  return a.facts.exits.find((x) => x.node === node)?.error ?? false;
}

export interface LadderEnd {
  /** Some return statement is met on such a path (else the paths fall off the end). */
  reachesReturn: boolean;
  /** ... and at one of those returns the key may already be released on another path. */
  releasedAtAReturn: boolean;
}

const REACH = 1; // the exit is reached
const UNRESOLVED = 2; // the way out leaves the visible text (a label or an end not shown, code between hunks)
const RETURN = 4; // a return statement is met
const RETURN_RELEASED = 8; // ... at which another path arrives with the key released

/** Work counters of the path searches (states expanded), for test/hostile's linearity checks. */
export const pathSearchStats = { ladderStates: 0, errorReturnNodes: 0, factSets: 0 };

/** At most this many distinct per-exit fact sets are searched per key; beyond, exits share the key's own facts. */
const MAX_FACT_SETS = 32;

/**
 * From `start`, can the exit be reached without passing a node that releases
 * or transfers `key`? Returns what those paths reach (the return statements
 * met, or none when the exit is reached by falling off the end), or null when
 * every path drops the key, or when the way out leaves the visible text.
 *
 * `from` (the exit node asking) adds what every path to it has tested and not
 * changed since (path facts): `if (!start_pte) goto abort;` above makes
 * `if (start_pte)` in the ladder take only its true side.
 *
 * The walk is over (node, facts still holding) states. Every exit asks about
 * its own start, so the answers are computed once per key and fact set for
 * all states together: strongly connected components of the state graph
 * (Tarjan, iterative), each with the union of what it and everything after
 * it reach. Linear in states and edges however many gotos ask, with at most
 * MAX_FACT_SETS fact sets per key.
 */
export function undroppedPathToExit(a: ResourceAnalysis, start: CfgNode, key: string, from?: CfgNode): LadderEnd | null {
  const k = a.keys.get(key);
  const held = k ? heldFacts(a, k) : [];
  const truths: HeldFact[] = [];
  if (from)
    for (const [text, value] of knownTruths(a.facts)(from.id)) {
      if (truths.length + held.length >= 10) break;
      if (!held.some((h) => h.text === text)) truths.push({ text, what: 'truth', value });
    }
  const f = ladderSolver(a, key, held, truths)(start);
  if (f & UNRESOLVED || !(f & REACH)) return null;
  return { reachesReturn: (f & RETURN) !== 0, releasedAtAReturn: (f & RETURN_RELEASED) !== 0 };
}

const ladderCache = new WeakMap<ResourceAnalysis, Map<string, Map<string, (start: CfgNode) => number>>>();

function ladderSolver(a: ResourceAnalysis, key: string, held: HeldFact[], truthsIn: HeldFact[]): (start: CfgNode) => number {
  let perKey = ladderCache.get(a);
  if (!perKey) ladderCache.set(a, (perKey = new Map()));
  let perSet = perKey.get(key);
  if (!perSet) perKey.set(key, (perSet = new Map()));
  let truths = truthsIn;
  let sig = truths.map((t) => `${t.text}=${t.value}`).join(',');
  if (!perSet.has(sig) && perSet.size >= MAX_FACT_SETS) {
    truths = [];
    sig = '';
  }
  const hit = perSet.get(sig);
  if (hit) return hit;
  pathSearchStats.factSets++;
  const drops = a.drops.get(key) ?? new Set<number>();
  const k = a.keys.get(key);
  const facts = [...held, ...truths];
  const guards = k ? releaseGuards(a, k) : [];
  const gaps = a.facts.visibility.gaps;
  const endVisible = a.facts.visibility.end;
  const all = (1 << facts.length) - 1;
  const width = 1 << facts.length;
  const stateOf = (n: CfgNode, live: number) => n.id * width + live;
  const done = new Map<number, number>();
  const ownFlags = (n: CfgNode): number => {
    if (n === a.cfg.exit) return REACH;
    if (n.kind !== 'return') return 0;
    return RETURN | (((a.in[n.id]?.get(key) ?? a.initial) & R) !== 0 ? RETURN_RELEASED : 0);
  };
  const succsOf = (n: CfgNode, liveIn: number, isStart: boolean): { states: [CfgNode, number][]; flags: number } => {
    pathSearchStats.ladderStates++;
    if (!isStart && drops.has(n.id)) return { states: [], flags: 0 };
    if (gaps.has(n.id)) return { states: [], flags: UNRESOLVED };
    if (n === a.cfg.exit) return { states: [], flags: REACH };
    let live = liveIn;
    for (let i = 0; i < facts.length; i++) if (live & (1 << i) && n.ops.some((o) => assigns(o, facts[i].text))) live &= ~(1 << i);
    const states: [CfgNode, number][] = [];
    for (const e of n.succs) {
      if (e.kind === 'unresolved') return { states: [], flags: UNRESOLVED | ownFlags(n) };
      if (e.to === a.cfg.exit && e.kind !== 'return' && !endVisible) return { states: [], flags: UNRESOLVED | ownFlags(n) };
      if (e.cond && facts.some((fa, i) => live & (1 << i) && contradicts(fa, e))) continue;
      if (e.cond && k && equalsOtherLock(a, k, e)) continue;
      // a flag that guards the release elsewhere (`if (vrm->mmap_locked) mmap_write_unlock(mm)`) says the lock
      // is no longer held where it is false: whoever cleared it released the lock
      if (e.cond && guards.some((g) => skipsGuard(e, g))) continue;
      states.push([e.to, live]);
    }
    return { states, flags: ownFlags(n) };
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
  const solve = (start: CfgNode): number => {
    // the start itself is walked even if it drops the key (as the per-exit walk did)
    const startSt = succsOf(start, all, true);
    let acc = startSt.flags;
    for (const [n, live] of startSt.states) acc |= visit(n, live);
    return acc;
  };
  perSet.set(sig, solve);
  return solve;
}

/**
 * Flag guards of a key's releases: `if (locked) unlock(l)` where `locked` is a
 * state flag (a bool, a field, or a variable only ever set to constants), not
 * an error code.
 */
function releaseGuards(a: ResourceAnalysis, k: KeyInfo): { text: string; value: boolean }[] {
  const out: { text: string; value: boolean }[] = [];
  for (const ev of a.events) {
    if (ev.t !== 'release' || ev.key !== k) continue;
    for (const [text, value] of enclosingTests(ev.op.node)) {
      if (out.some((g) => g.text === text && g.value === value)) continue;
      if (!isStateFlag(a, text)) continue;
      out.push({ text, value });
    }
  }
  return out;
}

function isStateFlag(a: ResourceAnalysis, text: string): boolean {
  const type = (a.types.get(text) ?? '').trim();
  if (type === 'bool' || type === '_Bool') return true;
  // a field this function never writes (`vmf->pte` set by the caller) says what the caller arranged
  if (/->|\./.test(text) && !a.cfg.nodes.some((n) => n.ops.some((o) => o.kind === 'assign' && o.target.text.replace(/\s+/g, '') === text))) return true;
  // assigned only constants in this function
  let assigned = false;
  for (const n of a.cfg.nodes)
    for (const o of n.ops) {
      if (o.kind === 'assign' && o.target.text.replace(/\s+/g, '') === text) {
        assigned = true;
        if (!o.rhs || !/^(true|false|0|1)$/.test(o.rhs.trim())) return false;
      }
      if (o.kind === 'decl' && o.name === text && o.initText && !/^(true|false|0|1)$/.test(o.initText.trim())) return false;
    }
  return assigned;
}

/** Does taking edge `e` skip a release guarded by `g` (the guard is false here)? */
function skipsGuard(e: CfgEdge, g: { text: string; value: boolean }): boolean {
  const t = testOf(e);
  return !!t && t.kind === 'truthy' && uncast(t.subject).norm === g.text && t.holds !== g.value;
}

/**
 * Lock aliasing (`pml = pmd_lock(..); pte = pte_offset_map_rw_nolock(.., &ptl); ...
 * pte_unmap_unlock(pte, ptl); if (ptl != pml) spin_unlock(pml);`): is `e` the
 * branch on which the held lock `k` is the same lock as another lock variable
 * that this function releases (`ptl == pml`, `!(ptl != pml)`)? There the
 * release through the other variable may be the release of `k`: the path
 * counts as releasing it (may be released, no leak).
 */
function equalsOtherLock(a: ResourceAnalysis, k: KeyInfo, e: CfgEdge): boolean {
  if (k.family !== 'lock' || !k.obj) return false;
  const eq = equalityOf(e);
  if (!eq) return false;
  const l = normObject(eq[0]).obj;
  const r = normObject(eq[1]).obj;
  const other = l === k.obj ? r : r === k.obj ? l : null;
  if (!other || other === k.obj || other === 'NULL' || !isPathText(other)) return false;
  return a.events.some((ev) => ev.t === 'release' && ev.obj === other) && a.keyList.some((x) => x.obj === other && x.family === 'lock');
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
  /** 'valid': a real pointer; 'guard': a test every acquire sits under; 'truth': tested on every path to the exit. */
  what: 'valid' | 'guard' | 'truth';
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
  if (k.obj && !k.array && isPathText(k.obj)) texts.add(k.obj);
  for (const acq of k.acquires) {
    const t = normObject(acq.objText).obj;
    if (t && !normObject(acq.objText).element && isPathText(t)) texts.add(t);
    // the lvalue a conditional acquire's pointer result went to (`vmf->pte = pte_offset_map_lock(..., &vmf->ptl)`):
    // every effect of the call holds only when that pointer is real, so the PTL held says `vmf->pte` is not NULL
    if ((acq.eff.cond === 'nonnull' || acq.eff.cond === 'errptr') && acq.op.result.kind === 'assigned' && acq.op.result.op === '=') {
      const r = normObject(acq.op.result.to);
      // only while nothing but the acquires themselves writes it (`vmf->pte = NULL; goto out;` forgets the mapping)
      const acquireCalls = new Set(k.acquires.map((x) => norm(x.op.node.text)));
      const isAcqValue = (n: import('../c/cnode').CNode | null) => {
        const c = callValue(n);
        return !!c && acquireCalls.has(c.norm);
      };
      const writtenElsewhere = a.cfg.nodes.some((n) =>
        n.ops.some(
          (o) =>
            assigns(o, r.obj) &&
            !(o.kind === 'assign' && isAcqValue(o.rhsNode)) &&
            !(o.kind === 'decl' && isAcqValue(o.init)) &&
            !(o.kind === 'call' && acquireCalls.has(norm(o.node.text))),
        ),
      );
      if (r.obj && !r.element && isPathText(r.obj) && !writtenElsewhere) texts.add(r.obj);
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

/** Is the edge impossible while `f` holds? */
function contradicts(f: HeldFact, e: CfgEdge): boolean {
  const t = testOf(e);
  if (!t) return false;
  if (f.what === 'guard' || f.what === 'truth') {
    if (t.kind === 'truthy' && uncast(t.subject).norm === f.text) return t.holds !== f.value;
    if (f.what === 'truth' && f.value) {
      const ps = pointerState(e, f.text);
      return ps === 'null';
    }
    return false;
  }
  // a valid pointer is not NULL, not an ERR_PTR
  const ps = pointerState(e, f.text);
  return ps === 'null' || ps === 'err' || ps === 'bad';
}

export function describeKind(cat: Catalog, kind: ResourceKind): string {
  return cat.kind(kind).label;
}

export { exprOf };

/**
 * The words of a comment on the lines right above `call` (or at the end of its
 * line) that says the callee releases something: it names the callee and an
 * unlock verb (`/* foo() unlocks the ipc object and rcu *\/`). Null when none.
 */
const RELEASE_VERBS = new Set(['unlocks', 'releases', 'drops']);
const saysReleases = new WeakMap<CallOp, { image: FunctionFacts['image']; words: Set<string> | null }>();
const imageLines = new WeakMap<NonNullable<FunctionFacts['image']>, string[]>();
/** commentSaysReleases, once per call (the solver steps a call on every visit of its node). */
function commentSaysReleases(image: FunctionFacts['image'], call: CallOp): Set<string> | null {
  if (!image) return null;
  const hit = saysReleases.get(call);
  if (hit && hit.image === image) return hit.words;
  let lines = imageLines.get(image);
  if (!lines) imageLines.set(image, (lines = image.text.split('\n')));
  const words = commentWords(lines, call);
  saysReleases.set(call, { image, words });
  return words;
}
function commentWords(lines: readonly string[], call: CallOp): Set<string> | null {
  const parts: string[] = [];
  const own = lines[call.line] ?? '';
  const c = own.indexOf('/*');
  if (c >= 0) parts.push(own.slice(c));
  for (let i = call.line - 1; i >= 0 && i >= call.line - 4; i--) {
    const t = lines[i].trim();
    if (!(t.startsWith('/*') || t.startsWith('*') || t.startsWith('//') || t.endsWith('*/'))) break;
    parts.push(t);
    if (t.startsWith('/*') || t.startsWith('//')) break;
  }
  if (!parts.length) return null;
  const text = parts.join(' ').toLowerCase();
  const words = new Set(text.split(/[^a-z0-9_]+/).filter(Boolean));
  if (!words.has(call.name.toLowerCase()) || ![...RELEASE_VERBS].some((v) => words.has(v))) return null;
  return words;
}
