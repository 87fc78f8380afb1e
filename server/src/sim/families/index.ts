/**
 * Scenario families: a finding's replay, built from its own trace.
 *
 * `buildFamily(request)` turns a ScenarioRequest (protocol/replay.ts) into a
 * scenario definition of the library's data model: the subject CPU runs the
 * events the rule found on its path, in order, each with its own expression
 * and source line; the other CPU is a counterpart protocol of the catalogue
 * (counterparts.ts); the shared locations are the objects and fields the
 * trace's roles bind (`folio->_refcount`, `*folio`, `resv->lock`). The buggy
 * variant is the patch; the fixed variant applies the rule's own fix (the
 * quick fix, or the catalog's pairing) and says which ordering or pairing
 * forbids the outcome.
 *
 * A role is bound only to an expression of its shape (a path: `folio`,
 * `pages[i]`, `mm->context.count`, `*ptep`, or a flag of one: `PG_writeback
 * of head`); when a role the family needs is missing or of the wrong shape
 * there is no replay, and `unavailable` says why.
 */
import { FAMILY_TITLES, type FamilyId } from '../../protocol/scenarioIds';
import type { Role, ScenarioRequest, StepOrigin, TraceEvent } from '../../protocol/replay';
import type { ScenarioDef, VariantDef } from '../scenarios/types';
import { Lane, Locations, type Fence } from './lane';
import * as CP from './counterparts';
import type { CStep, Counterpart } from './counterparts';

export class FamilyUnavailable extends Error {}

type Names = Record<string, string>;

const PATH = /^\*?[A-Za-z_]\w*(?:(?:->|\.)[A-Za-z_]\w*|\[[^[\]]{1,40}\])*$/;
const FLAG_OF = /^([A-Za-z_]\w*) of (\*?[A-Za-z_][\w>.[\]-]*)$/;

/** The expression bound to a role, checked for its shape; throws FamilyUnavailable when it cannot be bound. */
function bind(req: ScenarioRequest, role: Role, flagOk = false): string {
  const v = req.roles[role];
  if (!v) throw new FamilyUnavailable(`the ${role} of this race is not bound to an expression of the patch`);
  const t = v.trim();
  if (PATH.test(t.replace(/\s+/g, '')) && !/\w\s+\w/.test(t)) return t.replace(/\s+/g, '');
  const m = FLAG_OF.exec(t);
  if (flagOk && m && PATH.test(m[2])) return t;
  throw new FamilyUnavailable(`\`${t.slice(0, 60)}\` cannot play the ${role} (it is not an object or field of the patch)`);
}

function optional(req: ScenarioRequest, role: Role, flagOk = false): string | undefined {
  try {
    return req.roles[role] ? bind(req, role, flagOk) : undefined;
  } catch {
    return undefined;
  }
}

const fill = (t: string, names: Names): string => t.replace(/\{([A-Za-z_]\w*)\}/g, (m, k: string) => (k in names ? names[k] : m));

function patch(e: TraceEvent | undefined): StepOrigin | undefined {
  if (!e) return undefined;
  return { kind: 'patch', line: e.at.line, ...(e.at.fileLine ? { fileLine: e.at.fileLine } : {}), ...(e.at.fn ? { fn: e.at.fn } : {}) };
}

const fixAt = (e: TraceEvent | undefined): StepOrigin => ({ kind: 'fix', ...(e ? { line: e.at.line, ...(e.at.fn ? { fn: e.at.fn } : {}) } : {}) });
const cpOrigin = (c: Counterpart): StepOrigin => ({ kind: 'counterpart', protocol: c.protocol });

/** The root object of a path: `folio` of `folio->mapping`, `resv` of `resv->lock`. */
function rootOf(p: string): string {
  return p.replace(/^\*/, '').match(/^[^.[-]*/)?.[0] ?? p;
}

/** The era of the patch's names: folio APIs (v5.16+) or page APIs. */
function era(req: ScenarioRequest): 'folio' | 'page' {
  const n = req.names ?? {};
  const words = [n.acquire, n.release, n.get, n.lookup, req.roles.object, ...req.events.map((e) => e.api)].filter(Boolean).join(' ');
  return /folio/.test(words) ? 'folio' : 'page';
}

/** Run a counterpart's steps on a lane. Returns its named registers. */
function runCounterpart(lane: Lane, c: Counterpart, names: Names, locs: Locations, steps: CStep[] = c.steps, regs: Record<string, string> = {}): Record<string, string> {
  const o = cpOrigin(c);
  const T = (t: string) => fill(t, names);
  const atomic = (loc: string) => locs.defs[loc]?.type === 'atomic_t';
  for (const s of steps) {
    switch (s.op) {
      case 'read':
        regs[s.as ?? `_${Object.keys(regs).length}`] = atomic(s.loc) ? lane.atomicRead(s.loc, T(s.text), T(s.explain), o) : lane.read(s.loc, T(s.text), T(s.explain), o);
        break;
      case 'atomicRead':
        regs[s.as ?? `_${Object.keys(regs).length}`] = lane.atomicRead(s.loc, T(s.text), T(s.explain), o);
        break;
      case 'readAcquire':
        regs[s.as ?? `_${Object.keys(regs).length}`] = lane.readAcquire(s.loc, T(s.text), T(s.explain), o);
        break;
      case 'write':
        if (atomic(s.loc)) lane.atomicSet(s.loc, Number(s.value), T(s.text), T(s.explain), o);
        else lane.write(s.loc, s.value, T(s.text), T(s.explain), o);
        break;
      case 'writeRelease':
        lane.writeRelease(s.loc, s.value, T(s.text), T(s.explain), o);
        break;
      case 'add':
        lane.add(s.loc, s.n ?? 1, T(s.text), T(s.explain), o);
        break;
      case 'sub':
        lane.sub(s.loc, s.n ?? 1, T(s.text), T(s.explain), o);
        break;
      case 'subReturn':
        regs[s.as ?? `_${Object.keys(regs).length}`] = lane.subReturn(s.loc, s.n ?? 1, T(s.text), T(s.explain), o);
        break;
      case 'lockTry':
        regs[s.as ?? `_${Object.keys(regs).length}`] = lane.lockTry(s.loc, T(s.text), T(s.explain), o);
        break;
      case 'spinTrylock':
        regs[s.as ?? `_${Object.keys(regs).length}`] = lane.spinTrylock(s.loc, T(s.text), T(s.explain), o);
        break;
      case 'unlockStore':
        lane.unlockStore(s.loc, T(s.text), T(s.explain), o);
        break;
      case 'spinLock':
        lane.spinLock(s.loc, T(s.text), T(s.explain), o);
        break;
      case 'spinUnlock':
        lane.spinUnlock(s.loc, T(s.text), T(s.explain), o);
        break;
      case 'set':
        lane.atomicSet(s.loc, s.value, T(s.text), T(s.explain), o);
        break;
      case 'fence':
        lane.fence(s.fence, T(s.text), T(s.explain), o);
        break;
      case 'rcuLock':
        lane.rcuLock(T(s.text), T(s.explain), o);
        break;
      case 'rcuUnlock':
        lane.rcuUnlock(T(s.text), T(s.explain), o);
        break;
      case 'sync':
        lane.sync(T(s.text), T(s.explain), o);
        break;
      case 'if':
        lane.when(regs[s.reg], s.value, T(s.text), () => runCounterpart(lane, c, names, locs, s.then, regs), s.else ? () => runCounterpart(lane, c, names, locs, s.else!, regs) : undefined);
        break;
    }
  }
  return regs;
}

/** What a family builds for one variant. */
interface Built {
  title: string;
  race: string;
  invariant: string;
  summary: string;
  locs: Locations;
  lanes: Lane[];
  condition: string;
  fix?: string;
  reason?: string;
  unreachableBecause?: string;
}

interface Ctx {
  req: ScenarioRequest;
  fixed: boolean;
  fn: string;
  names: Names;
  ev: (kind: TraceEvent['kind'], note?: string) => TraceEvent | undefined;
  evs: (kind: TraceEvent['kind']) => TraceEvent[];
  subject: (title: string) => Lane;
  other: (c: Counterpart, names: Names) => Lane;
}

function ctxOf(req: ScenarioRequest): Ctx {
  const fn = req.function || 'the patched function';
  let lanes = 0;
  const c: Ctx = {
    req,
    fixed: req.variant === 'fixed',
    fn,
    names: { fn, ...(req.names ?? {}) },
    ev: (kind, note) => req.events.find((e) => e.kind === kind && (note === undefined || e.note === note)),
    evs: (kind) => req.events.filter((e) => e.kind === kind),
    subject: (title) => new Lane(lanes++, title, { origin: 'patch', fn }),
    other: (cp, names) => new Lane(lanes++, fill(cp.title, names), { origin: 'counterpart', protocol: cp.protocol }),
  };
  return c;
}

const BIAS = 1024;

function isPinKind(k: string | undefined): boolean {
  return k === 'gup-pin' || k === 'pin-bias';
}

/** The element of a GUP array the model follows (`pages[0]`), or the object itself. */
function elemOf(obj: string, names: Names): string {
  return names.array === '1' && /^[A-Za-z_]\w*$/.test(obj) ? `${obj}[0]` : obj;
}

/** The counter field of an object (`folio->_refcount`, `pgmap->ref`, `pages[0]->_refcount` for a GUP array). */
function counterOf(obj: string, names: Names): string {
  return `${elemOf(obj, names)}->${names.field || '_refcount'}`;
}

function memOf(obj: string, names: Names): string {
  return obj.startsWith('*') ? obj : `*${elemOf(obj, names)}`;
}

/** Names of the other holder of a reference, by kind and era. */
function holderNames(c: Ctx, whole: string): Names {
  const kind = c.names.kind ?? '';
  const obj = elemOf(whole, c.names);
  const folio = era(c.req) === 'folio';
  if (kind === 'pgmap-ref') {
    return {
      holder: 'the driver unbinds: memunmap_pages()',
      put: `percpu_ref_kill(&${obj}->ref)`,
      free: 'the count reached 0: the device memory is torn down',
      holderUse: `reads the device memory behind ${obj}`,
    };
  }
  if (/^(page-ref|folio-ref|gup-get|gup-pin|pin-bias)$/.test(kind)) {
    const put = folio ? `folio_put(${obj})` : `put_page(${obj})`;
    return {
      holder: `the last other holder (the page cache, a mapping) drops its reference`,
      put,
      free: folio ? `__folio_put(): ${obj} goes back to the allocator` : `__put_page(): ${obj} goes back to the allocator`,
      holderUse: `another holder reads ${obj}'s contents`,
      alloc: folio ? `folio_alloc(): ${obj} again, set_page_refcounted()` : `alloc_page(): ${obj} again, set_page_refcounted()`,
    };
  }
  const rel = c.names.release ? `${c.names.release}(${obj})` : `the other holder's put of ${obj}`;
  return { holder: 'the other holder drops its reference', put: rel, free: `${obj} is freed`, holderUse: `another holder reads ${obj}'s contents`, alloc: `${obj} is allocated again` };
}

// ---------------------------------------------------------------------------
// leak: a reference never dropped

function leak(c: Ctx): Built {
  const obj = bind(c.req, 'object');
  const locs = new Locations();
  const pin = isPinKind(c.names.kind);
  const unit = pin ? BIAS : 1;
  const acq = c.ev('acquire');
  const held = !acq;
  locs.add('ref', counterOf(obj, c.names), held ? 1 + unit : 1, 'atomic_t', `${counterOf(obj, c.names)}: 1 = the other holder's reference${held ? `, plus the one ${c.fn}() holds` : ''}`);
  locs.add('mem', memOf(obj, c.names), 1, 'int', `${obj} itself: 1 = allocated, 0 = freed`);
  const label = c.names.label ?? 'reference';
  const p = c.subject(`${c.fn}()`);
  let got: string | undefined;
  if (acq && pin) {
    p.add('ref', unit, acq.expr, `takes a ${label} on ${obj}: ${c.names.bias ?? 'the pin bias'} (${unit}) is added to ${counterOf(obj, c.names)}`, patch(acq));
  } else if (acq) {
    // the reference is taken while the object is live (the path holds it, or finds it under a lock): a get on a
    // refcount of 0 is not this path, so it is modelled as a get that fails there
    got = p.addUnless('ref', acq.expr, `takes a ${label} on ${obj}${acq.note === 'speculative' ? '' : ' (on a live object: a refcount of 0 is not this path)'}`, patch(acq));
  } else {
    const first = c.req.events[0];
    p.note(`${c.fn}() holds ${obj} here`, `the ${label} was taken before the code the patch shows`, patch(first));
  }
  const recheck = c.ev('recheck');
  const deleted = c.ev('release', 'deleted');
  const exit = c.ev('exit');
  const fixExpr = c.req.fix?.expr ?? (deleted ? deleted.expr : c.names.release ? `${c.names.release}(${obj})` : undefined);
  const path = () => {
    if (recheck) p.note(recheck.expr, `the re-check fails: ${obj} changed under the speculative get`, patch(recheck));
    if (c.fixed) {
      const o = deleted ? patch(deleted) : fixAt(exit);
      const r = p.subReturn('ref', unit, fixExpr ?? `drop the ${label}`, deleted ? 'the fix keeps the release the patch removed' : `the fix: drops the ${label} before leaving`, o);
      p.when(r, 0, `if (that was the last reference)`, () => p.write('mem', 0, `${obj} is freed`, 'the last reference is gone', o));
    } else if (deleted) {
      p.note(`${deleted.expr} (removed by the patch)`, `the patch deletes this release from the path`, patch(deleted));
    }
    if (exit) p.note(exit.expr, c.fixed ? `leaves ${c.fn}() having dropped ${obj}` : `leaves ${c.fn}() still holding the ${label} on ${obj}: nothing on this path drops it`, patch(exit));
  };
  if (got) p.when(got, 1, `if (${acq!.expr})`, path);
  else path();
  const hn = holderNames(c, obj);
  const names = { ...c.names, ...hn, obj };
  const q = c.other(CP.FINAL_PUT, names);
  runCounterpart(q, CP.FINAL_PUT, names, locs);
  return {
    title: FAMILY_TITLES.leak,
    race: `${c.fn}() takes a ${label} on ${obj} and leaves ${exit ? `through \`${exit.expr}\`` : 'a path'} without dropping it. The other holder's final put then leaves the refcount above 0: ${obj} is never freed.`,
    invariant: `${obj} is never freed: when every holder is done, ${counterOf(obj, c.names)} is still above 0 (the ${label} taken by ${c.fn}() leaks)`,
    summary: c.fixed ? `${fixExpr ?? 'the release'} on the path that leaked` : `the path through \`${exit?.expr ?? '?'}\` keeps the ${label}`,
    locs,
    lanes: [p, q],
    condition: '$mem=1',
    fix: c.req.fix?.title,
    reason: c.names.acquire
      ? `${fixExpr ?? 'The release'} on this path pairs the ${c.names.acquire}() with its ${callOf(c.names.release, 'release')}: the refcount returns to 0 when the other holder is done, and ${obj} is freed`
      : `${fixExpr ?? 'The release'} on this path drops the ${label} ${c.fn}() holds: the refcount returns to 0 when the other holder is done, and ${obj} is freed`,
    unreachableBecause: c.names.acquire
      ? `every ${c.names.acquire}() is now paired with ${callOf(c.names.release, 'a release')}: in every execution the last put frees ${obj}`
      : `the ${label} ${c.fn}() holds is now dropped on this path: in every execution the last put frees ${obj}`,
  };
}

