/**
 * Traces: what a finding hands the simulator (server/src/protocol/replay.ts).
 *
 * A rule records the events it found on the finding's path, in order, each
 * with its own expression and image position (the acquire, the exit that
 * leaks, the store and the load, the barrier or its absence, the section
 * brackets), binds the roles those expressions play (object, counter, lock,
 * flag, published pointer), names the family of the race, and says what its
 * own fix does. The engine maps the positions to document lines; the
 * simulator builds the replay from it. A role is bound only to an expression
 * of the right shape: when one cannot be bound the trace says why, and there
 * is no replay.
 *
 * These helpers read the analyses' data (resources, leaks, lookups, the
 * ordering events) and the catalog; they never change what a rule reports.
 */
import type { Catalog } from '../../catalog';
import type { CallOp, CfgNode, Operation } from '../../c/cfg';
import { nodePos, posOf, statementText } from '../../c/facts';
import { maybeHeld, type AcquireEvent, type KeyInfo, type ReleaseEvent, type ResourceAnalysis } from '../../analysis/resources';
import type { Leak, ReleaseFault, BorrowedRelease, Relock } from '../../analysis/leaks';
import type { DeletedRelease } from '../../analysis/deletions';
import { findRevalidation, type Lookup } from '../../analysis/lookups';
import { resourcesOf } from '../../analysis/summaries';
import { eventsOf, type Ev, type MirrorSite, type SleeperHit, type SlHit, type WakerHit, type WeakProtocolHit } from '../../analysis/ordering';
import type { FamilyId } from '../../protocol/scenarioIds';
import type { Role, TraceEvent, TraceEventKind, TraceFix } from '../../protocol/replay';
import type { RawTrace, RawTracePos, RuleContext, Unit } from '../api';

type TE = TraceEvent<RawTracePos>;

const analysisFor = (unit: Unit, ctx: RuleContext): ResourceAnalysis => resourcesOf(unit, ctx);

// ---------------------------------------------------------------------------
// Expressions and role shapes

/** One line, blanks collapsed, at most 160 characters. */
export function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 160 ? t.slice(0, 159) + '…' : t;
}

const PATH = /^[A-Za-z_]\w*(?:(?:->|\.)[A-Za-z_]\w*|\[[^[\]]{1,40}\])*$/;

/**
 * The storage path an expression names, or undefined: `folio`, `pages[i]`,
 * `resv->lock`, `&mm->context.count` (the address of it), `*ptep` (what it
 * points to). Calls, arithmetic and casts are not paths: a role is never
 * bound to them.
 */
export function pathOf(expr: string | undefined): string | undefined {
  if (!expr || /\w\s+\w/.test(expr)) return undefined;
  let t = expr.replace(/\s+/g, '');
  let star = '';
  while (t.startsWith('(') && t.endsWith(')') && t.length > 2) t = t.slice(1, -1);
  if (t.startsWith('&')) t = t.slice(1);
  else if (t.startsWith('*')) {
    star = '*';
    t = t.slice(1);
  }
  while (t.startsWith('(') && t.endsWith(')') && t.length > 2) t = t.slice(1, -1);
  return t.length <= 120 && PATH.test(t) ? star + t : undefined;
}

function traceEvent(kind: TraceEventKind, expr: string, at: RawTracePos, extra: Partial<TE> = {}): TE {
  return { kind, expr: oneLine(expr), at, ...extra };
}

/** The text of a call as written; a loop or block macro's header only (`xas_for_each(&xas, folio, end)`). */
function callText(op: CallOp): string {
  return op.loopMacro || op.blockMacro ? `${op.callee}(${op.args.map((x) => x.text).join(', ')})` : op.node.text;
}

/** The event of a call (its expression as written). */
export function callEvent(kind: TraceEventKind, op: CallOp, extra: Partial<TE> = {}): TE {
  return traceEvent(kind, callText(op), op.loopMacro || op.blockMacro ? { line: op.line, col: op.col } : posOf(op, op.node), { api: op.name, ...extra });
}

/** Where a variable gets its value before `before`: the path it is loaded from, or the first argument of the call that returns it. */
function sourceOf(a: ResourceAnalysis, v: string, before: { line: number; col: number }): string | undefined {
  let src: string | undefined;
  for (const n of a.cfg.nodes) for (const op of n.ops) {
    if (op.line > before.line || (op.line === before.line && op.col >= before.col)) continue;
    if (op.kind === 'decl' && op.name === v && op.initText) src = pathOf(op.initText) ?? src;
    else if (op.kind === 'assign' && op.target.kind === 'var' && op.target.text === v && op.rhs) src = pathOf(op.rhs) ?? src;
    else if (op.kind === 'call' && ((op.result.kind === 'assigned' && op.result.to.trim() === v) || (op.loopMacro && op.args.some((x) => x.text.trim() === v)))) src = pathOf(op.args[0]?.text) ?? src;
    // an initialiser macro: XA_STATE(xas, &mapping->i_pages, index)
    else if (op.kind === 'call' && op.result.kind === 'discarded' && op.args[0]?.text.trim() === v && op.args.length > 1) src = pathOf(op.args[1].text) ?? src;
  }
  return src;
}

/** The event of a statement (a return, a goto, a test). */
export function nodeEvent(kind: TraceEventKind, n: CfgNode, extra: Partial<TE> = {}): TE {
  return traceEvent(kind, statementText(n).replace(/;$/, ''), nodePos(n), extra);
}

/** The event of an ordering-analysis access (a store, a load, an RMW, a fence). */
export function accessEvent(kind: TraceEventKind, e: Ev, unit?: Unit, extra: Partial<TE> = {}): TE {
  const text = e.op.kind === 'call' ? e.op.node.text : (e.node.stmt ?? e.op.node).text;
  return traceEvent(kind, text.replace(/;$/, ''), { line: e.line, col: e.col, endCol: e.endCol, ...(unit ? { unit } : {}) }, {
    ...(e.api ? { api: e.api } : e.op.kind === 'call' ? { api: e.op.name } : {}),
    ordering: e.ordering,
    ...extra,
  });
}

function trace(family: FamilyId, events: TE[], roles: Partial<Record<Role, string>>, names: Record<string, string>, fix?: TraceFix, need: Role[] = []): RawTrace {
  const t: RawTrace = { family, events, roles: {}, names: {} };
  for (const [k, v] of Object.entries(roles)) if (v) t.roles[k as Role] = v;
  for (const [k, v] of Object.entries(names)) if (v) t.names![k] = v;
  if (fix) t.fix = fix;
  const missing = need.filter((r) => !t.roles[r]);
  if (missing.length) t.unbound = `the ${missing.join(' and ')} of this race is not a plain object or field of the patch (${Object.entries(roles).filter(([k]) => missing.includes(k as Role)).map(([, v]) => v ?? '?').join(', ') || 'not found'})`;
  return t;
}

/** The field a reference kind counts in (from the catalog's accesses), for the counter's name. */
function counterField(cat: Catalog, k: KeyInfo): string {
  const acq = k.acquires[0];
  const loc = acq ? cat.accessLocation(acq.op.name) : undefined;
  if (loc && /^\w+$/.test(loc)) return loc;
  const store = cat.acquireStore(k.kind);
  if (k.kind === 'pgmap-ref') return 'ref';
  if (store && k.kind !== 'gup-pin') return store;
  return '_refcount';
}

