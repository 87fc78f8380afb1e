/**
 * The Linux Kernel Memory Model as a small declarative spec over the
 * relation algebra of ./relation.ts. Each definition below carries the name
 * it has in ../shared/lkmm/linux-kernel.bell, linux-kernel.cat and lock.cat,
 * so the two can be read side by side. This module knows nothing about how
 * executions are enumerated (./engine.ts) or parsed (./litmus/).
 *
 * The spec is split in two stages, for speed only:
 * - `staticPart` depends on the events and program order alone (fences,
 *   acq-po, po-rel, gp, barrier, rcu-rscs...);
 * - `checkExecution` adds rf and co and evaluates the axioms.
 */
import { closureRowsInto, postOrderRows, seqRowsInto, unionOfRows } from './rows';
import { EvSet, Rel } from './relation';

/** Math.clz32 as a module binding: one load instead of a global and a property lookup per use in interpreted code. */
const clz32 = Math.clz32;

/** An event as the model sees it. */
export interface MEvent {
  id: number;
  thread: number; // -1 for the initial writes
  po: number;
  kind: 'R' | 'W' | 'F';
  loc?: string;
  ann: string; // ONCE RELEASE ACQUIRE MB NORETURN plain srcu-lock srcu-unlock | fence name | 'IW'
  lock?: 'LKR' | 'LKW' | 'UL' | 'LF' | 'RL' | 'RU';
  rmwClass: boolean;
  rmwPartner?: number;
  init: boolean;
}

export interface Skeleton {
  events: MEvent[];
  /** Raw dependencies from the front end (before carry-dep). */
  addr: [number, number][];
  data: [number, number][];
  ctrl: [number, number][];
}

export interface StaticPart {
  n: number;
  ev: MEvent[];
  // sets
  R: EvSet; W: EvSet; M: EvSet; F: EvSet; IW: EvSet; Marked: EvSet; Plain: EvSet;
  Acquire: EvSet; Release: EvSet; Mb: EvSet; RMW: EvSet; Noreturn: EvSet; R4rmb: EvSet;
  LKR: EvSet; LKW: EvSet; UL: EvSet; RU: EvSet; SrcuLock: EvSet; SrcuUnlock: EvSet; SyncSrcu: EvSet; SyncRcu: EvSet;
  notSrcuUnlock: EvSet;
  // relations
  po: Rel; loc: Rel; int: Rel; ext: Rel; poLoc: Rel; rmw: Rel; id: Rel;
  addr0: Rel; data0: Rel; ctrl0: Rel;
  acqPo: Rel; poRel: Rel; rmb: Rel; wmb: Rel; mbStatic: Rel; gp: Rel;
  /** cat: barrier (only the mixed-accesses flag uses it; computed on demand). */
  barrier: () => Rel;
  rcuRscs: Rel;
  afterUnlockLockPo: Rel; // [After-unlock-lock] ; po ; [M]
  flags: string[];
  /** lock.cat axioms that depend on po only. */
  staticViolations: string[];
  /** Precomputed for the fast evaluation (see `fastStatic`). */
  fast: FastStatic;
}

/**
 * What `checkExecution` can compute once per combination of paths instead of
 * once per candidate. Each piece of the cat that does not depend on rf or co
 * in this test is evaluated here; which pieces those are depends on the
 * events present:
 * - without lock reads (LKR), po-unlock-lock-po is empty, so mb,
 *   strong-fence, nonrw-fence and fence are static;
 * - without data dependencies, carry-dep is the identity, so addr, ctrl,
 *   data, rwdep and most of ppo are static;
 * - RCU's rcu-order only relates grace periods and critical-section
 *   boundaries (the set S below), so its fixpoint runs on |S| events.
 */
export interface FastStatic {
  hasLocks: boolean;
  hasData: boolean;
  hasSrcu: boolean;
  hasGp: boolean;
  hasRmw: boolean;
  Rm: Rel;
  poOpt: Rel;
  /** Static fences (when !hasLocks). */
  strongFence0?: Rel;
  nonrwFence?: Rel;
  fence0?: Rel;
  /** strong-fence | po-rel, the argument of A-cumul (when !hasLocks). */
  cumulArg?: Rel;
  /** Static dependencies (when !hasData): addr, ctrl, data, dep ; [Marked], and the static part of ppo. */
  addr?: Rel;
  ctrl?: Rel;
  data?: Rel;
  depMarked?: Rel;
  ppoStatic?: Rel;
  /** The RCU space: S lists the events rcu-order can relate; sIdx maps an event to its index in S (-1: not in S). */
  S: number[];
  sIdx: Int32Array;
  rcuGpS: Rel;
  srcuGpS: Rel;
  rcuRscsiS: Rel;
  locS: Rel;
}

const FENCE = (ev: MEvent, name: string) => ev.kind === 'F' && ev.ann === name;

function hasRcuSections(ev: MEvent[]): boolean {
  for (let i = 0; i < ev.length; i++) if (ev[i].kind === 'F' && (ev[i].ann === 'rcu-lock' || ev[i].ann === 'rcu-unlock')) return true;
  return false;
}

