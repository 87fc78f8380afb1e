/**
 * Per-thread path enumeration. A process body is run with concrete values:
 * every read picks its value from the location's value domain (a choice
 * point), so each run yields one path: the events it performs, with their
 * values, their address/data/control dependencies (def-use tracking through
 * registers), and the final registers. The engine (./engine.ts) later
 * matches each read's value with a same-location write (rf) and orders the
 * writes (co).
 *
 * Choice points are explored by replay: a run follows a prefix of choices,
 * takes choice 0 beyond it and records how many options each point had.
 */
import { Expr, LitmusSyntaxError, LitmusTest, LitmusUnsupportedError, Proc, Stmt, Value } from './litmus/ast';
import { AOp, Operand, PRIMITIVES, Prim } from './primitives';
import { Int, arith, bitnot, isInt, neg } from './values';
import type { Budget } from './budget';

export type LockKind = 'LKR' | 'LKW' | 'UL' | 'LF' | 'RL' | 'RU';

export interface TEvent {
  kind: 'R' | 'W' | 'F';
  loc?: string;
  value?: Value;
  /** Access annotation (ONCE, RELEASE, ACQUIRE, MB, NORETURN, plain, srcu-lock, srcu-unlock), or the fence name. */
  ann: string;
  lock?: LockKind;
  /** Produced by an RMW instruction (xchg, cmpxchg, atomic_*), even when it failed. */
  rmwClass: boolean;
  /** Local index of the other half of a successful RMW (or lock) pair. */
  rmwPartner?: number;
  addr: number[];
  data: number[];
  ctrl: number[];
  line: number;
  column: number;
  text: string;
}

export interface Path {
  events: TEvent[];
  regs: Map<string, Value>;
}

interface V {
  v: Value;
  d: number[];
}

class InvalidPath {
  constructor(readonly why: string) {}
}

const LOCK_DOMAIN: Value[] = [0, 1];

/** No dependencies: shared by every value that has none (dependency lists are never modified, only replaced). */
const NO_DEPS: number[] = [];
const NO_STMT = { pos: { line: 0, column: 0 }, text: '' };

function union(a: number[], b: number[]): number[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const s = new Set(a);
  for (const x of b) s.add(x);
  return [...s].sort((x, y) => x - y);
}

function truthy(v: Value): boolean {
  return v !== 0; // values are canonical: zero is always the number 0; an address is never null
}

export interface ThreadContext {
  test: LitmusTest;
  /** Names that denote shared locations (globals, parameters). */
  globals: Set<string>;
  /** Locations used as spinlocks (their reads have a fixed {0,1} domain). */
  lockLocs: Set<string>;
  domains: Map<string, Value[]>;
  /** Filled by the runs: the locations whose domain a read consulted (the only way domains shape the paths). */
  readLocs?: Set<string>;
  regInit: Map<string, Value>; // "0:r1" -> value
}

class Runner {
  events: TEvent[] = [];
  regs = new Map<string, V>();
  ctrl: number[] = [];
  /** The statement being run (its position and text go into the events). */
  stmt: { pos: { line: number; column: number }; text: string } = NO_STMT;
  i = 0;
  opts: number[] = [];

  constructor(private ctx: ThreadContext, proc: Proc, private choices: number[], regInit: readonly [string, Value][]) {
    for (const p of proc.params) this.regs.set(p.name, { v: p.name, d: NO_DEPS });
    for (let i = 0; i < regInit.length; i++) this.regs.set(regInit[i][0], { v: regInit[i][1], d: NO_DEPS });
  }

  choose(n: number): number {
    const c = this.i < this.choices.length ? this.choices[this.i] : 0;
    this.opts.push(n);
    this.i++;
    return c;
  }

  err(msg: string, e: { pos: { line: number; column: number } }): never {
    throw new LitmusSyntaxError(msg, e.pos.line, e.pos.column);
  }

