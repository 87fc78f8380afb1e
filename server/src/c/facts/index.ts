/**
 * The facts layer: what the C model knows about one function in one
 * configuration, classified once, so that the analyses (server/src/analysis)
 * and the rules (server/src/rules) never read syntax.
 *
 *   - declarations: parameter and local types;
 *   - visibility: which parts of the function the text shows (the start, the
 *     end, gaps between hunks, gotos to labels not shown) — code not shown is
 *     unknown, never "nothing happens";
 *   - exits: every way out (return, forward goto into a ladder, falling off
 *     the end), with whether it reports failure and whether it is visible;
 *   - guards: the tests every execution of an operation has passed;
 *   - derived values: `head = compound_head(page)` (a catalogued accessor
 *     with no effect names the same object);
 *   - writes: which operations assign a variable or an access path.
 * Conditions (./conds), expressions (./expr) and calls (./calls) are facts
 * too, computed on demand and cached.
 */
import type { Cfg, CfgEdge, CfgNode, Operation } from '../cfg';
import type { FunctionImage } from '../model';
import type { Hunk, HunkLine } from '../../patch/model';
import type { CNode } from '../cnode';
import type { Catalog } from '../../catalog';
import { exprOf, norm, normObject, errorishValue, unparen, uncast, type Expr } from './expr';
import { isFailureEdge, testOf, classifyTest } from './conds';

export * from './expr';
export * from './conds';
export * from './calls';

export interface Visibility {
  /** The function's start (its declarator and opening brace) is shown. */
  entry: boolean;
  /** The function's closing brace is shown: falling off the end is a real exit. */
  end: boolean;
  /** Nodes standing for lines the text does not show (between hunks). */
  gaps: ReadonlySet<number>;
  /** goto nodes whose label is not shown. */
  unresolvedGotos: ReadonlySet<number>;
  /**
   * Visible code that no visible path reaches (the statements after a block
   * whose opening the hunk does not show: the hidden test may skip the block).
   * When the function's start is not shown they are entered from code out of
   * sight, with nothing known.
   */
  hiddenEntries: readonly CfgNode[];
}

export type ExitKind = 'return' | 'goto' | 'fall';

export interface ExitFact {
  node: CfgNode;
  kind: ExitKind;
  /** The exit reports failure (return -E, NULL, ERR_PTR, false; a goto taken because something failed). */
  error: boolean;
  /** The exit is a real way out that the text shows (not the end of a hunk, not a goto to a label not shown). */
  visible: boolean;
  /** `return -EFAULT`, `goto out_unlock`, or `end of function`. */
  text: string;
}

export interface FunctionFacts {
  cfg: Cfg;
  image: FunctionImage | null;
  types: ReadonlyMap<string, string>;
  params: readonly string[];
  visibility: Visibility;
  /** Variables computed from others by a catalogued accessor with no effect (`head = compound_head(page)`). */
  derivedFrom: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * Object identity: variables that name the same reference-counted object
   * (`folio = page_folio(page)`, `page = &folio->page`), mapped to one
   * representative (the variable the others were computed from).
   */
  identity: ReadonlyMap<string, string>;
  exits: readonly ExitFact[];
  /**
   * What the text says the function returns holding: a sentence of the
   * comment right above it (in the patch) such as "Returns 1 with preemption
   * disabled" or "returns with the lock held", or an `__acquires()` /
   * `__cond_acquires()` annotation in its header. A lock or section held at a
   * successful exit of such a function is its contract with the caller.
   */
  statesReturnsHolding: boolean;
  /**
   * Locks the function's header says the caller holds on entry
   * (`__releases(ptl)`, `__must_hold(&mm->mmap_lock)`), normalised object
   * texts: the function starts with them held.
   */
  heldOnEntry: readonly { obj: string; releases: boolean }[];
  /**
   * Variables declared with a scope-based cleanup (`struct task_struct *task
   * __free(put_task) = NULL;`, include/linux/cleanup.h, v6.5+): whatever they
   * hold when they go out of scope is dropped by the cleanup, not leaked.
   */
  autoReleased: ReadonlySet<string>;
}