export function staticPart(sk: Skeleton): StaticPart {
  const ev = sk.events;
  const n = ev.length;
  if (n > 0 && n <= 32 && !hasRcuSections(ev)) return staticPartSmall(sk);
  // every event class in one pass: kinds, access tags ('ONCE', ...), fence names, lock roles
  const empty = () => EvSet.empty(n);
  const R = empty();
  const W = empty();
  const F = empty();
  const IW = empty();
  const RMWc = empty();
  const tags = new Map<string, EvSet>(); // access annotations of R/W events
  const fences = new Map<string, EvSet>(); // fence names
  const locks = new Map<string, EvSet>(); // LKR LKW UL LF RL RU
  const add = (m: Map<string, EvSet>, k: string, i: number) => {
    let x = m.get(k);
    if (!x) m.set(k, (x = empty()));
    x.bits[i >>> 5] |= 1 << (i & 31);
  };
  for (let i = 0; i < n; i++) {
    const e = ev[i];
    const bit = 1 << (i & 31);
    const word = i >>> 5;
    if (e.kind === 'R') R.bits[word] |= bit;
    else if (e.kind === 'W') W.bits[word] |= bit;
    else F.bits[word] |= bit;
    if (e.init) IW.bits[word] |= bit;
    if (e.rmwClass) RMWc.bits[word] |= bit;
    if (e.kind === 'F') add(fences, e.ann, i);
    else add(tags, e.ann, i);
    if (e.lock) add(locks, e.lock, i);
  }
  const M = R.union(W);
  const tag = (t: string) => tags.get(t) ?? empty();
  const fence = (t: string) => fences.get(t) ?? empty();
  const LKR = locks.get('LKR') ?? empty();
  const LKW = locks.get('LKW') ?? empty();
  const UL = locks.get('UL') ?? empty();
  const RL = locks.get('RL') ?? empty();
  const LF = (locks.get('LF') ?? empty()).union(RL); // lock.cat: let LF = LF | RL
  const RU = locks.get('RU') ?? empty();
  const SrcuLock = tag('srcu-lock');
  const SrcuUnlock = tag('srcu-unlock');
  const SyncSrcu = fence('sync-srcu');
  const SyncRcu = fence('sync-rcu');
  const hasLockEvents = locks.size > 0;

  // po, int, ext, loc: built by blocks (each thread's events are contiguous, in program order)
  const po = Rel.empty(n);
  const int = Rel.empty(n);
  const loc = Rel.empty(n);
  const byLoc = new Map<string, number[]>();
  for (let a = 0; a < n; a++) {
    const e = ev[a];
    if (e.loc !== undefined) {
      const l = byLoc.get(e.loc);
      if (l) l.push(a);
      else byLoc.set(e.loc, [a]);
    }
    if (e.thread < 0) continue;
    for (let b = a - 1; b >= 0 && ev[b].thread === e.thread; b--) {
      int.addMut(a, b);
      int.addMut(b, a);
      if (ev[b].po > e.po) po.addMut(a, b);
      else po.addMut(b, a);
    }
    int.addMut(a, a);
  }
  for (const ids of byLoc.values()) for (const a of ids) for (const b of ids) loc.addMut(a, b);
  const ext = int.complement();
  const id = Rel.id(EvSet.where(n, () => true));
  const poLoc = po.inter(loc);
  // rmw (bell) and lk-rmw (lock.cat): the engine pairs the halves.
  const rmw = Rel.empty(n);
  const rmwNoLock = Rel.empty(n);
  for (let a = 0; a < n; a++) {
    const e = ev[a];
    if (e.kind !== 'R' || e.rmwPartner === undefined) continue;
    rmw.addMut(a, e.rmwPartner);
    if (!e.lock) rmwNoLock.addMut(a, e.rmwPartner);
  }

  // bell: FailedRMW, Acquire, Release, Mb, Noreturn (lock.cat adds LKR / UL)
  const FailedRMW = RMWc.minus(rmwNoLock.domain().union(rmwNoLock.range()));
  const Acquire = tag('ACQUIRE').minus(W).minus(FailedRMW).union(LKR);
  const Release = tag('RELEASE').minus(R).minus(FailedRMW).union(UL);
  // 'MB is both an access tag and a fence tag
  const Mb = tag('MB').union(fence('MB')).minus(FailedRMW);
  const Noreturn = tag('NORETURN').minus(W);
  // bell: Marked / Plain
  const Marked = M.complement().union(IW).union(tag('ONCE')).union(tag('RELEASE')).union(tag('ACQUIRE'))
    .union(tag('MB')).union(RMWc).union(LKR).union(LKW).union(UL).union(LF).union(RL).union(RU)
    .union(SrcuLock).union(SrcuUnlock);
  const Plain = M.minus(Marked);

  const fencerel = (s: EvSet) => po.ran(s).seq(po);
  const Rm = Rel.id(M);
  const none = Rel.empty(n);
  const has = (s: EvSet) => !s.isEmpty();

  // cat: acq-po, po-rel
  const acqPo = has(Acquire) ? po.restrict(Acquire, M) : none;
  const poRel = has(Release) ? po.restrict(M, Release) : none;
  // cat: fences (each term only when its fence or tag occurs)
  const R4rmb = R.minus(Noreturn);
  const rmb = fences.has('rmb') ? fencerel(fence('rmb')).restrict(R4rmb, R4rmb) : none;
  const wmb = fences.has('wmb') ? fencerel(fence('wmb')).restrict(W, W) : none;
  const poOpt = po.opt();
  let mbStatic = none;
  if (has(Mb)) {
    mbStatic = fencerel(Mb).restrict(M, M)
      .union(po.restrict(M, Mb.inter(R)))
      .union(po.restrict(Mb.inter(W), M));
  }
  if (fences.has('before-atomic')) mbStatic = mbStatic.union(Rel.seqAll(Rm, fencerel(fence('before-atomic')), Rel.id(RMWc), poOpt, Rm));
  if (fences.has('after-atomic')) mbStatic = mbStatic.union(Rel.seqAll(Rm, poOpt, Rel.id(RMWc), fencerel(fence('after-atomic')), Rm));
  if (fences.has('after-spinlock')) mbStatic = mbStatic.union(Rel.seqAll(Rm, poOpt, Rel.id(LKW), fencerel(fence('after-spinlock')), Rm));
  if (fences.has('after-srcu-read-unlock')) mbStatic = mbStatic.union(Rel.seqAll(Rm, poOpt, Rel.id(SrcuUnlock), fencerel(fence('after-srcu-read-unlock')), Rm));
  const afterUnlockLockPo = fences.has('after-unlock-lock') ? po.restrict(fence('after-unlock-lock'), M) : none;
  // cat: gp = po ; [Sync-rcu | Sync-srcu] ; po?
  const gp = has(SyncRcu) || has(SyncSrcu) ? po.ran(SyncRcu.union(SyncSrcu)).seq(poOpt) : none;
  // cat: barrier (used only by the mixed-accesses flag, which is not raised: computed on demand)
  const barrier = () => {
    const barrierSet = fence('barrier').union(fence('rmb')).union(fence('wmb')).union(Mb).union(SyncRcu).union(SyncSrcu)
      .union(fence('before-atomic')).union(fence('after-atomic')).union(Acquire).union(Release)
      .union(fence('rcu-lock')).union(fence('rcu-unlock')).union(SrcuLock).union(SrcuUnlock);
    return fencerel(barrierSet).union(po.ran(Release)).union(po.dom(Acquire));
  };

  // bell: rcu-rscs, the matching of nested rcu_read_lock/unlock, computed by
  // the bell's fixpoint: repeatedly match unmatched locks to unmatched
  // unlocks with no unmatched event between them.
  const RcuLock = fence('rcu-lock');
  const RcuUnlock = fence('rcu-unlock');
  let matched = Rel.empty(n);
  const flags: string[] = [];
  if (has(RcuLock) || has(RcuUnlock)) {
    for (;;) {
      const ul = RcuLock.minus(matched.domain());
      const uu = RcuUnlock.minus(matched.range());
      const un = ul.union(uu);
      const unPo = po.restrict(un, un);
      const next = matched.union(po.restrict(ul, uu).minus(unPo.seq(unPo)));
      if (next.equals(matched)) break;
      matched = next;
    }
    if (!RcuLock.minus(matched.domain()).isEmpty()) flags.push('unmatched-rcu-lock');
    if (!RcuUnlock.minus(matched.range()).isEmpty()) flags.push('unmatched-rcu-unlock');
  }

  // lock.cat axioms over po only
  const staticViolations: string[] = [];
  if (hasLockEvents) {
    const lkwPoLoc = poLoc.dom(LKW);
    const throughUL = poLoc.ran(UL).seq(poLoc);
    if (!lkwPoLoc.ran(LKR).minus(throughUL).isEmpty()) staticViolations.push('lock-nest: spin_lock() nested inside a critical section for the same lock deadlocks');
    if (!lkwPoLoc.ran(RU).minus(throughUL).isEmpty()) staticViolations.push('nested-is-locked: spin_is_locked() inside a critical section must return true');
    const critical = lkwPoLoc.ran(UL).minus(poLoc.ran(LKW.union(UL)).seq(poLoc));
    if (!UL.minus(critical.range()).isEmpty()) flags.push('unmatched-unlock');
    const unmatchedLKW = LKW.minus(critical.domain());
    if (!Rel.cross(unmatchedLKW, unmatchedLKW).inter(loc).minus(id).isEmpty()) staticViolations.push('unmatched-locks: two CPUs hold the same lock forever (deadlock)');
  }

  const rel = (ps: [number, number][]) => (ps.length ? Rel.fromPairs(n, ps) : none);
  const st: Omit<StaticPart, 'fast'> = {
    n, ev, R, W, M, F, IW, Marked, Plain, Acquire, Release, Mb, RMW: RMWc, Noreturn, R4rmb, LKR, LKW, UL, RU,
    SrcuLock, SrcuUnlock, SyncSrcu, SyncRcu, notSrcuUnlock: SrcuUnlock.complement(),
    po, loc, int, ext, poLoc, rmw, id, addr0: rel(sk.addr), data0: rel(sk.data), ctrl0: rel(sk.ctrl),
    acqPo, poRel, rmb, wmb, mbStatic, gp, barrier, rcuRscs: matched, afterUnlockLockPo, flags, staticViolations,
  };
  return { ...st, fast: fastStatic(st, RcuLock, RcuUnlock, Rm, poOpt) };
}

/*
 * `staticPart` on graphs of up to 32 events without RCU read-side critical
 * sections (their matching is a fixpoint; those take the general code): the
 * same definitions, in the same order, on one-word event sets and one-word
 * rows, so that a set operation is one integer operation and a relation
 * operator one pass over n words; the Rel and EvSet values are made once,
 * at the end. Every search over a combination of shapes starts with it.
 */
type Rows = Uint32Array;

/** [S] ; r ; [T] */
function rowsRestrict(r: Rows, s: number, t: number, n: number): Rows {
  const out = new Uint32Array(n);
  for (let a = 0; a < n; a++) if (s & (1 << a)) out[a] = r[a] & t;
  return out;
}