  push(ev: Omit<TEvent, 'ctrl' | 'line' | 'column' | 'text'>): number {
    // one object shape for every event (spreads make V8 objects slow to build and read)
    this.events.push({
      kind: ev.kind, loc: ev.loc, value: ev.value, ann: ev.ann, lock: ev.lock, rmwClass: ev.rmwClass,
      rmwPartner: ev.rmwPartner, addr: ev.addr, data: ev.data, ctrl: this.ctrl,
      line: this.stmt.pos.line, column: this.stmt.pos.column, text: this.stmt.text,
    });
    return this.events.length - 1;
  }

  domainOf(loc: string): Value[] {
    if (this.ctx.lockLocs.has(loc)) return LOCK_DOMAIN;
    this.ctx.readLocs?.add(loc);
    return this.ctx.domains.get(loc) ?? [0];
  }

  read(loc: string, ann: string, addr: number[], rmwClass = false): V {
    const dom = this.domainOf(loc);
    const v = dom[this.choose(dom.length)];
    const idx = this.push({ kind: 'R', loc, value: v, ann, rmwClass, addr, data: NO_DEPS });
    return { v, d: [idx] };
  }

  write(loc: string, val: V, ann: string, addr: number[], rmwClass = false): number {
    return this.push({ kind: 'W', loc, value: val.v, ann, rmwClass, addr, data: val.d });
  }

  fence(name: string, loc?: string): void {
    this.push({ kind: 'F', ann: name, loc, rmwClass: false, addr: NO_DEPS, data: NO_DEPS });
  }

  // ---- statements ----
  run(body: Stmt[]): void {
    for (const s of body) this.stmtRun(s);
  }

  stmtRun(s: Stmt): void {
    switch (s.k) {
      case 'block':
        this.run(s.body);
        return;
      case 'decl': {
        this.stmt = s;
        this.regs.set(s.name, s.init ? this.evalExpr(s.init) : { v: 0, d: NO_DEPS });
        return;
      }
      case 'expr':
        this.stmt = s;
        this.evalExpr(s.e);
        return;
      case 'if': {
        this.stmt = s;
        const c = this.evalExpr(s.c);
        const saved = this.ctrl;
        this.ctrl = union(this.ctrl, c.d);
        if (truthy(c.v)) this.stmtRun(s.then);
        else if (s.else) this.stmtRun(s.else);
        this.ctrl = saved;
        return;
      }
    }
  }

  // ---- expressions ----
  addrOfLvalue(e: Expr): V {
    if (e.k === 'un' && e.op === '*') return this.pointer(this.evalExpr(e.e), e);
    if (e.k === 'id' && !this.regs.has(e.name) && this.ctx.globals.has(e.name)) return { v: e.name, d: NO_DEPS };
    this.err(`expected a shared location like *x here`, e);
  }

  pointer(p: V, e: Expr): V {
    if (typeof p.v !== 'string') throw new InvalidPath(`dereference of non-pointer value ${p.v} at line ${e.pos.line}`);
    return p;
  }