/** The variables of the image declared `name __free(cleanup)` (scanned by hand, no regex over the text). */
function cleanupVariables(image: FunctionImage | null): Set<string> {
  const out = new Set<string>();
  if (!image) return out;
  const text = image.text;
  const word = '__free(';
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + word.length)) {
    let j = at - 1;
    while (j >= 0 && (text[j] === ' ' || text[j] === '\t')) j--;
    const end = j + 1;
    while (j >= 0 && /\w/.test(text[j])) j--;
    const name = text.slice(j + 1, end);
    if (/^[A-Za-z_]\w*$/.test(name)) out.add(name);
  }
  return out;
}

/**
 * The `__releases(x)` / `__must_hold(x)` annotations of the header (the lines
 * from the declarator to the body's brace), scanned by hand for balanced
 * parentheses (no regex over the text).
 */
function entryAnnotations(image: FunctionImage | null): { obj: string; releases: boolean }[] {
  if (!image) return [];
  const lines = image.text.split('\n');
  let header = '';
  for (let i = image.headerLine; i < lines.length && i < image.headerLine + 12; i++) {
    const b = lines[i].indexOf('{');
    header += ' ' + (b >= 0 ? lines[i].slice(0, b) : lines[i]);
    if (b >= 0) break;
  }
  const out: { obj: string; releases: boolean }[] = [];
  for (const [word, releases] of [['__releases(', true], ['__must_hold(', false]] as const) {
    let at = header.indexOf(word);
    while (at >= 0) {
      let depth = 1;
      let j = at + word.length;
      for (; j < header.length && depth > 0; j++) depth += header[j] === '(' ? 1 : header[j] === ')' ? -1 : 0;
      const arg = header.slice(at + word.length, j - 1).trim();
      if (arg) out.push({ obj: normObject(arg).obj, releases });
      at = header.indexOf(word, j);
    }
  }
  return out;
}

/** Each line's index in its hunk, once per hunk (a new file is one hunk of every function: no indexOf per function). */
const hunkLineIndex = new WeakMap<Hunk, Map<HunkLine, number>>();
function lineIndexIn(h: Hunk): Map<HunkLine, number> {
  let m = hunkLineIndex.get(h);
  if (!m) {
    m = new Map();
    for (let i = 0; i < h.lines.length; i++) if (!m.has(h.lines[i])) m.set(h.lines[i], i);
    hunkLineIndex.set(h, m);
  }
  return m;
}

/** The comment lines right above the header (same side of the patch) and the header itself. */
function contractText(image: FunctionImage | null): string {
  if (!image) return '';
  const o = image.origin[image.headerLine];
  const header = image.text.split('\n').slice(image.headerLine, image.headerLine + 4).join(' ');
  if (!o || o.kind !== 'patch') return header;
  const lines = o.hunk.lines;
  const at = lineIndexIn(o.hunk).get(o.line) ?? -1;
  const side = o.line.kind === 'del' ? 'add' : 'del';
  const above: string[] = [];
  for (let i = at - 1; i >= 0 && above.length < 40; i--) {
    const l = lines[i];
    if (l.kind === side) continue;
    const t = l.text.trim();
    if (t === '' && above.length === 0) continue;
    if (!(t.startsWith('/*') || t.startsWith('*') || t.startsWith('//') || t.endsWith('*/'))) break;
    above.push(t);
    if (t.startsWith('/*')) break;
  }
  return above.reverse().join(' ') + ' ' + header;
}

const HOLD_WORDS = new Set(['held', 'locked', 'disabled', 'acquired', 'taken']);
const TAKE_VERBS = new Set(['performs', 'takes', 'acquires', 'holds', 'keeps', 'leaves', 'grabs']);