/** x ; y */
function rowsSeq(x: Rows, y: Rows, n: number): Rows {
  return seqRowsInto(x, y, n, new Uint32Array(n));
}

/** x ; [S] ; y (fencerel(S) is po ; [S] ; po) */
function rowsThrough(x: Rows, s: number, y: Rows, n: number): Rows {
  return seqRowsInto(x, y, n, new Uint32Array(n), s);
}

function rowsOr(a: Rows, b: Rows, n: number): Rows {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i] | b[i];
  return out;
}

/** The events with a non-empty row. */
function rowsDomain(r: Rows, n: number): number {
  let d = 0;
  for (let a = 0; a < n; a++) if (r[a] !== 0) d |= 1 << a;
  return d;
}

function rowsRange(r: Rows, n: number): number {
  let d = 0;
  for (let a = 0; a < n; a++) d |= r[a];
  return d;
}

function staticPartSmall(sk: Skeleton): StaticPart {
  const ev = sk.events;
  const n = ev.length;
  const all = n === 32 ? -1 : (1 << n) - 1;
  // every event class in one pass: kinds, access tags ('ONCE', ...), fence names, lock roles
  let R = 0;
  let W = 0;
  let F = 0;
  let IW = 0;
  let RMWc = 0;
  const tags = new Map<string, number>(); // access annotations of R/W events
  const fences = new Map<string, number>(); // fence names
  const locks = new Map<string, number>(); // LKR LKW UL LF RL RU
  for (let i = 0; i < n; i++) {
    const e = ev[i];
    const bit = 1 << i;
    if (e.kind === 'R') R |= bit;
    else if (e.kind === 'W') W |= bit;
    else F |= bit;
    if (e.init) IW |= bit;
    if (e.rmwClass) RMWc |= bit;
    if (e.kind === 'F') fences.set(e.ann, (fences.get(e.ann) ?? 0) | bit);
    else tags.set(e.ann, (tags.get(e.ann) ?? 0) | bit);
    if (e.lock) locks.set(e.lock, (locks.get(e.lock) ?? 0) | bit);
  }
  const M = R | W;
  const tag = (t: string) => tags.get(t) ?? 0;
  const fence = (t: string) => fences.get(t) ?? 0;
  const LKR = locks.get('LKR') ?? 0;
  const LKW = locks.get('LKW') ?? 0;
  const UL = locks.get('UL') ?? 0;
  const RL = locks.get('RL') ?? 0;
  const LF = (locks.get('LF') ?? 0) | RL; // lock.cat: let LF = LF | RL
  const RU = locks.get('RU') ?? 0;
  const SrcuLock = tag('srcu-lock');
  const SrcuUnlock = tag('srcu-unlock');
  const SyncSrcu = fence('sync-srcu');
  const SyncRcu = fence('sync-rcu');
  const hasLockEvents = locks.size > 0;

  // po, int, loc: built by blocks (each thread's events are contiguous, in program order)
  const po = new Uint32Array(n);
  const int = new Uint32Array(n);
  const loc = new Uint32Array(n);
  const byLoc = new Map<string, number>();
  for (let a = 0; a < n; a++) {
    const e = ev[a];
    if (e.loc !== undefined) byLoc.set(e.loc, (byLoc.get(e.loc) ?? 0) | (1 << a));
    if (e.thread < 0) continue;
    for (let b = a - 1; b >= 0 && ev[b].thread === e.thread; b--) {
      int[a] |= 1 << b;
      int[b] |= 1 << a;
      if (ev[b].po > e.po) po[a] |= 1 << b;
      else po[b] |= 1 << a;
    }
    int[a] |= 1 << a;
  }
  for (const m of byLoc.values()) for (let a = 0; a < n; a++) if (m & (1 << a)) loc[a] |= m;
  const ext = new Uint32Array(n);
  const id = new Uint32Array(n);
  const poLoc = new Uint32Array(n);
  const poOpt = new Uint32Array(n);
  for (let a = 0; a < n; a++) {
    ext[a] = ~int[a] & all;
    id[a] = 1 << a;
    poLoc[a] = po[a] & loc[a];
    poOpt[a] = po[a] | (1 << a);
  }
  // rmw (bell) and lk-rmw (lock.cat): the engine pairs the halves.
  const rmw = new Uint32Array(n);
  const rmwNoLock = new Uint32Array(n);
  for (let a = 0; a < n; a++) {
    const e = ev[a];
    if (e.kind !== 'R' || e.rmwPartner === undefined) continue;
    rmw[a] |= 1 << e.rmwPartner;
    if (!e.lock) rmwNoLock[a] |= 1 << e.rmwPartner;
  }

  // bell: FailedRMW, Acquire, Release, Mb, Noreturn (lock.cat adds LKR / UL)
  const FailedRMW = RMWc & ~(rowsDomain(rmwNoLock, n) | rowsRange(rmwNoLock, n));
  const Acquire = (tag('ACQUIRE') & ~W & ~FailedRMW) | LKR;
  const Release = (tag('RELEASE') & ~R & ~FailedRMW) | UL;
  // 'MB is both an access tag and a fence tag
  const Mb = (tag('MB') | fence('MB')) & ~FailedRMW;
  const Noreturn = tag('NORETURN') & ~W;
  // bell: Marked / Plain
  const Marked = (~M & all) | IW | tag('ONCE') | tag('RELEASE') | tag('ACQUIRE') | tag('MB') | RMWc | LKR | LKW | UL | LF | RL | RU | SrcuLock | SrcuUnlock;
  const Plain = M & ~Marked;

  const fencerel = (S: number) => rowsThrough(po, S, po, n);
  const none = new Uint32Array(n);

  // cat: acq-po, po-rel
  const acqPo = Acquire !== 0 ? rowsRestrict(po, Acquire, M, n) : none;
  const poRel = Release !== 0 ? rowsRestrict(po, M, Release, n) : none;
  // cat: fences (each term only when its fence or tag occurs)
  const R4rmb = R & ~Noreturn;
  const rmb = fences.has('rmb') ? rowsRestrict(fencerel(fence('rmb')), R4rmb, R4rmb, n) : none;
  const wmb = fences.has('wmb') ? rowsRestrict(fencerel(fence('wmb')), W, W, n) : none;
  let mbStatic: Rows = none;
  if (Mb !== 0) {
    const a = rowsRestrict(fencerel(Mb), M, M, n);
    const b = rowsRestrict(po, M, Mb & R, n);
    const c = rowsRestrict(po, Mb & W, M, n);
    mbStatic = new Uint32Array(n);
    for (let i = 0; i < n; i++) mbStatic[i] = a[i] | b[i] | c[i];
  }
  // [M] ; x ; [S] ; y ; [M]
  const mSandwich = (x: Rows, S: number, y: Rows) => rowsRestrict(rowsThrough(x, S, y, n), M, M, n);
  if (fences.has('before-atomic')) mbStatic = rowsOr(mbStatic, mSandwich(fencerel(fence('before-atomic')), RMWc, poOpt), n);
  if (fences.has('after-atomic')) mbStatic = rowsOr(mbStatic, mSandwich(poOpt, RMWc, fencerel(fence('after-atomic'))), n);
  if (fences.has('after-spinlock')) mbStatic = rowsOr(mbStatic, mSandwich(poOpt, LKW, fencerel(fence('after-spinlock'))), n);
  if (fences.has('after-srcu-read-unlock')) mbStatic = rowsOr(mbStatic, mSandwich(poOpt, SrcuUnlock, fencerel(fence('after-srcu-read-unlock'))), n);
  const afterUnlockLockPo = fences.has('after-unlock-lock') ? rowsRestrict(po, fence('after-unlock-lock'), M, n) : none;
  // cat: gp = po ; [Sync-rcu | Sync-srcu] ; po?
  const gp = (SyncRcu | SyncSrcu) !== 0 ? rowsThrough(po, SyncRcu | SyncSrcu, poOpt, n) : none;

  const rel = (r: Rows) => new Rel(n, r);
  const set = (m: number) => {
    const b = new Uint32Array(1);
    b[0] = m;
    return new EvSet(n, b);
  };
  // cat: barrier (used only by the mixed-accesses flag, which is not raised: computed on demand)
  const barrier = () => {
    const barrierSet = fence('barrier') | fence('rmb') | fence('wmb') | Mb | SyncRcu | SyncSrcu
      | fence('before-atomic') | fence('after-atomic') | Acquire | Release
      | fence('rcu-lock') | fence('rcu-unlock') | SrcuLock | SrcuUnlock;
    const fr = fencerel(barrierSet);
    const out = new Uint32Array(n);
    for (let a = 0; a < n; a++) out[a] = fr[a] | (po[a] & Release) | ((Acquire & (1 << a)) !== 0 ? po[a] : 0);
    return rel(out);
  };

  // rcu-rscs: no RCU read-side critical sections here (see staticPart)
  const flags: string[] = [];

  // lock.cat axioms over po only
  const staticViolations: string[] = [];
  if (hasLockEvents) {
    const lkwPoLoc = rowsRestrict(poLoc, LKW, all, n);
    const throughUL = rowsThrough(poLoc, UL, poLoc, n);
    let nest = false;
    let nestedIsLocked = false;
    for (let a = 0; a < n; a++) {
      if ((lkwPoLoc[a] & LKR & ~throughUL[a]) !== 0) nest = true;
      if ((lkwPoLoc[a] & RU & ~throughUL[a]) !== 0) nestedIsLocked = true;
    }
    if (nest) staticViolations.push('lock-nest: spin_lock() nested inside a critical section for the same lock deadlocks');
    if (nestedIsLocked) staticViolations.push('nested-is-locked: spin_is_locked() inside a critical section must return true');
    const between = rowsThrough(poLoc, LKW | UL, poLoc, n);
    const critical = new Uint32Array(n);
    for (let a = 0; a < n; a++) critical[a] = lkwPoLoc[a] & UL & ~between[a];
    if ((UL & ~rowsRange(critical, n)) !== 0) flags.push('unmatched-unlock');
    const unmatchedLKW = LKW & ~rowsDomain(critical, n);
    let deadlock = false;
    for (let a = 0; a < n; a++) if ((unmatchedLKW & (1 << a)) !== 0 && (unmatchedLKW & loc[a] & ~(1 << a)) !== 0) deadlock = true;
    if (deadlock) staticViolations.push('unmatched-locks: two CPUs hold the same lock forever (deadlock)');
  }

  const noneRel = rel(none);
  const fromPairs = (ps: [number, number][]) => {
    const r = new Uint32Array(n);
    for (let i = 0; i < ps.length; i++) r[ps[i][0]] |= 1 << ps[i][1];
    return r;
  };
  const addr0 = fromPairs(sk.addr);
  const data0 = fromPairs(sk.data);
  const ctrl0 = fromPairs(sk.ctrl);
  const addr0Rel = sk.addr.length ? rel(addr0) : noneRel;
  const data0Rel = sk.data.length ? rel(data0) : noneRel;
  const ctrl0Rel = sk.ctrl.length ? rel(ctrl0) : noneRel;
  const relOrNone = (r: Rows) => (r === none ? noneRel : rel(r));
  const mbStaticRel = relOrNone(mbStatic);
  const gpRel = relOrNone(gp);
  const poRelRel = relOrNone(poRel);
  const acqPoRel = relOrNone(acqPo);
  const wmbRel = relOrNone(wmb);
  const rmbRel = relOrNone(rmb);
  const intRel = rel(int);
  const locRel = rel(loc);
  const MSet = set(M);

  // fastStatic (below), on the rows
  const hasLocks = LKR !== 0;
  const hasData = sk.data.length > 0;
  const f: FastStatic = {
    hasLocks, hasData, hasSrcu: (SrcuLock | SrcuUnlock | SyncSrcu) !== 0, hasGp: (SyncRcu | SyncSrcu) !== 0,
    hasRmw: rowsRange(rmw, n) !== 0, Rm: rel(id.map((x, a) => ((M & (1 << a)) !== 0 ? x : 0))), poOpt: rel(poOpt),
  } as FastStatic;
  let fence0: Rows | undefined;
  if (!hasLocks) {
    // po-unlock-lock-po is empty: mb is mbStatic
    const strongFence0 = rowsOr(mbStatic, gp, n);
    const nonrwFence = new Uint32Array(n);
    fence0 = new Uint32Array(n);
    const cumulArg = new Uint32Array(n);
    for (let a = 0; a < n; a++) {
      nonrwFence[a] = strongFence0[a] | poRel[a] | acqPo[a];
      fence0[a] = nonrwFence[a] | wmb[a] | rmb[a];
      cumulArg[a] = strongFence0[a] | poRel[a];
    }
    f.strongFence0 = rel(strongFence0);
    f.nonrwFence = rel(nonrwFence);
    f.fence0 = rel(fence0);
    f.cumulArg = rel(cumulArg);
  }
  if (!hasData) {
    // carry-dep is the identity
    f.addr = addr0Rel;
    f.ctrl = ctrl0Rel;
    f.data = data0Rel;
    const depMarked = new Uint32Array(n);
    const ppo = new Uint32Array(n);
    const addrPlainWmb = rowsSeq(rowsRestrict(addr0, all, Plain, n), wmb, n);
    for (let a = 0; a < n; a++) {
      const dep = addr0[a] | data0[a];
      depMarked[a] = dep & Marked;
      ppo[a] = ((dep | ctrl0[a]) & W) | addrPlainWmb[a] | (addr0[a] & R);
      if (fence0) ppo[a] |= fence0[a] & int[a];
    }
    f.depMarked = rel(depMarked);
    f.ppoStatic = rel(ppo);
  }
  // RCU space: grace periods and the boundaries of SRCU read-side critical sections
  const S: number[] = [];
  const Smask = SyncRcu | SyncSrcu | SrcuLock | SrcuUnlock;
  for (let a = 0; a < n; a++) if (Smask & (1 << a)) S.push(a);
  f.S = S;
  f.sIdx = new Int32Array(n).fill(-1);
  S.forEach((e, i) => (f.sIdx[e] = i));
  const m = S.length;
  const projectMask = (mask: number) => {
    const out = Rel.empty(m);
    for (let i = 0; i < m; i++) if (mask & (1 << S[i])) out.addMut(i, i);
    return out;
  };
  f.rcuGpS = projectMask(SyncRcu);
  f.srcuGpS = projectMask(SyncSrcu);
  f.rcuRscsiS = Rel.empty(m);
  f.locS = project(locRel, S);

  return {
    n, ev, R: set(R), W: set(W), M: MSet, F: set(F), IW: set(IW), Marked: set(Marked), Plain: set(Plain), Acquire: set(Acquire),
    Release: set(Release), Mb: set(Mb), RMW: set(RMWc), Noreturn: set(Noreturn), R4rmb: set(R4rmb), LKR: set(LKR), LKW: set(LKW),
    UL: set(UL), RU: set(RU), SrcuLock: set(SrcuLock), SrcuUnlock: set(SrcuUnlock), SyncSrcu: set(SyncSrcu), SyncRcu: set(SyncRcu),
    notSrcuUnlock: set(~SrcuUnlock & all),
    po: rel(po), loc: locRel, int: intRel, ext: rel(ext), poLoc: rel(poLoc), rmw: rel(rmw), id: rel(id),
    addr0: addr0Rel, data0: data0Rel, ctrl0: ctrl0Rel,
    acqPo: acqPoRel, poRel: poRelRel, rmb: rmbRel, wmb: wmbRel, mbStatic: mbStaticRel, gp: gpRel,
    barrier, rcuRscs: Rel.empty(n), afterUnlockLockPo: relOrNone(afterUnlockLockPo), flags, staticViolations, fast: f,
  };
}