  evalExpr(e: Expr): V {
    switch (e.k) {
      case 'num':
        return { v: e.v, d: NO_DEPS };
      case 'id': {
        const r = this.regs.get(e.name);
        if (r) return r;
        if (this.ctx.globals.has(e.name)) return { v: e.name, d: NO_DEPS };
        return { v: 0, d: NO_DEPS }; // undeclared register: herd7 starts registers at 0
      }
      case 'un': {
        if (e.op === '*') {
          const a = this.pointer(this.evalExpr(e.e), e);
          return this.read(a.v as string, 'plain', a.d);
        }
        if (e.op === '&') {
          if (e.e.k === 'id') return { v: e.e.name, d: NO_DEPS };
          if (e.e.k === 'un' && e.e.op === '*') return this.evalExpr(e.e.e);
          this.err('unsupported address-of expression', e);
        }
        const a = this.evalExpr(e.e);
        if (e.op === '!') return { v: truthy(a.v) ? 0 : 1, d: a.d };
        const n = this.num(a, e);
        return { v: e.op === '-' ? neg(n) : e.op === '~' ? bitnot(n) : n, d: a.d };
      }
      case 'bin': {
        if (e.op === '&&' || e.op === '||') {
          const a = this.evalExpr(e.a);
          if (e.op === '&&' ? !truthy(a.v) : truthy(a.v)) return { v: e.op === '&&' ? 0 : 1, d: a.d };
          const saved = this.ctrl;
          this.ctrl = union(this.ctrl, a.d);
          const b = this.evalExpr(e.b);
          this.ctrl = saved;
          return { v: truthy(b.v) ? 1 : 0, d: union(a.d, b.d) };
        }
        const a = this.evalExpr(e.a);
        const b = this.evalExpr(e.b);
        return { v: this.binop(e.op, a.v, b.v, e), d: union(a.d, b.d) };
      }
      case 'cond': {
        const c = this.evalExpr(e.c);
        const saved = this.ctrl;
        this.ctrl = union(this.ctrl, c.d);
        const r = this.evalExpr(truthy(c.v) ? e.a : e.b);
        this.ctrl = saved;
        return { v: r.v, d: union(c.d, r.d) };
      }
      case 'assign': {
        let rhs = this.evalExpr(e.rhs);
        if (e.op !== '=') {
          const cur = this.evalExpr(e.lhs);
          rhs = { v: this.binop(e.op.slice(0, -1), cur.v, rhs.v, e), d: union(cur.d, rhs.d) };
        }
        if (e.lhs.k === 'id' && (this.regs.has(e.lhs.name) || !this.ctx.globals.has(e.lhs.name))) {
          this.regs.set(e.lhs.name, rhs);
          return rhs;
        }
        const a = this.addrOfLvalue(e.lhs);
        this.write(a.v as string, rhs, 'plain', a.d);
        return rhs;
      }
      case 'call':
        return this.call(e);
    }
  }

  num(a: V, e: Expr): Int {
    if (!isInt(a.v)) this.unsupported(`arithmetic on the address of ${a.v}`, e);
    return a.v;
  }

  unsupported(msg: string, e: { pos: { line: number; column: number } }): never {
    throw new LitmusUnsupportedError(`unsupported: ${msg}`, e.pos.line, e.pos.column);
  }

  binop(op: string, a: Value, b: Value, e: Expr): Value {
    if (op === '==') return a === b ? 1 : 0;
    if (op === '!=') return a !== b ? 1 : 0;
    if (op === ',') return b;
    if (isInt(a) && isInt(b)) return arith(op, a, b);
    // pointer arithmetic: an address plus or minus 0 is the address (herd7
    // rejects any other offset as a mixed-size test)
    if (typeof a === 'string' && b === 0 && (op === '+' || op === '-')) return a;
    if (typeof b === 'string' && a === 0 && op === '+') return b;
    if (op === '+' || op === '-') this.unsupported(`pointer arithmetic with a non-zero offset (${a} ${op} ${b})`, e);
    this.unsupported(`operator '${op}' on an address (${a} ${op} ${b})`, e);
  }

  operand(o: Operand, args: Expr[]): V {
    return 'const' in o ? { v: o.const, d: NO_DEPS } : this.evalExpr(args[o.arg]);
  }

