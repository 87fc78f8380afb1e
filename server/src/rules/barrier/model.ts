/**
 * The barrier rules' view of a function: a sequence of memory events per CFG
 * node (stores, loads, RMWs, fences, opaque calls) read from the operations
 * of the CFG through the kernel API catalog, and a path search that finds
 * the loads reachable from a store with no full barrier in between.
 *
 * Nothing here names a kernel API: what a call accesses and how strongly it
 * orders comes from the catalog (ApiSpec.access / ApiSpec.ordering) and from
 * BARRIER_FACTS (location of page-flag helpers, known SB protocols).
 */
import type { ApiSpec, Catalog, Ordering } from '../../catalog';
import { BARRIER_FACTS, type SbProtocol } from '../../catalog/data/barrierExtra';
import type { CallOp, CfgNode, Operation } from '../../c/cfg';
import type { RuleContext, Side, Unit } from '../api';
import { balanced } from '../util';

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
  /** Called name (calls), accessor macro, or undefined for plain accesses. */
  name?: string;
  op: Operation;
  line: number;
  col: number;
  endCol?: number;
  /** For 'lock' events: acquire or release. */
  lockOp?: 'acquire' | 'release';
  /** Value stored (plain stores), when known. */
  valueText?: string;
  /** Index in the unit's flat event list. */
  id: number;
  node: CfgNode;
}

export interface UnitEvents {
  unit: Unit;
  byNode: Ev[][];
  all: Ev[];
}

const FULL_FENCES: ReadonlySet<string> = new Set(['full']);
// the catalog's tables as Maps (no prototype keys: a call named `constructor` is not catalogued)
const LOCATION_OF: ReadonlyMap<string, string> = new Map(Object.entries(BARRIER_FACTS.locationOf));
const DEREF_CLASS: ReadonlyMap<string, string> = new Map(Object.entries(BARRIER_FACTS.derefClass));
const ENTRY_CLASSES: ReadonlySet<string> = new Set(DEREF_CLASS.values());

export function spec(cat: Catalog, name: string): ApiSpec | undefined {
  return cat.api(name);
}

/** A pure fence: ordering but no memory access and no resource effect. */
export function isFence(s: ApiSpec | undefined): boolean {
  return !!s && !!s.ordering && s.ordering !== 'none' && !(s.access && s.access.length) && !(s.effects && s.effects.length) && s.ordering !== 'acquire' && s.ordering !== 'release';
}

