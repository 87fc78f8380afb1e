/**
 * Scope-based lock guards (include/linux/cleanup.h, v6.5+): `guard(class)(args)`
 * takes the lock until the end of the enclosing scope, `scoped_guard(class,
 * args) { ... }` for the block. Each class is the lock call it runs and the
 * unlock its destructor runs, as the DEFINE_GUARD / DEFINE_LOCK_GUARD_0/1 lines
 * of v6.19 define them (include/linux/spinlock.h, mutex.h, rwsem.h,
 * rcupdate.h, preempt.h, irqflags.h). The _irqsave classes keep their flags
 * inside the guard: they are read as the _irq forms (an IRQs-off section
 * closed at the same place), which is what the section rules need.
 */
import type { GuardClass } from '../schema';

const g = (cls: string, lock: string, unlock: string, source: string): GuardClass => ({ cls, lock, unlock, kernels: '>=6.5', source });
const SPIN = 'include/linux/spinlock.h';

export const GUARD_CLASSES: readonly GuardClass[] = [
  g('spinlock', 'spin_lock', 'spin_unlock', SPIN),
  g('spinlock_irq', 'spin_lock_irq', 'spin_unlock_irq', SPIN),
  g('spinlock_bh', 'spin_lock_bh', 'spin_unlock_bh', SPIN),
  g('spinlock_irqsave', 'spin_lock_irq', 'spin_unlock_irq', SPIN),
  g('raw_spinlock', 'raw_spin_lock', 'raw_spin_unlock', SPIN),
  g('raw_spinlock_irq', 'raw_spin_lock_irq', 'raw_spin_unlock_irq', SPIN),
  g('raw_spinlock_bh', 'raw_spin_lock_bh', 'raw_spin_unlock_bh', SPIN),
  g('raw_spinlock_irqsave', 'raw_spin_lock_irq', 'raw_spin_unlock_irq', SPIN),
  g('read_lock', 'read_lock', 'read_unlock', SPIN),
  g('read_lock_irq', 'read_lock_irq', 'read_unlock_irq', SPIN),
  g('read_lock_irqsave', 'read_lock_irq', 'read_unlock_irq', SPIN),
  g('write_lock', 'write_lock', 'write_unlock', SPIN),
  g('write_lock_irq', 'write_lock_irq', 'write_unlock_irq', SPIN),
  g('write_lock_irqsave', 'write_lock_irq', 'write_unlock_irq', SPIN),
  g('mutex', 'mutex_lock', 'mutex_unlock', 'include/linux/mutex.h'),
  g('rwsem_read', 'down_read', 'up_read', 'include/linux/rwsem.h'),
  g('rwsem_write', 'down_write', 'up_write', 'include/linux/rwsem.h'),
  g('rcu', 'rcu_read_lock', 'rcu_read_unlock', 'include/linux/rcupdate.h'),
  g('preempt', 'preempt_disable', 'preempt_enable', 'include/linux/preempt.h'),
  g('irq', 'local_irq_disable', 'local_irq_enable', 'include/linux/irqflags.h'),
  g('irqsave', 'local_irq_disable', 'local_irq_enable', 'include/linux/irqflags.h'),
];