/** Does the text state that the function returns holding something? (Sentences, no regex over the whole text.) */
export function statesReturnsHolding(text: string): boolean {
  if (text.includes('__acquires(') || text.includes('__cond_acquires(')) return true;
  for (const sentence of text.toLowerCase().split(/[.;]/)) {
    if (!sentence.includes('return') || !sentence.includes(' with ')) continue;
    const after = sentence.slice(sentence.indexOf(' with '));
    if (after.split(/[^a-z]+/).some((w) => HOLD_WORDS.has(w))) return true;
  }
  // "on success, the function performs a rcu_read_lock()" (ipc/sem.c find_alloc_undo()),
  // "on success it takes the lock": a lock taken for the caller when the function succeeds
  for (const sentence of text.toLowerCase().split(/[;]|\.\s/)) {
    if (!sentence.includes('success') || !sentence.includes('lock')) continue;
    if (sentence.split(/[^a-z]+/).some((w) => TAKE_VERBS.has(w))) return true;
  }
  return false;
}

// what an image's surrounding text states, once per image (functionFacts() is asked many times per unit)
const statedByImage = new WeakMap<FunctionImage, boolean>();
function statesOf(image: FunctionImage | null): boolean {
  if (!image) return false;
  let v = statedByImage.get(image);
  if (v === undefined) statedByImage.set(image, (v = statesReturnsHolding(contractText(image))));
  return v;
}

// per CFG (shared by images of equal text), catalog, and what the text around the function states
const cache = new WeakMap<Cfg, WeakMap<Catalog, FunctionFacts>>();
const cacheStating = new WeakMap<Cfg, WeakMap<Catalog, FunctionFacts>>();

export function functionFacts(cfg: Cfg, image: FunctionImage | null, cat: Catalog): FunctionFacts {
  // the comment above the function is not part of its text (nor of the CFG cache key)
  const stating = statesOf(image);
  const byCfg = stating ? cacheStating : cache;
  let per = byCfg.get(cfg);
  if (!per) byCfg.set(cfg, (per = new WeakMap()));
  const hit = per.get(cat);
  if (hit) return hit;
  const types = new Map<string, string>();
  for (const n of cfg.nodes) for (const o of n.ops) if (o.kind === 'decl') types.set(o.name, o.type);
  const visibility = visibilityOf(cfg, image);
  const derivedFrom = new Map<string, Set<string>>();
  for (const n of cfg.nodes)
    for (const o of n.ops) {
      const to = o.kind === 'assign' && o.op === '=' && o.target.kind === 'var' ? o.target.text : o.kind === 'decl' && !o.param ? o.name : null;
      const rhs = o.kind === 'assign' ? o.rhsNode : o.kind === 'decl' ? o.init : null;
      if (!to || !rhs) continue;
      const c = exprOf(rhs);
      if (c.k !== 'call' || c.indirect) continue;
      const acc = cat.api(c.name);
      if (!acc || acc.effects?.length || !c.args.length) continue;
      const from = uncast(c.args[0]).norm;
      if (!/^[A-Za-z_]\w*$/.test(from)) continue;
      let set = derivedFrom.get(to);
      if (!set) derivedFrom.set(to, (set = new Set()));
      set.add(from);
    }
  const identity = identityOf(cfg, cat);
  // the exits are computed when first read: most units hold no resource and never ask (issue 11)
  let exits: ExitFact[] | undefined;
  const f = {
    cfg,
    image,
    types,
    params: cfg.params.map((p) => p.name),
    visibility,
    derivedFrom,
    identity,
    get exits(): readonly ExitFact[] {
      return (exits ??= exitsOf(f));
    },
    statesReturnsHolding: stating,
    heldOnEntry: entryAnnotations(image),
    autoReleased: cleanupVariables(image),
  } satisfies FunctionFacts;
  per.set(cat, f);
  return f;
}

/**
 * Union of variables that name one refcounted object: `v = f(x)` with a
 * catalogued same-object accessor (page_folio), `v = &x->member` where the
 * member is the embedded head (`&folio->page`), or a chained assignment
 * (`a = b = f()`). The representative of a group is its source variable (of
 * a chain: the outermost).
 */
