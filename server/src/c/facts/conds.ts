/**
 * What a branch edge tells: the classified test of the condition operand a
 * CFG edge carries (`cond`), so analyses ask "is this the failure side?",
 * "is `page` a valid pointer here?", "did the conditional acquire succeed?"
 * without reading syntax.
 *
 * A test is normalised through `!`, likely()/unlikely() and comparisons with
 * NULL / 0 into one of:
 *   truthy   `x`, `!x`, `x != NULL`, `x == 0`           (holds: x is non-zero)
 *   errptr   `IS_ERR(x)`                                 (holds: x is an error pointer)
 *   errnull  `IS_ERR_OR_NULL(x)`                         (holds: x is NULL or an error)
 *   cmp      `x < 0`, `ret != SCAN_SUCCEED`, `a == b`    (holds: the comparison is true)
 *   assert   `WARN_ON(x)`, `BUG_ON(x)`                   (holds: the assertion fired)
 * `holds` is the test's truth on the edge.
 */
import type { CfgEdge } from '../cfg';
import { ASSERTION_MACRO, ERR_POINTER_TESTS, IDENTITY_WRAPPERS } from '../kernelMacros';
import { exprOf, uncast, type Expr } from './expr';

export type TestKind = 'truthy' | 'errptr' | 'errnull' | 'cmp' | 'assert';

export interface CondTest {
  kind: TestKind;
  /** The value tested (for cmp: the left operand). */
  subject: Expr;
  /** cmp only. */
  op?: string;
  other?: Expr;
  /** The test's truth on this edge. */
  holds: boolean;
}

const testCache = new WeakMap<CfgEdge, CondTest | null>();

function isZero(e: Expr): boolean {
  const x = uncast(e);
  return x.k === 'null' || (x.k === 'num' && x.value === 0) || (x.k === 'bool' && !x.value);
}

/** Normalise an expression tested for truth, with its truth `holds`. */
export function classifyTest(e0: Expr, holds0: boolean): CondTest {
  let e = e0;
  let holds = holds0;
  for (let i = 0; i < 16; i++) {
    if (e.k === 'unary' && e.op === '!') {
      e = e.arg;
      holds = !holds;
      continue;
    }
    if (e.k === 'call' && !e.indirect && IDENTITY_WRAPPERS.has(e.name) && e.args.length === 1) {
      e = e.args[0];
      continue;
    }
    if (e.k === 'binary' && (e.op === '==' || e.op === '!=')) {
      const other = isZero(e.right) ? e.left : isZero(e.left) ? e.right : null;
      if (other) {
        if (e.op === '==') holds = !holds;
        e = other;
        continue;
      }
    }
    break;
  }
  if (e.k === 'call' && !e.indirect && e.args.length === 1) {
    if (e.name === 'IS_ERR_OR_NULL') return { kind: 'errnull', subject: e.args[0], holds };
    if (ERR_POINTER_TESTS.has(e.name)) return { kind: 'errptr', subject: e.args[0], holds };
  }
  if (e.k === 'call' && !e.indirect && ASSERTION_MACRO.test(e.name) && e.args.length >= 1) {
    return { kind: 'assert', subject: e.args[e.args.length - 1], holds };
  }
  if (e.k === 'binary' && ['<', '<=', '>', '>=', '==', '!='].includes(e.op)) return { kind: 'cmp', subject: e.left, op: e.op, other: e.right, holds };
  return { kind: 'truthy', subject: e, holds };
}

/** The classified test of a branch edge (null for unconditional edges). */
export function testOf(e: CfgEdge): CondTest | null {
  if (!e.cond) return null;
  if (testCache.has(e)) return testCache.get(e)!;
  const t = classifyTest(exprOf(e.cond.expr), e.cond.value);
  testCache.set(e, t);
  return t;
}

/** The operand expression of a branch edge. */
export function condExpr(e: CfgEdge): Expr | null {
  return e.cond ? exprOf(e.cond.expr) : null;
}

/**
 * What the edge says about the pointer `text` (a normalised access path):
 * 'valid' (non-NULL and not an error), 'null', 'err', 'bad' (NULL or error),
 * or undefined when the edge says nothing.
 */
export function pointerState(e: CfgEdge, text: string): 'valid' | 'null' | 'err' | 'bad' | 'nonnull' | undefined {
  const t = testOf(e);
  if (!t || uncast(t.subject).norm !== text) return undefined;
  switch (t.kind) {
    case 'truthy':
      return t.holds ? 'nonnull' : 'null';
    case 'errptr':
      return t.holds ? 'err' : undefined;
    case 'errnull':
      return t.holds ? 'bad' : 'valid';
    case 'cmp':
      if (t.other && isZero(t.other)) {
        if (t.op === '==') return t.holds ? 'null' : 'nonnull';
        if (t.op === '!=') return t.holds ? 'nonnull' : 'null';
      }
      return undefined;
    default:
      return undefined;
  }
}

