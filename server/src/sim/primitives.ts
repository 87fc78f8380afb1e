/**
 * The kernel primitives a litmus test may call, and the events each one
 * expands to. This is a data table mirroring the LKMM's linux-kernel.def
 * (../shared/lkmm/): `READ_ONCE(X) __load{ONCE}(X)` becomes
 * `{ op: 'load', ann: 'ONCE', lvalue: true }`, and so on. The interpreter
 * (./interp.ts) knows only the generic operations (load, store, fence, RMW
 * shapes, lock, SRCU), never a kernel name.
 *
 * Extensions beyond linux-kernel.def are marked `ext: true`; herd7 rejects
 * them, so exportable tests must not use them.
 */

export type Ann = 'ONCE' | 'RELEASE' | 'ACQUIRE' | 'MB' | 'NORETURN';
export type FenceName =
  | 'MB' | 'rmb' | 'wmb' | 'barrier' | 'rcu-lock' | 'rcu-unlock' | 'sync-rcu'
  | 'before-atomic' | 'after-atomic' | 'after-spinlock' | 'after-unlock-lock' | 'after-srcu-read-unlock';
export type AOp = '+' | '-' | '&' | '|' | '^' | '&~';

/** Where the operand of an atomic op comes from: an argument index, or a constant. */
export type Operand = { arg: number } | { const: number };

export type Prim = { ext?: boolean } & (
  | { op: 'load'; ann: Ann; lvalue: boolean; x: number }
  | { op: 'store'; ann: Ann; lvalue: boolean; x: number; v: number; mbAfter?: boolean }
  | { op: 'fence'; fence: FenceName }
  | { op: 'xchg'; ann: Ann; x: number; v: number }
  | { op: 'cmpxchg'; ann: Ann; x: number; old: number; new: number }
  | { op: 'atomic_op'; aop: AOp; x: number; operand: Operand }
  | { op: 'atomic_op_return'; ann: Ann; aop: AOp; x: number; operand: Operand; test?: '==0' | '<0' }
  | { op: 'atomic_fetch_op'; ann: Ann; aop: AOp; x: number; operand: Operand }
  | { op: 'add_unless'; ann: Ann; x: number; add: Operand; unless: Operand }
  | { op: 'lock'; x: number }
  | { op: 'unlock'; x: number }
  | { op: 'trylock'; x: number }
  | { op: 'islocked'; x: number }
  | { op: 'srcu_lock'; x: number }
  | { op: 'srcu_unlock'; x: number; v: number }
  | { op: 'sync_srcu'; x: number }
);

export const PRIMITIVES = new Map<string, Prim>();

function def(name: string, p: Prim): void {
  PRIMITIVES.set(name, p);
}