function identityOf(cfg: Cfg, cat: Catalog): Map<string, string> {
  const parent = new Map<string, string>();
  const find = (v: string): string => {
    let r = v;
    for (let i = 0; i < 32 && parent.has(r) && parent.get(r) !== r; i++) r = parent.get(r)!;
    return r;
  };
  const pointers = new Map<string, string>();
  const link = (to: string, from: string) => {
    const a = find(to);
    const b = find(from);
    if (a !== b) parent.set(a, b);
  };
  for (const n of cfg.nodes)
    for (const o of n.ops) {
      const to = o.kind === 'assign' && o.op === '=' && o.target.kind === 'var' ? o.target.text : o.kind === 'decl' && !o.param ? o.name : null;
      const rhs = o.kind === 'assign' ? o.rhsNode : o.kind === 'decl' ? o.init : null;
      if (!to || !rhs) continue;
      const e = uncast(exprOf(rhs));
      // `start_pte = pte = pte_offset_map_lock(...)`: one value under two names; the outer one is the
      // variable the code keeps (the inner one is the cursor it advances: pte++), so it represents both
      if (e.k === 'assign' && e.op === '=' && uncast(e.left).k === 'id' && uncast(e.left).norm !== to) link(uncast(e.left).norm, to);
      if (e.k === 'call' && !e.indirect) {
        // `ptl = pmd_lock(mm, pmd)`: `pmd_lockptr(mm, pmd)` names the same lock (catalog: lockPointerOf)
        const args = e.args.map((a) => a.norm).join(',');
        for (const ptr of cat.lockPointersOf(e.name)) pointers.set(normObject(`${ptr}(${args})`).obj, to);
      }
      if (e.k === 'call' && !e.indirect && e.args.length >= 1 && cat.api(e.name)?.sameObject) {
        const src = uncast(e.args[0]);
        if (src.k === 'id' && src.name !== to) link(to, src.name);
      } else if (e.k === 'unary' && e.op === '&') {
        const m = uncast(e.arg);
        if (m.k === 'field' && m.arrow && m.field === 'page' && uncast(m.base).k === 'id') {
          const src = uncast(m.base).norm;
          if (src !== to) link(to, src);
        }
      }
    }
  const out = new Map<string, string>();
  for (const v of parent.keys()) out.set(v, find(v));
  for (const [ptr, v] of pointers) if (!out.has(ptr)) out.set(ptr, find(v));
  return out;
}

function labelsNoGotoReaches(cfg: Cfg): CfgNode[] {
  const seen = new Set<number>([cfg.entry.id]);
  const work = [cfg.entry];
  while (work.length) for (const e of work.pop()!.succs) if (!seen.has(e.to.id)) (seen.add(e.to.id), work.push(e.to));
  return cfg.nodes.filter((n) => !seen.has(n.id) && n.kind === 'label' && n.preds.length === 0);
}

function visibilityOf(cfg: Cfg, image: FunctionImage | null): Visibility {
  const gaps = new Set<number>();
  for (const n of cfg.nodes) if (n.role === 'gap') gaps.add(n.id);
  const unresolvedGotos = new Set(cfg.unresolvedGotos.map((n) => n.id));
  if (!image) return { entry: true, end: true, gaps, unresolvedGotos, hiddenEntries: labelsNoGotoReaches(cfg) };
  const head = image.origin[image.headerLine];
  const entry = !!head && head.kind !== 'synthetic';
  let last = image.origin.length - 1;
  while (last > 0 && image.text.split('\n')[last]?.trim() === '') last--;
  const tail = image.origin[last];
  const end = !!tail && !(tail.kind === 'synthetic' && tail.why === 'close-brace');
  const hiddenEntries: CfgNode[] = [];
  {
    const seen = new Set<number>([cfg.entry.id]);
    const work = [cfg.entry];
    while (work.length) for (const e of work.pop()!.succs) if (!seen.has(e.to.id)) (seen.add(e.to.id), work.push(e.to));
    // with the start out of sight: any visible code no visible path reaches; with the whole function
    // shown: a label no visible goto reaches (the jump is inside a macro: `copy_..._loop(.., Efault)`)
    // (and with code out of sight between hunks: visible code after a block whose test is in the gap)
    for (const n of cfg.nodes) if (!seen.has(n.id) && n !== cfg.exit && n.preds.length === 0 && (!entry || n.kind === 'label' || gaps.size > 0)) hiddenEntries.push(n);
  }
  return { entry, end, gaps, unresolvedGotos, hiddenEntries };
}