function stripOuter(t: string): string {
  let s = t.replace(/\s+/g, '');
  for (;;) {
    const before = s;
    if (s.startsWith('&')) s = s.slice(1);
    while (s.startsWith('(') && s.endsWith(')') && balanced(s.slice(1, -1))) s = s.slice(1, -1);
    // casts: (type *)x
    // whole words (`(?!\w)`): `[A-Za-z_]\w*` repeated could split one word in exponentially many ways
    s = s.replace(/^\((?:[A-Za-z_]\w*(?!\w)|\*)+\)(?=[A-Za-z_&*(])/, '');
    if (s === before) return s;
  }
}

/** Object-insensitive key of a location written as `text` (an lvalue, or a pointer to one when byAddress). */
export function locKey(text: string): string | undefined {
  const s = stripOuter(text);
  if (!s) return undefined;
  if (s.startsWith('*')) {
    const inner = locKey(s.slice(1));
    if (!inner) return undefined;
    return DEREF_CLASS.get(inner) ?? '*' + inner;
  }
  let m = /(?:->|\.)([A-Za-z_]\w*)$/.exec(s);
  if (m) return m[1];
  m = /^([A-Za-z_]\w*)(?:\[.*\])$/.exec(s);
  if (m) return m[1] + '[]';
  // `a->b[i]` / `a.b[i]` (s has no blanks): the first `->b[` / `.b[` of a text ending in `]`
  // (/(?:->|\.)([A-Za-z_]\w*)\[.*\]$/ rescanned the rest from every `.`)
  if (s.endsWith(']')) {
    const re = /(?:->|\.)([A-Za-z_]\w*)\[/g;
    const mm = re.exec(s);
    if (mm && re.lastIndex < s.length) return mm[1] + '[]';
  }
  if (/^[A-Za-z_]\w*$/.test(s)) return s;
  return undefined;
}

/** The location a catalogued call accesses through argument `argIdx`. */
function callLoc(op: CallOp, argIdx: number, byAddress: boolean, field?: string): { key: string; text: string } | undefined {
  const q = LOCATION_OF.get(op.name);
  const argText = op.args[argIdx]?.text ?? op.args[0]?.text ?? '';
  if (q) {
    const a = argText.trim() || '?';
    // a page-table entry is named by its pointer (`*pmdp`), a field or flag by its owner (`PG_writeback of page`)
    const entry = ENTRY_CLASSES.has(q);
    return { key: q, text: entry ? `*${/^[\w>.-]+$/.test(a) ? a : `(${a})`}` : `${q} of ${a}` };
  }
  if (argIdx >= op.args.length) return undefined;
  if (field) return { key: field, text: `${stripOuter(argText)}->${field}` };
  // A bit operation names its location by the bit: test_bit(PG_writeback, &page->flags).
  const bit = argIdx > 0 ? op.args[0]?.text.trim() : undefined;
  if (bit && /^[A-Z][A-Z0-9_]*$/.test(bit)) return { key: bit, text: `${bit} in ${stripOuter(op.args[argIdx].text)}` };
  const t = op.args[argIdx].text.trim();
  const key = locKey(byAddress && !t.startsWith('&') ? `*(${t})` : t);
  if (!key) return undefined;
  return { key, text: stripOuter(op.args[argIdx].text) };
}

export interface DocIndex {
  /** Functions defined in the document (this side) whose body has a full fence. */
  fullFenceFns: Set<string>;
  /** Function name -> barrier names its body calls (this side). */
  barriersIn: Map<string, Set<string>>;
  /** `A>B` -> functions that store A then (on some path) load B, marked accesses only. */
  mirrors: Map<string, Set<string>>;
  /** location -> functions that load it with a marked access. */
  readers: Map<string, Set<string>>;
  /** B -> functions that store something and then load B (marked): candidates for a mirror `? > B`. */
  mirroredLoads: Map<string, Set<string>>;
}

/**
 * For each node, the keys of the marked loads reachable after it (in later
 * nodes): a backward union over the CFG, once per unit, instead of a search
 * per store.
 */
function markedLoadsAfter(ue: UnitEvents): Map<number, Set<string>> {
  const nodes = ue.unit.cfg.nodes;
  const own = new Map<number, string[]>();
  for (const n of nodes) own.set(n.id, ue.byNode[n.id].filter((e) => e.kind === 'load' && e.marked && e.loc).map((e) => e.loc!));
  const after = new Map<number, Set<string>>();
  for (const n of nodes) after.set(n.id, new Set());
  let changed = true;
  let rounds = 0;
  while (changed && rounds++ < 50) {
    changed = false;
    for (let i = nodes.length - 1; i >= 0; i--) {
      const n = nodes[i];
      const set = after.get(n.id)!;
      const before = set.size;
      for (const e of n.succs) {
        for (const k of own.get(e.to.id)!) set.add(k);
        for (const k of after.get(e.to.id)!) set.add(k);
      }
      if (set.size !== before) changed = true;
    }
  }
  return after;
}

const eventsCache = new WeakMap<Unit, UnitEvents>();
const docCache = new WeakMap<RuleContext, Map<Side, DocIndex>>();

/**
 * Build (once) the event list of a unit. `fullFns`: functions of the document
 * (same side) that contain a full barrier; a call to one counts as one. Rules
 * get it through `eventsOf`, so every unit is built with its side's set.
 */
function unitEvents(unit: Unit, cat: Catalog, fullFns: Set<string>): UnitEvents {
  const cached = eventsCache.get(unit);
  if (cached) return cached;
  const byNode: Ev[][] = [];
  const all: Ev[] = [];
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
      if (op.kind === 'read' || op.kind === 'write') {
        if (op.macro) continue; // the accessor call carries it, with its catalog ordering
        if (!op.lvalue.memory) continue;
        const key = locKey(op.lvalue.text);
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
        });
      } else if (op.kind === 'call') {
        const s = op.indirect ? undefined : cat.api(op.name);
        const endCol = op.calleeNode.endPosition.row === op.line ? op.calleeNode.endPosition.column : undefined;
        const ord = s?.ordering;
        if (s?.access && s.access.length) {
          // an accessor with a built-in weak barrier: smp_wmb() before the access, smp_rmb() after it
          if (ord === 'wmb') push(node, { kind: 'fence', ordering: 'wmb', marked: true, name: op.name, op, line: op.line, col: op.col, endCol });
          for (const a of s.access) {
            const l = callLoc(op, a.arg, !!a.byAddress, a.field);
            if (!l) continue;
            push(node, {
              kind: a.kind === 'rmw' ? 'rmw' : a.kind,
              loc: l.key,
              locText: l.text,
              ordering: ord === 'wmb' || ord === 'rmb' ? 'none' : ord ?? 'none',
              marked: true,
              name: op.name,
              op,
              line: op.line,
              col: op.col,
              endCol,
              valueText: a.kind === 'store' ? op.args[1]?.text : undefined,
            });
          }
          if (ord === 'rmb') push(node, { kind: 'fence', ordering: 'rmb', marked: true, name: op.name, op, line: op.line, col: op.col, endCol });
        } else if (ord && ord !== 'none' && ord !== 'acquire' && ord !== 'release') {
          // a pure barrier, or a helper that is one (a lockless-walk start with its smp_mb())
          push(node, { kind: 'fence', ordering: ord, marked: true, name: op.name, op, line: op.line, col: op.col, endCol });
        } else if (s?.effects?.some((e) => cat.kind(e.kind).family === 'lock')) {
          const acq = s.effects.some((e) => e.op === 'acquire');
          push(node, { kind: 'lock', ordering: s.ordering ?? 'none', marked: true, name: op.name, op, line: op.line, col: op.col, endCol, lockOp: acq ? 'acquire' : 'release' });
        } else if (!s && fullFns.has(op.name) && op.name !== unit.fn.name) {
          push(node, { kind: 'fence', ordering: 'full', marked: true, name: op.name, op, line: op.line, col: op.col, endCol });
        } else {
          push(node, { kind: 'call', ordering: 'none', marked: false, name: op.name, op, line: op.line, col: op.col, endCol });
        }
      }
    }
  }
  const r = { unit, byNode, all };
  eventsCache.set(unit, r);
  return r;
}

