/**
 * Building a family instance: a small builder for one CPU's program (a lane),
 * over the LKMM primitives, where every statement carries the patch's own
 * text and its origin (a line of the patch, the fix, or a catalogued
 * counterpart protocol), and a builder for the shared locations.
 *
 * The output is the scenario library's data model (ScenarioDef), so the
 * family instances are rendered, run and replayed exactly like S1..S9.
 */
import type { StepOrigin } from '../../protocol/replay';
import type { CpuDef, IfDef, LocationDef, Node, StmtDef } from '../scenarios/types';

export type LocType = LocationDef['type'];

/** The shared locations of an instance: slot -> definition (display name = an object or field of the patch). */
export class Locations {
  readonly defs: Record<string, LocationDef> = {};
  add(slot: string, name: string, init: number | string, type: LocType, meaning: string, context = false): string {
    if (!this.defs[slot]) this.defs[slot] = { name, init, type, meaning, ...(context ? { context: true } : {}) };
    return slot;
  }
  has(slot: string): boolean {
    return slot in this.defs;
  }
}

export type Fence = 'mb' | 'wmb' | 'rmb' | 'after-atomic' | 'before-atomic';

const FENCE: Record<Fence, string> = {
  mb: 'smp_mb();',
  wmb: 'smp_wmb();',
  rmb: 'smp_rmb();',
  'after-atomic': 'smp_mb__after_atomic();',
  'before-atomic': 'smp_mb__before_atomic();',
};

/** One CPU's program. Registers are r0, r1, ... in the order they are first assigned. */
export class Lane {
  private n = 0;
  readonly body: Node[] = [];
  private block: Node[] = this.body;
  /** The guards the current block runs under (register = value), for conditions on what happened inside it. */
  private guards: string[] = [];

  constructor(readonly cpu: number, readonly role: string, readonly meta: Pick<CpuDef, 'origin' | 'fn' | 'protocol'>) {}

  private reg(): string {
    return `r${this.n++}`;
  }

  /** `cpu:reg=value`, with the guards of the current block. */
  cond(reg: string, value: string | number): string {
    return [...this.guards, `${this.cpu}:${reg}=${value}`].join(' /\\ ');
  }

  /** The guards of the current block alone. */
  guard(): string[] {
    return [...this.guards];
  }

  stmt(litmus: string, text: string, explain: string, origin: StepOrigin | undefined, extra: Partial<StmtDef> = {}): void {
    this.block.push({ litmus, text, explain, literal: true, ...(origin ? { origin } : {}), ...extra });
  }

  note(text: string, explain: string, origin: StepOrigin | undefined): void {
    this.block.push({ litmus: '', text, explain, literal: true, note: true, ...(origin ? { origin } : {}) });
  }

  read(slot: string, text: string, explain: string, origin?: StepOrigin, pointer = false): string {
    const r = this.reg();
    this.stmt(`${r} = READ_ONCE(*$${slot});`, text, explain, origin, pointer ? { ptrRegs: [r] } : {});
    return r;
  }

  /** Read through a pointer register (an address dependency). */
  readVia(ptrReg: string, text: string, explain: string, origin?: StepOrigin): string {
    const r = this.reg();
    this.stmt(`${r} = READ_ONCE(*${ptrReg});`, text, explain, origin);
    return r;
  }

  readAcquire(slot: string, text: string, explain: string, origin?: StepOrigin): string {
    const r = this.reg();
    this.stmt(`${r} = smp_load_acquire($${slot});`, text, explain, origin);
    return r;
  }

  write(slot: string, value: string | number, text: string, explain: string, origin?: StepOrigin): void {
    this.stmt(`WRITE_ONCE(*$${slot}, ${value});`, text, explain, origin);
  }

  writeRelease(slot: string, value: string | number, text: string, explain: string, origin?: StepOrigin): void {
    this.stmt(`smp_store_release($${slot}, ${value});`, text, explain, origin);
  }

  /** Non-returning atomics: unordered. */
  add(slot: string, n: number, text: string, explain: string, origin?: StepOrigin): void {
    this.stmt(n === 1 ? `atomic_inc($${slot});` : `atomic_add(${n}, $${slot});`, text, explain, origin);
  }