/** `name()` for a named call, else the words for it. */
function callOf(name: string | undefined, words: string): string {
  return name ? `${name}()` : words;
}

// ---------------------------------------------------------------------------
// lock-leak: a lock or section left held

function lockCalls(c: Ctx, lock: string): Names {
  const kind = c.names.kind ?? 'spinlock';
  const folio = era(c.req) === 'folio';
  const amp = (l: string) => (/^[A-Za-z_]\w*$/.test(l) ? l : `&${l}`);
  switch (kind) {
    case 'ptl':
      return { lockCall: `spin_lock(${lock})`, unlockCall: `spin_unlock(${lock})`, waiter: 'another CPU walking the same page table (page_vma_mapped_walk())' };
    case 'page-lock':
      return folio
        ? { lockCall: `folio_trylock(${rootOf(lock)}) / folio_lock()`, unlockCall: `folio_unlock(${rootOf(lock)})`, waiter: 'another CPU locking the folio (reclaim, migration, truncate)' }
        : { lockCall: `trylock_page(${rootOf(lock)}) / lock_page()`, unlockCall: `unlock_page(${rootOf(lock)})`, waiter: 'another CPU locking the page (reclaim, migration, truncate)' };
    case 'mutex':
      return { lockCall: `mutex_lock(${amp(lock)})`, unlockCall: `mutex_unlock(${amp(lock)})`, waiter: 'another task taking the mutex' };
    case 'rwsem':
      return { lockCall: `down_write(${amp(lock)})`, unlockCall: `up_write(${amp(lock)})`, waiter: 'another task taking the semaphore' };
    default:
      return { lockCall: `spin_lock(${amp(lock)})`, unlockCall: `spin_unlock(${amp(lock)})`, waiter: 'another CPU taking the lock' };
  }
}

/** The state a section keeps, and who waits for it, by kind. */
function sectionState(c: Ctx): { loc: string; context: boolean; atomic: boolean; meaning: string; waiter: string; waitCheck: string; waitWhy: string } {
  const kind = c.names.kind ?? 'rcu';
  const acq = c.ev('acquire');
  const arg = acq ? /\(([^()]*)\)/.exec(acq.expr)?.[1]?.trim() : undefined;
  switch (kind) {
    case 'rcu':
    case 'srcu':
      return { loc: 'current->rcu_read_lock_nesting', context: false, atomic: false, meaning: 'the task\'s RCU read-side nesting (CONFIG_PREEMPT_RCU): 1 = inside a read-side section', waiter: 'synchronize_rcu() on another CPU', waitCheck: 'the grace period checks the task of CPU0', waitWhy: '1 = it is in a read-side section: the grace period must wait for its rcu_read_unlock()' };
    case 'irq-off':
      return { loc: 'IRQs of CPU0', context: true, atomic: false, meaning: 'the IRQ state of CPU0: 1 = disabled', waiter: 'another CPU: smp_call_function_many(..., wait=1) (a TLB shootdown)', waitCheck: 'the IPI waits for CPU0', waitWhy: '1 = IRQs are off on CPU0: the IPI is not taken and the sender waits' };
    case 'lockless-walk':
      return { loc: `${arg && PATH.test(arg.replace(/\s+/g, '')) ? arg.replace(/\s+/g, '') : 'mm'}->context.lockless_pgtbl_walk_count`, context: false, atomic: true, meaning: 'the lockless page-table walker count (seed 003): 1 = a walk is running', waiter: 'THP split: running_lockless_pgtbl_walk(mm)', waitCheck: 'running_lockless_pgtbl_walk(mm)', waitWhy: '1 = a walker is running: the split must send the IPI and wait for it' };
    default:
      return { loc: `${c.names.label ?? kind} of CPU0`, context: true, atomic: false, meaning: `CPU0's ${c.names.label ?? kind}: 1 = open`, waiter: 'synchronize_rcu() on another CPU (RCU-sched: preemption must be enabled again)', waitCheck: 'the grace period checks CPU0', waitWhy: '1 = CPU0 is still in the section: the grace period waits' };
  }
}

function lockLeak(c: Ctx): Built {
  const lockRole = optional(c.req, 'lock');
  if (c.names.shape === 'relock') return relock(c, bind(c.req, 'lock'));
  if (lockRole || c.names.kind === 'ptl' || c.names.kind === 'page-lock' || c.names.kind === 'spinlock') {
    const lock = bind(c.req, 'lock');
    const locs = new Locations();
    const display = c.names.kind === 'page-lock' ? `PG_locked of ${rootOf(lock)}` : lock;
    locs.add('lock', display, 0, 'int', `${display}: 0 = free, 1 = held`);
    const calls = lockCalls(c, lock);
    const p = c.subject(`${c.fn}()`);
    const acq = c.ev('acquire');
    const exit = c.ev('exit');
    const deleted = c.ev('release', 'deleted');
    if (acq) p.lockTry('lock', acq.expr, `takes ${lock} (modelled by its fast path, cmpxchg_acquire(lock, 0, 1))`, patch(acq));
    else p.note(`${c.fn}() holds ${lock} here`, 'the lock was taken before the code the patch shows', patch(c.req.events[0]));
    if (c.fixed) p.unlockStore('lock', c.req.fix?.expr ?? calls.unlockCall, deleted ? 'the fix keeps the release the patch removed' : `the fix: releases ${lock} before leaving (a release store)`, deleted ? patch(deleted) : fixAt(exit));
    else if (deleted) p.note(`${deleted.expr} (removed by the patch)`, 'the patch deletes this unlock from the path', patch(deleted));
    if (exit) p.note(exit.expr, c.fixed ? `leaves ${c.fn}() with ${lock} released` : `leaves ${c.fn}() with ${lock} still held: nobody will ever release it`, patch(exit));
    const names = { ...c.names, ...calls, lock: display };
    const q = c.other(CP.LOCK_WAITER, names);
    const r = runCounterpart(q, CP.LOCK_WAITER, names, locs);
    const waits = c.names.kind === 'page-lock' ? 'waits' : 'spins';
    return {
      title: FAMILY_TITLES['lock-leak'],
      race: `${c.fn}() takes ${display} and leaves ${exit ? `through \`${exit.expr}\`` : 'a path'} without releasing it: the next CPU that needs it ${waits} for ever.`,
      invariant: `${display} stays held after ${c.fn}() returned: ${calls.waiter} finds it held and ${waits} for ever`,
      summary: c.fixed ? `${c.req.fix?.expr ?? calls.unlockCall} before leaving` : `the path through \`${exit?.expr ?? '?'}\` keeps ${lock}`,
      locs,
      lanes: [p, q],
      condition: `${q.cpu}:${r.held}=1 /\\ $lock=1`,
      fix: c.req.fix?.title,
      reason: `${c.req.fix?.expr ?? calls.unlockCall} pairs the ${callOf(c.names.acquire, 'lock')} of this path: ${lock} is free again when ${c.fn}() returns`,
      unreachableBecause: `every ${callOf(c.names.acquire, 'lock')} is now paired with ${callOf(c.names.release, 'an unlock')}: ${lock} is never left held`,
    };
  }
  // a section with no object: RCU, IRQs off, a lockless walk
  const st = sectionState(c);
  const locs = new Locations();
  locs.add('state', st.loc, 0, st.atomic ? 'atomic_t' : 'int', st.meaning, st.context);
  const label = c.names.label ?? 'section';
  const p = c.subject(`${c.fn}()`);
  const acq = c.ev('acquire');
  const exit = c.ev('exit');
  const deleted = c.ev('release', 'deleted');
  const enter = (text: string, why: string, o?: StepOrigin) => (st.atomic ? p.add('state', 1, text, why, o) : p.write('state', 1, text, why, o));
  const leave = (text: string, why: string, o?: StepOrigin) => (st.atomic ? p.sub('state', 1, text, why, o) : p.write('state', 0, text, why, o));
  if (acq) enter(acq.expr, `opens the ${label}`, patch(acq));
  else {
    p.note(`${c.fn}() is inside the ${label} here`, 'it was opened before the code the patch shows', patch(c.req.events[0]));
    enter(`(the ${label} is open)`, 'the state the section keeps', patch(c.req.events[0]));
  }
  const release = c.req.fix?.expr ?? (c.names.release ? `${c.names.release}()` : 'the close');
  if (c.fixed) leave(release, deleted ? 'the fix keeps the close the patch removed' : `the fix: closes the ${label} before leaving`, deleted ? patch(deleted) : fixAt(exit));
  else if (deleted) p.note(`${deleted.expr} (removed by the patch)`, 'the patch deletes this close from the path', patch(deleted));
  if (exit) p.note(exit.expr, c.fixed ? `leaves ${c.fn}() with the ${label} closed` : `leaves ${c.fn}() with the ${label} still open`, patch(exit));
  const cp = st.atomic ? CP.COUNT_WAITER : CP.SECTION_WAITER;
  const names = { ...c.names, waiter: st.waiter, waitCheck: st.waitCheck, waitWhy: st.waitWhy };
  const q = c.other(cp, names);
  const r = runCounterpart(q, cp, names, locs);
  return {
    title: FAMILY_TITLES['lock-leak'],
    race: `${c.fn}() opens the ${label} and leaves ${exit ? `through \`${exit.expr}\`` : 'a path'} without closing it: ${st.waiter} waits for it to end, for ever.`,
    invariant: `the ${label} opened in ${c.fn}() never ends: ${st.waiter} finds it open after ${c.fn}() returned, and waits for ever`,
    summary: c.fixed ? `${release} before leaving` : `the path through \`${exit?.expr ?? '?'}\` leaves the ${label} open`,
    locs,
    lanes: [p, q],
    condition: `${q.cpu}:${r.open}=1 /\\ $state=1`,
    fix: c.req.fix?.title,
    reason: `${release} pairs the ${callOf(c.names.acquire, 'open')} of this path: the ${label} ends when ${c.fn}() returns, and ${st.waiter} can go on`,
    unreachableBecause: `every ${callOf(c.names.acquire, 'open')} is now paired with ${callOf(c.names.release, 'a close')}: the section is closed on every way out`,
  };
}

