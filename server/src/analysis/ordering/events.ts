/**
 * Memory events per CFG node: the ordering analysis's view of a function.
 *
 * Each node of a unit's CFG gets its stores, loads, RMWs, fences, lock and
 * section edges and opaque calls, in evaluation order, read from the CFG's
 * operations through the kernel API catalog (ApiSpec.access / ordering /
 * effects, and OrderingFacts for locations). Calls to function-like macros
 * the document defines are read as the catalogued call they wrap
 * (macros.ts). Nothing here names a kernel API.
 *
 * Besides the events, a unit gets, once:
 * - the locks held on every path to each event (a forward must-analysis);
 * - the variables that point to this CPU's per-CPU data.
 */
import type { ApiSpec, Catalog, Ordering } from '../../catalog';
import type { Cfg, CallOp, CfgNode, Operation } from '../../c/cfg';
import { documentGlobals, documentMacros, globalsToken, macrosToken, resolveMacroCall, tokenOf, type EffectiveCall } from './macros';
import type { ParsedDocument } from '../../patch/model';
import type { RebuiltFunction } from '../../c/model';
import type { OrderingContext, OrderingUnit, Side } from './types';
import { dependsOn, dependsOnFunction, idOf, tracking, untracked } from '../deps';

export type EvKind = 'store' | 'load' | 'rmw' | 'fence' | 'call' | 'lock';

export interface Ev {
  kind: EvKind;
  /** Location key (object-insensitive): a field name, `*p`, a page-table class, a flag name. */
  loc?: string;
  /** Location as written, for messages. */
  locText?: string;
  ordering: Ordering | 'plain';
  /** Marked access (atomic, READ_ONCE/WRITE_ONCE, bit op, catalogued accessor), not a plain C access. */
  marked: boolean;
  /** Called name as written (calls), or undefined for plain accesses. */
  name?: string;
  /** The catalogued API the call is (its own name, or the one a document macro wraps). */
  api?: string;
  op: Operation;
  line: number;
  col: number;
  endCol?: number;
  /** For 'lock' events: acquire or release. */
  lockOp?: 'acquire' | 'release';
  /** For 'lock' events: the lock object as written, normalised (`q->lock`), or the section kind (`irq-off`). */
  lockObj?: string;
  /** For 'lock' events: an IRQ-, preemption- or BH-off section rather than a lock. */
  section?: boolean;
  /** Value stored (plain stores), when known. */
  valueText?: string;
  /** The accessed location as written, normalised (`x->count` for atomic_dec(&x->count), `*p` for atomic_dec(p)). */
  target?: string;
  /** Root variable of the accessed location (`c` in `c->slab`), when it has one. */
  base?: string;
  /** The location is reached through this CPU's per-CPU pointer. */
  perCpu?: boolean;
  /** Index in the unit's flat event list. */
  id: number;
  node: CfgNode;
}

export interface UnitEvents {
  unit: OrderingUnit;
  byNode: Ev[][];
  all: Ev[];
  /** Locks and sections held on every path to the event (normalised objects), by event id. */
  held: readonly ReadonlySet<string>[];
  /** Locks and sections held on every path into each CFG node, by node id. */
  heldIn: readonly ReadonlySet<string>[];
  /** The keys in `held` that are IRQ/preemption/BH-off sections, not locks. */
  sectionKeys: ReadonlySet<string>;
}

/** Balanced parentheses/brackets (for stripping outer parentheses). */
function balanced(s: string): boolean {
  let d = 0;
  for (const c of s) {
    if (c === '(' || c === '[') d++;
    else if (c === ')' || c === ']') {
      if (--d < 0) return false;
    }
  }
  return d === 0;
}

