/**
 * Expressions as facts: a small, immutable IR of C expressions built once
 * from the syntax tree, so that analyses and rules reason about `!folio`,
 * `IS_ERR(p)`, `ret < 0` or `&folio->page` without walking tree-sitter nodes.
 *
 * Every Expr keeps its source text (`text`) and the whitespace-free form
 * (`norm`) used as an object key. Parentheses are dropped; casts are kept as
 * their own node (`(void *)p` names `p` for ownership but not for equality).
 */
import type { CNode } from '../cnode';

export type Expr =
  | { k: 'id'; name: string; text: string; norm: string }
  | { k: 'num'; value: number | null; text: string; norm: string }
  | { k: 'null'; text: string; norm: string }
  | { k: 'bool'; value: boolean; text: string; norm: string }
  | { k: 'str'; text: string; norm: string }
  | { k: 'call'; callee: string; name: string; indirect: boolean; args: Expr[]; text: string; norm: string }
  | { k: 'unary'; op: string; arg: Expr; text: string; norm: string }
  | { k: 'update'; op: string; arg: Expr; text: string; norm: string }
  | { k: 'binary'; op: string; left: Expr; right: Expr; text: string; norm: string }
  | { k: 'field'; base: Expr; field: string; arrow: boolean; text: string; norm: string }
  | { k: 'index'; base: Expr; index: Expr; text: string; norm: string }
  | { k: 'cast'; type: string; arg: Expr; text: string; norm: string }
  | { k: 'ternary'; test: Expr; then: Expr; else: Expr; text: string; norm: string }
  | { k: 'assign'; op: string; left: Expr; right: Expr; text: string; norm: string }
  | { k: 'sizeof'; text: string; norm: string }
  | { k: 'other'; text: string; norm: string };

const cache = new WeakMap<CNode, Expr>();

/** Whitespace-free text: the key under which objects and tested values are compared. */
export function norm(t: string): string {
  return t.replace(/\s+/g, '');
}

/** Strip parentheses around an expression node. */
export function unparen(n: CNode): CNode {
  let c = n;
  while (c.type === 'parenthesized_expression') {
    const inner = c.children.filter((x) => x.isNamed && x.type !== 'comment');
    if (inner.length !== 1) break;
    c = inner[0];
  }
  return c;
}

function kids(n: CNode): CNode[] {
  return n.children.filter((c) => c.isNamed && c.type !== 'comment');
}

/** The IR of an expression node (cached per node). */
export function exprOf(node: CNode): Expr {
  const hit = cache.get(node);
  if (hit) return hit;
  const e = build(node);
  cache.set(node, e);
  return e;
}