export interface LoadOutcome {
  load: Ev;
  /** Some path reaches the load with no barrier at all. */
  bare: boolean;
  /** The first weak barrier (smp_wmb/smp_rmb) on a path that has one. */
  weak?: Ev;
  /** On a path, the weak barrier sits right between the store and the load (no other access around it). */
  adjacentWeak: boolean;
}

export interface SearchResult {
  loads: Map<Ev, LoadOutcome>;
  /** The exit is reachable without a full barrier. */
  exitReached: boolean;
  /** Lock events met on the way. */
  locks: Ev[];
}

interface St {
  weak: Ev | null;
  rmw: boolean;
  before: boolean;
  /** 0: nothing since the store; 1: only a weak barrier since; 2: other accesses. */
  adj: 0 | 1 | 2;
}

/**
 * Forward search from `start` (an event of the unit): every load reachable
 * without crossing a full barrier (mode 'unordered'), or every load reachable
 * at all (mode 'any').
 */
export function searchFrom(ue: UnitEvents, start: Ev, mode: 'unordered' | 'any'): SearchResult {
  const loads = new Map<Ev, LoadOutcome>();
  const locks: Ev[] = [];
  let exitReached = false;
  const startRmw = start.kind === 'rmw' && start.ordering === 'none';
  const visited = new Set<string>();
  const stack: { node: CfgNode; i: number; st: St }[] = [];
  const startIdx = ue.byNode[start.node.id].indexOf(start);
  stack.push({ node: start.node, i: startIdx + 1, st: { weak: null, rmw: startRmw, before: false, adj: 0 } });
  let budget = 20000;
  while (stack.length && budget-- > 0) {
    const { node, i, st: st0 } = stack.pop()!;
    const st: St = { ...st0 };
    const evs = ue.byNode[node.id];
    let stopped = false;
    for (let k = i; k < evs.length; k++) {
      const e = evs[k];
      if (mode === 'unordered') {
        if ((e.kind === 'fence' && FULL_FENCES.has(e.ordering)) || ((e.kind === 'rmw' || e.kind === 'store') && e.ordering === 'full')) {
          stopped = true;
          break;
        }
        if (e.kind === 'fence' && e.ordering === 'after-atomic' && st.rmw) {
          stopped = true;
          break;
        }
        if (e.kind === 'rmw' && st.before) {
          stopped = true;
          break;
        }
      }
      switch (e.kind) {
        case 'fence':
          if (e.ordering === 'before-atomic') st.before = true;
          else if (e.ordering === 'wmb' || e.ordering === 'rmb') {
            if (!st.weak) st.weak = e;
            st.adj = st.adj === 0 ? 1 : 2;
          }
          break;
        case 'rmw':
          if (e.ordering === 'none') st.rmw = true;
          st.adj = 2;
          break;
        case 'load': {
          if (e.loc !== start.loc) {
            let o = loads.get(e);
            if (!o) loads.set(e, (o = { load: e, bare: false, adjacentWeak: false }));
            if (!st.weak) o.bare = true;
            else {
              if (!o.weak) o.weak = st.weak;
              if (st.adj === 1) o.adjacentWeak = true;
            }
          }
          st.adj = 2;
          break;
        }
        case 'lock':
          locks.push(e);
          st.adj = 2;
          break;
        default:
          st.adj = 2;
      }
    }
    if (stopped) continue;
    if (node === ue.unit.cfg.exit) exitReached = true;
    const key = `${st.weak ? st.weak.id : -1}|${st.rmw ? 1 : 0}|${st.before ? 1 : 0}|${st.adj}`;
    for (const edge of node.succs) {
      const vk = `${edge.to.id}:${mode === 'any' ? '' : key}`;
      if (visited.has(vk)) continue;
      visited.add(vk);
      stack.push({ node: edge.to, i: 0, st });
    }
  }
  return { loads, exitReached, locks };
}