/** The label node a goto node jumps to. */
export function gotoTarget(n: CfgNode): CfgNode | undefined {
  return n.kind === 'goto' ? n.succs.find((e) => e.kind === 'goto' || e.kind === 'unresolved')?.to : undefined;
}

/**
 * A goto to a label written before it (`goto retry;`, `goto again;`): a loop
 * back to code already run, not a way out of the function.
 */
export function isBackwardGoto(n: CfgNode): boolean {
  const l = n.kind === 'goto' ? n.succs.find((e) => e.kind === 'goto')?.to : undefined;
  if (!l || !l.ast) return false;
  const self = n.stmt ?? n.ast;
  if (self) return l.ast.startIndex < self.startIndex;
  return l.line < n.line || (l.line === n.line && l.col < n.col);
}

/** The text of an exit statement for messages and fingerprints. */
export function statementText(n: CfgNode): string {
  const t = (n.stmt ?? n.ast)?.text ?? '';
  return t.replace(/\s+/g, ' ').trim();
}

function exitsOf(f: FunctionFacts): ExitFact[] {
  const out: ExitFact[] = [];
  const { cfg, visibility } = f;
  for (const n of cfg.nodes) {
    if (n.kind === 'return') out.push({ node: n, kind: 'return', error: isErrorExit(f, n), visible: true, text: statementText(n).replace(/;$/, '') });
    else if (n.kind === 'goto' && !isBackwardGoto(n)) {
      const unresolved = n.succs.some((e) => e.kind === 'unresolved') || visibility.unresolvedGotos.has(n.id);
      if (n.succs.some((e) => (e.kind === 'goto' && !e.back) || e.kind === 'unresolved'))
        out.push({ node: n, kind: 'goto', error: isErrorExit(f, n), visible: !unresolved, text: statementText(n).replace(/;$/, '') });
    } else if (n.kind !== 'entry' && n.succs.some((e) => e.to === cfg.exit && e.kind !== 'unresolved' && e.kind !== 'return'))
      out.push({ node: n, kind: 'fall', error: false, visible: visibility.end, text: 'end of function' });
  }
  return out;
}

/** Is this exit point an error / early-exit path (return -E..., NULL, false, ERR_PTR, or err = -E...; goto out)? */
export function isErrorExit(f: Pick<FunctionFacts, 'types'>, node: CfgNode): boolean {
  const ret = node.ops.find((o): o is Extract<Operation, { kind: 'return' }> => o.kind === 'return');
  if (ret?.valueText && errorishValue(ret.valueText)) return true;
  // a variable assigned an error code just before (in the same block)
  let cur: CfgNode | undefined = node;
  for (let i = 0; i < 4 && cur; i++) {
    for (const o of cur.ops)
      if (o.kind === 'assign' && o.op === '=' && o.rhs && errorishValue(o.rhs)) {
        if (!ret?.valueText || ret.valueText.trim() === o.lhs.trim() || node.kind === 'goto') return true;
      }
    cur = cur.preds.length === 1 ? cur.preds[0].from : undefined;
  }
  // `return v` where every path to here made or found `v` an error (`v = ERR_PTR(..)`, `if (IS_ERR(v)) goto out`)
  if (ret?.valueText && /^[A-Za-z_][\w.>-]*$/.test(ret.valueText.trim()) && 'cfg' in f && (f as FunctionFacts).cfg) {
    if (knownTruths(f as FunctionFacts)(node.id).get(`err:${norm(ret.valueText)}`) === true) return true;
  }
  // `if (!p) ...; return p;`: a non-NULL pointer is a success, not an error code
  if (ret?.valueText && /^[A-Za-z_]\w*$/.test(ret.valueText.trim()) && !(f.types.get(ret.valueText.trim()) ?? '').includes('*')) {
    const v = ret.valueText.trim();
    let n: CfgNode | undefined = node;
    for (let i = 0; i < 6 && n && n.preds.length === 1; i++) {
      const e: CfgEdge = n.preds[0];
      const t = testOf(e);
      if (t) {
        const s = uncast(t.subject).norm;
        if (s === v && ((t.kind === 'truthy' && t.holds) || (t.kind === 'cmp' && t.op === '<' && t.other?.norm === '0' && t.holds) || (t.kind === 'errptr' && t.holds))) return true;
        break;
      }
      n = e.from;
    }
  }
  if (node.kind === 'goto' && !node.succs.some((e) => e.back) && !isBackwardGoto(node)) {
    // `if (err) goto out;` / `if (!p) goto fail;`: a forward jump into a ladder taken because something failed
    let n: CfgNode | undefined = node;
    for (let i = 0; i < 3 && n && n.preds.length === 1; i++) {
      const e: CfgEdge = n.preds[0];
      if (e.cond) {
        if (isFailureEdge(e, f.types)) return true;
        break;
      }
      n = e.from;
    }
  }
  if (node.kind === 'goto') {
    // the returns the ladder reaches
    const label = node.succs.find((e) => e.kind === 'goto')?.to;
    if (label) {
      const seen = new Set<number>();
      const work = [label];
      while (work.length) {
        const n = work.pop()!;
        if (seen.has(n.id)) continue;
        seen.add(n.id);
        const r = n.ops.find((o): o is Extract<Operation, { kind: 'return' }> => o.kind === 'return');
        if (r?.valueText && errorishValue(r.valueText)) return true;
        for (const e of n.succs) if (!e.back) work.push(e.to);
      }
    }
  }
  return false;
}