function build(node: CNode): Expr {
  const n = unparen(node);
  const text = n.text;
  const nt = norm(text);
  switch (n.type) {
    case 'identifier':
    case 'field_identifier':
      if (text === 'NULL') return { k: 'null', text, norm: nt };
      if (text === 'true' || text === 'false') return { k: 'bool', value: text === 'true', text, norm: nt };
      return { k: 'id', name: text, text, norm: nt };
    case 'null':
      return { k: 'null', text, norm: nt };
    case 'true':
    case 'false':
      return { k: 'bool', value: n.type === 'true', text, norm: nt };
    case 'number_literal': {
      let digits = text;
      while (digits.length && 'uUlL'.includes(digits[digits.length - 1])) digits = digits.slice(0, -1);
      const v = /^0x/i.test(text) ? parseInt(text, 16) : parseInt(digits, /^0[0-7]/.test(text) ? 8 : 10);
      return { k: 'num', value: Number.isNaN(v) ? null : v, text, norm: nt };
    }
    case 'string_literal':
    case 'concatenated_string':
    case 'char_literal':
      return { k: 'str', text, norm: nt };
    case 'call_expression': {
      const fn = n.childForFieldName('function');
      const argsNode = n.childForFieldName('arguments');
      const args = argsNode ? kids(argsNode).map(exprOf) : [];
      const fu = fn ? unparen(fn) : null;
      const callee = fn ? norm(fn.text) : '';
      let name = callee;
      let indirect = false;
      if (fu?.type === 'field_expression') {
        name = fu.childForFieldName('field')?.text ?? callee;
        indirect = true;
      } else if (fu && fu.type !== 'identifier') indirect = true;
      return { k: 'call', callee, name, indirect, args, text, norm: nt };
    }
    case 'unary_expression':
    case 'pointer_expression': {
      const op = n.childForFieldName('operator')?.text ?? n.children[0]?.text ?? '';
      const a = n.childForFieldName('argument') ?? kids(n)[0];
      if (!a) return { k: 'other', text, norm: nt };
      return { k: 'unary', op, arg: exprOf(a), text, norm: nt };
    }
    case 'update_expression': {
      const op = n.childForFieldName('operator')?.text ?? '';
      const a = n.childForFieldName('argument') ?? kids(n)[0];
      if (!a) return { k: 'other', text, norm: nt };
      return { k: 'update', op, arg: exprOf(a), text, norm: nt };
    }
    case 'binary_expression': {
      const l = n.childForFieldName('left');
      const r = n.childForFieldName('right');
      const op = n.childForFieldName('operator')?.text ?? '';
      if (!l || !r) return { k: 'other', text, norm: nt };
      return { k: 'binary', op, left: exprOf(l), right: exprOf(r), text, norm: nt };
    }
    case 'field_expression': {
      const a = n.childForFieldName('argument');
      const f = n.childForFieldName('field');
      if (!a || !f) return { k: 'other', text, norm: nt };
      const arrow = n.children.some((c) => !c.isNamed && c.type === '->');
      return { k: 'field', base: exprOf(a), field: f.text, arrow, text, norm: nt };
    }
    case 'subscript_expression': {
      const a = n.childForFieldName('argument');
      const i = n.childForFieldName('index') ?? n.childForFieldName('indices');
      if (!a) return { k: 'other', text, norm: nt };
      return { k: 'index', base: exprOf(a), index: i ? exprOf(i) : { k: 'other', text: '', norm: '' }, text, norm: nt };
    }
    case 'cast_expression': {
      const v = n.childForFieldName('value');
      const t = n.childForFieldName('type');
      if (!v) return { k: 'other', text, norm: nt };
      return { k: 'cast', type: t?.text ?? '', arg: exprOf(v), text, norm: nt };
    }
    case 'conditional_expression': {
      const c = n.childForFieldName('condition');
      const a = n.childForFieldName('consequence');
      const b = n.childForFieldName('alternative');
      if (!c || !a || !b) return { k: 'other', text, norm: nt };
      return { k: 'ternary', test: exprOf(c), then: exprOf(a), else: exprOf(b), text, norm: nt };
    }
    case 'assignment_expression': {
      const l = n.childForFieldName('left');
      const r = n.childForFieldName('right');
      const op = n.childForFieldName('operator')?.text ?? '=';
      if (!l || !r) return { k: 'other', text, norm: nt };
      return { k: 'assign', op, left: exprOf(l), right: exprOf(r), text, norm: nt };
    }
    case 'sizeof_expression':
    case 'alignof_expression':
    case 'offsetof_expression':
      return { k: 'sizeof', text, norm: nt };
    default:
      return { k: 'other', text, norm: nt };
  }
}

/** Look through casts (`(void *)p` is `p` for whom it names). */
export function uncast(e: Expr): Expr {
  let x = e;
  while (x.k === 'cast') x = x.arg;
  return x;
}

/** Is this a plain access path (`p`, `p->a.b`, `vmf->ptl`, `*ptep`)? */
export function isPath(e: Expr): boolean {
  const x = uncast(e);
  switch (x.k) {
    case 'id':
      return true;
    case 'field':
      return isPath(x.base);
    case 'unary':
      return x.op === '*' && isPath(x.arg);
    default:
      return false;
  }
}

/** The root variable of an access path (`p` in `p->a.b`, `pages` in `pages[i]`), or null. */
export function rootOf(e: Expr): string | null {
  const x = uncast(e);
  switch (x.k) {
    case 'id':
      return x.name;
    case 'field':
    case 'index':
      return rootOf(x.base);
    case 'unary':
      return x.op === '*' || x.op === '&' ? rootOf(x.arg) : null;
    default:
      return null;
  }
}

/** The direct sub-expressions of `x`, in source order (a call's arguments, an operator's operands). */
export function subExprs(x: Expr): Expr[] {
  switch (x.k) {
    case 'call':
      return x.args;
    case 'unary':
    case 'update':
    case 'cast':
      return [x.arg];
    case 'binary':
    case 'assign':
      return [x.left, x.right];
    case 'field':
      return [x.base];
    case 'index':
      return [x.base, x.index];
    case 'ternary':
      return [x.test, x.then, x.else];
    default:
      return [];
  }
}

/** Every expression inside `e`, `e` first (pre-order). */
function allExprs(e: Expr): Expr[] {
  const out: Expr[] = [];
  const work = [e];
  while (work.length) {
    const x = work.pop()!;
    out.push(x);
    const kids = subExprs(x);
    for (let i = kids.length - 1; i >= 0; i--) work.push(kids[i]);
  }
  return out;
}

/** Calls inside an expression, the expression itself included. */
export function callsIn(e: Expr): Extract<Expr, { k: 'call' }>[] {
  return allExprs(e).filter((x): x is Extract<Expr, { k: 'call' }> => x.k === 'call');
}

/** Identifiers (variables) the expression reads, call names excluded (an indirect call's ops pointer is not an object). */
export function identifiersIn(e: Expr): string[] {
  return allExprs(e).flatMap((x) => (x.k === 'id' ? [x.name] : []));
}