/** The document-wide facts of one side: mirrors, readers, helper functions with barriers. */
export function docIndex(ctx: RuleContext, side: Side): DocIndex {
  let per = docCache.get(ctx);
  if (!per) docCache.set(ctx, (per = new Map()));
  const hit = per.get(side);
  if (hit) return hit;
  const cat = ctx.catalog;
  const idx: DocIndex = { fullFenceFns: new Set(), barriersIn: new Map(), mirrors: new Map(), readers: new Map(), mirroredLoads: new Map() };
  const units = ctx.units.filter((u) => u.side === side);
  // Phase 1: document functions whose body calls a full barrier (a call to one is a full barrier).
  for (const u of units)
    for (const n of u.cfg.nodes)
      for (const op of n.ops)
        if (op.kind === 'call' && !op.indirect) {
          const s = cat.api(op.name);
          if (isFence(s) && s!.ordering === 'full') idx.fullFenceFns.add(u.fn.name);
        }
  for (const u of units) {
    const ue = unitEvents(u, cat, idx.fullFenceFns);
    let names = idx.barriersIn.get(u.fn.name);
    if (!names) idx.barriersIn.set(u.fn.name, (names = new Set()));
    for (const e of ue.all) {
      if (e.kind === 'fence' && e.name) names.add(e.name);
      if (e.kind === 'load' && e.marked && e.loc) add(idx.readers, e.loc, u.fn.name);
    }
  }
  for (const u of units) {
    const ue = unitEvents(u, cat, idx.fullFenceFns);
    if (!ue.all.some((e) => e.marked && e.loc && (e.kind === 'store' || e.kind === 'rmw'))) continue;
    const after = markedLoadsAfter(ue);
    for (const s of ue.all) {
      if (!s.marked || !s.loc || (s.kind !== 'store' && s.kind !== 'rmw')) continue;
      const keys = new Set(after.get(s.node.id));
      for (const e of ue.byNode[s.node.id]) if (e.id > s.id && e.kind === 'load' && e.marked && e.loc) keys.add(e.loc);
      for (const k of keys) if (k !== s.loc) {
        add(idx.mirrors, `${s.loc}>${k}`, u.fn.name);
        add(idx.mirroredLoads, k, u.fn.name);
      }
    }
  }
  per.set(side, idx);
  return idx;
}

function add(m: Map<string, Set<string>>, k: string, v: string) {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}

/** The known SB protocol covering locations a and b (either order). */
export function protocolFor(a: string | undefined, b: string | undefined): SbProtocol | undefined {
  if (!a || !b) return undefined;
  return BARRIER_FACTS.protocols.find((p) => (p.a.includes(a) && p.b.includes(b)) || (p.a.includes(b) && p.b.includes(a)));
}

export function protocolOf(loc: string | undefined): SbProtocol | undefined {
  if (!loc) return undefined;
  return BARRIER_FACTS.protocols.find((p) => p.a.includes(loc));
}

/** Text of a line of the unit's image (variant text). */
export function lineText(unit: Unit, line: number): string {
  return unit.variant.text.split('\n')[line] ?? '';
}

export function indentOf(text: string): string {
  return /^[ \t]*/.exec(text)![0];
}
/** The events of a unit, with the document's helper functions taken into account. */
export function eventsOf(unit: Unit, ctx: RuleContext): UnitEvents {
  return unitEvents(unit, ctx.catalog, docIndex(ctx, unit.side).fullFenceFns);
}