  call(e: Expr & { k: 'call' }): V {
    const p: Prim | undefined = PRIMITIVES.get(e.name);
    if (!p) this.unsupported(`unknown function '${e.name}' (not in linux-kernel.def)`, e);
    const args = e.args;
    const need = (n: number) => {
      if (args.length <= n) this.err(`${e.name}: expected more arguments`, e);
    };
    const ptr = (i: number): V => {
      need(i);
      return this.pointer(this.evalExpr(args[i]), args[i]);
    };
    switch (p.op) {
      case 'load': {
        need(p.x);
        const a = p.lvalue ? this.addrOfLvalue(args[p.x]) : ptr(p.x);
        return this.read(a.v as string, p.ann, a.d);
      }
      case 'store': {
        need(p.v);
        const a = p.lvalue ? this.addrOfLvalue(args[p.x]) : ptr(p.x);
        const v = this.evalExpr(args[p.v]);
        this.write(a.v as string, v, p.ann, a.d);
        if (p.mbAfter) this.fence('MB');
        return { v: 0, d: NO_DEPS };
      }
      case 'fence':
        this.fence(p.fence);
        return { v: 0, d: NO_DEPS };
      case 'xchg': {
        const a = ptr(p.x);
        need(p.v);
        const nv = this.evalExpr(args[p.v]);
        return this.rmw(a, p.ann, () => nv, true);
      }
      case 'cmpxchg': {
        const a = ptr(p.x);
        need(p.new);
        const old = this.evalExpr(args[p.old]);
        const nv = this.evalExpr(args[p.new]);
        return this.rmw(a, p.ann, (cur) => (cur === old.v ? nv : null), true);
      }
      case 'atomic_op': {
        const a = ptr(p.x);
        const o = this.operand(p.operand, args);
        this.rmw(a, 'NORETURN', (cur) => ({ v: this.aop(p.aop, cur, o.v, e), d: o.d }), false);
        return { v: 0, d: NO_DEPS };
      }
      case 'atomic_op_return': {
        const a = ptr(p.x);
        const o = this.operand(p.operand, args);
        let newv: Value = 0;
        const r = this.rmw(a, p.ann, (cur) => {
          newv = this.aop(p.aop, cur, o.v, e);
          return { v: newv, d: o.d };
        }, false);
        const v = p.test === '==0' ? (newv === 0 ? 1 : 0) : p.test === '<0' ? arith('<', newv as Int, 0) : newv;
        return { v, d: r.d };
      }
      case 'atomic_fetch_op': {
        const a = ptr(p.x);
        const o = this.operand(p.operand, args);
        return this.rmw(a, p.ann, (cur) => ({ v: this.aop(p.aop, cur, o.v, e), d: o.d }), false);
      }
      case 'add_unless': {
        const a = ptr(p.x);
        const add = this.operand(p.add, args);
        const unless = this.operand(p.unless, args);
        let ok = 0;
        const r = this.rmw(a, p.ann, (cur) => {
          if (cur === unless.v) return null;
          ok = 1;
          return { v: this.aop('+', cur, add.v, e), d: add.d };
        }, false);
        return { v: ok, d: r.d };
      }
      case 'lock': {
        const a = ptr(p.x);
        const r = this.push({ kind: 'R', loc: a.v as string, value: 0, ann: 'ONCE', lock: 'LKR', rmwClass: false, addr: a.d, data: NO_DEPS });
        const w = this.push({ kind: 'W', loc: a.v as string, value: 1, ann: 'ONCE', lock: 'LKW', rmwClass: false, addr: a.d, data: NO_DEPS });
        this.events[r].rmwPartner = w;
        this.events[w].rmwPartner = r;
        return { v: 0, d: NO_DEPS };
      }
      case 'unlock': {
        const a = ptr(p.x);
        this.push({ kind: 'W', loc: a.v as string, value: 0, ann: 'RELEASE', lock: 'UL', rmwClass: false, addr: a.d, data: NO_DEPS });
        return { v: 0, d: NO_DEPS };
      }
      case 'trylock': {
        const a = ptr(p.x);
        if (this.choose(2) === 0) {
          const r = this.push({ kind: 'R', loc: a.v as string, value: 0, ann: 'ONCE', lock: 'LKR', rmwClass: false, addr: a.d, data: NO_DEPS });
          const w = this.push({ kind: 'W', loc: a.v as string, value: 1, ann: 'ONCE', lock: 'LKW', rmwClass: false, addr: a.d, data: NO_DEPS });
          this.events[r].rmwPartner = w;
          this.events[w].rmwPartner = r;
          return { v: 1, d: [r] };
        }
        const r = this.push({ kind: 'R', loc: a.v as string, value: 1, ann: 'ONCE', lock: 'LF', rmwClass: false, addr: a.d, data: NO_DEPS });
        return { v: 0, d: [r] };
      }
      case 'islocked': {
        const a = ptr(p.x);
        const locked = this.choose(2) === 0 ? 0 : 1;
        const r = this.push({ kind: 'R', loc: a.v as string, value: locked, ann: 'ONCE', lock: locked ? 'RL' : 'RU', rmwClass: false, addr: a.d, data: NO_DEPS });
        return { v: locked, d: [r] };
      }
      case 'srcu_lock': {
        const a = ptr(p.x);
        return this.read(a.v as string, 'srcu-lock', a.d);
      }
      case 'srcu_unlock': {
        const a = ptr(p.x);
        need(p.v);
        this.write(a.v as string, this.evalExpr(args[p.v]), 'srcu-unlock', a.d);
        return { v: 0, d: NO_DEPS };
      }
      case 'sync_srcu': {
        const a = ptr(p.x);
        this.fence('sync-srcu', a.v as string);
        return { v: 0, d: NO_DEPS };
      }
    }
  }