/** Names common to every reference trace: the kind, its label, the counter's field, the pairing release. */
function refNames(cat: Catalog, k: KeyInfo, release?: string): Record<string, string> {
  const acq = k.acquires[0];
  const pairing = acq ? (acq.spec.pairsWith ?? []).find((n) => cat.releases(n).some((r) => cat.compatible(k.kind, r.kind))) : undefined;
  const names: Record<string, string> = { kind: k.kind, label: cat.kind(k.kind).label, field: counterField(cat, k) };
  // an array the acquire filled (pin_user_pages(..., pages)), not the address of one pointer (`&page`)
  if (k.array && acq && acq.eff.array !== undefined && !(acq.op.args[acq.eff.array]?.text ?? '').trim().startsWith('&')) names.array = '1';
  const rel = release ?? pairing;
  if (rel) names.release = rel;
  if (acq) names.acquire = acq.op.name;
  if (cat.kind(k.kind).biasCounted && acq) {
    const bias = acq.op.args.map((a) => a.text).find((t) => /[A-Z_]{4,}/.test(t) && /BIAS/.test(t));
    names.bias = bias ? bias.replace(/^-\s*/, '').trim() : 'PAGE_PIN_BIAS';
  } else if (k.kind === 'gup-pin') names.bias = 'GUP_PIN_COUNTING_BIAS';
  return names;
}

/** The call that releases `k`: one written elsewhere in the function, or the catalog's pairing release on the object. */
function releaseCall(a: ResourceAnalysis, cat: Catalog, k: KeyInfo, known?: ReleaseEvent): string | undefined {
  if (known) return oneLine(known.op.node.text);
  for (const e of a.events) if (e.t === 'release' && e.key === k && !e.mismatch) return oneLine(e.op.node.text);
  const acq = k.acquires[0];
  if (!acq) return undefined;
  const pairs = [...(acq.spec.pairsWith ?? [])].sort((x, y) => Number(!isArrayRelease(cat, x, k, acq)) - Number(!isArrayRelease(cat, y, k, acq)));
  for (const name of pairs) {
    const rel = cat.releases(name).find((r) => cat.compatible(k.kind, r.kind));
    if (!rel) continue;
    if (rel.object === 0 && rel.stateArg === undefined && rel.count === undefined && rel.array === undefined && acq.objText) return `${name}(${acq.objText})`;
    if (rel.object === undefined && rel.array === undefined && rel.stateArg === undefined) return `${name}()`;
    const args = acq.op.args.map((x) => x.text);
    if (rel.array !== undefined && acq.eff.array !== undefined) return `${name}(${args[acq.eff.array] ?? k.obj}, ${acq.op.result.kind === 'assigned' ? acq.op.result.to : 'nr'})`;
    if (rel.stateArg !== undefined && acq.eff.stateArg !== undefined) return `${name}(${args[acq.eff.stateArg] ?? 'flags'})`;
  }
  return undefined;
}

/** A pairing release that takes the whole array, for an acquire that filled one (unpin_user_pages for pin_user_pages_fast). */
function isArrayRelease(cat: Catalog, name: string, k: KeyInfo, acq: AcquireEvent): boolean {
  return acq.eff.array !== undefined && cat.releases(name).some((r) => cat.compatible(k.kind, r.kind) && r.array !== undefined);
}

/** The object as the patch names it where it takes the reference (`folio` of folio_get(folio), though the key is `page`). */
function objectOf(k: KeyInfo): string | undefined {
  const acq = k.acquires[0];
  const t = acq?.objText && acq.eff.array === undefined ? pathOf(acq.objText) : undefined;
  return t && !t.startsWith('*') ? t : pathOf(k.obj);
}

/** The roles of a key: a reference's object, a lock's lvalue, or a section. */
function keyRoles(cat: Catalog, k: KeyInfo): Partial<Record<Role, string>> {
  if (k.family === 'ref') return { object: objectOf(k) };
  if (k.family === 'lock') return { lock: pathOf(k.obj) };
  return { section: cat.kind(k.kind).label };
}

function keyNeed(k: KeyInfo): Role[] {
  return k.family === 'ref' ? ['object'] : k.family === 'lock' ? ['lock'] : [];
}

function familyOfKey(k: KeyInfo): FamilyId {
  return k.family === 'ref' ? 'leak' : 'lock-leak';
}

function acquireEvents(k: KeyInfo): TE[] {
  const acq = k.acquires[0];
  return acq ? [callEvent('acquire', acq.op, { role: k.family === 'ref' ? 'object' : k.family === 'lock' ? 'lock' : 'section', ...(acq.spec.speculative ? { note: 'speculative' } : {}) })] : [];
}

function sectionNames(cat: Catalog, k: KeyInfo): Record<string, string> {
  return { kind: k.kind, label: cat.kind(k.kind).label, ...(k.acquires[0] ? { acquire: k.acquires[0].op.name } : {}) };
}

// ---------------------------------------------------------------------------
// Resource rules