/** Whitespace, `&`, outer parentheses and casts removed: `&(q)->lock` -> `q->lock`. */
export function stripOuter(t: string): string {
  let s = t.replace(/\s+/g, '');
  for (;;) {
    const before = s;
    if (s.startsWith('&')) s = s.slice(1);
    while (s.startsWith('(') && s.endsWith(')') && balanced(s.slice(1, -1))) s = s.slice(1, -1);
    // casts: (type *)x
    // whole words (`(?!\w)`): `[A-Za-z_]\w*` repeated could split one word in exponentially many ways
    s = s.replace(/^\((?:[A-Za-z_]\w*(?!\w)|\*)+\)(?=[A-Za-z_&*(])/, '');
    // parenthesised operands: (s)->x
    s = s.replace(/^\(([A-Za-z_]\w*)\)(?=->|\.)/, '$1');
    if (s === before) return s;
  }
}

/** Object-insensitive key of a location written as `text` (an lvalue, or a pointer to one when byAddress). */
export function locKey(cat: Catalog, text: string): string | undefined {
  const s = stripOuter(text);
  if (!s) return undefined;
  if (s.startsWith('*')) {
    const inner = locKey(cat, s.slice(1));
    if (!inner) return undefined;
    return cat.entryClass(inner) ?? '*' + inner;
  }
  let m = /(?:->|\.)([A-Za-z_]\w*)$/.exec(s);
  if (m) return m[1];
  m = /^([A-Za-z_]\w*)(?:\[.*\])$/.exec(s);
  if (m) return m[1] + '[]';
  // `a->b[i]` / `a.b[i]` (s has no blanks): the first `->b[` / `.b[` of a text ending in `]`
  if (s.endsWith(']')) {
    const re = /(?:->|\.)([A-Za-z_]\w*)\[/g;
    const mm = re.exec(s);
    if (mm && re.lastIndex < s.length) return mm[1] + '[]';
  }
  if (/^[A-Za-z_]\w*$/.test(s)) return s;
  return undefined;
}

/** The root variable of a location text (`c` in `&c->slab`, `pages` in `pages[i]`). */
export function rootOf(text: string): string | undefined {
  const s = stripOuter(text).replace(/^\*+/, '');
  const m = /^\(*([A-Za-z_]\w*)/.exec(s);
  return m ? m[1] : undefined;
}

/** The location a catalogued call accesses through argument `argIdx`. */
function callLoc(cat: Catalog, call: EffectiveCall, argIdx: number, byAddress: boolean, field?: string): { key: string; text: string } | undefined {
  const q = cat.accessLocation(call.name);
  const argText = call.args[argIdx] ?? call.args[0] ?? '';
  if (q) {
    const a = argText.trim() || '?';
    // a page-table entry is named by its pointer (`*pmdp`), a field or flag by its owner (`PG_writeback of page`)
    return { key: q, text: cat.isEntryClass(q) ? `*${/^[\w>.-]+$/.test(a) ? a : `(${a})`}` : `${q} of ${stripOuter(a)}` };
  }
  if (argIdx >= call.args.length) return undefined;
  if (field) return { key: field, text: `${stripOuter(argText)}->${field}` };
  // A bit operation names its location by the bit: test_bit(PG_writeback, &page->flags).
  const bit = argIdx > 0 ? call.args[0]?.trim() : undefined;
  if (bit && /^[A-Z][A-Z0-9_]*$/.test(bit)) return { key: bit, text: `${bit} in ${stripOuter(call.args[argIdx])}` };
  const t = call.args[argIdx].trim();
  const key = locKey(cat, byAddress && !t.startsWith('&') ? `*(${t})` : t);
  if (!key) return undefined;
  return { key, text: stripOuter(call.args[argIdx]) };
}

/** A pure fence: ordering but no memory access and no resource effect. */
export function isFence(s: ApiSpec | undefined): boolean {
  return !!s && !!s.ordering && s.ordering !== 'none' && !(s.access && s.access.length) && !(s.effects && s.effects.length) && s.ordering !== 'acquire' && s.ordering !== 'release';
}

/** The call as the catalog sees it: its own name when catalogued, else the catalogued call a document macro wraps. */
export function effectiveCall(ctx: OrderingContext, unit: OrderingUnit, op: CallOp): EffectiveCall | undefined {
  dependsOnOrdering(ctx, unit);
  if (op.indirect) return undefined;
  const args = op.args.map((a) => a.text);
  if (ctx.catalog.has(op.name)) return { name: op.name, args };
  return resolveMacroCall(ctx.catalog, documentMacros(docOf(ctx), unit.side), op.name, args);
}

/**
 * The rule check running (analysis/deps.ts) read the ordering facts of
 * `unit`'s side — the document's macros, file-scope names and document index
 * (orderingFp) — and `unit`'s own function. What the ordering analysis reads
 * of other functions beyond that index (callers, mirrors, readers, earlier
 * versions) marks the check document-wide where it is read.
 */
export function dependsOnOrdering(ctx: OrderingContext, unit: OrderingUnit): void {
  dependsOnFunction(unit.fn);
  dependsOnSide(ctx, unit.side);
}

/** The running rule check read the ordering facts of one side (see dependsOnOrdering). */
export function dependsOnSide(ctx: OrderingContext, side: Side): void {
  if (!tracking() || !orderingFpOf) return;
  const fp = orderingFpOf;
  dependsOn(`ordering|${side}`, untracked(() => fp(ctx, side)), orderingFpAgain(fp, side));
}
/** Made apart from any closure over a context: a cached check keeps it, and must not keep that document alive. */
function orderingFpAgain(fp: (ctx: OrderingContext, side: Side) => string, side: Side): (c: unknown) => string {
  return (c) => untracked(() => fp(c as OrderingContext, side));
}
let orderingFpOf: ((ctx: OrderingContext, side: Side) => string) | undefined;
/** docIndex.ts provides the fingerprint of a side's ordering facts (it builds the index). */
export function setOrderingFp(f: (ctx: OrderingContext, side: Side) => string): void {
  orderingFpOf = f;
}

/** The document, read without making the running check document-wide: its ordering facts are a recorded query. */
export function docOf(ctx: OrderingContext): ParsedDocument {
  return untracked(() => ctx.doc);
}

/** Variables of the unit that point to this CPU's per-CPU data (`c = this_cpu_ptr(s->cpu_slab)`). */
function perCpuVars(ctx: OrderingContext, unit: OrderingUnit): Set<string> {
  const out = new Set<string>();
  for (const n of unit.cfg.nodes)
    for (const op of n.ops) {
      if (op.kind !== 'call' || op.result.kind !== 'assigned') continue;
      const eff = effectiveCall(ctx, unit, op);
      if (eff && ctx.catalog.returnsPerCpu(eff.name)) out.add(op.result.to.trim());
    }
  return out;
}

/** Does the location text go through a per-CPU pointer (a per-CPU variable, or a per-CPU accessor call)? */
function viaPerCpu(ctx: OrderingContext, unit: OrderingUnit, vars: ReadonlySet<string>, text: string): boolean {
  const s = stripOuter(text).replace(/^\*+/, '');
  const call = /^\(*([A-Za-z_]\w*)\s*\(/.exec(s);
  if (call) {
    if (ctx.catalog.returnsPerCpu(call[1])) return true;
    const eff = resolveMacroCall(ctx.catalog, documentMacros(docOf(ctx), unit.side), call[1], []);
    if (eff && ctx.catalog.returnsPerCpu(eff.name)) return true;
  }
  const root = rootOf(text);
  return !!root && vars.has(root);
}

/**
 * Whether a plain name the function stores to is a global: not declared in
 * the function (parameters included) and, when part of the function is not
 * shown, declared at file scope in the document (else it may be a local
 * declared above the hunk: unknown).
 */
export function globalName(ctx: OrderingContext, unit: OrderingUnit): (name: string) => boolean {
  dependsOnOrdering(ctx, unit);
  const declared = new Set<string>();
  for (const n of unit.cfg.nodes) for (const op of n.ops) if (op.kind === 'decl') declared.add(op.name);
  const globals = unit.image.complete ? undefined : documentGlobals(docOf(ctx), unit.side);
  const shared = unit.image.complete ? undefined : markedNames(ctx, unit);
  return (name) => /^[A-Za-z_]\w*$/.test(name) && !declared.has(name) && (!globals || globals.has(name) || shared!.has(name));
}

/**
 * Plain names this function (either side of the patch) accesses through a catalogued memory access
 * (`smp_store_release(&iomem_inode, ..)`, `rcu_assign_pointer(wi_state, ..)`, `READ_ONCE(x)`) and declares
 * nowhere in view: memory other CPUs read, so not a local declared above the hunk, wherever it is declared.
 */
function markedNames(ctx: OrderingContext, unit: OrderingUnit): ReadonlySet<string> {
  // per function object (its units of both sides are then the same), catalog, side and configuration:
  // the events key of every unit of an incomplete image asks for it on every keystroke
  let per = markedByFn.get(unit.fn);
  if (!per) markedByFn.set(unit.fn, (per = new Map()));
  const key = `${idOf(ctx.catalog)}|${unit.side}|${idOf(unit.cfg)}`;
  let names = per.get(key);
  if (!names) per.set(key, (names = computeMarkedNames(ctx, unit)));
  return names;
}
const markedByFn = new WeakMap<RebuiltFunction, Map<string, ReadonlySet<string>>>();

function computeMarkedNames(ctx: OrderingContext, unit: OrderingUnit): ReadonlySet<string> {
  const out = new Set<string>();
  for (const side of ['pre', 'post'] as const)
    for (const u of side === unit.side ? [unit] : ctx.unitsOf(unit.fn, side)) {
      const declared = new Set<string>();
      for (const n of u.cfg.nodes) for (const op of n.ops) if (op.kind === 'decl') declared.add(op.name);
      for (const n of u.cfg.nodes)
        for (const op of n.ops) {
          if (op.kind !== 'call') continue;
          for (const a of ctx.catalog.api(op.name)?.access ?? []) {
            let t = op.args[a.arg]?.text.replace(/\s+/g, '') ?? '';
            if (a.byAddress) {
              if (!t.startsWith('&')) continue;
              t = t.slice(1);
            }
            if (/^[A-Za-z_]\w*$/.test(t) && !declared.has(t)) out.add(t);
          }
        }
    }
  return out;
}

const eventsCache = new WeakMap<OrderingUnit, UnitEvents>();

/**
 * Across keystrokes: a unit's events are a function of its CFG, its name,
 * side and whether its image is complete, the catalog, the document's macros
 * and (for an incomplete image) file-scope names of that side, and which
 * functions have a full fence. The incremental re-parse keeps the CFGs of
 * unchanged functions, so their events are kept here under those inputs.
 */
const eventsByCfg = new WeakMap<Cfg, Map<string, Omit<UnitEvents, 'unit'>>>();
const setTokens = new WeakMap<ReadonlySet<string>, number>();

/** A token for a set of names (by its sorted contents), memoised per set object. */
export function namesToken(names: ReadonlySet<string>): number {
  let t = setTokens.get(names);
  if (t === undefined) setTokens.set(names, (t = tokenOf(`n|${[...names].sort().join('\n')}`)));
  return t;
}

/** The inputs of a unit's events besides its CFG (see eventsByCfg), as a key. */
export function eventsKey(unit: OrderingUnit, ctx: OrderingContext, fullFns: ReadonlySet<string>): string {
  const doc = docOf(ctx);
  return `${idOf(ctx.catalog)}|${unit.side}|${unit.fn.name}|${unit.image.complete ? 1 : 0}|${macrosToken(doc, unit.side)}|${unit.image.complete ? '' : `${globalsToken(doc, unit.side)}|${namesToken(markedNames(ctx, unit))}`}|${namesToken(fullFns)}`;
}

/**
 * Build (once) the event list of a unit. `fullFns`: functions of the document
 * (same side) that contain a full barrier; a call to one counts as one.
 */
export function unitEvents(unit: OrderingUnit, ctx: OrderingContext, fullFns: ReadonlySet<string>): UnitEvents {
  dependsOnOrdering(ctx, unit);
  return untracked(() => computeEvents(unit, ctx, fullFns));
}

function computeEvents(unit: OrderingUnit, ctx: OrderingContext, fullFns: ReadonlySet<string>): UnitEvents {
  const cached = eventsCache.get(unit);
  if (cached) return cached;
  const key = eventsKey(unit, ctx, fullFns);
  let perCfg = eventsByCfg.get(unit.cfg);
  if (!perCfg) eventsByCfg.set(unit.cfg, (perCfg = new Map()));
  const kept = perCfg.get(key);
  if (kept) {
    const r: UnitEvents = { ...kept, unit };
    eventsCache.set(unit, r);
    return r;
  }
  const cat = ctx.catalog;
  const byNode: Ev[][] = [];
  const all: Ev[] = [];
  const perCpu = perCpuVars(ctx, unit);
  const isGlobal = globalName(ctx, unit);
  const push = (node: CfgNode, e: Omit<Ev, 'id' | 'node'>) => {
    const ev = e as Ev;
    ev.id = all.length;
    ev.node = node;
    all.push(ev);
    byNode[node.id].push(ev);
  };
  for (const node of unit.cfg.nodes) {
    byNode[node.id] = [];
    for (const op of node.ops) {
      if (op.kind === 'assign' && op.target.kind === 'var' && isGlobal(op.target.text.trim())) {
        // `ksm_run &= ~KSM_RUN_OFFLINE;`: a plain store to a global variable (shared memory, though not through a pointer)
        const name = op.target.text.trim();
        push(node, { kind: 'store', loc: name, locText: name, ordering: 'plain', marked: false, op, line: op.line, col: op.col, valueText: op.rhs ?? undefined, target: name, base: name });
        continue;
      }
      if (op.kind === 'read' || op.kind === 'write') {
        if (op.macro) continue; // the accessor call carries it, with its catalog ordering
        if (!op.lvalue.memory) continue;
        const key = locKey(cat, op.lvalue.text);
        if (!key) continue;
        push(node, {
          kind: op.kind === 'read' ? 'load' : 'store',
          loc: key,
          locText: op.lvalue.text.replace(/\s+/g, ' '),
          ordering: 'plain',
          marked: false,
          op,
          line: op.line,
          col: op.col,
          valueText: op.kind === 'write' ? op.value?.text : undefined,
          target: stripOuter(op.lvalue.text),
          base: op.lvalue.base ?? undefined,
          perCpu: viaPerCpu(ctx, unit, perCpu, op.lvalue.text),
        });
      } else if (op.kind === 'call') {
        const eff = effectiveCall(ctx, unit, op);
        const s = eff ? cat.api(eff.name) : undefined;
        const endCol = op.calleeNode.endPosition.row === op.line ? op.calleeNode.endPosition.column : undefined;
        const ord = s?.ordering;
        const base = { marked: true, name: op.name, api: eff?.name, op, line: op.line, col: op.col, endCol };
        if (eff && s?.access && s.access.length) {
          if (s.racy) continue; // data_race(): pairs with nothing
          // an accessor with a built-in barrier: smp_wmb() before the access (SetPageUptodate), smp_mb() before a
          // full-ordered load (wq_has_sleeper), smp_rmb() after it (PageUptodate)
          const loadOnly = s.access.every((a) => a.kind === 'load');
          if (ord === 'wmb' || (ord === 'full' && loadOnly)) push(node, { kind: 'fence', ordering: ord, ...base });
          for (const a of s.access) {
            const l = callLoc(cat, eff, a.arg, !!a.byAddress, a.field);
            if (!l) continue;
            const argText = eff.args[a.arg] ?? '';
            const t = argText.trim();
            const target = a.field ? `${stripOuter(t)}->${a.field}` : a.byAddress && !t.startsWith('&') ? `*${stripOuter(t)}` : stripOuter(t);
            push(node, {
              kind: a.kind === 'rmw' ? 'rmw' : a.kind,
              loc: l.key,
              locText: l.text,
              ordering: ord === 'wmb' || ord === 'rmb' || (ord === 'full' && loadOnly) ? 'none' : ord ?? 'none',
              ...base,
              valueText: a.kind === 'store' ? eff.args[1] : undefined,
              target,
              base: rootOf(argText),
              perCpu: viaPerCpu(ctx, unit, perCpu, argText),
            });
          }
          if (ord === 'rmb') push(node, { kind: 'fence', ordering: 'rmb', ...base });
        } else if (ord && ord !== 'none' && ord !== 'acquire' && ord !== 'release') {
          // a pure barrier, or a helper that is one (a lockless-walk start with its smp_mb())
          push(node, { kind: 'fence', ordering: ord, ...base });
        } else if (eff && s?.assertsHeld && eff.args[s.assertsHeld.arg]) {
          // lockdep_assert_held(&l): l is held from here on, as far as this function knows
          push(node, { kind: 'lock', ordering: 'none', ...base, lockOp: 'acquire', lockObj: stripOuter(eff.args[s.assertsHeld.arg]), section: false });
        } else if (eff && s?.effects?.length) {
          const effects = cat.effects(eff.name, eff.args);
          const lock = effects.find((e) => cat.kind(e.kind).family === 'lock');
          const section = effects.find((e) => cat.kind(e.kind).family === 'bracket' && cat.kind(e.kind).atomic && e.kind !== 'rcu' && e.kind !== 'rcu-sched');
          const e = lock ?? section;
          if (e) {
            const objText = typeof e.object === 'number' ? eff.args[e.object] : undefined;
            push(node, {
              kind: 'lock',
              ordering: s.ordering ?? 'none',
              ...base,
              lockOp: e.op === 'acquire' ? 'acquire' : 'release',
              lockObj: lock ? (objText ? stripOuter(objText) : lock.kind) : e.kind,
              section: !lock,
            });
          } else push(node, { kind: 'call', ordering: 'none', ...base, marked: false });
        } else if (!s && !op.indirect && fullFns.has(op.name) && op.name !== unit.fn.name) {
          push(node, { kind: 'fence', ordering: 'full', ...base });
        } else {
          push(node, { kind: 'call', ordering: 'none', ...base, marked: false });
        }
      }
    }
  }
  const sectionKeys = new Set(all.filter((e) => e.kind === 'lock' && e.section && e.lockObj).map((e) => e.lockObj!));
  const { held, heldIn } = heldLocks(unit, byNode, all);
  const r: UnitEvents = { unit, byNode, all, held, heldIn, sectionKeys };
  eventsCache.set(unit, r);
  if (perCfg.size > 8) perCfg.clear(); // inputs of past documents
  perCfg.set(key, { byNode, all, held, heldIn, sectionKeys });
  return r;
}

const NONE: ReadonlySet<string> = new Set();

/**
 * Locks and sections held on every path to each event: a forward
 * must-analysis (intersection at joins; nothing is assumed held on entry).
 */
function heldLocks(unit: OrderingUnit, byNode: Ev[][], all: Ev[]): { held: ReadonlySet<string>[]; heldIn: ReadonlySet<string>[] } {
  const held: ReadonlySet<string>[] = new Array(all.length).fill(NONE);
  const nodes = unit.cfg.nodes;
  if (!all.some((e) => e.kind === 'lock')) return { held, heldIn: new Array(nodes.length).fill(NONE) };
  const inSets: (ReadonlySet<string> | undefined)[] = new Array(nodes.length).fill(undefined);
  inSets[unit.cfg.entry.id] = NONE;
  const outOf = (n: CfgNode, record: boolean): ReadonlySet<string> => {
    let cur = inSets[n.id] ?? NONE;
    for (const e of byNode[n.id]) {
      if (record) held[e.id] = cur;
      if (e.kind !== 'lock' || !e.lockObj) continue;
      const next = new Set(cur);
      if (e.lockOp === 'acquire') next.add(e.lockObj);
      else next.delete(e.lockObj);
      cur = next;
    }
    return cur;
  };
  let changed = true;
  let rounds = 0;
  while (changed && rounds++ < 30) {
    changed = false;
    for (const n of nodes) {
      if (inSets[n.id] === undefined) continue;
      const out = outOf(n, false);
      for (const edge of n.succs) {
        const t = edge.to.id;
        const prev = inSets[t];
        if (prev === undefined) {
          inSets[t] = out;
          changed = true;
          continue;
        }
        let meet: Set<string> | undefined;
        for (const k of prev) if (!out.has(k)) (meet ??= new Set(prev)).delete(k);
        if (meet) {
          inSets[t] = meet;
          changed = true;
        }
      }
    }
  }
  for (const n of nodes) outOf(n, true);
  return { held, heldIn: inSets.map((x) => x ?? NONE) };
}

/** Is some lock (not just an IRQ/preemption section) held on every path to `e` (an event, or a node's entry)? */
export function lockHeldAt(ue: UnitEvents, e: Ev | CfgNode, sectionsToo = false): boolean {
  const h = 'node' in e ? ue.held[e.id] : ue.heldIn[e.id];
  if (!h || h.size === 0) return false;
  if (sectionsToo) return true;
  for (const k of h) if (!ue.sectionKeys.has(k)) return true;
  return false;
}