/**
 * Does `holds` of `test` say that a conditional acquire reported success?
 * `texts` are the normalised texts standing for its result (the call itself,
 * the variable it was assigned to); `how` is the catalog's success convention.
 * Returns undefined when the edge does not decide.
 */
export function acquireOutcome(e: CfgEdge, texts: ReadonlySet<string>, how: 'bool' | 'nonnull' | 'count' | 'zero' | 'errptr'): boolean | undefined {
  const t = testOf(e);
  if (!t) return undefined;
  const s = uncast(t.subject).norm;
  if (!texts.has(s)) return undefined;
  switch (t.kind) {
    case 'truthy':
      if (how === 'zero') return !t.holds;
      // `if (!folio)` after an ERR_PTR-returning lookup: code that tests only NULL is
      // written for the kernels where the lookup returned NULL on a miss: non-NULL is success
      return t.holds;
    case 'errptr':
      return how === 'errptr' ? !t.holds : undefined;
    case 'errnull':
      return !t.holds;
    case 'cmp': {
      const r = t.other ? uncast(t.other) : null;
      if (!r) return undefined;
      if (how === 'count' && !isZero(r) && (t.op === '!=' || t.op === '==') && !(r.k === 'unary' && r.op === '-')) {
        // `if (got != nr_pages)`: equal means every page asked for was taken; unequal may still mean some were
        return t.op === '==' ? (t.holds ? true : undefined) : t.holds ? undefined : true;
      }
      if (isZero(r)) {
        if (t.op === '<' || t.op === '<=') return !t.holds;
        if (t.op === '>' || t.op === '!=') return t.holds;
        if (t.op === '==') return !t.holds;
        return undefined;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

const INT_TYPES = /^(int|long|ssize_t|vm_fault_t|unsigned\s+int|unsigned\s+long|errno_t)$/;

/**
 * Is taking this edge a sign that something failed? `!p` / `!ok()` (NULL,
 * false, zero), `IS_ERR(p)`, `x < 0`, a non-zero error code (`if (ret)` on an
 * integer), a result compared unequal to a constant (`ret != SCAN_SUCCEED`),
 * or a WARN_ON-style assertion; likely()/unlikely() are transparent.
 */
export function isFailureEdge(e: CfgEdge, types: ReadonlyMap<string, string>): boolean {
  const t = testOf(e);
  if (!t) return false;
  switch (t.kind) {
    case 'errptr':
    case 'errnull':
    case 'assert':
      return t.holds;
    case 'cmp': {
      const r = t.other ? uncast(t.other) : null;
      if (!r) return false;
      if (isZero(r) && (t.op === '<' || t.op === '<=')) return t.holds;
      // `ret != SCAN_SUCCEED`, `got != nr_pages`: not what was wanted
      if (t.op === '!=') return t.holds;
      if (t.op === '==' && r.k === 'unary' && r.op === '-' && /^E[A-Z0-9]+$/.test(r.arg.norm)) return t.holds;
      return false;
    }
    case 'truthy': {
      if (!t.holds) return true; // `!p`, `!trylock()`: NULL, false, zero, a failed call
      const s = uncast(t.subject);
      // a state check that sends control away (`if (PageHWPoison(p)) goto out;`)
      if (s.k === 'call') return true;
      // `if (ret)` / `if (err)` on an integer error code
      return s.k === 'id' && INT_TYPES.test((types.get(s.name) ?? '').trim());
    }
  }
}

/** The two access paths this edge says are equal (`ptl == pml` true, `!(a != b)`), if any. */
export function equalityOf(e: CfgEdge): [string, string] | null {
  const t = testOf(e);
  if (!t || t.kind !== 'cmp' || !t.other) return null;
  const eq = (t.op === '==' && t.holds) || (t.op === '!=' && !t.holds);
  if (!eq) return null;
  const a = uncast(t.subject);
  const b = uncast(t.other);
  if (a.k === 'null' || b.k === 'null' || a.k === 'num' || b.k === 'num') return null;
  return [a.norm, b.norm];
}

/** The name of the call an edge tests (through `!` and wrappers), if its operand is a direct call. */
export function testedCall(e: CfgEdge): Extract<Expr, { k: 'call' }> | null {
  const t = testOf(e);
  if (!t) return null;
  const s = uncast(t.subject);
  return s.k === 'call' && !s.indirect ? s : null;
}

/** Truth of a guard variable test: `[name, value]` when the edge tests a plain name or path for truth. */
export function guardOf(e: CfgEdge): [string, boolean] | null {
  const t = testOf(e);
  if (!t || t.kind !== 'truthy') return null;
  const s = uncast(t.subject);
  if (s.k !== 'id' && s.k !== 'field') return null;
  return [s.norm, t.holds];
}