// ONCE
def('READ_ONCE', { op: 'load', ann: 'ONCE', lvalue: true, x: 0 });
def('WRITE_ONCE', { op: 'store', ann: 'ONCE', lvalue: true, x: 0, v: 1 });
// Release Acquire and friends
def('smp_store_release', { op: 'store', ann: 'RELEASE', lvalue: false, x: 0, v: 1 });
def('smp_load_acquire', { op: 'load', ann: 'ACQUIRE', lvalue: false, x: 0 });
def('rcu_assign_pointer', { op: 'store', ann: 'RELEASE', lvalue: true, x: 0, v: 1 });
def('rcu_dereference', { op: 'load', ann: 'ONCE', lvalue: true, x: 0 });
def('smp_store_mb', { op: 'store', ann: 'ONCE', lvalue: true, x: 0, v: 1, mbAfter: true });
// Fences
const fences: [string, FenceName][] = [
  ['smp_mb', 'MB'], ['smp_rmb', 'rmb'], ['smp_wmb', 'wmb'],
  ['smp_mb__before_atomic', 'before-atomic'], ['smp_mb__after_atomic', 'after-atomic'],
  ['smp_mb__after_spinlock', 'after-spinlock'], ['smp_mb__after_unlock_lock', 'after-unlock-lock'],
  ['smp_mb__after_srcu_read_unlock', 'after-srcu-read-unlock'], ['barrier', 'barrier'],
  ['rcu_read_lock', 'rcu-lock'], ['rcu_read_unlock', 'rcu-unlock'],
  ['synchronize_rcu', 'sync-rcu'], ['synchronize_rcu_expedited', 'sync-rcu'],
];
for (const [n, f] of fences) def(n, { op: 'fence', fence: f });
// Exchange
const orderings: [string, Ann][] = [['', 'MB'], ['_relaxed', 'ONCE'], ['_acquire', 'ACQUIRE'], ['_release', 'RELEASE']];
for (const [sfx, ann] of orderings) {
  def('xchg' + sfx, { op: 'xchg', ann, x: 0, v: 1 });
  def('cmpxchg' + sfx, { op: 'cmpxchg', ann, x: 0, old: 1, new: 2 });
  def('atomic_xchg' + sfx, { op: 'xchg', ann, x: 0, v: 1 });
  def('atomic_cmpxchg' + sfx, { op: 'cmpxchg', ann, x: 0, old: 1, new: 2 });
}
// Spinlocks
def('spin_lock', { op: 'lock', x: 0 });
def('spin_unlock', { op: 'unlock', x: 0 });
def('spin_trylock', { op: 'trylock', x: 0 });
def('spin_is_locked', { op: 'islocked', x: 0 });
// SRCU
def('srcu_read_lock', { op: 'srcu_lock', x: 0 });
def('srcu_read_unlock', { op: 'srcu_unlock', x: 0, v: 1 });
def('srcu_down_read', { op: 'srcu_lock', x: 0 });
def('srcu_up_read', { op: 'srcu_unlock', x: 0, v: 1 });
def('synchronize_srcu', { op: 'sync_srcu', x: 0 });
def('synchronize_srcu_expedited', { op: 'sync_srcu', x: 0 });
// Atomic
def('atomic_read', { op: 'load', ann: 'ONCE', lvalue: false, x: 0 });
def('atomic_set', { op: 'store', ann: 'ONCE', lvalue: false, x: 0, v: 1 });
def('atomic_read_acquire', { op: 'load', ann: 'ACQUIRE', lvalue: false, x: 0 });
def('atomic_set_release', { op: 'store', ann: 'RELEASE', lvalue: false, x: 0, v: 1 });

const ops: [string, AOp][] = [['add', '+'], ['sub', '-'], ['and', '&'], ['or', '|'], ['xor', '^'], ['andnot', '&~']];
for (const [n, aop] of ops) {
  // atomic_add(V,X): non-returning
  def(`atomic_${n}`, { op: 'atomic_op', aop, x: 1, operand: { arg: 0 } });
  for (const [sfx, ann] of orderings) {
    if (n === 'add' || n === 'sub') def(`atomic_${n}_return${sfx}`, { op: 'atomic_op_return', ann, aop, x: 1, operand: { arg: 0 } });
    def(`atomic_fetch_${n}${sfx}`, { op: 'atomic_fetch_op', ann, aop, x: 1, operand: { arg: 0 } });
  }
}
for (const [n, aop] of [['inc', '+'], ['dec', '-']] as [string, AOp][]) {
  def(`atomic_${n}`, { op: 'atomic_op', aop, x: 0, operand: { const: 1 } });
  for (const [sfx, ann] of orderings) {
    def(`atomic_${n}_return${sfx}`, { op: 'atomic_op_return', ann, aop, x: 0, operand: { const: 1 } });
    def(`atomic_fetch_${n}${sfx}`, { op: 'atomic_fetch_op', ann, aop, x: 0, operand: { const: 1 } });
  }
}
def('atomic_sub_and_test', { op: 'atomic_op_return', ann: 'MB', aop: '-', x: 1, operand: { arg: 0 }, test: '==0' });
def('atomic_dec_and_test', { op: 'atomic_op_return', ann: 'MB', aop: '-', x: 0, operand: { const: 1 }, test: '==0' });
def('atomic_inc_and_test', { op: 'atomic_op_return', ann: 'MB', aop: '+', x: 0, operand: { const: 1 }, test: '==0' });
for (const [sfx, ann] of orderings) {
  def(`atomic_add_negative${sfx}`, { op: 'atomic_op_return', ann, aop: '+', x: 1, operand: { arg: 0 }, test: '<0' });
}
def('atomic_add_unless', { op: 'add_unless', ann: 'MB', x: 0, add: { arg: 1 }, unless: { arg: 2 } });
// Extensions (not in linux-kernel.def; herd7 would reject them):
def('atomic_inc_not_zero', { ext: true, op: 'add_unless', ann: 'MB', x: 0, add: { const: 1 }, unless: { const: 0 } });

/** Is `name` a primitive this simulator knows? */
export function isPrimitive(name: string): boolean {
  return PRIMITIVES.has(name);
}