/** Does operation `o` assign the variable or access path `t` (or the base it hangs off)? */
export function assigns(o: Operation, t: string): boolean {
  if (o.kind === 'assign') {
    const lhs = norm(o.lhs);
    return lhs === t || t.startsWith(lhs + '->') || t.startsWith(lhs + '.');
  }
  if (o.kind === 'decl') return !o.param && o.init !== null && (o.name === t || t.startsWith(o.name + '->') || t.startsWith(o.name + '.'));
  if (o.kind === 'call') return o.args.some((x) => norm(x.text) === '&' + t);
  return false;
}

/** The tests (operand text -> its truth value) that every execution of a syntax node has passed, from the enclosing ifs. */
export function enclosingTests(n: CNode, comparisons = false): Map<string, boolean> {
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
      if (cond && (inCons || inAlt)) for (const [t, v] of operandsOf(exprOf(cond), !!inCons, comparisons)) if (!out.has(t)) out.set(t, v);
    }
    child = p;
    p = p.parent;
  }
  return out;
}

const COMPARISON_OPS = new Set(['==', '!=', '<', '>', '<=', '>=']);

/** Atomic operands of a condition known when it is `value`: `a && !b` true gives a=true, b=false. */
function operandsOf(c: ReturnType<typeof exprOf>, value: boolean, comparisons = false): [string, boolean][] {
  if (c.k === 'unary' && c.op === '!') return operandsOf(c.arg, !value, comparisons);
  if (c.k === 'binary') {
    if ((c.op === '&&' && value) || (c.op === '||' && !value)) return [...operandsOf(c.left, value, comparisons), ...operandsOf(c.right, value, comparisons)];
    // a comparison (`mm != &init_mm`) as a test of its own, when asked
    if (comparisons && COMPARISON_OPS.has(c.op)) return [[c.norm, value]];
    return [];
  }
  const t = c.norm;
  return /^[A-Za-z_][\w.>-]*$/.test(t) ? [[t, value]] : [];
}

/** Is the branch edge the "not a device page" side of a device-page test (`if (pte_devmap(pte)) ... else`)? */
export function nonDeviceEdge(cat: Catalog, e: CfgEdge): boolean {
  if (!e.cond || e.cond.value) return false;
  let x = exprOf(e.cond.expr);
  // likely()/unlikely() wrappers are transparent
  while (x.k === 'call' && !cat.api(x.name)?.devicePageTest) {
    if (x.args.length !== 1) return false;
    x = x.args[0];
  }
  return x.k === 'call' && !!cat.api(x.name)?.devicePageTest;
}