/** A leak (ref-balance/leak, spec-ref/pgmap-leak, bracket/unbalanced): the acquire, the exit that keeps it. */
export function leakTrace(unit: Unit, ctx: RuleContext, a: ResourceAnalysis, l: Leak): RawTrace {
  const k = l.key;
  const cat = ctx.catalog;
  const events: TE[] = [...acquireEvents(k)];
  if (!events.length && l.siblingRelease) events.push(callEvent('release', l.siblingRelease.op, { note: 'other-path', role: k.family === 'ref' ? 'object' : 'lock' }));
  events.push(nodeEvent('exit', l.exit));
  const call = releaseCall(a, cat, k, l.siblingRelease);
  const names = k.family === 'ref' ? refNames(cat, k, call?.replace(/\(.*$/s, '')) : sectionNames(cat, k);
  if (call && k.family !== 'ref') names.release = call.replace(/\(.*$/s, '');
  const fix = call ? { title: `${call} before \`${l.exitText}\``, expr: call } : undefined;
  return trace(familyOfKey(k), events, keyRoles(cat, k), names, fix, keyNeed(k));
}

/** A release the patch deleted from a path that still holds the object. */
export function deletedReleaseTrace(unit: Unit, pre: Unit, ctx: RuleContext, d: DeletedRelease): RawTrace {
  const cat = ctx.catalog;
  const k = d.deleted.key;
  const fam = cat.kind(d.kind).family;
  const events: TE[] = k ? acquireEvents(k) : [];
  events.push(callEvent('release', d.deleted.op, { note: 'deleted', at: undefined as never }));
  events[events.length - 1].at = { ...posOf(d.deleted.op, d.deleted.op.node), unit: pre };
  events.push(nodeEvent('exit', d.exit));
  const call = oneLine(d.deleted.op.node.text);
  const roles: Partial<Record<Role, string>> = fam === 'ref' ? { object: pathOf(d.obj) } : fam === 'lock' ? { lock: pathOf(d.obj) } : { section: cat.kind(d.kind).label };
  const names: Record<string, string> = k && fam === 'ref' ? refNames(cat, k, d.deleted.op.name) : { kind: d.kind, label: cat.kind(d.kind).label, release: d.deleted.op.name };
  if (fam !== 'ref' && k?.acquires[0]) names.acquire = k.acquires[0].op.name;
  return trace(fam === 'ref' ? 'leak' : 'lock-leak', events, roles, names, { title: `keep ${call} on this path`, expr: call }, fam === 'ref' ? ['object'] : fam === 'lock' ? ['lock'] : []);
}

/**
 * A release that does not release what was taken (inside a debug-only assertion, given the wrong pointer):
 * the path leaves with the object held.
 */
export function ineffectiveReleaseTrace(unit: Unit, ctx: RuleContext, ev: ReleaseEvent, fixTitle: string): RawTrace {
  const cat = ctx.catalog;
  const k = ev.key;
  const fam = cat.kind(ev.eff.kind).family;
  const events: TE[] = k ? acquireEvents(k) : [];
  events.push(callEvent('release', ev.op, { note: 'deleted' }));
  events.push(nodeEvent('exit', ev.node));
  const call = oneLine(ev.op.node.text);
  const roles: Partial<Record<Role, string>> = fam === 'ref' ? { object: pathOf(ev.obj) } : fam === 'lock' ? { lock: pathOf(ev.obj) } : { section: cat.kind(ev.eff.kind).label };
  const names: Record<string, string> = k && fam === 'ref' ? refNames(cat, k, ev.op.name) : { kind: ev.eff.kind, label: cat.kind(ev.eff.kind).label, release: ev.op.name };
  if (fam !== 'ref' && k?.acquires[0]) names.acquire = k.acquires[0].op.name;
  return trace(fam === 'ref' ? 'leak' : 'lock-leak', events, roles, names, { title: fixTitle, expr: call }, fam === 'ref' ? ['object'] : fam === 'lock' ? ['lock'] : []);
}

/** An acquire whose result (the object) is discarded: the path leaves holding what nothing points to. */
export function discardedAcquireTrace(unit: Unit, ctx: RuleContext, op: CallOp, node: CfgNode, kind: Parameters<Catalog["kind"]>[0]): RawTrace {
  return acquireLeftTrace(ctx, op, node, kind, undefined, () => ({ title: `keep the result of ${oneLine(op.node.text)}` }));
}

/** An acquire the patch moved out of a block: taken on a path that has nothing to release it. */
export function movedAcquireTrace(unit: Unit, ctx: RuleContext, op: CallOp, node: CfgNode, kind: Parameters<Catalog["kind"]>[0], obj: string): RawTrace {
  return acquireLeftTrace(ctx, op, node, kind, obj ? pathOf(obj) : undefined, (release) => (release ? { title: `take it only on the paths that took it before, or ${release}() on the others` } : undefined));
}

/** An acquire, then a way out with nothing that releases it: the object (when named) and the catalog's pairing release. */
function acquireLeftTrace(ctx: RuleContext, op: CallOp, node: CfgNode, kind: Parameters<Catalog["kind"]>[0], obj: string | undefined, fix: (release: string) => TraceFix | undefined): RawTrace {
  const ks = ctx.catalog.kind(kind);
  const fam = ks.family;
  const role: Role = fam === 'ref' ? 'object' : fam === 'lock' ? 'lock' : 'section';
  const events: TE[] = [callEvent('acquire', op, { role }), nodeEvent('exit', node)];
  const release = ctx.catalog.api(op.name)?.pairsWith?.[0] ?? '';
  const names: Record<string, string> = { kind, label: ks.label, acquire: op.name, release };
  const roles: Partial<Record<Role, string>> = fam === 'ref' || fam === 'lock' ? { [role]: obj } : { section: ks.label };
  return trace(fam === 'ref' ? 'leak' : 'lock-leak', events, roles, names, fix(release), fam === 'ref' ? ['object'] : fam === 'lock' ? ['lock'] : []);
}

/** Released twice, or released after the conditional acquire failed. */
export function releaseFaultTrace(unit: Unit, ctx: RuleContext, f: ReleaseFault): RawTrace {
  const cat = ctx.catalog;
  const k = f.key;
  const role: Role = k.family === 'ref' ? 'object' : k.family === 'lock' ? 'lock' : 'section';
  const events: TE[] = [];
  const acq = k.acquires[0];
  if (acq) events.push(callEvent('acquire', acq.op, { role, ...(f.what === 'failed' ? { note: 'failed' } : {}) }));
  if (f.prior && f.what === 'twice') events.push(callEvent('release', f.prior.op, { role }));
  events.push(callEvent('release', f.ev.op, { role, note: f.what === 'twice' ? 'second' : 'after-failure' }));
  const names = k.family === 'ref' ? refNames(cat, k, f.ev.op.name) : { ...sectionNames(cat, k), release: f.ev.op.name };
  const call = oneLine(f.ev.op.node.text);
  const fix = f.what === 'twice' ? { title: `drop the second ${call}` } : { title: `${call} only when ${acq ? acq.op.name + '()' : 'the acquire'} succeeded` };
  if (k.family === 'bracket') return trace('section', events, keyRoles(cat, k), names, fix);
  if (k.family === 'lock')
    // said, not advertised: `check` prints a replay command only for a race the families can build
    return { family: 'double-release', events, roles: {}, unbound: 'a lock released twice is not replayed yet: the replay families model a lock left held, not a second unlock that frees the lock another CPU holds' };
  return trace('double-release', events, keyRoles(cat, k), { ...names, shape: f.what }, fix, keyNeed(k));
}

/** A pointer left naming a released object: the later put (out of sight) releases it again. */
export function unclearedPointerTrace(unit: Unit, ctx: RuleContext, ev: ReleaseEvent): RawTrace {
  const kind = ev.eff.kind;
  const events: TE[] = [callEvent('release', ev.op, { role: 'object' }), callEvent('release', ev.op, { role: 'object', note: 'second' })];
  const names: Record<string, string> = { kind, label: ctx.catalog.kind(kind).label, release: ev.op.name, shape: 'twice' };
  return trace('double-release', events, { object: pathOf(ev.objText.trim()) }, names, { title: `${ev.objText.trim()} = NULL after ${oneLine(ev.op.node.text)}` }, ['object']);
}

/** A put on a page some lookup returned without a reference. */
export function borrowedReleaseTrace(unit: Unit, ctx: RuleContext, b: BorrowedRelease): RawTrace {
  const cat = ctx.catalog;
  const events: TE[] = [callEvent('lookup', b.source, { role: 'object', note: 'unreferenced' })];
  // what the function does with the page before the put (PageReferenced(page))
  const srcNode = analysisFor(unit, ctx).cfg.nodes.find((n) => n.ops.includes(b.source));
  const use = srcNode ? nextUse(srcNode, b.obj, b.source) : undefined;
  if (use && use.op !== b.ev.op) events.push(useEvent(use.op));
  events.push(callEvent('release', b.ev.op, { role: 'object' }));
  const names: Record<string, string> = { kind: b.ev.eff.kind, label: cat.kind(b.ev.eff.kind).label, field: '_refcount', release: b.ev.op.name, shape: 'borrowed' };
  return trace('double-release', events, { object: pathOf(b.obj) }, names, { title: `do not drop a reference ${b.source.callee}() never gave: remove ${oneLine(b.ev.op.node.text)}` }, ['object']);
}

/** A release of the wrong kind (a pin dropped as a reference, a bias dropped by one, a reference dropped as a pin). */
export function kindTrace(unit: Unit, ctx: RuleContext, ev: ReleaseEvent, bias: boolean, fixName: string | undefined): RawTrace {
  const cat = ctx.catalog;
  const k = ev.mismatch!.key;
  const acq = k.acquires[0];
  const events: TE[] = [callEvent('acquire', acq.op, { role: 'object' }), callEvent('release', ev.op, { role: 'object', note: 'wrong-kind' })];
  const names: Record<string, string> = { ...refNames(cat, k), relKind: ev.eff.kind, relLabel: cat.kind(ev.eff.kind).label, release: ev.op.name };
  if (fixName) names.fixRelease = fixName;
  if (bias) names.shape = 'bias';
  // the bias goes back with the acquire's pairing (page_ref_sub(head, PAGE_PIN_BIAS))
  const biasBack = bias ? (acq.spec.pairsWith ?? []).find((n) => cat.releases(n, [acq.op.args[0]?.text ?? '', names.bias ?? '']).some((r) => cat.compatible(k.kind, r.kind))) : undefined;
  if (biasBack) names.fixRelease = biasBack;
  const expr = fixName && !bias ? oneLine(ev.op.node.text).replace(ev.op.callee, fixName) : biasBack ? `${biasBack}(${acq.op.args[0]?.text ?? k.obj}, ${names.bias})` : undefined;
  const fix = expr ? { title: `${expr} instead of ${oneLine(ev.op.node.text)}`, expr } : undefined;
  return trace('wrong-release', events, { object: pathOf(ev.element ? ev.objText : '') ?? objectOf(k) }, names, fix, ['object']);
}

/** A retry that takes a lock the path still holds. */
export function relockTrace(unit: Unit, ctx: RuleContext, r: Relock): RawTrace {
  const k = r.key;
  const events: TE[] = [...acquireEvents(k), nodeEvent('exit', r.at, { note: 'retry' }), callEvent('acquire', r.again, { role: 'lock', note: 'again' })];
  const names = { ...sectionNames(ctx.catalog, k), shape: 'relock' };
  const rel = (k.acquires[0]?.spec.pairsWith ?? [])[0];
  if (rel) (names as Record<string, string>).release = rel;
  return trace('lock-leak', events, keyRoles(ctx.catalog, k), names, rel ? { title: `${rel}() before retrying`, expr: `${rel}(${k.obj})` } : undefined, keyNeed(k));
}

// ---------------------------------------------------------------------------
// spec-ref

/** The first use of `obj` after `from` on a path (a call taking it, or an access through it). */
export function nextUse(from: CfgNode, obj: string, skip?: Operation): { op: Operation; node: CfgNode } | undefined {
  const seen = new Set<number>();
  const work: { n: CfgNode; i: number }[] = [{ n: from, i: from.ops.indexOf(skip as Operation) + 1 }];
  let budget = 2000;
  while (work.length && budget-- > 0) {
    const { n, i } = work.shift()!;
    for (let j = Math.max(0, i); j < n.ops.length; j++) {
      const op = n.ops[j];
      if (op === skip) continue;
      if (op.kind === 'call' && op.args.some((x) => x.text.replace(/\s+/g, '') === obj)) return { op, node: n };
      if ((op.kind === 'read' || op.kind === 'write') && op.lvalue.base === obj && op.lvalue.kind !== 'var') return { op, node: n };
    }
    for (const e of n.succs) if (!seen.has(e.to.id) && !e.back) {
      seen.add(e.to.id);
      work.push({ n: e.to, i: 0 });
    }
  }
  return undefined;
}

/** The first access through `*ptr` (or `ptr->f`) after `from`, including reads inside tests. */
function useEvent(op: Operation): TE {
  if (op.kind === 'call') return callEvent('use', op, { role: 'object' });
  return traceEvent('use', op.node.text.replace(/;$/, ''), posOf(op, op.node), { role: 'object' });
}

/** Where a lockless lookup finds the object: `mapping->i_pages[index]`, `*ptep`, `xas`. */
function slotOf(lk: Lookup): string | undefined {
  const args = lk.op.args.map((x) => x.text.trim());
  const first = args[0];
  if (!first) return undefined;
  const p = pathOf(first);
  if (!p) return undefined;
  if (first.trim().startsWith('&') && args[1] && pathOf(args[1])) return `${p}[${args[1].replace(/\s+/g, '')}]`;
  return p;
}

function lookupNames(cat: Catalog, lk: Lookup, ev: AcquireEvent): Record<string, string> {
  const k = ev.key;
  const names: Record<string, string> = { ...refNames(cat, k), lookup: lk.api, get: ev.op.name };
  if (!names.release) {
    const rel = (ev.spec.pairsWith ?? [])[0];
    if (rel) names.release = rel;
  }
  return names;
}

/** A plain get (or a speculative one without a re-check) on the result of a lockless lookup. */
export function specTrace(family: 'speculative' | 'recheck', unit: Unit, ctx: RuleContext, ev: AcquireEvent, lk: Lookup, alt?: string): RawTrace {
  const cat = ctx.catalog;
  const k = ev.key;
  const events: TE[] = [callEvent('lookup', lk.op, { role: 'slot' }), callEvent('acquire', ev.op, { role: 'object', ...(ev.spec.speculative ? { note: 'speculative' } : { note: 'plain' }) })];
  // the patch's own re-check after the get (a plain get followed by xas_reload()), and the put on its failure
  const rv = findRevalidation(analysisFor(unit, ctx), ctx.catalog, ev.node, k.obj);
  if (rv) {
    events.push(traceEvent('recheck', `if (${(rv.ast ?? rv.stmt)?.text ?? '...'})`, nodePos(rv), { role: 'slot' }));
    const fail = rv.succs.map((e) => e.to).find((n) => n.ops.some((o) => o.kind === 'call' && ctx.catalog.releases(o.name).length > 0));
    const put = fail?.ops.find((o): o is CallOp => o.kind === 'call' && ctx.catalog.releases(o.name).length > 0);
    if (put) events.push(callEvent('release', put, { role: 'object', note: 'recheck-failed' }));
  } else {
    const use = nextUse(ev.node, k.obj, ev.op);
    if (use) events.push(useEvent(use.op));
  }
  const names = lookupNames(cat, lk, ev);
  if (alt) names.alt = alt;
  const fix = family === 'speculative'
    ? { title: `${alt ?? 'a speculative get'}(${k.obj}), then re-check ${lk.shown}`, expr: alt ? `${alt}(${k.obj})` : undefined }
    : { title: `re-check ${lk.shown} after ${ev.op.name}() and drop the reference if it changed` };
  return trace(family, events, { object: pathOf(k.obj), slot: slotOf(lk) ?? pathOf(k.obj) }, names, fix, ['object', 'slot']);
}

/** A speculative get whose re-check the patch deleted (the lookup may be out of sight). */
export function deletedRecheckTrace(unit: Unit, ctx: RuleContext, ev: AcquireEvent, recheck: string): RawTrace {
  const k = ev.key;
  const events: TE[] = [callEvent('acquire', ev.op, { role: 'object', note: 'speculative' })];
  const use = nextUse(ev.node, k.obj, ev.op);
  if (use) events.push(useEvent(use.op));
  const names: Record<string, string> = { kind: k.kind, label: ctx.catalog.kind(k.kind).label, acquire: ev.op.name };
  return trace('recheck', events, { object: pathOf(k.obj) }, names, { title: `keep the re-check ${oneLine(recheck)} after ${ev.op.name}() and drop the reference when it fails` }, ['object']);
}

/** The speculative get that skips the ZONE_DEVICE pgmap hook. */
export function pgmapTrace(unit: Unit, ctx: RuleContext, ev: AcquireEvent, a: ResourceAnalysis, release: string, takes: string | undefined, devmap: { op: CallOp }[], lk?: Lookup): RawTrace {
  const cat = ctx.catalog;
  const k = ev.key;
  const events: TE[] = [];
  // the lockless read of the pte that found the page, then the device-page handling
  if (lk) events.push(callEvent('lookup', lk.op, { role: 'slot', note: 'pte' }));
  if (devmap[0]) events.push(callEvent('lookup', devmap[0].op, { note: 'device-page' }));
  events.push(callEvent('acquire', ev.op, { role: 'object', note: 'speculative' }));
  const use = nextUse(ev.node, k.obj, ev.op);
  if (use) events.push(useEvent(use.op));
  const put = a.events.find((e): e is ReleaseEvent => e.t === 'release' && e.key === k);
  if (put) events.push(callEvent('release', put.op, { role: 'object' }));
  const names: Record<string, string> = { ...refNames(cat, k), release, get: ev.op.name };
  if (takes) names.takes = takes;
  return trace('pgmap', events, { object: pathOf(k.obj) }, names, takes ? { title: `${takes}(${k.obj}) for device pages (it takes the pgmap reference ${release}() drops)`, expr: `${takes}(${k.obj})` } : undefined, ['object']);
}

/** A speculative get outside the RCU / IRQs-off section its lookup needs. */
export function outsideSectionTrace(unit: Unit, ctx: RuleContext, a: ResourceAnalysis, ev: AcquireEvent, lk: Lookup | undefined, req: string): RawTrace {
  const cat = ctx.catalog;
  const k = ev.key;
  const events: TE[] = [];
  const open = a.events.find((e): e is AcquireEvent => e.t === 'acquire' && !!cat.kind(e.key.kind).provides?.includes(req as never));
  // the section the function opens, and where it closes it before the get (if it does)
  if (open) events.push(callEvent('open', open.op, { role: 'section' }));
  const close = open ? a.events.filter((e): e is ReleaseEvent => e.t === 'release' && e.key === open.key && e.op.line <= ev.op.line).pop() : undefined;
  // the pointer into memory only the section keeps alive: `*ptep` read by the lookup, or the slot pointer it returns
  let ptrVar: string | undefined;
  let ptr: string | undefined;
  let derefLookup = false;
  if (lk) {
    const arg = (lk.op.args[0]?.text ?? '').trim();
    ptrVar = arg.startsWith('*') ? pathOf(arg.slice(1)) : lk.op.result.kind === 'assigned' ? pathOf(lk.op.result.to) : undefined;
    // `READ_ONCE(*ptep)`: the lookup reads through a pointer another call returned (find_linux_pte()): that call finds the table
    const from = ptrVar && arg.startsWith('*') ? a.cfg.nodes.flatMap((n) => n.ops).find((op): op is CallOp => op.kind === 'call' && op.result.kind === 'assigned' && op.result.to.trim() === ptrVar && (op.line < lk.op.line || (op.line === lk.op.line && op.col < lk.op.col))) : undefined;
    if (from) {
      events.push(callEvent('lookup', from, { role: 'pointer' }));
      ptr = pathOf(from.args[0]?.text) ?? slotOf(lk);
      derefLookup = true;
    } else {
      events.push(callEvent('lookup', lk.op, { role: 'pointer' }));
      ptr = slotOf(lk);
    }
  }
  if (close) events.push(callEvent('close', close.op, { role: 'section' }));
  // what is read through the pointer outside the section: the lookup itself, or the re-check after the get
  if (derefLookup && lk) events.push(callEvent('use', lk.op, { role: 'object' }));
  events.push(callEvent('acquire', ev.op, { role: 'object', note: 'speculative' }));
  const recheck = ptrVar ? nextUse(ev.node, ptrVar, ev.op) : undefined;
  if (recheck) events.push(useEvent(recheck.op));
  // no section of its own: a page-table walk wants IRQs off (GUP-fast), a page-cache lookup RCU
  const pteWalk = !!lk && (ptrVar ? cat.entryClass(ptrVar) !== undefined : false);
  const kind = open?.key.kind ?? (req === 'irq-off' || (req === 'rcu-or-irq-off' && pteWalk) ? 'irq-off' : 'rcu');
  const names: Record<string, string> = { ...refNames(cat, k), kind, label: cat.kind(kind as never).label, get: ev.op.name, shape: 'outside' };
  if (open) names.acquire = open.op.name;
  const opener = open?.op.name;
  const inside = opener ? `${close ? close.op.name + '() after' : 'inside the section of'} ${ev.op.name}()${recheck ? ' and its re-check' : ''}` : `${ev.op.name}()${recheck ? ' and its re-check' : ''} inside ${kind === 'irq-off' ? 'local_irq_save()/local_irq_restore()' : 'rcu_read_lock()/rcu_read_unlock()'}`;
  return trace('section', events, { pointer: ptr, object: ptrVar ? `*${ptrVar}` : undefined }, names, { title: inside }, ['pointer', 'object']);
}

/** The re-check of a speculative get fails and the path retries or leaves holding the reference. */
export function revalidationLeakTrace(unit: Unit, ctx: RuleContext, a: ResourceAnalysis, k: KeyInfo, recheck: CfgNode, failTo: CfgNode): RawTrace {
  const cat = ctx.catalog;
  const events: TE[] = [...acquireEvents(k), nodeEvent('recheck', recheck, { role: 'object' }), nodeEvent('exit', failTo, { note: 'retry' })];
  const call = releaseCall(a, cat, k);
  return trace('leak', events, { object: objectOf(k) }, refNames(cat, k, call?.replace(/\(.*$/s, '')), call ? { title: `${call} when the re-check fails`, expr: call } : undefined, ['object']);
}

// ---------------------------------------------------------------------------
// bracket and atomic-sleep

/** A pointer valid only inside a section, used after the section closed. */
export function useAfterCloseTrace(unit: Unit, ctx: RuleContext, a: ResourceAnalysis, used: string, rel: ReleaseEvent, use: Operation): RawTrace {
  const cat = ctx.catalog;
  const k = rel.key!;
  const events: TE[] = [];
  const acq = k.acquires[0];
  if (acq) events.push(callEvent('open', acq.op, { role: k.family === 'lock' ? 'lock' : 'section' }));
  // where the pointer came from: the section's own acquire (pte_offset_map_lock returns it), or an rcu_dereference()
  let src: string | undefined;
  if (acq && acq.eff.object === 'ret') {
    src = pathOf(acq.op.args[1]?.text ?? acq.op.args[0]?.text);
    if (src && !src.startsWith('*')) src = `*${src}`;
  }
  const load = a.events.find((e) => e.t === 'call' && e.op.result.kind === 'assigned' && e.op.result.to.trim() === used && !!e.spec.access?.some((x) => x.kind === 'load'));
  if (load) {
    events.push(callEvent('load', load.op, { role: 'pointer' }));
    src = pathOf(load.op.args[0]?.text);
  }
  events.push(callEvent('close', rel.op, { role: k.family === 'lock' ? 'lock' : 'section' }));
  events.push(useEvent(use));
  const names: Record<string, string> = { kind: k.kind, label: cat.kind(k.kind).label, release: rel.op.name, shape: 'after-close' };
  if (acq) names.acquire = acq.op.name;
  const roles: Partial<Record<Role, string>> = { pointer: src ?? pathOf(used), object: `*${used}` };
  if (k.family === 'lock') roles.lock = pathOf(k.obj);
  return trace('section', events, roles, names, { title: `use \`${used}\` before ${oneLine(rel.op.node.text)}` }, k.family === 'lock' ? ['pointer', 'lock'] : ['pointer']);
}

/**
 * IRQ state restored from the wrong place, or IRQs enabled after a save: the
 * state the function leaves is not the one its caller had.
 */
export function irqStateTrace(unit: Unit, ctx: RuleContext, a: ResourceAnalysis, wrong: CallOp, saved: string | undefined, fixExpr: string | undefined, why: string): RawTrace {
  const cat = ctx.catalog;
  const events: TE[] = [];
  const irq = (e: { t: string; key?: KeyInfo | null }) => !!e.key && cat.kind(e.key.kind).provides?.includes('irq-off') === true;
  const before = (op: CallOp) => op.line < wrong.line || (op.line === wrong.line && op.col < wrong.col);
  const wrongIsSave = a.events.some((e) => e.t === 'acquire' && e.op === wrong);
  const save = wrongIsSave ? undefined : a.events.find((e): e is AcquireEvent => e.t === 'acquire' && irq(e) && before(e.op));
  if (wrongIsSave) {
    events.push(callEvent('open', wrong, { role: 'section', note: 'wrong-state' }));
    const restore = a.events.find((e): e is ReleaseEvent => e.t === 'release' && !!(e.key ?? e.mismatch?.key) && irq({ t: 'release', key: e.key ?? e.mismatch!.key }) && !before(e.op) && e.op !== wrong);
    if (restore) events.push(callEvent('close', restore.op, { role: 'section' }));
  } else {
    if (save) events.push(callEvent('open', save.op, { role: 'section' }));
    events.push(callEvent('close', wrong, { role: 'section', note: 'wrong-state' }));
  }
  const names: Record<string, string> = { kind: 'irq-off', label: cat.kind('irq-off').label, shape: 'irq-state', why, release: wrong.name };
  if (save) names.acquire = save.op.name;
  const flag = pathOf(saved ?? (save ? save.op.args[save.eff.stateArg ?? 0]?.text : undefined));
  return trace('section', events, { section: cat.kind('irq-off').label, ...(flag ? { flag } : {}) }, names, fixExpr ? { title: `${fixExpr} instead of ${oneLine(wrong.node.text)}`, expr: fixExpr } : undefined);
}

/** The resource state just before a call (its node's input, the ops before it in the node ignored: a call mid-node is rare). */
function sleeperState(a: ResourceAnalysis, op: CallOp): ReadonlyMap<string, number> {
  for (const n of a.cfg.nodes) if (n.ops.includes(op)) return a.in[n.id] ?? new Map();
  return new Map();
}

/** A sleeping call inside an atomic section. */
export function sleepTrace(unit: Unit, ctx: RuleContext, a: ResourceAnalysis, sleeper: CallOp, k: KeyInfo, inferred: boolean): RawTrace {
  const cat = ctx.catalog;
  const events: TE[] = [];
  const acq = inferred ? undefined : k.acquires[0];
  const rel = a.events.find((e): e is ReleaseEvent => e.t === 'release' && e.key === k && (e.op.line > sleeper.line || (e.op.line === sleeper.line && e.op.col > sleeper.col)));
  if (acq) events.push(callEvent('open', acq.op, { role: k.family === 'lock' ? 'lock' : 'section' }));
  // the object the sleeping call works on (`vma` of `vma->vm_ops->fault(vmf)`, `folio` of `folio_lock(folio)`),
  // where the function got it from, and the first access to it inside the section
  const calleeBase = sleeper.indirect ? pathOf(sleeper.callee)?.match(/^[^.[-]*/)?.[0] : undefined;
  const objArg = calleeBase ?? sleeper.args.map((x) => pathOf(x.text)).find((p) => p && !p.startsWith('*') && !/^[A-Z_0-9]+$/.test(p))?.match(/^[^.[-]*/)?.[0];
  let src: string | undefined;
  if (objArg && k.family !== 'lock') {
    const afterOpen = (line: number, col: number) => !acq || line > acq.op.line || (line === acq.op.line && col > acq.op.col);
    const beforeSleep = (line: number, col: number) => line < sleeper.line || (line === sleeper.line && col < sleeper.col);
    src = sourceOf(a, objArg, sleeper);
    // a reference held on the object keeps it: what the section protects is the structure the loop walks (xas_for_each())
    const held = a.keyList.some((kk) => kk.family === 'ref' && kk.obj === objArg && maybeHeld(sleeperState(a, sleeper).get(kk.key) ?? a.initial));
    const walker = a.cfg.nodes.flatMap((n) => n.ops).find((op): op is CallOp => op.kind === 'call' && !!op.loopMacro && op.args.some((x) => x.text.trim() === objArg));
    if (held && walker) {
      const it = pathOf(walker.args[0]?.text);
      if (it) {
        events.push(callEvent('load', walker, { role: 'pointer' }));
        events.push(callEvent('sleep', sleeper, { role: 'object', note: 'referenced' }));
        events.push(callEvent('use', walker, { role: 'object', note: 'next-iteration' }));
        if (rel) events.push(callEvent('close', rel.op, { role: 'section' }));
        const names: Record<string, string> = { kind: k.kind, label: cat.kind(k.kind).label, sleeper: sleeper.callee, shape: 'section', iterates: walker.callee, held: objArg };
        if (acq) names.acquire = acq.op.name;
        if (rel) names.release = rel.op.name;
        return trace('sleep', events, { object: `${it}.xa_node`, pointer: sourceOf(a, it, walker) ?? it, section: cat.kind(k.kind).label }, names,
          { title: `${oneLine(sleeper.node.text)} outside the ${cat.kind(k.kind).label}, with the walk restarted after it (or a variant that does not sleep)` }, ['object', 'pointer']);
      }
    }
    // the access inside the section, before the sleep
    let first: Operation | undefined;
    for (const n of a.cfg.nodes) for (const op of n.ops) {
      if (op === sleeper || !afterOpen(op.line, op.col) || !beforeSleep(op.line, op.col)) continue;
      const touches = (op.kind === 'call' && op.args.some((x) => x.text.replace(/\s+/g, '') === objArg)) || ((op.kind === 'read' || op.kind === 'write') && op.lvalue.base === objArg && op.lvalue.kind !== 'var');
      if (touches && (!first || op.line < first.line || (op.line === first.line && op.col < first.col))) first = op;
    }
    if (first) events.push({ ...useEvent(first), kind: 'load', role: 'pointer' });
  }
  events.push(callEvent('sleep', sleeper, { role: 'object' }));
  if (rel) events.push(callEvent('close', rel.op, { role: k.family === 'lock' ? 'lock' : 'section' }));
  const names: Record<string, string> = { kind: k.kind, label: cat.kind(k.kind).label, sleeper: sleeper.callee };
  if (acq) names.acquire = acq.op.name;
  if (rel) names.release = rel.op.name;
  if (k.family === 'lock') {
    return trace('sleep', events, { lock: pathOf(k.obj) }, { ...names, shape: 'lock' },
      { title: `${oneLine(sleeper.node.text)} before ${acq ? acq.op.name + '()' : 'taking the lock'} (or a non-sleeping variant)` }, ['lock']);
  }
  return trace('sleep', events, { object: objArg, pointer: src ?? (objArg ? `${objArg} (as found)` : undefined), section: cat.kind(k.kind).label }, { ...names, shape: 'section' },
    { title: `${oneLine(sleeper.node.text)} outside the ${cat.kind(k.kind).label} (or a variant that does not sleep)` }, ['object', 'pointer']);
}

// ---------------------------------------------------------------------------
// barrier

/** A location as a role: the lvalue part of the analysis's location text (`head->_refcount`, `PG_writeback of head`). */
export function locRole(e: Ev | undefined): string | undefined {
  if (!e?.locText) return undefined;
  const t = e.locText.replace(/^.* in (?=\S+$)/, '');
  // `PG_writeback of head`: a flag of an object of the patch
  const m = /^([A-Za-z_]\w*) of (\S+)$/.exec(t);
  if (m && pathOf(m[2])) return `${m[1]} of ${pathOf(m[2])}`;
  return pathOf(t);
}

function mirrorEvents(m: MirrorSite | undefined): TE[] {
  if (!m) return [];
  const u = m.unit as Unit;
  const out: TE[] = [accessEvent('store', m.store, u, { note: 'other', role: 'flag' })];
  if (m.barrier) out.push(accessEvent('barrier', m.barrier, u, { note: 'other' }));
  out.push(accessEvent('load', m.load, u, { note: 'other', role: 'counter' }));
  return out;
}

function protocolNames(p: { name: string; why: string; orderedOtherSide?: string; b: string[]; a: string[] } | undefined, s: Ev, l: Ev): Record<string, string> {
  const names: Record<string, string> = { storeLoc: s.loc ?? '', loadLoc: l.loc ?? '' };
  if (p) {
    names.protocol = p.name;
    names.why = p.why;
    if (p.orderedOtherSide) names.otherSide = p.orderedOtherSide;
  }
  return names;
}

/** A store then a load of another location without a full barrier (store buffering). */
export function storeLoadTrace(unit: Unit, ctx: RuleContext, h: SlHit, mirror: MirrorSite | undefined, fixExpr: string, fixTitle: string): RawTrace {
  const { store: s, load: l } = h;
  const events: TE[] = [accessEvent(s.kind === 'rmw' ? 'rmw' : 'store', s, undefined, { role: 'counter' })];
  events.push(h.weak ? accessEvent('barrier', h.weak) : { ...accessEvent('no-barrier', s), expr: 'no barrier' });
  events.push(accessEvent('load', l, undefined, { role: 'flag' }));
  events.push(...mirrorEvents(mirror));
  const names = protocolNames(h.protocol, s, l);
  if (mirror) names.mirror = mirror.fn;
  return trace('store-load', events, { counter: locRole(s), flag: locRole(l) }, names, { title: fixTitle, expr: fixExpr }, ['counter', 'flag']);
}

/** A weak barrier guarding a protocol load whose store is made earlier (in a caller, or by a pin). */
export function weakProtocolTrace(unit: Unit, ctx: RuleContext, h: WeakProtocolHit, mirror: MirrorSite | undefined, fixExpr: string): RawTrace {
  const { weak: w, load: l, store: st } = h;
  const stUnit = st.unit as Unit;
  const events: TE[] = [accessEvent(st.acquire || st.ev.kind === 'rmw' ? 'rmw' : 'store', st.ev, stUnit !== unit ? stUnit : undefined, { role: 'counter', ...(st.acquire ? { api: st.acquire.api } : {}) })];
  for (const c of st.calls) events.push(accessEvent('use', c.ev, (c.unit as Unit) !== unit ? (c.unit as Unit) : undefined, { note: 'call' }));
  events.push(accessEvent('barrier', w));
  events.push(accessEvent('load', l, undefined, { role: 'flag' }));
  events.push(...mirrorEvents(mirror));
  const names = protocolNames(h.protocol, st.ev, l);
  names.storeLoc = st.loc;
  if (mirror) names.mirror = mirror.fn;
  if (st.acquire) names.pin = st.acquire.api;
  // a pin stores to the pinned folio's count: the folio the load tests
  const loadObj = /^\w+ of (.+)$/.exec(locRole(l) ?? '')?.[1] ?? pathOf(l.base);
  const counter = st.acquire ? (loadObj ? `${loadObj}->${st.loc}` : undefined) : locRole(st.ev);
  return trace('store-load', events, { counter, flag: locRole(l) }, names, { title: `${fixExpr}() instead of ${w.name}()`, expr: `${fixExpr}()` }, ['counter', 'flag']);
}

/** The waker's condition store not ordered before its lockless test for sleepers. */
export function wakerTrace(unit: Unit, ctx: RuleContext, h: WakerHit, fixExpr: string): RawTrace {
  const { store: s, check: c, weak: w } = h;
  const events: TE[] = [accessEvent(s.kind === 'rmw' ? 'rmw' : 'store', s, undefined, { role: 'counter' })];
  events.push(w ? accessEvent('barrier', w) : { ...accessEvent('no-barrier', s), expr: 'no barrier' });
  events.push(accessEvent('load', c, undefined, { role: 'flag' }));
  const names = { ...protocolNames(h.protocol, s, c), shape: 'waker', check: c.name ?? '' };
  const q = c.op.kind === 'call' ? pathOf(c.op.args[0]?.text) : undefined;
  return trace('store-load', events, { counter: locRole(s), flag: q ? `${q.replace(/^\*/, '')} wait list` : undefined }, names, { title: `${fixExpr}() between the store and ${c.name}()`, expr: `${fixExpr}()` }, ['counter', 'flag']);
}

/** The sleeper's plain task-state store not ordered before its test of the wait condition. */
export function sleeperTrace(unit: Unit, ctx: RuleContext, h: SleeperHit, fixExpr: string): RawTrace {
  const { state: s, test: t } = h;
  const events: TE[] = [
    { ...accessEvent('store', s, undefined, { role: 'counter' }), expr: s.op.node.text.replace(/;$/, '') },
    { ...accessEvent('no-barrier', s), expr: 'no barrier' },
    accessEvent('load', t, undefined, { role: 'flag' }),
  ];
  const names = { storeLoc: 'task state', loadLoc: t.loc ?? '', shape: 'sleeper', sleep: h.sleep.name ?? '' };
  return trace('store-load', events, { counter: 'task_state', flag: locRole(t) }, names, { title: `${fixExpr}() instead of ${s.name}()`, expr: `${fixExpr}()` }, ['counter', 'flag']);
}

/** An atomic RMW that announces something, with no smp_mb__after_atomic() after it. */
export function announceTrace(unit: Unit, ctx: RuleContext, s: Ev, other: Ev | undefined, mirror: MirrorSite | undefined, proto: { name: string; why: string; orderedOtherSide?: string; a: string[]; b: string[] } | undefined, fixExpr: string): RawTrace {
  const events: TE[] = [accessEvent('rmw', s, undefined, { role: 'counter' }), { ...accessEvent('no-barrier', s), expr: 'no barrier' }];
  if (other) events.push(accessEvent('load', other, undefined, { role: 'flag' }));
  events.push(...mirrorEvents(mirror));
  const names: Record<string, string> = { storeLoc: s.loc ?? '', shape: 'announce' };
  if (other?.loc) names.loadLoc = other.loc;
  if (proto) Object.assign(names, { protocol: proto.name, why: proto.why, ...(proto.b[0] && !other ? { loadLoc: proto.b[0] } : {}) });
  if (mirror) names.mirror = mirror.fn;
  const flag = locRole(other) ?? (proto?.b[0] ? proto.b[0] : undefined);
  return trace('store-load', events, { counter: locRole(s), flag }, names, { title: `${fixExpr}() after ${s.name}()`, expr: `${fixExpr}()` }, ['counter', 'flag']);
}

/** An initialised object published with a plain store. */
export function publishTrace(unit: Unit, ctx: RuleContext, init: Ev, p: string, target: string, at: RawTracePos, publishText: string, publisher: string | undefined, fixExpr: string, readers: string[]): RawTrace {
  const events: TE[] = [accessEvent('init', init, undefined, { role: 'object' }), traceEvent('no-barrier', 'no barrier', at), traceEvent('publish', publishText, at, { role: 'pointer', ...(publisher ? { api: publisher } : {}) })];
  const names: Record<string, string> = { initLoc: init.kind === 'call' ? init.name ?? '' : init.locText ?? '' };
  if (publisher) names.publisher = publisher;
  if (readers[0]) names.reader = readers[0];
  const ptr = publisher ? pathOf(target) ?? pathOf(publishText.match(/\(([^,()]*),\s*([^,()]*)/)?.[2]) : pathOf(target);
  return trace('publish', events, { object: pathOf(p), pointer: ptr }, names, { title: `${fixExpr}() before ${publisher ? publisher + '()' : 'the publishing store'}`, expr: `${fixExpr}()` }, ['object', 'pointer']);
}

/** A barrier the patch removes (or an ordered access it weakens) with nothing taking over. */
export function removedTrace(unit: Unit, ctx: RuleContext, barrier: { name: string; ordering?: string; ev?: Ev; unit: Unit }, before: Ev | undefined, after: Ev | undefined, accessUnit: Unit = barrier.unit): RawTrace {
  const events: TE[] = [];
  const o = barrier.ordering ?? 'full';
  const bu = barrier.unit !== unit ? barrier.unit : undefined;
  const au = accessUnit !== unit ? accessUnit : undefined;
  if (before) events.push(accessEvent(before.kind === 'load' ? 'load' : before.kind === 'rmw' ? 'rmw' : 'store', before, au, { role: 'counter' }));
  if (barrier.ev) events.push(accessEvent('barrier', barrier.ev, bu, { note: 'deleted', ordering: o }));
  if (after) events.push(accessEvent(after.kind === 'load' ? 'load' : after.kind === 'rmw' ? 'rmw' : 'store', after, au, { role: 'flag', ...(accessUnit !== barrier.unit ? { note: 'weakened' } : {}) }));
  const names: Record<string, string> = { removed: barrier.name, ordering: o };
  const shape = o === 'wmb' || o === 'release' ? 'writer' : o === 'rmb' || o === 'acquire' ? 'reader' : 'sb';
  names.shape = shape;
  const family: FamilyId = shape === 'sb' ? 'store-load' : 'publish';
  const roles: Partial<Record<Role, string>> = family === 'store-load' ? { counter: locRole(before), flag: locRole(after) } : { object: locRole(before), pointer: locRole(after) };
  const fix = { title: `keep ${barrier.name}()${before && after ? ` between the ${before.kind === 'load' ? 'load of' : 'store to'} ${before.locText} and the ${after.kind === 'load' ? 'load of' : 'store to'} ${after.locText}` : ''}`, expr: `${barrier.name}()` };
  const t = trace(family, events, roles, names, fix, family === 'store-load' ? ['counter', 'flag'] : ['object', 'pointer']);
  if (!before || !after) t.unbound = `the accesses ${barrier.name}() ordered are not both in the patch`;
  return t;
}

/**
 * `#ifdef X` on a Kconfig symbol the patch adds (the preprocessor sees
 * CONFIG_X): the code it guards is never built. When that code is the
 * announcement of a store-buffering protocol (the seed-003 walker count),
 * the race is the protocol without it.
 */
export function compiledOutTrace(ctx: RuleContext, unit: Unit, symbol: string, line: number, home: Unit = unit): RawTrace {
  const text = unit.image.text.split('\n');
  let end = line + 1;
  for (let depth = 0; end < text.length; end++) {
    const t = text[end];
    if (/^\s*#\s*if/.test(t)) depth++;
    else if (/^\s*#\s*endif/.test(t)) {
      if (depth === 0) break;
      depth--;
    }
  }
  for (const u of ctx.unitsOf(unit.fn, 'post')) {
    const all = eventsOf(u, ctx).all;
    const st = all.find((e) => (e.kind === 'rmw' || e.kind === 'store') && e.line > line && e.line < end && !!e.loc && !!ctx.catalog.protocolOf(e.loc));
    if (!st) continue;
    const proto = ctx.catalog.protocolOf(st.loc)!;
    const after = all.filter((e) => e.line > end);
    const bar = after.find((e) => e.kind === 'fence');
    // an announcement is followed by the barrier that orders it before the walk; a guarded update
    // after the barrier (the walker leaving) is the other half of the same race, replayed at its announcement
    if (!bar) {
      // the end of the protocol (the walker leaving): the same race as the announcement the same symbol compiles out
      // (earlier in this function, or in another function of the same file: register/deregister pairs)
      const candidates: { u: Unit; line: number }[] = [];
      for (let i = line - 1; i >= 0; i--) if (/^\s*#\s*if/.test(text[i]) && text[i].includes(symbol)) candidates.push({ u: unit, line: i });
      for (const fn of ctx.functions) {
        if (fn === unit.fn || fn.path !== unit.fn.path || !fn.post) continue;
        const ou = ctx.unitsOf(fn, 'post')[0];
        if (!ou) continue;
        ou.image.text.split('\n').forEach((l, i) => {
          if (/^\s*#\s*if/.test(l) && l.includes(symbol)) candidates.push({ u: ou, line: i });
        });
      }
      for (const cand of candidates) {
        const t = compiledOutTrace(ctx, cand.u, symbol, cand.line, home);
        if (t.unbound) continue;
        t.events.push(accessEvent(st.kind === 'rmw' ? 'rmw' : 'store', st, u !== home ? u : undefined, { role: 'counter', note: 'compiled-out-end' }));
        return t;
      }
      return { family: 'store-load', events: [], roles: {}, unbound: `the code \`#ifdef ${symbol}\` compiles out here is not followed by a barrier, and no announcement before it is compiled out by the same symbol` };
    }
    const load = after.find((e) => e.kind === 'load' && !!e.loc && proto.b.includes(e.loc));
    const events: TE[] = [accessEvent(st.kind === 'rmw' ? 'rmw' : 'store', st, u !== home ? u : undefined, { role: 'counter', note: 'compiled-out' })];
    if (bar) events.push(accessEvent('barrier', bar, u !== home ? u : undefined));
    if (load) events.push(accessEvent('load', load, u !== home ? u : undefined, { role: 'flag' }));
    return trace('store-load', events, { counter: locRole(st), flag: locRole(load) ?? proto.b[0] },
      { storeLoc: st.loc ?? '', ...(proto.b[0] ? { loadLoc: proto.b[0] } : {}), protocol: proto.name, why: proto.why, shape: 'compiled-out', symbol },
      { title: `#ifdef CONFIG_${symbol}: the announcement is built`, expr: `#ifdef CONFIG_${symbol}` }, ['counter', 'flag']);
  }
  return { family: 'store-load', events: [], roles: {}, unbound: `\`#ifdef ${symbol}\` compiles out the code it guards, and that code announces nothing another CPU reads (no store of a known protocol)` };
}

// ---------------------------------------------------------------------------
// Calls the patch replaced (rules/common/replacements.ts)

interface ReplacedCall {
  pre: Unit;
  del: { op: CallOp };
  add: { op: CallOp };
}

function replacedEvents(r: ReplacedCall, kind: TraceEventKind, role: Role): TE[] {
  const del = callEvent(kind, r.del.op, { role, note: 'deleted' });
  del.at = { ...posOf(r.del.op, r.del.op.node), unit: r.pre };
  return [del, callEvent(kind, r.add.op, { role, note: 'replacement' })];
}

/** A release replaced by one of another kind: the deleted release says which kind of reference the object holds. */
export function replacedKindTrace(unit: Unit, ctx: RuleContext, r: ReplacedCall, heldKind: string, newKind: string): RawTrace {
  const cat = ctx.catalog;
  const obj = pathOf(r.add.op.args[0]?.text);
  const names: Record<string, string> = {
    kind: heldKind, label: cat.kind(heldKind as never).label, field: '_refcount', relKind: newKind, relLabel: cat.kind(newKind as never).label,
    release: r.add.op.name, fixRelease: r.del.op.name, shape: 'replaced',
  };
  if (cat.kind(heldKind as never).biasCounted || heldKind === 'gup-pin') names.bias = heldKind === 'gup-pin' ? 'GUP_PIN_COUNTING_BIAS' : 'PAGE_PIN_BIAS';
  return trace('wrong-release', replacedEvents(r, 'release', 'object'), { object: obj }, names, { title: `keep ${oneLine(r.del.op.node.text)}`, expr: oneLine(r.del.op.node.text) }, ['object']);
}

/** A speculative get replaced by a plain one: the lookup that allowed a refcount of zero is out of sight. */
export function replacedGetTrace(unit: Unit, ctx: RuleContext, r: ReplacedCall): RawTrace {
  const cat = ctx.catalog;
  const obj = pathOf(r.add.op.args[0]?.text);
  const acq = cat.acquires(r.add.op.name)[0];
  const names: Record<string, string> = { kind: acq?.kind ?? 'folio-ref', label: acq ? cat.kind(acq.kind).label : 'reference', field: '_refcount', get: r.add.op.name, alt: r.del.op.name, shape: 'replaced' };
  const rel = (cat.api(r.add.op.name)?.pairsWith ?? [])[0];
  if (rel) names.release = rel;
  const events = replacedEvents(r, 'acquire', 'object');
  events[0].note = 'deleted';
  events[1].note = 'plain';
  return trace('speculative', events, { object: obj }, names, { title: `keep ${oneLine(r.del.op.node.text)} (and its re-check)`, expr: oneLine(r.del.op.node.text) }, ['object']);
}

/** A call that did not sleep replaced by one that may: the atomic section it runs in is out of sight. */
export function replacedSleepTrace(unit: Unit, ctx: RuleContext, r: ReplacedCall): RawTrace {
  const events = replacedEvents(r, 'sleep', 'object');
  return trace('sleep', events, {}, { sleeper: r.add.op.callee, shape: 'lock', outOfSight: '1' }, { title: `keep ${oneLine(r.del.op.node.text)}: it does not sleep`, expr: oneLine(r.del.op.node.text) });
}