function relock(c: Ctx, lock: string): Built {
  const locs = new Locations();
  locs.add('lock', lock, 0, 'int', `${lock}: 0 = free, 1 = held`);
  const calls = lockCalls(c, lock);
  const p = c.subject(`${c.fn}()`);
  const [first, again] = c.evs('acquire');
  const exit = c.ev('exit');
  p.lockTry('lock', first?.expr ?? calls.lockCall, `takes ${lock}`, patch(first));
  if (c.fixed) p.unlockStore('lock', c.req.fix?.expr ?? calls.unlockCall, `the fix: releases ${lock} before retrying`, fixAt(exit));
  if (exit) p.note(exit.expr, c.fixed ? 'retries, with the lock released' : `retries while still holding ${lock}`, patch(exit));
  const r1 = p.lockTry('lock', again?.expr ?? calls.lockCall, `takes ${lock} again: 1 = it is held${c.fixed ? '' : ' (by this CPU itself)'}`, patch(again));
  const names = { ...c.names, ...calls, lock };
  const q = c.other(CP.LOCK_WAITER, names);
  const r = runCounterpart(q, CP.LOCK_WAITER, names, locs);
  return {
    title: FAMILY_TITLES['lock-leak'],
    race: `${c.fn}() retries with ${lock} still held and takes it again: it spins on its own lock, and every other CPU that needs ${lock} spins behind it.`,
    invariant: `${c.fn}() spins on ${lock}, which it holds itself, while ${calls.waiter} waits for it too: deadlock`,
    summary: c.fixed ? `${c.req.fix?.expr ?? calls.unlockCall} before retrying` : `the retry takes ${lock} again`,
    locs,
    lanes: [p, q],
    condition: `0:${r1}=1 /\\ ${q.cpu}:${r.held}=1`,
    fix: c.req.fix?.title,
    reason: `${c.req.fix?.expr ?? calls.unlockCall} before the retry: ${c.fn}() never waits for a lock it holds itself (mutual exclusion of ${lock})`,
    unreachableBecause: `${lock} is released before it is taken again: ${c.fn}() and ${calls.waiter} cannot both find it held by the other`,
  };
}

// ---------------------------------------------------------------------------
// double-release: a reference dropped twice, after a failed get, or never taken