  sub(slot: string, n: number, text: string, explain: string, origin?: StepOrigin): void {
    this.stmt(n === 1 ? `atomic_dec($${slot});` : `atomic_sub(${n}, $${slot});`, text, explain, origin);
  }

  /** Value-returning atomics: fully ordered. */
  subReturn(slot: string, n: number, text: string, explain: string, origin?: StepOrigin): string {
    const r = this.reg();
    this.stmt(n === 1 ? `${r} = atomic_dec_return($${slot});` : `${r} = atomic_sub_return(${n}, $${slot});`, text, explain, origin);
    return r;
  }

  atomicRead(slot: string, text: string, explain: string, origin?: StepOrigin): string {
    const r = this.reg();
    this.stmt(`${r} = atomic_read($${slot});`, text, explain, origin);
    return r;
  }

  atomicSet(slot: string, v: number, text: string, explain: string, origin?: StepOrigin): void {
    this.stmt(`atomic_set($${slot}, ${v});`, text, explain, origin);
  }

  /** get_page_unless_zero() & co: fully ordered when it succeeds; nonzero iff it took the reference. */
  addUnless(slot: string, text: string, explain: string, origin?: StepOrigin): string {
    const r = this.reg();
    this.stmt(`${r} = atomic_add_unless($${slot}, 1, 0);`, text, explain, origin);
    return r;
  }

  /** A lock by its fast path: cmpxchg_acquire(lock, 0, 1) (0 = it was free and is now taken). */
  lockTry(slot: string, text: string, explain: string, origin?: StepOrigin): string {
    const r = this.reg();
    this.stmt(`${r} = cmpxchg_acquire($${slot}, 0, 1);`, text, explain, origin);
    return r;
  }

  /** The lock's release: smp_store_release(lock, 0). */
  unlockStore(slot: string, text: string, explain: string, origin?: StepOrigin): void {
    this.stmt(`smp_store_release($${slot}, 0);`, text, explain, origin);
  }

  spinLock(slot: string, text: string, explain: string, origin?: StepOrigin): void {
    this.stmt(`spin_lock($${slot});`, text, explain, origin);
  }

  spinUnlock(slot: string, text: string, explain: string, origin?: StepOrigin): void {
    this.stmt(`spin_unlock($${slot});`, text, explain, origin);
  }

  spinTrylock(slot: string, text: string, explain: string, origin?: StepOrigin): string {
    const r = this.reg();
    this.stmt(`${r} = spin_trylock($${slot});`, text, explain, origin);
    return r;
  }

  fence(kind: Fence, text: string, explain: string, origin?: StepOrigin): void {
    this.stmt(FENCE[kind], text, explain, origin);
  }

  rcuLock(text: string, explain: string, origin?: StepOrigin): void {
    this.stmt('rcu_read_lock();', text, explain, origin);
  }

  rcuUnlock(text: string, explain: string, origin?: StepOrigin): void {
    this.stmt('rcu_read_unlock();', text, explain, origin);
  }

  sync(text: string, explain: string, origin?: StepOrigin): void {
    this.stmt('synchronize_rcu();', text, explain, origin);
  }

  /** `if (reg == value) { then } else { else }`; conditions built inside carry the guard. */
  when(reg: string, value: number | string, text: string, then: () => void, otherwise?: () => void, op = '=='): void {
    const node: IfDef = { if: op === '!=' ? `${reg} != ${value}` : `${reg} == ${value}`, text, then: [] };
    this.block.push(node);
    const saved = this.block;
    const g = this.guards;
    this.block = node.then;
    this.guards = op === '==' ? [...g, `${this.cpu}:${reg}=${value}`] : g;
    then();
    if (otherwise) {
      node.else = [];
      this.block = node.else;
      this.guards = g;
      otherwise();
    }
    this.block = saved;
    this.guards = g;
  }

  def(): CpuDef {
    return { role: this.role, body: this.body, ...this.meta };
  }
}
