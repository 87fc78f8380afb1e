/** atomic-sleep: a call that may sleep inside a section that must not sleep. */
import type { RawFinding, Rule, Unit, RuleContext } from './api';
import type { ApiSpec } from '../catalog';
import type { CallOp } from '../c/cfg';
import { definitelyHeld } from './resources';
import { resourcesOf } from './summaries';
import { posOf } from './util';

/** Does this call sleep, given its arguments (kmalloc(.., GFP_ATOMIC) does not)? */
export function callSleeps(spec: ApiSpec, call: CallOp): boolean {
  const unless = spec.sleepsUnlessArg;
  if (unless) {
    const a = call.args[unless.arg]?.text;
    if (a !== undefined) return !unless.atomicFlags.some((f) => new RegExp(`(^|[^\\w])${f}($|[^\\w])`).test(a));
  }
  return spec.sleeps === true;
}

function check(unit: Unit, ctx: RuleContext): RawFinding[] {
  const a = resourcesOf(unit, ctx);
  const out: RawFinding[] = [];
  for (const ev of a.events) {
    if (ev.t !== 'call' || !callSleeps(ev.spec, ev.op)) continue;
    if (ev.op.indirect && ev.spec.indirect === false) continue;
    const held = [...ev.before].map(([id, b]) => ({ k: a.keys.get(id)!, b })).filter(({ k, b }) => definitelyHeld(b) && ctx.catalog.kind(k.kind).atomic);
    if (!held.length) continue;
    // copy_from_user() under pagefault_disable() fails fast instead of faulting in (and sleeping)
    if (ev.spec.sleepsOnlyByFaulting && held.some(({ k }) => ctx.catalog.kind(k.kind).provides?.includes('pagefault-disabled'))) continue;
    const k = held[0].k;
    const acq = k.acquires[0];
    const label = ctx.catalog.kind(k.kind).label;
    out.push({
      rule: 'atomic-sleep/sleep-in-atomic',
      message: `${ev.op.callee}() may sleep, but it runs inside the ${label}${k.obj ? ' `' + k.obj + '`' : ''} opened by ${acq ? acq.op.callee + '() at ' + ctx.where(unit, acq.op.line) : 'the caller'}${held.length > 1 ? ` (also held: ${held.slice(1).map((h) => ctx.catalog.kind(h.k.kind).label).join(', ')})` : ''}.`,
      at: posOf(ev.op, ev.op.node),
      related: held.flatMap(({ k: hk }) => hk.acquires.slice(0, 1).map((x) => ({ message: `${ctx.catalog.kind(hk.kind).label} opened here by ${x.op.callee}()`, at: posOf(x.op, x.op.node) }))),
      scenario: 'S7',
      scenarioParams: { function: unit.cfg.name, location: ev.op.callee, acquire: acq?.op.name ?? '', other: label },
      fingerprint: `atomic-sleep/sleep-in-atomic|${ev.op.callee}|${held.map((h) => h.k.kind).sort().join(',')}`,
    });
  }
  return out;
}

export const ATOMIC_SLEEP_RULES: readonly Rule[] = [
  {
    id: 'atomic-sleep/sleep-in-atomic',
    category: 'atomic-sleep',
    severity: 'error',
    title: 'Sleeping call inside an atomic section',
    description:
      'A call the catalog marks as possibly sleeping (lock_page/folio_lock, mutex_lock, GFP_KERNEL allocations, copy_from_user, a vm_ops->fault handler ...) is reached while an RCU read section, IRQs-off or preemption-off section, spinlock, page-table lock or pagefault-disabled section is definitely held.',
    check,
  },
];