function doubleRelease(c: Ctx): Built {
  const obj = bind(c.req, 'object');
  const shape = c.names.shape ?? 'twice';
  const locs = new Locations();
  const label = c.names.label ?? 'reference';
  const acq = c.ev('acquire');
  const rels = c.evs('release');
  const hn = holderNames(c, obj);
  const names: Names = { ...c.names, ...hn, obj };
  const p = c.subject(`${c.fn}()`);
  const putFree = (e: TraceEvent | undefined, text: string, why: string, o?: StepOrigin) => {
    const r = p.subReturn('ref', 1, text, why, o ?? patch(e));
    p.when(r, 0, 'if (that was the last reference)', () => p.write('mem', 0, `${obj} is freed`, 'its refcount reached 0', o ?? patch(e)));
  };
  const counted = isPinKind(c.names.kind) ? ' (one count here is one pin: GUP_PIN_COUNTING_BIAS on _refcount)' : '';
  if (shape === 'failed') {
    locs.add('ref', counterOf(obj, c.names), 1, 'atomic_t', `${counterOf(obj, c.names)}: 1 = the last holder's reference`);
    locs.add('mem', memOf(obj, c.names), 1, 'int', `${obj} itself: 1 = allocated, 0 = freed, 2 = a new owner's data`);
    const r0 = p.addUnless('ref', acq?.expr ?? `${c.names.acquire}(${obj})`, `fails when the refcount is already 0: ${obj} is being freed`, patch(acq));
    p.when(r0, 0, `if (!${acq?.expr ?? 'the get'})`, () => {
      const rel = rels[rels.length - 1];
      if (c.fixed) p.note(`(no ${c.names.release ?? 'put'} here)`, `the fix: the reference was never taken, so nothing is dropped`, fixAt(rel));
      else putFree(rel, rel?.expr ?? `${c.names.release}(${obj})`, `drops a reference ${c.fn}() never got: it takes away the next owner's`);
    });
    const q = c.other(CP.REUSER, names);
    const r = runCounterpart(q, CP.REUSER, names, locs);
    return {
      title: FAMILY_TITLES['double-release'],
      race: `${acq?.expr ?? 'The conditional get'} fails because ${obj} is being freed, and ${c.fn}() drops a reference anyway. When the allocator has handed ${obj} to a new owner, that put drops the new owner's only reference and frees ${obj} under it.`,
      invariant: `the new owner of ${obj} uses it after ${c.fn}()'s stray put freed it`,
      summary: c.fixed ? `no put when ${acq?.expr ?? 'the get'} failed` : `a put after ${acq?.expr ?? 'the get'} failed`,
      locs,
      lanes: [p, q],
      condition: `${q.cpu}:${r.last}=0 /\\ ${q.cpu}:${r.use}=0`,
      fix: c.req.fix?.title,
      reason: `with no put after a failed ${callOf(c.names.acquire, 'get')}, every put of ${obj} is paired with a get that succeeded: the new owner's reference is never taken away`,
      unreachableBecause: `${c.fn}() drops only references it took: nothing frees ${obj} under its new owner`,
    };
  }
  // the reference this function holds is in the initial count (one RMW fewer on the location: every RMW
  // on a location multiplies the executions); its acquire is shown where the patch takes it
  locs.add('ref', counterOf(obj, c.names), shape === 'borrowed' ? 1 : 2, 'atomic_t', `${counterOf(obj, c.names)}: ${shape === 'borrowed' ? "1 = the holder's reference (the mapping's)" : `2 = the other holder's reference and the one ${c.fn}() ${acq ? 'takes' : 'was handed'}`}${counted}`);
  locs.add('mem', memOf(obj, c.names), 1, 'int', `${obj} itself: 1 = allocated, 0 = freed`);
  if (shape === 'borrowed') {
    const lk = c.ev('lookup');
    const use = c.ev('use');
    p.note(lk?.expr ?? `${obj} found`, `returns ${obj} without taking a reference on it`, patch(lk));
    if (use) p.read('mem', use.expr, `${c.fn}() reads ${obj} (1 = still allocated)`, patch(use));
    const rel = rels[rels.length - 1];
    if (c.fixed) p.note(`(no ${c.names.release ?? 'put'} of ${obj})`, `the fix: ${c.fn}() took no reference, so it drops none`, fixAt(rel));
    else putFree(rel, rel?.expr ?? `${c.names.release}(${obj})`, `drops a reference that belongs to somebody else`);
  } else {
    if (acq) p.note(acq.expr, `takes a ${label} on ${obj} (counted in the initial refcount: 2)${counted}`, patch(acq));
    const [first, ...rest] = rels;
    if (first) putFree(first, first.expr, `drops the ${label}`);
    for (const second of rest) {
      if (c.fixed) p.note(`(${second.expr} removed)`, 'the fix: the reference was already dropped above', fixAt(second));
      else putFree(second, second.expr, `drops it a second time: this takes away the other holder's reference`);
    }
  }
  const q = c.other(CP.CONCURRENT_HOLDER, names);
  const r = runCounterpart(q, CP.CONCURRENT_HOLDER, names, locs);
  return {
    title: FAMILY_TITLES['double-release'],
    race: shape === 'borrowed'
      ? `${c.fn}() drops a reference on ${obj} that it never took. The holder that owns that reference still uses ${obj}, which the stray put freed.`
      : `${c.fn}() drops its ${label} on ${obj} twice. The second put takes away the reference of another holder, which goes on using ${obj} after it was freed.`,
    invariant: `another holder uses ${obj} after ${c.fn}()'s ${shape === 'borrowed' ? 'stray' : 'second'} put freed it (use after free)`,
    summary: c.fixed ? (shape === 'borrowed' ? `no put of a reference ${c.fn}() never took` : 'one put per get') : shape === 'borrowed' ? 'a put of a reference somebody else owns' : 'a second put of the same reference',
    locs,
    lanes: [p, q],
    condition: `${q.cpu}:${r.use}=0`,
    fix: c.req.fix?.title,
    reason: `each put is now paired with a get, so ${obj} is freed only by its last put; the put is fully ordered (atomic_dec_and_test), so every access of the other holder happens before that free`,
  };
}

// ---------------------------------------------------------------------------
// wrong-release: a release of the wrong kind

function pinChecker(c: Ctx, obj: string): Names {
  const folio = era(c.req) === 'folio' || /folio/.test(obj);
  if (c.names.kind === 'pin-bias') return { checker: `page_pinned(${rootOf(obj)})`, checkerWho: 'writeback checks for pins (the 2019 RFC, seed 000): page_pinned()', biasName: c.names.bias ?? 'PAGE_PIN_BIAS' };
  return folio
    ? { checker: `folio_maybe_dma_pinned(${obj})`, checkerWho: 'fork() or writeback: folio_maybe_dma_pinned()', biasName: 'GUP_PIN_COUNTING_BIAS' }
    : { checker: `page_maybe_dma_pinned(${obj})`, checkerWho: 'fork() or writeback: page_maybe_dma_pinned()', biasName: 'GUP_PIN_COUNTING_BIAS' };
}

function wrongRelease(c: Ctx): Built {
  const obj = bind(c.req, 'object');
  const acq = c.ev('acquire');
  // a release the patch replaced: the deleted one says which reference the object holds, taken out of sight
  const deleted = c.ev('release', 'deleted');
  const rel = c.ev('release', 'replacement') ?? c.ev('release', 'wrong-kind') ?? c.ev('release');
  const locs = new Locations();
  const counter = counterOf(obj, c.names).replace(/^(\w+)\[0\]/, '$1');
  const pinTaken = isPinKind(c.names.kind);
  const heldBefore = !acq ? (pinTaken ? BIAS : 1) : 0;
  locs.add('ref', counter, 1 + heldBefore, 'atomic_t', `${counter}: 1 = the mapping's reference${heldBefore ? ` + the ${c.names.label ?? 'reference'} ${c.fn}() holds (${heldBefore})` : ''}; ${BIAS} or more = maybe pinned for DMA`);
  const ck = pinChecker(c, obj);
  const names: Names = { ...c.names, ...ck, obj, bias: String(BIAS) };
  const p = c.subject(`${c.fn}()`);
  const fixExpr = c.req.fix?.expr;
  let bad: number;
  if (!acq) p.note(`${c.fn}() holds a ${c.names.label ?? 'reference'} on ${obj}`, `taken out of sight: the release the patch replaces, ${deleted?.expr ?? 'the old one'}, dropped a ${c.names.label ?? 'reference'}`, patch(rel));
  const fixO = deleted ? patch(deleted) : fixAt(rel);
  const fixWhy = deleted ? 'the release the patch replaced (the fix keeps it)' : undefined;
  if (pinTaken) {
    if (acq) p.add('ref', BIAS, acq.expr, `pins ${obj}: adds ${ck.biasName} (${BIAS}) to ${counter}`, patch(acq));
    if (c.fixed) p.subReturn('ref', BIAS, fixExpr ?? `${c.names.fixRelease ?? 'unpin'}(${obj})`, fixWhy ?? `the fix: takes back the ${ck.biasName} the pin added`, fixO);
    else p.subReturn('ref', 1, rel?.expr ?? `${c.names.release}(${obj})`, `drops one reference, not the pin: ${ck.biasName} stays in the count`, patch(rel));
    bad = BIAS;
  } else {
    if (acq) p.add('ref', 1, acq.expr, `takes a ${c.names.label ?? 'reference'} on ${obj}: one more on ${counter}`, patch(acq));
    if (c.fixed) p.subReturn('ref', 1, fixExpr ?? `${c.names.fixRelease ?? 'put'}(${obj})`, fixWhy ?? 'the fix: drops exactly the reference it took', fixO);
    else p.subReturn('ref', BIAS, rel?.expr ?? `${c.names.release}(${obj})`, `unpins: takes away GUP_PIN_COUNTING_BIAS (${BIAS}) references that were never added`, patch(rel));
    bad = 1 + 1 - BIAS;
  }
  const q = c.other(CP.PIN_CHECKER, names);
  const r = runCounterpart(q, CP.PIN_CHECKER, names, locs);
  return {
    title: FAMILY_TITLES['wrong-release'],
    race: pinTaken
      ? `${c.fn}() pins ${obj} and releases it with ${c.names.release}(), which drops one reference instead of the pin: ${ck.biasName} stays in ${counter} for ever, so ${ck.checker} says "pinned" after the pin is gone and the folio is never freed.`
      : `${c.fn}() takes a plain reference on ${obj} and releases it with ${c.names.release}(), which takes away ${ck.biasName}: ${counter} underflows.`,
    invariant: pinTaken
      ? `after ${c.fn}() has released ${obj}, ${ck.checker} still reads ${counter} = ${BIAS}: the pin count is corrupted, "maybe pinned" is a lie, and the count never returns to 0`
      : `${counter} goes negative (${bad}): the pin count is corrupted and the folio can be freed while still mapped`,
    summary: c.fixed ? `${fixExpr ?? 'the matching release'} instead of ${rel?.expr ?? 'the release'}` : `${rel?.expr ?? 'the release'} does not match ${acq?.expr ?? 'the acquire'}`,
    locs,
    lanes: [p, q],
    condition: `${q.cpu}:${r.seen}=${bad}`,
    fix: c.req.fix?.title,
    reason: pinTaken
      ? `${callOf(c.names.fixRelease, 'The matching unpin')} takes back exactly the ${ck.biasName} that ${c.names.acquire ? `${c.names.acquire}()` : 'the pin'} added: the count returns to the mapping's 1, and ${ck.checker} sees the pin only while it is held`
      : `${callOf(c.names.fixRelease, 'The matching put')} drops exactly the reference ${c.names.acquire ? `${c.names.acquire}()` : 'the get'} took: the count never goes below the mapping's reference`,
    unreachableBecause: `the release now matches the acquire: ${counter} only ever holds 1 or the value with ${c.fn}()'s own ${pinTaken ? 'pin' : 'reference'}`,
  };
}

// ---------------------------------------------------------------------------
// speculative / recheck: gets on a lockless lookup's result

function lookupNames(c: Ctx, obj: string, slot: string): Names {
  const lk = c.ev('lookup');
  const api = lk?.api ?? c.names.lookup ?? '';
  const folio = era(c.req) === 'folio';
  const pte = /pte|pmd|gup/.test(api) || /pte|pmd/.test(slot);
  const put = folio ? `folio_put(${obj})` : `put_page(${obj})`;
  // the xa_state as the lookup names it: `xas` when it is a pointer, `&xas` for a local
  const xasArg = /\bxas_\w+\(\s*(&?\w+)\s*[,)]/.exec(lk?.expr ?? '')?.[1] ?? '&xas';
  if (pte) {
    return { freer: 'zap_pte_range(): unmaps and frees the page', remove: `ptep_get_and_clear(): ${slot} no longer maps ${obj}`, put, free: `${obj} goes back to the allocator`, recheck: `pte_val(pte) != pte_val(*ptep)`, recheckWhat: 'the pte is read again', alloc: folio ? `folio_alloc(): ${obj} reused, refcount 1` : `alloc_page(): ${obj} reused, refcount 1` };
  }
  return folio
    ? { freer: 'truncate or reclaim: __filemap_remove_folio(), then the last folio_put()', remove: `__filemap_remove_folio(): ${slot} no longer holds ${obj}`, put, free: `${obj} goes back to the allocator`, recheck: /xas/.test(api) ? `${obj} != xas_reload(${xasArg})` : `${obj} != ${api}(...) again`, recheckWhat: 'the lookup is repeated', alloc: `folio_alloc(): ${obj} reused for another file, refcount 1` }
    : { freer: 'truncate or reclaim: __delete_from_page_cache(), then the last put_page()', remove: `__delete_from_page_cache(): ${slot} no longer holds ${obj}`, put, free: `${obj} goes back to the allocator`, recheck: `${obj} != *slot (radix_tree_deref_slot() again)`, recheckWhat: 'the slot is read again', alloc: `alloc_page(): ${obj} reused, refcount 1` };
}

function speculative(c: Ctx, family: 'speculative' | 'recheck'): Built {
  const obj = bind(c.req, 'object');
  const lk = c.ev('lookup');
  // a get the patch made plain: the lookup it relied on is above the hunk
  const slot = lk || c.req.roles.slot ? bind(c.req, 'slot') : `the lookup that found ${obj}`;
  const get = c.ev('acquire', 'plain') ?? c.ev('acquire', 'speculative') ?? c.ev('acquire');
  const use = c.ev('use');
  const recheck = c.ev('recheck');
  const recheckPut = c.ev('release', 'recheck-failed');
  const plain = family === 'speculative';
  const deletedGet = c.ev('acquire', 'deleted');
  const locs = new Locations();
  locs.add('slot', slot, 1, 'int', `${slot}: 1 = holds ${obj}, 0 = ${obj} was removed`, !lk);
  locs.add('ref', counterOf(obj, c.names), 1, 'atomic_t', `${counterOf(obj, c.names)}: 1 = the ${/pte|pmd/.test(slot) ? 'mapping' : 'page cache'}'s reference`);
  locs.add('mem', memOf(obj, c.names), 1, 'int', `${obj} itself: 1 = the data the lookup was for, 2 = a new owner's data, 0 = freed`);
  const ln = lookupNames(c, obj, slot);
  const names: Names = { ...c.names, ...ln, obj, slot };
  const p = c.subject(`${c.fn}()`);
  const useText = use?.expr ?? `${c.fn}() goes on with ${obj}`;
  // the patch's own re-check (a plain get followed by a re-check): its failure path puts the reference back
  const patchRecheck = !c.fixed && !!recheck;
  let useReg: string | undefined;
  let useCond = '';
  const afterGet = () => {
    if (c.fixed || patchRecheck) {
      const r2 = p.read('slot', recheck?.expr ?? ln.recheck, `the re-check: ${ln.recheckWhat}; 1 = ${obj} is still the one the lookup found`, recheck ? patch(recheck) : fixAt(get));
      p.when(r2, 1, `if (${obj} is still there)`, () => {
        useReg = p.read('mem', useText, `2 = ${obj} now holds a new owner's data`, patch(use ?? get));
        useCond = p.cond(useReg, 2);
      }, () => {
        const r4 = p.subReturn('ref', 1, recheckPut?.expr ?? ln.put, patchRecheck ? `the lookup changed: drops the reference it took${plain ? ' — on a refcount it had raised from 0, or on the new owner\'s' : ''}` : 'the lookup changed: drops the speculative reference and retries', recheckPut ? patch(recheckPut) : fixAt(get));
        p.when(r4, 0, 'if (that was the last reference)', () => p.write('mem', 0, `${obj} is freed`, 'its refcount reached 0', recheckPut ? patch(recheckPut) : fixAt(get)));
      });
    } else {
      useReg = p.read('mem', useText, `2 = ${obj} now holds a new owner's data`, patch(use ?? get));
      useCond = p.cond(useReg, 2);
    }
  };
  const r0 = p.read('slot', lk?.expr ?? `${slot} (above the hunk)`, `lockless lookup: 1 = it finds ${obj}`, lk ? patch(lk) : { kind: 'counterpart', protocol: 'the lockless lookup above the hunk' });
  p.when(r0, 1, `if (${obj})`, () => {
    if (plain && !c.fixed) {
      p.add('ref', 1, get?.expr ?? `get ${obj}`, `${callOf(c.names.get, 'the get')} assumes the refcount is already above 0: on a refcount of 0 it brings a freed ${obj} back, and the allocator's set_page_refcounted() for a new owner can overwrite it`, patch(get));
      afterGet();
      return;
    }
    const tryText = plain ? deletedGet?.expr ?? c.req.fix?.expr ?? `${c.names.alt ?? 'folio_try_get'}(${obj})` : get?.expr ?? `${c.names.get}(${obj})`;
    const r1 = p.addUnless('ref', tryText, `a speculative get: fails on a refcount of 0, and is fully ordered when it succeeds${deletedGet ? ' (the call the patch replaced: the fix keeps it)' : ''}`, plain ? (deletedGet ? patch(deletedGet) : fixAt(get)) : patch(get));
    p.when(r1, 1, `if (${tryText})`, afterGet);
  });
  const q = c.other(CP.SPEC_REUSER, names);
  const r = runCounterpart(q, CP.SPEC_REUSER, names, locs);
  // with the patch's own re-check, the harm lands on the new owner (its folio freed under it); without, on this function (somebody else's data)
  const byOwner = !!recheck;
  const condition = byOwner ? `${q.cpu}:${r.last}=0 /\\ ${q.cpu}:${r.use}=0` : useCond;
  return {
    title: FAMILY_TITLES[family],
    race: plain
      ? `${c.fn}() finds ${obj} with a lockless lookup and takes a plain reference. Meanwhile ${obj} is removed, its last reference dropped, and the allocator hands it to a new owner. The plain get raises a refcount of 0 (or is overwritten by the new owner's refcount)${recheck ? `; the re-check then sees ${obj} changed and puts the reference back, which frees ${obj} under its new owner` : `, and ${c.fn}() goes on with somebody else's ${obj}`}.`
      : `${c.fn}() finds ${obj} with a lockless lookup and takes a speculative reference. Meanwhile ${obj} is removed, freed and reused by a new owner with a fresh refcount; the speculative get succeeds on the new owner's refcount, and with no re-check ${c.fn}() goes on with somebody else's ${obj}.`,
    invariant: byOwner
      ? `${c.fn}() resurrects ${obj} after its refcount reached 0, and its put frees ${obj} under the new owner (use after free)`
      : `${c.fn}() holds a reference on ${obj} after it was freed and reused by a new owner, and uses the new owner's data`,
    summary: c.fixed ? (plain ? `${c.req.fix?.expr ?? 'a speculative get'}, then ${recheck?.expr ?? ln.recheck}` : `${ln.recheck} after the get`) : plain ? `${get?.expr ?? 'a plain get'} on the lookup's result` : 'no re-check after the speculative get',
    locs,
    lanes: [p, q],
    condition,
    fix: c.req.fix?.title,
    reason: plain
      ? `${callOf(c.names.alt, 'the speculative get')} never takes a reference on a refcount of 0, so a freed ${obj} is not brought back and its put never frees a new owner's ${obj}; the re-check after the fully ordered get catches one that left ${slot}`
      : `${ln.recheck} after ${callOf(c.names.get, 'the get')}: the successful get is fully ordered, and the freeing side cleared ${slot} before its last put, so a get on the reused ${obj} must see the change and drop the reference (message passing through the refcount)`,
    unreachableBecause: `the get fails on a freed ${obj}, and the re-check drops a reference on one that changed`,
  };
}

// ---------------------------------------------------------------------------
// pgmap: a speculative get that skips the ZONE_DEVICE pgmap reference (seed 004)

function pgmap(c: Ctx): Built {
  const obj = bind(c.req, 'object');
  const get = c.ev('acquire');
  const put = c.ev('release');
  // the GUP user's access to the page: the patch's own use, unless the first use is the put itself
  const use = c.req.events.find((e) => e.kind === 'use' && !(put && e.at.line === put.at.line && e.expr === put.expr));
  const locs = new Locations();
  // The page refcount is left out: it cannot change the pgmap count, and every RMW on a location
  // multiplies the executions. What keeps the get before the teardown is the pte and the TLB flush.
  locs.add('pte', `the pte mapping ${obj}`, 1, 'int', `1 = maps ${obj}, 0 = cleared`, true);
  locs.add('pgmap', `${obj}->pgmap->ref`, 2, 'atomic_t', `${obj}->pgmap->ref: the device's own reference + the one the mapping's get_page() took`);
  locs.add('mem', memOf(obj, c.names), 1, 'int', `the device memory behind ${obj}: 1 = mapped, 0 = torn down`);
  const names: Names = { ...c.names, obj, put: `put_page(${obj})` };
  const walker: StepOrigin = { kind: 'counterpart', protocol: 'the GUP-fast caller (get_user_pages_fast())' };
  const p = c.subject(`${c.fn}() (GUP-fast, IRQs off)`);
  p.rcuLock('local_irq_save(flags) in get_user_pages_fast()', 'GUP-fast walks with IRQs off: the TLB-flush IPI of an unmap waits for it (an RCU-sched read-side section)', walker);
  // the lockless pte read that found the page (in the patch, or the walk's above the hunk), then the device-page handling
  const pteRead = c.req.events.find((e) => e.kind === 'lookup' && e.note === 'pte');
  const devLookup = c.req.events.find((e) => e.kind === 'lookup' && e.note === 'device-page');
  const r0 = p.read('pte', pteRead?.expr ?? `the pte of ${obj} (gup_get_pte())`, `1 = it still maps ${obj}`, pteRead ? patch(pteRead) : walker);
  p.when(r0, 1, 'if (pte_present(pte))', () => {
    if (devLookup) p.note(devLookup.expr, `a ZONE_DEVICE page: the walk looks up its dev_pagemap (a reference it drops again with put_dev_pagemap() once the page is got)`, patch(devLookup));
    if (c.fixed) p.add('pgmap', 1, c.req.fix?.expr ?? `get_page(${obj})`, 'the fix: for a device page, get_page() -> get_zone_device_page() takes the pgmap reference with the page reference', fixAt(get));
    else p.note(get?.expr ?? `page_cache_get_speculative(${obj})`, 'takes a page reference only: no get_zone_device_page() (the page refcount is left out of the model: it cannot change the pgmap count)', patch(get));
  });
  p.rcuUnlock('local_irq_restore(flags) in get_user_pages_fast()', 'the walk is over: IRQs on', walker);
  let condition = '';
  p.when(r0, 1, 'if (the page was got)', () => {
    const r2 = p.read('mem', use?.expr ?? `the GUP user accesses ${obj} (DMA)`, 'the GUP user reads the device page: 0 = the device memory was torn down', use ? patch(use) : { kind: 'counterpart', protocol: 'the GUP user of the page' });
    condition = p.cond(r2, 0);
    // the GUP user's own put when it is done with the page (after the DMA: out of the function's sight; the
    // function's own put_page() is on the path where the re-check fails)
    const user: StepOrigin = { kind: 'counterpart', protocol: `the GUP user of the page (its ${put?.expr ?? `put_page(${obj})`} when done)` };
    const r3 = p.subReturn('pgmap', 1, `${put?.expr ?? `put_page(${obj})`} -> put_zone_device_page()`, c.fixed ? 'the GUP user is done: drops the pgmap reference taken above (percpu_ref_put(): fully ordered)' : 'the GUP user is done: drops a pgmap reference this get never took (percpu_ref_put(): fully ordered)', user);
    p.when(r3, 0, 'if (that was the last pgmap reference)', () => p.write('mem', 0, 'the percpu_ref release: memunmap_pages() goes on and unmaps the device memory', 'the teardown was waiting for this last reference', user));
  });
  const q = c.other(CP.DEVMAP_TEARDOWN, names);
  runCounterpart(q, CP.DEVMAP_TEARDOWN, names, locs);
  return {
    title: FAMILY_TITLES.pgmap,
    race: `${get?.expr ?? 'The speculative get'} takes no dev_pagemap reference, but the matching put_page() drops one for a ZONE_DEVICE page (v4.5–v4.11). When the mapping goes and the driver unbinds, the pgmap count reaches 0 while the GUP user still holds the page: the teardown unmaps the device memory under it.`,
    invariant: `the GUP user of ${obj} reads it after the device memory was torn down: the pgmap count reached 0 while it still held a page reference`,
    summary: c.fixed ? `${c.req.fix?.expr ?? 'get_page()'} for device pages` : `${get?.expr ?? 'the speculative get'} skips the pgmap reference`,
    locs,
    lanes: [p, q],
    condition,
    fix: c.req.fix?.title,
    reason: `${callOf(c.names.takes, 'get_page')} takes the pgmap reference that put_page() drops, inside the IRQs-off walk that the unmap's TLB flush waits for: the count cannot reach 0 while the GUP user holds the page, and its put is fully ordered after its last use`,
  };
}

// ---------------------------------------------------------------------------
// store-load: store buffering

function sbSides(c: Ctx, a: string, b: string): Names {
  const n = c.names;
  const folio = era(c.req) === 'folio' || /folio/.test(a + b);
  const obj = /of (\S+)$/.exec(b)?.[1] ?? /^(\w+)/.exec(a)?.[1] ?? 'page';
  if (n.loadLoc === 'PG_writeback' || /PG_writeback/.test(b)) {
    return {
      other: folio ? 'writeback: folio_start_writeback() (the seed-000 protocol)' : 'writeback: set_page_writeback() (the seed-000 protocol)',
      otherStore: folio ? `folio_start_writeback(${obj}): sets PG_writeback` : `set_page_writeback(${obj}): sets PG_writeback`,
      otherStoreWhy: 'writeback announces itself',
      otherBarrier: 'smp_mb()',
      otherLoad: /_refcount|_pincount/.test(a) ? (folio ? `folio_maybe_dma_pinned(${obj})` : `page_maybe_dma_pinned(${obj})`) : `checks ${a} (the pin announcement)`,
      otherLoadWhy: 'then checks for pins: the old count means "not pinned", and the page is written back while DMA may still change it',
      consequence: `${obj} goes under writeback while it is pinned for DMA: GUP missed PG_writeback and writeback missed the pin`,
    };
  }
  if (/lockless_pgtbl|walk_count|nr_walkers/.test(a)) {
    return {
      other: 'THP split or collapse (the seed-003 protocol)',
      otherStore: 'pmdp_invalidate(): the pmd changes',
      otherStoreWhy: 'the huge pmd is being split',
      otherBarrier: 'smp_mb()',
      otherLoad: 'running_lockless_pgtbl_walk(mm)',
      otherLoadWhy: '0 walkers: skip serialize_against_pte_lookup() (no IPI, no wait)',
      consequence: 'the THP split skips the IPI (it counted no walker) while the walker still reads the old page table',
    };
  }
  if (/lockless_pgtbl|walk_count|nr_walkers/.test(b)) {
    return {
      other: 'a lockless page-table walker: start_lockless_pgtbl_walk() (the seed-003 protocol)',
      otherStore: 'atomic_inc(&mm->context.lockless_pgtbl_walk_count)',
      otherStoreWhy: 'the walker announces itself',
      otherBarrier: 'smp_mb() (in start_lockless_pgtbl_walk())',
      otherLoad: 'pmd = READ_ONCE(*pmdp): the walk',
      otherLoadWhy: 'the old value: the walker uses the page table being split',
      consequence: 'the walker reads the old page table while the split, which counted no walker, skips the IPI',
    };
  }
  if (n.shape === 'waker') {
    return {
      other: 'the sleeper: prepare_to_wait(), then it tests the condition',
      otherStore: `prepare_to_wait(): queues itself on ${b.replace(/ wait list$/, '')}`,
      otherStoreWhy: 'the sleeper is now on the wait list',
      otherBarrier: 'set_current_state(): smp_mb()',
      otherLoad: `the sleeper tests the condition (${a})`,
      otherLoadWhy: 'the old value: the condition is false, so it sleeps',
      consequence: 'the wake-up is lost: the waker sees no sleeper and the sleeper sees the old condition and sleeps',
    };
  }
  const other = n.mirror ? `${n.mirror}()` : 'the other side of the protocol';
  return {
    other,
    otherStore: `stores ${b}`,
    otherStoreWhy: 'the other side announces itself',
    otherBarrier: 'smp_mb()',
    otherLoad: `loads ${a}`,
    otherLoadWhy: 'the old value: it misses the store',
    consequence: `both CPUs miss each other's store: ${c.fn}() reads the old ${b} and ${other} reads the old ${a}`,
  };
}

function storeLoad(c: Ctx): Built {
  const a = bind(c.req, 'counter', true);
  const b = bind(c.req, 'flag', true);
  const mine = c.req.events.filter((e) => e.note !== 'other' && e.note !== 'compiled-out-end');
  // the end of the protocol the same #ifdef compiles out (the walker leaving): after the walk, outside the race
  const end = c.req.events.find((e) => e.note === 'compiled-out-end');
  const mirror = c.req.events.filter((e) => e.note === 'other');
  const store = mine.find((e) => e.kind === 'store' || e.kind === 'rmw');
  const load = mine.find((e) => e.kind === 'load');
  const weak = mine.find((e) => e.kind === 'barrier');
  const none = mine.find((e) => e.kind === 'no-barrier');
  const calls = mine.filter((e) => e.kind === 'use');
  const locs = new Locations();
  const pinBias = store && /BIAS/.test(store.expr) ? BIAS : store?.api && /^pin_user_pages/.test(store.api) && /_refcount/.test(a) ? BIAS : 0;
  const aInit = pinBias ? 1 : 0;
  const aNew = pinBias ? 1 + BIAS : 1;
  const rmw = store?.kind === 'rmw';
  locs.add('A', a, aInit, rmw ? 'atomic_t' : 'int', `${a}${pinBias ? `: 1 = only the mapping's reference, ${aNew} = pinned` : ': 0 = before the store, 1 = after'}`);
  locs.add('B', b, 0, 'int', `${b}: 0 = before the other side's store, 1 = after`);
  const side = sbSides(c, a, b);
  const p = c.subject(`${c.fn}()${store?.at.fn ? ` (after ${store.at.fn}())` : ''}`);
  const compiledOut = c.names.shape === 'compiled-out';
  if (store && compiledOut && !c.fixed) p.note(`${store.expr} (not built)`, `#ifdef ${c.names.symbol ?? 'X'} is never true (the preprocessor sees CONFIG_${c.names.symbol ?? 'X'}): the announcement is compiled out`, patch(store));
  else if (store) {
    const o = compiledOut ? fixAt(store) : patch(store);
    if (rmw) p.add('A', pinBias || 1, store.expr, `${compiledOut ? `the fix (${c.req.fix?.expr}): built again: ` : ''}${store.api && store.api !== 'atomic_add' && store.api !== 'atomic_inc' ? `${store.api}() ends in a non-returning RMW` : 'a non-returning atomic RMW'} on ${a}: unordered`, o);
    else p.write('A', 1, store.expr, `stores ${a}`, o);
  }
  for (const e of calls) p.note(e.expr, 'which calls the code below', patch(e));
  const fixExpr = c.req.fix?.expr ?? 'smp_mb()';
  const fixFence: Fence = /after_atomic/.test(fixExpr) ? 'after-atomic' : 'mb';
  if (compiledOut) {
    if (weak) p.fence(weak.ordering === 'full' ? 'mb' : weakFence(weak.ordering), weak.expr, weak.ordering === 'full' ? 'the patch\'s full barrier: orders the announcement before the walk' : weakWhy(weak.ordering), patch(weak));
  } else if (c.fixed) p.fence(fixFence, fixExpr, fixFence === 'mb' ? 'the fix: a full barrier: the store is visible to all CPUs before the load executes' : 'the fix: with the RMW before it, a full barrier', fixAt(weak ?? store));
  else if (weak) p.fence(weakFence(weak.ordering), weak.expr, weakWhy(weak.ordering), patch(weak));
  else if (none) p.note('(no barrier)', `nothing orders the store to ${a} before the load of ${b}`, patch(none));
  let r0: string;
  if (load) r0 = p.read('B', load.expr, `0 = ${c.fn}() misses the other side's store`, patch(load));
  else r0 = p.read('B', `the caller's next access: ${b}`, `0 = it misses the other side's store`, { kind: 'counterpart', protocol: 'the caller of ' + c.fn + '()' });
  if (end && compiledOut) {
    if (c.fixed) p.note(`${end.expr} (built again)`, `after the walk: ${c.fn}() leaves the protocol once its loads are done`, fixAt(end));
    else p.note(`${end.expr} (not built)`, `the same #ifdef ${c.names.symbol ?? 'X'} compiles out the end of the protocol too: nothing ever counted ${c.fn}()`, patch(end));
  }
  // the other side: the document's own mirror function, or the protocol's other side
  let q: Lane;
  let seen: string;
  if (mirror.length) {
    const mfn = mirror[0].at.fn ?? c.names.mirror ?? 'the other side';
    q = new Lane(1, `${mfn}() (the other side, in the patch)`, { origin: 'patch', fn: mfn });
    const ms = mirror.find((e) => e.kind === 'store' || e.kind === 'rmw');
    const mb = mirror.find((e) => e.kind === 'barrier');
    const ml = mirror.find((e) => e.kind === 'load');
    q.write('B', 1, ms?.expr ?? `stores ${b}`, `${mfn}() stores ${b}`, patch(ms));
    const full = mb && (mb.ordering === 'full' || (mb.ordering === 'after-atomic' && ms?.kind === 'rmw'));
    if (mb && (full || !c.fixed)) q.fence(full ? 'mb' : weakFence(mb.ordering), mb.expr, full ? 'orders its store before its load' : weakWhy(mb.ordering), patch(mb));
    else q.fence('mb', 'smp_mb()', `the fix also needs a full barrier on this side${mb ? ` (${mb.expr} does not order a store before a load)` : ''}`, c.fixed ? fixAt(ms) : undefined);
    seen = locs.defs.A.type === 'atomic_t' ? q.atomicRead('A', ml?.expr ?? `loads ${a}`, `${aInit} = it misses ${c.fn}()'s store`, patch(ml)) : q.read('A', ml?.expr ?? `loads ${a}`, `${aInit} = it misses ${c.fn}()'s store`, patch(ml));
  } else {
    q = c.other(CP.SB_OTHER_SIDE, { ...c.names, ...side });
    seen = runCounterpart(q, CP.SB_OTHER_SIDE, { ...c.names, ...side }, locs).seen;
  }
  const proto = c.names.protocol ? ` (${c.names.protocol})` : '';
  return {
    title: FAMILY_TITLES['store-load'],
    race: `${c.fn}() stores ${a} and then loads ${b}; the other side stores ${b} and then loads ${a}${proto}. ${weak ? `${weak.expr} does not order a store before a later load` : 'Nothing orders the store before the load'}, so both loads can be satisfied before either store is visible: each CPU misses the other.`,
    invariant: side.consequence,
    summary: c.fixed ? `${fixExpr} between the store and the load` : weak ? `only ${weak.expr} between the store and the load` : 'no barrier between the store and the load',
    locs,
    lanes: [p, q],
    condition: `0:${r0}=0 /\\ 1:${seen}=${aInit}`,
    fix: c.req.fix?.title,
    reason: compiledOut
      ? `with ${c.req.fix?.expr ?? 'the right symbol'}, the announcement is built again: it is ordered before the walk by ${weak?.expr ?? 'the full barrier'}, which pairs with ${side.otherBarrier} on the other side, so at least one CPU sees the other's store`
      : `${fixExpr} in ${c.fn}() pairs with ${side.otherBarrier} on the other side: with a full barrier between the store and the load on both CPUs, at least one of them sees the other's store`,
  };
}

function weakFence(o: string | undefined): Fence {
  return o === 'wmb' ? 'wmb' : o === 'rmb' ? 'rmb' : o === 'after-atomic' ? 'after-atomic' : o === 'before-atomic' ? 'before-atomic' : 'wmb';
}

function weakWhy(o: string | undefined): string {
  if (o === 'wmb') return 'orders earlier stores before later stores only: the load may still be satisfied before the store is visible';
  if (o === 'rmb') return 'orders earlier loads before later loads only';
  if (o === 'after-atomic') return 'a full barrier only after a non-returning atomic RMW: there is none before it';
  if (o === 'before-atomic') return 'a full barrier only before a non-returning atomic RMW: there is none after it';
  return 'does not order a store before a later load';
}

// ---------------------------------------------------------------------------
// publish: message passing

function publish(c: Ctx): Built {
  if (c.names.shape === 'writer' || c.names.shape === 'reader') return messagePassing(c);
  const obj = bind(c.req, 'object');
  const ptr = bind(c.req, 'pointer', true);
  const init = c.ev('init');
  const pub = c.ev('publish');
  const none = c.ev('no-barrier');
  const locs = new Locations();
  locs.add('ptr', ptr, 'old', 'int *', `${ptr}: points to the old object, then to ${obj}`);
  locs.add('obj', memOf(obj, c.names), 0, 'int', `${obj}'s contents: 0 = not initialised yet, 1 = initialised`);
  locs.add('old', `the object ${ptr} pointed to before`, 1, 'int', 'valid contents', true);
  const p = c.subject(`${c.fn}()`);
  p.write('obj', 1, init?.expr ?? `initialise ${obj}`, `initialises ${obj}`, patch(init));
  const fixExpr = c.req.fix?.expr ?? 'smp_wmb()';
  if (c.fixed) p.fence('wmb', fixExpr, `orders the initialisation before the publication`, fixAt(pub));
  else p.note('(no barrier)', `nothing orders the initialisation before the publication`, patch(none ?? pub));
  p.write('ptr', '$obj', pub?.expr ?? `publish ${obj}`, `makes ${obj} reachable through ${ptr}`, patch(pub));
  const pte = /pmd|pte|pud/.test(ptr) || /populate/.test(c.names.publisher ?? '');
  const reader = pte ? 'a lockless page-table walk (GUP-fast, the page-fault fast path)' : c.names.reader ? `${c.names.reader}() (a lockless reader)` : `a lockless reader of ${ptr}`;
  const q = new Lane(1, reader, { origin: 'counterpart', protocol: CP.PUBLISH_READER.protocol });
  const o: StepOrigin = { kind: 'counterpart', protocol: CP.PUBLISH_READER.protocol };
  const r0 = q.read('ptr', pte ? `pmd = READ_ONCE(${ptr})` : `p = READ_ONCE(${ptr})`, 'loads the pointer', o, true);
  const r1 = q.readVia(r0, pte ? 'pte_offset_map(): reads an entry of the new table' : 'reads the object through p', 'an address dependency orders this load after the pointer load: 0 = uninitialised contents', o);
  return {
    title: FAMILY_TITLES.publish,
    race: `${c.fn}() initialises ${obj} and then publishes it through ${ptr} with a plain store. The reader follows the pointer with an address dependency, but without ${fixExpr} on the writer side the publication can become visible before the initialisation: the reader sees uninitialised contents.`,
    invariant: `${reader} follows ${ptr} to ${obj} and reads it before it was initialised`,
    summary: c.fixed ? `${fixExpr} before the publication` : 'the publication is not ordered after the initialisation',
    locs,
    lanes: [p, q],
    condition: '1:' + r0 + '=$obj /\\ 1:' + r1 + '=0',
    fix: c.req.fix?.title,
    reason: `${fixExpr} before the publication pairs with the reader's address dependency: a reader that sees the new pointer sees the initialised contents`,
  };
}

/** A barrier removed from a writer (smp_wmb, a release) or a reader (smp_rmb, an acquire): message passing on two flags. */
function messagePassing(c: Ctx): Built {
  const writer = c.names.shape === 'writer';
  const first = bind(c.req, 'object', true);
  const second = bind(c.req, 'pointer', true);
  const [e1, e2] = c.req.events.filter((e) => e.kind !== 'barrier');
  const bar = c.ev('barrier');
  const removed = c.names.removed ?? (writer ? 'smp_wmb' : 'smp_rmb');
  const locs = new Locations();
  // the writer stores data then flag; the reader loads flag then data
  const data = writer ? first : second;
  const flag = writer ? second : first;
  locs.add('data', data, 0, 'int', `${data}: 0 = old, 1 = new`);
  locs.add('flag', flag, 0, 'int', `${flag}: 0 = old, 1 = new`);
  const p = c.subject(`${c.fn}()`);
  const q = new Lane(1, writer ? 'a reader of the same locations (flag, then data, with smp_rmb())' : 'the writer of the same locations (data, then flag, with smp_wmb())', { origin: 'counterpart', protocol: 'the other side of the message passing' });
  const o: StepOrigin = { kind: 'counterpart', protocol: 'the other side of the message passing' };
  const keep = (kind: Fence | 'release' | 'acquire') => {
    if (c.fixed) {
      if (kind === 'release' || kind === 'acquire') return true;
      p.fence(kind, `${removed}()`, 'the fix keeps the barrier the patch removed', patch(bar));
    } else if (bar) p.note(`${removed}() (removed by the patch)`, 'nothing orders these accesses any more', patch(bar));
    return false;
  };
  let cond: string;
  if (writer) {
    p.write('data', 1, e1?.expr ?? `stores ${data}`, `stores ${data}`, patch(e1));
    const rel = c.names.ordering === 'release';
    keep(rel ? 'release' : 'wmb');
    if (rel && c.fixed) p.writeRelease('flag', 1, `${removed}(...)`, 'the fix keeps the release store', patch(bar));
    else p.write('flag', 1, e2?.expr ?? `stores ${flag}`, `stores ${flag}`, patch(e2));
    const r0 = q.read('flag', `READ_ONCE(${flag})`, '1 = sees the new flag', o);
    q.fence('rmb', 'smp_rmb()', 'the reader orders its loads', o);
    const r1 = q.read('data', `READ_ONCE(${data})`, '0 = the old data', o);
    cond = `1:${r0}=1 /\\ 1:${r1}=0`;
  } else {
    q.write('data', 1, `WRITE_ONCE(${data}, ...)`, 'the writer stores the data', o);
    q.fence('wmb', 'smp_wmb()', 'orders the data before the flag', o);
    q.write('flag', 1, `WRITE_ONCE(${flag}, ...)`, 'then the flag', o);
    const acq = c.names.ordering === 'acquire';
    let r0: string;
    if (acq && c.fixed) r0 = p.readAcquire('flag', `${removed}(...)`, 'the fix keeps the acquire load', patch(bar));
    else r0 = p.read('flag', e1?.expr ?? `loads ${flag}`, '1 = sees the new flag', patch(e1));
    if (!acq) keep('rmb');
    else if (!c.fixed && bar) p.note(`${removed}() (weakened by the patch)`, 'the load is no longer an acquire', patch(bar));
    const r1 = p.read('data', e2?.expr ?? `loads ${data}`, '0 = the old data', patch(e2));
    cond = `0:${r0}=1 /\\ 0:${r1}=0`;
  }
  const reader = writer ? 'the reader' : c.fn + '()';
  return {
    title: FAMILY_TITLES.publish,
    race: `The patch removes ${removed}() from ${c.fn}(), which ordered its ${writer ? 'store to ' + data + ' before its store to ' + flag : 'load of ' + flag + ' before its load of ' + data}. Nothing else orders them, so ${reader} can see the new ${flag} with the old ${data}.`,
    invariant: `${reader} sees the new ${flag} but the old ${data}`,
    summary: c.fixed ? `${removed}() kept` : `${removed}() removed`,
    locs,
    lanes: writer ? [p, q] : [p, q],
    condition: cond,
    fix: c.req.fix?.title,
    reason: `${removed}() ${writer ? 'orders the data before the flag and pairs with the reader\'s smp_rmb()' : 'orders the flag load before the data load and pairs with the writer\'s smp_wmb()'}`,
  };
}

// ---------------------------------------------------------------------------
// section: a protected pointer used outside its section

function freerNames(kind: string, ptr: string, obj: string, lookup = ''): Names {
  // the page cache's tree: a radix tree before v4.20, an xarray since
  if (/radix/.test(lookup)) return { freer: 'truncate on another CPU: the page is deleted from the page cache', unlink: `the radix tree node holding the slot is removed from ${ptr}`, wait: 'radix_tree_node_free(): call_rcu()', waitWhy: 'the node is freed only after an RCU grace period', free: `the radix tree node (${obj}) is freed` };
  if (/xa_node|i_pages|radix|pagep|slot/.test(obj + ' ' + ptr)) return { freer: 'truncate on another CPU: entries are deleted from the page cache', unlink: `the xarray node holding the entry is removed from ${ptr}`, wait: 'xa_node_free(): call_rcu()', waitWhy: 'the node is freed only after an RCU grace period', free: `the xarray node (${obj}) is freed` };
  if (/vma/.test(obj + ' ' + ptr)) return { freer: 'munmap() on another CPU', unlink: `the vma is removed: ${ptr} no longer leads to it`, wait: 'vm_area_free(): call_rcu() (speculative faults, seed 001)', waitWhy: 'the vma (and its vm_file) is freed only after an RCU grace period', free: `${obj.replace(/^\*/, '')} and its vm_file are freed` };
  if (kind === 'irq-off') return { freer: 'page-table freeing: tlb_remove_table()', unlink: `the page table is unhooked: ${ptr} no longer leads to it`, wait: 'tlb_remove_table_sync_one(): smp_call_function(..., wait=1)', waitWhy: 'the IPI waits for every CPU that has IRQs off: an IRQs-off walker finishes first', free: `the page table (${obj}) is freed` };
  if (kind === 'pte-map') return { freer: 'khugepaged: collapse_huge_page()', unlink: `pmdp_collapse_flush(): ${ptr} no longer points to the pte table`, wait: 'pte_free_defer(): the table is freed after an RCU grace period', waitWhy: 'pte_offset_map() holds rcu_read_lock() (v6.5+): the table stays until the mappers are done', free: `the pte table (${obj}) is freed` };
  return { freer: 'an updater on another CPU', unlink: `${ptr} is replaced: it no longer leads to ${obj}`, wait: 'synchronize_rcu() (or call_rcu())', waitWhy: 'waits for every RCU reader that started before it', free: `kfree(): ${obj} is freed` };
}

function section(c: Ctx): Built {
  if (c.names.shape === 'irq-state') return irqState(c);
  const ptr = bind(c.req, 'pointer', true);
  const obj = bind(c.req, 'object', true);
  const kind = c.names.kind ?? 'rcu';
  const lockRole = optional(c.req, 'lock');
  const locked = !!lockRole && kind !== 'pte-map' && kind !== 'rcu';
  const label = kind === 'pte-map' ? 'pte_offset_map() section' : c.names.label ?? 'section';
  const locs = new Locations();
  locs.add('ptr', ptr, 1, 'int', `${ptr}: 1 = leads to ${obj}, 0 = unlinked`);
  locs.add('mem', obj, 1, 'int', `${obj}: 1 = allocated, 0 = freed`);
  if (locked) locs.add('lock', lockRole!, 0, 'spinlock_t', `${lockRole}: the lock that protects ${ptr}`);
  const open = c.ev('open');
  const close = c.ev('close');
  const load = c.ev('load') ?? c.ev('lookup');
  const use = c.ev('use');
  const get = c.ev('acquire');
  const p = c.subject(`${c.fn}()`);
  const names: Names = { ...c.names, ptr, obj, ...freerNames(kind, ptr, obj, (c.ev('lookup') ?? c.ev('load'))?.api ?? ''), lock: lockRole ?? '', lockCall: `spin_lock(${lockRole})`, unlockCall: `spin_unlock(${lockRole})` };
  const doOpen = (text: string, why: string, o?: StepOrigin) => (locked ? p.spinLock('lock', text, why, o) : p.rcuLock(text, why, o));
  const doClose = (text: string, why: string, o?: StepOrigin) => (locked ? p.spinUnlock('lock', text, why, o) : p.rcuUnlock(text, why, o));
  const opener = kind === 'irq-off' ? 'local_irq_save(flags)' : 'rcu_read_lock()';
  const closer = kind === 'irq-off' ? 'local_irq_restore(flags)' : 'rcu_read_unlock()';
  const secWhy = kind === 'irq-off' ? 'IRQs off: the IPI that page-table freeing waits for cannot be taken (an RCU-sched read-side section)' : kind === 'pte-map' ? `maps the page table ${ptr} points to (and holds rcu_read_lock())` : `opens the ${label}`;
  // buggy: the use falls outside; fixed: it is inside
  if (open) doOpen(open.expr, secWhy, patch(open));
  else if (c.fixed) doOpen(opener, `the fix: ${secWhy}`, fixAt(load ?? get));
  const r0 = p.read('ptr', load?.expr ?? open?.expr ?? `finds ${obj}`, `1 = ${ptr} still leads to ${obj}`, patch(load ?? open));
  const closeNow = () => {
    if (close) doClose(close.expr, `closes the ${label}: ${obj} is protected no longer`, patch(close));
    else if (c.fixed) doClose(closer, `the fix: closes the ${label} after the last use`, fixAt(use ?? get));
  };
  if (!c.fixed) closeNow();
  const getNote = () => get && p.note(get.expr, `takes a speculative reference on the page it found`, patch(get));
  const getFirst = !!get && (!use || get.at.line <= use.at.line);
  if (getFirst) getNote();
  const r1 = p.read('mem', use?.expr ?? `uses ${obj}`, `0 = ${obj} was freed`, patch(use ?? get));
  if (!getFirst) getNote();
  if (c.fixed) closeNow();
  const cp = locked ? CP.LOCKED_FREE : CP.RCU_FREE;
  const q = c.other(cp, names);
  runCounterpart(q, cp, names, locs);
  return {
    title: FAMILY_TITLES.section,
    race: `${c.fn}() reaches ${obj} through ${ptr}, which only the ${label} keeps valid, and uses it ${open && close ? `after ${close.expr}` : `outside ${opener}`}. ${names.freer} unlinks ${obj}, waits (${names.wait}) and frees it: the wait does not cover a use outside the section.`,
    invariant: `${c.fn}() uses ${obj} after it was freed (it found it through ${ptr})`,
    summary: c.fixed ? `the use of ${obj} inside the ${label}` : `the use of ${obj} outside the ${label}`,
    locs,
    lanes: [p, q],
    condition: `0:${r0}=1 /\\ 0:${r1}=0`,
    fix: c.req.fix?.title,
    reason: locked
      ? `with the use inside ${lockRole}'s critical section, the unlink under ${lockRole} comes either before the lookup or after the use`
      : `with the use inside the ${label}, the free waits for it (${names.wait}): ${obj} is freed only after the last use, because a grace period cannot end inside a read-side section`,
  };
}

/** IRQ state restored from the wrong place: IRQs come on inside the caller's IRQs-off section. */
function irqState(c: Ctx): Built {
  const flag = optional(c.req, 'flag') ?? 'flags';
  const locs = new Locations();
  locs.add('irqs', 'IRQs of CPU0', 1, 'int', 'the IRQ state of CPU0: 1 = disabled (the caller runs with IRQs off), 0 = enabled', true);
  const open = c.ev('open');
  const close = c.ev('close');
  const p = c.subject(`${c.fn}() (called with IRQs off)`);
  let saved = '1';
  if (open && open.note !== 'wrong-state') {
    saved = p.read('irqs', open.expr, `saves the IRQ state in ${flag} (1: IRQs were off) and disables IRQs`, patch(open));
    p.write('irqs', 1, open.expr, 'IRQs off', patch(open));
  } else if (open) {
    p.write('irqs', 1, open.expr, `disables IRQs, but saves the state in the wrong place (${c.names.why === 'pointer' ? 'the pointer itself' : 'not in ' + flag})`, patch(open));
  }
  const why = c.names.why;
  if (c.fixed) p.writeRelease('irqs', saved, c.req.fix?.expr ?? `local_irq_restore(${flag})`, `the fix: restores the state saved in ${flag}: IRQs stay off, as the caller had them`, fixAt(close));
  else {
    const text = close?.expr ?? 'the restore';
    const expl = why === 'enables'
      ? `enables IRQs unconditionally: the caller had them off`
      : why === 'pointer' || why === 'address'
        ? `restores the bits of an address instead of the saved flags: with the IF bit set in it, IRQs come on`
        : `restores a variable that holds no saved state (0 on x86 leaves them off; any value with IF set turns them on): here IRQs come on`;
    p.writeRelease('irqs', 0, text, expl, patch(close));
  }
  const q = c.other(CP.IPI_SENDER, c.names);
  const r = runCounterpart(q, CP.IPI_SENDER, c.names, locs);
  return {
    title: FAMILY_TITLES.section,
    race: `${c.fn}() is called with IRQs off (its name says IRQ-safe; the caller's lockless walk relies on it) and leaves them on: the TLB-shootdown IPI that page-table freeing waits for is taken in the middle of the caller's IRQs-off section.`,
    invariant: `the IPI is taken while the caller of ${c.fn}() still relies on IRQs being off: the page tables it walks can be freed under it`,
    summary: c.fixed ? `${c.req.fix?.expr ?? 'the saved state'} restored` : `${close?.expr ?? 'the restore'} turns IRQs on`,
    locs,
    lanes: [p, q],
    condition: `${q.cpu}:${r.off}=0`,
    fix: c.req.fix?.title,
    reason: `${c.req.fix?.expr ?? 'restoring the saved flags'} puts back the state the caller had: IRQs stay off until the caller's own local_irq_restore(), so the IPI waits for the caller's walk to end`,
    unreachableBecause: 'IRQs are never enabled inside the caller\'s section: the IPI cannot be taken before it ends',
  };
}

// ---------------------------------------------------------------------------
// sleep: a sleeping call inside an atomic section

function sleep(c: Ctx): Built {
  const sleeper = c.ev('sleep');
  const open = c.ev('open');
  const close = c.ev('close');
  if (c.names.shape === 'lock') {
    // a call that did not sleep replaced by one that may: the lock the caller holds is above the hunk
    const outOfSight = c.names.outOfSight === '1';
    const lock = outOfSight ? 'the lock the caller holds' : bind(c.req, 'lock');
    const caller: StepOrigin = { kind: 'counterpart', protocol: 'the caller (out of sight: the code the patch replaces did not sleep there)' };
    const deleted = c.ev('sleep', 'deleted');
    const sleepEv = c.ev('sleep', 'replacement') ?? sleeper;
    const locs = new Locations();
    locs.add('lock', lock, 0, 'spinlock_t', `${lock}`, outOfSight);
    locs.add('cur', 'the task on CPU0', 0, 'int', `0 = ${c.fn}(), 1 = another task (${c.fn}() sleeps), 2 = ${c.fn}() again`, true);
    const p = c.subject(`${c.fn}()`);
    const amp = (l: string) => (/^[A-Za-z_]\w*$/.test(l) ? l : `&${l}`);
    const names: Names = outOfSight
      ? { ...c.names, lock, lockCall: `spin_trylock() on ${lock} (spin_lock() spins)`, unlockCall: `spin_unlock() on ${lock}` }
      : { ...c.names, lock, lockCall: `spin_trylock(${amp(lock)}) (spin_lock() spins)`, unlockCall: `spin_unlock(${amp(lock)})` };
    if (outOfSight) {
      p.spinLock('lock', 'spin_lock() in a caller', `the caller holds a lock (preemption off): the call the patch replaced did not sleep`, caller);
      if (!c.fixed) {
        p.writeRelease('cur', 1, sleepEv?.expr ?? 'a sleeping call', `may sleep: schedule() switches CPU0 to another task while ${lock} is held`, patch(sleepEv));
        p.readAcquire('cur', `${sleepEv?.expr ?? 'the call'} returns`, `${c.fn}() runs again`, patch(sleepEv));
      } else p.note(deleted?.expr ?? 'the call before the patch', 'the call the patch replaced: it does not sleep (the fix keeps it)', patch(deleted));
      p.spinUnlock('lock', 'spin_unlock() in the caller', 'the caller releases its lock', caller);
    } else if (!c.fixed) {
      p.spinLock('lock', open?.expr ?? `spin_lock(${amp(lock)})`, `takes ${lock}: preemption is off until it is released`, patch(open));
      p.writeRelease('cur', 1, sleeper?.expr ?? 'a sleeping call', `may sleep: schedule() switches CPU0 to another task while ${lock} is held`, patch(sleeper));
      p.readAcquire('cur', `${sleeper?.expr ?? 'the call'} returns`, `${c.fn}() runs again`, patch(sleeper));
      p.spinUnlock('lock', close?.expr ?? `spin_unlock(${amp(lock)})`, `releases ${lock}`, patch(close));
    } else {
      p.writeRelease('cur', 1, sleeper?.expr ?? 'the sleeping call', `the fix: the call that may sleep runs before ${lock} is taken`, fixAt(sleeper));
      const back = p.readAcquire('cur', `${sleeper?.expr ?? 'the call'} returns`, `${c.fn}() runs again`, fixAt(sleeper));
      p.when(back, 2, `(after the sleep)`, () => {
        p.spinLock('lock', open?.expr ?? `spin_lock(${amp(lock)})`, `takes ${lock}, after the sleep`, patch(open));
        p.spinUnlock('lock', close?.expr ?? `spin_unlock(${amp(lock)})`, `releases ${lock}`, patch(close));
      });
    }
    const q = new Lane(1, fill(CP.SCHEDULED_TASK.title, names), { origin: 'counterpart', protocol: CP.SCHEDULED_TASK.protocol });
    const r = runCounterpart(q, CP.SCHEDULED_TASK, names, locs);
    return {
      title: FAMILY_TITLES.sleep,
      race: outOfSight
        ? `${c.fn}() replaces ${deleted?.expr ?? 'a call that did not sleep'} with ${sleepEv?.expr ?? 'a call that may sleep'}, where its callers may hold a lock (the call it replaces did not sleep). If it sleeps, the scheduler runs another task on the same CPU with ${lock} still held; a task (or an interrupt) that then needs it spins with preemption off, and the holder can never run again to release it.`
        : `${c.fn}() calls ${sleeper?.expr ?? 'a function that may sleep'} while it holds ${lock}. If it sleeps, the scheduler runs another task on the same CPU with ${lock} still held; a task (or an interrupt) that then needs ${lock} spins with preemption off, and the holder can never run again to release it.`,
      invariant: `the lock holder is scheduled out while another task on its CPU spins on ${lock}: deadlock`,
      summary: outOfSight
        ? c.fixed ? `${deleted?.expr ?? 'the call that does not sleep'} kept` : `${sleepEv?.expr ?? 'a sleeping call'} where the caller holds a lock`
        : c.fixed ? `${sleeper?.expr ?? 'the sleeping call'} before taking ${lock}` : `${sleeper?.expr ?? 'a sleeping call'} while holding ${lock}`,
      locs,
      lanes: [p, q],
      condition: `1:${r.running}=1 /\\ 1:${r.got}=0`,
      fix: c.req.fix?.title,
      reason: outOfSight
        ? `${deleted?.expr ?? 'the call the patch replaced'} does not sleep: nothing sleeps while ${lock} is held, so a task that runs on CPU0 finds ${lock} free and its holder is never scheduled out under it`
        : `with ${sleeper?.expr ?? 'the sleeping call'} before ${open?.expr ?? 'the lock'}, nothing sleeps while ${lock} is held: a task that runs while ${c.fn}() sleeps finds ${lock} free: the switch to it and back orders the two`,
    };
  }
  const obj = bind(c.req, 'object');
  const ptr = bind(c.req, 'pointer', true);
  const load = c.ev('load');
  const label = c.names.label ?? 'section';
  const kind = c.names.kind ?? 'rcu';
  const locs = new Locations();
  locs.add('ptr', ptr === obj ? `${ptr} (as found)` : ptr, 1, 'int', `${ptr}: 1 = leads to the live ${obj}, 0 = unlinked`);
  locs.add('mem', `*${obj}`, 1, 'int', `${obj}: 1 = allocated, 0 = freed`);
  const names: Names = { ...c.names, ...freerNames(kind === 'irq-off' ? 'irq-off' : 'rcu', ptr, `*${obj}`), ptr, obj };
  const p = c.subject(`${c.fn}()`);
  p.rcuLock(open?.expr ?? 'rcu_read_lock()', kind === 'rcu' ? 'opens the RCU read-side section' : `opens the ${label} (an RCU-sched read-side section)`, patch(open));
  const r0 = p.read('ptr', load?.expr ?? `${obj} as found in the section`, `finds ${obj} inside the section: 1 = it is live`, patch(load ?? open));
  if (!c.fixed) {
    p.rcuUnlock(`${sleeper?.expr ?? 'a sleeping call'} sleeps`, 'may sleep: a context switch is a quiescent state, so the grace period can end here (as if the section had ended)', patch(sleeper));
    p.rcuLock(`${sleeper?.expr ?? 'the sleeping call'} returns`, `... and ${c.fn}() runs on, still inside what it believes is the same section`, patch(sleeper));
  }
  const use = c.ev('use');
  if (use && c.fixed) p.note(`${sleeper?.expr ?? 'the call'}: not inside the section any more`, 'the fix: nothing sleeps inside the section (a variant that does not sleep, or the call after rcu_read_unlock() with the walk restarted)', fixAt(sleeper));
  const r1 = use
    ? p.read('mem', use.expr, `the walk goes on: it reads ${obj}: 0 = it was freed`, patch(use))
    : p.read('mem', c.fixed ? `${sleeper?.expr ?? 'the call'}, with nothing sleeping inside the section` : sleeper?.expr ?? 'the call', `uses ${obj}: 0 = it was freed`, c.fixed ? fixAt(sleeper) : patch(sleeper));
  p.rcuUnlock(close?.expr ?? 'rcu_read_unlock()', `closes the ${label}`, patch(close));
  const q = c.other(CP.RCU_FREE, names);
  runCounterpart(q, CP.RCU_FREE, names, locs);
  return {
    title: FAMILY_TITLES.sleep,
    race: `${c.fn}() calls ${sleeper?.expr ?? 'a function that may sleep'} inside the ${label}. A sleep is a context switch, which ends the grace period for this CPU: synchronize_rcu() on another CPU returns while ${c.fn}() still uses ${obj}, which is then freed under it.`,
    invariant: `a grace period ends while ${c.fn}() sleeps inside its ${label}: it uses ${obj} after it was freed`,
    summary: c.fixed ? `nothing sleeps inside the ${label}` : `${sleeper?.expr ?? 'a sleeping call'} inside the ${label}`,
    locs,
    lanes: [p, q],
    condition: `0:${r0}=1 /\\ 0:${r1}=0`,
    fix: c.req.fix?.title,
    reason: `with nothing that sleeps between ${open?.expr ?? 'rcu_read_lock()'} and ${close?.expr ?? 'rcu_read_unlock()'}, the grace period the free waits for (${names.wait}) cannot end before rcu_read_unlock(): ${obj} is freed only after its last use`,
  };
}

// ---------------------------------------------------------------------------

const BUILDERS: Record<FamilyId, (c: Ctx) => Built> = {
  leak,
  'lock-leak': lockLeak,
  'double-release': doubleRelease,
  'wrong-release': wrongRelease,
  speculative: (c) => speculative(c, 'speculative'),
  recheck: (c) => speculative(c, 'recheck'),
  pgmap,
  'store-load': storeLoad,
  publish,
  section,
  sleep,
};

/** The scenario of a finding's race, for the request's variant (both variant slots hold it). */
export function buildFamily(req: ScenarioRequest): ScenarioDef {
  const c = ctxOf(req);
  const b = BUILDERS[req.family](c);
  if (!b.condition) throw new FamilyUnavailable(`the ${req.family} race has no outcome to check for this trace`);
  const v: VariantDef = {
    summary: b.summary,
    cpus: b.lanes.map((l) => l.def()),
    condition: b.condition,
    ...(req.variant === 'fixed' ? { fix: b.fix ?? b.summary, reason: b.reason, ...(b.unreachableBecause ? { unreachableBecause: b.unreachableBecause } : {}) } : {}),
  };
  return {
    id: req.family,
    family: req.family,
    title: b.title,
    seed: '',
    race: b.race,
    invariant: b.invariant,
    rules: [req.rule],
    locations: b.locs.defs,
    params: {},
    bind: {},
    condition: b.condition,
    variants: { buggy: v, fixed: v },
  };
}