function fastStatic(st: Omit<StaticPart, 'fast'>, RcuLock: EvSet, RcuUnlock: EvSet, Rm: Rel, poOpt: Rel): FastStatic {
  const { n, po, int, M, W, R, Marked, Plain } = st;
  const hasLocks = !st.LKR.isEmpty();
  const hasData = !st.data0.isEmpty();
  const hasSrcu = !st.SrcuLock.isEmpty() || !st.SrcuUnlock.isEmpty() || !st.SyncSrcu.isEmpty();
  const hasGp = !st.SyncRcu.isEmpty() || !st.SyncSrcu.isEmpty();
  const hasRmw = !st.rmw.isEmpty();
  const f: FastStatic = { hasLocks, hasData, hasSrcu, hasGp, hasRmw, Rm, poOpt } as FastStatic;
  if (!hasLocks) {
    // po-unlock-lock-po is empty: mb is mbStatic
    f.strongFence0 = st.mbStatic.union(st.gp);
    f.nonrwFence = f.strongFence0.union(st.poRel, st.acqPo);
    f.fence0 = f.nonrwFence.union(st.wmb, st.rmb);
    f.cumulArg = f.strongFence0.union(st.poRel);
  }
  if (!hasData) {
    // carry-dep is the identity
    f.addr = st.addr0;
    f.ctrl = st.ctrl0;
    f.data = st.data0;
    const dep = st.addr0.union(st.data0);
    f.depMarked = dep.ran(Marked);
    const rwdep = dep.union(st.ctrl0).ran(W);
    let ppo = rwdep.union(st.addr0.ran(Plain).seq(st.wmb), st.addr0.ran(R));
    if (f.fence0) ppo = ppo.union(f.fence0.inter(int));
    f.ppoStatic = ppo;
  }
  // RCU space: grace periods and the boundaries of (S)RCU read-side critical sections
  const Sset = st.SyncRcu.union(st.SyncSrcu).union(RcuLock).union(RcuUnlock).union(st.SrcuLock).union(st.SrcuUnlock);
  f.S = Sset.ids();
  f.sIdx = new Int32Array(n).fill(-1);
  f.S.forEach((e, i) => (f.sIdx[e] = i));
  f.rcuGpS = project(Rel.id(st.SyncRcu), f.S);
  f.srcuGpS = project(Rel.id(st.SyncSrcu), f.S);
  f.rcuRscsiS = project(st.rcuRscs.inv(), f.S);
  f.locS = project(st.loc, f.S);
  void M;
  void po;
  return f;
}