  aop(op: AOp, a: Value, b: Value, e: Expr): Value {
    if (!isInt(a) || !isInt(b)) this.unsupported(`atomic arithmetic on an address (${a} ${op} ${b})`, e);
    return op === '&~' ? arith('&', a, bitnot(b)) : arith(op, a, b);
  }

  /**
   * An RMW instruction: a read, then (if `f` returns a value) a write, paired
   * by rmw. Both halves carry the annotation and belong to the RMW class; a
   * failed one (f returns null) is a lone read, the bell's FailedRMW.
   * Returns the value read.
   */
  rmw(a: V, ann: string, f: (cur: Value) => V | null, _valueIndependent: boolean): V {
    const r = this.read(a.v as string, ann, a.d, true);
    const nv = f(r.v);
    if (nv) {
      const w = this.write(a.v as string, nv, ann, a.d, true);
      this.events[r.d[0]].rmwPartner = w;
      this.events[w].rmwPartner = r.d[0];
    }
    return r;
  }
}

/**
 * All paths of one process under the given value domains. Stops (returns
 * `truncated`) after `limit` paths; charges the budget for every run.
 */
export function enumeratePaths(ctx: ThreadContext, proc: Proc, limit: number, budget?: Budget): { paths: Path[]; truncated: boolean; abortedWrites: TEvent[] } {
  const paths: Path[] = [];
  // writes performed before a run was abandoned (a dereference of a read
  // value that is not an address): the value domains must include them, or a
  // value that only such a run writes (and that would make it valid in the
  // next round) would never be found
  const abortedWrites: TEvent[] = [];
  let choices: number[] = [];
  // this process's initial registers ("0:r1" -> r1)
  const regInit: [string, Value][] = [];
  ctx.regInit.forEach((v, k) => {
    const colon = k.indexOf(':');
    if (Number(k.slice(0, colon)) === proc.index) regInit.push([k.slice(colon + 1), v]);
  });
  for (;;) {
    const r = new Runner(ctx, proc, choices, regInit);
    let ok = true;
    try {
      r.run(proc.body);
    } catch (e) {
      if (e instanceof InvalidPath) {
        ok = false;
        for (const ev of r.events) if (ev.kind === 'W') abortedWrites.push(ev);
      } else throw e;
    }
    budget?.tick(r.events.length + r.opts.length + 1);
    if (ok) {
      const regs = new Map<string, Value>();
      r.regs.forEach((v, k) => regs.set(k, v.v));
      paths.push({ events: r.events, regs });
      if (paths.length >= limit) return { paths, truncated: true, abortedWrites };
    }
    // next choice vector (odometer over the recorded options)
    const used = r.opts.length;
    const cur = r.opts.map((_, i) => (i < choices.length ? choices[i] : 0));
    let j = used - 1;
    while (j >= 0 && cur[j] + 1 >= r.opts[j]) j--;
    if (j < 0) return { paths, truncated: false, abortedWrites };
    choices = cur.slice(0, j);
    choices.push(cur[j] + 1);
  }
}