/**
 * A branch node that compares for a re-check: `a != b` / `a == b` where one
 * side re-reads memory (a call or a dereference). Returns the operator and
 * the two sides' texts.
 */
export function comparisonAt(n: CfgNode): { op: '==' | '!='; left: string; right: string; leftRereads: boolean; rightRereads: boolean } | null {
  if (n.kind !== 'branch' || !n.ast) return null;
  const e = exprOf(n.ast);
  if (e.k !== 'binary' || (e.op !== '!=' && e.op !== '==')) return null;
  const rereads = (x: CNode | null): boolean => !!x && (x.type === 'call_expression' || x.type === 'pointer_expression' || x.descendantsOfType(['call_expression', 'pointer_expression']).length > 0);
  const ast = unparen(n.ast);
  return { op: e.op, left: e.left.text, right: e.right.text, leftRereads: rereads(ast.childForFieldName('left')), rightRereads: rereads(ast.childForFieldName('right')) };
}

/** Is the node's expression itself a call (a revalidating call used as the branch condition)? */
export function branchIsCall(n: CfgNode): boolean {
  return n.kind === 'branch' && !!n.ast && exprOf(n.ast).k === 'call';
}

/** Is the assigned value a direct call (`x = f(...)`, `x = (T)f(...)`)? Returns the call expression. */
export function callValue(node: CNode | null): Extract<ReturnType<typeof exprOf>, { k: 'call' }> | null {
  if (!node) return null;
  const e = exprOf(node);
  return e.k === 'call' ? e : null;
}

/** A plain identifier operand (`x` in `f(x)` / `v = x`). */
export function identifierValue(node: CNode | null): string | null {
  if (!node) return null;
  const e = exprOf(node);
  return e.k === 'id' ? e.name : null;
}

export { classifyTest };
export * from './pos';

/**
 * Path facts: for each node, the plain values every path to it has tested
 * and not changed since (`if (!start_pte) goto abort;` makes `start_pte`
 * true below the test; `vrm->mmap_locked = true` makes it true until
 * something may write it). A forward must-analysis (intersection at joins),
 * killed by assignments, by taking a variable's address, and — for fields —
 * by handing their base pointer to a call.
 */
/** `flags & FOO_BAR` (a variable or field and a constant's name or a number): a test of one flag bit. */
function bitTest(e: Expr): boolean {
  if (e.k !== 'binary' || e.op !== '&') return false;
  const l = uncast(e.left);
  const r = uncast(e.right);
  return (l.k === 'id' || l.k === 'field') && (r.k === 'num' || (r.k === 'id' && /^[A-Z][A-Z0-9_]*$/.test(r.name)));
}