/** The restriction of r to S x S, re-indexed 0..|S|-1. */
function project(r: Rel, S: number[]): Rel {
  const m = S.length;
  const out = Rel.empty(m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (r.has(S[i], S[j])) out.addMut(i, j);
  return out;
}

export interface CheckOptions {
  explain: boolean;
  flags: boolean;
  /** rf and co are a subset of the final ones: check only the axioms that are monotone in rf and co. */
  partial?: boolean;
}

export interface Verdict {
  allowed: boolean;
  /** Violated axioms: "name: detail". */
  violated: string[];
  /** herd7 flags raised (data-race, ...). Only computed for allowed executions. */
  flags: string[];
  /** With `partial`, when allowed: hb* of the partial execution (a subset of the final one). */
  hbStar?: Rel;
}

/** Per-location coherence (cat: `acyclic po-loc | com as coherence`). */
export function coherent(st: StaticPart, rf: Rel, co: Rel): boolean {
  const fr = rf.inv().seq(co);
  return st.poLoc.union(rf, co, fr).acyclic();
}

/**
 * Evaluate the LKMM axioms on one candidate execution: the literal
 * transcription of the .cat, definition by definition. `checkExecution`
 * computes the same verdict faster; test/sim/model.test.ts checks that the
 * two agree on every candidate of every test in the repository.
 */
export function checkExecutionSpec(st: StaticPart, rf: Rel, co: Rel, opts: CheckOptions): Verdict {
  const { po, int, ext, M, W, R, Marked, Plain, IW } = st;
  const violated: string[] = [...st.staticViolations];
  const describeCycle = (r: Rel) => {
    if (!opts.explain) return '';
    const c = r.findCycle();
    return c ? ' cycle ' + [...c, c[0]].map((i) => describeEvent(st.ev[i])).join(' -> ') : '';
  };

  // lock.cat merges UL into co and LKR into rf; our candidates already have them.
  const fr = rf.inv().seq(co);
  const rfe = rf.inter(ext);
  const rfi = rf.inter(int);
  const coe = co.inter(ext);
  const fre = fr.inter(ext);

  // Sequential Consistency Per Variable
  const com = rf.union(co, fr);
  const coh = st.poLoc.union(com);
  if (!coh.acyclic()) violated.push('coherence:' + describeCycle(coh));
  // Atomic Read-Modify-Write
  if (!st.rmw.inter(fre.seq(coe)).isEmpty()) violated.push('atomic: another CPU wrote between the read and the write of an RMW');
  // Without explanations, the first violated axiom decides.
  const done = () => !opts.explain && violated.length > 0;
  if (done()) return { allowed: false, violated, flags: [] };

  // bell: carry-dep = (data ; [~Srcu-unlock] ; rfi)* ; addr/ctrl/data redefined
  const carryDep = st.data0.ran(st.notSrcuUnlock).seq(rfi).star();
  const addr = carryDep.seq(st.addr0);
  const ctrl = carryDep.seq(st.ctrl0);
  const data = carryDep.seq(st.data0);

  // bell: srcu-rscs = ([Srcu-lock] ; carry-srcu-data ; data ; [Srcu-unlock]) & loc
  const carrySrcuData = st.data0.ran(st.notSrcuUnlock).seq(rf).star();
  const srcuRscs = carrySrcuData.dom(st.SrcuLock).seq(st.data0).ran(st.SrcuUnlock).inter(st.loc);

  // cat: po-unlock-lock-po = po ; [UL] ; (po|rf) ; [LKR] ; po
  const poUnlockLockPo = Rel.seqAll(po.ran(st.UL), po.union(rf).ran(st.LKR), po);
  const Rm = Rel.id(M);
  const mb = st.mbStatic.union(Rel.seqAll(Rm, poUnlockLockPo, st.afterUnlockLockPo));
  const strongFence0 = mb.union(st.gp);
  const nonrwFence = strongFence0.union(st.poRel, st.acqPo);
  const fence0 = nonrwFence.union(st.wmb, st.rmb);

  // Preserved Program Order
  const dep = addr.union(data);
  const rwdep = dep.union(ctrl).ran(W);
  const overwrite = co.union(fr);
  const toW = rwdep.union(overwrite.inter(int), addr.ran(Plain).seq(st.wmb));
  const toR = addr.ran(R).union(dep.ran(Marked).seq(rfi));
  const ppo = toR.union(toW, fence0.inter(int), poUnlockLockPo.inter(int));

  // Propagation: ordering from release operations and strong fences
  const aCumul = (r: Rel) => rfe.ran(Marked).opt().seq(r);
  const rmwSequence = rf.seq(st.rmw).star();
  const cumulFence = aCumul(strongFence0.union(st.poRel)).union(st.wmb, poUnlockLockPo)
    .restrict(Marked, Marked).seq(rmwSequence);
  const prop = Rel.seqAll(overwrite.inter(ext).opt().dom(Marked), cumulFence.star(), rfe.opt().restrict(Marked, Marked));

  // Happens Before
  const hb = ppo.union(rfe, prop.minus(st.id).inter(int)).restrict(Marked, Marked);
  if (!hb.acyclic()) violated.push('happens-before:' + describeCycle(hb));
  if (done()) return { allowed: false, violated, flags: [] };

  // Propagation (pb is empty without strong fences)
  const hbStar = hb.star();
  const pb = strongFence0.isEmpty() ? Rel.empty(st.n) : Rel.seqAll(prop, strongFence0, hbStar).ran(Marked);
  if (!pb.acyclic()) violated.push('propagation:' + describeCycle(pb));
  if (done()) return { allowed: false, violated, flags: [] };

  // RCU (rcu-order, hence rcu-fence and rb, are empty without grace periods)
  const hasGp = !st.SyncRcu.isEmpty() || !st.SyncSrcu.isEmpty();
  if (opts.partial && !hasGp) return { allowed: violated.length === 0, violated, flags: [], hbStar };
  const rcuGp = Rel.id(st.SyncRcu);
  const srcuGp = Rel.id(st.SyncSrcu);
  const rcuRscsi = st.rcuRscs.inv();
  const srcuRscsi = srcuRscs.inv();
  const pbStar = pb.star();
  const rcuLink = Rel.seqAll(po.opt(), hbStar, pbStar, prop, po);
  const base = rcuGp.union(srcuGp,
    Rel.seqAll(rcuGp, rcuLink, rcuRscsi),
    Rel.seqAll(srcuGp, rcuLink, srcuRscsi).inter(st.loc),
    Rel.seqAll(rcuRscsi, rcuLink, rcuGp),
    Rel.seqAll(srcuRscsi, rcuLink, srcuGp).inter(st.loc));
  let rcuOrder = base;
  if (hasGp) {
    for (;;) {
      const oL = rcuLink.seq(rcuOrder).seq(rcuLink);
      const next = base.union(
        Rel.seqAll(rcuGp, oL, rcuRscsi),
        Rel.seqAll(srcuGp, oL, srcuRscsi).inter(st.loc),
        Rel.seqAll(rcuRscsi, oL, rcuGp),
        Rel.seqAll(srcuRscsi, oL, srcuGp).inter(st.loc),
        Rel.seqAll(rcuOrder, rcuLink, rcuOrder));
      if (next.equals(rcuOrder)) break;
      rcuOrder = next;
    }
  }
  const rcuFence = Rel.seqAll(po, rcuOrder, po.opt());
  const fence = fence0.union(rcuFence);
  const strongFence = strongFence0.union(rcuFence);
  const rb = Rel.seqAll(prop, rcuFence, hbStar, pbStar).ran(Marked);
  if (!rb.irreflexive()) violated.push('rcu: an RCU read-side critical section spans a grace period');

  // On a partial execution (a subset of the final rf and co), only the
  // axioms above are checked: each is an acyclicity/irreflexivity/emptiness
  // test of a relation built with monotone operators from rf and co, so a
  // violation persists in every completion. plain-coherence subtracts
  // relations that grow with rf/co and is not monotone.
  if (opts.partial) return { allowed: violated.length === 0, violated, flags: [], hbStar };
  const flags = [...st.flags];
  // Plain accesses and data races (only when there are plain accesses)
  if (!Plain.isEmpty()) {
    const xbstar = hb.union(pb, rb).star();
    const vis = Rel.seqAll(cumulFence.star(), rfe.opt().ran(Marked), strongFence.ran(Marked).seq(xbstar).union(xbstar.inter(int)));
    const Rmk = Rel.id(Marked);
    const wPreBounded = Rmk.seq(addr.union(fence).opt());
    const rPreBounded = Rmk.seq(addr.union(nonrwFence, Rel.seqAll(Rel.id(st.R4rmb), po.ran(fenceSet(st, 'rmb')).seq(po), Rel.id(st.Noreturn.complement()))).opt());
    const wPostBounded = fence.opt().ran(Marked).seq(rmwSequence);
    const rPostBounded = nonrwFence.union(Rel.seqAll(Rel.id(st.Noreturn.complement()), po.ran(fenceSet(st, 'rmb')).seq(po), Rel.id(st.R4rmb))).opt().ran(Marked);
    const wwVis = fence.union(Rel.seqAll(strongFence, xbstar, wPreBounded), Rel.seqAll(wPostBounded, vis, wPreBounded));
    const wrVis = fence.union(Rel.seqAll(strongFence, xbstar, rPreBounded), Rel.seqAll(wPostBounded, vis, rPreBounded));
    const rwXbstar = fence.union(Rel.seqAll(rPostBounded, xbstar, wPreBounded));
    const preRace = ext.inter(Rel.cross(Plain, M).union(Rel.cross(M.minus(IW), Plain)));
    const wrIncoh = preRace.inter(rf).inter(rwXbstar.inv());
    const rwIncoh = preRace.inter(fr).inter(wrVis.inv());
    const wwIncoh = preRace.inter(co).inter(wwVis.inv());
    if (!wrIncoh.union(rwIncoh, wwIncoh).isEmpty()) violated.push('plain-coherence: a plain access is incoherent with its visibility order');
    if (opts.flags) {
      const wwNonrace = wwVis.inter(Rel.cross(Marked, W).union(rwXbstar)).inter(Rel.cross(W, Marked).union(wrVis));
      const wwRace = preRace.inter(co).minus(wwNonrace);
      const wrRace = preRace.inter(co.opt().seq(rf)).minus(wrVis).minus(rwXbstar.inv());
      const rwRace = preRace.inter(fr).minus(rwXbstar);
      if (!wwRace.union(wrRace, rwRace).isEmpty()) flags.push('data-race');
    }
  }
  return { allowed: violated.length === 0, violated, flags };
}

/**
 * Evaluate the LKMM axioms on one candidate execution (the engine's hot
 * path). Same definitions as `checkExecutionSpec`, with three economies:
 * the parts that cannot depend on rf or co here come precomputed
 * (`FastStatic`); empty ingredients short-circuit; and the rcu axiom is
 * decided in the small space S of grace periods and critical-section
 * boundaries: rcu-order only relates events of S, and `irreflexive rb`
 * holds iff `rcu-order ; rcu-link` is irreflexive (rb = prop ; po ;
 * rcu-order ; po? ; hb* ; pb* ; [Marked]; rotating the cycle and using
 * dom(prop) in Marked gives rcu-order ; (po? ; hb* ; pb* ; prop ; po),
 * which is rcu-order ; rcu-link).
 */
export function checkExecution(st: StaticPart, rf: Rel, co: Rel, opts: CheckOptions): Verdict {
  if (opts.explain || (!opts.partial && !st.Plain.isEmpty())) return checkExecutionSpec(st, rf, co, opts);
  const f = st.fast;
  if (st.n <= 32 && !f.hasData && !f.hasGp) return checkSmall(st, rf.bits, co.bits, !!opts.partial);
  return checkFast(st, rf, co, !!opts.partial);
}

/** `checkExecution` on any graph, in the relation algebra (kept apart: a small dispatcher is cheaper to call). */
function checkFast(st: StaticPart, rf: Rel, co: Rel, partial: boolean): Verdict {
  const f = st.fast;
  const { po, int, ext, Marked } = st;
  const no = (): Verdict => ({ allowed: false, violated: ['(not explained)'], flags: [] });

  // Sequential Consistency Per Variable
  const fr = rf.invSeq(co);
  if (!st.poLoc.union(rf, co, fr).acyclic()) return no();
  const rfe = rf.inter(ext);
  // Atomic Read-Modify-Write
  if (f.hasRmw && !st.rmw.inter(fr.inter(ext).seq(co.inter(ext))).isEmpty()) return no();

  const rfi = rf.inter(int);
  // bell: carry-dep and the redefined dependencies
  let addr: Rel;
  let depMarked: Rel;
  let ppoStatic: Rel | undefined = f.ppoStatic;
  if (f.hasData) {
    const carryDep = st.data0.ran(st.notSrcuUnlock).seq(rfi).star();
    addr = carryDep.seq(st.addr0);
    const ctrl = carryDep.seq(st.ctrl0);
    const data = carryDep.seq(st.data0);
    const dep = addr.union(data);
    depMarked = dep.ran(Marked);
    ppoStatic = dep.union(ctrl).ran(st.W).union(addr.ran(st.Plain).seq(st.wmb), addr.ran(st.R));
  } else {
    addr = f.addr!;
    depMarked = f.depMarked!;
  }
  // cat: po-unlock-lock-po, and the fences
  let strongFence0: Rel;
  let cumulArg: Rel;
  let poUnlockLockPo: Rel | undefined;
  if (f.hasLocks) {
    poUnlockLockPo = Rel.seqAll(po.ran(st.UL), po.union(rf).ran(st.LKR), po);
    const mb = st.mbStatic.union(Rel.seqAll(f.Rm, poUnlockLockPo, st.afterUnlockLockPo));
    strongFence0 = mb.union(st.gp);
    const fence0 = strongFence0.union(st.poRel, st.acqPo, st.wmb, st.rmb);
    ppoStatic = ppoStatic!.union(fence0.inter(int), poUnlockLockPo.inter(int));
    cumulArg = strongFence0.union(st.poRel);
  } else {
    strongFence0 = f.strongFence0!;
    cumulArg = f.cumulArg!;
    if (f.hasData) ppoStatic = ppoStatic!.union(f.fence0!.inter(int));
  }

  // Preserved Program Order
  const overwrite = co.union(fr);
  const ppo = ppoStatic!.union(overwrite.inter(int), depMarked.seq(rfi));

  // Propagation: ordering from release operations and strong fences
  const rfeM = rfe.restrict(Marked, Marked);
  const rmwSequence = f.hasRmw ? rf.seq(st.rmw).star() : undefined;
  let cumulFence = rfeM.opt().seq(cumulArg).union(st.wmb);
  if (poUnlockLockPo) cumulFence = cumulFence.union(poUnlockLockPo);
  cumulFence = cumulFence.restrict(Marked, Marked);
  if (rmwSequence) cumulFence = cumulFence.seq(rmwSequence);
  const prop = Rel.seqAll(overwrite.inter(ext).opt().dom(Marked), cumulFence.star(), rfeM.opt().ran(Marked));

  // Happens Before
  const hb = ppo.union(rfe, prop.inter(int).minusId()).restrict(Marked, Marked);
  const hbStar = hb.starIfAcyclic();
  if (!hbStar) return no();

  // Propagation (pb is empty without strong fences)
  const pbEmpty = strongFence0.isEmpty();
  const pb = pbEmpty ? undefined : Rel.seqAll(prop, strongFence0, hbStar).ran(Marked);
  if (pb && !pb.acyclic()) return no();

  // RCU
  if (f.hasGp) {
    const S = f.S;
    const m = S.length;
    // rcu-link = po? ; hb* ; pb* ; prop ; po, rows and columns in S
    const pbStar = pb ? pb.star() : undefined;
    const linkS = Rel.empty(m);
    const w = po.w;
    let v: Uint32Array = new Uint32Array(w);
    for (let i = 0; i < m; i++) {
      const e = S[i];
      v.fill(0);
      v[e >>> 5] |= 1 << (e & 31);
      po.orRowInto(e, v);
      v = hbStar.vecTimes(v);
      if (pbStar) v = pbStar.vecTimes(v);
      v = po.vecTimes(prop.vecTimes(v));
      for (let j = 0; j < m; j++) if (v[S[j] >>> 5] & (1 << (S[j] & 31))) linkS.addMut(i, j);
    }
    let srcuRscsiS = Rel.empty(m);
    if (f.hasSrcu) {
      const carrySrcuData = st.data0.ran(st.notSrcuUnlock).seq(rf).star();
      const srcuRscs = carrySrcuData.dom(st.SrcuLock).seq(st.data0).ran(st.SrcuUnlock).inter(st.loc);
      srcuRscsiS = projectS(srcuRscs.inv(), S);
    }
    const { rcuGpS, srcuGpS, rcuRscsiS, locS } = f;
    const base = rcuGpS.union(srcuGpS,
      Rel.seqAll(rcuGpS, linkS, rcuRscsiS),
      Rel.seqAll(srcuGpS, linkS, srcuRscsiS).inter(locS),
      Rel.seqAll(rcuRscsiS, linkS, rcuGpS),
      Rel.seqAll(srcuRscsiS, linkS, srcuGpS).inter(locS));
    let rcuOrder = base;
    for (;;) {
      const oL = linkS.seq(rcuOrder).seq(linkS);
      const next = base.union(
        Rel.seqAll(rcuGpS, oL, rcuRscsiS),
        Rel.seqAll(srcuGpS, oL, srcuRscsiS).inter(locS),
        Rel.seqAll(rcuRscsiS, oL, rcuGpS),
        Rel.seqAll(srcuRscsiS, oL, srcuGpS).inter(locS),
        Rel.seqAll(rcuOrder, linkS, rcuOrder));
      if (next.equals(rcuOrder)) break;
      rcuOrder = next;
    }
    if (!rcuOrder.seq(linkS).irreflexive()) return no();
  }
  return { allowed: true, violated: [], flags: partial ? [] : [...st.flags], hbStar };
}

/*
 * `checkExecution` on graphs of at most 32 events (every kernel test): each
 * relation is one 32-bit word per row, kept in scratch arrays reused from
 * call to call, and the operators of a definition are fused into one pass
 * over the rows. Same definitions, in the same order, as the general fast
 * path above (without data dependencies and grace periods, which take it);
 * a candidate or partial execution costs a few passes over n words and one
 * allocation (hb*, which the search keeps), where the relation algebra
 * allocates a relation per operator. test/sim/model.test.ts checks it
 * against the literal transcription with the rest of `checkExecution`.
 */
const SMALL = 32;
// one-word rows, reused by every small check (fr, coherence, pulp, ...: see checkSmall)
const [sFr, sCoh, sPulp, sArg, sCumul, sCumulStar, sRmwSeq, sTmp, sProp, sHb, sPb, sOverExt, sRfeM] = Array.from({ length: 13 }, () => new Uint32Array(SMALL));
const sOrder = new Int32Array(SMALL);

/** A forbidden verdict without explanation (the fast paths' answer when an axiom fails). */
function unexplained(): Verdict {
  return { allowed: false, violated: ['(not explained)'], flags: [] };
}

/** out = r* (reflexive) or r+ of the one-word rows `r`; false (out undefined) when r has a cycle. */
function smallClosure(r: ArrayLike<number>, n: number, out: Uint32Array, reflexive: boolean): boolean {
  if (!postOrderRows(r, n, sOrder)) return false;
  closureRowsInto(r, n, sOrder, out, reflexive);
  return true;
}

/** Closure of rows that may have a cycle (Warshall), for r* where the general code uses star(). */
function smallStar(r: ArrayLike<number>, n: number, out: Uint32Array): void {
  if (smallClosure(r, n, out, true)) return;
  for (let i = 0; i < n; i++) out[i] = r[i];
  for (let k = 0; k < n; k++) {
    const km = 1 << k;
    const row = out[k];
    for (let i = 0; i < n; i++) if (out[i] & km) out[i] |= row;
  }
  for (let i = 0; i < n; i++) out[i] |= 1 << i;
}

function checkSmall(st: StaticPart, rf: Uint32Array, co: Uint32Array, partial: boolean): Verdict {
  const f = st.fast;
  const n = st.n;
  const no = unexplained;
  const ext = st.ext.bits;
  const int = st.int.bits;
  const marked = st.Marked.bits[0] | 0;

  // Sequential Consistency Per Variable: acyclic po-loc | rf | co | fr, fr = rf^-1 ; co
  const fr = sFr;
  fr.fill(0, 0, n);
  for (let w = 0; w < n; w++) {
    let m = rf[w];
    if (m === 0) continue;
    const c = co[w];
    while (m !== 0) {
      const t = m & -m;
      fr[31 - clz32(t)] |= c;
      m ^= t;
    }
  }
  // One pass over the rows for every later use of rf, co and fr: coherence's
  // union, overwrite & ext (prop), rfe ; [Marked] (cumul-fence and prop), and
  // the rf/co/fr part of hb's ppo | rfe (ppo's static and dependency parts are
  // added below). Each row of rf, co and fr is read once.
  const poLoc = st.poLoc.bits;
  const coh = sCoh;
  const overExt = sOverExt;
  const rfeM = sRfeM;
  const hb = sHb;
  for (let a = 0; a < n; a++) {
    const r = rf[a];
    const ow = co[a] | fr[a];
    const e = ext[a];
    coh[a] = poLoc[a] | r | ow;
    overExt[a] = ow & e;
    rfeM[a] = r & e & marked;
    hb[a] = (ow & int[a]) | (r & e);
  }
  if (!postOrderRows(coh, n, sOrder)) return no();
  // Atomic Read-Modify-Write: rmw & (fre ; coe) is empty
  if (f.hasRmw) {
    const rmw = st.rmw.bits;
    for (let a = 0; a < n; a++) {
      if (rmw[a] === 0) continue;
      let m = fr[a] & ext[a];
      let acc = 0;
      while (m !== 0) {
        const t = m & -m;
        const b = 31 - clz32(t);
        acc |= co[b] & ext[b];
        m ^= t;
      }
      if ((acc & rmw[a]) !== 0) return no();
    }
  }

  // cat: po-unlock-lock-po = po ; [UL] ; (po | rf) ; [LKR] ; po, and the fences
  const po = st.po.bits;
  let pulp: Uint32Array | undefined;
  let strongFence0: ArrayLike<number>;
  let cumulArg: ArrayLike<number>;
  let ppoStatic: ArrayLike<number> = f.ppoStatic!.bits;
  if (f.hasLocks) {
    pulp = sPulp;
    const ul = st.UL.bits[0] | 0;
    const lkr = st.LKR.bits[0] | 0;
    // (po | rf) ; [LKR] ; po, row by row
    const tail = sTmp;
    for (let a = 0; a < n; a++) {
      tail[a] = unionOfRows(po, (po[a] | rf[a]) & lkr);
    }
    for (let a = 0; a < n; a++) {
      pulp[a] = unionOfRows(tail, po[a] & ul);
    }
    // mb = mb-static | ([M] ; po-unlock-lock-po ; after-unlock-lock-po); strong-fence = mb | gp
    const M = st.M.bits[0] | 0;
    const mbStatic = st.mbStatic.bits;
    const gp = st.gp.bits;
    const aulp = st.afterUnlockLockPo.bits;
    const sf = sArg;
    for (let a = 0; a < n; a++) {
      let x = mbStatic[a] | gp[a];
      if (M & (1 << a)) {
        x |= unionOfRows(aulp, pulp[a]);
      }
      sf[a] = x;
    }
    strongFence0 = sf;
    // ppo's static part gains (fence & int) | (po-unlock-lock-po & int); cumul-fence's argument is strong-fence | po-rel
    const poRel = st.poRel.bits;
    const acqPo = st.acqPo.bits;
    const wmb = st.wmb.bits;
    const rmb = st.rmb.bits;
    const ps = sCumulStar; // free until cumul-fence* below: ppo's static part
    const ca = sRmwSeq; // free until rmw-sequence below: cumul-fence's argument
    for (let a = 0; a < n; a++) {
      const fence0 = sf[a] | poRel[a] | acqPo[a] | wmb[a] | rmb[a];
      ps[a] = ppoStatic[a] | ((fence0 | pulp[a]) & int[a]);
      ca[a] = sf[a] | poRel[a];
    }
    ppoStatic = ps;
    cumulArg = ca;
  } else {
    strongFence0 = f.strongFence0!.bits;
    cumulArg = f.cumulArg!.bits;
  }

  // Preserved Program Order: ppo = ppo-static | (overwrite & int) | (dep ; [Marked]) ; rfi
  const depMarked = f.depMarked!.bits;
  for (let a = 0; a < n; a++) {
    let m = depMarked[a];
    // hb's ppo and rfe parts (prop & int is added below); (overwrite & int) | rfe is already in hb
    let acc = hb[a] | ppoStatic[a];
    while (m !== 0) {
      const t = m & -m;
      const b = 31 - clz32(t);
      acc |= rf[b] & int[b];
      m ^= t;
    }
    hb[a] = acc;
  }

  // Propagation: cumul-fence = [Marked] ; ((rfe-m? ; cumul-arg) | wmb | po-unlock-lock-po) ; [Marked] ; rmw-sequence
  const wmb = st.wmb.bits;
  const cumul = sCumul;
  let anyCumul = 0;
  for (let a = 0; a < n; a++) {
    if ((marked & (1 << a)) === 0) {
      cumul[a] = 0;
      continue;
    }
    // rfe-m = [Marked] ; rfe ; [Marked]; a is Marked here
    let acc = cumulArg[a] | unionOfRows(cumulArg, rfeM[a]);
    acc |= wmb[a];
    if (pulp) acc |= pulp[a];
    anyCumul |= cumul[a] = acc & marked;
  }
  const cumulStar = sCumulStar;
  const tail = sTmp;
  if (anyCumul === 0) {
    // no cumul-fence edge here: cumul-fence ; rmw-sequence is empty too, cumul-fence* is the identity, and
    // (cumul-fence* ; (rfe-m | id)) ; [Marked] has row b = ({b} | rfe-m[b] when b is Marked) & Marked
    for (let b = 0; b < n; b++) {
      const bit = 1 << b;
      tail[b] = (marked & bit) === 0 ? 0 : (bit | rfeM[b]) & marked;
    }
  } else {
    cumulTail(st, rf, n, marked, rfeM, cumul, cumulStar, tail);
  }
  // prop = [Marked] ; (overwrite & ext)? ; cumul-fence* ; rfe-m? ; [Marked]
  const prop = sProp;
  for (let a = 0; a < n; a++) {
    if ((marked & (1 << a)) === 0) {
      prop[a] = 0;
      continue;
    }
    prop[a] = unionOfRows(tail, overExt[a] | (1 << a));
  }
  return hbAndPb(st, n, marked, hb, prop, strongFence0, partial);
}

/** tail = (cumul-fence* ; (rfe-m | id)) ; [Marked] for a non-empty cumul-fence (cumul: its rows before rmw-sequence). */
function cumulTail(st: StaticPart, rf: Uint32Array, n: number, marked: number, rfeM: Uint32Array, cumul: Uint32Array, cumulStar: Uint32Array, tail: Uint32Array): void {
  if (st.fast.hasRmw) {
    // rmw-sequence = (rf ; rmw)*; the identity (nothing to do) while no read of an RMW has a source
    const rmw = st.rmw.bits;
    seqRowsInto(rf, rmw, n, sTmp);
    let any = 0;
    for (let a = 0; a < n; a++) any |= sTmp[a];
    if (any !== 0) {
      smallStar(sTmp, n, sRmwSeq);
      seqRowsInto(cumul, sRmwSeq, n, cumul);
    }
  }
  smallStar(cumul, n, cumulStar);
  for (let b = 0; b < n; b++) {
    // (cumul-fence* ; (rfe-m | id)) ; [Marked], row b
    let m = cumulStar[b];
    let acc = m;
    while (m !== 0) {
      const t = m & -m;
      const c = 31 - clz32(t);
      if (marked & (1 << c)) acc |= rfeM[c];
      m ^= t;
    }
    tail[b] = acc & marked;
  }
}

/** The end of checkSmall: hb (ppo | rfe | prop & int, on Marked) acyclic, then pb acyclic. */
function hbAndPb(st: StaticPart, n: number, marked: number, hb: Uint32Array, prop: Uint32Array, strongFence0: ArrayLike<number>, partial: boolean): Verdict {
  const int = st.int.bits;
  // Happens Before: hb = [Marked] ; (ppo | rfe | ((prop & int) \ id)) ; [Marked]
  for (let a = 0; a < n; a++) {
    const bit = 1 << a;
    hb[a] = (marked & bit) === 0 ? 0 : (hb[a] | (prop[a] & int[a] & ~bit)) & marked;
  }
  const hbStarOut = Rel.empty(n);
  const hbStar = hbStarOut.bits;
  if (!smallClosure(hb, n, hbStar, true)) return unexplained();

  // Propagation: pb = prop ; strong-fence ; hb* ; [Marked], acyclic (empty without strong fences)
  let anyStrong = false;
  for (let a = 0; a < n; a++) if (strongFence0[a] !== 0) {
    anyStrong = true;
    break;
  }
  if (anyStrong) {
    const pb = sPb;
    for (let a = 0; a < n; a++) {
      pb[a] = unionOfRows(hbStar, unionOfRows(strongFence0, prop[a])) & marked;
    }
    if (!postOrderRows(pb, n, sOrder)) return unexplained();
  }
  return { allowed: true, violated: [], flags: partial ? [] : [...st.flags], hbStar: hbStarOut };
}

function projectS(r: Rel, S: number[]): Rel {
  return project(r, S);
}

function fenceSet(st: StaticPart, name: string): EvSet {
  return EvSet.where(st.n, (i) => FENCE(st.ev[i], name));
}

export function describeEvent(e: MEvent): string {
  if (e.init) return `init ${e.loc}`;
  const where = `P${e.thread}`;
  if (e.kind === 'F') return `${where}:F[${e.ann}]${e.loc ? ' ' + e.loc : ''}`;
  const what = e.lock ?? (e.kind === 'R' ? 'R' : 'W');
  return `${where}:${what}[${e.ann}] ${e.loc}`;
}
