/**
 * Calls as facts: each call operation of a CFG with what the catalog says it
 * means (its spec, the effects its arguments select, the objects those
 * effects name), computed once per function.
 */
import type { CallOp } from '../cfg';
import type { ApiSpec, Catalog, Effect, AcquireEffect, ReleaseEffect } from '../../catalog';
import { resolveEffects } from '../../catalog';
import { normObject } from './expr';
import type { CNode } from '../cnode';

/**
 * The catalog spec of a call, with older same-name APIs recognised by how the
 * result is used (`folio = try_grab_folio(...)` assigns a pointer: the
 * v5.17–v6.9 speculative grab, not the v6.10+ int-returning one).
 */
export function specForCall(cat: Catalog, call: CallOp, types: ReadonlyMap<string, string>): ApiSpec | undefined {
  const spec = cat.api(call.name);
  if (spec?.strictArity && spec.arity && !call.loopMacro && !call.blockMacro && !spec.arity.includes(call.args.length)) return undefined;
  if (!spec?.pointerResultForm) return spec;
  if (call.result.kind !== 'assigned') return spec;
  const to = call.result.to.trim();
  const t = types.get(to);
  if (!t || !t.includes('*')) return spec;
  let old = legacyCache.get(spec);
  if (!old) {
    const { kernels, ...form } = spec.pointerResultForm;
    old = { ...spec, ...form, kernels, pointerResultForm: undefined };
    legacyCache.set(spec, old);
  }
  return old;
}
const legacyCache = new WeakMap<ApiSpec, ApiSpec>();

/** Does the catalog describe this call (its name, and its argument count when the entry is strict about it)? */
export function describedCall(cat: Catalog, call: CallOp): boolean {
  const spec = cat.api(call.name);
  if (!spec) return false;
  return !(spec.strictArity && spec.arity && !call.loopMacro && !call.blockMacro && !spec.arity.includes(call.args.length));
}

/** The effects of one call, with argument-dependent effects resolved against its argument texts. */
export function callEffects(spec: ApiSpec, call: CallOp): Effect[] {
  const effs = spec.effects ?? [];
  if (!effs.some((e) => e.when || e.fallback)) return effs;
  return resolveEffects(effs, call.args.map((a) => a.text));
}

/** The object an effect names in a call: normalised, as written, whether an array, whether one element of an array. */
export interface EffectObject {
  obj: string;
  text: string;
  array: boolean;
  element: boolean;
}

export function effectObject(cat: Catalog, eff: AcquireEffect | ReleaseEffect, call: CallOp): EffectObject | null {
  const family = cat.kind(eff.kind).family;
  if (family === 'lock' && eff.stateArg !== undefined && call.args[eff.stateArg]) {
    const t = call.args[eff.stateArg].text;
    return { obj: normObject(t).obj, text: t, array: false, element: false };
  }
  if (eff.array !== undefined) {
    const idx = eff.arrayByArity?.[call.args.length] ?? eff.array;
    const a = call.args[idx];
    if (!a) return null;
    return { obj: normObject(a.text).obj, text: a.text, array: true, element: false };
  }
  if (eff.object === 'ret') {
    if (call.result.kind === 'assigned') {
      // `kobjs[i] = kobject_create_and_add(..)`: the element holds it
      const n = normObject(call.result.to);
      return { obj: n.obj, text: call.result.to, array: false, element: n.element };
    }
    return null;
  }
  if (typeof eff.object === 'number') {
    const a = call.args[eff.object];
    if (!a) return null;
    const n = normObject(a.text);
    return { obj: n.obj, text: a.text, array: false, element: n.element };
  }
  return { obj: '', text: '', array: false, element: false };
}

/** Does this call sleep, given its arguments (kmalloc(.., GFP_ATOMIC) does not)? */
export function callSleeps(spec: ApiSpec, call: CallOp): boolean {
  const unless = spec.sleepsUnlessArg;
  if (unless) {
    const a = call.args[unless.arg]?.text;
    if (a !== undefined) return !unless.atomicFlags.some((f) => new RegExp(`(^|[^\\w])${f}($|[^\\w])`).test(a));
  }
  return spec.sleeps === true;
}

/**
 * The debug-only assertion macro whose argument a call is written in
 * (`VM_BUG_ON_PAGE(!put_page_testzero(page), page)`: VM_BUG_ON_PAGE, with the
 * config option that makes it evaluate its condition), or null. Only within
 * the call's own statement.
 */
export function debugOnlyWrapper(cat: Catalog, call: CallOp): { macro: string; config: string } | null {
  for (let p = call.node.parent; p; p = p.parent) {
    if (p.type.endsWith('_statement') || p.type === 'declaration' || p.type === 'function_definition') return null;
    if (p.type !== 'call_expression') continue;
    const callee = p.childForFieldName('function')?.text.trim() ?? '';
    const spec = cat.api(callee);
    if (spec?.debugOnly) return { macro: callee, config: spec.debugOnly };
  }
  return null;
}

const LOOP_TYPES = new Set(['for_statement', 'do_statement', 'while_statement']);
const CURSOR_MINUS_ONE = /^\s*([A-Za-z_]\w*)\s*-\s*1\s*$/;

/**
 * An argument written `p - 1` after a loop that advances `p` (`p++`, `p += n`
 * in its update or condition) and that a `break` can leave before the
 * advance: on that path `p - 1` is not the entry the loop last handled but the
 * one before it, and before the loop's first entry when the break comes at
 * once. Only the loop written just before the call's statement, in the same
 * block. Returns the cursor and the break.
 */
export function cursorMinusOneAfterBreak(call: CallOp, argIndex: number): { cursor: string; brk: CNode; loop: CNode } | null {
  const arg = call.args[argIndex];
  const m = arg ? CURSOR_MINUS_ONE.exec(arg.text) : null;
  if (!m) return null;
  const cursor = m[1];
  let stmt: CNode | null = call.node;
  while (stmt && stmt.parent && stmt.parent.type !== 'compound_statement') stmt = stmt.parent;
  if (!stmt || !stmt.parent) return null;
  // the nearest loop among the statements before it in its block
  let loop: CNode | null = null;
  for (const s of stmt.parent.namedChildren) {
    if (s.startIndex >= stmt.startIndex) break;
    if (LOOP_TYPES.has(s.type)) loop = s;
  }
  if (!loop) return null;
  const adv = loop.type === 'for_statement' ? loop.childForFieldName('update') : loop.type === 'do_statement' ? loop.childForFieldName('condition') : null;
  if (!adv || !advances(adv.text, cursor)) return null;
  const body = loop.childForFieldName('body');
  const brk = body ? ownBreak(body) : null;
  return brk ? { cursor, brk, loop } : null;
}

function advances(text: string, v: string): boolean {
  for (const part of text.split(',')) {
    const t = part.replace(/\s+/g, '');
    if (t === `${v}++` || t === `++${v}` || t.startsWith(`${v}+=`)) return true;
  }
  return false;
}

/** A `break` that leaves the loop whose body this is (not one of an inner loop or switch). */
function ownBreak(n: CNode): CNode | null {
  for (const c of n.namedChildren) {
    if (c.type === 'break_statement') return c;
    if (LOOP_TYPES.has(c.type) || c.type === 'switch_statement') continue;
    const b = ownBreak(c);
    if (b) return b;
  }
  return null;
}