export function knownTruths(f: FunctionFacts): (nodeId: number) => ReadonlyMap<string, boolean> {
  const hit = truthCache.get(f);
  if (hit) return hit;
  const cfg = f.cfg;
  const n = cfg.nodes.length;
  const inS: (Map<string, boolean> | undefined)[] = new Array(n).fill(undefined);
  const outS: (Map<string, boolean> | undefined)[] = new Array(n).fill(undefined);
  const MAX = 16;
  const kill = (st: Map<string, boolean>, o: Operation) => {
    for (const t of [...st.keys()]) {
      // a bit test (`flags & FOO`) is known while the flags word is not written
      const bit = t.indexOf(' & ');
      if (bit > 0 && assigns(o, t.slice(0, bit))) st.delete(t);
      else if (assigns(o, t.startsWith('err:') ? t.slice(4) : t)) st.delete(t);
      else if (o.kind === 'call') {
        const root = t.split(/->|\./)[0];
        if (t !== root && o.args.some((x) => norm(x.text) === root || norm(x.text).startsWith(root + '->') || norm(x.text) === '&' + root)) st.delete(t);
      }
    }
  };
  const transfer = (node: CfgNode, input: Map<string, boolean>): Map<string, boolean> => {
    const st = new Map(input);
    if (f.visibility.gaps.has(node.id)) return new Map();
    for (const o of node.ops) {
      kill(st, o);
      // `x = true` / `x = 1` / `x = false` / `x = NULL`: a known truth
      if (o.kind === 'assign' && o.op === '=' && o.rhs !== null && (o.target.kind === 'var' || o.target.kind === 'field')) {
        const v = norm(o.rhs);
        const key = norm(o.lhs);
        st.delete(`err:${key}`);
        if (/^(true|1)$/.test(v)) st.set(key, true);
        else if (/^(false|0|NULL)$/.test(v)) st.set(key, false);
        // an error value: `x = ERR_PTR(-ENOENT)`, `err = -ENOMEM`
        if (errorishValue(o.rhs) && !/^(false|NULL)$/.test(v)) st.set(`err:${key}`, true);
      }
    }
    return st;
  };
  const edgeOut = (e: CfgEdge, out: Map<string, boolean>): Map<string, boolean> => {
    const t = testOf(e);
    if (!t) return out;
    const s = uncast(t.subject);
    if (t.kind === 'truthy' && (s.k === 'id' || s.k === 'field' || bitTest(s))) {
      const st = new Map(out);
      if (st.size < MAX) st.set(s.norm, t.holds);
      return st;
    }
    if (t.kind === 'errptr' && (s.k === 'id' || s.k === 'field')) {
      const st = new Map(out);
      if (st.size < MAX) st.set(`err:${s.norm}`, t.holds);
      return st;
    }
    if ((t.kind === 'errnull' && !t.holds) && (s.k === 'id' || s.k === 'field')) {
      const st = new Map(out);
      if (st.size < MAX) st.set(s.norm, true);
      return st;
    }
    return out;
  };
  const meet = (a: Map<string, boolean>, b: Map<string, boolean>): Map<string, boolean> => {
    const m = new Map<string, boolean>();
    for (const [k, v] of a) if (b.get(k) === v) m.set(k, v);
    return m;
  };
  const same = (a: Map<string, boolean>, b: Map<string, boolean>) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
  // worklist in id order (roughly program order)
  inS[cfg.entry.id] = new Map();
  const work: number[] = [cfg.entry.id];
  const queued = new Uint8Array(n);
  queued[cfg.entry.id] = 1;
  for (const h of f.visibility.hiddenEntries) {
    inS[h.id] = new Map();
    work.push(h.id);
    queued[h.id] = 1;
  }
  let visits = 0;
  while (work.length && visits++ < 50 * n + 100) {
    const id = work.shift()!;
    queued[id] = 0;
    const node = cfg.nodes[id];
    const out = transfer(node, inS[id]!);
    outS[id] = out;
    for (const e of node.succs) {
      const s = edgeOut(e, out);
      const old = inS[e.to.id];
      const next = old ? meet(old, s) : s;
      if (old && same(old, next)) continue;
      inS[e.to.id] = next;
      if (!queued[e.to.id]) {
        queued[e.to.id] = 1;
        work.push(e.to.id);
      }
    }
  }
  const EMPTY = new Map<string, boolean>();
  const get = (id: number) => outS[id] ?? inS[id] ?? EMPTY;
  truthCache.set(f, get);
  return get;
}
const truthCache = new WeakMap<FunctionFacts, (nodeId: number) => ReadonlyMap<string, boolean>>();

/**
 * Where a `break`/`continue` whose loop is out of sight jumps, as a key: the
 * start of the nearest enclosing block that is not an `if`/`else` arm (the
 * loop body, or the visible text's outermost block). Two such jumps with the
 * same key leave the same loop.
 */
export function jumpScope(s: CNode | null): string {
  let n = s?.parent ?? null;
  while (n) {
    if (n.type === 'compound_statement') {
      const p = n.parent;
      if (!p || (p.type !== 'if_statement' && p.type !== 'else_clause')) return String(n.startIndex);
    }
    n = n.parent;
  }
  return 'top';
}
/** Is `n` inside the block `jumpScope()` named (`'top'`: never)? */
export function inJumpScope(n: CNode | null, scope: string): boolean {
  if (scope === 'top') return false;
  for (let p = n?.parent ?? null; p; p = p.parent) if (p.type === 'compound_statement' && String(p.startIndex) === scope) return true;
  return false;
}
export * from './blocks';