const outsideCalls = new WeakMap<CNode, string>();
/**
 * The text of an expression with its calls blanked (same length): what the
 * expression does with objects by itself, the calls deciding for their own
 * arguments.
 */
export function textOutsideCalls(node: CNode): string {
  // (once per node: the resource dataflow asks on every visit of the statement)
  let t = outsideCalls.get(node);
  if (t === undefined) outsideCalls.set(node, (t = computeTextOutsideCalls(node)));
  return t;
}
function computeTextOutsideCalls(node: CNode): string {
  const calls = node.descendantsOfType('call_expression');
  if (!calls.length) return node.text;
  let t = node.text;
  const base = node.startIndex;
  for (const c of calls) {
    const s = c.startIndex - base;
    const e = c.endIndex - base;
    t = t.slice(0, s) + ' '.repeat(e - s) + t.slice(e);
  }
  return t;
}

/** Are the parentheses of `s` balanced (no `)` before its `(`)? */
export function balanced(s: string): boolean {
  let d = 0;
  for (const c of s) {
    if (c === '(') d++;
    else if (c === ')' && --d < 0) return false;
  }
  return d === 0;
}

/**
 * Normalise an object expression: whitespace, outer parentheses, casts and a
 * leading `&` removed; an array element `pages[i]` becomes the array `pages`
 * with element = true.
 */
export function normObject(text: string): { obj: string; element: boolean } {
  let t = norm(text);
  for (let i = 0; i < 4; i++) {
    const before = t;
    // (struct page *)x -> x
    t = t.replace(/^\((?:const)?(?:struct|union)?[A-Za-z_]\w*\**\)(?=[A-Za-z_&*(])/, '');
    if (t.startsWith('&')) t = t.slice(1);
    if (t.startsWith('(') && t.endsWith(')') && balanced(t.slice(1, -1))) t = t.slice(1, -1);
    if (t === before) break;
  }
  const m = /^([A-Za-z_][\w.>-]*)\[[^\]]*\]$/.exec(t);
  if (m && !m[1].endsWith('-')) return { obj: m[1], element: true };
  return { obj: t, element: false };
}

/** Is `s` a simple access path text (`p`, `p->a.b`, `vmf->ptl`)? */
export function isPathText(s: string): boolean {
  return /^[A-Za-z_][\w.>-]*$/.test(s) && !/-$/.test(s);
}

/**
 * How `text` uses `obj`: 'whole' (the object itself: `page`, `&page`, `(void *)page`),
 * 'member' (only through a member or element: `page->mapping`, `pages[i]`, `&page->lru`), or null.
 */
export function usage(text: string, obj: string): 'whole' | 'member' | null {
  if (!obj) return null;
  const t = norm(text);
  let found: 'whole' | 'member' | null = null;
  let i = t.indexOf(obj);
  while (i !== -1) {
    const before = i > 0 ? t[i - 1] : '';
    const after = t[i + obj.length] ?? '';
    const okBefore = !/[\w.>]/.test(before) || (before === '>' && t[i - 2] !== '-');
    if (okBefore && !/\w/.test(after)) {
      if (after === '-' && t[i + obj.length + 1] === '>') found = found ?? 'member';
      else if (after === '.' || after === '[') found = found ?? 'member';
      else return 'whole';
    }
    i = t.indexOf(obj, i + 1);
  }
  return found;
}

/** Does `text` mention the object `obj` (as a whole identifier / access path)? */
export function mentions(text: string, obj: string): boolean {
  if (!obj) return false;
  const t = norm(text);
  let i = t.indexOf(obj);
  while (i !== -1) {
    const before = i > 0 ? t[i - 1] : '';
    const after = t[i + obj.length] ?? '';
    const okBefore = !/[\w.>]/.test(before) || (before === '>' && t[i - 2] !== '-');
    const okAfter = !/\w/.test(after);
    if (okBefore && okAfter) return true;
    i = t.indexOf(obj, i + 1);
  }
  return false;
}

/** A returned value that reports failure: -EFAULT, -1, NULL, false, ERR_PTR(...). */
/** A negative errno constant, bare or as an error pointer: `-EAGAIN`, `ERR_PTR(-ENOMEM)`. */
export function negativeErrnoValue(text: string): boolean {
  const t = norm(text).replace(/^\((.*)\)$/, '$1');
  return /^-E[A-Z0-9]+$/.test(t) || /^ERR_PTR\(\(?-E[A-Z0-9]+\)?\)$/.test(t);
}

export function errorishValue(text: string): boolean {
  const t = norm(text).replace(/^\((.*)\)$/, '$1');
  return /^-E[A-Z0-9]+$/.test(t) || /^-[1-9]\d*$/.test(t) || t === 'NULL' || t === 'false' || /^ERR_PTR\(/.test(t) || /^ERR_CAST\(/.test(t);
}
